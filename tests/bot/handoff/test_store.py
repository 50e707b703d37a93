"""Handoffs in the profile store: opening, who sees and takes what, races, messages, ending, CSAT.

Runs on a migrated, seeded SQLite file and, when PROFILE_TEST_POSTGRES_URL is
set, on PostgreSQL (schema ``handoffs``). ``NOW`` is Wednesday 2026-11-25 10:30
in Shanghai: RM001 (王建华 C000001's and 周振邦 C000007's RM, backed up by RM002)
and RM003 are at work; 李秀英 C000002's RM004 is on leave, so her requests go to
RM003, the backup.
"""
from __future__ import annotations

import re
import threading
import time as clock
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Iterator, List, Optional

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.clock import BANK_TIME
from bot.handoff import HandoffReason, TargetKind, load_handoff_config, route
from bot.handoff import store
from bot.handoff.package import ContextPackage, build_package, client_360, transcript_from_events
from bot.handoff.store import (
    HandoffConflict,
    HandoffForbidden,
    HandoffNotFound,
    HandoffRecord,
    HandoffStatus,
    MessageSender,
    add_message,
    csat_of_handoff,
    end,
    handoff_by_id,
    may_read_client,
    may_see,
    messages_of,
    open_handoff,
    open_handoff_of,
    recent_csat_for,
    record_csat,
    reply,
    set_csat_comment,
    take,
    visible_queue,
)
from bot.identity import Principal, Role
from bot.profile.models import (
    HANDOFF_MESSAGE_SENDERS,
    HANDOFF_REASONS,
    HANDOFF_STATUSES,
    HANDOFF_TARGET_KINDS,
    CsatRating,
    Handoff,
    HandoffMessage,
    WebhookOutbox,
)
from bot.profile.queries import StoreFacts, client_summary
from tests.bot.profile.conftest import BACKENDS, seeded_engine_for, sessions_removing

NOW = datetime(2026, 11, 25, 10, 30, tzinfo=BANK_TIME)  # a Wednesday
WANG, LI, ZHOU = "C000001", "C000002", "C000007"


def person(role: Role, subject: str) -> Principal:
    return Principal(role, subject, NOW + timedelta(days=1))


RM001, RM002, RM003 = (person(Role.ADVISOR, rm) for rm in ("RM001", "RM002", "RM003"))
LIN, HUANG = person(Role.AGENT, "CC001"), person(Role.AGENT, "CC002")
CLIENT_WANG = person(Role.CLIENT, WANG)


