"""When the bot hands a conversation to a person: one pure rule over typed signals.

The actions fill :class:`ConversationSignals` from the tracker and the client's
profile; :func:`should_hand_off` returns the reason, or None to carry on.
When several rules hold, the first in this order wins (urgent first):

1. CARD_LOSS (urgent): ``urgent_handoff`` is set (a card was frozen after a loss);
2. SUSPECTED_FRAUD (urgent): the action saw fraud (complaint category card_fraud);
3. COMPLAINT_HIGH_SEVERITY: ``handoff_reason`` is ``complaint_high_severity``
   (the slot may carry any reason's value; an unknown value is ignored);
4. RM_REQUESTED: request_human naming the client's own RM, from a client of a
   tier in ``rm_request_tiers`` (私人银行, 钻石);
5. CLIENT_REQUEST: request_human, any time, at once (no "are you sure");
6. ELDERLY_DIFFICULTY: an elderly client at the first sign of difficulty: one
   fallback, a negative message or a question asked again;
7. REPEATED_FALLBACK: ``fallbacks_in_a_row`` fallbacks in a row (two).

Helpers for the action: :func:`fallbacks_in_a_row` counts trailing fallback
intents, :func:`asks_for_own_rm` tells whether a request names the client's RM,
:func:`repeats_earlier` whether a message asks again what was just asked.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import Enum
from typing import Iterable, Iterator, List, Optional, Sequence, Tuple

from bot.handoff.sentiment import SentimentLabel
from bot.nlu.normalise import normalise

__all__ = [
    "FALLBACK_INTENTS",
    "REQUEST_HUMAN",
    "HandoffReason",
    "ConversationSignals",
    "TriggerRules",
    "should_hand_off",
    "fallbacks_in_a_row",
    "asks_for_own_rm",
    "repeats_earlier",
]

REQUEST_HUMAN = "request_human"
FALLBACK_INTENTS = frozenset({"nlu_fallback"})

# how a client names their relationship manager (normalised text: Simplified, lower case)
_RM_WORDS = ("客户经理", "理财经理", "专属经理", "专属顾问", "理财顾问", "财富顾问", "私行顾问", "私人银行家",
             "投资顾问", "理专", "我的经理", "我的顾问")
_RM_LATIN = re.compile(r"(?<![a-z])(rm|banker|relationship manager)(?![a-z])")
_TITLE = ("经理", "顾问")
_NOT_WORDS = re.compile(r"[\W_]+", re.UNICODE)
_MIN_REPEAT_CHARS = 4  # 好的 twice is not a question asked again


class HandoffReason(str, Enum):
    """Why a person takes over; the value is what the context package and the desk show."""

    CARD_LOSS = "card_loss"
    SUSPECTED_FRAUD = "suspected_fraud"
    COMPLAINT_HIGH_SEVERITY = "complaint_high_severity"
    RM_REQUESTED = "rm_requested"
    CLIENT_REQUEST = "client_request"
    ELDERLY_DIFFICULTY = "elderly_difficulty"
    REPEATED_FALLBACK = "repeated_fallback"

    @property
    def urgent(self) -> bool:
        """Goes straight to the contact center, with the RM notified."""
        return self in (HandoffReason.CARD_LOSS, HandoffReason.SUSPECTED_FRAUD)


_PRECEDENCE: List[HandoffReason] = list(HandoffReason)  # declaration order: the first that holds wins


@dataclass(frozen=True)
class TriggerRules:
    """The thresholds of the rules (``triggers:`` in ``kb/handoff.yml``)."""

    fallbacks_in_a_row: int = 2
    elderly_fallbacks_in_a_row: int = 1
    rm_request_tiers: Tuple[str, ...] = ("私人银行", "钻石")
    repeat_similarity: float = 0.8
    repeat_lookback: int = 3

    def __post_init__(self) -> None:
        if self.fallbacks_in_a_row < 1 or self.elderly_fallbacks_in_a_row < 1:
            raise ValueError("fallback thresholds must be at least 1")
        if not 0 < self.repeat_similarity <= 1 or self.repeat_lookback < 1:
            raise ValueError("repeat_similarity must be in (0, 1] and repeat_lookback at least 1")


@dataclass(frozen=True)
class ConversationSignals:
    """What the action knows at this turn; every field defaults to "nothing happened"."""

    latest_intent: Optional[str] = None
    asks_for_own_rm: bool = False  # the request names the client's RM (see asks_for_own_rm)
    fallbacks_in_a_row: int = 0  # trailing nlu_fallback turns, this one included
    handoff_reason: Optional[str] = None  # the slot; complaints set "complaint_high_severity"
    urgent_handoff: bool = False  # the slot; the card-loss action sets it after the freeze
    suspected_fraud: bool = False  # e.g. complaint_category == "card_fraud"
    tier: Optional[str] = None  # None: not verified
    is_elderly: bool = False
    latest_sentiment: Optional[SentimentLabel] = None  # of the latest client message
    repeated_question: bool = False  # see repeats_earlier


def _slot_reason(value: Optional[str]) -> Optional[HandoffReason]:
    try:
        return HandoffReason(value) if value else None
    except ValueError:  # a value this module does not know: no rule of its own
        return None


def _reasons_holding(signals: ConversationSignals, rules: TriggerRules) -> Iterator[HandoffReason]:
    if signals.urgent_handoff:
        yield HandoffReason.CARD_LOSS
    if signals.suspected_fraud:
        yield HandoffReason.SUSPECTED_FRAUD
    slot_reason = _slot_reason(signals.handoff_reason)
    if slot_reason is not None:
        yield slot_reason
    if signals.latest_intent == REQUEST_HUMAN:
        if signals.asks_for_own_rm and signals.tier in rules.rm_request_tiers:
            yield HandoffReason.RM_REQUESTED
        yield HandoffReason.CLIENT_REQUEST
    if signals.is_elderly and (
        signals.fallbacks_in_a_row >= rules.elderly_fallbacks_in_a_row
        or signals.latest_sentiment is SentimentLabel.NEGATIVE
        or signals.repeated_question
    ):
        yield HandoffReason.ELDERLY_DIFFICULTY
    if signals.fallbacks_in_a_row >= rules.fallbacks_in_a_row:
        yield HandoffReason.REPEATED_FALLBACK


def should_hand_off(signals: ConversationSignals, rules: TriggerRules = TriggerRules()) -> Optional[HandoffReason]:
    """The reason to hand off now, or None. When several hold, the first in
    :class:`HandoffReason`'s order wins (urgent ones first)."""
    return min(_reasons_holding(signals, rules), key=_PRECEDENCE.index, default=None)


