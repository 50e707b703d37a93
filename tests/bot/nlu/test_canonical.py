from datetime import datetime
from decimal import Decimal

import pytest

from bot.nlu.canonical import SHANGHAI, canonical_value, parse_amount, parse_currency, parse_time

NOW = datetime(2026, 11, 24, 13, 45, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    "text, value",
    [
        ("5万", "50000"),
        ("30w", "300000"),
        ("30W", "300000"),
        ("50k", "50000"),
        ("五十万", "500000"),
        ("五十万元", "500000"),
        ("100,000", "100000"),
        ("3.5万", "35000"),
        ("５万", "50000"),
        ("一百万", "1000000"),
        ("两千块", "2000"),
        ("1.5亿", "150000000"),
        ("2000.50", "2000.5"),
    ],
)
def test_amounts_in_yuan(text, value):
    assert canonical_value("amount", text) == value


@pytest.mark.parametrize("text", ["", "abc", "很多钱", "万"])
def test_unreadable_amounts_are_none(text):
    assert parse_amount(text) is None


def test_amount_is_decimal_not_float():
    assert parse_amount("0.1万") == Decimal("1000.0")


@pytest.mark.parametrize(
    "text, code",
    [("美刀", "USD"), ("美金", "USD"), ("USD", "USD"), ("usd", "USD"), ("港币", "HKD"),
     ("港紙", "HKD"), ("日元", "JPY"), ("人民币", "CNY"), ("歐元", "EUR")],
)
def test_currencies_to_iso(text, code):
    assert parse_currency(text) == code


def test_unknown_currency_is_none():
    assert parse_currency("比特币") is None


@pytest.mark.parametrize(
    "text, iso",
    [
        ("明天下午三点", "2026-11-25T15:00:00+08:00"),
        ("下午2:30", "2026-11-24T14:30:00+08:00"),
        ("昨天", "2026-11-23T00:00:00+08:00/2026-11-23T23:59:59+08:00"),
        ("上个月", "2026-10-01T00:00:00+08:00/2026-10-31T23:59:59+08:00"),
        ("10月", "2026-10-01T00:00:00+08:00/2026-10-31T23:59:59+08:00"),
        ("最近一周", "2026-11-17T13:45:00+08:00/2026-11-24T13:45:00+08:00"),
        ("下週一上午", "2026-11-30T07:00:00+08:00/2026-11-30T11:59:59+08:00"),
    ],
)
def test_times_in_shanghai_iso_8601(text, iso):
    assert canonical_value("time", text, NOW) == iso


def test_tomorrow_is_counted_in_shanghai_not_in_the_servers_zone():
    # 16:30 UTC on the 24th is already 00:30 on the 25th in Shanghai
    from datetime import timezone

    late_utc = datetime(2026, 11, 24, 16, 30, tzinfo=timezone.utc)
    value = parse_time("明天", late_utc)
    assert value is not None
    assert value.iso() == "2026-11-26T00:00:00+08:00/2026-11-26T23:59:59+08:00"


@pytest.mark.parametrize("text", ["", "blah", "🙏"])
def test_unreadable_times_are_none(text):
    assert parse_time(text, NOW) is None


def test_case_ids_and_card_tails():
    assert canonical_value("case_id", "cs-2026-000123") == "CS-2026-000123"
    assert canonical_value("case_id", "CS-26-1") is None
    assert canonical_value("card_tail", "１２３４") == "1234"
