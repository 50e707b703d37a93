"""Masking of personal data in text, structured values and log records.

What is masked, and how:

- bank card and account numbers (16 or more digits, whole or in groups of
  3–6 separated by spaces or dashes) → ``尾号1234``;
- resident ID numbers (18 characters, the last may be X) → ``1****************X``;
- mobile numbers (1[3-9]x, with or without +86/86) → ``138****5678``;
- e-mail addresses → ``z***@example.com``;
- signed tokens (JWTs) → ``[token]``.

Amounts (50000元, 1,234,567.89, ¥13800000000), dates, times, case ids
(CS-2026-000123) and landlines (branch numbers such as 021-6882 3516) stay.

Detection runs on a view of the text with the same length: full-width
digits and signs read as ASCII, and JSON escapes (``\\u5361``, as in Rasa's
JSON logs) read as non-digits, so a number written next to an escaped
Chinese character is still found. Phones, ID numbers and e-mail addresses come
from jionlp's extractors; regular expressions cover what they do not: card
and account numbers (jionlp has no extractor), ``86`` without ``+`` before a
mobile, ID numbers outside jionlp's region table or written in groups,
e-mail addresses with ``+`` or ``%`` in the local part, and JWTs.
"""
from __future__ import annotations

import contextlib
import io
import logging
import re
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional

with contextlib.redirect_stdout(io.StringIO()):  # jionlp prints a banner on import
    import jionlp

__all__ = [
    "tail",
    "tail_digits",
    "mask_phone",
    "mask_id_card",
    "mask_email",
    "mask_text",
    "mask_value",
    "mask_record",
    "MaskingFilter",
    "install_log_masking",
]

TRADITIONAL = "traditional"  # the value of bot.nlu.normalise.Script.TRADITIONAL
TOKEN_PLACEHOLDER = "[token]"

# full-width digits, letters and the signs numbers and addresses use → ASCII, one for one
_HALF_WIDTH = str.maketrans(
    {**{chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)}, "\u3000": " "}
)
_JSON_ESCAPE = re.compile(r"\\u[0-9a-fA-F]{4}")
_GROUPED_DIGITS = re.compile(r"(?<![0-9])[0-9]{3,6}(?:[ -][0-9]{3,6}){2,5}(?![0-9])")
_DIGIT_RUN = re.compile(r"(?<![0-9])[0-9]{16,}(?![0-9])")
_MOBILE = re.compile(r"(?<![0-9+])(?:\+?86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]{4}){2}(?![0-9])")
_ID_CARD = re.compile(
    r"(?<![0-9A-Za-z])(?:[0-9]{17}[Xx]|[0-9]{6}[ -][0-9]{8}[ -][0-9]{3}[0-9Xx])(?![0-9A-Za-z])"
)
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
# a mobile-shaped number that is an amount: a currency sign before it, a unit or decimals after it
_AMOUNT_BEFORE = re.compile(r"[¥$€£]\s?$|(?:CNY|RMB|USD|HKD)\s?$")
_AMOUNT_AFTER = re.compile(r"^(?:\.[0-9]|\s?(?:元|块|万|亿|圆|美元|港币|港元|CNY|RMB|USD|HKD))")
_NOT_DIGIT = re.compile(r"[^0-9]")
_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]")


class Kind(IntEnum):
    """What a span holds; on spans of equal length the higher kind wins."""

    PHONE = 1
    CARD = 2
    ID_CARD = 3
    EMAIL = 4
    TOKEN = 5


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    kind: Kind


# --- formatting of single values --------------------------------------------


def tail_digits(number: object) -> str:
    """The last four digits of a card or account number."""
    digits = _NOT_DIGIT.sub("", str(number).translate(_HALF_WIDTH))
    if len(digits) < 4:
        raise ValueError("a card or account number has at least four digits")
    return digits[-4:]


def tail(number: object, script: str = "simplified") -> str:
    """A card or account number as clients may see it: ``尾号1234`` (``尾號1234`` in Traditional)."""
    return ("尾號" if script == TRADITIONAL else "尾号") + tail_digits(number)


def mask_phone(phone: object) -> str:
    """A mobile number as ``138****5678``; anything else with too few digits as ``****``."""
    digits = _NOT_DIGIT.sub("", str(phone).translate(_HALF_WIDTH))
    if len(digits) < 11:
        return "****"
    digits = digits[-11:]
    return f"{digits[:3]}****{digits[-4:]}"


def mask_id_card(number: object) -> str:
    """An ID number with only its first and last character: ``1****************X``."""
    characters = _NOT_ALNUM.sub("", str(number).translate(_HALF_WIDTH))
    if len(characters) < 8:
        return "*" * len(characters)
    return characters[0] + "*" * (len(characters) - 2) + characters[-1]


def mask_email(address: object) -> str:
    """An e-mail address as ``z***@example.com``."""
    local, _, domain = str(address).translate(_HALF_WIDTH).rpartition("@")
    if not local or not domain:
        return "***"
    return f"{local[0]}***@{domain}"


# --- free text ----------------------------------------------------------------


def _detection_view(text: str) -> str:
    """``text`` with full-width forms as ASCII and JSON escapes as ``#``; same length."""
    view = text.translate(_HALF_WIDTH)
    return _JSON_ESCAPE.sub(lambda match: "#" * len(match.group()), view)


def _is_amount(view: str, start: int, end: int) -> bool:
    return bool(_AMOUNT_BEFORE.search(view[max(0, start - 4):start]) or _AMOUNT_AFTER.match(view[end:end + 5]))


