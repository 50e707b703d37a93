"""The case client: against the real service in-process, and against transports that fail on purpose."""
from __future__ import annotations

import importlib
import logging
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Callable, List, Optional

import httpx
import pytest
from fastapi import FastAPI

from bot.case_service import create_app
from bot.case_service import lifecycle
from bot.case_service import models as service_models
from bot.case_service import priority as service_priority
from bot.cases import types as case_types
from bot.cases.client import CaseClient, CaseServiceError, CaseServiceUnavailable
from bot.cases.types import Case, NewCase
from bot.clock import BANK_TIME

TOKEN = "case-client-test-token-" + "c" * 40
NOW = datetime(2026, 11, 24, 10, 30, tzinfo=BANK_TIME)
COMPLAINT = NewCase(client_id="C000003", channel="wechat", category="payment_delay", severity="normal",
                    description="三天前的跨行转账5万元还没到账，联系电话13812345678", tier="白金", assigned_to="RM002",
                    amount_involved=Decimal("50000"), preferred_contact="工作日晚上七点后")


@pytest.fixture()
def app(tmp_path: Path) -> FastAPI:
    return create_app(f"sqlite:///{tmp_path / 'cases.db'}", token=TOKEN, clock=lambda: NOW)


@pytest.fixture(scope="module")
def shared_app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    return create_app(f"sqlite:///{tmp_path_factory.mktemp('cases') / 'cases.db'}", token=TOKEN, clock=lambda: NOW)


@pytest.fixture()
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> List[float]:
    """Backoff delays are recorded instead of slept."""
    delays: List[float] = []

    async def record(delay: float) -> None:
        delays.append(delay)

    monkeypatch.setattr("bot.cases.client.asyncio.sleep", record)
    return delays


class Flaky(httpx.AsyncBaseTransport):
    """Fails the first requests as told (a status, or an httpx error raised), then passes them to the app.

    ``"lost"`` delivers the request to the app and then loses the answer (a read timeout).
    """

    def __init__(self, app: Optional[FastAPI], failures: List[object]) -> None:
        self.inner = httpx.ASGITransport(app=app) if app is not None else None
        self.failures = list(failures)
        self.requests: List[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        failure = self.failures.pop(0) if self.failures else None
        if isinstance(failure, int):
            return httpx.Response(failure, json={"detail": "unavailable"})
        if failure == "connect":
            raise httpx.ConnectError("connection refused", request=request)
        if failure == "timeout":
            raise httpx.ConnectTimeout("timed out", request=request)
        assert self.inner is not None, "no app behind this transport"
        response = await self.inner.handle_async_request(request)
        if failure == "lost":
            await response.aread()
            raise httpx.ReadTimeout("answer lost", request=request)
        return response

    @property
    def keys(self) -> List[Optional[str]]:
        return [request.headers.get("Idempotency-Key") for request in self.requests]


def client_for(transport: httpx.AsyncBaseTransport, token: str = TOKEN) -> CaseClient:
    return CaseClient("http://cases.test", token, transport=transport)


# --- against the real service ----------------------------------------------------------------------


@pytest.mark.asyncio
async def test_create_get_and_list_against_the_service(app: FastAPI) -> None:
    async with client_for(httpx.ASGITransport(app=app)) as client:
        case = await client.create_case(COMPLAINT, "complaint-key-0001")
        assert case.case_id == "CS-2026-000001"
        assert (case.status, case.priority, case.time_limit_days) == ("submitted", "P2", 15)
        assert case.is_open and case.days_left(NOW) == 15
        assert case.due_at == datetime(2026, 12, 9, 23, 59, 59, tzinfo=BANK_TIME)
        assert case.amount_involved == Decimal("50000.00")
        assert "13812345678" not in case.description and "138****5678" in case.description
        assert case.history[0].to_status == "submitted" and case.notices[0].kind == "accepted"
        assert await client.get_case(case.case_id) == case
        assert await client.get_case("CS-2026-999999") is None
        assert await client.cases_of("C000003") == [case]
        assert await client.cases_of("C000004") == []


@pytest.mark.asyncio
async def test_open_only_leaves_out_resolved_cases(app: FastAPI) -> None:
    async with client_for(httpx.ASGITransport(app=app)) as client:
        done = await client.create_case(COMPLAINT, "complaint-key-0002")
        waiting = await client.create_case(replace(COMPLAINT, category="fees"), "complaint-key-0003")
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://cases.test",
                                     headers={"Authorization": f"Bearer {TOKEN}"}) as staff:
            for step, note in (("under_review", None), ("resolved", "款项已到账")):
                body = {"to_status": step, "actor": "RM002", "note_for_client": note}
                assert (await staff.post(f"/v1/cases/{done.case_id}/transitions", json=body)).status_code == 200
        resolved = await client.get_case(done.case_id)
        assert resolved is not None and not resolved.is_open and resolved.last_note_for_client == "款项已到账"
        assert [case.case_id for case in await client.cases_of("C000003", open_only=True)] == [waiting.case_id]
        assert len(await client.cases_of("C000003")) == 2


