"""Meetings with the client's own RM (or a branch VIP room): book, view, reschedule, cancel.

The time comes from what the client wrote (``bot.appointments.when``) or from
a slot button's payload (a ``time`` entity, ISO 8601); availability from the
RM's hours, China's holidays and the booked appointments
(``bot.appointments.availability``). A free time is proposed and booked only
after an explicit yes (``action_confirm_appointment``), inside one transaction
that checks the slot again (``bot.appointments.store``); a taken or closed
time is answered with the three nearest free slots as buttons.
"""
from __future__ import annotations

import dataclasses
import json
import re
from abc import ABC
from datetime import datetime
from typing import Any, Dict, List, Mapping, Optional, Sequence, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.confirmation import other_questions_dropped, proposed_just_before
from actions.replies import moment_text
from actions.verified import ClientRequest, VerifiedClientAction
from bot import clock
from bot.appointments.availability import Availability, Schedule
from bot.appointments.store import (
    AppointmentView,
    BookingResult,
    appointment_of,
    book,
    cancel,
    reschedule,
    schedule_for,
    upcoming_of,
)
from bot.appointments.when import WhenKind, WhenReading, read_when
from bot.nlu.normalise import normalise
from bot.profile.queries import ClientSummary, ManagerView, manager as manager_of
from bot.responses import in_script, render

__all__ = ["ActionBookAppointment", "ActionManageAppointment", "ActionConfirmAppointment"]

PENDING = "appointment_pending"  # JSON of the change proposed and awaiting a yes
REFERENCE = "appointment_reference"  # entities set only by button payloads
CHANGE = "appointment_change"
BOOK, RESCHEDULE, CANCEL, VIEW = "book", "reschedule", "cancel", "view"
_VIP_WORDS = ("贵宾室", "贵宾厅", "vip室", "vip厅", "vip")
_CANCEL_WORDS = ("取消", "不去了", "去不了", "不约了", "撤销", "作废")
_RESCHEDULE_WORDS = ("改", "换", "推迟", "提前", "调整", "挪", "延后", "往后", "往前")
_REFERENCE_RE = re.compile(r"ap[0-9a-f]{8}")
Slots = Mapping[str, Any]


# ------------------------------------------------------------------ reading
def _view_text(request: ClientRequest) -> str:
    return normalise(request.text).text.replace(" ", "")


def _wanted(request: ClientRequest, now: datetime) -> WhenReading:
    """When the client wants to meet: a slot button's time, else what the text says."""
    if request.text.startswith("/"):  # a button's payload: the time entity is the slot offered
        for value in request.parameters.get("time") or []:
            try:
                start = datetime.fromisoformat(str(value))
            except ValueError:
                continue
            if start.tzinfo is not None:
                return WhenReading(WhenKind.EXACT, day=start.astimezone(clock.BANK_TIME).date(), start=start)
        return WhenReading(WhenKind.NONE)
    return read_when(request.text, now)


def _change_asked(request: ClientRequest) -> str:
    chosen = request.first(CHANGE)
    if chosen in (CANCEL, RESCHEDULE, VIEW):
        return str(chosen)
    view = _view_text(request)
    if any(word in view for word in _CANCEL_WORDS):
        return CANCEL
    if any(word in view for word in _RESCHEDULE_WORDS):
        return RESCHEDULE
    return VIEW


def _reference_named(request: ClientRequest) -> Optional[str]:
    chosen = request.first(REFERENCE)
    if chosen:
        return str(chosen).upper()
    found = _REFERENCE_RE.findall(_view_text(request))
    return found[0].upper() if found else None


# ---------------------------------------------------------------- rendering
def _when(domain: Mapping[str, Any], slots: Slots, moment: datetime) -> str:
    return moment_text(domain, slots, moment)


def _person(slots: Slots, name: str) -> str:
    """A name from the store (Simplified) in the client's script, for a value Rasa fills in."""
    return in_script(name, slots.get("script"))


def _place(domain: Mapping[str, Any], slots: Slots, place: str, branch: str) -> str:
    return render(domain, f"utter_appointment_place_{place}", slots, branch=branch)


def _why_not(domain: Mapping[str, Any], slots: Slots, availability: Availability, manager: ManagerView) -> str:
    values: Dict[str, Any] = {"rm": manager.name, "start": manager.work_start.strftime("%H:%M"),
                              "end": manager.work_end.strftime("%H:%M")}
    if availability.holiday is not None:
        values["holiday"] = availability.holiday.chinese
    return render(domain, f"utter_appointment_unavailable_{availability.status.value}", slots, **values)


