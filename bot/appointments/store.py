"""Appointments in the profile store: the RM's calendar and the client's meetings.

Every function takes a session and explicit ids; none decides who may do
what (the caller has checked access for ``client_id``). Times going in must
be timezone-aware; times coming out are aware, in UTC (the RM's working hours
are branch time, Asia/Shanghai, as in :mod:`bot.appointments.availability`).

Reads (:func:`booked_intervals`, :func:`schedule_for`, :func:`upcoming_of`,
:func:`appointment_of`) leave the transaction to the caller. Writes
(:func:`book`, :func:`reschedule`, :func:`cancel`) are one business operation
each: they commit on success and roll the session back when they refuse or
fail, so call them with nothing else pending in the session.

Two bookings for one RM never overlap, even at the same moment from two
processes: :func:`book` and :func:`reschedule` first lock the RM's row
(``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite a no-op ``UPDATE`` that
takes the database's write lock), then re-check the slot with
:meth:`Schedule.check` against the appointments booked at that moment, then
write, all in that one transaction.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from enum import Enum
from typing import Any, List, Optional, Tuple

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from bot.appointments.availability import Availability, Schedule
from bot.profile.models import APPOINTMENT_PLACES, Appointment, RelationshipManager

__all__ = [
    "MEETING",
    "BOOKING_WINDOW",
    "AppointmentView",
    "BookingOutcome",
    "BookingResult",
    "booked_intervals",
    "schedule_for",
    "upcoming_of",
    "appointment_of",
    "book",
    "reschedule",
    "cancel",
]

MEETING = timedelta(minutes=60)  # the length of a meeting unless the caller says otherwise
BOOKING_WINDOW = timedelta(days=30)  # how far ahead a client may book
BOOKED = "booked"
CANCELLED = "cancelled"
_REFERENCE_ATTEMPTS = 8

Interval = Tuple[datetime, datetime]


@dataclass(frozen=True)
class AppointmentView:
    reference: str  # AP + 8 hex digits
    client_id: str
    rm_id: str
    rm_name: str
    place: str  # rm_office / vip_room
    branch: str
    starts_at: datetime  # aware, UTC
    ends_at: datetime
    status: str  # booked / cancelled


class BookingOutcome(str, Enum):
    BOOKED = "booked"  # written; ``appointment`` is the booked one
    UNAVAILABLE = "unavailable"  # the slot is not free; ``availability`` says why
    NOT_FOUND = "not_found"  # no such RM (book), or no appointment of this client still to come (reschedule)


@dataclass(frozen=True)
class BookingResult:
    outcome: BookingOutcome
    appointment: Optional[AppointmentView] = None  # after the call; unchanged when UNAVAILABLE on reschedule
    availability: Optional[Availability] = None  # the check of the slot (not on NOT_FOUND)

    @property
    def booked(self) -> bool:
        return self.outcome is BookingOutcome.BOOKED


@dataclass(frozen=True)
class _Manager:
    name: str
    branch: str
    work_days: str
    work_start: time  # branch time
    work_end: time


# --------------------------------------------------------------------- reads
def booked_intervals(session: Session, rm_id: str, start: datetime, end: datetime) -> List[Interval]:
    """The RM's booked appointments overlapping ``[start, end)``, as (start, end) by time."""
    return _booked_intervals(session, rm_id, start, end)


def schedule_for(session: Session, rm_id: str, now: datetime, meeting: timedelta = MEETING) -> Schedule:
    """The RM's availability seen at ``now``: working pattern and booked appointments.

    Bookings are read far enough ahead for any slot the schedule may offer
    (a wanted day up to ``horizon`` away, then up to ``horizon`` of search).
    Raises LookupError for an unknown RM.
    """
    manager = _manager(session, rm_id, lock=False)
    if manager is None:
        raise LookupError("no such relationship manager")
    ahead = 2 * Schedule.horizon + timedelta(days=2)  # the dataclass default
    return _schedule(manager, now, meeting, _booked_intervals(session, rm_id, now, now + ahead))


