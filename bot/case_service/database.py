"""Engine, sessions and schema migrations of the case service's own database.

The URL comes from ``CASE_DATABASE_URL`` (read by :func:`database_url`, called
by the entry point only); the default is SQLite in ``var/cases.db`` under the
repository root; PostgreSQL by URL, e.g.
``postgresql+psycopg2://postgres@localhost:5433/cases``.

Engines and sessions are made by :mod:`bot.profile.database`'s helpers.
Alembic is configured in code as there, with this package's migrations and
its own version table (``case_service_alembic_version``), so the two stores
may even share a database without mixing their histories. A new revision::

    from alembic import command
    from bot.case_service.database import alembic_config
    command.revision(alembic_config(), message="what changed", autogenerate=True)
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping, Optional

from sqlalchemy.engine import Connection, Engine

from bot.profile import database as profile_database
from bot.profile.database import make_engine, make_session_factory, session_scope

__all__ = [
    "DATABASE_ENV",
    "DEFAULT_DATABASE_PATH",
    "MIGRATIONS_DIR",
    "VERSION_TABLE",
    "database_url",
    "make_engine",
    "make_session_factory",
    "session_scope",
    "alembic_config",
    "current_revision",
    "head_revision",
    "upgrade_to_head",
]

DATABASE_ENV = "CASE_DATABASE_URL"
DEFAULT_DATABASE_PATH = profile_database.ROOT / "var" / "cases.db"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "case_service_alembic_version"


def database_url(environ: Mapping[str, str] = os.environ) -> str:
    """The case database's URL: ``CASE_DATABASE_URL`` or SQLite in ``var/cases.db``."""
    url = environ.get(DATABASE_ENV, "").strip()
    return url or f"sqlite:///{DEFAULT_DATABASE_PATH}"


def alembic_config(connection: Optional[Connection] = None) -> Any:
    """Alembic's configuration, pointing at this package's migrations."""
    config = profile_database.alembic_config(connection)
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def current_revision(engine: Engine) -> Optional[str]:
    """The revision the database is at, or None when it has no case schema yet."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()


def head_revision() -> Optional[str]:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def upgrade_to_head(engine: Engine) -> bool:
    """Migrates the database to the newest revision; False when it already was."""
    from alembic import command

    if current_revision(engine) == head_revision():
        return False
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    return True
