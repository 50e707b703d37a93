"""Engine and session set-up: the URL, foreign keys on SQLite, one commit per unit of work."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from bot.profile.database import (
    DEFAULT_DATABASE_PATH,
    database_url,
    make_engine,
    make_session_factory,
    session_scope,
    upgrade_to_head,
)
from bot.profile.models import Account, ProfileMeta


def test_url_comes_from_the_environment_or_defaults_to_var() -> None:
    assert database_url({"PROFILE_DATABASE_URL": "postgresql://db/profile"}) == "postgresql://db/profile"
    assert database_url({}) == f"sqlite:///{DEFAULT_DATABASE_PATH}"
    assert DEFAULT_DATABASE_PATH.parent.name == "var"


def test_sqlite_folder_is_created_and_foreign_keys_are_enforced(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'new' / 'profile.db'}")
    upgrade_to_head(engine)
    assert (tmp_path / "new" / "profile.db").exists()
    with pytest.raises(IntegrityError):
        with engine.begin() as connection:
            connection.execute(insert(Account), [{
                "id": "A1", "client_id": "C404404", "account_type": "储蓄卡", "currency": "CNY",
                "number": "6214830000000000001", "balance": Decimal("1.00"), "status": "normal",
                "opened_on": date(2020, 1, 1)}])


def test_session_scope_commits_or_rolls_back(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'profile.db'}")
    upgrade_to_head(engine)
    factory = make_session_factory(engine)
    with session_scope(factory) as session:
        session.add(ProfileMeta(key="kept", value="1"))
    with pytest.raises(RuntimeError):
        with session_scope(factory) as session:
            session.add(ProfileMeta(key="dropped", value="1"))
            session.flush()
            raise RuntimeError("the unit of work failed")
    with factory() as session:
        assert session.scalars(select(ProfileMeta.key)).all() == ["kept"]
        assert session.execute(select(func.count()).select_from(ProfileMeta)).scalar() == 1
