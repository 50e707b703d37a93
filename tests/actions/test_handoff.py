"""Handing a conversation to a person: who the client is told, what is stored, the pause, the return.

The actions run on the seeded demo bank at a fixed time (a Wednesday morning,
every on-duty RM at work). Seeded facts used: C000001 王建华 (金卡, RM001 陈思远
on duty), C000002 李秀英 (elderly, RM004 on leave, backup RM003 王梓涵),
C000007 周振邦 (私人银行, RM001).
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Dict, Iterator, List

import pytest
from sqlalchemy import select

from actions.card import ActionReportCardLoss
from actions.fallback import ActionDefaultAskAffirmation
from actions.handoff import ActionDefaultFallback, ActionHandBack, ActionHandoffClosed, ActionHandOff
from bot import clock
from bot.handoff.store import HandoffStatus, open_handoff_of
from bot.identity import Role
from bot.profile.database import make_engine
from bot.profile.models import CsatRating, Handoff, HandoffMessage, WebhookOutbox
from tests.actions.conftest import run_action, verified_tracker
from tests.actions.test_products import read
from tests.bot.profile.conftest import sessions_removing

WEDNESDAY_MORNING = datetime(2026, 12, 2, 10, 0, tzinfo=clock.BANK_TIME)
WEDNESDAY_NIGHT = datetime(2026, 12, 2, 22, 0, tzinfo=clock.BANK_TIME)
CARD_NUMBER = "6222021234567890123"


@pytest.fixture(autouse=True)
def wednesday_morning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "bank_now", lambda: WEDNESDAY_MORNING)


@pytest.fixture()
def factory(profile_url: str) -> Iterator:
    """Sessions on the test store; the handoffs a test opens are removed afterwards."""
    engine = make_engine(profile_url)
    with sessions_removing(engine, CsatRating, HandoffMessage, WebhookOutbox, Handoff) as sessions:
        yield sessions
    engine.dispose()


def earlier_turn(text: str, intent: str, bot_text: str = "好的") -> List[Dict[str, Any]]:
    """A client message and the bot's answer, before the message under test."""
    return [
        {"event": "user", "text": text, "timestamp": 1_796_000_000.0,
         "parse_data": {"intent": {"name": intent, "confidence": 0.95}, "entities": []}},
        {"event": "action", "name": "action_listen"},
        {"event": "bot", "text": bot_text, "timestamp": 1_796_000_001.0},
    ]


def hand_off(domain, client_id, text="转人工", intent="request_human", events=None, slots=None, entities=None,
             channel="app", action=None):
    tracker = verified_tracker(client_id, text, intent, events=events, slots=slots, entities=entities,
                               input_channel=channel)
    messages, returned = run_action(action or ActionHandOff(), tracker, domain)
    return messages, returned, read(messages, domain, tracker.current_slot_values())


def paused(events) -> bool:
    return any(event.get("event") == "pause" for event in events)


def stored(factory, conversation_id: str):
    with factory() as session:
        return open_handoff_of(session, conversation_id)


def test_a_client_asking_for_a_person_is_told_who_and_when_and_the_bot_steps_aside(domain, factory):
    _, events, (reply,) = hand_off(domain, "C000001")
    assert "陈思远" in reply and "15分钟内" in reply  # 金卡: 15 minutes (kb/handoff.yml)
    assert "无需重复" in reply
    assert paused(events)
    record = stored(factory, "client:C000001")
    assert record is not None and record.status is HandoffStatus.WAITING
    assert record.reason == "client_request" and record.target_id == "RM001"
    assert {"event": "slot", "name": "handoff_id", "value": record.id, "timestamp": None} in events


def test_the_stored_package_carries_the_conversation_masked(domain, factory):
    history = earlier_turn(f"我的卡{CARD_NUMBER}被扣了两笔钱，太离谱了", "check_transactions")
    hand_off(domain, "C000001", events=history)
    record = stored(factory, "client:C000001")
    dumped = json.dumps(record.package.to_json(), ensure_ascii=False)
    assert CARD_NUMBER not in dumped and CARD_NUMBER[:12] not in dumped
    assert "0123" in dumped  # the tail stays, so the person knows which card
    assert record.package.client is not None and record.package.client.tier == "金卡"
    client_lines = [line for line in record.package.transcript if line.speaker == "client"]
    assert client_lines[0].intent == "check_transactions" and client_lines[0].sentiment == "negative"
    assert record.package.summary


