"""The advisor copilot in conversation: a client's overview and the worklist, for staff only.

The clock is Wednesday 2026-11-25 10:30 in Shanghai: RM001 陈思远 and RM002 are at work, RM004 is
on leave and RM003 王梓涵 covers RM004's clients (C000002 李秀英). The case service runs in-process
with its own clock (a case accepted 20 days ago is overdue now), or is down (nothing listens).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

import actions.complaints
from actions.advisor import ActionAdvisorClientOverview, ActionAdvisorWorklist
from bot import clock
from bot.appointments.store import book
from bot.case_service import create_app
from bot.cases.client import CaseClient
from bot.cases.types import NewCase
from bot.handoff import HandoffReason
from bot.handoff.store import take
from bot.identity import Principal, Role
from bot.profile.database import make_engine
from bot.profile.models import Account, Appointment, Client, Handoff, HandoffMessage
from tests.actions.conftest import run_action, verified_tracker
from tests.actions.replies import reply_texts
from tests.bot.advisor.conftest import open_handoff_for
from tests.bot.profile.conftest import sessions_removing

NOW = datetime(2026, 11, 25, 10, 30, tzinfo=clock.BANK_TIME)
TOKEN = "advisor-test-case-token-" + "a" * 40


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "bank_now", lambda: NOW)


@pytest.fixture()
def factory(profile_url: str) -> Iterator:
    """Sessions on the test store; the appointments and handoffs a test makes are removed afterwards."""
    engine = make_engine(profile_url)
    with sessions_removing(engine, Appointment, HandoffMessage, Handoff) as sessions:
        yield sessions
    engine.dispose()


@dataclass
class Cases:
    """The case service in-process; ``at`` is its clock."""

    http: TestClient
    at: datetime

    def file(self, client_id: str, days_ago: int, category: str = "fees") -> str:
        self.at = NOW - timedelta(days=days_ago)
        new = NewCase(client_id=client_id, channel="app", category=category, severity="normal",
                      description="年费重复扣收", tier="金卡", assigned_to="RM001")
        response = self.http.post("/v1/cases", json=new.to_json(), headers={
            "Authorization": f"Bearer {TOKEN}", "Idempotency-Key": uuid.uuid4().hex})
        assert response.status_code == 201, response.text
        self.at = NOW
        return response.json()["case_id"]


@pytest.fixture()
def cases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cases]:
    holder: List[Cases] = []
    app = create_app(f"sqlite:///{tmp_path / 'cases.db'}", token=TOKEN, clock=lambda: holder[0].at)
    with TestClient(app) as http:
        holder.append(Cases(http, NOW))
        transport = httpx.ASGITransport(app=app)
        monkeypatch.setattr(actions.complaints, "case_client",
                            lambda: CaseClient("http://cases.test", TOKEN, attempts=1, transport=transport))
        yield holder[0]


@dataclass(frozen=True)
class Turn:
    messages: List[Dict[str, Any]]
    events: List[Dict[str, Any]]
    replies: List[str]

    @property
    def reply(self) -> str:
        return "\n".join(self.replies)

    @property
    def responses(self) -> List[Optional[str]]:
        return [message.get("response") for message in self.messages]

    @property
    def focus(self) -> Optional[str]:
        values = [event["value"] for event in self.events if event.get("event") == "slot"]
        return values[-1] if values else None


def ask(domain, subject_id: Optional[str], text: str, person: Optional[str] = None, role: Role = Role.ADVISOR,
        intent: str = "advisor_client_overview", entities: Optional[List[Dict[str, Any]]] = None,
        slots: Optional[Dict[str, Any]] = None, metadata: Optional[Dict[str, Any]] = None) -> Turn:
    entities = list(entities or []) + ([{"entity": "person", "value": person}] if person else [])
    action = ActionAdvisorClientOverview() if intent == "advisor_client_overview" else ActionAdvisorWorklist()
    tracker = verified_tracker(subject_id, text, intent, entities=entities, slots=slots, role=role,
                               metadata=metadata)
    messages, events = run_action(action, tracker, domain)
    return Turn(messages, events, reply_texts(domain, messages, tracker.current_slot_values()))


def worklist_of(domain, subject_id: str, role: Role = Role.ADVISOR) -> Turn:
    return ask(domain, subject_id, "我今天有哪些待办", role=role, intent="advisor_worklist")


def numbers_of(factory, client_id: str) -> List[str]:
    """The client's whole phone and account numbers: never in a reply."""
    with factory() as session:
        return [session.get(Client, client_id).phone,
                *session.scalars(select(Account.number).where(Account.client_id == client_id))]


