"""One client at a glance for the advisor: the client 360, holdings, maturities, appointments, cases.

:func:`client_overview` reads the profile store; the client's cases come in
from the caller (the case service is another process, reached over HTTP:
``None`` means it could not be reached, and the overview says so instead of
failing). The line types here (:class:`CaseLine`, :class:`AppointmentLine`,
:class:`MaturityLine`) are also the worklist's.

Maturities are counted from the data day (:func:`bot.profile.queries.data_day`,
as the portfolio answer does: the demo bank ends on its seed day while the
clock moves on); appointments and case deadlines from ``today``.

Nothing here decides who may see the client: the caller has checked
(``bot.access`` / ``bot.handoff.store.may_read_client``). Nothing leaves
unmasked: accounts as their last four digits, the phone as 138****5678.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Dict, Iterable, Optional, Sequence, Tuple

from sqlalchemy.orm import Session

from bot.appointments.store import AppointmentView, upcoming_of
from bot.cases.types import Case
from bot.clock import BANK_TIME
from bot.profile.queries import (
    ClientSummary,
    HoldingView,
    client_summary,
    data_day,
    holdings_of,
    maturities_of_client,
)
from bot.suitability import risk_rank, tolerance_rank

__all__ = [
    "MATURITY_DAYS",
    "RISK_RENEWAL_DAYS",
    "HoldingLine",
    "MaturityLine",
    "AppointmentLine",
    "CaseLine",
    "ClientOverview",
    "case_line",
    "cases_in_order",
    "appointment_line",
    "client_overview",
]

MATURITY_DAYS = 30  # maturities shown in the overview: within this many days of the data day
RISK_RENEWAL_DAYS = 30  # a risk assessment expiring this soon is flagged for renewal


def _day(value: Optional[date]) -> Optional[str]:
    return value.isoformat() if value is not None else None


def _money(value: Decimal) -> str:
    return format(value, "f")


@dataclass(frozen=True)
class HoldingLine:
    product_code: str
    product_name: str
    product_type: str
    risk: str  # R1–R5
    currency: str
    market_value: Decimal
    cost: Decimal
    matures_on: Optional[date]
    above_tolerance: bool  # riskier than the client's tolerance allows (bought before a re-assessment)

    @property
    def pnl(self) -> Decimal:
        return self.market_value - self.cost

    def to_json(self) -> Dict[str, Any]:
        return {
            "product_code": self.product_code, "product_name": self.product_name,
            "product_type": self.product_type, "risk": self.risk, "currency": self.currency,
            "market_value": _money(self.market_value), "cost": _money(self.cost), "pnl": _money(self.pnl),
            "matures_on": _day(self.matures_on), "above_tolerance": self.above_tolerance,
        }


@dataclass(frozen=True)
class MaturityLine:
    """A holding or time deposit maturing soon; ``account_tail`` only for a deposit."""

    client_id: str
    client_name: str
    kind: str  # holding / deposit
    product_code: Optional[str]
    product_name: Optional[str]
    account_tail: Optional[str]
    currency: str
    amount: Decimal  # market value of the holding, balance of the deposit
    matures_on: date
    days_left: int

    def to_json(self) -> Dict[str, Any]:
        return {
            "client_id": self.client_id, "client_name": self.client_name, "kind": self.kind,
            "product_code": self.product_code, "product_name": self.product_name,
            "account_tail": self.account_tail, "currency": self.currency, "amount": _money(self.amount),
            "matures_on": self.matures_on.isoformat(), "days_left": self.days_left,
        }


@dataclass(frozen=True)
class AppointmentLine:
    reference: str
    client_id: str
    client_name: str
    rm_id: str
    rm_name: str
    place: str  # rm_office / vip_room
    branch: str
    starts_at: datetime  # aware, UTC
    ends_at: datetime

    def to_json(self) -> Dict[str, Any]:
        return {
            "reference": self.reference, "client_id": self.client_id, "client_name": self.client_name,
            "rm_id": self.rm_id, "rm_name": self.rm_name, "place": self.place, "branch": self.branch,
            "starts_at": self.starts_at.isoformat(), "ends_at": self.ends_at.isoformat(),
        }


@dataclass(frozen=True)
class CaseLine:
    case_id: str
    client_id: str
    client_name: str
    category: str  # the case service's category value (fees, card_fraud …)
    severity: str
    priority: str
    status: str
    is_open: bool
    due_on: date  # Asia/Shanghai
    days_left: int  # from today; negative once past the due day

    @property
    def overdue(self) -> bool:
        """Still open after its due day."""
        return self.is_open and self.days_left < 0

    def to_json(self) -> Dict[str, Any]:
        return {
            "case_id": self.case_id, "client_id": self.client_id, "client_name": self.client_name,
            "category": self.category, "severity": self.severity, "priority": self.priority,
            "status": self.status, "open": self.is_open, "due_on": self.due_on.isoformat(),
            "days_left": self.days_left, "overdue": self.overdue,
        }


def case_line(case: Case, client_name: str, today: date) -> CaseLine:
    due_on = case.due_at.astimezone(BANK_TIME).date()
    return CaseLine(case.case_id, case.client_id, client_name, case.category, case.severity, case.priority,
                    case.status, case.is_open, due_on, (due_on - today).days)


def appointment_line(view: AppointmentView, client_name: str) -> AppointmentLine:
    return AppointmentLine(view.reference, view.client_id, client_name, view.rm_id, view.rm_name, view.place,
                           view.branch, view.starts_at, view.ends_at)


def cases_in_order(lines: Iterable[CaseLine]) -> Tuple[CaseLine, ...]:
    """Overdue first, then open by due day, then closed ones (newest due day first)."""
    listed = list(lines)
    open_lines = sorted((line for line in listed if line.is_open), key=lambda line: (line.due_on, line.case_id))
    closed = sorted((line for line in listed if not line.is_open), key=lambda line: line.due_on, reverse=True)
    return tuple(open_lines + closed)


@dataclass(frozen=True)
class ClientOverview:
    """What the advisor sees of one client. ``cases`` is None when the case service was unreachable."""

    client_id: str
    name: str
    tier: str
    aum: Decimal  # CNY equivalent
    risk_tolerance: str
    risk_assessed_on: date
    risk_expires_on: date
    risk_expired: bool
    risk_renewal_due: bool  # expired, or expiring within RISK_RENEWAL_DAYS
    is_elderly: bool
    age_band: str
    script: str  # hans / hant: how the client writes
    phone_masked: str
    rm_id: Optional[str]
    rm_name: Optional[str]
    backup_rm_name: Optional[str]
    holdings: Tuple[HoldingLine, ...]
    maturities: Tuple[MaturityLine, ...]  # within MATURITY_DAYS of ``maturities_from``, soonest first
    appointments: Tuple[AppointmentLine, ...]  # booked, from the start of ``today``, soonest first
    cases: Optional[Tuple[CaseLine, ...]]  # overdue and open first; None: the case service is down
    today: date
    maturities_from: date  # the data day

    @property
    def cases_available(self) -> bool:
        return self.cases is not None

    @property
    def open_cases(self) -> Tuple[CaseLine, ...]:
        return tuple(line for line in self.cases or () if line.is_open)

    @property
    def overdue_cases(self) -> Tuple[CaseLine, ...]:
        return tuple(line for line in self.cases or () if line.overdue)

    @property
    def holdings_above_tolerance(self) -> Tuple[HoldingLine, ...]:
        return tuple(line for line in self.holdings if line.above_tolerance)

    @property
    def holdings_value(self) -> Dict[str, Decimal]:
        """Market value of the holdings by currency."""
        totals: Dict[str, Decimal] = {}
        for line in self.holdings:
            totals[line.currency] = totals.get(line.currency, Decimal("0")) + line.market_value
        return totals

    def to_json(self) -> Dict[str, Any]:
        """The desk's ``GET /api/desk/clients/{client_id}/overview`` body."""
        return {
            "client_id": self.client_id, "name": self.name, "tier": self.tier, "aum": _money(self.aum),
            "risk_tolerance": self.risk_tolerance, "risk_assessed_on": self.risk_assessed_on.isoformat(),
            "risk_expires_on": self.risk_expires_on.isoformat(), "risk_expired": self.risk_expired,
            "risk_renewal_due": self.risk_renewal_due, "is_elderly": self.is_elderly, "age_band": self.age_band,
            "script": self.script, "phone_masked": self.phone_masked, "rm_id": self.rm_id, "rm_name": self.rm_name,
            "backup_rm_name": self.backup_rm_name,
            "holdings": [line.to_json() for line in self.holdings],
            "holdings_value": {currency: _money(value) for currency, value in sorted(self.holdings_value.items())},
            "maturities": [line.to_json() for line in self.maturities],
            "appointments": [line.to_json() for line in self.appointments],
            "cases": [line.to_json() for line in self.cases] if self.cases is not None else [],
            "cases_available": self.cases_available,
            "today": self.today.isoformat(), "maturities_from": self.maturities_from.isoformat(),
        }


