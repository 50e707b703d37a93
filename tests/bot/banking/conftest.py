"""A seeded demo bank on SQLite for the account answers' store reads (same seed as ``make run``)."""
from __future__ import annotations

from typing import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.profile.database import make_session_factory
from tests.bot.profile.conftest import seeded_engine_for


@pytest.fixture(scope="session")
def bank_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = seeded_engine_for("sqlite", tmp_path_factory.mktemp("banking"))
    yield engine
    engine.dispose()


@pytest.fixture()
def bank(bank_engine: Engine) -> Iterator[Session]:
    with make_session_factory(bank_engine)() as session:
        yield session