@pytest.mark.asyncio
@pytest.mark.parametrize("category", case_types.CATEGORIES)
@pytest.mark.parametrize("channel, tier", list(zip(case_types.CHANNELS, case_types.TIERS + ("金卡",))))
async def test_every_value_the_types_allow_is_accepted(shared_app: FastAPI, category: str, channel: str,
                                                      tier: str) -> None:
    new = replace(COMPLAINT, category=category, channel=channel, tier=tier, amount_involved=Decimal("0.5"))
    async with client_for(httpx.ASGITransport(app=shared_app)) as client:
        case = await client.create_case(new, f"key-{category}-{channel}")
    assert (case.category, case.channel, case.tier) == (category, channel, tier)


# --- retries and idempotency -----------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("failures", [[503, 503], ["connect", "connect"], [502, "timeout"], ["lost", 500]])
async def test_two_failures_then_success_make_one_case_with_one_key(app: FastAPI, no_sleep: List[float],
                                                                   failures: List[object]) -> None:
    flaky = Flaky(app, failures)
    async with client_for(flaky) as client:
        case = await client.create_case(COMPLAINT, "complaint-key-0004")
    assert len(flaky.requests) == 3
    assert flaky.keys == ["complaint-key-0004"] * 3
    assert no_sleep == [0.2, 0.4]
    async with client_for(httpx.ASGITransport(app=app)) as client:
        assert await client.cases_of("C000003") == [case]


@pytest.mark.asyncio
async def test_lost_answers_on_every_attempt_still_make_one_case(app: FastAPI, no_sleep: List[float]) -> None:
    flaky = Flaky(app, ["lost", "lost", "lost"])
    async with client_for(flaky) as client:
        with pytest.raises(CaseServiceUnavailable):
            await client.create_case(COMPLAINT, "complaint-key-0005")
        retried_later = await client.create_case(COMPLAINT, "complaint-key-0005")  # the outbox's next round
    assert flaky.keys == ["complaint-key-0005"] * 4
    async with client_for(httpx.ASGITransport(app=app)) as client:
        assert await client.cases_of("C000003") == [retried_later]


@pytest.mark.asyncio
async def test_unavailable_after_the_last_attempt(no_sleep: List[float]) -> None:
    flaky = Flaky(None, ["connect", 503, "timeout"])
    async with client_for(flaky) as client:
        with pytest.raises(CaseServiceUnavailable) as raised:
            await client.get_case("CS-2026-000001")
    assert len(flaky.requests) == 3
    assert isinstance(raised.value.__cause__, httpx.ConnectTimeout)


@pytest.mark.asyncio
async def test_attempts_and_backoff_are_configurable(no_sleep: List[float]) -> None:
    flaky = Flaky(None, [503] * 5)
    client = CaseClient("http://cases.test", TOKEN, attempts=5, backoff=0.1, transport=flaky)
    with pytest.raises(CaseServiceUnavailable):
        await client.cases_of("C000003")
    await client.aclose()
    assert len(flaky.requests) == 5
    assert no_sleep == pytest.approx([0.1, 0.2, 0.4, 0.8])


@pytest.mark.asyncio
@pytest.mark.parametrize("call", [
    lambda client: client.create_case(COMPLAINT, "complaint-key-0006"),
    lambda client: client.get_case("CS-2026-000001"),
    lambda client: client.cases_of("C000003"),
])
async def test_a_wrong_token_is_an_error_and_not_retried(app: FastAPI, no_sleep: List[float],
                                                         call: Callable) -> None:
    flaky = Flaky(app, [])
    async with client_for(flaky, token="not-the-token-" + "x" * 30) as client:
        with pytest.raises(CaseServiceError) as raised:
            await call(client)
    assert raised.value.status == 401 and raised.value.detail == "a valid service token is required"
    assert len(flaky.requests) == 1 and no_sleep == []


@pytest.mark.asyncio
async def test_a_reused_key_with_another_complaint_is_422_and_not_retried(app: FastAPI,
                                                                         no_sleep: List[float]) -> None:
    flaky = Flaky(app, [])
    async with client_for(flaky) as client:
        await client.create_case(COMPLAINT, "complaint-key-0007")
        with pytest.raises(CaseServiceError) as raised:
            await client.create_case(replace(COMPLAINT, severity="high"), "complaint-key-0007")
    assert raised.value.status == 422 and "idempotency key" in raised.value.detail
    assert len(flaky.requests) == 2


@pytest.mark.asyncio
async def test_an_unreadable_answer_is_an_error() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, text="<html>proxy</html>"))
    async with client_for(transport) as client:
        with pytest.raises(CaseServiceError) as raised:
            await client.get_case("CS-2026-000001")
    assert raised.value.status == 200


