"""The suitability gate (适当性): which products may be recommended to a client.

Pure, typed rules; deny by default. A product may be recommended only when

- the client's risk assessment has not expired (otherwise: re-assess first,
  nothing is recommended);
- its risk R1–R5 is at most the client's tolerance C1–C5 (C3 → up to R3);
- it is on sale;
- the client's tier may buy it: private funds (私募) only 私人银行 (qualified
  investors), other 贵宾专属 (``premier_only``) products the premier tiers;
- its minimum purchase is at most the amount the client stated (converted at
  the bank's selling rate when the currencies differ);
- its holding period fits the time the client stated (:mod:`bot.horizon`);
- it is of the type and currency the client asked for, if they said one.

Unknown risk levels, tolerances or tiers never pass.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Dict, List, Mapping, Optional, Protocol, Sequence, Tuple

from bot.horizon import Horizon
from bot.money import HOME_CURRENCY

__all__ = [
    "RISK_LEVELS",
    "TOLERANCES",
    "PREMIER_TIERS",
    "PRIVATE_FUND_TIERS",
    "LONG_TERM_DAYS",
    "ProductFacts",
    "Investor",
    "Need",
    "Reason",
    "Status",
    "Recommendation",
    "risk_rank",
    "tolerance_rank",
    "highest_risk_for",
    "holding_days",
    "tiers_allowed",
    "reasons_against",
    "is_suitable",
    "recommend",
]

RISK_LEVELS = ("R1", "R2", "R3", "R4", "R5")
TOLERANCES = ("C1", "C2", "C3", "C4", "C5")
PREMIER_TIERS = ("金卡", "白金", "钻石", "私人银行")
PRIVATE_FUND_TIERS = ("私人银行",)
PRIVATE_FUND_TYPE = "私募"
INSURANCE_TYPE = "保险"
LONG_TERM_DAYS = 1825  # insurance: a commitment of years (surrender loses money)
PRIVATE_FUND_LOCK_DAYS = 180  # private funds: a six-month lock-up


class ProductFacts(Protocol):
    """What the gate reads of a product (``bot.profile.queries.ProductView`` has it)."""

    @property
    def code(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def risk(self) -> str: ...
    @property
    def term_days(self) -> Optional[int]: ...
    @property
    def min_purchase(self) -> Decimal: ...
    @property
    def currency(self) -> str: ...
    @property
    def on_sale(self) -> bool: ...
    @property
    def premier_only(self) -> bool: ...


@dataclass(frozen=True)
class Investor:
    tier: str
    risk_tolerance: str  # C1–C5
    risk_expires_on: date

    def assessment_expired(self, on: date) -> bool:
        return on > self.risk_expires_on


@dataclass(frozen=True)
class Need:
    """What the client said: an amount (in ``currency``, yuan when None), a horizon, product types."""

    amount: Optional[Decimal] = None
    currency: Optional[str] = None  # also limits the products to this currency
    horizon: Horizon = Horizon()
    product_types: Tuple[str, ...] = ()
    excluded_types: Tuple[str, ...] = ()  # 比定期存款收益高的: not 定期存款


class Reason(str, Enum):
    """Why a product is not recommended; the first ones are suitability, the rest fit."""

    RISK_ABOVE_TOLERANCE = "risk_above_tolerance"
    TIER_NOT_ELIGIBLE = "tier_not_eligible"
    NOT_ON_SALE = "not_on_sale"
    BELOW_MINIMUM = "below_minimum"
    HOLDING_TOO_LONG = "holding_too_long"
    OTHER_CURRENCY = "other_currency"
    OTHER_TYPE = "other_type"


class Status(str, Enum):
    RECOMMENDED = "recommended"
    REASSESS_FIRST = "reassess_first"  # expired risk assessment: nothing is recommended
    NONE_FITS = "none_fits"


@dataclass(frozen=True)
class Recommendation:
    status: Status
    products: Tuple[ProductFacts, ...] = ()  # at most the limit, in the order to show
    matching: int = 0  # every product that passed
    highest_risk: Optional[str] = None  # the highest risk level the client may buy
    excluded: Dict[str, Tuple[Reason, ...]] = field(default_factory=dict)  # code → why not


def _rank(level: str, levels: Sequence[str]) -> Optional[int]:
    return levels.index(level) + 1 if level in levels else None


def risk_rank(risk: str) -> Optional[int]:
    """R1 → 1 … R5 → 5; None for anything else."""
    return _rank(risk, RISK_LEVELS)


def tolerance_rank(tolerance: str) -> Optional[int]:
    """C1 → 1 … C5 → 5; None for anything else."""
    return _rank(tolerance, TOLERANCES)


def highest_risk_for(tolerance: str) -> Optional[str]:
    """The highest product risk a tolerance allows: C3 → R3; None for an unknown tolerance."""
    rank = tolerance_rank(tolerance)
    return RISK_LEVELS[rank - 1] if rank else None


def holding_days(product: ProductFacts) -> int:
    """How long money stays in the product: its term; 0 when redeemable any working day."""
    if product.term_days is not None:
        return product.term_days
    if product.type == INSURANCE_TYPE:
        return LONG_TERM_DAYS
    if product.type == PRIVATE_FUND_TYPE:
        return PRIVATE_FUND_LOCK_DAYS
    return 0


def tiers_allowed(product: ProductFacts) -> Optional[Tuple[str, ...]]:
    """The tiers that may buy the product; None: anyone."""
    if product.type == PRIVATE_FUND_TYPE:
        return PRIVATE_FUND_TIERS
    if product.premier_only:
        return PREMIER_TIERS
    return None


def _in_yuan(amount: Decimal, currency: str, yuan_per_unit: Mapping[str, Decimal]) -> Optional[Decimal]:
    if currency == HOME_CURRENCY:
        return amount
    rate = yuan_per_unit.get(currency)
    return amount * rate if rate else None


def _affordable(product: ProductFacts, need: Need, yuan_per_unit: Mapping[str, Decimal]) -> bool:
    if need.amount is None:
        return True
    stated_currency = need.currency or HOME_CURRENCY
    if stated_currency == product.currency:
        return product.min_purchase <= need.amount
    stated = _in_yuan(need.amount, stated_currency, yuan_per_unit)
    minimum = _in_yuan(product.min_purchase, product.currency, yuan_per_unit)
    return stated is not None and minimum is not None and minimum <= stated


def _fits_horizon(product: ProductFacts, horizon: Horizon) -> bool:
    days = holding_days(product)
    if horizon.liquid and days > 0:
        return False
    return horizon.max_days is None or days <= horizon.max_days


def reasons_against(
    investor: Investor,
    product: ProductFacts,
    need: Need = Need(),
    yuan_per_unit: Optional[Mapping[str, Decimal]] = None,
) -> Tuple[Reason, ...]:
    """Every reason not to recommend ``product`` to ``investor`` for ``need``; empty: it may be.

    ``yuan_per_unit``: what one unit of a foreign currency costs in yuan (the bank's
    selling rate), to compare a stated amount with a minimum in another currency.
    """
    reasons: List[Reason] = []
    allowed_rank = tolerance_rank(investor.risk_tolerance)
    rank = risk_rank(product.risk)
    if allowed_rank is None or rank is None or rank > allowed_rank:
        reasons.append(Reason.RISK_ABOVE_TOLERANCE)
    tiers = tiers_allowed(product)
    if tiers is not None and investor.tier not in tiers:
        reasons.append(Reason.TIER_NOT_ELIGIBLE)
    if not product.on_sale:
        reasons.append(Reason.NOT_ON_SALE)
    if not _affordable(product, need, yuan_per_unit or {}):
        reasons.append(Reason.BELOW_MINIMUM)
    if not _fits_horizon(product, need.horizon):
        reasons.append(Reason.HOLDING_TOO_LONG)
    if need.currency and product.currency != need.currency:
        reasons.append(Reason.OTHER_CURRENCY)
    if (need.product_types and product.type not in need.product_types) or product.type in need.excluded_types:
        reasons.append(Reason.OTHER_TYPE)
    return tuple(reasons)


def is_suitable(investor: Investor, product: ProductFacts) -> bool:
    """Suitability alone (risk, tier, on sale), whatever the client's stated need."""
    return not reasons_against(investor, product)


