"""The advisor desk: ``/api/desk/*`` for advisors (RMs) and contact-center agents; clients get 403.

Every handoff goes through ``store.may_see``: one the caller may not see is 404,
exactly like an id that does not exist (no enumeration). Every client goes
through ``store.may_read_client`` (``bot.access``): 403, the same for an unknown
client. Only the holder replies, hands back or closes (403 otherwise; 409 when
someone else took it first, or it has ended).

A reply is stored (committed) before anything else, then kept in the Rasa
tracker as the bot's turn with ``{"agent_id", "agent_name"}`` (best effort) and
published to the client's page (``chat:{conversation}``) and the desks
(``handoff:{id}``).

Hand back and close end the handoff in SQL first (the bot must never answer
while a person holds the conversation, and a person's "done" is never lost),
then resume Rasa (tracker event ``resume``) and trigger ``EXTERNAL_handback`` or
``EXTERNAL_handoff_closed``; the bot's answers are stored and pushed to the
client. Rasa unreachable: the handoff stays ended and the answer is 503; the
same call again (by whoever ended it) resumes Rasa then, unless the
conversation has been handed off again since.

``/api/desk/stream`` sends ``queue`` (a QueueItem when a handoff the caller may
see changed; ``{"id", "status"}`` when one it saw left its view), ``message``
(``{"handoff_id", "message"}``) and ``csat`` (``{"handoff_id", "score",
"comment"}``) of the handoffs the caller may see.
"""
from __future__ import annotations

import logging
import re
from datetime import date, datetime
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from bot.advisor.overview import client_overview
from bot.advisor.replies import load_desk_reply_texts, suggested_replies
from bot.advisor.suitability_check import suitability_check
from bot.cases.client import CaseServiceFailure
from bot.cases.types import Case
from bot.clock import BANK_TIME
from bot.desk.auth import Caller, desk_caller
from bot.desk.chat import append_best_effort
from bot.desk.inputs import button_payload, json_object, message_text, short_text
from bot.desk.rasa_client import LISTEN, RESUME, BotMessage, RasaFailure, agent_event
from bot.desk.services import DeskServices, in_session, services_of
from bot.desk.streams import open_subscription, sse_response
from bot.desk.texts import DeskError
from bot.desk.views import Names, bot_message_json, handoff_state, iso, message_json, queue_item, value_of
from bot.handoff import store
from bot.handoff.store import CsatRecord, HandoffRecord
from bot.handoff.desk_texts import load_desk_texts
from bot.handoff.live import (
    CSAT_EVENT,
    HANDOFF_EVENT,
    MESSAGE_EVENT,
    QUEUE_EVENT,
    apublish_queue_change,
    apublish_to_conversation,
    apublish_to_handoff,
    handoff_channel_pattern,
    handoff_id_of_channel,
    queue_channel,
)
from bot.handoff.routing import TargetKind
from bot.handoff.webhook import HANDOFF_ENDED, enqueue_if_configured, webhook_payload
from bot.identity import Principal, Role
from bot.profile.queries import StoreFacts

__all__ = ["router", "HANDBACK_INTENT", "CLOSED_INTENT"]

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api/desk")

HANDBACK_INTENT = "EXTERNAL_handback"
CLOSED_INTENT = "EXTERNAL_handoff_closed"
_HANDOFF_ID = re.compile(r"HO-[0-9A-F]{12}")
_CLIENT_ID = re.compile(r"[A-Za-z0-9]{1,8}")
MAX_PRODUCT = 64
CSAT_LIMIT = 20


def _reason_labels() -> Mapping[str, str]:
    return load_desk_texts().reason_labels


def _today(now: datetime) -> date:
    return now.astimezone(BANK_TIME).date()


# ---------------------------------------------------------------- handoffs the caller may see
def _visible(session: Session, principal: Principal, handoff_id: str, now: datetime) -> HandoffRecord:
    """The handoff, when the caller may see it; 404 otherwise (unknown and hidden read the same)."""
    if not _HANDOFF_ID.fullmatch(handoff_id):
        raise DeskError(404, "handoff_not_found")
    record = store.handoff_by_id(session, handoff_id)
    if record is None or not store.may_see(principal, record, StoreFacts(session), now):
        raise DeskError(404, "handoff_not_found")
    return record


def _item(session: Session, record: HandoffRecord, now: datetime, services: DeskServices) -> Dict[str, Any]:
    return queue_item(record, now, Names(session, services.agents), _reason_labels())