@pytest.mark.asyncio
@pytest.mark.parametrize("key", ["short", "x" * 129, "has a space", "中文的幂等键名称"])
async def test_a_bad_idempotency_key_is_refused_before_sending(key: str) -> None:
    flaky = Flaky(None, [])
    async with client_for(flaky) as client:
        with pytest.raises(ValueError):
            await client.create_case(COMPLAINT, key)
    assert flaky.requests == []


@pytest.mark.asyncio
async def test_logs_name_case_ids_statuses_and_attempts_only(app: FastAPI, no_sleep: List[float],
                                                            caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.cases.client")
    async with client_for(Flaky(app, [503, "connect"])) as client:
        case = await client.create_case(COMPLAINT, "complaint-key-0008")
    messages = [record.getMessage() for record in caplog.records if record.name == "bot.cases.client"]
    assert messages == ["case service create: attempt 1/3 failed (HTTP 503)",
                        "case service create: attempt 2/3 failed (ConnectError)",
                        f"case service create: case {case.case_id} (HTTP 201)"]
    for text in ("C000003", "13812345678", "138****5678", "转账", "complaint-key-0008", TOKEN):
        assert all(text not in message for message in messages)


@pytest.mark.asyncio
async def test_from_environment_reads_the_url_and_token(app: FastAPI, no_sleep: List[float]) -> None:
    client = CaseClient.from_environment({"CASE_SERVICE_URL": "http://127.0.0.1:9", "CASE_SERVICE_TOKEN": TOKEN},
                                         attempts=2)
    with pytest.raises(CaseServiceUnavailable):  # nothing listens on the discard port
        await client.get_case("CS-2026-000001")
    await client.aclose()
    assert no_sleep == [0.2]
    flaky = Flaky(app, [])
    async with CaseClient.from_environment({"CASE_SERVICE_TOKEN": TOKEN}, transport=flaky) as client:
        assert await client.get_case("CS-2026-000001") is None  # the token was accepted: 404, not 401
    assert str(flaky.requests[0].url) == "http://127.0.0.1:8090/v1/cases/CS-2026-000001"


# --- the types ----------------------------------------------------------------------------------


def test_the_types_mirror_the_service() -> None:
    assert case_types.STATUSES == lifecycle.STATUSES
    assert case_types.OPEN_STATUSES == lifecycle.OPEN_STATUSES
    assert case_types.CATEGORIES == service_models.CATEGORIES
    assert case_types.CHANNELS == service_models.CHANNELS
    assert case_types.SEVERITIES == service_priority.SEVERITIES
    assert case_types.TIERS == service_priority.TIERS


def test_new_case_survives_its_json() -> None:
    assert NewCase.from_json(COMPLAINT.to_json()) == COMPLAINT
    assert COMPLAINT.to_json()["amount_involved"] == "50000"
    assert replace(COMPLAINT, amount_involved=Decimal("1E+3")).to_json()["amount_involved"] == "1000"
    assert replace(COMPLAINT, amount_involved=None).to_json()["amount_involved"] is None


@pytest.mark.parametrize("change", [
    {"category": "robbery"}, {"channel": "fax"}, {"severity": "urgent"}, {"tier": "普通"},
    {"client_id": ""}, {"client_id": "C 1"}, {"assigned_to": "客户经理"},
    {"description": ""}, {"description": "😡😡"}, {"description": "扣" * 2001}, {"description": "a\x00b"},
    {"preferred_contact": "晚上\n周末"}, {"preferred_contact": "晚" * 101},
    {"amount_involved": Decimal("-1")}, {"amount_involved": Decimal("1.005")}, {"amount_involved": Decimal("NaN")},
    {"amount_involved": 12.5}, {"currency": "rmb"},
])
def test_new_case_refuses_what_the_service_would(change: dict) -> None:
    with pytest.raises(ValueError):
        replace(COMPLAINT, **change)


def test_days_left_in_shanghai_days() -> None:
    case = Case.from_json({
        "case_id": "CS-2026-000001", "client_id": "C000001", "channel": "app", "category": "fees",
        "severity": "normal", "description": "年费", "amount_involved": None, "currency": "CNY",
        "preferred_contact": None, "tier": "金卡", "priority": "P3", "assigned_to": "RM001",
        "status": "investigating", "accepted_at": "2026-11-24T10:30:00+08:00",
        "due_at": "2026-12-09T23:59:59+08:00", "time_limit_days": 15, "history": [], "notices": [],
        "extensions": [], "some_future_field": 1,
    })
    assert case.is_open and case.last_note_for_client is None
    assert case.days_left(datetime(2026, 12, 9, 15, 59, tzinfo=BANK_TIME)) == 0
    assert case.days_left(datetime.fromisoformat("2026-12-09T16:30:00+00:00")) == -1  # 00:30 on the 10th
    assert case.days_left(datetime(2026, 12, 1, 9, tzinfo=BANK_TIME)) == 8


@pytest.mark.parametrize("module", ["bot.cases.client", "bot.cases.types"])
def test_all_names_exist(module: str) -> None:
    loaded = importlib.import_module(module)
    assert [name for name in loaded.__all__ if not hasattr(loaded, name)] == []
