"""The desk server (FastAPI): the client's web chat and the advisor desk, one origin, port 8080.

::

    GET  /                 chat.html (bot/desk/static, the pages' own folder)
    GET  /desk             desk.html
    GET  /static/*         the pages' scripts and styles
    GET  /health           {"status": "ok"} (no token)
    POST /api/login        GET /api/me                      (bot.desk.auth)
    /api/chat/*            clients                          (bot.desk.chat)
    /api/desk/*            advisors and agents              (bot.desk.desk)

Every error is ``{"detail": "<Chinese for the page>"}`` (:mod:`bot.desk.texts`,
Traditional for a browser that prefers it): 400 for what the server cannot
read, 401, 403, 404, 409, 413, and 503 when Rasa, Redis or the database
cannot answer (never a 500 with a trace). :func:`create_app` takes its
collaborators, so tests pass a fake Rasa (an httpx transport), a temp SQLite
store and a Redis namespace; :func:`app_from_environment` builds the real ones.
"""
from __future__ import annotations

import logging
import os
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import AsyncIterator, Mapping, Optional

import redis.asyncio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.cases.client import CaseClient
from bot.desk import auth, chat, desk
from bot.desk.rasa_client import RasaClient
from bot.desk.services import Clock, DeskServices
from bot.desk.settings import DeskSettings
from bot.desk.texts import DeskError, load_server_texts, script_for
from bot.handoff.desk_texts import load_desk_texts
from bot.handoff.live import async_redis_from_environment
from bot.identity import load_secret

__all__ = ["STATIC_DIR", "create_app", "app_from_environment"]

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
_STATUS_KEYS = {400: "bad_request", 401: "login_required", 403: "desk_only", 404: "not_found", 405: "not_found",
                413: "body_too_large", 422: "bad_request"}


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _page(static_dir: Path, name: str) -> FileResponse:
    path = static_dir / name
    if not path.is_file():
        raise DeskError(404, "not_found")
    return FileResponse(path, media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-cache"})


def create_app(settings: DeskSettings, *, sessions: "sessionmaker[Session]", token_secret: bytes, rasa: RasaClient,
               redis_client: Optional["redis.asyncio.Redis"], cases: Optional[CaseClient] = None,
               clock: Optional[Clock] = None, static_dir: Path = STATIC_DIR,
               agents: Optional[Mapping[str, str]] = None) -> FastAPI:
    """The desk server over the given collaborators; it closes the Rasa, Redis and case clients on shutdown."""
    texts = load_server_texts()
    services = DeskServices(settings=settings, sessions=sessions, token_secret=token_secret, rasa=rasa,
                            redis=redis_client, cases=cases, clock=clock or _utc_now, texts=texts,
                            agents=agents if agents is not None else load_desk_texts().agents)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        await rasa.aclose()
        if cases is not None:
            await cases.aclose()
        if redis_client is not None:
            await redis_client.close()

    app = FastAPI(title="Desk server", version="1", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None)
    app.state.services = services

    def error(request: Request, status: int, key: str, headers: Optional[Mapping[str, str]] = None,
              **values: object) -> JSONResponse:
        script = script_for(request.headers.get("accept-language"))
        return JSONResponse({"detail": texts.text(key, script, **values)}, status_code=status,
                            headers=dict(headers or {}))

    @app.exception_handler(DeskError)
    async def desk_error(request: Request, refused: DeskError) -> JSONResponse:
        return error(request, refused.status, refused.key, refused.headers, **refused.values)

    @app.exception_handler(RequestValidationError)
    async def unreadable(request: Request, _refused: RequestValidationError) -> JSONResponse:
        return error(request, 400, "bad_request")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, refused: StarletteHTTPException) -> JSONResponse:
        return error(request, refused.status_code, _STATUS_KEYS.get(refused.status_code, "bad_request"),
                     getattr(refused, "headers", None))

    @app.exception_handler(OperationalError)
    async def database_unavailable(request: Request, refused: OperationalError) -> JSONResponse:
        logger.warning("profile store unavailable (%s)", type(refused.orig).__name__)
        return error(request, 503, "store_unavailable", {"Retry-After": "1"})

    @app.get("/health", include_in_schema=False)
    async def health() -> dict:
        return {"status": "ok"}

    @app.get("/", include_in_schema=False)
    async def chat_page() -> FileResponse:
        return _page(static_dir, "chat.html")

    @app.get("/desk", include_in_schema=False)
    async def desk_page() -> FileResponse:
        return _page(static_dir, "desk.html")

    app.include_router(auth.router)
    app.include_router(chat.router)
    app.include_router(desk.router)
    static_dir.mkdir(parents=True, exist_ok=True)
    app.mount("/static", StaticFiles(directory=static_dir), name="static")
    return app


def app_from_environment(environ: Mapping[str, str] = os.environ) -> FastAPI:
    """The desk server as ``python -m bot desk`` runs it: every collaborator from the environment."""
    from bot.profile.database import database_url, make_engine, make_session_factory

    settings = DeskSettings.from_environment(environ)
    if not settings.rasa_api_token:
        logger.warning("no RASA_API_TOKEN (nor var/rasa_api_token): Rasa's HTTP API calls go without a token")
    engine = make_engine(database_url(environ))
    rasa = RasaClient(settings.rasa_url, settings.rasa_api_token)
    cases = CaseClient.from_environment(environ, timeout=2.0, attempts=1)
    return create_app(settings, sessions=make_session_factory(engine), token_secret=load_secret(environ),
                      rasa=rasa, redis_client=async_redis_from_environment(environ), cases=cases)

