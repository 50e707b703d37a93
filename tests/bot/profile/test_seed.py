"""The demo bank: deterministic, big enough, and shaped like a premier bank's book."""
from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Dict

from sqlalchemy import insert, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.kb import load_kb
from bot.profile.database import make_session_factory, upgrade_to_head
from bot.profile.models import Client
from bot.profile.seed import (
    DEMO_CLIENTS,
    DEMO_TODAY,
    SHANGHAI,
    SeedConfig,
    build_demo_bank,
    demo_clients,
    ensure_demo_bank,
    tier_for_aum,
)

from .conftest import RawSql, empty_engine, seeded_engine_for


def checksums(engine: Engine) -> Dict[str, str]:
    """A hash of every table's rows in primary-key order."""
    inspector = inspect(engine)
    sums = {}
    with engine.connect() as connection:
        for table in sorted(inspector.get_table_names()):
            keys = ", ".join(inspector.get_pk_constraint(table)["constrained_columns"])
            digest = hashlib.sha256()
            for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY {keys}")):
                digest.update(repr(tuple(row)).encode())
            sums[table] = digest.hexdigest()
    return sums


def test_two_seeds_give_the_same_database(tmp_path: Path) -> None:
    first = seeded_engine_for("sqlite", tmp_path / "first")
    second = seeded_engine_for("sqlite", tmp_path / "second")
    assert checksums(first) == checksums(second)
    other_seed = seeded_engine_for("sqlite", tmp_path / "other", SeedConfig(seed=1))
    differing = {table for table, digest in checksums(other_seed).items() if checksums(first)[table] != digest}
    assert {"clients", "accounts", "transactions"} <= differing


def test_counts(raw: RawSql) -> None:
    assert raw.scalar("SELECT COUNT(*) FROM clients") >= 300
    assert raw.scalar("SELECT COUNT(*) FROM relationship_managers") >= 20
    assert raw.scalar("SELECT COUNT(DISTINCT branch) FROM relationship_managers") >= 3
    assert raw.scalar("SELECT COUNT(*) FROM transactions") >= 30_000
    assert raw.scalar("SELECT COUNT(*) FROM products") >= 30
    assert raw.scalar("SELECT COUNT(DISTINCT risk) FROM products") == 5
    assert raw.scalar("SELECT COUNT(DISTINCT type) FROM products") >= 5
    assert raw.scalar("SELECT COUNT(*) FROM fx_rates") == 9
    assert raw.scalar("SELECT COUNT(*) FROM channel_bindings WHERE channel = 'wechat'") >= 5
    assert {row[0] for row in raw.rows("SELECT DISTINCT tier FROM clients")} == {"金卡", "白金", "钻石", "私人银行"}
    assert {row[0] for row in raw.rows("SELECT DISTINCT risk_tolerance FROM clients")} == {"C1", "C2", "C3", "C4", "C5"}


def test_every_manager_has_a_backup_in_the_same_branch(raw: RawSql) -> None:
    rows = raw.rows("SELECT m.id, m.backup_rm_id, m.branch, b.branch FROM relationship_managers m"
                    " LEFT JOIN relationship_managers b ON b.id = m.backup_rm_id")
    branches = {branch.name for branch in load_kb().branches}
    for rm_id, backup_id, branch, backup_branch in rows:
        assert backup_id and backup_id != rm_id and branch == backup_branch and branch in branches
    assert raw.scalar("SELECT COUNT(*) FROM relationship_managers WHERE status <> 'on_duty'") >= 1


def test_twelve_months_of_transactions_end_on_the_demo_day(raw: RawSql) -> None:
    first, last = (raw.read_instant(value) for value in
                   raw.rows("SELECT MIN(occurred_at), MAX(occurred_at) FROM transactions")[0])
    assert last.astimezone(SHANGHAI).date() == DEMO_TODAY
    assert (DEMO_TODAY - first.astimezone(SHANGHAI).date()).days >= 360


