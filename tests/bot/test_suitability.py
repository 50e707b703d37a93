"""The suitability gate: rules by example, then properties over generated clients, products and needs."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Optional

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.horizon import Horizon
from bot.suitability import (
    LONG_TERM_DAYS,
    PRIVATE_FUND_TIERS,
    RISK_LEVELS,
    TOLERANCES,
    Investor,
    Need,
    Reason,
    Status,
    highest_risk_for,
    holding_days,
    reasons_against,
    recommend,
    risk_rank,
    tolerance_rank,
)

TODAY = date(2026, 11, 24)
TIERS = ("金卡", "白金", "钻石", "私人银行")
TYPES = ("理财", "基金", "私募", "保险", "大额存单", "结构性存款", "定期存款")
YUAN_PER_UNIT = {"USD": Decimal("7.1971"), "HKD": Decimal("0.9247")}


@dataclass(frozen=True)
class Offer:
    code: str
    type: str
    risk: str
    term_days: Optional[int]
    min_purchase: Decimal
    currency: str = "CNY"
    on_sale: bool = True
    premier_only: bool = False


def _client(tolerance: str = "C3", tier: str = "白金", expires: date = TODAY + timedelta(days=100)) -> Investor:
    return Investor(tier, tolerance, expires)


FUND = Offer("F1", "基金", "R3", None, Decimal(10))
STOCK_FUND = Offer("F5", "基金", "R5", None, Decimal(10))


# ------------------------------------------------------------------ examples
def test_levels_map_c_to_r():
    assert [highest_risk_for(tolerance) for tolerance in TOLERANCES] == list(RISK_LEVELS)
    assert highest_risk_for("C9") is None and risk_rank("R0") is None and tolerance_rank("") is None


def test_risk_above_the_tolerance_is_refused():
    assert reasons_against(_client("C3"), FUND) == ()
    assert reasons_against(_client("C3"), STOCK_FUND) == (Reason.RISK_ABOVE_TOLERANCE,)
    assert reasons_against(_client("C5"), STOCK_FUND) == ()


def test_unknown_levels_never_pass():
    assert Reason.RISK_ABOVE_TOLERANCE in reasons_against(_client("C5"), replace(FUND, risk="R6"))
    assert Reason.RISK_ABOVE_TOLERANCE in reasons_against(_client("X"), replace(FUND, risk="R1"))


def test_off_sale_products_are_refused():
    assert reasons_against(_client(), replace(FUND, on_sale=False)) == (Reason.NOT_ON_SALE,)


def test_private_funds_only_for_private_banking_and_premier_products_for_premier_tiers():
    private = Offer("PE", "私募", "R5", None, Decimal(1_000_000), premier_only=True)
    assert reasons_against(_client("C5", "钻石"), private) == (Reason.TIER_NOT_ELIGIBLE,)
    assert reasons_against(_client("C5", "私人银行"), private) == ()
    premier = replace(FUND, premier_only=True)
    assert all(reasons_against(_client(tier=tier), premier) == () for tier in TIERS)
    assert reasons_against(_client(tier="普通"), premier) == (Reason.TIER_NOT_ELIGIBLE,)


def test_the_minimum_is_compared_with_the_stated_amount_in_one_currency():
    deposit = Offer("CD", "大额存单", "R1", 365, Decimal(200_000))
    assert Reason.BELOW_MINIMUM in reasons_against(_client(), deposit, Need(amount=Decimal(50_000)))
    assert Reason.BELOW_MINIMUM not in reasons_against(_client(), deposit, Need(amount=Decimal(200_000)))
    usd = Offer("QD", "理财", "R3", 182, Decimal(1000), "USD")
    # 5,000 yuan buys less than 1,000 dollars; 10,000 yuan more
    assert Reason.BELOW_MINIMUM in reasons_against(_client(), usd, Need(amount=Decimal(5000)), YUAN_PER_UNIT)
    assert reasons_against(_client(), usd, Need(amount=Decimal(10_000)), YUAN_PER_UNIT) == ()
    # no rate to compare with: not offered
    assert Reason.BELOW_MINIMUM in reasons_against(_client(), usd, Need(amount=Decimal(10_000)))


def test_a_stated_currency_limits_the_products_to_it():
    usd = Offer("QD", "理财", "R3", 182, Decimal(1000), "USD")
    assert reasons_against(_client(), usd, Need(amount=Decimal(100_000), currency="USD")) == ()
    assert reasons_against(_client(), FUND, Need(currency="USD")) == (Reason.OTHER_CURRENCY,)


def test_holding_periods_against_the_stated_horizon():
    three_years = Offer("CD3", "大额存单", "R1", 1095, Decimal(200_000))
    insurance = Offer("IN", "保险", "R2", None, Decimal(10_000))
    private = Offer("PE", "私募", "R5", None, Decimal(1_000_000))
    assert holding_days(FUND) == 0 and holding_days(insurance) == LONG_TERM_DAYS and holding_days(private) == 180
    one_year = Need(horizon=Horizon(365))
    assert Reason.HOLDING_TOO_LONG in reasons_against(_client(), three_years, one_year)
    assert Reason.HOLDING_TOO_LONG in reasons_against(_client(), insurance, one_year)
    assert Reason.HOLDING_TOO_LONG not in reasons_against(_client(), FUND, one_year)
    liquid = Need(horizon=Horizon(None, liquid=True))
    assert reasons_against(_client(), FUND, liquid) == ()
    assert Reason.HOLDING_TOO_LONG in reasons_against(_client(), Offer("WM", "理财", "R2", 30, Decimal(1)), liquid)


def test_types_asked_for_and_types_compared_against():
    assert reasons_against(_client(), FUND, Need(product_types=("理财",))) == (Reason.OTHER_TYPE,)
    assert reasons_against(_client(), FUND, Need(product_types=("基金",))) == ()
    assert reasons_against(_client(), FUND, Need(excluded_types=("基金",))) == (Reason.OTHER_TYPE,)


def test_an_expired_assessment_recommends_nothing_and_asks_for_reassessment():
    expired = _client("C5", expires=TODAY - timedelta(days=1))
    result = recommend(expired, [FUND], Need(), TODAY)
    assert result.status is Status.REASSESS_FIRST and result.products == ()
    assert recommend(_client("C5", expires=TODAY), [FUND], Need(), TODAY).status is Status.RECOMMENDED


def test_the_menu_spreads_over_risk_levels_highest_first():
    offers = [Offer(f"{risk}-{n}", "基金", risk, None, Decimal(10)) for risk in RISK_LEVELS for n in range(3)]
    result = recommend(_client("C3"), offers, Need(), TODAY, limit=5)
    assert [offer.risk for offer in result.products] == ["R3", "R2", "R1", "R3", "R2"]
    assert result.matching == 9 and result.highest_risk == "R3"


def test_nothing_fits_says_so():
    result = recommend(_client("C1"), [STOCK_FUND], Need(), TODAY)
    assert result.status is Status.NONE_FITS and result.excluded == {"F5": (Reason.RISK_ABOVE_TOLERANCE,)}


# ---------------------------------------------------------------- properties
amounts = st.one_of(st.none(), st.decimals(min_value=1, max_value=10**8, places=2))
offers = st.builds(
    Offer,
    code=st.text(alphabet="ABCDEFGH0123456789-", min_size=1, max_size=8),
    type=st.sampled_from(TYPES),
    risk=st.sampled_from(RISK_LEVELS + ("R0", "R6", "")),
    term_days=st.one_of(st.none(), st.integers(min_value=1, max_value=3650)),
    min_purchase=st.decimals(min_value=0, max_value=10**7, places=2),
    currency=st.sampled_from(("CNY", "USD", "HKD", "EUR")),
    on_sale=st.booleans(),
    premier_only=st.booleans(),
)
investors = st.builds(
    Investor,
    tier=st.sampled_from(TIERS + ("普通",)),
    risk_tolerance=st.sampled_from(TOLERANCES + ("C0", "")),
    risk_expires_on=st.dates(min_value=TODAY - timedelta(days=400), max_value=TODAY + timedelta(days=400)),
)
needs = st.builds(
    Need,
    amount=amounts,
    currency=st.sampled_from((None, "CNY", "USD", "HKD")),
    horizon=st.builds(Horizon, st.one_of(st.none(), st.integers(0, 4000)), st.booleans()),
    product_types=st.lists(st.sampled_from(TYPES), max_size=2).map(tuple),
)


@settings(max_examples=300, deadline=None)
@given(investor=investors, catalogue=st.lists(offers, max_size=25), need=needs)
def test_no_recommendation_ever_exceeds_the_clients_level(investor, catalogue, need):
    result = recommend(investor, catalogue, need, TODAY, YUAN_PER_UNIT)
    allowed = tolerance_rank(investor.risk_tolerance)
    for offer in result.products:
        assert allowed is not None and risk_rank(offer.risk) is not None
        assert risk_rank(offer.risk) <= allowed
        assert offer.on_sale
        if offer.type == "私募":
            assert investor.tier in PRIVATE_FUND_TIERS
        if need.amount is not None and (need.currency or "CNY") == offer.currency:
            assert offer.min_purchase <= need.amount
        if need.horizon.max_days is not None:
            assert holding_days(offer) <= need.horizon.max_days
    if investor.assessment_expired(TODAY):
        assert result.status is Status.REASSESS_FIRST and result.products == ()


@settings(max_examples=200, deadline=None)
@given(investor=investors, catalogue=st.lists(offers, max_size=25), need=needs)
def test_every_product_is_either_recommendable_or_excluded_with_a_reason(investor, catalogue, need):
    result = recommend(investor, catalogue, need, TODAY, YUAN_PER_UNIT, limit=len(catalogue))
    if result.status is Status.REASSESS_FIRST:
        return
    shown = {id(offer) for offer in result.products}
    for offer in catalogue:
        reasons = reasons_against(investor, offer, need, YUAN_PER_UNIT)
        assert (id(offer) in shown) == (not reasons)
