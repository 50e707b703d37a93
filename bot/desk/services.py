"""What the desk server's routes work with, made once by ``create_app`` and kept on ``app.state``.

Database work is synchronous (SQLAlchemy sessions): :func:`in_session` runs a
function in a worker thread with one unit of work (commit when it returns,
rollback when it raises), so the event loop that streams the pages never waits
on the database.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Mapping, Optional, TypeVar

from fastapi import Request
from sqlalchemy.orm import Session, sessionmaker
from redis.asyncio import Redis as AsyncRedis
from starlette.concurrency import run_in_threadpool

from bot.cases.client import CaseClient
from bot.desk.rasa_client import RasaClient
from bot.desk.settings import DeskSettings
from bot.desk.texts import ServerTexts
from bot.profile.database import session_scope

__all__ = ["Clock", "DeskServices", "services_of", "in_session"]

Clock = Callable[[], datetime]
T = TypeVar("T")


@dataclass(frozen=True)
class DeskServices:
    settings: DeskSettings
    sessions: "sessionmaker[Session]"
    token_secret: bytes
    rasa: RasaClient
    redis: Optional[AsyncRedis]  # None: no live updates (the pages still reload from SQL)
    cases: Optional[CaseClient]  # None: the copilot shows no cases
    clock: Clock  # aware now
    texts: ServerTexts
    agents: Mapping[str, str]  # agent id -> name (kb/desk.yml)

    @property
    def namespace(self) -> str:
        return self.settings.live_namespace

    def __repr__(self) -> str:
        return f"DeskServices({self.settings!r})"


def services_of(request: Request) -> DeskServices:
    """The FastAPI dependency giving a route the app's services."""
    return request.app.state.services


async def in_session(services: DeskServices, work: Callable[..., T], *args: Any) -> T:
    """``work(session, *args)`` in a worker thread, in one unit of work on the profile store."""

    def run() -> T:
        with session_scope(services.sessions) as session:
            return work(session, *args)

    return await run_in_threadpool(run)
