"""The case service's data as the bot sees it: frozen dataclasses mirroring the API (no pydantic).

:class:`NewCase` checks itself on construction the way the service will
(allowed values, lengths, amounts with at most two decimals), so a complaint
the service would refuse is caught before it is queued. :class:`Case` is
read from the service's JSON with :meth:`Case.from_json`, which ignores
fields it does not know.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Dict, FrozenSet, Mapping, Optional, Tuple

from bot.clock import BANK_TIME
from bot.profile.models import TIERS

__all__ = [
    "CHANNELS",
    "CATEGORIES",
    "SEVERITIES",
    "TIERS",
    "STATUSES",
    "OPEN_STATUSES",
    "MAX_DESCRIPTION",
    "MAX_PREFERRED_CONTACT",
    "StatusChange",
    "Notice",
    "NewCase",
    "Case",
]

CHANNELS: Tuple[str, ...] = ("app", "wechat", "web", "phone", "branch")
CATEGORIES: Tuple[str, ...] = (
    "fees", "service_attitude", "mis_selling", "payment_delay", "app_fault", "card_fraud", "other",
)
SEVERITIES: Tuple[str, ...] = ("normal", "high")
STATUSES: Tuple[str, ...] = ("submitted", "under_review", "investigating", "resolved", "followed_up")
OPEN_STATUSES: FrozenSet[str] = frozenset(STATUSES[:3])  # the statutory clock runs until resolved
MAX_DESCRIPTION = 2000
MAX_PREFERRED_CONTACT = 100

_CLIENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")
_PARTY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:@-]{0,63}")
_CURRENCY = re.compile(r"[A-Z]{3}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
_LINE_BREAK = re.compile(r"[\t\n\r]")


def _instant(value: str) -> datetime:
    parsed = datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value)
    if parsed.tzinfo is None:
        raise ValueError(f"instant without a time zone: {value!r}")
    return parsed


def _optional_instant(value: Optional[str]) -> Optional[datetime]:
    return _instant(value) if value is not None else None


def _check_text(name: str, value: Optional[str], max_length: int, *, multiline: bool) -> None:
    if value is None:
        return
    if not isinstance(value, str) or len(value) > max_length:
        raise ValueError(f"{name} must be text of at most {max_length} characters")
    if _CONTROL.search(value) or (not multiline and _LINE_BREAK.search(value)):
        raise ValueError(f"{name} must not contain control characters")
    if not any(unicodedata.category(character)[0] in "LN" for character in value):
        raise ValueError(f"{name} must contain at least one letter or digit")


def _check_amount(amount: Optional[Decimal]) -> None:
    if amount is None:
        return
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount < 0:
        raise ValueError("amount_involved must be a non-negative, finite Decimal")
    exponent = amount.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -2 or amount >= Decimal(10) ** 16:
        raise ValueError("amount_involved has at most two decimals and sixteen integer digits")


def _amount_text(amount: Decimal) -> str:
    return format(abs(amount), "f")  # plain digits (never 1E+3); abs() turns -0 into 0


@dataclass(frozen=True)
class StatusChange:
    """One step of a case's history; ``from_status`` is None for the acceptance."""

    from_status: Optional[str]
    to_status: str
    actor: str
    at: datetime
    note_for_client: Optional[str] = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "StatusChange":
        return cls(from_status=data.get("from_status"), to_status=data["to_status"], actor=data["actor"],
                   at=_instant(data["at"]), note_for_client=data.get("note_for_client"))


@dataclass(frozen=True)
class Notice:
    """Something the client is told: ``accepted``, ``extended`` (new limit and due date), ``resolved``."""

    kind: str
    at: datetime
    text_for_client: Optional[str] = None
    due_at: Optional[datetime] = None
    time_limit_days: Optional[int] = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Notice":
        return cls(kind=data["kind"], at=_instant(data["at"]), text_for_client=data.get("text_for_client"),
                   due_at=_optional_instant(data.get("due_at")), time_limit_days=data.get("time_limit_days"))


