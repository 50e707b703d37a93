"""Engine, sessions and schema migrations of the profile store.

The URL comes from ``PROFILE_DATABASE_URL`` (read by :func:`database_url`,
called by entry points only); the default is SQLite in ``var/profile.db``
under the repository root. The same code runs on PostgreSQL by URL, e.g.
``postgresql+psycopg2://postgres@localhost:5433/profile``.

Migrations are Alembic's, configured here in code (no ``alembic.ini``). To
write a new revision after changing :mod:`bot.profile.models`::

    from alembic import command
    from bot.profile.database import alembic_config
    command.revision(alembic_config(), message="what changed", autogenerate=True)

(autogenerate compares against the database at :func:`database_url`; review
the generated file, it goes in ``bot/profile/migrations/versions/``).
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping, Optional, Union

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

__all__ = [
    "DEFAULT_DATABASE_PATH",
    "MIGRATIONS_DIR",
    "database_url",
    "make_engine",
    "make_session_factory",
    "session_scope",
    "Migrations",
    "MIGRATIONS",
    "alembic_config",
    "current_revision",
    "head_revision",
    "upgrade_to_head",
]

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_PATH = ROOT / "var" / "profile.db"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def database_url(environ: Mapping[str, str] = os.environ) -> str:
    """The profile store's URL: ``PROFILE_DATABASE_URL`` or SQLite in ``var/``."""
    url = environ.get("PROFILE_DATABASE_URL", "").strip()
    return url or f"sqlite:///{DEFAULT_DATABASE_PATH}"


def _enable_sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: Union[str, URL], echo: bool = False) -> Engine:
    """An engine for ``url``; SQLite gets its folder created and foreign keys on."""
    engine = create_engine(url, future=True, echo=echo)
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
    return engine


def make_session_factory(engine: Engine) -> "sessionmaker[Session]":
    """Sessions in the 2.0 style; objects stay readable after commit."""
    return sessionmaker(engine, future=True, expire_on_commit=False)


@contextmanager
def session_scope(factory: "sessionmaker[Session]") -> Iterator[Session]:
    """One unit of work: commits when the block succeeds, rolls back otherwise."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@dataclass(frozen=True)
class Migrations:
    """An Alembic history configured in code: its folder and the table recording its revision
    (the case service keeps its own table, so both histories could share one database)."""

    directory: Path
    version_table: str = "alembic_version"

    def config(self, connection: Optional[Connection] = None) -> Any:
        """Alembic's configuration; ``env.py`` uses ``connection`` when one is given."""
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(self.directory))
        config.attributes["connection"] = connection
        return config

    def current_revision(self, engine: Engine) -> Optional[str]:
        """The revision the database is at, or None when it has no schema yet."""
        from alembic.runtime.migration import MigrationContext

        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"version_table": self.version_table})
            return context.get_current_revision()

    def head_revision(self) -> Optional[str]:
        from alembic.script import ScriptDirectory

        return ScriptDirectory.from_config(self.config()).get_current_head()

    def upgrade_to_head(self, engine: Engine) -> bool:
        """Migrates the database to the newest revision; False when it already was."""
        from alembic import command

        if self.current_revision(engine) == self.head_revision():
            return False
        with engine.begin() as connection:
            command.upgrade(self.config(connection), "head")
        return True


MIGRATIONS = Migrations(MIGRATIONS_DIR)
alembic_config = MIGRATIONS.config
current_revision = MIGRATIONS.current_revision
head_revision = MIGRATIONS.head_revision
upgrade_to_head = MIGRATIONS.upgrade_to_head
