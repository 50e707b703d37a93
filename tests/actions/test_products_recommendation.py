"""Recommendations: only what the suitability gate lets through, for every client of the demo bank."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any, Dict, List, Mapping

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from actions.follow_up import ActionFollowUp
from actions.products import ActionProductRecommendation
from bot import clock
from bot.horizon import Horizon
from bot.profile.models import Client
from bot.profile.queries import client_summary, fx_rates, products
from bot.profile.seed import DEMO_TODAY
from bot.suitability import Investor, Need, Status, holding_days, recommend, risk_rank, tolerance_rank
from tests.actions.conftest import run_action, verified_tracker
from tests.actions.test_products import DISCLOSURE, DISCLOSURE_HANT, read

TYPES = ("理财", "基金", "私募", "保险", "大额存单", "结构性存款", "定期存款")


@pytest.fixture(autouse=True)
def demo_day(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bank's day is the demo bank's day, whatever the calendar says."""
    monkeypatch.setattr(clock, "bank_today", lambda now=None: DEMO_TODAY)


@pytest.fixture(scope="module")
def catalogue(profile_url):
    from bot.profile.database import make_engine, make_session_factory

    engine = make_engine(profile_url)
    with make_session_factory(engine)() as opened:
        found = {item.name: item for item in products(opened)}
    engine.dispose()
    return found


def recommend_for(domain, client_id, text="推荐点产品", entities=None, slots=None):
    tracker = verified_tracker(client_id, text, "product_recommendation", entities=entities, slots=slots)
    messages, events = run_action(ActionProductRecommendation(), tracker, domain)
    return messages, events, read(messages, domain, tracker.current_slot_values())


def recommended(messages: List[Dict[str, Any]], catalogue: Mapping[str, Any]) -> List[Any]:
    """The products offered: the buttons of the recommendation list."""
    lists = [message for message in messages if message["response"] == "utter_reco_list"]
    return [catalogue[button["payload"].split('"product": "')[1].split('"')[0]]
            for message in lists for button in message["buttons"]]


def test_an_unverified_user_is_told_how_to_verify(domain):
    tracker = verified_tracker(None, "推荐点产品", "product_recommendation")
    messages, _ = run_action(ActionProductRecommendation(), tracker, domain)
    assert [message["response"] for message in messages] == ["utter_verify_first"]


def test_a_conservative_client_gets_only_r1_products(domain, session, catalogue):
    messages, _, (reply,) = recommend_for(domain, "C000006")
    offered = recommended(messages, catalogue)
    assert offered and all(item.risk == "R1" for item in offered)
    assert "C1（保守型" in reply and "R1及以下" in reply and reply.endswith(DISCLOSURE)
    expected = [item for item in products(session, on_sale=True, max_risk="R1")]
    assert f"共{len(expected)}款" in reply or f"以下{len(expected)}款" in reply


def test_an_expired_assessment_asks_for_reassessment_and_recommends_nothing(domain, session):
    messages, _, (reply,) = recommend_for(domain, "C000002")
    summary = client_summary(session, "C000002")
    assert [message["response"] for message in messages] == ["utter_reco_reassess"]
    assert summary.risk_expires_on.isoformat() in reply and "重新完成风险评估" in reply
    assert summary.rm.name in reply
    assert not any(message.get("buttons") for message in messages)


def test_the_stated_amount_caps_the_minimum(domain, catalogue):
    messages, _, (reply,) = recommend_for(domain, "C000001", "我有5万闲钱买什么好",
                                          [{"entity": "amount", "value": "50000"}])
    offered = recommended(messages, catalogue)
    assert offered
    rates = {"CNY": Decimal(1), "USD": Decimal("7.1971")}
    assert all(item.min_purchase * rates[item.currency] <= 50_000 for item in offered)
    assert "起购金额不超过50,000.00 元" in reply


def test_the_stated_horizon_caps_the_holding_period(domain, catalogue):
    messages, _, (reply,) = recommend_for(domain, "C000005", "一年以内可能要用，推荐点稳一点的")
    offered = recommended(messages, catalogue)
    assert offered and all(holding_days(item) <= 365 for item in offered)
    assert all(item.type != "保险" for item in offered)
    assert "365天以内" in reply


