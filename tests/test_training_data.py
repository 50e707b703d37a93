"""Training data as the issue asks: enough, varied, and never in the held-out sets."""
from collections import Counter
from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.loading import load_data

from bot.nlu.normalise import normalise
from tests.conftest import ROOT

CLOSE_INTENTS = {
    "check_balance", "check_portfolio", "product_inquiry", "product_recommendation",
    "file_complaint", "check_case_status", "book_appointment", "manage_appointment",
}


@pytest.fixture(scope="module")
def training():
    return load_data(str(ROOT / "data" / "nlu"))


def _key(text: str) -> str:
    return normalise(text).text.replace(" ", "")


def test_at_least_40_examples_per_intent_and_more_for_close_ones(training):
    counts = Counter(example.get("intent") for example in training.intent_examples)
    for intent, count in counts.items():
        assert count >= 40, f"{intent}: {count}"
    for intent in CLOSE_INTENTS:
        assert counts[intent] >= 70, f"{intent}: {counts[intent]}"


def test_faq_has_at_least_15_topics_each_with_a_response(training):
    topics = {example.get("intent_response_key") for example in training.intent_examples if example.get("intent") == "faq"}
    assert len(topics) >= 15
    from rasa.shared.core.domain import Domain

    responses = Domain.load(str(ROOT / "domain")).responses
    assert {f"utter_{topic}" for topic in topics} <= set(responses)


def test_traditional_and_noisy_examples_are_in_the_training_data(training):
    texts = [example.get("text") for example in training.intent_examples]
    traditional = sum(1 for text in texts if normalise(text).script.value == "traditional")
    full_width = sum(1 for text in texts if any("\uff01" <= char <= "\uff5e" for char in text))
    assert traditional / len(texts) >= 0.15
    assert full_width >= 20


def test_heldout_sets_never_overlap_the_training_data(training):
    seen = {_key(example.get("text")) for example in training.intent_examples}
    for path in sorted((ROOT / "tests" / "nlu").glob("heldout_*.yml")):
        heldout = load_data(str(path))
        overlap = [e.get("text") for e in heldout.intent_examples if _key(e.get("text")) in seen]
        assert not overlap, f"{path.name}: {overlap[:5]}"


def test_heldout_sets_cover_every_intent(training, contract):
    for path in sorted((ROOT / "tests" / "nlu").glob("heldout_*.yml")):
        heldout = load_data(str(path))
        assert set(contract["intents"]) <= heldout.intents, path.name


def _contract_values(description: str) -> set:
    """The canonical values listed in a contract line: 账户类型（活期、定期…）."""
    inside = description.split("（", 1)[1].split("）", 1)[0]
    return set(inside.split("、"))


def _annotation_errors(data, contract) -> list:
    from bot.kb import load_kb
    from bot.nlu.canonical import canonical_value

    kb = load_kb()
    allowed = {
        "product": {product.name for product in kb.products},
        "branch": {branch.name for branch in kb.branches},
        "account_type": _contract_values(contract["entities"]["account_type"]),
        "product_type": _contract_values(contract["entities"]["product_type"]),
    }
    errors = []
    for example in data.intent_examples:
        text = example.get("text")
        for entity in example.get("entities") or []:
            kind, value = entity["entity"], str(entity["value"])
            span = text[entity["start"]:entity["end"]]
            if kind in allowed:
                ok = value in allowed[kind]
            elif kind == "amount":
                ok = value.replace(".", "", 1).isdigit() and canonical_value(kind, span) in (None, value)
            elif kind in ("currency", "card_tail"):
                ok = canonical_value(kind, value) == value
            elif kind == "case_id":
                ok = canonical_value(kind, value) is not None
            else:
                ok = True
            if not ok:
                errors.append(f"{text!r}: {span} -> {kind}={value}")
    return errors


def test_training_annotations_carry_contract_canonical_values(training, contract):
    assert _annotation_errors(training, contract) == []


def test_heldout_annotations_carry_contract_canonical_values(contract):
    for path in sorted((ROOT / "tests" / "nlu").glob("heldout_*.yml")):
        assert _annotation_errors(load_data(str(path)), contract) == [], path.name
