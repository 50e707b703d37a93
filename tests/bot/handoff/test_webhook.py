"""The contact-center webhook: signed, stored before it is sent, retried, delivered once, never lost.

Deliveries go to a real HTTP receiver (``http.server`` in a thread on a free
port) that checks the signature the way a bank's platform would, with
:func:`verify`, and answers what each test scripts.
"""
from __future__ import annotations

import asyncio
import importlib
import json
import os
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.cases.outbox import retry_delay
from bot.handoff import HandoffReason, load_handoff_config, route
from bot.handoff.package import ContextPackage, TranscriptLine, build_package, client_360
from bot.handoff.store import open_handoff
from bot.handoff.webhook import (
    HANDOFF_CREATED,
    HANDOFF_ENDED,
    REFUSED_RETRY,
    WebhookConfig,
    WebhookConfigError,
    deliver_due,
    due_entries,
    enqueue_if_configured,
    entries_of_handoff,
    open_http,
    send_now,
    sign,
    verify,
    webhook_payload,
)
from bot.profile.database import make_engine, make_session_factory, upgrade_to_head
from bot.profile.models import Handoff as HandoffRow
from bot.profile.models import WebhookOutbox
from bot.profile.queries import client_summary, holdings_of
from bot.profile.seed import SeedConfig, ensure_demo_bank
from tests.conftest import ROOT, free_port

SECRET = "contact-center-test-secret-" + "s" * 40
T0 = datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc)
BODY = b'{"id":"abc","event":"handoff.created"}'



