"""The context package: what the person taking over a conversation needs, masked, as one typed record.

A :class:`ContextPackage` holds the client 360 (:class:`Client360`: tier, AUM
band, risk tolerance and expiry, RM, open cases, upcoming appointments and
maturities), the reason and route, the transcript of the current session
(:class:`TranscriptLine`, at most :data:`MAX_TRANSCRIPT_LINES`), the intents and
entities in order, a sentiment reading per typed client message, a two-to-three
sentence summary in Chinese and suggested next steps. It is stored as JSON
(:meth:`ContextPackage.to_json`, read back by :meth:`ContextPackage.from_json`).

Nothing in it is unmasked: every text and entity value goes through
:func:`bot.masking.mask_text` (card and account numbers, mobiles, ID numbers,
e-mail addresses, tokens) when the transcript is read and again when the
package is built; the phone is the store's masked one. The wording (reason
phrases, summary sentences, next steps, how a button reads) comes from
``kb/desk.yml`` (:class:`~bot.handoff.desk_texts.DeskTexts`).

Pure: no database, no Rasa, no clock (``now`` and ``today`` are passed in).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from bot.appointments.store import AppointmentView
from bot.cases.types import Case
from bot.clock import BANK_TIME
from bot.handoff.desk_texts import REASON_PREFIX, DeskTexts, load_desk_texts
from bot.handoff.routing import Route
from bot.handoff.sentiment import Lexicon, SentimentLabel, load_lexicon, read_sentiment
from bot.handoff.triggers import HandoffReason
from bot.masking import TRADITIONAL, mask_text
from bot.profile.queries import ClientSummary, HoldingView

__all__ = [
    "PACKAGE_VERSION",
    "MAX_TRANSCRIPT_LINES",
    "MATURITY_DAYS",
    "CLIENT",
    "BOT",
    "AGENT",
    "TranscriptLine",
    "CaseLine",
    "AppointmentLine",
    "MaturityLine",
    "Client360",
    "RouteLine",
    "ContextPackage",
    "transcript_from_events",
    "client_360",
    "overall_sentiment",
    "facts_of",
    "fill",
    "summary_of",
    "next_steps_of",
    "build_package",
]

PACKAGE_VERSION = 1
MAX_TRANSCRIPT_LINES = 50  # the newest lines of the current session
MATURITY_DAYS = 30  # maturities within this many days go into the client 360
MOOD_WINDOW = 3  # the overall sentiment reads the latest typed client messages
CLIENT, BOT, AGENT = "client", "bot", "agent"
_PUNCTUATION_ONLY = re.compile(r"^[!?！？.。~～]+$")
_PAYLOAD = re.compile(r"^/([A-Za-z_][A-Za-z0-9_-]*)(\{.*\})?\s*$", re.DOTALL)


# ------------------------------------------------------------------------ records
@dataclass(frozen=True)
class TranscriptLine:
    at: datetime  # aware, UTC
    speaker: str  # client / bot / agent
    text: str  # masked; a pressed button reads as 〔按钮：转人工〕
    intent: Optional[str] = None  # client lines
    entities: Tuple[Tuple[str, str], ...] = ()  # (entity, masked value), client lines
    sentiment: Optional[str] = None  # SentimentLabel value, typed client messages only
    sentiment_score: Optional[float] = None  # in [-1, 1]
    sentiment_cues: Tuple[str, ...] = ()  # what carried it (太慢, ??)
    pressed_button: bool = False  # a client line that is a button's payload
    sender_name: Optional[str] = None  # the agent's name, agent lines

    def to_json(self) -> Dict[str, Any]:
        return {"at": self.at.isoformat(), "speaker": self.speaker, "text": self.text, "intent": self.intent,
                "entities": [list(pair) for pair in self.entities], "sentiment": self.sentiment,
                "sentiment_score": self.sentiment_score, "sentiment_cues": list(self.sentiment_cues),
                "pressed_button": self.pressed_button, "sender_name": self.sender_name}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "TranscriptLine":
        return cls(at=_instant(data["at"]), speaker=data["speaker"], text=data["text"], intent=data.get("intent"),
                   entities=tuple((str(name), str(value)) for name, value in data.get("entities", ())),
                   sentiment=data.get("sentiment"), sentiment_score=data.get("sentiment_score"),
                   sentiment_cues=tuple(data.get("sentiment_cues", ())),
                   pressed_button=bool(data.get("pressed_button", False)), sender_name=data.get("sender_name"))


@dataclass(frozen=True)
class CaseLine:
    """An open complaint of the client (from the case service)."""

    case_id: str
    category: str
    severity: str
    status: str
    due_on: date  # bank time
    overdue: bool


@dataclass(frozen=True)
class AppointmentLine:
    reference: str
    starts_at: datetime  # aware, UTC
    rm_name: str
    place: str  # rm_office / vip_room
    branch: str


@dataclass(frozen=True)
class MaturityLine:
    product_code: str
    product_name: str
    matures_on: date
    days_left: int
    currency: str
    amount: Decimal  # market value


@dataclass(frozen=True)
class Client360:
    client_id: str
    name: str
    tier: str
    aum_band: str
    risk_tolerance: str
    risk_expires_on: date
    risk_expired: bool
    is_elderly: bool
    phone_masked: str
    rm_id: Optional[str]
    rm_name: Optional[str]
    backup_rm_name: Optional[str]
    open_cases: Optional[Tuple[CaseLine, ...]]  # None: the case service could not be reached
    upcoming_appointments: Tuple[AppointmentLine, ...]
    maturities: Tuple[MaturityLine, ...]  # within MATURITY_DAYS, soonest first

    def to_json(self) -> Dict[str, Any]:
        return {
            "client_id": self.client_id, "name": self.name, "tier": self.tier, "aum_band": self.aum_band,
            "risk_tolerance": self.risk_tolerance, "risk_expires_on": self.risk_expires_on.isoformat(),
            "risk_expired": self.risk_expired, "is_elderly": self.is_elderly, "phone_masked": self.phone_masked,
            "rm_id": self.rm_id, "rm_name": self.rm_name, "backup_rm_name": self.backup_rm_name,
            "open_cases": None if self.open_cases is None else [
                {"case_id": case.case_id, "category": case.category, "severity": case.severity,
                 "status": case.status, "due_on": case.due_on.isoformat(), "overdue": case.overdue}
                for case in self.open_cases],
            "upcoming_appointments": [
                {"reference": item.reference, "starts_at": item.starts_at.isoformat(), "rm_name": item.rm_name,
                 "place": item.place, "branch": item.branch} for item in self.upcoming_appointments],
            "maturities": [
                {"product_code": item.product_code, "product_name": item.product_name,
                 "matures_on": item.matures_on.isoformat(), "days_left": item.days_left, "currency": item.currency,
                 "amount": str(item.amount)} for item in self.maturities],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Client360":
        cases = data.get("open_cases")
        return cls(
            client_id=data["client_id"], name=data["name"], tier=data["tier"], aum_band=data["aum_band"],
            risk_tolerance=data["risk_tolerance"], risk_expires_on=date.fromisoformat(data["risk_expires_on"]),
            risk_expired=bool(data["risk_expired"]), is_elderly=bool(data["is_elderly"]),
            phone_masked=data["phone_masked"], rm_id=data.get("rm_id"), rm_name=data.get("rm_name"),
            backup_rm_name=data.get("backup_rm_name"),
            open_cases=None if cases is None else tuple(
                CaseLine(item["case_id"], item["category"], item["severity"], item["status"],
                         date.fromisoformat(item["due_on"]), bool(item["overdue"])) for item in cases),
            upcoming_appointments=tuple(
                AppointmentLine(item["reference"], _instant(item["starts_at"]), item["rm_name"], item["place"],
                                item["branch"]) for item in data.get("upcoming_appointments", ())),
            maturities=tuple(
                MaturityLine(item["product_code"], item["product_name"], date.fromisoformat(item["matures_on"]),
                             int(item["days_left"]), item["currency"], Decimal(item["amount"]))
                for item in data.get("maturities", ())),
        )


@dataclass(frozen=True)
class RouteLine:
    """Where the handoff went (:class:`~bot.handoff.routing.Route` without the reason)."""

    target_kind: str  # rm / backup_rm / contact_center
    target_id: str
    target_name: str
    notify_rm_id: Optional[str]
    respond_within_seconds: int
    reply_expected_by: datetime
    waits_in_queue: bool
    rm_back_at: Optional[datetime] = None

    @classmethod
    def from_route(cls, route: Route) -> "RouteLine":
        return cls(route.target_kind.value, route.target_id, route.target_name, route.notify_rm_id,
                   int(route.respond_within.total_seconds()), route.reply_expected_by, route.waits_in_queue,
                   route.rm_back_at)

    def to_json(self) -> Dict[str, Any]:
        return {"target_kind": self.target_kind, "target_id": self.target_id, "target_name": self.target_name,
                "notify_rm_id": self.notify_rm_id, "respond_within_seconds": self.respond_within_seconds,
                "reply_expected_by": self.reply_expected_by.isoformat(), "waits_in_queue": self.waits_in_queue,
                "rm_back_at": self.rm_back_at.isoformat() if self.rm_back_at else None}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "RouteLine":
        back = data.get("rm_back_at")
        return cls(data["target_kind"], data["target_id"], data["target_name"], data.get("notify_rm_id"),
                   int(data["respond_within_seconds"]), _instant(data["reply_expected_by"]),
                   bool(data["waits_in_queue"]), _instant(back) if back else None)


@dataclass(frozen=True)
class ContextPackage:
    version: int
    conversation_id: str
    channel: str
    created_at: datetime
    reason: str  # HandoffReason value
    urgent: bool
    route: RouteLine
    client: Optional[Client360]  # None: the client was not verified
    transcript: Tuple[TranscriptLine, ...]
    intents: Tuple[str, ...]  # of the client lines, in order
    entities: Tuple[Tuple[str, str], ...]  # (entity, masked value), in order
    sentiment: str  # overall SentimentLabel value
    summary: str  # two or three Chinese sentences
    next_steps: Tuple[str, ...]

    def to_json(self) -> Dict[str, Any]:
        """Plain JSON types only (``json.dumps`` takes it as is)."""
        return {
            "version": self.version, "conversation_id": self.conversation_id, "channel": self.channel,
            "created_at": self.created_at.isoformat(), "reason": self.reason, "urgent": self.urgent,
            "route": self.route.to_json(), "client": self.client.to_json() if self.client else None,
            "transcript": [line.to_json() for line in self.transcript], "intents": list(self.intents),
            "entities": [list(pair) for pair in self.entities], "sentiment": self.sentiment,
            "summary": self.summary, "next_steps": list(self.next_steps),
        }

    def to_text(self) -> str:
        """The JSON as stored (compact, Chinese as is, keys sorted)."""
        return json.dumps(self.to_json(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "ContextPackage":
        client = data.get("client")
        return cls(
            version=int(data["version"]), conversation_id=data["conversation_id"], channel=data["channel"],
            created_at=_instant(data["created_at"]), reason=data["reason"], urgent=bool(data["urgent"]),
            route=RouteLine.from_json(data["route"]), client=Client360.from_json(client) if client else None,
            transcript=tuple(TranscriptLine.from_json(line) for line in data.get("transcript", ())),
            intents=tuple(data.get("intents", ())),
            entities=tuple((str(name), str(value)) for name, value in data.get("entities", ())),
            sentiment=data["sentiment"], summary=data["summary"], next_steps=tuple(data.get("next_steps", ())),
        )


def _instant(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"instant without a time zone: {value!r}")
    return parsed


# ---------------------------------------------------------------------- transcript
def _script(script: Optional[str]) -> str:
    """The masking script: Traditional for "traditional" (the slot) or "hant" (the store)."""
    return TRADITIONAL if script in (TRADITIONAL, "hant") else "simplified"


def _current_session(events: Sequence[Mapping[str, Any]]) -> Sequence[Mapping[str, Any]]:
    starts = [index for index, event in enumerate(events) if event.get("event") == "session_started"]
    return events[starts[-1] + 1:] if starts else events


def _event_time(event: Mapping[str, Any], before: Optional[datetime]) -> datetime:
    stamp = event.get("timestamp")
    if isinstance(stamp, (int, float)) and not isinstance(stamp, bool):
        return datetime.fromtimestamp(stamp, tz=timezone.utc)
    return before or datetime.fromtimestamp(0, tz=timezone.utc)


def _entities(raw: Any, script: str) -> Tuple[Tuple[str, str], ...]:
    pairs: List[Tuple[str, str]] = []
    for entity in raw or ():
        if isinstance(entity, Mapping) and entity.get("entity") and entity.get("value") is not None:
            pairs.append((str(entity["entity"]), mask_text(str(entity["value"]), script=script)))
    return tuple(pairs)


def _payload(text: str) -> Optional[Tuple[str, Tuple[Tuple[str, str], ...]]]:
    """``/intent{"entity": "value"}`` → the intent and the entities; None for typed text."""
    match = _PAYLOAD.match(text.strip())
    if not match:
        return None
    entities: List[Tuple[str, str]] = []
    if match.group(2):
        try:
            parsed = json.loads(match.group(2))
        except ValueError:
            parsed = {}
        if isinstance(parsed, Mapping):
            entities = [(str(name), str(value)) for name, value in parsed.items() if value is not None]
    return match.group(1), tuple(entities)


def _part(value: Any) -> Mapping[str, Any]:
    """A nested part of an event when it is a mapping, else empty (events are not checked by Rasa)."""
    return value if isinstance(value, Mapping) else {}


def _client_line(event: Mapping[str, Any], at: datetime, script: str, texts: DeskTexts,
                 lexicon: Lexicon) -> Optional[TranscriptLine]:
    text = event.get("text")
    parse = _part(event.get("parse_data"))
    named = _part(parse.get("intent")).get("name")
    intent = mask_text(str(named)) if named else None  # "/6217…" typed by hand is parsed as an intent
    entities = _entities(parse.get("entities"), script)
    if not isinstance(text, str) or not text.strip():
        return None
    payload = _payload(text)
    if payload is not None:
        pressed, payload_entities = payload
        intent = intent or pressed
        entities = entities or tuple((name, mask_text(value, script=script)) for name, value in payload_entities)
        values = " ".join(value for _, value in entities)
        template = texts.button_line_with_values if values else texts.button_line
        return TranscriptLine(at, CLIENT, template.format(name=texts.button_name(intent), values=values),
                              intent=intent, entities=entities, pressed_button=True)
    masked = mask_text(text, script=script)
    reading = read_sentiment(masked, lexicon)
    return TranscriptLine(at, CLIENT, masked, intent=intent, entities=entities, sentiment=reading.label.value,
                          sentiment_score=reading.score, sentiment_cues=reading.cues)


def _bot_line(event: Mapping[str, Any], at: datetime, script: str, texts: DeskTexts) -> Optional[TranscriptLine]:
    data = _part(event.get("data"))
    titles = [str(button.get("title")) for button in data.get("buttons") or ()
              if isinstance(button, Mapping) and button.get("title")]
    parts = [mask_text(event["text"], script=script)] if isinstance(event.get("text"), str) and event["text"] else []
    if titles:
        parts.append(texts.offered_buttons.format(titles=" / ".join(mask_text(title) for title in titles)))
    if not parts:
        return None
    metadata = _part(event.get("metadata"))
    if metadata.get("agent_id"):
        name = metadata.get("agent_name")
        return TranscriptLine(at, AGENT, "".join(parts), sender_name=str(name) if name else None)
    return TranscriptLine(at, BOT, "".join(parts))


def transcript_from_events(events: Sequence[Mapping[str, Any]], script: Optional[str] = None,
                           texts: Optional[DeskTexts] = None, lexicon: Optional[Lexicon] = None,
                           limit: int = MAX_TRANSCRIPT_LINES) -> Tuple[TranscriptLine, ...]:
    """The current session (after the last ``session_started``) of Rasa tracker events as masked lines,
    the newest ``limit``. User events are the client's (a button's payload reads as the button, with a
    sentiment reading for typed messages only); bot events with ``metadata.agent_id`` are the agent's."""
    texts = texts or load_desk_texts()
    lexicon = lexicon or load_lexicon()
    masking = _script(script)
    lines: List[TranscriptLine] = []
    at: Optional[datetime] = None
    for event in _current_session(events):
        kind = event.get("event")
        if kind not in ("user", "bot"):
            continue
        at = _event_time(event, at)
        line = (_client_line(event, at, masking, texts, lexicon) if kind == "user"
                else _bot_line(event, at, masking, texts))
        if line is not None:
            lines.append(line)
    return tuple(lines[-limit:]) if limit > 0 else ()


