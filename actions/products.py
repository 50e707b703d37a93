"""Product questions (anyone) and recommendations (a verified client, through the suitability gate).

Facts come from the profile store's catalogue (``kb/products.yml``), names are
resolved by :mod:`bot.catalogue`, the gate is :mod:`bot.suitability`. Every
reply carries the disclosure 理财非存款，产品有风险，投资须谨慎 (in the responses).
"""
from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Mapping, Optional, Sequence, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.follow_up import Parameters, latest_text, query_parameters, remember
from actions.verified import ClientRequest, VerifiedClientAction
from bot import clock
from bot.catalogue import find_exact, on_sale_of_type, resolve
from bot.horizon import Horizon, combine, horizon_from_text, horizon_from_time
from bot.money import format_money, positive_amount
from bot.nlu.normalise import normalise
from bot.profile.queries import ClientSummary, ProductView, fx_rates, products
from bot.profile.store import profile_session
from bot.responses import in_script, render
from bot.suitability import (
    RISK_LEVELS,
    TOLERANCES,
    Investor,
    Need,
    Reason,
    Status,
    highest_risk_for,
    reasons_against,
    recommend,
    risk_rank,
    tolerance_rank,
)

__all__ = ["ActionProductInquiry", "ActionProductRecommendation"]

MAX_PRODUCTS_SHOWN = 3  # product cards in one answer
MAX_RECOMMENDED = 5
# the parameter under which the need read from the text (一年内要用) is remembered for follow-ups
HORIZON_PARAMETER = "horizon"
# words asking for more risk than a rating: the rating they ask for
_RISK_WORDS: Tuple[Tuple[str, str], ...] = (
    ("中高风险", "R4"), ("高风险", "R5"), ("股票型", "R5"), ("股票基金", "R5"), ("偏股", "R4"),
    ("激进", "R5"), ("博一博", "R5"), ("搏一搏", "R5"), ("高收益", "R5"),
)
_RISK_LEVEL_RE = re.compile(r"r([1-5])")


# ----------------------------------------------------------------- rendering
def _risk_label(domain: Mapping[str, Any], slots: Mapping[str, Any], risk: str) -> str:
    return render(domain, f"utter_product_risk_{risk}", slots) if risk in RISK_LEVELS else risk


def _tolerance_label(domain: Mapping[str, Any], slots: Mapping[str, Any], tolerance: str) -> str:
    return render(domain, f"utter_client_risk_{tolerance}", slots) if tolerance in TOLERANCES else tolerance


def _term(domain: Mapping[str, Any], slots: Mapping[str, Any], product: ProductView) -> str:
    if product.term_days is None:
        return render(domain, "utter_product_term_open", slots)
    return render(domain, "utter_product_term_days", slots, days=product.term_days)


def _card(domain: Mapping[str, Any], slots: Mapping[str, Any], product: ProductView) -> str:
    notes = []
    if not product.on_sale:
        notes.append(render(domain, "utter_product_note_not_on_sale", slots))
    if product.type == "私募":
        notes.append(render(domain, "utter_product_note_private", slots))
    elif product.premier_only:
        notes.append(render(domain, "utter_product_note_premier_only", slots))
    return render(
        domain, "utter_product_card", slots,
        product=product.name, type=product.type, subtype=product.subtype, risk=product.risk,
        risk_label=_risk_label(domain, slots, product.risk), term=_term(domain, slots, product),
        minimum=format_money(product.min_purchase, product.currency), benchmark=product.benchmark,
        liquidity=product.liquidity, fees=product.fees, issuer=product.issuer,
        notes="".join("\n" + note for note in notes),
    )


def _brief(domain: Mapping[str, Any], slots: Mapping[str, Any], product: ProductView, response: str) -> str:
    return render(
        domain, response, slots,
        product=product.name, type=product.type, risk=product.risk, risk_label=_risk_label(domain, slots, product.risk),
        term=_term(domain, slots, product), minimum=format_money(product.min_purchase, product.currency),
        benchmark=product.benchmark,
    )


def _product_buttons(products_shown: Sequence[ProductView], script: Optional[str]) -> List[Dict[str, str]]:
    return [
        {"title": in_script(product.name, script),
         "payload": "/product_inquiry" + json.dumps({"product": product.name}, ensure_ascii=False)}
        for product in products_shown
    ]


def _latest_entities(tracker: Tracker) -> List[Dict[str, Any]]:
    return list((tracker.latest_message or {}).get("entities") or [])


