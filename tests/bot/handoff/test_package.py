"""The context package a person gets with a handoff: transcript, client 360, summary, next steps, masking.

Also ``kb/desk.yml`` as :class:`DeskTexts` (the loader refuses a broken file).
``NOW`` is Wednesday 2026-11-25 10:30 in Shanghai; the tracker events are
Rasa's dicts (``user``/``bot``/``session_started``).
"""
from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence

import pytest
import yaml
from sqlalchemy.engine import Engine

from bot.appointments.store import AppointmentView, upcoming_of
from bot.cases.types import Case
from bot.clock import BANK_TIME
from bot.handoff import HandoffReason, Route, load_handoff_config, route
from bot.handoff.desk_texts import DESK_FILE, DeskTextsError, desk_texts_from, load_desk_texts
from bot.handoff.package import (
    MAX_TRANSCRIPT_LINES,
    Client360,
    ContextPackage,
    TranscriptLine,
    build_package,
    client_360,
    transcript_from_events,
)
from bot.profile.database import make_session_factory
from bot.profile.queries import ClientSummary, HoldingView, ManagerView, client_summary, holdings_of
from tests.bot.profile.conftest import seeded_engine_for

NOW = datetime(2026, 11, 25, 10, 30, tzinfo=BANK_TIME)
TODAY = NOW.date()
T0 = NOW.timestamp()
TEXTS = load_desk_texts()

CARD = "6217 0098 7654 3210 123"  # 19 digits; tail 0123
PHONE = "13912345678"
ID_NUMBER = "11010519491231002X"


def user(text: str, intent: Optional[str] = None, seconds: float = 0, entities: Sequence[Dict[str, Any]] = (),
         ) -> Dict[str, Any]:
    event: Dict[str, Any] = {"event": "user", "text": text, "timestamp": T0 + seconds, "metadata": {}}
    if intent is not None:
        event["parse_data"] = {"intent": {"name": intent, "confidence": 0.93}, "entities": list(entities)}
    return event


