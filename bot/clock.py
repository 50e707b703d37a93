"""The bank's calendar day: today in Asia/Shanghai (risk-assessment expiry, the FX quota year).

Actions call :func:`bank_today` and :func:`bank_now`; tests replace them to run on a
fixed day and hour.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional
from zoneinfo import ZoneInfo

__all__ = ["BANK_TIME", "bank_now", "bank_today", "in_bank_time"]

BANK_TIME = ZoneInfo("Asia/Shanghai")


def bank_today(now: Optional[datetime] = None) -> date:
    """The date in Shanghai at the aware ``now`` (default: the current time)."""
    return (now or datetime.now(BANK_TIME)).astimezone(BANK_TIME).date()


def bank_now() -> datetime:
    """The current time in Shanghai (aware)."""
    return datetime.now(BANK_TIME)


def in_bank_time(moment: datetime) -> datetime:
    """``moment`` in Shanghai time; a naive datetime (no zone: ambiguous) is refused."""
    if moment.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
    return moment.astimezone(BANK_TIME)
