"""Canonical values of the contract's entities: amounts, currencies, times.

Pure, typed functions. The NLU pipeline calls :func:`canonical_value` for every
entity it extracts; actions can call the specific parsers directly.

- amount → yuan (or units of the stated currency) as a plain decimal string:
  ``5万`` → ``"50000"``, ``30w`` → ``"300000"``, ``五十万`` → ``"500000"``.
- currency → ISO 4217 code: ``美刀`` → ``"USD"``.
- time → ISO 8601 in Asia/Shanghai: a point (``2026-11-25T15:00:00+08:00``)
  when the expression names an hour or finer, otherwise an interval
  (``2026-10-01T00:00:00+08:00/2026-10-31T23:59:59+08:00``).
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Callable, Dict, Optional, Tuple
from zoneinfo import ZoneInfo

import cn2an

from bot.nlu.normalise import normalise

__all__ = [
    "SHANGHAI",
    "TimeValue",
    "parse_amount",
    "parse_currency",
    "parse_time",
    "canonical_value",
    "format_amount",
]

SHANGHAI = ZoneInfo("Asia/Shanghai")

_MAGNITUDES: Dict[str, Decimal] = {
    "": Decimal(1),
    "十": Decimal(10),
    "百": Decimal(100),
    "千": Decimal(1_000),
    "k": Decimal(1_000),
    "万": Decimal(10_000),
    "w": Decimal(10_000),
    "十万": Decimal(100_000),
    "百万": Decimal(1_000_000),
    "m": Decimal(1_000_000),
    "千万": Decimal(10_000_000),
    "亿": Decimal(100_000_000),
}
_DIGITS_RE = re.compile(r"^(\d+(?:\.\d+)?)(十万|百万|千万|十|百|千|万|亿|k|w|m)?$")
_UNIT_SUFFIX_RE = re.compile(r"(人民币|块钱|元整|块|元|圆|rmb|cny)$")


def parse_amount(text: str) -> Optional[Decimal]:
    """Reads an amount such as 5万, 30w, 50k, 五十万元, 100,000, 3.5万."""
    cleaned = normalise(text).text.replace(",", "").replace(" ", "")
    cleaned = _UNIT_SUFFIX_RE.sub("", cleaned)
    if not cleaned:
        return None
    match = _DIGITS_RE.match(cleaned)
    if match:
        try:
            return Decimal(match.group(1)) * _MAGNITUDES[match.group(2) or ""]
        except InvalidOperation:
            return None
    try:
        value = cn2an.cn2an(cleaned, "smart")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return Decimal(str(value))


def format_amount(value: Decimal) -> str:
    """Plain decimal string without exponent or trailing zeros: 50000, 3500.5."""
    normalised = value.normalize()
    if normalised == normalised.to_integral():
        return str(normalised.quantize(Decimal(1)))
    return format(normalised, "f")


_CURRENCIES: Dict[str, str] = {
    "美元": "USD", "美金": "USD", "美刀": "USD", "刀": "USD", "usd": "USD", "us$": "USD",
    "港币": "HKD", "港元": "HKD", "港纸": "HKD", "hkd": "HKD", "港币现钞": "HKD",
    "欧元": "EUR", "eur": "EUR", "日元": "JPY", "日币": "JPY", "jpy": "JPY",
    "英镑": "GBP", "gbp": "GBP", "澳元": "AUD", "澳币": "AUD", "aud": "AUD",
    "加元": "CAD", "加币": "CAD", "cad": "CAD", "新加坡元": "SGD", "新币": "SGD",
    "sgd": "SGD", "瑞士法郎": "CHF", "瑞郎": "CHF", "chf": "CHF",
    "人民币": "CNY", "rmb": "CNY", "cny": "CNY", "块": "CNY", "元": "CNY",
    "韩元": "KRW", "krw": "KRW", "新台币": "TWD", "台币": "TWD", "twd": "TWD",
    "澳门元": "MOP", "mop": "MOP",
}
_ISO_CODES = frozenset(_CURRENCIES.values())


def parse_currency(text: str) -> Optional[str]:
    """Maps a currency word (美刀, 港紙, USD) to its ISO 4217 code."""
    key = normalise(text).text.replace(" ", "")
    if key.upper() in _ISO_CODES:
        return key.upper()
    return _CURRENCIES.get(key)


@dataclass(frozen=True)
class TimeValue:
    """A resolved time expression: a point when start == end."""

    start: datetime
    end: datetime

    @property
    def is_point(self) -> bool:
        return self.start == self.end

    def iso(self) -> str:
        if self.is_point:
            return self.start.isoformat()
        return f"{self.start.isoformat()}/{self.end.isoformat()}"


def _day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)


def _day_end(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=SHANGHAI)


def _month_span(year: int, month: int) -> Tuple[datetime, datetime]:
    last = calendar.monthrange(year, month)[1]
    return _day_start(date(year, month, 1)), _day_end(date(year, month, last))


def _shift_month(year: int, month: int, delta: int) -> Tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


_MONTH_RE = re.compile(r"^(\d{1,2})月份?$")


def _month_rules(text: str, now: datetime) -> Optional[Tuple[datetime, datetime]]:
    """Month expressions jionlp does not read (上个月, 10月, 月底)."""
    relative: Dict[str, int] = {
        "上个月": -1, "上月": -1, "上一个月": -1, "本月": 0, "这个月": 0, "这月": 0,
        "当月": 0, "下个月": 1, "下月": 1, "上上个月": -2,
    }
    if text in relative:
        return _month_span(*_shift_month(now.year, now.month, relative[text]))
    match = _MONTH_RE.match(text)
    if match and 1 <= int(match.group(1)) <= 12:
        return _month_span(now.year, int(match.group(1)))
    last_day = calendar.monthrange(now.year, now.month)[1]
    edges: Dict[str, Callable[[], Tuple[datetime, datetime]]] = {
        "月底": lambda: (
            _day_start(date(now.year, now.month, max(1, last_day - 4))),
            _day_end(date(now.year, now.month, last_day)),
        ),
        "月初": lambda: (
            _day_start(date(now.year, now.month, 1)),
            _day_end(date(now.year, now.month, 5)),
        ),
    }
    if text in edges:
        return edges[text]()
    return None


def parse_time(text: str, now: Optional[datetime] = None) -> Optional[TimeValue]:
    """Resolves a Chinese time expression relative to ``now`` (Asia/Shanghai)."""
    import jionlp  # imported late: it prints a banner and takes ~0.5 s

    now = (now or datetime.now(SHANGHAI)).astimezone(SHANGHAI)
    cleaned = normalise(text).text.replace(" ", "")
    if not cleaned:
        return None
    month_span = _month_rules(cleaned, now)
    if month_span:
        return TimeValue(*month_span)
    base = {
        "year": now.year, "month": now.month, "day": now.day,
        "hour": now.hour, "minute": now.minute, "second": now.second,
    }
    try:
        parsed = jionlp.parse_time(cleaned, time_base=base)
    except Exception:  # jionlp raises bare ValueError/TypeError/KeyError on junk
        return None
    times = parsed.get("time") if isinstance(parsed, dict) else None
    if not isinstance(times, list) or len(times) != 2 or not all(isinstance(t, str) for t in times):
        return None
    try:
        start, end = (
            datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHANGHAI)
            for value in times
        )
    except ValueError:
        return None
    # an hour or finer, with an exact reading, is a point in time
    if parsed.get("type") == "time_point" and parsed.get("definition") == "accurate":
        if end - start < timedelta(hours=1):
            return TimeValue(start, start)
    return TimeValue(start, end)


def canonical_value(entity: str, text: str, now: Optional[datetime] = None) -> Optional[str]:
    """The contract's canonical value for an entity's text, or None if unknown."""
    if entity == "amount":
        amount = parse_amount(text)
        return format_amount(amount) if amount is not None else None
    if entity == "currency":
        return parse_currency(text)
    if entity == "time":
        value = parse_time(text, now)
        return value.iso() if value else None
    if entity == "case_id":
        cleaned = normalise(text).text.replace(" ", "").upper()
        return cleaned if re.fullmatch(r"CS-\d{4}-\d{6}", cleaned) else None
    if entity == "card_tail":
        digits = re.sub(r"\D", "", normalise(text).text)
        return digits[-4:] if len(digits) >= 4 else None
    return None
