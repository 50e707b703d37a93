"""The case outbox: complaints on their way to the case service (bot/cases/outbox.py).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.profile.types import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("provisional_ref", sa.String(length=16), nullable=False),
        sa.Column("client_id", sa.String(length=8), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UtcDateTime(), nullable=False),
        sa.Column("last_error", sa.String(length=64), nullable=True),
        sa.Column("case_id", sa.String(length=16), nullable=True),
        sa.Column("delivered_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_outbox")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_case_outbox_idempotency_key")),
        sa.UniqueConstraint("provisional_ref", name=op.f("uq_case_outbox_provisional_ref")),
    )
    op.create_index(op.f("ix_case_outbox_client_id_created_at"), "case_outbox", ["client_id", "created_at"])
    op.create_index(op.f("ix_case_outbox_delivered_at_next_attempt_at"), "case_outbox",
                    ["delivered_at", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_case_outbox_delivered_at_next_attempt_at"), table_name="case_outbox")
    op.drop_index(op.f("ix_case_outbox_client_id_created_at"), table_name="case_outbox")
    op.drop_table("case_outbox")
