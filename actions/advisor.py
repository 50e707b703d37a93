"""The advisor copilot in conversation: a client's overview (张伟最近怎么样) and the worklist (我今天的待办).

Only a verified advisor (RM) or contact-center agent is answered; a client or
an unverified user is told politely that this is for staff. Who may see which
client is ``bot.handoff.store.may_read_client`` (``bot.access``: an RM their
own clients and those they cover; an agent only the client of a handoff they
hold).

The client is named by the ``person`` entity: the exact name first, else a
surname (陈总 → 陈) among the clients this person may see. A name that matches
nobody they may see gets the answer a name that matches nobody at all gets, so
names cannot be probed; several get buttons (their payload names the client
id, checked again). Without a name, the client looked at last
(``advisor_client``).

The case service may be down: the overview and the worklist then say that the
cases cannot be listed now, and show the rest.
"""
from __future__ import annotations

import asyncio
import json
from abc import ABC, abstractmethod
from datetime import datetime
from decimal import Decimal
from typing import Any, Dict, List, Mapping, Optional, Sequence, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions import complaints
from actions.verified import verified_principal
from bot import clock
from bot.advisor import (
    MATURITY_DAYS,
    MATURITY_WEEK_DAYS,
    AppointmentLine,
    CaseLine,
    ClientOverview,
    HandoffLine,
    MaturityLine,
    Worklist,
    book_of,
    client_overview,
    worklist,
)
from bot.cases.client import CaseClient, CaseServiceFailure
from bot.cases.types import Case
from bot.handoff.store import may_read_client, visible_queue
from bot.identity import Principal, Role, proof_expired
from bot.kb import load_kb
from bot.money import format_money, tail_label
from bot.nlu.normalise import normalise
from bot.profile.queries import ClientRef, client_summary, clients_by_name
from bot.profile.store import profile_session
from bot.responses import in_script, render

__all__ = ["FOCUS", "PICKED", "ActionAdvisorClientOverview", "ActionAdvisorWorklist", "candidates_for"]

FOCUS = "advisor_client"  # the slot: the client looked at last
PICKED = "advisor_client"  # the entity of the buttons that pick one client
SHOWN_PER_SECTION = 8  # lines per worklist or overview section; the rest are counted
CASE_LOOKUPS_AT_ONCE = 8  # concurrent calls to the case service for a worklist
_TITLE_SUFFIXES = ("先生", "女士", "小姐", "老师", "阿姨", "叔叔", "伯伯", "奶奶", "爷爷", "老板", "总", "姐", "哥",
                   "生", "总监", "经理")
Slots = Mapping[str, Any]


# --------------------------------------------------------------- who is asked
def _name_asked(value: Any) -> str:
    """The person entity as stored names are written: Simplified, without spaces."""
    return normalise(str(value)).text.replace(" ", "")


