"""The app channel: the REST channel with a verified identity.

``POST /webhooks/app/webhook`` with ``{"sender", "message", "metadata": {"token"}}``
answers like the REST channel. The token (``bot.identity``) decides who is
talking; ``sender`` and the message text never do:

- the conversation id is the verified subject, ``client:C000123``: were it
  the posted ``sender``, a client with a valid token could post another
  client's conversation id and read the replies and slots kept in that
  tracker. The same client's conversation also continues across devices;
- without a valid token the conversation is ``guest:<sender>``, a namespace no
  verified conversation shares, so a posted ``sender`` of ``client:C000123``
  reaches nobody's data;
- the metadata Rasa receives, and stores in the tracker, holds only the
  verified claims (``Principal.to_metadata()``) or ``{"verified": false,
  "reason": …}``: never the token, nothing else the client posted;
- card, ID and phone numbers in the message are masked before Rasa sees the
  text (a card number becomes ``尾号1234``, which the NLU reads as a card tail),
  so the tracker store never holds them.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any, Dict, Optional, Text, Union

from sanic.request import Request

from bot.channels.rest import SafeRestInput, posted_sender, tolerant_payload
from bot.identity import InvalidToken, Principal, TokenExpired, load_secret, unverified_metadata, verify_token
from bot.masking import install_log_masking

__all__ = ["AppInput", "GUEST_PREFIX"]

logger = logging.getLogger(__name__)

GUEST_PREFIX = "guest:"


@dataclass(frozen=True)
class _Identity:
    principal: Optional[Principal]
    reason: str  # verified, missing, expired, invalid…


class AppInput(SafeRestInput):
    """REST-style channel whose messages carry a signed app token in ``metadata.token``."""

    def __init__(self, token_secret: Union[str, bytes]) -> None:
        self._token_secret = token_secret

    @classmethod
    def name(cls) -> Text:
        return "app"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "AppInput":
        # Rasa calls this once at start-up: the Rasa process's entry point for our code
        install_log_masking()
        return cls(load_secret(os.environ))

    def _identity(self, request: Request) -> _Identity:
        cached = getattr(request.ctx, "app_identity", None)
        if cached is not None:
            return cached
        metadata = tolerant_payload(request).get("metadata")
        token = metadata.get("token") if isinstance(metadata, dict) else None
        if token is None:
            identity = _Identity(None, "missing")
        else:
            try:
                identity = _Identity(verify_token(token, self._token_secret), "verified")
            except InvalidToken as error:
                logger.info("app token refused: %s", error.reason)
                identity = _Identity(None, "expired" if isinstance(error, TokenExpired) else "invalid")
        request.ctx.app_identity = identity
        return identity

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        principal = self._identity(req).principal
        if principal is not None:
            return principal.conversation_id
        return f"{GUEST_PREFIX}{posted_sender(req)}"

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        identity = self._identity(request)
        if identity.principal is not None:
            return identity.principal.to_metadata()
        return unverified_metadata(identity.reason)
