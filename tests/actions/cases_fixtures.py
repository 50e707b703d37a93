"""The case service in-process for action tests: a temp database, reached through httpx's ASGI transport.

``case_service`` patches the actions' ``case_client`` to talk to it; ``case_service_down``
makes every call fail to connect, as when the service process is stopped.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List

import httpx
import pytest
from fastapi.testclient import TestClient

import actions.case_status
import actions.complaints
from bot.case_service import create_app
from bot.cases.client import CaseClient

TOKEN = "actions-test-case-token-" + "t" * 40
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@dataclass
class CaseService:
    http: TestClient  # the service's own API, to look behind the bot's back
    transport: httpx.AsyncBaseTransport
    up: bool = True

    def client(self) -> CaseClient:
        if not self.up:
            return CaseClient("http://cases.test", TOKEN, attempts=2, backoff=0,
                              transport=httpx.MockTransport(_refuse))
        return CaseClient("http://cases.test", TOKEN, attempts=2, backoff=0, transport=self.transport)

    def cases_of(self, client_id: str) -> List[dict]:
        response = self.http.get("/v1/cases", params={"client_id": client_id}, headers=AUTH)
        assert response.status_code == 200, response.text
        return response.json()["cases"]


def _refuse(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


@pytest.fixture()
def case_service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CaseService]:
    app = create_app(f"sqlite:///{tmp_path / 'cases.db'}", token=TOKEN)
    with TestClient(app) as http:
        service = CaseService(http, httpx.ASGITransport(app=app))
        for module in (actions.complaints, actions.case_status):
            monkeypatch.setattr(module, "case_client", service.client)
        yield service