# ------------------------------------------------------------------ inquiry
class ActionProductInquiry(Action):
    """What a product is: benchmark, risk, term, minimum, redemption, fees; or the on-sale ones of a type."""

    def name(self) -> Text:
        return "action_product_inquiry"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        parameters: Parameters = query_parameters(tracker, self.name())
        latest_types = {entity.get("entity") for entity in _latest_entities(tracker)}
        if "product_type" in latest_types and "product" not in latest_types:
            parameters.pop("product", None)  # 那基金呢: the type now, not the last product
        slots = tracker.current_slot_values()
        with profile_session() as session:
            catalogue = products(session)
        names = [str(value) for value in parameters.get("product") or []]
        product_types = [str(value) for value in parameters.get("product_type") or []]
        text = latest_text(tracker) if not names and not product_types else ""
        resolution = resolve(catalogue, names, text)
        if resolution.found:
            shown = resolution.found[:MAX_PRODUCTS_SHOWN]
            cards = "\n\n".join(_card(domain, slots, product) for product in shown)
            dispatcher.utter_message(response="utter_product_info", cards=cards)
            parameters["product"] = [product.name for product in shown]
        elif product_types:
            self._type_lists(dispatcher, domain, slots, catalogue, product_types)
        elif resolution.suggestions:
            buttons = _product_buttons(resolution.suggestions, slots.get("script"))
            if resolution.unknown:
                query = render(domain, "utter_product_quoted", slots, query=resolution.unknown[0])
                dispatcher.utter_message(response="utter_product_suggestions", buttons=buttons, query=query)
            else:
                dispatcher.utter_message(response="utter_product_suggestions_unnamed", buttons=buttons)
        else:
            dispatcher.utter_message(response="utter_product_ask_which")
        return [remember(self.name(), parameters)]

    @staticmethod
    def _type_lists(
        dispatcher: CollectingDispatcher, domain: Mapping[str, Any], slots: Mapping[str, Any],
        catalogue: Sequence[ProductView], product_types: Sequence[str],
    ) -> None:
        for product_type in product_types:
            on_sale = on_sale_of_type(catalogue, product_type)
            label = in_script(product_type, slots.get("script"))
            if not on_sale:
                dispatcher.utter_message(response="utter_product_type_none", product_type=label)
                continue
            lines = "\n".join(_brief(domain, slots, product, "utter_product_brief_line") for product in on_sale)
            dispatcher.utter_message(
                response="utter_product_type_list", buttons=_product_buttons(on_sale, slots.get("script")),
                product_type=label, count=len(on_sale), lines=lines,
            )


# ------------------------------------------------------------ recommendation
def _compared_types(text: str, entities: Sequence[Mapping[str, Any]]) -> List[str]:
    """Product types the client compares against (比定期存款收益高的): not wanted themselves."""
    compared = []
    for entity in entities:
        start = entity.get("start")
        if entity.get("entity") == "product_type" and isinstance(start, int) and start > 0:
            if normalise(text[max(0, start - 1):start]).text == "比":
                compared.append(str(entity.get("value")))
    return compared


def _wanted_risk(text: str) -> Optional[str]:
    """The risk rating a client asks for in words (高风险, 股票型, R4), if any."""
    view = normalise(text).text.replace(" ", "")
    levels = []
    for word, level in _RISK_WORDS:  # longest words first: 中高风险 before 高风险
        if word in view:
            levels.append(level)
            view = view.replace(word, " ")
    levels += [f"R{match}" for match in _RISK_LEVEL_RE.findall(view)]
    return max(levels, key=lambda level: risk_rank(level) or 0) if levels else None


