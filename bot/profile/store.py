"""The profile store the running assistant uses: one engine per process, from the configured URL."""
from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache
from typing import Iterator

from sqlalchemy.orm import Session, sessionmaker

from bot.profile.database import database_url, make_engine, make_session_factory, session_scope

__all__ = ["profile_session"]


@lru_cache(maxsize=1)
def _factory() -> "sessionmaker[Session]":
    return make_session_factory(make_engine(database_url()))


@contextmanager
def profile_session() -> Iterator[Session]:
    """A unit of work on the profile store (``$PROFILE_DATABASE_URL``, default ``var/profile.db``)."""
    with session_scope(_factory()) as session:
        yield session
