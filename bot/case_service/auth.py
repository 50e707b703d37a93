"""The service token every /v1 call carries: ``Authorization: Bearer <token>``.

The token is shared by the action server and the case service
(:func:`bot.identity.secret.load_case_service_token`: ``CASE_SERVICE_TOKEN``,
else ``var/case_service_token``). It is compared in constant time; anything
else, or nothing, is answered 401 with ``WWW-Authenticate: Bearer``.
"""
from __future__ import annotations

import hmac
from typing import Callable, Optional

from fastapi import HTTPException, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from bot.identity.secret import MIN_SECRET_BYTES, WeakSecret

__all__ = ["bearer_scheme", "token_checker", "check_token_strength", "UNAUTHORISED"]

UNAUTHORISED = "a valid service token is required"

bearer_scheme = HTTPBearer(auto_error=False, scheme_name="ServiceToken",
                           description="the case service token (CASE_SERVICE_TOKEN)")


def check_token_strength(token: str) -> bytes:
    """The token as bytes; refused when shorter than an HS256 key should be."""
    encoded = token.strip().encode("utf-8")
    if len(encoded) < MIN_SECRET_BYTES:
        raise WeakSecret(f"the case service token must be at least {MIN_SECRET_BYTES} bytes")
    return encoded


def token_checker(token: str) -> Callable[..., None]:
    """A FastAPI dependency that lets a request through only with ``token``."""
    expected = check_token_strength(token)

    def require_service_token(
        credentials: Optional[HTTPAuthorizationCredentials] = Security(bearer_scheme),
    ) -> None:
        presented = credentials.credentials.encode("utf-8") if credentials is not None else b""
        if not hmac.compare_digest(presented, expected):
            raise HTTPException(status_code=401, detail=UNAUTHORISED, headers={"WWW-Authenticate": "Bearer"})

    return require_service_token
