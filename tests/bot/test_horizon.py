"""Reading how long the money can stay invested from what a client says."""
from __future__ import annotations

from datetime import date

import pytest

from bot.horizon import SHORT_TERM_DAYS, Horizon, combine, horizon_from_text, horizon_from_time

TODAY = date(2026, 11, 24)


@pytest.mark.parametrize("text, days", [
    ("一年以内用不到", 365),
    ("手上有20万，大概一年左右用不到，放哪比较合适", 365),
    ("半年內要用", 182),  # Traditional
    ("三个月后要用", 92),
    ("3个月", 92),
    ("一年半", 548),
    ("两周后要用", 14),
    ("离退休还有十五年", 5475),
    ("有没有短期的理财", SHORT_TERM_DAYS),
    ("半年或者三个月都行", 92),  # the shortest
])
def test_durations_and_short_term(text, days):
    assert horizon_from_text(text) == Horizon(days)


@pytest.mark.parametrize("text", [
    "10月份的工资", "三月份", "每月2000想长期定投", "2027年要用", "上个月买的", "我四十岁", "推荐点产品",
])
def test_dates_periods_and_ages_are_no_duration(text):
    assert horizon_from_text(text).max_days is None


def test_money_needed_any_time():
    assert horizon_from_text("有没有随时能取的产品推荐") == Horizon(None, liquid=True)


def test_digits_of_product_names_are_no_duration():
    names = ["稳享90天", "稳享365天", "臻盈180天"]
    assert horizon_from_text("稳享90天到期了，接下来买什么", ignore=names).max_days is None
    assert horizon_from_text("臻盈180天之后，一年以内要用", ignore=names).max_days == 365


def test_a_time_the_money_is_needed_counts_from_its_start():
    next_year = "2027-01-01T00:00:00+08:00/2027-12-31T23:59:59+08:00"
    assert horizon_from_time(next_year, "孩子明年上大学要用钱", TODAY) == Horizon(38)


def test_a_time_that_is_not_about_using_the_money_is_ignored():
    next_week = "2026-11-30T00:00:00+08:00/2026-12-06T23:59:59+08:00"
    assert horizon_from_time(next_week, "稳享90天下周到期，到期后续买什么好", TODAY) == Horizon()


def test_a_past_time_or_junk_is_ignored():
    assert horizon_from_time("2026-10-01T00:00:00+08:00/2026-10-31T23:59:59+08:00", "10月要用", TODAY) == Horizon()
    assert horizon_from_time("明年", "明年要用", TODAY) == Horizon()


def test_combining_needs_keeps_the_strictest():
    assert combine(Horizon(365), Horizon(90), Horizon(None, liquid=True)) == Horizon(90, liquid=True)
    assert combine() == Horizon()


@pytest.mark.parametrize("value", [None, "365", {"max_days": "365"}, {"max_days": -3}, {"max_days": True},
                                   {"liquid": "yes"}, [365]])
def test_a_malformed_remembered_need_is_no_need(value):
    assert not Horizon.from_json(value).stated


def test_a_remembered_need_survives_the_slot():
    need = Horizon(365, liquid=True)
    assert Horizon.from_json(need.to_json()) == need
    assert Horizon().over(need) == need and Horizon(30).over(need) == Horizon(30)