# ------------------------------------------------------------------- overview
def test_an_rm_gets_their_client_s_overview(domain, factory):
    turn = ask(domain, "RM001", "王建华最近怎么样", person="王建华")
    assert turn.responses == ["utter_advisor_overview"] and turn.focus == "C000001"
    reply = turn.reply
    for fact in ("王建华（C000001）金卡客户", "风险承受能力：C3，评估有效期至2027-03-21", "客户经理：陈思远（备岗：刘晓雯）",
                 "持仓5笔", "养老目标2045，12月6日到期（还有12天）", "投诉工单暂时无法查询"):
        assert fact in reply, fact
    assert not any(number in reply for number in numbers_of(factory, "C000001"))


def test_another_rm_s_client_is_answered_like_a_name_nobody_has(domain):
    other = ask(domain, "RM001", "李秀英最近怎么样", person="李秀英")  # RM004's client, covered by RM003
    nobody = ask(domain, "RM001", "赵无名最近怎么样", person="赵无名")
    assert other.responses == nobody.responses == ["utter_advisor_client_unknown"]
    assert other.reply.replace("李秀英", "某某") == nobody.reply.replace("赵无名", "某某")
    assert other.events == nobody.events == []
    assert "C000002" not in other.reply and "金卡" not in other.reply


def test_a_name_with_a_title_is_the_client_of_that_name(domain):
    turn = ask(domain, "RM001", "王建华先生最近怎么样", person="王建华先生")
    assert turn.focus == "C000001"


def test_the_covering_rm_gets_the_client_of_an_rm_on_leave(domain):
    turn = ask(domain, "RM003", "看一下客户李秀英的情况", person="李秀英")
    assert turn.focus == "C000002"
    assert "李秀英（C000002）金卡客户，长者客户" in turn.reply
    assert "已过期，需先重新评估" in turn.reply


@pytest.mark.parametrize("subject_id, role", [("C000001", Role.CLIENT), (None, Role.CLIENT)])
def test_a_client_or_an_unverified_user_is_refused_politely(domain, subject_id, role):
    turn = ask(domain, subject_id, "王建华最近怎么样", person="王建华", role=role)
    assert turn.responses == ["utter_advisor_only"] and turn.events == []
    assert "只为客户经理和客服坐席" in turn.reply and "王建华" not in turn.reply
    listed = ask(domain, subject_id, "我今天的待办", role=role, intent="advisor_worklist")
    assert listed.responses == ["utter_advisor_only"]


def test_an_advisor_whose_login_ran_out_is_asked_to_log_in_again(domain):
    expired = Principal(Role.ADVISOR, "RM001", datetime.now(timezone.utc) - timedelta(minutes=1)).to_metadata()
    turn = ask(domain, "RM001", "王建华最近怎么样", person="王建华", metadata=expired)
    assert turn.responses == ["utter_advisor_session_expired"]


def test_a_surname_lists_the_rm_s_clients_with_it_as_buttons(domain):
    turn = ask(domain, "RM001", "王总最近怎么样", person="王总")
    assert turn.responses == ["utter_advisor_which_client"] and turn.events == []
    buttons = turn.messages[0]["buttons"]
    assert [button["title"] for button in buttons] == ["王建华（C000001，金卡）", "王萍（C000217，金卡）",
                                                      "王一帆（C000241，金卡）"]
    assert "3位“王”" in turn.reply
    chosen = buttons[1]["payload"]
    assert chosen == '/advisor_client_overview{"advisor_client": "C000217"}'
    picked = ask(domain, "RM001", chosen, entities=[{"entity": "advisor_client", "value": "C000217"}])
    assert picked.focus == "C000217" and "王萍（C000217）" in picked.reply


def test_a_payload_naming_a_client_not_theirs_is_refused_like_an_unknown_one(domain):
    turn = ask(domain, "RM001", '/advisor_client_overview{"advisor_client": "C000002"}',
               entities=[{"entity": "advisor_client", "value": "C000002"}])
    assert turn.responses == ["utter_advisor_client_unknown"] and "李秀英" not in turn.reply


def test_a_follow_up_without_a_name_is_about_the_client_looked_at_last(domain):
    turn = ask(domain, "RM001", "这个客户有没有投诉", slots={"advisor_client": "C000007"})
    assert turn.focus == "C000007" and "周振邦（C000007）私人银行客户" in turn.reply
    stale = ask(domain, "RM001", "这个客户有没有投诉", slots={"advisor_client": "C000002"})  # not RM001's
    assert stale.responses == ["utter_advisor_ask_client"] and stale.focus is None
    nothing = ask(domain, "RM001", "客户画像")
    assert nothing.responses == ["utter_advisor_ask_client"] and nothing.events == []


