"""Complaints: the form that takes one down, and its delivery to the case service.

``action_start_complaint`` reads the opening message (category, what happened,
severity) and opens ``complaint_form`` for a verified client; the form's
validation action reads each answer; ``action_ask_complaint_confirmed`` shows
the summary; ``action_submit_complaint`` stores the complaint in the outbox
and delivers it (``bot.cases.delivery``), then gives the case id, the due date
and who will call, or the provisional reference when the service is down.
A high-severity complaint sets ``handoff_reason`` for a person to take over.
"""
from __future__ import annotations

import os
import re
import unicodedata
from decimal import Decimal
from typing import Any, Dict, List, Mapping, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from sqlalchemy.orm import Session

from actions.confirmation import other_questions_dropped
from actions.follow_up import latest_intent, latest_text
from actions.verified import ClientRequest, VerifiedClientAction, how_to_verify, verified_principal
from bot import clock
from bot.cases.client import CaseClient
from bot.cases.delivery import submit
from bot.cases.reading import CATEGORIES, Severity, read_complaint, tells_what_happened
from bot.cases.types import NewCase
from bot.masking import mask_text
from bot.money import format_money, positive_amount
from bot.nlu.canonical import parse_amount
from bot.nlu.normalise import normalise
from bot.responses import in_script, render

__all__ = [
    "ActionStartComplaint",
    "ValidateComplaintForm",
    "ActionAskComplaintConfirmed",
    "ActionSubmitComplaint",
    "case_client",
]

READY = "complaint_ready"
CATEGORY = "complaint_category"
DETAILS = "complaint_details"
AMOUNT = "complaint_amount"
CONTACT_TIME = "complaint_contact_time"
CONFIRMED = "complaint_confirmed"
SEVERITY = "complaint_severity"
HANDOFF_REASON = "handoff_reason"
HAND_OFF = "action_hand_off"
FORM_SLOTS = (CATEGORY, DETAILS, AMOUNT, CONTACT_TIME, CONFIRMED, SEVERITY)
NO_AMOUNT = "none"
HIGH_SEVERITY_HANDOFF = "complaint_high_severity"
COMPLAINTS_TEAM = "complaints_team"  # who handles a complaint of a client without an RM
MAX_DETAILS_CHARS = 1000
MAX_CONTACT_CHARS = 60
# a delivery attempt made while the client waits: short, the outbox does the rest
ATTEMPT_TIMEOUT_SECONDS = 2.0
ATTEMPTS_WHILE_WAITING = 2
_CHANNELS = {"app": "app", "wechat": "wechat"}  # anything else came through the web chat
LARGEST_AMOUNT = Decimal(10) ** 10  # beyond this a "number" is an account or card number, not money
_NOT_AN_AMOUNT_AFTER = ("尾号", "****", "*")  # what the masking leaves of a card or phone number
_NUMBER = r"(?:\d[\d,]*(?:\.\d+)?|[零一二两三四五六七八九十百千万亿点]+)"
# a number said as money: with a magnitude or a currency word (12月3日, 3点, 3笔 and 138 1234 are not money)
_MONEY_RE = re.compile(rf"{_NUMBER}\s*(?:(?:十万|百万|千万|万|千|k|w)\s*(?:元|块钱|块|圆)?|元|块钱|块|圆)")
_BARE_NUMBER_RE = re.compile(_NUMBER)


def case_client() -> CaseClient:
    """The case service as the action server reaches it (``CASE_SERVICE_URL`` and the service token)."""
    return CaseClient.from_environment(os.environ, timeout=ATTEMPT_TIMEOUT_SECONDS, attempts=ATTEMPTS_WHILE_WAITING)


def _clean(text: str, limit: int) -> Optional[str]:
    """What the client wrote on one line, masked and cut to ``limit``; None when no letter or digit
    is left (emoji, punctuation, symbols only). Control characters and lone surrogates go."""
    printable = "".join(" " if unicodedata.category(character) == "Cc" else character for character in text
                        if unicodedata.category(character) not in ("Cs", "Cf", "Co", "Cn"))
    if not any(unicodedata.category(character)[0] in "LN" for character in normalise(printable).text):
        return None
    return mask_text(" ".join(printable.split()))[:limit]


