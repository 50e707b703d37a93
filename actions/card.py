"""A lost or stolen card: which card, an explicit yes, then frozen in the profile store.

Turn 1 (``report_card_loss``, or a card chosen by button / ``inform``): the
client's debit and credit cards as buttons (尾号1234), or straight to the
question "freeze 尾号1234?" with the tail kept in ``card_loss_pending``.
Turn 2 (``affirm`` / ``deny`` while ``card_loss_pending`` is set, see
``data/rules_products.yml``; the action checks that it asked just before):
affirm freezes the card in one unit of work, says what happens next and sets
``urgent_handoff`` for a person to follow up; deny changes nothing. Without verified identity the client is told how to
freeze the card now by phone: never refused without help.
"""
from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping, Optional, Sequence, Text

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.confirmation import other_questions_dropped, proposed_just_before
from actions.verified import ClientRequest, VerifiedClientAction, verified_principal
from bot.money import tail_label
from bot.profile.commands import CARD_TYPES, FreezeOutcome, freeze_card
from bot.profile.queries import AccountView, accounts_of
from bot.responses import in_script, render

__all__ = ["CARD_LOSS_PENDING", "URGENT_HANDOFF", "ActionReportCardLoss"]

CARD_LOSS_PENDING = "card_loss_pending"  # the tail the client is asked to confirm freezing
URGENT_HANDOFF = "urgent_handoff"  # a person must follow up soon (the handoff routes it)
HAND_OFF = "action_hand_off"


def _card_label(domain: Mapping[str, Any], slots: Mapping[str, Any], card: AccountView) -> str:
    return render(domain, "utter_card_label", slots, tail=tail_label(card.tail), card_type=card.account_type)


def _buttons(domain: Mapping[str, Any], slots: Mapping[str, Any], cards: Sequence[AccountView]) -> List[Dict[str, str]]:
    buttons = []
    for card in cards:
        response = "utter_card_button_frozen" if card.status == "frozen" else "utter_card_button"
        buttons.append({
            "title": render(domain, response, slots, tail=tail_label(card.tail), card_type=card.account_type),
            "payload": "/report_card_loss" + json.dumps({"card_tail": card.tail}),
        })
    return buttons


class ActionReportCardLoss(VerifiedClientAction):
    def name(self) -> Text:
        return "action_report_card_loss"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        if verified_principal(tracker) is None:
            dispatcher.utter_message(response="utter_card_loss_unverified")
            return [SlotSet(CARD_LOSS_PENDING, None), SlotSet(URGENT_HANDOFF, True)]
        return await super().run(dispatcher, tracker, domain) + other_questions_dropped(CARD_LOSS_PENDING)

    async def answer(
        self, request: ClientRequest, session: Session, dispatcher: CollectingDispatcher
    ) -> List[Dict[Text, Any]]:
        intent = request.intent
        pending = request.slots.get(CARD_LOSS_PENDING)
        cards = [card for card in accounts_of(session, request.client_id) if card.account_type in CARD_TYPES]
        if intent in ("affirm", "deny"):
            if not (pending and proposed_just_before(request.tracker, CARD_LOSS_PENDING) == pending):  # not an answer to it
                dispatcher.utter_message(response="utter_affirm_ack" if intent == "affirm" else "utter_deny_ack")
                return [SlotSet(CARD_LOSS_PENDING, None)]
            pending_card = next((card for card in cards if card.tail == pending), None)
            if intent == "deny":
                return self._cancelled(request, dispatcher, pending_card)
            return self._confirmed(request, session, dispatcher, str(pending), cards)
        return self._choose(request, dispatcher, cards)

    # ------------------------------------------------------------- turn 1
    def _choose(
        self, request: ClientRequest, dispatcher: CollectingDispatcher, cards: Sequence[AccountView]
    ) -> List[Dict[Text, Any]]:
        domain, slots = request.domain, request.slots
        if not cards:
            dispatcher.utter_message(response="utter_card_loss_no_cards")
            return [SlotSet(CARD_LOSS_PENDING, None), SlotSet(URGENT_HANDOFF, True)]
        tail = request.first("card_tail")
        account_type = request.first("account_type")
        chosen: Optional[AccountView] = None
        if tail:
            chosen = next((card for card in cards if card.tail == str(tail)), None)
            if chosen is None:
                dispatcher.utter_message(response="utter_card_loss_tail_unknown", buttons=_buttons(domain, slots, cards),
                                         tail=in_script(tail_label(str(tail)), slots.get("script")))
                return [SlotSet(CARD_LOSS_PENDING, None)]
        else:
            of_type = [card for card in cards if card.account_type == account_type] or list(cards)
            if len(of_type) == 1:
                chosen = of_type[0]
            elif all(card.status == "frozen" for card in of_type):
                dispatcher.utter_message(response="utter_card_loss_all_frozen")
                return [SlotSet(CARD_LOSS_PENDING, None), SlotSet(URGENT_HANDOFF, True)]
            else:
                dispatcher.utter_message(response="utter_card_loss_which_card",
                                         buttons=_buttons(domain, slots, of_type))
                return [SlotSet(CARD_LOSS_PENDING, None)]
        if chosen.status == "frozen":
            dispatcher.utter_message(response="utter_card_loss_already_frozen", card=_card_label(domain, slots, chosen))
            return [SlotSet(CARD_LOSS_PENDING, None), SlotSet(URGENT_HANDOFF, True)]
        dispatcher.utter_message(response="utter_card_loss_confirm", card=_card_label(domain, slots, chosen))
        return [SlotSet(CARD_LOSS_PENDING, chosen.tail)]

    # ------------------------------------------------------------- turn 2
    def _confirmed(
        self, request: ClientRequest, session: Session, dispatcher: CollectingDispatcher, tail: str,
        cards: Sequence[AccountView],
    ) -> List[Dict[Text, Any]]:
        domain, slots = request.domain, request.slots
        result = freeze_card(session, request.client_id, tail)
        card = next((each for each in cards if each.tail == tail), None)
        if result.outcome in (FreezeOutcome.NOT_FOUND, FreezeOutcome.AMBIGUOUS) or card is None:
            dispatcher.utter_message(response="utter_card_loss_tail_unknown", buttons=_buttons(domain, slots, cards),
                                     tail=in_script(tail_label(tail), slots.get("script")))
            return [SlotSet(CARD_LOSS_PENDING, None)]
        label = _card_label(domain, slots, card)
        if result.outcome is FreezeOutcome.ALREADY_FROZEN:
            dispatcher.utter_message(response="utter_card_loss_already_frozen", card=label)
        else:
            dispatcher.utter_message(response="utter_card_loss_frozen", card=label)
        # the card is safe; a person follows up at once (replacement, the transactions to check)
        return [SlotSet(CARD_LOSS_PENDING, None), SlotSet(URGENT_HANDOFF, True), FollowupAction(HAND_OFF)]

    @staticmethod
    def _cancelled(
        request: ClientRequest, dispatcher: CollectingDispatcher, card: Optional[AccountView]
    ) -> List[Dict[Text, Any]]:
        if card is not None:
            dispatcher.utter_message(response="utter_card_loss_cancelled",
                                     card=_card_label(request.domain, request.slots, card))
        else:
            dispatcher.utter_message(response="utter_card_loss_cancelled_unknown")
        return [SlotSet(CARD_LOSS_PENDING, None)]
