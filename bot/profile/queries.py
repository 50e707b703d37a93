"""Typed reads of the profile store for the assistant's services.

Every function takes a session and explicit ids and returns frozen dataclasses,
never ORM objects. None of them decides who may see what: the authorisation
module calls these after it has. Account and card numbers leave this module
only as their last four digits (``tail``), phone numbers only masked.

Times going in must be timezone-aware; times coming out are aware, in UTC.
Money is :class:`~decimal.Decimal` in the account's or product's currency.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo
from decimal import Decimal
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from bot.profile.models import (
    Account,
    AdvisorAssignment,
    ChannelBinding,
    Client,
    FxRate,
    Holding,
    Product,
    ProductAlias,
    RelationshipManager,
    Transaction,
)

__all__ = [
    "MAX_TRANSACTIONS",
    "ManagerView",
    "ClientSummary",
    "ClientRef",
    "AccountView",
    "TransactionFilter",
    "TransactionView",
    "CurrencyTotals",
    "TransactionPage",
    "HoldingView",
    "ProductView",
    "FxRateView",
    "ManagedClient",
    "Maturity",
    "mask_phone",
    "client_summary",
    "clients_by_name",
    "accounts_of",
    "deposit_totals",
    "transactions_of",
    "data_day",
    "counterparties_of",
    "holdings_of",
    "product",
    "products",
    "fx_rates",
    "fx_rate",
    "client_for_openid",
    "manager",
    "primary_rm_of",
    "StoreFacts",
    "clients_of_manager",
    "maturities_for_manager",
    "maturities_of_client",
]

MAX_TRANSACTIONS = 200
# an account type asked for → the stored types that answer it (a debit card is a 活期 account)
_TYPES_ANSWERING = {"活期": ("活期", "储蓄卡")}
_CHUNK = 500
_BRANCH_TIME = ZoneInfo("Asia/Shanghai")  # managers' working hours are branch time


def mask_phone(phone: str) -> str:
    """138****5678: the first three and last four digits."""
    digits = "".join(char for char in phone if char.isdigit())
    if len(digits) < 8:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def _tail(number: str) -> str:
    return number[-4:]


def _rank(level: str) -> int:
    return int(level[1:])


# ------------------------------------------------------------------- managers
@dataclass(frozen=True)
class ManagerView:
    rm_id: str
    name: str
    branch: str
    status: str  # on_duty / off / leave
    work_days: str  # ISO weekdays, "12345" = Mon–Fri
    work_start: time
    work_end: time
    backup_rm_id: Optional[str]

    def is_working(self, at: datetime) -> bool:
        """On duty, on a working day of theirs that is no public holiday (adjusted working days
        count), within their hours, at the aware ``at``: the test handoff routing uses, so the
        backup RM covers exactly when the handoffs go to them."""
        from bot.handoff.routing import at_work  # imported here: routing reads this module's records

        return at_work(self, at)


def _manager_view(row: RelationshipManager) -> ManagerView:
    return ManagerView(row.id, row.name, row.branch, row.status, row.work_days, row.work_start,
                       row.work_end, row.backup_rm_id)


def manager(session: Session, rm_id: str) -> Optional[ManagerView]:
    row = session.get(RelationshipManager, rm_id)
    return _manager_view(row) if row else None


def primary_rm_of(session: Session, client_id: str) -> Optional[str]:
    """The id of the client's relationship manager; None when there is no such client."""
    assignment = session.get(AdvisorAssignment, (client_id, "primary"))
    return assignment.rm_id if assignment else None


