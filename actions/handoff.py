"""Handing the conversation to a person, and taking it back.

``action_hand_off`` runs for request_human (at once: no "are you sure"), after
a lost card is frozen and after a high-severity complaint (their actions follow
up with it), and from the fallbacks: ``action_default_fallback`` (the two-stage
fallback's end: two fallbacks in a row) and, for an elderly client, the first
fallback (``actions.fallback``). It

1. finds the reason (``bot.handoff.triggers``) and the person
   (``bot.handoff.routing``);
2. stores the context package (``bot.handoff.package``) with the handoff
   (``bot.handoff.store``) and the contact-center webhook's outbox entry in one
   commit, then tells the desk (Redis; the desk also reloads from SQL);
3. tells the client who will reply and by when, and pauses the conversation:
   Rasa answers nothing more until the desk server resumes it through the
   tracker events API (rasa issue 8119) and triggers ``EXTERNAL_handback`` or
   ``EXTERNAL_handoff_closed``.

A person can answer in the conversation only for a verified client on a
channel that carries their replies back (:data:`LIVE_CHANNELS`); a guest, or
any other channel, is given the hotline and nothing pauses; staff (an RM
typing to the assistant) are pointed to the desk. When the handoff cannot be stored the client is
given the hotline too, and the bot keeps answering.
"""
from __future__ import annotations

import logging
import os
from functools import lru_cache
from datetime import datetime
from typing import Any, Dict, List, Optional, Sequence, Text

import redis
from rasa_sdk import Action, Tracker
from rasa_sdk.events import (
    ActionExecuted,
    ActiveLoop,
    ConversationPaused,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
)
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from actions.follow_up import latest_intent, latest_text
from actions.replies import moment_text
from actions.verified import verified_principal
from bot import clock
from bot.appointments.store import upcoming_of
from bot.cases.client import CaseClient, CaseServiceFailure
from bot.cases.types import Case
from bot.handoff import (
    ConversationSignals,
    HandoffReason,
    Route,
    TargetKind,
    asks_for_own_rm,
    fallbacks_in_a_row,
    load_handoff_config,
    read_sentiment,
    repeats_earlier,
    route,
    should_hand_off,
)
from bot.handoff.live import publish_queue_change, redis_from_environment
from bot.handoff.desk_texts import load_desk_texts
from bot.handoff.package import build_package, client_360, transcript_from_events
from bot.handoff.store import HandoffRecord, open_handoff, open_handoff_of
from bot.handoff.webhook import HANDOFF_CREATED, WebhookConfig, enqueue_if_configured, webhook_payload
from bot.identity import Role
from bot.profile.queries import ClientSummary, client_summary, holdings_of
from bot.profile.store import profile_session
from bot.responses import in_script, render

__all__ = ["LIVE_CHANNELS", "HANDOFF_ID", "live_redis", "session_events", "signals_of", "hand_off", "reason_to_hand_off",
           "ActionHandOff", "ActionDefaultFallback", "ActionHandBack", "ActionHandoffClosed", "ActionSessionStart"]

logger = logging.getLogger(__name__)

# channels whose client sees a person's replies in the conversation (the app, through the desk server)
LIVE_CHANNELS = frozenset({"app"})
HANDOFF_ID = "handoff_id"
HANDOFF_REASON = "handoff_reason"
URGENT_HANDOFF = "urgent_handoff"
CASE_LOOKUP_TIMEOUT_SECONDS = 1.5  # the client is waiting: the package says "unknown" rather than wait longer
_FRAUD_CATEGORY = "card_fraud"
TWO_STAGE_FALLBACK = "action_two_stage_fallback"  # the loop that runs action_default_fallback at its end
# the contact-center webhook, read at start-up: a half-set configuration stops the action server
# with a message naming the variable, rather than failing a client's handoff later
WEBHOOK = WebhookConfig.from_environment(os.environ)
# slots a person's turn leaves meaningless: the questions the bot had open before it
_CLEARED_ON_RETURN = ("requested_slot", HANDOFF_REASON, "card_loss_pending", "appointment_pending")


@lru_cache(maxsize=1)
def live_redis() -> "redis.Redis":
    """The Redis the desks listen on (``REDIS_*``), one client per action server."""
    return redis_from_environment(os.environ)


def session_events(tracker: Tracker) -> List[Dict[Text, Any]]:
    """The events of the current conversation session (after the last session_started)."""
    events = list(tracker.events)
    starts = [index for index, event in enumerate(events) if event.get("event") == "session_started"]
    return events[starts[-1] + 1:] if starts else events


