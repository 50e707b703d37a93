"""Tables of the profile store: the bank's client 360 as the assistant sees it.

Money is :class:`~bot.profile.types.Money` (NUMERIC(18, 2), Decimal in Python),
instants are :class:`~bot.profile.types.UtcDateTime` (aware in Python, UTC in
the database). Account, card and phone numbers are stored whole; only
:mod:`bot.profile.queries` reads them, and it hands out tails and masks only.

Conventions the rows follow:
- ``accounts.account_type`` holds the contract's canonical ``account_type``
  values (储蓄卡, 活期, 定期, 信用卡, 外币账户, 理财账户).
- For a credit card, ``balance`` is the amount owed and ``credit_limit`` the
  limit; it is not an asset and is left out of deposit totals and AUM.
- ``transactions.amount`` is positive; ``direction`` says ``in`` or ``out``.
- A client's relationship manager is the ``primary`` row of
  ``advisor_assignments``; the backup is that manager's ``backup_rm_id``.
"""
from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import declarative_base

from bot.profile.types import Money, ScaledDecimal, UtcDateTime

__all__ = [
    "Base",
    "NAMING_CONVENTION",
    "one_of",
    "TIERS",
    "RISK_TOLERANCES",
    "PRODUCT_RISKS",
    "ACCOUNT_TYPES",
    "ACCOUNT_STATUSES",
    "RM_STATUSES",
    "SCRIPTS",
    "RelationshipManager",
    "Client",
    "AdvisorAssignment",
    "Account",
    "Transaction",
    "Product",
    "ProductAlias",
    "Holding",
    "FxRate",
    "ChannelBinding",
    "CaseOutbox",
    "APPOINTMENT_PLACES",
    "APPOINTMENT_STATUSES",
    "Appointment",
    "ProfileMeta",
    "HANDOFF_REASONS",
    "HANDOFF_TARGET_KINDS",
    "HANDOFF_STATUSES",
    "OPEN_HANDOFF_STATUSES",
    "HANDOFF_MESSAGE_SENDERS",
    "Handoff",
    "HandoffMessage",
    "CsatRating",
    "WebhookOutbox",
]

TIERS = ("金卡", "白金", "钻石", "私人银行")
RISK_TOLERANCES = ("C1", "C2", "C3", "C4", "C5")
PRODUCT_RISKS = ("R1", "R2", "R3", "R4", "R5")
ACCOUNT_TYPES = ("储蓄卡", "活期", "定期", "信用卡", "外币账户", "理财账户")
ACCOUNT_STATUSES = ("normal", "frozen", "closed")
RM_STATUSES = ("on_duty", "off", "leave")
SCRIPTS = ("hans", "hant")
DIRECTIONS = ("in", "out")
ASSIGNMENT_ROLES = ("primary",)
APPOINTMENT_PLACES = ("rm_office", "vip_room")  # the RM's branch office, or a branch VIP room
APPOINTMENT_STATUSES = ("booked", "cancelled")

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Base = declarative_base(metadata=MetaData(naming_convention=NAMING_CONVENTION))


def one_of(column: str, values: tuple) -> str:
    """The CHECK expression allowing only ``values`` in ``column``."""
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


class RelationshipManager(Base):
    __tablename__ = "relationship_managers"

    id = Column(String(8), primary_key=True)  # RM001
    name = Column(String(32), nullable=False)
    branch = Column(String(64), nullable=False)  # a name in kb/branches.yml
    work_days = Column(String(7), nullable=False)  # ISO weekdays, "12345" = Mon–Fri
    work_start = Column(Time, nullable=False)
    work_end = Column(Time, nullable=False)
    backup_rm_id = Column(String(8), ForeignKey("relationship_managers.id"), index=True)
    status = Column(String(8), nullable=False)

    __table_args__ = (CheckConstraint(one_of("status", RM_STATUSES), name="status"),)


class Client(Base):
    __tablename__ = "clients"

    id = Column(String(8), primary_key=True)  # C000123
    name = Column(String(32), nullable=False, index=True)
    tier = Column(String(8), nullable=False)
    aum = Column(Money(), nullable=False)  # CNY equivalent
    risk_tolerance = Column(String(2), nullable=False)
    risk_assessed_on = Column(Date, nullable=False)
    risk_expires_on = Column(Date, nullable=False)
    script = Column(String(4), nullable=False)
    age_band = Column(String(8), nullable=False)
    is_elderly = Column(Boolean, nullable=False)
    phone = Column(String(20), nullable=False)  # whole; shown masked only

    __table_args__ = (
        CheckConstraint(one_of("tier", TIERS), name="tier"),
        CheckConstraint(one_of("risk_tolerance", RISK_TOLERANCES), name="risk_tolerance"),
        CheckConstraint(one_of("script", SCRIPTS), name="script"),
    )


