"""Starts the real assistant (case service + action server + Rasa server + Redis + desk server)
for the session, once for the e2e and the browser tests (a plugin: ``tests/conftest.py``).

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
from typing import Dict, Iterator, List

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
RASA_API_TOKEN = "e2e-rasa-api-token-" + "r" * 40
DESK_PORT = int(os.environ.get("TEST_DESK_PORT", "18080"))
DEMO_PASSCODE = "e2e-demo-passcode"
MODEL = ROOT / "models" / "current.tar.gz"


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


class Assistant:
    """The action server and the Rasa server (with its HTTP API, token-protected) on the tests'
    ports; tests may restart the Rasa server (the tracker store keeps the conversations)."""

    def __init__(self, env: Dict[str, str]) -> None:
        self.env = env
        self.url = f"http://localhost:{RASA_PORT}"
        self.webhook = f"{self.url}/webhooks/rest/webhook"
        self.logs = ROOT / "var" / "log"
        self.actions: subprocess.Popen | None = None
        self.server: subprocess.Popen | None = None

    def start_actions(self) -> None:
        log = self.logs / "e2e-actions.log"
        self.actions = subprocess.Popen(
            [RASA, "run", "actions", "--actions", "actions", "--port", str(ACTION_PORT)],
            cwd=ROOT, env=self.env, stdout=log.open("a"), stderr=subprocess.STDOUT)
        _wait(f"http://localhost:{ACTION_PORT}/health", 90, self.actions, log)

    def start_rasa(self) -> None:
        log = self.logs / "e2e-rasa.log"
        self.server = subprocess.Popen(
            [RASA, "run", "--model", str(MODEL), "--endpoints", "endpoints.yml",
             "--credentials", "credentials.yml", "--port", str(RASA_PORT),
             "--enable-api", "--auth-token", RASA_API_TOKEN],
            cwd=ROOT, env=self.env, stdout=log.open("a"), stderr=subprocess.STDOUT)
        _wait(f"{self.url}/", 240, self.server, log)

    def stop_rasa(self) -> None:
        _stop(self.server)

    def stop(self) -> None:
        _stop(self.server)
        _stop(self.actions)

    def tracker(self, conversation_id: str) -> dict:
        response = httpx.get(f"{self.url}/conversations/{conversation_id}/tracker",
                             params={"token": RASA_API_TOKEN}, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()


def _stop(process: "subprocess.Popen | None") -> None:
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def services_env(redis_client, profile_url, case_service) -> Dict[str, str]:
    """The environment every process of the assistant runs with in the tests."""
    return {
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
        "RASA_URL": f"http://localhost:{RASA_PORT}",
        "RASA_API_TOKEN": RASA_API_TOKEN,
    }


@pytest.fixture(scope="session")
def running(services_env) -> Iterator[Assistant]:
    """The real assistant: action server and Rasa server (HTTP API on)."""
    assert MODEL.exists(), "no trained model: run `make train`"
    assistant = Assistant(services_env)
    assistant.logs.mkdir(parents=True, exist_ok=True)
    try:
        assistant.start_actions()
        assistant.start_rasa()
        yield assistant
    finally:
        assistant.stop()


@pytest.fixture(scope="session")
def assistant(running: Assistant) -> str:
    """The REST channel's webhook of the running assistant."""
    return running.webhook


class Desk:
    """``python -m bot desk`` (the web chat and the advisor desk) beside the running assistant."""

    def __init__(self, env: Dict[str, str]) -> None:
        self.url = f"http://localhost:{DESK_PORT}"
        self.env = {**env, "DESK_PORT": str(DESK_PORT), "DEMO_PASSCODE": DEMO_PASSCODE}
        self.log = ROOT / "var" / "log" / "e2e-desk.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "desk", "--port", str(DESK_PORT)],
            cwd=ROOT, env=self.env, stdout=self.log.open("a"), stderr=subprocess.STDOUT)
        _wait(f"{self.url}/health", 60, self.process, self.log)

    def stop(self) -> None:
        _stop(self.process)

    def login(self, user_id: str) -> str:
        response = httpx.post(f"{self.url}/api/login", json={"user_id": user_id, "passcode": DEMO_PASSCODE},
                              timeout=10)
        assert response.status_code == 200, response.text
        return response.json()["token"]


@pytest.fixture(scope="session")
def desk(running: Assistant) -> Iterator[Desk]:
    server = Desk(running.env)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"