def test_a_private_banking_client_naming_their_rm_is_marked_and_gets_the_two_minute_target(domain, factory):
    _, _, (reply,) = hand_off(domain, "C000007", text="帮我找一下我的客户经理")
    assert "陈思远" in reply and "2分钟内" in reply
    assert stored(factory, "client:C000007").reason == "rm_requested"


def test_an_rm_on_leave_hands_over_to_the_backup_and_the_client_hears_both_names(domain, factory):
    _, _, (reply,) = hand_off(domain, "C000002")
    assert "张一鸣" in reply and "王梓涵" in reply and "不在岗" in reply
    assert stored(factory, "client:C000002").target_id == "RM003"


def test_after_hours_the_contact_center_takes_it(domain, factory, monkeypatch):
    monkeypatch.setattr(clock, "bank_now", lambda: WEDNESDAY_NIGHT)
    _, events, (reply,) = hand_off(domain, "C000001")
    assert "贵宾服务中心" in reply and paused(events)
    assert stored(factory, "client:C000001").target_kind == "contact_center"


def test_asking_again_while_a_person_is_on_the_way_opens_nothing_new(domain, factory):
    hand_off(domain, "C000001")
    _, events, (reply,) = hand_off(domain, "C000001", text="人呢？快点转人工")
    assert "已在处理中" in reply and paused(events)
    with factory() as session:
        assert len(session.execute(select(Handoff)).scalars().all()) == 1


def test_a_channel_without_a_person_on_it_gets_the_hotline_and_nothing_pauses(domain, factory):
    _, events, (reply,) = hand_off(domain, None, channel="rest")
    assert "400-820-9999" in reply and not paused(events)
    with factory() as session:
        assert session.execute(select(Handoff)).scalars().all() == []


def test_a_guest_or_staff_cannot_open_a_handoff(domain, factory):
    _, events, (reply,) = hand_off(domain, None)  # the app channel without a login: nobody could answer
    assert "400-820-9999" in reply and not paused(events)
    tracker = verified_tracker("RM001", "转人工", "request_human", role=Role.ADVISOR)
    messages, events = run_action(ActionHandOff(), tracker, domain)
    assert messages[0]["response"] == "utter_client_service_only" and not paused(events)
    with factory() as session:
        assert session.execute(select(Handoff)).scalars().all() == []


def test_an_elderly_clients_first_fallback_goes_to_a_person_at_once(domain, factory):
    _, events, (reply,) = hand_off(domain, "C000002", text="这个怎么弄啊我看不懂", intent="nlu_fallback",
                                   action=ActionDefaultAskAffirmation())
    assert paused(events) and "王梓涵" in reply
    assert stored(factory, "client:C000002").reason == "elderly_difficulty"


def test_a_first_fallback_offers_guesses_and_a_second_in_a_row_a_person(domain, factory):
    messages, events, _ = hand_off(domain, "C000001", text="那个东西怎么弄", intent="nlu_fallback",
                                   action=ActionDefaultAskAffirmation())
    assert not paused(events) and messages[0]["response"] == "utter_ask_affirmation"
    history = earlier_turn("那个东西怎么弄", "nlu_fallback")
    _, events, (reply,) = hand_off(domain, "C000001", text="就是那个啊", intent="nlu_fallback", events=history,
                                   action=ActionDefaultAskAffirmation())
    assert paused(events) and "陈思远" in reply
    assert stored(factory, "client:C000001").reason == "repeated_fallback"


def test_the_end_of_the_two_stage_fallback_is_a_person_but_a_core_fallback_is_not(domain, factory):
    tracker = verified_tracker("C000001", "/out_of_scope", "out_of_scope")  # "none of these", twice
    tracker.active_loop = {"name": "action_two_stage_fallback"}
    _, events = run_action(ActionDefaultFallback(), tracker, domain)
    assert paused(events) and stored(factory, "client:C000001").reason == "repeated_fallback"
    messages, events, _ = hand_off(domain, "C000003", text="查余额", intent="check_balance",
                                   action=ActionDefaultFallback())
    assert messages[0]["response"] == "utter_default" and {"event": "rewind", "timestamp": None} in events
    assert not paused(events)


