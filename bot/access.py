"""Every decision on whose data a principal may read, in one place. Deny by default.

- a client reads only their own data;
- an advisor reads the clients assigned to them, and the clients of an RM
  whose backup they are while that RM is not on duty;
- a contact-center agent reads a client only while a handoff about that
  client is assigned to them (passed in explicitly: no handoff, no access);
- no principal (unverified), or an expired one, reads nothing.

The facts come through :class:`ProfileFacts`, a small protocol the profile
store's queries satisfy, so this module never touches the ORM.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum
from typing import Optional, Protocol

from bot.identity import Principal, Role

__all__ = [
    "ProfileFacts",
    "HandoffAssignment",
    "Reason",
    "Decision",
    "AccessDenied",
    "decide",
    "check_client_access",
]


class ProfileFacts(Protocol):
    """What the access rules need to know about clients and relationship managers."""

    def primary_rm_of(self, client_id: str) -> Optional[str]:
        """The id of the client's assigned RM; ``None`` when there is no such client."""

    def backup_rm_of(self, rm_id: str) -> Optional[str]:
        """The id of the RM's backup; ``None`` when there is none."""

    def is_on_duty(self, rm_id: str, at: datetime) -> bool:
        """Whether the RM is working at ``at`` (status and working hours)."""


@dataclass(frozen=True)
class HandoffAssignment:
    """A handoff about ``client_id`` assigned to the agent ``assignee_id``."""

    client_id: str
    assignee_id: str


class Reason(str, Enum):
    """Why access was granted or refused; safe to log (no data, no ids)."""

    OWN_DATA = "own_data"
    ASSIGNED_CLIENT = "assigned_client"
    COVERING_FOR_PRIMARY = "covering_for_primary"
    ASSIGNED_HANDOFF = "assigned_handoff"
    UNVERIFIED = "unverified"
    EXPIRED = "expired"
    OTHER_CLIENT = "other_client"
    NOT_IN_BOOK = "not_in_book"
    NO_ASSIGNED_HANDOFF = "no_assigned_handoff"


GRANTING = frozenset({Reason.OWN_DATA, Reason.ASSIGNED_CLIENT, Reason.COVERING_FOR_PRIMARY, Reason.ASSIGNED_HANDOFF})


@dataclass(frozen=True)
class Decision:
    reason: Reason

    @property
    def allowed(self) -> bool:
        return self.reason in GRANTING


class AccessDenied(Exception):
    """The principal may not read this client's data; ``reason`` says which rule refused."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(f"access denied: {reason.value}")
        self.reason = reason


def decide(
    principal: Optional[Principal],
    client_id: str,
    facts: ProfileFacts,
    *,
    handoff: Optional[HandoffAssignment] = None,
    now: Optional[datetime] = None,
) -> Decision:
    """Whether ``principal`` may read the data of client ``client_id`` at ``now``."""
    now = now or datetime.now(timezone.utc)
    if principal is None:
        return Decision(Reason.UNVERIFIED)
    if principal.is_expired(now):
        return Decision(Reason.EXPIRED)
    if principal.role is Role.CLIENT:
        return Decision(Reason.OWN_DATA if client_id and principal.subject_id == client_id else Reason.OTHER_CLIENT)
    if principal.role is Role.ADVISOR:
        return _advisor_decision(principal.subject_id, client_id, facts, now)
    if principal.role is Role.AGENT:
        assigned = (
            handoff is not None
            and handoff.client_id == client_id
            and handoff.assignee_id == principal.subject_id
        )
        return Decision(Reason.ASSIGNED_HANDOFF if assigned else Reason.NO_ASSIGNED_HANDOFF)
    return Decision(Reason.UNVERIFIED)  # a role added later is denied until it has a rule


def _advisor_decision(advisor_id: str, client_id: str, facts: ProfileFacts, now: datetime) -> Decision:
    primary = facts.primary_rm_of(client_id) if client_id else None
    if primary is None:
        return Decision(Reason.NOT_IN_BOOK)
    if primary == advisor_id:
        return Decision(Reason.ASSIGNED_CLIENT)
    if facts.backup_rm_of(primary) == advisor_id and not facts.is_on_duty(primary, now):
        return Decision(Reason.COVERING_FOR_PRIMARY)
    return Decision(Reason.NOT_IN_BOOK)


def check_client_access(
    principal: Optional[Principal],
    client_id: str,
    facts: ProfileFacts,
    *,
    handoff: Optional[HandoffAssignment] = None,
    now: Optional[datetime] = None,
) -> Principal:
    """The principal, when it may read ``client_id``'s data; :class:`AccessDenied` otherwise."""
    decision = decide(principal, client_id, facts, handoff=handoff, now=now)
    if not decision.allowed or principal is None:
        raise AccessDenied(decision.reason)
    return principal
