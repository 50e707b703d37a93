"""A deterministic demo bank for the profile store: the same rows for the same seed and day.

``python -m bot profile-init`` migrates the store and calls
:func:`ensure_demo_bank`, which seeds an empty store, re-seeds one it seeded
itself when the seeder's code, ``kb/`` or the configuration changed, and never
touches a store holding data it did not make.

What is in it (default :class:`SeedConfig`): 320 clients across the four tiers
(tier follows AUM: 金卡 ≥ 50万, 白金 ≥ 200万, 钻石 ≥ 600万, 私人银行 ≥ 3000万) and
C1–C5, 24 relationship managers in six branches (pairs back each other up;
RM004 is on leave, RM010 off), debit and credit cards, time deposits, USD/HKD
accounts, 12 months of transactions ending on ``today`` (default 2026-11-24,
Asia/Shanghai: salary on the same day every month, mortgage or rent, utilities,
card spending at real merchants, transfers, repayments, interest), holdings of
``kb/products.yml`` products (many maturing in the coming weeks), the FX board
of ``kb/fx_rates.yml``, some expired risk assessments, elderly clients, frozen
and closed accounts, and a few WeChat bindings.

Demo clients (fixed ids, two per tier; ``python -m bot demo-clients`` prints them):

========  ======  ========  ====  ===========  ==============================================
id        name    tier      risk  RM (backup)  worth trying
========  ======  ========  ====  ===========  ==============================================
C000001   王建华  金卡      C3    RM001 RM002  debit + credit card, USD account, a holding
                                               maturing within 30 days; WeChat OpenID
                                               ``o_demo_C000001_wechat_openid``
C000002   李秀英  金卡      C2    RM004 RM003  elderly (70+), risk assessment expired,
                                               pension; her RM is on leave
C000003   陈嘉欣  白金      C4    RM002 RM001  writes Traditional; HKD account; WeChat
                                               OpenID ``o_demo_C000003_wechat_openid``
C000004   张志强  白金      C3    RM003 RM004  frozen credit card; holdings maturing in 7
                                               and 20 days
C000005   刘思琪  钻石      C4    RM005 RM006  USD account, several maturities
C000006   杨国平  钻石      C1    RM006 RM005  conservative (R1 products only), elderly
                                               (60-69), a holding maturing in 15 days
C000007   周振邦  私人银行  C5    RM001 RM002  private fund (量化精选私募), USD account
C000008   林慧敏  私人银行  C4    RM007 RM008  writes Traditional; risk assessment expired
========  ======  ========  ====  ===========  ==============================================
"""
from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Tuple

import yaml
from sqlalchemy import delete, insert, select, text
from sqlalchemy.orm import Session

from bot.kb import KB_DIR, KnowledgeBase, load_kb
from bot.profile.models import (
    Account,
    AdvisorAssignment,
    Appointment,
    ChannelBinding,
    Client,
    FxRate,
    Holding,
    Product,
    ProductAlias,
    ProfileMeta,
    RelationshipManager,
    Transaction,
)
from bot.profile.seed_transactions import (
    CENT,
    SHANGHAI,
    ClientProfile,
    Purchase,
    add_months,
    generate_transactions,
    instant,
    random_yuan,
    weighted_choice,
    whole,
)
from bot.profile.seed_vocabulary import (
    AGE_WEIGHTS,
    ANNUAL_RETURN_BP,
    CREDIT_LIMIT,
    GIVEN_FEMALE,
    GIVEN_FEMALE_2,
    GIVEN_MALE,
    GIVEN_MALE_2,
    PHONE_PREFIXES,
    RISK_WEIGHTS,
    TIER_TARGETS,
    TIER_WEIGHTS,
)

__all__ = [
    "DEMO_TODAY",
    "DEFAULT_SEED",
    "SHANGHAI",
    "SeedConfig",
    "DemoClientSpec",
    "DEMO_CLIENTS",
    "tier_for_aum",
    "build_demo_bank",
    "write_rows",
    "clear_profile",
    "seed_fingerprint",
    "ensure_demo_bank",
    "demo_clients",
]

