"""FX arithmetic at the board's rates, the quota, and reading what an FX question asks."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import List, Tuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.fx import (
    ANNUAL_QUOTA_USD,
    FxRequest,
    Side,
    Span,
    Topic,
    convert,
    convert_to_receive,
    follow_up,
    format_rate,
    guide,
    quota_left,
    read_request,
    usd_equivalent,
)


@dataclass(frozen=True)
class Quote:
    base_currency: str
    spot_buy: Decimal
    spot_sell: Decimal
    unit: int = 100


RATES = {
    "USD": Quote("USD", Decimal("716.69"), Decimal("719.71")),
    "HKD": Quote("HKD", Decimal("92.09"), Decimal("92.47")),
    "JPY": Quote("JPY", Decimal("4.8374"), Decimal("4.8666")),
}


# ----------------------------------------------------------------- arithmetic
def test_buying_dollars_with_yuan_uses_the_selling_rate():
    conversion = convert(Decimal(10_000), "CNY", "USD", RATES)
    assert conversion.received == Decimal("1389.45")  # 10000 / 7.1971
    assert [(leg.currency, leg.side) for leg in conversion.legs] == [("USD", Side.SPOT_SELL)]


def test_selling_dollars_for_yuan_uses_the_buying_rate():
    conversion = convert(Decimal(5000), "USD", "CNY", RATES)
    assert conversion.received == Decimal("35834.50")  # 5000 × 7.1669
    assert [(leg.currency, leg.side) for leg in conversion.legs] == [("USD", Side.SPOT_BUY)]


def test_what_a_wanted_amount_costs():
    conversion = convert_to_receive(Decimal(5000), "CNY", "USD", RATES)
    assert (conversion.paid, conversion.received) == (Decimal("35985.50"), Decimal("5000.00"))


def test_between_two_foreign_currencies_one_leg_at_each_rate():
    conversion = convert(Decimal(1000), "HKD", "USD", RATES)
    assert conversion.received == Decimal("127.95")  # 1000 × 0.9209 / 7.1971
    assert [(leg.currency, leg.side) for leg in conversion.legs] == [("HKD", Side.SPOT_BUY), ("USD", Side.SPOT_SELL)]


def test_a_currency_off_the_board_is_an_error():
    with pytest.raises(KeyError):
        convert(Decimal(100), "CNY", "KRW", RATES)


@settings(max_examples=200, deadline=None)
@given(amount=st.decimals(min_value=1, max_value=10**7, places=2), currency=st.sampled_from(sorted(RATES)))
def test_a_round_trip_never_gains_money(amount, currency):
    cent_of_currency = Decimal("0.01") * RATES[currency].spot_sell / 100  # what rounding to its cent may add
    bought = convert(amount, "CNY", currency, RATES)
    back = convert(bought.received, currency, "CNY", RATES)
    assert back.received <= amount + cent_of_currency + Decimal("0.01")
    assert back.received < amount or amount < 100  # the spread costs money once rounding is small
    costs = convert_to_receive(bought.received, "CNY", currency, RATES)
    assert abs(costs.paid - amount) <= cent_of_currency + Decimal("0.01")


def test_rates_keep_their_precision():
    assert format_rate(Decimal("716.6900")) == "716.69"
    assert format_rate(Decimal("4.8374")) == "4.8374"
    assert format_rate(Decimal("92")) == "92.00"


def test_the_quota_in_dollars():
    assert usd_equivalent({"USD": Decimal(16_000)}, RATES) == Decimal("16000.00")
    assert usd_equivalent({}, RATES) == Decimal("0.00")
    hkd = usd_equivalent({"HKD": Decimal(10_000)}, RATES)  # at the middle rates: 10000 × 0.9228 / 7.182
    assert Decimal("1284") < hkd < Decimal("1286")
    assert quota_left(Decimal("16000.00")) == Decimal("34000.00")
    assert quota_left(ANNUAL_QUOTA_USD + 1) == Decimal("0.00")


def test_guidance_comes_from_the_knowledge_base():
    entry = guide("annual_quota")
    assert entry is not None and "5万美元" in entry.text
    assert guide("no_such_topic") is None


# -------------------------------------------------------------------- reading
def _spans(text: str, *entities: Tuple[str, str, str]) -> List[Span]:
    spans = []
    for surface, entity, value in entities:
        start = text.index(surface)
        spans.append(Span(entity, value, start, start + len(surface)))
    return spans


def _read(text: str, *entities: Tuple[str, str, str]) -> FxRequest:
    return read_request(text, _spans(text, *entities))


@pytest.mark.parametrize("text, entities, source, target, amount_in, both_ways", [
    ("1万人民币能换多少美元", [("1万", "amount", "10000"), ("人民币", "currency", "CNY"), ("美元", "currency", "USD")],
     "CNY", "USD", "source", False),
    ("5000美元换成人民币是多少", [("5000", "amount", "5000"), ("美元", "currency", "USD"), ("人民币", "currency", "CNY")],
     "USD", "CNY", "source", False),
    ("買1萬美元要多少錢", [("1萬", "amount", "10000"), ("美元", "currency", "USD")], "CNY", "USD", "target", False),
    ("结汇5000美元能拿多少", [("5000", "amount", "5000"), ("美元", "currency", "USD")], "USD", "CNY", "source", False),
    ("5000美元是多少钱", [("5000", "amount", "5000"), ("美元", "currency", "USD")], "USD", "CNY", "source", True),
    ("1万块能换多少港币", [("1万", "amount", "10000"), ("港币", "currency", "HKD")], "CNY", "HKD", "source", False),
    ("1000港币换成美元", [("1000", "amount", "1000"), ("港币", "currency", "HKD"), ("美元", "currency", "USD")],
     "HKD", "USD", "source", False),
    # the amount is what the client wants: 换/买 before it, the other currency is what it costs
    ("换1万美元要多少人民币", [("1万", "amount", "10000"), ("美元", "currency", "USD"), ("人民币", "currency", "CNY")],
     "CNY", "USD", "target", False),
    ("买5000港币需要多少美元", [("5000", "amount", "5000"), ("港币", "currency", "HKD"), ("美元", "currency", "USD")],
     "USD", "HKD", "target", False),
])
def test_conversions_read_from_questions(text, entities, source, target, amount_in, both_ways):
    request = _read(text, *entities)
    assert request.topics[0] is Topic.CONVERT
    assert (request.source, request.target, request.amount_in, request.both_ways) == (source, target, amount_in,
                                                                                        both_ways)


@pytest.mark.parametrize("text, topics", [
    ("美元汇率多少", (Topic.RATES,)),
    ("今天的外汇牌价", (Topic.RATES,)),
    ("一年购汇额度是多少", (Topic.QUOTA,)),
    ("購匯額度還剩多少", (Topic.QUOTA,)),
    ("汇款到美国需要什么信息", (Topic.REMITTANCE,)),
    ("境外汇款手续费多少", (Topic.REMITTANCE_FEES,)),
    ("境外汇款要准备什么资料，手续费多少", (Topic.REMITTANCE, Topic.REMITTANCE_FEES)),
    ("跨境理财通怎么开通", (Topic.WEALTH_CONNECT,)),
    ("购汇的钱能用来在国外买房吗", (Topic.PROHIBITED,)),
    ("取美元现钞要预约吗", (Topic.CASH,)),
])
def test_topics_read_from_questions(text, topics):
    assert _read(text).topics == topics


def test_an_amount_of_yuan_without_a_currency_leaves_the_target_open():
    request = _read("5万人民币能换多少", ("5万", "amount", "50000"), ("人民币", "currency", "CNY"))
    assert (request.topics, request.source, request.target) == ((Topic.CONVERT,), "CNY", None)


def test_a_purchase_and_the_quota_in_one_question():
    request = _read("我想买2万美元，额度够吗", ("2万", "amount", "20000"), ("美元", "currency", "USD"))
    assert request.topics == (Topic.CONVERT, Topic.QUOTA)


# ---------------------------------------------------------------- follow-ups
YUAN_TO_DOLLARS = read_request("1万人民币能换多少美元", _spans(
    "1万人民币能换多少美元", ("1万", "amount", "10000"), ("人民币", "currency", "CNY"), ("美元", "currency", "USD")))
DOLLARS_TO_YUAN = read_request("5000美元换成人民币是多少", _spans(
    "5000美元换成人民币是多少", ("5000", "amount", "5000"), ("美元", "currency", "USD"), ("人民币", "currency", "CNY")))


def test_what_about_hong_kong_dollars_replaces_the_foreign_side():
    text = "那港币呢"
    assert follow_up(YUAN_TO_DOLLARS, text, _spans(text, ("港币", "currency", "HKD"))).target == "HKD"
    changed = follow_up(DOLLARS_TO_YUAN, text, _spans(text, ("港币", "currency", "HKD")))
    assert (changed.source, changed.target, changed.amount) == ("HKD", "CNY", Decimal(5000))


def test_into_dollars_sets_the_target():
    hkd = follow_up(YUAN_TO_DOLLARS, "那港币呢", [Span("currency", "HKD")])
    text = "换成美元是多少"
    changed = follow_up(hkd, text, _spans(text, ("美元", "currency", "USD")))
    assert (changed.source, changed.target) == ("CNY", "USD")
    cross = follow_up(DOLLARS_TO_YUAN, "换成港币呢", _spans("换成港币呢", ("港币", "currency", "HKD")))
    assert (cross.source, cross.target) == ("USD", "HKD")


def test_a_new_amount_keeps_the_currencies():
    changed = follow_up(YUAN_TO_DOLLARS, "那5万呢", _spans("那5万呢", ("5万", "amount", "50000")))
    assert (changed.amount, changed.source, changed.target) == (Decimal(50000), "CNY", "USD")


def test_after_a_rate_an_amount_is_converted_into_that_currency():
    rates = _read("美元汇率多少", ("美元", "currency", "USD"))
    changed = follow_up(rates, "那5万呢", _spans("那5万呢", ("5万", "amount", "50000")))
    assert (changed.topics, changed.source, changed.target, changed.amount) == (
        (Topic.CONVERT,), "CNY", "USD", Decimal(50000))


def test_after_rates_another_currency_shows_its_rates():
    rates = _read("美元汇率多少", ("美元", "currency", "USD"))
    assert follow_up(rates, "那港币呢", [Span("currency", "HKD")]) == FxRequest((Topic.RATES,), ("HKD",))


def test_a_currency_button_completes_an_open_conversion():
    open_request = _read("5万人民币能换多少", ("5万", "amount", "50000"), ("人民币", "currency", "CNY"))
    completed = follow_up(open_request, "/inform", [Span("currency", "JPY")])
    assert (completed.source, completed.target, completed.amount) == ("CNY", "JPY", Decimal(50000))


def test_requests_survive_the_tracker_slot():
    for request in (YUAN_TO_DOLLARS, DOLLARS_TO_YUAN, FxRequest((Topic.QUOTA,))):
        assert FxRequest.from_parameters(request.to_parameters()) == request
    assert FxRequest.from_parameters({"currency": ["USD"]}) is None
    assert FxRequest.from_parameters({"fx_topics": ["nonsense"]}) is None
