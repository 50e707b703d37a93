"""The durable outbox of complaints on their way to the case service.

A complaint is written here (and committed) before the case service is
called, in the same step that answers the client; the row keeps the
idempotency key that every delivery attempt sends, so a retry after a crash,
a timeout or a killed sender finds the case the first attempt made instead
of making a second one. Until delivery the client is given the row's
provisional reference; afterwards the real case id.

The rows live in the profile store (``case_outbox``) and are never deleted.
"""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import List, Optional

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.cases.types import NewCase
from bot.profile.models import CaseOutbox

__all__ = [
    "OutboxEntry",
    "enqueue",
    "entry_by_reference",
    "entries_of",
    "due_entries",
    "mark_delivered",
    "mark_failed",
    "retry_delay",
    "PROVISIONAL_PREFIX",
]

PROVISIONAL_PREFIX = "TMP-"
_FIRST_RETRY = timedelta(seconds=5)
_LONGEST_RETRY = timedelta(minutes=5)


@dataclass(frozen=True)
class OutboxEntry:
    """One submitted complaint and where its delivery stands."""

    idempotency_key: str
    provisional_ref: str
    client_id: str
    new_case: NewCase
    created_at: datetime
    attempts: int
    case_id: Optional[str]
    delivered_at: Optional[datetime]

    @property
    def delivered(self) -> bool:
        return self.case_id is not None


def _entry(row: CaseOutbox) -> OutboxEntry:
    return OutboxEntry(
        idempotency_key=row.idempotency_key,
        provisional_ref=row.provisional_ref,
        client_id=row.client_id,
        new_case=NewCase.from_json(json.loads(row.payload)),
        created_at=row.created_at,
        attempts=row.attempts,
        case_id=row.case_id,
        delivered_at=row.delivered_at,
    )


def enqueue(session: Session, new_case: NewCase, now: datetime) -> OutboxEntry:
    """Stores the complaint durably (commits) with a fresh idempotency key and provisional reference."""
    row = CaseOutbox(
        idempotency_key=secrets.token_hex(16),
        provisional_ref=PROVISIONAL_PREFIX + secrets.token_hex(4).upper(),
        client_id=new_case.client_id,
        payload=json.dumps(new_case.to_json(), ensure_ascii=False, sort_keys=True),
        created_at=now,
        attempts=0,
        next_attempt_at=now,
    )
    session.add(row)
    session.commit()
    return _entry(row)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after ``attempts`` failed deliveries: doubling from 5 s, at most 5 min."""
    doublings = min(max(0, attempts - 1), 16)  # 5 s · 2**16 is far past the cap; more would overflow
    return min(_FIRST_RETRY * 2 ** doublings, _LONGEST_RETRY)


def mark_delivered(session: Session, idempotency_key: str, case_id: str, now: datetime) -> None:
    """Records the case the service made for this entry (commits). A second delivery of the
    same entry finds the same case (same key) and changes nothing."""
    session.execute(
        update(CaseOutbox)
        .where(CaseOutbox.idempotency_key == idempotency_key, CaseOutbox.case_id.is_(None))
        .values(case_id=case_id, delivered_at=now, attempts=CaseOutbox.attempts + 1, last_error=None)
    )
    session.commit()


def mark_failed(session: Session, idempotency_key: str, error: str, now: datetime) -> None:
    """Counts a failed attempt and schedules the next one (commits). ``error``: a class name or
    status code, never text from the request or the answer."""
    row = session.scalars(select(CaseOutbox).where(CaseOutbox.idempotency_key == idempotency_key)).one()
    if row.case_id is not None:
        return
    row.attempts += 1
    row.last_error = error[:64]
    row.next_attempt_at = now + retry_delay(row.attempts)
    session.commit()


def due_entries(session: Session, now: datetime, limit: int = 50) -> List[OutboxEntry]:
    """Undelivered entries whose next attempt is due, oldest first."""
    rows = session.scalars(
        select(CaseOutbox)
        .where(CaseOutbox.delivered_at.is_(None), CaseOutbox.next_attempt_at <= now)
        .order_by(CaseOutbox.next_attempt_at, CaseOutbox.id)
        .limit(limit)
    )
    return [_entry(row) for row in rows]


def entries_of(session: Session, client_id: str) -> List[OutboxEntry]:
    """A client's complaints as submitted, newest first."""
    rows = session.scalars(
        select(CaseOutbox).where(CaseOutbox.client_id == client_id)
        .order_by(CaseOutbox.created_at.desc(), CaseOutbox.id.desc())
    )
    return [_entry(row) for row in rows]


def entry_by_reference(session: Session, client_id: str, provisional_ref: str) -> Optional[OutboxEntry]:
    """The client's own entry with this provisional reference (another client's is None)."""
    row = session.scalars(select(CaseOutbox).where(
        CaseOutbox.provisional_ref == provisional_ref.upper(), CaseOutbox.client_id == client_id)).first()
    return _entry(row) if row is not None else None
