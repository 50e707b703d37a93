"""The store's filter for an ask, the capped list and the totals."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from bot.banking.transaction_request import AmountRange, Direction, PeriodSource, TransactionAsk, choose_period
from bot.banking.transactions import DEFAULT_LISTED, MAX_LISTED, summarise, totals_of, transaction_filter
from bot.profile.queries import CurrencyTotals, TransactionFilter, TransactionPage, TransactionView, transactions_of


def _item(number: int, amount: str, direction: str = "out", currency: str = "CNY") -> TransactionView:
    return TransactionView(number, "A1", "储蓄卡", "1234", datetime(2026, 11, 1, tzinfo=timezone.utc),
                           Decimal(amount), currency, direction, "美团外卖", "微信支付", "餐饮消费", "餐饮")


def test_the_filter_says_what_was_asked():
    ask = TransactionAsk(direction=Direction.OUT, amount=AmountRange(Decimal(5000), None), counterparty="美团",
                         category="餐饮")
    period = choose_period([], None, date(2026, 11, 24))
    wanted = transaction_filter(ask, period, ("A1",), "CNY")
    assert wanted == TransactionFilter(start=period.start, end=period.end, direction="out",
                                       min_amount=Decimal(5000), counterparty="美团", category="餐饮",
                                       account_ids=("A1",), currency="CNY", limit=DEFAULT_LISTED)


def test_a_count_fetches_that_many():
    period = choose_period([], 50, date(2026, 11, 24))
    assert period.source is PeriodSource.ANY
    assert transaction_filter(TransactionAsk(count=50), period).limit == 50


def test_totals_of_items_by_currency():
    items = [_item(1, "10.50"), _item(2, "100", "in"), _item(3, "5", currency="USD")]
    assert totals_of(items) == (CurrencyTotals("CNY", 2, Decimal("100"), Decimal("10.50")),
                                CurrencyTotals("USD", 1, Decimal("0.00"), Decimal("5")))


def test_without_a_count_ten_are_listed_and_the_totals_cover_every_match():
    items = tuple(_item(n, "1") for n in range(DEFAULT_LISTED))
    store_totals = (CurrencyTotals("CNY", 25, Decimal("0"), Decimal("25")),)
    summary = summarise(TransactionPage(items, 25, store_totals), TransactionAsk())
    assert (len(summary.shown), summary.covered, summary.more, summary.totals) == (10, 25, 15, store_totals)


def test_with_a_count_the_list_is_capped_and_the_totals_cover_the_count():
    items = tuple(_item(n, "2") for n in range(50))
    summary = summarise(TransactionPage(items, 300, ()), TransactionAsk(count=50))
    assert (len(summary.shown), summary.covered, summary.more) == (MAX_LISTED, 50, 30)
    assert summary.totals == (CurrencyTotals("CNY", 50, Decimal("0.00"), Decimal("100")),)


def test_summary_matches_the_store(bank):
    period = choose_period([], None, date(2026, 11, 24))
    ask = TransactionAsk(direction=Direction.OUT)
    page = transactions_of(bank, "C000001", transaction_filter(ask, period))
    summary = summarise(page, ask)
    everything = transactions_of(bank, "C000001", TransactionFilter(start=period.start, end=period.end,
                                                                     direction="out", limit=200))
    assert summary.covered == len(everything.items)
    assert summary.totals[0].total_out == sum(item.amount for item in everything.items if item.currency == "CNY")
    assert summary.shown == everything.items[:DEFAULT_LISTED]
