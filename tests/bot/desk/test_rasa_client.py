"""The desk server's Rasa client: what it sends, and how Rasa's failures come back."""
from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone
from typing import List

import httpx
import pytest

from bot.desk.rasa_client import (
    RESUME,
    BotMessage,
    Button,
    RasaClient,
    RasaError,
    RasaUnavailable,
    agent_event,
    user_event,
)
from bot.identity import Principal, Role

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=timezone.utc)


def client_with(answer, seen: List[httpx.Request], api_token: str = "api-token") -> RasaClient:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer(request)

    return RasaClient("http://rasa.test/", api_token, transport=httpx.MockTransport(handler), backoff=0)


def test_a_message_goes_to_the_app_channel_with_the_token_in_metadata() -> None:
    seen: List[httpx.Request] = []
    rasa = client_with(lambda request: httpx.Response(200, json=[
        {"recipient_id": "client:C000001", "text": "您好", "buttons": [{"title": "查余额", "payload": "/check_balance"}]},
        {"recipient_id": "client:C000001", "image": "https://example.test/x.png"},  # nothing a page shows
    ]), seen)
    answers = asyncio.run(rasa.send_message("the-token", "你好"))
    assert answers == [BotMessage("您好", (Button("查余额", "/check_balance"),))]
    assert seen[0].url.path == "/webhooks/app/webhook" and "token" not in seen[0].url.params
    assert json.loads(seen[0].content) == {"sender": "web", "message": "你好", "metadata": {"token": "the-token"}}


def test_tracker_events_and_trigger_intent_carry_the_api_token() -> None:
    seen: List[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/trigger_intent"):
            return httpx.Response(200, json={"tracker": {}, "messages": [{"recipient_id": "x", "text": "我回来了"}]})
        return httpx.Response(200, json={})

    rasa = client_with(answer, seen)
    asyncio.run(rasa.append_events("client:C000001", [RESUME]))
    messages = asyncio.run(rasa.trigger_intent("client:C000001", "EXTERNAL_handback"))
    assert [message.text for message in messages] == ["我回来了"]
    assert [request.url.path for request in seen] == ["/conversations/client:C000001/tracker/events",
                                                      "/conversations/client:C000001/trigger_intent"]
    assert all(request.url.params["token"] == "api-token" for request in seen)
    assert json.loads(seen[0].content) == [{"event": "resume"}]
    assert json.loads(seen[1].content) == {"name": "EXTERNAL_handback", "entities": {}}


def test_a_refused_connection_is_tried_again_then_unavailable() -> None:
    seen: List[httpx.Request] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    rasa = client_with(refuse, seen)
    with pytest.raises(RasaUnavailable):
        asyncio.run(rasa.send_message("t", "你好"))
    assert len(seen) == 2


def test_a_timeout_is_not_tried_again_a_message_must_not_be_answered_twice() -> None:
    seen: List[httpx.Request] = []

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(RasaUnavailable):
        asyncio.run(client_with(slow, seen).send_message("t", "你好"))
    assert len(seen) == 1


@pytest.mark.parametrize("response, error", [
    (httpx.Response(500, json={}), RasaUnavailable),
    (httpx.Response(503, text="busy"), RasaUnavailable),
    (httpx.Response(401, json={"reason": "NotAuthenticated"}), RasaError),
    (httpx.Response(404, json={}), RasaError),
    (httpx.Response(200, text="not json"), RasaError),
    (httpx.Response(200, json={"not": "a list"}), RasaError),
])
def test_unexpected_answers_are_translated(response: httpx.Response, error: type) -> None:
    with pytest.raises(error):
        asyncio.run(client_with(lambda request: response, []).send_message("t", "你好"))


def test_the_event_shapes() -> None:
    principal = Principal(Role.CLIENT, "C000001", NOW.replace(hour=10))
    said = user_event("还在吗", principal, NOW)
    assert said["event"] == "user" and said["text"] == "还在吗" and said["input_channel"] == "app"
    assert said["metadata"] == principal.to_metadata() and said["timestamp"] == NOW.timestamp()
    assert "parse_data" not in said  # the NLU never read it
    replied = agent_event("您好", "CC001", "林晓", NOW)
    assert replied == {"event": "bot", "text": "您好", "timestamp": NOW.timestamp(),
                       "metadata": {"agent_id": "CC001", "agent_name": "林晓"}}