def _spread_over_risk_levels(products: Sequence[ProductFacts]) -> List[ProductFacts]:
    """Highest risk level first, one product per level in turn: a menu, not a single bet."""
    by_level: Dict[int, List[ProductFacts]] = {}
    for product in sorted(products, key=lambda item: item.code):
        by_level.setdefault(risk_rank(product.risk) or 0, []).append(product)
    levels = sorted(by_level, reverse=True)
    ordered: List[ProductFacts] = []
    while any(by_level[level] for level in levels):
        for level in levels:
            if by_level[level]:
                ordered.append(by_level[level].pop(0))
    return ordered


def recommend(
    investor: Investor,
    products: Sequence[ProductFacts],
    need: Need,
    on: date,
    yuan_per_unit: Optional[Mapping[str, Decimal]] = None,
    limit: int = 5,
) -> Recommendation:
    """The products to recommend, at most ``limit``; none while the risk assessment has expired."""
    highest = highest_risk_for(investor.risk_tolerance)
    if investor.assessment_expired(on):
        return Recommendation(Status.REASSESS_FIRST, highest_risk=highest)
    excluded: Dict[str, Tuple[Reason, ...]] = {}
    passing: List[ProductFacts] = []
    for product in products:
        reasons = reasons_against(investor, product, need, yuan_per_unit)
        if reasons:
            excluded[product.code] = reasons
        else:
            passing.append(product)
    if not passing:
        return Recommendation(Status.NONE_FITS, highest_risk=highest, excluded=excluded)
    shown = tuple(_spread_over_risk_levels(passing)[:max(limit, 0)])
    return Recommendation(Status.RECOMMENDED, shown, len(passing), highest, excluded)
