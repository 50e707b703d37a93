"""The advisor desk's wording from ``kb/desk.yml``, as a typed, checked :class:`DeskTexts`.

Advisor-facing only (clients never see it): the demo agents, a label and a
"because" phrase per :class:`~bot.handoff.triggers.HandoffReason`, AUM bands,
sentiment labels, what each intent asks about (topics) and how a pressed
button reads, the handoff summary's sentences and the next-step rules. (The
copilot's replies and suitability wording are ``kb/desk_replies.yml``'s, read by
``bot.advisor``.)

A template may use only the placeholders its section allows (``*_FIELDS``
below); a file that breaks a rule (a reason without a label, a band out of
order, an unknown placeholder or ``when``) raises :class:`DeskTextsError` when
loaded, not when an advisor opens a handoff. Nothing here reads the
environment; the file comes in as an argument.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from string import Formatter
from types import MappingProxyType
from typing import Any, Dict, FrozenSet, Iterable, List, Mapping, Optional, Tuple


from bot.clock import in_bank_time
from bot.handoff.sentiment import SentimentLabel
from bot.handoff.triggers import HandoffReason
from bot.kb import KB_DIR
from bot.yaml_files import read_mapping

__all__ = [
    "DESK_FILE",
    "REASON_PREFIX",
    "FACTS",
    "FACT_FIELDS",
    "COMMON_STEP_FIELDS",
    "DeskTextsError",
    "AumBand",
    "SummaryTexts",
    "StepRule",
    "DeskTexts",
    "desk_texts_from",
    "load_desk_texts",
    "placeholders",
]

DESK_FILE = KB_DIR / "desk.yml"
REASON_PREFIX = "reason:"  # when: reason:card_loss holds for that handoff reason

# what holds about a handoff (its `when`) → the placeholders a template for it may use
FACT_FIELDS: Mapping[str, FrozenSet[str]] = MappingProxyType({
    "anonymous": frozenset(),
    "risk_expired": frozenset({"risk_expires_on"}),
    "open_case": frozenset({"count", "case_id", "due_on"}),
    "case_overdue": frozenset({"case_id", "due_on"}),
    "cases_unavailable": frozenset(),
    "maturity_soon": frozenset({"product_name", "matures_on", "days", "count"}),
    "upcoming_appointment": frozenset({"at", "branch", "rm_name"}),
    "elderly": frozenset(),
    "negative_sentiment": frozenset(),
    "rm_notified": frozenset({"rm_name"}),
    "waits_in_queue": frozenset({"reply_expected_by"}),
})
FACTS: Tuple[str, ...] = tuple(FACT_FIELDS)
COMMON_STEP_FIELDS = frozenset({"name", "rm_name", "tier"})
_CLIENT_FIELDS = frozenset({"name", "tier", "risk_tolerance", "risk_expires_on", "aum_band", "rm_name"})
_CONVERSATION_FIELDS = frozenset({"count", "topics", "last"})
_MOOD_FIELDS = frozenset({"label", "cues"})
_SUMMARY_FIELDS: Mapping[str, FrozenSet[str]] = MappingProxyType({
    "client": _CLIENT_FIELDS,
    "client_risk_expired": _CLIENT_FIELDS,
    "anonymous": frozenset(),
    "opening": frozenset({"who", "because"}),
    "conversation": _CONVERSATION_FIELDS,
    "conversation_no_topics": _CONVERSATION_FIELDS,
    "conversation_topics_only": _CONVERSATION_FIELDS,
    "conversation_buttons_only": _CONVERSATION_FIELDS,
    "conversation_empty": _CONVERSATION_FIELDS,
    "mood": _MOOD_FIELDS,
    "mood_with_cues": _MOOD_FIELDS,
})
_BUTTON_FIELDS = frozenset({"name", "values"})
_OFFERED_FIELDS = frozenset({"titles"})
_FORMAT_FIELDS = frozenset({"year", "month", "day", "hour", "minute"})


class DeskTextsError(ValueError):
    """``kb/desk.yml`` breaks a rule; the message says which."""


@dataclass(frozen=True)
class AumBand:
    lower: Decimal  # inclusive, CNY
    label: str


@dataclass(frozen=True)
class SummaryTexts:
    """The summary's sentence templates (``summary:``)."""

    client: str
    client_risk_expired: str
    anonymous: str
    opening: str
    conversation: str
    conversation_no_topics: str
    conversation_topics_only: str
    conversation_buttons_only: str
    conversation_empty: str
    mood: str
    mood_with_cues: str
    topic_joiner: str = "、"
    topic_last_joiner: str = "和"
    cue_joiner: str = "、"
    max_topics: int = 3
    max_cues: int = 3
    last_max_chars: int = 40

    def join_topics(self, topics: Iterable[str]) -> str:
        """余额、交易明细和理财持仓: the joiner between, the last joiner before the last."""
        items = list(topics)
        if len(items) <= 1:
            return "".join(items)
        return self.topic_joiner.join(items[:-1]) + self.topic_last_joiner + items[-1]


