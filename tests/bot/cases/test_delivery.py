"""The outbox: a complaint is stored before it is sent, and however often it is sent it makes one case."""
from __future__ import annotations

import asyncio
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator, List

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.case_service import create_app
from bot.cases.client import CaseClient
from bot.cases.delivery import deliver_due, submit
from bot.cases.outbox import due_entries, enqueue, entries_of, retry_delay
from bot.cases.types import NewCase
from bot.profile.database import make_engine, make_session_factory, upgrade_to_head
from bot.profile.models import CaseOutbox

TOKEN = "outbox-test-case-token-" + "o" * 40


def complaint(client_id: str = "C000001", description: str = "年费被重复扣了两次，一共600元") -> NewCase:
    return NewCase(client_id=client_id, channel="app", category="fees", severity="normal",
                   description=description, tier="白金", assigned_to="RM001")


@pytest.fixture()
def session(tmp_path: Path) -> Iterator[Session]:
    engine = make_engine(f"sqlite:///{tmp_path / 'profile.db'}")
    upgrade_to_head(engine)
    with make_session_factory(engine)() as opened:
        yield opened
    engine.dispose()


@pytest.fixture()
def app(tmp_path: Path) -> FastAPI:
    return create_app(f"sqlite:///{tmp_path / 'cases.db'}", token=TOKEN)


class Switch(httpx.AsyncBaseTransport):
    """The service, reachable or not (connection refused), or failing at random."""

    def __init__(self, app: FastAPI) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.up = True
        self.failure_rate = 0.0
        self.random = random.Random(7)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not self.up or self.random.random() < self.failure_rate:
            raise httpx.ConnectError("refused", request=request)
        return await self.inner.handle_async_request(request)


def client(transport: httpx.AsyncBaseTransport) -> CaseClient:
    return CaseClient("http://cases.test", TOKEN, attempts=2, backoff=0, transport=transport)


def cases_in(app: FastAPI, client_id: str) -> List[dict]:
    async def read() -> List[dict]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://cases.test") as http:
            response = await http.get("/v1/cases", params={"client_id": client_id},
                                      headers={"Authorization": f"Bearer {TOKEN}"})
            return response.json()["cases"]
    return asyncio.run(read())


def _all_due_now(session: Session) -> None:
    for row in session.scalars(select(CaseOutbox)):
        row.next_attempt_at = datetime.now(timezone.utc) - timedelta(seconds=1)
    session.commit()


def test_a_complaint_is_stored_then_delivered(session, app):
    submission = asyncio.run(submit(session, lambda: client(Switch(app)), complaint()))
    (case,) = cases_in(app, "C000001")
    assert submission.case is not None and submission.case.case_id == case["case_id"]
    (entry,) = entries_of(session, "C000001")
    assert entry.case_id == case["case_id"] and entry.delivered and entry.provisional_ref.startswith("TMP-")


def test_with_the_service_down_the_complaint_is_kept_and_retried_later(session, app):
    transport = Switch(app)
    transport.up = False

    submission = asyncio.run(submit(session, lambda: client(transport), complaint()))
    assert submission.case is None and not submission.entry.delivered
    row = session.scalars(select(CaseOutbox)).one()
    assert row.attempts == 1 and row.last_error == "CaseServiceUnavailable"
    assert row.next_attempt_at > datetime.now(timezone.utc)  # backed off, not due at once
    assert due_entries(session, datetime.now(timezone.utc)) == []
    assert due_entries(session, datetime.now(timezone.utc) + retry_delay(1))[0].provisional_ref == row.provisional_ref


def test_a_client_that_cannot_even_be_made_loses_nothing(session):
    def no_token() -> CaseClient:
        raise ValueError("the case service token is too short")

    submission = asyncio.run(submit(session, no_token, complaint()))
    assert submission.case is None
    row = session.scalars(select(CaseOutbox)).one()
    assert "年费被重复扣了两次" in row.payload and row.last_error == "ValueError" and row.case_id is None


def test_an_entry_sent_before_a_crash_makes_no_second_case(session, app):
    """The sender dies after the service made the case but before the outbox row was marked."""
    transport = Switch(app)
    entry = enqueue(session, complaint(), datetime.now(timezone.utc))

    async def crash_then_resend():
        async with client(transport) as cases:
            first = await cases.create_case(entry.new_case, entry.idempotency_key)  # ... then the process died
            result = await deliver_due(session, cases)
            return first, result
    first, result = asyncio.run(crash_then_resend())
    assert result.delivered == 1
    (case,) = cases_in(app, "C000001")
    assert case["case_id"] == first.case_id == entries_of(session, "C000001")[0].case_id


def test_a_round_stops_at_the_first_sign_the_service_is_down(session, app):
    for index in range(3):
        enqueue(session, complaint(description=f"第{index + 1}次被多扣年费"), datetime.now(timezone.utc))
    transport = Switch(app)
    transport.up = False

    async def run():
        async with client(transport) as cases:
            return await deliver_due(session, cases)
    result = asyncio.run(run())
    assert (result.delivered, result.failed, result.left_for_later) == (0, 1, 2)


def test_a_refused_complaint_is_kept_for_the_operators(session, app):
    entry = enqueue(session, complaint(client_id="C000009"), datetime.now(timezone.utc))

    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(422, json={"detail": "refused"})

    async def run():
        async with client(httpx.MockTransport(refuse)) as cases:
            return await deliver_due(session, cases)
    assert asyncio.run(run()).failed == 1
    row = session.scalars(select(CaseOutbox)).one()
    assert row.idempotency_key == entry.idempotency_key and row.last_error == "http_422" and row.case_id is None


def test_retries_back_off_from_five_seconds_to_five_minutes():
    assert [retry_delay(attempts).total_seconds() for attempts in (1, 2, 3, 4, 10, 50)] == [5, 10, 20, 40, 300, 300]


def test_with_a_flapping_service_every_complaint_becomes_exactly_one_case(session, app):
    transport = Switch(app)
    transport.failure_rate = 0.4
    count = 30
    for index in range(count):
        enqueue(session, complaint(description=f"第{index + 1}笔转账没到账"), datetime.now(timezone.utc))

    async def rounds():
        async with client(transport) as cases:
            for _ in range(200):
                _all_due_now(session)
                await deliver_due(session, cases)
                if not due_entries(session, datetime.now(timezone.utc) + timedelta(hours=1)):
                    return
    asyncio.run(rounds())
    made = cases_in(app, "C000001")
    delivered = [entry.case_id for entry in entries_of(session, "C000001")]
    assert len(made) == count and sorted(delivered) == sorted(case["case_id"] for case in made)
