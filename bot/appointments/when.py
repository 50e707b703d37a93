"""When a client wants to meet, read from ordinary Chinese relative to ``now`` (Asia/Shanghai).

:func:`read_when` normalises the text (Traditional → Simplified, full-width →
half-width) and reads its first 300 characters:

- days: 今天/明天/后天/大后天/昨天/前天; 明早/今晚 (a day and a part); 周X/星期X/礼拜X
  with 这/本/下/下下/上 by ISO week (这周六 = this Monday-to-Sunday week's);
  N号; M月N号; 下个月N号; YYYY年M月N日; 月底 / 下个月底 (the last calendar day);
- parts: 上午/早上/凌晨/早 (morning), 中午, 下午, 晚上/傍晚/晚;
- clocks: 3点, 三点钟, 两点半, 两点一刻 (:15), 三点三刻 (:45), 3点20, 1:30, 13:30.

Rules:

- hours: with 下午/晚上 1–11 is +12 (晚上12点 = midnight); with 中午 1–5 is +12;
  with a morning word as written; bare, 1–6 is the afternoon (两点半 → 14:30),
  7–11 the morning, 12 noon, 0 and 13–23 as written; 一点 after 早/晚/快/多/有…
  or before 点/儿 means "a bit", not one o'clock;
- an hour or part with no day (三点, 下午) is today's, or tomorrow's once passed;
- a bare weekday (周五) is the nearest such day from today on; when that is
  today and the named hour or part has passed, the same day next week;
- N号 is this month's, or the next month having that day once before today;
  M月N号 is this year's, or next year's once before today;
- everything else is literal and reads PAST once before now (昨天下午三点;
  今天上午九点 at 11:00; 这周一 on a Wednesday; 今天上午 after noon);
- other days (圣诞节, 3天后, 下周, 年底) come from jionlp's time extractor; a
  festival already past this year means next year's; a span of several days
  (下周) reads VAGUE with ``day`` its first day not before today;
- a day or hour wins over vague words; vague words alone (改天, 有空的时候,
  过几天, 尽快, 随便哪天) read VAGUE, with ``day`` tomorrow for those that mean
  "not today" (改天, 过几天, 下次); anything else reads NONE.
"""
from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import Enum
from typing import Dict, List, Optional, Tuple

import cn2an

from bot.nlu.canonical import SHANGHAI
from bot.nlu.normalise import normalise

__all__ = ["WhenKind", "DayPart", "WhenReading", "read_when"]

_MAX_CHARS = 300


class WhenKind(str, Enum):
    """What a message says about when to meet."""

    EXACT = "exact"  # a day and an hour: ``start``
    DAY_PART = "day_part"  # a day and a part of it, no hour: ``day``, ``part``
    DAY = "day"  # a day without an hour: ``day``
    VAGUE = "vague"  # wants to meet, no usable time; ``day`` the first day hinted, if any
    PAST = "past"  # resolves before now; ``day`` (``part``/``start``) as read
    NONE = "none"  # no time expression


class DayPart(str, Enum):
    """A part of the day; ``window`` is when meetings in it may start."""

    MORNING = "morning"
    NOON = "noon"
    AFTERNOON = "afternoon"
    EVENING = "evening"

    @property
    def window(self) -> Tuple[time, time]:
        return _WINDOWS[self]


_WINDOWS: Dict[DayPart, Tuple[time, time]] = {
    DayPart.MORNING: (time(0), time(12)),
    DayPart.NOON: (time(11), time(14)),
    DayPart.AFTERNOON: (time(13), time(18)),
    DayPart.EVENING: (time(18), time(23, 59, 59)),
}


@dataclass(frozen=True)
class WhenReading:
    kind: WhenKind
    day: Optional[date] = None
    part: Optional[DayPart] = None
    start: Optional[datetime] = None

    @property
    def earliest(self) -> Optional[datetime]:
        """The earliest moment the reading names: where to start looking for a slot."""
        if self.start is not None:
            return self.start
        if self.day is None:
            return None
        begin = self.part.window[0] if self.part else time(0)
        return datetime.combine(self.day, begin, tzinfo=SHANGHAI)


