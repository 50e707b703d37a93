"""Concurrent creates on a file SQLite database: distinct, consecutive case numbers; one case per key."""
from __future__ import annotations

import asyncio
import threading
from datetime import datetime
from pathlib import Path
from typing import List, Tuple

import httpx

from bot.case_service import create_app
from bot.case_service.database import make_engine, make_session_factory, upgrade_to_head
from bot.case_service.store import CaseDraft, create_case
from bot.clock import BANK_TIME

from .conftest import AUTH, TOKEN, Clock, new_case_body

NOW = datetime(2026, 11, 24, 10, 30, tzinfo=BANK_TIME)
DRAFT = CaseDraft(client_id="C000001", channel="app", category="fees", severity="normal",
                  description="年费扣了两次", tier="金卡", assigned_to="RM001")


def test_twenty_concurrent_creates_over_http_get_consecutive_distinct_ids(tmp_path: Path) -> None:
    app = create_app(f"sqlite:///{tmp_path / 'cases.db'}", token=TOKEN, clock=Clock())

    async def create_all() -> List[httpx.Response]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://cases") as http:
            return await asyncio.gather(*(
                http.post("/v1/cases", json=new_case_body(description=f"第{index}次投诉：年费扣了两次"),
                          headers={**AUTH, "Idempotency-Key": f"concurrent-{index:04d}"})
                for index in range(20)))

    responses = asyncio.run(create_all())
    assert [response.status_code for response in responses] == [201] * 20
    ids = sorted(response.json()["case_id"] for response in responses)
    assert ids == [f"CS-2026-{number:06d}" for number in range(1, 21)]


def _run_in_threads(url: str, keys: List[str]) -> List[Tuple[str, bool]]:
    engine = make_engine(url)
    factory = make_session_factory(engine)
    start = threading.Barrier(len(keys))
    results: List[Tuple[str, bool]] = []
    errors: List[BaseException] = []

    def work(key: str) -> None:
        start.wait()
        try:
            record, created = create_case(factory, DRAFT, key, "fingerprint", NOW)
            results.append((record.case_id, created))
        except BaseException as error:  # collected: a thread's exception would otherwise be lost
            errors.append(error)

    threads = [threading.Thread(target=work, args=(key,)) for key in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    assert errors == []
    return results


def test_twenty_threads_with_distinct_keys(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cases.db'}"
    upgrade_to_head(make_engine(url))
    results = _run_in_threads(url, [f"thread-key-{index:03d}" for index in range(20)])
    assert sorted(case_id for case_id, _ in results) == [f"CS-2026-{number:06d}" for number in range(1, 21)]
    assert all(created for _, created in results)


def test_ten_threads_with_the_same_key_make_one_case(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cases.db'}"
    upgrade_to_head(make_engine(url))
    results = _run_in_threads(url, ["same-key-for-all"] * 10)
    assert {case_id for case_id, _ in results} == {"CS-2026-000001"}
    assert sum(created for _, created in results) == 1
    follow_up = _run_in_threads(url, ["another-key-1"])
    assert follow_up == [("CS-2026-000002", True)]  # the collisions used up no number
