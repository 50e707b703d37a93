"""check_portfolio: holdings with market value, profit and loss, return, and maturities within 30 days."""
from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional

import pytest
from sqlalchemy import delete, insert, select

from actions.follow_up import ActionFollowUp
from actions.portfolio import ActionCheckPortfolio
from bot.banking.formatting import percent, signed_money
from bot.money import format_money
from bot.profile.models import Holding
from bot.profile.queries import holdings_of
from bot.profile.seed import DEMO_TODAY
from tests.actions.conftest import run_action, verified_tracker
from tests.actions.replies import reply_texts

DISCLOSURE = "理财非存款，产品有风险，投资须谨慎"


def _ask(domain, client_id: str, text: str, entities: Optional[List[Dict[str, Any]]] = None,
         slots: Optional[Dict[str, Any]] = None, intent: str = "check_portfolio") -> str:
    slots = {"script": "simplified", **(slots or {})}
    tracker = verified_tracker(client_id, text, intent, entities=entities, slots=slots)
    action = ActionFollowUp() if intent == "inform" else ActionCheckPortfolio()
    messages, _ = run_action(action, tracker, domain)
    return "\n".join(reply_texts(domain, messages, slots))


def test_each_holding_with_value_profit_and_return(domain, session):
    reply = _ask(domain, "C000004", "我的理财收益怎么样")
    holdings = holdings_of(session, "C000004")
    assert f"您的理财持仓共 {len(holdings)} 笔" in reply
    for holding in holdings:
        line = next(line for line in reply.splitlines() if line.startswith(f"· {holding.product_name}（"))
        assert f"市值 {format_money(holding.market_value, holding.currency)}" in line
        assert f"持有收益 {signed_money(holding.pnl, holding.currency)}（{percent(holding.return_rate)}）" in line
        assert f"（{holding.product_type}，{holding.risk}）" in line
    cny = [holding for holding in holdings if holding.currency == "CNY"]
    value = sum(holding.market_value for holding in cny)
    pnl = sum(holding.pnl for holding in cny)
    assert f"人民币持仓合计：市值 {format_money(value)}，持有收益 {signed_money(pnl)}" in reply
    assert "美元持仓合计" in reply and "全部持仓市值折合人民币" in reply
    assert reply.endswith(DISCLOSURE + "。")


def test_maturities_within_30_days_are_highlighted_with_date_and_days_left(domain, session):
    reply = _ask(domain, "C000004", "有没有快到期的理财")
    maturing = [holding for holding in holdings_of(session, "C000004") if holding.matures_within(DEMO_TODAY, 30)]
    assert {holding.days_to_maturity(DEMO_TODAY) for holding in maturing} >= {7, 20}  # bot/profile/seed.py
    section = reply.split("近 30 天内到期")[1]
    for holding in maturing:
        assert (f"⏰ {holding.product_name}：{holding.matures_on.isoformat()} 到期，"
                f"还有 {holding.days_to_maturity(DEMO_TODAY)} 天") in section
    later = [holding for holding in holdings_of(session, "C000004") if not holding.matures_within(DEMO_TODAY, 30)]
    assert later and all(f"⏰ {holding.product_name}：" not in section for holding in later)


def test_no_maturity_section_without_one(domain, session):
    reply = _ask(domain, "C000007", "我的持仓")
    assert not any(holding.matures_within(DEMO_TODAY, 30) for holding in holdings_of(session, "C000007"))
    assert "近 30 天内到期" not in reply and "量化精选私募" in reply


def test_a_client_writing_traditional_reads_traditional(domain, session):
    reply = _ask(domain, "C000008", "我的持倉收益", slots={"script": "traditional"})
    assert "您的理財持倉共" in reply and reply.endswith("理財非存款，產品有風險，投資須謹慎。")
    for holding in holdings_of(session, "C000008"):
        assert format_money(holding.market_value, holding.currency) in reply


def test_follow_up_to_one_product_type(domain, session):
    """我的持仓 → 那基金呢: only the funds."""
    slots = {"last_query": {"action": "action_check_portfolio", "entities": {}}}
    reply = _ask(domain, "C000004", "那基金呢", [{"entity": "product_type", "value": "基金"}], slots=slots,
                 intent="inform")
    funds = [holding for holding in holdings_of(session, "C000004") if holding.product_type == "基金"]
    assert funds and f"您的理财持仓共 {len(funds)} 笔" in reply
    assert all(f"· {holding.product_name}（" in reply for holding in funds)


def test_li_cai_in_the_question_means_every_holding(domain, session):
    reply = _ask(domain, "C000004", "有快到期的理财吗", [{"entity": "product_type", "value": "理财"}])
    assert f"您的理财持仓共 {len(holdings_of(session, 'C000004'))} 笔" in reply  # the funds too


@pytest.fixture()
def without_holdings(session) -> Iterator[str]:
    """A client (not a demo client) whose holdings are taken away for one test, then put back."""
    client_id = "C000300"
    rows = [dict(row._mapping) for row in session.execute(select(Holding.__table__).where(Holding.client_id == client_id))]
    session.execute(delete(Holding).where(Holding.client_id == client_id))
    session.commit()
    yield client_id
    if rows:
        session.execute(insert(Holding.__table__), rows)
    session.commit()


def test_no_holdings(domain, without_holdings):
    tracker = verified_tracker(without_holdings, "我的理财", "check_portfolio")
    messages, _ = run_action(ActionCheckPortfolio(), tracker, domain)
    assert [message["response"] for message in messages] == ["utter_portfolio_empty"]