def _offer(
    request: ClientRequest, dispatcher: CollectingDispatcher, manager: ManagerView, intro: str,
    starts: Sequence[datetime], payload_entities: Mapping[str, str], intent: str,
) -> None:
    """The free slots as buttons (their payload books or moves to that time)."""
    domain, slots = request.domain, request.slots
    if not starts:
        dispatcher.utter_message(response="utter_appointment_no_slots", intro=intro, rm=_person(slots, manager.name))
        return
    buttons = [
        {"title": _when(domain, slots, start),
         "payload": f"/{intent}" + json.dumps({"time": start.isoformat(), **payload_entities}, ensure_ascii=False)}
        for start in starts
    ]
    dispatcher.utter_message(response="utter_appointment_offer", buttons=buttons, intro=intro,
                             rm=_person(slots, manager.name))


def _proposal(change: str, **values: Any) -> SlotSet:
    return SlotSet(PENDING, json.dumps({"change": change, **values}, ensure_ascii=False, sort_keys=True))


def _without(schedule: Schedule, item: AppointmentView) -> Schedule:
    """The schedule with ``item``'s own time free: moving an appointment frees the time it had."""
    own = (item.starts_at, item.ends_at)
    return dataclasses.replace(schedule, booked=[interval for interval in schedule.booked if tuple(interval) != own])


# ------------------------------------------------------------- the manager
def _manager_for(
    request: ClientRequest, dispatcher: CollectingDispatcher, client: ClientSummary,
) -> Optional[ManagerView]:
    """The RM the client meets: their own, or their backup while the own RM is on leave; None
    (and the client told) when there is nobody to meet."""
    if client.rm is None:
        dispatcher.utter_message(response="utter_appointment_no_rm")
        return None
    if client.rm.status != "leave":
        return client.rm
    slots = request.slots
    if client.backup_rm is None or client.backup_rm.status == "leave":
        dispatcher.utter_message(response="utter_appointment_rm_away", rm=_person(slots, client.rm.name))
        return None
    dispatcher.utter_message(response="utter_appointment_rm_on_leave", rm=_person(slots, client.rm.name),
                             backup=_person(slots, client.backup_rm.name))
    return client.backup_rm


def _intro_for(request: ClientRequest, reading: WhenReading, schedule: Schedule, manager: ManagerView) -> str:
    domain, slots = request.domain, request.slots
    if reading.kind is WhenKind.EXACT and reading.start is not None:
        return _why_not(domain, slots, schedule.check(reading.start), manager)
    if reading.kind is WhenKind.PAST:
        return render(domain, "utter_appointment_unavailable_past", slots)
    window = schedule.booking_window
    if reading.earliest is not None and window is not None and reading.earliest > schedule.now + window:
        return render(domain, "utter_appointment_unavailable_too_far", slots)
    if reading.kind in (WhenKind.DAY, WhenKind.DAY_PART) and reading.day is not None:
        closed = schedule.day_closed(reading.day)
        if closed is not None:
            return _why_not(domain, slots, closed, manager)
        return render(domain, "utter_appointment_pick_hour", slots)
    return render(domain, "utter_appointment_ask_when", slots)


class _AppointmentAction(VerifiedClientAction, ABC):
    """An appointment action: once it has answered, its question (appointment_pending) is the only
    one left open."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        events = await super().run(dispatcher, tracker, domain)
        answered = any(event.get("name") == PENDING for event in events)
        return events + other_questions_dropped(PENDING) if answered else events


# ----------------------------------------------------------------- booking
class ActionBookAppointment(_AppointmentAction):
    """Proposes a free time with the client's RM, or offers the nearest free ones."""

    def name(self) -> Text:
        return "action_book_appointment"

    async def answer(
        self, request: ClientRequest, session: Session, dispatcher: CollectingDispatcher
    ) -> List[Dict[Text, Any]]:
        client = request.client
        manager = _manager_for(request, dispatcher, client)
        if manager is None:
            return [SlotSet(PENDING, None)]
        now = clock.bank_now()
        reading = _wanted(request, now)
        schedule = schedule_for(session, manager.rm_id, now)
        vip = any(word in _view_text(request) for word in _VIP_WORDS)
        place = "vip_room" if vip else "rm_office"
        branch = str(request.first("branch") or manager.branch) if vip else manager.branch
        if reading.kind is WhenKind.EXACT and reading.start is not None and schedule.check(reading.start).ok:
            domain, slots = request.domain, request.slots
            dispatcher.utter_message(response="utter_appointment_confirm", when=_when(domain, slots, reading.start),
                                     rm=_person(slots, manager.name), place=_place(domain, slots, place, branch))
            return [_proposal(BOOK, start=reading.start.isoformat(), rm_id=manager.rm_id, place=place,
                              branch=branch)]
        _offer(request, dispatcher, manager, _intro_for(request, reading, schedule, manager),
               schedule.suggestions_for(reading), {}, "book_appointment")
        return [SlotSet(PENDING, None)]


