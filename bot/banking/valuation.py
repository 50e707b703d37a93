"""Amounts in other currencies as yuan, at the bank's spot buying rate (现汇买入价).

The spot buying rate is what the bank pays for the foreign currency, so a
total "折合人民币" is what the client's foreign money would fetch today.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Dict, Iterable, Mapping, Optional, Tuple

from bot.money import HOME_CURRENCY
from bot.profile.queries import FxRateView

__all__ = ["CnyEquivalent", "cny_equivalent"]

_CENT = Decimal("0.01")


@dataclass(frozen=True)
class CnyEquivalent:
    """A sum of amounts in several currencies as yuan.

    ``unconverted``: currencies without a quote, left out of ``total``;
    ``quoted_at``: the oldest quote used (None when only yuan was summed).
    """

    total: Decimal
    converted: Tuple[str, ...]
    unconverted: Tuple[str, ...]
    quoted_at: Optional[datetime]


def cny_equivalent(amounts: Mapping[str, Decimal], rates: Iterable[FxRateView]) -> CnyEquivalent:
    """``amounts`` (currency → amount) summed as yuan at each currency's spot buying rate."""
    by_currency: Dict[str, FxRateView] = {rate.base_currency: rate for rate in rates
                                          if rate.quote_currency == HOME_CURRENCY}
    total = Decimal("0.00")
    converted, unconverted, quoted = [], [], []
    for currency, amount in sorted(amounts.items()):
        if currency == HOME_CURRENCY:
            total += amount
            continue
        rate = by_currency.get(currency)
        if rate is None:
            unconverted.append(currency)
            continue
        total += (amount * rate.spot_buy / rate.unit).quantize(_CENT, rounding=ROUND_HALF_UP)
        converted.append(currency)
        quoted.append(rate.quoted_at)
    return CnyEquivalent(total, tuple(converted), tuple(unconverted), min(quoted) if quoted else None)
