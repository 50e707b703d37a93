"""The Alembic history builds exactly the models' schema, in its own version table."""
from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from bot.case_service.database import (
    VERSION_TABLE,
    alembic_config,
    current_revision,
    database_url,
    head_revision,
    make_engine,
    upgrade_to_head,
)
from bot.case_service.models import Base
from bot.profile import database as profile_database


def test_upgrade_from_empty_creates_the_models_schema_and_downgrade_removes_it(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'cases.db'}")
    assert current_revision(engine) is None
    assert upgrade_to_head(engine) is True
    assert upgrade_to_head(engine) is False
    assert current_revision(engine) == head_revision()
    assert set(inspect(engine).get_table_names()) == set(Base.metadata.tables) | {VERSION_TABLE}
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "version_table": VERSION_TABLE})
        assert compare_metadata(context, Base.metadata) == []
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "base")
    assert set(inspect(engine).get_table_names()) <= {VERSION_TABLE}
    engine.dispose()


def test_cases_and_profile_can_share_one_database(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'shared.db'}")
    profile_database.upgrade_to_head(engine)
    assert upgrade_to_head(engine) is True
    assert profile_database.current_revision(engine) == profile_database.head_revision()
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_database_url_from_the_environment_or_var() -> None:
    assert database_url({"CASE_DATABASE_URL": "postgresql+psycopg2://h/cases"}) == "postgresql+psycopg2://h/cases"
    assert database_url({}).endswith("/var/cases.db")


@pytest.mark.parametrize("module", ["bot.case_service", "bot.case_service.app", "bot.case_service.auth",
                                    "bot.case_service.database", "bot.case_service.deadlines",
                                    "bot.case_service.lifecycle", "bot.case_service.models",
                                    "bot.case_service.priority", "bot.case_service.schemas", "bot.case_service.serve",
                                    "bot.case_service.store"])
def test_all_names_exist(module: str) -> None:
    loaded = importlib.import_module(module)
    assert [name for name in loaded.__all__ if not hasattr(loaded, name)] == []
