"""FX answers: rates with their time, conversions at the stated rate, the quota, guidance, follow-ups."""
from __future__ import annotations

from datetime import datetime, time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Dict, List, Optional

import pytest

from actions.follow_up import ActionFollowUp
from actions.fx import ActionFxCrossBorder
from bot import clock
from bot.fx import guide
from bot.money import format_money
from bot.profile.queries import TransactionFilter, fx_rate, fx_rates, transactions_of
from bot.profile.seed import DEMO_TODAY
from tests.actions.conftest import run_action, verified_tracker
from tests.actions.test_products import read

CENT = Decimal("0.01")


@pytest.fixture(autouse=True)
def demo_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "bank_today", lambda now=None: DEMO_TODAY)


def spans(text: str, *entities) -> List[Dict[str, Any]]:
    found = []
    for surface, entity, value in entities:
        start = text.index(surface)
        found.append({"entity": entity, "value": value, "start": start, "end": start + len(surface)})
    return found


def ask(domain, text: str, *entities, client: Optional[str] = None, slots=None):
    tracker = verified_tracker(client, text, "fx_cross_border", entities=spans(text, *entities), slots=slots)
    messages, events = run_action(ActionFxCrossBorder(), tracker, domain)
    return messages, events, read(messages, domain, tracker.current_slot_values())


def per_unit(value: Decimal) -> Decimal:
    return value / 100


def test_a_rate_comes_with_its_time(domain, session):
    _, _, (reply,) = ask(domain, "美元汇率多少", ("美元", "currency", "USD"))
    usd = fx_rate(session, "USD")
    assert "2026-11-24 09:30 北京时间" in reply
    assert f"现汇买入价 {usd.spot_buy:.2f}" in reply and f"现汇卖出价 {usd.spot_sell:.2f}" in reply
    assert "港币" not in reply


def test_without_a_currency_the_whole_board(domain, session):
    _, _, (reply,) = ask(domain, "今天外汇牌价多少")
    board = fx_rates(session)
    assert len(board) >= 5
    assert all(f" {rate.base_currency}：" in reply for rate in board)
    assert "日元 JPY：现汇买入价 4.8374" in reply  # four decimals kept


def test_buying_dollars_says_the_selling_rate_and_the_amount(domain, session):
    _, _, (reply,) = ask(domain, "1万人民币能换多少美元", ("1万", "amount", "10000"), ("人民币", "currency", "CNY"),
                         ("美元", "currency", "USD"))
    usd = fx_rate(session, "USD")
    dollars = (Decimal(10000) / per_unit(usd.spot_sell)).quantize(CENT, ROUND_HALF_UP)
    assert f"10,000.00 元 约可兑换 {format_money(dollars, 'USD')}" in reply
    assert f"美元现汇卖出价 {usd.spot_sell:.2f}/100美元，即您买入美元的价格" in reply


def test_selling_dollars_says_the_buying_rate(domain, session):
    _, _, (reply,) = ask(domain, "5000美元换成人民币是多少", ("5000", "amount", "5000"), ("美元", "currency", "USD"),
                         ("人民币", "currency", "CNY"))
    usd = fx_rate(session, "USD")
    yuan = (Decimal(5000) * per_unit(usd.spot_buy)).quantize(CENT, ROUND_HALF_UP)
    assert f"5,000.00 美元 约可兑换 {format_money(yuan)}" in reply and "现汇买入价" in reply
    assert "现汇卖出价" not in reply


def test_an_amount_without_a_direction_is_converted_both_ways(domain, session):
    _, _, (reply,) = ask(domain, "5000美元是多少钱", ("5000", "amount", "5000"), ("美元", "currency", "USD"))
    usd = fx_rate(session, "USD")
    cost = (Decimal(5000) * per_unit(usd.spot_sell)).quantize(CENT, ROUND_HALF_UP)
    assert "即您卖出美元的价格" in reply and "即您买入美元的价格" in reply
    assert f"兑换 5,000.00 美元 约需 {format_money(cost)}" in reply


def test_a_purchase_above_the_quota_is_flagged(domain):
    _, _, (reply,) = ask(domain, "我要买6万美元", ("6万", "amount", "60000"), ("美元", "currency", "USD"))
    assert "超过每人每年等值5万美元的便利化额度" in reply


def test_yuan_without_a_target_asks_which_currency_and_the_button_completes_it(domain, session):
    messages, events, (reply,) = ask(domain, "5万人民币能换多少", ("5万", "amount", "50000"),
                                     ("人民币", "currency", "CNY"))
    assert reply == "请问您想把50,000.00 元换成哪种外币？"
    buttons = domain["responses"][messages[0]["response"]][0]["buttons"]
    assert {"title": "日元", "payload": '/inform{"currency": "JPY"}'} in buttons
    tracker = verified_tracker(None, '/inform{"currency": "JPY"}', "inform",
                               entities=[{"entity": "currency", "value": "JPY"}],
                               slots={"last_query": events[-1]["value"]})
    messages, _ = run_action(ActionFollowUp(), tracker, domain)
    (completed,) = read(messages, domain, tracker.current_slot_values())
    assert completed.startswith("· 50,000.00 元 约可兑换") and "日元" in completed