# ------------------------------------------------------ view, move, cancel
class ActionManageAppointment(_AppointmentAction):
    """Lists the client's appointments, or proposes cancelling or moving one."""

    def name(self) -> Text:
        return "action_manage_appointment"

    async def answer(
        self, request: ClientRequest, session: Session, dispatcher: CollectingDispatcher
    ) -> List[Dict[Text, Any]]:
        domain, slots = request.domain, request.slots
        now = clock.bank_now()
        upcoming = upcoming_of(session, request.client_id, now)
        if not upcoming:
            dispatcher.utter_message(response="utter_appointment_none")
            return [SlotSet(PENDING, None)]
        change = _change_asked(request)
        if change == VIEW:
            lines = "\n".join(self._line(domain, slots, item) for item in upcoming)
            dispatcher.utter_message(response="utter_appointment_list", count=len(upcoming), lines=lines)
            return [SlotSet(PENDING, None)]
        target = self._target(session, request, upcoming)
        if target is None:
            self._ask_which(request, dispatcher, upcoming, change, _wanted(request, now))
            return [SlotSet(PENDING, None)]
        request.keep(REFERENCE, [target.reference])
        request.keep(CHANGE, [change])
        if change == CANCEL:
            dispatcher.utter_message(response="utter_appointment_confirm_cancel",
                                     when=_when(domain, slots, target.starts_at), rm=_person(slots, target.rm_name))
            return [_proposal(CANCEL, reference=target.reference)]
        return self._move(request, session, dispatcher, target, now)

    @staticmethod
    def _line(domain: Mapping[str, Any], slots: Slots, item: AppointmentView) -> str:
        return render(domain, "utter_appointment_line", slots, when=_when(domain, slots, item.starts_at),
                      place=_place(domain, slots, item.place, item.branch), rm=item.rm_name,
                      reference=item.reference)

    @staticmethod
    def _target(session: Session, request: ClientRequest, upcoming: Sequence[AppointmentView]
                ) -> Optional[AppointmentView]:
        reference = _reference_named(request)
        if reference is not None:
            named = appointment_of(session, request.client_id, reference)  # another client's: None
            return next((item for item in upcoming if named is not None and item.reference == named.reference), None)
        return upcoming[0] if len(upcoming) == 1 else None

    @staticmethod
    def _ask_which(request: ClientRequest, dispatcher: CollectingDispatcher,
                   upcoming: Sequence[AppointmentView], change: str, wanted: WhenReading) -> None:
        """Buttons for each appointment; they carry the new time the client already gave (改到周五下午三点)."""
        domain, slots = request.domain, request.slots
        carried = {"time": wanted.start.isoformat()} if change == RESCHEDULE and wanted.start is not None else {}
        buttons = [{"title": render(domain, "utter_appointment_choice", slots, when=_when(domain, slots, item.starts_at),
                                    rm=_person(slots, item.rm_name)),
                    "payload": "/manage_appointment" + json.dumps({REFERENCE: item.reference, CHANGE: change,
                                                                   **carried})}
                   for item in upcoming]
        dispatcher.utter_message(response=f"utter_appointment_which_{change}", buttons=buttons)

    @staticmethod
    def _move(request: ClientRequest, session: Session, dispatcher: CollectingDispatcher,
              target: AppointmentView, now: datetime) -> List[Dict[Text, Any]]:
        domain, slots = request.domain, request.slots
        client = request.client
        manager = next((rm for rm in (client.rm, client.backup_rm) if rm and rm.rm_id == target.rm_id), None)
        schedule = _without(schedule_for(session, target.rm_id, now), target)
        reading = _wanted(request, now)
        if reading.kind is WhenKind.EXACT and reading.start is not None and schedule.check(reading.start).ok:
            dispatcher.utter_message(response="utter_appointment_confirm_reschedule",
                                     old=_when(domain, slots, target.starts_at),
                                     new=_when(domain, slots, reading.start), rm=_person(slots, target.rm_name))
            return [_proposal(RESCHEDULE, reference=target.reference, start=reading.start.isoformat())]
        shown = manager or ManagerView(target.rm_id, target.rm_name, target.branch, "on_duty",
                                       schedule.work_days, schedule.work_start, schedule.work_end, None)
        intro = _intro_for(request, reading, schedule, shown)
        _offer(request, dispatcher, shown, intro, schedule.suggestions_for(reading),
               {REFERENCE: target.reference, CHANGE: RESCHEDULE}, "manage_appointment")
        return [SlotSet(PENDING, None)]