def test_a_stated_type_limits_the_list(domain, catalogue):
    messages, _, _ = recommend_for(domain, "C000001", "推荐个基金", [{"entity": "product_type", "value": "基金"}])
    assert {item.type for item in recommended(messages, catalogue)} == {"基金"}


def test_a_type_compared_against_is_left_out(domain, catalogue):
    text = "有什么比定期存款收益高的"
    start = text.index("定期存款")
    entities = [{"entity": "product_type", "value": "定期存款", "start": start, "end": start + 4}]
    messages, _, _ = recommend_for(domain, "C000006", text, entities)
    offered = recommended(messages, catalogue)
    assert offered and all(item.type != "定期存款" for item in offered)


def test_asking_for_a_product_above_the_level_explains_why_it_is_not_offered(domain, catalogue):
    messages, _, replies = recommend_for(domain, "C000001", "我想买科技创新股票",
                                         [{"entity": "product", "value": "科技创新股票"}])
    assert messages[0]["response"] == "utter_reco_above_tolerance_product"
    assert "科技创新股票风险等级为R5（高风险）" in replies[0] and "C3（平衡型）" in replies[0]
    assert all(risk_rank(item.risk) <= 3 for item in recommended(messages, catalogue))


def test_asking_for_high_risk_in_words_explains_why_not(domain, catalogue):
    messages, _, replies = recommend_for(domain, "C000006", "我想博一博，推荐点高风险的股票型基金")
    assert messages[0]["response"] == "utter_reco_above_tolerance_words"
    assert "R5（高风险）" in replies[0] and "C1（保守型）" in replies[0]
    assert all(item.risk == "R1" for item in recommended(messages, catalogue))


def test_a_high_risk_request_within_the_level_gets_no_refusal(domain):
    messages, _, _ = recommend_for(domain, "C000007", "推荐点高风险的")
    assert [message["response"] for message in messages] == ["utter_reco_list"]


def test_a_private_fund_only_for_private_banking(domain, session, catalogue):
    other = session.scalars(select(Client.id).where(Client.risk_tolerance == "C5", Client.tier != "私人银行",
                                                    Client.risk_expires_on >= DEMO_TODAY).order_by(Client.id)).first()
    entities = [{"entity": "product", "value": "量化精选私募"}]
    messages, _, replies = recommend_for(domain, other, "量化私募能买吗", entities)
    assert messages[0]["response"] == "utter_reco_product_tier"
    assert "量化精选私募" not in [item.name for item in recommended(messages, catalogue)]
    private_banking, _, _ = recommend_for(domain, "C000007", "量化私募能买吗", entities)
    assert private_banking[0]["response"] == "utter_reco_list"
    assert "量化精选私募" in [item.name for item in recommended(private_banking, catalogue)]


def test_follow_up_with_another_amount(domain, catalogue):
    remembered = {"action": "action_product_recommendation", "entities": {"amount": ["50000"]}}
    tracker = verified_tracker("C000001", "那20万呢", "inform", entities=[{"entity": "amount", "value": "200000"}],
                               slots={"last_query": remembered})
    messages, events = run_action(ActionFollowUp(), tracker, domain)
    (reply,) = read(messages, domain, tracker.current_slot_values())
    assert "起购金额不超过200,000.00 元" in reply
    assert "一年期大额存单" in [item.name for item in recommended(messages, catalogue)]
    assert events[-1]["value"]["entities"] == {"amount": ["200000"]}


def test_follow_up_with_another_amount_keeps_the_stated_horizon(domain, catalogue):
    """我有10万，一年以内要用 → 那5万呢: still nothing held longer than a year."""
    _, events, _ = recommend_for(domain, "C000005", "我有10万，一年以内要用，推荐点稳一点的",
                                 [{"entity": "amount", "value": "100000"}])
    tracker = verified_tracker("C000005", "那5万呢", "inform", entities=[{"entity": "amount", "value": "50000"}],
                               slots={"last_query": events[-1]["value"]})
    messages, _ = run_action(ActionFollowUp(), tracker, domain)
    (reply,) = read(messages, domain, tracker.current_slot_values())
    offered = recommended(messages, catalogue)
    assert offered and all(holding_days(item) <= 365 and item.min_purchase <= 50_000 for item in offered)
    assert "365天以内" in reply and "起购金额不超过50,000.00 元" in reply


