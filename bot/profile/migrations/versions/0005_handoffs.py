"""Handoffs to a person, their messages, CSAT ratings and the contact-center webhook outbox.

- ``handoffs``: one row per handoff with the masked context package as JSON;
  a partial unique index keeps at most one open (waiting or taken) handoff per
  conversation; indexed by conversation, client and (status, reply due) for the queues.
- ``handoff_messages``: the lines while a person holds the conversation.
- ``csat_ratings``: 1–5 ratings, linked to the handoff they rate when there was one.
- ``webhook_outbox``: handoff events on their way to the contact center's webhook.

No foreign key to ``clients`` (like ``case_outbox``): the rows survive a reseed.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.profile.types import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

OPEN_HANDOFF = "status IN ('waiting', 'taken')"


def upgrade() -> None:
    op.create_table(
        "handoffs",
        sa.Column("id", sa.String(length=20), nullable=False),
        sa.Column("conversation_id", sa.String(length=80), nullable=False),
        sa.Column("client_id", sa.String(length=8), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("target_kind", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.String(length=32), nullable=False),
        sa.Column("target_name", sa.String(length=32), nullable=False),
        sa.Column("notify_rm_id", sa.String(length=8), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("reply_expected_by", UtcDateTime(), nullable=False),
        sa.Column("taken_by", sa.String(length=64), nullable=True),
        sa.Column("taken_by_role", sa.String(length=8), nullable=True),
        sa.Column("taken_at", UtcDateTime(), nullable=True),
        sa.Column("ended_at", UtcDateTime(), nullable=True),
        sa.Column("ended_by", sa.String(length=64), nullable=True),
        sa.Column("package", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "reason IN ('card_loss', 'suspected_fraud', 'complaint_high_severity', 'rm_requested', "
            "'client_request', 'elderly_difficulty', 'repeated_fallback')",
            name=op.f("ck_handoffs_reason"),
        ),
        sa.CheckConstraint("target_kind IN ('rm', 'backup_rm', 'contact_center')",
                           name=op.f("ck_handoffs_target_kind")),
        sa.CheckConstraint("status IN ('waiting', 'taken', 'handed_back', 'closed')",
                           name=op.f("ck_handoffs_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoffs")),
    )
    op.create_index(op.f("ix_handoffs_conversation_id"), "handoffs", ["conversation_id"])
    op.create_index(op.f("ix_handoffs_client_id"), "handoffs", ["client_id"])
    op.create_index(op.f("ix_handoffs_status_reply_expected_by"), "handoffs", ["status", "reply_expected_by"])
    op.create_index("uq_handoffs_open_conversation", "handoffs", ["conversation_id"], unique=True,
                    sqlite_where=sa.text(OPEN_HANDOFF), postgresql_where=sa.text(OPEN_HANDOFF))

    op.create_table(
        "handoff_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.String(length=20), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("sender", sa.String(length=8), nullable=False),
        sa.Column("sender_id", sa.String(length=64), nullable=True),
        sa.Column("sender_name", sa.String(length=32), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("buttons", sa.Text(), nullable=True),
        sa.CheckConstraint("sender IN ('client', 'agent', 'bot', 'system')", name=op.f("ck_handoff_messages_sender")),
        sa.ForeignKeyConstraint(["handoff_id"], ["handoffs.id"], name=op.f("fk_handoff_messages_handoff_id_handoffs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_messages")),
    )
    op.create_index(op.f("ix_handoff_messages_handoff_id"), "handoff_messages", ["handoff_id"])

    op.create_table(
        "csat_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=80), nullable=False),
        sa.Column("client_id", sa.String(length=8), nullable=True),
        sa.Column("handoff_id", sa.String(length=20), nullable=True),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name=op.f("ck_csat_ratings_score")),
        sa.ForeignKeyConstraint(["handoff_id"], ["handoffs.id"], name=op.f("fk_csat_ratings_handoff_id_handoffs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_csat_ratings")),
    )
    op.create_index(op.f("ix_csat_ratings_conversation_id"), "csat_ratings", ["conversation_id"])
    op.create_index(op.f("ix_csat_ratings_handoff_id"), "csat_ratings", ["handoff_id"])

    op.create_table(
        "webhook_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("handoff_id", sa.String(length=20), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UtcDateTime(), nullable=False),
        sa.Column("delivered_at", UtcDateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_outbox")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_webhook_outbox_idempotency_key")),
    )
    op.create_index(op.f("ix_webhook_outbox_delivered_at_next_attempt_at"), "webhook_outbox",
                    ["delivered_at", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_webhook_outbox_delivered_at_next_attempt_at"), table_name="webhook_outbox")
    op.drop_table("webhook_outbox")
    op.drop_index(op.f("ix_csat_ratings_handoff_id"), table_name="csat_ratings")
    op.drop_index(op.f("ix_csat_ratings_conversation_id"), table_name="csat_ratings")
    op.drop_table("csat_ratings")
    op.drop_index(op.f("ix_handoff_messages_handoff_id"), table_name="handoff_messages")
    op.drop_table("handoff_messages")
    op.drop_index("uq_handoffs_open_conversation", table_name="handoffs")
    op.drop_index(op.f("ix_handoffs_status_reply_expected_by"), table_name="handoffs")
    op.drop_index(op.f("ix_handoffs_client_id"), table_name="handoffs")
    op.drop_index(op.f("ix_handoffs_conversation_id"), table_name="handoffs")
    op.drop_table("handoffs")
