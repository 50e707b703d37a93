"""Fixtures for the desk server: the app over a seeded SQLite store, the real Redis and a fake Rasa.

- ``sessions``: a copy of the migrated, seeded demo bank per test (seeded once per session);
- ``desk``: the app (``create_app``) in Starlette's TestClient, with the fake Rasa
  (:mod:`tests.bot.desk.fake_rasa`) behind an httpx transport, the case service as an
  ``httpx.MockTransport`` with one open case of C000001, the real Redis on ``REDIS_PORT``
  (database 3, flushed) under a channel namespace of its own, and the business clock fixed
  on a Wednesday morning (every on-duty RM at work). Tokens carry the real time: PyJWT checks it.
- ``served_desk``: the same app under a real uvicorn on a free port (for the streams).

Seeded facts used: C000001 王建华 (金卡, RM001 on duty, backup RM002), C000003 陈嘉欣 (RM002),
RM003 (neither's RM nor backup), agents CC001 林晓 and CC002 黄静 (kb/desk.yml).
"""
from __future__ import annotations

import os
import shutil
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import httpx
import pytest
import redis
import redis.asyncio
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from bot.appointments.store import upcoming_of
from bot.cases.client import CaseClient
from bot.clock import BANK_TIME
from bot.desk.app import create_app
from bot.desk.rasa_client import RasaClient
from bot.desk.settings import DeskSettings
from bot.handoff.config import load_handoff_config
from bot.handoff.package import TranscriptLine, build_package, client_360
from bot.handoff.routing import route
from bot.handoff.store import HandoffRecord, MessageRecord, handoff_by_id, messages_of, open_handoff
from bot.handoff.triggers import HandoffReason
from bot.profile.database import make_engine, make_session_factory, session_scope
from bot.profile.queries import client_summary, holdings_of
from tests.bot.desk.fake_rasa import FakeRasa
from tests.bot.profile.conftest import seeded_engine_for
from tests.conftest import free_port

WEDNESDAY_MORNING = datetime(2026, 12, 2, 10, 0, tzinfo=BANK_TIME)
TOKEN_SECRET = b"desk-tests-token-secret-" + b"d" * 40
RASA_API_TOKEN = "desk-tests-rasa-api-token"
PASSCODE = "desk-tests-passcode"
RASA_URL = "http://rasa.test"
REDIS_PORT = int(os.environ.get("REDIS_PORT", "6379"))
REDIS_DB = 3  # the desk tests' own (0: make run, 1: e2e, 2: browser tests)
OPEN_CASE_ID = "CS-2026-000777"


# ---------------------------------------------------------------------------- the store
@pytest.fixture(scope="session")
def template_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("desk-profile")
    seeded_engine_for("sqlite", folder).dispose()
    return folder / "profile.db"


@pytest.fixture()
def sessions(template_store: Path, tmp_path: Path) -> Iterator["sessionmaker[Session]"]:
    copy = tmp_path / "profile.db"
    shutil.copyfile(template_store, copy)
    engine = make_engine(f"sqlite:///{copy}")
    yield make_session_factory(engine)
    engine.dispose()


def open_test_handoff(sessions: "sessionmaker[Session]", client_id: str,
                      reason: HandoffReason = HandoffReason.CLIENT_REQUEST,
                      now: datetime = WEDNESDAY_MORNING) -> HandoffRecord:
    """Opens a handoff of ``client:<client_id>`` the way ``action_hand_off`` does (routed, packaged)."""
    with session_scope(sessions) as session:
        summary = client_summary(session, client_id)
        assert summary is not None
        the_route = route(reason, summary, now, load_handoff_config())
        client = client_360(summary, [], upcoming_of(session, client_id, now), holdings_of(session, client_id),
                            now.astimezone(BANK_TIME).date())
        transcript = (TranscriptLine(now.astimezone(timezone.utc) - timedelta(minutes=1), "client", "我要找人工",
                                     "request_human"),)
        package = build_package(f"client:{client_id}", "app", reason, the_route, client, transcript, now)
        return open_handoff(session, package, the_route, now)


# ---------------------------------------------------------------------------- Redis
@pytest.fixture(scope="session")
def redis_sync() -> Iterator[redis.Redis]:
    """The real Redis (``make test`` starts it); down is a failure, not a skip."""
    client = redis.Redis(port=REDIS_PORT, db=REDIS_DB)
    client.ping()
    client.flushdb()
    yield client
    client.close()


@pytest.fixture()
def namespace() -> str:
    return f"desk-test-{uuid.uuid4().hex[:10]}:"


