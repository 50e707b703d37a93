"""The REST channel, tolerant of what a client (or a broken client) sends.

Rasa's own ``RestInput`` parses the body with ``request.json``: invalid UTF-8
or a non-object body makes Sanic answer an English 400 and the client's words
are gone. Here the body is decoded with replacement characters, so the message
still reaches the assistant, which answers in Chinese; a missing sender gets a
conversation of its own instead of the shared ``default`` one.

The channel is anonymous, and Rasa stores what it passes on in the tracker
store: card, ID and phone numbers in the text are masked first, the input
channel is always ``rest`` whatever the body says, and posted metadata (a
token, forged claims) is dropped.
"""
from __future__ import annotations

import json
import uuid
from typing import Any, Dict, Optional, Text

from rasa.core.channels.rest import RestInput
from sanic.request import Request

from bot.masking import mask_text

__all__ = ["SafeRestInput", "MAX_SENDER_LENGTH"]

MAX_SENDER_LENGTH = 128


def tolerant_payload(request: Request) -> Dict[str, Any]:
    """The JSON object of the body; ``{}`` when the body is not one."""
    cached = getattr(request.ctx, "tolerant_payload", None)
    if cached is not None:
        return cached
    try:
        payload = json.loads((request.body or b"").decode("utf-8", errors="replace"))
    except ValueError:
        payload = {}
    if not isinstance(payload, dict):
        payload = {}
    request.ctx.tolerant_payload = payload
    return payload


REST_PREFIX = "rest:"


def posted_sender(request: Request) -> str:
    """The ``sender`` as posted (trimmed, cut to :data:`MAX_SENDER_LENGTH`), or a fresh anonymous id."""
    sender = tolerant_payload(request).get("sender")
    if isinstance(sender, (str, int)) and str(sender).strip():
        return str(sender).strip()[:MAX_SENDER_LENGTH]
    return f"anonymous-{uuid.uuid4().hex}"


class SafeRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        # a namespace of its own: a posted sender of "client:C000001" must never reach (write into,
        # or restart) a verified client's conversation
        return f"{REST_PREFIX}{posted_sender(req)}"

    def _extract_message(self, req: Request) -> Optional[Text]:
        message = tolerant_payload(req).get("message")
        if message is None:
            return ""
        text = message if isinstance(message, str) else json.dumps(message, ensure_ascii=False)
        return mask_text(text)

    def _extract_input_channel(self, req: Request) -> Text:
        return self.name()

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        return None