# ---------------------------------------------------------------------- client 360
def client_360(summary: ClientSummary, cases: Optional[Sequence[Case]], appointments: Sequence[AppointmentView],
               holdings: Sequence[HoldingView], today: date, texts: Optional[DeskTexts] = None,
               maturity_days: int = MATURITY_DAYS) -> Client360:
    """The client as the desk shows them: ``cases`` None when the case service could not be reached
    (only open ones are kept); holdings maturing within ``maturity_days`` of ``today``."""
    texts = texts or load_desk_texts()
    open_cases = None if cases is None else tuple(
        CaseLine(case.case_id, case.category, case.severity, case.status,
                 case.due_at.astimezone(BANK_TIME).date(), case.due_at.astimezone(BANK_TIME).date() < today)
        for case in sorted(cases, key=lambda case: case.due_at) if case.is_open)
    return Client360(
        client_id=summary.client_id, name=summary.name, tier=summary.tier, aum_band=texts.aum_band(summary.aum),
        risk_tolerance=summary.risk_tolerance, risk_expires_on=summary.risk_expires_on,
        risk_expired=summary.risk_assessment_expired(today), is_elderly=summary.is_elderly,
        phone_masked=summary.phone_masked, rm_id=summary.rm.rm_id if summary.rm else None,
        rm_name=summary.rm.name if summary.rm else None,
        backup_rm_name=summary.backup_rm.name if summary.backup_rm else None,
        open_cases=open_cases,
        upcoming_appointments=tuple(
            AppointmentLine(item.reference, item.starts_at, item.rm_name, item.place, item.branch)
            for item in appointments if item.status == "booked"),
        maturities=tuple(
            MaturityLine(item.product_code, item.product_name, item.matures_on, (item.matures_on - today).days,
                         item.currency, item.market_value)
            for item in sorted(holdings, key=lambda item: (item.matures_on or date.max, item.product_code))
            if item.matures_on is not None and item.matures_within(today, maturity_days)),
    )


