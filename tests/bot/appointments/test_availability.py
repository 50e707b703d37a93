"""When an RM is free: working days and hours, holidays, adjusted working days, conflicts."""
from __future__ import annotations

import importlib
from datetime import date, datetime, time, timedelta
from typing import List, Optional

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.appointments import DayPart, Holiday, Schedule, SlotStatus, read_when
from bot.nlu.canonical import SHANGHAI

WEDNESDAY = datetime(2026, 11, 25, 10, 30, tzinfo=SHANGHAI)


def at(day: str, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(hour, minute), tzinfo=SHANGHAI)


def times(slots: List[datetime]) -> List[str]:
    return [slot.strftime("%m-%d %H:%M") for slot in slots]


THURSDAY_AT_THREE = (at("2026-11-26", 15), at("2026-11-26", 16))
RM = Schedule(now=WEDNESDAY, work_days="12345", work_start=time(9), work_end=time(17, 30),
              booked=[THURSDAY_AT_THREE])
IN_SEPTEMBER = Schedule(now=at("2026-09-01", 10))
IN_JANUARY = Schedule(now=at("2026-01-20", 10))
IN_2027 = Schedule(now=at("2026-12-20", 10))


@pytest.mark.parametrize(
    "schedule, slot, status",
    [
        (RM, at("2026-11-26", 10), SlotStatus.OK),
        (RM, at("2026-11-25", 12, 30), SlotStatus.OK),  # exactly two hours ahead
        (RM, at("2026-11-25", 10), SlotStatus.PAST),
        (RM, at("2026-11-25", 11, 30), SlotStatus.TOO_SOON),
        (RM, at("2026-11-28", 10), SlotStatus.NOT_WORKING_DAY),  # Saturday
        (RM, at("2026-11-29", 10), SlotStatus.NOT_WORKING_DAY),  # Sunday
        # working hours: the meeting must end by 17:30
        (RM, at("2026-11-26", 8, 30), SlotStatus.OUTSIDE_HOURS),
        (RM, at("2026-11-26", 16, 30), SlotStatus.OK),
        (RM, at("2026-11-26", 17), SlotStatus.OUTSIDE_HOURS),
        (RM, at("2026-11-26", 19), SlotStatus.OUTSIDE_HOURS),
        # the booked 15:00–16:00; back-to-back on either side is fine
        (RM, at("2026-11-26", 15), SlotStatus.CONFLICT),
        (RM, at("2026-11-26", 14, 30), SlotStatus.CONFLICT),
        (RM, at("2026-11-26", 15, 30), SlotStatus.CONFLICT),
        (RM, at("2026-11-26", 14), SlotStatus.OK),
        (RM, at("2026-11-26", 16), SlotStatus.OK),
        # 2026 National Day and Mid-autumn; the adjusted working Sunday and Saturday around them
        (IN_SEPTEMBER, at("2026-10-01", 10), SlotStatus.HOLIDAY),
        (IN_SEPTEMBER, at("2026-10-05", 10), SlotStatus.HOLIDAY),  # a Monday
        (IN_SEPTEMBER, at("2026-10-03", 10), SlotStatus.HOLIDAY),  # a Saturday inside the holiday
        (IN_SEPTEMBER, at("2026-09-25", 10), SlotStatus.HOLIDAY),
        (IN_SEPTEMBER, at("2026-09-20", 10), SlotStatus.OK),  # Sunday, 调休上班
        (IN_SEPTEMBER, at("2026-10-10", 10), SlotStatus.OK),  # Saturday, 调休上班
        (IN_SEPTEMBER, at("2026-10-08", 10), SlotStatus.OK),
        (IN_SEPTEMBER, at("2026-10-11", 10), SlotStatus.NOT_WORKING_DAY),  # an ordinary Sunday
        # 2026 Spring Festival
        (IN_JANUARY, at("2026-02-17", 10), SlotStatus.HOLIDAY),
        (IN_JANUARY, at("2026-02-14", 10), SlotStatus.OK),  # Saturday, 调休上班
        (IN_JANUARY, at("2026-02-28", 10), SlotStatus.OK),  # Saturday, 调休上班
        (IN_JANUARY, at("2026-02-24", 10), SlotStatus.OK),
        # 2027: chinese_calendar 1.11 does not know the year, so only weekdays count
        (IN_2027, at("2027-02-08", 10), SlotStatus.OK),  # Monday of Spring Festival 2027
        (IN_2027, at("2027-10-01", 10), SlotStatus.OK),  # Friday, National Day 2027
        (IN_2027, at("2027-10-02", 10), SlotStatus.NOT_WORKING_DAY),  # Saturday
    ],
)
def test_check(schedule: Schedule, slot: datetime, status: SlotStatus) -> None:
    assert schedule.check(slot).status is status