def _queue(session: Session, principal: Principal, now: datetime, services: DeskServices) -> Dict[str, Any]:
    names = Names(session, services.agents)
    labels = _reason_labels()
    return {"handoffs": [queue_item(record, now, names, labels)
                         for record in store.visible_queue(session, principal, now)]}


def _csat_json(rating: CsatRecord) -> Dict[str, Any]:
    return {"score": rating.score, "comment": rating.comment}


def _details(session: Session, principal: Principal, handoff_id: str, now: datetime,
             services: DeskServices) -> Dict[str, Any]:
    record = _visible(session, principal, handoff_id, now)
    rating = store.csat_of_handoff(session, record.id)
    return {
        "handoff": _item(session, record, now, services),
        "package": record.package.to_json(),
        "messages": [message_json(message) for message in store.messages_of(session, record.id)],
        "csat": _csat_json(rating) if rating is not None else None,
    }


def _taken_meanwhile(session: Session, principal: Principal, handoff_id: str) -> bool:
    """An agent who lost a race for a contact-center request no longer sees it (it is the winner's):
    they are told it was taken, not that it does not exist."""
    current = store.handoff_by_id(session, handoff_id)
    return (principal.role is Role.AGENT and current is not None and current.taken_by is not None
            and current.target_kind == TargetKind.CONTACT_CENTER.value)


def _take(session: Session, principal: Principal, handoff_id: str, now: datetime,
          services: DeskServices) -> Tuple[Dict[str, Any], Dict[str, Any], str]:
    try:
        _visible(session, principal, handoff_id, now)
        record = store.take(session, handoff_id, principal, now)
    except (DeskError, store.HandoffForbidden):
        if _taken_meanwhile(session, principal, handoff_id):
            raise DeskError(409, "taken_by_other") from None
        raise DeskError(404, "handoff_not_found") from None
    except store.HandoffConflict:
        current = store.handoff_by_id(session, handoff_id)
        raise DeskError(409, "taken_by_other" if current is not None and current.open else "handoff_ended") from None
    names = Names(session, services.agents)
    return (queue_item(record, now, names, _reason_labels()), handoff_state(record, names),
            record.conversation_id)


def _reply(session: Session, principal: Principal, handoff_id: str, text: str, now: datetime,
           services: DeskServices) -> Tuple[Dict[str, Any], str, Optional[str]]:
    record = _visible(session, principal, handoff_id, now)
    name = Names(session, services.agents).of(principal.role, principal.subject_id)
    try:
        stored = store.reply(session, record.id, principal, text, now, sender_name=name)
    except store.HandoffConflict:
        raise DeskError(409, "handoff_ended") from None
    except store.HandoffForbidden:
        raise DeskError(403, "not_holder") from None
    return message_json(stored), record.conversation_id, name


# ---------------------------------------------------------------- hand back and close
def _endable(session: Session, principal: Principal, handoff_id: str, status: "store.HandoffStatus",
             now: datetime) -> Tuple[str, bool]:
    """(conversation, already ended): whether ``principal`` may end the handoff ``status``. Only the
    holder ends an open one; the same call again by whoever ended it is a retry (Rasa is resumed
    again, nothing else changes)."""
    record = _visible(session, principal, handoff_id, now)
    if record.open:
        if not record.held_by(principal):
            raise DeskError(403, "not_holder")
        return record.conversation_id, False
    again = (value_of(record.status) == status.value and record.ended_by == principal.subject_id
             and store.open_handoff_of(session, record.conversation_id) is None)
    if not again:
        raise DeskError(409, "handoff_ended")
    return record.conversation_id, True


def _end(session: Session, principal: Principal, handoff_id: str, status: "store.HandoffStatus", now: datetime,
         services: DeskServices, already_ended: bool) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """Ends the handoff in SQL (with the webhook's event): (queue item, state)."""
    if already_ended:
        record = _visible(session, principal, handoff_id, now)
    else:
        try:
            record = store.end(session, handoff_id, principal, status, now)
            enqueue_if_configured(session, services.settings.webhook, HANDOFF_ENDED, record.id,
                                  webhook_payload(record), now)
        except store.HandoffForbidden:
            raise DeskError(403, "not_holder") from None
        except store.HandoffConflict:
            raise DeskError(409, "handoff_ended") from None
    names = Names(session, services.agents)
    return queue_item(record, now, names, _reason_labels()), handoff_state(record, names)