class AdvisorAssignment(Base):
    __tablename__ = "advisor_assignments"

    client_id = Column(String(8), ForeignKey("clients.id"), primary_key=True)
    role = Column(String(16), primary_key=True)
    rm_id = Column(String(8), ForeignKey("relationship_managers.id"), nullable=False)
    assigned_on = Column(Date, nullable=False)

    __table_args__ = (
        CheckConstraint(one_of("role", ASSIGNMENT_ROLES), name="role"),
        Index(None, "rm_id", "role"),
    )


class Account(Base):
    __tablename__ = "accounts"

    id = Column(String(12), primary_key=True)  # A00000123
    client_id = Column(String(8), ForeignKey("clients.id"), nullable=False)
    account_type = Column(String(8), nullable=False)
    currency = Column(String(3), nullable=False)  # ISO 4217
    number = Column(String(32), nullable=False, unique=True)  # whole; shown as a tail only
    balance = Column(Money(), nullable=False)  # credit card: amount owed
    credit_limit = Column(Money())  # credit cards only
    status = Column(String(8), nullable=False)
    opened_on = Column(Date, nullable=False)
    matures_on = Column(Date)  # time deposits only

    __table_args__ = (
        CheckConstraint(one_of("account_type", ACCOUNT_TYPES), name="account_type"),
        CheckConstraint(one_of("status", ACCOUNT_STATUSES), name="status"),
        CheckConstraint(
            "account_type <> '信用卡' OR credit_limit IS NOT NULL", name="credit_limit"
        ),
        Index(None, "client_id", "account_type"),
    )


class Transaction(Base):
    __tablename__ = "transactions"

    id = Column(Integer, primary_key=True)
    account_id = Column(String(12), ForeignKey("accounts.id"), nullable=False)
    client_id = Column(String(8), ForeignKey("clients.id"), nullable=False)
    occurred_at = Column(UtcDateTime(), nullable=False)
    amount = Column(Money(), nullable=False)  # positive
    currency = Column(String(3), nullable=False)
    direction = Column(String(3), nullable=False)
    counterparty = Column(String(64), nullable=False)
    channel = Column(String(16), nullable=False)
    description = Column(String(64), nullable=False)
    category = Column(String(16), nullable=False)

    __table_args__ = (
        CheckConstraint(one_of("direction", DIRECTIONS), name="direction"),
        CheckConstraint("amount > 0", name="amount_positive"),
        Index(None, "client_id", "occurred_at"),
        Index(None, "account_id", "occurred_at"),
        Index(None, "occurred_at"),  # the data day: the newest transaction in the store
    )


class Product(Base):
    __tablename__ = "products"

    code = Column(String(16), primary_key=True)
    name = Column(String(64), nullable=False, unique=True)
    type = Column(String(16), nullable=False)
    subtype = Column(String(64), nullable=False)
    risk = Column(String(2), nullable=False)
    term_days = Column(Integer)  # None: open-ended
    min_purchase = Column(Money(), nullable=False)
    currency = Column(String(3), nullable=False)
    benchmark = Column(Text, nullable=False)
    liquidity = Column(Text, nullable=False)
    fees = Column(Text, nullable=False)
    issuer = Column(String(64), nullable=False)
    description = Column(Text, nullable=False)
    on_sale = Column(Boolean, nullable=False)
    premier_only = Column(Boolean, nullable=False)

    __table_args__ = (
        CheckConstraint(one_of("risk", PRODUCT_RISKS), name="risk"),
        Index(None, "on_sale", "risk"),
    )


class ProductAlias(Base):
    __tablename__ = "product_aliases"

    alias = Column(String(64), primary_key=True)
    product_code = Column(String(16), ForeignKey("products.code"), nullable=False, index=True)


class Holding(Base):
    __tablename__ = "holdings"

    id = Column(Integer, primary_key=True)
    client_id = Column(String(8), ForeignKey("clients.id"), nullable=False)
    product_code = Column(String(16), ForeignKey("products.code"), nullable=False, index=True)
    units = Column(ScaledDecimal(18, 4), nullable=False)
    cost = Column(Money(), nullable=False)  # in the product's currency
    market_value = Column(Money(), nullable=False)
    currency = Column(String(3), nullable=False)
    started_on = Column(Date, nullable=False)
    matures_on = Column(Date)  # None: open-ended

    __table_args__ = (Index(None, "client_id", "matures_on"),)


