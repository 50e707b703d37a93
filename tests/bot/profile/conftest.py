"""Fixtures: a migrated, seeded profile store on SQLite (always) and PostgreSQL (when configured).

PostgreSQL runs when PROFILE_TEST_POSTGRES_URL is set (``scripts/postgres.sh start``
prints one); the tests drop and rebuild the schemas ``seeded`` and ``scratch`` there.
"""
from __future__ import annotations

import os
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from contextlib import contextmanager
from typing import Any, Iterator

import pytest
from sqlalchemy import delete, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.profile.database import make_engine, make_session_factory, upgrade_to_head
from bot.profile.seed import SeedConfig, ensure_demo_bank

POSTGRES_URL = os.environ.get("PROFILE_TEST_POSTGRES_URL", "").strip()
NO_POSTGRES = "PROFILE_TEST_POSTGRES_URL is not set (scripts/postgres.sh start prints one)"
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.skipif(not POSTGRES_URL, reason=NO_POSTGRES)),
]


def empty_engine(backend: str, folder: Path, schema: str = "scratch") -> Engine:
    """An engine on an empty database (SQLite) or an empty schema (PostgreSQL) of ``backend``."""
    if backend == "sqlite":
        path = folder / "profile.db"
        if path.exists():
            path.unlink()
        return make_engine(f"sqlite:///{path}")
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    admin.dispose()
    return make_engine(make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"}))


def seeded_engine_for(backend: str, folder: Path, config: SeedConfig = SeedConfig(),
                      schema: str = "seeded") -> Engine:
    """The demo bank, migrated and seeded, on ``backend`` (in ``schema`` on PostgreSQL)."""
    engine = empty_engine(backend, folder, schema=schema)
    upgrade_to_head(engine)
    with make_session_factory(engine)() as session:
        ensure_demo_bank(session, config)
    return engine


@contextmanager
def sessions_removing(engine: Engine, *models: Any) -> Iterator["sessionmaker[Session]"]:
    """Sessions on ``engine``; afterwards the rows of ``models`` (deleted in this order: children
    first) are gone, so what one test made never reaches the next."""
    factory = make_session_factory(engine)
    yield factory
    with factory() as session:
        for model in models:
            session.execute(delete(model))
        session.commit()


@pytest.fixture(scope="session", params=BACKENDS)
def seeded_engine(request: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = seeded_engine_for(request.param, tmp_path_factory.mktemp(f"profile-{request.param}"))
    yield engine
    engine.dispose()


@pytest.fixture()
def session(seeded_engine: Engine) -> Iterator[Session]:
    """A session on the seeded store; whatever a test writes is rolled back."""
    with make_session_factory(seeded_engine)() as opened:
        yield opened
        opened.rollback()


class RawSql:
    """Direct SQL on the store, reading money and instants the way each dialect stores them."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.sqlite = session.get_bind().dialect.name == "sqlite"

    def rows(self, sql: str, **params: Any) -> list:
        return list(self.session.execute(text(sql), params))

    def scalar(self, sql: str, **params: Any) -> Any:
        return self.session.execute(text(sql), params).scalar()

    def money(self, value: Any) -> Decimal:
        return self.decimal(value, 2)

    def decimal(self, value: Any, scale: int) -> Decimal:
        """A stored NUMERIC(p, scale): scaled integers on SQLite."""
        if value is None:
            return Decimal(0).scaleb(-scale)
        if self.sqlite:
            return Decimal(int(value)).scaleb(-scale)
        return Decimal(value).quantize(Decimal(1).scaleb(-scale))

    def read_instant(self, value: Any) -> datetime:
        if isinstance(value, str):
            return datetime.fromisoformat(value).replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)

    def instant(self, value: datetime) -> Any:
        in_utc = value.astimezone(timezone.utc)
        return in_utc.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else in_utc


@pytest.fixture()
def raw(session: Session) -> RawSql:
    return RawSql(session)