def bot(text: Optional[str], seconds: float = 0, buttons: Sequence[Dict[str, str]] = (),
        metadata: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    return {"event": "bot", "text": text, "timestamp": T0 + seconds, "metadata": metadata or {},
            "data": {"buttons": list(buttons) or None}}


def manager(rm_id: str, name: str) -> ManagerView:
    return ManagerView(rm_id, name, "陆家嘴支行", "on_duty", "12345", time(9), time(17, 30), None)


def summary(**changes: Any) -> ClientSummary:
    base = ClientSummary(
        client_id="C000005", name="刘思琪", tier="钻石", aum=Decimal("6800000.00"), risk_tolerance="C4",
        risk_assessed_on=date(2026, 3, 1), risk_expires_on=date(2027, 3, 1), script="hans", age_band="40-49",
        is_elderly=False, phone_masked="139****5678", rm=manager("RM005", "王敏"), backup_rm=manager("RM006", "赵磊"))
    return replace(base, **changes)


def holding(name: str, matures_on: Optional[date], code: str = "WM-01") -> HoldingView:
    return HoldingView(1, code, name, "理财", "R2", "CNY", Decimal("100000.0000"), Decimal("100000.00"),
                       Decimal("101200.00"), date(2026, 6, 1), matures_on)


def case(case_id: str, status: str, due: datetime, category: str = "fees") -> Case:
    return Case.from_json({
        "case_id": case_id, "client_id": "C000005", "channel": "app", "category": category, "severity": "normal",
        "description": "…", "amount_involved": None, "currency": "CNY", "preferred_contact": None, "tier": "钻石",
        "priority": "normal", "assigned_to": "RM005", "status": status, "accepted_at": "2026-11-10T02:00:00+00:00",
        "due_at": due.isoformat(), "time_limit_days": 15, "history": [], "notices": []})


def client(**changes: Any) -> Client360:
    return client_360(summary(**changes), cases=[], appointments=[], holdings=[], today=TODAY)


def routed(reason: HandoffReason = HandoffReason.CLIENT_REQUEST,
           who: Optional[ClientSummary] = None) -> Route:
    return route(reason, who if who is not None else summary(), NOW, load_handoff_config())


def package_for(events: Sequence[Dict[str, Any]], reason: HandoffReason = HandoffReason.CLIENT_REQUEST,
                who: Optional[Client360] = None, anonymous: bool = False) -> ContextPackage:
    person = None if anonymous else (who or client())
    return build_package("client:C000005", "app", reason, routed(reason, None if anonymous else summary()),
                         person, transcript_from_events(events, "simplified"), NOW)


def sentences(text: str) -> List[str]:
    """Sentences ending in 。 outside quotation marks."""
    found, depth, start = [], 0, 0
    for index, char in enumerate(text):
        depth += char == "“"
        depth -= char == "”"
        if char == "。" and depth == 0:
            found.append(text[start:index + 1])
            start = index + 1
    return found


# --------------------------------------------------------------------- the transcript
def test_only_the_current_session_goes_into_the_transcript() -> None:
    lines = transcript_from_events([
        user("上次的问题：我的房贷", "faq", -9000),
        {"event": "session_started", "timestamp": T0 - 100},
        user("查一下余额", "check_balance", 1),
        bot("您的活期余额为 12,345.67 元。", 2),
    ])
    assert [(line.speaker, line.text) for line in lines] == [("client", "查一下余额"),
                                                           ("bot", "您的活期余额为 12,345.67 元。")]
    assert lines[0].at == datetime.fromtimestamp(T0 + 1, tz=timezone.utc)
    assert lines[0].intent == "check_balance"


def test_events_other_than_messages_are_left_out_and_empty_bot_events_too() -> None:
    lines = transcript_from_events([
        {"event": "action", "name": "action_listen", "timestamp": T0},
        {"event": "slot", "name": "handoff_id", "value": "HO-1", "timestamp": T0},
        user("你好", "greet", 1),
        bot(None, 2),
    ])
    assert [line.text for line in lines] == ["你好"]


def test_the_transcript_keeps_the_newest_fifty_lines() -> None:
    events = [user(f"第{index}个问题", "faq", index) for index in range(60)]
    lines = transcript_from_events(events)
    assert len(lines) == MAX_TRANSCRIPT_LINES == 50
    assert lines[0].text == "第10个问题" and lines[-1].text == "第59个问题"


def test_a_pressed_button_reads_as_the_button_not_as_its_payload() -> None:
    lines = transcript_from_events([
        user("/request_human", "request_human", 1),
        user('/rate_service{"csat_score": "5"}', "rate_service", 2, [{"entity": "csat_score", "value": "5"}]),
        user("/affirm", None, 3),  # Rasa stores some payloads without parse data: the payload names the intent
        user('/unknown_intent{"x": "1"}', None, 4),
    ])
    assert [line.text for line in lines] == ["〔按钮：转人工〕", "〔按钮：服务评分 5〕", "〔按钮：是〕",
                                            "〔按钮：unknown_intent 1〕"]
    assert [line.intent for line in lines] == ["request_human", "rate_service", "affirm", "unknown_intent"]
    assert lines[1].entities == (("csat_score", "5"),)
    assert all(line.pressed_button and line.sentiment is None for line in lines)
    assert not any("{" in line.text or "/" in line.text or "csat_score" in line.text for line in lines)


def test_agent_replies_are_the_agents_and_offered_buttons_are_listed() -> None:
    lines = transcript_from_events([
        bot("需要转人工吗？", 1, buttons=[{"title": "是", "payload": "/affirm"}, {"title": "否", "payload": "/deny"}]),
        bot("您好，我是林晓，由我为您处理。", 2, metadata={"agent_id": "CC001", "agent_name": "林晓"}),
    ])
    assert [(line.speaker, line.text, line.sender_name) for line in lines] == [
        ("bot", "需要转人工吗？〔可选：是 / 否〕", None),
        ("agent", "您好，我是林晓，由我为您处理。", "林晓"),
    ]


def test_every_typed_client_message_has_a_sentiment_reading() -> None:
    lines = transcript_from_events([
        user("查一下余额", "check_balance", 1),
        bot("您的活期余额为 12,345.67 元。", 2),
        user("太慢了，什么破服务！！", "nlu_fallback", 3),
        user("好的谢谢，服务很好", "thank", 4),
    ])
    readings = [(line.sentiment, line.sentiment_score is not None) for line in lines if line.speaker == "client"]
    assert readings == [("neutral", True), ("negative", True), ("positive", True)]
    assert lines[1].sentiment is None  # the bot's lines are not read
    assert lines[2].sentiment_cues  # what made it negative


def test_traditional_script_masks_a_card_as_traditional() -> None:
    lines = transcript_from_events([user(f"我張卡{CARD}點解凍結咗", "report_card_loss", 1)], script="traditional")
    assert lines[0].text == "我張卡尾號0123點解凍結咗"


# ------------------------------------------------------------------------- masking
def _digits_leaked(dumped: str, number: str, allowed: Sequence[str]) -> List[str]:
    """Runs of 5+ digits of ``number`` found in ``dumped`` (separators ignored) beyond ``allowed``."""
    digits = re.sub(r"[^0-9Xx]", "", number)
    flat = re.sub(r"[\s\-]", "", dumped)
    for part in allowed:
        flat = flat.replace(part, "")
    return [digits[start:start + 5] for start in range(len(digits) - 4) if digits[start:start + 5] in flat]


def test_no_card_phone_or_id_number_reaches_the_package_beyond_the_allowed_tail() -> None:
    events = [
        {"event": "session_started", "timestamp": T0 - 10},
        user(f"我的卡号是{CARD}，帮我查余额", "check_balance", 1,
             [{"entity": "account_number", "value": CARD.replace(" ", "")}]),
        bot(f"已收到，卡号{CARD}。", 2),
        user(f"我的手机 {PHONE}，身份证{ID_NUMBER}", "inform", 3,
             [{"entity": "phone", "value": PHONE}, {"entity": "id_number", "value": ID_NUMBER}]),
        user(f"打{PHONE}找我！！太慢了", "nlu_fallback", 4),  # the last message goes into the summary
        bot(f"好的，我们会致电{PHONE[:3]}-{PHONE[3:7]}-{PHONE[7:]}。", 5,
            metadata={"agent_id": "CC001", "agent_name": "林晓"}),
    ]
    package = package_for(events)
    dumped = json.dumps(package.to_json(), ensure_ascii=False)
    assert _digits_leaked(dumped, CARD, allowed=["尾号0123"]) == []
    assert _digits_leaked(dumped, PHONE, allowed=["139****5678"]) == []
    assert _digits_leaked(dumped, ID_NUMBER, allowed=[]) == []
    assert "尾号0123" in dumped and "139****5678" in dumped and "1****************X" in dumped
    assert "139****5678" in package.summary  # what the client said last, masked
    # a number typed as if it were a payload: Rasa parses "/6217…" as an intent of that name
    by_hand = package_for([user("/" + CARD.replace(" ", ""), CARD.replace(" ", ""), 1)])
    assert _digits_leaked(json.dumps(by_hand.to_json(), ensure_ascii=False), CARD, allowed=["尾号0123"]) == []
    # json.dumps with ASCII escapes (as stored by other writers) hides nothing either
    ascii_dumped = json.dumps(package.to_json())
    assert _digits_leaked(ascii_dumped, CARD, allowed=["0123"]) == []


def test_lines_made_by_a_caller_are_masked_again_when_the_package_is_built() -> None:
    raw = TranscriptLine(NOW, "client", f"卡号{CARD}", intent="inform", entities=(("card", CARD),))
    package = build_package("client:C000005", "app", HandoffReason.CLIENT_REQUEST, routed(), client(), [raw], NOW)
    assert package.transcript[0].text == "卡号尾号0123"
    assert package.entities == (("card", "尾号0123"),)


# -------------------------------------------------------------------- the package
def test_the_package_carries_reason_route_intents_and_entities_in_order() -> None:
    package = package_for([
        user("查一下余额", "check_balance", 1, [{"entity": "account_type", "value": "活期"}]),
        bot("您的活期余额为 12,345.67 元。", 2),
        user("美元户头呢", "check_balance", 3, [{"entity": "currency", "value": "USD"}]),
        user("/request_human", "request_human", 4),
    ])
    assert package.reason == "client_request" and package.urgent is False
    assert package.route.target_kind == "rm" and package.route.target_name == "王敏"
    assert package.route.respond_within_seconds == 300  # 钻石: 5 minutes
    assert package.intents == ("check_balance", "check_balance", "request_human")
    assert package.entities == (("account_type", "活期"), ("currency", "USD"))
    assert package.conversation_id == "client:C000005" and package.channel == "app"


def test_an_urgent_reason_is_marked_urgent() -> None:
    package = package_for([user("卡丢了", "report_card_loss", 1)], reason=HandoffReason.CARD_LOSS)
    assert package.urgent is True
    assert package.route.target_kind == "contact_center" and package.route.notify_rm_id == "RM005"


def test_the_package_survives_json_and_back() -> None:
    who = client_360(summary(), cases=[case("CS-2026-000101", "investigating", NOW + timedelta(days=3))],
                     appointments=[AppointmentView("AP0000ABCD", "C000005", "RM005", "王敏", "vip_room", "陆家嘴支行",
                                                   NOW + timedelta(days=1), NOW + timedelta(days=1, hours=1),
                                                   "booked")],
                     holdings=[holding("稳享365天", TODAY + timedelta(days=12))], today=TODAY)
    package = package_for([user("查一下余额", "check_balance", 1), user("/request_human", "request_human", 2)],
                          who=who)
    stored = json.loads(json.dumps(package.to_json()))
    assert ContextPackage.from_json(stored) == package
    assert ContextPackage.from_json(json.loads(package.to_text())) == package
    anonymous = package_for([user("转人工", "request_human", 1)], anonymous=True)
    assert ContextPackage.from_json(json.loads(json.dumps(anonymous.to_json()))) == anonymous


# ------------------------------------------------------------------- the summary
def test_the_summary_reads_like_a_colleagues_note() -> None:
    package = package_for([
        user("查一下余额", "check_balance", 1),
        bot("您的活期余额为 12,345.67 元。", 2),
        user("我的理财什么时候到期", "check_portfolio", 3),
        bot("您持有的稳享365天将于12月7日到期。", 4),
        user("还有别的吗", "nlu_fallback", 5),
        user("太慢了", "nlu_fallback", 6),
        user("/request_human", "request_human", 7),
    ])
    assert package.summary == (
        "刘思琪（钻石客户，风险等级C4，测评2027-03-01到期）因主动要求人工转接。"
        "本次共5条消息，主要询问余额和理财持仓；最后说：“太慢了”。情绪：负面（太慢）。")
    assert package.sentiment == "negative"
    assert len(sentences(package.summary)) == 3


def test_the_summary_says_when_the_risk_assessment_has_expired_and_who_is_anonymous() -> None:
    expired = package_for([user("推荐个理财", "product_recommendation", 1)],
                          who=client(risk_expires_on=date(2026, 10, 1)))
    assert expired.summary.startswith("刘思琪（钻石客户，风险等级C4，测评已于2026-10-01过期）")
    anonymous = package_for([user("转人工", "request_human", 1)], anonymous=True)
    assert anonymous.summary.startswith("未验证身份的客户因主动要求人工转接。")


@pytest.mark.parametrize("events, sentences_expected", [
    ([], 2),  # nothing said: who and why, and that nothing was said
    ([user("/request_human", "request_human", 1)], 2),  # buttons only: no mood to read
    ([user("你好", "greet", 1), user("转人工", "request_human", 2)], 3),
])
def test_the_summary_is_two_or_three_sentences(events: List[Dict[str, Any]], sentences_expected: int) -> None:
    package = package_for(events)
    assert len(sentences(package.summary)) == sentences_expected
    assert "".join(sentences(package.summary)) == package.summary


def test_a_long_last_message_is_shortened_in_the_summary() -> None:
    package = package_for([user("我想问一下" + "这个产品的情况" * 20, "product_inquiry", 1)])
    quoted = re.search("“(.*)”", package.summary)
    assert quoted is not None and len(quoted.group(1)) == 40 and quoted.group(1).endswith("…")


# ---------------------------------------------------------------- next steps
def steps(package: ContextPackage) -> str:
    return "\n".join(package.next_steps)


def test_next_steps_start_with_the_reason() -> None:
    for reason in HandoffReason:
        package = package_for([user("帮帮我", "nlu_fallback", 1)], reason=reason)
        rule = next(rule for rule in TEXTS.next_steps if rule.when == f"reason:{reason.value}")
        assert package.next_steps[0] == rule.text.format(rm_name="王敏")


def test_next_steps_follow_what_is_known_of_the_client() -> None:
    who = client_360(
        summary(risk_expires_on=date(2026, 10, 1), is_elderly=True),
        cases=[case("CS-2026-000101", "investigating", NOW - timedelta(days=2)),
               case("CS-2026-000102", "resolved", NOW - timedelta(days=9))],
        appointments=[], holdings=[holding("稳享365天", TODAY + timedelta(days=12))], today=TODAY)
    text = steps(package_for([user("好的", "affirm", 1)], who=who))
    assert "CS-2026-000101已超过处理时限（2026-11-23到期）" in text
    assert "未结投诉" not in text  # the overdue step says it
    assert "风险测评已于2026-10-01过期" in text
    assert len(who.open_cases or ()) == 1  # the resolved one is not open
    on_time = client_360(summary(), cases=[case("CS-2026-000103", "under_review", NOW + timedelta(days=5)),
                                           case("CS-2026-000104", "submitted", NOW + timedelta(days=2))],
                         appointments=[], holdings=[], today=TODAY)
    assert "客户有2件未结投诉（CS-2026-000104，2026-11-27到期）" in steps(package_for([user("好的", "affirm", 1)],
                                                                                   who=on_time))


def test_next_steps_name_a_maturity_an_appointment_and_the_elderly() -> None:
    meeting = AppointmentView("AP0000ABCD", "C000005", "RM005", "王敏", "vip_room", "陆家嘴支行",
                              datetime(2026, 11, 26, 15, 0, tzinfo=BANK_TIME),
                              datetime(2026, 11, 26, 16, 0, tzinfo=BANK_TIME), "booked")
    who = client_360(summary(is_elderly=True), cases=[], appointments=[meeting],
                     holdings=[holding("稳享365天", TODAY + timedelta(days=12))], today=TODAY)
    package = package_for([user("查一下", "check_portfolio", 1)], who=who)
    text = steps(package)
    assert "稳享365天将于2026-12-07到期（12天后）" in text
    assert "客户已预约11月26日 15:00在陆家嘴支行与王敏见面" in text
    assert "长者客户" in text
    assert len(package.next_steps) <= TEXTS.max_next_steps


def test_next_steps_when_the_case_service_is_down_or_the_client_is_anonymous() -> None:
    down = client_360(summary(), cases=None, appointments=[], holdings=[], today=TODAY)
    assert down.open_cases is None
    assert "投诉系统暂时查不到" in steps(package_for([user("投诉进度", "check_case_status", 1)], who=down))
    assert "先请客户登录或核实身份" in steps(package_for([user("转人工", "request_human", 1)], anonymous=True))


def test_an_upset_client_gets_a_calm_down_step() -> None:
    assert "先致歉安抚" in steps(package_for([user("太慢了，什么破服务！！", "nlu_fallback", 1)]))
    assert "先致歉安抚" not in steps(package_for([user("查一下余额", "check_balance", 1)]))


# ------------------------------------------------------------------- client 360
@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = seeded_engine_for("sqlite", tmp_path_factory.mktemp("package"))
    yield engine
    engine.dispose()


def test_client_360_from_the_demo_bank(engine: Engine) -> None:
    with make_session_factory(engine)() as session:
        wang = client_summary(session, "C000001")
        li = client_summary(session, "C000002")
        assert wang is not None and li is not None
        wang_360 = client_360(wang, [], upcoming_of(session, "C000001", NOW), holdings_of(session, "C000001"), TODAY)
        li_360 = client_360(li, None, [], holdings_of(session, "C000002"), TODAY)
    assert (wang_360.name, wang_360.tier, wang_360.rm_id, wang_360.backup_rm_name is not None) == \
        ("王建华", "金卡", "RM001", True)
    assert wang_360.aum_band == TEXTS.aum_band(wang.aum)
    assert re.fullmatch(r"1[3-9][0-9]\*{4}[0-9]{4}", wang_360.phone_masked)
    assert wang_360.maturities and all(0 <= item.days_left <= 30 for item in wang_360.maturities)
    assert li_360.is_elderly and li_360.risk_expired  # the seed's expired, elderly client
    assert li_360.open_cases is None


def test_client_360_keeps_maturities_within_thirty_days_soonest_first() -> None:
    who = client_360(summary(), cases=[], appointments=[], holdings=[
        holding("晚到期", TODAY + timedelta(days=25), "B"), holding("开放式", None, "C"),
        holding("早到期", TODAY + timedelta(days=3), "A"), holding("太远", TODAY + timedelta(days=31), "D"),
        holding("已到期", TODAY - timedelta(days=1), "E")], today=TODAY)
    assert [(item.product_name, item.days_left) for item in who.maturities] == [("早到期", 3), ("晚到期", 25)]


# -------------------------------------------------------------------- desk texts
def test_the_desk_texts_cover_every_reason_and_the_demo_agents() -> None:
    assert set(TEXTS.reason_labels) == {reason.value for reason in HandoffReason}
    assert dict(TEXTS.agents) == {"CC001": "林晓", "CC002": "黄静"}
    assert TEXTS.agent_name("CC003") is None
    assert TEXTS.sentiment_label("negative") == "负面"


@pytest.mark.parametrize("aum, band", [
    ("0", "50万以下"), ("499999.99", "50万以下"), ("500000", "50万–200万"), ("6000000", "600万–3000万"),
    ("30000000", "3000万以上"), ("-1", "50万以下"),
])
def test_aum_bands(aum: str, band: str) -> None:
    assert TEXTS.aum_band(Decimal(aum)) == band


def _raw() -> Dict[str, Any]:
    return yaml.safe_load(DESK_FILE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("break_it, message", [
    (lambda raw: raw["reasons"].pop("card_loss"), "reasons.card_loss"),
    (lambda raw: raw["summary"].update(opening="{who}因{why}。"), "unknown placeholders ['why']"),
    (lambda raw: raw["next_steps"].append({"when": "reason:lost_wallet", "text": "x"}), "no handoff reason"),
    (lambda raw: raw["next_steps"].append({"when": "risk_expired", "text": "{case_id}"}), "unknown placeholders"),
    (lambda raw: raw["aum_bands"].reverse(), "aum_bands"),
    (lambda raw: raw["formats"].update(date="{year:x%}"), "formats.date"),
    (lambda raw: raw["summary"].update(max_topics=0), "summary.max_topics"),
    (lambda raw: raw.update(agents=[]), "agents"),
    (lambda raw: raw["sentiment"].pop("neutral"), "sentiment.neutral"),
])
def test_a_broken_desk_file_is_refused_when_loaded(break_it: Any, message: str) -> None:
    raw = _raw()
    break_it(raw)
    with pytest.raises(DeskTextsError, match=re.escape(message)):
        desk_texts_from(raw)


def test_the_shipped_file_loads_from_a_path(tmp_path: Path) -> None:
    copy = tmp_path / "desk.yml"
    copy.write_text(DESK_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_desk_texts(copy) == desk_texts_from(_raw())
