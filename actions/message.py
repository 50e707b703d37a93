"""Runs after every client message as Rasa's global slot-mapping validation.

Rasa 3.6 keeps bot utterances only from ``action_validate_slot_mappings``;
other custom slot-mapping actions are reduced to their SlotSet events, which
would silently drop the truncation note.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.nlu.normalise import Script


class ActionReadMessage(Action):
    """Keeps the script the client writes in; notes a message cut for the NLU."""

    def name(self) -> Text:
        return "action_validate_slot_mappings"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        message = tracker.latest_message or {}
        events: List[Dict[Text, Any]] = []
        script = message.get("script")
        # a message without script-specific characters (OK, 123) keeps the last one
        if script in (Script.SIMPLIFIED.value, Script.TRADITIONAL.value):
            if tracker.get_slot("script") != script:
                events.append(SlotSet("script", script))
        if message.get("truncated"):
            dispatcher.utter_message(response="utter_message_truncated")
        return events
