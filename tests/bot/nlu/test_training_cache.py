"""Rasa's training cache must not hand back a component made from an old kb/ or old code.

Rasa keys a cached component by its class's own source, its config and its
inputs; our components also depend on ``kb/`` (the lexicon, products, names)
and on helper modules (segmenter, normaliser), which it does not see.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rasa.engine.training.fingerprinting import calculate_fingerprint_key

from bot.kb import KB_DIR
from bot.nlu import components
from bot.nlu.components import (
    DomainJiebaTokenizer,
    EntityCanonicaliser,
    KbEntityRuler,
    LinearIntentBlend,
    TextNormaliser,
)

OURS = (TextNormaliser, DomainJiebaTokenizer, LinearIntentBlend, KbEntityRuler, EntityCanonicaliser)


@pytest.fixture()
def kb_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    folder = tmp_path / "kb"
    shutil.copytree(KB_DIR, folder)
    monkeypatch.setattr(components, "KB_DIR", folder)
    components._made_from.cache_clear()
    yield folder
    components._made_from.cache_clear()


def _keys() -> dict:
    components._made_from.cache_clear()
    return {component: calculate_fingerprint_key(component, {}, {}) for component in OURS}


@pytest.mark.parametrize("component", OURS, ids=lambda component: component.__name__)
def test_a_word_added_to_the_lexicon_retrains_the_component(kb_copy, component):
    before = _keys()
    with (kb_copy / "terms.yml").open("a", encoding="utf-8") as terms:
        terms.write("- {word: 新开的商户, pos: nz}\n")
    assert _keys()[component] != before[component]


def test_the_same_kb_and_code_reuse_the_cache(kb_copy):
    assert _keys() == _keys()


def test_a_kb_file_the_nlu_does_not_read_retrains_nothing(kb_copy):
    before = _keys()
    with (kb_copy / "handoff.yml").open("a", encoding="utf-8") as config:
        config.write("# a service's configuration, not the model's\n")
    (kb_copy / "a_new_lexicon.yml").write_text("words: [好]\n", encoding="utf-8")
    assert _keys() == before
