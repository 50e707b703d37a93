"""Each query returns what direct SQL on the same store says."""
from __future__ import annotations

import dataclasses
import random
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, List

import pytest
from sqlalchemy import insert
from sqlalchemy.orm import Session

from bot.kb import load_kb
from bot.profile.models import FxRate
from bot.profile.queries import (
    MAX_TRANSACTIONS,
    StoreFacts,
    TransactionFilter,
    accounts_of,
    client_for_openid,
    client_summary,
    clients_by_name,
    clients_of_manager,
    deposit_totals,
    fx_rate,
    fx_rates,
    holdings_of,
    mask_phone,
    maturities_for_manager,
    product,
    products,
    transactions_of,
)
from bot.profile.seed import DEMO_CLIENTS, DEMO_TODAY, SHANGHAI

from .conftest import RawSql

DEMO_IDS = [spec.id for spec in DEMO_CLIENTS]


@pytest.fixture()
def sample(raw: RawSql) -> List[str]:
    """The demo clients and 16 others, the same every run."""
    ids = [row[0] for row in raw.rows("SELECT id FROM clients ORDER BY id")]
    return DEMO_IDS + random.Random(7).sample(ids[len(DEMO_IDS):], 16)




# --------------------------------------------------------------------- clients
def test_client_summary_matches_the_rows(session: Session, raw: RawSql, sample: List[str]) -> None:
    for client_id in sample:
        summary = client_summary(session, client_id)
        row = raw.rows(
            "SELECT c.tier, c.aum, c.risk_tolerance, c.risk_expires_on, c.is_elderly, c.script, c.phone,"
            " a.rm_id, r.backup_rm_id FROM clients c"
            " JOIN advisor_assignments a ON a.client_id = c.id AND a.role = 'primary'"
            " JOIN relationship_managers r ON r.id = a.rm_id WHERE c.id = :id", id=client_id)[0]
        assert summary is not None
        assert (summary.tier, summary.aum, summary.risk_tolerance) == (row[0], raw.money(row[1]), row[2])
        assert str(summary.risk_expires_on) == str(row[3])
        assert (summary.is_elderly, summary.script) == (bool(row[4]), row[5])
        assert summary.rm is not None and summary.rm.rm_id == row[7]
        assert summary.backup_rm is not None and summary.backup_rm.rm_id == row[8]
        assert summary.phone_masked == f"{row[6][:3]}****{row[6][-4:]}"
        assert row[6] not in repr(summary)


def test_expired_risk_assessment_is_reported(session: Session) -> None:
    expired = client_summary(session, "C000002")
    valid = client_summary(session, "C000001")
    assert expired is not None and expired.risk_assessment_expired(DEMO_TODAY)
    assert valid is not None and not valid.risk_assessment_expired(DEMO_TODAY)


def test_unknown_client_has_nothing(session: Session) -> None:
    assert client_summary(session, "C999999") is None
    assert accounts_of(session, "C999999") == ()
    assert transactions_of(session, "C999999").count == 0
    assert holdings_of(session, "C999999") == ()


def test_clients_by_name(session: Session) -> None:
    found = clients_by_name(session, "王建华")
    assert [(ref.client_id, ref.rm_id) for ref in found] == [("C000001", "RM001")]
    assert clients_by_name(session, "不存在的人") == ()


def test_mask_phone() -> None:
    assert mask_phone("13812345678") == "138****5678"


# -------------------------------------------------------------------- accounts
def test_deposit_totals_equal_sql_sums(session: Session, raw: RawSql, sample: List[str]) -> None:
    for client_id in sample:
        expected = {
            currency: raw.money(total)
            for currency, total in raw.rows(
                "SELECT currency, SUM(balance) FROM accounts WHERE client_id = :id"
                " AND account_type <> '信用卡' AND status <> 'closed' GROUP BY currency", id=client_id)
        }
        assert deposit_totals(accounts_of(session, client_id)) == expected


