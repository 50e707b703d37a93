"""The bank's calendar day: today in Asia/Shanghai (risk-assessment expiry, the FX quota year).

Actions call :func:`bank_today`; tests replace it to run on the demo bank's day.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional
from zoneinfo import ZoneInfo

__all__ = ["BANK_TIME", "bank_today"]

BANK_TIME = ZoneInfo("Asia/Shanghai")


def bank_today(now: Optional[datetime] = None) -> date:
    """The date in Shanghai at the aware ``now`` (default: the current time)."""
    return (now or datetime.now(BANK_TIME)).astimezone(BANK_TIME).date()