# ---------------------------------------------------------------------------- the case service
def case_json(client_id: str, case_id: str = OPEN_CASE_ID) -> Dict[str, Any]:
    accepted = datetime(2026, 11, 10, 9, 0, tzinfo=timezone.utc)
    return {
        "case_id": case_id, "client_id": client_id, "channel": "app", "category": "fees", "severity": "normal",
        "description": "年费扣了两次", "amount_involved": "300.00", "currency": "CNY", "preferred_contact": None,
        "tier": "金卡", "priority": "P3", "assigned_to": "RM001", "status": "investigating", "is_open": True,
        "accepted_at": accepted.isoformat(), "due_at": (accepted + timedelta(days=15)).isoformat(),
        "time_limit_days": 15, "history": [], "notices": [], "extensions": [],
    }


def case_service() -> CaseClient:
    def answer(request: httpx.Request) -> httpx.Response:
        client_id = request.url.params.get("client_id")
        cases = [case_json(client_id)] if client_id == "C000001" else []
        return httpx.Response(200, json={"cases": cases})

    return CaseClient("http://cases.test", "t" * 40, attempts=1, transport=httpx.MockTransport(answer))


# ---------------------------------------------------------------------------- the app
@dataclass
class Desk:
    """The app under test and what stands around it."""

    client: TestClient
    rasa: FakeRasa
    sessions: "sessionmaker[Session]"
    namespace: str

    def login(self, user_id: str) -> Dict[str, str]:
        """The Authorization header of ``user_id`` after a demo login."""
        answer = self.client.post("/api/login", json={"user_id": user_id, "passcode": PASSCODE})
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['token']}"}

    def open_handoff(self, client_id: str, reason: HandoffReason = HandoffReason.CLIENT_REQUEST) -> HandoffRecord:
        record = open_test_handoff(self.sessions, client_id, reason)
        self.rasa.paused.add(record.conversation_id)  # action_hand_off pauses the conversation
        return record

    def record(self, handoff_id: str) -> Optional[HandoffRecord]:
        with self.sessions() as session:
            return handoff_by_id(session, handoff_id)

    def messages(self, handoff_id: str) -> List[MessageRecord]:
        with self.sessions() as session:
            return list(messages_of(session, handoff_id))


def build_app(sessions: "sessionmaker[Session]", namespace: str, rasa: FakeRasa,
              redis_port: int = REDIS_PORT) -> FastAPI:
    settings = DeskSettings(rasa_url=RASA_URL, rasa_api_token=RASA_API_TOKEN, demo_passcode=PASSCODE,
                            live_namespace=namespace)
    return create_app(
        settings, sessions=sessions, token_secret=TOKEN_SECRET,
        rasa=RasaClient(RASA_URL, RASA_API_TOKEN, transport=rasa.transport(), backoff=0),
        redis_client=redis.asyncio.Redis(port=redis_port, db=REDIS_DB, socket_connect_timeout=0.5),
        cases=case_service(), clock=lambda: WEDNESDAY_MORNING,
    )


def fake_rasa(sessions: "sessionmaker[Session]") -> FakeRasa:
    return FakeRasa(TOKEN_SECRET, RASA_API_TOKEN,
                    on_hand_off=lambda conversation_id: open_test_handoff(sessions, conversation_id.split(":", 1)[1]))


@pytest.fixture()
def desk(sessions: "sessionmaker[Session]", namespace: str, redis_sync: redis.Redis) -> Iterator[Desk]:
    rasa = fake_rasa(sessions)
    with TestClient(build_app(sessions, namespace, rasa)) as client:
        yield Desk(client, rasa, sessions, namespace)


# ---------------------------------------------------------------------------- a real server

@dataclass
class ServedDesk:
    url: str
    rasa: FakeRasa
    sessions: "sessionmaker[Session]"
    namespace: str

    def login(self, user_id: str) -> Dict[str, str]:
        answer = httpx.post(f"{self.url}/api/login", json={"user_id": user_id, "passcode": PASSCODE}, timeout=10)
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['token']}"}

    def open_handoff(self, client_id: str, reason: HandoffReason = HandoffReason.CLIENT_REQUEST) -> HandoffRecord:
        record = open_test_handoff(self.sessions, client_id, reason)
        self.rasa.paused.add(record.conversation_id)
        return record


@pytest.fixture()
def served_desk(sessions: "sessionmaker[Session]", namespace: str, redis_sync: redis.Redis) -> Iterator[ServedDesk]:
    """The app under uvicorn in a thread (what streams really go through: no test transport buffering)."""
    rasa = fake_rasa(sessions)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(build_app(sessions, namespace, rasa), host="127.0.0.1", port=port,
                                           ws="none", log_level="warning", timeout_graceful_shutdown=1))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield ServedDesk(f"http://127.0.0.1:{port}", rasa, sessions, namespace)
    server.should_exit = True
    thread.join(timeout=10)