def _user_turns(events: Sequence[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
    return [event for event in events if event.get("event") == "user"]


def _intent_of(event: Dict[Text, Any]) -> Optional[str]:
    return ((event.get("parse_data") or {}).get("intent") or {}).get("name")


def signals_of(tracker: Tracker, client: Optional[ClientSummary]) -> ConversationSignals:
    """What the triggers read at this turn, from the tracker and the client's summary."""
    rules = load_handoff_config().triggers
    turns = _user_turns(session_events(tracker))
    text = latest_text(tracker)
    earlier = [str(turn.get("text") or "") for turn in turns[:-1]]
    person = next((entity.get("value") for entity in (tracker.latest_message or {}).get("entities") or []
                   if entity.get("entity") == "person"), None)
    rm_name = client.rm.name if client is not None and client.rm is not None else None
    return ConversationSignals(
        latest_intent=latest_intent(tracker),
        asks_for_own_rm=asks_for_own_rm(text, rm_name, person),
        fallbacks_in_a_row=fallbacks_in_a_row(_intent_of(turn) for turn in turns),
        handoff_reason=tracker.get_slot(HANDOFF_REASON),
        urgent_handoff=bool(tracker.get_slot(URGENT_HANDOFF)),
        suspected_fraud=tracker.get_slot("complaint_category") == _FRAUD_CATEGORY,
        tier=client.tier if client is not None else None,
        is_elderly=client.is_elderly if client is not None else False,
        latest_sentiment=read_sentiment(text).label,
        repeated_question=repeats_earlier(text, earlier, rules),
    )


def _client_id(tracker: Tracker) -> Optional[str]:
    principal = verified_principal(tracker)
    return principal.subject_id if principal is not None and principal.role is Role.CLIENT else None


async def _open_cases(client_id: str) -> Optional[List[Case]]:
    """The client's open cases; None when the case service does not answer in time."""
    try:
        async with CaseClient.from_environment(os.environ, timeout=CASE_LOOKUP_TIMEOUT_SECONDS, attempts=1) as cases:
            return await cases.cases_of(client_id, open_only=True)
    except (CaseServiceFailure, KeyError, ValueError) as error:  # down, refused, or not configured
        logger.warning("handoff package without cases: %s", type(error).__name__)
        return None


def _minutes(record_route: Route) -> int:
    return max(1, round(record_route.respond_within.total_seconds() / 60))


def _tell_client(dispatcher: CollectingDispatcher, domain: Dict[Text, Any], slots: Dict[Text, Any],
                 the_route: Route, client: Optional[ClientSummary]) -> None:
    """Who will reply and by when (您的专属客户经理王敏将在5分钟内回复)."""
    script = slots.get("script")
    minutes = _minutes(the_route)
    name = in_script(the_route.target_name, script)
    rm = client.rm if client is not None else None
    rm_note = (render(domain, "utter_handoff_rm_notified", slots, rm=rm.name)
               if the_route.notify_rm_id and rm is not None else "")
    if the_route.waits_in_queue:
        start = the_route.reply_expected_by - the_route.respond_within
        dispatcher.utter_message(response="utter_handoff_waiting", name=name, minutes=minutes,
                                 when=moment_text(domain, slots, start))
    elif the_route.reason.urgent:
        dispatcher.utter_message(response="utter_handoff_urgent", name=name, minutes=minutes, rm_note=rm_note)
    elif the_route.target_kind is TargetKind.RM:
        dispatcher.utter_message(response="utter_handoff_to_rm", name=name, minutes=minutes)
    elif the_route.target_kind is TargetKind.BACKUP_RM and rm is not None:
        dispatcher.utter_message(response="utter_handoff_to_backup", name=name, minutes=minutes,
                                 rm=in_script(rm.name, script))
    else:
        dispatcher.utter_message(response="utter_handoff_to_center", name=name, minutes=minutes, rm_note=rm_note)


def _store(session: Session, tracker: Tracker, reason: HandoffReason, client: Optional[ClientSummary],
           cases: Optional[List[Case]], now: datetime) -> tuple[HandoffRecord, Route]:
    config = load_handoff_config()
    the_route = route(reason, client, now, config)
    slots = tracker.current_slot_values()
    profile = None
    if client is not None:
        profile = client_360(client, cases, upcoming_of(session, client.client_id, now),
                             holdings_of(session, client.client_id), clock.bank_today(now))
    package = build_package(
        conversation_id=tracker.sender_id,
        channel=tracker.get_latest_input_channel() or "",
        reason=reason,
        route=the_route,
        client=profile,
        transcript=transcript_from_events(session_events(tracker), slots.get("script")),
        now=now,
        texts=load_desk_texts(),
    )
    record = open_handoff(session, package, the_route, now)
    enqueue_if_configured(session, WEBHOOK, HANDOFF_CREATED, record.id, webhook_payload(record), now)
    return record, the_route


def _loop_ended(tracker: Tracker) -> List[Dict[Text, Any]]:
    """A form or fallback loop the bot had open ends when a person takes over."""
    return [ActiveLoop(None)] if tracker.active_loop_name else []


async def hand_off(dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any],
                   reason: Optional[HandoffReason] = None) -> List[Dict[Text, Any]]:
    """Hand the conversation to a person (see the module docstring); the events to return."""
    slots = tracker.current_slot_values()
    principal = verified_principal(tracker)
    if principal is not None and principal.role is not Role.CLIENT:  # staff use the desk, not a handoff
        dispatcher.utter_message(response="utter_client_service_only")
        return []
    client_id = principal.subject_id if principal is not None else None
    if tracker.get_latest_input_channel() not in LIVE_CHANNELS or client_id is None:
        # no person can answer here: the anonymous channels, a guest without a login
        dispatcher.utter_message(response="utter_handoff_by_phone")
        return []
    cases = await _open_cases(client_id) if client_id else None
    now = clock.bank_now()
    try:
        with profile_session() as session:
            existing = open_handoff_of(session, tracker.sender_id)
            if existing is not None:
                dispatcher.utter_message(response="utter_handoff_already_open",
                                         name=in_script(existing.target_name, slots.get("script")))
                return [SlotSet(HANDOFF_ID, existing.id), *_loop_ended(tracker), ConversationPaused()]
            client = client_summary(session, client_id) if client_id else None
            reason = reason or should_hand_off(signals_of(tracker, client), load_handoff_config().triggers) \
                or HandoffReason.CLIENT_REQUEST
            record, the_route = _store(session, tracker, reason, client, cases, now)
            session.commit()
    except SQLAlchemyError as error:
        logger.error("handoff not stored: %s", type(error).__name__)
        dispatcher.utter_message(response="utter_handoff_failed")
        return []
    publish_queue_change(live_redis(), record.id, record.status.value)
    logger.info("handoff %s opened: %s to %s", record.id, reason.value, the_route.target_kind.value)
    _tell_client(dispatcher, domain, slots, the_route, client)
    return [SlotSet(HANDOFF_ID, record.id), *_loop_ended(tracker), ConversationPaused()]


class ActionHandOff(Action):
    """A person takes over: the reason is read from the conversation (request_human by default)."""

    def name(self) -> Text:
        return "action_hand_off"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        return await hand_off(dispatcher, tracker, domain)


def reason_to_hand_off(tracker: Tracker) -> Optional[HandoffReason]:
    """Whether the conversation so far calls for a person now (``bot.handoff.triggers``)."""
    client_id = _client_id(tracker)
    with profile_session() as session:
        client = client_summary(session, client_id) if client_id else None
    return should_hand_off(signals_of(tracker, client), load_handoff_config().triggers)


class ActionDefaultFallback(Action):
    """The end of the two-stage fallback (suggestions, then a rephrase, both missed): a person.

    Rasa also runs this action when no policy is confident of the next action (the
    core fallback, outside the two-stage loop); there the bot says it did not follow
    and forgets the message, as Rasa's own default action does.
    """

    def name(self) -> Text:
        return "action_default_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        if tracker.active_loop_name != TWO_STAGE_FALLBACK:
            dispatcher.utter_message(response="utter_default")
            return [UserUtteranceReverted()]
        return await hand_off(dispatcher, tracker, domain, HandoffReason.REPEATED_FALLBACK)


def _returned(tracker: Tracker) -> List[Dict[Text, Any]]:
    """The bot's state after a person's turn: no question of its own open, no loop, no reason left."""
    events: List[Dict[Text, Any]] = [SlotSet(slot, None) for slot in _CLEARED_ON_RETURN
                                     if tracker.get_slot(slot) is not None]
    return events + _loop_ended(tracker) + [SlotSet(URGENT_HANDOFF, False)]


class ActionHandBack(Action):
    """The person handed the conversation back (the desk resumed it): the bot says it is back."""

    response = "utter_handback"

    def name(self) -> Text:
        return "action_hand_back"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response=self.response)
        return _returned(tracker)


class ActionHandoffClosed(ActionHandBack):
    """The person closed the conversation: thanks; the rating is asked next (a rule)."""

    response = "utter_handoff_closed"

    def name(self) -> Text:
        return "action_handoff_closed"


class ActionSessionStart(Action):
    """Rasa's session start (slots carried over, as ``session_config`` asks), which also keeps a
    conversation a person holds paused: a new session after 60 idle minutes would otherwise
    end the pause, and the bot would answer while the person still holds the conversation."""

    def name(self) -> Text:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        carried = [SlotSet(name, value) for name, value in tracker.current_slot_values().items()
                   if value is not None]
        events = [SessionStarted(), *carried, ActionExecuted("action_listen")]
        try:
            with profile_session() as session:
                held = open_handoff_of(session, tracker.sender_id) is not None
        except SQLAlchemyError as error:
            logger.error("session start could not check for a handoff: %s", type(error).__name__)
            held = False
        return events + [ConversationPaused()] if held else events