def _store_bot_messages(session: Session, handoff_id: str, answers: Sequence[BotMessage],
                        now: datetime) -> List[Dict[str, Any]]:
    return [message_json(store.add_message(session, handoff_id, "bot", answer.text, now,
                                           buttons=[(button.title, button.payload) for button in answer.buttons]))
            for answer in answers if answer.text]


async def _hand_over(handoff_id: str, who: Caller, services: DeskServices, status: "store.HandoffStatus",
                     intent: str) -> Dict[str, Any]:
    """Rasa resumed first, then the handoff ended in SQL, then the bot told to say so.

    In this order no failure leaves the client unheard: Rasa down at the resume answers 503 and
    the person still holds the conversation (the client's messages still reach them); the bot
    resumed but the SQL end not done leaves the desk server gating the client's messages to the
    person; a failed trigger only means the bot says nothing until the client writes."""
    conversation_id, already_ended = await in_session(services, _endable, who.principal, handoff_id, status,
                                                      services.clock())
    try:
        await services.rasa.append_events(conversation_id, [RESUME, LISTEN])
    except RasaFailure:
        logger.warning("handoff %s: Rasa did not resume; the person still holds it", handoff_id)
        raise DeskError(503, "handback_pending", {"Retry-After": "3"}) from None
    item, state = await in_session(services, _end, who.principal, handoff_id, status, services.clock(), services,
                                   already_ended)
    if not already_ended:
        await apublish_queue_change(services.redis, handoff_id, status.value, namespace=services.namespace)
        await apublish_to_conversation(services.redis, conversation_id, state, event=HANDOFF_EVENT,
                                       namespace=services.namespace)
    try:
        answers = await services.rasa.trigger_intent(conversation_id, intent)
    except RasaFailure:
        logger.warning("handoff %s %s; the bot resumed but did not say so", handoff_id, status.value)
        answers = []
    bot_messages = await in_session(services, _store_bot_messages, handoff_id, answers, services.clock())
    for message in bot_messages:
        await apublish_to_conversation(services.redis, conversation_id, message, namespace=services.namespace)
        await apublish_to_handoff(services.redis, handoff_id, message, namespace=services.namespace)
    logger.info("handoff %s %s; the bot resumed with %d messages", handoff_id, status.value, len(bot_messages))
    return {"handoff": item, "bot_messages": bot_messages}


# ---------------------------------------------------------------- the client beside the handoff
def _client_id(client_id: str) -> str:
    if not _CLIENT_ID.fullmatch(client_id):
        raise DeskError(403, "client_forbidden")
    return client_id


def _may_read(session: Session, principal: Principal, client_id: str, now: datetime) -> None:
    if not store.may_read_client(principal, client_id, session, now):
        raise DeskError(403, "client_forbidden")


async def _cases_of(services: DeskServices, client_id: str) -> Optional[List[Case]]:
    """The client's cases; None when the case service is not configured or cannot be reached."""
    if services.cases is None:
        return None
    try:
        return await services.cases.cases_of(client_id)
    except CaseServiceFailure as error:
        logger.warning("case service unavailable for the copilot (%s)", type(error).__name__)
        return None


def _overview(session: Session, principal: Principal, client_id: str, cases: Optional[List[Case]],
              now: datetime) -> Dict[str, Any]:
    _may_read(session, principal, client_id, now)
    overview = client_overview(session, client_id, cases, _today(now))
    if overview is None:  # may_read_client allowed a client that is gone: read as refused
        raise DeskError(403, "client_forbidden")
    return overview.to_json()


def _suggestion_subject(session: Session, principal: Principal, handoff_id: str, now: datetime) -> Optional[str]:
    """The client whose data may fill the replies: the handoff's, when the caller may read them."""
    record = _visible(session, principal, handoff_id, now)
    if record.client_id and store.may_read_client(principal, record.client_id, session, now):
        return record.client_id
    return None


def _suggestions(session: Session, principal: Principal, handoff_id: str, client_id: Optional[str],
                 cases: Optional[List[Case]], now: datetime, services: DeskServices) -> Dict[str, Any]:
    record = _visible(session, principal, handoff_id, now)
    overview = client_overview(session, client_id, cases, _today(now)) if client_id else None
    name = Names(session, services.agents).of(principal.role, principal.subject_id)
    replies = suggested_replies(record, overview, advisor_name=name)
    return {"replies": [{"title": reply.title, "text": reply.text} for reply in replies]}