DEMO_TODAY = date(2026, 11, 24)
DEFAULT_SEED = 20261124
SEED_META_KEY = "demo_seed"

Rows = Dict[str, List[Dict[str, Any]]]


@dataclass(frozen=True)
class SeedConfig:
    today: date = DEMO_TODAY
    seed: int = DEFAULT_SEED
    client_count: int = 320
    kb_dir: Path = KB_DIR


@dataclass(frozen=True)
class DemoClientSpec:
    """A client whose id and traits are fixed, for the README and for tests."""

    id: str
    name: str
    tier: str
    risk_tolerance: str
    rm_id: str
    script: str = "hans"
    age_band: str = "45-59"
    risk_expired: bool = False
    credit_card_frozen: bool = False
    foreign_currency: Optional[str] = None
    wechat_openid: Optional[str] = None
    maturing_in_days: Tuple[int, ...] = ()
    product_codes: Tuple[str, ...] = ()
    pension: bool = False


DEMO_CLIENTS: Tuple[DemoClientSpec, ...] = (
    DemoClientSpec("C000001", "王建华", "金卡", "C3", "RM001", foreign_currency="USD",
                   wechat_openid="o_demo_C000001_wechat_openid", maturing_in_days=(12,)),
    DemoClientSpec("C000002", "李秀英", "金卡", "C2", "RM004", age_band="70+", risk_expired=True,
                   pension=True),
    DemoClientSpec("C000003", "陈嘉欣", "白金", "C4", "RM002", script="hant", age_band="30-44",
                   foreign_currency="HKD", wechat_openid="o_demo_C000003_wechat_openid"),
    DemoClientSpec("C000004", "张志强", "白金", "C3", "RM003", credit_card_frozen=True,
                   maturing_in_days=(7, 20)),
    DemoClientSpec("C000005", "刘思琪", "钻石", "C4", "RM005", age_band="30-44", foreign_currency="USD",
                   maturing_in_days=(5, 18, 26)),
    DemoClientSpec("C000006", "杨国平", "钻石", "C1", "RM006", age_band="60-69", maturing_in_days=(15,)),
    DemoClientSpec("C000007", "周振邦", "私人银行", "C5", "RM001", foreign_currency="USD",
                   product_codes=("PE-LHJX",)),
    DemoClientSpec("C000008", "林慧敏", "私人银行", "C4", "RM007", script="hant", risk_expired=True),
)

TIER_FLOORS: Tuple[Tuple[str, Decimal], ...] = (
    ("私人银行", Decimal(30_000_000)),
    ("钻石", Decimal(6_000_000)),
    ("白金", Decimal(2_000_000)),
    ("金卡", Decimal(0)),
)
ELDERLY_BANDS = ("60-69", "70+")

_RMS: Tuple[Tuple[str, str], ...] = (
    ("RM001", "陈思远"), ("RM002", "刘晓雯"), ("RM003", "王梓涵"), ("RM004", "张一鸣"),
    ("RM005", "李佳怡"), ("RM006", "赵文博"), ("RM007", "周晨曦"), ("RM008", "吴雅琴"),
    ("RM009", "孙浩然"), ("RM010", "郑欣然"), ("RM011", "黄子健"), ("RM012", "林若曦"),
    ("RM013", "何嘉豪"), ("RM014", "高蕾"), ("RM015", "罗俊杰"), ("RM016", "梁美琪"),
    ("RM017", "宋雨桐"), ("RM018", "谢明轩"), ("RM019", "唐诗雨"), ("RM020", "许振宇"),
    ("RM021", "韩冰"), ("RM022", "冯晓峰"), ("RM023", "邓婉婷"), ("RM024", "曹瑞"),
)
_RM_STATUS = {"RM004": "leave", "RM010": "off"}
_BRANCH_COUNT = 6


