"""Jieba segmentation with the bank's domain dictionary.

The dictionary is generated from ``kb/`` (banking terms, product names and
aliases, branch names) and normalised exactly as messages are, so the words
match what the tokenizer sees. One :class:`jieba.Tokenizer` instance per
dictionary, shared by the Rasa tokenizer and the spaCy entity ruler: one
tokenisation path for training and inference.
"""
from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache
from typing import Dict, Iterable, List, Tuple

import jieba

from bot.kb import KnowledgeBase
from bot.nlu.normalise import normalise

__all__ = ["domain_words", "domain_segmenter", "segment", "TokenRules"]

logger = logging.getLogger(__name__)
jieba.setLogLevel(logging.WARNING)

# high enough that jieba keeps a domain word whole against its own dictionary
_DOMAIN_FREQUENCY = 200_000
_lock = threading.Lock()

# relative time expressions jieba would glue to the next word (这个月工资 →
# 这个/月工资), so time entities line up with tokens
_TIME_WORDS = (
    "今天", "明天", "后天", "大后天", "昨天", "前天", "今早", "今晚", "明早", "明晚", "昨晚",
    "这周", "本周", "上周", "下周", "这个星期", "上个星期", "下个星期", "这礼拜", "上礼拜",
    "下礼拜", "下个礼拜", "上个礼拜", "这个礼拜", "这个月", "本月", "上个月", "下个月", "月初",
    "月中", "月底", "今年", "去年", "明年", "前年", "年初", "年底", "最近", "近期",
    "近一周", "近一个月", "近三个月", "近半年", "近一年", "周末", "上午", "下午", "中午",
    "晚上", "早上", "傍晚",
)
# a number stays one token with its magnitude or date unit (3万, 11月, 3号):
# amount and time entities end there, never inside a jieba word like 万左右
_NUMBER_RE = re.compile(
    r"\d+(?:,\d{3})*(?:\.\d+)?(?:十万|百万|千万|[万千百亿wkm号日月点年周天])?", re.IGNORECASE
)


def domain_words(kb: KnowledgeBase) -> Tuple[str, ...]:
    """Every word the segmenter must keep whole, normalised, deduplicated."""
    words: List[str] = list(kb.terms) + list(_TIME_WORDS)
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


class TokenRules:
    """What the tokenizer does beyond jieba: numbers kept whole with their unit
    (3万, 11月) except inside domain words (稳享365天), and a name split from
    its title (王经理 → 王 + 经理: a person entity is the name alone)."""

    def __init__(self, surnames: Iterable[str], titles: Iterable[str], words: Iterable[str]) -> None:
        self._surnames = frozenset(surnames)
        self._titles = tuple(sorted(set(titles), key=len, reverse=True))
        self._words = frozenset(words)
        digit_words = sorted((w for w in self._words if re.search(r"\d", w)), key=len, reverse=True)
        alternatives = [re.escape(word) for word in digit_words] + [_NUMBER_RE.pattern]
        self._pieces = re.compile("|".join(alternatives), re.IGNORECASE)

    def split_name(self, word: str) -> List[str]:
        if word in self._words:
            return [word]
        for title in self._titles:
            name = word[: -len(title)]
            if word.endswith(title) and 1 <= len(name) <= 3 and name[0] in self._surnames:
                return [name, title]
        return [word]

    def pieces(self, text: str) -> Iterable[Tuple[str, int, bool]]:
        """``(piece, start, whole)``: domain words with digits and numbers are
        whole tokens; the text between them is left to jieba."""
        position = 0
        for match in self._pieces.finditer(text):
            if match.start() > position:
                yield text[position:match.start()], position, False
            yield match.group(), match.start(), True
            position = match.end()
        if position < len(text):
            yield text[position:], position, False


def segment(tokenizer: jieba.Tokenizer, text: str, rules: TokenRules) -> List[Tuple[str, int, int]]:
    """Tokens as ``(word, start, end)`` after the :class:`TokenRules`, and none
    of the whitespace tokens jieba emits between Chinese and Latin text (rasa
    issue 7910)."""
    tokens: List[Tuple[str, int, int]] = []
    for piece, offset, whole in rules.pieces(text):
        if whole:
            tokens.append((piece, offset, offset + len(piece)))
            continue
        for word, start, _ in tokenizer.tokenize(piece):
            if not word.strip():
                continue
            position = offset + start
            for part in rules.split_name(word):
                tokens.append((part, position, position + len(part)))
                position += len(part)
    return tokens


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
