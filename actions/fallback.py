"""The first stage of the two-stage fallback, in the client's language.

Rasa's built-in ``action_default_ask_affirmation`` asks "Did you mean …?" in
English. This one offers the most likely services as buttons labelled from the
domain's ``utter_label_<intent>`` responses, plus "都不是" (→ out_of_scope,
which moves the fallback on to asking for a rephrase, then to a person).

When the fallback is itself a reason for a person (``bot.handoff.triggers``: an
elderly client's first fallback, or a second fallback in a row) the client is
handed to a person at once instead of being offered guesses.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import hand_off, reason_to_hand_off
from bot.responses import response_text

MAX_SUGGESTIONS = 3
_NOT_SUGGESTED = {"nlu_fallback", "out_of_scope", "inform", "affirm", "deny"}


class ActionDefaultAskAffirmation(Action):
    def name(self) -> Text:
        return "action_default_ask_affirmation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        reason = reason_to_hand_off(tracker)
        if reason is not None:
            return await hand_off(dispatcher, tracker, domain, reason)
        ranking = (tracker.latest_message or {}).get("intent_ranking") or []
        slots = tracker.current_slot_values()
        buttons = []
        for candidate in ranking:
            intent = candidate.get("name")
            if not intent or intent in _NOT_SUGGESTED:
                continue
            label = response_text(domain, f"utter_label_{intent}", slots)
            if label:
                buttons.append({"title": label, "payload": f"/{intent}"})
            if len(buttons) == MAX_SUGGESTIONS:
                break
        none_label = response_text(domain, "utter_label_none", slots) or ""
        buttons.append({"title": none_label, "payload": "/out_of_scope"})
        dispatcher.utter_message(response="utter_ask_affirmation", buttons=buttons)
        return []
