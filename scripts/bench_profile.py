"""p50/p95 latency of each profile-store query on the seeded demo bank (make bench-profile).

Every call opens its own session, as an action does for one unit of work, and
the time includes opening and closing it. The clients are a fixed random
sample; each query runs once per client (or per sampled manager, product,
OpenID) after one warm-up call.

Usage: python scripts/bench_profile.py [--clients 300] [--target-ms 20]
       (database: $PROFILE_DATABASE_URL, default var/profile.db)
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Callable, Dict, List, Sequence, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bot.profile import queries  # noqa: E402
from bot.profile.database import database_url, make_engine, make_session_factory  # noqa: E402
from bot.profile.models import Account, ChannelBinding, Client, RelationshipManager  # noqa: E402
from bot.profile.seed import DEMO_TODAY, SHANGHAI  # noqa: E402

Call = Callable[[Session, int], object]


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def workload(session: Session, client_count: int, rng: random.Random) -> List[Tuple[str, Call]]:
    client_ids = rng.sample(session.scalars(select(Client.id).order_by(Client.id)).all(), client_count)
    names = dict(session.execute(select(Client.id, Client.name)).all())
    tails = {}
    for client_id, number in session.execute(select(Account.client_id, Account.number).order_by(Account.id)):
        tails.setdefault(client_id, number[-4:])
    rm_ids = session.scalars(select(RelationshipManager.id).order_by(RelationshipManager.id)).all()
    openids = session.scalars(select(ChannelBinding.external_id).order_by(ChannelBinding.external_id)).all()
    product_keys = [key for item in queries.products(session) for key in (item.code, item.name, *item.aliases)]
    last_month = queries.TransactionFilter(
        start=datetime(2026, 10, 1, tzinfo=SHANGHAI), end=datetime(2026, 10, 31, 23, 59, 59, tzinfo=SHANGHAI),
        direction="out", limit=50)
    big_spending = queries.TransactionFilter(category="购物", min_amount=Decimal(1000), limit=20)
    counterparty = queries.TransactionFilter(counterparty="美团", limit=20)
    monday = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)

    def client(i: int) -> str:
        return client_ids[i % len(client_ids)]

    return [
        ("client_summary", lambda s, i: queries.client_summary(s, client(i))),
        ("clients_by_name", lambda s, i: queries.clients_by_name(s, names[client(i)])),
        ("accounts_of", lambda s, i: queries.accounts_of(s, client(i))),
        ("accounts_of(card_tail)", lambda s, i: queries.accounts_of(s, client(i), card_tail=tails[client(i)])),
        ("accounts_of(account_type)", lambda s, i: queries.accounts_of(s, client(i), account_type="活期")),
        ("transactions_of(newest 20)", lambda s, i: queries.transactions_of(s, client(i))),
        ("transactions_of(last month, out)", lambda s, i: queries.transactions_of(s, client(i), last_month)),
        ("transactions_of(category, >= 1000)", lambda s, i: queries.transactions_of(s, client(i), big_spending)),
        ("transactions_of(counterparty)", lambda s, i: queries.transactions_of(s, client(i), counterparty)),
        ("holdings_of", lambda s, i: queries.holdings_of(s, client(i))),
        ("product(code/name/alias)", lambda s, i: queries.product(s, product_keys[i % len(product_keys)])),
        ("products(on sale, <= R3)", lambda s, i: queries.products(s, on_sale=True, max_risk="R3")),
        ("fx_rates", lambda s, i: queries.fx_rates(s)),
        ("fx_rate(USD)", lambda s, i: queries.fx_rate(s, "USD")),
        ("client_for_openid", lambda s, i: queries.client_for_openid(s, openids[i % len(openids)])),
        ("manager", lambda s, i: queries.manager(s, rm_ids[i % len(rm_ids)])),
        ("primary_rm_of", lambda s, i: queries.primary_rm_of(s, client(i))),
        ("StoreFacts.is_on_duty", lambda s, i: queries.StoreFacts(s).is_on_duty(rm_ids[i % len(rm_ids)], monday)),
        ("clients_of_manager", lambda s, i: queries.clients_of_manager(s, rm_ids[i % len(rm_ids)])),
        ("maturities_for_manager(30 d)", lambda s, i: queries.maturities_for_manager(
            s, rm_ids[i % len(rm_ids)], DEMO_TODAY, 30, include_backup=True)),
        ("data_day", lambda s, i: queries.data_day(s)),
        ("counterparties_of", lambda s, i: queries.counterparties_of(s, client(i))),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--target-ms", type=float, default=20.0)
    args = parser.parse_args()

    engine = make_engine(database_url())
    factory = make_session_factory(engine)
    with factory() as session:
        if session.scalars(select(Client.id).limit(1)).first() is None:
            print("The profile store is empty: run `make profile-db` first.", file=sys.stderr)
            return 1
        calls = workload(session, args.clients, random.Random(2026))

    results: Dict[str, List[float]] = {}
    for name, call in calls:
        with factory() as session:
            call(session, 0)  # warm-up
        timings = []
        for index in range(args.clients):
            started = time.perf_counter()
            with factory() as session:
                call(session, index)
            timings.append((time.perf_counter() - started) * 1000)
        results[name] = timings

    width = max(len(name) for name in results)
    print(f"profile store: {engine.dialect.name}, {args.clients} calls per query, one session per call\n")
    print(f"| {'query':<{width}} | p50 ms | p95 ms | max ms |")
    print(f"| {'-' * width} | -----: | -----: | -----: |")
    for name, timings in results.items():
        print(f"| {name:<{width}} | {percentile(timings, 0.5):6.2f} | {percentile(timings, 0.95):6.2f} "
              f"| {max(timings):6.2f} |")
    slow = [name for name, timings in results.items() if percentile(timings, 0.95) > args.target_ms]
    print()
    if slow:
        print(f"p95 above {args.target_ms:g} ms: {', '.join(slow)}")
        return 1
    print(f"every query: p95 ≤ {args.target_ms:g} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
