"""Every /v1 call needs the service token; /health and the OpenAPI document do not."""
from __future__ import annotations

import stat
from pathlib import Path
from typing import Dict

import pytest

from bot.case_service import create_app
from bot.identity.secret import WeakSecret, load_case_service_token

from .conftest import AUTH, TOKEN, Service, new_case_body

CALLS = [
    ("POST", "/v1/cases", new_case_body()),
    ("GET", "/v1/cases/CS-2026-000001", None),
    ("GET", "/v1/cases?client_id=C000001", None),
    ("GET", "/v1/cases/due?within_days=3", None),
    ("POST", "/v1/cases/CS-2026-000001/transitions", {"to_status": "under_review", "actor": "RM001"}),
    ("POST", "/v1/cases/CS-2026-000001/extensions", {"time_limit_days": 30, "reason": "x", "actor": "RM001"}),
]
BAD_AUTH: Dict[str, Dict[str, str]] = {
    "none": {},
    "wrong token": {"Authorization": "Bearer " + "w" * len(TOKEN)},
    "token prefix": {"Authorization": "Bearer " + TOKEN[:-1]},
    "token plus more": {"Authorization": "Bearer " + TOKEN + "x"},
    "basic scheme": {"Authorization": "Basic " + TOKEN},
    "bare token": {"Authorization": TOKEN},
    "empty bearer": {"Authorization": "Bearer "},
}


@pytest.mark.parametrize("method, path, body", CALLS)
@pytest.mark.parametrize("headers", BAD_AUTH.values(), ids=BAD_AUTH.keys())
def test_v1_without_the_token_is_401(service: Service, method: str, path: str, body: object,
                                     headers: Dict[str, str]) -> None:
    response = service.http.request(method, path, json=body, headers={**headers, "Idempotency-Key": "auth-key-1"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {"detail": "a valid service token is required"}


def test_nothing_is_created_without_the_token(service: Service) -> None:
    service.http.post("/v1/cases", json=new_case_body(client_id="NOAUTH1"), headers={"Idempotency-Key": "auth-key-2"})
    listed = service.http.get("/v1/cases", params={"client_id": "NOAUTH1"}, headers=AUTH)
    assert listed.json() == {"cases": []}


def test_health_and_openapi_need_no_token(service: Service) -> None:
    assert service.http.get("/health").status_code == 200
    document = service.http.get("/openapi.json").json()
    assert document["components"]["securitySchemes"]["ServiceToken"] == {
        "type": "http", "scheme": "bearer", "description": "the case service token (CASE_SERVICE_TOKEN)"}


def test_a_short_token_is_refused_at_start(tmp_path: Path) -> None:
    with pytest.raises(WeakSecret):
        create_app(f"sqlite:///{tmp_path / 'cases.db'}", token="short")


def test_token_from_the_environment_or_a_private_dev_file(tmp_path: Path) -> None:
    token_file = tmp_path / "var" / "case_service_token"
    assert load_case_service_token({"CASE_SERVICE_TOKEN": TOKEN}, token_file) == TOKEN
    assert not token_file.exists()
    made = load_case_service_token({}, token_file)
    assert len(made) >= 32 and stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert load_case_service_token({"APP_TOKEN_SECRET": "x" * 40}, token_file) == made  # not the app secret
    with pytest.raises(WeakSecret):
        load_case_service_token({"CASE_SERVICE_TOKEN": "short"}, token_file)
