"""Which of a client's accounts a question is about, and the balance answer over them.

The selectors are the NLU's ``account_type``, ``card_tail`` and ``currency``
entities. A follow-up naming a new selector (那张信用卡呢 after 港币) replaces
the remembered ones instead of narrowing them: the client changed accounts.
Only the client's own accounts are ever looked up; a tail or type they do not
have gives all their accounts with ``matched = False`` (and the reply does not
repeat what was typed, so nobody learns whether someone else has it).
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple

from sqlalchemy.orm import Session

from bot.banking.transaction_request import normalised_text
from bot.banking.valuation import CnyEquivalent, cny_equivalent
from bot.profile.queries import AccountView, FxRateView, HoldingView, accounts_of, deposit_totals

__all__ = [
    "SELECTOR_ENTITIES",
    "AccountSelection",
    "AccountChoice",
    "TotalWanted",
    "BalanceAnswer",
    "account_selection",
    "choose_accounts",
    "total_wanted",
    "balance_answer",
]

SELECTOR_ENTITIES = ("account_type", "card_tail", "currency")
_ISO_CODE = re.compile(r"^[A-Z]{3}$")  # a currency entity that is not a code (美 of 美团) is no currency
# product names the NLU may give for an account type (its synonym table maps 定期 to 定期存款)
_ACCOUNT_TYPE_ALIASES = {"定期存款": "定期", "活期存款": "活期", "借记卡": "储蓄卡", "工资卡": "储蓄卡"}


@dataclass(frozen=True)
class AccountSelection:
    account_types: Tuple[str, ...] = ()
    card_tails: Tuple[str, ...] = ()
    currencies: Tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.account_types or self.card_tails or self.currencies)


def _strings(values: Any) -> Tuple[str, ...]:
    if not isinstance(values, (list, tuple)):
        return ()
    return tuple(dict.fromkeys(str(value).strip() for value in values if str(value).strip()))


def account_selection(
    parameters: Mapping[str, Sequence[Any]], latest: Mapping[str, Sequence[Any]] = {}
) -> AccountSelection:
    """The selectors to use: the latest message's when it names any, else the query's (remembered)."""
    source = latest if any(latest.get(name) for name in SELECTOR_ENTITIES) else parameters
    return AccountSelection(
        account_types=tuple(dict.fromkeys(_ACCOUNT_TYPE_ALIASES.get(value, value)
                                          for value in _strings(source.get("account_type")))),
        card_tails=_strings(source.get("card_tail")),
        currencies=tuple(code.upper() for code in _strings(source.get("currency")) if _ISO_CODE.match(code.upper())),
    )


@dataclass(frozen=True)
class AccountChoice:
    """The accounts to answer about; ``matched`` is False when the selection named none of the
    client's accounts and all of them are given instead."""

    accounts: Tuple[AccountView, ...]
    matched: bool
    selection: AccountSelection

    @property
    def account_ids(self) -> Tuple[str, ...]:
        return tuple(account.account_id for account in self.accounts)

    @property
    def narrowed(self) -> bool:
        """Whether the answer is about some accounts only (a matching selection)."""
        return self.matched and not self.selection.is_empty


def choose_accounts(session: Session, client_id: str, selection: AccountSelection) -> AccountChoice:
    """The client's open accounts matching ``selection`` (any of each selector's values)."""
    if selection.is_empty:
        return AccountChoice(accounts_of(session, client_id), True, selection)
    found: Dict[str, AccountView] = {}
    for account_type, tail, currency in itertools.product(
        selection.account_types or (None,), selection.card_tails or (None,), selection.currencies or (None,)
    ):
        for account in accounts_of(session, client_id, account_type=account_type, card_tail=tail, currency=currency):
            found[account.account_id] = account
    if found:
        return AccountChoice(tuple(found[key] for key in sorted(found)), True, selection)
    return AccountChoice(accounts_of(session, client_id), False, selection)


class TotalWanted(str, Enum):
    NONE = "none"
    DEPOSITS = "deposits"  # 一共 / 合计 / 总余额: the deposits shown, as yuan
    ASSETS = "assets"  # 总资产: every deposit plus the market value of the holdings


_ASSET_WORDS = ("总资产", "资产", "身家", "总财富", "全部财产")
_TOTAL_WORDS = ("总共", "一共", "合计", "总计", "总额", "总余额", "加起来", "加在一起", "全部", "所有", "总的")


def total_wanted(text: str) -> TotalWanted:
    cleaned = normalised_text(text)
    if any(word in cleaned for word in _ASSET_WORDS):
        return TotalWanted.ASSETS
    if any(word in cleaned for word in _TOTAL_WORDS):
        return TotalWanted.DEPOSITS
    return TotalWanted.NONE


@dataclass(frozen=True)
class BalanceAnswer:
    """Balances of the chosen accounts and, when asked, totals as yuan.

    ``deposits``: the chosen deposit accounts (no credit cards) by currency;
    ``deposits_cny``: the same as yuan; ``holdings_cny``: the market value of
    every holding as yuan; ``assets_cny``: all deposits plus holdings (never
    minus what a credit card owes).
    """

    choice: AccountChoice
    total: TotalWanted
    deposits: Dict[str, Decimal]
    deposits_cny: Optional[CnyEquivalent]
    holdings_cny: Optional[CnyEquivalent]
    assets_cny: Optional[Decimal]


def balance_answer(
    choice: AccountChoice,
    total: TotalWanted,
    rates: Sequence[FxRateView] = (),
    all_accounts: Sequence[AccountView] = (),
    holdings: Sequence[HoldingView] = (),
) -> BalanceAnswer:
    """The totals the question asks for over ``choice`` (and, for 总资产, every account and holding)."""
    deposits = deposit_totals(choice.accounts)
    if total is TotalWanted.NONE:
        return BalanceAnswer(choice, total, deposits, None, None, None)
    if total is TotalWanted.DEPOSITS:
        return BalanceAnswer(choice, total, deposits, cny_equivalent(deposits, rates), None, None)
    every_deposit = cny_equivalent(deposit_totals(all_accounts), rates)
    by_currency: Dict[str, Decimal] = {}
    for holding in holdings:
        by_currency[holding.currency] = by_currency.get(holding.currency, Decimal("0.00")) + holding.market_value
    held = cny_equivalent(by_currency, rates)
    return BalanceAnswer(choice, total, deposits, every_deposit, held, every_deposit.total + held.total)
