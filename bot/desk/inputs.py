"""Reading what the pages post: a JSON object, a message's text, a button's payload.

Every refusal is a :class:`~bot.desk.texts.DeskError` (400, or 413 for a body
over :data:`MAX_BODY_BYTES`) with a polite Chinese text, raised before anything
is stored or forwarded: a body that is not UTF-8 JSON, not an object, a text
that is empty or blank once control characters are dropped, longer than
:data:`MAX_TEXT` characters, or holding lone surrogates (``"\\ud800"`` is valid
JSON but no UTF-8 text). Emoji and any other printable text are fine.
"""
from __future__ import annotations

import json
import re
import unicodedata
from typing import Any, Dict, Optional

from fastapi import Request

from bot.desk.texts import DeskError

__all__ = ["MAX_TEXT", "MAX_BODY_BYTES", "json_object", "message_text", "button_payload", "short_text"]

MAX_TEXT = 2000  # characters of a message (handoff_messages.text holds at most this)
MAX_BODY_BYTES = 16 * 1024
# C0 controls but tab, line feed and carriage return; DEL; C1 controls; zero-width and direction marks are kept
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


async def json_object(request: Request) -> Dict[str, Any]:
    """The body as a JSON object, read up to :data:`MAX_BODY_BYTES`."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise DeskError(413, "body_too_large")
    chunks = []
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > MAX_BODY_BYTES:
            raise DeskError(413, "body_too_large")
        chunks.append(chunk)
    try:
        body = json.loads(b"".join(chunks).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise DeskError(400, "unreadable") from None
    if not isinstance(body, dict):
        raise DeskError(400, "unreadable")
    return body


def _visible_text(text: str) -> bool:
    """Whether anything in ``text`` shows: not only format characters (Cf: zero-width, BOM) or spaces."""
    return any(not char.isspace() and unicodedata.category(char) != "Cf" for char in text)


def _clean(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from \ud800-style escapes
        raise DeskError(400, "unreadable") from None
    return _CONTROL.sub("", value).strip()


def message_text(body: Dict[str, Any], field: str = "text") -> str:
    """The message in ``body[field]``: stripped, without control characters, 1 to MAX_TEXT characters."""
    value = body.get(field)
    if value is None:
        raise DeskError(400, "empty_text")
    if not isinstance(value, str):
        raise DeskError(400, "unreadable")
    text = _clean(value)
    if not _visible_text(text):  # only spaces or invisible characters (zero-width, BOM): nothing to read
        raise DeskError(400, "empty_text")
    if len(text) > MAX_TEXT:
        raise DeskError(400, "too_long", limit=MAX_TEXT)
    return text


def button_payload(body: Dict[str, Any]) -> Optional[str]:
    """A button's payload (``/intent{...}``) when the page sent one; what goes to Rasa instead of the title."""
    value = body.get("payload")
    if value is None:
        return None
    if not isinstance(value, str):
        raise DeskError(400, "bad_payload")
    payload = _clean(value)
    if not payload.startswith("/") or len(payload) > MAX_TEXT:
        raise DeskError(400, "bad_payload")
    return payload


def short_text(body: Dict[str, Any], field: str, max_length: int, error: str = "bad_request") -> str:
    """A required short string field (an id, a passcode, a product name), stripped."""
    value = body.get(field)
    if not isinstance(value, str):
        raise DeskError(400, error)
    text = _clean(value)
    if not text or len(text) > max_length:
        raise DeskError(400, error)
    return text
