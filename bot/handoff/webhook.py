"""The contact-center webhook: handoff events posted to the bank's own platform, signed, through an outbox.

When ``CONTACT_CENTER_WEBHOOK_URL`` is set, every handoff event
(``handoff.created``, ``handoff.ended``) is written to the ``webhook_outbox``
table of the profile store and committed before anything is sent, exactly
like a complaint in ``case_outbox`` (:mod:`bot.cases.outbox`). The body is
fixed when the row is written: every attempt posts the same bytes and the
same ``Idempotency-Key`` (also the body's ``id``), so a receiver that saw an
event once can drop the repeats. ``python -m bot outbox-sender``
(:mod:`bot.outbox_sender`) delivers what is due every interval:

- 2xx: delivered (``delivered_at``); never sent again.
- connection error, timeout, 408, 429, 5xx: unavailable; retried after 5 s,
  10 s, 20 s … at most 5 min (:func:`bot.cases.outbox.retry_delay`); the
  round stops there, the rest waits for the next one.
- any other answer (3xx, 4xx: the receiver refuses it): kept, logged as an
  error, retried every 5 min until an operator fixes the receiver.

Rows are never deleted. ``last_error`` holds an error class or ``http_<status>``,
never text from either side.

Each POST is signed (HMAC-SHA256 with ``CONTACT_CENTER_WEBHOOK_SECRET``)::

    X-Premier-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">
    X-Premier-Event: handoff.created | handoff.ended
    Idempotency-Key: <the body's id>

A receiver checks it with :func:`verify` (or the same three lines in its own
language): recompute the HMAC over ``"<t>." + raw body``, compare in
constant time, refuse a ``t`` more than 5 minutes from its clock. The
timestamp is taken at each attempt, so a retry an hour later still verifies.

The body (UTF-8 JSON)::

    {"id": "<idempotency key>", "event": "handoff.created", "occurred_at": "<ISO 8601>",
     "handoff": {"id", "conversation_id", "status", "reason", "urgent",
                 "target": {"kind", "id", "name"}, "reply_expected_by", "package": {…}}}

``package`` is the context package (:mod:`bot.handoff.package`), masked when
it was built; the handoff part is masked once more here (:func:`bot.masking.mask_value`)
so nothing unmasked leaves the bank through this door.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from enum import Enum
from typing import Any, Callable, ContextManager, Dict, List, Mapping, Optional, Protocol, Tuple
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.cases.delivery import DeliveryRound
from bot.cases.outbox import retry_delay
from bot.identity.secret import MIN_SECRET_BYTES
from bot.masking import mask_value
from bot.profile.models import WebhookOutbox

__all__ = [
    "URL_ENV",
    "SECRET_ENV",
    "EVENTS",
    "HANDOFF_CREATED",
    "HANDOFF_ENDED",
    "SIGNATURE_HEADER",
    "EVENT_HEADER",
    "IDEMPOTENCY_HEADER",
    "DEFAULT_TOLERANCE",
    "REFUSED_RETRY",
    "WebhookConfigError",
    "WebhookConfig",
    "WebhookEntry",
    "HandoffLike",
    "webhook_payload",
    "sign",
    "verify",
    "enqueue_if_configured",
    "due_entries",
    "entries_of_handoff",
    "deliver_due",
    "send_now",
    "open_http",
]

logger = logging.getLogger(__name__)

URL_ENV = "CONTACT_CENTER_WEBHOOK_URL"
SECRET_ENV = "CONTACT_CENTER_WEBHOOK_SECRET"
HANDOFF_CREATED = "handoff.created"
HANDOFF_ENDED = "handoff.ended"
EVENTS = (HANDOFF_CREATED, HANDOFF_ENDED)
SIGNATURE_HEADER = "X-Premier-Signature"
EVENT_HEADER = "X-Premier-Event"
IDEMPOTENCY_HEADER = "Idempotency-Key"
DEFAULT_TOLERANCE = timedelta(seconds=300)
REFUSED_RETRY = timedelta(minutes=5)  # a refused event waits for an operator, not for a reboot
_UNAVAILABLE_STATUSES = frozenset({408, 429})  # like 5xx: the receiver may take it later
_USER_AGENT = "premier-assistant-webhook/1"


class WebhookConfigError(ValueError):
    """The webhook is configured half or wrongly (a URL without a secret, a short secret, a bad URL)."""


@dataclass(frozen=True)
class WebhookConfig:
    """Where handoff events go and the secret that signs them; ``timeout`` per attempt, in seconds."""

    url: str
    secret: str = field(repr=False)
    timeout: float = 5.0

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise WebhookConfigError(f"{URL_ENV} must be an http:// or https:// URL with a host")
        if len(self.secret.encode("utf-8")) < MIN_SECRET_BYTES:
            raise WebhookConfigError(f"{SECRET_ENV} must be at least {MIN_SECRET_BYTES} characters "
                                     "(e.g. python -c 'import secrets; print(secrets.token_hex(32))')")
        if self.timeout <= 0:
            raise WebhookConfigError("the webhook timeout must be positive")

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> Optional["WebhookConfig"]:
        """The webhook from ``CONTACT_CENTER_WEBHOOK_URL`` and ``…_SECRET``; None when neither is set.

        Raises :class:`WebhookConfigError` at start-up when only one is set or either is unusable,
        so a half-configured webhook never silently drops events.
        """
        url = environ.get(URL_ENV, "").strip()
        secret = environ.get(SECRET_ENV, "").strip()
        if not url and not secret:
            return None
        if not secret:
            raise WebhookConfigError(f"{URL_ENV} is set but {SECRET_ENV} is not: the contact-center webhook "
                                     "signs every event and needs a secret shared with the receiver")
        if not url:
            raise WebhookConfigError(f"{SECRET_ENV} is set but {URL_ENV} is not: set both, or neither "
                                     "to turn the contact-center webhook off")
        return cls(url=url, secret=secret)


@dataclass(frozen=True)
class WebhookEntry:
    """One handoff event in the outbox and where its delivery stands. ``body`` is the exact JSON sent."""

    idempotency_key: str
    event: str
    handoff_id: str
    body: str
    created_at: datetime
    attempts: int
    next_attempt_at: datetime
    delivered_at: Optional[datetime]
    last_error: Optional[str]

    @property
    def delivered(self) -> bool:
        return self.delivered_at is not None


def _entry(row: WebhookOutbox) -> WebhookEntry:
    return WebhookEntry(
        idempotency_key=row.idempotency_key,
        event=row.event,
        handoff_id=row.handoff_id,
        body=row.payload,
        created_at=row.created_at,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        delivered_at=row.delivered_at,
        last_error=row.last_error,
    )


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


# --- the body --------------------------------------------------------------------------------------

class _JsonPackage(Protocol):
    def to_json(self) -> Dict[str, Any]: ...


class HandoffLike(Protocol):
    """What :func:`webhook_payload` reads of a handoff (``bot.handoff.store.HandoffRecord`` has it all)."""

    @property
    def id(self) -> str: ...
    @property
    def conversation_id(self) -> str: ...
    @property
    def status(self) -> Any: ...  # HandoffStatus (a str enum) or its value
    @property
    def reason(self) -> Any: ...  # HandoffReason or its value
    @property
    def urgent(self) -> bool: ...
    @property
    def target_kind(self) -> Any: ...  # TargetKind or its value
    @property
    def target_id(self) -> str: ...
    @property
    def target_name(self) -> str: ...
    @property
    def reply_expected_by(self) -> datetime: ...
    @property
    def package(self) -> _JsonPackage: ...


def _value(item: Any) -> Any:
    return getattr(item, "value", item)


def webhook_payload(record: HandoffLike) -> Dict[str, Any]:
    """The ``handoff`` part of the body for a stored handoff."""
    return {
        "id": record.id,
        "conversation_id": record.conversation_id,
        "status": _value(record.status),
        "reason": _value(record.reason),
        "urgent": bool(record.urgent),
        "target": {"kind": _value(record.target_kind), "id": record.target_id, "name": record.target_name},
        "reply_expected_by": record.reply_expected_by.isoformat(),
        "package": record.package.to_json(),
    }


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if hasattr(value, "value"):  # enums
        return value.value
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


# --- the signature ---------------------------------------------------------------------------------

def _digest(body: bytes, secret: str, timestamp: int) -> str:
    signed = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """The ``X-Premier-Signature`` value for ``body`` sent at ``timestamp`` (unix seconds)."""
    return f"t={int(timestamp)},v1={_digest(body, secret, int(timestamp))}"


def _parse_signature(header: str) -> Tuple[Optional[int], List[str]]:
    timestamp: Optional[int] = None
    signatures: List[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit() and timestamp is None:
            timestamp = int(value)
        elif key == "v1" and value:
            signatures.append(value.strip().lower())
    return timestamp, signatures


def verify(body: bytes, header: Optional[str], secret: str, now: datetime,
           tolerance: timedelta = DEFAULT_TOLERANCE) -> bool:
    """True when ``header`` signs exactly ``body`` with ``secret`` at a time within ``tolerance`` of ``now``.

    Several ``v1=`` values may be given (while a secret is being replaced); one matching is enough.
    A missing, malformed, stale or future-dated signature is refused.
    """
    if not header:
        return False
    timestamp, signatures = _parse_signature(header)
    if timestamp is None or not signatures:
        return False
    if abs(now.timestamp() - timestamp) > tolerance.total_seconds():
        return False
    expected = _digest(body, secret, timestamp)
    return any(hmac.compare_digest(expected, signature) for signature in signatures)


# --- the outbox ------------------------------------------------------------------------------------

def enqueue_if_configured(session: Session, config: Optional[WebhookConfig], event: str, handoff_id: str,
                          payload: Mapping[str, Any], now: datetime) -> Optional[WebhookEntry]:
    """Stores the event for the webhook and returns it; None when no webhook is configured.

    Commits the session: the event, and with it whatever the session holds (the handoff the
    event is about, when the caller stored it in the same session), so both are stored together.

    ``payload`` is the ``handoff`` part of the body (:func:`webhook_payload`); it is masked again
    and frozen with the event's id and time into the exact body every attempt will send.
    """
    if config is None:
        return None
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}; one of {', '.join(EVENTS)}")
    key = secrets.token_hex(16)
    body = json.dumps(
        {"id": key, "event": event, "occurred_at": now.isoformat(), "handoff": mask_value(dict(payload))},
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_json_default,
    )
    row = WebhookOutbox(idempotency_key=key, event=event, handoff_id=handoff_id, payload=body,
                        created_at=now, attempts=0, next_attempt_at=now)
    session.add(row)
    session.commit()
    return _entry(row)


def due_entries(session: Session, now: datetime, limit: int = 50) -> List[WebhookEntry]:
    """Undelivered events whose next attempt is due, oldest first."""
    rows = session.scalars(
        select(WebhookOutbox)
        .where(WebhookOutbox.delivered_at.is_(None), WebhookOutbox.next_attempt_at <= now)
        .order_by(WebhookOutbox.next_attempt_at, WebhookOutbox.id)
        .limit(limit)
    )
    return [_entry(row) for row in rows]


def entries_of_handoff(session: Session, handoff_id: str) -> List[WebhookEntry]:
    """A handoff's events as stored, oldest first."""
    rows = session.scalars(
        select(WebhookOutbox).where(WebhookOutbox.handoff_id == handoff_id)
        .order_by(WebhookOutbox.created_at, WebhookOutbox.id)
    )
    return [_entry(row) for row in rows]


