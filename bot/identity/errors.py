"""Why a token was refused.

::

    InvalidToken                 the token does not prove who is talking
     ├── TokenExpired            signed by us, but past its ``exp``
     ├── WrongAudience           signed by us, but for another audience
     ├── BadSignature            not signed with our secret (forged, or another algorithm)
     └── MalformedToken          not a JWT, or claims missing or of the wrong shape

PyJWT's exceptions are translated into this tree in one place,
:func:`bot.identity.tokens.verify_token`; nothing else catches them.
"""
from __future__ import annotations

__all__ = ["InvalidToken", "TokenExpired", "WrongAudience", "BadSignature", "MalformedToken"]


class InvalidToken(Exception):
    """The token does not prove who is talking. ``reason`` is a short code safe to log."""

    reason = "invalid"


class TokenExpired(InvalidToken):
    reason = "expired"


class WrongAudience(InvalidToken):
    reason = "wrong_audience"


class BadSignature(InvalidToken):
    reason = "bad_signature"


class MalformedToken(InvalidToken):
    reason = "malformed"