@dataclass(frozen=True)
class NewCase:
    """A complaint to file. ``tier`` and ``assigned_to`` (an RM id or a team) come from the profile store.

    Raises ValueError when the service would refuse it.
    """

    client_id: str
    channel: str
    category: str
    severity: str
    description: str
    tier: str
    assigned_to: str
    amount_involved: Optional[Decimal] = None
    currency: str = "CNY"
    preferred_contact: Optional[str] = None

    def __post_init__(self) -> None:
        for name, value, allowed in (("channel", self.channel, CHANNELS), ("category", self.category, CATEGORIES),
                                     ("severity", self.severity, SEVERITIES), ("tier", self.tier, TIERS)):
            if value not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)}")
        if not isinstance(self.client_id, str) or not _CLIENT_ID.fullmatch(self.client_id):
            raise ValueError("client_id must be 1-32 letters, digits, '_' or '-'")
        if not isinstance(self.assigned_to, str) or not _PARTY.fullmatch(self.assigned_to):
            raise ValueError("assigned_to must be an RM id or a team name")
        if not isinstance(self.currency, str) or not _CURRENCY.fullmatch(self.currency):
            raise ValueError("currency must be an ISO 4217 code such as CNY")
        if self.description is None:
            raise ValueError("description is required")
        _check_text("description", self.description, MAX_DESCRIPTION, multiline=True)
        _check_text("preferred_contact", self.preferred_contact, MAX_PREFERRED_CONTACT, multiline=False)
        _check_amount(self.amount_involved)

    def to_json(self) -> Dict[str, Any]:
        """The body of ``POST /v1/cases``."""
        return {
            "client_id": self.client_id,
            "channel": self.channel,
            "category": self.category,
            "severity": self.severity,
            "description": self.description,
            "amount_involved": _amount_text(self.amount_involved) if self.amount_involved is not None else None,
            "currency": self.currency,
            "preferred_contact": self.preferred_contact,
            "tier": self.tier,
            "assigned_to": self.assigned_to,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "NewCase":
        amount = data.get("amount_involved")
        try:
            parsed = Decimal(amount) if amount is not None else None
        except InvalidOperation:
            raise ValueError("amount_involved must be a decimal string") from None
        return cls(client_id=data["client_id"], channel=data["channel"], category=data["category"],
                   severity=data["severity"], description=data["description"], tier=data["tier"],
                   assigned_to=data["assigned_to"], amount_involved=parsed,
                   currency=data.get("currency", "CNY"), preferred_contact=data.get("preferred_contact"))


@dataclass(frozen=True)
class Case:
    """A case as the service keeps it (description and notes already masked)."""

    case_id: str
    client_id: str
    channel: str
    category: str
    severity: str
    description: str
    amount_involved: Optional[Decimal]
    currency: str
    preferred_contact: Optional[str]
    tier: str
    priority: str
    assigned_to: str
    status: str
    accepted_at: datetime
    due_at: datetime
    time_limit_days: int
    history: Tuple[StatusChange, ...]
    notices: Tuple[Notice, ...]

    @property
    def is_open(self) -> bool:
        """Not yet resolved: the statutory clock still runs."""
        return self.status in OPEN_STATUSES

    def days_left(self, now: datetime) -> int:
        """Calendar days (Asia/Shanghai) from ``now`` to the due day; 0 on the day, negative once overdue."""
        return (self.due_at.astimezone(BANK_TIME).date() - now.astimezone(BANK_TIME).date()).days

    @property
    def last_note_for_client(self) -> Optional[str]:
        """The newest note the client may read, if any step left one."""
        return next((change.note_for_client for change in reversed(self.history) if change.note_for_client), None)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Case":
        amount = data.get("amount_involved")
        return cls(
            case_id=data["case_id"],
            client_id=data["client_id"],
            channel=data["channel"],
            category=data["category"],
            severity=data["severity"],
            description=data["description"],
            amount_involved=Decimal(amount) if amount is not None else None,
            currency=data.get("currency", "CNY"),
            preferred_contact=data.get("preferred_contact"),
            tier=data["tier"],
            priority=data["priority"],
            assigned_to=data["assigned_to"],
            status=data["status"],
            accepted_at=_instant(data["accepted_at"]),
            due_at=_instant(data["due_at"]),
            time_limit_days=int(data["time_limit_days"]),
            history=tuple(StatusChange.from_json(item) for item in data.get("history", ())),
            notices=tuple(Notice.from_json(item) for item in data.get("notices", ())),
        )
