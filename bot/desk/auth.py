"""Who is calling: the bearer token on every ``/api`` call but login, and the demo login.

``Authorization: Bearer <token>`` carries an app token (:mod:`bot.identity`,
the same the app channel verifies); the desk server forwards it to Rasa as the
message's ``metadata.token``, so the conversation is always the caller's own.
No token, a forged or malformed one: 401 ``login_required``; an expired one:
401 ``session_expired``; a role the route is not for: 403.

``POST /api/login`` with ``{"user_id", "passcode"}`` (the demo login: a client
id of the profile store, an RM id, or an agent id of ``kb/desk.yml``, and the
demo passcode, compared in constant time) or ``{"token"}`` answers
``{"token", "role", "user_id", "name"}``. A wrong passcode and an unknown id get
the same 401: the answer does not tell which ids exist. Logs name the role and
the outcome, never the passcode or the token.
"""
from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from typing import Any, Dict, Optional

from fastapi import APIRouter, Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from bot.desk.directory import display_name, role_of
from bot.desk.inputs import json_object, short_text
from bot.desk.services import DeskServices, in_session, services_of
from bot.desk.texts import DeskError
from bot.identity import InvalidToken, Principal, Role, TokenExpired, issue_token, verify_token
from bot.identity.principal import SUBJECT_ID_PATTERN

__all__ = ["Caller", "caller", "client_caller", "desk_caller", "router", "WWW_AUTHENTICATE"]

logger = logging.getLogger(__name__)

WWW_AUTHENTICATE = {"WWW-Authenticate": "Bearer"}
DESK_ROLES = frozenset({Role.ADVISOR, Role.AGENT})
MAX_PASSCODE = 128
MAX_TOKEN = 4096

bearer_scheme = HTTPBearer(auto_error=False, scheme_name="AppToken", description="an app token (python -m bot token)")
router = APIRouter()


@dataclass(frozen=True)
class Caller:
    """The verified principal and the token that proved it (forwarded to Rasa, never logged)."""

    principal: Principal
    token: str

    def __repr__(self) -> str:
        return f"Caller({self.principal.role.value}:{self.principal.subject_id})"


def _verified(token: str, services: DeskServices) -> Principal:
    try:
        principal = verify_token(token, services.token_secret)
    except TokenExpired:
        raise DeskError(401, "session_expired", WWW_AUTHENTICATE) from None
    except InvalidToken as error:
        logger.info("desk token refused: %s", error.reason)
        raise DeskError(401, "login_required", WWW_AUTHENTICATE) from None
    return principal


def caller(credentials: Optional[HTTPAuthorizationCredentials] = Security(bearer_scheme),
           services: DeskServices = Depends(services_of)) -> Caller:
    """Any verified caller."""
    if credentials is None or not credentials.credentials:
        raise DeskError(401, "login_required", WWW_AUTHENTICATE)
    return Caller(_verified(credentials.credentials, services), credentials.credentials)


def client_caller(who: Caller = Depends(caller)) -> Caller:
    """A client: the chat routes."""
    if who.principal.role is not Role.CLIENT:
        raise DeskError(403, "clients_only")
    return who


def desk_caller(who: Caller = Depends(caller)) -> Caller:
    """An advisor or a contact-center agent: the desk routes."""
    if who.principal.role not in DESK_ROLES:
        raise DeskError(403, "desk_only")
    return who


def _passcode_matches(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def _demo_login(session: Session, user_id: str, services: DeskServices) -> Optional[Dict[str, Any]]:
    found = role_of(session, user_id, services.agents)
    if found is None:
        return None
    role, name = found
    token = issue_token(role, user_id, services.token_secret)  # the real clock: verify_token checks it
    return {"token": token, "role": role.value, "user_id": user_id, "name": name}


def _token_login(session: Session, principal: Principal, token: str,
                 services: DeskServices) -> Optional[Dict[str, Any]]:
    name = display_name(session, principal.role, principal.subject_id, services.agents)
    if name is None:
        return None
    return {"token": token, "role": principal.role.value, "user_id": principal.subject_id, "name": name}


@router.post("/api/login")
async def login(request: Request, services: DeskServices = Depends(services_of)) -> Dict[str, Any]:
    body = await json_object(request)
    if body.get("token") is not None:
        token = short_text(body, "token", MAX_TOKEN, "login_failed")
        principal = _verified(token, services)
        answer = await in_session(services, _token_login, principal, token, services)
    else:
        user_id = short_text(body, "user_id", 64, "login_failed").upper()
        passcode = body.get("passcode")
        if not isinstance(passcode, str) or len(passcode) > MAX_PASSCODE:
            raise DeskError(401, "login_failed", WWW_AUTHENTICATE)
        if not services.settings.demo_login:
            raise DeskError(401, "demo_login_off", WWW_AUTHENTICATE)
        matches = _passcode_matches(passcode, services.settings.demo_passcode)
        answer = None
        if matches and SUBJECT_ID_PATTERN.fullmatch(user_id):
            answer = await in_session(services, _demo_login, user_id, services)
    if answer is None:
        logger.info("desk login refused")
        raise DeskError(401, "login_failed", WWW_AUTHENTICATE)
    logger.info("desk login: %s", answer["role"])
    return answer


@router.get("/api/me")
async def me(who: Caller = Depends(caller), services: DeskServices = Depends(services_of)) -> Dict[str, Any]:
    name = await in_session(services, lambda session: display_name(session, who.principal.role,
                                                                   who.principal.subject_id, services.agents))
    return {"role": who.principal.role.value, "user_id": who.principal.subject_id, "name": name}