class StoreFacts:
    """The facts ``bot.access`` needs (its ``ProfileFacts`` protocol), read from one session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def primary_rm_of(self, client_id: str) -> Optional[str]:
        return primary_rm_of(self._session, client_id)

    def backup_rm_of(self, rm_id: str) -> Optional[str]:
        found = manager(self._session, rm_id)
        return found.backup_rm_id if found else None

    def is_on_duty(self, rm_id: str, at: datetime) -> bool:
        found = manager(self._session, rm_id)
        return found is not None and found.is_working(at)


# -------------------------------------------------------------------- clients
@dataclass(frozen=True)
class ClientSummary:
    client_id: str
    name: str
    tier: str
    aum: Decimal  # CNY equivalent
    risk_tolerance: str  # C1–C5
    risk_assessed_on: date
    risk_expires_on: date
    script: str  # hans / hant
    age_band: str
    is_elderly: bool
    phone_masked: str
    rm: Optional[ManagerView]
    backup_rm: Optional[ManagerView]

    @property
    def risk_rank(self) -> int:
        return _rank(self.risk_tolerance)

    def risk_assessment_expired(self, on: date) -> bool:
        return on > self.risk_expires_on


def client_summary(session: Session, client_id: str) -> Optional[ClientSummary]:
    primary = aliased(RelationshipManager)
    backup = aliased(RelationshipManager)
    statement = (
        select(Client, primary, backup)
        .outerjoin(AdvisorAssignment, and_(AdvisorAssignment.client_id == Client.id,
                                           AdvisorAssignment.role == "primary"))
        .outerjoin(primary, primary.id == AdvisorAssignment.rm_id)
        .outerjoin(backup, backup.id == primary.backup_rm_id)
        .where(Client.id == client_id)
    )
    row = session.execute(statement).first()
    if row is None:
        return None
    client, rm, backup_rm = row
    return ClientSummary(
        client_id=client.id, name=client.name, tier=client.tier, aum=client.aum,
        risk_tolerance=client.risk_tolerance, risk_assessed_on=client.risk_assessed_on,
        risk_expires_on=client.risk_expires_on, script=client.script, age_band=client.age_band,
        is_elderly=client.is_elderly, phone_masked=mask_phone(client.phone),
        rm=_manager_view(rm) if rm else None, backup_rm=_manager_view(backup_rm) if backup_rm else None,
    )


@dataclass(frozen=True)
class ClientRef:
    client_id: str
    name: str
    tier: str
    rm_id: Optional[str]


def clients_by_name(session: Session, name: str) -> Tuple[ClientRef, ...]:
    """Clients whose name is exactly ``name`` (several people can share a name)."""
    statement = (
        select(Client.id, Client.name, Client.tier, AdvisorAssignment.rm_id)
        .outerjoin(AdvisorAssignment, and_(AdvisorAssignment.client_id == Client.id,
                                           AdvisorAssignment.role == "primary"))
        .where(Client.name == name.strip())
        .order_by(Client.id)
    )
    return tuple(ClientRef(*row) for row in session.execute(statement))


# ------------------------------------------------------------------- accounts
@dataclass(frozen=True)
class AccountView:
    account_id: str
    account_type: str  # the contract's canonical account_type value
    currency: str
    tail: str  # last four digits; the whole number never leaves the store
    balance: Decimal  # credit card: amount owed
    credit_limit: Optional[Decimal]
    status: str  # normal / frozen / closed
    opened_on: date
    matures_on: Optional[date]

    @property
    def is_credit(self) -> bool:
        return self.account_type == "信用卡"

    @property
    def available_credit(self) -> Optional[Decimal]:
        if self.credit_limit is None:
            return None
        return max(self.credit_limit - self.balance, Decimal("0.00"))


def _valid_tail(card_tail: str) -> bool:
    return len(card_tail) == 4 and card_tail.isascii() and card_tail.isdigit()


def accounts_of(
    session: Session,
    client_id: str,
    account_type: Optional[str] = None,
    card_tail: Optional[str] = None,
    currency: Optional[str] = None,
    include_closed: bool = False,
) -> Tuple[AccountView, ...]:
    """A client's accounts, optionally of one type (活期 includes debit cards), tail or currency."""
    conditions: List[ColumnElement] = [Account.client_id == client_id]
    if account_type:
        conditions.append(Account.account_type.in_(_TYPES_ANSWERING.get(account_type, (account_type,))))
    if card_tail is not None:
        if not _valid_tail(card_tail):
            return ()
        conditions.append(Account.number.like(f"%{card_tail}"))
    if currency:
        conditions.append(Account.currency == currency.upper())
    if not include_closed:
        conditions.append(Account.status != "closed")
    statement = select(Account).where(*conditions).order_by(Account.id)
    return tuple(
        AccountView(row.id, row.account_type, row.currency, _tail(row.number), row.balance, row.credit_limit,
                    row.status, row.opened_on, row.matures_on)
        for row in session.scalars(statement)
    )


