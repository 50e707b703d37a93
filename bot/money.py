"""How amounts are written to clients: 1,234,567.89 元, 12,345.00 美元, 尾号1234.

Currency names come from ``kb/fx_rates.yml`` (content); amounts are Decimal,
rounded half up to the cent, never float.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, Dict, Optional

import yaml

from bot.kb import KB_DIR

__all__ = ["HOME_CURRENCY", "currency_name", "format_money", "positive_amount", "tail_label"]

HOME_CURRENCY = "CNY"
_CENT = Decimal("0.01")


@lru_cache(maxsize=1)
def _currency_names() -> Dict[str, str]:
    board = yaml.safe_load((KB_DIR / "fx_rates.yml").read_text("utf-8"))
    return {rate["currency"]: rate["name_zh"] for rate in board["rates"]}


def currency_name(code: str) -> str:
    """The Chinese name of an ISO currency code (美元 for USD); the code when unknown."""
    if code == HOME_CURRENCY:
        return "人民币"
    return _currency_names().get(code, code)


def format_money(amount: Decimal, currency: str = HOME_CURRENCY) -> str:
    """``1,234,567.89 元`` for yuan, ``12,345.00 美元`` for other currencies."""
    number = f"{Decimal(amount).quantize(_CENT, rounding=ROUND_HALF_UP):,.2f}"
    unit = "元" if currency == HOME_CURRENCY else currency_name(currency)
    return f"{number} {unit}"


def tail_label(tail: str) -> str:
    """How an account or card is named to a client: ``尾号1234``."""
    return f"尾号{tail}"


def positive_amount(value: Any) -> Optional[Decimal]:
    """An amount entity's value (50000, "50,000", "5e4") as a positive finite Decimal, else ``None``."""
    if value is None or isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value).replace(",", ""))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() and amount > 0 else None
