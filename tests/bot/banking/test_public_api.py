"""Every name in the banking package's ``__all__`` lists exists."""
from __future__ import annotations

import importlib

import pytest


@pytest.mark.parametrize("module", ["bot.banking", "bot.banking.accounts", "bot.banking.formatting",
                                    "bot.banking.portfolio",
                                    "bot.banking.transaction_request", "bot.banking.transactions",
                                    "bot.banking.valuation"])
def test_all_names_exist(module: str) -> None:
    loaded = importlib.import_module(module)
    assert [name for name in loaded.__all__ if not hasattr(loaded, name)] == []
