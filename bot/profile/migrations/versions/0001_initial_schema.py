"""Initial schema: managers, clients, assignments, accounts, transactions, products, holdings, FX, bindings.

Every query in bot/profile/queries.py has an index here: clients by name,
assignments by manager and role, managers by backup, accounts by client and
type, transactions by client or account and time, holdings by client and
maturity, products by sale status and risk, aliases, FX by pair and time,
bindings by client.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.profile.types import Money, ScaledDecimal, UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "relationship_managers",
        sa.Column("id", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("branch", sa.String(length=64), nullable=False),
        sa.Column("work_days", sa.String(length=7), nullable=False),
        sa.Column("work_start", sa.Time(), nullable=False),
        sa.Column("work_end", sa.Time(), nullable=False),
        sa.Column("backup_rm_id", sa.String(length=8), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.CheckConstraint("status IN ('on_duty', 'off', 'leave')", name=op.f("ck_relationship_managers_status")),
        sa.ForeignKeyConstraint(
            ["backup_rm_id"], ["relationship_managers.id"],
            name=op.f("fk_relationship_managers_backup_rm_id_relationship_managers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relationship_managers")),
    )
    op.create_index(op.f("ix_relationship_managers_backup_rm_id"), "relationship_managers", ["backup_rm_id"])

    op.create_table(
        "clients",
        sa.Column("id", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("tier", sa.String(length=8), nullable=False),
        sa.Column("aum", Money(), nullable=False),
        sa.Column("risk_tolerance", sa.String(length=2), nullable=False),
        sa.Column("risk_assessed_on", sa.Date(), nullable=False),
        sa.Column("risk_expires_on", sa.Date(), nullable=False),
        sa.Column("script", sa.String(length=4), nullable=False),
        sa.Column("age_band", sa.String(length=8), nullable=False),
        sa.Column("is_elderly", sa.Boolean(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.CheckConstraint("risk_tolerance IN ('C1', 'C2', 'C3', 'C4', 'C5')", name=op.f("ck_clients_risk_tolerance")),
        sa.CheckConstraint("script IN ('hans', 'hant')", name=op.f("ck_clients_script")),
        sa.CheckConstraint("tier IN ('金卡', '白金', '钻石', '私人银行')", name=op.f("ck_clients_tier")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clients")),
    )
    op.create_index(op.f("ix_clients_name"), "clients", ["name"])

    op.create_table(
        "advisor_assignments",
        sa.Column("client_id", sa.String(length=8), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("rm_id", sa.String(length=8), nullable=False),
        sa.Column("assigned_on", sa.Date(), nullable=False),
        sa.CheckConstraint("role IN ('primary')", name=op.f("ck_advisor_assignments_role")),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name=op.f("fk_advisor_assignments_client_id_clients")),
        sa.ForeignKeyConstraint(
            ["rm_id"], ["relationship_managers.id"],
            name=op.f("fk_advisor_assignments_rm_id_relationship_managers"),
        ),
        sa.PrimaryKeyConstraint("client_id", "role", name=op.f("pk_advisor_assignments")),
    )
    op.create_index(op.f("ix_advisor_assignments_rm_id_role"), "advisor_assignments", ["rm_id", "role"])

    op.create_table(
        "accounts",
        sa.Column("id", sa.String(length=12), nullable=False),
        sa.Column("client_id", sa.String(length=8), nullable=False),
        sa.Column("account_type", sa.String(length=8), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("balance", Money(), nullable=False),
        sa.Column("credit_limit", Money(), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("matures_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "account_type IN ('储蓄卡', '活期', '定期', '信用卡', '外币账户', '理财账户')",
            name=op.f("ck_accounts_account_type"),
        ),
        sa.CheckConstraint("status IN ('normal', 'frozen', 'closed')", name=op.f("ck_accounts_status")),
        sa.CheckConstraint(
            "account_type <> '信用卡' OR credit_limit IS NOT NULL", name=op.f("ck_accounts_credit_limit")
        ),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name=op.f("fk_accounts_client_id_clients")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("number", name=op.f("uq_accounts_number")),
    )
    op.create_index(op.f("ix_accounts_client_id_account_type"), "accounts", ["client_id", "account_type"])

    op.create_table(
        "transactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("client_id", sa.String(length=8), nullable=False),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.Column("amount", Money(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("counterparty", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("description", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.CheckConstraint("direction IN ('in', 'out')", name=op.f("ck_transactions_direction")),
        sa.CheckConstraint("amount > 0", name=op.f("ck_transactions_amount_positive")),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_transactions_account_id_accounts")),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name=op.f("fk_transactions_client_id_clients")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transactions")),
    )
    op.create_index(op.f("ix_transactions_client_id_occurred_at"), "transactions", ["client_id", "occurred_at"])
    op.create_index(op.f("ix_transactions_account_id_occurred_at"), "transactions", ["account_id", "occurred_at"])

    op.create_table(
        "products",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("subtype", sa.String(length=64), nullable=False),
        sa.Column("risk", sa.String(length=2), nullable=False),
        sa.Column("term_days", sa.Integer(), nullable=True),
        sa.Column("min_purchase", Money(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("benchmark", sa.Text(), nullable=False),
        sa.Column("liquidity", sa.Text(), nullable=False),
        sa.Column("fees", sa.Text(), nullable=False),
        sa.Column("issuer", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("on_sale", sa.Boolean(), nullable=False),
        sa.Column("premier_only", sa.Boolean(), nullable=False),
        sa.CheckConstraint("risk IN ('R1', 'R2', 'R3', 'R4', 'R5')", name=op.f("ck_products_risk")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_products")),
        sa.UniqueConstraint("name", name=op.f("uq_products_name")),
    )
    op.create_index(op.f("ix_products_on_sale_risk"), "products", ["on_sale", "risk"])

    op.create_table(
        "product_aliases",
        sa.Column("alias", sa.String(length=64), nullable=False),
        sa.Column("product_code", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_code"], ["products.code"], name=op.f("fk_product_aliases_product_code_products")
        ),
        sa.PrimaryKeyConstraint("alias", name=op.f("pk_product_aliases")),
    )
    op.create_index(op.f("ix_product_aliases_product_code"), "product_aliases", ["product_code"])

    op.create_table(
        "holdings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=8), nullable=False),
        sa.Column("product_code", sa.String(length=16), nullable=False),
        sa.Column("units", ScaledDecimal(18, 4), nullable=False),
        sa.Column("cost", Money(), nullable=False),
        sa.Column("market_value", Money(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("matures_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name=op.f("fk_holdings_client_id_clients")),
        sa.ForeignKeyConstraint(["product_code"], ["products.code"], name=op.f("fk_holdings_product_code_products")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holdings")),
    )
    op.create_index(op.f("ix_holdings_client_id_matures_on"), "holdings", ["client_id", "matures_on"])
    op.create_index(op.f("ix_holdings_product_code"), "holdings", ["product_code"])

    op.create_table(
        "fx_rates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("base_currency", sa.String(length=3), nullable=False),
        sa.Column("quote_currency", sa.String(length=3), nullable=False),
        sa.Column("name", sa.String(length=16), nullable=False),
        sa.Column("unit", sa.Integer(), nullable=False),
        sa.Column("spot_buy", ScaledDecimal(18, 4), nullable=False),
        sa.Column("cash_buy", ScaledDecimal(18, 4), nullable=False),
        sa.Column("spot_sell", ScaledDecimal(18, 4), nullable=False),
        sa.Column("cash_sell", ScaledDecimal(18, 4), nullable=False),
        sa.Column("quoted_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fx_rates")),
        sa.UniqueConstraint(
            "base_currency", "quote_currency", "quoted_at",
            name=op.f("uq_fx_rates_base_currency_quote_currency_quoted_at"),
        ),
    )

    op.create_table(
        "channel_bindings",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=8), nullable=False),
        sa.Column("bound_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name=op.f("fk_channel_bindings_client_id_clients")),
        sa.PrimaryKeyConstraint("channel", "external_id", name=op.f("pk_channel_bindings")),
    )
    op.create_index(op.f("ix_channel_bindings_client_id"), "channel_bindings", ["client_id"])

    op.create_table(
        "profile_meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_profile_meta")),
    )


def downgrade() -> None:
    for table in (
        "profile_meta", "channel_bindings", "fx_rates", "holdings", "product_aliases", "products",
        "transactions", "accounts", "advisor_assignments", "clients", "relationship_managers",
    ):
        op.drop_table(table)