# ---------------------------------------------------------- the yes or no
class ActionConfirmAppointment(_AppointmentAction):
    """Carries out (yes) or drops (no) the change proposed just before."""

    follow_ups = False

    def name(self) -> Text:
        return "action_confirm_appointment"

    async def answer(
        self, request: ClientRequest, session: Session, dispatcher: CollectingDispatcher
    ) -> List[Dict[Text, Any]]:
        intent = request.intent
        done = [SlotSet(PENDING, None)]
        proposal = self._proposal(request)
        if proposal is None or intent not in ("affirm", "deny"):
            dispatcher.utter_message(response="utter_deny_ack" if intent == "deny" else "utter_affirm_ack")
            return done
        change = proposal.get("change")
        if intent == "deny":
            dispatcher.utter_message(response=f"utter_appointment_{change}_declined")
            return done
        now = clock.bank_now()
        if change == CANCEL:
            self._cancel(request, session, dispatcher, str(proposal.get("reference")), now)
            return done
        start = datetime.fromisoformat(str(proposal.get("start")))
        if change == BOOK:
            rm_id = str(proposal.get("rm_id"))
            result = book(session, request.client_id, rm_id, start, now,
                          place=str(proposal.get("place")), branch=proposal.get("branch"))
        else:
            result = reschedule(session, request.client_id, str(proposal.get("reference")), start, now)
            rm_id = result.appointment.rm_id if result.appointment is not None else ""
        self._report(request, session, dispatcher, change, result, start, now, rm_id)
        return done

    @staticmethod
    def _proposal(request: ClientRequest) -> Optional[Dict[str, Any]]:
        proposed = proposed_just_before(request.tracker, PENDING)
        if not proposed:
            return None
        try:
            value = json.loads(str(proposed))
        except ValueError:
            return None
        return value if isinstance(value, dict) and value.get("change") in (BOOK, RESCHEDULE, CANCEL) else None

    @staticmethod
    def _cancel(request: ClientRequest, session: Session, dispatcher: CollectingDispatcher,
                reference: str, now: datetime) -> None:
        domain, slots = request.domain, request.slots
        cancelled = cancel(session, request.client_id, reference, now)
        if cancelled is None:
            dispatcher.utter_message(response="utter_appointment_gone")
            return
        dispatcher.utter_message(response="utter_appointment_cancelled",
                                 when=_when(domain, slots, cancelled.starts_at), rm=_person(slots, cancelled.rm_name))

    @staticmethod
    def _report(request: ClientRequest, session: Session, dispatcher: CollectingDispatcher, change: str,
                result: BookingResult, start: datetime, now: datetime, rm_id: str) -> None:
        domain, slots = request.domain, request.slots
        if result.booked and result.appointment is not None:
            booked = result.appointment
            dispatcher.utter_message(
                response="utter_appointment_booked" if change == BOOK else "utter_appointment_rescheduled",
                when=_when(domain, slots, booked.starts_at), rm=_person(slots, booked.rm_name),
                reference=booked.reference,
                place=_place(domain, slots, booked.place, booked.branch))
            return
        # the RM the proposal was with (a backup while the own RM is on leave), not the client's own
        manager = manager_of(session, rm_id) if rm_id else None
        if result.availability is None or manager is None:  # the RM or the appointment is gone
            dispatcher.utter_message(response="utter_appointment_gone")
            return
        # taken (or closed) since it was offered: the nearest free times instead
        schedule = schedule_for(session, manager.rm_id, now)
        entities: Dict[str, str] = {}
        if change != BOOK and result.appointment is not None:
            entities = {REFERENCE: result.appointment.reference, CHANGE: RESCHEDULE}
            schedule = _without(schedule, result.appointment)
        _offer(request, dispatcher, manager, render(domain, "utter_appointment_taken_meanwhile", slots),
               schedule.nearest_free_slots(start), entities,
               "book_appointment" if change == BOOK else "manage_appointment")
