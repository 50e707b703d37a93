"""Transactions by time alone: the data day (``queries.data_day``) reads the newest one.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""
from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_transactions_occurred_at"), "transactions", ["occurred_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_transactions_occurred_at"), table_name="transactions")