def fallbacks_in_a_row(intents: Iterable[Optional[str]]) -> int:
    """How many of the latest intents (oldest first) are fallbacks, counted from the end."""
    count = 0
    for intent in reversed(list(intents)):
        if intent not in FALLBACK_INTENTS:
            break
        count += 1
    return count


def _view(text: Optional[str]) -> str:
    return normalise(text or "").text


def asks_for_own_rm(text: Optional[str], rm_name: Optional[str] = None,
                    person: Optional[str] = None) -> bool:
    """Whether a request for a person asks for the client's relationship manager.

    True when the text names the role (客户经理, 理财经理, 专属顾问, 私人银行家, 理专, RM …),
    the RM's full name, or the RM's surname with 经理 / 顾问; or when the NLU found a
    ``person`` entity that is the RM's name or surname.
    """
    view = _view(text).replace(" ", "")
    if any(word in view for word in _RM_WORDS) or _RM_LATIN.search(_view(text)):
        return True
    name = _view(rm_name).replace(" ", "")
    if not name:
        return False
    if name in view or any(f"{name[0]}{title}" in view for title in _TITLE):
        return True
    named = _view(person).replace(" ", "")
    return bool(named) and named in (name, name[0])


def _comparable(text: str) -> str:
    return _NOT_WORDS.sub("", _view(text))


def repeats_earlier(text: Optional[str], earlier: Sequence[Optional[str]],
                    rules: TriggerRules = TriggerRules()) -> bool:
    """Whether ``text`` asks again what one of the latest ``repeat_lookback`` earlier client
    messages asked (punctuation, script and spacing aside); short replies never count."""
    current = _comparable(text or "")
    if len(current) < _MIN_REPEAT_CHARS:
        return False
    for before in list(earlier)[-rules.repeat_lookback:]:
        previous = _comparable(before or "")
        if len(previous) >= _MIN_REPEAT_CHARS and \
                SequenceMatcher(None, current, previous).ratio() >= rules.repeat_similarity:
            return True
    return False
