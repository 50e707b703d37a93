"""What a client asks for when they ask about their transactions, read from the message.

The NLU gives the period (``time``, already resolved to an interval when the
message was understood), amounts, the account and the currency as entities;
the rest is read from the text here, after :func:`bot.nlu.normalise.normalise`
(so Traditional and full-width input read the same):

- how many: 最近十笔, 最近5笔, 最后一笔 → :func:`parse_count`;
- which way: 支出 / 消费 / 转出 → out, 收入 / 到账 / 转入 → in → :func:`parse_direction`;
- how much: 超过5000, 5000以上, 1万以下, 3000到5000之间, 2万左右, 大额 →
  :func:`parse_amount_range`; an amount entity without such a word means
  "about this much" (±10 %);
- with whom or for what: a counterparty of the client's own transactions
  named in the text (美团 → 美团外卖) → :func:`match_counterparty`, a
  category by its name or a common word for it (吃饭 → 餐饮) → :func:`match_category`.

:class:`TransactionAsk` holds the result; it is remembered with the query so a
follow-up (上个月的呢) keeps what was asked and changes only what is new.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum
from typing import Any, Dict, Iterable, Mapping, Optional, Sequence, Tuple

import cn2an

from bot.nlu.canonical import SHANGHAI, parse_amount
from bot.nlu.normalise import normalise

__all__ = [
    "Direction",
    "AmountRange",
    "Period",
    "PeriodSource",
    "TransactionAsk",
    "LARGE_AMOUNT",
    "APPROXIMATION",
    "DEFAULT_DAYS",
    "normalised_text",
    "parse_count",
    "parse_direction",
    "parse_amount_range",
    "match_category",
    "match_counterparty",
    "read_ask",
    "period_from_time_values",
    "choose_period",
]

LARGE_AMOUNT = Decimal(10_000)  # 大额: at least this many yuan
APPROXIMATION = Decimal("0.10")  # "2万左右" and a bare amount: within ±10 %
DEFAULT_DAYS = 30
MAX_COUNT = 200
_CENT = Decimal("0.01")


def normalised_text(text: Optional[str]) -> str:
    """The text as the parsers read it: Simplified, half-width, lower case, no commas in numbers."""
    cleaned = normalise(text or "").text
    return re.sub(r"(?<=\d),(?=\d{3})", "", cleaned)


# ----------------------------------------------------------------------------- count
_CHINESE_NUMBER = "零〇一二两三四五六七八九十百"
_COUNT = re.compile(rf"(?:最近的?|最后的?|最新的?|近|前|头)\s*(\d{{1,3}}|[{_CHINESE_NUMBER}]{{1,4}})\s*(?:笔|条)")


def parse_count(text: str) -> Optional[int]:
    """How many transactions the client asks to see (最近十笔 → 10), or None."""
    match = _COUNT.search(normalised_text(text))
    if not match:
        return None
    number = match.group(1)
    try:
        value = int(number) if number.isdigit() else int(cn2an.cn2an(number, "smart"))
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return min(value, MAX_COUNT) if value > 0 else None


# ------------------------------------------------------------------------- direction
class Direction(str, Enum):
    IN = "in"
    OUT = "out"


_OUT_WORDS = ("支出", "花了", "花费", "花销", "花在", "花哪", "花掉", "开销", "消费", "扣款", "扣了", "被扣", "扣费",
              "扣钱", "付款", "付了", "转出", "转给", "汇出", "刷了", "刷卡", "支付")
_IN_WORDS = ("收入", "入账", "进账", "到账", "转入", "收到", "给我转", "汇入", "进来", "打过来", "汇过来", "收款",
             "发了没", "发工资")


def parse_direction(text: str) -> Optional[Direction]:
    """Money out (支出, 消费, 转出) or in (收入, 到账, 转入); None when neither or both are asked."""
    cleaned = normalised_text(text)
    out = any(word in cleaned for word in _OUT_WORDS)
    incoming = any(word in cleaned for word in _IN_WORDS)
    if out == incoming:
        return None
    return Direction.OUT if out else Direction.IN


# ---------------------------------------------------------------------------- amount
@dataclass(frozen=True)
class AmountRange:
    """Inclusive bounds in the transaction's currency; ``approximate``: around a stated amount."""

    minimum: Optional[Decimal] = None
    maximum: Optional[Decimal] = None
    approximate: bool = False

    @classmethod
    def around(cls, amount: Decimal) -> "AmountRange":
        spread = amount * APPROXIMATION
        return cls((amount - spread).quantize(_CENT, ROUND_HALF_UP), (amount + spread).quantize(_CENT, ROUND_HALF_UP),
                   approximate=True)

    @property
    def centre(self) -> Optional[Decimal]:
        """The amount the client named, for an approximate range."""
        if not self.approximate or self.minimum is None or self.maximum is None:
            return None
        return ((self.minimum + self.maximum) / 2).quantize(_CENT, ROUND_HALF_UP)

    def to_json(self) -> Dict[str, Any]:
        return {"minimum": _text(self.minimum), "maximum": _text(self.maximum), "approximate": self.approximate}

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> "AmountRange":
        return cls(_decimal(value.get("minimum")), _decimal(value.get("maximum")), bool(value.get("approximate")))