def test_accounts_by_card_tail_and_type(session: Session, raw: RawSql, sample: List[str]) -> None:
    for client_id in sample:
        rows = raw.rows("SELECT id, number, account_type FROM accounts WHERE client_id = :id"
                        " AND status <> 'closed'", id=client_id)
        for account_id, number, account_type in rows:
            assert [view.account_id for view in accounts_of(session, client_id, card_tail=number[-4:])] == [account_id]
            by_type = accounts_of(session, client_id, account_type=account_type)
            assert account_id in [view.account_id for view in by_type]
            assert {view.account_type for view in by_type} <= ({account_type, "储蓄卡"} if account_type == "活期"
                                                               else {account_type})
        debit_cards = [row[0] for row in rows if row[2] == "储蓄卡"]
        assert [view.account_id for view in accounts_of(session, client_id, account_type="活期")] == sorted(debit_cards)
    assert accounts_of(session, "C000001", card_tail="12a4") == ()
    assert accounts_of(session, "C000001", card_tail="%") == ()


def test_another_clients_tail_finds_nothing(session: Session, raw: RawSql) -> None:
    number = raw.scalar("SELECT number FROM accounts WHERE client_id = 'C000002' ORDER BY id LIMIT 1")
    mine = {view.tail for view in accounts_of(session, "C000001")}
    if number[-4:] not in mine:
        assert accounts_of(session, "C000001", card_tail=number[-4:]) == ()


def test_credit_cards_show_limit_and_available_credit(session: Session) -> None:
    cards = accounts_of(session, "C000004", account_type="信用卡")
    assert cards and all(card.credit_limit is not None for card in cards)
    assert any(card.status == "frozen" for card in cards)
    for card in cards:
        assert card.available_credit == card.credit_limit - card.balance


def test_whole_numbers_never_leave_the_store(session: Session, raw: RawSql, sample: List[str]) -> None:
    for client_id in sample[:10]:
        numbers = [row[0] for row in raw.rows("SELECT number FROM accounts WHERE client_id = :id", id=client_id)]
        shown = repr(accounts_of(session, client_id, include_closed=True)) + repr(
            transactions_of(session, client_id, TransactionFilter(limit=MAX_TRANSACTIONS)))
        assert not any(number in shown for number in numbers)


# ---------------------------------------------------------------- transactions
def _sql_transactions(raw: RawSql, client_id: str, where: str = "", **params: Any) -> List[Any]:
    return raw.rows(
        "SELECT id, direction, amount, currency FROM transactions WHERE client_id = :id"
        f"{' AND ' + where if where else ''} ORDER BY occurred_at DESC, id DESC", id=client_id, **params)


def _check_page(raw: RawSql, page: Any, rows: List[Any], limit: int) -> None:
    assert page.count == len(rows)
    assert [item.transaction_id for item in page.items] == [row[0] for row in rows[:limit]]
    for totals in page.totals:
        assert totals.total_in == sum((raw.money(row[2]) for row in rows if row[1] == "in" and row[3] == totals.currency),
                                      Decimal("0.00"))
        assert totals.total_out == sum((raw.money(row[2]) for row in rows if row[1] == "out" and row[3] == totals.currency),
                                       Decimal("0.00"))
    assert {totals.currency for totals in page.totals} == {row[3] for row in rows}


def test_default_page_is_newest_twenty_with_totals_over_all(session: Session, raw: RawSql, sample: List[str]) -> None:
    for client_id in sample:
        page = transactions_of(session, client_id)
        rows = _sql_transactions(raw, client_id)
        _check_page(raw, page, rows, 20)
        assert page.truncated == (len(rows) > 20)
        times = [item.occurred_at for item in page.items]
        assert times == sorted(times, reverse=True)
        assert all(item.occurred_at.tzinfo is not None for item in page.items)


def test_month_filter_uses_shanghai_days(session: Session, raw: RawSql, sample: List[str]) -> None:
    start = datetime(2026, 10, 1, tzinfo=SHANGHAI)
    end = datetime(2026, 10, 31, 23, 59, 59, tzinfo=SHANGHAI)
    for client_id in sample:
        page = transactions_of(session, client_id, TransactionFilter(start=start, end=end, limit=MAX_TRANSACTIONS))
        rows = _sql_transactions(raw, client_id, "occurred_at >= :start AND occurred_at <= :end",
                                 start=raw.instant(start), end=raw.instant(end))
        _check_page(raw, page, rows, MAX_TRANSACTIONS)
        assert all(start <= item.occurred_at <= end for item in page.items)


