"""A complaint, from the first message to a case in the case service (or the outbox when it is down)."""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any, Dict, List, Optional

import pytest
from sqlalchemy import select

from actions.complaints import (
    ActionAskComplaintConfirmed,
    ActionStartComplaint,
    ActionSubmitComplaint,
    ValidateComplaintForm,
)
from bot import clock
from bot.cases.delivery import deliver_due
from bot.profile.models import CaseOutbox
from bot.profile.queries import client_summary
from tests.actions.cases_fixtures import CaseService, case_service  # noqa: F401  (fixture)
from tests.actions.conftest import run_action, verified_tracker
from tests.actions.replies import reply_texts

FILLED = {
    "complaint_category": "fees",
    "complaint_details": "上个月信用卡被扣了两次年费，一共600元",
    "complaint_amount": "600.00",
    "complaint_contact_time": "工作日晚上",
    "complaint_confirmed": True,
    "complaint_severity": "normal",
}


def _slots(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


def start(domain, client_id: Optional[str], text: str, entities=None, slots=None):
    tracker = verified_tracker(client_id, text, "file_complaint", entities=entities, slots=slots)
    messages, events = run_action(ActionStartComplaint(), tracker, domain)
    return messages, _slots(events)


def answer(domain, requested: str, text: str, intent: str = "inform", entities=None, slots=None):
    tracker = verified_tracker("C000001", text, intent, entities=entities,
                               slots={"requested_slot": requested, **(slots or {})})
    tracker.active_loop = {"name": "complaint_form"}
    messages, events = run_action(ValidateComplaintForm(), tracker, domain)
    return messages, _slots(events)


def submit(domain, client_id: str, slots: Dict[str, Any]):
    tracker = verified_tracker(client_id, "确认", "affirm", slots=slots)
    messages, events = run_action(ActionSubmitComplaint(), tracker, domain)
    return messages, _slots(events), reply_texts(domain, messages, tracker.current_slot_values())


# ------------------------------------------------------------ the opening
def test_someone_not_verified_is_told_how_to_verify_and_no_form_opens(domain):
    messages, slots = start(domain, None, "我要投诉")
    assert [message["response"] for message in messages] == ["utter_complaint_verify_first"]
    assert slots == {"complaint_ready": False}


def test_an_advisor_gets_no_complaint_form(domain):
    from bot.identity import Role

    tracker = verified_tracker("RM001", "我要投诉", "file_complaint", role=Role.ADVISOR)
    _, events = run_action(ActionStartComplaint(), tracker, domain)
    assert _slots(events)["complaint_ready"] is False


def test_what_the_first_message_says_is_not_asked_again(domain):
    text = "你们乱扣我信用卡年费600元，我要投诉"
    messages, slots = start(domain, "C000001", text, entities=[{"entity": "amount", "value": "600"}])
    assert messages[0]["response"] == "utter_complaint_opening"
    assert slots["complaint_ready"] is True
    assert slots["complaint_category"] == "fees"
    assert slots["complaint_details"] == text
    assert slots["complaint_amount"] == "600.00"
    assert slots["complaint_severity"] == "normal"


def test_a_bare_complaint_leaves_everything_to_ask(domain):
    _, slots = start(domain, "C000001", "我要投诉", slots={"complaint_details": "上次的投诉"})
    assert slots["complaint_category"] is None and slots["complaint_details"] is None
    assert slots["complaint_amount"] is None


@pytest.mark.parametrize("text, amount", [
    ("12月3日转账5000元没到账，我要投诉", "5000.00"),
    ("3笔一共1200元被重复扣了", "1200.00"),
    ("昨天下午3点转账到现在没到", None),
    ("工单CS-2026-000123一直没人处理", None),
    ("手机138 1234 5678收不到验证码", None),
])
def test_only_money_in_the_opening_message_is_taken_for_the_amount(domain, text, amount):
    _, slots = start(domain, "C000001", text)
    assert slots["complaint_amount"] == amount


def test_a_regulator_threat_makes_it_high_severity(domain):
    _, slots = start(domain, "C000001", "转账三天没到账，再不处理我就打12378投诉你们")
    assert slots["complaint_severity"] == "high" and slots["complaint_category"] == "payment_delay"


def test_a_card_number_in_the_story_is_masked(domain):
    _, slots = start(domain, "C000001", "我的卡6222021234567890123被乱扣费了")
    assert "6222021234567890123" not in slots["complaint_details"] and "0123" in slots["complaint_details"]


# -------------------------------------------------------------- the form
def test_a_category_button(domain):
    _, slots = answer(domain, "complaint_category", '/inform{"complaint_category": "app_fault"}',
                      entities=[{"entity": "complaint_category", "value": "app_fault"}])
    assert slots["complaint_category"] == "app_fault"


def test_a_category_answered_with_the_story_fills_both(domain):
    _, slots = answer(domain, "complaint_category", "柜员态度太差了，爱答不理的")
    assert slots["complaint_category"] == "service_attitude"
    assert slots["complaint_details"] == "柜员态度太差了，爱答不理的"


def test_an_unclear_category_is_other(domain):
    _, slots = answer(domain, "complaint_category", "说不清")
    assert slots["complaint_category"] == "other"


def test_the_story_sharpens_an_other_category_and_the_severity(domain):
    _, slots = answer(domain, "complaint_details", "信用卡被盗刷了三笔，你们的风控是干什么的",
                      slots={"complaint_category": "other", "complaint_severity": "normal"})
    assert slots["complaint_category"] == "card_fraud" and slots["complaint_severity"] == "high"


@pytest.mark.parametrize("text", ["😡😡😡", "……", "【】", "=====", "、、、、", "\x00\x01", "\ud83d"])
def test_a_story_with_no_letter_or_digit_is_asked_again(domain, text):
    _, slots = answer(domain, "complaint_details", text)
    assert slots["complaint_details"] is None


def test_control_characters_are_dropped_from_the_story(domain):
    _, slots = answer(domain, "complaint_details", "年费\x00被扣\u200b了\ud83d两次")
    assert slots["complaint_details"] == "年费 被扣了两次"


@pytest.mark.parametrize("text, intent, entities, amount", [
    ("大概两千", "inform", [{"entity": "amount", "value": "2000"}], "2000.00"),
    ("被扣了3.5万", "inform", [], "35000.00"),
    ("不涉及金额", "deny", [], "none"),
    ("不知道", "inform", [], "none"),
])
def test_the_amount_is_optional(domain, text, intent, entities, amount):
    _, slots = answer(domain, "complaint_amount", text, intent=intent, entities=entities)
    assert slots["complaint_amount"] == amount


def test_the_contact_time_is_kept_on_one_line(domain):
    _, slots = answer(domain, "complaint_contact_time", "工作日\n晚上七点以后")
    assert slots["complaint_contact_time"] == "工作日 晚上七点以后"


@pytest.mark.parametrize("intent, confirmed", [("affirm", True), ("deny", False), ("inform", None)])
def test_the_summary_is_answered_yes_or_no(domain, intent, confirmed):
    _, slots = answer(domain, "complaint_confirmed", "嗯", intent=intent)
    assert slots["complaint_confirmed"] is confirmed


@pytest.mark.parametrize("requested", ["complaint_category", "complaint_details", "complaint_amount",
                                       "complaint_contact_time", "complaint_confirmed"])
def test_asking_for_a_person_fills_nothing_so_the_form_steps_aside(domain, requested):
    _, slots = answer(domain, requested, "转人工", intent="request_human")
    assert {name: value for name, value in slots.items() if name != "requested_slot"} == {}


def test_the_summary_shows_what_will_be_submitted(domain):
    tracker = verified_tracker("C000001", "工作日晚上", "inform", slots={**FILLED, "complaint_confirmed": None})
    messages, _ = run_action(ActionAskComplaintConfirmed(), tracker, domain)
    (reply,) = reply_texts(domain, messages, tracker.current_slot_values())
    assert "类别：收费/扣费" in reply and FILLED["complaint_details"] in reply
    assert "涉及金额：600.00 元" in reply and "回电时间：工作日晚上" in reply
    assert messages[0]["response"] == "utter_complaint_summary"
    assert [button["payload"] for button in domain["responses"]["utter_complaint_summary"][0]["buttons"]] == [
        "/affirm", "/deny"]


def test_the_summary_in_traditional(domain):
    slots = {**FILLED, "complaint_amount": "none", "script": "traditional"}
    tracker = verified_tracker("C000001", "週末", "inform", slots=slots)
    messages, _ = run_action(ActionAskComplaintConfirmed(), tracker, domain)
    (reply,) = reply_texts(domain, messages, tracker.current_slot_values())
    assert "請確認投訴內容" in reply and "涉及金額：不涉及" in reply


# ------------------------------------------------------------ submitting
def test_a_confirmed_complaint_becomes_a_case_with_a_due_date_and_who_calls(domain, session, case_service):
    messages, slots, (reply,) = submit(domain, "C000001", FILLED)
    (case,) = case_service.cases_of("C000001")
    client = client_summary(session, "C000001")
    assert (case["category"], case["severity"], case["amount_involved"]) == ("fees", "normal", "600.00")
    assert case["description"] == FILLED["complaint_details"] and case["tier"] == client.tier
    assert case["assigned_to"] == client.rm.rm_id and case["channel"] == "app"
    accepted = datetime.fromisoformat(case["accepted_at"]).astimezone(clock.BANK_TIME).date()
    due = (accepted + timedelta(days=15)).isoformat()
    assert case["case_id"] in reply and due in reply and client.rm.name in reply and "工作日晚上" in reply
    assert messages[0]["response"] == "utter_complaint_filed"  # its button: 转人工 (/request_human)
    assert all(slots[name] is None for name in FILLED) and "handoff_reason" not in slots
    row = session.scalars(select(CaseOutbox).order_by(CaseOutbox.id.desc())).first()  # the newest entry
    assert (row.client_id, row.case_id) == ("C000001", case["case_id"]) and row.delivered_at is not None


def test_a_high_severity_complaint_is_flagged_for_a_person(domain, case_service):
    _, slots, (reply,) = submit(domain, "C000002", {**FILLED, "complaint_severity": "high"})
    assert slots["handoff_reason"] == "complaint_high_severity"
    assert "加急" in reply
    assert case_service.cases_of("C000002")[0]["priority"] == "P1"


def test_a_traditional_client_reads_traditional(domain, case_service):
    _, _, (reply,) = submit(domain, "C000003", {**FILLED, "script": "traditional"})
    assert reply.startswith("已為您正式登記投訴，工單號 CS-")


def test_a_login_that_ran_out_while_confirming_keeps_the_complaint_in_the_form(domain, session, case_service):
    from bot.identity import Principal, Role

    ran_out = Principal(Role.CLIENT, "C000006", datetime.now(clock.BANK_TIME) - timedelta(minutes=1)).to_metadata()
    tracker = verified_tracker("C000006", "确认", "affirm", slots=FILLED, metadata=ran_out)
    stored_before = len(session.scalars(select(CaseOutbox.id)).all())
    messages, events = run_action(ActionSubmitComplaint(), tracker, domain)
    assert [message["response"] for message in messages] == ["utter_session_expired"]
    assert {"event": "active_loop", "timestamp": None, "name": "complaint_form"} in events
    assert _slots(events) == {"complaint_confirmed": None}  # the rest kept: asked to confirm again
    assert len(session.scalars(select(CaseOutbox.id)).all()) == stored_before
    assert case_service.cases_of("C000006") == []


def test_a_contact_time_from_a_button_reads_in_the_clients_script(domain, case_service):
    _, _, (reply,) = submit(domain, "C000003", {**FILLED, "complaint_contact_time": "随时都可以",
                                                "script": "traditional"})
    assert "（隨時都可以）" in reply


def test_a_declined_summary_submits_nothing(domain, session, case_service):
    stored_before = len(session.scalars(select(CaseOutbox.id)).all())
    messages, slots, _ = submit(domain, "C000004", {**FILLED, "complaint_confirmed": False})
    assert [message["response"] for message in messages] == ["utter_complaint_cancelled"]
    assert case_service.cases_of("C000004") == []
    assert len(session.scalars(select(CaseOutbox.id)).all()) == stored_before
    assert slots["complaint_details"] is None


def test_with_the_service_down_the_complaint_waits_in_the_outbox_and_is_delivered_later(
        domain, session, case_service):
    case_service.up = False
    messages, _, (reply,) = submit(domain, "C000005", FILLED)
    assert messages[0]["response"] == "utter_complaint_queued"
    reference = reply.split("临时编号 ")[1][:12]
    row = session.scalars(select(CaseOutbox).where(CaseOutbox.provisional_ref == reference)).one()
    assert row.client_id == "C000005" and row.case_id is None and row.attempts == 1
    assert case_service.cases_of("C000005") == []

    case_service.up = True
    row.next_attempt_at = datetime.now(clock.BANK_TIME)  # due now rather than after the back-off
    session.commit()

    async def deliver() -> None:
        async with case_service.client() as client:
            await deliver_due(session, client)

    asyncio.run(deliver())
    session.expire_all()
    (case,) = case_service.cases_of("C000005")
    assert session.scalars(select(CaseOutbox.case_id).where(CaseOutbox.provisional_ref == reference)).one() == case["case_id"]
