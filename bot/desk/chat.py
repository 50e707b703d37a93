"""The client's web chat: ``/api/chat/messages``, ``/api/chat/history``, ``/api/chat/stream``.

Clients only, and always their own conversation (``Principal.conversation_id``,
``client:C000001``): nothing posted names it.

A message while the conversation has an open handoff (waiting or taken) never
reaches the bot: it is stored first (``store.add_message``, committed), then
published for the desks, then appended to the Rasa tracker as a ``user`` event
(best effort: SQL is the record; a Rasa or Redis that is down loses nothing).
The answer is ``{"messages": [], "handoff": state, "kept": <the stored message,
with its id>}``: no bot answer; the page may give its bubble the id, so a
reload of the history does not show it twice.

Without an open handoff the message goes to Rasa's app channel with the
client's own token, and the bot's answers come back; if the bot has just handed
off, the answer carries the new handoff's state. If the bot says nothing and a
handoff is open by then (it handed off while the message was on its way, and
the paused conversation kept it silently), the message is stored for the person
too. Rasa down: 503.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, Dict, List, Optional, Sequence, Tuple

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from bot.desk.auth import Caller, client_caller
from bot.desk.inputs import button_payload, json_object, message_text
from bot.desk.rasa_client import RasaFailure, user_event
from bot.desk.services import DeskServices, in_session, services_of
from bot.desk.streams import open_subscription, sse_response
from bot.desk.texts import DeskError
from bot.desk.views import Names, bot_message_json, handoff_state, message_json
from bot.handoff import store
from bot.handoff.live import apublish_to_handoff, conversation_channel
from bot.identity import Principal, Role

__all__ = ["router", "append_best_effort"]

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api/chat")


async def append_best_effort(services: DeskServices, conversation_id: str, events: Sequence[Dict[str, Any]],
                             what: str) -> bool:
    """Appends to the Rasa tracker; a failure is logged (no text) and ignored: SQL holds the message."""
    try:
        await services.rasa.append_events(conversation_id, events)
    except RasaFailure as error:
        logger.warning("tracker not updated with the %s (%s); the desk's record stands", what, type(error).__name__)
        return False
    return True


RECENTLY_ENDED = timedelta(minutes=30)  # how long a page reload still shows an ended handoff's messages


def _keep_while_held(session: Session, principal: Principal, text: str, now: datetime,
                     services: DeskServices) -> Optional[Tuple[Dict[str, Any], Dict[str, Any], str]]:
    """Stores the message when a handoff is open: (state, message, handoff id); None otherwise."""
    record = store.open_handoff_of(session, principal.conversation_id)
    if record is None:
        return None
    names = Names(session, services.agents)
    stored = store.add_message(session, record.id, "client", text, now, sender_id=principal.subject_id,
                               sender_name=names.of(Role.CLIENT, principal.subject_id))
    return handoff_state(record, names), message_json(stored), record.id


def _open_state(session: Session, conversation_id: str, services: DeskServices) -> Optional[Dict[str, Any]]:
    record = store.open_handoff_of(session, conversation_id)
    return handoff_state(record, Names(session, services.agents)) if record is not None else None


def _history(session: Session, conversation_id: str, services: DeskServices) -> Dict[str, Any]:
    """The open handoff's messages; or, just after a hand-back or close, the ended one's (the bot's
    "I am back" and the rating buttons reach a page that was reloading when they were sent)."""
    record = store.latest_handoff_of(session, conversation_id)
    if record is None or (not record.open and (record.ended_at is None
                                               or services.clock() - record.ended_at > RECENTLY_ENDED)):
        return {"messages": [], "handoff": None}
    names = Names(session, services.agents)
    return {"messages": [message_json(message) for message in store.messages_of(session, record.id)],
            "handoff": handoff_state(record, names)}


@router.post("/messages")
async def post_message(request: Request, who: Caller = Depends(client_caller),
                       services: DeskServices = Depends(services_of)) -> Dict[str, Any]:
    body = await json_object(request)
    text = message_text(body)
    payload = button_payload(body)
    principal = who.principal
    kept = await in_session(services, _keep_while_held, principal, text, services.clock(), services)
    if kept is not None:
        state, message, handoff_id = kept
        await apublish_to_handoff(services.redis, handoff_id, message, namespace=services.namespace)
        await append_best_effort(services, principal.conversation_id,
                                 [user_event(message["text"], principal, services.clock())], "client's message")
        return {"messages": [], "handoff": state, "kept": message}
    try:
        answers = await services.rasa.send_message(who.token, payload or text)
    except RasaFailure:
        raise DeskError(503, "assistant_unavailable", {"Retry-After": "3"}) from None
    at = services.clock()
    messages: List[Dict[str, Any]] = [bot_message_json(answer, at) for answer in answers]
    if not messages:
        # silence: the bot may have handed off while this message was on its way (Rasa, paused
        # meanwhile, kept it in the tracker and said nothing): the person must see it too
        kept = await in_session(services, _keep_while_held, principal, text, at, services)
        if kept is not None:
            state, message, handoff_id = kept
            await apublish_to_handoff(services.redis, handoff_id, message, namespace=services.namespace)
            return {"messages": [], "handoff": state, "kept": message}
    state = await in_session(services, _open_state, principal.conversation_id, services)
    return {"messages": messages, "handoff": state}


@router.get("/history")
async def history(who: Caller = Depends(client_caller),
                  services: DeskServices = Depends(services_of)) -> Dict[str, Any]:
    return await in_session(services, _history, who.principal.conversation_id, services)


@router.get("/stream")
async def stream(request: Request, who: Caller = Depends(client_caller),
                 services: DeskServices = Depends(services_of)) -> StreamingResponse:
    channel = conversation_channel(who.principal.conversation_id, services.namespace)
    pubsub = await open_subscription(services.redis, [channel])
    return sse_response(request, pubsub, until=who.principal.expires_at, clock=services.clock)
