"""check_transactions: filters read from the message, the list and totals as the store has them."""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any, Dict, List, Optional

from actions.follow_up import ActionFollowUp
from actions.transactions import ActionCheckTransactions
from bot.banking.formatting import local_time
from bot.profile.queries import data_day
from bot.money import format_money
from bot.nlu.canonical import SHANGHAI, canonical_value
from bot.profile.queries import TransactionFilter, accounts_of, transactions_of
from tests.actions.conftest import run_action, verified_tracker
from tests.actions.replies import reply_texts

# the moment the NLU understood the messages of these tests
UNDERSTOOD_AT = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)
LAST_MONTH = canonical_value("time", "上个月", UNDERSTOOD_AT)  # October 2026
OCTOBER = (datetime(2026, 10, 1, tzinfo=SHANGHAI), datetime(2026, 10, 31, 23, 59, 59, tzinfo=SHANGHAI))
LINE = re.compile(r"^· (\d{4}-\d\d-\d\d \d\d:\d\d) (.+?) (支出|收入) ([\d,]+\.\d\d) (\S+)（")


def _ask(domain, client_id: str, text: str, entities: Optional[List[Dict[str, Any]]] = None,
         slots: Optional[Dict[str, Any]] = None, intent: str = "check_transactions"):
    slots = {"script": "simplified", **(slots or {})}
    tracker = verified_tracker(client_id, text, intent, entities=entities, slots=slots)
    action = ActionFollowUp() if intent == "inform" else ActionCheckTransactions()
    messages, events = run_action(action, tracker, domain)
    return "\n".join(reply_texts(domain, messages, slots)), events


def _lines(reply: str) -> List[tuple]:
    return [match.groups() for match in map(LINE.match, reply.splitlines()) if match]


def _expected_lines(items) -> List[tuple]:
    return [(local_time(item.occurred_at), item.counterparty, "收入" if item.direction == "in" else "支出",
             format_money(item.amount, item.currency).split(" ")[0], format_money(item.amount, item.currency)
             .split(" ")[1]) for item in items]


def _last_30_days(session) -> TransactionFilter:
    last = data_day(session)
    return TransactionFilter(start=datetime.combine(last - timedelta(days=29), time.min, SHANGHAI),
                             end=datetime.combine(last, time(23, 59, 59), SHANGHAI), limit=200)


def test_by_default_the_last_30_days_up_to_the_data_day(domain, session):
    reply, _ = _ask(domain, "C000001", "看看最近的交易记录")
    wanted = _last_30_days(session)
    everything = transactions_of(session, "C000001", wanted)
    assert f"近 30 天（{wanted.start.date()} 至 {wanted.end.date()}）交易共 {everything.count} 笔" in reply
    assert _lines(reply) == _expected_lines(everything.items[:10])
    assert f"另有 {everything.count - 10} 笔未列出" in reply
    (cny,) = everything.totals
    assert f"人民币合计：收入 {format_money(cny.total_in)}，支出 {format_money(cny.total_out)}" in reply


def test_the_period_is_the_one_the_nlu_resolved(domain, session):
    reply, _ = _ask(domain, "C000001", "上个月的流水", [{"entity": "time", "value": LAST_MONTH}])
    october = transactions_of(session, "C000001", TransactionFilter(start=OCTOBER[0], end=OCTOBER[1], limit=200))
    assert reply.startswith(f"2026-10-01 至 2026-10-31 交易共 {october.count} 笔")
    assert _lines(reply) == _expected_lines(october.items[:10])


def test_the_newest_n_whenever_they_were(domain, session):
    reply, _ = _ask(domain, "C000001", "最近十笔交易")
    newest = transactions_of(session, "C000001", TransactionFilter(limit=10))
    assert reply.startswith("最近 10 笔交易")
    assert _lines(reply) == _expected_lines(newest.items)
    total_out = sum(item.amount for item in newest.items if item.direction == "out")
    assert f"支出 {format_money(total_out)}" in reply
    assert "未列出" not in reply


def test_a_long_list_is_capped_and_says_how_many_more(domain, session):
    reply, _ = _ask(domain, "C000001", "最近50笔")
    assert len(_lines(reply)) == 20 and "另有 30 笔未列出" in reply
    fifty = transactions_of(session, "C000001", TransactionFilter(limit=50))
    total_out = sum(item.amount for item in fifty.items if item.direction == "out")
    assert f"支出 {format_money(total_out)}" in reply  # the totals are over the fifty asked for


