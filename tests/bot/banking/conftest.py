"""A seeded demo bank on SQLite for the account answers' store reads (same seed as ``make run``)."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.profile.database import make_engine, make_session_factory, upgrade_to_head
from bot.profile.seed import SeedConfig, ensure_demo_bank


@pytest.fixture(scope="session")
def bank_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path: Path = tmp_path_factory.mktemp("banking") / "profile.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_to_head(engine)
    with make_session_factory(engine)() as session:
        ensure_demo_bank(session, SeedConfig())
    yield engine
    engine.dispose()


@pytest.fixture()
def bank(bank_engine: Engine) -> Iterator[Session]:
    with make_session_factory(bank_engine)() as session:
        yield session
