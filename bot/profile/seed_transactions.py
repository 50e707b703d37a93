"""Twelve months of one demo client's transactions, and the money and calendar helpers of the seeder.

Salary (or a pension) on the same day every month with a bonus in January,
mortgage or rent, phone, power and gas bills, card spending at real merchants
(on the credit card about half the time, repaid in full the next month),
transfers with family, cash withdrawals, quarterly interest, purchases of the
client's wealth products, and foreign-currency purchases and remittances.
Every draw comes from the ``rng`` passed in, so the same seed gives the same rows.
"""
from __future__ import annotations

import calendar
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_DOWN, Decimal
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple
from zoneinfo import ZoneInfo

from bot.profile.seed_vocabulary import (
    EMPLOYER_BRANDS,
    EMPLOYER_CITIES,
    EMPLOYER_TRADES,
    GAS,
    IN_STORE_CHANNELS,
    LANDLORDS,
    ONLINE_CHANNELS,
    ONLINE_MERCHANTS,
    POWER,
    SALARY,
    SPEND_SCALE,
    SPENDING,
    TELECOMS,
)

__all__ = [
    "SHANGHAI",
    "CENT",
    "ClientProfile",
    "Purchase",
    "generate_transactions",
    "weighted_choice",
    "random_yuan",
    "whole",
    "add_months",
    "day_in_month",
    "instant",
]

SHANGHAI = ZoneInfo("Asia/Shanghai")
CENT = Decimal("0.01")


def weighted_choice(rng: random.Random, pairs: Sequence[Tuple[str, int]]) -> str:
    return rng.choices([name for name, _ in pairs], weights=[weight for _, weight in pairs])[0]


def random_yuan(rng: random.Random, low: int, high: int) -> Decimal:
    """A random amount with cents between ``low`` and ``high`` yuan, drawn as integer cents."""
    return Decimal(rng.randint(low * 100, high * 100)).scaleb(-2)


def whole(value: Decimal, step: int = 1) -> Decimal:
    """``value`` rounded down to a multiple of ``step`` yuan."""
    return (value / step).quantize(Decimal(1), rounding=ROUND_DOWN) * step


