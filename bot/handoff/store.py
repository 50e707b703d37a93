"""Handoffs in the profile store: the queue, who holds a conversation, its messages, CSAT ratings.

Transactions belong to the caller: every function takes a :class:`Session`,
writes with ``flush`` and never commits (like ``bot.cases.outbox`` callers
and ``bot.appointments.store`` reads); the caller commits one business
operation. Times going in must be timezone-aware; times coming out are aware, UTC.

Who may do what:

- :func:`may_see` — an advisor sees handoffs routed to them (``target_id``), those
  whose client's RM they are notified as (``notify_rm_id``), those of clients
  ``bot.access`` lets them read, and those they hold; a contact-center agent sees
  the contact-center queue, every WAITING handoff past its reply time (overflow),
  and those they hold; clients (and expired principals) see none.
- :func:`take` — whoever may see a WAITING handoff; race-safe: a conditional
  ``UPDATE … WHERE status = 'waiting'`` whose row count tells the one winner.
- :func:`reply` and :func:`end` (hand back or close) — only the holder.
- :func:`may_read_client` — ``bot.access.decide``, with a
  :class:`~bot.access.HandoffAssignment` for an agent holding an open handoff of
  the client; an advisor holding one may read that client too (a backup RM
  keeps the client when the RM comes back on duty mid-conversation).

Errors::

    HandoffError
     ├── HandoffForbidden     may not see it / may not do this (not the holder)
     │    └── HandoffNotFound  no such handoff (answer both alike: no enumeration)
     └── HandoffConflict      taken by someone else, or already ended
"""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.access import HandoffAssignment, ProfileFacts, decide
from bot.handoff.package import ContextPackage
from bot.handoff.routing import Route, TargetKind
from bot.identity import Principal, Role
from bot.masking import mask_text
from bot.profile.models import OPEN_HANDOFF_STATUSES, CsatRating, Handoff, HandoffMessage
from bot.profile.queries import StoreFacts

__all__ = [
    "ID_PREFIX",
    "MAX_MESSAGE_CHARS",
    "MAX_COMMENT_CHARS",
    "CSAT_LINK_WINDOW",
    "HandoffStatus",
    "MessageSender",
    "HandoffRecord",
    "MessageRecord",
    "CsatRecord",
    "HandoffError",
    "HandoffForbidden",
    "HandoffNotFound",
    "HandoffConflict",
    "new_handoff_id",
    "open_handoff",
    "open_handoff_of",
    "latest_handoff_of",
    "handoff_by_id",
    "take",
    "add_message",
    "reply",
    "messages_of",
    "end",
    "may_see",
    "visible_queue",
    "may_read_client",
    "parse_score",
    "record_csat",
    "set_csat_comment",
    "csat_of_handoff",
    "recent_csat_for",
]

ID_PREFIX = "HO-"
MAX_MESSAGE_CHARS = 2000
MAX_COMMENT_CHARS = 500
CSAT_LINK_WINDOW = timedelta(hours=24)  # a rating rates a handoff open or ended this recently
_CSAT_SCAN = 1000  # recent_csat_for looks at most at this many newest ratings


class HandoffStatus(str, Enum):
    WAITING = "waiting"
    TAKEN = "taken"
    HANDED_BACK = "handed_back"
    CLOSED = "closed"


OPEN_STATUSES = OPEN_HANDOFF_STATUSES  # waiting, taken: the partial unique index's
ENDINGS = (HandoffStatus.HANDED_BACK, HandoffStatus.CLOSED)


class MessageSender(str, Enum):
    CLIENT = "client"
    AGENT = "agent"  # the advisor or contact-center agent holding it
    BOT = "bot"
    SYSTEM = "system"


class HandoffError(Exception):
    """The root of this module's errors."""


class HandoffForbidden(HandoffError):
    """The principal may not see this handoff, or may not do this to it."""


class HandoffNotFound(HandoffForbidden):
    """No handoff has this id."""


class HandoffConflict(HandoffError):
    """Someone else holds it, or it has already ended."""