def test_an_agent_sees_a_client_only_while_holding_their_handoff(domain, factory):
    before = ask(domain, "CC001", "王建华最近怎么样", person="王建华", role=Role.AGENT)
    assert before.responses == ["utter_advisor_client_unknown"]
    with factory() as session:
        record = open_handoff_for(session, "C000001", HandoffReason.CARD_LOSS, NOW)
        take(session, record.id, Principal(Role.AGENT, "CC001", NOW + timedelta(hours=1)), NOW)
        session.commit()
    held = ask(domain, "CC001", "王建华最近怎么样", person="王建华", role=Role.AGENT)
    assert held.focus == "C000001" and "王建华（C000001）" in held.reply
    other = ask(domain, "CC001", "周振邦最近怎么样", person="周振邦", role=Role.AGENT)
    assert other.responses == ["utter_advisor_client_unknown"]


def test_the_overview_lists_the_cases_with_due_days(domain, cases):
    overdue = cases.file("C000001", days_ago=20)
    recent = cases.file("C000001", days_ago=2, category="app_fault")
    reply = ask(domain, "RM001", "王建华有没有未结的投诉", person="王建华").reply
    assert f"{overdue} 收费/扣费，已受理，11月20日到期（已超时限）" in reply
    assert f"{recent} 手机银行/系统故障，已受理，12月8日到期" in reply
    assert reply.index(overdue) < reply.index(recent)


def test_the_overview_reads_in_traditional(domain):
    turn = ask(domain, "RM001", "王建華最近怎麼樣", person="王建華", slots={"script": "traditional"})
    assert turn.focus == "C000001"
    assert "王建華（C000001）金卡客戶" in turn.reply and "客戶經理：陳思遠" in turn.reply


# ------------------------------------------------------------------- worklist
def test_the_worklist_lists_handoffs_appointments_maturities_and_overdue_cases(domain, factory, cases):
    with factory() as session:
        open_handoff_for(session, "C000001", HandoffReason.CLIENT_REQUEST, NOW - timedelta(minutes=5))
        open_handoff_for(session, "C000004", HandoffReason.CLIENT_REQUEST, NOW)  # RM003's: not shown
    with factory() as session:
        assert book(session, "C000007", "RM001", datetime(2026, 11, 25, 15, 0, tzinfo=clock.BANK_TIME), NOW).booked
    with factory() as session:
        assert book(session, "C000001", "RM001", datetime(2026, 11, 26, 15, 0, tzinfo=clock.BANK_TIME), NOW).booked
    overdue = cases.file("C000001", days_ago=20)
    cases.file("C000004", days_ago=20)  # RM003's client: not shown
    turn = worklist_of(domain, "RM001")
    assert turn.responses == ["utter_advisor_worklist"]
    reply = turn.reply
    for fact in ("11月25日的待办",
                 "等待处理的转人工（1）：\n· 王建华，客户要求转人工，待接入，还剩10分钟",
                 "今天的预约（1）：\n· 15:00 周振邦，",
                 "7天内到期（3）：\n· 11月25日 朱婉清：汇利结构性存款挂钩黄金",
                 "11月26日 蒋翔：臻盈180天", "11月26日 姜泽宇：美元稳健QDII",
                 f"未结投诉（1，其中已超时限1）：\n· 王建华：{overdue} 收费/扣费，已受理，11月20日到期（已超时限）"):
        assert fact in reply, fact
    assert "张志强" not in reply and "11月26日 15:00" not in reply


def test_the_worklist_without_the_case_service_shows_the_rest(domain):
    reply = worklist_of(domain, "RM003").reply
    assert "投诉工单暂时无法查询" in reply
    assert "7天内到期（10）" in reply and "……另有2项" in reply and "没有等待处理的转人工" in reply
    assert "11月26日 张建国：月月享，市值154,361.50 元" in reply  # RM004's client, covered by RM003


def test_an_agent_s_worklist_is_the_contact_center_queue(domain, factory):
    with factory() as session:
        open_handoff_for(session, "C000001", HandoffReason.CARD_LOSS, NOW)
        open_handoff_for(session, "C000007", HandoffReason.CLIENT_REQUEST, NOW)  # to RM001
    reply = worklist_of(domain, "CC001", Role.AGENT).reply
    assert "等待处理的转人工（1）：\n· 【加急】王建华，挂失后跟进，待接入，还剩2分钟" in reply
    assert "周振邦" not in reply and "客服坐席的待办只含转给您的会话" in reply
