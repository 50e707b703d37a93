"""A whole handoff through the desk server against the real Rasa server, action server and Redis.

A client chatting on the web chat asks for a person; the bot says who and
when and steps aside; the person (RM or contact-center agent, wherever the
routing sends it at the time the test runs) sees the request with its context
package, takes it and replies; the client reads the reply; the Rasa server is
restarted and the conversation is still the person's; the person hands back;
the bot answers again; the client says goodbye and rates the service, and the
desk shows the rating. Another RM can neither see the request nor open the
client.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

import httpx
import pytest

from bot import clock
from bot.handoff import HandoffReason, TargetKind, load_handoff_config, route
from bot.profile.database import make_engine, make_session_factory
from bot.profile.queries import client_summary
from tests.e2e.test_app_channel import say, texts

CLIENT = "C000004"  # 张志强, 白金, RM003 王梓涵 (backup RM004 on leave)
OTHER_RM = "RM001"
CARD_NUMBER = "6222021234567890123"


class Session:
    """One logged-in user of the desk server."""

    def __init__(self, desk, user_id: str) -> None:
        self.url = desk.url
        self.headers = {"Authorization": f"Bearer {desk.login(user_id)}"}

    def get(self, path: str) -> httpx.Response:
        return httpx.get(f"{self.url}{path}", headers=self.headers, timeout=60)

    def post(self, path: str, body: Optional[Dict[str, Any]] = None) -> httpx.Response:
        return httpx.post(f"{self.url}{path}", headers=self.headers, json=body or {}, timeout=60)

    def chat(self, text: str, payload: Optional[str] = None) -> Dict[str, Any]:
        body = {"text": text, **({"payload": payload} if payload else {})}
        response = self.post("/api/chat/messages", body)
        assert response.status_code == 200, response.text
        return response.json()


def bot_text(messages: List[Dict[str, Any]]) -> str:
    return "\n".join(message["text"] for message in messages)


@pytest.fixture(scope="module")
def expected_route(profile_url):
    """Where the routing sends this client's request now: the RM at work, else the contact center."""
    with make_session_factory(make_engine(profile_url))() as session:
        summary = client_summary(session, CLIENT)
    return route(HandoffReason.CLIENT_REQUEST, summary, clock.bank_now(), load_handoff_config())


def test_a_client_reaches_a_person_who_hands_back_and_the_client_rates(desk, running, expected_route):
    client = Session(desk, CLIENT)
    assert client.chat("你好")["messages"], "the bot answers before the handoff"
    client.chat(f"我的卡{CARD_NUMBER}被扣了两次年费")

    asked = client.chat("转人工")
    assert expected_route.target_name in bot_text(asked["messages"])
    state = asked["handoff"]
    assert state is not None and state["status"] == "waiting"
    handoff_id = state["id"]

    # the bot stays silent while the request waits: the message is kept for the person
    waiting = client.chat("我还在等，麻烦快一点")
    assert waiting["messages"] == [] and waiting["handoff"]["status"] == "waiting"

    person_id = "RM003" if expected_route.target_kind is TargetKind.RM else "CC001"
    person = Session(desk, person_id)
    queue = person.get("/api/desk/queue").json()["handoffs"]
    assert handoff_id in [item["id"] for item in queue]
    opened = person.get(f"/api/desk/handoffs/{handoff_id}").json()
    package_text = str(opened["package"])
    assert "年费" in package_text and CARD_NUMBER not in package_text and "0123" in package_text
    assert opened["package"]["summary"]
    assert any("快一点" in message["text"] for message in opened["messages"])

    # another RM neither sees the request nor opens the client
    other = Session(desk, OTHER_RM)
    assert handoff_id not in [item["id"] for item in other.get("/api/desk/queue").json()["handoffs"]]
    assert other.get(f"/api/desk/handoffs/{handoff_id}").status_code == 404
    assert other.get(f"/api/desk/clients/{CLIENT}/overview").status_code == 403
    assert other.post(f"/api/desk/handoffs/{handoff_id}/take").status_code == 404

    assert person.post(f"/api/desk/handoffs/{handoff_id}/take").status_code == 200
    reply = person.post(f"/api/desk/handoffs/{handoff_id}/reply", {"text": "您好，年费的事我来帮您处理。"})
    assert reply.status_code == 200, reply.text
    history = client.get("/api/chat/history").json()
    assert history["handoff"]["status"] == "taken"
    assert any(message["from"] == "agent" and "年费" in message["text"] for message in history["messages"])

    # across a restart of the Rasa server the conversation stays with the person
    running.stop_rasa()
    running.start_rasa()
    token = client.headers["Authorization"].split()[1]
    assert texts(say(running.webhook, "我的账户余额是多少", token, sender="another-device")) == ""
    assert running.tracker(f"client:{CLIENT}")["paused"] is True

    handed = person.post(f"/api/desk/handoffs/{handoff_id}/hand-back")
    assert handed.status_code == 200, handed.text
    assert "智能助理" in bot_text(handed.json()["bot_messages"])
    assert running.tracker(f"client:{CLIENT}")["paused"] is False

    answered = client.chat("我的账户余额是多少")
    assert "余额" in bot_text(answered["messages"]) and answered["handoff"] is None

    goodbye = client.chat("再见")
    buttons = [button for message in goodbye["messages"] for button in message.get("buttons") or []]
    five = next(button for button in buttons if button["title"].startswith("5"))
    asked_comment = client.chat(five["title"], payload=five["payload"])
    assert "跳过" in str(asked_comment["messages"])
    thanks = client.chat("回复很及时，谢谢")
    assert "谢谢您的反馈" in bot_text(thanks["messages"])

    rated = person.get(f"/api/desk/handoffs/{handoff_id}").json()["csat"]
    assert (rated["score"], rated["comment"]) == (5, "回复很及时，谢谢")