def _text(value: Optional[Decimal]) -> Optional[str]:
    return None if value is None else str(value)


def _decimal(value: Any) -> Optional[Decimal]:
    return None if value in (None, "") else Decimal(str(value))


_NUMBER = rf"(?<![\d.])(?:\d{{1,12}}(?:\.\d+)?|[{_CHINESE_NUMBER}千万亿]{{1,8}})(?:\s*(?:万|千|百|k|w))?(?![\d.])"
_YUAN = r"(?:\s*(?:元|块钱|块|人民币|rmb))?"
# what may not follow an amount: counts, durations, dates, percentages
_NOT_MONEY = r"(?!\s*(?:笔|条|次|天|日|号|个|月|年|周|星期|小时|分|%|折|岁))"
_AMOUNT = rf"({_NUMBER}){_NOT_MONEY}{_YUAN}"
_BETWEEN = re.compile(rf"{_AMOUNT}\s*(?:到|至|-|~|—)\s*{_AMOUNT}")
_AT_LEAST = (
    re.compile(rf"(?:(?<!不)超过|超出|大于|高于|多于|不少于|不低于|至少|起码|最少|>=|≥|>)\s*{_AMOUNT}"),
    re.compile(rf"{_AMOUNT}\s*(?:以上|及以上|或以上|往上|起步)"),
)
_AT_MOST = (
    re.compile(rf"(?:不超过|不到|不足|(?<!不)低于|(?<!不)少于|小于|最多|至多|<=|≤|<)\s*{_AMOUNT}"),
    re.compile(rf"{_AMOUNT}\s*(?:以下|及以下|以内|之内)"),
)
_ABOUT = (
    re.compile(rf"{_AMOUNT}\s*(?:左右|上下)"),
    re.compile(rf"(?:大约|大概|差不多|约)\s*{_AMOUNT}"),
)
_LARGE = re.compile(r"大额|大笔|金额(?:比较|很|较)?大")


def _amount(raw: str) -> Optional[Decimal]:
    value = parse_amount(raw.strip())
    return value if value is not None and value > 0 else None


def _first(patterns: Iterable["re.Pattern[str]"], text: str) -> Optional[Decimal]:
    for pattern in patterns:
        for match in pattern.finditer(text):
            value = _amount(match.group(1))
            if value is not None:
                return value
    return None


def parse_amount_range(text: str, amount_entities: Sequence[Any] = ()) -> Optional[AmountRange]:
    """The amounts the client asks about: 超过5000 → ≥ 5000, 1万以下 → ≤ 10000, 2万左右 or a bare
    amount entity → within ±10 %, 大额 → ≥ 10000; None when no amount is asked about."""
    cleaned = normalised_text(text)
    for match in _BETWEEN.finditer(cleaned):
        low, high = _amount(match.group(1)), _amount(match.group(2))
        if low is not None and high is not None and low < high:
            return AmountRange(low, high)
    about = _first(_ABOUT, cleaned)
    if about is not None:
        return AmountRange.around(about)
    minimum, maximum = _first(_AT_LEAST, cleaned), _first(_AT_MOST, cleaned)
    if minimum is None and _LARGE.search(cleaned):
        minimum = LARGE_AMOUNT
    if minimum is not None or maximum is not None:
        if minimum is not None and maximum is not None and minimum > maximum:
            return None
        return AmountRange(minimum, maximum)
    for value in amount_entities:
        amount = _decimal(value)
        if amount is not None and amount > 0:
            return AmountRange.around(amount)
    return None


