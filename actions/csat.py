"""The client's rating of the service (CSAT): 1–5 and an optional comment.

Asked when the conversation ends: after goodbye (``action_ask_csat``, once per
rating request) and when a person closes it. The score is stored as soon as a
rating button is pressed (``action_record_csat``), so a client who leaves
without commenting is still counted; ``csat_form`` then asks for a comment,
which ``action_save_csat_comment`` adds to the same row. Each rating is linked
to the conversation and to its latest handoff (``bot.handoff.store``), so the
desk shows it with the handoff.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.handoff import live_redis, session_events
from actions.verified import verified_principal
from bot import clock
from bot.handoff.live import publish_csat
from bot.handoff.store import record_csat, set_csat_comment
from bot.identity import Role
from bot.masking import mask_text
from bot.profile.store import profile_session

__all__ = ["ActionAskCsat", "ActionRecordCsat", "ValidateCsatForm", "ActionSaveCsatComment", "NO_COMMENT"]

logger = logging.getLogger(__name__)

CSAT_ID = "csat_id"
CSAT_COMMENT = "csat_comment"
NO_COMMENT = "-"  # the slot's value when the client skipped the comment (domain/handoff.yml)
MAX_COMMENT_CHARS = 500
ASK_RESPONSE = "utter_ask_csat"


def _asked_since_last_rating(tracker: Tracker) -> bool:
    """Whether the rating was asked in this session after the last rating was stored."""
    asked = rated = -1
    for index, event in enumerate(session_events(tracker)):
        if event.get("event") == "bot" and (event.get("metadata") or {}).get("utter_action") == ASK_RESPONSE:
            asked = index
        elif event.get("event") == "slot" and event.get("name") == CSAT_ID and event.get("value"):
            rated = index
    return asked > rated


def _rated_since_last_handoff(tracker: Tracker) -> bool:
    """Whether a rating was stored in this session after the last handoff (or at all, without one)."""
    handed_off = rated = -1
    for index, event in enumerate(session_events(tracker)):
        if event.get("event") == "pause":  # every handoff pauses, whichever action opened it
            handed_off = index
        elif event.get("event") == "slot" and event.get("name") == CSAT_ID and event.get("value"):
            rated = index
    return rated > handed_off


def _session_started_at(tracker: Tracker) -> Optional[datetime]:
    """When the conversation session being rated started (its session_started event), if known."""
    started = [event.get("timestamp") for event in tracker.events if event.get("event") == "session_started"]
    return datetime.fromtimestamp(started[-1], tz=timezone.utc) if started and started[-1] else None


def _score(tracker: Tracker) -> Optional[int]:
    """The score of the pressed button (entity csat_score), when it is a whole number 1–5."""
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == "csat_score":
            value = str(entity.get("value")).strip()
            if value.isdigit() and 1 <= int(value) <= 5:
                return int(value)
    return None


class ActionAskCsat(Action):
    """Asks for a rating, unless the client rated this session already (since its last handoff:
    a later person's service is rated again)."""

    def name(self) -> Text:
        return "action_ask_csat"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        if not _rated_since_last_handoff(tracker):
            dispatcher.utter_message(response=ASK_RESPONSE)
        return []


class ActionRecordCsat(Action):
    """Stores the score at once; then the form asks for an optional comment."""

    def name(self) -> Text:
        return "action_record_csat"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        score = _score(tracker)
        if score is None:
            dispatcher.utter_message(response="utter_csat_invalid")
            return [SlotSet(CSAT_ID, None)]
        if not _asked_since_last_rating(tracker):
            dispatcher.utter_message(response="utter_csat_already")
            return [SlotSet(CSAT_ID, None)]
        principal = verified_principal(tracker)
        client_id = principal.subject_id if principal is not None and principal.role is Role.CLIENT else None
        try:
            with profile_session() as session:
                rating = record_csat(session, tracker.sender_id, client_id, score, clock.bank_now(),
                                     since=_session_started_at(tracker))
                session.commit()
        except SQLAlchemyError as error:
            logger.error("rating not stored: %s", type(error).__name__)
            dispatcher.utter_message(response="utter_csat_thanks")
            return [SlotSet(CSAT_ID, None)]
        if rating.handoff_id:
            publish_csat(live_redis(), rating.handoff_id, score)
        return [SlotSet(CSAT_ID, str(rating.id)), SlotSet(CSAT_COMMENT, None)]


class ValidateCsatForm(FormValidationAction):
    """Asks for the comment only after a stored rating; keeps the comment masked and short."""

    def name(self) -> Text:
        return "validate_csat_form"

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> List[Text]:
        return domain_slots if tracker.get_slot(CSAT_ID) else []

    def validate_csat_comment(self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> Dict[Text, Any]:
        text = mask_text(str(slot_value or "")).strip()[:MAX_COMMENT_CHARS]
        return {CSAT_COMMENT: text or NO_COMMENT}


class ActionSaveCsatComment(Action):
    """Adds the comment (if any) to the stored rating and thanks the client."""

    def name(self) -> Text:
        return "action_save_csat_comment"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        rating_id, comment = tracker.get_slot(CSAT_ID), tracker.get_slot(CSAT_COMMENT)
        if not rating_id:
            return [SlotSet(CSAT_COMMENT, None)]
        if comment and comment != NO_COMMENT:
            try:
                with profile_session() as session:
                    rating = set_csat_comment(session, int(rating_id), comment)
                    session.commit()
                if rating is not None and rating.handoff_id:
                    publish_csat(live_redis(), rating.handoff_id, rating.score, rating.comment)
            except (SQLAlchemyError, ValueError) as error:
                logger.error("rating comment not stored: %s", type(error).__name__)
        dispatcher.utter_message(response="utter_csat_thanks")
        return [SlotSet(CSAT_COMMENT, None)]