def test_follow_ups_change_the_currency(domain, session):
    _, events, _ = ask(domain, "1万人民币能换多少港币", ("1万", "amount", "10000"), ("人民币", "currency", "CNY"),
                       ("港币", "currency", "HKD"))
    text = "换成美元是多少"
    tracker = verified_tracker(None, text, "inform", entities=spans(text, ("美元", "currency", "USD")),
                               slots={"last_query": events[-1]["value"]})
    messages, events = run_action(ActionFollowUp(), tracker, domain)
    (reply,) = read(messages, domain, tracker.current_slot_values())
    usd = fx_rate(session, "USD")
    dollars = (Decimal(10000) / per_unit(usd.spot_sell)).quantize(CENT, ROUND_HALF_UP)
    assert f"10,000.00 元 约可兑换 {format_money(dollars, 'USD')}" in reply
    text = "那港币呢"
    tracker = verified_tracker(None, text, "inform", entities=spans(text, ("港币", "currency", "HKD")),
                               slots={"last_query": events[-1]["value"]})
    messages, _ = run_action(ActionFollowUp(), tracker, domain)
    (reply,) = read(messages, domain, tracker.current_slot_values())
    assert "10,000.00 元 约可兑换" in reply and "港币现汇卖出价" in reply


def test_after_a_rate_what_about_another_currency(domain, session):
    _, events, _ = ask(domain, "美元汇率多少", ("美元", "currency", "USD"))
    tracker = verified_tracker(None, "那港币呢", "inform", entities=spans("那港币呢", ("港币", "currency", "HKD")),
                               slots={"last_query": events[-1]["value"]})
    messages, _ = run_action(ActionFollowUp(), tracker, domain)
    (reply,) = read(messages, domain, tracker.current_slot_values())
    assert f"港币 HKD：现汇买入价 {fx_rate(session, 'HKD').spot_buy:.2f}" in reply and "美元 USD" not in reply


def test_the_quota_for_a_guest_says_how_to_see_their_own_use(domain):
    _, _, (reply,) = ask(domain, "一年购汇额度是多少")
    entry = guide("annual_quota")
    assert entry.text in reply and "登录后" in reply


def test_the_quota_for_a_verified_client_counts_this_years_purchases(domain, session):
    _, _, (reply,) = ask(domain, "今年购汇额度还剩多少", client="C000001")
    start = datetime(DEMO_TODAY.year, 1, 1, tzinfo=clock.BANK_TIME)
    end = datetime.combine(DEMO_TODAY, time.max, tzinfo=clock.BANK_TIME)
    page = transactions_of(session, "C000001", TransactionFilter(start=start, end=end, direction="in",
                                                                 category="购汇", limit=0))
    used = sum((total.total_in for total in page.totals if total.currency == "USD"), Decimal(0))
    assert used > 0 and {total.currency for total in page.totals} == {"USD"}
    assert f"今年已使用约 {format_money(used, 'USD')}，剩余约 {format_money(Decimal(50000) - used, 'USD')}" in reply


def test_another_clients_purchases_are_never_counted(domain):
    # C000003 bought HKD this year; C000002 has no foreign account
    _, _, (reply,) = ask(domain, "我的购汇额度用了多少", client="C000002")
    assert "今年已使用约 0.00 美元，剩余约 50,000.00 美元" in reply


@pytest.mark.parametrize("text, key", [
    ("汇款到美国需要什么信息", "remittance_info"),
    ("境外汇款手续费多少，几天到账", "remittance_fees"),
    ("跨境理财通怎么开通", "wealth_connect"),
    ("购汇的钱能用来在国外买房吗", "prohibited_uses"),
    ("取美元现钞要预约吗", "fx_cash_withdrawal"),
])
def test_guidance_from_the_knowledge_base(domain, text, key):
    _, _, replies = ask(domain, text)
    entry = guide(key)
    assert any(reply == f"【{entry.title}】{entry.text}" for reply in replies)


def test_a_currency_off_the_board(domain):
    _, _, (unknown, board) = ask(domain, "韩元汇率多少", ("韩元", "currency", "KRW"))
    assert unknown.startswith("暂时没有KRW的牌价")
    assert board.startswith("外汇牌价") and "美元 USD" in board


def test_a_traditional_client_reads_traditional(domain, session):
    _, _, (reply,) = ask(domain, "美金匯率幾多", ("美金", "currency", "USD"), slots={"script": "traditional"})
    assert "外匯牌價" in reply and "美元 USD：現匯買入價" in reply
    _, _, (reply,) = ask(domain, "境外匯款手續費多少", slots={"script": "traditional"})
    assert reply.startswith("【境外匯款手續費與到賬時間】")