# ------------------------------------------------------------ category, counterparty
# the store's categories (bot/profile/seed_transactions.py) and the words clients use for them;
# longer words are tried first
_CATEGORY_WORDS: Tuple[Tuple[str, Tuple[str, ...]], ...] = (
    ("信用卡还款", ("信用卡还款", "还信用卡", "还款")),
    ("跨境汇款", ("跨境汇款", "境外汇款", "汇款到境外", "汇到国外")),
    ("购汇", ("购汇", "换汇", "买外汇")),
    ("餐饮", ("餐饮", "吃饭", "外卖", "餐厅", "饭店", "咖啡", "奶茶")),
    ("购物", ("购物", "网购", "买东西", "商场")),
    ("生鲜超市", ("生鲜超市", "超市", "买菜", "生鲜")),
    ("交通出行", ("交通出行", "交通", "打车", "加油", "车费", "地铁")),
    ("旅游出行", ("旅游出行", "旅游", "旅行", "机票", "酒店")),
    ("娱乐", ("娱乐", "电影", "视频会员", "音乐")),
    ("医疗", ("医疗", "看病", "买药", "药店", "医院")),
    ("教育", ("教育", "培训", "学费", "课程")),
    ("养老金", ("养老金", "退休金")),
    ("工资", ("工资", "薪水", "薪资", "奖金", "代发")),
    ("房贷", ("房贷", "按揭")),
    ("房租", ("房租", "租金")),
    ("通讯", ("通讯", "话费", "手机费")),
    ("水电燃气", ("水电燃气", "水电", "电费", "燃气", "煤气", "水费")),
    ("转账", ("转账", "转给", "给我转")),
    ("取现", ("取现", "取钱", "取款", "atm")),
    ("利息", ("利息", "结息")),
    ("理财", ("理财申购", "申购", "理财")),
)
# counterparties named only in full: people (转账) and employers (工资)
_NAMED_IN_FULL = frozenset({"转账", "工资"})
# a shared beginning of many counterparties says nothing about which one
_TOO_GENERAL = frozenset({"本行", "中国", "个人", "社会", "境外", "上海", "北京", "深圳", "广州", "杭州"})
_MIN_PART = 2


def match_category(text: str) -> Optional[str]:
    """The transaction category named in the text (吃饭 → 餐饮), or None."""
    cleaned = normalised_text(text)
    best: Optional[Tuple[int, str]] = None
    for category, words in _CATEGORY_WORDS:
        for word in words:
            if word in cleaned and (best is None or len(word) > best[0]):
                best = (len(word), category)
    return best[1] if best else None


def match_counterparty(text: str, counterparties: Sequence[Tuple[str, str]]) -> Optional[str]:
    """The part of the text naming one of ``counterparties`` (``(name, category)`` pairs, the
    client's own), as a substring to filter on: 美团 for 美团外卖; None when none is named.

    A merchant may be named by the start of its name (美团, 滴滴, 携程); people and
    employers only in full.
    """
    cleaned = normalised_text(text)
    best: Optional[str] = None
    for name, category in counterparties:
        key = name.lower()
        if key in cleaned:
            found: Optional[str] = key
        elif category in _NAMED_IN_FULL:
            found = None
        else:
            found = next((key[:length] for length in range(len(key) - 1, _MIN_PART - 1, -1)
                          if key[:length] in cleaned and key[:length] not in _TOO_GENERAL), None)
        if found and (best is None or len(found) > len(best)):
            best = found
    return best


