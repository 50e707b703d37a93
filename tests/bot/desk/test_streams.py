"""The live streams, through a real uvicorn and the real Redis: what each page hears, and when it stops."""
from __future__ import annotations

import asyncio
import json
import time
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, Iterator, List, Optional, Tuple

import httpx
import redis

from bot.desk.streams import sse_response
from bot.handoff.live import (
    conversation_channel,
    handoff_channel,
    publish_csat,
    publish_queue_change,
    publish_to_conversation,
)
from bot.handoff.triggers import HandoffReason
from tests.bot.desk.conftest import ServedDesk

READ_TIMEOUT = 10.0  # a stream that says nothing this long fails the test instead of hanging it


class EventReader:
    """Reads ``event:``/``data:`` blocks from an open text/event-stream response."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.lines = response.iter_lines()
        self.comments: List[str] = []

    def next_event(self) -> Tuple[str, Dict[str, Any]]:
        name, data = "message", []
        for line in self.lines:
            if line.startswith(":"):
                self.comments.append(line)
            elif line.startswith("event:"):
                name = line[len("event:"):].strip()
            elif line.startswith("data:"):
                data.append(line[len("data:"):].strip())
            elif line == "" and data:
                return name, json.loads("\n".join(data))
        raise AssertionError("the stream ended")

    def wait_connected(self) -> None:
        for line in self.lines:
            if line == ": connected":
                return
        raise AssertionError("the stream ended before it was connected")


@contextmanager
def stream(desk: ServedDesk, path: str, headers: Dict[str, str]) -> Iterator[EventReader]:
    timeout = httpx.Timeout(READ_TIMEOUT, connect=5.0)
    with httpx.Client(timeout=timeout) as http:
        with http.stream("GET", f"{desk.url}{path}", headers=headers) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            assert response.headers["cache-control"].startswith("no-cache")
            reader = EventReader(response)
            reader.wait_connected()
            yield reader


def post(desk: ServedDesk, path: str, headers: Dict[str, str], body: Optional[dict] = None) -> httpx.Response:
    return httpx.post(f"{desk.url}{path}", json=body, headers=headers, timeout=10)


def subscribers(client: redis.Redis, channel: str) -> int:
    return dict(client.pubsub_numsub(channel)).get(channel.encode(), 0)


def test_the_client_hears_who_joined_and_what_they_wrote(served_desk: ServedDesk) -> None:
    opened = served_desk.open_handoff("C000001")
    client, rm = served_desk.login("C000001"), served_desk.login("RM001")
    with stream(served_desk, "/api/chat/stream", client) as events:
        assert post(served_desk, f"/api/desk/handoffs/{opened.id}/take", rm).status_code == 200
        name, state = events.next_event()
        assert name == "handoff" and state["status"] == "taken" and state["taken_by_name"]
        assert post(served_desk, f"/api/desk/handoffs/{opened.id}/reply", rm, {"text": "王先生您好"}).status_code == 200
        name, message = events.next_event()
        assert name == "message" and message["from"] == "agent" and message["text"] == "王先生您好"
        assert post(served_desk, f"/api/desk/handoffs/{opened.id}/hand-back", rm).status_code == 200
        name, state = events.next_event()
        assert name == "handoff" and state["status"] == "handed_back"
        name, message = events.next_event()
        assert name == "message" and message["from"] == "bot" and message["text"]


def test_the_desk_hears_the_queue_and_the_messages_it_may_see(served_desk: ServedDesk,
                                                              redis_sync: redis.Redis) -> None:
    client = served_desk.login("C000001")
    rm1, rm3 = served_desk.login("RM001"), served_desk.login("RM003")
    opened = served_desk.open_handoff("C000001")  # RM001's client: RM003 may not see it
    with stream(served_desk, "/api/desk/stream", rm1) as own, stream(served_desk, "/api/desk/stream", rm3) as other:
        assert post(served_desk, "/api/chat/messages", client, {"text": "还在吗"}).status_code == 200
        name, data = own.next_event()
        assert name == "message" and data["handoff_id"] == opened.id and data["message"]["text"] == "还在吗"
        # the action server opens a handoff of RM003's client and says so: RM003 hears that first,
        # and never heard the message above
        theirs = served_desk.open_handoff("C000004")
        assert publish_queue_change(redis_sync, theirs.id, "waiting", namespace=served_desk.namespace)
        name, item = other.next_event()
        assert name == "queue" and item["id"] == theirs.id and item["client_id"] == "C000004"
        assert item["status"] == "waiting" and item["reason_label"]


def test_the_desk_hears_a_rating_of_a_handoff_it_may_see(served_desk: ServedDesk, redis_sync: redis.Redis) -> None:
    opened = served_desk.open_handoff("C000001")
    hidden = served_desk.open_handoff("C000003")  # RM002's client
    with stream(served_desk, "/api/desk/stream", served_desk.login("RM001")) as events:
        assert publish_csat(redis_sync, hidden.id, 1, namespace=served_desk.namespace)
        assert publish_csat(redis_sync, opened.id, 5, "很好", namespace=served_desk.namespace)
        assert events.next_event() == ("csat", {"handoff_id": opened.id, "score": 5, "comment": "很好"})


def test_a_desk_hears_when_a_handoff_it_saw_is_taken_by_someone_else(served_desk: ServedDesk) -> None:
    opened = served_desk.open_handoff("C000001", HandoffReason.CARD_LOSS)  # the contact center's
    first, second = served_desk.login("CC001"), served_desk.login("CC002")
    with stream(served_desk, "/api/desk/stream", second) as events:
        assert post(served_desk, f"/api/desk/handoffs/{opened.id}/take", first).status_code == 200
        name, item = events.next_event()
        assert name == "queue" and item["id"] == opened.id and item["status"] == "taken"


def test_a_stream_ends_when_the_client_goes_away(served_desk: ServedDesk, redis_sync: redis.Redis) -> None:
    client = served_desk.login("C000001")
    channel = conversation_channel("client:C000001", served_desk.namespace)
    with stream(served_desk, "/api/chat/stream", client):
        assert subscribers(redis_sync, channel) == 1
    deadline = time.monotonic() + 10
    while subscribers(redis_sync, channel) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert subscribers(redis_sync, channel) == 0


def test_a_client_hears_only_their_own_conversation(served_desk: ServedDesk, redis_sync: redis.Redis) -> None:
    namespace = served_desk.namespace
    with stream(served_desk, "/api/chat/stream", served_desk.login("C000001")) as events:
        publish_to_conversation(redis_sync, "client:C000003", {"id": "m1", "text": "别人的"}, namespace=namespace)
        publish_to_conversation(redis_sync, "client:C000001", {"id": "m2", "text": "自己的"}, namespace=namespace)
        name, message = events.next_event()
        assert (name, message["text"]) == ("message", "自己的")
    assert subscribers(redis_sync, handoff_channel("HO-X", namespace)) == 0


def test_streams_are_refused_to_the_wrong_role(served_desk: ServedDesk) -> None:
    client, rm = served_desk.login("C000001"), served_desk.login("RM001")
    with httpx.Client(timeout=5) as http:
        assert http.get(f"{served_desk.url}/api/desk/stream", headers=client).status_code == 403
        assert http.get(f"{served_desk.url}/api/chat/stream", headers=rm).status_code == 403
        assert http.get(f"{served_desk.url}/api/chat/stream").status_code == 401


# ---------------------------------------------------------------------------- heartbeats and the end
class _QuietPubSub:
    """A subscription on which nothing is published."""

    closed = False

    async def get_message(self, ignore_subscribe_messages: bool = True, timeout: float = 0.0) -> None:
        await asyncio.sleep(timeout)
        return None

    async def unsubscribe(self) -> None: ...

    async def punsubscribe(self) -> None: ...

    async def close(self) -> None:
        self.closed = True


class _Request:
    def __init__(self, disconnect_after: int) -> None:
        self.checks = 0
        self.disconnect_after = disconnect_after

    async def is_disconnected(self) -> bool:
        self.checks += 1
        return self.checks > self.disconnect_after


async def _body(response: Any) -> bytes:
    return b"".join([chunk async for chunk in response.body_iterator])


def test_a_quiet_stream_sends_heartbeats_and_closes_its_subscription_on_disconnect() -> None:
    pubsub = _QuietPubSub()
    now = datetime.now(timezone.utc)
    response = sse_response(_Request(disconnect_after=5), pubsub, until=now + timedelta(hours=1),  # type: ignore
                            clock=lambda: now, heartbeat=0.0, poll=0.001)
    body = asyncio.run(_body(response)).decode()
    assert body.startswith("retry: 3000\n: connected\n\n")
    assert body.count(": ping\n\n") >= 4
    assert pubsub.closed


def test_a_stream_ends_when_the_token_expires() -> None:
    pubsub = _QuietPubSub()
    now = datetime.now(timezone.utc)
    response = sse_response(_Request(disconnect_after=10**9), pubsub, until=now, clock=lambda: now,  # type: ignore
                            heartbeat=60.0, poll=0.001)
    assert asyncio.run(_body(response)).decode() == "retry: 3000\n: connected\n\n"
    assert pubsub.closed