@dataclass(frozen=True)
class StepRule:
    """A suggested next step: ``text`` is added when ``when`` holds (``reason:…`` or a fact)."""

    when: str
    text: str


@dataclass(frozen=True)
class DeskTexts:
    agents: Mapping[str, str]  # agent id → display name
    reason_labels: Mapping[str, str]  # HandoffReason value → queue label
    reason_because: Mapping[str, str]  # HandoffReason value → the phrase after 因
    aum_bands: Tuple[AumBand, ...]  # ascending, the first from 0
    sentiment_labels: Mapping[str, str]  # SentimentLabel value → 负面 / 平稳 / 正面
    topics: Mapping[str, str]  # intent → what it asks about
    buttons: Mapping[str, str]  # intent → the name of its button
    button_line: str  # 〔按钮：{name}〕
    button_line_with_values: str  # 〔按钮：{name} {values}〕
    offered_buttons: str  # 〔可选：{titles}〕
    date_format: str  # {year}-{month:02d}-{day:02d}
    moment_format: str  # {month}月{day}日 {hour:02d}:{minute:02d}, bank time
    summary: SummaryTexts
    next_steps: Tuple[StepRule, ...]
    max_next_steps: int

    def aum_band(self, aum: Decimal) -> str:
        """The label of the band ``aum`` (CNY) falls in; below 0 reads as the first band."""
        label = self.aum_bands[0].label
        for band in self.aum_bands:
            if aum >= band.lower:
                label = band.label
        return label

    def reason_label(self, reason: str) -> str:
        return self.reason_labels.get(reason, reason)

    def sentiment_label(self, label: str) -> str:
        return self.sentiment_labels.get(label, label)

    def agent_name(self, agent_id: str) -> Optional[str]:
        """The demo agent's name; None for an id that is no agent."""
        return self.agents.get(agent_id)

    def date_text(self, day: date) -> str:
        return self.date_format.format(year=day.year, month=day.month, day=day.day, hour=0, minute=0)

    def moment_text(self, moment: datetime) -> str:
        """An aware instant as the desk reads it, in bank time."""
        local = in_bank_time(moment)
        return self.moment_format.format(year=local.year, month=local.month, day=local.day, hour=local.hour,
                                         minute=local.minute)

    def button_name(self, intent: str) -> str:
        """What the button of ``intent`` says: its button name, else its topic, else the intent."""
        return self.buttons.get(intent) or self.topics.get(intent) or intent


def placeholders(template: str) -> FrozenSet[str]:
    """The ``{names}`` a template uses; a malformed one raises ValueError."""
    return frozenset(field.split(".")[0].split("[")[0]
                     for _, field, _, _ in Formatter().parse(template) if field is not None)


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise DeskTextsError(f"{where} must be non-empty text")
    return value.strip()


def _template(value: Any, where: str, allowed: FrozenSet[str]) -> str:
    text = _text(value, where)
    try:
        used = placeholders(text)
    except ValueError as error:
        raise DeskTextsError(f"{where}: {error}") from None
    unknown = sorted(used - allowed)
    if unknown:
        raise DeskTextsError(f"{where} uses unknown placeholders {unknown}; allowed: {sorted(allowed)}")
    return text


def _format(value: Any, where: str) -> str:
    """A date or time format: only the allowed fields, and it must format."""
    text = _template(value, where, _FORMAT_FIELDS)
    try:
        text.format(year=2026, month=1, day=2, hour=3, minute=4)
    except (ValueError, TypeError) as error:
        raise DeskTextsError(f"{where}: {error}") from None
    return text


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise DeskTextsError(f"{where} must be a mapping")
    return value


