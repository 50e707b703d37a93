"""The background sender of the profile store's two outboxes (``python -m bot outbox-sender``).

Each interval it runs one round of complaints to the case service
(:func:`bot.cases.delivery.deliver_due`) and, when the contact-center webhook
is configured, one round of handoff events to it
(:func:`bot.handoff.webhook.deliver_due`). The rounds are independent: a
failing one is logged and the other still runs; both retry later by their
rows' own schedules, so nothing is lost whatever fails.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Awaitable, Callable, ContextManager, Optional

import httpx
from sqlalchemy.orm import Session

from bot.cases.client import CaseClient
from bot.cases.delivery import DeliveryRound
from bot.cases.delivery import deliver_due as deliver_due_cases
from bot.handoff.webhook import WebhookConfig
from bot.handoff.webhook import deliver_due as deliver_due_webhooks

__all__ = ["SenderRound", "send_round", "run_outbox_sender"]

logger = logging.getLogger(__name__)

OpenSession = Callable[[], ContextManager[Session]]


@dataclass(frozen=True)
class SenderRound:
    """What one round did: complaints, and handoff events (None: no webhook configured or the round failed)."""

    cases: Optional[DeliveryRound]
    webhooks: Optional[DeliveryRound]


async def _guarded(kind: str, round_: Callable[[], Awaitable[DeliveryRound]], once: bool) -> Optional[DeliveryRound]:
    try:
        result = await round_()
    except Exception as error:  # noqa: BLE001 - one outbox failing must not stop the other
        if once:
            raise
        logger.error("%s round failed (%s); retried next interval", kind, type(error).__name__, exc_info=True)
        return None
    if result.delivered or result.failed:
        logger.info("%s round: %d delivered, %d failed, %d left for later", kind, result.delivered,
                    result.failed, result.left_for_later)
    return result


async def send_round(open_session: OpenSession, cases: CaseClient, webhook: Optional[WebhookConfig],
                     webhook_http: Optional[httpx.AsyncClient], once: bool = False) -> SenderRound:
    """One round of each outbox; with ``once`` an error is raised instead of logged."""

    async def case_round() -> DeliveryRound:
        with open_session() as session:
            return await deliver_due_cases(session, cases)

    case_result = await _guarded("complaint outbox", case_round, once)
    webhook_result: Optional[DeliveryRound] = None
    if webhook is not None and webhook_http is not None:
        webhook_result = await _guarded(
            "webhook outbox", lambda: deliver_due_webhooks(open_session, webhook_http, webhook), once)
    return SenderRound(case_result, webhook_result)


async def run_outbox_sender(open_session: OpenSession, cases: CaseClient, webhook: Optional[WebhookConfig],
                            webhook_http: Optional[httpx.AsyncClient], interval: float = 2.0,
                            once: bool = False) -> None:
    """A round every ``interval`` seconds until cancelled (``once``: one round, errors raised)."""
    while True:
        await send_round(open_session, cases, webhook, webhook_http, once)
        if once:
            return
        await asyncio.sleep(interval)
