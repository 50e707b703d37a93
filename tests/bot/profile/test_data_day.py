"""The data day and a client's counterparties."""
from __future__ import annotations

from datetime import date, datetime

from bot.profile.queries import counterparties_of, data_day
from bot.nlu.canonical import SHANGHAI
from bot.profile.seed import DEMO_TODAY


def test_the_data_day_is_the_last_day_with_transactions(session):
    assert data_day(session, now=datetime(2027, 3, 1, tzinfo=SHANGHAI)) == DEMO_TODAY


def test_the_data_day_is_never_after_today(session):
    assert data_day(session, now=datetime(2026, 11, 20, 12, tzinfo=SHANGHAI)) == date(2026, 11, 20)


def test_counterparties_are_the_clients_own(session):
    mine = counterparties_of(session, "C000001")
    assert mine and all(isinstance(name, str) and isinstance(category, str) for name, category in mine)
    assert ("社会保险基金", "养老金") not in mine  # 王建华 draws a salary, 李秀英 a pension
    assert ("社会保险基金", "养老金") in counterparties_of(session, "C000002")
