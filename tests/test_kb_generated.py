"""Files generated from kb/ are up to date, and kb/ holds what the NLU needs."""
from bot.kb import load_kb
from bot.tools.lookups import LOOKUPS_FILE, render_lookups


def test_lookup_tables_are_regenerated_from_kb():
    assert LOOKUPS_FILE.read_text("utf-8") == render_lookups(load_kb()), (
        "run `python -m bot kb-sync`"
    )


def test_catalogue_spans_every_risk_level_and_type():
    kb = load_kb()
    assert len(kb.products) >= 30
    assert {product.risk for product in kb.products} == {"R1", "R2", "R3", "R4", "R5"}
    assert len({product.type for product in kb.products}) >= 6


def test_names_and_aliases_are_unambiguous():
    kb = load_kb()
    names = [name for product in kb.products for name in product.names]
    names += [name for branch in kb.branches for name in branch.names]
    assert len(names) == len(set(names))