@dataclass(frozen=True)
class HandoffRecord:
    id: str
    conversation_id: str
    client_id: Optional[str]
    channel: str
    reason: str
    urgent: bool
    target_kind: str
    target_id: str
    target_name: str
    notify_rm_id: Optional[str]
    status: HandoffStatus
    created_at: datetime
    reply_expected_by: datetime
    taken_by: Optional[str]
    taken_by_role: Optional[str]
    taken_at: Optional[datetime]
    ended_at: Optional[datetime]
    ended_by: Optional[str]
    package: ContextPackage

    @property
    def open(self) -> bool:
        """Waiting or taken: the bot stays silent."""
        return self.status.value in OPEN_STATUSES

    def time_left(self, now: datetime) -> timedelta:
        """Until the first reply is due; negative once overdue."""
        return self.reply_expected_by - now

    def held_by(self, principal: Principal) -> bool:
        return (self.status is HandoffStatus.TAKEN and self.taken_by == principal.subject_id
                and self.taken_by_role == principal.role.value)


@dataclass(frozen=True)
class MessageRecord:
    id: int
    handoff_id: str
    at: datetime
    sender: str  # MessageSender value
    sender_id: Optional[str]
    sender_name: Optional[str]
    text: str  # masked
    buttons: Tuple[Tuple[str, str], ...] = ()  # (title, payload) of a bot line's buttons


@dataclass(frozen=True)
class CsatRecord:
    id: int
    conversation_id: str
    client_id: Optional[str]
    handoff_id: Optional[str]
    score: int  # 1–5
    comment: Optional[str]  # masked
    created_at: datetime
    client_name: Optional[str] = None  # from the rated handoff's package, when read with it


# --------------------------------------------------------------------- reading rows
def _record(row: Handoff) -> HandoffRecord:
    return HandoffRecord(
        id=row.id, conversation_id=row.conversation_id, client_id=row.client_id, channel=row.channel,
        reason=row.reason, urgent=row.urgent, target_kind=row.target_kind, target_id=row.target_id,
        target_name=row.target_name, notify_rm_id=row.notify_rm_id, status=HandoffStatus(row.status),
        created_at=row.created_at, reply_expected_by=row.reply_expected_by, taken_by=row.taken_by,
        taken_by_role=row.taken_by_role, taken_at=row.taken_at, ended_at=row.ended_at, ended_by=row.ended_by,
        package=ContextPackage.from_json(json.loads(row.package)),
    )


def _message(row: HandoffMessage) -> MessageRecord:
    buttons = tuple((str(button["title"]), str(button["payload"])) for button in json.loads(row.buttons or "[]"))
    return MessageRecord(row.id, row.handoff_id, row.at, row.sender, row.sender_id, row.sender_name, row.text,
                         buttons)


def _csat(row: CsatRating, client_name: Optional[str] = None) -> CsatRecord:
    return CsatRecord(row.id, row.conversation_id, row.client_id, row.handoff_id, row.score, row.comment,
                      row.created_at, client_name)


