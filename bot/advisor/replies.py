"""Suggested replies for the person holding a handoff, and the desk's texts in ``kb/desk_replies.yml``.

:func:`suggested_replies` fills the templates of ``kb/desk_replies.yml`` with
the client's data (how to address them, a product maturing on a day with its
amount, an open case with its due day, the risk assessment to renew, the next
steps after a card loss) and orders them by the reason of the handoff: the
advisor picks one, edits it and sends it. They are plain text, and masked
once more on the way out (:func:`bot.masking.mask_text`): a template or a
value can never put a whole account, card or phone number in front of a client.

:class:`DeskReplyTexts` is the whole file, checked when loaded (a template
naming a placeholder the code does not fill fails then, not in front of an
advisor); the suitability check reads its reasons from it too.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from string import Formatter
from types import MappingProxyType
from typing import Any, Dict, List, Mapping, Optional, Protocol, Tuple


from bot.advisor.overview import AppointmentLine, CaseLine, ClientOverview, MaturityLine
from bot.clock import BANK_TIME
from bot.kb import KB_DIR, load_kb
from bot.yaml_files import read_mapping
from bot.masking import mask_text
from bot.money import format_money, tail_label

__all__ = [
    "DESK_REPLIES_FILE",
    "DeskReplyTextsError",
    "ReplyTemplate",
    "DeskReplyTexts",
    "SUITABILITY_KEYS",
    "desk_reply_texts_from",
    "load_desk_reply_texts",
    "HandoffFacts",
    "SuggestedReply",
    "salutation_for",
    "suggested_replies",
]

DESK_REPLIES_FILE = KB_DIR / "desk_replies.yml"

# every template, and the placeholders the code fills for it
_REPLY_FIELDS: Mapping[str, Tuple[str, ...]] = MappingProxyType({
    "greeting": ("salutation",),
    "greeting_named": ("salutation", "advisor"),
    "maturity_holding": ("salutation", "product", "month", "day", "amount"),
    "maturity_deposit": ("salutation", "account", "month", "day", "amount"),
    "open_case": ("salutation", "case_id", "category", "status", "month", "day"),
    "open_case_overdue": ("salutation", "case_id", "category", "status", "month", "day"),
    "risk_renewal_expired": ("salutation", "month", "day"),
    "risk_renewal_soon": ("salutation", "month", "day"),
    "appointment": ("salutation", "month", "day", "time", "place"),
    "card_loss": ("salutation",),
    "suspected_fraud": ("salutation",),
    "complaint": ("salutation",),
})
_SUITABILITY_FIELDS = ("product", "risk", "tolerance", "highest", "tier", "tiers", "expired_on")
SUITABILITY_KEYS = ("suitable", "assessment_expired", "risk_above_tolerance", "tier_not_eligible", "not_on_sale")
_LIMITS = ("maturities", "cases", "appointments", "maturity_days", "risk_renewal_days")
# the handoff reason whose own template comes right after the greeting
_REASON_TEMPLATES: Mapping[str, str] = MappingProxyType({
    "card_loss": "card_loss",
    "suspected_fraud": "suspected_fraud",
    "complaint_high_severity": "complaint",
})


class DeskReplyTextsError(ValueError):
    """``kb/desk_replies.yml`` breaks a rule; the message says which."""


@dataclass(frozen=True)
class ReplyTemplate:
    title: str
    text: str


@dataclass(frozen=True)
class DeskReplyTexts:
    female_title: str
    male_title: str
    unknown_title: str
    female_characters: str
    male_characters: str
    limits: Mapping[str, int]
    replies: Mapping[str, ReplyTemplate]
    places: Mapping[str, str]
    case_statuses: Mapping[str, str]
    case_categories: Mapping[str, str]
    suitability: Mapping[str, str]

    def suitability_text(self, key: str, **values: Any) -> str:
        return self.suitability[key].format(**values)

    def place(self, place: str, branch: str) -> str:
        return self.places.get(place, "{branch}").format(branch=branch)


def _placeholders(template: str) -> set:
    return {field for _, field, _, _ in Formatter().parse(template) if field is not None}


def _checked(template: Any, allowed: Tuple[str, ...], where: str) -> str:
    if not isinstance(template, str) or not template.strip():
        raise DeskReplyTextsError(f"{where} must be a text")
    try:
        unknown = _placeholders(template) - set(allowed)
    except ValueError as error:
        raise DeskReplyTextsError(f"{where}: {error}") from None
    if unknown:
        raise DeskReplyTextsError(f"{where} uses {sorted(unknown)}; it may use {list(allowed)}")
    return template


def _labels(raw: Any, where: str) -> Mapping[str, str]:
    if not isinstance(raw, dict) or not raw:
        raise DeskReplyTextsError(f"{where} must be a mapping")
    return MappingProxyType({str(key): str(value) for key, value in raw.items()})


def desk_reply_texts_from(raw: Mapping[str, Any]) -> DeskReplyTexts:
    """Checked texts from the parsed YAML mapping."""
    salutation = raw.get("salutation") or {}
    replies: Dict[str, ReplyTemplate] = {}
    for key, fields in _REPLY_FIELDS.items():
        entry = (raw.get("replies") or {}).get(key)
        if not isinstance(entry, dict):
            raise DeskReplyTextsError(f"replies.{key} is missing")
        replies[key] = ReplyTemplate(_checked(entry.get("title"), (), f"replies.{key}.title"),
                                     _checked(entry.get("text"), fields, f"replies.{key}.text"))
    suitability = {key: _checked((raw.get("suitability") or {}).get(key), _SUITABILITY_FIELDS,
                                 f"suitability.{key}") for key in SUITABILITY_KEYS}
    limits: Dict[str, int] = {}
    for key in _LIMITS:
        value = (raw.get("limits") or {}).get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise DeskReplyTextsError(f"limits.{key} must be a whole number, 0 or more")
        limits[key] = value
    places = {key: _checked(value, ("branch",), f"places.{key}") for key, value in _labels(
        raw.get("places"), "places").items()}
    return DeskReplyTexts(
        female_title=str(salutation.get("female_title") or ""),
        male_title=str(salutation.get("male_title") or ""),
        unknown_title=str(salutation.get("unknown_title") or ""),
        female_characters=str(salutation.get("female_characters") or ""),
        male_characters=str(salutation.get("male_characters") or ""),
        limits=MappingProxyType(limits),
        replies=MappingProxyType(replies),
        places=MappingProxyType(places),
        case_statuses=_labels(raw.get("case_statuses"), "case_statuses"),
        case_categories=_labels(raw.get("case_categories"), "case_categories"),
        suitability=MappingProxyType(suitability),
    )


@lru_cache(maxsize=4)
def load_desk_reply_texts(path: Path = DESK_REPLIES_FILE) -> DeskReplyTexts:
    """The texts in ``path`` (default ``kb/desk_replies.yml``), read once per process."""
    return desk_reply_texts_from(read_mapping(path, DeskReplyTextsError))


# ------------------------------------------------------------------ replies
class HandoffFacts(Protocol):
    """What the replies read of a handoff (``bot.handoff.store.HandoffRecord`` has it)."""

    @property
    def reason(self) -> str: ...
    @property
    def target_kind(self) -> str: ...
    @property
    def target_name(self) -> str: ...


@dataclass(frozen=True)
class SuggestedReply:
    title: str
    text: str
    kind: str = ""  # the template's key in kb/desk_replies.yml

    def to_json(self) -> Dict[str, str]:
        return {"title": self.title, "text": self.text, "kind": self.kind}


def _split_name(name: str) -> Tuple[str, str]:
    """(surname, given name): the longest surname of kb/people.yml the name starts with (欧阳 before 欧)."""
    for surname in sorted(load_kb().surnames, key=len, reverse=True):
        if name.startswith(surname) and len(name) > len(surname):
            return surname, name[len(surname):]
    return name[:1], name[1:]


def salutation_for(name: str, texts: DeskReplyTexts) -> str:
    """王女士 / 张先生 when the given name says so clearly, else 王先生/女士 (the advisor checks)."""
    surname, given = _split_name(name.strip())
    female = any(character in texts.female_characters for character in given)
    male = any(character in texts.male_characters for character in given)
    if female and not male:
        return surname + texts.female_title
    if male and not female:
        return surname + texts.male_title
    return surname + texts.unknown_title


def _plain(value: Any) -> str:
    """An enum's value (HandoffReason.CARD_LOSS → card_loss), a string as it is."""
    return str(getattr(value, "value", value))