def _amount_in(tracker: Tracker, bare_numbers: bool = False) -> Optional[str]:
    """The amount of the latest message in yuan, or None: an amount entity, else a number said as
    money (5000元, 3.5万); ``bare_numbers`` (the answer to "涉及多少钱") also any number (两千).

    The text is read masked, so a card or phone number typed in full is never taken for an
    amount (nor kept in a slot); the tail the masking leaves (尾号1234) is no amount either.
    """
    values = [entity.get("value") for entity in (tracker.latest_message or {}).get("entities") or []
              if entity.get("entity") == "amount"]
    masked = normalise(mask_text(latest_text(tracker))).text
    for pattern in (_MONEY_RE, _BARE_NUMBER_RE) if bare_numbers else (_MONEY_RE,):
        values += [parse_amount(match.group(0)) for match in pattern.finditer(masked)
                   if not masked[:match.start()].endswith(_NOT_AN_AMOUNT_AFTER)]
    for value in values:
        amount = positive_amount(value)
        if amount is not None and amount < LARGEST_AMOUNT:
            return str(amount.quantize(Decimal("0.01")))
    return None


class ActionStartComplaint(VerifiedClientAction):
    """Opens the complaint form with what the opening message already says."""

    follow_ups = False

    def name(self) -> Text:
        return "action_start_complaint"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        if verified_principal(tracker) is None:
            response = how_to_verify(tracker)
            dispatcher.utter_message(
                response="utter_complaint_verify_first" if response == "utter_verify_first" else response)
            return [SlotSet(READY, False)]
        events = await super().run(dispatcher, tracker, domain)
        if not any(event.get("name") == READY for event in events):  # refused (an advisor, an unknown id)
            events.append(SlotSet(READY, False))
        return events

    async def answer(
        self, request: ClientRequest, session: Session, dispatcher: CollectingDispatcher
    ) -> List[Dict[Text, Any]]:
        text = latest_text(request.tracker)
        reading = read_complaint(text)
        dispatcher.utter_message(response="utter_complaint_opening")
        return [SlotSet(slot, None) for slot in FORM_SLOTS] + [
            SlotSet(READY, True),
            SlotSet(CATEGORY, reading.category),
            SlotSet(DETAILS, _clean(text, MAX_DETAILS_CHARS) if tells_what_happened(text) else None),
            SlotSet(AMOUNT, _amount_in(request.tracker)),
            SlotSet(SEVERITY, reading.severity.value),
        ] + other_questions_dropped()  # the form asks its own yes/no


