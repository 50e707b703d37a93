"""Where a handoff goes: the client's RM, the backup RM or the contact center, and by when."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, Optional

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.clock import BANK_TIME
from bot.handoff import (
    ContactCenter,
    HandoffConfig,
    HandoffConfigError,
    HandoffReason,
    Route,
    TargetKind,
    TriggerRules,
    WorkingHours,
    at_work,
    config_from,
    load_handoff_config,
    route,
)
from bot.profile.queries import ClientSummary, ManagerView

R = HandoffReason
RM, BACKUP, CC = TargetKind.RM, TargetKind.BACKUP_RM, TargetKind.CONTACT_CENTER


def at(day: str, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(hour, minute), tzinfo=BANK_TIME)


def manager(rm_id: str, name: str, status: str = "on_duty", days: str = "12345",
            start: time = time(9), end: time = time(17, 30)) -> ManagerView:
    return ManagerView(rm_id, name, "上海陆家嘴支行", status, days, start, end, None)


def client(tier: str, rm: Optional[ManagerView], backup: Optional[ManagerView]) -> ClientSummary:
    return ClientSummary(
        client_id="C900001", name="张伟", tier=tier, aum=Decimal("8000000.00"), risk_tolerance="C3",
        risk_assessed_on=date(2026, 3, 1), risk_expires_on=date(2027, 3, 1), script="hans", age_band="45-59",
        is_elderly=False, phone_masked="138****5678", rm=rm, backup_rm=backup,
    )


WANG = manager("RM001", "王敏")
LI = manager("RM002", "李强")
ZHAO_SATURDAYS = manager("RM005", "赵磊", days="123456", end=time(17))
LIN_EVENINGS = manager("RM007", "林娜", start=time(12), end=time(20))
CHEN_ON_LEAVE = manager("RM004", "陈静", status="leave")
ZHOU_OFF = manager("RM010", "周涛", status="off")

PRIVATE = client("私人银行", WANG, LI)
DIAMOND = client("钻石", WANG, LI)
PLATINUM = client("白金", WANG, LI)
GOLD = client("金卡", WANG, LI)
OTHER_TIER = client("普卡", WANG, LI)
RM_ON_LEAVE = client("金卡", CHEN_ON_LEAVE, LI)
RM_OFF = client("白金", ZHOU_OFF, LI)
BOTH_AWAY = client("钻石", CHEN_ON_LEAVE, ZHOU_OFF)
NO_BACKUP = client("白金", WANG, None)
NO_RM = client("金卡", None, None)
SATURDAY_RM = client("钻石", ZHAO_SATURDAYS, LI)
EVENING_BACKUP = client("钻石", WANG, LIN_EVENINGS)

BASE: Dict[str, Any] = {"response_targets": {"私人银行": 2, "钻石": 5, "白金": 15, "金卡": 15, "其他": 15},
                        "urgent_response_minutes": 2}
ALWAYS = config_from({**BASE, "contact_center": {"always_open": True}})
DAYTIME = config_from({**BASE, "contact_center": {"always_open": False, "days": "1234567", "opens": "08:00",
                                                  "closes": "22:00", "open_on_holidays": True}})
WEEKDAYS = config_from({**BASE, "contact_center": {"always_open": False, "days": "12345", "opens": "09:00",
                                                   "closes": "18:00", "open_on_holidays": False}})

WED = at("2026-11-25", 10, 30)  # an ordinary Wednesday morning
WED_EVENING = at("2026-11-25", 19, 30)
WED_NIGHT = at("2026-11-25", 23)
THU_9 = at("2026-11-26", 9)
SAT = at("2026-11-28", 10)
MON_9 = at("2026-11-30", 9)
AFTER_HOLIDAY = at("2026-10-08", 9)


def minutes(count: int) -> timedelta:
    return timedelta(minutes=count)


@pytest.mark.parametrize(
    "reason, summary, now, config, kind, target_id, notify, within, reply_by, waits, rm_back",
    [
        # at work: the client's own RM, the tier's target
        (R.CLIENT_REQUEST, PRIVATE, WED, ALWAYS, RM, "RM001", None, 2, WED + minutes(2), False, None),
        (R.CLIENT_REQUEST, DIAMOND, WED, ALWAYS, RM, "RM001", None, 5, WED + minutes(5), False, None),
        (R.CLIENT_REQUEST, PLATINUM, WED, ALWAYS, RM, "RM001", None, 15, WED + minutes(15), False, None),
        (R.CLIENT_REQUEST, GOLD, WED, ALWAYS, RM, "RM001", None, 15, WED + minutes(15), False, None),
        (R.CLIENT_REQUEST, OTHER_TIER, WED, ALWAYS, RM, "RM001", None, 15, WED + minutes(15), False, None),
        (R.RM_REQUESTED, PRIVATE, WED, ALWAYS, RM, "RM001", None, 2, WED + minutes(2), False, None),
        (R.COMPLAINT_HIGH_SEVERITY, DIAMOND, WED, ALWAYS, RM, "RM001", None, 5, WED + minutes(5), False, None),
        # urgent: straight to the contact center, the RM told, the urgent target when shorter
        (R.CARD_LOSS, PRIVATE, WED, ALWAYS, CC, "premier_contact_center", "RM001", 2, WED + minutes(2), False, WED),
        (R.CARD_LOSS, GOLD, WED, ALWAYS, CC, "premier_contact_center", "RM001", 2, WED + minutes(2), False, WED),
        (R.SUSPECTED_FRAUD, DIAMOND, at("2026-11-29", 23), ALWAYS, CC, "premier_contact_center", "RM001", 2,
         at("2026-11-29", 23, 2), False, MON_9),
        (R.CARD_LOSS, NO_RM, WED, ALWAYS, CC, "premier_contact_center", None, 2, WED + minutes(2), False, None),
        (R.CLIENT_REQUEST, None, WED, ALWAYS, CC, "premier_contact_center", None, 15, WED + minutes(15), False, None),
        # the RM away: the backup when at work; the RM told only for the reasons that call for it
        (R.CLIENT_REQUEST, RM_ON_LEAVE, WED, ALWAYS, BACKUP, "RM002", None, 15, WED + minutes(15), False, None),
        (R.COMPLAINT_HIGH_SEVERITY, RM_ON_LEAVE, WED, ALWAYS, BACKUP, "RM002", "RM004", 15, WED + minutes(15),
         False, None),
        (R.CLIENT_REQUEST, RM_OFF, WED, ALWAYS, BACKUP, "RM002", None, 15, WED + minutes(15), False, None),
        (R.CLIENT_REQUEST, EVENING_BACKUP, at("2026-11-25", 18), ALWAYS, BACKUP, "RM007", None, 5,
         at("2026-11-25", 18, 5), False, THU_9),
        # neither at work: the contact center (7x24), with when the RM is back
        (R.CLIENT_REQUEST, BOTH_AWAY, WED, ALWAYS, CC, "premier_contact_center", None, 5, WED + minutes(5), False,
         None),
        (R.RM_REQUESTED, BOTH_AWAY, WED, ALWAYS, CC, "premier_contact_center", "RM004", 5, WED + minutes(5), False,
         None),
        (R.CLIENT_REQUEST, NO_BACKUP, WED_EVENING, ALWAYS, CC, "premier_contact_center", None, 15,
         WED_EVENING + minutes(15), False, THU_9),
        (R.RM_REQUESTED, PRIVATE, WED_EVENING, ALWAYS, CC, "premier_contact_center", "RM001", 2,
         WED_EVENING + minutes(2), False, THU_9),
        (R.CLIENT_REQUEST, NO_RM, WED, ALWAYS, CC, "premier_contact_center", None, 15, WED + minutes(15), False,
         None),
        # working hours: start inclusive, end exclusive
        (R.CLIENT_REQUEST, DIAMOND, at("2026-11-25", 9), ALWAYS, RM, "RM001", None, 5, at("2026-11-25", 9, 5),
         False, None),
        (R.CLIENT_REQUEST, DIAMOND, at("2026-11-25", 8, 59), ALWAYS, CC, "premier_contact_center", None, 5,
         at("2026-11-25", 9, 4), False, at("2026-11-25", 9)),
        (R.CLIENT_REQUEST, NO_BACKUP, at("2026-11-25", 17, 30), ALWAYS, CC, "premier_contact_center", None, 15,
         at("2026-11-25", 17, 45), False, THU_9),
        # weekends: an RM who works Saturdays until 17:00
        (R.CLIENT_REQUEST, DIAMOND, SAT, ALWAYS, CC, "premier_contact_center", None, 5, SAT + minutes(5), False,
         MON_9),
        (R.CLIENT_REQUEST, SATURDAY_RM, SAT, ALWAYS, RM, "RM005", None, 5, SAT + minutes(5), False, None),
        (R.CLIENT_REQUEST, SATURDAY_RM, at("2026-11-28", 17), ALWAYS, CC, "premier_contact_center", None, 5,
         at("2026-11-28", 17, 5), False, MON_9),
        # public holidays close every RM; adjusted working weekend days (调休) open them
        (R.CLIENT_REQUEST, DIAMOND, at("2026-10-01", 10), ALWAYS, CC, "premier_contact_center", None, 5,
         at("2026-10-01", 10, 5), False, AFTER_HOLIDAY),
        (R.CLIENT_REQUEST, SATURDAY_RM, at("2026-10-03", 10), ALWAYS, CC, "premier_contact_center", None, 5,
         at("2026-10-03", 10, 5), False, AFTER_HOLIDAY),
        (R.CLIENT_REQUEST, DIAMOND, at("2026-10-10", 10), ALWAYS, RM, "RM001", None, 5, at("2026-10-10", 10, 5),
         False, None),
        (R.CLIENT_REQUEST, DIAMOND, at("2026-09-20", 10), ALWAYS, RM, "RM001", None, 5, at("2026-09-20", 10, 5),
         False, None),
        (R.CLIENT_REQUEST, DIAMOND, at("2026-02-17", 10), ALWAYS, CC, "premier_contact_center", None, 5,
         at("2026-02-17", 10, 5), False, at("2026-02-24", 9)),  # 春节
        (R.CLIENT_REQUEST, DIAMOND, at("2026-02-13", 18), ALWAYS, CC, "premier_contact_center", None, 5,
         at("2026-02-13", 18, 5), False, at("2026-02-14", 9)),  # the next day is a working Saturday
        # a contact center with hours: at night the request waits for whoever starts first
        (R.CLIENT_REQUEST, NO_BACKUP, WED_NIGHT, DAYTIME, CC, "premier_contact_center", None, 15,
         at("2026-11-26", 8, 15), True, THU_9),
        (R.CLIENT_REQUEST, PRIVATE, WED_NIGHT, DAYTIME, CC, "premier_contact_center", None, 2,
         at("2026-11-26", 8, 2), True, THU_9),
        (R.CLIENT_REQUEST, PRIVATE, at("2026-11-25", 21, 59), DAYTIME, CC, "premier_contact_center", None, 2,
         at("2026-11-25", 22, 1), False, THU_9),
        (R.CLIENT_REQUEST, NO_BACKUP, WED_EVENING, WEEKDAYS, RM, "RM001", None, 15, THU_9 + minutes(15), True,
         None),  # the RM and the contact center both start at 9: the RM
        (R.CLIENT_REQUEST, DIAMOND, at("2026-09-30", 20), WEEKDAYS, RM, "RM001", None, 5,
         AFTER_HOLIDAY + minutes(5), True, None),
        (R.CARD_LOSS, DIAMOND, at("2026-11-27", 20), WEEKDAYS, CC, "premier_contact_center", "RM001", 2,
         MON_9 + minutes(2), True, MON_9),
        (R.CLIENT_REQUEST, BOTH_AWAY, SAT, WEEKDAYS, CC, "premier_contact_center", None, 5, MON_9 + minutes(5),
         True, None),
        (R.CLIENT_REQUEST, SATURDAY_RM, at("2026-11-27", 20), WEEKDAYS, RM, "RM005", None, 5,
         SAT.replace(hour=9) + minutes(5), True, None),
    ],
)
def test_where_a_handoff_goes(reason: R, summary: Optional[ClientSummary], now: datetime, config: HandoffConfig,
                              kind: TargetKind, target_id: str, notify: Optional[str], within: int,
                              reply_by: datetime, waits: bool, rm_back: Optional[datetime]) -> None:
    found = route(reason, summary, now, config)
    assert (found.target_kind, found.target_id, found.notify_rm_id) == (kind, target_id, notify)
    assert found.respond_within == minutes(within)
    assert found.reply_expected_by == reply_by
    assert found.waits_in_queue is waits
    assert found.rm_back_at == rm_back
    assert found.reason is reason


def test_the_client_is_told_who_by_name() -> None:
    assert route(R.CLIENT_REQUEST, DIAMOND, WED, ALWAYS).target_name == "王敏"
    assert route(R.CLIENT_REQUEST, RM_ON_LEAVE, WED, ALWAYS).target_name == "李强"
    assert route(R.CARD_LOSS, DIAMOND, WED, ALWAYS).target_name == "贵宾服务中心"


def test_now_in_another_time_zone_is_read_as_bank_time() -> None:
    in_utc = WED.astimezone(timezone.utc)  # 02:30Z
    found = route(R.CLIENT_REQUEST, DIAMOND, in_utc, ALWAYS)
    assert found.target_kind is RM
    assert found.reply_expected_by == WED + minutes(5)
    assert found.reply_expected_by.utcoffset() == timedelta(hours=8)


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(ValueError):
        route(R.CLIENT_REQUEST, DIAMOND, datetime(2026, 11, 25, 10, 30), ALWAYS)


def test_a_year_the_holiday_calendar_does_not_know_falls_back_to_working_days() -> None:
    """chinese_calendar 1.11 knows up to 2026: 2027-01-01 counts as a plain Friday."""
    found = route(R.CLIENT_REQUEST, DIAMOND, at("2026-12-31", 18), ALWAYS)
    assert found.rm_back_at == at("2027-01-01", 9)


def test_the_urgent_target_only_shortens() -> None:
    slow_urgent = config_from({**BASE, "urgent_response_minutes": 10})
    assert route(R.CARD_LOSS, PRIVATE, WED, slow_urgent).respond_within == minutes(2)
    assert route(R.CARD_LOSS, GOLD, WED, slow_urgent).respond_within == minutes(10)


def test_urgent_reasons_notify_the_rm_even_when_not_configured() -> None:
    quiet = config_from({**BASE, "notify_rm_reasons": []})
    assert route(R.CARD_LOSS, DIAMOND, WED, quiet).notify_rm_id == "RM001"
    assert route(R.RM_REQUESTED, BOTH_AWAY, WED, quiet).notify_rm_id is None


def test_a_contact_center_that_never_opens_in_the_search_window_is_a_configuration_error() -> None:
    mondays_only = config_from({**BASE, "next_start_search_days": 7, "contact_center": {
        "always_open": False, "days": "1", "opens": "09:00", "closes": "18:00", "open_on_holidays": False}})
    with pytest.raises(HandoffConfigError):
        route(R.CARD_LOSS, None, at("2026-09-29", 20), mondays_only)  # the next Monday is National Day


# ---------------------------------------------------------------- configuration
def test_the_shipped_configuration() -> None:
    shipped = load_handoff_config()
    assert shipped.response_target("私人银行") == minutes(2)
    assert shipped.response_target("钻石") == minutes(5)
    assert shipped.response_target("白金") == shipped.response_target("金卡") == minutes(15)
    assert shipped.response_target(None) == shipped.response_target("普卡") == minutes(15)
    assert shipped.contact_center.hours.always_open  # the premier line is 7x24; RMs are not
    assert shipped.triggers == TriggerRules()
    assert {R.CARD_LOSS, R.SUSPECTED_FRAUD} <= shipped.notify_rm_reasons


def test_targets_follow_the_configuration(tmp_path: Path) -> None:
    edited = tmp_path / "handoff.yml"
    edited.write_text("response_targets: {钻石: 3, 其他: 20}\n", encoding="utf-8")
    config = load_handoff_config(edited)
    assert route(R.CLIENT_REQUEST, DIAMOND, WED, config).respond_within == minutes(3)
    assert route(R.CLIENT_REQUEST, GOLD, WED, config).respond_within == minutes(20)
    assert config.contact_center == ContactCenter()  # omitted: 7x24


@pytest.mark.parametrize(
    "raw",
    [
        {"response_targets": {"钻石": 5}},  # no 其他
        {"response_targets": {"其他": 0}},
        {"response_targets": {"其他": -5}},
        {"response_targets": {"其他": "fast"}},
        {"response_targets": {"其他": True}},
        {**BASE, "urgent_response_minutes": 0},
        {**BASE, "contact_center": {"always_open": False, "opens": "25:00"}},
        {**BASE, "contact_center": {"always_open": False, "opens": "22:00", "closes": "08:00"}},
        {**BASE, "contact_center": {"always_open": False, "days": "890"}},
        {**BASE, "contact_center": {"always_open": False, "days": ""}},
        {**BASE, "contact_center": {"always_open": False, "opens": "24:00"}},
        {**BASE, "notify_rm_reasons": ["card_loss", "lunch_break"]},
        {**BASE, "next_start_search_days": 2},
        {**BASE, "triggers": {"fallbacks_in_a_row": 0}},
        {**BASE, "triggers": {"repeat_similarity": "very"}},
    ],
)
def test_a_broken_configuration_is_refused_when_loaded(raw: Dict[str, Any]) -> None:
    with pytest.raises(HandoffConfigError):
        config_from(raw)


def test_a_contact_center_may_close_at_midnight() -> None:
    late = config_from({**BASE, "contact_center": {"always_open": False, "opens": "08:00", "closes": "24:00"}})
    assert late.contact_center.hours.open_at(at("2026-11-25", 23, 59))
    assert not late.contact_center.hours.open_at(at("2026-11-26", 7, 59))


def test_working_hours_close_on_holidays_only_when_told() -> None:
    branch = WorkingHours(days="1234567", start=time(8), end=time(22), closed_on_holidays=True)
    hotline = replace(branch, closed_on_holidays=False)
    assert not branch.open_at(at("2026-10-01", 10))
    assert hotline.open_at(at("2026-10-01", 10))


# ---------------------------------------------------------------- properties
_STATUSES = st.sampled_from(["on_duty", "on_duty", "off", "leave"])
def _managers(rm_id: str) -> st.SearchStrategy[ManagerView]:
    return st.builds(
        lambda status, days, start: manager(rm_id, "经理", status, days, time(start), time(start + 8)),
        _STATUSES, st.sampled_from(["12345", "123456", "1234567"]), st.integers(min_value=7, max_value=12),
    )


_CLIENTS = st.one_of(st.none(), st.builds(client, st.sampled_from(["私人银行", "钻石", "白金", "金卡", "普卡"]),
                                          st.one_of(st.none(), _managers("RM001")),
                                          st.one_of(st.none(), _managers("RM002"))))
_NOW = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31, 23, 59),
                    timezones=st.just(BANK_TIME))


@settings(max_examples=300, deadline=None)
@given(reason=st.sampled_from(list(R)), summary=_CLIENTS, now=_NOW, config=st.sampled_from([ALWAYS, DAYTIME, WEEKDAYS]))
def test_every_route_keeps_its_promises(reason: R, summary: Optional[ClientSummary], now: datetime,
                                        config: HandoffConfig) -> None:
    found: Route = route(reason, summary, now, config)
    starts = found.reply_expected_by - found.respond_within
    assert found.waits_in_queue is (starts > now)
    assert starts >= now
    if config is ALWAYS:
        assert not found.waits_in_queue  # a 7x24 contact center: a human now, always
    rm = summary.rm if summary else None
    if reason.urgent:
        assert found.target_kind is CC
        assert found.notify_rm_id == (rm.rm_id if rm else None)
    if found.target_kind is RM and not found.waits_in_queue:
        assert at_work(rm, now)
    if found.target_kind is BACKUP and not found.waits_in_queue:
        assert not at_work(rm, now) and at_work(summary.backup_rm if summary else None, now)
    if found.target_kind is CC and not found.waits_in_queue and not reason.urgent:
        assert not at_work(rm, now) and not at_work(summary.backup_rm if summary else None, now)
