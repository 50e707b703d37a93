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
from typing import Mapping

from bot.profile import database as profile_database
from bot.profile.database import Migrations, make_engine, make_session_factory, session_scope

__all__ = [
    "DATABASE_ENV",
    "DEFAULT_DATABASE_PATH",
    "MIGRATIONS_DIR",
    "VERSION_TABLE",
    "MIGRATIONS",
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


MIGRATIONS = Migrations(MIGRATIONS_DIR, VERSION_TABLE)
alembic_config = MIGRATIONS.config
current_revision = MIGRATIONS.current_revision
head_revision = MIGRATIONS.head_revision
upgrade_to_head = MIGRATIONS.upgrade_to_head
