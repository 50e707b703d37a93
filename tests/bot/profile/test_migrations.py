"""The Alembic history builds exactly the models' schema from an empty database."""
from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from bot.profile.database import alembic_config, current_revision, head_revision, upgrade_to_head
from bot.profile.models import Base

from .conftest import BACKENDS, empty_engine


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrade_from_empty_creates_the_models_schema(backend: str, tmp_path: Path) -> None:
    engine = empty_engine(backend, tmp_path)
    assert current_revision(engine) is None
    assert upgrade_to_head(engine) is True
    assert current_revision(engine) == head_revision()

    inspector = inspect(engine)
    assert set(inspector.get_table_names()) == set(Base.metadata.tables) | {"alembic_version"}
    for name, table in Base.metadata.tables.items():
        wanted = {index.name for index in table.indexes}
        assert {index["name"] for index in inspector.get_indexes(name)} >= wanted, name
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}),
                                       Base.metadata)
    assert differences == []
    engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrade_is_idempotent_and_downgrade_removes_everything(backend: str, tmp_path: Path) -> None:
    engine = empty_engine(backend, tmp_path)
    upgrade_to_head(engine)
    assert upgrade_to_head(engine) is False
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    assert current_revision(engine) is None
    engine.dispose()


def test_every_query_filter_has_an_index() -> None:
    """The columns the queries filter on lead an index (or the primary key)."""
    leading = {
        (table.name, tuple(column.name for column in index.columns))
        for table in Base.metadata.tables.values() for index in table.indexes
    }
    wanted = [
        ("clients", ("name",)),
        ("advisor_assignments", ("rm_id", "role")),
        ("relationship_managers", ("backup_rm_id",)),
        ("accounts", ("client_id", "account_type")),
        ("transactions", ("client_id", "occurred_at")),
        ("transactions", ("account_id", "occurred_at")),
        ("holdings", ("client_id", "matures_on")),
        ("products", ("on_sale", "risk")),
        ("product_aliases", ("product_code",)),
        ("channel_bindings", ("client_id",)),
        ("case_outbox", ("client_id", "created_at")),
        ("case_outbox", ("delivered_at", "next_attempt_at")),
        ("appointments", ("rm_id", "starts_at")),
        ("appointments", ("client_id", "starts_at")),
        ("handoffs", ("conversation_id",)),
        ("handoffs", ("client_id",)),
        ("handoffs", ("status", "reply_expected_by")),
        ("handoff_messages", ("handoff_id",)),
        ("csat_ratings", ("conversation_id",)),
        ("csat_ratings", ("handoff_id",)),
        ("webhook_outbox", ("delivered_at", "next_attempt_at")),
    ]
    assert [item for item in wanted if item not in leading] == []
    fx = Base.metadata.tables["fx_rates"]
    assert any([column.name for column in constraint.columns] == ["base_currency", "quote_currency", "quoted_at"]
               for constraint in fx.constraints if constraint.__class__.__name__ == "UniqueConstraint")
