"""Fixtures for the advisor copilot: the demo bank in a temporary SQLite store, and cases as the
case service returns them.

The store is seeded once per session (the same seed as ``make run``: data ending 2026-11-24);
tests that book appointments delete them afterwards.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any, Dict, Iterator, Optional

import pytest
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.appointments.store import upcoming_of
from bot.cases.types import Case
from bot.clock import BANK_TIME
from bot.handoff import HandoffReason, load_handoff_config, route
from bot.handoff.package import build_package, client_360
from bot.handoff.store import HandoffRecord, open_handoff
from bot.profile.database import make_engine, make_session_factory, session_scope, upgrade_to_head
from bot.profile.models import Appointment, Handoff, HandoffMessage
from bot.profile.queries import client_summary, holdings_of
from bot.profile.seed import SeedConfig, ensure_demo_bank

TODAY = date(2026, 11, 25)  # a Wednesday, the day after the demo data ends
NOW = datetime(2026, 11, 25, 10, 30, tzinfo=BANK_TIME)


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('advisor') / 'profile.db'}")
    upgrade_to_head(engine)
    with make_session_factory(engine)() as session:
        ensure_demo_bank(session, SeedConfig())
    yield engine
    engine.dispose()


@pytest.fixture()
def factory(seeded: Engine) -> Iterator[sessionmaker]:
    """Sessions on the seeded store; no appointment is left behind."""
    made = make_session_factory(seeded)
    yield made
    with session_scope(made) as session:
        session.execute(delete(Appointment))


@pytest.fixture()
def session(factory: sessionmaker) -> Iterator[Session]:
    with factory() as opened:
        yield opened


def make_case(client_id: str, case_id: str = "CS-2026-000101", status: str = "investigating",
              due: date = date(2026, 12, 3), category: str = "fees", severity: str = "normal") -> Case:
    """A case as ``CaseClient`` reads it from the service's JSON."""
    accepted = datetime(2026, 11, 18, 9, 0, tzinfo=timezone.utc)
    data: Dict[str, Any] = {
        "case_id": case_id, "client_id": client_id, "channel": "app", "category": category,
        "severity": severity, "description": "年费扣了两次", "amount_involved": "300.00", "currency": "CNY",
        "preferred_contact": None, "tier": "金卡", "priority": "P3", "assigned_to": "RM001", "status": status,
        "accepted_at": accepted.isoformat(),
        "due_at": datetime.combine(due, datetime.max.time(), BANK_TIME).replace(microsecond=0).isoformat(),
        "time_limit_days": 15, "history": [], "notices": [],
    }
    return Case.from_json(data)


def days(count: int, start: Optional[date] = None) -> date:
    return (start or TODAY) + timedelta(days=count)


def open_handoff_for(session: Session, client_id: Optional[str], reason: HandoffReason, now: datetime,
                     conversation_id: Optional[str] = None) -> HandoffRecord:
    """A handoff opened the way ``action_hand_off`` opens one (routed, packaged, stored), committed."""
    summary = client_summary(session, client_id) if client_id else None
    routed = route(reason, summary, now, load_handoff_config())
    who = None
    if summary is not None:
        who = client_360(summary, [], upcoming_of(session, summary.client_id, now),
                         holdings_of(session, summary.client_id), now.date())
    package = build_package(conversation_id or f"client:{client_id}", "app", reason, routed, who, [], now)
    record = open_handoff(session, package, routed, now)
    session.commit()
    return record


@pytest.fixture()
def no_handoffs_after(factory: sessionmaker) -> Iterator[None]:
    """The handoffs a test opens are removed afterwards."""
    yield
    with session_scope(factory) as session:
        session.execute(delete(HandoffMessage))
        session.execute(delete(Handoff))
