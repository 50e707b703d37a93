"""Finding the product a client means: by code, catalogue name or alias, else the closest names.

Pure, typed functions over any sequence of products with a code, a name and
aliases (``bot.profile.queries.ProductView``). Text in either script is
normalised first (Traditional → Simplified, full-width → half-width, case).
Fuzzy matching is :mod:`difflib`'s ratio over windows of the text as long as
each name, so 天天乐 finds 天天利 inside a whole question.
"""
from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Dict, Generic, Iterable, List, Optional, Protocol, Sequence, Tuple, TypeVar

from bot.nlu.normalise import normalise

__all__ = [
    "RESOLVE_SCORE",
    "SUGGEST_SCORE",
    "Named",
    "Match",
    "Resolution",
    "key_of",
    "find_exact",
    "mentioned_in",
    "closest",
    "resolve",
    "on_sale_of_type",
]

RESOLVE_SCORE = 0.8  # a fuzzy match this close, clearly ahead of the next, is the product
SUGGEST_SCORE = 0.5  # closer than this: offered as "did you mean"
_MARGIN = 0.1
_SHORTEST_FUZZY_NAME = 3  # two-character aliases only match exactly
_LONGEST_FUZZY_TEXT = 80  # characters of a question searched fuzzily


class Named(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def aliases(self) -> Tuple[str, ...]: ...


P = TypeVar("P", bound=Named)


@dataclass(frozen=True)
class Match(Generic[P]):
    product: P
    score: float  # 0–1; 1 is an exact name


@dataclass(frozen=True)
class Resolution(Generic[P]):
    """The products the client named (``found``), or else the closest ones to offer."""

    found: Tuple[P, ...] = ()
    suggestions: Tuple[P, ...] = ()
    unknown: Tuple[str, ...] = ()  # names asked for that matched nothing exactly

    @property
    def resolved(self) -> bool:
        return bool(self.found)


@lru_cache(maxsize=4096)
def key_of(text: str) -> str:
    """The form names are compared in: Simplified, half-width, lower case, no spaces."""
    return normalise(text).text.replace(" ", "").lower()


def _names(product: Named) -> Tuple[str, ...]:
    return (product.name, *product.aliases)


def find_exact(catalogue: Sequence[P], name: str) -> Optional[P]:
    """The product whose code, name or alias is ``name`` (any script, any case)."""
    wanted = key_of(name)
    if not wanted:
        return None
    for product in catalogue:
        if wanted == product.code.lower() or wanted in (key_of(each) for each in _names(product)):
            return product
    return None


def mentioned_in(catalogue: Sequence[P], text: str) -> Tuple[P, ...]:
    """Products whose code, name or alias appears in ``text``, in the order they appear;
    a longer name wins over a shorter one inside it (稳享365天 over 稳享365)."""
    view = key_of(text)
    spans: List[Tuple[int, int, P]] = []
    candidates = [(key_of(each), product) for product in catalogue for each in (*_names(product), product.code)]
    for name, product in sorted(candidates, key=lambda item: len(item[0]), reverse=True):
        start = view.find(name) if name else -1
        while start >= 0:
            end = start + len(name)
            if not any(start < taken_end and taken_start < end for taken_start, taken_end, _ in spans):
                spans.append((start, end, product))
            start = view.find(name, start + 1)
    found: Dict[str, P] = {}
    for _, _, product in sorted(spans, key=lambda span: span[0]):
        found.setdefault(product.code, product)
    return tuple(found.values())


def _partial_ratio(query: str, name: str) -> float:
    if not query or not name:
        return 0.0
    best = SequenceMatcher(None, query, name).ratio()
    for width in (len(name), len(name) + 1):
        for start in range(0, max(len(query) - width, 0) + 1):
            best = max(best, SequenceMatcher(None, query[start:start + width], name).ratio())
    return best


def closest(catalogue: Sequence[P], query: str, limit: int = 3, cutoff: float = SUGGEST_SCORE) -> Tuple[Match[P], ...]:
    """The products whose names are closest to ``query`` (a name or a whole question), best first."""
    view = key_of(query)[:_LONGEST_FUZZY_TEXT]
    scored: List[Match[P]] = []
    for product in catalogue:
        names = [key_of(each) for each in _names(product)]
        fuzzy = [name for name in names if len(name) >= _SHORTEST_FUZZY_NAME]
        score = max((_partial_ratio(view, name) for name in fuzzy), default=0.0)
        if any(name and name in view for name in names):
            score = 1.0
        if score >= cutoff:
            scored.append(Match(product, round(score, 4)))
    scored.sort(key=lambda match: (-match.score, match.product.code))
    return tuple(scored[:limit])


def _confident(matches: Sequence[Match[P]]) -> Optional[P]:
    if not matches or matches[0].score < RESOLVE_SCORE:
        return None
    if len(matches) > 1 and matches[1].score > matches[0].score - _MARGIN:
        return None
    return matches[0].product


def _unique(products: Iterable[P]) -> Tuple[P, ...]:
    seen: Dict[str, P] = {}
    for product in products:
        seen.setdefault(product.code, product)
    return tuple(seen.values())


def resolve(catalogue: Sequence[P], names: Sequence[str], text: str, limit: int = 3) -> Resolution[P]:
    """The products meant by the NLU's ``product`` values, else by the text.

    Each value is looked up exactly, then fuzzily; without values the text is
    searched for names, then fuzzily. What matches nothing for sure yields the
    closest products as suggestions.
    """
    found: List[P] = []
    suggestions: List[P] = []
    unknown: List[str] = []
    for name in names:
        exact = find_exact(catalogue, name)
        if exact is not None:
            found.append(exact)
            continue
        matches = closest(catalogue, name, limit)
        confident = _confident(matches)
        if confident is not None:
            found.append(confident)
        else:
            unknown.append(name)
            suggestions.extend(match.product for match in matches)
    if not names:
        found.extend(mentioned_in(catalogue, text))
        if not found:
            matches = closest(catalogue, text, limit)
            confident = _confident(matches)
            if confident is not None:
                found.append(confident)
            else:
                suggestions.extend(match.product for match in matches)
    resolved = _unique(found)
    return Resolution(resolved, tuple(p for p in _unique(suggestions) if p not in resolved)[:limit], tuple(unknown))


def on_sale_of_type(catalogue: Sequence[P], product_type: str) -> Tuple[P, ...]:
    """The products of ``product_type`` (the contract's canonical value) that are on sale."""
    return tuple(
        product for product in catalogue
        if getattr(product, "type", None) == product_type and getattr(product, "on_sale", False)
    )