def upcoming_of(session: Session, client_id: str, now: datetime) -> List[AppointmentView]:
    """The client's booked appointments that have not ended at ``now``, soonest first."""
    statement = _views().where(
        Appointment.client_id == client_id,
        Appointment.status == BOOKED,
        Appointment.ends_at > now,
    ).order_by(Appointment.starts_at, Appointment.id)
    return [_view(row) for row in session.execute(statement)]


def appointment_of(session: Session, client_id: str, reference: str) -> Optional[AppointmentView]:
    """The client's appointment with ``reference``, booked or cancelled; None for anyone else's."""
    row = session.execute(_views().where(
        Appointment.reference == reference, Appointment.client_id == client_id)).first()
    return _view(row) if row else None


# -------------------------------------------------------------------- writes
def book(
    session: Session,
    client_id: str,
    rm_id: str,
    start: datetime,
    now: datetime,
    place: str = "rm_office",
    branch: Optional[str] = None,
    meeting: timedelta = MEETING,
) -> BookingResult:
    """Books ``client_id`` with ``rm_id`` from ``start`` if the slot is free at this moment.

    The place is the RM's branch for ``rm_office`` (``branch`` is ignored),
    and ``branch`` (default: the RM's) for ``vip_room``.
    """
    if place not in APPOINTMENT_PLACES:
        raise ValueError(f"place must be one of {APPOINTMENT_PLACES}")
    try:
        manager = _manager(session, rm_id, lock=True)
        if manager is None:
            session.rollback()
            return BookingResult(BookingOutcome.NOT_FOUND)
        end = start + meeting
        schedule = _schedule(manager, now, meeting, _booked_intervals(session, rm_id, start, end))
        availability = schedule.check(start)
        if not availability.ok:
            session.rollback()
            return BookingResult(BookingOutcome.UNAVAILABLE, availability=availability)
        where = manager.branch if place == "rm_office" or branch is None else branch
        reference = _new_reference(session)
        session.execute(insert(Appointment).values(
            reference=reference, client_id=client_id, rm_id=rm_id, place=place, branch=where,
            starts_at=start, ends_at=end, status=BOOKED, created_at=now, updated_at=now,
        ))
        session.commit()
    except BaseException:
        session.rollback()
        raise
    view = AppointmentView(reference, client_id, rm_id, manager.name, place, where,
                           _utc(start), _utc(end), BOOKED)
    return BookingResult(BookingOutcome.BOOKED, view, availability)


