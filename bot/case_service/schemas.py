"""The case service's request and response bodies (pydantic v1; the OpenAPI document comes from them).

Requests refuse unknown fields and values of the wrong JSON type (no
coercion of numbers into strings). Free text must be printable (no control
characters but line breaks and tabs) and say something: at least one letter
or digit, so an emoji-only description is refused. Optional fields are
``null`` or absent; the document says so (``anyOf`` with ``null``).
"""
from __future__ import annotations

import json
import re
import unicodedata
from datetime import datetime
from typing import Any, Dict, List, Literal, Optional, Type

from pydantic import BaseModel, Field, constr, root_validator, validator

from bot.case_service.lifecycle import STATUSES
from bot.case_service.models import CATEGORIES, CHANNELS, NOTICE_KINDS
from bot.case_service.priority import PRIORITIES, SEVERITIES, TIERS
from bot.clock import BANK_TIME

__all__ = [
    "MAX_DESCRIPTION",
    "MAX_NOTE",
    "MAX_PREFERRED_CONTACT",
    "IDEMPOTENCY_KEY_PATTERN",
    "CASE_ID_PATTERN",
    "NewCaseIn",
    "TransitionIn",
    "ExtensionIn",
    "StatusChangeOut",
    "NoticeOut",
    "ExtensionOut",
    "CaseOut",
    "CaseListOut",
    "DueCasesOut",
    "HealthOut",
    "ErrorOut",
    "ConflictDetail",
    "ConflictOut",
    "canonical_request",
]

MAX_DESCRIPTION = 2000
MAX_NOTE = 500
MAX_PREFERRED_CONTACT = 100
IDEMPOTENCY_KEY_PATTERN = r"^[\x21-\x7e]{8,128}$"  # printable ASCII without spaces
CASE_ID_PATTERN = r"^CS-[0-9]{4}-[0-9]{6}$"
_PARTY = r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,63}$"  # an RM id (RM003), a team (complaints_team), a system
_CLIENT_ID = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$"
_AMOUNT = r"^(0|[1-9][0-9]{0,15})(\.[0-9]{1,2})?$"
_CURRENCY = r"^[A-Z]{3}$"
_DISALLOWED_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
_LINE_BREAKS = re.compile(r"[\t\n\r]")

Channel = Literal[CHANNELS]  # type: ignore[valid-type]
Category = Literal[CATEGORIES]  # type: ignore[valid-type]
Severity = Literal[SEVERITIES]  # type: ignore[valid-type]
Tier = Literal[TIERS]  # type: ignore[valid-type]
Priority = Literal[PRIORITIES]  # type: ignore[valid-type]
StatusName = Literal[STATUSES]  # type: ignore[valid-type]
NoticeKind = Literal[NOTICE_KINDS]  # type: ignore[valid-type]


def _nullable_optionals(schema: Dict[str, Any], model: Type[BaseModel]) -> None:
    """pydantic v1 leaves ``null`` out of optional fields' schemas; put it back (OpenAPI 3.1)."""
    for field in model.__fields__.values():
        if not field.allow_none or field.alias not in schema.get("properties", {}):
            continue
        inner = dict(schema["properties"][field.alias])
        outer = {key: inner.pop(key) for key in ("title", "description", "default") if key in inner}
        schema["properties"][field.alias] = {**outer, "anyOf": [inner, {"type": "null"}]}


class _Body(BaseModel):
    class Config:
        extra = "forbid"
        schema_extra = staticmethod(_nullable_optionals)


class _Out(BaseModel):
    class Config:
        schema_extra = staticmethod(_nullable_optionals)
        json_encoders = {datetime: lambda value: value.astimezone(BANK_TIME).isoformat()}


def _printable_text(value: Optional[str], *, multiline: bool) -> Optional[str]:
    """``value`` stripped; refused when it has control characters or says nothing."""
    if value is None:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text must be valid Unicode") from None
    if _DISALLOWED_CONTROL.search(value) or (not multiline and _LINE_BREAKS.search(value)):
        raise ValueError("text must not contain control characters")
    stripped = value.strip()
    if not any(unicodedata.category(character)[0] in "LN" for character in stripped):
        raise ValueError("text must contain at least one letter or digit")
    return stripped


def _strict(pattern: str, max_length: int) -> Any:
    return constr(strict=True, regex=pattern, max_length=max_length)


def _text(max_length: int) -> Any:
    return constr(strict=True, min_length=1, max_length=max_length)