def _count(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise DeskTextsError(f"{where} must be a positive whole number")
    return value


def _when(value: Any, where: str) -> str:
    text = _text(value, where)
    if text in FACT_FIELDS:
        return text
    if text.startswith(REASON_PREFIX):
        try:
            HandoffReason(text[len(REASON_PREFIX):])
            return text
        except ValueError:
            pass
    raise DeskTextsError(f"{where}: {text!r} is no handoff reason (reason:…) nor a fact {list(FACTS)}")


def _agents(raw: Any) -> Mapping[str, str]:
    agents: Dict[str, str] = {}
    for index, item in enumerate(raw or ()):
        entry = _mapping(item, f"agents[{index}]")
        agents[_text(entry.get("id"), f"agents[{index}].id")] = _text(entry.get("name"), f"agents[{index}].name")
    if not agents:
        raise DeskTextsError("agents must list at least one contact-center agent")
    return MappingProxyType(agents)


def _reasons(raw: Any) -> Tuple[Mapping[str, str], Mapping[str, str]]:
    reasons = _mapping(raw, "reasons")
    labels: Dict[str, str] = {}
    because: Dict[str, str] = {}
    for reason in HandoffReason:
        entry = _mapping(reasons.get(reason.value), f"reasons.{reason.value}")
        labels[reason.value] = _text(entry.get("label"), f"reasons.{reason.value}.label")
        because[reason.value] = _text(entry.get("because"), f"reasons.{reason.value}.because")
    unknown = sorted(set(reasons) - set(labels))
    if unknown:
        raise DeskTextsError(f"reasons lists unknown handoff reasons {unknown}")
    return MappingProxyType(labels), MappingProxyType(because)


def _bands(raw: Any) -> Tuple[AumBand, ...]:
    bands: List[AumBand] = []
    for index, item in enumerate(raw or ()):
        entry = _mapping(item, f"aum_bands[{index}]")
        try:
            lower = Decimal(str(entry.get("from")))
        except InvalidOperation:
            raise DeskTextsError(f"aum_bands[{index}].from must be a number") from None
        if bands and lower <= bands[-1].lower:
            raise DeskTextsError("aum_bands must ascend")
        bands.append(AumBand(lower, _text(entry.get("label"), f"aum_bands[{index}].label")))
    if not bands or bands[0].lower != 0:
        raise DeskTextsError("aum_bands must start from 0")
    return tuple(bands)


def _summary(raw: Any) -> SummaryTexts:
    entry = _mapping(raw, "summary")
    templates: Dict[str, Any] = {name: _template(entry.get(name), f"summary.{name}", allowed)
                                 for name, allowed in _SUMMARY_FIELDS.items()}
    settings: Dict[str, Any] = {}
    for name in ("topic_joiner", "topic_last_joiner", "cue_joiner"):
        if name in entry:
            settings[name] = str(entry[name])
    for name in ("max_topics", "max_cues", "last_max_chars"):
        if name in entry:
            settings[name] = _count(entry[name], f"summary.{name}")
    return SummaryTexts(**templates, **settings)


def _steps(raw: Any) -> Tuple[StepRule, ...]:
    steps: List[StepRule] = []
    for index, item in enumerate(raw or ()):
        entry = _mapping(item, f"next_steps[{index}]")
        when = _when(entry.get("when"), f"next_steps[{index}].when")
        allowed = COMMON_STEP_FIELDS | FACT_FIELDS.get(when, frozenset())
        steps.append(StepRule(when, _template(entry.get("text"), f"next_steps[{index}].text", allowed)))
    missing = [reason.value for reason in HandoffReason if REASON_PREFIX + reason.value not in
               {step.when for step in steps}]
    if missing:
        raise DeskTextsError(f"next_steps has no step for the reasons {missing}")
    return tuple(steps)


def desk_texts_from(raw: Mapping[str, Any]) -> DeskTexts:
    """Checked texts from the parsed YAML; :class:`DeskTextsError` names the first broken rule."""
    labels, because = _reasons(raw.get("reasons"))
    sentiment = _mapping(raw.get("sentiment"), "sentiment")
    button_line = _mapping(raw.get("button_line"), "button_line")
    formats = _mapping(raw.get("formats"), "formats")
    return DeskTexts(
        agents=_agents(raw.get("agents")),
        reason_labels=labels,
        reason_because=because,
        aum_bands=_bands(raw.get("aum_bands")),
        sentiment_labels=MappingProxyType({label.value: _text(sentiment.get(label.value), f"sentiment.{label.value}")
                                           for label in SentimentLabel}),
        topics=MappingProxyType({str(intent): _text(text, f"topics.{intent}")
                                 for intent, text in _mapping(raw.get("topics") or {}, "topics").items()}),
        buttons=MappingProxyType({str(intent): _text(text, f"buttons.{intent}")
                                  for intent, text in _mapping(raw.get("buttons") or {}, "buttons").items()}),
        button_line=_template(button_line.get("plain"), "button_line.plain", _BUTTON_FIELDS),
        button_line_with_values=_template(button_line.get("with_values"), "button_line.with_values", _BUTTON_FIELDS),
        offered_buttons=_template(button_line.get("offered"), "button_line.offered", _OFFERED_FIELDS),
        date_format=_format(formats.get("date"), "formats.date"),
        moment_format=_format(formats.get("moment"), "formats.moment"),
        summary=_summary(raw.get("summary")),
        next_steps=_steps(raw.get("next_steps")),
        max_next_steps=_count(raw.get("max_next_steps", 5), "max_next_steps"),
    )


@lru_cache(maxsize=4)
def load_desk_texts(path: Path = DESK_FILE) -> DeskTexts:
    """The texts in ``path`` (default ``kb/desk.yml``), read and checked once per process."""
    return desk_texts_from(read_mapping(path, DeskTextsError))