_CN = "零〇一二两三四五六七八九十"
_N = rf"(?:[0-9]{{1,2}}|[{_CN}]{{1,3}})"
_FULL_DATE = re.compile(r"((?:19|20)[0-9]{2})(?:年|[-/.])([0-9]{1,2})(?:月|[-/.])([0-9]{1,2})[日号]?")
_OF_MONTH = re.compile(rf"(下下个?|下个?|这个?|本|上个?)月({_N})[日号]")
_MONTH_DAY = re.compile(rf"(?<![0-9年])({_N})月({_N})[日号]?")
_MONTH_END = re.compile(r"(下下个?|下个?|这个?|本|上个?)?月[底末]")
_WEEKDAY = re.compile(r"(下下个?|下个?|这个?|本|上个?)?(?:周|星期|礼拜)([一二三四五六日天1-7])")
_WEEKDAYS = {**{char: index + 1 for index, char in enumerate("一二三四五六日")}, "天": 7,
             **{str(index): index for index in range(1, 8)}}
_DAY_OF_MONTH = re.compile(rf"(?<![0-9{_CN}月])({_N})[日号](?![楼线门窗柜房位机码卡店])")
_RELATIVE: Dict[str, Tuple[int, Optional[DayPart]]] = {
    **{word: (offset, None) for offset, words in {3: "大后天", 2: "后天", 1: "明天 明日 明儿", 0: "今天 今日 今儿",
                                                  -1: "昨天 昨日", -2: "前天", -3: "大前天"}.items()
       for word in words.split()},
    "今早": (0, DayPart.MORNING), "今晨": (0, DayPart.MORNING), "明早": (1, DayPart.MORNING),
    "明晨": (1, DayPart.MORNING), "今晚": (0, DayPart.EVENING), "明晚": (1, DayPart.EVENING),
    "昨晚": (-1, DayPart.EVENING)}
_RELATIVE_RE = re.compile("|".join(sorted(_RELATIVE, key=len, reverse=True)))
_PARTS: Dict[str, DayPart] = {
    "凌晨": DayPart.MORNING, "早上": DayPart.MORNING, "早晨": DayPart.MORNING,
    "清晨": DayPart.MORNING, "上午": DayPart.MORNING, "中午": DayPart.NOON,
    "午后": DayPart.AFTERNOON, "下午": DayPart.AFTERNOON, "傍晚": DayPart.EVENING,
    "晚上": DayPart.EVENING, "夜里": DayPart.EVENING, "晚间": DayPart.EVENING,
}
_PARTS_RE = re.compile("|".join(_PARTS))
_CLOCK = re.compile(
    rf"(?<![0-9{_CN}])([0-9]{{1,2}}|[{_CN}]{{1,3}})"
    rf"(?::([0-9]{{2}})|(?:点|(?<=[0-9])时)钟?(半|[一1]刻|[三3]刻|[0-9]{{1,2}}|[{_CN}]{{1,3}})?分?)"
)
_A_BIT_BEFORE = set("早晚快慢多少大小好高低近远宜稍再有差")
_VAGUE = re.compile(
    "改天|改日|有空|有时间|过几天|过两天|过些天|过段时间|尽快|尽早|越快越好|随便|哪天都|"
    "什么时候都|随时|找个时间|抽空|方便的时候|近期|最近|这几天|回头|下次|以后|择日"
)
# vague words that mean "not today": the search for a slot starts tomorrow
_ANOTHER_DAY = re.compile("改天|改日|过几天|过两天|过些天|过段时间|回头|下次|以后|择日")
_FESTIVAL = re.compile("节|元旦|除夕|清明|端午|中秋")
_DAYISH = re.compile("[年月日号天周星礼节旦夕底初末今明昨后前秋午/-]")  # not a bare number or hour


def _number(text: str) -> Optional[int]:
    if text.isascii() and text.isdigit():
        return int(text)
    try:
        value = cn2an.cn2an(text, "smart")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return int(value) if float(value).is_integer() else None


