"""A client's holdings as the portfolio answer shows them: value, profit and loss, return,
and what matures within 30 days.

Return is profit over cost; the annualised return (simple, 365 days) is given
only for holdings held 90 days or more, where it says something. A holding
in foreign currency stays in that currency; totals are per currency, with a
yuan total at the spot buying rate when there are several.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Dict, Optional, Sequence, Tuple

from bot.banking.valuation import CnyEquivalent, cny_equivalent
from bot.profile.queries import FxRateView, HoldingView

__all__ = [
    "MATURITY_WINDOW_DAYS",
    "ANNUALISE_AFTER_DAYS",
    "HoldingLine",
    "CurrencyTotal",
    "PortfolioSummary",
    "portfolio_summary",
]

MATURITY_WINDOW_DAYS = 30
ANNUALISE_AFTER_DAYS = 90
_RATE = Decimal("0.0001")


def _rate(part: Decimal, whole: Decimal) -> Optional[Decimal]:
    return (part / whole).quantize(_RATE, ROUND_HALF_UP) if whole else None


@dataclass(frozen=True)
class HoldingLine:
    holding: HoldingView
    held_days: int
    days_to_maturity: Optional[int]  # None: open-ended

    @property
    def pnl(self) -> Decimal:
        return self.holding.pnl

    @property
    def return_rate(self) -> Optional[Decimal]:
        return self.holding.return_rate

    @property
    def annualised(self) -> Optional[Decimal]:
        """Simple annual return over the days held; None before 90 days."""
        rate = self.return_rate
        if rate is None or self.held_days < ANNUALISE_AFTER_DAYS:
            return None
        return (rate * 365 / self.held_days).quantize(_RATE, ROUND_HALF_UP)

    @property
    def matures_soon(self) -> bool:
        return self.days_to_maturity is not None and 0 <= self.days_to_maturity <= MATURITY_WINDOW_DAYS


@dataclass(frozen=True)
class CurrencyTotal:
    currency: str
    cost: Decimal
    market_value: Decimal

    @property
    def pnl(self) -> Decimal:
        return self.market_value - self.cost

    @property
    def return_rate(self) -> Optional[Decimal]:
        return _rate(self.pnl, self.cost)


@dataclass(frozen=True)
class PortfolioSummary:
    """``matched``: False when the product types or currencies asked for are none of the
    client's and every holding is shown; ``value_cny``: set when there are several currencies."""

    lines: Tuple[HoldingLine, ...]
    totals: Tuple[CurrencyTotal, ...]
    value_cny: Optional[CnyEquivalent]
    on: date
    matched: bool

    @property
    def maturing(self) -> Tuple[HoldingLine, ...]:
        """Holdings maturing within 30 days of ``on``, soonest first."""
        return tuple(sorted((line for line in self.lines if line.matures_soon),
                            key=lambda line: (line.days_to_maturity, line.holding.product_name)))


def portfolio_summary(
    holdings: Sequence[HoldingView],
    on: date,
    rates: Sequence[FxRateView] = (),
    product_types: Sequence[str] = (),
    currencies: Sequence[str] = (),
) -> PortfolioSummary:
    """The summary of ``holdings`` on the day ``on``, optionally of some product types or currencies."""
    chosen = [holding for holding in holdings
              if (not product_types or holding.product_type in product_types)
              and (not currencies or holding.currency in currencies)]
    matched = bool(chosen) or not (product_types or currencies)
    if not chosen:
        chosen = list(holdings)
    lines = tuple(HoldingLine(holding, max((on - holding.started_on).days, 0), holding.days_to_maturity(on))
                  for holding in chosen)
    sums: Dict[str, Tuple[Decimal, Decimal]] = {}
    for holding in chosen:
        cost, value = sums.get(holding.currency, (Decimal("0.00"), Decimal("0.00")))
        sums[holding.currency] = (cost + holding.cost, value + holding.market_value)
    totals = tuple(CurrencyTotal(currency, cost, value) for currency, (cost, value) in sorted(sums.items()))
    value_cny = None
    if len(totals) > 1:
        value_cny = cny_equivalent({total.currency: total.market_value for total in totals}, rates)
    return PortfolioSummary(lines, totals, value_cny, on, matched)