def _mark_delivered(session: Session, key: str, now: datetime) -> None:
    session.execute(
        update(WebhookOutbox)
        .where(WebhookOutbox.idempotency_key == key, WebhookOutbox.delivered_at.is_(None))
        .values(delivered_at=now, attempts=WebhookOutbox.attempts + 1, last_error=None)
    )
    session.commit()


def _mark_failed(session: Session, key: str, error: str, now: datetime, refused: bool) -> None:
    row = session.scalars(select(WebhookOutbox).where(WebhookOutbox.idempotency_key == key)).one()
    if row.delivered_at is not None:
        return
    row.attempts += 1
    row.last_error = error[:64]
    row.next_attempt_at = now + (REFUSED_RETRY if refused else retry_delay(row.attempts))
    session.commit()


# --- delivery --------------------------------------------------------------------------------------

OpenSession = Callable[[], ContextManager[Session]]
Clock = Callable[[], datetime]


def open_http(config: WebhookConfig, transport: Optional[httpx.AsyncBaseTransport] = None) -> httpx.AsyncClient:
    """An HTTP client for the webhook: the config's timeout, no redirects followed (a redirect is refused)."""
    return httpx.AsyncClient(timeout=httpx.Timeout(config.timeout), follow_redirects=False, transport=transport,
                             headers={"User-Agent": _USER_AGENT})


