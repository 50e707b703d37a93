"""The client's web chat: forwarding to the bot, the open-handoff gate, bad input."""
from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from bot.desk.texts import load_server_texts
from bot.handoff.store import messages_of
from bot.handoff.triggers import HandoffReason
from tests.bot.desk.conftest import PASSCODE, RASA_API_TOKEN, Desk, build_app, fake_rasa, open_test_handoff
from tests.conftest import free_port
from tests.bot.desk.fake_rasa import GREETING, HANDED_OFF

EMOJI_ONLY = "👍😊"


def detail(key: str, **values: object) -> str:
    return load_server_texts().text(key, **values)


# ---------------------------------------------------------------------------- forwarding
def test_a_message_goes_to_the_app_channel_with_the_clients_own_token(desk: Desk) -> None:
    headers = desk.login("C000001")
    answer = desk.client.post("/api/chat/messages", json={"text": "你好"}, headers=headers)
    assert answer.status_code == 200
    body = answer.json()
    assert body["handoff"] is None
    assert [message["text"] for message in body["messages"]] == [GREETING]
    assert body["messages"][0]["from"] == "bot"
    assert body["messages"][0]["buttons"] == [{"title": "查余额", "payload": "/check_balance"}]
    sent = desk.rasa.of_kind("message")
    assert len(sent) == 1
    assert sent[0].conversation_id == "client:C000001"  # the token, checked by the channel, names it
    assert sent[0].body["message"] == "你好"
    assert sent[0].body["metadata"]["token"] == headers["Authorization"].split()[1]


def test_a_button_sends_its_payload_not_its_title(desk: Desk) -> None:
    headers = desk.login("C000001")
    answer = desk.client.post("/api/chat/messages", json={"text": "查余额", "payload": "/check_balance"},
                              headers=headers)
    assert answer.status_code == 200
    assert desk.rasa.of_kind("message")[0].body["message"] == "/check_balance"


def test_emoji_alone_is_forwarded(desk: Desk) -> None:
    answer = desk.client.post("/api/chat/messages", json={"text": EMOJI_ONLY}, headers=desk.login("C000001"))
    assert answer.status_code == 200
    assert desk.rasa.of_kind("message")[0].body["message"] == EMOJI_ONLY


def test_when_the_bot_hands_off_the_answer_carries_the_handoff(desk: Desk) -> None:
    headers = desk.login("C000001")
    answer = desk.client.post("/api/chat/messages", json={"text": "转人工"}, headers=headers)
    assert answer.status_code == 200
    body = answer.json()
    assert [message["text"] for message in body["messages"]] == [HANDED_OFF]
    assert body["handoff"]["status"] == "waiting"
    assert body["handoff"]["target_name"]  # the client's RM
    assert body["handoff"]["reply_expected_by"].endswith("+08:00")
    history = desk.client.get("/api/chat/history", headers=headers).json()
    assert history["handoff"]["id"] == body["handoff"]["id"]


def test_a_message_that_crossed_the_handoff_reaches_the_person(desk: Desk) -> None:
    desk.rasa.hand_off_before_next = True  # the bot hands off while this message is on its way
    answer = desk.client.post("/api/chat/messages", json={"text": "快一点"}, headers=desk.login("C000001"))
    assert answer.status_code == 200
    body = answer.json()
    assert body["messages"] == [] and body["handoff"]["status"] == "waiting"
    assert len(desk.rasa.of_kind("message")) == 1  # it did go to Rasa, which kept it and said nothing
    assert [message.text for message in desk.messages(body["handoff"]["id"])] == ["快一点"]
    assert desk.rasa.of_kind("events") == []  # Rasa has it already: not appended twice


def test_rasa_down_without_a_handoff_is_503_in_chinese(desk: Desk) -> None:
    desk.rasa.down = True
    answer = desk.client.post("/api/chat/messages", json={"text": "你好"}, headers=desk.login("C000001"))
    assert answer.status_code == 503
    assert answer.json() == {"detail": detail("assistant_unavailable")}