# --------------------------------------------------------------- summary and steps
def _typed_client_lines(transcript: Iterable[TranscriptLine]) -> List[TranscriptLine]:
    return [line for line in transcript if line.speaker == CLIENT and not line.pressed_button]


def overall_sentiment(transcript: Sequence[TranscriptLine], lexicon: Optional[Lexicon] = None
                      ) -> Tuple[SentimentLabel, Tuple[str, ...]]:
    """How the client feels now, with the cues: negative when any of the latest typed messages
    (:data:`MOOD_WINDOW`) reads negative, else the label of their mean score."""
    lexicon = lexicon or load_lexicon()
    recent = [line for line in _typed_client_lines(transcript) if line.sentiment_score is not None][-MOOD_WINDOW:]
    if not recent:
        return SentimentLabel.NEUTRAL, ()
    negative = [line for line in recent if line.sentiment == SentimentLabel.NEGATIVE.value]
    label = SentimentLabel.NEGATIVE if negative else lexicon.label_of(
        sum(line.sentiment_score or 0.0 for line in recent) / len(recent))
    carrying = [line for line in recent if line.sentiment == label.value] if label != SentimentLabel.NEUTRAL else []
    cues: List[str] = []
    for line in carrying:  # words and emoji; a run of !! or ?? says nothing to a colleague
        cues.extend(cue for cue in line.sentiment_cues if cue not in cues and not _PUNCTUATION_ONLY.match(cue))
    return label, tuple(cues)