def test_a_holiday_is_named_in_both_languages() -> None:
    answer = IN_SEPTEMBER.check(at("2026-10-01", 10))
    assert answer.holiday is Holiday.national_day and answer.holiday.chinese == "国庆节"
    assert IN_JANUARY.check(at("2026-02-17", 10)).holiday is Holiday.spring_festival


def test_a_conflict_names_the_booked_appointment() -> None:
    assert RM.check(at("2026-11-26", 14, 30)).conflict == THURSDAY_AT_THREE


def test_rm_working_saturdays_but_not_mondays() -> None:
    saturday_rm = Schedule(now=WEDNESDAY, work_days="23456")
    assert saturday_rm.check(at("2026-11-28", 10)).ok
    assert saturday_rm.check(at("2026-11-30", 10)).status is SlotStatus.NOT_WORKING_DAY


def test_holidays_close_even_an_rm_who_works_weekends() -> None:
    every_day = Schedule(now=at("2026-09-01", 10), work_days="1234567")
    assert every_day.check(at("2026-10-03", 10)).status is SlotStatus.HOLIDAY
    assert every_day.check(at("2026-10-11", 10)).ok


def test_meeting_length_decides_the_last_start() -> None:
    assert Schedule(now=WEDNESDAY, meeting=timedelta(minutes=90)).check(at("2026-11-26", 16, 30)).status \
        is SlotStatus.OUTSIDE_HOURS
    assert Schedule(now=WEDNESDAY, meeting=timedelta(minutes=30)).check(at("2026-11-26", 17)).ok


def test_nearest_after_a_conflict_are_the_three_closest_free_slots() -> None:
    slots = RM.nearest_free_slots(at("2026-11-26", 15))
    assert times(slots) == ["11-26 13:30", "11-26 14:00", "11-26 16:00"]
    assert all(RM.check(slot).ok for slot in slots)


def test_nearest_on_a_holiday_are_after_it() -> None:
    assert times(IN_SEPTEMBER.nearest_free_slots(at("2026-10-01", 10))) == \
        ["10-08 09:00", "10-08 09:30", "10-08 10:00"]


def test_nearest_on_a_saturday_are_on_monday() -> None:
    assert times(RM.nearest_free_slots(at("2026-11-28", 10))) == ["11-30 09:00", "11-30 09:30", "11-30 10:00"]


def test_nearest_today_include_earlier_slots_but_not_too_soon() -> None:
    assert times(RM.nearest_free_slots(at("2026-11-25", 16))) == ["11-25 15:30", "11-25 16:00", "11-25 16:30"]
    assert times(RM.nearest_free_slots(at("2026-11-25", 11))) == ["11-25 12:30", "11-25 13:00", "11-25 13:30"]


def test_a_fully_booked_day_moves_to_the_next() -> None:
    busy = Schedule(now=WEDNESDAY, booked=[(at("2026-11-26", 9), at("2026-11-26", 17, 30))])
    assert times(busy.nearest_free_slots(at("2026-11-26", 10))) == ["11-27 09:00", "11-27 09:30", "11-27 10:00"]


def test_late_wanted_time_prefers_the_next_morning_when_it_is_nearer() -> None:
    long_day = Schedule(now=WEDNESDAY, work_start=time(8), work_end=time(20),
                        booked=[(at("2026-11-26", 11), at("2026-11-26", 20))])
    # Thursday 10:00 is 12 h before 22:00, Friday 08:00 only 10 h after
    assert times(long_day.nearest_free_slots(at("2026-11-26", 22))) == ["11-27 08:00", "11-27 08:30", "11-27 09:00"]


def test_no_working_day_within_the_horizon_gives_no_slot() -> None:
    assert Schedule(now=WEDNESDAY, work_days="").nearest_free_slots(at("2026-11-26", 10)) == []


def test_free_slots_on_a_day_and_part() -> None:
    two_booked = Schedule(now=WEDNESDAY, booked=[(at("2026-11-26", 13), at("2026-11-26", 14)), THURSDAY_AT_THREE])
    assert times(two_booked.free_slots_on(date(2026, 11, 26), DayPart.AFTERNOON)) == \
        ["11-26 14:00", "11-26 16:00", "11-26 16:30"]
    assert times(RM.free_slots_on(date(2026, 11, 26))) == ["11-26 09:00", "11-26 09:30", "11-26 10:00"]
    assert RM.free_slots_on(date(2026, 11, 28)) == []
    assert RM.free_slots_on(date(2026, 11, 26), DayPart.EVENING) == []