def deposit_totals(accounts: Iterable[AccountView]) -> Dict[str, Decimal]:
    """Balances of deposit accounts (not credit cards, not closed) by currency."""
    totals: Dict[str, Decimal] = {}
    for account in accounts:
        if account.is_credit or account.status == "closed":
            continue
        totals[account.currency] = totals.get(account.currency, Decimal("0.00")) + account.balance
    return totals


# --------------------------------------------------------------- transactions
@dataclass(frozen=True)
class TransactionFilter:
    """Which transactions: every bound is inclusive; None means no bound."""

    start: Optional[datetime] = None
    end: Optional[datetime] = None
    direction: Optional[str] = None  # in / out
    min_amount: Optional[Decimal] = None
    max_amount: Optional[Decimal] = None
    counterparty: Optional[str] = None  # substring, case-insensitive
    category: Optional[str] = None
    account_ids: Tuple[str, ...] = ()
    currency: Optional[str] = None
    limit: int = 20  # newest first; capped at MAX_TRANSACTIONS


@dataclass(frozen=True)
class TransactionView:
    transaction_id: int
    account_id: str
    account_type: str
    account_tail: str
    occurred_at: datetime  # aware, UTC
    amount: Decimal  # positive
    currency: str
    direction: str
    counterparty: str
    channel: str
    description: str
    category: str


@dataclass(frozen=True)
class CurrencyTotals:
    currency: str
    count: int
    total_in: Decimal
    total_out: Decimal

    @property
    def net(self) -> Decimal:
        return self.total_in - self.total_out


@dataclass(frozen=True)
class TransactionPage:
    items: Tuple[TransactionView, ...]  # newest first, at most the filter's limit
    count: int  # every match, not only the items
    totals: Tuple[CurrencyTotals, ...]  # over every match, by currency

    @property
    def truncated(self) -> bool:
        return self.count > len(self.items)


def _transaction_conditions(client_id: str, wanted: TransactionFilter) -> List[ColumnElement]:
    if wanted.direction not in (None, "in", "out"):
        raise ValueError(f"direction must be 'in' or 'out', not {wanted.direction!r}")
    conditions: List[ColumnElement] = [Transaction.client_id == client_id]
    if wanted.start is not None:
        conditions.append(Transaction.occurred_at >= wanted.start)
    if wanted.end is not None:
        conditions.append(Transaction.occurred_at <= wanted.end)
    if wanted.direction:
        conditions.append(Transaction.direction == wanted.direction)
    if wanted.min_amount is not None:
        conditions.append(Transaction.amount >= wanted.min_amount)
    if wanted.max_amount is not None:
        conditions.append(Transaction.amount <= wanted.max_amount)
    if wanted.counterparty:
        conditions.append(func.lower(Transaction.counterparty).contains(
            wanted.counterparty.strip().lower(), autoescape=True))
    if wanted.category:
        conditions.append(Transaction.category == wanted.category)
    if wanted.account_ids:
        conditions.append(Transaction.account_id.in_(wanted.account_ids))
    if wanted.currency:
        conditions.append(Transaction.currency == wanted.currency.upper())
    return conditions


def transactions_of(
    session: Session, client_id: str, wanted: TransactionFilter = TransactionFilter()
) -> TransactionPage:
    """A client's transactions matching ``wanted``, newest first, with totals over all matches."""
    conditions = _transaction_conditions(client_id, wanted)
    limit = max(0, min(wanted.limit, MAX_TRANSACTIONS))
    statement = (
        select(Transaction, Account.account_type, Account.number)
        .join(Account, Account.id == Transaction.account_id)
        .where(*conditions)
        .order_by(Transaction.occurred_at.desc(), Transaction.id.desc())
        .limit(limit)
    )
    items = tuple(
        TransactionView(row.id, row.account_id, account_type, _tail(number), row.occurred_at, row.amount,
                        row.currency, row.direction, row.counterparty, row.channel, row.description,
                        row.category)
        for row, account_type, number in session.execute(statement)
    )
    sums = (
        select(Transaction.currency, Transaction.direction, func.count(), func.sum(Transaction.amount))
        .where(*conditions)
        .group_by(Transaction.currency, Transaction.direction)
    )
    by_currency: Dict[str, Dict[str, Tuple[int, Decimal]]] = {}
    for currency, direction, count, total in session.execute(sums):
        by_currency.setdefault(currency, {})[direction] = (count, total or Decimal("0.00"))
    zero = (0, Decimal("0.00"))
    totals = tuple(
        CurrencyTotals(currency, parts.get("in", zero)[0] + parts.get("out", zero)[0],
                       parts.get("in", zero)[1], parts.get("out", zero)[1])
        for currency, parts in sorted(by_currency.items())
    )
    return TransactionPage(items, sum(total.count for total in totals), totals)


