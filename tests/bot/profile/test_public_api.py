"""Every name in the profile package's ``__all__`` lists exists."""
from __future__ import annotations

import importlib

import pytest


@pytest.mark.parametrize("module", ["bot.profile", "bot.profile.commands", "bot.profile.database",
                                    "bot.profile.models", "bot.profile.queries", "bot.profile.seed",
                                    "bot.profile.store", "bot.profile.types"])
def test_all_names_exist(module: str) -> None:
    loaded = importlib.import_module(module)
    assert [name for name in loaded.__all__ if not hasattr(loaded, name)] == []
