"""check_balance: a verified client's balances, per account or in total.

Accounts are named by type and tail (储蓄卡 尾号2560), amounts with their
currency, credit cards by what is owed and what is still available, frozen
accounts said as frozen. 一共 / 合计 adds the deposits as yuan; 总资产 adds the
market value of the holdings and says what is included. Selection and totals
are ``bot.banking``'s; this module renders them.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Mapping, Text

from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.follow_up import latest_entities
from actions.replies import fill
from actions.verified import ClientRequest, VerifiedClientAction
from bot.banking import (
    AccountChoice,
    BalanceAnswer,
    CnyEquivalent,
    TotalWanted,
    account_selection,
    balance_answer,
    choose_accounts,
    total_wanted,
)
from bot.banking.formatting import local_time
from bot.money import currency_name, format_money, tail_label
from bot.profile.queries import AccountView, accounts_of, fx_rates, holdings_of

__all__ = ["ActionCheckBalance"]

logger = logging.getLogger(__name__)


def _account_line(domain: Mapping[str, Any], slots: Mapping[str, Any], account: AccountView) -> str:
    status = {"status": fill(domain, slots, "utter_balance_frozen") if account.status == "frozen" else ""}
    named = {"account_type": account.account_type, "tail": tail_label(account.tail)}
    if account.is_credit:
        return fill(domain, slots, "utter_balance_line_credit", status, **named,
                    owed=format_money(account.balance, account.currency),
                    available=format_money(account.available_credit or 0, account.currency),
                    limit=format_money(account.credit_limit or 0, account.currency))
    balance = format_money(account.balance, account.currency)
    if account.matures_on is not None:
        return fill(domain, slots, "utter_balance_line_time_deposit", status, **named, balance=balance,
                    matures_on=account.matures_on.isoformat())
    return fill(domain, slots, "utter_balance_line", status, **named, balance=balance)


def _fx_note(domain: Mapping[str, Any], slots: Mapping[str, Any], *sums: CnyEquivalent) -> str:
    notes = []
    quoted = [total.quoted_at for total in sums if total.converted and total.quoted_at]
    if quoted:
        notes.append(fill(domain, slots, "utter_balance_fx_note", as_of=local_time(min(quoted))))
    unconverted = sorted({code for total in sums for code in total.unconverted})
    if unconverted:
        notes.append(fill(domain, slots, "utter_balance_unconverted",
                          currencies="、".join(currency_name(code) for code in unconverted)))
    return "".join(notes)


def _totals(domain: Mapping[str, Any], slots: Mapping[str, Any], answer: BalanceAnswer) -> List[str]:
    lines: List[str] = []
    if answer.total is TotalWanted.DEPOSITS and answer.deposits_cny is not None:
        lines.append(fill(domain, slots, "utter_balance_deposit_total",
                          {"fx_note": _fx_note(domain, slots, answer.deposits_cny)},
                          total=format_money(answer.deposits_cny.total)))
    if answer.total is TotalWanted.ASSETS and answer.deposits_cny and answer.holdings_cny:
        lines.append(fill(domain, slots, "utter_balance_assets_total",
                          {"fx_note": _fx_note(domain, slots, answer.deposits_cny, answer.holdings_cny)},
                          total=format_money(answer.assets_cny or 0),
                          deposits=format_money(answer.deposits_cny.total),
                          holdings=format_money(answer.holdings_cny.total)))
    if any(account.status == "frozen" for account in answer.choice.accounts):
        lines.append(fill(domain, slots, "utter_balance_frozen_hint"))
    return lines


class ActionCheckBalance(VerifiedClientAction):
    """Balances of the client's accounts: all, or by type, tail or currency; totals when asked."""

    def name(self) -> Text:
        return "action_check_balance"

    async def answer(
        self, request: ClientRequest, session: Session, dispatcher: CollectingDispatcher
    ) -> List[Dict[Text, Any]]:
        selection = account_selection(request.parameters, latest_entities(request.tracker))
        choice: AccountChoice = choose_accounts(session, request.client_id, selection)
        if not choice.accounts:
            dispatcher.utter_message(response="utter_balance_none")
            return []
        wanted = total_wanted(request.text)
        rates = fx_rates(session) if wanted is not TotalWanted.NONE else ()
        all_accounts = accounts_of(session, request.client_id) if wanted is TotalWanted.ASSETS else ()
        holdings = holdings_of(session, request.client_id) if wanted is TotalWanted.ASSETS else ()
        answer = balance_answer(choice, wanted, rates, all_accounts, holdings)
        logger.debug("balance: %d accounts, matched=%s, total=%s", len(choice.accounts), choice.matched,
                     wanted.value)

        domain, slots = request.domain, request.slots
        lines = "\n".join(_account_line(domain, slots, account) for account in choice.accounts)
        totals = _totals(domain, slots, answer)
        note = "" if choice.matched else fill(domain, slots, "utter_balance_no_match") + "\n"
        dispatcher.utter_message(response="utter_balance", note=note, lines=lines,
                                 totals="".join("\n" + line for line in totals))
        return []
