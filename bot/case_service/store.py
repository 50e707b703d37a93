"""What the case service does to its database: one function per business operation.

Each function is one unit of work on the session it is given (committing
what it changes) or, for :func:`create_case`, on fresh sessions from the
factory (it retries when a concurrent create took the same number or key).
Free text is masked (:func:`bot.masking.mask_text`) here, before it is
stored, whoever calls. Status and time-limit changes are conditional updates
(``WHERE status = <the status read>``), so two concurrent moves of one case
cannot both succeed.

Errors::

    CaseStoreError
     ├── CaseNotFound
     ├── IdempotencyKeyReused      the key came with a different request
     ├── CaseClosed                extending a resolved or closed case
     └── CaseNumberUnavailable     no number after repeated collisions
    (and lifecycle.InvalidTransition, deadlines.ExtensionRefused)
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import List, Optional, Tuple

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.case_service.deadlines import FIRST_TIME_LIMIT, check_extension, due_at, is_overdue
from bot.case_service.lifecycle import OPEN_STATUSES, InvalidTransition, Status, check_transition, is_open
from bot.case_service.models import CaseRecord, CaseSequence, ExtensionRecord, NoticeRecord, StatusChangeRecord
from bot.case_service.priority import priority_for
from bot.clock import BANK_TIME
from bot.masking import mask_text

__all__ = [
    "CaseDraft",
    "CaseStoreError",
    "CaseNotFound",
    "IdempotencyKeyReused",
    "CaseClosed",
    "CaseNumberUnavailable",
    "SUBMITTER",
    "format_case_id",
    "create_case",
    "get_case",
    "find_cases",
    "due_cases",
    "change_status",
    "extend_time_limit",
]

logger = logging.getLogger(__name__)

SUBMITTER = "client"  # the actor of the first history entry: the client submitted the complaint
_CREATE_ATTEMPTS = 5


class CaseStoreError(Exception):
    """Root of the store's own errors."""


class CaseNotFound(CaseStoreError, LookupError):
    pass


class IdempotencyKeyReused(CaseStoreError):
    """The idempotency key was first used with a different request."""


class CaseClosed(CaseStoreError):
    """The case is resolved or closed: its clock no longer runs."""

    def __init__(self, status: str) -> None:
        super().__init__(f"the case is {status}")
        self.status = status


class CaseNumberUnavailable(CaseStoreError):
    """Concurrent creates kept colliding; the caller may try again."""


@dataclass(frozen=True)
class CaseDraft:
    """A complaint as accepted from the caller, before masking."""

    client_id: str
    channel: str
    category: str
    severity: str
    description: str
    tier: str
    assigned_to: str
    amount_involved: Optional[Decimal] = None
    currency: str = "CNY"
    preferred_contact: Optional[str] = None


def format_case_id(year: int, sequence: int) -> str:
    return f"CS-{year:04d}-{sequence:06d}"


def _masked(text: Optional[str]) -> Optional[str]:
    return mask_text(text) if text is not None else None


def _next_sequence(session: Session, year: int) -> int:
    """Raises the year's counter in this transaction (the row lock serialises creates)."""
    raised = session.execute(
        update(CaseSequence).where(CaseSequence.year == year).values(last_value=CaseSequence.last_value + 1)
    )
    if raised.rowcount == 0:  # the year's first case; a concurrent first insert collides and is retried
        session.add(CaseSequence(year=year, last_value=1))
        session.flush()
        return 1
    return int(session.scalar(select(CaseSequence.last_value).where(CaseSequence.year == year)))


def _by_key(session: Session, idempotency_key: str) -> Optional[CaseRecord]:
    return session.scalars(select(CaseRecord).where(CaseRecord.idempotency_key == idempotency_key)).first()


def _replayed(record: CaseRecord, fingerprint: str) -> CaseRecord:
    if record.request_fingerprint != fingerprint:
        raise IdempotencyKeyReused("the idempotency key was used with a different request")
    return record


def create_case(factory: "sessionmaker[Session]", draft: CaseDraft, idempotency_key: str,
                fingerprint: str, now: datetime) -> Tuple[CaseRecord, bool]:
    """The case for ``idempotency_key``: made now (True) or made before with the same request (False)."""
    for attempt in range(1, _CREATE_ATTEMPTS + 1):
        with factory() as session:
            existing = _by_key(session, idempotency_key)
            if existing is not None:
                return _replayed(existing, fingerprint), False
            try:
                record = _insert_case(session, draft, idempotency_key, fingerprint, now)
                session.commit()
            except IntegrityError:
                session.rollback()
                logger.info("case create collided (attempt %d), retrying", attempt)
                continue
            logger.info("case %s accepted", record.case_id)
            return get_case(session, record.case_id) or record, True
    raise CaseNumberUnavailable(f"no case number after {_CREATE_ATTEMPTS} attempts")