def _candidates(view: str) -> Iterable[_Span]:
    for match in _JWT.finditer(view):
        yield _Span(match.start(), match.end(), Kind.TOKEN)
    for found in jionlp.extract_email(view, detail=True):
        yield _Span(*found["offset"], Kind.EMAIL)
    for match in _EMAIL.finditer(view):
        yield _Span(match.start(), match.end(), Kind.EMAIL)
    for found in jionlp.extract_id_card(view, detail=True):
        yield _Span(*found["offset"], Kind.ID_CARD)
    for match in _ID_CARD.finditer(view):
        yield _Span(match.start(), match.end(), Kind.ID_CARD)
    for pattern in (_DIGIT_RUN, _GROUPED_DIGITS):
        for match in pattern.finditer(view):
            if len(_NOT_DIGIT.sub("", match.group())) >= 16:  # no amount has 16 digits
                yield _Span(match.start(), match.end(), Kind.CARD)
    for found in jionlp.extract_phone_number(view, detail=True):
        start, end = found["offset"]
        while view[start] in " -":  # jionlp takes a separator before the number into it
            start += 1
        if found["type"] == "cell_phone" and not _is_amount(view, start, end):
            yield _Span(start, end, Kind.PHONE)
    for match in _MOBILE.finditer(view):
        if not _is_amount(view, *match.span()):
            yield _Span(match.start(), match.end(), Kind.PHONE)


def _sensitive_spans(view: str) -> List[_Span]:
    """Non-overlapping spans to mask: the longest first, then the stronger kind."""
    chosen: List[_Span] = []
    for span in sorted(set(_candidates(view)), key=lambda s: (s.start - s.end, -s.kind, s.start)):
        if all(span.end <= other.start or span.start >= other.end for other in chosen):
            chosen.append(span)
    return sorted(chosen, key=lambda s: s.start)


def _replacement(kind: Kind, found: str, script: str) -> str:
    if kind is Kind.CARD:
        return tail(found, script)
    if kind is Kind.PHONE:
        return mask_phone(found)
    if kind is Kind.ID_CARD:
        return mask_id_card(found)
    if kind is Kind.EMAIL:
        return mask_email(found)
    return TOKEN_PLACEHOLDER


def mask_text(text: str, *, script: str = "simplified") -> str:
    """``text`` with every card/account number, ID number, mobile, e-mail and token masked."""
    if not text or not ("eyJ" in text or any(character.isdigit() or character in "@＠" for character in text)):
        return text
    view = _detection_view(text)
    pieces: List[str] = []
    position = 0
    for span in _sensitive_spans(view):
        pieces.append(text[position:span.start])
        pieces.append(_replacement(span.kind, view[span.start:span.end], script))
        position = span.end
    pieces.append(text[position:])
    return "".join(pieces)


# --- structured values ---------------------------------------------------------

# fields masked whole, whatever their value looks like
_FIELD_MASKS: Dict[str, Callable[[object], str]] = {
    **dict.fromkeys(
        ("account_number", "card_number", "account_no", "card_no", "counterparty_account"),
        lambda value: tail(value) if len(_NOT_DIGIT.sub("", str(value))) >= 4 else "****",
    ),
    **dict.fromkeys(("phone", "mobile", "phone_number", "mobile_phone"), mask_phone),
    **dict.fromkeys(("id_card", "id_number", "id_card_number"), mask_id_card),
    **dict.fromkeys(("email", "email_address"), mask_email),
    **dict.fromkeys(("token", "app_token", "access_token", "authorization"), lambda _: TOKEN_PLACEHOLDER),
}


def mask_value(value: Any, *, field: Optional[str] = None) -> Any:
    """A copy of ``value`` (dicts, lists, tuples, strings, numbers) with personal data masked.

    Strings are masked as free text; a value under a field named like a
    number, phone, ID, e-mail or token is masked whole. Integers of 16 digits
    or more become a card tail; other numbers (amounts) stay.
    """
    mask_field = _FIELD_MASKS.get(field.lower()) if isinstance(field, str) else None
    if isinstance(value, Mapping):
        return {key: mask_value(item, field=key if isinstance(key, str) else None) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        masked = [mask_value(item, field=field) for item in value]
        return masked if isinstance(value, list) else type(value)(masked)
    if mask_field is not None and value is not None and not isinstance(value, bool):
        return mask_field(value)
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**15:
        return tail(value)  # 16 digits or more: a card or account number, not an amount
    return value


# --- logs ------------------------------------------------------------------------------

_MASKED_MARK = "_personal_data_masked"


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    """Masks a log record in place: its message with the arguments merged, exception and stack text."""
    if getattr(record, _MASKED_MARK, False):
        return record
    try:
        message = record.getMessage()
    except Exception:  # a message whose arguments do not fit: keep the parts, masked
        message = f"{record.msg} {record.args!r}"
    record.msg, record.args = mask_text(message), None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = mask_text(record.exc_text)
    if record.stack_info:
        record.stack_info = mask_text(record.stack_info)
    setattr(record, _MASKED_MARK, True)
    return record


class MaskingFilter(logging.Filter):
    """A filter for handlers (or a dictConfig ``filters:`` entry) that masks each record it sees.

    On a *logger* a filter only sees records logged on that very logger, not
    those propagated from its children: to cover a whole process use
    :func:`install_log_masking`.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record)
        return True


def install_log_masking() -> None:
    """Masks every log record this process makes, from any logger, for any handler.

    Wraps the log-record factory, so it also covers handlers and loggers set
    up later (Rasa configures its own after start-up) and structlog, which
    Rasa sends through the standard loggers. Safe to call more than once.
    """
    factory = logging.getLogRecordFactory()
    if getattr(factory, _MASKED_MARK, False):
        return

    def masking_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return mask_record(factory(*args, **kwargs))

    setattr(masking_factory, _MASKED_MARK, True)
    logging.setLogRecordFactory(masking_factory)
