"""Live updates between the processes over Redis pub/sub: the channel names and the publishers.

Channels (each message is JSON ``{"event": <SSE event name>, "data": <the event's JSON>}``)::

    desk:queue               "queue":   {"id", "status"}            a handoff was opened, taken or ended
    chat:{conversation_id}   "message": Message                     to the client's page (agent replies,
                                                                    the bot's hand-back and close messages)
                             "handoff": HandoffState                the handoff changed (taken, ended)
    handoff:{handoff_id}     "message": {"handoff_id", "message": Message}   to the desks that may see it
                             "csat":    {"handoff_id", "score", "comment"}   the client rated it

Pub/sub only tells who is listening now; SQL is the record (``bot.handoff.store``)
and a page that was away reloads from the desk server's API. So a Redis that is
down or slow is logged and ignored: every publisher returns whether it published
and never raises.

Redis pub/sub ignores the database number: ``namespace`` (default none) prefixes
every channel name, so tests on a shared Redis do not hear the running demo.
The synchronous publishers serve the action server; the ``a``-prefixed ones the
desk server (``redis.asyncio``).
"""
from __future__ import annotations

import json
import logging
from typing import Any, Mapping, Optional

import redis
import redis.asyncio

__all__ = [
    "QUEUE_CHANNEL",
    "QUEUE_EVENT",
    "MESSAGE_EVENT",
    "HANDOFF_EVENT",
    "CSAT_EVENT",
    "queue_channel",
    "conversation_channel",
    "handoff_channel",
    "handoff_channel_pattern",
    "handoff_id_of_channel",
    "encode",
    "decode",
    "redis_from_environment",
    "async_redis_from_environment",
    "publish_queue_change",
    "publish_to_conversation",
    "publish_to_handoff",
    "publish_csat",
    "apublish_queue_change",
    "apublish_to_conversation",
    "apublish_to_handoff",
]

logger = logging.getLogger(__name__)

QUEUE_CHANNEL = "desk:queue"
QUEUE_EVENT = "queue"
MESSAGE_EVENT = "message"
HANDOFF_EVENT = "handoff"
CSAT_EVENT = "csat"
_CONVERSATION_PREFIX = "chat:"
_HANDOFF_PREFIX = "handoff:"
_EVENTS = frozenset({QUEUE_EVENT, MESSAGE_EVENT, HANDOFF_EVENT, CSAT_EVENT})
# a publish must not hold up a client's answer when Redis is unreachable
CONNECT_TIMEOUT = 0.5
SOCKET_TIMEOUT = 2.0


def queue_channel(namespace: str = "") -> str:
    return f"{namespace}{QUEUE_CHANNEL}"


def conversation_channel(conversation_id: str, namespace: str = "") -> str:
    return f"{namespace}{_CONVERSATION_PREFIX}{conversation_id}"


def handoff_channel(handoff_id: str, namespace: str = "") -> str:
    return f"{namespace}{_HANDOFF_PREFIX}{handoff_id}"


def handoff_channel_pattern(namespace: str = "") -> str:
    """The pattern of every handoff's channel (a desk stream subscribes to it and filters)."""
    return f"{namespace}{_HANDOFF_PREFIX}*"


def handoff_id_of_channel(channel: str, namespace: str = "") -> Optional[str]:
    """``HO-…`` of ``handoff:HO-…``; None for any other channel."""
    prefix = f"{namespace}{_HANDOFF_PREFIX}"
    return channel[len(prefix):] if channel.startswith(prefix) and len(channel) > len(prefix) else None


def encode(event: str, data: Mapping[str, Any]) -> str:
    if event not in _EVENTS:
        raise ValueError(f"unknown live event {event!r}")
    return json.dumps({"event": event, "data": dict(data)}, ensure_ascii=False, separators=(",", ":"))


