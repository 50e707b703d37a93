"""The desk server's async client of the Rasa server (httpx).

- :meth:`RasaClient.send_message`: a client's (or advisor's) message through the
  app channel, ``POST /webhooks/app/webhook`` with the user's own signed token in
  ``metadata.token``: the channel verifies it and names the conversation;
- :meth:`RasaClient.append_events`: ``POST /conversations/{id}/tracker/events``
  (while a person holds the conversation, what was said goes into the tracker so
  the bot knows it once it resumes; ``resume`` ends the pause);
- :meth:`RasaClient.trigger_intent`: ``POST /conversations/{id}/trigger_intent``
  with no ``output_channel``: Rasa collects the bot's answers and returns them in
  ``messages`` (rasa/server.py, ``_get_output_channel`` falls back to a
  ``CollectingOutputChannel``).

The HTTP API takes Rasa's ``--auth-token`` as ``?token=``; httpx logs URLs at
INFO, so its logger is kept at WARNING. None of these calls is idempotent (a
message sent twice is answered twice): only a refused connection, which never
reached Rasa, is tried again. Logs name the call and the status, never the text.

Errors, translated from httpx here and nowhere else::

    RasaFailure
     ├── RasaUnavailable   refused, timed out or 5xx
     └── RasaError         any other unexpected answer (4xx, an unreadable body): .status
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from types import TracebackType
from datetime import datetime
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Type
from urllib.parse import quote

import httpx

from bot.identity import Principal

__all__ = [
    "RasaFailure",
    "RasaUnavailable",
    "RasaError",
    "Button",
    "BotMessage",
    "RasaClient",
    "RESUME",
    "user_event",
    "agent_event",
]

logger = logging.getLogger(__name__)
logging.getLogger("httpx").setLevel(logging.WARNING)  # request URLs carry the API token

WEBHOOK_PATH = "/webhooks/app/webhook"


class RasaFailure(Exception):
    """Root of the Rasa client's errors."""


class RasaUnavailable(RasaFailure):
    """Rasa could not be reached, timed out or answered 5xx."""


class RasaError(RasaFailure):
    """Rasa answered something the call does not expect."""

    def __init__(self, status: int, what: str) -> None:
        super().__init__(f"Rasa answered HTTP {status}: {what}")
        self.status = status


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class BotMessage:
    """One of the bot's answers as a channel's collector returns it (text and buttons; images and
    custom payloads are not shown by the pages)."""

    text: str
    buttons: Tuple[Button, ...] = ()

    @classmethod
    def from_rasa(cls, raw: Mapping[str, Any]) -> "BotMessage":
        buttons = []
        for button in raw.get("buttons") or ():
            if isinstance(button, Mapping) and isinstance(button.get("title"), str):
                payload = button.get("payload")
                buttons.append(Button(button["title"], payload if isinstance(payload, str) else button["title"]))
        text = raw.get("text")
        return cls(text if isinstance(text, str) else "", tuple(buttons))


def _bot_messages(raw: Any, status: int) -> List[BotMessage]:
    if not isinstance(raw, list) or not all(isinstance(item, Mapping) for item in raw):
        raise RasaError(status, "the answer is not a list of messages")
    return [message for message in (BotMessage.from_rasa(item) for item in raw) if message.text or message.buttons]


# ---------------------------------------------------------------- tracker events (Rasa's event dicts)
RESUME: Mapping[str, Any] = {"event": "resume"}
# after a resume, as after any turn: the rules read the next message as a fresh turn (a paused
# conversation ends on the handoff action, with no action_listen of its own)
LISTEN: Mapping[str, Any] = {"event": "action", "name": "action_listen"}


def user_event(text: str, principal: Principal, at: datetime) -> Dict[str, Any]:
    """What the client said while a person held the conversation (``text`` already masked).

    No intent: the bot did not read it (the NLU never ran); the verified claims
    go along as the app channel would pass them."""
    return {"event": "user", "text": text, "timestamp": at.timestamp(), "input_channel": "app",
            "metadata": principal.to_metadata()}


