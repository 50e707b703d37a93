"""bot.advisor's __all__ lists what its modules export, and every listed name exists."""
import importlib

import bot.advisor

MODULES = ("overview", "worklist", "replies", "suitability_check")


def test_every_listed_name_exists():
    for module in (bot.advisor, *(importlib.import_module(f"bot.advisor.{name}") for name in MODULES)):
        missing = [name for name in module.__all__ if not hasattr(module, name)]
        assert not missing, (module.__name__, missing)


def test_the_package_lists_the_main_entry_points():
    assert {"client_overview", "worklist", "suggested_replies", "suitability_check", "book_of",
            "ClientOverview", "Worklist", "SuggestedReply", "SuitabilityVerdict"} <= set(bot.advisor.__all__)
