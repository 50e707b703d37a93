"""Server-Sent Events from Redis pub/sub (``text/event-stream``) for the chat and desk pages.

:func:`open_subscription` subscribes first (a Redis that is down is a 503
before any byte of the stream), then :func:`sse_response` streams::

    retry: 3000            (once: how long a browser waits before reconnecting)
    : connected            (once: the headers and the first bytes leave at once)
    event: message         (each published event the filter lets through)
    data: {...}

    : ping                 (a comment every ``heartbeat`` seconds without an event)

The pages read it with ``fetch()`` (EventSource cannot send the Authorization
header), so nothing may buffer it: no compression, ``Cache-Control:
no-cache`` and ``X-Accel-Buffering: no`` for a proxy in front. The stream ends
when the client disconnects (polled every ``poll`` seconds, and a failed send),
when the caller's token expires (the page logs in again), or when Redis fails
(the page reconnects and reloads what it missed from the API); the
subscription is closed in every case.
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from datetime import datetime
from typing import Any, AsyncIterator, Awaitable, Callable, Dict, Mapping, Optional, Sequence, Tuple

import redis
import redis.asyncio
from fastapi import Request
from fastapi.responses import StreamingResponse

from bot.desk.texts import DeskError
from bot.handoff.live import decode

__all__ = ["HEARTBEAT_SECONDS", "Filter", "sse_event", "open_subscription", "sse_response", "STREAM_HEADERS"]

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15.0
POLL_SECONDS = 1.0
RETRY_MILLISECONDS = 3000
STREAM_HEADERS = {"Cache-Control": "no-cache, no-transform", "X-Accel-Buffering": "no"}

# (channel, event, data) -> what to send, or None to skip it
Filter = Callable[[str, str, Dict[str, Any]], Awaitable[Optional[Tuple[str, Mapping[str, Any]]]]]


def sse_event(event: str, data: Mapping[str, Any]) -> bytes:
    """One event; the data is one line of JSON (JSON escapes line breaks inside strings)."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False, separators=(',', ':'))}\n\n".encode("utf-8")


async def _pass_through(_channel: str, event: str, data: Dict[str, Any]) -> Optional[Tuple[str, Mapping[str, Any]]]:
    return event, data


async def open_subscription(client: Optional["redis.asyncio.Redis"], channels: Sequence[str] = (),
                            patterns: Sequence[str] = ()) -> "redis.asyncio.client.PubSub":
    """A subscription to ``channels`` and ``patterns``; 503 when Redis is not there."""
    if client is None:
        raise DeskError(503, "store_unavailable")
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    try:
        if channels:
            await pubsub.subscribe(*channels)
        if patterns:
            await pubsub.psubscribe(*patterns)
    except (redis.RedisError, OSError) as error:
        logger.warning("live stream: cannot subscribe (%s)", type(error).__name__)
        await _close(pubsub)
        raise DeskError(503, "store_unavailable", {"Retry-After": "3"}) from None
    return pubsub


async def _close(pubsub: "redis.asyncio.client.PubSub") -> None:
    try:
        await pubsub.unsubscribe()
        await pubsub.punsubscribe()
    except (redis.RedisError, OSError):
        pass
    try:
        await pubsub.close()
    except (redis.RedisError, OSError):
        pass


async def _events(request: Request, pubsub: "redis.asyncio.client.PubSub", accept: Filter, until: datetime,
                  clock: Callable[[], datetime], heartbeat: float, poll: float) -> AsyncIterator[bytes]:
    try:
        yield f"retry: {RETRY_MILLISECONDS}\n: connected\n\n".encode("utf-8")
        last_sent = time.monotonic()
        while True:
            if await request.is_disconnected() or clock() >= until:
                return
            try:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=poll)
            except (redis.RedisError, OSError) as error:
                logger.warning("live stream: Redis failed (%s); the page reconnects", type(error).__name__)
                return
            if message is not None and message.get("type") in ("message", "pmessage"):
                decoded = decode(message.get("data"))
                channel = message.get("channel")
                channel = channel.decode("utf-8") if isinstance(channel, bytes) else str(channel)
                chosen = await accept(channel, *decoded) if decoded is not None else None
                if chosen is not None:
                    yield sse_event(*chosen)
                    last_sent = time.monotonic()
                    continue
            if time.monotonic() - last_sent >= heartbeat:
                yield b": ping\n\n"
                last_sent = time.monotonic()
            elif message is None:
                await asyncio.sleep(0)  # get_message may return at once while nothing is subscribed yet
    finally:
        await _close(pubsub)


def sse_response(request: Request, pubsub: "redis.asyncio.client.PubSub", *, until: datetime,
                 clock: Callable[[], datetime], accept: Optional[Filter] = None,
                 heartbeat: float = HEARTBEAT_SECONDS, poll: float = POLL_SECONDS) -> StreamingResponse:
    """The stream of what ``pubsub`` hears and ``accept`` lets through, until disconnect or ``until``."""
    return StreamingResponse(_events(request, pubsub, accept or _pass_through, until, clock, heartbeat, poll),
                             media_type="text/event-stream", headers=STREAM_HEADERS)