class NewCaseIn(_Body):
    """A complaint to accept. ``tier`` and ``assigned_to`` come from the caller, who knows the client."""

    client_id: _strict(_CLIENT_ID, 32)  # type: ignore[valid-type]
    channel: Channel
    category: Category
    severity: Severity
    description: _text(MAX_DESCRIPTION) = Field(  # type: ignore[valid-type]
        ..., description="what happened, in the client's words; card, ID and phone numbers are masked on storage")
    amount_involved: Optional[_strict(_AMOUNT, 19)] = Field(  # type: ignore[valid-type]
        None, description="a decimal string with at most two decimals, e.g. \"1200.50\"")
    currency: _strict(_CURRENCY, 3) = "CNY"  # type: ignore[valid-type]
    preferred_contact: Optional[_text(MAX_PREFERRED_CONTACT)] = None  # type: ignore[valid-type]
    tier: Tier
    assigned_to: _strict(_PARTY, 64)  # type: ignore[valid-type]

    _description = validator("description", allow_reuse=True)(lambda value: _printable_text(value, multiline=True))
    _contact = validator("preferred_contact", allow_reuse=True)(
        lambda value: _printable_text(value, multiline=False))


class TransitionIn(_Body):
    to_status: StatusName
    actor: _strict(_PARTY, 64)  # type: ignore[valid-type]
    note_for_client: Optional[_text(MAX_NOTE)] = Field(  # type: ignore[valid-type]
        None, description="what the client may read about this step")

    _note = validator("note_for_client", allow_reuse=True)(lambda value: _printable_text(value, multiline=True))


class ExtensionIn(_Body):
    """30 days with a reason; 60 (after 30) with a reason and an approver other than the actor."""

    time_limit_days: Literal[30, 60]
    reason: _text(MAX_NOTE)  # type: ignore[valid-type]
    actor: _strict(_PARTY, 64)  # type: ignore[valid-type]
    approved_by: Optional[_strict(_PARTY, 64)] = None  # type: ignore[valid-type]
    note_for_client: Optional[_text(MAX_NOTE)] = Field(  # type: ignore[valid-type]
        None, description="what the client is told with the extension notice")

    _reason = validator("reason", allow_reuse=True)(lambda value: _printable_text(value, multiline=True))
    _note = validator("note_for_client", allow_reuse=True)(lambda value: _printable_text(value, multiline=True))

    @root_validator(skip_on_failure=True)
    def _approval_for_sixty_days(cls, values: Dict[str, Any]) -> Dict[str, Any]:
        if values.get("time_limit_days") == 60:
            approver = values.get("approved_by")
            if not approver:
                raise ValueError("an extension to 60 days needs approved_by")
            if approver == values.get("actor"):
                raise ValueError("approved_by must be someone other than the actor")
        return values


class StatusChangeOut(_Out):
    from_status: Optional[StatusName]
    to_status: StatusName
    actor: str
    at: datetime
    note_for_client: Optional[str]


class NoticeOut(_Out):
    kind: NoticeKind
    at: datetime
    time_limit_days: Optional[int]
    due_at: Optional[datetime]
    text_for_client: Optional[str]


class ExtensionOut(_Out):
    from_days: int
    to_days: int
    reason: str
    actor: str
    approved_by: Optional[str]
    at: datetime


class CaseOut(_Out):
    case_id: str = Field(..., regex=CASE_ID_PATTERN)
    client_id: str
    channel: Channel
    category: Category
    severity: Severity
    description: str
    amount_involved: Optional[str]
    currency: str
    preferred_contact: Optional[str]
    tier: Tier
    priority: Priority
    assigned_to: str
    status: StatusName
    is_open: bool
    accepted_at: datetime
    due_at: datetime = Field(..., description="the end of the due day, Asia/Shanghai")
    time_limit_days: Literal[15, 30, 60]
    history: List[StatusChangeOut]
    notices: List[NoticeOut]
    extensions: List[ExtensionOut]


class CaseListOut(_Out):
    cases: List[CaseOut]


class DueCasesOut(_Out):
    overdue: List[CaseOut]
    due_soon: List[CaseOut]


class HealthOut(_Out):
    status: Literal["ok"]


class ErrorOut(_Out):
    detail: str


class ConflictDetail(_Out):
    code: str
    message: str
    status: Optional[StatusName] = None
    allowed: List[StatusName] = []


class ConflictOut(_Out):
    detail: ConflictDetail


def canonical_request(body: NewCaseIn) -> str:
    """The create request as one canonical string: the same fields give the same string."""
    return json.dumps(body.dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
