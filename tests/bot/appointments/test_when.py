"""Reading when a client wants to meet: a table of expressions at fixed moments."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Optional

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.appointments.when import DayPart, WhenKind, WhenReading, read_when
from bot.nlu.canonical import SHANGHAI

EXACT, DAY_PART, DAY = WhenKind.EXACT, WhenKind.DAY_PART, WhenKind.DAY
VAGUE, PAST, NONE = WhenKind.VAGUE, WhenKind.PAST, WhenKind.NONE

WEDNESDAY = datetime(2026, 11, 25, 10, 30, tzinfo=SHANGHAI)
FRIDAY_EVENING = datetime(2026, 11, 27, 19, 0, tzinfo=SHANGHAI)
LAST_OF_NOVEMBER = datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI)  # a Monday
LAST_OF_JANUARY = datetime(2027, 1, 31, 10, 0, tzinfo=SHANGHAI)  # a Sunday
NEW_YEARS_EVE = datetime(2026, 12, 31, 16, 0, tzinfo=SHANGHAI)  # a Thursday


def shown(reading: WhenReading) -> Optional[str]:
    """The reading as the table writes it: 'YYYY-MM-DD HH:MM', 'YYYY-MM-DD part' or 'YYYY-MM-DD'."""
    if reading.start is not None:
        return reading.start.strftime("%Y-%m-%d %H:%M")
    if reading.day is None:
        return None
    return f"{reading.day} {reading.part.value}" if reading.part else str(reading.day)


WEDNESDAY_TABLE = [
    # a day and an hour
    ("明天下午三点", EXACT, "2026-11-26 15:00"),
    ("周五两点半", EXACT, "2026-11-27 14:30"),
    ("下周一上午10点", EXACT, "2026-11-30 10:00"),
    ("10号下午3点", EXACT, "2026-12-10 15:00"),
    ("11月28日14:00", EXACT, "2026-11-28 14:00"),
    ("后天9点半", EXACT, "2026-11-27 09:30"),
    ("明早九点", EXACT, "2026-11-26 09:00"),
    ("今晚7点", EXACT, "2026-11-25 19:00"),
    ("明天上午十一点", EXACT, "2026-11-26 11:00"),
    ("礼拜五下午两点", EXACT, "2026-11-27 14:00"),
    ("2026年12月3日下午3点", EXACT, "2026-12-03 15:00"),
    ("圣诞节下午三点", EXACT, "2026-12-25 15:00"),
    ("我想约明天下午三点见客户经理", EXACT, "2026-11-26 15:00"),
    ("改天吧，明天下午三点可以吗", EXACT, "2026-11-26 15:00"),
    ("明天 下午 3 点", EXACT, "2026-11-26 15:00"),
    # hours without a day: today, or tomorrow once passed; bare 1–6 is the afternoon
    ("两点半", EXACT, "2026-11-25 14:30"),
    ("２点半", EXACT, "2026-11-25 14:30"),
    ("两点一刻", EXACT, "2026-11-25 14:15"),
    ("三点三刻", EXACT, "2026-11-25 15:45"),
    ("一点", EXACT, "2026-11-25 13:00"),
    ("1点", EXACT, "2026-11-25 13:00"),
    ("一点钟", EXACT, "2026-11-25 13:00"),
    ("1:30", EXACT, "2026-11-25 13:30"),
    ("13:30", EXACT, "2026-11-25 13:30"),
    ("6点", EXACT, "2026-11-25 18:00"),
    ("十二点", EXACT, "2026-11-25 12:00"),
    ("十一点", EXACT, "2026-11-25 11:00"),
    ("九点", EXACT, "2026-11-26 09:00"),
    ("七点", EXACT, "2026-11-26 07:00"),
    ("早9点", EXACT, "2026-11-26 09:00"),
    ("晚8点", EXACT, "2026-11-25 20:00"),
    ("晚上8点", EXACT, "2026-11-25 20:00"),
    ("晚上12点", EXACT, "2026-11-26 00:00"),
    ("中午12点半", EXACT, "2026-11-25 12:30"),
    ("中午1点", EXACT, "2026-11-25 13:00"),
    ("下午三点二十分", EXACT, "2026-11-25 15:20"),
    ("下午3点05", EXACT, "2026-11-25 15:05"),
    # a bare weekday naming today: today while the hour is ahead, else next week
    ("周三三点", EXACT, "2026-11-25 15:00"),
    ("周三上午九点", EXACT, "2026-12-02 09:00"),
    # a day and a part of it
    ("后天上午", DAY_PART, "2026-11-27 morning"),
    ("明天下午", DAY_PART, "2026-11-26 afternoon"),
    ("这周六下午", DAY_PART, "2026-11-28 afternoon"),
    ("10号下午", DAY_PART, "2026-12-10 afternoon"),
    ("明天中午", DAY_PART, "2026-11-26 noon"),
    ("今晚", DAY_PART, "2026-11-25 evening"),
    ("今天上午", DAY_PART, "2026-11-25 morning"),
    ("下午", DAY_PART, "2026-11-25 afternoon"),
    ("中午", DAY_PART, "2026-11-25 noon"),
    # a day
    ("下周一", DAY, "2026-11-30"),
    ("这周六", DAY, "2026-11-28"),
    ("月底", DAY, "2026-11-30"),
    ("10号", DAY, "2026-12-10"),
    ("那就10号吧", DAY, "2026-12-10"),
    ("十号", DAY, "2026-12-10"),
    ("24号", DAY, "2026-12-24"),
    ("25号", DAY, "2026-11-25"),
    ("12月3号", DAY, "2026-12-03"),
    ("12月31号", DAY, "2026-12-31"),
    ("1月2号", DAY, "2027-01-02"),
    ("大后天", DAY, "2026-11-28"),
    ("周五", DAY, "2026-11-27"),
    ("星期天", DAY, "2026-11-29"),
    ("今天", DAY, "2026-11-25"),
    ("下下周一", DAY, "2026-12-07"),
    ("下个月3号", DAY, "2026-12-03"),
    ("下个月底", DAY, "2026-12-31"),
    ("下下个月3号", DAY, "2027-01-03"),
    ("3天后", DAY, "2026-11-28"),
    ("元旦", DAY, "2027-01-01"),
    ("2026-12-03", DAY, "2026-12-03"),
    # vague: ask when (下周 keeps its first day)
    ("改天", VAGUE, "2026-11-26"),  # another day: from tomorrow
    ("有空的时候", VAGUE, None),
    ("过几天", VAGUE, "2026-11-26"),
    ("尽快", VAGUE, None),
    ("随便哪天", VAGUE, None),
    ("你看什么时候都行", VAGUE, None),
    ("下周", VAGUE, "2026-11-30"),
    # before now
    ("昨天下午三点", PAST, "2026-11-24 15:00"),
    ("今天上午九点", PAST, "2026-11-25 09:00"),
    ("25号上午9点", PAST, "2026-11-25 09:00"),
    ("昨天", PAST, "2026-11-24"),
    ("这周一", PAST, "2026-11-23"),
    ("上周五", PAST, "2026-11-20"),
    ("上个月3号", PAST, "2026-10-03"),
    # no time at all
    ("", NONE, None),
    ("你好", NONE, None),
    ("😀😀😀", NONE, None),
    ("能早一点吗", NONE, None),
    ("差一点忘了", NONE, None),
    ("我的卡号6222021234567890", NONE, None),
    ("2月30号", NONE, None),
    ("32号", NONE, None),
    ("我想预约客户经理", NONE, None),
    # Traditional reads the same
    ("後天下午三點", EXACT, "2026-11-27 15:00"),
    ("明天下午兩點半", EXACT, "2026-11-26 14:30"),
    ("12月3號上午十點", EXACT, "2026-12-03 10:00"),
    ("今晚七點鐘", EXACT, "2026-11-25 19:00"),
    ("下週一上午", DAY_PART, "2026-11-30 morning"),
    ("這個星期六下午", DAY_PART, "2026-11-28 afternoon"),
    ("這週六", DAY, "2026-11-28"),
    ("禮拜五", DAY, "2026-11-27"),
    ("下個月底", DAY, "2026-12-31"),
    ("改天再約", VAGUE, "2026-11-26"),
]

OTHER_MOMENTS = [
    # Friday 19:00: a bare 周五 is still today, but its morning is next week's
    (FRIDAY_EVENING, "周五", DAY, "2026-11-27"),
    (FRIDAY_EVENING, "周五上午十点", EXACT, "2026-12-04 10:00"),
    (FRIDAY_EVENING, "周五晚上8点", EXACT, "2026-11-27 20:00"),
    (FRIDAY_EVENING, "这周五上午十点", PAST, "2026-11-27 10:00"),
    (FRIDAY_EVENING, "下午", DAY_PART, "2026-11-28 afternoon"),
    (FRIDAY_EVENING, "三点", EXACT, "2026-11-28 15:00"),
    (FRIDAY_EVENING, "今天下午", PAST, "2026-11-27 afternoon"),
    (FRIDAY_EVENING, "下周一", DAY, "2026-11-30"),
    # the last day of a month
    (LAST_OF_NOVEMBER, "月底", DAY, "2026-11-30"),
    (LAST_OF_NOVEMBER, "下个月底", DAY, "2026-12-31"),
    (LAST_OF_NOVEMBER, "31号", DAY, "2026-12-31"),
    (LAST_OF_NOVEMBER, "1号", DAY, "2026-12-01"),
    (LAST_OF_NOVEMBER, "这周日", DAY, "2026-12-06"),
    (LAST_OF_JANUARY, "30号", DAY, "2027-03-30"),
    (LAST_OF_JANUARY, "下个月底", DAY, "2027-02-28"),
    # the year rolls over
    (NEW_YEARS_EVE, "明天", DAY, "2027-01-01"),
    (NEW_YEARS_EVE, "1月2号", DAY, "2027-01-02"),
    (NEW_YEARS_EVE, "下周一", DAY, "2027-01-04"),
    (NEW_YEARS_EVE, "元旦", DAY, "2027-01-01"),
    (NEW_YEARS_EVE, "12月31号", DAY, "2026-12-31"),
    (NEW_YEARS_EVE, "下个月3号", DAY, "2027-01-03"),
    (NEW_YEARS_EVE, "10号", DAY, "2027-01-10"),
    (NEW_YEARS_EVE, "后天上午10点", EXACT, "2027-01-02 10:00"),
    (NEW_YEARS_EVE, "今天上午十点", PAST, "2026-12-31 10:00"),
    (NEW_YEARS_EVE, "下午", DAY_PART, "2026-12-31 afternoon"),
    (NEW_YEARS_EVE, "三点", EXACT, "2027-01-01 15:00"),
]


@pytest.mark.parametrize("text, kind, expected", WEDNESDAY_TABLE)
def test_reading_on_a_wednesday_morning(text: str, kind: WhenKind, expected: Optional[str]) -> None:
    reading = read_when(text, WEDNESDAY)
    assert (reading.kind, shown(reading)) == (kind, expected)


@pytest.mark.parametrize("now, text, kind, expected", OTHER_MOMENTS)
def test_reading_at_other_moments(now: datetime, text: str, kind: WhenKind, expected: str) -> None:
    reading = read_when(text, now)
    assert (reading.kind, shown(reading)) == (kind, expected)


def test_the_table_is_large_enough() -> None:
    assert len(WEDNESDAY_TABLE) + len(OTHER_MOMENTS) >= 60


def test_exact_readings_are_in_shanghai_time() -> None:
    start = read_when("明天下午三点", WEDNESDAY).start
    assert start is not None and start.utcoffset() == timedelta(hours=8)


def test_now_in_another_zone_is_read_in_shanghai() -> None:
    utc_evening = datetime(2026, 11, 25, 18, 0, tzinfo=timezone.utc)  # Thursday 02:00 in Shanghai
    assert read_when("明天", utc_evening).day == date(2026, 11, 27)


def test_earliest_is_where_a_slot_search_starts() -> None:
    assert read_when("明天下午", WEDNESDAY).earliest == datetime(2026, 11, 26, 13, 0, tzinfo=SHANGHAI)
    assert read_when("下周一", WEDNESDAY).earliest == datetime(2026, 11, 30, 0, 0, tzinfo=SHANGHAI)
    assert read_when("改天", WEDNESDAY).earliest == datetime(2026, 11, 26, 0, 0, tzinfo=SHANGHAI)
    assert read_when("尽快", WEDNESDAY).earliest is None  # as soon as possible: from now


def test_part_windows_follow_the_day() -> None:
    starts = [part.window[0] for part in (DayPart.MORNING, DayPart.NOON, DayPart.AFTERNOON, DayPart.EVENING)]
    assert starts == sorted(starts)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError):
        read_when("明天", datetime(2026, 11, 25, 10, 30))


@pytest.mark.parametrize("junk", ["啊" * 10_000, "x" * 10_000, "1" * 10_000, "点" * 10_000, "🎉" * 10_000,
                                  "啊" * 9_990 + "明天下午三点"])
def test_long_junk_reads_none(junk: str) -> None:
    assert read_when(junk, WEDNESDAY).kind is NONE


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=60) | st.text(alphabet="今明后天周下这上个月号日点半刻:0123456789一二两三十早晚午中", max_size=20))
def test_any_text_reads_without_error_and_consistently(text: str) -> None:
    reading = read_when(text, WEDNESDAY)
    if reading.kind is EXACT:
        assert reading.start is not None and reading.start >= WEDNESDAY
    if reading.kind in (DAY, DAY_PART):
        assert reading.day is not None and reading.day >= WEDNESDAY.date()
    if reading.kind is DAY_PART:
        assert reading.part is not None and reading.start is None
    if reading.kind is PAST:
        assert reading.earliest is not None and reading.earliest.date() <= WEDNESDAY.date()
    if reading.kind is NONE:
        assert reading.day is None and reading.start is None