# ------------------------------------------------------------------- holdings
@dataclass(frozen=True)
class HoldingView:
    holding_id: int
    product_code: str
    product_name: str
    product_type: str
    risk: str  # R1–R5
    currency: str
    units: Decimal
    cost: Decimal
    market_value: Decimal
    started_on: date
    matures_on: Optional[date]

    @property
    def pnl(self) -> Decimal:
        return self.market_value - self.cost

    @property
    def return_rate(self) -> Optional[Decimal]:
        """P&L over cost, e.g. Decimal('0.0325') for 3.25 %; None when nothing was paid."""
        if not self.cost:
            return None
        return (self.pnl / self.cost).quantize(Decimal("0.0001"))

    def days_to_maturity(self, on: date) -> Optional[int]:
        return (self.matures_on - on).days if self.matures_on else None

    def matures_within(self, on: date, days: int) -> bool:
        left = self.days_to_maturity(on)
        return left is not None and 0 <= left <= days


def holdings_of(session: Session, client_id: str) -> Tuple[HoldingView, ...]:
    """A client's holdings, soonest maturity first (open-ended last)."""
    statement = (
        select(Holding, Product.name, Product.type, Product.risk)
        .join(Product, Product.code == Holding.product_code)
        .where(Holding.client_id == client_id)
        .order_by(Holding.matures_on.is_(None), Holding.matures_on, Holding.product_code, Holding.id)
    )
    return tuple(
        HoldingView(row.id, row.product_code, name, product_type, risk, row.currency, row.units, row.cost,
                    row.market_value, row.started_on, row.matures_on)
        for row, name, product_type, risk in session.execute(statement)
    )


# ------------------------------------------------------------------- products
@dataclass(frozen=True)
class ProductView:
    code: str
    name: str
    aliases: Tuple[str, ...]
    type: str
    subtype: str
    risk: str  # R1–R5
    term_days: Optional[int]
    min_purchase: Decimal
    currency: str
    benchmark: str
    liquidity: str
    fees: str
    issuer: str
    description: str
    on_sale: bool
    premier_only: bool

    @property
    def risk_rank(self) -> int:
        return _rank(self.risk)


def _product_views(session: Session, rows: Sequence[Product]) -> Tuple[ProductView, ...]:
    codes = [row.code for row in rows]
    aliases: Dict[str, List[str]] = {code: [] for code in codes}
    for start in range(0, len(codes), _CHUNK):
        statement = (
            select(ProductAlias.product_code, ProductAlias.alias)
            .where(ProductAlias.product_code.in_(codes[start:start + _CHUNK]))
            .order_by(ProductAlias.product_code, ProductAlias.alias)
        )
        for code, alias in session.execute(statement):
            aliases[code].append(alias)
    return tuple(
        ProductView(row.code, row.name, tuple(aliases[row.code]), row.type, row.subtype, row.risk, row.term_days,
                    row.min_purchase, row.currency, row.benchmark, row.liquidity, row.fees, row.issuer,
                    row.description, row.on_sale, row.premier_only)
        for row in rows
    )


def product(session: Session, code_or_name: str) -> Optional[ProductView]:
    """The product with this code, catalogue name or alias (exact), or None."""
    key = code_or_name.strip()
    if not key:
        return None
    row = session.get(Product, key.upper()) or session.scalars(select(Product).where(Product.name == key)).first()
    if row is None:
        row = session.scalars(
            select(Product).join(ProductAlias, ProductAlias.product_code == Product.code)
            .where(ProductAlias.alias == key)
        ).first()
    return _product_views(session, [row])[0] if row else None


