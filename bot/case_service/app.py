"""The case service's HTTP JSON API (FastAPI): ``create_app`` builds it.

Endpoints (all under ``/v1`` need ``Authorization: Bearer <service token>``)::

    POST /v1/cases                         Idempotency-Key header; 201 new, 200 replay
    GET  /v1/cases/{case_id}               404 when unknown
    GET  /v1/cases?client_id=&assigned_to=&open_only=
    GET  /v1/cases/due?within_days=N       {overdue, due_soon}: open cases only
    POST /v1/cases/{case_id}/transitions   409 when the lifecycle forbids it
    POST /v1/cases/{case_id}/extensions    the statutory clock: 30, then 60 days
    GET  /health                           no token
    GET  /openapi.json

Bad input is answered 4xx with a JSON body and stores nothing: 422 for what
the schemas refuse (and unknown query parameters), 400 for a body that is not
UTF-8, 413 for bodies over 64 KiB, 401 without the token. A busy
or unreachable database is 503 (the client retries), never a 500.
"""
from __future__ import annotations

import hashlib
import os
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, AsyncIterator, Callable, Dict, List, Optional

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Path, Query, Request, Response
from fastapi.dependencies.utils import get_flat_dependant
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.case_service import store
from bot.case_service.auth import token_checker
from bot.case_service.database import database_url as configured_database_url
from bot.case_service.database import make_engine, make_session_factory, upgrade_to_head
from bot.case_service.deadlines import ExtensionRefused
from bot.case_service.lifecycle import InvalidTransition, allowed_next, is_open
from bot.case_service.models import CaseRecord
from bot.case_service.schemas import (
    IDEMPOTENCY_KEY_PATTERN,
    CaseListOut,
    CaseOut,
    ConflictOut,
    DueCasesOut,
    ErrorOut,
    ExtensionIn,
    ExtensionOut,
    HealthOut,
    NewCaseIn,
    NoticeOut,
    StatusChangeOut,
    TransitionIn,
    canonical_request,
)
from bot.clock import BANK_TIME
from bot.identity.secret import load_case_service_token

__all__ = ["create_app", "case_view", "MAX_BODY_BYTES", "Clock"]

MAX_BODY_BYTES = 64 * 1024
Clock = Callable[[], datetime]
_PARTY_QUERY = r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,63}$"
_CLIENT_QUERY = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$"


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _local(instant: Optional[datetime]) -> Optional[datetime]:
    return instant.astimezone(BANK_TIME) if instant is not None else None


def case_view(record: CaseRecord) -> CaseOut:
    """The API's view of a case; instants in Shanghai time."""
    amount = record.amount_involved
    return CaseOut(
        case_id=record.case_id,
        client_id=record.client_id,
        channel=record.channel,
        category=record.category,
        severity=record.severity,
        description=record.description,
        amount_involved=format(amount, "f") if amount is not None else None,
        currency=record.currency,
        preferred_contact=record.preferred_contact,
        tier=record.tier,
        priority=record.priority,
        assigned_to=record.assigned_to,
        status=record.status,
        is_open=is_open(record.status),
        accepted_at=_local(record.accepted_at),
        due_at=_local(record.due_at),
        time_limit_days=record.time_limit_days,
        history=[StatusChangeOut(from_status=change.from_status, to_status=change.to_status, actor=change.actor,
                                 at=_local(change.at), note_for_client=change.note_for_client)
                 for change in record.history],
        notices=[NoticeOut(kind=notice.kind, at=_local(notice.at), time_limit_days=notice.time_limit_days,
                           due_at=_local(notice.due_at), text_for_client=notice.text_for_client)
                 for notice in record.notices],
        extensions=[ExtensionOut(from_days=extension.from_days, to_days=extension.to_days, reason=extension.reason,
                                 actor=extension.actor, approved_by=extension.approved_by, at=_local(extension.at))
                    for extension in record.extensions],
    )


def _validation_error(location: List[str], message: str, kind: str) -> HTTPException:
    """A 422 shaped like FastAPI's own (``HTTPValidationError``)."""
    return HTTPException(status_code=422, detail=[{"loc": location, "msg": message, "type": kind}])