def add_months(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return day_in_month(year, month + 1, day.day)


def day_in_month(year: int, month: int, day: int) -> date:
    """The ``day`` of the month, or its last day when the month is shorter."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def instant(day: date, hour: int, minute: int, second: int) -> datetime:
    """A Shanghai wall-clock time as an aware UTC datetime."""
    return datetime.combine(day, time(hour, minute, second), SHANGHAI).astimezone(timezone.utc)


@dataclass(frozen=True)
class Purchase:
    """A wealth product the client bought from their debit card."""

    day: date
    amount: Decimal
    product_name: str


@dataclass(frozen=True)
class ClientProfile:
    """What the generator needs to know about one client."""

    client_id: str
    tier: str
    city: str  # of the client's branch: decides the power and gas companies
    elderly: bool
    pension: bool
    debit_id: str
    credit_id: Optional[str]
    foreign_id: Optional[str]
    foreign_currency: Optional[str]
    purchases: Tuple[Purchase, ...]


class _Ledger:
    def __init__(self, client: ClientProfile, rng: random.Random, first_day: date, today: date) -> None:
        self.client = client
        self.rng = rng
        self.first_day = first_day
        self.today = today
        self.rows: List[Dict[str, Any]] = []

    def within(self, day: date) -> bool:
        return self.first_day <= day <= self.today

    def add(self, day: date, account_id: str, amount: Decimal, direction: str, counterparty: str,
            channel: str, description: str, category: str, hours: Tuple[int, int] = (8, 22),
            currency: str = "CNY") -> None:
        """Records a transaction at a random time within ``hours`` (before noon on the last day)."""
        if not self.within(day) or amount <= 0:
            return
        low, high = hours
        if day == self.today:
            low, high = min(low, 9), min(high, 11)
        occurred = instant(day, self.rng.randint(low, high), self.rng.randint(0, 59), self.rng.randint(0, 59))
        self.rows.append({
            "account_id": account_id, "client_id": self.client.client_id, "occurred_at": occurred,
            "amount": amount.quantize(CENT), "currency": currency, "direction": direction,
            "counterparty": counterparty, "channel": channel, "description": description, "category": category,
        })

    def months(self) -> List[Tuple[int, int]]:
        months = []
        year, month = self.first_day.year, self.first_day.month
        while (year, month) <= (self.today.year, self.today.month):
            months.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months


def generate_transactions(
    client: ClientProfile,
    rng: random.Random,
    first_day: date,
    today: date,
    new_name: Callable[[], str],
) -> List[Dict[str, Any]]:
    """The client's transactions from ``first_day`` to ``today`` (Shanghai dates), oldest first.

    ``new_name`` gives the names of the family members the client transfers money with.
    """
    ledger = _Ledger(client, rng, first_day, today)
    debit = client.debit_id
    scale = SPEND_SCALE[client.tier]
    salary_day = rng.choice((5, 10, 15, 20, 25))
    salary = whole(random_yuan(rng, *SALARY[client.tier]), 100)
    pension = whole(random_yuan(rng, 4000, 12000))
    employer = rng.choice(EMPLOYER_CITIES) + rng.choice(EMPLOYER_BRANDS) + rng.choice(EMPLOYER_TRADES) + "有限公司"
    housing = weighted_choice(rng, (("房贷", 50), ("房租", 25), ("", 25)))
    housing_day = rng.randint(1, 28)
    housing_amount = random_yuan(rng, 3000, 12000 * scale)
    landlord = rng.choice(LANDLORDS)
    telecom = rng.choice(TELECOMS)
    phone_plan = Decimal(rng.choice((58, 88, 128, 158, 198)))
    family = [new_name() for _ in range(2)]
    repayment_day = rng.randint(3, 12)
    owed_from_last_month = Decimal(0)

    for year, month in ledger.months():
        def on(day: int) -> date:
            return day_in_month(year, month, day)

        if client.pension:
            ledger.add(on(15), debit, pension, "in", "社会保险基金", "代发", "养老金发放", "养老金", (9, 11))
        else:
            ledger.add(on(salary_day), debit, salary, "in", employer, "代发", "代发工资", "工资", (9, 11))
            if month == 1:
                ledger.add(on(salary_day), debit, salary * rng.randint(1, 4), "in", employer, "代发", "代发奖金",
                           "工资", (9, 11))
        if housing == "房贷":
            ledger.add(on(housing_day), debit, housing_amount, "out", "个人住房贷款", "自动扣款", "房贷还款", "房贷",
                       (6, 8))
        elif housing == "房租":
            ledger.add(on(housing_day), debit, housing_amount, "out", landlord, "手机银行", "房租", "房租")
        ledger.add(on(rng.randint(1, 5)), debit, phone_plan, "out", telecom, "自动扣款", "话费", "通讯")
        power_bill = random_yuan(rng, 80, 600 if month in (1, 2, 7, 8) else 300)
        ledger.add(on(rng.randint(6, 12)), debit, power_bill, "out", POWER.get(client.city, "国家电网"), "自动扣款",
                   "电费", "水电燃气")
        if month % 2 == 0:
            ledger.add(on(rng.randint(13, 20)), debit, random_yuan(rng, 40, 260), "out",
                       GAS.get(client.city, "燃气公司"), "自动扣款", "燃气费", "水电燃气")

        if client.credit_id and owed_from_last_month:
            day = on(repayment_day)
            ledger.add(day, debit, owed_from_last_month, "out", "本行信用卡", "手机银行", "信用卡还款", "信用卡还款",
                       (8, 9))
            ledger.add(day, client.credit_id, owed_from_last_month, "in", "本行信用卡", "手机银行", "信用卡还款",
                       "信用卡还款", (10, 10))
        owed_from_last_month = Decimal(0)
        for _ in range(rng.randint(3, 8) if client.elderly else rng.randint(5, 11)):
            category, merchants, (low, high), _, description = rng.choices(
                SPENDING, weights=[entry[3] for entry in SPENDING])[0]
            amount = random_yuan(rng, low, high * scale if category in ("购物", "旅游出行") else high)
            day = on(rng.randint(1, 31))
            merchant = rng.choice(merchants)
            channel = rng.choice(ONLINE_CHANNELS if merchant in ONLINE_MERCHANTS else IN_STORE_CHANNELS)
            if client.credit_id and rng.random() < 0.55:
                ledger.add(day, client.credit_id, amount, "out", merchant, channel, description, category)
                if ledger.within(day):
                    owed_from_last_month += amount
            else:
                ledger.add(day, debit, amount, "out", merchant, channel, description, category)

        for _ in range(rng.randint(0, 2)):
            ledger.add(on(rng.randint(1, 31)), debit, whole(random_yuan(rng, 500, 20000), 100), "out",
                       rng.choice(family), "手机银行", "转账", "转账")
        if rng.random() < 0.3:
            ledger.add(on(rng.randint(1, 31)), debit, whole(random_yuan(rng, 200, 10000), 100), "in",
                       rng.choice(family), "手机银行", "转账", "转账")
        if rng.random() < (0.5 if client.elderly else 0.12):
            ledger.add(on(rng.randint(1, 31)), debit, Decimal(rng.randint(5, 30) * 100), "out",
                       "本行ATM" if rng.random() < 0.7 else "本行柜面", "ATM", "取现", "取现", (9, 17))
        if month in (3, 6, 9, 12):
            ledger.add(on(21), debit, random_yuan(rng, 5, 80 * scale), "in", "本行", "系统", "活期结息", "利息",
                       (1, 2))
            if client.foreign_id and client.foreign_currency:
                ledger.add(on(21), client.foreign_id, random_yuan(rng, 1, 60), "in", "本行", "系统", "外币活期结息",
                           "利息", (1, 2), client.foreign_currency)

    for purchase in client.purchases:
        ledger.add(purchase.day, debit, purchase.amount, "out", purchase.product_name, "手机银行", "理财申购", "理财",
                   (9, 15))
    if client.foreign_id and client.foreign_currency:
        for _ in range(rng.randint(1, 3)):
            ledger.add(first_day + timedelta(days=rng.randint(0, 364)), client.foreign_id,
                       whole(random_yuan(rng, 1000, 20000), 100), "in", "本行购汇", "手机银行", "购汇入账", "购汇",
                       (9, 16), client.foreign_currency)
        for _ in range(rng.randint(0, 2)):
            ledger.add(first_day + timedelta(days=rng.randint(0, 364)), client.foreign_id,
                       whole(random_yuan(rng, 500, 15000), 100), "out", "境外汇款", "手机银行", "境外汇款", "跨境汇款",
                       (9, 16), client.foreign_currency)
    return sorted(ledger.rows, key=lambda row: row["occurred_at"])
