"""Browser tests: Debian's chromium driven by Playwright for Python, the desk server, screenshots.

- ``chromium_path``: what ``scripts/chromium.sh`` prints (it installs Debian's chromium, and a
  Chinese font, when absent). Playwright launches that binary: no browser download.
- ``browser``: one headless chromium for the session, with the flags this machine's closed network
  needs (otherwise chromium's background connections are refused and slow everything down).
- ``open_page(width, height)``: a page in a fresh context (its own sessionStorage: one user per
  page), closed after the test.
- ``screenshot(page, name)``: saves ``results/browser/<name>.png``, the tests' artifact folder.
- ``page_store``: a migrated, seeded demo bank in a temporary SQLite file (its URL).
- ``page_desk``: ``python -m bot desk`` on a free port against ``page_store``, with Rasa and the
  case service nowhere (closed ports): what the pages do without the assistant. Redis is the
  tests' (``REDIS_PORT``, database 2); the page tests that need live updates ask for
  ``live_redis``, which fails when Redis is down (``make test`` starts it).

The full conversation with the real assistant (``test_handoff_flow.py``) uses the e2e session
fixtures (``tests/e2e/services.py``) instead, which start Rasa, the action server, the case
service and the desk server together, once for both folders.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Mapping

import httpx
import pytest
import redis
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import ROOT, free_port

SCREENSHOTS = ROOT / "results" / "browser"
LOGS = ROOT / "var" / "log"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PHONE = (375, 740)  # an iPhone-sized screen, CSS pixels
DESKTOP = (1440, 900)
REDIS_PORT = int(os.environ.get("REDIS_PORT", "6379"))
REDIS_DB = 2  # the page tests' own database (e2e uses 1, `make run` 0)
TOKEN_SECRET = "browser-tests-token-secret-" + "b" * 40
DEMO_PASSCODE = "browser-demo-passcode"

expect.set_options(timeout=15_000)  # live updates cross two processes and Redis



@dataclass
class DeskServer:
    """A running ``python -m bot desk``; ``login`` gets a token the way the pages do."""

    url: str
    process: subprocess.Popen
    log: Path
    passcode: str
    env: Dict[str, str] = field(default_factory=dict)

    def login(self, user_id: str) -> str:
        response = httpx.post(f"{self.url}/api/login", json={"user_id": user_id, "passcode": self.passcode},
                              timeout=10)
        assert response.status_code == 200, response.text
        return response.json()["token"]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


def start_desk(env: Mapping[str, str], name: str, seconds: int = 60) -> DeskServer:
    """Starts ``python -m bot desk`` with ``env`` (RASA_URL, PROFILE_DATABASE_URL, DEMO_PASSCODE …) on
    a free port and waits for ``/health``; its output goes to ``var/log/<name>.log``."""
    port = free_port()
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f"{name}.log"
    full_env = {**env, "PYTHONPATH": str(ROOT), "DESK_PORT": str(port)}
    process = subprocess.Popen([sys.executable, "-m", "bot", "desk", "--port", str(port)], cwd=ROOT, env=full_env,
                               stdout=log.open("w"), stderr=subprocess.STDOUT)
    server = DeskServer(f"http://127.0.0.1:{port}", process, log, full_env.get("DEMO_PASSCODE", ""), full_env)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the desk server exited early:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{server.url}/health", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"the desk server was not up after {seconds} s:\n{log.read_text()[-3000:]}")


# ------------------------------------------------------------------------------ the browser
@pytest.fixture(scope="session")
def chromium_path() -> str:
    done = subprocess.run([str(ROOT / "scripts" / "chromium.sh")], capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"scripts/chromium.sh failed:\n{done.stderr[-2000:]}"
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Browser]:
    playwright = sync_playwright().start()
    try:
        launched = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
    finally:
        playwright.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """Keeps each phase's report on the test item, so a fixture can tell that the test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture
def open_page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Callable[..., Page]]:
    """``open_page(width, height)``: a page of its own context; a page's script errors fail the test,
    and when the test fails every page it opened is saved as ``results/browser/failed-<test>-<n>.png``."""
    contexts = []
    pages: List[Page] = []
    errors: List[str] = []

    def opened(width: int, height: int) -> Page:
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                      timezone_id="Asia/Shanghai")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("pageerror", lambda error: errors.append(str(error)))
        pages.append(page)
        return page

    yield opened
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for number, page in enumerate(pages, start=1):
            try:
                page.screenshot(path=str(SCREENSHOTS / f"failed-{request.node.name}-{number}.png"), full_page=True)
            except Exception:  # noqa: BLE001 - a page that cannot be captured must not hide the failure
                pass
    for context in contexts:
        context.close()
    assert not errors, f"script errors on the page: {errors}"


@pytest.fixture(scope="session")
def screenshot() -> Callable[[Page, str], Path]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page: Page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


# ------------------------------------------------------------------------------ the desk server
@pytest.fixture(scope="session")
def page_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, seeded demo bank (SQLite in a temp folder): its URL."""
    from tests.bot.profile.conftest import seeded_engine_for

    folder = tmp_path_factory.mktemp("browser-profile")
    seeded_engine_for("sqlite", folder).dispose()
    return f"sqlite:///{folder / 'profile.db'}"


@pytest.fixture(scope="session")
def page_desk(page_store: str) -> Iterator[DeskServer]:
    nowhere = f"http://127.0.0.1:{free_port()}"
    env = {
        **os.environ,
        "PROFILE_DATABASE_URL": page_store,
        "APP_TOKEN_SECRET": TOKEN_SECRET,
        "DEMO_LOGIN": "1",
        "DEMO_PASSCODE": DEMO_PASSCODE,
        "RASA_URL": nowhere,
        "RASA_API_TOKEN": "browser-tests-rasa-token-" + "r" * 20,
        "CASE_SERVICE_URL": nowhere,
        "CASE_SERVICE_TOKEN": "browser-tests-case-token-" + "c" * 20,
        "REDIS_HOST": "localhost",
        "REDIS_PORT": str(REDIS_PORT),
        "REDIS_DB": str(REDIS_DB),
        "RASA_TELEMETRY_ENABLED": "false",
    }
    server = start_desk(env, "browser-desk")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def live_redis() -> redis.Redis:
    """The Redis the page tests' desk server publishes on; down is a real failure (make test starts it)."""
    client = redis.Redis(port=REDIS_PORT, db=REDIS_DB)
    client.ping()
    return client
