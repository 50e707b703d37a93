"""Reading count, direction, amounts, counterparty, category and period from a message."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from bot.banking.transaction_request import (
    AmountRange,
    Direction,
    PeriodSource,
    TransactionAsk,
    choose_period,
    match_category,
    match_counterparty,
    parse_amount_range,
    parse_count,
    parse_direction,
    period_from_time_values,
    read_ask,
)
from bot.nlu.canonical import SHANGHAI, canonical_value


@pytest.mark.parametrize("text, count", [
    ("最近十笔", 10),
    ("最近5笔", 5),
    ("最近 5 笔交易", 5),
    ("最近五笔交易", 5),
    ("最近的10笔流水", 10),
    ("最后一笔交易是什么", 1),
    ("最近两笔", 2),
    ("近二十条记录", 20),
    ("前三笔", 3),
    ("最近十筆", 10),  # Traditional
    ("最近１０笔", 10),  # full-width digits
    ("最近500笔", 200),  # capped at what the store returns at most
    ("有一笔扣款是什么", None),  # "a transaction", not a count
    ("上周转出去几笔", None),
    ("最近一周的交易", None),
    ("流水", None),
])
def test_count(text, count):
    assert parse_count(text) == count


@pytest.mark.parametrize("text, direction", [
    ("上个月我一共花了多少", Direction.OUT),
    ("本月支出", Direction.OUT),
    ("信用卡消费记录", Direction.OUT),
    ("查一下上周五那笔转出", Direction.OUT),
    ("前天储蓄卡被扣了50块", Direction.OUT),
    ("收入明细", Direction.IN),
    ("工资到账了吗", Direction.IN),
    ("谁给我转了5万", Direction.IN),
    ("這週都有哪些進賬", Direction.IN),  # Traditional
    ("近三个月的收支明细", None),  # both
    ("流水", None),
])
def test_direction(text, direction):
    assert parse_direction(text) == direction


@pytest.mark.parametrize("text, entities, expected", [
    ("超过5000的支出", (), AmountRange(Decimal(5000), None)),
    ("5000以上的消费", (), AmountRange(Decimal(5000), None)),
    ("5000元以上", (), AmountRange(Decimal(5000), None)),
    ("大于1万的", (), AmountRange(Decimal(10000), None)),
    ("超过五千块的支出", (), AmountRange(Decimal(5000), None)),
    ("超過５０００的", (), AmountRange(Decimal(5000), None)),  # Traditional, full-width
    ("不低于2000", (), AmountRange(Decimal(2000), None)),
    ("不超过500的消费", (), AmountRange(None, Decimal(500))),
    ("500以下", (), AmountRange(None, Decimal(500))),
    ("3000到5000之间", (), AmountRange(Decimal(3000), Decimal(5000))),
    ("2万左右的入账", (), AmountRange(Decimal("18000.00"), Decimal("22000.00"), approximate=True)),
    ("大额支出", (), AmountRange(Decimal(10000), None)),
    ("那笔4,980的扣款", ("4980",), AmountRange(Decimal("4482.00"), Decimal("5478.00"), approximate=True)),
    ("超过5000", ("5000",), AmountRange(Decimal(5000), None)),  # the word wins over the bare entity
    ("至少5笔", (), None),  # a count, not an amount
    ("3月到5月的流水", (), None),  # months
    ("近三个月", (), None),
    ("账号6222021000123456的流水", (), None),  # an account number is no amount
    ("流水", (), None),
])
def test_amount_range(text, entities, expected):
    assert parse_amount_range(text, entities) == expected


@pytest.mark.parametrize("text, category", [
    ("上个月吃饭花了多少", "餐饮"),
    ("水电费扣了没有", "水电燃气"),
    ("房贷这个月扣了吗", "房贷"),
    ("上个月我转给女儿的那笔钱", "转账"),
    ("工资到账了吗", "工资"),
    ("還信用卡的記錄", "信用卡还款"),
    ("超市消费", "生鲜超市"),
    ("信用卡上个月消费了什么", None),  # an account, not a category
    ("流水", None),
])
def test_category(text, category):
    assert match_category(text) == category


COUNTERPARTIES = (
    ("美团外卖", "餐饮"), ("滴滴出行", "交通出行"), ("星巴克", "餐饮"), ("中国移动", "通讯"),
    ("中国石化", "交通出行"), ("本行信用卡", "信用卡还款"), ("王建国", "转账"),
    ("上海瑞景科技有限公司", "工资"),
)


@pytest.mark.parametrize("text, found", [
    ("美团花了多少", "美团"),  # the start of a merchant's name
    ("滴滴打车的钱", "滴滴"),
    ("星巴克", "星巴克"),
    ("中国移动的话费", "中国移动"),
    ("中国的消费", None),  # shared by several merchants: says nothing
    ("王建国转给我的钱", "王建国"),  # a person in full
    ("王建华的流水", None),  # a person is never matched by a part of the name
    ("上海瑞景科技有限公司发的工资", "上海瑞景科技有限公司"),
    ("上海的消费", None),
    ("流水", None),
])
def test_counterparty_is_one_of_the_clients_own(text, found):
    assert match_counterparty(text, COUNTERPARTIES) == found


def test_a_person_the_client_never_dealt_with_is_filtered_on_but_not_known():
    ask = read_ask("张伟给我转的钱到了没", person_entities=["张伟"], counterparties=COUNTERPARTIES)
    assert (ask.counterparty, ask.counterparty_known) == ("张伟", False)
    ask = read_ask("王建国给我转的钱到了没", person_entities=["王建国"], counterparties=COUNTERPARTIES)
    assert (ask.counterparty, ask.counterparty_known) == ("王建国", True)


def test_a_follow_up_keeps_what_it_does_not_change():
    first = read_ask("最近十笔超过5000的支出")
    follow_up = read_ask("那收入呢").over(first)
    assert follow_up == TransactionAsk(count=10, direction=Direction.IN, amount=AmountRange(Decimal(5000), None))
    assert TransactionAsk.from_json(follow_up.to_json()) == follow_up


def test_a_remembered_ask_that_is_not_one_reads_as_none():
    assert TransactionAsk.from_json(None) == TransactionAsk()
    assert TransactionAsk.from_json({"direction": "sideways", "count": "ten"}) == TransactionAsk()


NOW = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize("expression, first, last", [
    ("上个月", date(2026, 10, 1), date(2026, 10, 31)),
    ("最近一周", date(2026, 11, 18), date(2026, 11, 25)),
    ("昨天", date(2026, 11, 24), date(2026, 11, 24)),
    ("10月", date(2026, 10, 1), date(2026, 10, 31)),
    ("昨天下午三点", date(2026, 11, 24), date(2026, 11, 24)),  # a point: its whole day
])
def test_period_is_the_time_the_nlu_resolved(expression, first, last):
    value = canonical_value("time", expression, NOW)
    period = choose_period([value], None, date(2026, 11, 24))
    assert period.source is PeriodSource.ASKED
    assert (period.first_day, period.last_day) == (first, last)


def test_several_times_span_from_the_first_to_the_last():
    values = [canonical_value("time", "9月", NOW), canonical_value("time", "上个月", NOW)]
    start, end = period_from_time_values(values)
    assert (start.date(), end.date()) == (date(2026, 9, 1), date(2026, 10, 31))


def test_without_a_time_the_last_30_days_up_to_the_data_day():
    period = choose_period([], None, date(2026, 11, 24))
    assert period.source is PeriodSource.DEFAULT
    assert (period.first_day, period.last_day) == (date(2026, 10, 26), date(2026, 11, 24))


def test_a_count_alone_has_no_period():
    period = choose_period([], 10, date(2026, 11, 24))
    assert (period.source, period.start, period.end) == (PeriodSource.ANY, None, None)


def test_unreadable_time_values_are_ignored():
    assert period_from_time_values(["tomorrow", 42, "2026-11-25/2026-11-01"]) is None