def _safe_date(year: int, month: int, day: int) -> Optional[date]:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_shift(year: int, month: int, delta: int) -> Tuple[int, int]:
    index = year * 12 + month - 1 + delta
    return index // 12, index % 12 + 1


# A day found in the text: (its span, the day, days to add once it has passed or 0, part).
_Found = Tuple[Tuple[int, int], Optional[date], int, Optional[DayPart]]


def _find_day(text: str, today: date) -> Optional[_Found]:
    """The first day the rules read, in order of precedence."""
    offsets = {"下下": 2, "下": 1, "这": 0, "本": 0, "上": -1, "": 0}
    if m := _FULL_DATE.search(text):
        return m.span(), _safe_date(int(m[1]), int(m[2]), int(m[3])), 0, None
    if m := _OF_MONTH.search(text):
        year, month = _month_shift(today.year, today.month, offsets[m[1].rstrip("个")])
        return m.span(), _safe_date(year, month, _number(m[2]) or 0), 0, None
    if m := _MONTH_DAY.search(text):
        month, day = _number(m[1]) or 0, _number(m[2]) or 0
        found = _safe_date(today.year, month, day)
        if found is not None and found < today:
            found = _safe_date(today.year + 1, month, day)
        return m.span(), found, 0, None
    if m := _MONTH_END.search(text):
        year, month = _month_shift(today.year, today.month, offsets[(m[1] or "").rstrip("个")])
        return m.span(), date(year, month, monthrange(year, month)[1]), 0, None
    if m := _WEEKDAY.search(text):
        weekday = _WEEKDAYS[m[2]]
        monday = today - timedelta(days=today.weekday())
        if m[1] is None:  # bare: the nearest such day from today on
            return m.span(), today + timedelta(days=(weekday - 1 - today.weekday()) % 7), 7, None
        week = offsets[m[1].rstrip("个")]
        return m.span(), monday + timedelta(days=7 * week + weekday - 1), 0, None
    if m := _RELATIVE_RE.search(text):
        offset, part = _RELATIVE[m[0]]
        return m.span(), today + timedelta(days=offset), 0, part
    if m := _DAY_OF_MONTH.search(text):
        day = _number(m[1]) or 0
        if not 1 <= day <= 31:
            return m.span(), None, 0, None
        year, month = today.year, today.month
        if day < today.day:
            year, month = _month_shift(year, month, 1)
        while day > monthrange(year, month)[1]:
            year, month = _month_shift(year, month, 1)
        return m.span(), date(year, month, day), 0, None
    return None


def _find_clock(text: str) -> Optional[Tuple[Tuple[int, int], int, int]]:
    """The first clock time: (span, hour as written, minute)."""
    for m in _CLOCK.finditer(text):
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        if m[1] == "一" and m[3] is None and (before in _A_BIT_BEFORE or after in ("点", "儿")):
            continue
        hour, extra = _number(m[1]), m[2] or m[3]
        minutes = {"半": 30, "一刻": 15, "1刻": 15, "三刻": 45, "3刻": 45}
        minute = minutes[extra] if extra in minutes else (_number(extra) if extra else 0)
        if hour is not None and minute is not None and 0 <= hour <= 24 and 0 <= minute < 60:
            return m.span(), hour, minute
    return None


def _hour(hour: int, part: Optional[DayPart]) -> int:
    """The hour on a 24-hour clock (24 = midnight after the day) for an hour as written."""
    plus_twelve = {None: range(1, 7), DayPart.MORNING: range(0), DayPart.NOON: range(1, 6),
                   DayPart.AFTERNOON: range(1, 12), DayPart.EVENING: range(1, 13)}[part]
    return hour + 12 if hour in plus_twelve else hour


def _blank(text: str, span: Tuple[int, int]) -> str:
    return text[: span[0]] + "," * (span[1] - span[0]) + text[span[1]:]


