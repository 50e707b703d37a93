"""Suggested replies: kb/desk_replies.yml templates filled with the client's data, by the handoff's reason."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pytest
import yaml
from sqlalchemy import select

from bot.advisor import client_overview, load_desk_reply_texts, salutation_for, suggested_replies
from bot.advisor.replies import DESK_REPLIES_FILE, DeskReplyTextsError, desk_reply_texts_from
from bot.appointments.store import book
from bot.clock import BANK_TIME
from bot.handoff import HandoffReason
from bot.profile.models import Account, Client
from tests.bot.advisor.conftest import NOW, TODAY, make_case, open_handoff_for


@dataclass(frozen=True)
class Handoff:
    """The three facts of a handoff record the replies read (``HandoffFacts``)."""

    reason: str
    target_kind: str = "rm"
    target_name: str = "陈思远"


def texts_of(replies):
    return [reply.text for reply in replies]


def kinds_of(replies):
    return [reply.kind for reply in replies]


@pytest.mark.parametrize("name, salutation", [
    ("王建华", "王先生"), ("李秀英", "李女士"), ("陈嘉欣", "陈女士"), ("欧阳娜", "欧阳女士"), ("张华", "张先生/女士"),
])
def test_how_the_client_is_addressed(name, salutation):
    assert salutation_for(name, load_desk_reply_texts()) == salutation


def test_a_card_loss_gets_the_next_steps_then_the_client_s_maturity(session):
    overview = client_overview(session, "C000001", [], TODAY)
    replies = suggested_replies(Handoff("card_loss", "contact_center", "贵宾服务中心"), overview)
    assert kinds_of(replies)[:3] == ["greeting", "card_loss", "maturity_holding"]
    assert replies[0].text.startswith("王先生您好")
    assert replies[1].text.startswith("王先生，您的卡已经冻结") and "补办新卡" in replies[1].text
    assert replies[2].text == ("王先生，提醒您：您持有的养老目标2045将于12月6日到期，目前市值约113,627.40 元。"
                               "到期后资金如何安排，我可以根据您的需要为您准备几个方案，您看什么时间方便沟通？")


def test_a_serious_complaint_puts_the_open_case_with_its_due_day_first(session):
    cases = [make_case("C000001", "CS-2026-000107", due=date(2026, 12, 3), status="under_review")]
    overview = client_overview(session, "C000001", cases, TODAY)
    replies = suggested_replies(Handoff("complaint_high_severity"), overview, advisor_name="陈思远")
    assert kinds_of(replies)[:3] == ["greeting_named", "complaint", "open_case"]
    assert "我是您的客户经理陈思远" in replies[0].text
    assert replies[2].text.startswith("王先生，您反映的收费问题（编号CS-2026-000107）目前在审核中，我们会在12月3日前")


def test_an_overdue_case_gets_the_apology_for_the_delay(session):
    overview = client_overview(session, "C000001", [make_case("C000001", due=date(2026, 11, 20))], TODAY)
    replies = suggested_replies(Handoff("client_request"), overview)
    overdue = [reply for reply in replies if reply.kind == "open_case_overdue"]
    assert len(overdue) == 1 and "超过了承诺的11月20日" in overdue[0].text


def test_an_expired_risk_assessment_is_offered_for_renewal(session):
    overview = client_overview(session, "C000002", [], TODAY)
    replies = suggested_replies(Handoff("elderly_difficulty", "backup_rm", "王梓涵"), overview)
    renewal = [reply for reply in replies if reply.kind == "risk_renewal_expired"]
    assert len(renewal) == 1 and renewal[0].text.startswith("李女士，您的风险承受能力评估已于5月6日到期")
    assert "risk_renewal_expired" not in kinds_of(suggested_replies(Handoff("client_request"),
                                                                    client_overview(session, "C000001", [], TODAY)))


def test_an_appointment_is_confirmed_with_its_day_time_and_place(session, factory):
    with factory() as writing:
        assert book(writing, "C000004", "RM003", datetime(2026, 11, 27, 10, 0, tzinfo=BANK_TIME), NOW,
                    place="vip_room").booked
    overview = client_overview(session, "C000004", [], TODAY)
    appointment = [reply for reply in suggested_replies(Handoff("rm_requested"), overview)
                   if reply.kind == "appointment"]
    branch = overview.appointments[0].branch
    assert appointment[0].text == f"张先生，跟您确认一下：我们约在11月27日10:00在{branch}贵宾室见面，如需调整时间请随时告诉我。"


def test_a_deposit_is_named_by_its_tail_and_no_whole_number_appears(session):
    overview = client_overview(session, "C000268", [make_case("C000268")], TODAY)
    replies = suggested_replies(Handoff("client_request"), overview)
    deposit = [reply.text for reply in replies if reply.kind == "maturity_deposit"]
    assert deposit and "尾号8372的定期存款将于11月30日到期，金额57,000.00 元" in deposit[0]
    numbers = list(session.scalars(select(Account.number).where(Account.client_id == "C000268")))
    phone = session.get(Client, "C000268").phone
    everything = "\n".join(texts_of(replies))
    assert not any(number in everything for number in numbers + [phone])


def test_an_anonymous_conversation_gets_replies_without_client_data():
    replies = suggested_replies(Handoff("card_loss", "contact_center", "贵宾服务中心"), None)
    assert kinds_of(replies) == ["greeting", "card_loss"]
    assert replies[0].text.startswith("您好，您的留言") and replies[1].text.startswith("您的卡已经冻结")


def test_at_most_the_configured_number_of_maturities(session):
    overview = client_overview(session, "C000004", [], TODAY)  # three maturities within 30 days
    replies = suggested_replies(Handoff("client_request"), overview)
    assert len(overview.maturities) == 3
    assert kinds_of(replies).count("maturity_holding") == load_desk_reply_texts().limits["maturities"] == 2


def test_a_template_with_a_placeholder_the_code_does_not_fill_fails_at_load():
    raw = yaml.safe_load(DESK_REPLIES_FILE.read_text("utf-8"))
    raw["replies"]["card_loss"]["text"] = "{salutation}，您尾号{card_number}的卡已冻结"
    with pytest.raises(DeskReplyTextsError, match="replies.card_loss.text"):
        desk_reply_texts_from(raw)
    del raw["suitability"]["not_on_sale"]
    raw["replies"]["card_loss"]["text"] = "{salutation}"
    with pytest.raises(DeskReplyTextsError, match="suitability.not_on_sale"):
        desk_reply_texts_from(raw)


@pytest.mark.usefixtures("no_handoffs_after")
def test_a_stored_handoff_record_drives_the_replies(session):
    record = open_handoff_for(session, "C000001", HandoffReason.CARD_LOSS, NOW)  # urgent: contact center
    overview = client_overview(session, record.client_id, [], TODAY)
    replies = suggested_replies(record, overview, advisor_name="林晓")
    assert kinds_of(replies)[:2] == ["greeting", "card_loss"]  # not named: the contact center holds it
    rm_record = open_handoff_for(session, "C000007", HandoffReason.RM_REQUESTED, NOW)
    named = suggested_replies(rm_record, client_overview(session, "C000007", [], TODAY), advisor_name="陈思远")
    assert named[0].kind == "greeting_named" and "客户经理陈思远" in named[0].text
