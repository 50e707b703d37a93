"""How long a client can leave money invested, read from what they say.

Pure, typed functions. ``一年以内``, ``大概一年左右用不到``, ``三个月``, ``半年``
→ a number of days; ``短期`` → :data:`SHORT_TERM_DAYS`; ``随时能取`` → a need
for money that can be taken out on any working day. A ``time`` entity (ISO
8601 from the NLU, a point or ``start/end``) counts as a horizon only when
the message talks about using the money (``明年要用``), not about something
else that happens then (``下周到期``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Dict, Iterable, Optional

import cn2an

from bot.nlu.normalise import normalise

__all__ = [
    "SHORT_TERM_DAYS",
    "Horizon",
    "horizon_from_text",
    "horizon_from_time",
    "combine",
]

SHORT_TERM_DAYS = 91  # 短期: up to about three months
_DAYS_PER_UNIT = {"年": 365, "月": 30.5, "周": 7, "星期": 7, "天": 1}
_DURATION_RE = re.compile(
    r"(半|\d+(?:\.\d+)?|[一二两三四五六七八九十百]+)\s*(个)?\s*(年|月|周|星期|天)(半)?"
)
_NOT_A_DURATION_BEFORE = ("每", "第", "上", "下", "这", "本", "今", "明", "去", "前", "周", "礼拜")
_LONGEST_YEARS = 100  # 2027年 is a date, not a duration
_LIQUID_WORDS = ("随时", "随存随取", "随取", "灵活", "活钱", "流动性好", "急用", "应急")
_SHORT_WORDS = ("短期", "短线", "短一点", "不想放太久", "不要太久")
_USE_WORDS = ("用", "取", "花", "之前", "以前", "以内", "之内", "内", "闲置", "放")


@dataclass(frozen=True)
class Horizon:
    """A stated need: at most ``max_days`` until the money is needed (None: not said);
    ``liquid``: the money must be available any working day."""

    max_days: Optional[int] = None
    liquid: bool = False

    @property
    def stated(self) -> bool:
        return self.max_days is not None or self.liquid

    def over(self, remembered: "Horizon") -> "Horizon":
        """This message's need, or on a follow-up that states none (那5万呢) the remembered one."""
        return self if self.stated else remembered

    def to_json(self) -> Dict[str, Any]:
        return {"max_days": self.max_days, "liquid": self.liquid}

    @classmethod
    def from_json(cls, value: Any) -> "Horizon":
        """A remembered need; anything malformed (a slot is client-reachable state) is no need."""
        if not isinstance(value, dict):
            return cls()
        days, liquid = value.get("max_days"), value.get("liquid")
        valid_days = days if isinstance(days, int) and not isinstance(days, bool) and days > 0 else None
        return cls(valid_days, liquid is True)


def _number(text: str) -> Optional[float]:
    if text == "半":
        return 0.5
    try:
        return float(text)
    except ValueError:
        pass
    try:
        return float(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError, IndexError, TypeError):
        return None


def _durations(text: str) -> Iterable[int]:
    for match in _DURATION_RE.finditer(text):
        if match.start() > 0 and text[match.start() - 1] in _NOT_A_DURATION_BEFORE:
            continue  # 每月, 上个月, 明年: a period or a date, not a duration
        unit = match.group(3)
        if unit == "月" and not match.group(2):
            continue  # 10月, 三月: a month of the year; a duration says 三个月
        number = _number(match.group(1))
        if number is None or number <= 0 or (unit == "年" and number >= _LONGEST_YEARS):
            continue
        if match.group(4):  # 一年半
            number += 0.5
        yield round(number * _DAYS_PER_UNIT[unit])


def horizon_from_text(text: str, ignore: Iterable[str] = ()) -> Horizon:
    """The need stated in a message (any script): the shortest duration named, 短期, or 随时取.

    ``ignore``: names whose digits are no duration (product names such as 稳享90天).
    """
    normalised = normalise(text).text
    for name in sorted(ignore, key=len, reverse=True):
        if name:
            normalised = normalised.replace(name, " ")
    liquid = any(word in normalised for word in _LIQUID_WORDS)
    days = list(_durations(normalised))
    if any(word in normalised for word in _SHORT_WORDS):
        days.append(SHORT_TERM_DAYS)
    return Horizon(min(days) if days else None, liquid)


def _parse_instant(value: str) -> Optional[datetime]:
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        return None


def horizon_from_time(value: str, text: str, today: date) -> Horizon:
    """The need a ``time`` entity states: days from ``today`` until it starts, when the message
    talks about using the money then; nothing for a past time or an unrelated one."""
    if not any(word in normalise(text).text for word in _USE_WORDS):
        return Horizon()
    parts = [_parse_instant(part) for part in str(value).split("/")]
    if not parts or any(part is None for part in parts):
        return Horizon()
    start, end = parts[0], parts[-1]
    assert start is not None and end is not None
    for moment in (start, end):
        days = (moment.date() - today).days
        if days > 0:
            return Horizon(days)
    return Horizon()


def combine(*horizons: Horizon) -> Horizon:
    """The strictest of several stated needs."""
    days = [horizon.max_days for horizon in horizons if horizon.max_days is not None]
    return Horizon(min(days) if days else None, any(horizon.liquid for horizon in horizons))
