"""When an RM is free for a meeting: pure rules over plain inputs, no database.

A :class:`Schedule` holds one RM's working days and hours, their booked
appointments, the meeting length and ``now``. :meth:`Schedule.check` tells
whether a meeting may start at a moment, testing in this order:

1. PAST: the start is before now; TOO_SOON: less than ``lead_time`` (2 h) ahead;
   TOO_FAR: further ahead than ``booking_window``, when there is one (the bank's: 30 days);
2. HOLIDAY: a statutory public holiday (春节, 国庆节 …: ``chinese_calendar``
   names it), closed for every RM whatever their working days;
   NOT_WORKING_DAY: otherwise not a working day. The branch is open on
   statutory working days, so an adjusted working Saturday or Sunday (调休上班)
   is a working day for every RM; other days count when their ISO weekday is
   in ``work_days`` ("12345" = Monday to Friday). For years ``chinese_calendar``
   does not know (it raises NotImplementedError, e.g. 2027 in version 1.11)
   only ``work_days`` count and no holiday is known;
3. OUTSIDE_HOURS: it starts before ``work_start`` or ends after ``work_end``;
4. CONFLICT: it overlaps a booked appointment; back-to-back is fine.

Free slots start on the half hour (``step``), pass :meth:`Schedule.check`, and
are looked for from the wanted day up to ``horizon`` (30 days) ahead; on the
wanted day earlier slots count too. The nearest are those with the smallest
distance to the wanted time (the earlier on a tie), returned sorted by time.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import Enum
from functools import lru_cache
from typing import List, Optional, Sequence, Tuple

import chinese_calendar
from chinese_calendar import Holiday

from bot.appointments.when import DayPart, WhenKind, WhenReading
from bot.clock import in_bank_time
from bot.nlu.canonical import SHANGHAI

__all__ = ["SlotStatus", "Availability", "Schedule", "Holiday"]

Interval = Tuple[datetime, datetime]


class SlotStatus(str, Enum):
    OK = "ok"
    PAST = "past"
    TOO_SOON = "too_soon"
    TOO_FAR = "too_far"
    HOLIDAY = "holiday"
    NOT_WORKING_DAY = "not_working_day"
    OUTSIDE_HOURS = "outside_hours"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class Availability:
    """The answer for one slot: ``holiday`` on HOLIDAY, ``conflict`` on CONFLICT."""

    status: SlotStatus
    holiday: Optional[Holiday] = None  # .value is the English name, .chinese the Chinese
    conflict: Optional[Interval] = None

    @property
    def ok(self) -> bool:
        return self.status is SlotStatus.OK


@lru_cache(maxsize=1024)
def _statutory(day: date) -> Tuple[Optional[bool], Optional[Holiday]]:
    """(statutory working day, holiday), or (None, None) for a year the package does not know."""
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
        workday = chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None, None
    return workday, (Holiday(name) if on_holiday and name else None)


@dataclass(frozen=True)
class Schedule:
    """One RM's working pattern and booked appointments, seen at ``now``."""

    now: datetime
    work_days: str = "12345"
    work_start: time = time(9)
    work_end: time = time(17, 30)
    booked: Sequence[Interval] = field(default_factory=tuple)
    meeting: timedelta = timedelta(minutes=60)
    lead_time: timedelta = timedelta(hours=2)
    horizon: timedelta = timedelta(days=30)
    booking_window: Optional[timedelta] = None  # how far ahead a meeting may be booked (None: no limit)
    step: timedelta = timedelta(minutes=30)

    def __post_init__(self) -> None:
        object.__setattr__(self, "now", in_bank_time(self.now))
        object.__setattr__(self, "booked", tuple((in_bank_time(s), in_bank_time(e)) for s, e in self.booked))
        if self.meeting <= timedelta(0) or self.step <= timedelta(0):
            raise ValueError("meeting and step must be positive")

    def day_closed(self, day: date) -> Optional[Availability]:
        """Why the RM does not work on ``day``, or None when they do."""
        workday, holiday = _statutory(day)
        if holiday is not None:
            return Availability(SlotStatus.HOLIDAY, holiday=holiday)
        if workday and day.isoweekday() >= 6:  # 调休上班: an adjusted working weekend day
            return None
        if str(day.isoweekday()) in self.work_days:
            return None
        return Availability(SlotStatus.NOT_WORKING_DAY)

    def check(self, slot_start: datetime) -> Availability:
        """Whether a meeting may start at ``slot_start``; see the module docstring for the order."""
        start = in_bank_time(slot_start)
        if start < self.now:
            return Availability(SlotStatus.PAST)
        if start < self.now + self.lead_time:
            return Availability(SlotStatus.TOO_SOON)
        if self.booking_window is not None and start > self.now + self.booking_window:
            return Availability(SlotStatus.TOO_FAR)
        closed = self.day_closed(start.date())
        if closed is not None:
            return closed
        end = start + self.meeting
        if start.time() < self.work_start or end > self._at(start.date(), self.work_end):
            return Availability(SlotStatus.OUTSIDE_HOURS)
        for booked_start, booked_end in self.booked:
            if start < booked_end and end > booked_start:
                return Availability(SlotStatus.CONFLICT, conflict=(booked_start, booked_end))
        return Availability(SlotStatus.OK)

    def free_slots_on(self, day: date, part: Optional[DayPart] = None, n: int = 3) -> List[datetime]:
        """The first ``n`` free slots on ``day``, within ``part`` of it when given."""
        slots = [slot for slot in self._starts(day) if self.check(slot).ok]
        if part is not None:
            begin, end = part.window
            slots = [slot for slot in slots if begin <= slot.time() < end]
        return slots[:n]

    def nearest_free_slots(self, wanted: datetime, n: int = 3) -> List[datetime]:
        """The ``n`` free slots nearest to ``wanted``, sorted by time (beyond the horizon: the
        last bookable ones)."""
        wanted = in_bank_time(wanted)
        day = wanted.date()
        if self.booking_window is not None and wanted > self.now + self.booking_window:
            wanted = self.now + self.booking_window  # too far ahead: the nearest are the last days open
            day = max(self.now.date(), (wanted - timedelta(days=7)).date())
        last_day = max(wanted, self.now).date() + self.horizon
        found: List[Tuple[timedelta, datetime]] = []
        while day <= last_day and n > 0:
            if len(found) >= n and self._at(day, time(0)) - wanted > found[n - 1][0]:
                break  # every later slot is further away than the n found
            if self.day_closed(day) is None:
                found.extend((abs(slot - wanted), slot) for slot in self._starts(day) if self.check(slot).ok)
                found.sort()
            day += timedelta(days=1)
        return sorted(slot for _, slot in found[:n])

    def suggestions_for(self, reading: WhenReading, n: int = 3) -> List[datetime]:
        """Slots to offer for a reading that named no usable free time.

        For a day (and part): the free slots on the first day from it, within
        ``horizon``, that has any in that part; otherwise, or when no part of
        any day fits, the nearest to what was read (a past reading: to now).
        """
        if reading.kind in (WhenKind.DAY, WhenKind.DAY_PART) and reading.day is not None:
            for offset in range(self.horizon.days + 1):
                on_day = self.free_slots_on(reading.day + timedelta(days=offset), reading.part, n)
                if on_day:
                    return on_day
        wanted = reading.earliest if reading.kind is not WhenKind.PAST else None
        return self.nearest_free_slots(max(wanted or self.now, self.now), n)

    def _starts(self, day: date) -> List[datetime]:
        """Slot starts on ``day`` on the ``step`` grid from midnight, within working hours."""
        midnight = self._at(day, time(0))
        first = self._at(day, self.work_start) - midnight
        steps = -(-first // self.step)  # rounded up onto the grid
        slot, closing = midnight + steps * self.step, self._at(day, self.work_end)
        starts = []
        while slot + self.meeting <= closing:
            starts.append(slot)
            slot += self.step
        return starts

    @staticmethod
    def _at(day: date, moment: time) -> datetime:
        return datetime.combine(day, moment, tzinfo=SHANGHAI)
