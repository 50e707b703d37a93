"""Signed amounts and percentages as the answers write them: +1,234.56 元, -3.25%."""
from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from bot.money import HOME_CURRENCY, format_money
from bot.nlu.canonical import SHANGHAI

__all__ = ["signed_money", "percent", "local_time"]


def signed_money(amount: Decimal, currency: str = HOME_CURRENCY) -> str:
    """``+1,234.56 元`` / ``-1,234.56 元``; zero without a sign."""
    text = format_money(abs(amount), currency)
    if amount > 0:
        return f"+{text}"
    return f"-{text}" if amount < 0 else text


def percent(rate: Decimal, signed: bool = True) -> str:
    """A fraction as a percentage with two decimals: ``Decimal('0.0325')`` → ``+3.25%``."""
    value = (rate * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "+" if signed and value > 0 else ""
    return f"{sign}{value}%"


def local_time(instant: datetime) -> str:
    """An instant as Shanghai wall-clock time: ``2026-11-22 22:35``."""
    return instant.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
