"""Delivering complaints to the case service through the outbox.

:func:`submit` is what the complaint action calls: the complaint is stored
in the outbox first, then one delivery attempt is made; the client gets the
case, or (service unreachable) the provisional reference. :func:`deliver_due`
is one round of the background sender (``python -m bot outbox-sender``).
Both send an entry's own idempotency key, so however often an entry is sent
the service makes one case for it.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, ContextManager, Optional

from sqlalchemy.orm import Session

from bot.cases.client import CaseClient, CaseServiceError, CaseServiceUnavailable
from bot.cases.outbox import OutboxEntry, due_entries, enqueue, mark_delivered, mark_failed
from bot.cases.types import Case, NewCase

__all__ = ["Submission", "DeliveryRound", "submit", "deliver_due", "run_sender"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Submission:
    """A stored complaint and, when the service answered, its case."""

    entry: OutboxEntry
    case: Optional[Case]


@dataclass(frozen=True)
class DeliveryRound:
    delivered: int
    failed: int
    left_for_later: int


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


async def _deliver(session: Session, client: CaseClient, entry: OutboxEntry) -> Optional[Case]:
    try:
        case = await client.create_case(entry.new_case, entry.idempotency_key)
    except CaseServiceUnavailable as error:
        mark_failed(session, entry.idempotency_key, type(error).__name__, _utcnow())
        return None
    except CaseServiceError as error:  # refused: kept and retried slowly, for the operators to see
        logger.error("case service refused outbox entry %s: HTTP %s", entry.provisional_ref, error.status)
        mark_failed(session, entry.idempotency_key, f"http_{error.status}", _utcnow())
        return None
    mark_delivered(session, entry.idempotency_key, case.case_id, _utcnow())
    logger.info("outbox entry %s delivered as %s", entry.provisional_ref, case.case_id)
    return case


async def submit(session: Session, open_client: Callable[[], CaseClient], new_case: NewCase) -> Submission:
    """Stores the complaint, then tries to deliver it once. Whatever fails after the complaint is
    stored (even making the client: a missing token) leaves it to the sender."""
    entry = enqueue(session, new_case, _utcnow())
    try:
        async with open_client() as client:
            return Submission(entry, await _deliver(session, client, entry))
    except Exception as error:  # noqa: BLE001 - stored already; nothing here may lose it
        logger.error("outbox entry %s not sent now (%s); the sender will", entry.provisional_ref,
                     type(error).__name__)
        mark_failed(session, entry.idempotency_key, type(error).__name__, _utcnow())
        return Submission(entry, None)


async def deliver_due(session: Session, client: CaseClient, limit: int = 50) -> DeliveryRound:
    """Sends the entries that are due; stops at the first sign the service is down."""
    delivered = failed = 0
    due = due_entries(session, _utcnow(), limit)
    for index, entry in enumerate(due):
        if await _deliver(session, client, entry) is not None:
            delivered += 1
            continue
        failed += 1
        return DeliveryRound(delivered, failed, len(due) - index - 1)
    return DeliveryRound(delivered, failed, 0)


async def run_sender(
    open_session: Callable[[], ContextManager[Session]],
    client: CaseClient,
    interval: float = 2.0,
    once: bool = False,
) -> None:
    """Delivers due entries every ``interval`` seconds (once: one round) until cancelled."""
    while True:
        with open_session() as session:
            result = await deliver_due(session, client)
        if result.delivered or result.failed:
            logger.info("outbox round: %d delivered, %d failed", result.delivered, result.failed)
        if once:
            return
        await asyncio.sleep(interval)
