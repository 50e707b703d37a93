"""Logging in on the chat and desk pages, and who may call what."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient

from bot.desk.app import STATIC_DIR
from bot.desk.texts import load_server_texts
from bot.identity import Role, issue_token
from tests.bot.desk.conftest import PASSCODE, TOKEN_SECRET, Desk, build_app, fake_rasa


@pytest.mark.parametrize("user_id, role, name", [
    ("C000001", "client", "王建华"),
    ("c000001", "client", "王建华"),  # typed in lower case
    ("RM001", "advisor", None),
    ("CC001", "agent", "林晓"),
])
def test_a_demo_id_with_the_passcode_logs_in(desk: Desk, user_id: str, role: str, name: str) -> None:
    answer = desk.client.post("/api/login", json={"user_id": user_id, "passcode": PASSCODE})
    assert answer.status_code == 200
    body = answer.json()
    assert body["role"] == role and body["user_id"] == user_id.upper()
    assert body["name"] and (name is None or body["name"] == name)
    me = desk.client.get("/api/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.json() == {"role": role, "user_id": user_id.upper(), "name": body["name"]}


@pytest.mark.parametrize("user_id, passcode", [
    ("C000001", "wrong-passcode"),
    ("C000001", ""),
    ("C999999", PASSCODE),  # no such client
    ("RM999", PASSCODE),
    ("CC999", PASSCODE),
])
def test_a_wrong_passcode_and_an_unknown_id_get_the_same_refusal(desk: Desk, user_id: str, passcode: str) -> None:
    answer = desk.client.post("/api/login", json={"user_id": user_id, "passcode": passcode})
    assert answer.status_code == 401
    assert answer.json() == {"detail": load_server_texts().text("login_failed")}
    assert "token" not in answer.text


def test_a_token_logs_in_as_its_subject(desk: Desk) -> None:
    token = issue_token(Role.ADVISOR, "RM002", TOKEN_SECRET)
    answer = desk.client.post("/api/login", json={"token": token})
    assert answer.status_code == 200
    assert answer.json()["role"] == "advisor" and answer.json()["user_id"] == "RM002"


def test_a_forged_token_does_not_log_in(desk: Desk) -> None:
    forged = issue_token(Role.ADVISOR, "RM001", b"another-secret-" + b"x" * 40)
    assert desk.client.post("/api/login", json={"token": forged}).status_code == 401
    assert desk.client.get("/api/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 401


def test_every_api_route_but_login_needs_a_token(desk: Desk) -> None:
    for method, path in [("GET", "/api/me"), ("POST", "/api/chat/messages"), ("GET", "/api/chat/history"),
                         ("GET", "/api/chat/stream"), ("GET", "/api/desk/queue"), ("GET", "/api/desk/stream"),
                         ("GET", "/api/desk/csat"), ("GET", "/api/desk/clients/C000001/overview")]:
        answer = desk.client.request(method, path, json={"text": "你好"})
        assert answer.status_code == 401, path
        assert answer.json()["detail"] == load_server_texts().text("login_required")


def test_clients_cannot_use_the_desk_and_the_desk_cannot_chat_as_a_client(desk: Desk) -> None:
    client, advisor = desk.login("C000001"), desk.login("RM001")
    assert desk.client.get("/api/desk/queue", headers=client).status_code == 403
    assert desk.client.get("/api/desk/clients/C000001/overview", headers=client).status_code == 403
    assert desk.client.post("/api/chat/messages", json={"text": "你好"}, headers=advisor).status_code == 403
    assert desk.rasa.of_kind("message") == []


def test_an_expired_token_asks_to_log_in_again(desk: Desk) -> None:
    old = issue_token(Role.CLIENT, "C000001", TOKEN_SECRET, now=datetime.now(timezone.utc) - timedelta(hours=9))
    answer = desk.client.get("/api/chat/history", headers={"Authorization": f"Bearer {old}"})
    assert answer.status_code == 401
    assert answer.json()["detail"] == load_server_texts().text("session_expired")


def test_a_browser_preferring_traditional_gets_traditional(desk: Desk) -> None:
    answer = desk.client.post("/api/login", json={"user_id": "C000001", "passcode": "nope"},
                              headers={"Accept-Language": "zh-TW,zh;q=0.9"})
    assert answer.status_code == 401
    detail = answer.json()["detail"]
    assert "密碼不正確，請檢查後重試" in detail and "请" not in detail


def test_without_the_demo_login_only_tokens_log_in(sessions, namespace, redis_sync) -> None:
    app = build_app(sessions, namespace, fake_rasa(sessions))
    services = app.state.services
    app.state.services = replace(services, settings=replace(services.settings, demo_login=False))
    with TestClient(app) as client:
        answer = client.post("/api/login", json={"user_id": "C000001", "passcode": PASSCODE})
        assert answer.status_code == 401
        assert answer.json() == {"detail": load_server_texts().text("demo_login_off")}
        token = issue_token(Role.CLIENT, "C000001", TOKEN_SECRET)
        assert client.post("/api/login", json={"token": token}).status_code == 200


def test_the_pages_are_served(desk: Desk) -> None:
    for path, name in (("/", "chat.html"), ("/desk", "desk.html"), ("/static/style.css", "style.css")):
        answer = desk.client.get(path)
        assert answer.status_code == 200
        assert answer.text == (STATIC_DIR / name).read_text("utf-8")
    assert desk.client.get("/").headers["content-type"].startswith("text/html")
    assert desk.client.get("/static/../settings.py").status_code == 404
    assert desk.client.get("/health").json() == {"status": "ok"}
