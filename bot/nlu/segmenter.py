"""Jieba segmentation with the bank's domain dictionary.

The dictionary is generated from ``kb/`` (banking terms, product names and
aliases, branch names) and normalised exactly as messages are, so the words
match what the tokenizer sees. One :class:`jieba.Tokenizer` instance per
dictionary, shared by the Rasa tokenizer and the spaCy entity ruler: one
tokenisation path for training and inference.
"""
from __future__ import annotations

import logging
import threading
from functools import lru_cache
from typing import Dict, Iterable, List, Tuple

import jieba

from bot.kb import KnowledgeBase
from bot.nlu.normalise import normalise

__all__ = ["domain_words", "domain_segmenter", "segment"]

logger = logging.getLogger(__name__)
jieba.setLogLevel(logging.WARNING)

# high enough that jieba keeps a domain word whole against its own dictionary
_DOMAIN_FREQUENCY = 200_000
_lock = threading.Lock()


def domain_words(kb: KnowledgeBase) -> Tuple[str, ...]:
    """Every word the segmenter must keep whole, normalised, deduplicated."""
    words: List[str] = list(kb.terms)
    for product in kb.products:
        words.extend(product.names)
    for branch in kb.branches:
        words.extend(branch.names)
    normalised = (normalise(word).text for word in words)
    return tuple(dict.fromkeys(word for word in normalised if word and " " not in word))


@lru_cache(maxsize=4)
def domain_segmenter(words: Tuple[str, ...]) -> jieba.Tokenizer:
    """A jieba tokenizer of its own (not jieba's global one) with ``words`` added."""
    with _lock:
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        for word in words:
            tokenizer.add_word(word, freq=_DOMAIN_FREQUENCY)
    return tokenizer


def segment(tokenizer: jieba.Tokenizer, text: str) -> List[Tuple[str, int, int]]:
    """Tokens as ``(word, start, end)``, without the whitespace tokens jieba
    emits between Chinese and Latin text (rasa issue 7910)."""
    return [
        (word, start, end)
        for word, start, end in tokenizer.tokenize(text)
        if word.strip()
    ]


def words_by_label(kb: KnowledgeBase) -> Dict[str, Dict[str, str]]:
    """Normalised surface form → canonical name, per entity label."""
    table: Dict[str, Dict[str, str]] = {"product": {}, "branch": {}}
    for product in kb.products:
        for name in product.names:
            table["product"][normalise(name).text] = product.name
    for branch in kb.branches:
        for name in branch.names:
            table["branch"][normalise(name).text] = branch.name
    return table


def iter_nonempty(values: Iterable[str]) -> List[str]:
    return [value for value in values if value]
