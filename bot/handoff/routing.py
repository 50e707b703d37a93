"""Where a handoff goes, who the client is told will reply, and by when.

:func:`route` is pure: the reason, the client's summary (their RM and backup
RM with status and working hours), an aware ``now`` and the configuration in.
The rules, in order:

1. An urgent reason (card loss, suspected fraud) goes to the contact center,
   whoever is at work, and the client's RM is notified.
2. The client's RM when they are at work: status on_duty, a working day of
   theirs that is no public holiday (adjusted working weekend days count, as
   for appointments), within their hours.
3. Else the backup RM when they are at work by the same test.
4. Else the contact center when it is open (the shipped configuration: 7×24).
5. Else nobody is at work: the request waits in the queue for whoever starts
   first (the RM, then the backup, then the contact center on a tie), and the
   client is told when. Urgent requests wait for the contact center.

The first reply is due ``respond_within`` after the target starts on it: now,
or their next opening when the request waits (``reply_expected_by``). The
response target is the client's tier's (kb/handoff.yml), the urgent target when
shorter. When the target is not the client's RM and the reason is one of
``notify_rm_reasons`` or urgent, the RM is notified (``notify_rm_id``).
``rm_back_at`` tells when the client's RM is next at work (now, when they are)
when someone else takes it; an RM on leave or off has no known return: None. Anonymous clients (no summary)
go to the contact center.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import List, Optional, Tuple

from bot.handoff.config import HandoffConfig, HandoffConfigError
from bot.handoff.hours import WorkingHours, local
from bot.handoff.triggers import HandoffReason
from bot.profile.queries import ClientSummary, ManagerView

__all__ = ["TargetKind", "Route", "route", "hours_of", "at_work", "next_start"]

ON_DUTY = "on_duty"


class TargetKind(str, Enum):
    RM = "rm"
    BACKUP_RM = "backup_rm"
    CONTACT_CENTER = "contact_center"


@dataclass(frozen=True)
class Route:
    reason: HandoffReason
    target_kind: TargetKind
    target_id: str  # an RM id, or the contact center's queue id
    target_name: str  # the RM's name, or the contact center's
    notify_rm_id: Optional[str]  # the client's RM, to be told of a handoff someone else takes
    respond_within: timedelta
    reply_expected_by: datetime  # aware, bank time
    waits_in_queue: bool  # nobody is at work now: the request waits and the client is told when
    rm_back_at: Optional[datetime] = None  # when the client's RM next starts work, if someone else takes it


def hours_of(manager: ManagerView) -> WorkingHours:
    """An RM's working hours; statutory holidays close them, adjusted working days open them."""
    return WorkingHours(days=manager.work_days, start=manager.work_start, end=manager.work_end,
                        closed_on_holidays=True)


def at_work(manager: Optional[ManagerView], now: datetime) -> bool:
    """On duty, on a working day of theirs that is not a public holiday, within their hours."""
    return manager is not None and manager.status == ON_DUTY and hours_of(manager).open_at(now)


def next_start(manager: Optional[ManagerView], now: datetime, search_days: int = 30) -> Optional[datetime]:
    """``now`` when at work, else their next working start; None when off or on leave (no known
    return) or nothing within ``search_days``."""
    if manager is None or manager.status != ON_DUTY:
        return None
    return hours_of(manager).next_open(now, search_days)


_Candidate = Tuple[TargetKind, str, str, datetime]  # kind, id, name, when they start on it


def route(reason: HandoffReason, client: Optional[ClientSummary], now: datetime,
          config: HandoffConfig) -> Route:
    """Where the handoff goes; see the module docstring for the rules. Raises
    :class:`HandoffConfigError` only when a contact center with hours does not open within
    ``next_start_search_days`` (the shipped one is 7×24)."""
    now = local(now)
    rm = client.rm if client else None
    backup = client.backup_rm if client else None
    within = config.response_target(client.tier if client else None, urgent=reason.urgent)
    center = config.contact_center
    days = config.next_start_search_days

    # who could take it, in order of preference, with when each starts on it (None: not known)
    possible: List[Tuple[TargetKind, str, str, Optional[datetime]]] = []
    if not reason.urgent:
        if rm is not None:
            possible.append((TargetKind.RM, rm.rm_id, rm.name, next_start(rm, now, days)))
        if backup is not None and (rm is None or backup.rm_id != rm.rm_id):
            possible.append((TargetKind.BACKUP_RM, backup.rm_id, backup.name, next_start(backup, now, days)))
    possible.append((TargetKind.CONTACT_CENTER, center.queue_id, center.name, center.hours.next_open(now, days)))
    candidates: List[_Candidate] = [(kind, key, name, starts) for kind, key, name, starts in possible
                                    if starts is not None]
    if not candidates:
        raise HandoffConfigError(f"nobody opens within {days} days: check contact_center in kb/handoff.yml")
    # the first at work now; else the first to start (min keeps the earlier listed on a tie)
    kind, target_id, name, starts = next((candidate for candidate in candidates if candidate[3] == now),
                                         min(candidates, key=lambda candidate: candidate[3]))
    to_rm = kind is TargetKind.RM
    tells_rm = reason.urgent or reason in config.notify_rm_reasons
    notify = rm.rm_id if rm is not None and not to_rm and tells_rm else None
    return Route(
        reason=reason,
        target_kind=kind,
        target_id=target_id,
        target_name=name,
        notify_rm_id=notify,
        respond_within=within,
        reply_expected_by=starts + within,
        waits_in_queue=starts > now,
        rm_back_at=None if to_rm else next_start(rm, now, days),
    )