class ActionProductRecommendation(VerifiedClientAction):
    """Products for this client: only what the suitability gate lets through."""

    def name(self) -> Text:
        return "action_product_recommendation"

    async def answer(
        self, request: ClientRequest, session: Session, dispatcher: CollectingDispatcher
    ) -> List[Dict[Text, Any]]:
        domain, slots = request.domain, request.slots
        client = request.client
        investor = Investor(client.tier, client.risk_tolerance, client.risk_expires_on)
        today = clock.bank_today()
        advisor = self._advisor(domain, slots, client)
        if investor.assessment_expired(today):
            dispatcher.utter_message(response="utter_reco_reassess", advisor=advisor,
                                     expired_on=client.risk_expires_on.isoformat())
            return []
        catalogue = products(session)
        text = latest_text(request.tracker)
        entities = _latest_entities(request.tracker)
        named = [product for product in (find_exact(catalogue, str(value))
                                         for value in request.parameters.get("product") or []) if product]
        self._explain_refusals(dispatcher, domain, slots, investor, named, text)
        compared = _compared_types(text, entities)
        product_types = [str(value) for value in request.parameters.get("product_type") or []
                         if str(value) not in compared]
        suitable_named = [product for product in named if not reasons_against(investor, product)]
        if not product_types and suitable_named:
            product_types = list(dict.fromkeys(product.type for product in suitable_named))
        currency = request.first("currency")
        need = Need(
            amount=positive_amount(request.first("amount")),
            currency=str(currency).upper() if currency else None,
            horizon=self._horizon(request, text, catalogue),
            product_types=tuple(product_types),
            excluded_types=tuple(compared),
        )
        yuan_per_unit = {rate.base_currency: rate.spot_sell / rate.unit for rate in fx_rates(session)}
        result = recommend(investor, catalogue, need, today, yuan_per_unit, MAX_RECOMMENDED)
        intro = render(domain, "utter_reco_intro", slots, tolerance=client.risk_tolerance,
                       tolerance_label=_tolerance_label(domain, slots, client.risk_tolerance),
                       highest=result.highest_risk or "", expires=client.risk_expires_on.isoformat())
        criteria = self._criteria(domain, slots, need)
        if result.status is Status.NONE_FITS:
            dispatcher.utter_message(response="utter_reco_none", intro=intro, criteria=criteria, advisor=advisor)
            return []
        shown: Sequence[ProductView] = [product for product in result.products if isinstance(product, ProductView)]
        count_line = (
            render(domain, "utter_reco_count_all", slots, count=result.matching)
            if result.matching == len(shown)
            else render(domain, "utter_reco_count_some", slots, count=result.matching, shown=len(shown))
        )
        lines = "\n".join(_brief(domain, slots, product, "utter_reco_line") for product in shown)
        dispatcher.utter_message(
            response="utter_reco_list", buttons=_product_buttons(shown, slots.get("script")),
            intro=intro, criteria=criteria, count_line=count_line, lines=lines, advisor=advisor,
        )
        return []

    @staticmethod
    def _advisor(domain: Mapping[str, Any], slots: Mapping[str, Any], client: ClientSummary) -> str:
        if client.rm is not None:
            return render(domain, "utter_reco_advisor_named", slots, rm=client.rm.name)
        return render(domain, "utter_reco_advisor_unnamed", slots)

    @staticmethod
    def _horizon(request: ClientRequest, text: str, catalogue: Sequence[ProductView]) -> Horizon:
        """The need this message states, or on a follow-up that states none the remembered one."""
        names = [name for product in catalogue for name in (product.name, *product.aliases)]
        today = clock.bank_today()
        from_time = [horizon_from_time(str(value), text, today) for value in request.parameters.get("time") or []]
        remembered = (request.parameters.get(HORIZON_PARAMETER) or [None])[0]
        horizon = combine(horizon_from_text(text, ignore=names), *from_time).over(Horizon.from_json(remembered))
        if horizon.stated:
            request.keep(HORIZON_PARAMETER, [horizon.to_json()])
        return horizon

    @staticmethod
    def _criteria(domain: Mapping[str, Any], slots: Mapping[str, Any], need: Need) -> str:
        from bot.money import HOME_CURRENCY, currency_name

        lines = []
        if need.amount is not None:
            lines.append(render(domain, "utter_reco_criterion_amount", slots,
                                amount=format_money(need.amount, need.currency or HOME_CURRENCY)))
        if need.horizon.max_days is not None:
            lines.append(render(domain, "utter_reco_criterion_horizon", slots, days=need.horizon.max_days))
        if need.horizon.liquid:
            lines.append(render(domain, "utter_reco_criterion_liquid", slots))
        for product_type in need.product_types:
            lines.append(render(domain, "utter_reco_criterion_type", slots, product_type=product_type))
        for product_type in need.excluded_types:
            lines.append(render(domain, "utter_reco_criterion_excluded_type", slots, product_type=product_type))
        if need.currency:
            lines.append(render(domain, "utter_reco_criterion_currency", slots,
                                currency=currency_name(need.currency)))
        if not lines:
            return ""
        return render(domain, "utter_reco_criteria", slots, lines="\n".join(lines))

    @staticmethod
    def _explain_refusals(
        dispatcher: CollectingDispatcher, domain: Mapping[str, Any], slots: Mapping[str, Any],
        investor: Investor, named: Sequence[ProductView], text: str,
    ) -> None:
        """Why a product or a risk the client asked for is not offered to them."""
        tolerance = investor.risk_tolerance
        script = slots.get("script")
        common = {
            "tolerance": tolerance,
            "tolerance_label": _tolerance_label(domain, slots, tolerance),
            "highest": highest_risk_for(tolerance) or "",
        }
        for product in named:
            reasons = reasons_against(investor, product)
            if Reason.RISK_ABOVE_TOLERANCE in reasons:
                dispatcher.utter_message(
                    response="utter_reco_above_tolerance_product", product=in_script(product.name, script),
                    risk=product.risk,
                    risk_label=_risk_label(domain, slots, product.risk), **common,
                )
            elif Reason.TIER_NOT_ELIGIBLE in reasons:
                dispatcher.utter_message(response="utter_reco_product_tier", product=in_script(product.name, script))
            elif Reason.NOT_ON_SALE in reasons:
                dispatcher.utter_message(response="utter_reco_product_not_on_sale",
                                         product=in_script(product.name, script))
        if named:
            return
        wanted = _wanted_risk(text)
        allowed = tolerance_rank(tolerance) or 0
        if wanted is not None and (risk_rank(wanted) or 0) > allowed:
            dispatcher.utter_message(
                response="utter_reco_above_tolerance_words", wanted=wanted,
                wanted_label=_risk_label(domain, slots, wanted), **common,
            )
