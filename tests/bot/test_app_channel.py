"""The app channel over HTTP, mounted the way Rasa mounts it, with a fake agent behind it."""
from __future__ import annotations

import asyncio
import json
import logging
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, List, Sequence, Tuple, Union

import httpx
import jwt
import pytest
from rasa.core.channels.channel import InputChannel, UserMessage, register
from rasa.core.run import create_http_input_channels
from sanic import Sanic

from bot.channels.app import AppInput
from bot.channels.rest import SafeRestInput
from bot.identity import AUDIENCE, DEFAULT_LIFETIME, Principal, Role, issue_token, principal_from_metadata, verify_token

SECRET = "app-channel-test-secret-" + "s" * 40
CLAIM_KEYS = {"verified", "role", "subject_id", "expires_at"}


@pytest.fixture(autouse=True)
def sanic_test_mode(monkeypatch):
    """Lets each test start its own Sanic app (as sanic-testing does): start-up rewrites
    some of Sanic's methods in place, which only test mode makes repeatable."""
    monkeypatch.setattr(Sanic, "test_mode", True)


class FakeAgent:
    """Stands in for Rasa's agent: keeps each message and answers once."""

    def __init__(self) -> None:
        self.messages: List[UserMessage] = []

    async def handle_message(self, message: UserMessage) -> None:
        self.messages.append(message)
        await message.output_channel.send_text_message(message.sender_id, "收到")


def _exchange(
    body: Union[dict, bytes], path: str = "/webhooks/app/webhook", channels: Sequence[InputChannel] = ()
) -> Tuple[httpx.Response, UserMessage]:
    async def run() -> Tuple[httpx.Response, List[UserMessage]]:
        app = Sanic(f"app-channel-test-{uuid.uuid4().hex}", configure_logging=False)
        app.ctx.agent = FakeAgent()
        register(list(channels) or [AppInput(SECRET)], app, route="/webhooks/")
        await app._startup()  # what Sanic's ASGI lifespan start-up runs; httpx sends no lifespan events
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bank.test") as client:
            content = {"content": body} if isinstance(body, bytes) else {"json": body}
            response = await client.post(path, **content)
        return response, app.ctx.agent.messages

    response, messages = asyncio.run(run())
    assert response.status_code == 200
    assert len(messages) == 1
    return response, messages[0]


def _past(delta: timedelta) -> datetime:
    return datetime.now(timezone.utc) - delta


def _token(subject_id: str = "C000123", role: Role = Role.CLIENT, **options: Any) -> str:
    return issue_token(role, subject_id, SECRET, **options)


def test_verified_client_talks_in_the_conversation_of_the_token_not_of_the_sender():
    token = _token("C000123")
    response, message = _exchange({"sender": "client:C000999", "message": "查余额", "metadata": {"token": token}})
    assert message.sender_id == "client:C000123"
    assert response.json() == [{"recipient_id": "client:C000123", "text": "收到"}]
    assert message.metadata == verify_token(token, SECRET).to_metadata()


def test_actions_can_read_the_verified_principal_back():
    token = _token("RM001", Role.ADVISOR)
    _, message = _exchange({"sender": "rm", "message": "我的客户", "metadata": {"token": token}})
    principal = principal_from_metadata(message.metadata, input_channel=message.input_channel)
    assert principal == verify_token(token, SECRET)
    assert principal.conversation_id == "advisor:RM001"


def test_only_the_verified_claims_reach_rasa():
    token = _token("C000123")
    posted = {"token": token, "device": "iPhone", "verified": True, "role": "advisor", "subject_id": "C000999"}
    _, message = _exchange({"sender": "x", "message": "你好", "metadata": posted})
    assert set(message.metadata) == CLAIM_KEYS
    assert (message.metadata["role"], message.metadata["subject_id"]) == ("client", "C000123")
    assert token not in json.dumps(message.metadata) and token.split(".")[2] not in json.dumps(message.metadata)


def test_without_a_token_the_message_goes_through_unverified():
    response, message = _exchange({"sender": "device-42", "message": "营业时间是几点"})
    assert response.json() == [{"recipient_id": "guest:device-42", "text": "收到"}]
    assert message.metadata == {"verified": False, "reason": "missing"}
    assert message.text == "营业时间是几点"


def _forged_tokens() -> List[Tuple[str, object, str]]:
    header, _, signature = _token("C000123").split(".")
    claims = {"sub": "C000999", "role": "client", "aud": AUDIENCE, "iat": 1, "exp": 4102444800}
    other_payload = jwt.encode(claims, SECRET, algorithm="HS256").split(".")[1]
    return [
        ("expired", _token(now=_past(DEFAULT_LIFETIME + timedelta(hours=1))), "expired"),
        ("other key", issue_token(Role.CLIENT, "C000999", "another-secret-" + "k" * 40), "invalid"),
        ("payload swapped", f"{header}.{other_payload}.{signature}", "invalid"),
        ("alg none", jwt.encode(claims, None, algorithm="none"), "invalid"),
        ("other audience", issue_token(Role.CLIENT, "C000999", SECRET, audience="elsewhere"), "invalid"),
        ("garbage", "not-a-token", "invalid"),
        ("a number", 123, "invalid"),
    ]


