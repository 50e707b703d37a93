"""Who is talking, once a token has proved it, and how that travels in Rasa metadata.

The app channel puts only these verified claims into the message metadata
(Rasa stores metadata in the tracker store, so the raw token never goes
there); actions read them back with :func:`principal_from_metadata`, which
trusts them only from a channel that verifies identity.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum
from typing import Any, Dict, Mapping, Optional

__all__ = [
    "Role",
    "Principal",
    "SUBJECT_ID_PATTERN",
    "VERIFYING_CHANNELS",
    "unverified_metadata",
    "principal_from_metadata",
    "proof_expired",
]

# client ids (C000123), advisor ids (RM001), agent ids: letters, digits, _ and -
SUBJECT_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
# input channels whose metadata claims were verified by the channel itself;
# claims arriving through any other channel (REST, shell) are ignored
VERIFYING_CHANNELS = frozenset({"app"})


class Role(str, Enum):
    CLIENT = "client"
    ADVISOR = "advisor"
    AGENT = "agent"  # contact-center agent


@dataclass(frozen=True)
class Principal:
    """A verified identity: a role, the id it names, and when the proof expires (UTC)."""

    role: Role
    subject_id: str
    expires_at: datetime

    def __post_init__(self) -> None:
        if not isinstance(self.role, Role):
            raise ValueError(f"unknown role {self.role!r}")
        if not SUBJECT_ID_PATTERN.fullmatch(self.subject_id):
            raise ValueError("subject id must be 1-64 letters, digits, '_' or '-'")
        if self.expires_at.tzinfo is None:
            raise ValueError("expires_at must be timezone-aware")

    @property
    def conversation_id(self) -> str:
        """The Rasa sender id of this principal's conversation, e.g. ``client:C000123``."""
        return f"{self.role.value}:{self.subject_id}"

    def is_expired(self, now: Optional[datetime] = None) -> bool:
        return (now or datetime.now(timezone.utc)) >= self.expires_at

    def to_metadata(self) -> Dict[str, Any]:
        """The verified claims as message metadata: no token, nothing else."""
        return {
            "verified": True,
            "role": self.role.value,
            "subject_id": self.subject_id,
            "expires_at": self.expires_at.astimezone(timezone.utc).isoformat(),
        }


def unverified_metadata(reason: str) -> Dict[str, Any]:
    """Metadata of a message without a valid token; ``reason`` is missing, expired or invalid."""
    return {"verified": False, "reason": reason}


def principal_from_metadata(
    metadata: Optional[Mapping[str, Any]],
    *,
    input_channel: Optional[str],
    now: Optional[datetime] = None,
) -> Optional[Principal]:
    """The principal in a message's metadata, or ``None`` when it is not a proof.

    ``None`` when the message came through a channel that does not verify
    identity (anyone can post metadata to the REST channel), when the claims
    are absent or malformed, or when they have expired by ``now``.
    """
    if input_channel not in VERIFYING_CHANNELS or not isinstance(metadata, Mapping):
        return None
    if metadata.get("verified") is not True:
        return None
    subject_id, expires_at = metadata.get("subject_id"), metadata.get("expires_at")
    if not isinstance(subject_id, str) or not isinstance(expires_at, str):
        return None
    try:
        principal = Principal(Role(metadata.get("role")), subject_id, datetime.fromisoformat(expires_at))
    except ValueError:
        return None
    return None if principal.is_expired(now) else principal


def proof_expired(
    metadata: Optional[Mapping[str, Any]],
    *,
    input_channel: Optional[str],
    now: Optional[datetime] = None,
) -> bool:
    """Whether the message came with a proof that was good but has expired: the client
    should log in again (rather than be told how to verify for the first time)."""
    if input_channel not in VERIFYING_CHANNELS or not isinstance(metadata, Mapping):
        return False
    if metadata.get("verified") is False:  # refused at the channel (unverified_metadata)
        return metadata.get("reason") == "expired"
    if metadata.get("verified") is not True:
        return False
    expires_at = metadata.get("expires_at")
    if not isinstance(expires_at, str):
        return False
    try:
        moment = datetime.fromisoformat(expires_at)
    except ValueError:
        return False
    return moment.tzinfo is not None and (now or datetime.now(timezone.utc)) >= moment