def _conflict(code: str, message: str, status: Optional[str] = None) -> HTTPException:
    detail: Dict[str, Any] = {"code": code, "message": message, "status": status,
                              "allowed": list(allowed_next(status)) if status else []}
    return HTTPException(status_code=409, detail=detail)


def _no_unknown_query_parameters(request: Request) -> None:
    """Refuses query parameters the operation does not take (a misspelt ``open_only`` is not ignored)."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    known = {parameter.alias for parameter in get_flat_dependant(dependant).query_params}
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise _validation_error(["query", unknown[0]], "unknown query parameter", "value_error.extra")


def _not_found() -> HTTPException:
    return HTTPException(status_code=404, detail="no such case")


class _BodyLimit:
    """Answers 413 to request bodies over ``max_bytes``, declared or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and not declared.isdigit():
            await JSONResponse({"detail": "malformed Content-Length"}, status_code=400)(scope, receive, send)
            return
        if declared is not None and int(declared) > self.max_bytes:
            await JSONResponse({"detail": "request body too large"}, status_code=413)(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise HTTPException(status_code=413, detail="request body too large")
            return message

        await self.app(scope, limited_receive, send)


def create_app(database_url: Optional[str] = None, token: Optional[str] = None, *,
               clock: Optional[Clock] = None, max_body_bytes: int = MAX_BODY_BYTES) -> FastAPI:
    """The case service on ``database_url`` (default ``$CASE_DATABASE_URL``), migrated to head.

    ``token`` defaults to ``CASE_SERVICE_TOKEN`` or ``var/case_service_token``;
    ``clock`` (aware ``now``) is for tests.
    """
    engine = make_engine(database_url or configured_database_url(os.environ))
    upgrade_to_head(engine)
    sessions: "sessionmaker[Session]" = make_session_factory(engine)
    require_token = token_checker(token if token is not None else load_case_service_token(os.environ))
    now = clock or _utc_now

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()

    app = FastAPI(
        title="Case service",
        version="1",
        description="Complaint cases with the statutory clock (15 days, extendable to 30 and 60).",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.add_middleware(_BodyLimit, max_bytes=max_body_bytes)

    @app.exception_handler(OperationalError)
    async def database_unavailable(_request: Request, _error: OperationalError) -> JSONResponse:
        return JSONResponse({"detail": "the case database is unavailable; try again"}, status_code=503,
                            headers={"Retry-After": "1"})

    @app.exception_handler(store.CaseNumberUnavailable)
    async def numbers_busy(_request: Request, _error: store.CaseNumberUnavailable) -> JSONResponse:
        return JSONResponse({"detail": "too many concurrent creates; try again"}, status_code=503,
                            headers={"Retry-After": "1"})

    unavailable = {503: {"model": ErrorOut, "description": "the database is busy or down; retry"}}
    unreadable = {400: {"model": ErrorOut, "description": "the body is not UTF-8 JSON"},
                  413: {"model": ErrorOut, "description": "request body over the limit"}}
    not_found = {404: {"model": ErrorOut, "description": "no such case"}}
    conflict = {409: {"model": ConflictOut, "description": "not allowed where the case stands"}}

    @app.get("/health", response_model=HealthOut, responses=unavailable, tags=["health"],
             dependencies=[Depends(_no_unknown_query_parameters)])
    def health() -> HealthOut:
        with sessions() as session:
            session.execute(text("SELECT 1"))
        return HealthOut(status="ok")

    v1 = APIRouter(prefix="/v1", dependencies=[Depends(require_token), Depends(_no_unknown_query_parameters)],
                   tags=["cases"],
                   responses={401: {"model": ErrorOut, "description": "no valid service token"}, **unavailable})

    @v1.post("/cases", status_code=201, response_model=CaseOut,
             responses={200: {"model": CaseOut, "description": "the case made earlier with this key"},
                        **unreadable})
    def create_case(
        body: NewCaseIn,
        response: Response,
        idempotency_key: str = Header(..., alias="Idempotency-Key", pattern=IDEMPOTENCY_KEY_PATTERN,
                                      min_length=8, max_length=128,
                                      description="the same key on every retry; 8-128 printable ASCII"),
    ) -> CaseOut:
        fingerprint = hashlib.sha256(canonical_request(body).encode("utf-8")).hexdigest()
        draft = store.CaseDraft(**{**body.dict(), "amount_involved": _decimal(body.amount_involved)})
        try:
            record, created = store.create_case(sessions, draft, idempotency_key, fingerprint, now())
        except store.IdempotencyKeyReused:
            raise _validation_error(["header", "Idempotency-Key"],
                                    "this idempotency key was used with a different request",
                                    "value_error.idempotency_key_reused") from None
        response.status_code = 201 if created else 200
        response.headers["Location"] = f"/v1/cases/{record.case_id}"
        return case_view(record)

    @v1.get("/cases/due", response_model=DueCasesOut)
    def due_cases(
        within_days: int = Query(3, ge=0, le=60, description="due today or within this many calendar days"),
        assigned_to: Optional[str] = Query(None, pattern=_PARTY_QUERY, max_length=64),
    ) -> DueCasesOut:
        with sessions() as session:
            overdue, due_soon = store.due_cases(session, now(), within_days, assigned_to)
            return DueCasesOut(overdue=[case_view(record) for record in overdue],
                               due_soon=[case_view(record) for record in due_soon])

    @v1.get("/cases", response_model=CaseListOut)
    def list_cases(
        client_id: Optional[str] = Query(None, pattern=_CLIENT_QUERY, max_length=32),
        assigned_to: Optional[str] = Query(None, pattern=_PARTY_QUERY, max_length=64),
        open_only: bool = Query(False, description="only cases not yet resolved"),
        limit: int = Query(100, ge=1, le=500),
    ) -> CaseListOut:
        if client_id is None and assigned_to is None:
            raise _validation_error(["query", "client_id"], "give client_id or assigned_to",
                                    "value_error.missing_filter")
        with sessions() as session:
            records = store.find_cases(session, client_id=client_id, assigned_to=assigned_to,
                                       open_only=open_only, limit=limit)
            return CaseListOut(cases=[case_view(record) for record in records])

    @v1.get("/cases/{case_id}", response_model=CaseOut, responses=not_found)
    def get_case(case_id: str = Path(..., max_length=64)) -> CaseOut:
        with sessions() as session:
            record = store.get_case(session, case_id)
            if record is None:
                raise _not_found()
            return case_view(record)

    @v1.post("/cases/{case_id}/transitions", response_model=CaseOut, responses={**not_found, **conflict, **unreadable})
    def transition(body: TransitionIn, case_id: str = Path(..., max_length=64)) -> CaseOut:
        with sessions() as session:
            try:
                record = store.change_status(session, case_id, body.to_status, body.actor, body.note_for_client,
                                             now())
            except store.CaseNotFound:
                raise _not_found() from None
            except InvalidTransition as refused:
                raise _conflict("invalid_transition", str(refused), refused.from_status) from None
            return case_view(record)

    @v1.post("/cases/{case_id}/extensions", response_model=CaseOut, responses={**not_found, **conflict, **unreadable})
    def extend(body: ExtensionIn, case_id: str = Path(..., max_length=64)) -> CaseOut:
        with sessions() as session:
            try:
                record = store.extend_time_limit(session, case_id, body.time_limit_days, body.reason, body.actor,
                                                 body.approved_by, body.note_for_client, now())
            except store.CaseNotFound:
                raise _not_found() from None
            except store.CaseClosed as closed:
                raise _conflict("case_closed", str(closed), closed.status) from None
            except ExtensionRefused as refused:
                if refused.is_conflict:
                    current = store.get_case(session, case_id)
                    raise _conflict(refused.code, str(refused), current.status if current else None) from None
                raise _validation_error(["body", "time_limit_days"], str(refused),
                                        f"value_error.{refused.code}") from None
            return case_view(record)

    app.include_router(v1)
    return app


def _decimal(amount: Optional[str]) -> Optional[Decimal]:
    return Decimal(amount) if amount is not None else None
