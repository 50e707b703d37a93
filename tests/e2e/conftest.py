"""Starts the real assistant (action server + Rasa server + Redis) for the session."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Iterator, List

import httpx
import pytest
import redis

from tests.conftest import ROOT

RASA = str(Path(sys.executable).parent / "rasa")
RASA_PORT = int(os.environ.get("TEST_RASA_PORT", "15005"))
ACTION_PORT = int(os.environ.get("TEST_ACTION_PORT", "15055"))
REDIS_PORT = int(os.environ.get("REDIS_PORT", "6379"))
REDIS_DB = 1  # the tests' own database, apart from `make run`'s


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
def assistant(redis_client) -> Iterator[str]:
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