def test_slots_start_on_the_half_hour_when_work_starts_at_a_quarter() -> None:
    quarter = Schedule(now=WEDNESDAY, work_start=time(9, 15))
    assert times(quarter.free_slots_on(date(2026, 11, 26), n=2)) == ["11-26 09:30", "11-26 10:00"]


@pytest.mark.parametrize(
    "text, offered",
    [
        ("周六下午", ["11-30 13:00", "11-30 13:30", "11-30 14:00"]),  # same part, next working day
        ("明天下午三点", ["11-26 13:30", "11-26 14:00", "11-26 16:00"]),
        ("明天", ["11-26 09:00", "11-26 09:30", "11-26 10:00"]),
        ("明晚", ["11-26 14:00", "11-26 16:00", "11-26 16:30"]),  # no evening hours: the nearest
        ("改天", ["11-26 09:00", "11-26 09:30", "11-26 10:00"]),  # another day: not today
        ("昨天下午三点", ["11-25 12:30", "11-25 13:00", "11-25 13:30"]),
    ],
)
def test_suggestions_for_a_reading(text: str, offered: List[str]) -> None:
    assert times(RM.suggestions_for(read_when(text, WEDNESDAY))) == offered


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        Schedule(now=datetime(2026, 11, 25, 10, 30))
    with pytest.raises(ValueError):
        RM.check(datetime(2026, 11, 26, 10))


@pytest.mark.parametrize("module", ["bot.appointments", "bot.appointments.when", "bot.appointments.availability"])
def test_all_names_exist(module: str) -> None:
    loaded = importlib.import_module(module)
    assert [name for name in loaded.__all__ if not hasattr(loaded, name)] == []


def brute_force_nearest(schedule: Schedule, wanted: datetime, n: int) -> List[datetime]:
    """Every half hour from the wanted day's midnight to the end of the horizon, checked one by one."""
    slot = datetime.combine(wanted.date(), time(0), tzinfo=SHANGHAI)
    last = datetime.combine(max(wanted, schedule.now).date() + schedule.horizon, time(23, 59), tzinfo=SHANGHAI)
    free = []
    while slot <= last:
        if schedule.check(slot).ok:
            free.append(slot)
        slot += timedelta(minutes=30)
    return sorted(sorted(free, key=lambda free_slot: (abs(free_slot - wanted), free_slot))[:n])


@st.composite
def schedules(draw: st.DrawFn) -> Schedule:
    now = draw(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 1),
                            timezones=st.just(SHANGHAI)))
    days = draw(st.sets(st.sampled_from("1234567")))
    start = time(draw(st.integers(7, 10)), draw(st.sampled_from([0, 15, 30, 45])))
    end = time(draw(st.integers(15, 20)), draw(st.sampled_from([0, 30])))
    booked = []
    for offset_hours, length in draw(st.lists(st.tuples(st.integers(0, 24 * 10), st.integers(1, 6)), max_size=6)):
        booked_start = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=offset_hours)
        booked.append((booked_start, booked_start + timedelta(minutes=30 * length)))
    meeting = timedelta(minutes=draw(st.sampled_from([30, 60, 90])))
    return Schedule(now=now, work_days="".join(sorted(days)), work_start=start, work_end=end,
                    booked=booked, meeting=meeting)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schedule=schedules(), hours_ahead=st.integers(-48, 24 * 20), n=st.integers(1, 5))
def test_nearest_free_slots_pass_check_and_are_the_nearest(
        schedule: Schedule, hours_ahead: int, n: int) -> None:
    wanted = schedule.now + timedelta(hours=hours_ahead)
    slots = schedule.nearest_free_slots(wanted, n)
    assert all(schedule.check(slot).ok for slot in slots)
    assert slots == sorted(set(slots)) and len(slots) <= n
    assert slots == brute_force_nearest(schedule, wanted, n)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schedule=schedules(), days_ahead=st.integers(0, 20), part=st.none() | st.sampled_from(list(DayPart)))
def test_free_slots_on_a_day_pass_check_and_stay_in_the_part(
        schedule: Schedule, days_ahead: int, part: Optional[DayPart]) -> None:
    day = schedule.now.date() + timedelta(days=days_ahead)
    slots = schedule.free_slots_on(day, part)
    assert all(schedule.check(slot).ok and slot.date() == day for slot in slots)
    if part is not None:
        assert all(part.window[0] <= slot.time() < part.window[1] for slot in slots)