class ValidateComplaintForm(FormValidationAction):
    """Reads each answer of the complaint form. Nothing is read from a request for a person,
    so the form steps aside and the request_human rule answers."""

    def name(self) -> Text:
        return "validate_complaint_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Text]:
        """The form's slots, and the severity the answers may raise (never asked: set at the start)."""
        return [*domain_slots, SEVERITY]

    async def extract_complaint_severity(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Dict[Text, Any]:
        if tracker.get_slot(SEVERITY) is None and latest_intent(tracker) != "request_human":
            return {SEVERITY: Severity.NORMAL.value}  # a form opened without the start action
        return {}

    @staticmethod
    def _answering(tracker: Tracker, slot: str) -> bool:
        return tracker.get_slot("requested_slot") == slot and latest_intent(tracker) != "request_human"

    @staticmethod
    def _severity(tracker: Tracker, *texts: str) -> str:
        was_high = tracker.get_slot(SEVERITY) == Severity.HIGH.value
        return Severity.HIGH.value if was_high else read_complaint(*texts).severity.value

    async def extract_complaint_category(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Dict[Text, Any]:
        if not self._answering(tracker, CATEGORY):
            return {}
        chosen = next(tracker.get_latest_entity_values(CATEGORY), None)
        if chosen in CATEGORIES:
            return {CATEGORY: chosen}
        text = latest_text(tracker)
        found: Dict[Text, Any] = {CATEGORY: read_complaint(text).category or "other",
                                  SEVERITY: self._severity(tracker, text)}
        if tells_what_happened(text) and not tracker.get_slot(DETAILS):
            found[DETAILS] = _clean(text, MAX_DETAILS_CHARS)  # answered with the story itself
        return found

    async def extract_complaint_details(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Dict[Text, Any]:
        if not self._answering(tracker, DETAILS):
            return {}
        text = latest_text(tracker)
        found: Dict[Text, Any] = {DETAILS: _clean(text, MAX_DETAILS_CHARS), SEVERITY: self._severity(tracker, text)}
        if tracker.get_slot(CATEGORY) == "other":
            found[CATEGORY] = read_complaint(text).category or "other"
        return found

    async def extract_complaint_amount(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Dict[Text, Any]:
        if not self._answering(tracker, AMOUNT):
            return {}
        return {AMOUNT: _amount_in(tracker, bare_numbers=True) or NO_AMOUNT}  # optional: anything else is none

    async def extract_complaint_contact_time(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Dict[Text, Any]:
        if not self._answering(tracker, CONTACT_TIME):
            return {}
        return {CONTACT_TIME: _clean(latest_text(tracker), MAX_CONTACT_CHARS)}

    async def extract_complaint_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Dict[Text, Any]:
        if not self._answering(tracker, CONFIRMED):
            return {}
        return {CONFIRMED: {"affirm": True, "deny": False}.get(latest_intent(tracker) or "")}  # else: asked again


def _summary_values(domain: Mapping[str, Any], slots: Mapping[str, Any]) -> Dict[str, str]:
    amount = slots.get(AMOUNT)
    return {
        "category": render(domain, f"utter_complaint_category_{slots.get(CATEGORY) or 'other'}", slots),
        "details": str(slots.get(DETAILS) or ""),
        "amount": (format_money(Decimal(amount), "CNY") if amount and amount != NO_AMOUNT
                   else render(domain, "utter_complaint_amount_none", slots)),
        "contact_time": in_script(str(slots.get(CONTACT_TIME) or ""), slots.get("script")),
    }


class ActionAskComplaintConfirmed(Action):
    """The summary of the complaint, to confirm before it is submitted."""

    def name(self) -> Text:
        return "action_ask_complaint_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        slots = tracker.current_slot_values()
        urgent = (render(domain, "utter_complaint_summary_urgent", slots)
                  if slots.get(SEVERITY) == Severity.HIGH.value else "")
        dispatcher.utter_message(response="utter_complaint_summary", urgent=urgent, **_summary_values(domain, slots))
        return []


class ActionSubmitComplaint(VerifiedClientAction):
    """Stores and delivers the confirmed complaint; answers with the case or the provisional reference."""

    follow_ups = False

    def name(self) -> Text:
        return "action_submit_complaint"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        if verified_principal(tracker) is None and tracker.get_slot(CONFIRMED) is True:
            # the login ran out while the client was confirming: the complaint stays in the form,
            # its summary asked again, and is submitted once they have logged in
            dispatcher.utter_message(response=how_to_verify(tracker))
            return [SlotSet(CONFIRMED, None), ActiveLoop("complaint_form")]
        return await super().run(dispatcher, tracker, domain)

    async def answer(
        self, request: ClientRequest, session: Session, dispatcher: CollectingDispatcher
    ) -> List[Dict[Text, Any]]:
        domain, slots = request.domain, request.slots
        done = [SlotSet(slot, None) for slot in FORM_SLOTS] + [SlotSet(READY, None)]
        if slots.get(CONFIRMED) is not True or not slots.get(DETAILS):
            dispatcher.utter_message(response="utter_complaint_cancelled")
            return done
        client = request.client
        high = slots.get(SEVERITY) == Severity.HIGH.value
        amount = slots.get(AMOUNT)
        new_case = NewCase(
            client_id=request.client_id,
            channel=_CHANNELS.get(request.tracker.get_latest_input_channel() or "", "web"),
            category=slots.get(CATEGORY) if slots.get(CATEGORY) in CATEGORIES else "other",
            severity=Severity.HIGH.value if high else Severity.NORMAL.value,
            description=mask_text(str(slots[DETAILS])),
            tier=client.tier,
            assigned_to=client.rm.rm_id if client.rm else COMPLAINTS_TEAM,
            amount_involved=Decimal(amount) if amount and amount != NO_AMOUNT else None,
            preferred_contact=slots.get(CONTACT_TIME),
        )
        submission = await submit(session, case_client, new_case)
        urgent = render(domain, "utter_complaint_urgent_note", slots) if high else ""
        if submission.case is None:
            dispatcher.utter_message(response="utter_complaint_queued", reference=submission.entry.provisional_ref,
                                     urgent=urgent)
        else:
            who = (render(domain, "utter_complaint_who_rm", slots, rm=client.rm.name) if client.rm
                   else render(domain, "utter_complaint_who_team", slots))
            dispatcher.utter_message(
                response="utter_complaint_filed", case_id=submission.case.case_id,
                due_date=submission.case.due_at.astimezone(clock.BANK_TIME).date().isoformat(),
                who=who, contact_time=in_script(str(slots.get(CONTACT_TIME) or ""), slots.get("script")),
                urgent=urgent,
            )
        # a high-severity complaint goes to a person at once, with the complaint in the context package
        return done + ([SlotSet(HANDOFF_REASON, HIGH_SEVERITY_HANDOFF), FollowupAction(HAND_OFF)] if high else [])
