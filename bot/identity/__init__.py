"""Verified identity: signed app tokens, the principal they prove, and the token secret.

``verify_token(token, secret) -> Principal`` or an ``InvalidToken``; the app
channel passes ``Principal.to_metadata()`` to Rasa, actions read it back with
``principal_from_metadata``.
"""
from bot.identity.errors import BadSignature, InvalidToken, MalformedToken, TokenExpired, WrongAudience
from bot.identity.principal import (
    VERIFYING_CHANNELS,
    Principal,
    Role,
    principal_from_metadata,
    proof_expired,
    unverified_metadata,
)
from bot.identity.secret import SECRET_ENV, WeakSecret, load_secret
from bot.identity.tokens import AUDIENCE, DEFAULT_LIFETIME, issue_token, verify_token

__all__ = [
    "AUDIENCE",
    "DEFAULT_LIFETIME",
    "SECRET_ENV",
    "VERIFYING_CHANNELS",
    "BadSignature",
    "InvalidToken",
    "MalformedToken",
    "Principal",
    "Role",
    "TokenExpired",
    "WeakSecret",
    "WrongAudience",
    "issue_token",
    "load_secret",
    "principal_from_metadata",
    "proof_expired",
    "unverified_metadata",
    "verify_token",
]
