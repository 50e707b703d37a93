"""The spaCy pipeline that recognises product, branch and person names.

A blank ``zh`` pipeline whose jieba segmenter is the domain segmenter, with an
EntityRuler whose patterns are generated from ``kb/``: product and branch
names with their aliases (the pattern id is the canonical name), and person
names written as surname (+ given name) + title (王经理, 张伟先生).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Tuple

import jieba
import spacy
from spacy.language import Language

from bot.kb import KnowledgeBase
from bot.nlu.segmenter import words_by_label

__all__ = ["build_ruler_pipeline", "load_ruler_pipeline", "person_name", "RULER_LABELS"]

RULER_LABELS = ("product", "branch", "person")
_ZH_CONFIG = {"nlp": {"tokenizer": {"segmenter": "jieba"}}}


def _blank_zh(segmenter: jieba.Tokenizer) -> Language:
    nlp = spacy.blank("zh", config=_ZH_CONFIG)
    nlp.tokenizer.jieba_seg = segmenter  # type: ignore[attr-defined]
    return nlp


def _patterns(nlp: Language, kb: KnowledgeBase) -> List[Dict[str, Any]]:
    patterns: List[Dict[str, Any]] = []
    for label, surfaces in words_by_label(kb).items():
        for surface, canonical in sorted(surfaces.items()):
            patterns.append({"label": label, "pattern": surface, "id": canonical})
    if kb.surnames and kb.titles:
        surnames = "|".join(sorted(kb.surnames, key=len, reverse=True))
        titles = "|".join(sorted(kb.titles, key=len, reverse=True))
        name = f"(?:{surnames})[\u4e00-\u9fff]{{0,2}}"
        patterns.append({
            "label": "person",
            "pattern": [{"TEXT": {"REGEX": f"^{name}$"}}, {"TEXT": {"REGEX": f"^(?:{titles})$"}}],
        })
        patterns.append({
            "label": "person",
            "pattern": [{"TEXT": {"REGEX": f"^{name}(?:{titles})$"}}],
        })
    return patterns


def build_ruler_pipeline(kb: KnowledgeBase, segmenter: jieba.Tokenizer) -> Language:
    nlp = _blank_zh(segmenter)
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "TEXT"})
    ruler.add_patterns(_patterns(nlp, kb))  # type: ignore[attr-defined]
    return nlp


def load_ruler_pipeline(path: Path, segmenter: jieba.Tokenizer) -> Language:
    nlp = spacy.load(path)
    nlp.tokenizer.jieba_seg = segmenter  # type: ignore[attr-defined]
    return nlp


def person_name(span_text: str, titles: Tuple[str, ...]) -> str:
    """The name without a trailing title: 王经理 → 王, 张伟先生 → 张伟."""
    for title in sorted(titles, key=len, reverse=True):
        if span_text.endswith(title) and len(span_text) > len(title):
            return span_text[: -len(title)]
    return span_text
