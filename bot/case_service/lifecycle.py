"""The statuses a case moves through and the moves allowed between them (pure).

::

    submitted ──► under_review ──► investigating ──► resolved ──► followed_up
    (已受理)        (审核中)    │     (调查处理中)        (已解决)       (已回访, closed)
                               └───────────────────────►┘

Each step forward is allowed, and a case decided on review may go from
``under_review`` straight to ``resolved``. Nothing moves backwards and nothing
skips the review: a client who is not satisfied at the follow-up files a new
complaint, so a case's history stays a plain record of what happened. A case
is *open* (its statutory clock runs) until it is resolved.
"""
from __future__ import annotations

from enum import Enum
from typing import Dict, FrozenSet, Tuple

__all__ = ["Status", "STATUSES", "OPEN_STATUSES", "ALLOWED_TRANSITIONS", "InvalidTransition",
           "allowed_next", "check_transition", "is_open"]


class Status(str, Enum):
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    INVESTIGATING = "investigating"
    RESOLVED = "resolved"
    FOLLOWED_UP = "followed_up"


STATUSES: Tuple[str, ...] = tuple(status.value for status in Status)
OPEN_STATUSES: FrozenSet[str] = frozenset({Status.SUBMITTED.value, Status.UNDER_REVIEW.value,
                                           Status.INVESTIGATING.value})
ALLOWED_TRANSITIONS: Dict[str, Tuple[str, ...]] = {
    Status.SUBMITTED.value: (Status.UNDER_REVIEW.value,),
    Status.UNDER_REVIEW.value: (Status.INVESTIGATING.value, Status.RESOLVED.value),
    Status.INVESTIGATING.value: (Status.RESOLVED.value,),
    Status.RESOLVED.value: (Status.FOLLOWED_UP.value,),
    Status.FOLLOWED_UP.value: (),
}


class InvalidTransition(ValueError):
    """A move the lifecycle does not allow."""

    def __init__(self, from_status: str, to_status: str) -> None:
        super().__init__(f"a case cannot move from {from_status} to {to_status}")
        self.from_status = from_status
        self.to_status = to_status
        self.allowed = allowed_next(from_status)


def allowed_next(status: str) -> Tuple[str, ...]:
    """The statuses a case in ``status`` may move to (none once closed)."""
    return ALLOWED_TRANSITIONS.get(status, ())


def check_transition(from_status: str, to_status: str) -> None:
    """Raises :class:`InvalidTransition` unless ``from_status → to_status`` is allowed."""
    if to_status not in allowed_next(from_status):
        raise InvalidTransition(from_status, to_status)


def is_open(status: str) -> bool:
    """Whether the statutory clock still runs: not yet resolved."""
    return status in OPEN_STATUSES
