"""Money stays Decimal and instants stay aware, on SQLite as on PostgreSQL."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, insert, select
from sqlalchemy.exc import StatementError

from bot.profile.types import Money, ScaledDecimal, UtcDateTime

from .conftest import BACKENDS, empty_engine

metadata = MetaData()
values = Table(
    "type_probe", metadata,
    Column("id", Integer, primary_key=True),
    Column("money", Money()),
    Column("rate", ScaledDecimal(18, 4)),
    Column("at", UtcDateTime()),
)


@pytest.fixture(params=BACKENDS)
def engine(request, tmp_path: Path):
    engine = empty_engine(request.param, tmp_path)
    metadata.create_all(engine)
    yield engine
    metadata.drop_all(engine)
    engine.dispose()


def test_money_round_trips_exactly(engine) -> None:
    amounts = [Decimal("9999999999999999.99"), Decimal("0.01"), Decimal("-1234567.89"), Decimal("0.10")]
    with engine.begin() as connection:
        connection.execute(insert(values), [{"id": index, "money": amount} for index, amount in enumerate(amounts)])
        stored = connection.execute(select(values.c.money).order_by(values.c.id)).scalars().all()
        total = connection.execute(select(values.c.money).where(values.c.id > 0)).scalars().all()
    assert stored == amounts and all(isinstance(value, Decimal) for value in stored)
    assert sum(total) == Decimal("-1234567.78")


def test_sums_in_sql_are_exact(engine) -> None:
    from sqlalchemy import func

    with engine.begin() as connection:
        connection.execute(insert(values), [{"id": index, "money": Decimal("0.10")} for index in range(1000)])
        assert connection.execute(select(func.sum(values.c.money))).scalar() == Decimal("100.00")


def test_floats_are_refused(engine) -> None:
    with pytest.raises(StatementError, match="never float"):
        with engine.begin() as connection:
            connection.execute(insert(values), [{"id": 1, "money": 0.1}])


def test_rates_keep_four_decimals(engine) -> None:
    with engine.begin() as connection:
        connection.execute(insert(values), [{"id": 1, "rate": Decimal("4.8374")}])
        assert connection.execute(select(values.c.rate)).scalar() == Decimal("4.8374")


def test_instants_come_back_aware_in_utc(engine) -> None:
    shanghai = timezone(timedelta(hours=8))
    moment = datetime(2026, 11, 24, 9, 30, 15, tzinfo=shanghai)
    with engine.begin() as connection:
        connection.execute(insert(values), [{"id": 1, "at": moment}])
        stored = connection.execute(select(values.c.at)).scalar()
    assert stored == moment and stored.tzinfo is not None and stored.utcoffset() == timedelta(0)


def test_naive_instants_are_refused(engine) -> None:
    with pytest.raises(StatementError, match="timezone-aware"):
        with engine.begin() as connection:
            connection.execute(insert(values), [{"id": 1, "at": datetime(2026, 11, 24, 9, 30)}])
