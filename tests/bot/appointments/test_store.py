"""Appointments in the profile store: booking, conflicts, closed days, reschedule, cancel, races.

Runs on a migrated, seeded SQLite file and, when PROFILE_TEST_POSTGRES_URL is
set, on PostgreSQL (schema ``appointments``). ``now`` is fixed: Wednesday
2026-11-25 10:30 in Shanghai. Demo clients C000001 and C000007 share RM001
(Mon–Fri 9:00–17:30); C000004's RM003 also works Saturdays, 9:00–17:00.
"""
from __future__ import annotations

import re
import threading
import time as clock
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Callable, Iterator, List, Optional

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.appointments import Holiday, Schedule, SlotStatus
from bot.appointments.store import (
    AppointmentView,
    BookingOutcome,
    BookingResult,
    appointment_of,
    book,
    booked_intervals,
    cancel,
    reschedule,
    schedule_for,
    upcoming_of,
)
from bot.clock import BANK_TIME
from bot.profile.models import Appointment, Client, RelationshipManager
from bot.profile.seed import clear_profile
from tests.bot.profile.conftest import BACKENDS, seeded_engine_for, sessions_removing

NOW = datetime(2026, 11, 25, 10, 30, tzinfo=BANK_TIME)  # a Wednesday
WANG, ZHOU, ZHANG = "C000001", "C000007", "C000004"  # RM001, RM001, RM003


def at(day: str, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(hour, minute), tzinfo=BANK_TIME)


