"""Appointments with relationship managers (bot/appointments/store.py).

Indexed for the RM's calendar (booked intervals and conflicts by manager and
start) and the client's upcoming appointments (by client and start); the
reference a client quotes is unique.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.profile.types import UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "appointments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("client_id", sa.String(length=8), nullable=False),
        sa.Column("rm_id", sa.String(length=8), nullable=False),
        sa.Column("place", sa.String(length=16), nullable=False),
        sa.Column("branch", sa.String(length=64), nullable=False),
        sa.Column("starts_at", UtcDateTime(), nullable=False),
        sa.Column("ends_at", UtcDateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("cancelled_at", UtcDateTime(), nullable=True),
        sa.CheckConstraint("place IN ('rm_office', 'vip_room')", name=op.f("ck_appointments_place")),
        sa.CheckConstraint("status IN ('booked', 'cancelled')", name=op.f("ck_appointments_status")),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_appointments_ends_after_start")),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name=op.f("fk_appointments_client_id_clients")),
        sa.ForeignKeyConstraint(
            ["rm_id"], ["relationship_managers.id"],
            name=op.f("fk_appointments_rm_id_relationship_managers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
        sa.UniqueConstraint("reference", name=op.f("uq_appointments_reference")),
    )
    op.create_index(op.f("ix_appointments_rm_id_starts_at"), "appointments", ["rm_id", "starts_at"])
    op.create_index(op.f("ix_appointments_client_id_starts_at"), "appointments", ["client_id", "starts_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_appointments_client_id_starts_at"), table_name="appointments")
    op.drop_index(op.f("ix_appointments_rm_id_starts_at"), table_name="appointments")
    op.drop_table("appointments")