class FxRate(Base):
    __tablename__ = "fx_rates"

    id = Column(Integer, primary_key=True)
    base_currency = Column(String(3), nullable=False)
    quote_currency = Column(String(3), nullable=False)
    name = Column(String(16), nullable=False)  # display name of the base currency
    unit = Column(Integer, nullable=False)  # rates are per this many units of base
    spot_buy = Column(ScaledDecimal(18, 4), nullable=False)
    cash_buy = Column(ScaledDecimal(18, 4), nullable=False)
    spot_sell = Column(ScaledDecimal(18, 4), nullable=False)
    cash_sell = Column(ScaledDecimal(18, 4), nullable=False)
    quoted_at = Column(UtcDateTime(), nullable=False)

    __table_args__ = (UniqueConstraint("base_currency", "quote_currency", "quoted_at"),)


class ChannelBinding(Base):
    __tablename__ = "channel_bindings"

    channel = Column(String(16), primary_key=True)  # "wechat"
    external_id = Column(String(64), primary_key=True)  # the OpenID
    client_id = Column(String(8), ForeignKey("clients.id"), nullable=False, index=True)
    bound_at = Column(UtcDateTime(), nullable=False)


class CaseOutbox(Base):
    """Complaints on their way to the case service (``bot.cases.outbox``).

    A row is written before the service is called and kept after delivery, so
    nothing a client submitted is lost whatever fails. No foreign key to
    ``clients``: re-seeding the demo bank never touches what clients submitted.
    """

    __tablename__ = "case_outbox"

    id = Column(Integer, primary_key=True)
    idempotency_key = Column(String(64), nullable=False, unique=True)  # sent on every attempt
    provisional_ref = Column(String(16), nullable=False, unique=True)  # told to the client until delivered
    client_id = Column(String(8), nullable=False)
    payload = Column(Text, nullable=False)  # the new case as JSON (description already masked)
    created_at = Column(UtcDateTime(), nullable=False)
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(UtcDateTime(), nullable=False)
    last_error = Column(String(64))  # an error class or HTTP status, never message text
    case_id = Column(String(16))  # set on delivery
    delivered_at = Column(UtcDateTime())

    __table_args__ = (
        Index(None, "client_id", "created_at"),
        Index(None, "delivered_at", "next_attempt_at"),  # what the sender delivers next
    )