# ---------------------------------------------------------------------------- the gate
def test_while_a_handoff_is_open_nothing_reaches_the_bot(desk: Desk) -> None:
    opened = desk.open_handoff("C000001")
    headers = desk.login("C000001")
    answer = desk.client.post("/api/chat/messages", json={"text": "我的卡6222021234567890123被扣了两次年费"},
                              headers=headers)
    assert answer.status_code == 200
    body = answer.json()
    assert body["handoff"]["id"] == opened.id and body["handoff"]["status"] == "waiting"
    assert body["messages"] == []  # the bot says nothing
    assert desk.rasa.of_kind("message") == []  # never the webhook
    stored = desk.messages(opened.id)
    assert [(message.sender, message.text) for message in stored] == [("client", "我的卡尾号0123被扣了两次年费")]
    assert body["kept"]["id"] == f"m{stored[0].id}" and body["kept"]["from"] == "client"
    # the tracker learns it as a user event (masked), so the bot knows once it resumes
    events = desk.rasa.events_sent("client:C000001")
    assert [(event["event"], event["text"]) for event in events] == [("user", "我的卡尾号0123被扣了两次年费")]
    assert events[0]["metadata"]["subject_id"] == "C000001" and "token" not in events[0]["metadata"]
    # the desk sees it, and so does the client's history
    desk_view = desk.client.get(f"/api/desk/handoffs/{opened.id}", headers=desk.login("RM001")).json()
    assert [message["text"] for message in desk_view["messages"]] == ["我的卡尾号0123被扣了两次年费"]
    history = desk.client.get("/api/chat/history", headers=headers).json()
    assert [message["id"] for message in history["messages"]] == [body["kept"]["id"]]


def test_a_button_pressed_while_held_is_kept_as_its_title(desk: Desk) -> None:
    opened = desk.open_handoff("C000001")
    answer = desk.client.post("/api/chat/messages", json={"text": "查余额", "payload": "/check_balance"},
                              headers=desk.login("C000001"))
    assert answer.status_code == 200
    assert [message.text for message in desk.messages(opened.id)] == ["查余额"]
    assert desk.rasa.of_kind("message") == []


def test_with_rasa_down_a_held_conversation_loses_nothing(desk: Desk) -> None:
    opened = desk.open_handoff("C000001")
    desk.rasa.down = True
    answer = desk.client.post("/api/chat/messages", json={"text": "还在吗"}, headers=desk.login("C000001"))
    assert answer.status_code == 200
    assert answer.json()["handoff"]["id"] == opened.id
    assert [message.text for message in desk.messages(opened.id)] == ["还在吗"]


def test_with_redis_down_a_held_conversation_loses_nothing(sessions, namespace, redis_sync) -> None:
    rasa = fake_rasa(sessions)
    app = build_app(sessions, namespace, rasa, redis_port=free_port())  # nobody listens there
    with TestClient(app) as client:
        opened = open_test_handoff(sessions, "C000001")
        token = client.post("/api/login", json={"user_id": "C000001", "passcode": PASSCODE}).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        answer = client.post("/api/chat/messages", json={"text": "还在吗"}, headers=headers)
        assert answer.status_code == 200
        assert answer.json()["handoff"]["id"] == opened.id
        assert rasa.of_kind("message") == []
        # the stream cannot start without Redis: 503, and the page tries again
        stream = client.get("/api/chat/stream", headers=headers)
        assert stream.status_code == 503
    with sessions() as session:
        assert [message.text for message in messages_of(session, opened.id)] == ["还在吗"]


