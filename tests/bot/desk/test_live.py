"""bot.handoff.live: live updates over Redis pub/sub: channel names, the message format, and a Redis that is down."""
from __future__ import annotations

import os
import time
import uuid

import pytest
import redis

from bot.handoff.live import (
    conversation_channel,
    decode,
    encode,
    handoff_channel,
    handoff_id_of_channel,
    publish_queue_change,
    publish_to_conversation,
    publish_to_handoff,
    queue_channel,
    redis_from_environment,
)
from bot.handoff.store import HandoffStatus
from tests.conftest import free_port

REDIS_PORT = int(os.environ.get("REDIS_PORT", "6379"))


def test_channel_names() -> None:
    assert queue_channel() == "desk:queue"
    assert conversation_channel("client:C000001") == "chat:client:C000001"
    assert handoff_channel("HO-0123456789AB") == "handoff:HO-0123456789AB"
    assert handoff_id_of_channel("handoff:HO-0123456789AB") == "HO-0123456789AB"
    assert handoff_id_of_channel("t:handoff:HO-1", "t:") == "HO-1"
    assert handoff_id_of_channel("chat:client:C000001") is None


def test_messages_round_trip_and_junk_is_skipped() -> None:
    assert decode(encode("message", {"text": "您好"}).encode("utf-8")) == ("message", {"text": "您好"})
    for junk in (b"not json", b'{"event": "other", "data": {}}', b'{"event": "queue", "data": []}', b"\xff"):
        assert decode(junk) is None
    with pytest.raises(ValueError):
        encode("unknown", {})


def test_publishers_reach_a_subscriber() -> None:
    client = redis.Redis(port=REDIS_PORT, db=3)
    namespace = f"live-test-{uuid.uuid4().hex[:8]}:"
    subscription = client.pubsub(ignore_subscribe_messages=True)
    subscription.subscribe(queue_channel(namespace), conversation_channel("client:C000001", namespace),
                           handoff_channel("HO-1", namespace))
    assert publish_queue_change(client, "HO-1", HandoffStatus.TAKEN, namespace=namespace)
    assert publish_to_conversation(client, "client:C000001", {"status": "taken"}, event="handoff",
                                   namespace=namespace)
    assert publish_to_handoff(client, "HO-1", {"text": "还在吗"}, namespace=namespace)
    heard = []
    deadline = time.monotonic() + 10
    while len(heard) < 3 and time.monotonic() < deadline:
        message = subscription.get_message(timeout=1)  # None also for the ignored subscribe confirmations
        if message is not None and message["type"] == "message":
            heard.append(decode(message["data"]))
    assert heard == [("queue", {"id": "HO-1", "status": "taken"}), ("handoff", {"status": "taken"}),
                     ("message", {"handoff_id": "HO-1", "message": {"text": "还在吗"}})]
    subscription.close()
    client.close()


def test_a_redis_that_is_down_is_logged_and_ignored(caplog: pytest.LogCaptureFixture) -> None:
    down = redis_from_environment({"REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(free_port())})
    assert publish_queue_change(down, "HO-1", "waiting") is False
    assert publish_to_conversation(down, "client:C000001", {"text": "秘密"}) is False
    assert publish_queue_change(None, "HO-1", "waiting") is False
    assert "could not publish" in caplog.text and "秘密" not in caplog.text