def _date_values(day: date) -> Dict[str, int]:
    return {"month": day.month, "day": day.day}


def _reply(texts: DeskReplyTexts, key: str, **values: Any) -> SuggestedReply:
    template = texts.replies[key]
    text = template.text.format(**values).lstrip("，, ")  # no salutation (anonymous): no leading comma
    return SuggestedReply(template.title, mask_text(text), key)


def _maturity(texts: DeskReplyTexts, salutation: str, line: MaturityLine) -> SuggestedReply:
    amount = format_money(line.amount, line.currency)
    if line.kind == "deposit" and line.account_tail:
        return _reply(texts, "maturity_deposit", salutation=salutation, account=tail_label(line.account_tail),
                      amount=amount, **_date_values(line.matures_on))
    return _reply(texts, "maturity_holding", salutation=salutation, product=line.product_name or "",
                  amount=amount, **_date_values(line.matures_on))


def _case(texts: DeskReplyTexts, salutation: str, line: CaseLine) -> SuggestedReply:
    return _reply(texts, "open_case_overdue" if line.overdue else "open_case", salutation=salutation,
                  case_id=line.case_id, category=texts.case_categories.get(line.category, line.category),
                  status=texts.case_statuses.get(line.status, line.status), **_date_values(line.due_on))


def _appointment(texts: DeskReplyTexts, salutation: str, line: AppointmentLine) -> SuggestedReply:
    local = line.starts_at.astimezone(BANK_TIME)
    return _reply(texts, "appointment", salutation=salutation, time=local.strftime("%H:%M"),
                  place=texts.place(line.place, line.branch), **_date_values(local.date()))