def _holding_line(holding: HoldingView, tolerance: str) -> HoldingLine:
    allowed, rank = tolerance_rank(tolerance), risk_rank(holding.risk)
    above = allowed is None or rank is None or rank > allowed
    return HoldingLine(holding.product_code, holding.product_name, holding.product_type, holding.risk,
                       holding.currency, holding.market_value, holding.cost, holding.matures_on, above)


def _maturities(session: Session, client: ClientSummary, on: date) -> Tuple[MaturityLine, ...]:
    return tuple(
        MaturityLine(item.client_id, item.client_name, item.kind, item.product_code, item.product_name,
                     item.account_tail, item.currency, item.amount, item.matures_on, (item.matures_on - on).days)
        for item in maturities_of_client(session, client.client_id, on, MATURITY_DAYS))


def client_overview(session: Session, client_id: str, cases: Optional[Sequence[Case]],
                    today: date) -> Optional[ClientOverview]:
    """The overview of ``client_id`` on ``today``; None when there is no such client.

    ``cases``: the client's cases from the case service (any others are ignored), or None when it
    could not be reached.
    """
    client = client_summary(session, client_id)
    if client is None:
        return None
    start_of_today = datetime.combine(today, time.min, BANK_TIME)
    on = data_day(session, datetime.combine(today, time.max, BANK_TIME))
    holdings = holdings_of(session, client_id)
    appointments = tuple(appointment_line(view, client.name) for view in upcoming_of(session, client_id,
                                                                                       start_of_today))
    case_lines = None if cases is None else cases_in_order(
        case_line(case, client.name, today) for case in cases if case.client_id == client_id)
    expires_in = (client.risk_expires_on - today).days
    return ClientOverview(
        client_id=client.client_id, name=client.name, tier=client.tier, aum=client.aum,
        risk_tolerance=client.risk_tolerance, risk_assessed_on=client.risk_assessed_on,
        risk_expires_on=client.risk_expires_on, risk_expired=client.risk_assessment_expired(today),
        risk_renewal_due=expires_in <= RISK_RENEWAL_DAYS, is_elderly=client.is_elderly, age_band=client.age_band,
        script=client.script, phone_masked=client.phone_masked,
        rm_id=client.rm.rm_id if client.rm else None, rm_name=client.rm.name if client.rm else None,
        backup_rm_name=client.backup_rm.name if client.backup_rm else None,
        holdings=tuple(_holding_line(holding, client.risk_tolerance) for holding in holdings),
        maturities=_maturities(session, client, on),
        appointments=appointments, cases=case_lines, today=today, maturities_from=on,
    )