# ----------------------------------------------------------------------------- ask
@dataclass(frozen=True)
class TransactionAsk:
    """The filters read from the text (the entities come with the query).

    ``counterparty_known``: the counterparty is one of the client's own, so
    the reply may name it; a name that is not (someone else's name) is still
    filtered on but never repeated.
    """

    count: Optional[int] = None
    direction: Optional[Direction] = None
    amount: Optional[AmountRange] = None
    counterparty: Optional[str] = None
    counterparty_known: bool = False
    category: Optional[str] = None

    def over(self, older: "TransactionAsk") -> "TransactionAsk":
        """This ask with what it leaves open taken from ``older`` (a follow-up over the last query)."""
        changes = {field.name: getattr(older, field.name) for field in fields(self)
                   if getattr(self, field.name) is None and field.name != "counterparty_known"}
        if "counterparty" in changes:
            changes["counterparty_known"] = older.counterparty_known
        return replace(self, **changes)

    def to_json(self) -> Dict[str, Any]:
        return {
            "count": self.count,
            "direction": self.direction.value if self.direction else None,
            "amount": self.amount.to_json() if self.amount else None,
            "counterparty": self.counterparty,
            "counterparty_known": self.counterparty_known,
            "category": self.category,
        }

    @classmethod
    def from_json(cls, value: Any) -> "TransactionAsk":
        if not isinstance(value, Mapping):
            return cls()
        direction = value.get("direction")
        amount = value.get("amount")
        count = value.get("count")
        return cls(
            count=int(count) if isinstance(count, int) and count > 0 else None,
            direction=Direction(direction) if direction in ("in", "out") else None,
            amount=AmountRange.from_json(amount) if isinstance(amount, Mapping) else None,
            counterparty=value.get("counterparty") or None,
            counterparty_known=bool(value.get("counterparty_known")),
            category=value.get("category") or None,
        )


def read_ask(
    text: str,
    amount_entities: Sequence[Any] = (),
    person_entities: Sequence[str] = (),
    counterparties: Sequence[Tuple[str, str]] = (),
) -> TransactionAsk:
    """Everything :class:`TransactionAsk` holds, from one message.

    A person entity (张伟给我转的钱) is the counterparty; it is "known" only
    when the client has dealt with someone of that name.
    """
    counterparty = match_counterparty(text, counterparties)
    known = counterparty is not None
    if counterparty is None:
        for person in person_entities:
            name = normalised_text(str(person)).strip()
            if name:
                counterparty = name
                known = any(name in other.lower() for other, _ in counterparties)
                break
    return TransactionAsk(
        count=parse_count(text),
        direction=parse_direction(text),
        amount=parse_amount_range(text, amount_entities),
        counterparty=counterparty,
        counterparty_known=known,
        category=match_category(text),
    )


# ---------------------------------------------------------------------------- period
class PeriodSource(str, Enum):
    ASKED = "asked"  # the time entity
    DEFAULT = "default"  # the last 30 days up to the data day
    ANY = "any"  # a count without a period: the newest, whenever


@dataclass(frozen=True)
class Period:
    start: Optional[datetime]
    end: Optional[datetime]
    source: PeriodSource

    @property
    def first_day(self) -> Optional[date]:
        return self.start.astimezone(SHANGHAI).date() if self.start else None

    @property
    def last_day(self) -> Optional[date]:
        return self.end.astimezone(SHANGHAI).date() if self.end else None


def _instant(value: str) -> Optional[datetime]:
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=SHANGHAI)


def period_from_time_values(values: Sequence[Any]) -> Optional[Tuple[datetime, datetime]]:
    """The span of the NLU's time values: intervals ``start/end`` as they are, a point in
    time as its whole day (Shanghai); several values → from the earliest start to the latest end."""
    spans = []
    for value in values:
        if not isinstance(value, str):
            continue
        parts = value.split("/")
        if len(parts) == 2:
            start, end = _instant(parts[0]), _instant(parts[1])
        elif len(parts) == 1:
            point = _instant(parts[0])
            if point is None:
                continue
            day = point.astimezone(SHANGHAI).date()
            start = datetime.combine(day, time.min, SHANGHAI)
            end = datetime.combine(day, time(23, 59, 59), SHANGHAI)
        else:
            continue
        if start is not None and end is not None and start <= end:
            spans.append((start, end))
    if not spans:
        return None
    return min(start for start, _ in spans), max(end for _, end in spans)


def choose_period(time_values: Sequence[Any], count: Optional[int], data_day: date) -> Period:
    """The period asked for; none for a count alone (最近十笔); else the last 30 days to ``data_day``."""
    asked = period_from_time_values(time_values)
    if asked is not None:
        return Period(asked[0], asked[1], PeriodSource.ASKED)
    if count is not None:
        return Period(None, None, PeriodSource.ANY)
    first = data_day - timedelta(days=DEFAULT_DAYS - 1)
    return Period(datetime.combine(first, time.min, SHANGHAI), datetime.combine(data_day, time(23, 59, 59), SHANGHAI),
                  PeriodSource.DEFAULT)
