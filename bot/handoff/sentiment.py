"""How a client message feels: a lexicon scorer over normalised Chinese.

:func:`read_sentiment` never raises. It reads the first :data:`MAX_CHARS`
characters of a message, normalised by :func:`bot.nlu.normalise.normalise`
(Traditional and Cantonese read as Simplified Mandarin), and scans it
longest-match-first against the lexicon in ``kb/sentiment.yml``:

- a sentiment word adds its weight, times the intensifiers just before it
  (非常, 太, 特别 …);
- a negator (不, 没有, 不太 …) at most ``negation_window`` characters before a
  word flips it: 不专业 and 不太满意 read negative, 没有被盗刷 slightly positive;
  words that merely start with a negator (不错, 不过, 没问题) are lexicon
  entries of their own, so the longest match takes them whole;
- punctuation ends the reach of negators and intensifiers; a run of ``!!`` or
  ``??`` strengthens the whole message, and alone reads as impatience;
- emoji are read from the original text (normalisation removes them).

The score is ``tanh(total / scale)`` in [-1, 1]; thresholds in the lexicon
file turn it into a label. ``cues`` lists what was matched, in order, as the
stretch of normalised text that carried it (不太满意, 等了半天, 😡, ??).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import Enum
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Tuple

import yaml

from bot.kb import KB_DIR
from bot.nlu.normalise import normalise

__all__ = [
    "MAX_CHARS",
    "SENTIMENT_FILE",
    "SentimentLabel",
    "SentimentReading",
    "Lexicon",
    "load_lexicon",
    "read_sentiment",
]

MAX_CHARS = 2000  # longer messages are read up to here
SENTIMENT_FILE = KB_DIR / "sentiment.yml"

_BOUNDARY = frozenset(",.;:!?()[]{}<>\"'~、。，；：！？…“”‘’（）【】《》 \n\t")
_REPEATED = re.compile(r"[!?]{2,}")
_MAX_BOOST = 3.0


class SentimentLabel(str, Enum):
    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


@dataclass(frozen=True)
class SentimentReading:
    score: float  # in [-1, 1]
    label: SentimentLabel
    cues: Tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:
    """The scorer's content; every word in normalised form."""

    weights: Mapping[str, float]  # sentiment words, and 0 for neutral masks
    negators: FrozenSet[str]
    intensifiers: Mapping[str, float]
    emoji: Mapping[str, float]
    scale: float = 2.5
    negative_below: float = -0.2
    positive_above: float = 0.25
    negation_window: int = 2
    negated_positive: float = -0.8
    negated_negative: float = -0.3
    repeated_punctuation_boost: float = 1.4
    lone_question_marks: float = -0.8
    lone_exclamations: float = -0.6

    @cached_property
    def longest(self) -> int:
        words = [*self.weights, *self.negators, *self.intensifiers]
        return max((len(word) for word in words), default=1)

    def label_of(self, score: float) -> SentimentLabel:
        if score <= self.negative_below:
            return SentimentLabel.NEGATIVE
        if score >= self.positive_above:
            return SentimentLabel.POSITIVE
        return SentimentLabel.NEUTRAL


def _key(word: Any) -> str:
    return normalise(str(word)).text


def _float_map(raw: Any) -> Dict[str, float]:
    return {_key(word): float(weight) for word, weight in (raw or {}).items() if _key(word)}


def _lexicon_from(raw: Mapping[str, Any]) -> Lexicon:
    weights: Dict[str, float] = {}
    for word in raw.get("neutral") or ():
        if _key(word):
            weights[_key(word)] = 0.0
    weights.update(_float_map(raw.get("negative")))
    weights.update(_float_map(raw.get("positive")))
    settings = {name: float(raw[name]) for name in (
        "scale", "negative_below", "positive_above", "negated_positive", "negated_negative",
        "repeated_punctuation_boost", "lone_question_marks", "lone_exclamations") if name in raw}
    if "negation_window" in raw:
        settings["negation_window"] = int(raw["negation_window"])
    lexicon = Lexicon(
        weights=weights,
        negators=frozenset(_key(word) for word in raw.get("negators") or () if _key(word)),
        intensifiers=_float_map(raw.get("intensifiers")),
        emoji={str(char): float(weight) for char, weight in (raw.get("emoji") or {}).items()},
        **settings,  # type: ignore[arg-type]
    )
    if lexicon.scale <= 0 or not lexicon.negative_below < 0 < lexicon.positive_above:
        raise ValueError("the lexicon needs scale > 0 and negative_below < 0 < positive_above")
    return lexicon


