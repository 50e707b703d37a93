"""The whole handoff in two browser pages against the real assistant (issue 5's "done when").

A client logs in on the chat page (phone width) and asks for a human; the person the request was
routed to logs in on the desk in a second page, sees it with its context package, takes it and
replies; the client sees the reply; the client's next message reaches the desk and the bot stays
silent; the desk hands back; the bot answers again; the client says goodbye and rates the
service, which the desk then shows. Screenshots of both pages go to ``results/browser/flow-*.png``.

Runs against the real assistant of the e2e tests (``tests/e2e/services.py``, a plugin shared by
both folders: Rasa with its HTTP API, the action server, the case service, Redis and the desk
server, on a copy of the demo bank). Skipped, with the reason, only while the domain has no
``action_hand_off``; with it in the domain, a model trained before it is a real failure (``make
test`` trains first).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from bot.handoff.store import open_handoff_of
from bot.profile.database import make_engine, make_session_factory
from bot.profile.queries import client_summary
from tests.browser.conftest import DESKTOP, PHONE
from tests.conftest import ROOT
from tests.e2e.services import DEMO_PASSCODE

CLIENT_ID = "C000005"
CONTACT_CENTER_AGENT = "CC001"


def domain_has_action(name: str) -> bool:
    """Whether a domain file lists the action (a plain text search: the domain's own tests read it)."""
    listed = re.compile(rf"^\s*-\s*{re.escape(name)}\s*$", re.MULTILINE)
    return any(listed.search(path.read_text("utf-8")) for path in Path(ROOT / "domain").glob("*.yml"))


pytestmark = pytest.mark.skipif(not domain_has_action("action_hand_off"),
                                reason="the domain has no action_hand_off yet: the handoff is not built")


def log_in(page: Page, url: str, user_id: str) -> None:
    page.goto(url)
    page.get_by_test_id("login-user").fill(user_id)
    page.get_by_test_id("login-passcode").fill(DEMO_PASSCODE)
    page.get_by_test_id("login-submit").click()


def say(page: Page, text: str) -> None:
    page.get_by_test_id("chat-input").fill(text)
    page.get_by_test_id("chat-send").click()
    expect(page.get_by_test_id("bubble-client").last).to_have_text(text)


def test_a_client_reaches_a_person_who_replies_and_hands_back_and_the_client_rates(
        desk, open_page, screenshot) -> None:
    engine = make_engine(desk.env["PROFILE_DATABASE_URL"])
    sessions = make_session_factory(engine)
    with sessions() as session:
        client = client_summary(session, CLIENT_ID)
        assert client is not None
    bot_bubbles = lambda page: page.get_by_test_id("bubble-bot")  # noqa: E731

    # the client asks something, then for a person
    chat = open_page(*PHONE)
    log_in(chat, desk.url + "/", CLIENT_ID)
    expect(chat.get_by_test_id("chat-view")).to_be_visible()
    say(chat, "我的账户余额是多少")
    expect(bot_bubbles(chat)).not_to_have_count(0)
    before = bot_bubbles(chat).count()
    say(chat, "转人工")
    expect(bot_bubbles(chat)).not_to_have_count(before)  # who and when
    banner = chat.get_by_test_id("handoff-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("等待人工服务")
    screenshot(chat, "flow-chat-waiting")

    with sessions() as session:
        record = open_handoff_of(session, f"client:{CLIENT_ID}")
        assert record is not None
        target_kind, target_id = str(getattr(record.target_kind, "value", record.target_kind)), record.target_id
    engine.dispose()
    desk_user = target_id if target_kind in ("rm", "backup_rm") else CONTACT_CENTER_AGENT

    # the person it went to sees it with its context, takes it and replies
    page = open_page(*DESKTOP)
    log_in(page, desk.url + "/desk", desk_user)
    item = page.get_by_test_id("queue-item").filter(has_text=client.name)
    expect(item).to_have_count(1)
    item.click()
    expect(page.get_by_test_id("summary")).not_to_be_empty()
    expect(page.get_by_test_id("transcript")).to_contain_text("余额")  # what the bot knew, not asked again
    expect(page.get_by_test_id("client-360")).to_contain_text(client.tier)
    page.get_by_test_id("take").click()
    expect(banner).to_contain_text("已加入")
    reply = "您好，我是负责您的专员，已经看到您刚才的问题，请问还有什么需要帮您处理？"
    page.get_by_test_id("reply-input").fill(reply)
    page.get_by_test_id("send").click()
    expect(chat.get_by_test_id("bubble-agent")).to_have_text(reply)
    screenshot(page, "flow-desk-replied")

    # while the person holds it, the client's messages go to them and the bot says nothing
    held = bot_bubbles(chat).count()
    say(chat, "我想了解一下快到期的理财怎么续")
    expect(page.get_by_test_id("live-client").filter(has_text="快到期的理财")).to_have_count(1)
    expect(chat.locator(".from-client[data-sent=pending]")).to_have_count(0)  # the server has answered
    expect(chat.get_by_test_id("bubble-error")).to_have_count(0)
    assert bot_bubbles(chat).count() == held
    screenshot(chat, "flow-chat-with-agent")

    # hand back: the bot says it is back and answers again
    page.get_by_test_id("hand-back").click()
    expect(bot_bubbles(chat)).not_to_have_count(held)
    expect(bot_bubbles(chat).last).to_contain_text("智能助理")
    expect(banner).to_be_hidden()
    back = bot_bubbles(chat).count()
    say(chat, "我的账户余额是多少")
    expect(bot_bubbles(chat)).not_to_have_count(back)
    expect(bot_bubbles(chat).last).not_to_contain_text("转接")

    # goodbye: the rating, then an optional comment
    say(chat, "再见")
    ratings = chat.get_by_test_id("rating-button")
    expect(ratings).to_have_count(5)
    ratings.filter(has_text=re.compile("^5")).click()
    expect(chat.get_by_test_id("reply-button").filter(has_text=re.compile("跳过|跳過"))).to_be_visible()
    say(chat, "回复很及时，谢谢")
    screenshot(chat, "flow-chat-rated")

    # the desk shows the rating
    page.reload()
    expect(page.get_by_test_id("rating").filter(has_text=client.name).first).to_contain_text("★★★★★")
    screenshot(page, "flow-desk-rating")

    # an RM asks the assistant beside the queue (at night the request went to the contact center)
    if desk_user.startswith("RM"):
        page.get_by_test_id("assistant-input").fill("今天的待办")
        page.get_by_test_id("assistant-send").click()
        expect(page.get_by_test_id("assistant-answer")).not_to_have_count(0)