class Appointment(Base):
    """A meeting of a client with a relationship manager (``bot.appointments.store``).

    Cancelled rows are kept (``status``, ``cancelled_at``); only ``booked`` ones
    take the RM's time. A reschedule moves ``starts_at``/``ends_at`` and keeps
    the ``reference`` the client was told.
    """

    __tablename__ = "appointments"

    id = Column(Integer, primary_key=True)
    reference = Column(String(16), nullable=False, unique=True)  # AP + 8 hex digits, told to the client
    client_id = Column(String(8), ForeignKey("clients.id"), nullable=False)
    rm_id = Column(String(8), ForeignKey("relationship_managers.id"), nullable=False)
    place = Column(String(16), nullable=False)
    branch = Column(String(64), nullable=False)  # a name in kb/branches.yml
    starts_at = Column(UtcDateTime(), nullable=False)
    ends_at = Column(UtcDateTime(), nullable=False)
    status = Column(String(16), nullable=False)
    created_at = Column(UtcDateTime(), nullable=False)
    updated_at = Column(UtcDateTime(), nullable=False)
    cancelled_at = Column(UtcDateTime())

    __table_args__ = (
        CheckConstraint(one_of("place", APPOINTMENT_PLACES), name="place"),
        CheckConstraint(one_of("status", APPOINTMENT_STATUSES), name="status"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index(None, "rm_id", "starts_at"),  # the RM's calendar: booked intervals, conflicts
        Index(None, "client_id", "starts_at"),  # the client's upcoming appointments
    )


class ProfileMeta(Base):
    """Facts about the store itself, e.g. which demo seed filled it."""

    __tablename__ = "profile_meta"

    key = Column(String(64), primary_key=True)
    value = Column(Text, nullable=False)


# --- handoffs to a person (bot.handoff.store, bot.handoff.webhook) -------------------------------
# The values of bot.handoff.triggers.HandoffReason and bot.handoff.routing.TargetKind; a test keeps
# them equal (the models do not import bot.handoff, which imports the profile queries).
HANDOFF_REASONS = ("card_loss", "suspected_fraud", "complaint_high_severity", "rm_requested",
                   "client_request", "elderly_difficulty", "repeated_fallback")
HANDOFF_TARGET_KINDS = ("rm", "backup_rm", "contact_center")
HANDOFF_STATUSES = ("waiting", "taken", "handed_back", "closed")
OPEN_HANDOFF_STATUSES = ("waiting", "taken")
HANDOFF_MESSAGE_SENDERS = ("client", "agent", "bot", "system")
_OPEN_HANDOFF = one_of("status", OPEN_HANDOFF_STATUSES)  # status IN ('waiting', 'taken')


class Handoff(Base):
    """A conversation handed to a person, with the context package that went with it.

    At most one open (waiting or taken) handoff per conversation: a partial
    unique index. No foreign key to ``clients``, like ``case_outbox``: the rows
    survive a reseed of the demo bank.
    """

    __tablename__ = "handoffs"

    id = Column(String(20), primary_key=True)  # HO- + 12 random upper-case hex digits
    conversation_id = Column(String(80), nullable=False, index=True)  # the Rasa sender id
    client_id = Column(String(8), index=True)  # None: not verified
    channel = Column(String(16), nullable=False)
    reason = Column(String(32), nullable=False)
    urgent = Column(Boolean, nullable=False)
    target_kind = Column(String(16), nullable=False)
    target_id = Column(String(32), nullable=False)  # an RM id or the contact center's queue id
    target_name = Column(String(32), nullable=False)
    notify_rm_id = Column(String(8))
    status = Column(String(12), nullable=False)
    created_at = Column(UtcDateTime(), nullable=False)
    reply_expected_by = Column(UtcDateTime(), nullable=False)
    taken_by = Column(String(64))
    taken_by_role = Column(String(8))
    taken_at = Column(UtcDateTime())
    ended_at = Column(UtcDateTime())
    ended_by = Column(String(64))
    package = Column(Text, nullable=False)  # the ContextPackage as JSON, masked

    __table_args__ = (
        CheckConstraint(one_of("reason", HANDOFF_REASONS), name="reason"),
        CheckConstraint(one_of("target_kind", HANDOFF_TARGET_KINDS), name="target_kind"),
        CheckConstraint(one_of("status", HANDOFF_STATUSES), name="status"),
        Index("uq_handoffs_open_conversation", "conversation_id", unique=True,
              sqlite_where=text(_OPEN_HANDOFF), postgresql_where=text(_OPEN_HANDOFF)),
        Index(None, "status", "reply_expected_by"),  # the queues: open ones by due time
    )


class HandoffMessage(Base):
    """A line of the conversation while a person holds it (masked, at most 2000 characters)."""

    __tablename__ = "handoff_messages"

    id = Column(Integer, primary_key=True)
    handoff_id = Column(String(20), ForeignKey("handoffs.id"), nullable=False, index=True)
    at = Column(UtcDateTime(), nullable=False)
    sender = Column(String(8), nullable=False)
    sender_id = Column(String(64))
    sender_name = Column(String(32))
    text = Column(Text, nullable=False)
    buttons = Column(Text)  # JSON [{"title", "payload"}] of a bot line (the rating's), else NULL

    __table_args__ = (CheckConstraint(one_of("sender", HANDOFF_MESSAGE_SENDERS), name="sender"),)


class CsatRating(Base):
    """A client's 1–5 rating of a conversation, with the handoff it rates when there was one."""

    __tablename__ = "csat_ratings"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(80), nullable=False, index=True)
    client_id = Column(String(8))
    handoff_id = Column(String(20), ForeignKey("handoffs.id"), index=True)
    score = Column(SmallInteger, nullable=False)
    comment = Column(Text)  # masked, at most 500 characters
    created_at = Column(UtcDateTime(), nullable=False)

    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="score"),)


class WebhookOutbox(Base):
    """Handoff events on their way to the contact center's webhook (``bot.handoff.webhook``).

    Like ``case_outbox``: written in the handoff's transaction, kept after
    delivery; the idempotency key goes with every attempt.
    """

    __tablename__ = "webhook_outbox"

    id = Column(Integer, primary_key=True)
    idempotency_key = Column(String(64), nullable=False, unique=True)
    event = Column(String(32), nullable=False)
    handoff_id = Column(String(20), nullable=False)
    payload = Column(Text, nullable=False)  # JSON, masked
    created_at = Column(UtcDateTime(), nullable=False)
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(UtcDateTime(), nullable=False)
    delivered_at = Column(UtcDateTime())
    last_error = Column(String(64))  # an error class or HTTP status, never message text

    __table_args__ = (Index(None, "delivered_at", "next_attempt_at"),)  # what the sender delivers next
