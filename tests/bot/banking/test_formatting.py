"""Signed amounts, percentages and local times as the answers write them."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from bot.banking.formatting import local_time, percent, signed_money


def test_signed_money():
    assert signed_money(Decimal("1234.5")) == "+1,234.50 元"
    assert signed_money(Decimal("-553200")) == "-553,200.00 元"
    assert signed_money(Decimal("0"), "USD") == "0.00 美元"


def test_percent():
    assert percent(Decimal("0.0325")) == "+3.25%"
    assert percent(Decimal("-0.08")) == "-8.00%"
    assert percent(Decimal("0")) == "0.00%"


def test_local_time_is_shanghai():
    assert local_time(datetime(2026, 11, 22, 14, 35, tzinfo=timezone.utc)) == "2026-11-22 22:35"