def test_bounds_are_inclusive(session: Session) -> None:
    newest = transactions_of(session, "C000001", TransactionFilter(limit=1)).items[0]
    exact = TransactionFilter(start=newest.occurred_at, end=newest.occurred_at, min_amount=newest.amount,
                              max_amount=newest.amount)
    assert newest.transaction_id in [item.transaction_id for item in transactions_of(session, "C000001", exact).items]


def test_direction_amount_counterparty_category_filters(session: Session, raw: RawSql, sample: List[str]) -> None:
    for client_id in sample:
        cases = [
            (TransactionFilter(direction="in", limit=MAX_TRANSACTIONS), "direction = 'in'", {}),
            (TransactionFilter(direction="out", min_amount=Decimal(1000), limit=MAX_TRANSACTIONS),
             "direction = 'out' AND amount >= :low", {"low": 100_000 if raw.sqlite else Decimal(1000)}),
            (TransactionFilter(max_amount=Decimal("99.99"), limit=MAX_TRANSACTIONS), "amount <= :high",
             {"high": 9_999 if raw.sqlite else Decimal("99.99")}),
            (TransactionFilter(counterparty="美团", limit=MAX_TRANSACTIONS), "counterparty LIKE '%美团%'", {}),
            (TransactionFilter(counterparty="apple", limit=MAX_TRANSACTIONS), "LOWER(counterparty) LIKE '%apple%'", {}),
            (TransactionFilter(category="餐饮", limit=MAX_TRANSACTIONS), "category = '餐饮'", {}),
            (TransactionFilter(category="工资", direction="in", limit=5), "category = '工资' AND direction = 'in'", {}),
        ]
        for wanted, where, params in cases:
            _check_page(raw, transactions_of(session, client_id, wanted), _sql_transactions(raw, client_id, where, **params),
                        wanted.limit)


def test_account_filter_keeps_one_card(session: Session, raw: RawSql) -> None:
    card = accounts_of(session, "C000001", account_type="信用卡")[0]
    page = transactions_of(session, "C000001", TransactionFilter(account_ids=(card.account_id,), limit=MAX_TRANSACTIONS))
    rows = _sql_transactions(raw, "C000001", "account_id = :account", account=card.account_id)
    _check_page(raw, page, rows, MAX_TRANSACTIONS)
    assert page.count > 0 and {item.account_tail for item in page.items} == {card.tail}


def test_like_wildcards_are_literal(session: Session) -> None:
    assert transactions_of(session, "C000001", TransactionFilter(counterparty="%")).count == 0
    assert transactions_of(session, "C000001", TransactionFilter(counterparty="_")).count == 0


def test_limit_is_capped(session: Session) -> None:
    page = transactions_of(session, "C000001", TransactionFilter(limit=100_000))
    assert len(page.items) == min(page.count, MAX_TRANSACTIONS)


def test_bad_filters_are_refused(session: Session) -> None:
    with pytest.raises(ValueError):
        transactions_of(session, "C000001", TransactionFilter(direction="sideways"))
    with pytest.raises(Exception, match="timezone-aware"):
        transactions_of(session, "C000001", TransactionFilter(start=datetime(2026, 10, 1)))
    session.rollback()


# -------------------------------------------------------------------- holdings
def test_holdings_value_and_pnl_equal_sql(session: Session, raw: RawSql, sample: List[str]) -> None:
    for client_id in sample:
        holdings = holdings_of(session, client_id)
        rows = raw.rows("SELECT id, cost, market_value, market_value - cost FROM holdings WHERE client_id = :id",
                        id=client_id)
        assert sorted(holding.holding_id for holding in holdings) == sorted(row[0] for row in rows)
        by_id = {row[0]: row for row in rows}
        for holding in holdings:
            row = by_id[holding.holding_id]
            assert (holding.cost, holding.market_value, holding.pnl) == tuple(raw.money(value) for value in row[1:])
            assert holding.return_rate == (holding.pnl / holding.cost).quantize(Decimal("0.0001"))
        maturities = [holding.matures_on for holding in holdings if holding.matures_on]
        assert maturities == sorted(maturities)