def _jionlp_days(text: str, now: datetime) -> Optional[Tuple[date, date]]:
    """The first and last day of jionlp's first time that is not a bare number."""
    import jionlp  # imported late: it prints a banner and takes ~0.5 s

    def extract(base: datetime) -> List[dict]:
        fields = ("year", "month", "day", "hour", "minute", "second")
        try:
            found = jionlp.ner.extract_time(
                text, time_base={name: getattr(base, name) for name in fields}, with_parsing=True)
        except Exception:  # jionlp raises bare ValueError/TypeError/KeyError on junk
            return []
        return found if isinstance(found, list) else []

    for item in extract(now):
        matched, detail = str(item.get("text", "")), item.get("detail") or {}
        if not _DAYISH.search(matched) or detail.get("type") not in ("time_point", "time_span"):
            continue
        days = _span(detail.get("time"))
        if days and days[0] < now.date() and _FESTIVAL.search(matched) and not re.search("[年去前上]", matched):
            again = [other for other in extract(datetime(now.year + 1, 1, 1)) if other.get("text") == matched]
            days = _span((again[0].get("detail") or {}).get("time")) if again else days
        if days:
            return days
    return None


def _span(times: object) -> Optional[Tuple[date, date]]:
    if not isinstance(times, list) or len(times) != 2:
        return None
    try:
        first, last = (datetime.strptime(str(value), "%Y-%m-%d %H:%M:%S").date() for value in times)
    except ValueError:
        return None
    return first, last


def read_when(text: str, now: datetime) -> WhenReading:
    """Reads when a client wants to meet; ``now`` must be timezone-aware."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(SHANGHAI)
    today = now.date()
    cleaned = normalise(text[: _MAX_CHARS * 2]).text.replace(" ", "")[:_MAX_CHARS]
    found = _find_day(cleaned, today)
    rest = _blank(cleaned, found[0]) if found else cleaned
    clock = _find_clock(rest)
    rest = _blank(rest, clock[0]) if clock else rest
    part_match = _PARTS_RE.search(rest)
    part: Optional[DayPart] = _PARTS[part_match[0]] if part_match else None
    if clock and part is None and clock[0][0] and rest[clock[0][0] - 1] in "早晚":
        part = DayPart.MORNING if rest[clock[0][0] - 1] == "早" else DayPart.EVENING
    if found:
        _, day, bump, relative_part = found
        part = part or relative_part
        if day is None:
            return WhenReading(WhenKind.NONE)
    else:
        days = _jionlp_days(_blank(rest, part_match.span()) if part_match else rest, now)
        if days is None and not (clock or part):
            if not _VAGUE.search(cleaned):
                return WhenReading(WhenKind.NONE)
            return WhenReading(WhenKind.VAGUE, day=today + timedelta(days=1) if _ANOTHER_DAY.search(cleaned) else None)
        if days is None:
            day, bump = today, 1
        elif days[0] != days[1]:
            kind = WhenKind.PAST if days[1] < today else WhenKind.VAGUE
            return WhenReading(kind, day=days[0] if kind is WhenKind.PAST else max(days[0], today))
        else:
            day, bump = days[0], 0
    return _resolve(day, bump, clock, part, now)


def _resolve(day: date, bump: int, clock: Optional[Tuple[Tuple[int, int], int, int]],
             part: Optional[DayPart], now: datetime) -> WhenReading:
    """The reading for a day with an optional clock and part, moved by ``bump`` days once passed."""
    for attempt in (0, 1):
        midnight = datetime.combine(day, time(0), tzinfo=SHANGHAI)
        if clock:
            start = midnight + timedelta(hours=_hour(clock[1], part), minutes=clock[2])
            reading = WhenReading(WhenKind.EXACT, day=start.date(), part=part, start=start)
            passed = start < now
        elif part:
            reading = WhenReading(WhenKind.DAY_PART, day=day, part=part)
            passed = now >= datetime.combine(day, part.window[1], tzinfo=SHANGHAI)
        else:
            reading = WhenReading(WhenKind.DAY, day=day)
            passed = day < now.date()
        if not passed:
            return reading
        if not (bump and attempt == 0):
            return WhenReading(WhenKind.PAST, day=reading.day, part=part, start=reading.start)
        day += timedelta(days=bump)
    raise AssertionError("unreachable")  # pragma: no cover
