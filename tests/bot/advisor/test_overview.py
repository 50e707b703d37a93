"""The client overview an advisor reads: client 360, holdings, maturities, appointments, cases."""
from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from bot.advisor import client_overview
from bot.appointments.store import book
from bot.clock import BANK_TIME
from bot.profile.models import Account, Client
from bot.profile.queries import client_summary
from tests.bot.advisor.conftest import NOW, TODAY, make_case

DATA_DAY = date(2026, 11, 24)  # the demo data's last day: maturities count from it


def test_the_client_360_is_the_store_s(session):
    overview = client_overview(session, "C000001", [], TODAY)
    summary = client_summary(session, "C000001")
    assert (overview.name, overview.tier, overview.risk_tolerance) == ("王建华", "金卡", "C3")
    assert overview.aum == summary.aum
    assert (overview.rm_id, overview.rm_name, overview.backup_rm_name) == ("RM001", "陈思远", "刘晓雯")
    assert overview.risk_expired is False and overview.risk_expires_on == date(2027, 3, 21)
    assert re.fullmatch(r"1\d\d\*{4}\d{4}", overview.phone_masked)


def test_maturities_within_30_days_of_the_data_day_with_days_left(session):
    overview = client_overview(session, "C000004", [], TODAY)
    assert overview.maturities_from == DATA_DAY
    shown = [(line.product_name, line.matures_on, line.days_left, line.amount) for line in overview.maturities]
    assert shown == [
        ("养老目标2045", date(2026, 12, 1), 7, Decimal("558331.20")),
        ("臻盈180天", date(2026, 12, 14), 20, Decimal("525272.15")),
        ("季季红", date(2026, 12, 24), 30, Decimal("261998.88")),
    ]
    assert len(overview.holdings) == 5  # the overview still lists every holding


def test_an_expired_risk_assessment_is_flagged_for_renewal(session):
    overview = client_overview(session, "C000002", [], TODAY)
    assert overview.risk_expired and overview.risk_renewal_due
    assert overview.is_elderly


def test_cases_unreachable_still_give_an_overview(session):
    overview = client_overview(session, "C000001", None, TODAY)
    assert overview is not None and overview.cases is None and not overview.cases_available
    assert overview.to_json()["cases_available"] is False and overview.holdings


def test_cases_overdue_first_and_another_client_s_ignored(session):
    cases = [
        make_case("C000001", "CS-2026-000101", due=date(2026, 12, 3)),
        make_case("C000001", "CS-2026-000102", due=date(2026, 11, 20)),  # past its due day, still open
        make_case("C000001", "CS-2026-000103", status="resolved", due=date(2026, 11, 10)),
        make_case("C000002", "CS-2026-000104"),
    ]
    overview = client_overview(session, "C000001", cases, TODAY)
    assert [line.case_id for line in overview.cases] == ["CS-2026-000102", "CS-2026-000101", "CS-2026-000103"]
    assert [line.case_id for line in overview.overdue_cases] == ["CS-2026-000102"]
    assert [line.case_id for line in overview.open_cases] == ["CS-2026-000102", "CS-2026-000101"]
    assert overview.cases[0].days_left == -5 and overview.cases[1].days_left == 8


def test_today_s_and_later_appointments_are_listed(session, factory):
    start = datetime(2026, 11, 26, 15, 0, tzinfo=BANK_TIME)
    with factory() as writing:
        booked = book(writing, "C000001", "RM001", start, NOW)
    assert booked.booked
    overview = client_overview(session, "C000001", [], TODAY)
    assert [(line.reference, line.starts_at, line.rm_name) for line in overview.appointments] == [
        (booked.appointment.reference, start.astimezone(booked.appointment.starts_at.tzinfo), "陈思远")]
    later = client_overview(session, "C000001", [], TODAY + timedelta(days=2))
    assert later.appointments == ()


def test_unknown_client_gives_none(session):
    assert client_overview(session, "C999999", [], TODAY) is None


def test_the_json_has_neither_the_phone_nor_an_account_number(session):
    overview = client_overview(session, "C000268", [make_case("C000268")], TODAY)
    body = json.dumps(overview.to_json(), ensure_ascii=False)
    phone = session.get(Client, "C000268").phone
    numbers = list(session.scalars(select(Account.number).where(Account.client_id == "C000268")))
    assert any(line.kind == "deposit" for line in overview.maturities)  # a deposit is named by its tail
    assert phone not in body and overview.phone_masked in body
    assert numbers and not any(number in body for number in numbers)
