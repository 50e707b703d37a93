"""Initial schema: cases, their status history, client notices, extensions, the yearly case numbers.

Indexes follow the queries of bot/case_service/store.py: a client's cases by
acceptance, a team's or RM's cases by status, open cases by due instant, and
each child table by case.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.profile.types import Money, UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_STATUSES = "('submitted', 'under_review', 'investigating', 'resolved', 'followed_up')"


def upgrade() -> None:
    op.create_table(
        "case_sequences",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_case_sequences")),
    )

    op.create_table(
        "cases",
        sa.Column("case_id", sa.String(length=14), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.Column("request_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("amount_involved", Money(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("preferred_contact", sa.Text(), nullable=True),
        sa.Column("tier", sa.String(length=8), nullable=False),
        sa.Column("priority", sa.String(length=2), nullable=False),
        sa.Column("assigned_to", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("accepted_at", UtcDateTime(), nullable=False),
        sa.Column("due_at", UtcDateTime(), nullable=False),
        sa.Column("time_limit_days", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "category IN ('fees', 'service_attitude', 'mis_selling', 'payment_delay', 'app_fault', "
            "'card_fraud', 'other')",
            name=op.f("ck_cases_category"),
        ),
        sa.CheckConstraint("channel IN ('app', 'wechat', 'web', 'phone', 'branch')", name=op.f("ck_cases_channel")),
        sa.CheckConstraint("priority IN ('P1', 'P2', 'P3')", name=op.f("ck_cases_priority")),
        sa.CheckConstraint("severity IN ('normal', 'high')", name=op.f("ck_cases_severity")),
        sa.CheckConstraint(f"status IN {_STATUSES}", name=op.f("ck_cases_status")),
        sa.CheckConstraint("tier IN ('金卡', '白金', '钻石', '私人银行')", name=op.f("ck_cases_tier")),
        sa.CheckConstraint(
            "amount_involved IS NULL OR amount_involved >= 0", name=op.f("ck_cases_amount_not_negative")
        ),
        sa.CheckConstraint("time_limit_days IN (15, 30, 60)", name=op.f("ck_cases_time_limit_days")),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_cases")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_cases_idempotency_key")),
        sa.UniqueConstraint("year", "sequence", name=op.f("uq_cases_year_sequence")),
    )
    op.create_index("ix_cases_client_id_accepted_at", "cases", ["client_id", "accepted_at"])
    op.create_index("ix_cases_assigned_to_status", "cases", ["assigned_to", "status"])
    op.create_index("ix_cases_status_due_at", "cases", ["status", "due_at"])

    op.create_table(
        "case_status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(length=14), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("note_for_client", sa.Text(), nullable=True),
        sa.CheckConstraint(f"to_status IN {_STATUSES}", name=op.f("ck_case_status_changes_to_status")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.case_id"], name=op.f("fk_case_status_changes_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_status_changes")),
    )
    op.create_index(op.f("ix_case_status_changes_case_id"), "case_status_changes", ["case_id"])

    op.create_table(
        "case_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(length=14), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("time_limit_days", sa.Integer(), nullable=True),
        sa.Column("due_at", UtcDateTime(), nullable=True),
        sa.Column("text_for_client", sa.Text(), nullable=True),
        sa.CheckConstraint("kind IN ('accepted', 'extended', 'resolved')", name=op.f("ck_case_notices_kind")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.case_id"], name=op.f("fk_case_notices_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_notices")),
    )
    op.create_index(op.f("ix_case_notices_case_id"), "case_notices", ["case_id"])

    op.create_table(
        "case_extensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(length=14), nullable=False),
        sa.Column("from_days", sa.Integer(), nullable=False),
        sa.Column("to_days", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("approved_by", sa.String(length=64), nullable=True),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.case_id"], name=op.f("fk_case_extensions_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_extensions")),
    )
    op.create_index(op.f("ix_case_extensions_case_id"), "case_extensions", ["case_id"])


def downgrade() -> None:
    for table in ("case_extensions", "case_notices", "case_status_changes", "cases", "case_sequences"):
        op.drop_table(table)