def _insert_case(session: Session, draft: CaseDraft, idempotency_key: str, fingerprint: str,
                 now: datetime) -> CaseRecord:
    year = now.astimezone(BANK_TIME).year
    sequence = _next_sequence(session, year)
    case_id = format_case_id(year, sequence)
    due = due_at(now, FIRST_TIME_LIMIT)
    record = CaseRecord(
        case_id=case_id,
        year=year,
        sequence=sequence,
        idempotency_key=idempotency_key,
        request_fingerprint=fingerprint,
        client_id=draft.client_id,
        channel=draft.channel,
        category=draft.category,
        severity=draft.severity,
        description=mask_text(draft.description),
        amount_involved=draft.amount_involved,
        currency=draft.currency,
        preferred_contact=_masked(draft.preferred_contact),
        tier=draft.tier,
        priority=priority_for(draft.tier, draft.severity),
        assigned_to=draft.assigned_to,
        status=Status.SUBMITTED.value,
        accepted_at=now,
        due_at=due,
        time_limit_days=FIRST_TIME_LIMIT,
    )
    session.add(record)
    session.flush()  # the case row first: the children's foreign keys point at it
    session.add_all([
        StatusChangeRecord(case_id=case_id, from_status=None, to_status=Status.SUBMITTED.value,
                           actor=SUBMITTER, at=now, note_for_client=None),
        NoticeRecord(case_id=case_id, kind="accepted", at=now, time_limit_days=FIRST_TIME_LIMIT, due_at=due),
    ])
    session.flush()
    return record


def get_case(session: Session, case_id: str) -> Optional[CaseRecord]:
    """The case with its history, notices and extensions, read afresh."""
    return session.get(CaseRecord, case_id, populate_existing=True)


def _required(session: Session, case_id: str) -> CaseRecord:
    record = get_case(session, case_id)
    if record is None:
        raise CaseNotFound(case_id)
    return record


def find_cases(session: Session, *, client_id: Optional[str] = None, assigned_to: Optional[str] = None,
               open_only: bool = False, limit: int = 100) -> List[CaseRecord]:
    """Cases of a client and/or an assignee, newest first."""
    query = select(CaseRecord)
    if client_id is not None:
        query = query.where(CaseRecord.client_id == client_id)
    if assigned_to is not None:
        query = query.where(CaseRecord.assigned_to == assigned_to)
    if open_only:
        query = query.where(CaseRecord.status.in_(sorted(OPEN_STATUSES)))
    query = query.order_by(CaseRecord.accepted_at.desc(), CaseRecord.case_id.desc()).limit(limit)
    return list(session.scalars(query))


def due_cases(session: Session, now: datetime, within_days: int,
              assigned_to: Optional[str] = None) -> Tuple[List[CaseRecord], List[CaseRecord]]:
    """Open cases past their due instant, and those due by the end of the ``within_days``-th day from today."""
    today = now.astimezone(BANK_TIME).date()
    horizon = datetime.combine(today + timedelta(days=within_days + 1), datetime.min.time(), tzinfo=BANK_TIME)
    query = select(CaseRecord).where(CaseRecord.status.in_(sorted(OPEN_STATUSES)), CaseRecord.due_at < horizon)
    if assigned_to is not None:
        query = query.where(CaseRecord.assigned_to == assigned_to)
    records = list(session.scalars(query.order_by(CaseRecord.due_at, CaseRecord.case_id)))
    overdue = [record for record in records if is_overdue(record.due_at, now)]
    return overdue, [record for record in records if not is_overdue(record.due_at, now)]


def change_status(session: Session, case_id: str, to_status: str, actor: str,
                  note_for_client: Optional[str], now: datetime) -> CaseRecord:
    """Moves the case (commits); raises CaseNotFound or InvalidTransition."""
    record = _required(session, case_id)
    from_status = record.status
    check_transition(from_status, to_status)
    moved = session.execute(
        update(CaseRecord).where(CaseRecord.case_id == case_id, CaseRecord.status == from_status)
        .values(status=to_status).execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # moved by someone else since it was read
        session.rollback()
        raise InvalidTransition(_required(session, case_id).status, to_status)
    note = _masked(note_for_client)
    session.add(StatusChangeRecord(case_id=case_id, from_status=from_status, to_status=to_status,
                                   actor=actor, at=now, note_for_client=note))
    if to_status == Status.RESOLVED.value:
        session.add(NoticeRecord(case_id=case_id, kind="resolved", at=now, text_for_client=note))
    session.commit()
    logger.info("case %s: %s -> %s", case_id, from_status, to_status)
    return _required(session, case_id)


def extend_time_limit(session: Session, case_id: str, time_limit_days: int, reason: str, actor: str,
                      approved_by: Optional[str], note_for_client: Optional[str], now: datetime) -> CaseRecord:
    """Extends the statutory clock (commits) and records the client notice.

    Raises CaseNotFound, CaseClosed, or deadlines.ExtensionRefused.
    """
    record = _required(session, case_id)
    if not is_open(record.status):
        raise CaseClosed(record.status)
    current = record.time_limit_days
    check_extension(current, time_limit_days, reason, actor, approved_by)
    new_due = due_at(record.accepted_at, time_limit_days)
    extended = session.execute(
        update(CaseRecord)
        .where(CaseRecord.case_id == case_id, CaseRecord.time_limit_days == current,
               CaseRecord.status.in_(sorted(OPEN_STATUSES)))
        .values(time_limit_days=time_limit_days, due_at=new_due).execution_options(synchronize_session=False)
    )
    if extended.rowcount != 1:  # changed by someone else since it was read: judge again on the new state
        session.rollback()
        return extend_time_limit(session, case_id, time_limit_days, reason, actor, approved_by,
                                 note_for_client, now)
    session.add_all([
        ExtensionRecord(case_id=case_id, from_days=current, to_days=time_limit_days, reason=mask_text(reason),
                        actor=actor, approved_by=approved_by, at=now),
        NoticeRecord(case_id=case_id, kind="extended", at=now, time_limit_days=time_limit_days, due_at=new_due,
                     text_for_client=_masked(note_for_client)),
    ])
    session.commit()
    logger.info("case %s: time limit %d -> %d days", case_id, current, time_limit_days)
    return _required(session, case_id)
