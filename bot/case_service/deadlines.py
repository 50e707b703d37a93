"""The statutory clock of a complaint (银行业保险业消费投诉处理管理办法, 2020), pure.

- A case is due at the end of the 15th calendar day after the day it was
  accepted, in Asia/Shanghai (accepted 11-24 → due 12-09 23:59:59 +08:00).
- A complex case may be extended to 30 days, with a reason.
- An especially complex one may then be extended a further 30 days (60 in
  all), with a reason and the approval of someone other than the person
  asking; 60 is the most, and 60 only follows 30 (the rules say *a further*
  30 days).
- Each extension is told to the client (the service records a notice event).

Days left are counted in calendar days in Shanghai; a case is overdue once
the due instant has passed, and due within N days when its due day is at most
N days after today.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Optional, Tuple

from bot.clock import BANK_TIME

__all__ = [
    "FIRST_TIME_LIMIT",
    "TIME_LIMITS",
    "EXTENSION_LIMITS",
    "ExtensionRefused",
    "due_at",
    "check_extension",
    "days_left",
    "is_overdue",
    "is_due_within",
]

FIRST_TIME_LIMIT = 15
TIME_LIMITS: Tuple[int, ...] = (15, 30, 60)
EXTENSION_LIMITS: Tuple[int, ...] = (30, 60)
_END_OF_DAY = time(23, 59, 59)


class ExtensionRefused(ValueError):
    """An extension the rules do not allow; ``code`` says which rule.

    Codes: ``not_a_limit`` (only 30 or 60), ``not_longer`` (the case already
    has that long or longer), ``needs_30_first`` (60 only after 30),
    ``reason_required``, ``approval_required`` (60 needs an approver other
    than the person asking).
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code

    @property
    def is_conflict(self) -> bool:
        """Refused because of where the case stands, not because of what was asked."""
        return self.code in ("not_longer", "needs_30_first")


def due_at(accepted_at: datetime, time_limit_days: int) -> datetime:
    """End of the due day in Shanghai: the acceptance day plus ``time_limit_days``, 23:59:59."""
    if accepted_at.tzinfo is None:
        raise ValueError("accepted_at must be timezone-aware")
    day = accepted_at.astimezone(BANK_TIME).date() + timedelta(days=time_limit_days)
    return datetime.combine(day, _END_OF_DAY, tzinfo=BANK_TIME)


def check_extension(current_days: int, requested_days: int, reason: str,
                    actor: str, approved_by: Optional[str]) -> None:
    """Raises :class:`ExtensionRefused` unless moving from ``current_days`` to ``requested_days`` is allowed."""
    if requested_days not in EXTENSION_LIMITS:
        raise ExtensionRefused("not_a_limit", f"a case may be extended to 30 or 60 days, not {requested_days}")
    if requested_days <= current_days:
        raise ExtensionRefused("not_longer", f"the case already has {current_days} days")
    if requested_days == 60 and current_days != 30:
        raise ExtensionRefused("needs_30_first", "60 days only follow an extension to 30 days")
    if not reason.strip():
        raise ExtensionRefused("reason_required", "an extension needs a reason")
    if requested_days == 60 and (not approved_by or not approved_by.strip()
                                 or approved_by.strip() == actor.strip()):
        raise ExtensionRefused("approval_required",
                               "an extension to 60 days needs approval by someone other than the requester")


def days_left(due: datetime, now: datetime) -> int:
    """Calendar days from today to the due day, in Shanghai; negative once past."""
    return (due.astimezone(BANK_TIME).date() - now.astimezone(BANK_TIME).date()).days


def is_overdue(due: datetime, now: datetime) -> bool:
    return now > due


def is_due_within(due: datetime, now: datetime, within_days: int) -> bool:
    """Not overdue, and due today or within ``within_days`` calendar days."""
    return not is_overdue(due, now) and days_left(due, now) <= within_days