def products(
    session: Session,
    on_sale: Optional[bool] = None,
    product_type: Optional[str] = None,
    max_risk: Optional[str] = None,
) -> Tuple[ProductView, ...]:
    """The catalogue, optionally only on sale, of one type, or at most a risk level (R1–R5)."""
    conditions: List[ColumnElement] = []
    if on_sale is not None:
        conditions.append(Product.on_sale == on_sale)
    if product_type:
        conditions.append(Product.type == product_type)
    if max_risk:
        conditions.append(Product.risk.in_([f"R{level}" for level in range(1, _rank(max_risk) + 1)]))
    rows = session.scalars(select(Product).where(*conditions).order_by(Product.risk, Product.code)).all()
    return _product_views(session, rows)


# ------------------------------------------------------------------------- FX
@dataclass(frozen=True)
class FxRateView:
    base_currency: str
    quote_currency: str
    name: str
    unit: int  # the rates are per this many units of the base currency
    spot_buy: Decimal
    cash_buy: Decimal
    spot_sell: Decimal
    cash_sell: Decimal
    quoted_at: datetime  # aware, UTC


def fx_rates(session: Session, currencies: Sequence[str] = (), quote_currency: str = "CNY") -> Tuple[FxRateView, ...]:
    """The latest quote of each currency against ``quote_currency`` (all, or the ones named)."""
    latest = (
        select(FxRate.base_currency, func.max(FxRate.quoted_at).label("quoted_at"))
        .where(FxRate.quote_currency == quote_currency)
        .group_by(FxRate.base_currency)
        .subquery()
    )
    statement = (
        select(FxRate)
        .join(latest, and_(latest.c.base_currency == FxRate.base_currency, latest.c.quoted_at == FxRate.quoted_at))
        .where(FxRate.quote_currency == quote_currency)
        .order_by(FxRate.id)
    )
    if currencies:
        statement = statement.where(FxRate.base_currency.in_([code.upper() for code in currencies]))
    return tuple(
        FxRateView(row.base_currency, row.quote_currency, row.name, row.unit, row.spot_buy, row.cash_buy,
                   row.spot_sell, row.cash_sell, row.quoted_at)
        for row in session.scalars(statement)
    )


def fx_rate(session: Session, currency: str, quote_currency: str = "CNY") -> Optional[FxRateView]:
    rates = fx_rates(session, (currency,), quote_currency)
    return rates[0] if rates else None


# ------------------------------------------------------------------- bindings
def client_for_openid(session: Session, openid: str, channel: str = "wechat") -> Optional[str]:
    """The client id bound to a channel user id (a WeChat OpenID), or None."""
    binding = session.get(ChannelBinding, (channel, openid))
    return binding.client_id if binding else None


# ------------------------------------------------------ managers' client books
@dataclass(frozen=True)
class ManagedClient:
    client_id: str
    name: str
    tier: str
    aum: Decimal
    risk_tolerance: str
    is_elderly: bool
    primary_rm_id: str
    role: str  # "primary": the manager's own client; "backup": a client the manager backs up


def _book(rm_id: str, include_backup: bool) -> ColumnElement:
    own = AdvisorAssignment.rm_id == rm_id
    if not include_backup:
        return own
    backed_up = select(RelationshipManager.id).where(RelationshipManager.backup_rm_id == rm_id)
    return or_(own, AdvisorAssignment.rm_id.in_(backed_up.scalar_subquery()))


def clients_of_manager(session: Session, rm_id: str, include_backup: bool = True) -> Tuple[ManagedClient, ...]:
    """A manager's primary clients, then (optionally) the clients of the managers they back up."""
    statement = (
        select(Client.id, Client.name, Client.tier, Client.aum, Client.risk_tolerance, Client.is_elderly,
               AdvisorAssignment.rm_id)
        .join(AdvisorAssignment, AdvisorAssignment.client_id == Client.id)
        .where(AdvisorAssignment.role == "primary", _book(rm_id, include_backup))
    )
    rows = [ManagedClient(*row, role="primary" if row[-1] == rm_id else "backup")
            for row in session.execute(statement)]
    return tuple(sorted(rows, key=lambda row: (row.role != "primary", row.client_id)))