@pytest.mark.parametrize("token,reason", [case[1:] for case in _forged_tokens()], ids=[case[0] for case in _forged_tokens()])
def test_a_bad_token_leaves_the_user_unverified(token, reason):
    response, message = _exchange({"sender": "s1", "message": "查余额", "metadata": {"token": token}})
    assert message.sender_id == "guest:s1"
    assert message.metadata == {"verified": False, "reason": reason}
    assert principal_from_metadata(message.metadata, input_channel=message.input_channel) is None
    assert response.json() == [{"recipient_id": "guest:s1", "text": "收到"}]


def test_claims_posted_without_a_token_do_not_verify():
    forged = {"verified": True, "role": "client", "subject_id": "C000999", "expires_at": "2999-01-01T00:00:00+00:00"}
    _, message = _exchange({"sender": "s2", "message": "查余额", "metadata": forged})
    assert message.metadata == {"verified": False, "reason": "missing"}
    assert principal_from_metadata(message.metadata, input_channel=message.input_channel) is None


def test_claims_forged_through_the_rest_channel_are_not_trusted():
    forged = Principal(Role.CLIENT, "C000999", _past(-timedelta(hours=1))).to_metadata()
    _, message = _exchange(
        {"sender": "s3", "message": "查余额", "metadata": forged, "input_channel": "app"},
        path="/webhooks/rest/webhook", channels=[SafeRestInput(), AppInput(SECRET)],
    )
    assert message.input_channel == "rest"
    assert principal_from_metadata(message.metadata, input_channel=message.input_channel) is None


def test_the_rest_channel_stores_no_posted_metadata_and_masks_numbers():
    body = {"sender": "s5", "message": "卡号6222021234567890123丢了", "metadata": {"token": _token()}}
    _, message = _exchange(body, path="/webhooks/rest/webhook", channels=[SafeRestInput(), AppInput(SECRET)])
    assert message.metadata is None
    assert message.text == "卡号尾号0123丢了"


def test_an_unverified_sender_cannot_enter_a_clients_conversation():
    _, message = _exchange({"sender": "client:C000123", "message": "查余额"})
    assert message.sender_id == "guest:client:C000123"


def test_numbers_in_the_message_are_masked_before_rasa_sees_them():
    body = {"sender": "s4", "message": "卡号6222021234567890123丢了，手机13812345678", "metadata": {"token": _token()}}
    _, message = _exchange(body)
    assert message.text == "卡号尾号0123丢了，手机138****5678"


def test_a_body_that_is_not_json_still_gets_an_answer():
    response, message = _exchange(b"\xff{not json")
    assert message.sender_id.startswith("guest:anonymous-")
    assert message.metadata == {"verified": False, "reason": "missing"}
    assert response.json()[0]["recipient_id"] == message.sender_id


@pytest.fixture
def log_record_factory():
    factory = logging.getLogRecordFactory()
    yield
    logging.setLogRecordFactory(factory)


def test_rasa_loads_the_channel_from_credentials(tmp_path, monkeypatch, log_record_factory):
    monkeypatch.setenv("APP_TOKEN_SECRET", SECRET)
    credentials = tmp_path / "credentials.yml"
    credentials.write_text("bot.channels.rest.SafeRestInput:\nbot.channels.app.AppInput:\n")
    channels = create_http_input_channels(None, str(credentials))
    assert [channel.name() for channel in channels] == ["rest", "app"]
    _, message = _exchange({"sender": "s5", "message": "你好", "metadata": {"token": _token()}}, channels=channels)
    assert message.metadata["verified"] is True
    assert getattr(logging.getLogRecordFactory(), "_personal_data_masked", False)  # log masking installed


def test_the_anonymous_rest_channel_cannot_write_into_a_verified_clients_conversation():
    """A REST sender of ``client:C000123`` lands in the REST namespace: it can neither add lines
    to that client's conversation (which a person may be reading) nor restart it."""
    from bot.channels.rest import SafeRestInput

    _, message = _exchange({"sender": "client:C000123", "message": "/restart"}, path="/webhooks/rest/webhook",
                           channels=[SafeRestInput()])
    assert message.sender_id == "rest:client:C000123"
    _, message = _exchange({"sender": "device-7", "message": "你好"}, path="/webhooks/rest/webhook",
                           channels=[SafeRestInput()])
    assert message.sender_id == "rest:device-7"
