"""Fixtures: the case service in-process on a temp SQLite database per test module, with a settable clock.

PostgreSQL runs too (tests/bot/case_service/test_postgresql.py) when
PROFILE_TEST_POSTGRES_URL is set: in its own schema ``case_service_test``.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Dict, Iterator, Optional

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.case_service import create_app
from bot.clock import BANK_TIME

TOKEN = "case-service-test-token-" + "k" * 40
AUTH = {"Authorization": f"Bearer {TOKEN}"}
START = datetime(2026, 11, 24, 10, 30, tzinfo=BANK_TIME)  # the demo bank's day

_serial = itertools.count(1)


@dataclass
class Clock:
    """The service's ``now``; tests set or advance it."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now = self.now + timedelta(**delta)


@dataclass
class Service:
    app: FastAPI
    http: TestClient
    clock: Clock
    database_url: str

    def create(self, key: Optional[str] = None, **overrides: Any) -> Any:
        """POST /v1/cases with a fresh idempotency key unless one is given; the raw response."""
        key = key or f"test-key-{next(_serial):06d}"
        return self.http.post("/v1/cases", json=new_case_body(**overrides),
                              headers={**AUTH, "Idempotency-Key": key})

    def created(self, **overrides: Any) -> Dict[str, Any]:
        response = self.create(**overrides)
        assert response.status_code == 201, response.text
        return response.json()

    def move(self, case_id: str, to_status: str, actor: str = "RM001", note: Optional[str] = None) -> Any:
        body: Dict[str, Any] = {"to_status": to_status, "actor": actor}
        if note is not None:
            body["note_for_client"] = note
        return self.http.post(f"/v1/cases/{case_id}/transitions", json=body, headers=AUTH)

    def extend(self, case_id: str, days: int, **fields: Any) -> Any:
        body = {"time_limit_days": days, "reason": "needs the card scheme's records", "actor": "RM001", **fields}
        return self.http.post(f"/v1/cases/{case_id}/extensions", json=body, headers=AUTH)

    def get(self, case_id: str) -> Any:
        return self.http.get(f"/v1/cases/{case_id}", headers=AUTH)


def unique_client() -> str:
    return f"T{next(_serial):06d}"


def new_case_body(**overrides: Any) -> Dict[str, Any]:
    body: Dict[str, Any] = {
        "client_id": "C000001",
        "channel": "app",
        "category": "fees",
        "severity": "normal",
        "description": "上个月信用卡被扣了两次年费，一共600元",
        "amount_involved": "600.00",
        "tier": "金卡",
        "assigned_to": "RM001",
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not ...}


def make_service(folder: Path, url: Optional[str] = None) -> Service:
    clock = Clock()
    database_url = url or f"sqlite:///{folder / 'cases.db'}"
    app = create_app(database_url, token=TOKEN, clock=clock)
    return Service(app=app, http=TestClient(app), clock=clock, database_url=database_url)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    made = make_service(tmp_path_factory.mktemp("cases"))
    yield made
    made.http.close()


@pytest.fixture(autouse=True)
def _clock_at_start(request: Any) -> None:
    """Each test starts at START (module-scoped services keep their clock object)."""
    if "service" in request.fixturenames:
        request.getfixturevalue("service").clock.now = START