def agent_event(text: str, agent_id: str, agent_name: Optional[str], at: datetime) -> Dict[str, Any]:
    """A person's reply, kept in the tracker as the bot's turn with who wrote it (``text`` already masked)."""
    return {"event": "bot", "text": text, "timestamp": at.timestamp(),
            "metadata": {"agent_id": agent_id, "agent_name": agent_name}}


class RasaClient:
    """One connection pool to the Rasa server; use as ``async with`` or call :meth:`aclose`."""

    def __init__(self, base_url: str, api_token: Optional[str], *, timeout: float = 30.0,
                 connect_timeout: float = 2.0, connect_attempts: int = 2, backoff: float = 0.3,
                 transport: Optional[httpx.AsyncBaseTransport] = None) -> None:
        self._api_token = api_token
        self._connect_attempts = max(1, connect_attempts)
        self._backoff = backoff
        self._http = httpx.AsyncClient(base_url=base_url.rstrip("/"),
                                       timeout=httpx.Timeout(timeout, connect=connect_timeout),
                                       headers={"Accept": "application/json"}, transport=transport)

    async def send_message(self, token: str, text: str, sender: str = "web") -> List[BotMessage]:
        """The bot's answers to ``text`` from the principal ``token`` proves (the conversation is theirs)."""
        response = await self._post("message", WEBHOOK_PATH,
                                    {"sender": sender, "message": text, "metadata": {"token": token}})
        return _bot_messages(self._json(response), response.status_code)

    async def append_events(self, conversation_id: str, events: Sequence[Mapping[str, Any]]) -> None:
        """Appends ``events`` (Rasa event dicts) to the conversation's tracker, no side effects."""
        await self._post("append_events", f"/conversations/{_path(conversation_id)}/tracker/events",
                         [dict(event) for event in events], api=True, params={"include_events": "NONE"})

    async def trigger_intent(self, conversation_id: str, intent: str,
                             entities: Optional[Mapping[str, Any]] = None) -> List[BotMessage]:
        """Runs the bot on an external intent (``EXTERNAL_handback``…); the bot's answers."""
        response = await self._post("trigger_intent", f"/conversations/{_path(conversation_id)}/trigger_intent",
                                    {"name": intent, "entities": dict(entities or {})}, api=True,
                                    params={"include_events": "NONE"})
        body = self._json(response)
        if not isinstance(body, Mapping):
            raise RasaError(response.status_code, "the answer is not an object")
        return _bot_messages(body.get("messages") or [], response.status_code)

    async def _post(self, operation: str, path: str, body: Any, *, api: bool = False,
                    params: Optional[Dict[str, str]] = None) -> httpx.Response:
        query = dict(params or {})
        if api and self._api_token:
            query["token"] = self._api_token
        for attempt in range(1, self._connect_attempts + 1):
            try:
                response = await self._http.post(path, json=body, params=query)
            except httpx.ConnectError as error:  # never reached Rasa: safe to try again
                logger.warning("rasa %s: attempt %d/%d could not connect", operation, attempt, self._connect_attempts)
                if attempt == self._connect_attempts:
                    raise RasaUnavailable(f"rasa {operation}: cannot connect") from error
                await asyncio.sleep(self._backoff * attempt)
                continue
            except httpx.TransportError as error:  # timeouts, broken connections: it may have run
                logger.warning("rasa %s failed (%s)", operation, type(error).__name__)
                raise RasaUnavailable(f"rasa {operation}: {type(error).__name__}") from error
            if response.status_code >= 500:
                logger.warning("rasa %s: HTTP %d", operation, response.status_code)
                raise RasaUnavailable(f"rasa {operation}: HTTP {response.status_code}")
            if response.status_code >= 300:
                logger.warning("rasa %s: HTTP %d", operation, response.status_code)
                raise RasaError(response.status_code, operation)
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _json(response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError as error:
            raise RasaError(response.status_code, "the answer is not JSON") from error

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> "RasaClient":
        return self

    async def __aexit__(self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException],
                        traceback: Optional[TracebackType]) -> None:
        await self.aclose()


def _path(conversation_id: str) -> str:
    # a sender id is "client:C000001": ":" is a path character, everything else is escaped
    return quote(conversation_id, safe=":")
