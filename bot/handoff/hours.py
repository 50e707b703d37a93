"""When someone is at work: weekly hours, China's public holidays and adjusted working days.

A :class:`WorkingHours` is open on its ISO weekdays (``"12345"`` = Monday to
Friday) from ``start`` to ``end`` (``end`` None: until midnight), Asia/Shanghai
time. With ``closed_on_holidays`` (every RM: branches close on statutory
holidays) the day rules are those of appointments,
:meth:`bot.appointments.availability.Schedule.day_closed`: a statutory holiday
closes the day, an adjusted working weekend day (调休上班) opens it, and for
years ``chinese_calendar`` does not know only the weekdays count. Without it
(a contact center open on holidays) only the weekdays count.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Optional

from bot.appointments.availability import Schedule
from bot.clock import BANK_TIME, in_bank_time

__all__ = ["WorkingHours", "ALWAYS_OPEN", "local"]

_EPOCH = datetime(2026, 1, 1, tzinfo=BANK_TIME)  # Schedule needs a "now"; day rules do not use it


local = in_bank_time  # ``moment`` in bank time; naive datetimes are refused


@dataclass(frozen=True)
class WorkingHours:
    days: str = "12345"
    start: time = time(9)
    end: Optional[time] = time(17, 30)  # None: until midnight
    closed_on_holidays: bool = True
    always_open: bool = False
    _calendar: Schedule = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.always_open:
            if not self.days or any(day not in "1234567" for day in self.days):
                raise ValueError(f"working days must be ISO weekdays 1–7, not {self.days!r}")
            if self.end is not None and self.end <= self.start:
                raise ValueError("working hours must end after they start (no overnight shifts)")
        object.__setattr__(self, "_calendar", Schedule(now=_EPOCH, work_days=self.days))

    def works_on(self, day: date) -> bool:
        if self.always_open:
            return True
        if self.closed_on_holidays:
            return self._calendar.day_closed(day) is None
        return str(day.isoweekday()) in self.days

    def _within_hours(self, moment: time) -> bool:
        return self.start <= moment and (self.end is None or moment < self.end)

    def open_at(self, moment: datetime) -> bool:
        at = local(moment)
        return self.always_open or (self.works_on(at.date()) and self._within_hours(at.time()))

    def next_open(self, moment: datetime, search_days: int = 30) -> Optional[datetime]:
        """``moment`` itself when open, else the next opening within ``search_days``; None if none."""
        at = local(moment)
        if self.open_at(at):
            return at
        for offset in range(search_days + 1):
            day = at.date() + timedelta(days=offset)
            if not self.works_on(day):
                continue
            opening = datetime.combine(day, self.start, tzinfo=BANK_TIME)
            if opening >= at:
                return opening
        return None


ALWAYS_OPEN = WorkingHours(days="1234567", start=time(0), end=None, closed_on_holidays=False, always_open=True)
