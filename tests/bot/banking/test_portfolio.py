"""Profit and loss, return, annualised return, maturities within 30 days."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from bot.banking.portfolio import ANNUALISE_AFTER_DAYS, portfolio_summary
from bot.profile.queries import HoldingView, fx_rates, holdings_of

ON = date(2026, 11, 24)


def _holding(code: str, cost: str, value: str, started: date, matures: date | None = None,
             product_type: str = "理财", currency: str = "CNY") -> HoldingView:
    return HoldingView(1, code, code, product_type, "R2", currency, Decimal(1), Decimal(cost), Decimal(value),
                       started, matures)


def test_return_and_annualised_return():
    held = _holding("A", "100000", "103000", ON - timedelta(days=365))
    (line,) = portfolio_summary([held], ON).lines
    assert (line.pnl, line.return_rate, line.annualised) == (Decimal("3000"), Decimal("0.0300"), Decimal("0.0300"))


def test_no_annualised_return_for_a_short_holding():
    held = _holding("A", "100000", "100100", ON - timedelta(days=ANNUALISE_AFTER_DAYS - 1))
    assert portfolio_summary([held], ON).lines[0].annualised is None


def test_maturities_within_30_days_soonest_first():
    holdings = [
        _holding("late", "1", "1", ON - timedelta(days=10), ON + timedelta(days=31)),
        _holding("soon", "1", "1", ON - timedelta(days=10), ON + timedelta(days=30)),
        _holding("today", "1", "1", ON - timedelta(days=10), ON),
        _holding("past", "1", "1", ON - timedelta(days=10), ON - timedelta(days=1)),
        _holding("open", "1", "1", ON - timedelta(days=10)),
    ]
    maturing = portfolio_summary(holdings, ON).maturing
    assert [(line.holding.product_code, line.days_to_maturity) for line in maturing] == [("today", 0), ("soon", 30)]


def test_a_type_the_client_does_not_hold_shows_everything():
    holdings = [_holding("A", "1", "2", ON, product_type="基金"), _holding("B", "1", "2", ON)]
    assert [line.holding.product_code for line in portfolio_summary(holdings, ON, product_types=["基金"]).lines] == ["A"]
    summary = portfolio_summary(holdings, ON, product_types=["保险"])
    assert not summary.matched and len(summary.lines) == 2


def test_totals_per_currency_and_as_yuan_for_the_demo_client(bank):
    holdings = holdings_of(bank, "C000004")  # yuan and a USD QDII
    rates = fx_rates(bank)
    summary = portfolio_summary(holdings, ON, rates)
    by_currency = {total.currency: total for total in summary.totals}
    assert set(by_currency) == {"CNY", "USD"}
    assert by_currency["CNY"].market_value == sum(h.market_value for h in holdings if h.currency == "CNY")
    assert by_currency["CNY"].pnl == sum(h.market_value - h.cost for h in holdings if h.currency == "CNY")
    usd = next(rate for rate in rates if rate.base_currency == "USD")
    assert summary.value_cny.total == by_currency["CNY"].market_value + (
        by_currency["USD"].market_value * usd.spot_buy / usd.unit).quantize(Decimal("0.01"))
    # the demo client's holdings maturing in 7 and 20 days (bot/profile/seed.py)
    assert {line.days_to_maturity for line in summary.maturing} >= {7, 20}
