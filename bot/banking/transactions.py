"""From a :class:`~bot.banking.transaction_request.TransactionAsk` to the store's filter, and
from the store's page to what the reply lists and sums.

The list is capped: 10 lines by default, 20 at most when the client asks for a
number (最近50笔 lists 20 and says 30 more). Totals in and out are over every
transaction the answer covers: all matches in the period, or the N newest
when the client asked for N.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Dict, Optional, Sequence, Tuple

from bot.banking.transaction_request import Period, TransactionAsk
from bot.profile.queries import MAX_TRANSACTIONS, CurrencyTotals, TransactionFilter, TransactionPage, TransactionView

__all__ = ["DEFAULT_LISTED", "MAX_LISTED", "TransactionSummary", "transaction_filter", "summarise", "totals_of"]

DEFAULT_LISTED = 10
MAX_LISTED = 20


def transaction_filter(
    ask: TransactionAsk,
    period: Period,
    account_ids: Sequence[str] = (),
    currency: Optional[str] = None,
) -> TransactionFilter:
    """The store's filter for what the client asked."""
    amount = ask.amount
    return TransactionFilter(
        start=period.start,
        end=period.end,
        direction=ask.direction.value if ask.direction else None,
        min_amount=amount.minimum if amount else None,
        max_amount=amount.maximum if amount else None,
        counterparty=ask.counterparty,
        category=ask.category,
        account_ids=tuple(account_ids),
        currency=currency,
        limit=min(ask.count, MAX_TRANSACTIONS) if ask.count else DEFAULT_LISTED,
    )


def totals_of(items: Sequence[TransactionView]) -> Tuple[CurrencyTotals, ...]:
    """Count and sums in and out by currency, like the store's totals, over ``items``."""
    sums: Dict[str, Tuple[int, Decimal, Decimal]] = {}
    for item in items:
        count, total_in, total_out = sums.get(item.currency, (0, Decimal("0.00"), Decimal("0.00")))
        if item.direction == "in":
            total_in += item.amount
        else:
            total_out += item.amount
        sums[item.currency] = (count + 1, total_in, total_out)
    return tuple(CurrencyTotals(currency, *values) for currency, values in sorted(sums.items()))


@dataclass(frozen=True)
class TransactionSummary:
    """``shown``: the lines to list, newest first; ``covered``: how many transactions the
    answer is about; ``totals``: sums over those, by currency."""

    shown: Tuple[TransactionView, ...]
    covered: int
    totals: Tuple[CurrencyTotals, ...]

    @property
    def more(self) -> int:
        """Transactions the answer covers but does not list."""
        return self.covered - len(self.shown)


def summarise(page: TransactionPage, ask: TransactionAsk) -> TransactionSummary:
    """What to list and sum from the store's page."""
    if ask.count:
        covered = page.items[: ask.count]
        return TransactionSummary(tuple(covered[:MAX_LISTED]), len(covered), totals_of(covered))
    return TransactionSummary(tuple(page.items[:DEFAULT_LISTED]), page.count, page.totals)