def test_maturities_within_30_days(session: Session, sample: List[str]) -> None:
    for client_id in sample:
        for holding in holdings_of(session, client_id):
            left = holding.days_to_maturity(DEMO_TODAY)
            assert holding.matures_within(DEMO_TODAY, 30) == (left is not None and 0 <= left <= 30)


# -------------------------------------------------------------------- products
def test_product_by_code_name_and_alias(session: Session) -> None:
    assert product(session, "wm-ay30").name == "安盈30天"
    assert product(session, "安盈30天").code == "WM-AY30"
    assert product(session, "安盈30").code == "WM-AY30"
    assert product(session, "不存在的产品") is None
    assert product(session, "  ") is None


def test_products_match_the_catalogue(session: Session, raw: RawSql) -> None:
    kb = load_kb()
    everything = products(session)
    assert {item.code for item in everything} == {item.code for item in kb.products}
    for item in kb.products:
        stored = product(session, item.code)
        assert stored.risk == item.risk and stored.min_purchase == Decimal(str(item.raw["min_purchase"]))
        assert set(stored.aliases) == set(item.aliases) - {item.name}
    suitable = products(session, on_sale=True, max_risk="R2")
    expected = raw.scalar("SELECT COUNT(*) FROM products WHERE on_sale = :yes AND risk IN ('R1', 'R2')", yes=True)
    assert len(suitable) == expected and all(item.on_sale and item.risk_rank <= 2 for item in suitable)
    assert {item.type for item in products(session, product_type="基金")} == {"基金"}


# -------------------------------------------------------------------------- FX
def test_fx_rates_come_from_the_kb(session: Session) -> None:
    usd = fx_rate(session, "usd")
    assert usd is not None and (usd.spot_buy, usd.spot_sell, usd.unit) == (Decimal("716.69"), Decimal("719.71"), 100)
    assert usd.quoted_at == datetime(2026, 11, 24, 1, 30, tzinfo=timezone.utc)
    assert fx_rate(session, "XXX") is None
    assert len(fx_rates(session)) == 9


def test_latest_quote_wins(session: Session) -> None:
    later = datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI)
    session.execute(insert(FxRate), [{
        "id": 1000, "base_currency": "USD", "quote_currency": "CNY", "name": "美元", "unit": 100,
        "spot_buy": Decimal("717.00"), "cash_buy": Decimal("714.00"), "spot_sell": Decimal("720.00"),
        "cash_sell": Decimal("720.00"), "quoted_at": later}])
    assert fx_rate(session, "USD").spot_buy == Decimal("717.00")
    assert len(fx_rates(session)) == 9
    session.rollback()


# -------------------------------------------------------- bindings and managers
def test_wechat_openid_resolves_to_its_client(session: Session, raw: RawSql) -> None:
    assert client_for_openid(session, "o_demo_C000001_wechat_openid") == "C000001"
    assert client_for_openid(session, "o_unknown") is None
    for openid, client_id in raw.rows("SELECT external_id, client_id FROM channel_bindings"):
        assert client_for_openid(session, openid) == client_id


def test_manager_books_primary_and_backup(session: Session, raw: RawSql) -> None:
    for rm_id in ("RM001", "RM003", "RM010"):
        primary = {row[0] for row in raw.rows(
            "SELECT client_id FROM advisor_assignments WHERE rm_id = :rm AND role = 'primary'", rm=rm_id)}
        backup = {row[0] for row in raw.rows(
            "SELECT a.client_id FROM advisor_assignments a JOIN relationship_managers r ON r.id = a.rm_id"
            " WHERE r.backup_rm_id = :rm AND a.role = 'primary'", rm=rm_id)}
        book = clients_of_manager(session, rm_id)
        assert {item.client_id for item in book if item.role == "primary"} == primary
        assert {item.client_id for item in book if item.role == "backup"} == backup
        assert {item.client_id for item in clients_of_manager(session, rm_id, include_backup=False)} == primary


