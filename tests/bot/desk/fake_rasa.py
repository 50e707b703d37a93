"""An in-process stand-in for the parts of Rasa's HTTP API the desk server calls.

It answers like Rasa 3.6 does (``rasa/server.py``, ``rasa/core/channels/rest.py``):

- ``POST /webhooks/app/webhook``: the app channel. The conversation is the one the
  token in ``metadata.token`` proves (as ``bot.channels.app`` decides), the answer
  a JSON list of ``{"recipient_id", "text", "buttons"?}``. ``转人工`` opens a
  handoff in the test store the way ``action_hand_off`` does and pauses the
  conversation; a paused conversation answers nothing (``[]``), as Rasa does.
- ``POST /conversations/{id}/tracker/events?token=``: records the events;
  ``resume`` ends the pause. 401 without the API token.
- ``POST /conversations/{id}/trigger_intent?token=``: ``{"tracker": …, "messages":
  [...]}``; a paused conversation gets no messages (the bug of rasa issue 8119
  the desk server must avoid by resuming first).

``down = True`` makes every call fail to connect (the transport raises
``httpx.ConnectError``), as a stopped Rasa does.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Set

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.identity import InvalidToken, verify_token

GREETING = "您好，请问有什么可以帮您？"
HANDED_OFF = "已为您转接您的专属客户经理，将在15分钟内回复。"
BACK = "我回来了，还有什么可以帮您？"
CLOSED = "感谢您的耐心等待，请为本次服务打分。"
RATING_BUTTONS = [{"title": f"{score}分", "payload": f'/rate_service{{"csat_score": "{score}"}}'}
                  for score in (5, 4, 3, 2, 1)]


@dataclass
class Call:
    kind: str  # message / events / trigger
    conversation_id: str
    body: Any
    query: Dict[str, str]


@dataclass
class FakeRasa:
    secret: bytes
    api_token: str
    on_hand_off: Callable[[str], None]  # opens the handoff of a conversation in the test store
    calls: List[Call] = field(default_factory=list)
    paused: Set[str] = field(default_factory=set)
    down: bool = False
    hand_off_before_next: bool = False  # the next message finds the bot handing off: paused, silent

    # ------------------------------------------------------------------ what the desk server sent
    def of_kind(self, kind: str) -> List[Call]:
        return [call for call in self.calls if call.kind == kind]

    def events_sent(self, conversation_id: Optional[str] = None) -> List[Dict[str, Any]]:
        return [event for call in self.of_kind("events") for event in call.body
                if conversation_id is None or call.conversation_id == conversation_id]

    # ------------------------------------------------------------------ the API
    def _authorised(self, request: Request) -> bool:
        return request.query_params.get("token") == self.api_token

    async def _webhook(self, request: Request) -> JSONResponse:
        body = json.loads(await request.body())
        token = (body.get("metadata") or {}).get("token")
        try:
            conversation_id = verify_token(token, self.secret).conversation_id
        except InvalidToken:
            conversation_id = f"guest:{body.get('sender')}"
        self.calls.append(Call("message", conversation_id, body, dict(request.query_params)))
        if self.hand_off_before_next:  # another turn handed off while this message waited for the lock
            self.hand_off_before_next = False
            self.on_hand_off(conversation_id)
            self.paused.add(conversation_id)
        if conversation_id in self.paused:
            return JSONResponse([])
        if body.get("message") == "转人工":
            self.on_hand_off(conversation_id)
            self.paused.add(conversation_id)
            return JSONResponse([{"recipient_id": conversation_id, "text": HANDED_OFF}])
        return JSONResponse([{"recipient_id": conversation_id, "text": GREETING,
                              "buttons": [{"title": "查余额", "payload": "/check_balance"}]}])

    async def _events(self, request: Request) -> JSONResponse:
        if not self._authorised(request):
            return JSONResponse({"status": "failure", "reason": "NotAuthenticated"}, status_code=401)
        conversation_id = request.path_params["conversation_id"]
        events = json.loads(await request.body())
        events = events if isinstance(events, list) else [events]
        self.calls.append(Call("events", conversation_id, events, dict(request.query_params)))
        if any(event.get("event") == "resume" for event in events):
            self.paused.discard(conversation_id)
        return JSONResponse({"sender_id": conversation_id, "paused": conversation_id in self.paused})

    async def _trigger(self, request: Request) -> JSONResponse:
        if not self._authorised(request):
            return JSONResponse({"status": "failure", "reason": "NotAuthenticated"}, status_code=401)
        conversation_id = request.path_params["conversation_id"]
        body = json.loads(await request.body())
        self.calls.append(Call("trigger", conversation_id, body, dict(request.query_params)))
        messages: List[Dict[str, Any]] = []
        if conversation_id not in self.paused:
            if body.get("name") == "EXTERNAL_handback":
                messages = [{"recipient_id": conversation_id, "text": BACK}]
            elif body.get("name") == "EXTERNAL_handoff_closed":
                messages = [{"recipient_id": conversation_id, "text": CLOSED, "buttons": RATING_BUTTONS}]
        return JSONResponse({"tracker": {"sender_id": conversation_id}, "messages": messages})

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route("/webhooks/app/webhook", self._webhook, methods=["POST"]),
            Route("/conversations/{conversation_id:path}/tracker/events", self._events, methods=["POST"]),
            Route("/conversations/{conversation_id:path}/trigger_intent", self._trigger, methods=["POST"]),
        ])

    def transport(self) -> httpx.AsyncBaseTransport:
        return _Switchable(self, httpx.ASGITransport(app=self.app()))


class _Switchable(httpx.AsyncBaseTransport):
    def __init__(self, fake: FakeRasa, inner: httpx.AsyncBaseTransport) -> None:
        self._fake = fake
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._fake.down:
            raise httpx.ConnectError("connection refused", request=request)
        return await self._inner.handle_async_request(request)