def test_salary_arrives_on_the_same_day_every_month(session: Session) -> None:
    from bot.profile.queries import TransactionFilter, transactions_of

    salaries = transactions_of(session, "C000001", TransactionFilter(category="工资", direction="in", limit=50)).items
    regular = [item for item in salaries if item.description == "代发工资"]
    assert len(regular) == 12
    assert len({item.occurred_at.astimezone(SHANGHAI).day for item in regular}) == 1
    assert len({item.amount for item in regular}) == 1


def test_merchants_and_categories_look_real(raw: RawSql) -> None:
    merchants = {row[0] for row in raw.rows("SELECT DISTINCT counterparty FROM transactions")}
    assert {"美团外卖", "京东", "盒马", "滴滴出行", "携程旅行", "国家电网", "中国移动"} <= merchants
    categories = {row[0] for row in raw.rows("SELECT DISTINCT category FROM transactions")}
    assert {"工资", "房贷", "房租", "转账", "餐饮", "购物", "信用卡还款", "水电燃气", "通讯"} <= categories


def test_accounts_cover_the_cases_the_actions_need(raw: RawSql) -> None:
    kinds = Counter((row[0], row[1], row[2]) for row in raw.rows("SELECT account_type, currency, status FROM accounts"))
    assert kinds[("信用卡", "CNY", "normal")] > 100
    assert sum(count for (kind, _, status), count in kinds.items() if status == "frozen") >= 5
    assert kinds[("外币账户", "USD", "normal")] > 10 and kinds[("外币账户", "HKD", "normal")] > 10
    assert kinds[("定期", "CNY", "normal")] > 50
    assert raw.scalar("SELECT COUNT(*) FROM accounts WHERE account_type = '信用卡' AND credit_limit IS NULL") == 0
    duplicates = raw.scalar("SELECT COUNT(*) FROM (SELECT client_id, SUBSTR(number, LENGTH(number) - 3) AS tail"
                            " FROM accounts GROUP BY client_id, tail HAVING COUNT(*) > 1) AS repeated")
    assert duplicates == 0  # a tail names one account of a client


def test_clients_cover_the_cases_the_actions_need(raw: RawSql) -> None:
    today = DEMO_TODAY
    assert raw.scalar("SELECT COUNT(*) FROM clients WHERE risk_expires_on < :today", today=today) >= 10
    assert raw.scalar("SELECT COUNT(*) FROM clients WHERE is_elderly = :yes", yes=True) >= 20
    assert raw.scalar("SELECT COUNT(*) FROM clients WHERE script = 'hant'") >= 20
    soon = raw.scalar("SELECT COUNT(*) FROM holdings WHERE matures_on >= :today AND matures_on <= :until",
                      today=today, until=today + timedelta(days=30))
    assert soon >= 50


def test_tier_follows_aum_and_aum_adds_up(raw: RawSql) -> None:
    rates = {code: raw.decimal(spot_buy, 4) / unit
             for code, spot_buy, unit in raw.rows("SELECT base_currency, spot_buy, unit FROM fx_rates")}
    rates["CNY"] = Decimal(1)
    for client_id, tier, aum in raw.rows("SELECT id, tier, aum FROM clients ORDER BY id")[:60]:
        total = Decimal(0)
        for currency, balance in raw.rows("SELECT currency, balance FROM accounts WHERE client_id = :id"
                                          " AND account_type <> '信用卡' AND status <> 'closed'", id=client_id):
            total += raw.money(balance) * rates[currency]
        for currency, value in raw.rows("SELECT currency, market_value FROM holdings WHERE client_id = :id",
                                        id=client_id):
            total += raw.money(value) * rates[currency]
        assert abs(total - raw.money(aum)) <= Decimal("0.05"), client_id
        assert tier == tier_for_aum(raw.money(aum))


def test_holdings_never_exceed_the_clients_risk_level(raw: RawSql) -> None:
    above = raw.scalar(
        "SELECT COUNT(*) FROM holdings h JOIN clients c ON c.id = h.client_id JOIN products p ON p.code = h.product_code"
        " WHERE CAST(SUBSTR(p.risk, 2, 1) AS INTEGER) > CAST(SUBSTR(c.risk_tolerance, 2, 1) AS INTEGER)")
    assert above == 0