def test_another_clients_handoff_does_not_gate_this_client(desk: Desk) -> None:
    desk.open_handoff("C000003")
    answer = desk.client.post("/api/chat/messages", json={"text": "你好"}, headers=desk.login("C000001"))
    assert answer.json()["handoff"] is None
    assert len(desk.rasa.of_kind("message")) == 1


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("body, key", [
    ({"text": ""}, "empty_text"),
    ({"text": "   \n\t　"}, "empty_text"),  # ASCII and ideographic spaces
    ({"text": "\x00\x01"}, "empty_text"),  # control characters only
    ({"text": "\u200b\u200b\ufeff"}, "empty_text"),  # zero-width and BOM only: nothing shows
    ({}, "empty_text"),
    ({"text": "好" * 2001}, "too_long"),
    ({"text": 12345}, "unreadable"),
    ({"text": ["你好"]}, "unreadable"),
    ({"text": "查余额", "payload": "check_balance"}, "bad_payload"),  # a payload is /intent
    ({"text": "查余额", "payload": 7}, "bad_payload"),
])
def test_bad_messages_are_refused_politely_and_nothing_is_stored(desk: Desk, body: dict, key: str) -> None:
    opened = desk.open_handoff("C000001")
    answer = desk.client.post("/api/chat/messages", json=body, headers=desk.login("C000001"))
    assert answer.status_code == 400
    assert answer.json()["detail"] == (detail(key, limit=2000) if key == "too_long" else detail(key))
    assert desk.messages(opened.id) == []
    assert desk.rasa.calls == []


@pytest.mark.parametrize("raw", [
    b"{not json",
    b"\xff\xfe\x00junk bytes\x80",
    json.dumps(["a", "list"]).encode(),
    b'"just a string"',
    b'{"text": "\\ud800"}',  # valid JSON, but a lone surrogate is no text
    b"",
])
def test_unreadable_bodies_are_400_and_nothing_is_forwarded(desk: Desk, raw: bytes) -> None:
    headers = {**desk.login("C000001"), "Content-Type": "application/json"}
    answer = desk.client.post("/api/chat/messages", content=raw, headers=headers)
    assert answer.status_code == 400
    assert answer.json() == {"detail": detail("unreadable")}
    assert desk.rasa.calls == []


def test_a_text_of_exactly_2000_characters_is_fine(desk: Desk) -> None:
    answer = desk.client.post("/api/chat/messages", json={"text": "好" * 2000}, headers=desk.login("C000001"))
    assert answer.status_code == 200


def test_a_huge_body_is_413(desk: Desk) -> None:
    answer = desk.client.post("/api/chat/messages", json={"text": "好" * 20_000}, headers=desk.login("C000001"))
    assert answer.status_code == 413
    assert answer.json() == {"detail": detail("body_too_large")}
    assert desk.rasa.calls == []


def test_the_client_of_a_closed_handoff_talks_to_the_bot_again(desk: Desk) -> None:
    opened = desk.open_handoff("C000001", HandoffReason.CLIENT_REQUEST)
    rm = desk.login("RM001")
    assert desk.client.post(f"/api/desk/handoffs/{opened.id}/take", headers=rm).status_code == 200
    assert desk.client.post(f"/api/desk/handoffs/{opened.id}/close", headers=rm).status_code == 200
    answer = desk.client.post("/api/chat/messages", json={"text": "你好"}, headers=desk.login("C000001"))
    assert answer.json()["handoff"] is None
    assert [message["text"] for message in answer.json()["messages"]] == [GREETING]


def test_logs_hold_no_token_no_message_text_no_number(desk: Desk, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    headers = desk.login("C000001")
    token = headers["Authorization"].split()[1]
    desk.client.post("/api/chat/messages", json={"text": "秘密问题13812345678"}, headers=headers)
    opened = desk.open_handoff("C000001")
    desk.client.post("/api/chat/messages", json={"text": "第二个秘密6222021234567890123"}, headers=headers)
    desk.rasa.down = True
    desk.client.post("/api/chat/messages", json={"text": "第三个秘密"}, headers=headers)
    rm = desk.login("RM001")
    desk.client.post(f"/api/desk/handoffs/{opened.id}/take", headers=rm)
    desk.client.post(f"/api/desk/handoffs/{opened.id}/reply", json={"text": "客户经理的秘密回复"}, headers=rm)
    desk.client.post(f"/api/desk/handoffs/{opened.id}/hand-back", headers=rm)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert logged  # the failures above were logged
    for secret in (token, "秘密", "13812345678", "6222021234567890123", "1234567890123", PASSCODE, RASA_API_TOKEN):
        assert secret not in logged
