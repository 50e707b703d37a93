"""The desk's suitability check gives the recommendation action's verdict, with the reason in Chinese."""
from __future__ import annotations

from dataclasses import replace

import pytest

from bot.advisor import suitability_check
from bot.advisor.suitability_check import verdict_for
from bot.profile.queries import client_summary, product
from bot.suitability import Investor, is_suitable
from tests.bot.advisor.conftest import TODAY


def test_a_product_within_the_tolerance_is_suitable_and_says_why(session):
    verdict = suitability_check(session, "C000001", "稳享365天", TODAY)  # C3, 金卡; R2
    assert verdict.suitable and verdict.risk_level == "R2" and verdict.product_code == "WM-WX365"
    assert verdict.reasons == ("稳享365天的风险等级为R2，不高于客户的风险承受能力C3（可购买至R3），金卡客户可以购买，且在售。",)


def test_a_riskier_product_is_refused_with_the_highest_level_allowed(session):
    verdict = suitability_check(session, "C000001", "沪深300指数增强", TODAY)
    assert not verdict.suitable
    assert verdict.reasons == ("沪深300指数增强的风险等级为R4，高于客户的风险承受能力C3（最高可购买R3）。",)


def test_a_private_fund_needs_private_banking_as_well_as_the_risk(session):
    refused = suitability_check(session, "C000001", "量化私募", TODAY)  # an alias
    assert len(refused.reasons) == 2
    assert "R5" in refused.reasons[0] and refused.reasons[1] == "量化精选私募仅限私人银行客户购买，该客户为金卡客户。"
    allowed = suitability_check(session, "C000007", "PE-LHJX", TODAY)  # 私人银行, C5; by code
    assert allowed.suitable and allowed.product == "量化精选私募"


def test_a_product_not_on_sale(session):
    verdict = suitability_check(session, "C000001", "鑫享两年", TODAY)
    assert not verdict.suitable and verdict.reasons == ("鑫享两年目前不在售。",)


def test_an_expired_assessment_refuses_even_the_safest_product_and_comes_first(session):
    verdict = suitability_check(session, "C000002", "天天利", TODAY)  # assessment expired 2026-05-06
    assert not verdict.suitable and verdict.assessment_expired
    assert verdict.reasons == ("客户的风险承受能力评估已于2026-05-06到期，须先重新评估，期间不能销售任何理财产品。",)
    riskier = suitability_check(session, "C000002", "纯债优选", TODAY)  # C2 may hold R2, but not now
    assert riskier.reasons[0].startswith("客户的风险承受能力评估") and len(riskier.reasons) == 1


def test_names_in_traditional_and_near_misses_find_the_product(session):
    assert suitability_check(session, "C000001", "穩享365天", TODAY).product_code == "WM-WX365"
    assert suitability_check(session, "C000001", "wm-jjh", TODAY).product_code == "WM-JJH"
    assert suitability_check(session, "C000001", "臻盈180天理财", TODAY).product_code == "WM-ZY180"


def test_unknown_product_or_client_gives_none(session):
    assert suitability_check(session, "C000001", "不存在的产品", TODAY) is None
    assert suitability_check(session, "C999999", "天天利", TODAY) is None


@pytest.mark.parametrize("client_id", ["C000001", "C000002", "C000004", "C000006", "C000007"])
def test_the_verdict_agrees_with_the_recommendation_gate(session, client_id):
    """The desk never calls a product suitable that the recommendation action would not offer."""
    client = client_summary(session, client_id)
    investor = Investor(client.tier, client.risk_tolerance, client.risk_expires_on)
    for code in ("WM-TTL", "FD-CZYX", "FD-USDB", "FD-HS300", "FD-KJCX", "PE-LHJX", "WM-XX2Y", "IN-ZXSX"):
        item = product(session, code)
        verdict = verdict_for(client, item, TODAY)
        expected = is_suitable(investor, item) and not investor.assessment_expired(TODAY)
        assert verdict.suitable is expected, (client_id, code)
        assert verdict.reasons


def test_a_tier_restricted_product_for_a_tier_outside_it(session):
    client = replace(client_summary(session, "C000001"), tier="普通")
    verdict = verdict_for(client, product(session, "IN-ZXSX"), TODAY)  # 贵宾专属
    assert not verdict.suitable and verdict.reasons == ("尊享终身寿险仅限金卡、白金、钻石、私人银行客户购买，该客户为普通客户。",)