def _suitability(session: Session, principal: Principal, client_id: str, product: str,
                 now: datetime) -> Dict[str, Any]:
    _may_read(session, principal, client_id, now)
    verdict = suitability_check(session, client_id, product, _today(now))
    if verdict is None:
        raise DeskError(404, "product_not_found")
    return verdict.to_json()


def _case_lines(cases: Optional[List[Case]], now: datetime) -> Dict[str, Any]:
    texts = load_desk_reply_texts()
    lines = []
    for case in cases or ():
        overdue = case.is_open and case.days_left(now) < 0
        lines.append({"case_id": case.case_id, "category": case.category,
                      "category_label": texts.case_categories.get(case.category, case.category),
                      "status": case.status, "status_label": texts.case_statuses.get(case.status, case.status),
                      "is_open": case.is_open, "due_on": case.due_at.astimezone(BANK_TIME).date().isoformat(),
                      "days_left": case.days_left(now), "overdue": overdue})
    lines.sort(key=lambda line: (not line["overdue"], not line["is_open"], line["due_on"]))
    return {"cases": lines, "available": cases is not None}


def _csat(session: Session, principal: Principal, now: datetime) -> Dict[str, Any]:
    return {"ratings": [{"handoff_id": rating.handoff_id, "client_id": rating.client_id,
                         "client_name": rating.client_name, "score": rating.score, "comment": rating.comment,
                         "created_at": iso(rating.created_at)}
                        for rating in store.recent_csat_for(session, principal, limit=CSAT_LIMIT, now=now)]}


# ---------------------------------------------------------------- routes
@router.get("/queue")
async def queue(who: Caller = Depends(desk_caller), services: DeskServices = Depends(services_of)) -> Dict[str, Any]:
    return await in_session(services, _queue, who.principal, services.clock(), services)


@router.get("/handoffs/{handoff_id}")
async def handoff(handoff_id: str, who: Caller = Depends(desk_caller),
                  services: DeskServices = Depends(services_of)) -> Dict[str, Any]:
    return await in_session(services, _details, who.principal, handoff_id, services.clock(), services)


@router.post("/handoffs/{handoff_id}/take")
async def take(handoff_id: str, who: Caller = Depends(desk_caller),
               services: DeskServices = Depends(services_of)) -> Dict[str, Any]:
    item, state, conversation_id = await in_session(services, _take, who.principal, handoff_id, services.clock(),
                                                    services)
    await apublish_queue_change(services.redis, handoff_id, item["status"], namespace=services.namespace)
    await apublish_to_conversation(services.redis, conversation_id, state, event=HANDOFF_EVENT,
                                   namespace=services.namespace)
    return {"handoff": item}


@router.post("/handoffs/{handoff_id}/reply")
async def reply(handoff_id: str, request: Request, who: Caller = Depends(desk_caller),
                services: DeskServices = Depends(services_of)) -> Dict[str, Any]:
    text = message_text(await json_object(request))
    now = services.clock()
    message, conversation_id, name = await in_session(services, _reply, who.principal, handoff_id, text, now,
                                                      services)
    await apublish_to_conversation(services.redis, conversation_id, message, namespace=services.namespace)
    await apublish_to_handoff(services.redis, handoff_id, message, namespace=services.namespace)
    await append_best_effort(services, conversation_id,
                             [agent_event(message["text"], who.principal.subject_id, name, now)], "person's reply")
    return {"message": message}


@router.post("/handoffs/{handoff_id}/hand-back")
async def hand_back(handoff_id: str, who: Caller = Depends(desk_caller),
                    services: DeskServices = Depends(services_of)) -> Dict[str, Any]:
    return await _hand_over(handoff_id, who, services, store.HandoffStatus.HANDED_BACK, HANDBACK_INTENT)


@router.post("/handoffs/{handoff_id}/close")
async def close(handoff_id: str, who: Caller = Depends(desk_caller),
                services: DeskServices = Depends(services_of)) -> Dict[str, Any]:
    return await _hand_over(handoff_id, who, services, store.HandoffStatus.CLOSED, CLOSED_INTENT)


@router.get("/handoffs/{handoff_id}/suggestions")
async def suggestions(handoff_id: str, who: Caller = Depends(desk_caller),
                      services: DeskServices = Depends(services_of)) -> Dict[str, Any]:
    client_id = await in_session(services, _suggestion_subject, who.principal, handoff_id, services.clock())
    cases = await _cases_of(services, client_id) if client_id else None
    return await in_session(services, _suggestions, who.principal, handoff_id, client_id, cases, services.clock(),
                            services)