@lru_cache(maxsize=4)
def load_lexicon(path: Path = SENTIMENT_FILE) -> Lexicon:
    """The lexicon in ``path`` (default ``kb/sentiment.yml``), read once per process."""
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    return _lexicon_from(loaded if isinstance(loaded, dict) else {})


@dataclass
class _Scan:
    """What the scan has seen since the last sentiment word or boundary."""

    negations: int = 0
    boost: float = 1.0
    since: int = 0  # characters since the last modifier
    start: int = -1  # where the first pending modifier began; -1: none pending

    def reset(self) -> None:
        self.negations, self.boost, self.since, self.start = 0, 1.0, 0, -1

    @property
    def pending(self) -> bool:
        return self.start >= 0


def _match(text: str, at: int, lexicon: Lexicon, longest: int) -> Optional[str]:
    for size in range(min(longest, len(text) - at), 0, -1):
        word = text[at:at + size]
        if word in lexicon.weights or word in lexicon.negators or word in lexicon.intensifiers:
            return word
    return None


def _words(text: str, lexicon: Lexicon) -> Tuple[float, List[str]]:
    """The sum of the text's word weights with negation and intensity, and the cues."""
    total, cues, scan = 0.0, [], _Scan()
    longest, at = lexicon.longest, 0
    while at < len(text):
        word = _match(text, at, lexicon, longest)  # before boundaries: [怒] starts with one
        if word is None and text[at] in _BOUNDARY:
            scan.reset()
            at += 1
            continue
        if word is None:
            if scan.pending:
                scan.since += 1
                if scan.since > lexicon.negation_window:
                    scan.reset()
            at += 1
            continue
        if word in lexicon.weights:
            weight = lexicon.weights[word]
            if weight:
                value = weight * scan.boost
                if scan.negations % 2:
                    value *= lexicon.negated_positive if weight > 0 else lexicon.negated_negative
                total += value
                cues.append(text[scan.start if scan.pending else at:at + len(word)])
            scan.reset()
        else:
            if not scan.pending:
                scan.start = at
            if word in lexicon.negators:
                scan.negations += 1
            else:
                scan.boost = min(scan.boost * lexicon.intensifiers[word], _MAX_BOOST)
            scan.since = 0
        at += len(word)
    return total, cues


def _emoji(original: str, lexicon: Lexicon) -> Tuple[float, List[str]]:
    total, cues = 0.0, []
    for char in original:
        weight = lexicon.emoji.get(char)
        if weight:
            total += weight
            cues.append(char)
    return total, cues


def _punctuated(total: float, text: str, lexicon: Lexicon) -> Tuple[float, List[str]]:
    runs = _REPEATED.findall(text)
    if not runs:
        return total, []
    if total:
        return total * lexicon.repeated_punctuation_boost, runs
    if any("?" in run for run in runs):
        return lexicon.lone_question_marks, runs
    if any(len(run) >= 3 for run in runs):
        return lexicon.lone_exclamations, runs
    return total, []


def read_sentiment(text: Any, lexicon: Optional[Lexicon] = None) -> SentimentReading:
    """How ``text`` reads: a score in [-1, 1], its label and the cues that made it. Never raises
    on what a client may send (empty, junk, any length); ``None`` reads neutral."""
    lexicon = lexicon or load_lexicon()
    original = ("" if text is None else str(text))[:MAX_CHARS]
    view = normalise(original).text
    total, cues = _words(view, lexicon)
    emoji_total, emoji_cues = _emoji(original, lexicon)
    total, punctuation = _punctuated(total + emoji_total, view, lexicon)
    score = math.tanh(total / lexicon.scale)
    if not math.isfinite(score):
        score = 0.0
    score = max(-1.0, min(1.0, score))
    return SentimentReading(round(score, 4), lexicon.label_of(score), tuple(cues + emoji_cues + punctuation))