def tier_for_aum(aum: Decimal) -> str:
    """The tier an AUM (CNY) qualifies for."""
    for tier, floor in TIER_FLOORS:
        if aum >= floor:
            return tier
    return TIER_FLOORS[-1][0]


def _log_uniform(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(round(low * (high / low) ** rng.random()))


def _luhn_complete(digits: str) -> str:
    """``digits`` with the Luhn check digit card numbers end with."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return digits + str((10 - total % 10) % 10)


class _BankBuilder:
    def __init__(self, config: SeedConfig) -> None:
        self.config = config
        self.today = config.today
        self.window_start = add_months(config.today, -12) + timedelta(days=1)
        self.kb: KnowledgeBase = load_kb(config.kb_dir)
        self.rows: Rows = {name: [] for name in (
            "relationship_managers", "clients", "advisor_assignments", "accounts", "transactions",
            "products", "product_aliases", "holdings", "fx_rates", "channel_bindings")}
        self.numbers: Set[str] = set()
        self.names: Set[str] = {spec.name for spec in DEMO_CLIENTS} | {name for _, name in _RMS}
        self.account_count = 0
        self.client_accounts: List[Dict[str, Any]] = []
        self.client_holdings: List[Dict[str, Any]] = []
        self.rm_city: Dict[str, str] = {}
        self.cny_per_unit: Dict[str, Decimal] = {"CNY": Decimal(1)}

    # ------------------------------------------------------------- reference data
    def build(self) -> Rows:
        self._products()
        self._fx_rates()
        self._managers()
        specs = {spec.id: spec for spec in DEMO_CLIENTS}
        for index in range(1, max(self.config.client_count, len(DEMO_CLIENTS)) + 1):
            client_id = f"C{index:06d}"
            self._client(index, client_id, specs.get(client_id))
        for number, row in enumerate(self.rows["transactions"], start=1):
            row["id"] = number
        for number, row in enumerate(self.rows["holdings"], start=1):
            row["id"] = number
        return self.rows

    def _products(self) -> None:
        for product in self.kb.products:
            raw = product.raw
            self.rows["products"].append({
                "code": product.code, "name": product.name, "type": product.type,
                "subtype": str(raw.get("subtype", "")), "risk": product.risk,
                "term_days": raw.get("term_days"),
                "min_purchase": Decimal(str(raw.get("min_purchase", 0))),
                "currency": str(raw.get("currency", "CNY")),
                "benchmark": str(raw.get("benchmark", "")), "liquidity": str(raw.get("liquidity", "")),
                "fees": str(raw.get("fees", "")), "issuer": str(raw.get("issuer", "")),
                "description": str(raw.get("description", "")),
                "on_sale": bool(raw.get("on_sale", False)), "premier_only": bool(raw.get("premier_only", False)),
            })
            for alias in dict.fromkeys(product.aliases):
                if alias != product.name:
                    self.rows["product_aliases"].append({"alias": alias, "product_code": product.code})

    def _fx_rates(self) -> None:
        board = yaml.safe_load((self.config.kb_dir / "fx_rates.yml").read_text(encoding="utf-8"))
        quoted_at = datetime.fromisoformat(str(board["as_of"])).astimezone(timezone.utc)
        unit = int(board.get("unit", 100))
        for number, rate in enumerate(board["rates"], start=1):
            row = {"id": number, "base_currency": rate["currency"], "quote_currency": "CNY",
                   "name": rate.get("name_zh", rate["currency"]), "unit": unit, "quoted_at": quoted_at}
            for key in ("spot_buy", "cash_buy", "spot_sell", "cash_sell"):
                row[key] = Decimal(str(rate[key]))
            self.rows["fx_rates"].append(row)
            self.cny_per_unit[rate["currency"]] = row["spot_buy"] / unit

    def _managers(self) -> None:
        branches = [branch for branch in self.kb.branches if branch.raw.get("premier_center")]
        branches = branches[:_BRANCH_COUNT] or list(self.kb.branches[:_BRANCH_COUNT])
        per_branch = -(-len(_RMS) // len(branches))
        for index, (rm_id, name) in enumerate(_RMS):
            branch = branches[min(index // per_branch, len(branches) - 1)]
            partner = _RMS[index ^ 1][0] if (index ^ 1) < len(_RMS) else _RMS[0][0]  # pairs
            saturday = index % 3 == 2
            self.rm_city[rm_id] = branch.city
            self.rows["relationship_managers"].append({
                "id": rm_id, "name": name, "branch": branch.name,
                "work_days": "123456" if saturday else "12345",
                "work_start": time(9, 0), "work_end": time(17, 0) if saturday else time(17, 30),
                "backup_rm_id": partner, "status": _RM_STATUS.get(rm_id, "on_duty"),
            })

    # ------------------------------------------------------------------ clients
    def _name(self, rng: random.Random, elderly: bool) -> str:
        surnames = self.kb.surnames or ("王", "李", "张")
        weights = [1 / (rank + 4) for rank in range(len(surnames))]
        while True:
            surname = rng.choices(surnames, weights=weights)[0]
            female = rng.random() < 0.5
            if rng.random() < 0.35 and not elderly:
                given = rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
            else:
                pool = GIVEN_FEMALE_2 if female else GIVEN_MALE_2
                given = pool[rng.randrange(len(pool) // 2)] if elderly else rng.choice(pool)
                if not elderly and rng.random() < 0.5:
                    given = rng.choice(GIVEN_FEMALE if female else GIVEN_MALE) + rng.choice(
                        GIVEN_FEMALE if female else GIVEN_MALE)
            name = surname + given
            if name not in self.names and len(set(given)) == len(given):
                self.names.add(name)
                return name

    def _number(self, rng: random.Random, prefix: str, length: int, taken_tails: Set[str]) -> str:
        while True:
            body = prefix + "".join(str(rng.randrange(10)) for _ in range(length - len(prefix) - 1))
            number = _luhn_complete(body)
            if number not in self.numbers and number[-4:] not in taken_tails:
                self.numbers.add(number)
                taken_tails.add(number[-4:])
                return number

    def _account(self, client_id: str, rng: random.Random, tails: Set[str], account_type: str,
                 currency: str, balance: Decimal, status: str = "normal",
                 credit_limit: Optional[Decimal] = None, matures_on: Optional[date] = None) -> str:
        self.account_count += 1
        account_id = f"A{self.account_count:08d}"
        prefix, length = {"储蓄卡": ("621483", 19), "信用卡": ("438088", 16)}.get(account_type, ("3101", 20))
        opened = self.today - timedelta(days=rng.randint(400, 5000))
        if matures_on is not None:
            opened = add_months(matures_on, -rng.choice((12, 24, 36)))
        row = {
            "id": account_id, "client_id": client_id, "account_type": account_type, "currency": currency,
            "number": self._number(rng, prefix, length, tails), "balance": balance.quantize(CENT),
            "credit_limit": credit_limit, "status": status, "opened_on": opened, "matures_on": matures_on,
        }
        self.rows["accounts"].append(row)
        self.client_accounts.append(row)
        return account_id

    def _client(self, index: int, client_id: str, spec: Optional[DemoClientSpec]) -> None:
        rng = random.Random(f"{self.config.seed}:{client_id}")
        self.client_accounts, self.client_holdings = [], []
        tier = spec.tier if spec else weighted_choice(rng, TIER_WEIGHTS)
        risk = spec.risk_tolerance if spec else weighted_choice(rng, RISK_WEIGHTS)
        age_band = spec.age_band if spec else weighted_choice(rng, AGE_WEIGHTS)
        elderly = age_band in ELDERLY_BANDS
        rm_id = spec.rm_id if spec else _RMS[(index - 1) % len(_RMS)][0]
        name = spec.name if spec else self._name(rng, elderly)
        script = spec.script if spec else ("hant" if rng.random() < 0.18 else "hans")
        expired = spec.risk_expired if spec else rng.random() < 0.12
        assessed = self.today - timedelta(days=rng.randint(366, 700) if expired else rng.randint(0, 350))
        phone = rng.choice(PHONE_PREFIXES) + "".join(str(rng.randrange(10)) for _ in range(8))

        low, high = TIER_TARGETS[tier]
        target = _log_uniform(rng, low, high) if not spec else Decimal(round((low * high) ** 0.5))
        deposits = whole(target * Decimal(rng.randint(25, 60)) / 100, 100)
        tails: Set[str] = set()

        foreign_currency = spec.foreign_currency if spec else (
            rng.choice(("USD", "USD", "HKD")) if rng.random() < 0.35 else None)
        foreign_id = None
        if foreign_currency:
            share_cny = deposits * Decimal(rng.randint(5, 20)) / 100
            amount = (share_cny / self.cny_per_unit[foreign_currency]).quantize(CENT)
            foreign_id = self._account(client_id, rng, tails, "外币账户", foreign_currency, amount)
            deposits -= (amount * self.cny_per_unit[foreign_currency]).quantize(CENT)
        if spec is not None or rng.random() < 0.6:
            for _ in range(rng.randint(1, 2)):
                amount = whole(deposits * Decimal(rng.randint(20, 45)) / 100, 1000)
                matures = self.today + timedelta(days=rng.randint(3, 360))
                self._account(client_id, rng, tails, "定期", "CNY", amount, matures_on=matures)
                deposits -= amount
        if rng.random() < 0.25:
            status = weighted_choice(rng, (("normal", 70), ("frozen", 15), ("closed", 15)))
            spare = Decimal(0) if status == "closed" else whole(deposits * Decimal(rng.randint(1, 5)) / 100)
            self._account(client_id, rng, tails, "储蓄卡", "CNY", spare, status=status)
            deposits -= spare
        debit_status = "frozen" if not spec and rng.random() < 0.02 else "normal"
        debit_id = self._account(client_id, rng, tails, "储蓄卡", "CNY", deposits, status=debit_status)
        credit_id = None
        if spec is not None or rng.random() < 0.7:
            limit_low, limit_high = CREDIT_LIMIT[tier]
            limit = Decimal(rng.randint(limit_low // 10_000, limit_high // 10_000) * 10_000)
            frozen = spec.credit_card_frozen if spec else rng.random() < 0.04
            owed = random_yuan(rng, 0, int(limit) // 5)
            credit_id = self._account(client_id, rng, tails, "信用卡", "CNY", owed,
                                      status="frozen" if frozen else "normal", credit_limit=limit)

        holdings_budget = target - sum(
            (row["balance"] * self.cny_per_unit[row["currency"]] for row in self.client_accounts
             if row["account_type"] != "信用卡"), Decimal(0))
        self._holdings(client_id, rng, risk, holdings_budget, spec)
        aum = self._aum()

        self.rows["clients"].append({
            "id": client_id, "name": name, "tier": tier_for_aum(aum), "aum": aum, "risk_tolerance": risk,
            "risk_assessed_on": assessed, "risk_expires_on": assessed + timedelta(days=365),
            "script": script, "age_band": age_band, "is_elderly": elderly, "phone": phone,
        })
        self.rows["advisor_assignments"].append({
            "client_id": client_id, "role": "primary", "rm_id": rm_id,
            "assigned_on": self.today - timedelta(days=rng.randint(30, 2000)),
        })
        openid = spec.wechat_openid if spec else None
        if openid is None and rng.random() < 0.06:
            alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
            openid = "o" + "".join(rng.choice(alphabet) for _ in range(27))
        if openid:
            self.rows["channel_bindings"].append({
                "channel": "wechat", "external_id": openid, "client_id": client_id,
                "bound_at": instant(self.today - timedelta(days=rng.randint(1, 700)), 10, 0, 0),
            })
        names = {product["code"]: product["name"] for product in self.rows["products"]}
        profile = ClientProfile(
            client_id=client_id, tier=tier, city=self.rm_city[rm_id], elderly=elderly,
            pension=spec.pension if spec else elderly and rng.random() < 0.8,
            debit_id=debit_id, credit_id=credit_id, foreign_id=foreign_id, foreign_currency=foreign_currency,
            purchases=tuple(Purchase(row["started_on"], row["cost"], names[row["product_code"]])
                            for row in self.client_holdings if row["currency"] == "CNY"),
        )
        self.rows["transactions"].extend(
            generate_transactions(profile, rng, self.window_start, self.today, lambda: self._name(rng, False)))

    def _holdings(self, client_id: str, rng: random.Random, risk: str, budget: Decimal,
                  spec: Optional[DemoClientSpec]) -> None:
        """1–6 holdings of products at or below the client's risk level (time deposits are accounts)."""
        level = int(risk[1])
        eligible = [row for row in self.rows["products"]
                    if int(row["risk"][1]) <= level and row["type"] != "定期存款"]
        picks: List[Tuple[Dict[str, Any], Optional[int], int]] = [  # product, days to maturity, weight
            (row, None, 10) for row in eligible if spec and row["code"] in spec.product_codes]
        for days in spec.maturing_in_days if spec else ():
            fitting = [row for row in eligible if row["term_days"] and row["min_purchase"] <= 10_000
                       and all(row is not picked for picked, _, _ in picks)]
            picks.append((rng.choice(fitting), days, 10))
        others = [row for row in eligible if all(row is not picked for picked, _, _ in picks)]
        rng.shuffle(others)
        picks.extend((row, None, rng.randint(1, 10)) for row in others[: max(0, rng.randint(1, 6) - len(picks))])
        total_weight = sum(weight for _, _, weight in picks)
        for product, days_left, weight in picks:
            cost = whole(budget * weight / total_weight / self.cny_per_unit[product["currency"]], 1000)
            if cost <= 0 or cost < product["min_purchase"]:
                continue
            term = product["term_days"]
            matures: Optional[date] = None
            if term:
                if days_left is None:
                    days_left = rng.randint(1, min(45, term)) if rng.random() < 0.4 else rng.randint(1, term)
                matures = self.today + timedelta(days=days_left)
                started = matures - timedelta(days=term)
            else:
                started = self.today - timedelta(days=rng.randint(20, 900))
            held_years = min(Decimal((self.today - started).days) / 365, Decimal(2))
            low, high = ANNUAL_RETURN_BP[product["risk"]]
            if product["type"] == "保险":  # cash value, below premiums paid in the first years
                value = cost * Decimal(rng.randint(85, 105)) / 100
            else:
                value = cost * (1 + Decimal(rng.randint(low, high)) / 10_000 * held_years)
            per_unit = Decimal(1) if product["type"] in ("保险", "大额存单", "结构性存款") else (
                Decimal(rng.randint(10_000, 13_000)) / 10_000)
            row = {
                "client_id": client_id, "product_code": product["code"],
                "units": (cost / per_unit).quantize(Decimal("0.0001")), "cost": cost.quantize(CENT),
                "market_value": value.quantize(CENT), "currency": product["currency"],
                "started_on": started, "matures_on": matures,
            }
            self.rows["holdings"].append(row)
            self.client_holdings.append(row)

    def _aum(self) -> Decimal:
        """Deposits (not credit cards, not closed accounts) plus holdings, in CNY at the spot buy rate."""
        total = Decimal(0)
        for row in self.client_accounts:
            if row["account_type"] != "信用卡" and row["status"] != "closed":
                total += row["balance"] * self.cny_per_unit[row["currency"]]
        for row in self.client_holdings:
            total += row["market_value"] * self.cny_per_unit[row["currency"]]
        return total.quantize(CENT)


def build_demo_bank(config: SeedConfig = SeedConfig()) -> Rows:
    """Every row of the demo bank, by table name: a pure function of ``config`` and ``kb/``."""
    return _BankBuilder(config).build()


_TABLES_IN_INSERT_ORDER = (
    ("products", Product), ("product_aliases", ProductAlias), ("fx_rates", FxRate),
    ("relationship_managers", RelationshipManager), ("clients", Client),
    ("advisor_assignments", AdvisorAssignment), ("accounts", Account), ("holdings", Holding),
    ("transactions", Transaction), ("channel_bindings", ChannelBinding),
    ("appointments", Appointment),  # never seeded; listed so clear_profile deletes them first
)


def write_rows(session: Session, rows: Rows, chunk: int = 5000) -> None:
    """Bulk-inserts ``rows`` (table name → row dicts) in foreign-key order."""
    for name, model in _TABLES_IN_INSERT_ORDER:
        table_rows = rows.get(name, [])
        if name == "relationship_managers":  # backups refer to managers inserted in the same batch
            session.execute(insert(model.__table__), [{**row, "backup_rm_id": None} for row in table_rows])
            for row in table_rows:
                session.execute(model.__table__.update().where(model.__table__.c.id == row["id"]).values(
                    backup_rm_id=row["backup_rm_id"]))
            continue
        for start in range(0, len(table_rows), chunk):
            session.execute(insert(model.__table__), table_rows[start:start + chunk])
    if session.get_bind().dialect.name == "postgresql":
        for name in ("transactions", "holdings", "fx_rates"):
            session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {name}"))


def clear_profile(session: Session) -> None:
    """Deletes every row of the profile store (not the schema)."""
    for _, model in reversed(_TABLES_IN_INSERT_ORDER):
        if model is RelationshipManager:
            session.execute(model.__table__.update().values(backup_rm_id=None))
        session.execute(delete(model.__table__))
    session.execute(delete(ProfileMeta.__table__))


def seed_fingerprint(config: SeedConfig = SeedConfig()) -> str:
    """Changes when the seeder, the kb/ files it reads or the configuration change."""
    digest = hashlib.sha256()
    for module in ("seed.py", "seed_transactions.py", "seed_vocabulary.py"):
        digest.update((Path(__file__).parent / module).read_bytes())
    for name in ("products.yml", "fx_rates.yml", "branches.yml", "people.yml"):
        path = config.kb_dir / name
        digest.update(path.read_bytes() if path.exists() else b"")
    digest.update(f"{config.today.isoformat()}|{config.seed}|{config.client_count}".encode())
    return digest.hexdigest()[:16]


def ensure_demo_bank(session: Session, config: SeedConfig = SeedConfig(), force: bool = False) -> str:
    """Seeds when empty or when the demo seed changed; says what it did. Commits."""
    wanted = seed_fingerprint(config)
    stored = session.execute(select(ProfileMeta.value).where(ProfileMeta.key == SEED_META_KEY)).scalar()
    has_clients = session.execute(select(Client.id).limit(1)).first() is not None
    if has_clients and stored is None and not force:
        return "kept: the store holds clients the demo seeder did not make"
    if has_clients and stored == wanted and not force:
        return "up to date"
    if has_clients or stored is not None:
        clear_profile(session)
    write_rows(session, build_demo_bank(config))
    session.execute(insert(ProfileMeta.__table__), [{"key": SEED_META_KEY, "value": wanted}])
    session.commit()
    return "re-seeded" if has_clients else "seeded"


def demo_clients(session: Session) -> List[Dict[str, str]]:
    """The demo clients as stored: id, name, tier, risk tolerance, RM id."""
    ids = [spec.id for spec in DEMO_CLIENTS]
    statement = (
        select(Client.id, Client.name, Client.tier, Client.risk_tolerance, AdvisorAssignment.rm_id)
        .join(AdvisorAssignment, (AdvisorAssignment.client_id == Client.id) & (AdvisorAssignment.role == "primary"))
        .where(Client.id.in_(ids))
        .order_by(Client.id)
    )
    return [
        {"id": row.id, "name": row.name, "tier": row.tier, "risk_tolerance": row.risk_tolerance,
         "rm_id": row.rm_id}
        for row in session.execute(statement)
    ]