def _aware(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    return now


def handoff_by_id(session: Session, handoff_id: str) -> Optional[HandoffRecord]:
    """The handoff, whatever its status; None for an unknown id. Decides nothing about who asks."""
    row = session.get(Handoff, handoff_id, populate_existing=True)
    return _record(row) if row is not None else None


def _existing(session: Session, handoff_id: str) -> HandoffRecord:
    record = handoff_by_id(session, handoff_id)
    if record is None:
        raise HandoffNotFound(handoff_id)
    return record


def open_handoff_of(session: Session, conversation_id: str) -> Optional[HandoffRecord]:
    """The conversation's open (waiting or taken) handoff, if any: at most one (a unique index)."""
    row = session.scalars(select(Handoff).where(Handoff.conversation_id == conversation_id,
                                                Handoff.status.in_(OPEN_STATUSES))
                          .execution_options(populate_existing=True)).first()
    return _record(row) if row is not None else None


def latest_handoff_of(session: Session, conversation_id: str) -> Optional[HandoffRecord]:
    """The conversation's newest handoff, open or ended."""
    row = session.scalars(select(Handoff).where(Handoff.conversation_id == conversation_id)
                          .order_by(Handoff.created_at.desc(), Handoff.id.desc())
                          .execution_options(populate_existing=True)).first()
    return _record(row) if row is not None else None


# --------------------------------------------------------------------------- opening
def new_handoff_id() -> str:
    """HO- and 12 random upper-case hex digits (48 bits): not guessable from another id."""
    return ID_PREFIX + secrets.token_hex(6).upper()


def _lock_open_handoffs(session: Session, conversation_id: str) -> None:
    """On SQLite, take the database's write lock before looking for an open handoff, so two
    openings of one conversation run one after the other (SQLite has no row locks; the second
    waits for the driver's busy timeout). PostgreSQL relies on the unique index instead."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(update(Handoff).where(Handoff.conversation_id == conversation_id)
                        .values(status=Handoff.status).execution_options(synchronize_session=False))


def open_handoff(session: Session, package: ContextPackage, route: Route, now: datetime) -> HandoffRecord:
    """Queues a handoff of ``package.conversation_id`` routed by ``route`` (flushes; the caller
    commits). Idempotent: when the conversation already has an open handoff, that one is returned
    unchanged, also when another process opened it at the same moment."""
    _aware(now)
    _lock_open_handoffs(session, package.conversation_id)
    existing = open_handoff_of(session, package.conversation_id)
    if existing is not None:
        return existing
    row = Handoff(
        id=new_handoff_id(), conversation_id=package.conversation_id,
        client_id=package.client.client_id if package.client else None, channel=package.channel,
        reason=route.reason.value, urgent=route.reason.urgent, target_kind=route.target_kind.value,
        target_id=route.target_id, target_name=route.target_name, notify_rm_id=route.notify_rm_id,
        status=HandoffStatus.WAITING.value, created_at=now, reply_expected_by=route.reply_expected_by,
        package=package.to_text(),
    )
    try:
        with session.begin_nested():  # a savepoint: losing the race leaves the caller's transaction usable
            session.add(row)
    except IntegrityError:
        opened = open_handoff_of(session, package.conversation_id)
        if opened is None:
            raise
        return opened
    return _record(row)


# ---------------------------------------------------------------------- who sees what
def may_see(principal: Optional[Principal], record: HandoffRecord, facts: ProfileFacts, now: datetime) -> bool:
    """Whether ``principal`` may see ``record`` at ``now`` (see the module docstring)."""
    if principal is None or principal.is_expired(now):
        return False
    if record.taken_by is not None and record.taken_by == principal.subject_id \
            and record.taken_by_role == principal.role.value:
        return True
    if principal.role is Role.ADVISOR:
        me = principal.subject_id
        if record.target_kind != TargetKind.CONTACT_CENTER.value and record.target_id == me:
            return True
        if record.notify_rm_id == me:
            return True
        return record.client_id is not None and decide(principal, record.client_id, facts, now=now).allowed
    if principal.role is Role.AGENT:  # the queue they work; once taken, only its holder (above)
        return record.status is HandoffStatus.WAITING and (
            record.target_kind == TargetKind.CONTACT_CENTER.value or record.reply_expected_by < now)
    return False


def visible_queue(session: Session, principal: Optional[Principal], now: datetime) -> Tuple[HandoffRecord, ...]:
    """The open handoffs ``principal`` may see: urgent first, then by reply due time.

    Reads every open handoff and filters with :func:`may_see` (the queue is short; the
    rules need ``bot.access``)."""
    _aware(now)
    if principal is None or principal.role is Role.CLIENT or principal.is_expired(now):
        return ()
    rows = session.scalars(select(Handoff).where(Handoff.status.in_(OPEN_STATUSES))
                           .order_by(Handoff.urgent.desc(), Handoff.reply_expected_by, Handoff.created_at)
                           .execution_options(populate_existing=True))
    facts = StoreFacts(session)
    return tuple(record for record in (_record(row) for row in rows) if may_see(principal, record, facts, now))


def may_read_client(principal: Optional[Principal], client_id: str, session: Session, now: datetime) -> bool:
    """``bot.access.decide`` for ``client_id``, with the handoff assignment of an agent (or advisor)
    holding an open handoff of that client."""
    _aware(now)
    held = None
    if principal is not None and principal.role in (Role.AGENT, Role.ADVISOR) and client_id:
        held = session.scalars(select(Handoff.id).where(
            Handoff.client_id == client_id, Handoff.status == HandoffStatus.TAKEN.value,
            Handoff.taken_by == principal.subject_id, Handoff.taken_by_role == principal.role.value)).first()
    if held is not None and principal is not None and not principal.is_expired(now):
        if principal.role is Role.ADVISOR:
            return True
        return decide(principal, client_id, StoreFacts(session), now=now,
                      handoff=HandoffAssignment(client_id, principal.subject_id)).allowed
    return decide(principal, client_id, StoreFacts(session), now=now).allowed


# ------------------------------------------------------------------- taking and ending
def take(session: Session, handoff_id: str, principal: Principal, now: datetime) -> HandoffRecord:
    """``principal`` takes the WAITING handoff (flushes; the caller commits). Taking it again by
    its holder changes nothing. Raises :class:`HandoffNotFound`, :class:`HandoffForbidden` (may not
    see it) or :class:`HandoffConflict` (someone else holds it, or it has ended)."""
    _aware(now)
    record = _existing(session, handoff_id)
    if not may_see(principal, record, StoreFacts(session), now):
        raise HandoffForbidden(handoff_id)
    if record.held_by(principal):
        return record
    taken = session.execute(
        update(Handoff)
        .where(Handoff.id == handoff_id, Handoff.status == HandoffStatus.WAITING.value)
        .values(status=HandoffStatus.TAKEN.value, taken_by=principal.subject_id,
                taken_by_role=principal.role.value, taken_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    current = _existing(session, handoff_id)
    if taken == 1 or current.held_by(principal):
        return current
    raise HandoffConflict(handoff_id)


def end(session: Session, handoff_id: str, principal: Principal, status: Union[HandoffStatus, str],
        now: datetime) -> HandoffRecord:
    """The holder hands the conversation back to the bot or closes it (flushes; the caller commits).
    :class:`HandoffForbidden` for anyone but the holder, :class:`HandoffConflict` once it has ended."""
    _aware(now)
    ending = HandoffStatus(status)
    if ending not in ENDINGS:
        raise ValueError("a handoff ends handed back or closed")
    record = _existing(session, handoff_id)
    if not record.open:
        raise HandoffConflict(handoff_id)
    if not record.held_by(principal):
        raise HandoffForbidden(handoff_id)
    ended = session.execute(
        update(Handoff)
        .where(Handoff.id == handoff_id, Handoff.status == HandoffStatus.TAKEN.value,
               Handoff.taken_by == principal.subject_id, Handoff.taken_by_role == principal.role.value)
        .values(status=ending.value, ended_at=now, ended_by=principal.subject_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if ended != 1:
        raise HandoffConflict(handoff_id)
    return _existing(session, handoff_id)


# ----------------------------------------------------------------------------- messages
def add_message(session: Session, handoff_id: str, sender: Union[MessageSender, str], text: str, now: datetime,
                sender_id: Optional[str] = None, sender_name: Optional[str] = None,
                buttons: Sequence[Tuple[str, str]] = ()) -> MessageRecord:
    """Stores a line of the conversation, masked and cut to :data:`MAX_MESSAGE_CHARS` (flushes).
    Also after the handoff ended (the bot's hand-back message). ValueError for empty text or an
    unknown sender; :class:`HandoffNotFound` for an unknown handoff."""
    _aware(now)
    who = MessageSender(sender)
    if not isinstance(text, str) or not text.strip():
        raise ValueError("a message needs text")
    if session.get(Handoff, handoff_id) is None:
        raise HandoffNotFound(handoff_id)
    row = HandoffMessage(handoff_id=handoff_id, at=now, sender=who.value, sender_id=sender_id,
                         sender_name=mask_text(sender_name)[:32] if sender_name else None,
                         text=mask_text(text.strip())[:MAX_MESSAGE_CHARS],
                         buttons=json.dumps([{"title": title, "payload": payload} for title, payload in buttons],
                                            ensure_ascii=False) if buttons else None)
    session.add(row)
    session.flush()
    return _message(row)


def reply(session: Session, handoff_id: str, principal: Principal, text: str, now: datetime,
          sender_name: Optional[str] = None) -> MessageRecord:
    """The holder's reply to the client, stored as an ``agent`` message (flushes). Only the holder:
    :class:`HandoffForbidden` for anyone else, :class:`HandoffConflict` once it has ended."""
    record = _existing(session, handoff_id)
    if not record.open:
        raise HandoffConflict(handoff_id)
    if not record.held_by(principal):
        raise HandoffForbidden(handoff_id)
    return add_message(session, handoff_id, MessageSender.AGENT, text, now, sender_id=principal.subject_id,
                       sender_name=sender_name)


def messages_of(session: Session, handoff_id: str) -> Tuple[MessageRecord, ...]:
    """The handoff's messages, oldest first."""
    rows = session.scalars(select(HandoffMessage).where(HandoffMessage.handoff_id == handoff_id)
                           .order_by(HandoffMessage.at, HandoffMessage.id))
    return tuple(_message(row) for row in rows)


# --------------------------------------------------------------------------------- CSAT
def parse_score(score: Any) -> int:
    """A rating 1–5 from an int or its digits ("5", as a button's payload carries it); ValueError else."""
    if isinstance(score, bool):
        raise ValueError("a rating is a whole number from 1 to 5")
    if isinstance(score, str) and score.strip().isdigit():
        score = int(score.strip())
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise ValueError("a rating is a whole number from 1 to 5")
    return score


def _client_name(session: Session, handoff_id: Optional[str]) -> Optional[str]:
    if handoff_id is None:
        return None
    record = handoff_by_id(session, handoff_id)
    return record.package.client.name if record is not None and record.package.client else None


def record_csat(session: Session, conversation_id: str, client_id: Optional[str], score: Any,
                now: datetime, since: Optional[datetime] = None) -> CsatRecord:
    """Stores a rating (flushes), linked to the conversation's latest handoff that is open or ended
    within :data:`CSAT_LINK_WINDOW`, and opened at or after ``since`` (the start of the conversation
    session being rated: a later bot-only session's rating is not the person's). ValueError for a
    score that is not 1–5."""
    _aware(now)
    value = parse_score(score)
    conditions = [Handoff.conversation_id == conversation_id,
                  or_(Handoff.status.in_(OPEN_STATUSES),
                      and_(Handoff.ended_at.isnot(None), Handoff.ended_at >= now - CSAT_LINK_WINDOW))]
    if since is not None:
        conditions.append(Handoff.created_at >= _aware(since))
    latest = session.scalars(
        select(Handoff.id).where(*conditions).order_by(Handoff.created_at.desc(), Handoff.id.desc())
    ).first()
    row = CsatRating(conversation_id=conversation_id, client_id=client_id, handoff_id=latest, score=value,
                     created_at=now)
    session.add(row)
    session.flush()
    return _csat(row, _client_name(session, latest))


def set_csat_comment(session: Session, csat_id: int, comment: Optional[str]) -> Optional[CsatRecord]:
    """The rating's optional comment, masked and cut to :data:`MAX_COMMENT_CHARS`; blank clears it
    (flushes). None when there is no such rating."""
    row = session.get(CsatRating, int(csat_id))
    if row is None:
        return None
    text = (comment or "").strip()
    row.comment = mask_text(text)[:MAX_COMMENT_CHARS] if text else None
    session.flush()
    return _csat(row, _client_name(session, row.handoff_id))


def csat_of_handoff(session: Session, handoff_id: str) -> Optional[CsatRecord]:
    """The newest rating of the handoff, if the client gave one."""
    row = session.scalars(select(CsatRating).where(CsatRating.handoff_id == handoff_id)
                          .order_by(CsatRating.created_at.desc(), CsatRating.id.desc())).first()
    return _csat(row, _client_name(session, handoff_id)) if row is not None else None


def recent_csat_for(session: Session, principal: Optional[Principal], limit: int = 20,
                    now: Optional[datetime] = None) -> Tuple[CsatRecord, ...]:
    """The newest ratings of handoffs ``principal`` may see (:func:`may_see`), newest first."""
    now = _aware(now) if now is not None else datetime.now(timezone.utc)
    if principal is None or principal.role is Role.CLIENT or limit < 1:
        return ()
    facts = StoreFacts(session)
    found: List[CsatRecord] = []
    seen: Dict[str, Optional[HandoffRecord]] = {}  # handoff id → the record when visible
    statement = (select(CsatRating).where(CsatRating.handoff_id.isnot(None))
                 .order_by(CsatRating.created_at.desc(), CsatRating.id.desc()).limit(_CSAT_SCAN))
    for row in session.scalars(statement):
        if row.handoff_id not in seen:
            record = handoff_by_id(session, row.handoff_id)
            seen[row.handoff_id] = record if record is not None and may_see(principal, record, facts, now) else None
        record = seen[row.handoff_id]
        if record is not None:
            found.append(_csat(row, record.package.client.name if record.package.client else None))
            if len(found) >= limit:
                break
    return tuple(found)
