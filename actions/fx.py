"""Foreign exchange: the rate board with its time, conversions, the annual quota, remittance guidance.

Rates need no identity. A verified client asking about the quota is also told
how much of it their purchases this year (购汇 in the profile store) used.
Follow-ups (那港币呢, 换成美元是多少, 那5万呢) change the remembered request.
"""
from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from typing import Any, Dict, List, Mapping, Sequence, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.follow_up import query_parameters, remember
from actions.verified import verified_principal
from bot import clock
from bot.access import AccessDenied, check_client_access
from bot.fx import (
    ANNUAL_QUOTA_USD,
    HOME_CURRENCY,
    Conversion,
    FxRequest,
    Leg,
    Rate,
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
from bot.identity import Role
from bot.money import currency_name, format_money
from bot.profile.queries import FxRateView, StoreFacts, TransactionFilter, fx_rates, transactions_of
from bot.profile.store import profile_session
from bot.responses import in_script, render

__all__ = ["ActionFxCrossBorder"]

_PURCHASE_CATEGORY = "购汇"  # transactions.category of foreign currency bought from the bank
_GUIDE_TOPICS = (Topic.REMITTANCE, Topic.REMITTANCE_FEES, Topic.PROHIBITED, Topic.WEALTH_CONNECT, Topic.CASH)


def _local_time(instant: datetime) -> str:
    return instant.astimezone(clock.BANK_TIME).strftime("%Y-%m-%d %H:%M")


class ActionFxCrossBorder(Action):
    def name(self) -> Text:
        return "action_fx_cross_border"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        latest = tracker.latest_message or {}
        text = str(latest.get("text") or "")
        spans = [Span.of(entity) for entity in latest.get("entities") or []]
        previous = FxRequest.from_parameters(query_parameters(tracker, self.name()))
        request = follow_up(previous, text, spans) if previous else read_request(text, spans)
        slots = tracker.current_slot_values()
        with profile_session() as session:
            board = fx_rates(session)
            rates: Dict[str, Rate] = {rate.base_currency: rate for rate in board}
            for topic in request.topics:
                if topic is Topic.RATES:
                    self._rates(dispatcher, domain, slots, board, request.currencies)
                elif topic is Topic.CONVERT:
                    self._convert(dispatcher, domain, slots, board, rates, request)
                elif topic is Topic.QUOTA:
                    self._quota(dispatcher, domain, slots, tracker, session, rates)
                elif topic in _GUIDE_TOPICS:
                    self._guide(dispatcher, slots, topic)
        return [remember(self.name(), request.to_parameters())]

    # ------------------------------------------------------------------ rates
    @staticmethod
    def _rates(
        dispatcher: CollectingDispatcher, domain: Mapping[str, Any], slots: Mapping[str, Any],
        board: Sequence[FxRateView], currencies: Sequence[str],
    ) -> None:
        script = slots.get("script")
        quoted = {rate.base_currency for rate in board}
        for code in currencies:
            if code not in quoted:
                dispatcher.utter_message(response="utter_fx_rate_unknown",
                                         currency=in_script(currency_name(code), script))
        wanted = [rate for rate in board if rate.base_currency in currencies] or list(board)
        if not wanted:
            dispatcher.utter_message(response="utter_fx_no_rates")
            return
        lines = "\n".join(
            render(domain, "utter_fx_rate_line", slots, currency=currency_name(rate.base_currency),
                   code=rate.base_currency, spot_buy=format_rate(rate.spot_buy), cash_buy=format_rate(rate.cash_buy),
                   spot_sell=format_rate(rate.spot_sell), cash_sell=format_rate(rate.cash_sell))
            for rate in wanted
        )
        dispatcher.utter_message(response="utter_fx_rates", time=_local_time(wanted[0].quoted_at),
                                 unit=wanted[0].unit, lines=lines)

    # ------------------------------------------------------------- conversion
    @staticmethod
    def _leg(domain: Mapping[str, Any], slots: Mapping[str, Any], leg: Leg) -> str:
        response = "utter_fx_leg_spot_sell" if leg.side is Side.SPOT_SELL else "utter_fx_leg_spot_buy"
        return render(domain, response, slots, currency=currency_name(leg.currency), rate=format_rate(leg.rate),
                      unit=leg.unit)

    def _line(self, domain: Mapping[str, Any], slots: Mapping[str, Any], conversion: Conversion, wanted: bool) -> str:
        legs = [self._leg(domain, slots, leg) for leg in conversion.legs]
        rates = legs[0] if len(legs) == 1 else render(domain, "utter_fx_two_legs", slots, first=legs[0],
                                                       second=legs[1])
        return render(
            domain, "utter_fx_conversion_line_wanted" if wanted else "utter_fx_conversion_line_paid", slots,
            paid=format_money(conversion.paid, conversion.source),
            received=format_money(conversion.received, conversion.target), rates=rates,
        )

    def _convert(
        self, dispatcher: CollectingDispatcher, domain: Mapping[str, Any], slots: Mapping[str, Any],
        board: Sequence[FxRateView], rates: Mapping[str, Rate], request: FxRequest,
    ) -> None:
        script = slots.get("script")
        if request.amount is None:
            return
        if request.target is None or request.source is None:
            dispatcher.utter_message(response="utter_fx_which_currency",
                                     amount=format_money(request.amount, request.source or HOME_CURRENCY))
            return
        missing = [code for code in (request.source, request.target) if code != HOME_CURRENCY and code not in rates]
        if missing:
            dispatcher.utter_message(response="utter_fx_rate_unknown",
                                     currency=in_script(currency_name(missing[0]), script))
            return
        lines: List[str] = []
        conversions: List[Conversion] = []
        if request.both_ways:
            foreign = request.source
            sold = convert(request.amount, foreign, HOME_CURRENCY, rates)
            bought = convert_to_receive(request.amount, HOME_CURRENCY, foreign, rates)
            lines += [self._line(domain, slots, sold, wanted=False), self._line(domain, slots, bought, wanted=True)]
            conversions.append(bought)
        elif request.amount_in == "target":
            conversion = convert_to_receive(request.amount, request.source, request.target, rates)
            lines.append(self._line(domain, slots, conversion, wanted=True))
            conversions.append(conversion)
        else:
            conversion = convert(request.amount, request.source, request.target, rates)
            lines.append(self._line(domain, slots, conversion, wanted=False))
            conversions.append(conversion)
        for conversion in conversions:
            if conversion.source == HOME_CURRENCY and conversion.target != HOME_CURRENCY and "USD" in rates:
                usd = usd_equivalent({conversion.target: conversion.received}, rates)
                if usd > ANNUAL_QUOTA_USD:
                    lines.append(render(domain, "utter_fx_over_quota_line", slots, usd=format_money(usd, "USD")))
        quoted_at = _local_time(board[0].quoted_at) if board else ""
        dispatcher.utter_message(response="utter_fx_conversion", lines="\n".join(lines), time=quoted_at)

    # ------------------------------------------------------------------ quota
    def _quota(
        self, dispatcher: CollectingDispatcher, domain: Mapping[str, Any], slots: Mapping[str, Any],
        tracker: Tracker, session: Session, rates: Mapping[str, Rate],
    ) -> None:
        entry = guide(Topic.QUOTA.value)
        if entry is None:
            return
        usage = self._usage(domain, slots, tracker, session, rates)
        script = slots.get("script")
        dispatcher.utter_message(response="utter_fx_quota", title=in_script(entry.title, script),
                                 body=in_script(entry.text, script), usage=usage)

    @staticmethod
    def _usage(
        domain: Mapping[str, Any], slots: Mapping[str, Any], tracker: Tracker, session: Session,
        rates: Mapping[str, Rate],
    ) -> str:
        """This year's purchases of a verified client against the quota; how to see them otherwise."""
        principal = verified_principal(tracker)
        if principal is None or principal.role is not Role.CLIENT:
            return render(domain, "utter_fx_quota_usage_login", slots)
        try:
            check_client_access(principal, principal.subject_id, StoreFacts(session))
        except AccessDenied:
            return render(domain, "utter_fx_quota_usage_login", slots)
        today = clock.bank_today()
        year_start = datetime(today.year, 1, 1, tzinfo=clock.BANK_TIME)
        page = transactions_of(session, principal.subject_id, TransactionFilter(
            start=year_start, end=datetime.combine(today, time.max, tzinfo=clock.BANK_TIME), direction="in",
            category=_PURCHASE_CATEGORY,
            limit=0))
        bought: Dict[str, Decimal] = {total.currency: total.total_in for total in page.totals}
        try:
            used = usd_equivalent(bought, rates)
        except KeyError:  # a currency off the board
            return render(domain, "utter_fx_quota_usage_login", slots)
        return render(domain, "utter_fx_quota_usage", slots, year=today.year, used=format_money(used, "USD"),
                      left=format_money(quota_left(used), "USD"))

    # --------------------------------------------------------------- guidance
    @staticmethod
    def _guide(dispatcher: CollectingDispatcher, slots: Mapping[str, Any], topic: Topic) -> None:
        entry = guide(topic.value)
        if entry is None:
            return
        script = slots.get("script")
        dispatcher.utter_message(response="utter_fx_guide", title=in_script(entry.title, script),
                                 body=in_script(entry.text, script))
