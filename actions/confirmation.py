"""Yes/no answers to a question an action asked, recognised as answers only right after it.

An action that asks "确认……吗？" keeps what it proposed in a featurized slot, so
that a rule routes the affirm/deny back; the answer counts only when that slot
was set in the bot's turn just before the message (a 好的 three questions later
confirms nothing).
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

__all__ = ["QUESTION_SLOTS", "proposed_just_before", "other_questions_dropped"]

# the slots in which actions keep the yes/no question they asked (actions/card.py,
# actions/appointments.py); rules route affirm/deny by them
QUESTION_SLOTS = ("card_loss_pending", "appointment_pending")


def proposed_just_before(tracker: Tracker, slot: str) -> Optional[Any]:
    """The value ``slot`` was set to in the bot's turn just before the latest message, if it was."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                return None
            seen_user = True
        elif seen_user and event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
    return None


def other_questions_dropped(asking: Optional[str] = None) -> List[Dict[Text, Any]]:
    """Clears every question slot but ``asking``: a 是的 answers only the latest question.
    (Left set, an unanswered appointment proposal would catch the yes to freezing a lost card.)"""
    return [SlotSet(slot, None) for slot in QUESTION_SLOTS if slot != asking]