def test_a_frozen_card_is_followed_by_an_urgent_handoff_to_the_contact_center_and_the_rm_hears(domain, factory):
    asked = [{"event": "action", "name": "action_report_card_loss"},
             {"event": "slot", "name": "card_loss_pending", "value": None},
             {"event": "action", "name": "action_listen"}]
    with factory() as session:
        from bot.profile.queries import accounts_of
        card = next(card for card in accounts_of(session, "C000001") if card.account_type == "信用卡"
                    and card.status != "frozen")
    tracker = verified_tracker("C000001", "是的", "affirm", slots={"card_loss_pending": card.tail},
                               events=asked[:1] + [{"event": "slot", "name": "card_loss_pending",
                                                    "value": card.tail}] + asked[2:])
    _, events = run_action(ActionReportCardLoss(), tracker, domain)
    assert {"event": "followup", "name": "action_hand_off", "timestamp": None} in events
    try:
        _, events, (reply,) = hand_off(domain, "C000001", text="是的", intent="affirm",
                                       slots={"urgent_handoff": True})
        assert "加急" in reply and "贵宾服务中心" in reply and "陈思远也已收到通知" in reply
        record = stored(factory, "client:C000001")
        assert record.reason == "card_loss" and record.urgent and record.notify_rm_id == "RM001"
    finally:
        from sqlalchemy import update
        from bot.profile.models import Account
        with factory() as session:
            session.execute(update(Account).where(Account.id == card.account_id).values(status=card.status))
            session.commit()


def test_a_database_failure_gives_the_hotline_and_the_bot_keeps_answering(domain, monkeypatch, tmp_path):
    from bot.profile import store
    monkeypatch.setenv("PROFILE_DATABASE_URL", f"sqlite:///{tmp_path / 'missing' / 'no.db'}")
    store._factory.cache_clear()
    _, events, (reply,) = hand_off(domain, "C000001")
    assert "400-820-9999" in reply and not paused(events)


def test_handing_back_says_the_bot_is_back_and_clears_what_it_had_open(domain):
    tracker = verified_tracker("C000001", "", "EXTERNAL_handback",
                               slots={"requested_slot": "complaint_category", "handoff_reason": "complaint_high_severity",
                                      "urgent_handoff": True})
    tracker.active_loop = {"name": "complaint_form"}
    messages, events = run_action(ActionHandBack(), tracker, domain)
    assert messages[0]["response"] == "utter_handback"
    assert {"event": "active_loop", "name": None, "timestamp": None} in events
    slots = {event["name"]: event["value"] for event in events if event["event"] == "slot"}
    assert slots == {"requested_slot": None, "handoff_reason": None, "urgent_handoff": False}


def test_a_closed_service_thanks_the_client(domain):
    messages, _ = run_action(ActionHandoffClosed(), verified_tracker("C000001", "", "EXTERNAL_handoff_closed"), domain)
    assert messages[0]["response"] == "utter_handoff_closed"


def test_with_a_contact_center_webhook_the_handoff_and_its_event_are_stored_together(domain, factory, monkeypatch):
    import actions.handoff
    from bot.handoff.webhook import WebhookConfig, entries_of_handoff
    monkeypatch.setattr(actions.handoff, "WEBHOOK", WebhookConfig("http://127.0.0.1:9/hook", "s" * 40))
    hand_off(domain, "C000001", events=earlier_turn(f"卡号{CARD_NUMBER}", "check_balance"))
    record = stored(factory, "client:C000001")
    with factory() as session:
        (entry,) = entries_of_handoff(session, record.id)
        row = session.execute(select(WebhookOutbox)).scalar_one()
    assert entry.event == "handoff.created" and entry.delivered_at is None
    assert CARD_NUMBER not in row.payload and record.id in row.payload


def test_a_new_session_keeps_a_conversation_a_person_holds_paused(domain, factory):
    from actions.handoff import ActionSessionStart
    tracker = verified_tracker("C000001", "在吗", "greet", slots={"script": "traditional"})
    _, events = run_action(ActionSessionStart(), tracker, domain)
    assert [event["event"] for event in events][-1] == "action" and not paused(events)
    assert {"event": "slot", "name": "script", "value": "traditional", "timestamp": None} in events
    hand_off(domain, "C000001")
    _, events = run_action(ActionSessionStart(), tracker, domain)
    assert events[0]["event"] == "session_started" and events[-1]["event"] == "pause"
