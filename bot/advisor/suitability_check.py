"""The desk's suitability check: may this product be sold to this client, and why (适当性).

The rules are the recommendation action's (:mod:`bot.suitability`): the risk
assessment must not have expired, the product's risk R1–R5 must be at most
the client's tolerance C1–C5, private funds only for 私人银行 and other
贵宾专属 products only for the premier tiers, and the product must be on sale.
The client's stated amount and horizon do not enter: this is suitability
alone. Every verdict carries at least one reason, in Chinese, from
``kb/desk_replies.yml`` (``suitability:``).

The caller has checked that the principal may read this client.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Dict, List, Optional, Tuple

from sqlalchemy.orm import Session

from bot.advisor.replies import DeskReplyTexts, load_desk_reply_texts
from bot.catalogue import RESOLVE_SCORE, closest, find_exact
from bot.profile.queries import ClientSummary, ProductView, client_summary, products
from bot.suitability import Investor, Reason, highest_risk_for, reasons_against, tiers_allowed

__all__ = ["SuitabilityVerdict", "find_product", "suitability_check", "verdict_for"]


@dataclass(frozen=True)
class SuitabilityVerdict:
    """Whether ``product`` may be sold to the client, with the reasons the advisor reads."""

    product: str  # the catalogue name
    product_code: str
    risk_level: str  # R1–R5
    risk_tolerance: str  # the client's C1–C5
    suitable: bool
    reasons: Tuple[str, ...]  # Chinese, at least one; the refusals first when not suitable
    assessment_expired: bool

    def to_json(self) -> Dict[str, Any]:
        return {
            "product": self.product,
            "product_code": self.product_code,
            "risk_level": self.risk_level,
            "risk_tolerance": self.risk_tolerance,
            "suitable": self.suitable,
            "reasons": list(self.reasons),
            "assessment_expired": self.assessment_expired,
        }


def find_product(catalogue: Tuple[ProductView, ...], name_or_code: str) -> Optional[ProductView]:
    """The product meant by a code, name or alias (any script), else the one clearly closest name."""
    exact = find_exact(catalogue, name_or_code)
    if exact is not None:
        return exact
    matches = closest(catalogue, name_or_code, limit=2, cutoff=RESOLVE_SCORE)
    if len(matches) == 1 or (len(matches) > 1 and matches[0].score - matches[1].score >= 0.1):
        return matches[0].product
    return None


def verdict_for(client: ClientSummary, product: ProductView, today: date,
                texts: Optional[DeskReplyTexts] = None) -> SuitabilityVerdict:
    """The verdict on ``product`` for ``client`` on ``today`` (pure: no database)."""
    texts = texts or load_desk_reply_texts()
    investor = Investor(client.tier, client.risk_tolerance, client.risk_expires_on)
    expired = investor.assessment_expired(today)
    values = {
        "product": product.name,
        "risk": product.risk,
        "tolerance": client.risk_tolerance,
        "highest": highest_risk_for(client.risk_tolerance) or "",
        "tier": client.tier,
        "tiers": "、".join(tiers_allowed(product) or ()),
        "expired_on": client.risk_expires_on.isoformat(),
    }
    reasons: List[str] = []
    if expired:
        reasons.append(texts.suitability_text("assessment_expired", **values))
    against = reasons_against(investor, product)
    for reason in (Reason.RISK_ABOVE_TOLERANCE, Reason.TIER_NOT_ELIGIBLE, Reason.NOT_ON_SALE):
        if reason in against:
            reasons.append(texts.suitability_text(reason.value, **values))
    suitable = not reasons
    if suitable:
        reasons.append(texts.suitability_text("suitable", **values))
    return SuitabilityVerdict(product.name, product.code, product.risk, client.risk_tolerance, suitable,
                              tuple(reasons), expired)


def suitability_check(session: Session, client_id: str, product_name_or_code: str, today: date,
                      texts: Optional[DeskReplyTexts] = None) -> Optional[SuitabilityVerdict]:
    """The verdict on the product named for the client on ``today``; None when there is no such
    client or no product of that name."""
    client = client_summary(session, client_id)
    if client is None:
        return None
    product = find_product(products(session), product_name_or_code)
    if product is None:
        return None
    return verdict_for(client, product, today, texts)