class _Outcome(Enum):
    DELIVERED = "delivered"
    UNAVAILABLE = "unavailable"  # connection error, timeout, 408, 429, 5xx: retried with growing delays
    REFUSED = "refused"  # any other answer: kept, retried every REFUSED_RETRY


async def _attempt(open_session: OpenSession, http: httpx.AsyncClient, config: WebhookConfig,
                   entry: WebhookEntry, clock: Clock) -> _Outcome:
    """Posts one entry once and records the outcome; the session is not held while waiting."""
    body = entry.body.encode("utf-8")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        IDEMPOTENCY_HEADER: entry.idempotency_key,
        EVENT_HEADER: entry.event,
        SIGNATURE_HEADER: sign(body, config.secret, int(clock().timestamp())),
    }
    try:
        response = await http.post(config.url, content=body, headers=headers)
    except httpx.HTTPError as error:  # connect errors, timeouts, broken connections
        outcome, problem = _Outcome.UNAVAILABLE, type(error).__name__
    else:
        status = response.status_code
        problem = f"http_{status}"
        if 200 <= status < 300:
            outcome = _Outcome.DELIVERED
        elif status >= 500 or status in _UNAVAILABLE_STATUSES:
            outcome = _Outcome.UNAVAILABLE
        else:
            outcome = _Outcome.REFUSED
    with open_session() as session:
        if outcome is _Outcome.DELIVERED:
            _mark_delivered(session, entry.idempotency_key, clock())
            logger.info("webhook %s of handoff %s delivered (attempt %d)", entry.event, entry.handoff_id,
                        entry.attempts + 1)
        else:
            _mark_failed(session, entry.idempotency_key, problem, clock(), refused=outcome is _Outcome.REFUSED)
            log = logger.error if outcome is _Outcome.REFUSED else logger.warning
            log("webhook %s of handoff %s %s (%s, attempt %d)", entry.event, entry.handoff_id,
                "refused by the receiver" if outcome is _Outcome.REFUSED else "not delivered", problem,
                entry.attempts + 1)
    return outcome


