"""Starts the real assistant (case service + action server + Rasa server + Redis) for the session.

The profile store is a copy of the demo bank (``var/profile.db``, or the store
at ``$PROFILE_DATABASE_URL`` when it is not SQLite), so what the tests submit
(complaints, appointments) never lands in the store ``make run`` uses; the case
service runs on its own temporary database.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Iterator, List

import httpx
import pytest
import redis

from bot.profile.database import database_url
from tests.conftest import ROOT

RASA = str(Path(sys.executable).parent / "rasa")
RASA_PORT = int(os.environ.get("TEST_RASA_PORT", "15005"))
ACTION_PORT = int(os.environ.get("TEST_ACTION_PORT", "15055"))
REDIS_PORT = int(os.environ.get("REDIS_PORT", "6379"))
REDIS_DB = 1  # the tests' own database, apart from `make run`'s
CASE_SERVICE_PORT = int(os.environ.get("TEST_CASE_SERVICE_PORT", "18090"))
CASE_SERVICE_TOKEN = "e2e-case-service-token-" + "e" * 40


def _wait(url: str, seconds: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited early:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise RuntimeError(f"{url} not up after {seconds} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def redis_client() -> redis.Redis:
    client = redis.Redis(port=REDIS_PORT, db=REDIS_DB)
    client.ping()  # make test starts redis-server; a failure here is a real failure
    client.flushdb()
    return client


@pytest.fixture(scope="session")
def profile_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The tests' copy of the demo bank, also for the tests' own queries (``database_url()``)."""
    source = database_url()
    url = source
    if source.startswith("sqlite:///"):
        copy = tmp_path_factory.mktemp("e2e-profile") / "profile.db"
        shutil.copyfile(source[len("sqlite:///"):], copy)
        url = f"sqlite:///{copy}"
    previous = os.environ.get("PROFILE_DATABASE_URL")
    os.environ["PROFILE_DATABASE_URL"] = url
    yield url
    if previous is None:
        os.environ.pop("PROFILE_DATABASE_URL", None)
    else:
        os.environ["PROFILE_DATABASE_URL"] = previous


class CaseService:
    """``python -m bot case-service`` on a temporary database; tests may stop and start it."""

    def __init__(self, folder: Path) -> None:
        self.url = f"http://localhost:{CASE_SERVICE_PORT}"
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "CASE_SERVICE_TOKEN": CASE_SERVICE_TOKEN,
                    "CASE_DATABASE_URL": f"sqlite:///{folder / 'cases.db'}", "CASE_SERVICE_URL": self.url}
        self.log = ROOT / "var" / "log" / "e2e-case-service.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "case-service", "--port", str(CASE_SERVICE_PORT)],
            cwd=ROOT, env=self.env, stdout=self.log.open("a"), stderr=subprocess.STDOUT)
        _wait(f"{self.url}/health", 60, self.process, self.log)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)

    def cases_of(self, client_id: str) -> List[dict]:
        response = httpx.get(f"{self.url}/v1/cases", params={"client_id": client_id},
                             headers={"Authorization": f"Bearer {CASE_SERVICE_TOKEN}"}, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()["cases"]


@pytest.fixture(scope="session")
def case_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CaseService]:
    service = CaseService(tmp_path_factory.mktemp("e2e-cases"))
    service.start()
    yield service
    service.stop()


@pytest.fixture(scope="session")
def assistant(redis_client, profile_url, case_service) -> Iterator[str]:
    model = ROOT / "models" / "current.tar.gz"
    assert model.exists(), "no trained model: run `make train`"
    logs = ROOT / "var" / "log"
    logs.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "ACTION_PORT": str(ACTION_PORT),
        "REDIS_HOST": "localhost",
        "REDIS_PORT": str(REDIS_PORT),
        "REDIS_DB": str(REDIS_DB),
        "RASA_TELEMETRY_ENABLED": "false",
        "PROFILE_DATABASE_URL": profile_url,
        "CASE_SERVICE_URL": case_service.url,
        "CASE_SERVICE_TOKEN": CASE_SERVICE_TOKEN,
    }
    processes: List[subprocess.Popen] = []
    try:
        action_log = logs / "e2e-actions.log"
        actions = subprocess.Popen(
            [RASA, "run", "actions", "--actions", "actions", "--port", str(ACTION_PORT)],
            cwd=ROOT, env=env, stdout=action_log.open("w"), stderr=subprocess.STDOUT,
        )
        processes.append(actions)
        rasa_log = logs / "e2e-rasa.log"
        server = subprocess.Popen(
            [RASA, "run", "--model", str(model), "--endpoints", "endpoints.yml",
             "--credentials", "credentials.yml", "--port", str(RASA_PORT)],
            cwd=ROOT, env=env, stdout=rasa_log.open("w"), stderr=subprocess.STDOUT,
        )
        processes.append(server)
        _wait(f"http://localhost:{ACTION_PORT}/health", 90, actions, action_log)
        _wait(f"http://localhost:{RASA_PORT}/", 240, server, rasa_log)
        yield f"http://localhost:{RASA_PORT}/webhooks/rest/webhook"
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"
