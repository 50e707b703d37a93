"""A verified client through the app channel, against the real servers and the demo bank."""
from __future__ import annotations

import os
from typing import Any, Dict, List, Optional

import httpx
import pytest

from bot.identity import Role, issue_token, load_secret
from bot.money import format_money, tail_label
from bot.profile.database import database_url, make_engine, make_session_factory
from bot.profile.queries import accounts_of

DEMO_CLIENT = "C000001"  # 王建华, 金卡 (bot/profile/seed.py)


def app_url(assistant: str) -> str:
    return assistant.replace("/webhooks/rest/", "/webhooks/app/")


def say(assistant: str, message: str, token: Optional[str], sender: str = "phone-1") -> List[Dict[str, Any]]:
    metadata = {"token": token} if token else {}
    response = httpx.post(app_url(assistant), json={"sender": sender, "message": message, "metadata": metadata},
                          timeout=60)
    assert response.status_code == 200
    return response.json()


def texts(replies: List[Dict[str, Any]]) -> str:
    return "\n".join(reply.get("text", "") for reply in replies)


@pytest.fixture(scope="module")
def demo_accounts():
    engine = make_engine(database_url())
    with make_session_factory(engine)() as session:
        yield accounts_of(session, DEMO_CLIENT)
    engine.dispose()


def test_verified_client_gets_their_own_balances(assistant, demo_accounts):
    token = issue_token(Role.CLIENT, DEMO_CLIENT, load_secret(os.environ))
    reply = texts(say(assistant, "我的账户余额是多少", token))
    debit = [a for a in demo_accounts if a.account_type == "储蓄卡" and a.status == "normal"]
    assert debit, "the demo client has a debit card"
    for account in debit:
        assert tail_label(account.tail) in reply
        assert format_money(account.balance, account.currency) in reply


def test_without_a_token_account_questions_are_refused_with_how_to_verify(assistant):
    reply = texts(say(assistant, "我的账户余额是多少", None, sender="phone-anonymous"))
    assert "确认您的身份" in reply
    assert "元" not in reply


def test_a_forged_token_does_not_verify(assistant):
    forged = issue_token(Role.CLIENT, DEMO_CLIENT, "not-the-bank's-secret-but-long-enough-for-hs256")
    reply = texts(say(assistant, "我的账户余额是多少", forged, sender="phone-forged"))
    assert "确认您的身份" in reply


def test_the_token_never_reaches_the_tracker_store(assistant, redis_client):
    token = issue_token(Role.CLIENT, DEMO_CLIENT, load_secret(os.environ))
    say(assistant, "你好", token)
    stored = b"".join(redis_client.get(key) or b"" for key in redis_client.keys("*") if redis_client.type(key) == b"string")
    assert token.encode() not in stored
    assert f"client:{DEMO_CLIENT}".encode() in stored