@dataclass(frozen=True)
class Maturity:
    client_id: str
    client_name: str
    kind: str  # "holding" (a wealth product) or "deposit" (a time deposit account)
    product_code: Optional[str]
    product_name: Optional[str]
    account_tail: Optional[str]
    currency: str
    amount: Decimal  # market value of the holding, balance of the deposit
    matures_on: date
    role: str  # the manager's role for this client: primary / backup


def _maturing(session: Session, scope: ColumnElement, on: date, within_days: int,
              role_of: Callable[[Optional[str]], str]) -> Tuple[Maturity, ...]:
    """Holdings and time deposits of the clients in ``scope`` maturing in [on, on + within_days];
    ``role_of`` names the reader's role from the client's primary RM."""
    until = on + timedelta(days=within_days)
    primary = and_(AdvisorAssignment.client_id == Client.id, AdvisorAssignment.role == "primary")
    holdings = (
        select(Client.id, Client.name, AdvisorAssignment.rm_id, Holding.product_code, Product.name,
               Holding.currency, Holding.market_value, Holding.matures_on)
        .outerjoin(AdvisorAssignment, primary)
        .join(Holding, Holding.client_id == Client.id)
        .join(Product, Product.code == Holding.product_code)
        .where(scope, Holding.matures_on >= on, Holding.matures_on <= until)
    )
    deposits = (
        select(Client.id, Client.name, AdvisorAssignment.rm_id, Account.number, Account.currency,
               Account.balance, Account.matures_on)
        .outerjoin(AdvisorAssignment, primary)
        .join(Account, and_(Account.client_id == Client.id, Account.account_type == "定期"))
        .where(scope, Account.status != "closed", Account.matures_on >= on, Account.matures_on <= until)
    )
    found = [
        Maturity(client_id, name, "holding", code, product_name, None, currency, value, matures, role_of(owner))
        for client_id, name, owner, code, product_name, currency, value, matures in session.execute(holdings)
    ]
    found += [
        Maturity(client_id, name, "deposit", None, None, _tail(number), currency, balance, matures, role_of(owner))
        for client_id, name, owner, number, currency, balance, matures in session.execute(deposits)
    ]
    return tuple(sorted(found, key=lambda item: (item.matures_on, item.client_id, item.kind,
                                                 item.product_code or "", item.account_tail or "")))


def maturities_for_manager(
    session: Session, rm_id: str, on: date, within_days: int = 30, include_backup: bool = False
) -> Tuple[Maturity, ...]:
    """Holdings and time deposits of the manager's clients maturing in [on, on + within_days]."""
    return _maturing(session, _book(rm_id, include_backup), on, within_days,
                     lambda owner: "primary" if owner == rm_id else "backup")


def maturities_of_client(session: Session, client_id: str, on: date, within_days: int = 30) -> Tuple[Maturity, ...]:
    """One client's holdings and time deposits maturing in [on, on + within_days] (``role``: primary)."""
    return _maturing(session, Client.id == client_id, on, within_days, lambda owner: "primary")


# --------------------------------------------------------- data day, counterparties
def data_day(session: Session, now: Optional[datetime] = None) -> date:
    """The Shanghai date of the newest transaction in the store, at most today's date.

    The demo bank ends on its seed day while the clock moves on, so "the last
    30 days" and "matures in 12 days" count from this day.
    """
    today = (now or datetime.now(_BRANCH_TIME)).astimezone(_BRANCH_TIME).date()
    newest = session.execute(select(func.max(Transaction.occurred_at))).scalar_one_or_none()
    if newest is None:
        return today
    return min(today, newest.astimezone(_BRANCH_TIME).date())


def counterparties_of(session: Session, client_id: str) -> Tuple[Tuple[str, str], ...]:
    """``(counterparty, category)`` pairs of the client's transactions, sorted (to recognise 美团 in a question)."""
    statement = (
        select(Transaction.counterparty, Transaction.category)
        .where(Transaction.client_id == client_id)
        .distinct()
        .order_by(Transaction.counterparty, Transaction.category)
    )
    return tuple((counterparty, category) for counterparty, category in session.execute(statement))