def _about_client(texts: DeskReplyTexts, salutation: str, overview: ClientOverview,
                  reason: str) -> List[SuggestedReply]:
    limits = texts.limits
    cases = [_case(texts, salutation, line) for line in overview.open_cases[:limits["cases"]]]
    renewal: List[SuggestedReply] = []
    if overview.risk_expired:
        renewal.append(_reply(texts, "risk_renewal_expired", salutation=salutation,
                              **_date_values(overview.risk_expires_on)))
    elif (overview.risk_expires_on - overview.today).days <= limits["risk_renewal_days"]:
        renewal.append(_reply(texts, "risk_renewal_soon", salutation=salutation,
                              **_date_values(overview.risk_expires_on)))
    maturities = [_maturity(texts, salutation, line) for line in overview.maturities
                  if line.days_left <= limits["maturity_days"]][:limits["maturities"]]
    appointments = [_appointment(texts, salutation, line) for line in overview.appointments[:limits["appointments"]]]
    if reason == "complaint_high_severity":  # the complaint's progress first
        return cases + appointments + maturities + renewal
    return maturities + cases + renewal + appointments


def suggested_replies(record: Optional[HandoffFacts], overview: Optional[ClientOverview],
                      texts: Optional[DeskReplyTexts] = None,
                      advisor_name: Optional[str] = None) -> Tuple[SuggestedReply, ...]:
    """Replies to offer the person holding ``record``, filled with ``overview``'s data.

    A greeting first (with ``advisor_name`` when the handoff went to an RM), then the reply for the
    handoff's reason (card loss, fraud, a serious complaint), then the client's maturities, open
    cases, risk assessment renewal and next appointment. Without an overview (an anonymous
    conversation) only what needs no client data. ``texts`` default: ``kb/desk_replies.yml``.
    """
    texts = texts or load_desk_reply_texts()
    salutation = salutation_for(overview.name, texts) if overview is not None else ""
    reason = _plain(record.reason) if record is not None else ""
    target_kind = _plain(record.target_kind) if record is not None else ""
    replies: List[SuggestedReply] = []
    if advisor_name and target_kind in ("rm", "backup_rm"):
        replies.append(_reply(texts, "greeting_named", salutation=salutation, advisor=advisor_name))
    else:
        replies.append(_reply(texts, "greeting", salutation=salutation))
    if reason in _REASON_TEMPLATES:
        replies.append(_reply(texts, _REASON_TEMPLATES[reason], salutation=salutation))
    if overview is not None:
        replies += _about_client(texts, salutation, overview, reason)
    return tuple(replies)
