"""check_balance: the verified client's own accounts, figures as the store holds them."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Dict, List, Optional

import pytest

from actions.accounts import ActionCheckBalance
from actions.follow_up import ActionFollowUp
from bot.banking.valuation import cny_equivalent
from bot.money import format_money
from bot.profile.queries import accounts_of, deposit_totals, fx_rates, holdings_of
from tests.actions.conftest import run_action, verified_tracker
from tests.actions.replies import reply_texts

SIMPLIFIED = {"script": "simplified"}
TRADITIONAL = {"script": "traditional"}


def _ask(domain, client_id: Optional[str], text: str, entities: Optional[List[Dict[str, Any]]] = None,
         slots: Optional[Dict[str, Any]] = None, intent: str = "check_balance") -> str:
    slots = {**SIMPLIFIED, **(slots or {})}
    tracker = verified_tracker(client_id, text, intent, entities=entities, slots=slots)
    action = ActionFollowUp() if intent == "inform" else ActionCheckBalance()
    messages, _ = run_action(action, tracker, domain)
    return "\n".join(reply_texts(domain, messages, slots))


def test_every_account_with_its_tail_and_balance(domain, session):
    reply = _ask(domain, "C000001", "查一下我的余额")
    accounts = accounts_of(session, "C000001")
    assert len(accounts) == 5
    for account in accounts:
        assert f"尾号{account.tail}" in reply
        assert format_money(account.balance, account.currency) in reply
    assert len(reply.splitlines()) == 1 + len(accounts)  # the heading, then one line per account
    usd = next(account for account in accounts if account.currency == "USD")
    assert f"尾号{usd.tail}：{format_money(usd.balance, 'USD')}" in reply and "美元" in reply  # with its currency


def test_a_credit_card_is_what_is_owed_and_what_is_still_available(domain, session):
    reply = _ask(domain, "C000001", "信用卡还有多少额度", [{"entity": "account_type", "value": "信用卡"}])
    (card,) = accounts_of(session, "C000001", account_type="信用卡")
    assert f"尾号{card.tail}" in reply
    assert f"当前欠款 {format_money(card.balance)}" in reply
    assert f"可用额度 {format_money(card.credit_limit - card.balance)}" in reply
    assert all(f"尾号{other.tail}" not in reply for other in accounts_of(session, "C000001") if not other.is_credit)


def test_a_frozen_account_is_said_to_be_frozen(domain, session):
    reply = _ask(domain, "C000004", "查余额")
    (frozen,) = [account for account in accounts_of(session, "C000004") if account.status == "frozen"]
    frozen_line = next(line for line in reply.splitlines() if f"尾号{frozen.tail}" in line)
    assert "已冻结" in frozen_line
    assert "解冻" in reply
    assert "已冻结" not in _ask(domain, "C000001", "查余额")


def test_an_account_by_its_tail(domain, session):
    accounts = accounts_of(session, "C000001")
    wanted = accounts[3]
    reply = _ask(domain, "C000001", f"尾号{wanted.tail}的余额", [{"entity": "card_tail", "value": wanted.tail}])
    assert f"尾号{wanted.tail}" in reply and format_money(wanted.balance, wanted.currency) in reply
    assert all(f"尾号{other.tail}" not in reply for other in accounts if other != wanted)


def test_a_tail_that_is_not_the_clients_is_not_repeated_and_all_their_accounts_are_given(domain, session):
    reply = _ask(domain, "C000001", "尾号0000的余额", [{"entity": "card_tail", "value": "0000"}])
    assert "没有符合条件的账户" in reply and "0000" not in reply
    assert all(f"尾号{account.tail}" in reply for account in accounts_of(session, "C000001"))


def test_the_total_of_deposits_in_yuan(domain, session):
    reply = _ask(domain, "C000001", "我一共有多少钱")
    accounts = accounts_of(session, "C000001")
    total = cny_equivalent(deposit_totals(accounts), fx_rates(session)).total
    assert f"存款合计折合人民币 {format_money(total)}" in reply
    assert "现汇买入价" in reply  # the USD account was converted, and the reply says how


def test_total_assets_include_the_holdings_and_say_so(domain, session):
    reply = _ask(domain, "C000004", "我的总资产是多少")
    rates = fx_rates(session)
    deposits = cny_equivalent(deposit_totals(accounts_of(session, "C000004")), rates).total
    by_currency: Dict[str, Decimal] = {}
    for holding in holdings_of(session, "C000004"):
        by_currency[holding.currency] = by_currency.get(holding.currency, Decimal(0)) + holding.market_value
    holdings = cny_equivalent(by_currency, rates).total
    assert f"总资产折合人民币 {format_money(deposits + holdings)}" in reply
    assert f"全部存款 {format_money(deposits)}" in reply and f"理财持仓市值 {format_money(holdings)}" in reply
    assert "未扣除信用卡欠款" in reply


def test_a_client_writing_traditional_reads_traditional(domain, session):
    reply = _ask(domain, "C000003", "我嘅賬戶餘額係幾多", slots=TRADITIONAL)
    assert reply.startswith("您的賬戶餘額如下")
    (debit,) = accounts_of(session, "C000003", account_type="储蓄卡")
    assert f"儲蓄卡 尾號{debit.tail}：{format_money(debit.balance)}" in reply
    assert "港幣" in reply


def test_without_a_verified_identity_nothing_is_read(domain):
    tracker = verified_tracker(None, "查余额", "check_balance")
    messages, _ = run_action(ActionCheckBalance(), tracker, domain)
    assert [message["response"] for message in messages] == ["utter_verify_first"]


# ------------------------------------------------------------------ follow-ups
def _after_balance(entities: Dict[str, List[Any]]) -> Dict[str, Any]:
    return {"last_query": {"action": "action_check_balance", "entities": entities}}


def test_follow_up_in_another_currency(domain, session):
    """查余额 → 那港币呢: the same question, for the HKD account only."""
    reply = _ask(domain, "C000003", "那港币呢", [{"entity": "currency", "value": "HKD"}],
                 slots=_after_balance({}), intent="inform")
    (hkd,) = accounts_of(session, "C000003", currency="HKD")
    assert reply.splitlines()[1:] == [f"· 外币账户 尾号{hkd.tail}：{format_money(hkd.balance, 'HKD')}"]


def test_follow_up_to_the_credit_card_replaces_the_currency(domain, session):
    """港币余额 → 那张信用卡呢: the credit card, not "HKD credit cards"."""
    reply = _ask(domain, "C000003", "那张信用卡呢", [{"entity": "account_type", "value": "信用卡"}],
                 slots=_after_balance({"currency": ["HKD"]}), intent="inform")
    (card,) = accounts_of(session, "C000003", account_type="信用卡")
    assert len(reply.splitlines()) == 2 and f"尾号{card.tail}：当前欠款 {format_money(card.balance)}" in reply


def test_follow_up_remembers_the_new_question(domain):
    tracker = verified_tracker("C000003", "那港币呢", "inform", entities=[{"entity": "currency", "value": "HKD"}],
                               slots=_after_balance({"account_type": ["储蓄卡"]}))
    _, events = run_action(ActionFollowUp(), tracker, domain)
    assert events[-1]["value"] == {"action": "action_check_balance",
                                   "entities": {"account_type": ["储蓄卡"], "currency": ["HKD"]}}


@pytest.mark.parametrize("client_id", ["C000001", "C000004", "C000007"])
def test_no_whole_account_number_in_the_reply(domain, session, client_id):
    from sqlalchemy import select

    from bot.profile.models import Account

    reply = _ask(domain, client_id, "我的总资产和所有账户余额")
    numbers = session.scalars(select(Account.number).where(Account.client_id == client_id)).all()
    assert numbers and not any(number in reply for number in numbers)
