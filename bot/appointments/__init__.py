"""Appointments with a client's RM: when a client wants to meet, and when the RM is free.

- ``when``: reads 明天下午三点, 下周一, 月底, 改天 … into a :class:`WhenReading`;
- ``availability``: checks a slot against the RM's working days and hours,
  China's public holidays and adjusted working days and the booked
  appointments, and finds the nearest free slots.

Pure functions: no database, no clock (``now`` is always passed in).
"""
from bot.appointments.availability import Availability, Holiday, Schedule, SlotStatus
from bot.appointments.when import DayPart, WhenKind, WhenReading, read_when

__all__ = [
    "Availability",
    "DayPart",
    "Holiday",
    "Schedule",
    "SlotStatus",
    "WhenKind",
    "WhenReading",
    "read_when",
]
