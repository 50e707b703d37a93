"""Complaints as cases in the case service, seen from the bot.

``types`` holds the data (:class:`NewCase`, :class:`Case`), ``client`` the
typed httpx client with timeouts, retries and idempotency keys.
"""
from bot.cases.client import CaseClient, CaseServiceError, CaseServiceFailure, CaseServiceUnavailable
from bot.cases.types import CATEGORIES, CHANNELS, OPEN_STATUSES, STATUSES, Case, NewCase, Notice, StatusChange

__all__ = [
    "CATEGORIES",
    "CHANNELS",
    "OPEN_STATUSES",
    "STATUSES",
    "Case",
    "CaseClient",
    "CaseServiceError",
    "CaseServiceFailure",
    "CaseServiceUnavailable",
    "NewCase",
    "Notice",
    "StatusChange",
]
