"""Handing a conversation to a person: when, to whom, and how the client's messages read.

- ``triggers``: :func:`should_hand_off` over :class:`ConversationSignals` → a
  :class:`HandoffReason` (urgent ones first), with helpers for the signals;
- ``routing``: :func:`route` → a :class:`Route` (the client's RM, the backup
  RM or the contact center; who is notified; the reply due time);
- ``hours``: :class:`WorkingHours` with China's public holidays;
- ``config``: ``kb/handoff.yml`` as a checked :class:`HandoffConfig`;
- ``sentiment``: :func:`read_sentiment`, a lexicon scorer (``kb/sentiment.yml``).

Pure functions: no database, no Rasa, no clock (``now`` is always passed in).
"""
from bot.handoff.config import (
    HANDOFF_FILE,
    ContactCenter,
    HandoffConfig,
    HandoffConfigError,
    config_from,
    load_handoff_config,
)
from bot.handoff.hours import ALWAYS_OPEN, WorkingHours
from bot.handoff.routing import Route, TargetKind, at_work, next_start, route
from bot.handoff.sentiment import SentimentLabel, SentimentReading, load_lexicon, read_sentiment
from bot.handoff.triggers import (
    ConversationSignals,
    HandoffReason,
    TriggerRules,
    asks_for_own_rm,
    fallbacks_in_a_row,
    repeats_earlier,
    should_hand_off,
)

__all__ = [
    "ALWAYS_OPEN",
    "HANDOFF_FILE",
    "ContactCenter",
    "ConversationSignals",
    "HandoffConfig",
    "HandoffConfigError",
    "HandoffReason",
    "Route",
    "SentimentLabel",
    "SentimentReading",
    "TargetKind",
    "TriggerRules",
    "WorkingHours",
    "asks_for_own_rm",
    "at_work",
    "config_from",
    "fallbacks_in_a_row",
    "load_handoff_config",
    "load_lexicon",
    "next_start",
    "read_sentiment",
    "repeats_earlier",
    "route",
    "should_hand_off",
]
