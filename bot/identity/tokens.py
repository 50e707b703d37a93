"""Signed app tokens: HS256 JWTs naming a role and a subject, for one audience.

Claims: ``sub`` (client, advisor or agent id), ``role``, ``aud``
(:data:`AUDIENCE`), ``iat``, ``exp``. The secret comes in as an argument
(:mod:`bot.identity.secret` finds it); nothing here reads the environment.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Optional, Union

import jwt

from bot.identity.errors import BadSignature, MalformedToken, TokenExpired, WrongAudience
from bot.identity.principal import SUBJECT_ID_PATTERN, Principal, Role

__all__ = ["AUDIENCE", "ALGORITHM", "DEFAULT_LIFETIME", "CLOCK_SKEW", "issue_token", "verify_token"]

AUDIENCE = "premier-assistant/app"
ALGORITHM = "HS256"
DEFAULT_LIFETIME = timedelta(hours=8)
CLOCK_SKEW = timedelta(seconds=30)  # tolerated between the app's clock and ours
MAX_TOKEN_LENGTH = 4096

Secret = Union[str, bytes]


def issue_token(
    role: Role,
    subject_id: str,
    secret: Secret,
    *,
    lifetime: timedelta = DEFAULT_LIFETIME,
    now: Optional[datetime] = None,
    audience: str = AUDIENCE,
) -> str:
    """A signed token for ``subject_id`` in ``role``, valid for ``lifetime`` from ``now``."""
    role = Role(role)
    if not SUBJECT_ID_PATTERN.fullmatch(subject_id):
        raise ValueError("subject id must be 1-64 letters, digits, '_' or '-'")
    if lifetime <= timedelta(0):
        raise ValueError("lifetime must be positive")
    issued_at = now or datetime.now(timezone.utc)
    claims = {
        "sub": subject_id,
        "role": role.value,
        "aud": audience,
        "iat": int(issued_at.timestamp()),
        "exp": int((issued_at + lifetime).timestamp()),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_token(token: object, secret: Secret) -> Principal:
    """The principal a token proves, or an :class:`~bot.identity.errors.InvalidToken`.

    The only place PyJWT's errors are caught and translated.
    """
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise MalformedToken("the token is not a non-empty string of reasonable length")
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            leeway=CLOCK_SKEW,
            options={"require": ["sub", "role", "aud", "iat", "exp"]},
        )
    except jwt.ExpiredSignatureError as error:
        raise TokenExpired("the token has expired") from error
    except jwt.InvalidAudienceError as error:
        raise WrongAudience("the token is for another audience") from error
    except (jwt.InvalidSignatureError, jwt.InvalidAlgorithmError) as error:
        raise BadSignature("the token is not signed with our key") from error
    except jwt.PyJWTError as error:  # DecodeError, MissingRequiredClaimError, ImmatureSignatureError…
        raise MalformedToken(f"the token is malformed ({type(error).__name__})") from error
    return _principal(claims)


def _principal(claims: dict) -> Principal:
    subject_id, role, expires = claims.get("sub"), claims.get("role"), claims.get("exp")
    if not isinstance(subject_id, str) or not SUBJECT_ID_PATTERN.fullmatch(subject_id):
        raise MalformedToken("the subject is not an id")
    if not isinstance(expires, (int, float)) or isinstance(expires, bool):
        raise MalformedToken("the expiry is not a time")
    try:
        return Principal(Role(role), subject_id, datetime.fromtimestamp(expires, tz=timezone.utc))
    except (ValueError, OverflowError, OSError) as error:
        raise MalformedToken("the role or expiry is not valid") from error

