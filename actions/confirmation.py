"""Yes/no answers to a question an action asked, recognised as answers only right after it.

An action that asks "确认……吗？" keeps what it proposed in a featurized slot, so
that a rule routes the affirm/deny back; the answer counts only when that slot
was set in the bot's turn just before the message (a 好的 three questions later
confirms nothing).
"""
from __future__ import annotations

from typing import Any, Optional

from rasa_sdk import Tracker

__all__ = ["proposed_just_before"]


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