@router.get("/clients/{client_id}/overview")
async def overview(client_id: str, who: Caller = Depends(desk_caller),
                   services: DeskServices = Depends(services_of)) -> Dict[str, Any]:
    client_id = _client_id(client_id)
    await in_session(services, _may_read, who.principal, client_id, services.clock())
    cases = await _cases_of(services, client_id)
    return await in_session(services, _overview, who.principal, client_id, cases, services.clock())


@router.post("/clients/{client_id}/suitability")
async def suitability(client_id: str, request: Request, who: Caller = Depends(desk_caller),
                      services: DeskServices = Depends(services_of)) -> Dict[str, Any]:
    client_id = _client_id(client_id)
    product = short_text(await json_object(request), "product", MAX_PRODUCT, "product_not_found")
    return await in_session(services, _suitability, who.principal, client_id, product, services.clock())


@router.get("/clients/{client_id}/cases")
async def cases(client_id: str, who: Caller = Depends(desk_caller),
                services: DeskServices = Depends(services_of)) -> Dict[str, Any]:
    client_id = _client_id(client_id)
    await in_session(services, _may_read, who.principal, client_id, services.clock())
    return _case_lines(await _cases_of(services, client_id), services.clock())


@router.get("/csat")
async def csat(who: Caller = Depends(desk_caller), services: DeskServices = Depends(services_of)) -> Dict[str, Any]:
    return await in_session(services, _csat, who.principal, services.clock())


@router.post("/assistant")
async def assistant(request: Request, who: Caller = Depends(desk_caller),
                    services: DeskServices = Depends(services_of)) -> Dict[str, Any]:
    body = await json_object(request)
    text = message_text(body)
    payload = button_payload(body)  # "which 王?" buttons name the client; the action checks access again
    try:
        answers = await services.rasa.send_message(who.token, payload or text, sender="desk")
    except RasaFailure:
        raise DeskError(503, "assistant_unavailable", {"Retry-After": "3"}) from None
    at = services.clock()
    return {"messages": [bot_message_json(answer, at) for answer in answers]}


# ---------------------------------------------------------------- the live stream
def _initially_visible(session: Session, principal: Principal, now: datetime) -> set:
    return {record.id for record in store.visible_queue(session, principal, now)}


def _queue_event(session: Session, principal: Principal, handoff_id: str, now: datetime,
                 services: DeskServices) -> Optional[Dict[str, Any]]:
    record = store.handoff_by_id(session, handoff_id) if _HANDOFF_ID.fullmatch(handoff_id) else None
    if record is None or not store.may_see(principal, record, StoreFacts(session), now):
        return None
    return _item(session, record, now, services)


def _may_see_id(session: Session, principal: Principal, handoff_id: str, now: datetime) -> bool:
    record = store.handoff_by_id(session, handoff_id) if _HANDOFF_ID.fullmatch(handoff_id) else None
    return record is not None and store.may_see(principal, record, StoreFacts(session), now)


@router.get("/stream")
async def stream(request: Request, who: Caller = Depends(desk_caller),
                 services: DeskServices = Depends(services_of)) -> StreamingResponse:
    principal = who.principal
    namespace = services.namespace
    shown = await in_session(services, _initially_visible, principal, services.clock())
    pubsub = await open_subscription(services.redis, [queue_channel(namespace)], [handoff_channel_pattern(namespace)])

    async def accept(channel: str, event: str, data: Dict[str, Any]) -> Optional[Tuple[str, Dict[str, Any]]]:
        if event == QUEUE_EVENT and isinstance(data.get("id"), str):
            handoff_id = data["id"]
            item = await in_session(services, _queue_event, principal, handoff_id, services.clock(), services)
            if item is not None:
                shown.add(handoff_id)
                return QUEUE_EVENT, item
            if handoff_id in shown:  # it left this desk's view (taken by another agent, ended)
                shown.discard(handoff_id)
                return QUEUE_EVENT, {"id": handoff_id, "status": str(data.get("status", ""))}
            return None
        if event in (MESSAGE_EVENT, CSAT_EVENT):
            handoff_id = handoff_id_of_channel(channel, namespace)
            if handoff_id and await in_session(services, _may_see_id, principal, handoff_id, services.clock()):
                return event, data
        return None

    return sse_response(request, pubsub, until=principal.expires_at, clock=services.clock, accept=accept)
