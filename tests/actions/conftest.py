"""Fixtures for action tests: a seeded profile store, the domain, verified trackers.

The store is a fresh SQLite demo bank in a temporary folder (the same seed as
``make run``), so tests may change it (freeze a card) without touching
``var/profile.db``. :func:`verified_tracker` builds the tracker the action
server receives for a message sent through the app channel with a valid token.
"""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
from rasa.shared.core.domain import Domain
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from bot.identity import Principal, Role
from bot.profile import store
from bot.profile.database import make_engine, make_session_factory, upgrade_to_head
from bot.profile.seed import SeedConfig, ensure_demo_bank
from tests.conftest import ROOT


@pytest.fixture(scope="session")
def domain() -> Dict[str, Any]:
    return Domain.load(str(ROOT / "domain")).as_dict()


@pytest.fixture(scope="session")
def profile_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('actions-profile') / 'profile.db'}"
    engine = make_engine(url)
    upgrade_to_head(engine)
    with make_session_factory(engine)() as session:
        ensure_demo_bank(session, SeedConfig())
    engine.dispose()
    yield url


@pytest.fixture(autouse=True)
def profile_store(profile_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Actions read the test store (``PROFILE_DATABASE_URL``), not ``var/profile.db``."""
    monkeypatch.setenv("PROFILE_DATABASE_URL", profile_url)
    store._factory.cache_clear()
    yield
    store._factory.cache_clear()


@pytest.fixture(autouse=True)
def no_case_service(monkeypatch: pytest.MonkeyPatch) -> None:
    """Actions never reach a case service a developer has running (``make run``): nothing
    listens on port 9 unless a test provides a service (tests/actions/cases_fixtures.py)."""
    monkeypatch.setenv("CASE_SERVICE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("CASE_SERVICE_TOKEN", "actions-test-case-token-" + "n" * 40)


@pytest.fixture()
def session(profile_url: str) -> Iterator[Session]:
    """A session on the same store, to compare replies with direct queries."""
    engine = make_engine(profile_url)
    with make_session_factory(engine)() as opened:
        yield opened
    engine.dispose()


def verified_metadata(subject_id: str, role: Role = Role.CLIENT) -> Dict[str, Any]:
    """The metadata the app channel passes on for a valid token."""
    principal = Principal(role, subject_id, datetime.now(timezone.utc) + timedelta(hours=1))
    return principal.to_metadata()


def verified_tracker(
    subject_id: Optional[str],
    text: str,
    intent: str,
    entities: Optional[List[Dict[str, Any]]] = None,
    slots: Optional[Dict[str, Any]] = None,
    role: Role = Role.CLIENT,
    input_channel: str = "app",
    events: Optional[List[Dict[str, Any]]] = None,
    metadata: Optional[Dict[str, Any]] = None,
) -> Tracker:
    """The tracker of a message from ``subject_id`` (``None``: no valid token) through ``input_channel``;
    ``metadata`` replaces what the app channel would pass on."""
    if metadata is None:
        metadata = verified_metadata(subject_id, role) if subject_id else {"verified": False, "reason": "missing"}
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.99},
        "entities": entities or [],
        "metadata": metadata,
    }
    user_event = {"event": "user", "text": text, "parse_data": latest, "input_channel": input_channel,
                  "metadata": metadata}
    return Tracker.from_dict({
        "sender_id": f"{role.value}:{subject_id}" if subject_id else "guest:test",
        "slots": {"script": "simplified", **(slots or {})},
        "latest_message": latest,
        "events": (events or []) + [user_event],
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
    })


def run_action(action: Action, tracker: Tracker, domain: Dict[str, Any]) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    """The messages the action sends and the events it returns."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain))
    return dispatcher.messages, events
