"""The NLU contract (../shared/contract/nlu.yml) is kept whole everywhere."""
from pathlib import Path

import yaml
from rasa.shared.nlu.training_data.loading import load_data

from tests.conftest import ROOT, SHARED_CONTRACT, VENDORED_CONTRACT


def _domain() -> dict:
    merged: dict = {"intents": [], "entities": []}
    for path in sorted((ROOT / "domain").glob("*.yml")):
        part = yaml.safe_load(path.read_text("utf-8")) or {}
        merged["intents"] += [i if isinstance(i, str) else next(iter(i)) for i in part.get("intents", [])]
        merged["entities"] += [e if isinstance(e, str) else next(iter(e)) for e in part.get("entities", [])]
    return merged


def test_vendored_copy_matches_the_shared_contract():
    if SHARED_CONTRACT.exists():
        assert VENDORED_CONTRACT.read_text("utf-8") == SHARED_CONTRACT.read_text("utf-8")


def test_domain_declares_every_contract_intent_and_entity(contract):
    domain = _domain()
    assert set(contract["intents"]) <= set(domain["intents"])
    assert set(contract["entities"]) <= set(domain["entities"])


def test_training_data_has_every_contract_intent_and_entity(contract):
    data = load_data(str(ROOT / "data" / "nlu"))
    assert set(contract["intents"]) <= data.intents
    assert set(contract["entities"]) <= data.entities


def test_training_data_uses_no_entity_outside_the_contract(contract):
    data = load_data(str(ROOT / "data" / "nlu"))
    assert data.entities <= set(contract["entities"])


def test_heldout_sets_use_contract_names_only(contract):
    for path in sorted((ROOT / "tests" / "nlu").glob("heldout_*.yml")):
        data = load_data(str(path))
        assert data.intents <= set(contract["intents"]), path.name
        assert data.entities <= set(contract["entities"]), path.name
