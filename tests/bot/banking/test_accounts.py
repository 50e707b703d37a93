"""Which accounts a question selects, and the totals over them."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from bot.banking.accounts import (
    AccountSelection,
    TotalWanted,
    account_selection,
    balance_answer,
    choose_accounts,
    total_wanted,
)
from bot.profile.queries import FxRateView, accounts_of, fx_rates, holdings_of


def test_a_new_selector_replaces_the_remembered_ones():
    merged = {"currency": ["HKD"], "account_type": ["信用卡"]}  # 港币, then 那张信用卡呢
    assert account_selection(merged, {"account_type": ["信用卡"]}) == AccountSelection(account_types=("信用卡",))


def test_without_a_new_selector_the_remembered_ones_stay():
    assert account_selection({"currency": ["hkd"]}, {"time": ["…"]}) == AccountSelection(currencies=("HKD",))


def test_a_currency_that_is_not_a_code_is_ignored():
    assert account_selection({"currency": ["美"]}) == AccountSelection()  # 美团花了多少


def test_an_account_type_given_as_a_product_name_reads_as_the_account_type():
    assert account_selection({"account_type": ["定期存款"]}) == AccountSelection(account_types=("定期",))


def test_type_tail_and_currency_select_the_clients_own_accounts(bank):
    everything = accounts_of(bank, "C000001")
    credit = choose_accounts(bank, "C000001", AccountSelection(account_types=("信用卡",)))
    assert credit.matched and [a.account_type for a in credit.accounts] == ["信用卡"]
    usd = choose_accounts(bank, "C000001", AccountSelection(currencies=("USD",)))
    assert [a.currency for a in usd.accounts] == ["USD"]
    tail = everything[0].tail
    assert [a.tail for a in choose_accounts(bank, "C000001", AccountSelection(card_tails=(tail,))).accounts] == [tail]
    # 活期 includes the debit card
    assert {a.account_type for a in choose_accounts(bank, "C000001", AccountSelection(account_types=("活期",))).accounts} \
        == {"储蓄卡"}


def test_another_clients_tail_selects_nothing_of_theirs(bank):
    someone_elses = accounts_of(bank, "C000003")[0].tail
    choice = choose_accounts(bank, "C000001", AccountSelection(card_tails=(someone_elses,)))
    assert not choice.matched
    assert choice.accounts == accounts_of(bank, "C000001")  # all the client's own, nobody else's


def test_several_values_of_a_selector_are_all_given(bank):
    choice = choose_accounts(bank, "C000001", AccountSelection(account_types=("信用卡", "定期")))
    assert {a.account_type for a in choice.accounts} == {"信用卡", "定期"}


def test_total_words():
    assert total_wanted("我的总资产有多少") is TotalWanted.ASSETS
    assert total_wanted("我一共有多少钱") is TotalWanted.DEPOSITS
    assert total_wanted("所有賬戶加起來多少") is TotalWanted.DEPOSITS
    assert total_wanted("查一下余额") is TotalWanted.NONE


def test_deposit_total_converts_foreign_money_at_the_spot_buying_rate(bank):
    choice = choose_accounts(bank, "C000001", AccountSelection())
    rates = fx_rates(bank)
    answer = balance_answer(choice, TotalWanted.DEPOSITS, rates)
    usd = next(rate for rate in rates if rate.base_currency == "USD")
    expected = sum(a.balance for a in choice.accounts if a.currency == "CNY" and not a.is_credit)
    expected += (sum(a.balance for a in choice.accounts if a.currency == "USD") * usd.spot_buy / usd.unit
                 ).quantize(Decimal("0.01"))
    assert answer.deposits_cny is not None and answer.deposits_cny.total == expected
    assert answer.deposits_cny.converted == ("USD",)


def test_total_assets_are_every_deposit_plus_holdings_and_never_minus_the_credit_card(bank):
    accounts = accounts_of(bank, "C000004")
    holdings = holdings_of(bank, "C000004")
    rates = fx_rates(bank)
    only_credit = choose_accounts(bank, "C000004", AccountSelection(account_types=("信用卡",)))
    answer = balance_answer(only_credit, TotalWanted.ASSETS, rates, accounts, holdings)
    deposits = sum(a.balance for a in accounts if not a.is_credit)  # all yuan for this client
    assert answer.deposits_cny.total == deposits
    assert answer.assets_cny == deposits + answer.holdings_cny.total
    assert answer.holdings_cny.total > sum(h.market_value for h in holdings if h.currency == "CNY")  # + USD


def test_a_currency_without_a_quote_is_left_out_and_named(bank):
    choice = choose_accounts(bank, "C000001", AccountSelection())
    no_usd = [rate for rate in fx_rates(bank) if rate.base_currency != "USD"]
    answer = balance_answer(choice, TotalWanted.DEPOSITS, no_usd)
    assert answer.deposits_cny.unconverted == ("USD",)
    assert answer.deposits_cny.total == sum(a.balance for a in choice.accounts if a.currency == "CNY" and not a.is_credit)


def test_valuation_uses_the_oldest_quote_time():
    early = datetime(2026, 11, 24, 1, 30, tzinfo=timezone.utc)
    late = datetime(2026, 11, 24, 3, 30, tzinfo=timezone.utc)
    rates = [FxRateView("USD", "CNY", "美元", 100, Decimal("700"), Decimal("0"), Decimal("0"), Decimal("0"), late),
             FxRateView("HKD", "CNY", "港币", 100, Decimal("90"), Decimal("0"), Decimal("0"), Decimal("0"), early)]
    from bot.banking.valuation import cny_equivalent

    total = cny_equivalent({"USD": Decimal("100"), "HKD": Decimal("1000"), "CNY": Decimal("1")}, rates)
    assert total.total == Decimal("1601.00") and total.quoted_at == early
