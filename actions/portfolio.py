"""check_portfolio: a verified client's holdings with market value, profit and loss and return.

Holdings maturing within 30 days of the data day are listed again at the end
with their date and the days left. ``product_type`` (那基金呢) and
``currency`` narrow the list. Figures are ``bot.banking.portfolio``'s.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Mapping, Text

from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.follow_up import latest_entities
from actions.replies import fill
from actions.verified import ClientRequest, VerifiedClientAction
from bot.banking import HoldingLine, PortfolioSummary, data_day, percent, portfolio_summary, signed_money
from bot.banking.formatting import local_time
from bot.money import currency_name, format_money
from bot.profile.queries import fx_rates, holdings_of

__all__ = ["ActionCheckPortfolio"]

logger = logging.getLogger(__name__)

_FILTERS = ("product_type", "currency")
# 快到期的理财 / 我的理财持仓: 理财 in the question itself means any holding, not only the 理财 type
_GENERIC_TYPE = "理财"
_NO_RATE = "—"

Slots = Mapping[str, Any]


def _line(domain: Mapping[str, Any], slots: Slots, line: HoldingLine) -> str:
    holding = line.holding
    annualised = line.annualised
    parts = {
        "annualised": fill(domain, slots, "utter_portfolio_annualised", rate=percent(annualised))
        if annualised is not None else "",
        "matures": fill(domain, slots, "utter_portfolio_matures", date=holding.matures_on.isoformat())
        if holding.matures_on else "",
    }
    return fill(
        domain, slots, "utter_portfolio_line", parts,
        product=holding.product_name, product_type=holding.product_type, risk=holding.risk,
        value=format_money(holding.market_value, holding.currency),
        pnl=signed_money(line.pnl, holding.currency),
        rate=percent(line.return_rate) if line.return_rate is not None else _NO_RATE,
    )


def _maturity_line(domain: Mapping[str, Any], slots: Slots, line: HoldingLine) -> str:
    holding = line.holding
    values = {"product": holding.product_name, "date": holding.matures_on.isoformat() if holding.matures_on else "",
              "value": format_money(holding.market_value, holding.currency)}
    if line.days_to_maturity == 0:
        return fill(domain, slots, "utter_portfolio_maturity_today_line", **values)
    return fill(domain, slots, "utter_portfolio_maturity_line", days=line.days_to_maturity, **values)


def _totals(domain: Mapping[str, Any], slots: Slots, summary: PortfolioSummary) -> str:
    lines = [
        fill(domain, slots, "utter_portfolio_total", currency=currency_name(total.currency),
             value=format_money(total.market_value, total.currency), pnl=signed_money(total.pnl, total.currency),
             rate=percent(total.return_rate) if total.return_rate is not None else _NO_RATE)
        for total in summary.totals
    ]
    if summary.value_cny is not None and summary.value_cny.quoted_at is not None:
        lines.append(fill(domain, slots, "utter_portfolio_total_cny", value=format_money(summary.value_cny.total),
                          as_of=local_time(summary.value_cny.quoted_at)))
    return "\n".join(lines)


def _is_follow_up(request: ClientRequest) -> bool:
    return request.intent == "inform"


class ActionCheckPortfolio(VerifiedClientAction):
    """The client's holdings, totals, and what matures within 30 days."""

    def name(self) -> Text:
        return "action_check_portfolio"

    async def answer(
        self, request: ClientRequest, session: Session, dispatcher: CollectingDispatcher
    ) -> List[Dict[Text, Any]]:
        holdings = holdings_of(session, request.client_id)
        if not holdings:
            dispatcher.utter_message(response="utter_portfolio_empty")
            return []
        latest = latest_entities(request.tracker)
        source = latest if any(latest.get(name) for name in _FILTERS) else request.parameters
        product_types = [str(value) for value in source.get("product_type") or ()]
        if not _is_follow_up(request):
            product_types = [value for value in product_types if value != _GENERIC_TYPE]
        currencies = [str(value).upper() for value in source.get("currency") or ()]
        on = data_day(session)
        rates = fx_rates(session) if len({holding.currency for holding in holdings}) > 1 else ()
        summary = portfolio_summary(holdings, on, rates, product_types, currencies)
        logger.debug("portfolio: %d holdings, %d maturing, matched=%s", len(summary.lines), len(summary.maturing),
                     summary.matched)

        domain, slots = request.domain, request.slots
        maturing = summary.maturing
        maturities = ""
        if maturing:
            maturities = fill(domain, slots, "utter_portfolio_maturities",
                              {"lines": "\n".join(_maturity_line(domain, slots, line) for line in maturing)})
        dispatcher.utter_message(
            response="utter_portfolio",
            note="" if summary.matched else fill(domain, slots, "utter_portfolio_no_match"),
            on=on.isoformat(),
            count=len(summary.lines),
            lines="\n".join(_line(domain, slots, line) for line in summary.lines),
            totals=_totals(domain, slots, summary),
            maturities=maturities,
        )
        return []