def test_a_follow_up_stating_a_new_horizon_replaces_the_old_one(domain, catalogue):
    _, events, _ = recommend_for(domain, "C000005", "一年以内要用")
    tracker = verified_tracker("C000005", "那三个月内要用呢", "inform", slots={"last_query": events[-1]["value"]})
    messages, _ = run_action(ActionFollowUp(), tracker, domain)
    (reply,) = read(messages, domain, tracker.current_slot_values())
    assert all(holding_days(item) <= 92 for item in recommended(messages, catalogue))
    assert "92天以内" in reply and "365天以内" not in reply


def test_a_traditional_client_reads_traditional(domain):
    _, _, (reply,) = recommend_for(domain, "C000003", "推薦點產品", slots={"script": "traditional"})
    assert "風險評估結果C4（成長型" in reply and reply.endswith(DISCLOSURE_HANT)


# ---------------------------------------------------------------- properties
def test_no_recommendation_exceeds_the_level_for_any_client_of_the_bank(session):
    """Every client of the seeded store × the whole catalogue, on a day their assessment is valid."""
    catalogue = products(session)
    yuan = {rate.base_currency: rate.spot_sell / rate.unit for rate in fx_rates(session)}
    clients = session.scalars(select(Client)).all()
    assert len(clients) >= 300
    for client in clients:
        investor = Investor(client.tier, client.risk_tolerance, client.risk_expires_on)
        result = recommend(investor, catalogue, Need(), client.risk_assessed_on, yuan, limit=len(catalogue))
        assert result.status is Status.RECOMMENDED
        assert all(risk_rank(item.risk) <= tolerance_rank(client.risk_tolerance) for item in result.products)
        expired = recommend(investor, catalogue, Need(), client.risk_expires_on + timedelta(days=1), yuan)
        assert expired.products == ()


needs = st.builds(
    Need,
    amount=st.one_of(st.none(), st.decimals(min_value=1, max_value=10**7, places=0)),
    currency=st.sampled_from((None, "CNY", "USD")),
    horizon=st.builds(Horizon, st.one_of(st.none(), st.integers(0, 4000)), st.booleans()),
    product_types=st.lists(st.sampled_from(TYPES), max_size=2).map(tuple),
)


@pytest.fixture(scope="module")
def bank(profile_url):
    """The seeded catalogue, selling rates and every client's (investor, assessment day), read once."""
    from bot.profile.database import make_engine, make_session_factory

    engine = make_engine(profile_url)
    with make_session_factory(engine)() as opened:
        catalogue = products(opened)
        yuan = {rate.base_currency: rate.spot_sell / rate.unit for rate in fx_rates(opened)}
        clients = [(Investor(row.tier, row.risk_tolerance, row.risk_expires_on), row.risk_assessed_on)
                   for row in opened.scalars(select(Client))]
    engine.dispose()
    return catalogue, yuan, clients


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(need=needs)
def test_no_stated_need_makes_a_recommendation_exceed_the_level(bank, need):
    catalogue, yuan, clients = bank
    for investor, valid_on in clients:
        result = recommend(investor, catalogue, need, valid_on, yuan, limit=len(catalogue))
        assert all(risk_rank(item.risk) <= tolerance_rank(investor.risk_tolerance) for item in result.products)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(index=st.integers(min_value=1, max_value=320),
       text=st.sampled_from(["推荐点产品", "推荐点高风险的", "想买股票型基金", "R5的有吗", "随时能取的", "三年以上的"]))
def test_the_action_never_offers_a_product_above_the_clients_level(domain, session, catalogue, index, text):
    client_id = f"C{index:06d}"
    summary = client_summary(session, client_id)
    messages, _, _ = recommend_for(domain, client_id, text)
    offered = recommended(messages, catalogue)
    if summary.risk_assessment_expired(DEMO_TODAY):
        assert offered == []
    assert all(risk_rank(item.risk) <= summary.risk_rank for item in offered)