def test_direction_and_amount_threshold(domain, session):
    reply, _ = _ask(domain, "C000004", "上个月超过5000的支出",
                    [{"entity": "time", "value": LAST_MONTH}, {"entity": "amount", "value": "5000"}])
    large = transactions_of(session, "C000004", TransactionFilter(start=OCTOBER[0], end=OCTOBER[1], direction="out",
                                                                  min_amount=Decimal(5000), limit=200))
    assert large.count > 0
    assert "符合条件（支出、金额不低于 5,000.00 元）的交易" in reply
    assert _lines(reply) == _expected_lines(large.items[:10])
    assert all(Decimal(amount.replace(",", "")) >= 5000 and way == "支出" for _, _, way, amount, _ in _lines(reply))


def test_a_merchant_by_the_start_of_its_name(domain, session):
    everything = transactions_of(session, "C000001", TransactionFilter(counterparty="美团", limit=200))
    assert everything.count > 0  # the demo client eats in
    year = [{"entity": "time", "value": "2025-11-25T00:00:00+08:00/2026-11-25T23:59:59+08:00"}]
    reply, _ = _ask(domain, "C000001", "今年在美团花了多少", year)
    in_year = transactions_of(session, "C000001", TransactionFilter(
        start=datetime(2025, 11, 25, tzinfo=SHANGHAI), end=datetime(2026, 11, 25, 23, 59, 59, tzinfo=SHANGHAI),
        counterparty="美团外卖", direction="out", limit=200))
    assert "交易对方 美团" in reply
    assert {counterparty for _, counterparty, *_ in _lines(reply)} == {"美团外卖"}
    assert f"支出 {format_money(sum(item.amount for item in in_year.items))}" in reply


def test_a_category_by_a_common_word(domain, session):
    reply, _ = _ask(domain, "C000001", "上个月吃饭花了多少", [{"entity": "time", "value": LAST_MONTH}])
    meals = transactions_of(session, "C000001", TransactionFilter(start=OCTOBER[0], end=OCTOBER[1], direction="out",
                                                                  category="餐饮", limit=200))
    assert "类别 餐饮" in reply
    assert _lines(reply) == _expected_lines(meals.items[:10])


def test_one_card_by_its_type(domain, session):
    reply, _ = _ask(domain, "C000001", "信用卡最近5笔", [{"entity": "account_type", "value": "信用卡"}])
    (card,) = accounts_of(session, "C000001", account_type="信用卡")
    newest = transactions_of(session, "C000001", TransactionFilter(account_ids=(card.account_id,), limit=5))
    assert f"信用卡 尾号{card.tail}" in reply.splitlines()[0]
    assert _lines(reply) == _expected_lines(newest.items)


def test_a_name_the_client_never_dealt_with_is_not_repeated(domain):
    reply, _ = _ask(domain, "C000001", "张伟给我转的钱到了没", [{"entity": "person", "value": "张伟"}])
    assert "张伟" not in reply and "您指定的交易对方" in reply and "没有找到" in reply


def test_a_client_writing_traditional_reads_traditional(domain, session):
    reply, _ = _ask(domain, "C000003", "最近五筆交易", slots={"script": "traditional"})
    assert reply.startswith("最近 5 筆交易：")
    newest = transactions_of(session, "C000003", TransactionFilter(limit=5))
    for item in newest.items:
        assert f"{local_time(item.occurred_at)} " in reply and format_money(item.amount, item.currency) in reply
    assert "人民幣合計" in reply and "尾號" in reply


# ------------------------------------------------------------------ follow-ups
def test_follow_up_with_another_period_keeps_the_other_filters(domain, session):
    """超过1000的支出 → 上个月的呢: last month, still over 1000 and out."""
    _, events = _ask(domain, "C000004", "超过1000的支出", [{"entity": "amount", "value": "1000"}])
    remembered = events[-1]["value"]
    reply, events = _ask(domain, "C000004", "上个月的呢", [{"entity": "time", "value": LAST_MONTH}],
                         slots={"last_query": remembered}, intent="inform")
    expected = transactions_of(session, "C000004", TransactionFilter(
        start=OCTOBER[0], end=OCTOBER[1], direction="out", min_amount=Decimal(1000), limit=200))
    assert reply.startswith(f"2026-10-01 至 2026-10-31 符合条件（支出、金额不低于 1,000.00 元）的交易共 {expected.count} 笔")
    assert _lines(reply) == _expected_lines(expected.items[:10])
    assert events[-1]["value"]["action"] == "action_check_transactions"


def test_a_new_question_starts_afresh(domain, session):
    _, events = _ask(domain, "C000004", "超过1000的支出", [{"entity": "amount", "value": "1000"}])
    reply, _ = _ask(domain, "C000004", "上个月的流水", [{"entity": "time", "value": LAST_MONTH}],
                    slots={"last_query": events[-1]["value"]})
    october = transactions_of(session, "C000004", TransactionFilter(start=OCTOBER[0], end=OCTOBER[1], limit=200))
    assert reply.startswith(f"2026-10-01 至 2026-10-31 交易共 {october.count} 笔")