def reschedule(session: Session, client_id: str, reference: str, new_start: datetime,
               now: datetime) -> BookingResult:
    """Moves the client's booked appointment to ``new_start``, keeping its reference and length.

    NOT_FOUND when the client has no booked appointment ``reference`` that is
    still to start; the appointment itself never counts as a conflict.
    """
    try:
        found = session.execute(select(Appointment.id, Appointment.rm_id).where(
            Appointment.reference == reference, Appointment.client_id == client_id)).first()
        if found is None:
            session.rollback()
            return BookingResult(BookingOutcome.NOT_FOUND)
        manager = _manager(session, found.rm_id, lock=True)
        current = session.execute(
            _views().where(Appointment.id == found.id).with_for_update(of=Appointment.__table__)).first()
        if manager is None or current is None or current.status != BOOKED or current.starts_at <= now:
            session.rollback()
            return BookingResult(BookingOutcome.NOT_FOUND)
        meeting = current.ends_at - current.starts_at
        new_end = new_start + meeting
        booked = _booked_intervals(session, found.rm_id, new_start, new_end, excluding=found.id)
        availability = _schedule(manager, now, meeting, booked).check(new_start)
        if not availability.ok:
            session.rollback()
            return BookingResult(BookingOutcome.UNAVAILABLE, _view(current), availability)
        session.execute(
            update(Appointment).where(Appointment.id == found.id)
            .values(starts_at=new_start, ends_at=new_end, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    moved = _view(current)
    view = AppointmentView(moved.reference, moved.client_id, moved.rm_id, moved.rm_name, moved.place,
                           moved.branch, _utc(new_start), _utc(new_end), BOOKED)
    return BookingResult(BookingOutcome.BOOKED, view, availability)


def cancel(session: Session, client_id: str, reference: str, now: datetime) -> Optional[AppointmentView]:
    """Cancels the client's appointment ``reference`` and frees the RM's time; returns it cancelled.

    An appointment already cancelled comes back as it is. None when the client
    has no appointment ``reference``, or it has already started.
    """
    try:
        current = session.execute(_views().where(
            Appointment.reference == reference, Appointment.client_id == client_id)).first()
        if current is None or (current.status == BOOKED and current.starts_at <= now):
            session.rollback()
            return None
        if current.status == CANCELLED:
            session.rollback()
            return _view(current)
        changed = session.execute(
            update(Appointment)
            .where(Appointment.reference == reference, Appointment.client_id == client_id,
                   Appointment.status == BOOKED, Appointment.starts_at > now)
            .values(status=CANCELLED, cancelled_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed == 0:  # cancelled or moved since it was read
            session.rollback()
            latest = appointment_of(session, client_id, reference)
            return latest if latest is not None and latest.status == CANCELLED else None
        session.commit()
    except BaseException:
        session.rollback()
        raise
    view = _view(current)
    return AppointmentView(view.reference, view.client_id, view.rm_id, view.rm_name, view.place,
                           view.branch, view.starts_at, view.ends_at, CANCELLED)


# ------------------------------------------------------------------- helpers
def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
    return moment.astimezone(timezone.utc)


def _booked_intervals(session: Session, rm_id: str, start: datetime, end: datetime,
                      excluding: Optional[int] = None) -> List[Interval]:
    statement = select(Appointment.starts_at, Appointment.ends_at).where(
        Appointment.rm_id == rm_id,
        Appointment.status == BOOKED,
        Appointment.starts_at < end,
        Appointment.ends_at > start,
    ).order_by(Appointment.starts_at)
    if excluding is not None:
        statement = statement.where(Appointment.id != excluding)
    return [(row.starts_at, row.ends_at) for row in session.execute(statement)]


def _manager(session: Session, rm_id: str, lock: bool) -> Optional[_Manager]:
    """The RM's working pattern; with ``lock``, the RM's row is held until the transaction ends."""
    table = RelationshipManager.__table__
    if lock and session.get_bind().dialect.name == "sqlite":
        # SQLite has no row locks: a write takes the database's write lock, which
        # a second booking waits for (the driver's busy timeout) until this commits.
        session.execute(update(table).where(table.c.id == rm_id).values(status=table.c.status))
    statement = select(table.c.name, table.c.branch, table.c.work_days, table.c.work_start,
                       table.c.work_end).where(table.c.id == rm_id)
    if lock:
        statement = statement.with_for_update()
    row = session.execute(statement).first()
    return _Manager(row.name, row.branch, row.work_days, row.work_start, row.work_end) if row else None


def _schedule(manager: _Manager, now: datetime, meeting: timedelta, booked: List[Interval]) -> Schedule:
    return Schedule(now=now, work_days=manager.work_days, work_start=manager.work_start,
                    work_end=manager.work_end, booked=booked, meeting=meeting, booking_window=BOOKING_WINDOW)


def _views() -> Select:
    return select(
        Appointment.reference, Appointment.client_id, Appointment.rm_id, RelationshipManager.name,
        Appointment.place, Appointment.branch, Appointment.starts_at, Appointment.ends_at, Appointment.status,
    ).join(RelationshipManager, RelationshipManager.id == Appointment.rm_id)


def _view(row: Any) -> AppointmentView:
    return AppointmentView(row.reference, row.client_id, row.rm_id, row.name, row.place, row.branch,
                           _utc(row.starts_at), _utc(row.ends_at), row.status)


def _new_reference(session: Session) -> str:
    """AP + 8 random hex digits, not yet used (the unique constraint guards a race)."""
    for _ in range(_REFERENCE_ATTEMPTS):
        reference = "AP" + secrets.token_hex(4).upper()
        if session.execute(select(Appointment.id).where(Appointment.reference == reference)).first() is None:
            return reference
    raise RuntimeError("no unused appointment reference found")