async def deliver_due(open_session: OpenSession, http: httpx.AsyncClient, config: WebhookConfig,
                      clock: Clock = _utcnow, limit: int = 50) -> DeliveryRound:
    """One round of the sender: posts the due events, oldest first; stops at the first sign the
    receiver is down (a refused event does not stop the round). ``clock`` gives the time for the
    choice of due events, each signature and each mark (tests pass their own)."""
    with open_session() as session:
        due = due_entries(session, clock(), limit)
    delivered = failed = 0
    for index, entry in enumerate(due):
        outcome = await _attempt(open_session, http, config, entry, clock)
        if outcome is _Outcome.DELIVERED:
            delivered += 1
            continue
        failed += 1
        if outcome is _Outcome.UNAVAILABLE:
            return DeliveryRound(delivered, failed, len(due) - index - 1)
    return DeliveryRound(delivered, failed, 0)


async def send_now(open_session: OpenSession, config: WebhookConfig, entry: WebhookEntry, *,
                   transport: Optional[httpx.AsyncBaseTransport] = None, clock: Clock = _utcnow) -> bool:
    """One attempt right after :func:`enqueue_if_configured` (optional: the sender delivers within
    its interval anyway). Never raises: whatever fails is the sender's to retry. True when delivered."""
    try:
        async with open_http(config, transport) as http:
            return await _attempt(open_session, http, config, entry, clock) is _Outcome.DELIVERED
    except Exception as error:  # noqa: BLE001 - stored already; nothing here may lose it or fail the caller
        logger.error("webhook %s of handoff %s not sent now (%s); the sender will", entry.event,
                     entry.handoff_id, type(error).__name__)
        return False