def test_maturities_for_manager_equal_sql(session: Session, raw: RawSql) -> None:
    until = DEMO_TODAY + timedelta(days=30)
    for rm_id in ("RM001", "RM003"):
        holdings = raw.rows(
            "SELECT h.client_id, h.product_code FROM holdings h JOIN advisor_assignments a ON a.client_id = h.client_id"
            " WHERE a.rm_id = :rm AND a.role = 'primary' AND h.matures_on >= :on AND h.matures_on <= :until",
            rm=rm_id, on=DEMO_TODAY, until=until)
        deposits = raw.rows(
            "SELECT c.client_id, c.number FROM accounts c JOIN advisor_assignments a ON a.client_id = c.client_id"
            " WHERE a.rm_id = :rm AND a.role = 'primary' AND c.account_type = '定期' AND c.status <> 'closed'"
            " AND c.matures_on >= :on AND c.matures_on <= :until", rm=rm_id, on=DEMO_TODAY, until=until)
        found = maturities_for_manager(session, rm_id, DEMO_TODAY, 30)
        assert sorted((item.client_id, item.product_code) for item in found if item.kind == "holding") == sorted(
            (row[0], row[1]) for row in holdings)
        assert sorted((item.client_id, item.account_tail) for item in found if item.kind == "deposit") == sorted(
            (row[0], row[1][-4:]) for row in deposits)
        assert all(DEMO_TODAY <= item.matures_on <= until and item.role == "primary" for item in found)
    covering = maturities_for_manager(session, "RM003", DEMO_TODAY, 30, include_backup=True)
    assert {item.role for item in covering} == {"primary", "backup"}


def test_store_facts_for_access_rules(session: Session) -> None:
    facts = StoreFacts(session)
    monday_morning = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
    assert facts.primary_rm_of("C000002") == "RM004"
    assert facts.primary_rm_of("C999999") is None
    assert facts.backup_rm_of("RM004") == "RM003"
    assert not facts.is_on_duty("RM004", monday_morning)  # on leave
    assert facts.is_on_duty("RM003", monday_morning)
    assert not facts.is_on_duty("RM003", monday_morning.replace(hour=20))
    assert not facts.is_on_duty("RM001", datetime(2026, 11, 22, 10, 0, tzinfo=SHANGHAI))  # a Sunday
    assert not facts.is_on_duty("RM999", monday_morning)
    # public holidays close the branch for access as for handoffs; an adjusted working Sunday opens it
    assert not facts.is_on_duty("RM001", datetime(2026, 10, 1, 10, 0, tzinfo=SHANGHAI))  # National Day, a Thursday
    assert facts.is_on_duty("RM001", datetime(2026, 9, 20, 10, 0, tzinfo=SHANGHAI))  # a Sunday worked for it


# ----------------------------------------------------------------------- money
def test_money_is_decimal_everywhere(session: Session, sample: List[str]) -> None:
    views: List[Any] = []
    for client_id in sample[:8]:
        views.append(client_summary(session, client_id))
        views.extend(accounts_of(session, client_id))
        page = transactions_of(session, client_id)
        views.extend(page.items)
        views.extend(page.totals)
        views.extend(holdings_of(session, client_id))
    views.extend(products(session))
    views.extend(fx_rates(session))
    views.extend(maturities_for_manager(session, "RM001", DEMO_TODAY, 60))
    money_names = {"aum", "balance", "credit_limit", "amount", "total_in", "total_out", "units", "cost",
                   "market_value", "min_purchase", "spot_buy", "cash_buy", "spot_sell", "cash_sell"}
    checked = 0
    for view in views:
        for item in dataclasses.fields(view):
            value = getattr(view, item.name)
            assert not isinstance(value, float), (type(view).__name__, item.name)
            if item.name in money_names and value is not None:
                assert isinstance(value, Decimal), (type(view).__name__, item.name)
                checked += 1
    assert checked > 100