def _without_title(name: str) -> str:
    """王总 → 王, 张伟先生 → 张伟; a name without a title as it is."""
    for suffix in sorted(_TITLE_SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _is_surname(name: str) -> bool:
    return name in load_kb().surnames


def _readable_clients(session: Session, principal: Principal, now: datetime) -> List[ClientRef]:
    """The clients ``principal`` may read now: an RM's book, an agent's held handoffs' clients."""
    if principal.role is Role.ADVISOR:
        return [ClientRef(client.client_id, client.name, client.tier, client.primary_rm_id)
                for client in book_of(session, principal, now)]
    held = {record.client_id for record in visible_queue(session, principal, now)
            if record.client_id and record.held_by(principal)}
    found = []
    for client_id in sorted(held):
        summary = client_summary(session, client_id)
        if summary is not None and may_read_client(principal, client_id, session, now):
            found.append(ClientRef(summary.client_id, summary.name, summary.tier,
                                   summary.rm.rm_id if summary.rm else None))
    return found


def candidates_for(session: Session, principal: Principal, name: str, now: datetime) -> Tuple[ClientRef, ...]:
    """The clients called ``name`` that ``principal`` may read: the exact name (as written, then
    without a title: 张伟先生), else for a surname alone (王总) those whose name starts with it.
    Never anyone they may not read."""
    bare = _without_title(name)
    for each in dict.fromkeys((name, bare)):
        exact = tuple(ref for ref in clients_by_name(session, each)
                      if may_read_client(principal, ref.client_id, session, now))
        if exact:
            return exact
    if not _is_surname(bare):
        return ()
    return tuple(ref for ref in _readable_clients(session, principal, now) if ref.name.startswith(bare))


# ------------------------------------------------------------------ the cases
async def _cases_of(client_ids: Sequence[str], open_only: bool) -> Optional[List[Case]]:
    """The cases of these clients from the case service; None when it cannot be reached."""
    if not client_ids:
        return []
    limit = asyncio.Semaphore(CASE_LOOKUPS_AT_ONCE)
    service: CaseClient = complaints.case_client()

    async def one(client_id: str) -> List[Case]:
        async with limit:
            return await service.cases_of(client_id, open_only=open_only)

    async with service:
        tasks = [asyncio.ensure_future(one(client_id)) for client_id in client_ids]
        try:
            found = await asyncio.gather(*tasks)
        except CaseServiceFailure:  # one failure is enough: stop the others before the client closes
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            return None
    return [case for cases in found for case in cases]


# ------------------------------------------------------------------ rendering
def _money(amount: Decimal, currency: str) -> str:
    return format_money(amount, currency)


def _listed(domain: Mapping[str, Any], slots: Slots, lines: Sequence[str]) -> str:
    shown = list(lines[:SHOWN_PER_SECTION])
    if len(lines) > SHOWN_PER_SECTION:
        shown.append(render(domain, "utter_advisor_more", slots, count=len(lines) - SHOWN_PER_SECTION))
    return "\n".join(shown)


def _section(domain: Mapping[str, Any], slots: Slots, name: str, lines: Sequence[str], **values: Any) -> str:
    """A heading response with its lines put in as they are (already in the reader's script)."""
    template = render(domain, name, slots, lines="{lines}", **values)
    return template.replace("{lines}", _listed(domain, slots, lines))


def _category(domain: Mapping[str, Any], slots: Slots, category: str) -> str:
    return render(domain, f"utter_complaint_category_{category}", slots)


def _status(domain: Mapping[str, Any], slots: Slots, status: str) -> str:
    return render(domain, f"utter_case_status_{status}", slots)


def _left(domain: Mapping[str, Any], slots: Slots, days: int) -> str:
    if days == 0:
        return render(domain, "utter_advisor_due_today", slots)
    return render(domain, "utter_advisor_days_left", slots, days=days)


def _maturity_line(domain: Mapping[str, Any], slots: Slots, line: MaturityLine) -> str:
    values = {"month": line.matures_on.month, "day": line.matures_on.day,
              "amount": _money(line.amount, line.currency), "left": _left(domain, slots, line.days_left)}
    if line.kind == "deposit" and line.account_tail:
        return render(domain, "utter_advisor_maturity_deposit", slots, account=tail_label(line.account_tail),
                      **values)
    return render(domain, "utter_advisor_maturity_holding", slots, product=line.product_name or "", **values)


def _appointment_line(domain: Mapping[str, Any], slots: Slots, line: AppointmentLine) -> str:
    local = line.starts_at.astimezone(clock.BANK_TIME)
    when = render(domain, "utter_appointment_when", slots, month=local.month, day=local.day,
                  weekday=render(domain, f"utter_weekday_{local.isoweekday()}", slots),
                  time=local.strftime("%H:%M"))
    place = render(domain, f"utter_appointment_place_{line.place}", slots, branch=line.branch)
    return render(domain, "utter_advisor_appointment_line", slots, when="{when}", place="{place}",
                  rm=line.rm_name).replace("{when}", when).replace("{place}", place)


def _case_line(domain: Mapping[str, Any], slots: Slots, line: CaseLine, response: str, **values: Any) -> str:
    overdue = render(domain, "utter_advisor_case_overdue", slots) if line.overdue else ""
    template = render(domain, response, slots, case_id=line.case_id, month=line.due_on.month,
                      day=line.due_on.day, category="{category}", status="{status}", overdue="{overdue}", **values)
    return (template.replace("{category}", _category(domain, slots, line.category))
            .replace("{status}", _status(domain, slots, line.status)).replace("{overdue}", overdue))


def _overview_sections(domain: Mapping[str, Any], slots: Slots, overview: ClientOverview) -> List[str]:
    sections: List[str] = []
    if overview.holdings:
        totals = "，".join(_money(value, currency) for currency, value in sorted(overview.holdings_value.items()))
        holdings = render(domain, "utter_advisor_holdings", slots, count=len(overview.holdings), total=totals)
        above = overview.holdings_above_tolerance
        if above:
            names = "、".join(dict.fromkeys(line.product_name for line in above))
            holdings += render(domain, "utter_advisor_holdings_above", slots, products=names)
        sections.append(holdings)
    else:
        sections.append(render(domain, "utter_advisor_holdings_none", slots))
    if overview.maturities:
        sections.append(_section(domain, slots, "utter_advisor_maturities",
                                 [_maturity_line(domain, slots, line) for line in overview.maturities]))
    else:
        sections.append(render(domain, "utter_advisor_maturities_none", slots, days=MATURITY_DAYS))
    if overview.appointments:
        sections.append(_section(domain, slots, "utter_advisor_appointments",
                                 [_appointment_line(domain, slots, line) for line in overview.appointments]))
    if overview.cases is None:
        sections.append(render(domain, "utter_advisor_cases_unavailable", slots))
    elif overview.cases:
        lines = [_case_line(domain, slots, line, "utter_advisor_case_line" if line.is_open
                            else "utter_advisor_case_line_closed") for line in overview.cases]
        sections.append(_section(domain, slots, "utter_advisor_cases", lines))
    else:
        sections.append(render(domain, "utter_advisor_cases_none", slots))
    return sections


def _overview_values(domain: Mapping[str, Any], slots: Slots, overview: ClientOverview) -> Dict[str, Any]:
    """The values of utter_advisor_overview, each already in the reader's script."""
    script = slots.get("script")
    if overview.risk_expired:
        risk_note = render(domain, "utter_advisor_risk_expired", slots)
    elif overview.risk_renewal_due:
        risk_note = render(domain, "utter_advisor_risk_expiring", slots,
                           days=(overview.risk_expires_on - overview.today).days)
    else:
        risk_note = ""
    return {
        "name": in_script(overview.name, script),
        "client_id": overview.client_id,
        "tier": in_script(overview.tier, script),
        "elderly": render(domain, "utter_advisor_elderly", slots) if overview.is_elderly else "",
        "aum": _money(overview.aum, "CNY"),
        "tolerance": overview.risk_tolerance,
        "expires_on": overview.risk_expires_on.isoformat(),
        "risk_note": risk_note,
        "rm": in_script(overview.rm_name, script) if overview.rm_name else render(domain, "utter_advisor_no_rm",
                                                                                  slots),
        "backup": (render(domain, "utter_advisor_backup", slots, backup=overview.backup_rm_name)
                   if overview.backup_rm_name else ""),
        "phone": overview.phone_masked,
        "sections": "\n\n".join(_overview_sections(domain, slots, overview)),
    }


def _handoff_line(domain: Mapping[str, Any], slots: Slots, line: HandoffLine) -> str:
    minutes = abs(line.seconds_left) // 60
    time_left = render(domain, "utter_advisor_time_left" if line.seconds_left >= 0 else "utter_advisor_time_over",
                       slots, minutes=minutes)
    client = (in_script(line.client_name, slots.get("script")) if line.client_name
              else render(domain, "utter_advisor_handoff_anonymous", slots))
    status = "utter_advisor_handoff_taken" if line.status == "taken" else "utter_advisor_handoff_waiting"
    template = render(domain, "utter_advisor_handoff_line", slots, urgent="{urgent}", client="{client}",
                      reason="{reason}", status="{status}", time_left="{time_left}")
    return (template
            .replace("{urgent}", render(domain, "utter_advisor_handoff_urgent", slots) if line.urgent else "")
            .replace("{client}", client)
            .replace("{reason}", render(domain, f"utter_advisor_reason_{line.reason}", slots))
            .replace("{status}", render(domain, status, slots))
            .replace("{time_left}", time_left))


def _worklist_sections(domain: Mapping[str, Any], slots: Slots, work: Worklist) -> List[str]:
    sections: List[str] = []
    if work.handoffs:
        sections.append(_section(domain, slots, "utter_advisor_handoffs",
                                 [_handoff_line(domain, slots, line) for line in work.handoffs],
                                 count=len(work.handoffs)))
    else:
        sections.append(render(domain, "utter_advisor_handoffs_none", slots))
    if work.role != Role.ADVISOR.value:
        sections.append(render(domain, "utter_advisor_worklist_agent_note", slots))
        return sections
    if work.appointments:
        lines = []
        for line in work.appointments:
            place = render(domain, f"utter_appointment_place_{line.place}", slots, branch=line.branch)
            lines.append(render(domain, "utter_advisor_worklist_appointment_line", slots, place="{place}",
                                time=line.starts_at.astimezone(clock.BANK_TIME).strftime("%H:%M"),
                                client=line.client_name).replace("{place}", place))
        sections.append(_section(domain, slots, "utter_advisor_worklist_appointments", lines,
                                 count=len(work.appointments)))
    else:
        sections.append(render(domain, "utter_advisor_worklist_appointments_none", slots))
    if work.maturities:
        lines = []
        for item in work.maturities:
            values = {"month": item.matures_on.month, "day": item.matures_on.day, "client": item.client_name,
                      "amount": _money(item.amount, item.currency)}
            if item.kind == "deposit" and item.account_tail:
                lines.append(render(domain, "utter_advisor_worklist_maturity_deposit", slots,
                                    account=tail_label(item.account_tail), **values))
            else:
                lines.append(render(domain, "utter_advisor_worklist_maturity_holding", slots,
                                    product=item.product_name or "", **values))
        sections.append(_section(domain, slots, "utter_advisor_worklist_maturities", lines,
                                 count=len(work.maturities), days=MATURITY_WEEK_DAYS))
    else:
        sections.append(render(domain, "utter_advisor_worklist_maturities_none", slots, days=MATURITY_WEEK_DAYS))
    if work.cases is None:
        sections.append(render(domain, "utter_advisor_cases_unavailable", slots))
    elif work.cases:
        lines = [_case_line(domain, slots, line, "utter_advisor_worklist_case_line",
                            client=line.client_name) for line in work.cases]
        sections.append(_section(domain, slots, "utter_advisor_worklist_cases", lines, count=len(work.cases),
                                 overdue=len(work.overdue_cases)))
    else:
        sections.append(render(domain, "utter_advisor_worklist_cases_none", slots))
    return sections


# -------------------------------------------------------------------- actions
def _staff_login_expired(tracker: Tracker) -> bool:
    """A staff member's proof that was good but has run out: they log in on the desk again."""
    metadata = (tracker.latest_message or {}).get("metadata")
    return (isinstance(metadata, Mapping) and metadata.get("role") in (Role.ADVISOR.value, Role.AGENT.value)
            and proof_expired(metadata, input_channel=tracker.get_latest_input_channel()))


class _StaffAction(Action, ABC):
    """Answers a verified advisor or agent; anyone else gets the polite refusal."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        principal = verified_principal(tracker)
        if principal is None and _staff_login_expired(tracker):
            dispatcher.utter_message(response="utter_advisor_session_expired")
            return []
        if principal is None or principal.role not in (Role.ADVISOR, Role.AGENT):
            dispatcher.utter_message(response="utter_advisor_only")
            return []
        return await self.answer(principal, tracker, dispatcher, domain)

    @abstractmethod
    async def answer(
        self, principal: Principal, tracker: Tracker, dispatcher: CollectingDispatcher, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        """Reply to the verified staff member; return the events."""


def _latest_entities(tracker: Tracker, entity: str) -> List[str]:
    return [str(item.get("value")) for item in (tracker.latest_message or {}).get("entities") or []
            if item.get("entity") == entity and item.get("value")]


class ActionAdvisorClientOverview(_StaffAction):
    """One client at a glance: the client 360, holdings, maturities, appointments and cases."""

    def name(self) -> Text:
        return "action_advisor_client_overview"

    async def answer(
        self, principal: Principal, tracker: Tracker, dispatcher: CollectingDispatcher, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        slots = tracker.current_slot_values()
        now = clock.bank_now()
        picked = _latest_entities(tracker, PICKED)
        people = _latest_entities(tracker, "person")
        with profile_session() as session:
            if picked:
                client_id: Optional[str] = picked[0] if may_read_client(principal, picked[0], session, now) else None
                if client_id is None:
                    return self._unknown(dispatcher, slots, picked[0])
            elif people:
                asked = _name_asked(people[0])
                found = candidates_for(session, principal, asked, now)
                if not found:
                    return self._unknown(dispatcher, slots, asked)
                if len(found) > 1:
                    return self._which(dispatcher, domain, slots, _without_title(asked), found)
                client_id = found[0].client_id
            else:
                focus = slots.get(FOCUS)
                if not focus or not may_read_client(principal, str(focus), session, now):
                    dispatcher.utter_message(response="utter_advisor_ask_client")
                    return [SlotSet(FOCUS, None)] if focus else []
                client_id = str(focus)
            cases = await _cases_of([client_id], open_only=False)
            overview = client_overview(session, client_id, cases, now.date())
        if overview is None:  # a client id in a payload that names nobody
            return self._unknown(dispatcher, slots, client_id)
        dispatcher.utter_message(response="utter_advisor_overview", **_overview_values(domain, slots, overview))
        return [SlotSet(FOCUS, overview.client_id)]

    @staticmethod
    def _unknown(dispatcher: CollectingDispatcher, slots: Slots, asked: str) -> List[Dict[Text, Any]]:
        """The same answer whether nobody has this name or nobody this person may see."""
        dispatcher.utter_message(response="utter_advisor_client_unknown", person=in_script(asked, slots.get("script")))
        return []

    @staticmethod
    def _which(dispatcher: CollectingDispatcher, domain: Mapping[str, Any], slots: Slots, asked: str,
               found: Sequence[ClientRef]) -> List[Dict[Text, Any]]:
        buttons = [
            {"title": render(domain, "utter_advisor_client_button", slots, client=ref.name, client_id=ref.client_id,
                             tier=ref.tier),
             "payload": "/advisor_client_overview" + json.dumps({PICKED: ref.client_id})}
            for ref in found
        ]
        dispatcher.utter_message(response="utter_advisor_which_client", buttons=buttons, count=len(found),
                                 person=in_script(asked, slots.get("script")))
        return []


class ActionAdvisorWorklist(_StaffAction):
    """Waiting handoffs, today's appointments, maturities this week, open and overdue cases."""

    def name(self) -> Text:
        return "action_advisor_worklist"

    async def answer(
        self, principal: Principal, tracker: Tracker, dispatcher: CollectingDispatcher, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        slots = tracker.current_slot_values()
        now = clock.bank_now()
        with profile_session() as session:
            book = [client.client_id for client in book_of(session, principal, now)]
            cases = await _cases_of(book, open_only=True)
            work = worklist(session, principal, now, cases)
        today = render(domain, "utter_advisor_today", slots, month=work.today.month, day=work.today.day)
        dispatcher.utter_message(response="utter_advisor_worklist", today=today,
                                 sections="\n\n".join(_worklist_sections(domain, slots, work)))
        return []
