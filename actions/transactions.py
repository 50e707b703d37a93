"""check_transactions: a verified client's transactions, filtered as the message asks.

The period is the NLU's ``time`` entity as it was resolved when the message
was understood (never parsed again here); without one, the last 30 days up to
the data day, or for 最近十笔 the newest ten whenever they were. Count,
direction, amounts, counterparty and category come from the text
(``bot.banking.transaction_request``); the account from ``card_tail`` /
``account_type``, the currency from ``currency``. The list is capped and says
how many more there are; totals in and out are per currency.

What was read from the text is remembered with the query (in the parameters
``actions.verified`` stores), so 上个月的呢 keeps "超过5000的支出".
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Mapping, Sequence, Text

from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.follow_up import latest_entities
from actions.replies import fill
from actions.verified import ClientRequest, VerifiedClientAction
from bot.banking import (
    AccountChoice,
    AccountSelection,
    AmountRange,
    Period,
    PeriodSource,
    TransactionAsk,
    TransactionSummary,
    choose_accounts,
    choose_period,
    counterparties_of,
    data_day,
    read_ask,
    summarise,
    transaction_filter,
)
from bot.banking.accounts import account_selection
from bot.banking.formatting import local_time
from bot.banking.transaction_request import Direction
from bot.money import currency_name, format_money, tail_label
from bot.profile.queries import TransactionView, transactions_of

__all__ = ["ActionCheckTransactions", "ASK_PARAMETER"]

logger = logging.getLogger(__name__)

# the parameter under which the filters read from the text are remembered for follow-ups
ASK_PARAMETER = "transaction_ask"

Slots = Mapping[str, Any]


def _ask(request: ClientRequest, session: Session) -> TransactionAsk:
    """The filters of this message, over the remembered ones on a follow-up."""
    latest = latest_entities(request.tracker)
    remembered = request.parameters.get(ASK_PARAMETER) or [None]
    current = read_ask(request.text, latest.get("amount", ()), latest.get("person", ()),
                       counterparties_of(session, request.client_id))
    return current.over(TransactionAsk.from_json(remembered[0]))


def _period_text(domain: Mapping[str, Any], slots: Slots, period: Period) -> str:
    if period.source is PeriodSource.ANY or period.first_day is None or period.last_day is None:
        return ""
    name = "utter_transactions_period_default" if period.source is PeriodSource.DEFAULT else "utter_transactions_period"
    return fill(domain, slots, name, start=period.first_day.isoformat(), end=period.last_day.isoformat())


def _amount_text(domain: Mapping[str, Any], slots: Slots, amount: AmountRange) -> str:
    if amount.approximate and amount.centre is not None:
        return fill(domain, slots, "utter_transactions_about", amount=format_money(amount.centre))
    if amount.minimum is not None and amount.maximum is not None:
        return fill(domain, slots, "utter_transactions_between", minimum=format_money(amount.minimum),
                    maximum=format_money(amount.maximum))
    if amount.minimum is not None:
        return fill(domain, slots, "utter_transactions_min", amount=format_money(amount.minimum))
    return fill(domain, slots, "utter_transactions_max", amount=format_money(amount.maximum or 0))


def _criteria_text(domain: Mapping[str, Any], slots: Slots, ask: TransactionAsk, choice: AccountChoice,
                   currencies: Sequence[str]) -> str:
    """What the list is limited to, as one fragment; empty when it is not."""
    parts: List[str] = []
    if ask.direction is not None:
        parts.append(fill(domain, slots, f"utter_transactions_{ask.direction.value}"))
    if ask.amount is not None:
        parts.append(_amount_text(domain, slots, ask.amount))
    if ask.counterparty:
        # a name the client never dealt with is not repeated: it may be somebody else's
        parts.append(fill(domain, slots, "utter_transactions_counterparty", counterparty=ask.counterparty)
                     if ask.counterparty_known else fill(domain, slots, "utter_transactions_counterparty_unknown"))
    if ask.category:
        parts.append(fill(domain, slots, "utter_transactions_category", category=ask.category))
    if choice.narrowed:
        parts.extend(fill(domain, slots, "utter_transactions_account", account_type=account.account_type,
                          tail=tail_label(account.tail)) for account in choice.accounts)
    parts.extend(fill(domain, slots, "utter_transactions_currency", currency=currency_name(code))
                 for code in currencies)
    if not parts:
        return ""
    return fill(domain, slots, "utter_transactions_criteria", {"criteria": "、".join(parts)})


def _line(domain: Mapping[str, Any], slots: Slots, item: TransactionView) -> str:
    name = "utter_transaction_line_in" if item.direction == Direction.IN.value else "utter_transaction_line_out"
    return fill(domain, slots, name, time=local_time(item.occurred_at), counterparty=item.counterparty,
                amount=format_money(item.amount, item.currency),
                account=f"{item.account_type} {tail_label(item.account_tail)}", description=item.description)


def _header(domain: Mapping[str, Any], slots: Slots, ask: TransactionAsk, summary: TransactionSummary,
            period: str, criteria: str) -> str:
    parts = {"period": period, "criteria": criteria}
    if ask.count:
        return fill(domain, slots, "utter_transactions_header_latest", parts, count=summary.covered)
    if summary.more:
        return fill(domain, slots, "utter_transactions_header_some", parts, count=summary.covered,
                    shown=len(summary.shown))
    return fill(domain, slots, "utter_transactions_header", parts, count=summary.covered)


def _summary_lines(domain: Mapping[str, Any], slots: Slots, summary: TransactionSummary) -> List[str]:
    lines: List[str] = []
    if summary.more:
        lines.append(fill(domain, slots, "utter_transactions_more", more=summary.more))
    lines.extend(fill(domain, slots, "utter_transactions_totals", currency=currency_name(total.currency),
                      total_in=format_money(total.total_in, total.currency),
                      total_out=format_money(total.total_out, total.currency))
                 for total in summary.totals)
    return lines


class ActionCheckTransactions(VerifiedClientAction):
    """The client's transactions for a period, account, direction, amount, counterparty or category."""

    def name(self) -> Text:
        return "action_check_transactions"

    async def answer(
        self, request: ClientRequest, session: Session, dispatcher: CollectingDispatcher
    ) -> List[Dict[Text, Any]]:
        ask = _ask(request, session)
        request.keep(ASK_PARAMETER, [ask.to_json()])
        selection = account_selection(request.parameters, latest_entities(request.tracker))
        accounts = AccountSelection(selection.account_types, selection.card_tails)
        choice = choose_accounts(session, request.client_id, accounts)
        currencies = selection.currencies
        period = choose_period(request.parameters.get("time") or (), ask.count, data_day(session))
        wanted = transaction_filter(ask, period, choice.account_ids if choice.narrowed else (),
                                    currencies[0] if len(currencies) == 1 else None)
        page = transactions_of(session, request.client_id, wanted)
        summary = summarise(page, ask)
        logger.debug("transactions: %d matched, %d shown, period=%s", summary.covered, len(summary.shown),
                     period.source.value)

        domain, slots = request.domain, request.slots
        note = "" if choice.matched else fill(domain, slots, "utter_transactions_account_note")
        period_text = _period_text(domain, slots, period)
        criteria = _criteria_text(domain, slots, ask, choice, currencies if len(currencies) == 1 else ())
        if not summary.shown:
            dispatcher.utter_message(response="utter_transactions_none", note=note, period=period_text,
                                     criteria=criteria)
            return []
        lines = "\n".join(_line(domain, slots, item) for item in summary.shown)
        dispatcher.utter_message(
            response="utter_transactions",
            note=note,
            header=_header(domain, slots, ask, summary, period_text, criteria),
            lines=lines,
            summary="".join("\n" + line for line in _summary_lines(domain, slots, summary)),
        )
        return []