class _Blank(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return ""


def fill(template: str, fields: Mapping[str, Any]) -> str:
    """``template`` with its placeholders filled; a field not given reads as empty."""
    return template.format_map(_Blank({key: "" if value is None else value for key, value in fields.items()}))


def facts_of(reason: str, client: Optional[Client360], route: Optional[RouteLine], sentiment: str,
             texts: DeskTexts) -> Dict[str, Dict[str, Any]]:
    """What holds about a handoff (``kb/desk.yml``'s ``when`` values) → the fields its next steps fill;
    ``reason:<reason>`` always holds."""
    common: Dict[str, Any] = {"name": client.name if client else "", "tier": client.tier if client else "",
                              "rm_name": client.rm_name if client and client.rm_name else ""}
    facts: Dict[str, Dict[str, Any]] = {REASON_PREFIX + reason: dict(common)}
    if client is None:
        facts["anonymous"] = dict(common)
    else:
        if client.risk_expired:
            facts["risk_expired"] = {**common, "risk_expires_on": texts.date_text(client.risk_expires_on)}
        if client.open_cases is None:
            facts["cases_unavailable"] = dict(common)
        elif client.open_cases:
            overdue = next((case for case in client.open_cases if case.overdue), None)
            if overdue is not None:
                facts["case_overdue"] = {**common, "case_id": overdue.case_id,
                                         "due_on": texts.date_text(overdue.due_on)}
            else:
                first = client.open_cases[0]  # the soonest due
                facts["open_case"] = {**common, "count": len(client.open_cases), "case_id": first.case_id,
                                      "due_on": texts.date_text(first.due_on)}
        if client.maturities:
            soonest = client.maturities[0]
            facts["maturity_soon"] = {**common, "product_name": soonest.product_name,
                                      "matures_on": texts.date_text(soonest.matures_on), "days": soonest.days_left,
                                      "count": len(client.maturities)}
        if client.upcoming_appointments:
            meeting = client.upcoming_appointments[0]
            facts["upcoming_appointment"] = {**common, "at": texts.moment_text(meeting.starts_at),
                                             "branch": meeting.branch, "rm_name": meeting.rm_name}
        if client.is_elderly:
            facts["elderly"] = dict(common)
    if sentiment == SentimentLabel.NEGATIVE.value:
        facts["negative_sentiment"] = dict(common)
    if route is not None and route.notify_rm_id:
        facts["rm_notified"] = dict(common)
    if route is not None and route.waits_in_queue:
        facts["waits_in_queue"] = {**common, "reply_expected_by": texts.moment_text(route.reply_expected_by)}
    return facts


def _shortened(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def summary_of(reason: str, client: Optional[Client360], transcript: Sequence[TranscriptLine],
               sentiment: Tuple[SentimentLabel, Tuple[str, ...]], texts: DeskTexts) -> str:
    """Two or three sentences: who and why; what they asked and last said; how they feel."""
    words = texts.summary
    if client is None:
        who = words.anonymous
    else:
        template = words.client_risk_expired if client.risk_expired else words.client
        who = fill(template, {"name": client.name, "tier": client.tier, "risk_tolerance": client.risk_tolerance,
                              "risk_expires_on": texts.date_text(client.risk_expires_on),
                              "aum_band": client.aum_band, "rm_name": client.rm_name})
    opening = fill(words.opening, {"who": who, "because": texts.reason_because.get(reason, reason)})

    from_client = [line for line in transcript if line.speaker == CLIENT]
    typed = _typed_client_lines(from_client)
    topics: List[str] = []
    for line in from_client:
        topic = texts.topics.get(line.intent or "")
        if topic and topic not in topics:
            topics.append(topic)
    fields = {"count": len(from_client), "topics": words.join_topics(topics[:words.max_topics]),
              "last": _shortened(typed[-1].text, words.last_max_chars) if typed else ""}
    if not from_client:
        conversation = words.conversation_empty
    elif typed:
        conversation = words.conversation if topics else words.conversation_no_topics
    else:
        conversation = words.conversation_topics_only if topics else words.conversation_buttons_only
    label, cues = sentiment
    mood_fields = {"label": texts.sentiment_label(label.value), "cues": words.cue_joiner.join(cues[:words.max_cues])}
    mood = fill(words.mood_with_cues if cues else words.mood, mood_fields)
    sentences = [opening, fill(conversation, fields)] + ([mood] if typed else [])
    return "".join(sentences)


def next_steps_of(facts: Mapping[str, Mapping[str, Any]], texts: DeskTexts) -> Tuple[str, ...]:
    """The ``next_steps`` rules of ``kb/desk.yml`` whose ``when`` holds, in file order, at most
    ``max_next_steps``."""
    steps: List[str] = []
    for rule in texts.next_steps:
        if rule.when in facts:
            step = fill(rule.text, facts[rule.when])
            if step not in steps:
                steps.append(step)
    return tuple(steps[:texts.max_next_steps])


# ----------------------------------------------------------------------- the package
def _remasked(line: TranscriptLine) -> TranscriptLine:
    return replace(line, text=mask_text(line.text), intent=mask_text(line.intent) if line.intent else None,
                   entities=tuple((name, mask_text(value)) for name, value in line.entities),
                   sender_name=mask_text(line.sender_name) if line.sender_name else None)


def build_package(conversation_id: str, channel: str, reason: HandoffReason, route: Route,
                  client: Optional[Client360], transcript: Sequence[TranscriptLine], now: datetime,
                  texts: Optional[DeskTexts] = None, lexicon: Optional[Lexicon] = None) -> ContextPackage:
    """The package for a handoff decided at ``now``: every line masked again (whoever made it), the
    newest :data:`MAX_TRANSCRIPT_LINES` kept, summary and next steps written from ``kb/desk.yml``."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    texts = texts or load_desk_texts()
    lines = tuple(_remasked(line) for line in transcript)[-MAX_TRANSCRIPT_LINES:]
    from_client = [line for line in lines if line.speaker == CLIENT]
    mood = overall_sentiment(lines, lexicon)
    route_line = RouteLine.from_route(route)
    facts = facts_of(reason.value, client, route_line, mood[0].value, texts)
    return ContextPackage(
        version=PACKAGE_VERSION,
        conversation_id=conversation_id,
        channel=channel,
        created_at=now.astimezone(timezone.utc),
        reason=reason.value,
        urgent=reason.urgent,
        route=route_line,
        client=client,
        transcript=lines,
        intents=tuple(line.intent for line in from_client if line.intent),
        entities=tuple(pair for line in from_client for pair in line.entities),
        sentiment=mood[0].value,
        summary=summary_of(reason.value, client, lines, mood, texts),
        next_steps=next_steps_of(facts, texts),
    )