class Clock:
    """The time the sender and the receiver both read; tests move it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, by: timedelta) -> None:
        self.now += by


@dataclass
class Received:
    headers: Dict[str, str]
    body: bytes
    signature_ok: bool

    @property
    def json(self) -> Dict[str, Any]:
        return json.loads(self.body.decode("utf-8"))


@dataclass
class Receiver:
    """A contact-center platform: verifies each POST, then answers the next scripted status (200 after)."""

    port: int
    secret: str
    clock: Clock
    statuses: List[int] = field(default_factory=list)
    received: List[Received] = field(default_factory=list)
    server: Optional[ThreadingHTTPServer] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/premier"

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                ok = verify(body, self.headers.get("X-Premier-Signature"), receiver.secret, receiver.clock())
                receiver.received.append(Received(dict(self.headers.items()), body, ok))
                status = (receiver.statuses.pop(0) if receiver.statuses else 200) if ok else 401
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture()
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture()
def receiver(clock: Clock) -> Iterator[Receiver]:
    made = Receiver(free_port(), SECRET, clock)  # not started: each test starts it (or leaves it down)
    yield made
    made.stop()


@pytest.fixture()
def config(receiver: Receiver) -> WebhookConfig:
    return WebhookConfig(url=receiver.url, secret=SECRET, timeout=5.0)


@pytest.fixture()
def factory(tmp_path: Path) -> Iterator["sessionmaker[Session]"]:
    engine = make_engine(f"sqlite:///{tmp_path / 'profile.db'}")
    upgrade_to_head(engine)
    yield make_session_factory(engine)
    engine.dispose()


@dataclass(frozen=True)
class Package:
    content: Dict[str, Any]

    def to_json(self) -> Dict[str, Any]:
        return self.content


@dataclass(frozen=True)
class Handoff:
    """A stored handoff as bot.handoff.store hands it out (the fields the webhook reads)."""

    id: str = "HO-3F9A0C11B2D4"
    conversation_id: str = "client:C000001"
    status: str = "waiting"
    reason: str = "client_request"
    urgent: bool = False
    target_kind: str = "rm"
    target_id: str = "RM001"
    target_name: str = "王敏"
    reply_expected_by: datetime = T0 + timedelta(minutes=5)
    package: Package = Package({"version": 1, "summary": "客户张伟希望与客户经理沟通理财到期后的安排。",
                                "client": {"client_id": "C000001", "tier": "钻石", "phone_masked": "138****5678"}})


def _enqueue(factory: "sessionmaker[Session]", config: Optional[WebhookConfig], handoff: Handoff = Handoff(),
             event: str = HANDOFF_CREATED, now: datetime = T0):
    with factory() as session:
        return enqueue_if_configured(session, config, event, handoff.id, webhook_payload(handoff), now)


def _round(factory, config: WebhookConfig, clock: Clock):
    async def run():
        async with open_http(config) as http:
            return await deliver_due(factory, http, config, clock)
    return asyncio.run(run())


def _row(factory, key: str) -> WebhookOutbox:
    with factory() as session:
        return session.scalars(select(WebhookOutbox).where(WebhookOutbox.idempotency_key == key)).one()


# --- the signature -----------------------------------------------------------------------------

def test_a_signed_body_verifies():
    header = sign(BODY, SECRET, int(T0.timestamp()))
    assert header.startswith(f"t={int(T0.timestamp())},v1=") and len(header.split("v1=")[1]) == 64
    assert verify(BODY, header, SECRET, T0)
    assert verify(BODY, header, SECRET, T0 + timedelta(seconds=300))  # at the edge of the tolerance


@pytest.mark.parametrize("body, header_time, secret, now", [
    (BODY.replace(b"created", b"ended"), T0, SECRET, T0),  # tampered body
    (BODY, T0, SECRET, T0 + timedelta(seconds=301)),  # stale: a replay of an old request
    (BODY, T0 + timedelta(seconds=301), SECRET, T0),  # dated in the future
    (BODY, T0, "another-secret-of-the-same-length-" + "x" * 33, T0),  # signed with another secret
], ids=["tampered body", "old timestamp", "future timestamp", "wrong secret"])
def test_a_signature_that_does_not_fit_is_refused(body, header_time, secret, now):
    assert not verify(body, sign(BODY, SECRET, int(header_time.timestamp())), secret, now)


@pytest.mark.parametrize("header", [None, "", "v1=00", "t=1795485600", "t=abc,v1=00", "garbage"])
def test_a_missing_or_malformed_signature_is_refused(header):
    assert not verify(BODY, header, SECRET, T0)


def test_while_the_secret_changes_a_second_signature_is_accepted():
    timestamp = int(T0.timestamp())
    new = sign(BODY, SECRET, timestamp).split(",")[1]
    old = sign(BODY, "the-old-secret-being-retired-now-" + "y" * 33, timestamp).split(",")[1]
    assert verify(BODY, f"t={timestamp},{old},{new}", SECRET, T0)
    assert not verify(BODY, f"t={timestamp},{old}", SECRET, T0)


# --- configuration -----------------------------------------------------------------------------

def test_without_configuration_there_is_no_webhook_and_nothing_is_stored(factory):
    assert WebhookConfig.from_environment({}) is None
    assert _enqueue(factory, None) is None
    with factory() as session:
        assert due_entries(session, T0 + timedelta(days=1)) == []


def test_a_configured_webhook_is_read_from_the_environment():
    config = WebhookConfig.from_environment({"CONTACT_CENTER_WEBHOOK_URL": " https://cc.bank.example/hooks ",
                                             "CONTACT_CENTER_WEBHOOK_SECRET": SECRET})
    assert config is not None and config.url == "https://cc.bank.example/hooks" and config.secret == SECRET
    assert SECRET not in repr(config)


@pytest.mark.parametrize("environ, message", [
    ({"CONTACT_CENTER_WEBHOOK_URL": "https://cc.bank.example/hooks"}, "CONTACT_CENTER_WEBHOOK_SECRET is not"),
    ({"CONTACT_CENTER_WEBHOOK_SECRET": SECRET}, "CONTACT_CENTER_WEBHOOK_URL is not"),
    ({"CONTACT_CENTER_WEBHOOK_URL": "https://cc.bank.example/hooks", "CONTACT_CENTER_WEBHOOK_SECRET": "short"},
     "at least 32"),
    ({"CONTACT_CENTER_WEBHOOK_URL": "ftp://cc.bank.example/", "CONTACT_CENTER_WEBHOOK_SECRET": SECRET},
     "http:// or https://"),
], ids=["url without secret", "secret without url", "short secret", "not http"])
def test_a_half_or_wrong_configuration_is_an_error_at_start_up(environ, message):
    with pytest.raises(WebhookConfigError, match=message):
        WebhookConfig.from_environment(environ)


# --- delivery ----------------------------------------------------------------------------------

def test_an_event_reaches_the_receiver_signed_with_its_key_and_is_not_sent_again(factory, config, receiver, clock):
    receiver.start()
    entry = _enqueue(factory, config)
    assert entry is not None and not entry.delivered  # stored before anything was sent

    result = _round(factory, config, clock)
    assert (result.delivered, result.failed, result.left_for_later) == (1, 0, 0)
    (got,) = receiver.received
    assert got.signature_ok
    assert got.headers["Idempotency-Key"] == entry.idempotency_key
    assert got.headers["X-Premier-Event"] == "handoff.created"
    assert got.headers["Content-Type"].startswith("application/json")
    assert got.json == {
        "id": entry.idempotency_key, "event": "handoff.created", "occurred_at": T0.isoformat(),
        "handoff": {
            "id": "HO-3F9A0C11B2D4", "conversation_id": "client:C000001", "status": "waiting",
            "reason": "client_request", "urgent": False,
            "target": {"kind": "rm", "id": "RM001", "name": "王敏"},
            "reply_expected_by": (T0 + timedelta(minutes=5)).isoformat(),
            "package": Handoff().package.content,
        },
    }
    assert _row(factory, entry.idempotency_key).delivered_at == T0

    clock.advance(timedelta(hours=1))
    assert _round(factory, config, clock).delivered == 0
    assert len(receiver.received) == 1


def test_with_the_receiver_down_the_event_is_kept_and_retried_later_with_the_same_key(
        factory, config, receiver, clock):
    entry = _enqueue(factory, config)
    waits = []
    for _ in range(3):  # nothing listens on the port: connection refused
        result = _round(factory, config, clock)
        assert (result.delivered, result.failed) == (0, 1)
        row = _row(factory, entry.idempotency_key)
        assert row.delivered_at is None and row.last_error == "ConnectError"
        waits.append((row.next_attempt_at - clock()).total_seconds())
        assert _round(factory, config, clock).failed == 0  # not due again at once
        clock.advance(timedelta(hours=1))
    assert waits == [5, 10, 20]

    receiver.start()
    assert _round(factory, config, clock).delivered == 1
    (got,) = receiver.received
    assert got.signature_ok  # signed when sent, three hours after the event: still verifies
    assert got.headers["Idempotency-Key"] == got.json["id"] == entry.idempotency_key
    assert got.json["occurred_at"] == T0.isoformat()
    assert _row(factory, entry.idempotency_key).attempts == 4


def test_a_server_error_then_success_delivers_the_event_once(factory, config, receiver, clock):
    receiver.statuses = [500]
    receiver.start()
    entry = _enqueue(factory, config)

    assert _round(factory, config, clock).failed == 1
    assert _row(factory, entry.idempotency_key).last_error == "http_500"
    clock.advance(retry_delay(1))
    assert _round(factory, config, clock).delivered == 1
    clock.advance(timedelta(hours=1))
    assert _round(factory, config, clock).delivered == 0

    assert [got.headers["Idempotency-Key"] for got in receiver.received] == [entry.idempotency_key] * 2
    assert len({got.body for got in receiver.received}) == 1  # the same bytes both times
    row = _row(factory, entry.idempotency_key)
    assert row.delivered_at == T0 + retry_delay(1) and row.last_error is None and row.attempts == 2


@pytest.mark.parametrize("status", [408, 429, 503])
def test_busy_answers_are_retried_like_a_receiver_that_is_down(factory, config, receiver, clock, status):
    receiver.statuses = [status]
    receiver.start()
    entry = _enqueue(factory, config)
    _round(factory, config, clock)
    assert _row(factory, entry.idempotency_key).next_attempt_at == T0 + retry_delay(1)


def test_a_refused_event_is_kept_for_the_operators_and_does_not_hold_back_the_next(
        factory, config, receiver, clock):
    receiver.statuses = [400]
    receiver.start()
    refused = _enqueue(factory, config, Handoff(id="HO-000000000001"))
    clock.advance(timedelta(seconds=1))
    following = _enqueue(factory, config, Handoff(id="HO-000000000002"), now=clock())

    result = _round(factory, config, clock)
    assert (result.delivered, result.failed, result.left_for_later) == (1, 1, 0)
    row = _row(factory, refused.idempotency_key)
    assert row.delivered_at is None and row.last_error == "http_400" and row.payload == refused.body
    assert row.next_attempt_at == clock() + REFUSED_RETRY  # slowly, until someone fixes the receiver
    assert _row(factory, following.idempotency_key).delivered_at is not None

    clock.advance(REFUSED_RETRY)
    assert _round(factory, config, clock).delivered == 1  # the receiver was fixed: it goes through
    assert receiver.received[-1].headers["Idempotency-Key"] == refused.idempotency_key


def test_a_receiver_with_another_secret_refuses_and_the_event_is_kept(factory, receiver, clock):
    receiver.start()
    config = WebhookConfig(url=receiver.url, secret="a-secret-the-receiver-does-not-know-" + "z" * 30)
    entry = _enqueue(factory, config)
    assert _round(factory, config, clock).failed == 1
    assert not receiver.received[0].signature_ok
    row = _row(factory, entry.idempotency_key)
    assert row.delivered_at is None and row.last_error == "http_401"


def test_a_round_stops_at_the_first_sign_the_receiver_is_down(factory, config, clock):
    for index in range(3):
        _enqueue(factory, config, Handoff(id=f"HO-00000000000{index}"))
    result = _round(factory, config, clock)
    assert (result.delivered, result.failed, result.left_for_later) == (0, 1, 2)


def test_the_handoff_and_its_end_are_two_events_delivered_in_order(factory, config, receiver, clock):
    receiver.start()
    _enqueue(factory, config)
    clock.advance(timedelta(minutes=3))
    _enqueue(factory, config, Handoff(status="handed_back"), event=HANDOFF_ENDED, now=clock())
    assert _round(factory, config, clock).delivered == 2
    assert [(got.headers["X-Premier-Event"], got.json["handoff"]["status"]) for got in receiver.received] == [
        ("handoff.created", "waiting"), ("handoff.ended", "handed_back")]
    with factory() as session:
        assert [entry.delivered for entry in entries_of_handoff(session, Handoff().id)] == [True, True]


def test_an_unknown_event_is_refused_before_anything_is_stored(factory, config):
    with pytest.raises(ValueError, match="unknown webhook event"):
        _enqueue(factory, config, event="handoff.deleted")
    with factory() as session:
        assert entries_of_handoff(session, Handoff().id) == []


def test_a_number_left_unmasked_in_the_package_leaves_the_bank_masked(factory, config, receiver, clock):
    receiver.start()
    leaky = Handoff(package=Package({"summary": "客户说卡号6222021234567890123被冻结，手机13812345678"}))
    _enqueue(factory, config, leaky)
    _round(factory, config, clock)
    body = receiver.received[0].body.decode("utf-8")
    assert "6222021234567890123" not in body and "13812345678" not in body
    assert "尾号0123" in body and "138****5678" in body


def test_an_immediate_attempt_delivers_or_leaves_the_event_to_the_sender(factory, config, receiver, clock):
    down = _enqueue(factory, config, Handoff(id="HO-00000000000A"))
    assert asyncio.run(send_now(factory, config, down, clock=clock)) is False  # refused connection: no error
    assert _row(factory, down.idempotency_key).attempts == 1

    receiver.start()
    up = _enqueue(factory, config, Handoff(id="HO-00000000000B"))
    assert asyncio.run(send_now(factory, config, up, clock=clock)) is True
    assert _row(factory, up.idempotency_key).delivered_at == T0


# --- the sender process ------------------------------------------------------------------------

def _sender_env(tmp_path: Path, **extra: str) -> Mapping[str, str]:
    environ = {key: value for key, value in os.environ.items() if not key.startswith("CONTACT_CENTER_WEBHOOK")}
    return {**environ, "PYTHONPATH": str(ROOT), "PROFILE_DATABASE_URL": f"sqlite:///{tmp_path / 'profile.db'}",
            "CASE_SERVICE_TOKEN": "sender-webhook-test-token-" + "c" * 40,
            "CASE_SERVICE_URL": f"http://127.0.0.1:{free_port()}", **extra}


def test_the_outbox_sender_process_delivers_a_pending_event(factory, receiver, tmp_path):
    receiver.clock.now = datetime.now(timezone.utc)  # a real process signs with the real time
    receiver.start()
    config = WebhookConfig(url=receiver.url, secret=SECRET)
    entry = _enqueue(factory, config, now=datetime.now(timezone.utc))

    receiver.clock.now = datetime.now(timezone.utc)
    done = subprocess.run([sys.executable, "-m", "bot", "outbox-sender", "--once"], cwd=ROOT, timeout=120,
                          env=_sender_env(tmp_path, CONTACT_CENTER_WEBHOOK_URL=receiver.url,
                                          CONTACT_CENTER_WEBHOOK_SECRET=SECRET),
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    (got,) = receiver.received
    assert got.signature_ok and got.headers["Idempotency-Key"] == entry.idempotency_key
    assert _row(factory, entry.idempotency_key).delivered_at is not None
    assert SECRET not in done.stdout + done.stderr


def test_the_outbox_sender_refuses_to_start_with_a_url_and_no_secret(factory, tmp_path):
    done = subprocess.run([sys.executable, "-m", "bot", "outbox-sender", "--once"], cwd=ROOT, timeout=120,
                          env=_sender_env(tmp_path, CONTACT_CENTER_WEBHOOK_URL="https://cc.bank.example/hooks"),
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert "CONTACT_CENTER_WEBHOOK_SECRET" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("module", ["bot.handoff.webhook", "bot.outbox_sender"])
def test_all_names_exist(module: str) -> None:
    loaded = importlib.import_module(module)
    assert [name for name in loaded.__all__ if not hasattr(loaded, name)] == []


# --- with a real handoff -----------------------------------------------------------------------

def test_a_real_handoff_goes_out_with_its_whole_context_package(tmp_path, receiver, clock):
    engine = make_engine(f"sqlite:///{tmp_path / 'seeded.db'}")
    upgrade_to_head(engine)
    factory = make_session_factory(engine)
    config = WebhookConfig(url=receiver.url, secret=SECRET)
    receiver.start()
    with factory() as session:
        seed = SeedConfig()
        ensure_demo_bank(session, seed)
        summary = client_summary(session, "C000001")
        assert summary is not None
        client = client_360(summary, [], (), holdings_of(session, "C000001"), seed.today)
        the_route = route(HandoffReason.CLIENT_REQUEST, summary, T0, load_handoff_config())
        transcript = (TranscriptLine(at=T0 - timedelta(minutes=1), speaker="client",
                                     text="我的卡6222021234567890123被吞了，转人工", intent="request_human"),)
        package = build_package("client:C000001", "app", HandoffReason.CLIENT_REQUEST, the_route, client,
                                transcript, T0)
        record = open_handoff(session, package, the_route, T0)  # flushes only
        enqueue_if_configured(session, config, HANDOFF_CREATED, record.id, webhook_payload(record), T0)
    with factory() as session:  # the event's commit stored the handoff with it
        assert session.get(HandoffRow, record.id) is not None

    assert _round(factory, config, clock).delivered == 1
    (got,) = receiver.received
    sent = got.json["handoff"]
    assert got.signature_ok and sent["id"] == record.id and sent["conversation_id"] == "client:C000001"
    assert sent["target"] == {"kind": record.target_kind, "id": record.target_id, "name": record.target_name}
    assert ContextPackage.from_json(sent["package"]) == record.package  # nothing lost on the way
    assert sent["package"]["client"]["name"] == summary.name
    assert "6222021234567890123" not in got.body.decode("utf-8")
    engine.dispose()
