"""Tables of the case service: cases, their status history, client notices, extensions.

Money is :class:`~bot.profile.types.Money`, instants
:class:`~bot.profile.types.UtcDateTime` (the profile store's column types,
the same on SQLite and PostgreSQL). Free text (description, notes, reasons,
preferred contact) is stored masked. ``case_sequences`` holds the last number
given out per year; it is raised in the same transaction that inserts the
case, so concurrent creates get consecutive, distinct numbers.
"""
from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import declarative_base, relationship

from bot.case_service.lifecycle import STATUSES
from bot.case_service.priority import PRIORITIES, SEVERITIES, TIERS
from bot.cases.types import CATEGORIES, CHANNELS
from bot.profile.models import NAMING_CONVENTION, one_of
from bot.profile.types import Money, UtcDateTime

__all__ = [
    "Base",
    "CHANNELS",
    "CATEGORIES",
    "NOTICE_KINDS",
    "CaseSequence",
    "CaseRecord",
    "StatusChangeRecord",
    "NoticeRecord",
    "ExtensionRecord",
]

NOTICE_KINDS = ("accepted", "extended", "resolved")

Base = declarative_base(metadata=MetaData(naming_convention=NAMING_CONVENTION))


class CaseSequence(Base):
    """The last case number given out in a year (CS-<year>-<number>)."""

    __tablename__ = "case_sequences"

    year = Column(Integer, primary_key=True, autoincrement=False)
    last_value = Column(Integer, nullable=False)


class CaseRecord(Base):
    __tablename__ = "cases"

    case_id = Column(String(14), primary_key=True)
    year = Column(Integer, nullable=False)
    sequence = Column(Integer, nullable=False)
    idempotency_key = Column(String(128), nullable=False, unique=True)
    request_fingerprint = Column(String(64), nullable=False)  # SHA-256 of the create request as received
    client_id = Column(String(32), nullable=False)
    channel = Column(String(8), nullable=False)
    category = Column(String(20), nullable=False)
    severity = Column(String(8), nullable=False)
    description = Column(Text, nullable=False)
    amount_involved = Column(Money(), nullable=True)
    currency = Column(String(3), nullable=False)
    preferred_contact = Column(Text, nullable=True)
    tier = Column(String(8), nullable=False)
    priority = Column(String(2), nullable=False)
    assigned_to = Column(String(64), nullable=False)
    status = Column(String(16), nullable=False)
    accepted_at = Column(UtcDateTime(), nullable=False)
    due_at = Column(UtcDateTime(), nullable=False)
    time_limit_days = Column(Integer, nullable=False)

    history = relationship("StatusChangeRecord", order_by="StatusChangeRecord.id", lazy="selectin")
    notices = relationship("NoticeRecord", order_by="NoticeRecord.id", lazy="selectin")
    extensions = relationship("ExtensionRecord", order_by="ExtensionRecord.id", lazy="selectin")

    __table_args__ = (
        UniqueConstraint("year", "sequence"),
        CheckConstraint(one_of("channel", CHANNELS), name="channel"),
        CheckConstraint(one_of("category", CATEGORIES), name="category"),
        CheckConstraint(one_of("severity", SEVERITIES), name="severity"),
        CheckConstraint(one_of("tier", TIERS), name="tier"),
        CheckConstraint(one_of("priority", PRIORITIES), name="priority"),
        CheckConstraint(one_of("status", STATUSES), name="status"),
        CheckConstraint("time_limit_days IN (15, 30, 60)", name="time_limit_days"),
        CheckConstraint("amount_involved IS NULL OR amount_involved >= 0", name="amount_not_negative"),
        Index("ix_cases_client_id_accepted_at", "client_id", "accepted_at"),
        Index("ix_cases_assigned_to_status", "assigned_to", "status"),
        Index("ix_cases_status_due_at", "status", "due_at"),
    )


class StatusChangeRecord(Base):
    """One step of a case's history; the first one (from nothing to submitted) is the acceptance."""

    __tablename__ = "case_status_changes"

    id = Column(Integer, primary_key=True)
    case_id = Column(String(14), ForeignKey("cases.case_id"), nullable=False, index=True)
    from_status = Column(String(16), nullable=True)
    to_status = Column(String(16), nullable=False)
    actor = Column(String(64), nullable=False)
    at = Column(UtcDateTime(), nullable=False)
    note_for_client = Column(Text, nullable=True)

    __table_args__ = (CheckConstraint(one_of("to_status", STATUSES), name="to_status"),)


class NoticeRecord(Base):
    """Something the client is told about: acceptance, an extension, the decision."""

    __tablename__ = "case_notices"

    id = Column(Integer, primary_key=True)
    case_id = Column(String(14), ForeignKey("cases.case_id"), nullable=False, index=True)
    kind = Column(String(16), nullable=False)
    at = Column(UtcDateTime(), nullable=False)
    time_limit_days = Column(Integer, nullable=True)
    due_at = Column(UtcDateTime(), nullable=True)
    text_for_client = Column(Text, nullable=True)

    __table_args__ = (CheckConstraint(one_of("kind", NOTICE_KINDS), name="kind"),)


class ExtensionRecord(Base):
    """An extension of the statutory clock with its reason and, for 60 days, its approver."""

    __tablename__ = "case_extensions"

    id = Column(Integer, primary_key=True)
    case_id = Column(String(14), ForeignKey("cases.case_id"), nullable=False, index=True)
    from_days = Column(Integer, nullable=False)
    to_days = Column(Integer, nullable=False)
    reason = Column(Text, nullable=False)
    actor = Column(String(64), nullable=False)
    approved_by = Column(String(64), nullable=True)
    at = Column(UtcDateTime(), nullable=False)
