"""Answers about a client's own money: which accounts, which transactions, which holdings.

Pure business rules over the profile store's typed reads (``bot.profile``);
the actions in ``actions/accounts.py``, ``actions/transactions.py`` and
``actions/portfolio.py`` only read the tracker, call these and render.

- ``accounts``: the accounts a question selects, balances and totals;
- ``transaction_request``: count, direction, amounts, counterparty, category and period
  read from a message;
- ``transactions``: the store's filter for them, the capped list and the totals;
- ``portfolio``: holdings with profit and loss, return and maturities within 30 days;
- ``valuation``: amounts in other currencies as yuan;
- ``formatting``: signed amounts, percentages, local times;
"""
from bot.banking.accounts import (
    AccountChoice,
    AccountSelection,
    BalanceAnswer,
    TotalWanted,
    account_selection,
    balance_answer,
    choose_accounts,
    total_wanted,
)
from bot.banking.formatting import local_time, percent, signed_money
from bot.banking.portfolio import CurrencyTotal, HoldingLine, PortfolioSummary, portfolio_summary
from bot.profile.queries import counterparties_of, data_day
from bot.banking.transaction_request import (
    AmountRange,
    Direction,
    Period,
    PeriodSource,
    TransactionAsk,
    choose_period,
    match_category,
    match_counterparty,
    parse_amount_range,
    parse_count,
    parse_direction,
    read_ask,
)
from bot.banking.transactions import TransactionSummary, summarise, totals_of, transaction_filter
from bot.banking.valuation import CnyEquivalent, cny_equivalent

__all__ = [
    "AccountChoice",
    "AccountSelection",
    "BalanceAnswer",
    "TotalWanted",
    "account_selection",
    "balance_answer",
    "choose_accounts",
    "total_wanted",
    "local_time",
    "percent",
    "signed_money",
    "CurrencyTotal",
    "HoldingLine",
    "PortfolioSummary",
    "portfolio_summary",
    "counterparties_of",
    "data_day",
    "AmountRange",
    "Direction",
    "Period",
    "PeriodSource",
    "TransactionAsk",
    "choose_period",
    "match_category",
    "match_counterparty",
    "parse_amount_range",
    "parse_count",
    "parse_direction",
    "read_ask",
    "TransactionSummary",
    "summarise",
    "totals_of",
    "transaction_filter",
    "CnyEquivalent",
    "cny_equivalent",
]
