"""The advisor's worklist: what needs them now.

- the open handoffs they may see (``bot.handoff.store.visible_queue``: urgent
  first, then by the time a reply is due), with the time left;
- today's appointments with them (Asia/Shanghai), by time;
- their clients' holdings and time deposits maturing within the week,
  counted from the data day as in the overview;
- their clients' open cases, overdue first, then by due day.

"Their clients" are the clients ``bot.access`` lets them read now: their own,
and those of an RM they back up while that RM is off duty (:func:`book_of`).
A contact-center agent has no book: their worklist is the queue. The cases
come in from the caller (the case service is another process); ``None`` means
it could not be reached and the worklist says so instead of failing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Dict, Iterable, Optional, Sequence, Tuple

from sqlalchemy.orm import Session

from bot.access import decide
from bot.advisor.overview import (
    AppointmentLine,
    CaseLine,
    MaturityLine,
    appointment_line,
    case_line,
    cases_in_order,
)
from bot.appointments.store import upcoming_of
from bot.cases.types import Case
from bot.clock import BANK_TIME
from bot.handoff.store import HandoffRecord, visible_queue
from bot.identity import Principal, Role
from bot.profile.queries import ManagedClient, StoreFacts, clients_of_manager, data_day, maturities_for_manager

__all__ = ["MATURITY_WEEK_DAYS", "HandoffLine", "Worklist", "book_of", "handoff_line", "worklist"]

MATURITY_WEEK_DAYS = 7  # "maturities this week": within this many days of the data day


@dataclass(frozen=True)
class HandoffLine:
    handoff_id: str
    client_id: Optional[str]
    client_name: Optional[str]  # None for an anonymous conversation
    tier: Optional[str]
    reason: str  # bot.handoff.HandoffReason value
    urgent: bool
    status: str  # waiting / taken
    target_name: str
    reply_expected_by: datetime
    seconds_left: int  # negative once the reply is overdue
    taken_by: Optional[str]

    def to_json(self) -> Dict[str, Any]:
        return {
            "handoff_id": self.handoff_id, "client_id": self.client_id, "client_name": self.client_name,
            "tier": self.tier, "reason": self.reason, "urgent": self.urgent, "status": self.status,
            "target_name": self.target_name, "reply_expected_by": self.reply_expected_by.isoformat(),
            "seconds_left": self.seconds_left, "taken_by": self.taken_by,
        }


def _value(value: Any) -> str:
    return str(getattr(value, "value", value))


def handoff_line(record: HandoffRecord, now: datetime) -> HandoffLine:
    client = record.package.client
    return HandoffLine(
        record.id, record.client_id, client.name if client else None, client.tier if client else None,
        _value(record.reason), record.urgent, _value(record.status), record.target_name,
        record.reply_expected_by, int(record.time_left(now).total_seconds()), record.taken_by,
    )


@dataclass(frozen=True)
class Worklist:
    principal_id: str
    role: str  # advisor / agent
    today: date  # Asia/Shanghai
    maturities_from: date  # the data day
    handoffs: Tuple[HandoffLine, ...]
    appointments: Tuple[AppointmentLine, ...]  # today's, with this advisor
    maturities: Tuple[MaturityLine, ...]  # within MATURITY_WEEK_DAYS
    cases: Optional[Tuple[CaseLine, ...]]  # open ones, overdue first; None: the case service is down

    @property
    def cases_available(self) -> bool:
        return self.cases is not None

    @property
    def overdue_cases(self) -> Tuple[CaseLine, ...]:
        return tuple(line for line in self.cases or () if line.overdue)

    @property
    def waiting_handoffs(self) -> Tuple[HandoffLine, ...]:
        return tuple(line for line in self.handoffs if line.status == "waiting")

    @property
    def empty(self) -> bool:
        return not (self.handoffs or self.appointments or self.maturities or self.cases)

    def to_json(self) -> Dict[str, Any]:
        return {
            "principal_id": self.principal_id, "role": self.role, "today": self.today.isoformat(),
            "maturities_from": self.maturities_from.isoformat(),
            "handoffs": [line.to_json() for line in self.handoffs],
            "appointments": [line.to_json() for line in self.appointments],
            "maturities": [line.to_json() for line in self.maturities],
            "cases": [line.to_json() for line in self.cases] if self.cases is not None else [],
            "cases_available": self.cases_available,
        }


def book_of(session: Session, principal: Principal, now: datetime) -> Tuple[ManagedClient, ...]:
    """The clients ``principal`` may read at ``now`` as their advisor: own first, then those covered.
    Empty for anyone but an advisor."""
    if principal.role is not Role.ADVISOR:
        return ()
    facts = StoreFacts(session)
    return tuple(client for client in clients_of_manager(session, principal.subject_id, include_backup=True)
                 if decide(principal, client.client_id, facts, now=now).allowed)


def _todays_appointments(session: Session, rm_id: str, book: Iterable[ManagedClient],
                         today: date) -> Tuple[AppointmentLine, ...]:
    start = datetime.combine(today, time.min, BANK_TIME)
    end = start + timedelta(days=1)
    lines = [
        appointment_line(view, client.name)
        for client in book
        for view in upcoming_of(session, client.client_id, start)
        if view.rm_id == rm_id and view.starts_at < end
    ]
    return tuple(sorted(lines, key=lambda line: (line.starts_at, line.reference)))


def _maturities(session: Session, rm_id: str, readable: Dict[str, ManagedClient],
                on: date) -> Tuple[MaturityLine, ...]:
    return tuple(
        MaturityLine(item.client_id, item.client_name, item.kind, item.product_code, item.product_name,
                     item.account_tail, item.currency, item.amount, item.matures_on, (item.matures_on - on).days)
        for item in maturities_for_manager(session, rm_id, on, MATURITY_WEEK_DAYS, include_backup=True)
        if item.client_id in readable
    )


def worklist(session: Session, principal: Principal, now: datetime,
             cases: Optional[Sequence[Case]]) -> Worklist:
    """The worklist of ``principal`` (an advisor or an agent) at ``now``.

    ``cases``: the open cases of the clients in :func:`book_of` as the case service lists them
    (cases of anyone else are ignored), or None when it could not be reached.
    """
    today = now.astimezone(BANK_TIME).date()
    on = data_day(session, now)
    handoffs = tuple(handoff_line(record, now) for record in visible_queue(session, principal, now))
    if principal.role is not Role.ADVISOR:
        return Worklist(principal.subject_id, principal.role.value, today, on, handoffs, (), (), ())
    book = book_of(session, principal, now)
    readable = {client.client_id: client for client in book}
    case_lines: Optional[Tuple[CaseLine, ...]] = None
    if cases is not None:
        case_lines = cases_in_order(case_line(case, readable[case.client_id].name, today) for case in cases
                                    if case.client_id in readable and case.is_open)
    return Worklist(
        principal.subject_id, principal.role.value, today, on, handoffs,
        _todays_appointments(session, principal.subject_id, book, today),
        _maturities(session, principal.subject_id, readable, on),
        case_lines,
    )