def test_demo_clients_are_as_documented(session: Session) -> None:
    stored = {row["id"]: row for row in demo_clients(session)}
    assert len(stored) == len(DEMO_CLIENTS)
    for spec in DEMO_CLIENTS:
        row = stored[spec.id]
        assert (row["name"], row["tier"], row["risk_tolerance"], row["rm_id"]) == (
            spec.name, spec.tier, spec.risk_tolerance, spec.rm_id)
    assert Counter(row["tier"] for row in stored.values()) == Counter({"金卡": 2, "白金": 2, "钻石": 2, "私人银行": 2})


def test_demo_clients_have_their_documented_traits(session: Session) -> None:
    from bot.profile.queries import accounts_of, client_for_openid, client_summary, holdings_of

    for spec in DEMO_CLIENTS:
        summary = client_summary(session, spec.id)
        assert summary is not None
        assert summary.risk_assessment_expired(DEMO_TODAY) == spec.risk_expired, spec.id
        assert (summary.script, summary.age_band) == (spec.script, spec.age_band)
        accounts = accounts_of(session, spec.id)
        cards = [account for account in accounts if account.account_type == "信用卡"]
        assert cards and any(card.status == "frozen" for card in cards) == spec.credit_card_frozen
        foreign = {account.currency for account in accounts if account.account_type == "外币账户"}
        assert foreign == ({spec.foreign_currency} if spec.foreign_currency else set())
        held = holdings_of(session, spec.id)
        assert set(spec.product_codes) <= {holding.product_code for holding in held}
        assert set(spec.maturing_in_days) <= {holding.days_to_maturity(DEMO_TODAY) for holding in held}
        if spec.wechat_openid:
            assert client_for_openid(session, spec.wechat_openid) == spec.id


def test_the_demo_day_is_configurable() -> None:
    rows = build_demo_bank(SeedConfig(today=date(2026, 6, 30), client_count=20))
    days = [row["occurred_at"].astimezone(SHANGHAI).date() for row in rows["transactions"]]
    assert max(days) == date(2026, 6, 30)
    assert min(days) > date(2025, 6, 30)
    assert all(row["matures_on"] is None or row["matures_on"] > date(2026, 6, 30) for row in rows["holdings"])


def test_building_twice_gives_equal_rows() -> None:
    config = SeedConfig(client_count=30)
    assert build_demo_bank(config) == build_demo_bank(config)


def test_ensure_seeds_once_and_reseeds_when_the_config_changes(tmp_path: Path) -> None:
    engine = empty_engine("sqlite", tmp_path)
    upgrade_to_head(engine)
    factory = make_session_factory(engine)
    small = SeedConfig(client_count=12)
    with factory() as session:
        assert ensure_demo_bank(session, small) == "seeded"
    before = checksums(engine)
    with factory() as session:
        assert ensure_demo_bank(session, small) == "up to date"
    assert checksums(engine) == before
    with factory() as session:
        assert ensure_demo_bank(session, replace(small, today=date(2026, 11, 1))) == "re-seeded"
    assert checksums(engine)["transactions"] != before["transactions"]


def test_ensure_keeps_a_store_it_did_not_seed(tmp_path: Path) -> None:
    engine = empty_engine("sqlite", tmp_path)
    upgrade_to_head(engine)
    with make_session_factory(engine)() as session:
        session.execute(insert(Client), [{
            "id": "C100000", "name": "真实客户", "tier": "金卡", "aum": Decimal("600000.00"), "risk_tolerance": "C3",
            "risk_assessed_on": DEMO_TODAY, "risk_expires_on": DEMO_TODAY + timedelta(days=365), "script": "hans",
            "age_band": "30-44", "is_elderly": False, "phone": "13800000000"}])
        session.commit()
        assert ensure_demo_bank(session, SeedConfig(client_count=12)).startswith("kept")
        assert session.execute(text("SELECT COUNT(*) FROM clients")).scalar() == 1
