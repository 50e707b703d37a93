"""The worklist: the open handoffs one may see, today's appointments, maturities this week, open cases.

At NOW (Wednesday 10:30) RM001 陈思远 and RM002 are at work, RM004 is on leave and RM003 王梓涵
covers RM004's clients (C000002 李秀英 among them).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from bot.advisor import book_of, worklist
from bot.appointments.store import book
from bot.clock import BANK_TIME
from bot.handoff import HandoffReason
from bot.handoff.store import take
from bot.identity import Principal, Role
from bot.profile.queries import maturities_for_manager
from tests.bot.advisor.conftest import NOW, make_case, open_handoff_for

DATA_DAY = date(2026, 11, 24)
pytestmark = pytest.mark.usefixtures("no_handoffs_after")


def staff(subject_id: str, role: Role = Role.ADVISOR) -> Principal:
    return Principal(role, subject_id, datetime.now(timezone.utc) + timedelta(hours=1))


RM001, RM003, CC001 = staff("RM001"), staff("RM003"), staff("CC001", Role.AGENT)


def test_the_book_is_own_clients_and_those_covered_while_their_rm_is_away(session):
    own = {client.client_id for client in book_of(session, RM001, NOW)}
    covering = {client.client_id: client.role for client in book_of(session, RM003, NOW)}
    assert {"C000001", "C000007"} <= own and "C000003" not in own  # RM002 is at work
    assert covering["C000004"] == "primary" and covering["C000002"] == "backup"  # RM004 on leave
    assert book_of(session, CC001, NOW) == ()


def test_waiting_handoffs_the_advisor_may_see_with_the_time_left(session):
    own = open_handoff_for(session, "C000001", HandoffReason.CLIENT_REQUEST, NOW)
    open_handoff_for(session, "C000004", HandoffReason.CLIENT_REQUEST, NOW)  # RM003's client
    work = worklist(session, RM001, NOW + timedelta(minutes=5), [])
    assert [line.handoff_id for line in work.handoffs] == [own.id]
    line = work.handoffs[0]
    assert (line.client_name, line.tier, line.reason, line.status) == ("王建华", "金卡", "client_request", "waiting")
    assert line.seconds_left == 10 * 60  # 金卡: 15 minutes, 5 gone
    assert [line.handoff_id for line in work.waiting_handoffs] == [own.id]


def test_an_agent_sees_the_contact_center_queue_only(session):
    urgent = open_handoff_for(session, "C000001", HandoffReason.CARD_LOSS, NOW)  # urgent: contact center
    open_handoff_for(session, "C000007", HandoffReason.CLIENT_REQUEST, NOW)  # to RM001
    work = worklist(session, CC001, NOW, [make_case("C000001")])
    assert [(line.handoff_id, line.urgent) for line in work.handoffs] == [(urgent.id, True)]
    assert work.appointments == () and work.maturities == () and work.cases == ()
    take(session, urgent.id, CC001, NOW)
    session.commit()
    assert [line.status for line in worklist(session, CC001, NOW, None).handoffs] == ["taken"]


def test_today_s_appointments_with_the_advisor_only(session, factory):
    with factory() as writing:
        today = book(writing, "C000007", "RM001", datetime(2026, 11, 25, 15, 0, tzinfo=BANK_TIME), NOW)
    with factory() as writing:
        book(writing, "C000001", "RM001", datetime(2026, 11, 26, 10, 0, tzinfo=BANK_TIME), NOW)  # tomorrow
    with factory() as writing:
        book(writing, "C000004", "RM003", datetime(2026, 11, 25, 14, 0, tzinfo=BANK_TIME), NOW)  # another RM
    work = worklist(session, RM001, NOW, [])
    assert [(line.reference, line.client_name) for line in work.appointments] == [
        (today.appointment.reference, "周振邦")]


def test_maturities_within_seven_days_of_the_data_day_of_readable_clients(session):
    rm001 = worklist(session, RM001, NOW, [])
    own = maturities_for_manager(session, "RM001", DATA_DAY, 7)
    assert rm001.maturities_from == DATA_DAY
    assert [(line.client_id, line.matures_on) for line in rm001.maturities] == [
        (item.client_id, item.matures_on) for item in own]  # RM002's clients not: RM002 is at work
    rm003 = worklist(session, RM003, NOW, [])
    shown = {(line.client_id, line.product_name, line.days_left) for line in rm003.maturities}
    assert ("C000004", "养老目标2045", 7) in shown  # own client
    assert ("C000028", "月月享", 2) in shown  # RM004's client, covered while RM004 is on leave
    assert all(0 <= line.days_left <= 7 for line in rm003.maturities)


def test_open_cases_of_readable_clients_overdue_first(session):
    cases = [
        make_case("C000007", "CS-2026-000201", due=date(2026, 12, 1)),
        make_case("C000001", "CS-2026-000202", due=date(2026, 11, 23)),  # overdue
        make_case("C000001", "CS-2026-000203", status="resolved", due=date(2026, 11, 20)),
        make_case("C000004", "CS-2026-000204", due=date(2026, 11, 22)),  # RM003's client
    ]
    work = worklist(session, RM001, NOW, cases)
    assert [(line.case_id, line.client_name, line.overdue) for line in work.cases] == [
        ("CS-2026-000202", "王建华", True), ("CS-2026-000201", "周振邦", False)]
    assert [line.case_id for line in work.overdue_cases] == ["CS-2026-000202"]


def test_the_case_service_down_leaves_the_rest(session):
    work = worklist(session, RM001, NOW, None)
    assert work.cases is None and not work.cases_available and work.maturities
    assert work.to_json()["cases_available"] is False
