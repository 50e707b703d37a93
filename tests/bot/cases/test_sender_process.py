"""The real processes: the case service and the outbox sender, killed mid-delivery.

Complaints wait in a profile store's outbox; ``python -m bot outbox-sender``
delivers them to ``python -m bot case-service``. The sender is killed (SIGKILL)
while it delivers, and the service is stopped and started again: afterwards the
service holds exactly one case per complaint, no more, no fewer.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, Iterator, List

import httpx
import pytest
from sqlalchemy import func, select

from bot.cases.outbox import enqueue
from bot.cases.types import NewCase
from bot.profile.database import make_engine, make_session_factory, upgrade_to_head
from bot.profile.models import CaseOutbox
from tests.conftest import ROOT, free_port

TOKEN = "sender-process-test-token-" + "p" * 40
COMPLAINTS = 150



class Processes:
    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.profile_url = f"sqlite:///{folder / 'profile.db'}"
        self.env: Dict[str, str] = {
            **os.environ, "PYTHONPATH": str(ROOT), "CASE_DATABASE_URL": f"sqlite:///{folder / 'cases.db'}",
            "CASE_SERVICE_TOKEN": TOKEN, "CASE_SERVICE_URL": f"http://127.0.0.1:{self.port}",
            "PROFILE_DATABASE_URL": self.profile_url,
        }
        self.folder = folder
        self.running: List[subprocess.Popen] = []

    def start(self, *command: str) -> subprocess.Popen:
        log = (self.folder / f"{command[0]}-{len(self.running)}.log").open("w")
        process = subprocess.Popen([sys.executable, "-m", "bot", *command], cwd=ROOT, env=self.env,
                                   stdout=log, stderr=subprocess.STDOUT)
        self.running.append(process)
        return process

    def start_service(self) -> subprocess.Popen:
        service = self.start("case-service", "--port", str(self.port))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/health", timeout=1).status_code == 200:
                    return service
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("the case service did not start")

    def cases(self) -> List[dict]:
        response = httpx.get(f"http://127.0.0.1:{self.port}/v1/cases", params={"client_id": "C000001", "limit": 500},
                             headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()["cases"]


@pytest.fixture()
def processes(tmp_path: Path) -> Iterator[Processes]:
    made = Processes(tmp_path)
    upgrade_to_head(make_engine(made.profile_url))
    yield made
    for process in made.running:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def _delivered(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(CaseOutbox).where(CaseOutbox.case_id.is_not(None)))


def _wait_for(condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_killing_the_sender_and_stopping_the_service_lose_and_duplicate_nothing(processes):
    engine = make_engine(processes.profile_url)
    with make_session_factory(engine)() as session:
        for index in range(COMPLAINTS):
            enqueue(session, NewCase(client_id="C000001", channel="app", category="payment_delay",
                                     severity="normal", description=f"第{index + 1}笔转账三天还没到账",
                                     tier="白金", assigned_to="RM001"), datetime.now(timezone.utc))
        service = processes.start_service()
        sender = processes.start("outbox-sender", "--interval", "0.1")
        _wait_for(lambda: _delivered(session) >= 5, 60)
        sender.send_signal(signal.SIGKILL)  # mid-delivery: a case may be made and its row not yet marked
        sender.wait(timeout=10)
        killed_at = _delivered(session)
        assert killed_at < COMPLAINTS, "the sender finished before it could be killed"

        processes.start("outbox-sender", "--interval", "0.1")
        _wait_for(lambda: _delivered(session) > killed_at, 60)
        service.send_signal(signal.SIGKILL)  # the service goes away while the sender is delivering
        service.wait(timeout=10)
        time.sleep(1)  # the sender meets a dead service and backs off
        processes.start_service()
        _wait_for(lambda: _delivered(session) == COMPLAINTS, 120)

        made = processes.cases()
        rows = session.scalars(select(CaseOutbox)).all()
        assert len(made) == COMPLAINTS
        assert sorted(row.case_id for row in rows) == sorted(case["case_id"] for case in made)
        assert sorted(case["description"] for case in made) == sorted(
            f"第{index + 1}笔转账三天还没到账" for index in range(COMPLAINTS))
    engine.dispose()