def decode(raw: Any) -> Optional[tuple]:
    """``(event, data)`` of a published message; None for anything else (logged, skipped)."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, (bytes, bytearray)) else raw
        message = json.loads(text)
        event, data = message["event"], message["data"]
    except (ValueError, TypeError, KeyError, AttributeError):
        logger.warning("live: an unreadable message on the bus was skipped")
        return None
    if event not in _EVENTS or not isinstance(data, dict):
        logger.warning("live: a message of an unknown kind was skipped")
        return None
    return event, data


def _status_value(status: Any) -> str:
    """``"waiting"`` of ``HandoffStatus.WAITING`` (``str()`` of a str Enum is its name) or of ``"waiting"``."""
    return str(getattr(status, "value", status))


def _connection_arguments(environ: Mapping[str, str]) -> dict:
    return {
        "host": environ.get("REDIS_HOST", "").strip() or "localhost",
        "port": int(environ.get("REDIS_PORT", "").strip() or 6379),
        "db": int(environ.get("REDIS_DB", "").strip() or 0),
        "socket_connect_timeout": CONNECT_TIMEOUT,
        "socket_timeout": SOCKET_TIMEOUT,
    }


def redis_from_environment(environ: Mapping[str, str]) -> "redis.Redis":
    """A client of ``REDIS_HOST``/``REDIS_PORT``/``REDIS_DB`` (defaults localhost, 6379, 0), short timeouts.

    Connecting is lazy: a Redis that is down shows on the first publish, which logs it.
    """
    return redis.Redis(**_connection_arguments(environ))


def async_redis_from_environment(environ: Mapping[str, str]) -> "redis.asyncio.Redis":
    """The same for asyncio code. No socket timeout: a subscriber waits for messages as long as it likes."""
    arguments = _connection_arguments(environ)
    arguments["socket_timeout"] = None
    return redis.asyncio.Redis(**arguments)


# ---------------------------------------------------------------- synchronous (the action server)
def _publish(client: Optional["redis.Redis"], channel: str, event: str, data: Mapping[str, Any]) -> bool:
    if client is None:
        return False
    payload = encode(event, data)
    try:
        client.publish(channel, payload)
    except (redis.RedisError, OSError) as error:
        logger.warning("live: could not publish a %s event (%s); SQL keeps the record", event,
                       type(error).__name__)
        return False
    return True


def publish_queue_change(client: Optional["redis.Redis"], handoff_id: str, status: Any, *,
                         namespace: str = "") -> bool:
    """Tells the desks a handoff was opened, taken or ended; they re-read their queue."""
    return _publish(client, queue_channel(namespace), QUEUE_EVENT, {"id": handoff_id, "status": _status_value(status)})


def publish_to_conversation(client: Optional["redis.Redis"], conversation_id: str, message: Mapping[str, Any],
                            *, event: str = MESSAGE_EVENT, namespace: str = "") -> bool:
    """A message (or with ``event="handoff"`` the handoff's state) for the client's open page."""
    return _publish(client, conversation_channel(conversation_id, namespace), event, message)


def publish_to_handoff(client: Optional["redis.Redis"], handoff_id: str, message: Mapping[str, Any], *,
                       namespace: str = "") -> bool:
    """A message of the handoff's conversation for the desks that may see it."""
    return _publish(client, handoff_channel(handoff_id, namespace), MESSAGE_EVENT,
                    {"handoff_id": handoff_id, "message": dict(message)})


def publish_csat(client: Optional["redis.Redis"], handoff_id: str, score: int, comment: Optional[str] = None, *,
                 namespace: str = "") -> bool:
    """The client's rating (and comment, masked) of a handoff, for the desks that may see it."""
    return _publish(client, handoff_channel(handoff_id, namespace), CSAT_EVENT,
                    {"handoff_id": handoff_id, "score": score, "comment": comment})


# ---------------------------------------------------------------- asyncio (the desk server)
async def _apublish(client: Optional["redis.asyncio.Redis"], channel: str, event: str,
                    data: Mapping[str, Any]) -> bool:
    if client is None:
        return False
    payload = encode(event, data)
    try:
        await client.publish(channel, payload)
    except (redis.RedisError, OSError) as error:
        logger.warning("live: could not publish a %s event (%s); SQL keeps the record", event,
                       type(error).__name__)
        return False
    return True


async def apublish_queue_change(client: Optional["redis.asyncio.Redis"], handoff_id: str, status: Any, *,
                                namespace: str = "") -> bool:
    return await _apublish(client, queue_channel(namespace), QUEUE_EVENT,
                           {"id": handoff_id, "status": _status_value(status)})


async def apublish_to_conversation(client: Optional["redis.asyncio.Redis"], conversation_id: str,
                                   message: Mapping[str, Any], *, event: str = MESSAGE_EVENT,
                                   namespace: str = "") -> bool:
    return await _apublish(client, conversation_channel(conversation_id, namespace), event, message)


async def apublish_to_handoff(client: Optional["redis.asyncio.Redis"], handoff_id: str,
                              message: Mapping[str, Any], *, namespace: str = "") -> bool:
    return await _apublish(client, handoff_channel(handoff_id, namespace), MESSAGE_EVENT,
                           {"handoff_id": handoff_id, "message": dict(message)})
