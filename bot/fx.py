"""Foreign exchange: conversions at the board's rates, the annual quota, and what a question asks.

Pure, typed functions. Rates are quoted in yuan per ``unit`` (100) units of a
currency, as on the bank's board (``kb/fx_rates.yml`` via the profile store):
the bank *sells* foreign currency to a client at the spot selling rate
(现汇卖出价, the client buys: 购汇) and *buys* it at the spot buying rate
(现汇买入价, the client sells: 结汇). A conversion between two foreign
currencies goes through yuan, one leg at each rate.

:func:`read_request` reads a message (with the NLU's entity spans) into a
:class:`FxRequest`: the topics asked about, the currencies, and a conversion
(amount, from, to, which side the amount is on); :func:`follow_up` applies a
follow-up (那港币呢, 换成美元是多少, 那5万呢) to the last request.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Protocol, Sequence, Tuple

import yaml

from bot.kb import KB_DIR
from bot.money import HOME_CURRENCY, positive_amount
from bot.nlu.normalise import normalise

__all__ = [
    "HOME_CURRENCY",
    "ANNUAL_QUOTA_USD",
    "Rate",
    "Side",
    "Leg",
    "Conversion",
    "Topic",
    "Span",
    "FxRequest",
    "GuideEntry",
    "format_rate",
    "convert",
    "convert_to_receive",
    "usd_equivalent",
    "quota_left",
    "read_request",
    "follow_up",
    "guide",
]

ANNUAL_QUOTA_USD = Decimal(50_000)
_CENT = Decimal("0.01")


class Rate(Protocol):
    """A board quote (``bot.profile.queries.FxRateView`` has these)."""

    @property
    def base_currency(self) -> str: ...
    @property
    def unit(self) -> int: ...
    @property
    def spot_buy(self) -> Decimal: ...
    @property
    def spot_sell(self) -> Decimal: ...


class Side(str, Enum):
    SPOT_SELL = "spot_sell"  # the bank sells the currency: the client buys it (购汇)
    SPOT_BUY = "spot_buy"  # the bank buys the currency: the client sells it (结汇)


@dataclass(frozen=True)
class Leg:
    """One currency changing hands at one rate (yuan per ``unit``)."""

    currency: str
    side: Side
    rate: Decimal
    unit: int


@dataclass(frozen=True)
class Conversion:
    source: str
    target: str
    paid: Decimal  # in ``source``, to the cent
    received: Decimal  # in ``target``, to the cent
    legs: Tuple[Leg, ...]  # the rates used, source leg first


def format_rate(rate: Decimal) -> str:
    """716.69, 4.8374: two decimals unless the quote has more."""
    two = rate.quantize(_CENT, rounding=ROUND_HALF_UP)
    if two == rate:
        return f"{two:.2f}"
    return f"{rate.normalize():f}"


def _per_unit(rate: Rate, side: Side) -> Decimal:
    quoted = rate.spot_sell if side is Side.SPOT_SELL else rate.spot_buy
    return Decimal(quoted) / Decimal(rate.unit)


def _leg(rates: Mapping[str, Rate], currency: str, side: Side) -> Leg:
    rate = rates.get(currency)
    if rate is None:
        raise KeyError(currency)
    return Leg(currency, side, Decimal(rate.spot_sell if side is Side.SPOT_SELL else rate.spot_buy), rate.unit)


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(_CENT, rounding=ROUND_HALF_UP)


def convert(amount: Decimal, source: str, target: str, rates: Mapping[str, Rate]) -> Conversion:
    """What ``amount`` of ``source`` buys in ``target``. Raises KeyError for a currency off the board."""
    legs: List[Leg] = []
    yuan = Decimal(amount)
    if source != HOME_CURRENCY:
        legs.append(_leg(rates, source, Side.SPOT_BUY))
        yuan = yuan * _per_unit(rates[source], Side.SPOT_BUY)
    received = yuan
    if target != HOME_CURRENCY:
        legs.append(_leg(rates, target, Side.SPOT_SELL))
        received = yuan / _per_unit(rates[target], Side.SPOT_SELL)
    return Conversion(source, target, _cents(Decimal(amount)), _cents(received), tuple(legs))


def convert_to_receive(amount: Decimal, source: str, target: str, rates: Mapping[str, Rate]) -> Conversion:
    """How much ``source`` it takes to receive ``amount`` of ``target`` (买1万美元要多少人民币)."""
    legs: List[Leg] = []
    yuan = Decimal(amount)
    if target != HOME_CURRENCY:
        legs.append(_leg(rates, target, Side.SPOT_SELL))
        yuan = yuan * _per_unit(rates[target], Side.SPOT_SELL)
    paid = yuan
    if source != HOME_CURRENCY:
        legs.insert(0, _leg(rates, source, Side.SPOT_BUY))
        paid = yuan / _per_unit(rates[source], Side.SPOT_BUY)
    return Conversion(source, target, _cents(paid), _cents(Decimal(amount)), tuple(legs))


def usd_equivalent(amounts: Mapping[str, Decimal], rates: Mapping[str, Rate]) -> Decimal:
    """The USD equivalent of amounts in several currencies, at the middle of the spot rates.
    Raises KeyError when USD or a currency is off the board."""
    def middle(currency: str) -> Decimal:
        if currency == HOME_CURRENCY:
            return Decimal(1)
        rate = rates[currency]
        return (Decimal(rate.spot_buy) + Decimal(rate.spot_sell)) / 2 / Decimal(rate.unit)

    yuan = sum((Decimal(amount) * middle(currency) for currency, amount in amounts.items()), Decimal(0))
    return _cents(yuan / middle("USD"))


def quota_left(used_usd: Decimal) -> Decimal:
    """What is left of the annual USD 50,000 purchase quota; never below zero."""
    return max(ANNUAL_QUOTA_USD - used_usd, Decimal("0.00")).quantize(_CENT)


# ------------------------------------------------------------ reading requests
class Topic(str, Enum):
    RATES = "rates"
    CONVERT = "convert"
    QUOTA = "annual_quota"
    REMITTANCE = "remittance_info"
    REMITTANCE_FEES = "remittance_fees"
    PROHIBITED = "prohibited_uses"
    WEALTH_CONNECT = "wealth_connect"
    CASH = "fx_cash_withdrawal"


# words that mark a topic, in the normalised (Simplified, lower-case) text
_TOPIC_WORDS: Tuple[Tuple[Topic, Tuple[str, ...]], ...] = (
    (Topic.QUOTA, ("额度", "便利化", "5万美元", "50000美元", "一年能换", "一年能买", "每年能换", "每年能买",
                   "每年可以换", "每年可以买", "一年可以换", "一年可以买")),
    (Topic.REMITTANCE, ("汇款", "汇钱", "汇到", "汇去", "汇给", "电汇", "swift", "境外转账", "转账到国外",
                        "转到国外", "转账到境外", "打钱到", "打款到", "iban", "学费")),
    (Topic.WEALTH_CONNECT, ("理财通", "南向通", "北向通", "大湾区")),
    (Topic.CASH, ("现钞", "取现", "提现", "现金", "提取外币", "取外币")),
    (Topic.PROHIBITED, ("买房", "炒股", "买股票", "境外股票", "虚拟货币", "比特币", "加密货币", "用途", "不能用",
                        "能用来", "可以用来", "境外保险")),
)
_FEE_WORDS = ("手续费", "费用", "收费", "电报费", "多少钱", "到账", "多久", "几天", "多长时间")
_INFO_WORDS = ("需要", "准备", "信息", "资料", "材料", "怎么", "如何", "流程")
_RATE_WORDS = ("汇率", "牌价", "报价", "行情", "价格", "多少钱一", "换汇")
_TARGET_CUES = ("换成", "兑换成", "兑成", "换", "兑换", "兑", "买", "购买", "购", "成", "to", "into")
_BUY_WORDS = ("买", "购汇", "购买", "换汇")
_SELL_WORDS = ("卖", "结汇", "卖出")
_CUE_WINDOW = 6


@dataclass(frozen=True)
class Span:
    """An entity of the message: its type, canonical value and place in the text."""

    entity: str
    value: Any
    start: Optional[int] = None
    end: Optional[int] = None

    @classmethod
    def of(cls, entity: Mapping[str, Any]) -> "Span":
        return cls(str(entity.get("entity")), entity.get("value"), entity.get("start"), entity.get("end"))


@dataclass(frozen=True)
class FxRequest:
    """What an FX question asks. A conversion has an amount, ``source`` and ``target``;
    ``amount_in`` says whether the amount is paid (``source``) or wanted (``target``);
    ``both_ways`` when the client did not say whether they buy or sell (5000美元是多少钱)."""

    topics: Tuple[Topic, ...] = (Topic.RATES,)
    currencies: Tuple[str, ...] = ()  # foreign currencies asked about
    amount: Optional[Decimal] = None
    source: Optional[str] = None
    target: Optional[str] = None
    amount_in: str = "source"
    both_ways: bool = False

    @property
    def foreign(self) -> Optional[str]:
        """The foreign currency of a conversion with yuan on one side."""
        for currency in (self.target, self.source):
            if currency and currency != HOME_CURRENCY:
                return currency
        return None

    def to_parameters(self) -> Dict[str, List[str]]:
        """The form remembered for follow-ups (``actions.follow_up.remember``)."""
        parameters: Dict[str, List[str]] = {"fx_topics": [topic.value for topic in self.topics]}
        if self.currencies:
            parameters["currency"] = list(self.currencies)
            parameters["fx_currencies"] = list(self.currencies)
        if self.amount is not None:
            parameters["fx_amount"] = [str(self.amount)]
        if self.source:
            parameters["fx_source"] = [self.source]
        if self.target:
            parameters["fx_target"] = [self.target]
        parameters["fx_amount_in"] = [self.amount_in]
        if self.both_ways:
            parameters["fx_both_ways"] = ["true"]
        return parameters

    @classmethod
    def from_parameters(cls, parameters: Mapping[str, Sequence[Any]]) -> Optional["FxRequest"]:
        """The request remembered by :meth:`to_parameters`; None when there is none."""
        topics = parameters.get("fx_topics")
        if not topics:
            return None

        def first(key: str) -> Optional[str]:
            values = parameters.get(key) or []
            return str(values[0]) if values else None

        try:
            parsed_topics = tuple(Topic(value) for value in topics)
        except ValueError:
            return None
        return cls(
            topics=parsed_topics,
            currencies=tuple(str(value) for value in parameters.get("fx_currencies") or ()),
            amount=positive_amount(first("fx_amount")),
            source=first("fx_source"),
            target=first("fx_target"),
            amount_in=first("fx_amount_in") or "source",
            both_ways=first("fx_both_ways") == "true",
        )


def _view(text: str) -> str:
    return normalise(text).text.replace(" ", "")


def _before(text: str, span: Span) -> str:
    if span.start is None:
        return ""
    return _view(text[max(0, span.start - _CUE_WINDOW):span.start])


def _is_target(text: str, span: Span) -> bool:
    before = _before(text, span)
    return any(before.endswith(cue) or cue in before[-3:] for cue in _TARGET_CUES)


def _adjacent(amount: Span, currencies: Sequence[Span]) -> Optional[Span]:
    """The currency written right after the amount (5000美元, 1万 港币)."""
    if amount.end is None:
        return None
    for span in currencies:
        if span.start is not None and 0 <= span.start - amount.end <= 1:
            return span
    return None


def _currency_spans(spans: Sequence[Span]) -> List[Span]:
    found: List[Span] = []
    for span in spans:
        if span.entity == "currency" and isinstance(span.value, str) and span.value:
            found.append(Span(span.entity, span.value.upper(), span.start, span.end))
    return found


def _topics(view: str, has_conversion: bool) -> Tuple[Topic, ...]:
    topics = [topic for topic, words in _TOPIC_WORDS if any(word in view for word in words)]
    if Topic.REMITTANCE in topics and any(word in view for word in _FEE_WORDS):
        at = topics.index(Topic.REMITTANCE)
        if any(word in view for word in _INFO_WORDS):
            topics.insert(at + 1, Topic.REMITTANCE_FEES)
        else:
            topics[at] = Topic.REMITTANCE_FEES
    if has_conversion:
        topics.insert(0, Topic.CONVERT)
    if not topics or any(word in view for word in _RATE_WORDS) and Topic.CONVERT not in topics:
        topics.insert(0, Topic.RATES)
    return tuple(dict.fromkeys(topics))


def _conversion(text: str, view: str, amount: Span, currencies: List[Span]) -> FxRequest:
    value = positive_amount(amount.value)
    codes = list(dict.fromkeys(span.value for span in currencies))
    own = _adjacent(amount, currencies)
    own_code = own.value if own else HOME_CURRENCY
    targets = [span.value for span in currencies if _is_target(text, span) and span is not own]
    buying = any(word in view for word in _BUY_WORDS)
    selling = any(word in view for word in _SELL_WORDS)
    foreign = [code for code in codes if code != HOME_CURRENCY]
    if len(codes) >= 2:
        if own is not None and _is_target(text, amount) and not selling:  # 换1万美元要多少人民币
            source = next(code for code in codes if code != own_code)
            return FxRequest((), tuple(foreign), value, source, own_code, "target")
        target = targets[0] if targets else codes[1]
        others = [code for code in codes if code != target]
        source = own_code if own_code != target else others[0]
        amount_in = "target" if own is not None and own_code == target else "source"
        return FxRequest((), tuple(foreign), value, source, target, amount_in)
    if not foreign:  # an amount of yuan and no currency to change it into
        return FxRequest((), (), value, HOME_CURRENCY, None)
    currency = foreign[0]
    if own_code == currency:
        if selling and not buying:
            return FxRequest((), (currency,), value, currency, HOME_CURRENCY)
        if buying or _is_target(text, amount):
            return FxRequest((), (currency,), value, HOME_CURRENCY, currency, "target")
        return FxRequest((), (currency,), value, currency, HOME_CURRENCY, both_ways=True)
    return FxRequest((), (currency,), value, HOME_CURRENCY, currency)  # 1万能换多少美元


def read_request(text: str, spans: Sequence[Span]) -> FxRequest:
    """What a new FX question asks (``spans``: the NLU's entities with their places)."""
    view = _view(text)
    currencies = _currency_spans(spans)
    amounts = [span for span in spans if span.entity == "amount" and positive_amount(span.value) is not None]
    if amounts:
        request = _conversion(text, view, amounts[0], currencies)
        return replace(request, topics=_topics(view, has_conversion=True))
    foreign = tuple(dict.fromkeys(span.value for span in currencies if span.value != HOME_CURRENCY))
    return FxRequest(_topics(view, has_conversion=False), foreign)


def follow_up(previous: FxRequest, text: str, spans: Sequence[Span]) -> FxRequest:
    """The last request with what a follow-up changes: 那港币呢, 换成美元是多少, 那5万呢."""
    currencies = _currency_spans(spans)
    amounts = [span for span in spans if span.entity == "amount" and positive_amount(span.value) is not None]
    request = previous
    if amounts:
        request = replace(request, amount=positive_amount(amounts[0].value))
        if Topic.CONVERT not in request.topics:  # 那5万呢 after the dollar rate: 5万 yuan into dollars
            target = request.target or next(iter(request.currencies), None)
            request = replace(request, topics=(Topic.CONVERT,), source=request.source or HOME_CURRENCY, target=target)
    if not currencies:
        return request
    span = currencies[0]
    code = span.value
    if Topic.CONVERT not in request.topics:
        foreign = tuple(dict.fromkeys(each.value for each in currencies if each.value != HOME_CURRENCY))
        return replace(request, topics=(Topic.RATES,), currencies=foreign) if foreign else request
    if _is_target(text, span):
        source = request.source or HOME_CURRENCY
        if source == code:
            source = request.target or HOME_CURRENCY
        updated = replace(request, source=source, target=code, both_ways=False)
    elif code == HOME_CURRENCY:
        return request
    elif request.source and request.source != HOME_CURRENCY:
        updated = replace(request, source=code)
    else:
        updated = replace(request, target=code)
    if updated.source == updated.target:
        return request
    foreign = tuple(dict.fromkeys(c for c in (updated.source, updated.target) if c and c != HOME_CURRENCY))
    return replace(updated, currencies=foreign)


# -------------------------------------------------------------------- guidance
@dataclass(frozen=True)
class GuideEntry:
    key: str
    title: str
    text: str


@lru_cache(maxsize=4)
def _guide(folder: Path) -> Dict[str, GuideEntry]:
    document = yaml.safe_load((folder / "fx_guide.yml").read_text("utf-8")) or {}
    return {
        str(item["key"]): GuideEntry(str(item["key"]), str(item.get("title", "")), str(item.get("text", "")))
        for item in document.get("guide", [])
    }


def guide(key: str, folder: Path = KB_DIR) -> Optional[GuideEntry]:
    """An entry of ``kb/fx_guide.yml`` (Simplified content), or None."""
    return _guide(folder).get(key)