@pytest.fixture(scope="module", params=BACKENDS)
def engine(request: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    folder: Path = tmp_path_factory.mktemp(f"appointments-{request.param}")
    engine = seeded_engine_for(request.param, folder, schema="appointments")
    yield engine
    engine.dispose()


@pytest.fixture()
def sessions(engine: Engine) -> Iterator[Callable[[], Session]]:
    """Sessions on the store; every appointment is deleted after the test."""
    with sessions_removing(engine, Appointment) as factory:
        yield factory


@pytest.fixture()
def session(sessions: Callable[[], Session]) -> Iterator[Session]:
    with sessions() as opened:
        yield opened


def booked(result: BookingResult) -> AppointmentView:
    assert result.outcome is BookingOutcome.BOOKED, result
    assert result.appointment is not None
    return result.appointment


def refusal(result: BookingResult) -> SlotStatus:
    assert result.outcome is BookingOutcome.UNAVAILABLE, result
    assert result.availability is not None
    return result.availability.status


# ------------------------------------------------------------------- booking
def test_a_booking_is_listed_for_the_client_and_takes_the_rms_time(session: Session) -> None:
    slot = at("2026-11-26", 15)
    view = booked(book(session, WANG, "RM001", slot, NOW))

    assert re.fullmatch(r"AP[0-9A-F]{8}", view.reference)
    assert (view.client_id, view.rm_id, view.rm_name, view.place, view.branch, view.status) == (
        WANG, "RM001", "陈思远", "rm_office", "上海陆家嘴支行", "booked")
    assert (view.starts_at, view.ends_at) == (slot, slot + timedelta(hours=1))
    assert view.starts_at.utcoffset() == timedelta(0)

    assert upcoming_of(session, WANG, NOW) == [view]
    assert appointment_of(session, WANG, view.reference) == view
    assert booked_intervals(session, "RM001", at("2026-11-26", 0), at("2026-11-27", 0)) == [
        (slot, slot + timedelta(hours=1))]
    assert booked_intervals(session, "RM001", at("2026-11-27", 0), at("2026-11-28", 0)) == []
    assert booked_intervals(session, "RM002", at("2026-11-26", 0), at("2026-11-27", 0)) == []
    assert schedule_for(session, "RM001", NOW).check(slot).status is SlotStatus.CONFLICT


def test_the_booking_is_committed(session: Session, sessions: Callable[[], Session]) -> None:
    view = booked(book(session, WANG, "RM001", at("2026-11-26", 15), NOW))
    with sessions() as other:
        assert appointment_of(other, WANG, view.reference) == view


def test_an_overlapping_booking_with_the_same_rm_is_refused_back_to_back_is_fine(session: Session) -> None:
    first = booked(book(session, WANG, "RM001", at("2026-11-26", 15), NOW))

    for start in (at("2026-11-26", 15), at("2026-11-26", 14, 30), at("2026-11-26", 15, 30)):
        result = book(session, ZHOU, "RM001", start, NOW)
        assert refusal(result) is SlotStatus.CONFLICT
        assert result.availability.conflict == (first.starts_at, first.ends_at)
    assert upcoming_of(session, ZHOU, NOW) == []

    before = booked(book(session, ZHOU, "RM001", at("2026-11-26", 14), NOW))
    after = booked(book(session, ZHOU, "RM001", at("2026-11-26", 16), NOW))
    assert [view.reference for view in upcoming_of(session, ZHOU, NOW)] == [before.reference, after.reference]
    assert len({first.reference, before.reference, after.reference}) == 3
    # another RM is free at the same time
    booked(book(session, ZHOU, "RM002", at("2026-11-26", 15), NOW))


@pytest.mark.parametrize(
    "rm_id, start, now, status",
    [
        ("RM001", at("2026-11-28", 10), NOW, SlotStatus.NOT_WORKING_DAY),  # Saturday
        ("RM001", at("2026-11-29", 10), NOW, SlotStatus.NOT_WORKING_DAY),  # Sunday
        ("RM001", at("2026-11-26", 8, 30), NOW, SlotStatus.OUTSIDE_HOURS),
        ("RM001", at("2026-11-26", 17), NOW, SlotStatus.OUTSIDE_HOURS),  # would end after 17:30
        ("RM003", at("2026-11-26", 16, 30), NOW, SlotStatus.OUTSIDE_HOURS),  # RM003 ends at 17:00
        ("RM001", at("2026-11-25", 9), NOW, SlotStatus.PAST),
        ("RM001", at("2026-11-25", 11, 30), NOW, SlotStatus.TOO_SOON),
        ("RM001", at("2026-10-01", 10), at("2026-09-21", 10), SlotStatus.HOLIDAY),  # National Day
        ("RM003", at("2026-10-03", 10), at("2026-09-21", 10), SlotStatus.HOLIDAY),  # a Saturday in it
    ],
)
def test_closed_days_and_hours_are_refused(session: Session, rm_id: str, start: datetime, now: datetime,
                                           status: SlotStatus) -> None:
    client = ZHANG if rm_id == "RM003" else WANG
    assert refusal(book(session, client, rm_id, start, now)) is status
    assert booked_intervals(session, rm_id, start - timedelta(days=1), start + timedelta(days=1)) == []
    assert upcoming_of(session, client, now) == []


def test_the_holiday_is_named(session: Session) -> None:
    result = book(session, WANG, "RM001", at("2026-10-01", 10), at("2026-09-21", 10))
    assert result.availability.holiday is Holiday.national_day


@pytest.mark.parametrize(
    "client, rm_id, start, now",
    [
        (ZHANG, "RM003", at("2026-11-28", 10), NOW),  # RM003 works Saturdays
        (ZHANG, "RM003", at("2026-11-26", 16), NOW),  # ends at RM003's 17:00
        (WANG, "RM001", at("2026-11-26", 16, 30), NOW),  # ends at RM001's 17:30
        (WANG, "RM001", at("2026-09-20", 14), at("2026-09-18", 10)),  # Sunday, 调休上班
    ],
)
def test_open_days_and_hours_follow_the_rms_pattern(session: Session, client: str, rm_id: str,
                                                    start: datetime, now: datetime) -> None:
    assert booked(book(session, client, rm_id, start, now)).starts_at == start


def test_a_vip_room_booking_keeps_its_branch(session: Session) -> None:
    other_branch = session.scalar(select(RelationshipManager.branch).where(RelationshipManager.id == "RM005"))
    vip = booked(book(session, WANG, "RM001", at("2026-11-26", 10), NOW, place="vip_room", branch=other_branch))
    office = booked(book(session, WANG, "RM001", at("2026-11-26", 14), NOW, branch=other_branch))
    assert (vip.place, vip.branch) == ("vip_room", other_branch)
    assert (office.place, office.branch) == ("rm_office", "上海陆家嘴支行")
    assert upcoming_of(session, WANG, NOW) == [vip, office]
    with pytest.raises(ValueError):
        book(session, WANG, "RM001", at("2026-11-26", 16), NOW, place="cafe")


def test_an_unknown_rm_is_not_found(session: Session) -> None:
    assert book(session, WANG, "RM999", at("2026-11-26", 10), NOW).outcome is BookingOutcome.NOT_FOUND
    with pytest.raises(LookupError):
        schedule_for(session, "RM999", NOW)


def test_a_failed_booking_rolls_back_and_releases_the_rm(session: Session, sessions: Callable[[], Session]) -> None:
    with pytest.raises(IntegrityError):
        book(session, "C999999", "RM001", at("2026-11-26", 10), NOW)  # no such client
    with sessions() as other:  # would wait for the RM's lock, then fail, if it were still held
        booked(book(other, WANG, "RM001", at("2026-11-26", 10), NOW))
    assert booked(book(session, ZHOU, "RM001", at("2026-11-26", 11), NOW)).client_id == ZHOU


# --------------------------------------------------------------- the calendar
def test_schedule_for_offers_only_free_slots(session: Session) -> None:
    for hour in range(9, 16):  # Thursday booked from 9:00 to 16:00
        booked(book(session, WANG, "RM001", at("2026-11-26", hour), NOW))
    schedule = schedule_for(session, "RM001", NOW)
    assert isinstance(schedule, Schedule)
    assert (schedule.work_days, schedule.work_start, schedule.work_end) == ("12345", time(9), time(17, 30))
    assert schedule.free_slots_on(date(2026, 11, 26)) == [at("2026-11-26", 16), at("2026-11-26", 16, 30)]
    assert schedule.nearest_free_slots(at("2026-11-26", 12)) == [
        at("2026-11-26", 16), at("2026-11-26", 16, 30), at("2026-11-27", 9)]
    later = schedule_for(session, "RM001", NOW, meeting=timedelta(minutes=30))
    assert later.meeting == timedelta(minutes=30)


def test_schedule_for_sees_bookings_a_month_ahead(session: Session) -> None:
    far = at("2026-12-24", 10)
    booked(book(session, WANG, "RM001", far, NOW))
    assert schedule_for(session, "RM001", NOW).check(far).status is SlotStatus.CONFLICT


def test_upcoming_lists_what_has_not_ended_by_time(session: Session) -> None:
    earlier_now = at("2026-11-23", 9)
    tuesday = booked(book(session, WANG, "RM001", at("2026-11-24", 10), earlier_now))
    friday = booked(book(session, WANG, "RM001", at("2026-11-27", 10), NOW))
    thursday = booked(book(session, WANG, "RM002", at("2026-11-26", 10), NOW))
    assert upcoming_of(session, WANG, earlier_now) == [tuesday, thursday, friday]
    assert upcoming_of(session, WANG, NOW) == [thursday, friday]
    assert upcoming_of(session, WANG, at("2026-11-26", 10, 30)) == [thursday, friday]  # under way
    assert upcoming_of(session, ZHOU, NOW) == []


# ----------------------------------------------------------- reschedule, cancel
def test_reschedule_moves_it_and_frees_the_old_slot(session: Session) -> None:
    old = at("2026-11-26", 15)
    view = booked(book(session, WANG, "RM001", old, NOW))
    new = at("2026-11-27", 10)

    moved = booked(reschedule(session, WANG, view.reference, new, NOW))
    assert moved.reference == view.reference
    assert (moved.starts_at, moved.ends_at) == (new, new + timedelta(hours=1))
    assert appointment_of(session, WANG, view.reference) == moved
    assert upcoming_of(session, WANG, NOW) == [moved]
    assert booked_intervals(session, "RM001", old, old + timedelta(hours=1)) == []
    assert booked(book(session, ZHOU, "RM001", old, NOW)).starts_at == old


def test_reschedule_may_overlap_its_own_old_time(session: Session) -> None:
    view = booked(book(session, WANG, "RM001", at("2026-11-26", 15), NOW))
    moved = booked(reschedule(session, WANG, view.reference, at("2026-11-26", 15, 30), NOW))
    assert booked_intervals(session, "RM001", at("2026-11-26", 0), at("2026-11-27", 0)) == [
        (moved.starts_at, moved.ends_at)]


def test_reschedule_into_a_taken_or_closed_slot_changes_nothing(session: Session) -> None:
    mine = booked(book(session, WANG, "RM001", at("2026-11-26", 15), NOW))
    theirs = booked(book(session, ZHOU, "RM001", at("2026-11-27", 10), NOW))

    result = reschedule(session, WANG, mine.reference, at("2026-11-27", 10, 30), NOW)
    assert refusal(result) is SlotStatus.CONFLICT
    assert result.availability.conflict == (theirs.starts_at, theirs.ends_at)
    assert result.appointment == mine
    assert refusal(reschedule(session, WANG, mine.reference, at("2026-11-28", 10), NOW)) is (
        SlotStatus.NOT_WORKING_DAY)
    assert appointment_of(session, WANG, mine.reference) == mine


def test_cancel_frees_the_slot(session: Session) -> None:
    slot = at("2026-11-26", 15)
    view = booked(book(session, WANG, "RM001", slot, NOW))

    cancelled = cancel(session, WANG, view.reference, NOW)
    assert cancelled is not None and cancelled.status == "cancelled"
    assert (cancelled.reference, cancelled.starts_at) == (view.reference, view.starts_at)
    assert appointment_of(session, WANG, view.reference) == cancelled
    assert upcoming_of(session, WANG, NOW) == []
    assert booked_intervals(session, "RM001", slot, slot + timedelta(hours=1)) == []
    assert schedule_for(session, "RM001", NOW).check(slot).ok
    assert booked(book(session, ZHOU, "RM001", slot, NOW)).starts_at == slot

    assert cancel(session, WANG, view.reference, NOW) == cancelled  # again: as it is
    assert reschedule(session, WANG, view.reference, at("2026-11-27", 10), NOW).outcome is (
        BookingOutcome.NOT_FOUND)
    cancelled_at = session.scalar(select(Appointment.cancelled_at).where(Appointment.reference == view.reference))
    assert cancelled_at == NOW


def test_a_started_appointment_cannot_be_cancelled_or_moved(session: Session) -> None:
    view = booked(book(session, WANG, "RM001", at("2026-11-26", 15), NOW))
    under_way = at("2026-11-26", 15, 10)
    assert cancel(session, WANG, view.reference, under_way) is None
    assert reschedule(session, WANG, view.reference, at("2026-11-27", 15), under_way).outcome is (
        BookingOutcome.NOT_FOUND)
    assert appointment_of(session, WANG, view.reference) == view


def test_a_client_cannot_see_move_or_cancel_another_clients_appointment(session: Session) -> None:
    view = booked(book(session, WANG, "RM001", at("2026-11-26", 15), NOW))

    assert appointment_of(session, ZHOU, view.reference) is None
    assert cancel(session, ZHOU, view.reference, NOW) is None
    assert reschedule(session, ZHOU, view.reference, at("2026-11-27", 10), NOW).outcome is (
        BookingOutcome.NOT_FOUND)
    assert upcoming_of(session, ZHOU, NOW) == []
    assert appointment_of(session, WANG, view.reference) == view
    assert appointment_of(session, WANG, "AP00000000") is None
    assert cancel(session, WANG, "AP00000000", NOW) is None


# -------------------------------------------------------------------- seeding
def test_clearing_the_demo_bank_removes_appointments_first(session: Session) -> None:
    booked(book(session, WANG, "RM001", at("2026-11-26", 15), NOW))
    clear_profile(session)  # would fail on the foreign keys if appointments were left
    assert session.scalar(select(func.count()).select_from(Appointment)) == 0
    assert session.scalar(select(func.count()).select_from(Client)) == 0
    session.rollback()  # keep the demo bank for the other tests
    assert session.scalar(select(func.count()).select_from(Appointment)) == 1


# ---------------------------------------------------------------- concurrency
@pytest.fixture()
def slow_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each availability check pauses, so two bookings without a lock would both read a free calendar."""
    original = Schedule.check

    def check(self: Schedule, slot_start: datetime) -> Any:
        answer = original(self, slot_start)
        clock.sleep(0.1)
        return answer

    monkeypatch.setattr(Schedule, "check", check)


def _at_once(sessions: Callable[[], Session], calls: List[Callable[[Session], BookingResult]]) -> List[BookingResult]:
    """Runs each call in its own thread and session, all released together."""
    start = threading.Barrier(len(calls))
    results: List[Optional[BookingResult]] = [None] * len(calls)
    errors: List[BaseException] = []

    def run(index: int) -> None:
        try:
            with sessions() as session:
                start.wait()
                results[index] = calls[index](session)
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return [result for result in results if result is not None]


@pytest.mark.parametrize("day", ["2026-11-26", "2026-11-27", "2026-11-30", "2026-12-01"])
def test_two_clients_booking_one_slot_at_once_get_it_once(sessions: Callable[[], Session], slow_check: None,
                                                          day: str) -> None:
    slot = at(day, 10)
    results = _at_once(sessions, [
        lambda session: book(session, WANG, "RM001", slot, NOW),
        lambda session: book(session, ZHOU, "RM001", slot, NOW),
    ])
    assert sorted(result.outcome.value for result in results) == ["booked", "unavailable"]
    assert [refusal(result) for result in results if not result.booked] == [SlotStatus.CONFLICT]
    with sessions() as session:
        assert len(booked_intervals(session, "RM001", slot, slot + timedelta(hours=1))) == 1


def test_a_reschedule_and_a_booking_racing_for_one_slot_get_it_once(sessions: Callable[[], Session],
                                                                   slow_check: None) -> None:
    slot = at("2026-11-27", 10)
    with sessions() as session:
        mine = booked(book(session, WANG, "RM001", at("2026-11-26", 15), NOW))
    results = _at_once(sessions, [
        lambda session: reschedule(session, WANG, mine.reference, slot, NOW),
        lambda session: book(session, ZHOU, "RM001", slot, NOW),
    ])
    assert sorted(result.outcome.value for result in results) == ["booked", "unavailable"]
    with sessions() as session:
        assert len(booked_intervals(session, "RM001", slot, slot + timedelta(hours=1))) == 1
