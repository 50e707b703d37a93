"""Alembic environment of the profile store (configured in code by bot.profile.database).

Runs on the connection handed in through ``config.attributes["connection"]``;
without one it connects to ``bot.profile.database.database_url()``. Offline
mode (``--sql``) prints the DDL for that URL's dialect.
"""
from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from bot.profile.database import database_url, make_engine
from bot.profile.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        user_module_prefix="",  # our column types render as Money(), imported by the template
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    context.configure(url=database_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(database_url())
    try:
        with engine.begin() as own_connection:
            _run(own_connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