@pytest.fixture(scope="module", params=BACKENDS)
def engine(request: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    folder: Path = tmp_path_factory.mktemp(f"handoffs-{request.param}")
    engine = seeded_engine_for(request.param, folder, schema="handoffs")
    yield engine
    engine.dispose()


@pytest.fixture()
def sessions(engine: Engine) -> Iterator[Callable[[], Session]]:
    """Sessions on the store; every handoff, message and rating is deleted after the test."""
    with sessions_removing(engine, CsatRating, HandoffMessage, WebhookOutbox, Handoff) as factory:
        yield factory


@pytest.fixture()
def session(sessions: Callable[[], Session]) -> Iterator[Session]:
    with sessions() as opened:
        yield opened


def opened(session: Session, client_id: Optional[str], reason: HandoffReason = HandoffReason.CLIENT_REQUEST,
           at: datetime = NOW, conversation_id: Optional[str] = None, text: str = "转人工") -> HandoffRecord:
    """Opens (and commits) a handoff of the client's conversation as the action server would."""
    summary = client_summary(session, client_id) if client_id else None
    routed = route(reason, summary, at, load_handoff_config())
    who = client_360(summary, [], [], [], at.date()) if summary else None
    events = [{"event": "user", "text": text, "timestamp": at.timestamp(),
               "parse_data": {"intent": {"name": "request_human"}, "entities": []}}]
    package = build_package(conversation_id or f"client:{client_id or 'web-anonymous'}", "app", reason, routed, who,
                            transcript_from_events(events), at)
    record = open_handoff(session, package, routed, at)
    session.commit()
    return record


def visible_ids(session: Session, principal: Principal, at: datetime = NOW) -> List[str]:
    return [record.id for record in visible_queue(session, principal, at)]


# ------------------------------------------------------------------------ schema
def test_the_models_allow_exactly_the_reasons_kinds_and_statuses_of_the_code() -> None:
    assert HANDOFF_REASONS == tuple(reason.value for reason in HandoffReason)
    assert HANDOFF_TARGET_KINDS == tuple(kind.value for kind in TargetKind)
    assert HANDOFF_STATUSES == tuple(status.value for status in HandoffStatus)
    assert HANDOFF_MESSAGE_SENDERS == tuple(sender.value for sender in MessageSender)


def test_the_queues_and_lookups_are_indexed(engine: Engine) -> None:
    indexes = {(table, tuple(index["column_names"]), bool(index["unique"]))
               for table in ("handoffs", "handoff_messages", "csat_ratings", "webhook_outbox")
               for index in inspect(engine).get_indexes(table)}
    assert {("handoffs", ("conversation_id",), True), ("handoffs", ("conversation_id",), False),
            ("handoffs", ("status", "reply_expected_by"), False), ("handoffs", ("client_id",), False),
            ("handoff_messages", ("handoff_id",), False), ("csat_ratings", ("conversation_id",), False),
            ("webhook_outbox", ("delivered_at", "next_attempt_at"), False)} <= indexes


# ----------------------------------------------------------------------- opening
def test_opening_stores_a_waiting_handoff_with_its_package(session: Session) -> None:
    record = opened(session, WANG)
    assert re.fullmatch(r"HO-[0-9A-F]{12}", record.id)
    assert (record.status, record.open, record.client_id, record.conversation_id) == \
        (HandoffStatus.WAITING, True, WANG, "client:C000001")
    assert (record.target_kind, record.target_id, record.target_name) == ("rm", "RM001", "陈思远")
    assert record.reply_expected_by == NOW + timedelta(minutes=15)  # 金卡
    assert record.time_left(NOW + timedelta(minutes=5)) == timedelta(minutes=10)
    assert record.time_left(NOW + timedelta(minutes=20)) == timedelta(minutes=-5)
    stored = handoff_by_id(session, record.id)
    assert stored == record
    assert isinstance(stored.package, ContextPackage) and stored.package.client is not None
    assert stored.package.client.name == "王建华"
    assert open_handoff_of(session, "client:C000001") == record


def test_ids_are_random(session: Session) -> None:
    ids = {store.new_handoff_id() for _ in range(200)}
    assert len(ids) == 200


def test_opening_again_returns_the_open_handoff(session: Session) -> None:
    first = opened(session, WANG)
    again = opened(session, WANG, reason=HandoffReason.REPEATED_FALLBACK, at=NOW + timedelta(minutes=1))
    assert again == first
    assert session.scalar(select(func.count()).select_from(Handoff)) == 1


def test_at_most_one_open_handoff_per_conversation_even_written_directly(session: Session) -> None:
    first = opened(session, WANG)
    row = session.get(Handoff, first.id)
    copy = {column.name: getattr(row, column.name) for column in Handoff.__table__.columns}
    session.add(Handoff(**{**copy, "id": "HO-000000000001"}))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    session.add(Handoff(**{**copy, "id": "HO-000000000002", "status": "closed"}))  # ended ones do not count
    session.commit()
    take(session, first.id, RM001, NOW)
    end(session, first.id, RM001, HandoffStatus.CLOSED, NOW + timedelta(minutes=3))
    session.commit()
    later = opened(session, WANG, at=NOW + timedelta(minutes=5))
    assert later.id != first.id and later.status is HandoffStatus.WAITING


def test_an_anonymous_conversation_goes_to_the_contact_center(session: Session) -> None:
    record = opened(session, None)
    assert record.client_id is None and record.target_kind == "contact_center"
    assert record.package.client is None


# ----------------------------------------------------------------- concurrency
def _at_once(sessions: Callable[[], Session], calls: List[Callable[[Session], Any]]) -> List[Any]:
    """Runs each call in its own thread and session, all released together; each commits."""
    start = threading.Barrier(len(calls))
    results: List[Any] = [None] * len(calls)
    errors: List[BaseException] = []

    def run(index: int) -> None:
        try:
            with sessions() as session:
                start.wait()
                try:
                    results[index] = calls[index](session)
                    session.commit()
                except HandoffConflict as conflict:
                    session.rollback()
                    results[index] = conflict
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


@pytest.fixture()
def slow_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each visibility check and open-handoff lookup pauses, so two callers without the conditional
    UPDATE, the lock or the unique index would both go ahead."""
    for name in ("may_see", "open_handoff_of"):
        original = getattr(store, name)

        def slow(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
            answer = _original(*args, **kwargs)
            clock.sleep(0.1)
            return answer

        monkeypatch.setattr(store, name, slow)


def test_two_agents_taking_at_once_give_one_winner(sessions: Callable[[], Session], slow_checks: None) -> None:
    with sessions() as session:
        handoff = opened(session, WANG, reason=HandoffReason.CARD_LOSS)  # the contact center's
    results = _at_once(sessions, [lambda session: take(session, handoff.id, LIN, NOW),
                                  lambda session: take(session, handoff.id, HUANG, NOW)])
    winners = [result for result in results if isinstance(result, HandoffRecord)]
    assert len(winners) == 1 and sum(isinstance(result, HandoffConflict) for result in results) == 1
    with sessions() as session:
        stored = handoff_by_id(session, handoff.id)
    assert stored is not None and stored.status is HandoffStatus.TAKEN
    assert stored.taken_by == winners[0].taken_by and stored.taken_by_role == "agent"


def test_two_openings_of_one_conversation_at_once_open_it_once(sessions: Callable[[], Session],
                                                               slow_checks: None) -> None:
    with sessions() as session:
        summary = client_summary(session, WANG)
    routed = route(HandoffReason.CLIENT_REQUEST, summary, NOW, load_handoff_config())
    package = build_package("client:C000001", "app", HandoffReason.CLIENT_REQUEST, routed,
                            client_360(summary, [], [], [], NOW.date()), (), NOW)
    results = _at_once(sessions, [lambda session: open_handoff(session, package, routed, NOW)] * 2)
    assert results[0].id == results[1].id
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Handoff)) == 1


# ------------------------------------------------------------------ visibility
def test_an_rm_sees_and_takes_their_clients_handoff(session: Session) -> None:
    handoff = opened(session, WANG)
    assert visible_ids(session, RM001) == [handoff.id]
    taken = take(session, handoff.id, RM001, NOW + timedelta(minutes=1))
    session.commit()
    assert (taken.status, taken.taken_by, taken.taken_by_role, taken.taken_at) == \
        (HandoffStatus.TAKEN, "RM001", "advisor", NOW + timedelta(minutes=1))
    assert take(session, handoff.id, RM001, NOW + timedelta(minutes=2)) == taken  # again: nothing changes


def test_an_rm_cannot_see_or_take_another_rms_clients_handoff(session: Session) -> None:
    handoff = opened(session, WANG)
    assert visible_ids(session, RM003) == []
    with pytest.raises(HandoffForbidden):
        take(session, handoff.id, RM003, NOW)
    assert not may_read_client(RM003, WANG, session, NOW)
    # the backup RM neither, while the client's RM is at work
    assert visible_ids(session, RM002) == []
    with pytest.raises(HandoffForbidden):
        take(session, handoff.id, RM002, NOW)
    assert handoff_by_id(session, handoff.id).status is HandoffStatus.WAITING  # type: ignore[union-attr]


def test_the_backup_rm_gets_the_clients_of_an_rm_on_leave(session: Session) -> None:
    handoff = opened(session, LI)
    assert (handoff.target_kind, handoff.target_id) == ("backup_rm", "RM003")
    assert visible_ids(session, RM003) == [handoff.id]
    assert visible_ids(session, RM001) == []


def test_an_unknown_handoff_is_not_found_which_is_also_forbidden(session: Session) -> None:
    with pytest.raises(HandoffNotFound):
        take(session, "HO-FFFFFFFFFFFF", RM001, NOW)
    with pytest.raises(HandoffForbidden):
        take(session, "HO-FFFFFFFFFFFF", RM001, NOW)


def test_an_agent_sees_the_contact_center_queue_and_overdue_requests(session: Session) -> None:
    urgent = opened(session, WANG, reason=HandoffReason.CARD_LOSS, conversation_id="client:C000001")
    for_rm = opened(session, ZHOU)  # 私人银行: RM001 must reply within 2 minutes
    assert urgent.target_kind == "contact_center" and for_rm.reply_expected_by == NOW + timedelta(minutes=2)
    assert visible_ids(session, LIN) == [urgent.id]
    with pytest.raises(HandoffForbidden):
        take(session, for_rm.id, LIN, NOW)
    later = NOW + timedelta(minutes=3)  # nobody replied in time: it overflows to the contact center
    assert visible_ids(session, LIN, later) == [urgent.id, for_rm.id]
    take(session, for_rm.id, LIN, later)
    session.commit()
    with pytest.raises(HandoffConflict):
        take(session, for_rm.id, RM001, later)
    assert for_rm.id in visible_ids(session, RM001, later)  # still their client's: they see who holds it
    assert visible_ids(session, HUANG, later) == [urgent.id]  # taken: no longer overflow for others


def test_the_rm_notified_of_an_urgent_handoff_sees_it(session: Session) -> None:
    urgent = opened(session, WANG, reason=HandoffReason.CARD_LOSS)
    assert urgent.notify_rm_id == "RM001" and urgent.urgent
    assert visible_ids(session, RM001) == [urgent.id]
    take(session, urgent.id, LIN, NOW)
    session.commit()
    with pytest.raises(HandoffConflict):  # the contact center holds it; the RM only follows it
        take(session, urgent.id, RM001, NOW)
    assert visible_ids(session, RM001) == [urgent.id]


def test_the_queue_lists_urgent_first_then_by_reply_time(session: Session) -> None:
    gold = opened(session, WANG)  # 15 minutes
    private = opened(session, ZHOU)  # 2 minutes
    fraud = opened(session, WANG, reason=HandoffReason.SUSPECTED_FRAUD, conversation_id="app:C000001:2")
    assert visible_ids(session, RM001) == [fraud.id, private.id, gold.id]


def test_clients_and_expired_principals_see_no_queue(session: Session) -> None:
    handoff = opened(session, WANG, reason=HandoffReason.CARD_LOSS)
    assert visible_ids(session, CLIENT_WANG) == []
    with pytest.raises(HandoffForbidden):
        take(session, handoff.id, CLIENT_WANG, NOW)
    expired = Principal(Role.AGENT, "CC001", NOW - timedelta(seconds=1))
    assert visible_ids(session, expired) == []
    with pytest.raises(HandoffForbidden):
        take(session, handoff.id, expired, NOW)


def test_an_agent_reads_the_client_only_while_holding_their_handoff(session: Session) -> None:
    handoff = opened(session, WANG, reason=HandoffReason.CARD_LOSS)
    assert not may_read_client(LIN, WANG, session, NOW)
    take(session, handoff.id, LIN, NOW)
    session.commit()
    assert may_read_client(LIN, WANG, session, NOW)
    assert not may_read_client(LIN, ZHOU, session, NOW)  # another client
    assert not may_read_client(HUANG, WANG, session, NOW)  # another agent
    assert visible_ids(session, HUANG) == []  # nor the handoff: a peer's conversation is not theirs
    assert not may_see(HUANG, handoff_by_id(session, handoff.id), StoreFacts(session), NOW)
    end(session, handoff.id, LIN, HandoffStatus.HANDED_BACK, NOW + timedelta(minutes=5))
    session.commit()
    assert not may_read_client(LIN, WANG, session, NOW + timedelta(minutes=5))
    assert may_read_client(RM001, WANG, session, NOW) and not may_read_client(RM003, WANG, session, NOW)


# ------------------------------------------------------------ replies and ending
def test_only_the_holder_replies_and_ends(session: Session) -> None:
    handoff = opened(session, WANG)
    with pytest.raises(HandoffForbidden):
        reply(session, handoff.id, RM001, "您好", NOW)  # not taken yet
    take(session, handoff.id, RM001, NOW)
    session.commit()
    with pytest.raises(HandoffForbidden):
        reply(session, handoff.id, RM002, "您好", NOW)
    with pytest.raises(HandoffForbidden):
        end(session, handoff.id, RM002, HandoffStatus.CLOSED, NOW)
    with pytest.raises(HandoffForbidden):  # same id, other role
        end(session, handoff.id, person(Role.AGENT, "RM001"), HandoffStatus.CLOSED, NOW)
    message = reply(session, handoff.id, RM001, "王先生您好，我是陈思远。", NOW + timedelta(minutes=1), "陈思远")
    assert (message.sender, message.sender_id, message.sender_name) == ("agent", "RM001", "陈思远")
    ended = end(session, handoff.id, RM001, "handed_back", NOW + timedelta(minutes=4))
    session.commit()
    assert (ended.status, ended.open, ended.ended_by, ended.ended_at) == \
        (HandoffStatus.HANDED_BACK, False, "RM001", NOW + timedelta(minutes=4))
    with pytest.raises(HandoffConflict):
        end(session, handoff.id, RM001, HandoffStatus.CLOSED, NOW + timedelta(minutes=5))
    with pytest.raises(HandoffConflict):
        reply(session, handoff.id, RM001, "还在吗", NOW + timedelta(minutes=5))
    with pytest.raises(HandoffConflict):
        take(session, handoff.id, RM001, NOW + timedelta(minutes=5))
    assert open_handoff_of(session, "client:C000001") is None
    assert visible_ids(session, RM001) == []


def test_a_handoff_ends_only_handed_back_or_closed(session: Session) -> None:
    handoff = opened(session, WANG)
    take(session, handoff.id, RM001, NOW)
    with pytest.raises(ValueError):
        end(session, handoff.id, RM001, HandoffStatus.WAITING, NOW)
    with pytest.raises(ValueError):
        end(session, handoff.id, RM001, "finished", NOW)


def test_messages_are_masked_cut_and_kept_in_order(session: Session) -> None:
    handoff = opened(session, WANG)
    add_message(session, handoff.id, "client", "我的卡 6217 0098 7654 3210 123 被冻结了，电话13912345678", NOW)
    add_message(session, handoff.id, "client", "长" * 3000, NOW + timedelta(seconds=1))
    add_message(session, handoff.id, "bot", "您好，欢迎回来。", NOW + timedelta(seconds=2))
    session.commit()
    texts = [(message.sender, message.text) for message in messages_of(session, handoff.id)]
    assert texts[0] == ("client", "我的卡 尾号0123 被冻结了，电话139****5678")
    assert texts[1] == ("client", "长" * 2000)
    assert texts[2] == ("bot", "您好，欢迎回来。")
    for bad in ("", "   "):
        with pytest.raises(ValueError):
            add_message(session, handoff.id, "client", bad, NOW)
    with pytest.raises(ValueError):
        add_message(session, handoff.id, "stranger", "hi", NOW)
    with pytest.raises(HandoffNotFound):
        add_message(session, "HO-FFFFFFFFFFFF", "client", "hi", NOW)


# ------------------------------------------------------------------------- CSAT
def test_a_rating_links_the_latest_handoff_of_the_conversation(session: Session) -> None:
    handoff = opened(session, WANG)
    take(session, handoff.id, RM001, NOW)
    end(session, handoff.id, RM001, HandoffStatus.CLOSED, NOW + timedelta(minutes=5))
    session.commit()
    rating = record_csat(session, "client:C000001", WANG, "5", NOW + timedelta(minutes=6))
    session.commit()
    assert (rating.handoff_id, rating.score, rating.client_id, rating.client_name) == (handoff.id, 5, WANG, "王建华")
    commented = set_csat_comment(session, rating.id, "陈经理很专业，我的手机13912345678")
    session.commit()
    assert commented is not None and commented.comment == "陈经理很专业，我的手机139****5678"
    assert csat_of_handoff(session, handoff.id) == commented
    assert set_csat_comment(session, rating.id, "x" * 900).comment == "x" * 500  # type: ignore[union-attr]
    assert set_csat_comment(session, rating.id, "  ").comment is None  # type: ignore[union-attr]
    assert set_csat_comment(session, 999999, "?") is None


def test_a_rating_long_after_the_handoff_or_without_one_links_nothing(session: Session) -> None:
    handoff = opened(session, WANG)
    take(session, handoff.id, RM001, NOW)
    end(session, handoff.id, RM001, HandoffStatus.HANDED_BACK, NOW)
    session.commit()
    assert record_csat(session, "client:C000001", WANG, 4, NOW + timedelta(hours=25)).handoff_id is None
    assert record_csat(session, "client:C000007", ZHOU, 3, NOW).handoff_id is None
    # a later conversation session (bot only) rated within the hour is not the person's rating
    later_session = NOW + timedelta(minutes=30)
    assert record_csat(session, "client:C000001", WANG, 2, NOW + timedelta(minutes=40),
                       since=later_session).handoff_id is None
    assert csat_of_handoff(session, handoff.id) is None
    assert record_csat(session, "client:C000001", WANG, 5, NOW + timedelta(minutes=5),
                       since=NOW - timedelta(minutes=10)).handoff_id == handoff.id


def test_a_rating_while_the_handoff_is_open_links_it(session: Session) -> None:
    handoff = opened(session, WANG)
    assert record_csat(session, "client:C000001", WANG, 2, NOW + timedelta(days=3)).handoff_id == handoff.id


@pytest.mark.parametrize("score", [0, 6, "x", "", None, True, 4.5, "-1", "10"])
def test_bad_scores_are_refused(session: Session, score: Any) -> None:
    with pytest.raises(ValueError):
        record_csat(session, "client:C000001", WANG, score, NOW)
    assert session.scalar(select(func.count()).select_from(CsatRating)) == 0


def test_the_database_refuses_a_score_outside_one_to_five(session: Session) -> None:
    session.add(CsatRating(conversation_id="client:C000001", score=6, created_at=NOW))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_recent_ratings_are_those_of_handoffs_one_may_see(session: Session) -> None:
    wang = opened(session, WANG)
    li = opened(session, LI)
    for handoff, holder in ((wang, RM001), (li, RM003)):
        take(session, handoff.id, holder, NOW)
        end(session, handoff.id, holder, HandoffStatus.CLOSED, NOW + timedelta(minutes=2))
    session.commit()
    record_csat(session, "client:C000001", WANG, 5, NOW + timedelta(minutes=3))
    record_csat(session, "client:C000002", LI, 2, NOW + timedelta(minutes=4))
    record_csat(session, "client:C000007", ZHOU, 4, NOW + timedelta(minutes=5))  # no handoff: on no desk
    session.commit()
    assert [(r.client_name, r.score) for r in recent_csat_for(session, RM001, now=NOW)] == [("王建华", 5)]
    assert [(r.client_name, r.score) for r in recent_csat_for(session, RM003, now=NOW)] == [("李秀英", 2)]
    assert recent_csat_for(session, LIN, now=NOW) == ()
    assert recent_csat_for(session, CLIENT_WANG, now=NOW) == ()
    assert len(recent_csat_for(session, RM001, limit=1, now=NOW)) == 1
