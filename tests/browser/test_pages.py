"""The chat page and the desk page in a real browser, against the real desk server, without Rasa.

What needs no assistant: logging in (and being refused), the chat on a phone-width screen, the
polite answer when the assistant is down, the desk's queue of handoffs put in the store the way
the action server does (``bot.handoff.store.open_handoff``), with the context package, the
countdown, who may see what, and the live part of a handoff: an RM takes it, the client's page
shows them joining, their reply reaches the client and the client's answer reaches the desk.
Each test uses its own demo client, so the tests do not depend on their order. Screenshots go to
``results/browser/``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterator, Tuple

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session, sessionmaker

from bot.handoff.live import publish_queue_change
from bot.handoff.package import Client360, ContextPackage, TranscriptLine, build_package, client_360
from bot.handoff.routing import Route, TargetKind
from bot.handoff.store import open_handoff
from bot.handoff.triggers import HandoffReason
from bot.profile.database import make_engine, make_session_factory
from bot.profile.queries import ClientSummary, client_summary
from tests.browser.conftest import DESKTOP, PHONE, DeskServer

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def sessions(page_store: str) -> Iterator["sessionmaker[Session]"]:
    engine = make_engine(page_store)
    yield make_session_factory(engine)
    engine.dispose()


@dataclass(frozen=True)
class OpenedHandoff:
    id: str
    client: ClientSummary
    package: ContextPackage

    @property
    def rm_id(self) -> str:
        assert self.client.rm is not None
        return self.client.rm.rm_id

    @property
    def rm_name(self) -> str:
        assert self.client.rm is not None
        return self.client.rm.name


def hand_off(sessions: "sessionmaker[Session]", client_id: str, *, due_in: timedelta,
             reason: HandoffReason = HandoffReason.CLIENT_REQUEST) -> OpenedHandoff:
    """What ``action_hand_off`` stores: a handoff of the client's app conversation to their own RM,
    a reply due ``due_in`` from now (negative: overdue), with a two-line transcript."""
    now = datetime.now(timezone.utc)
    with sessions() as session:
        summary = client_summary(session, client_id)
        assert summary is not None and summary.rm is not None
        route = Route(reason=reason, target_kind=TargetKind.RM, target_id=summary.rm.rm_id,
                      target_name=summary.rm.name, notify_rm_id=None, respond_within=timedelta(minutes=5),
                      reply_expected_by=now + due_in, waits_in_queue=False)
        client: Client360 = client_360(summary, cases=None, appointments=(), holdings=(), today=now.date())
        transcript = (
            TranscriptLine(at=now - timedelta(minutes=2), speaker="client", text="我的理财怎么又亏了，太慢了，回复也不清楚",
                           intent="check_portfolio", sentiment="negative", sentiment_score=-0.7),
            TranscriptLine(at=now - timedelta(minutes=2), speaker="bot", text="您目前持有3只理财产品。"),
            TranscriptLine(at=now - timedelta(minutes=1), speaker="client", text="我要找我的客户经理",
                           intent="request_human", sentiment="neutral", sentiment_score=0.0),
        )
        package = build_package(f"client:{client_id}", "app", reason, route, client, transcript, now)
        record = open_handoff(session, package, route, now)
        session.commit()
        return OpenedHandoff(record.id, summary, package)


def log_in(page: Page, server: DeskServer, path: str, user_id: str, passcode: str) -> None:
    page.goto(server.url + path)
    page.get_by_test_id("login-user").fill(user_id)
    page.get_by_test_id("login-passcode").fill(passcode)
    page.get_by_test_id("login-submit").click()


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the screen (0: no horizontal scroll)."""
    return page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
                         " - window.innerWidth")


def queue_item(page: Page, client_name: str):
    return page.get_by_test_id("queue-item").filter(has_text=client_name)


# ------------------------------------------------------------------------------ the chat page
def test_the_login_page_fits_a_phone_screen_in_chinese(page_desk, open_page, screenshot) -> None:
    page = open_page(*PHONE)
    page.goto(page_desk.url + "/")
    expect(page.get_by_test_id("login-form")).to_be_visible()
    expect(page.get_by_test_id("login-form")).to_contain_text("客户号")
    expect(page.get_by_test_id("login-submit")).to_have_text("登录")
    assert horizontal_overflow(page) <= 0
    screenshot(page, "chat-login-phone")

    page.get_by_test_id("script-toggle").click()  # 繁: the labels in Traditional
    expect(page.get_by_test_id("login-form")).to_contain_text("客戶號")
    expect(page.get_by_test_id("login-submit")).to_have_text("登錄")


def test_a_wrong_passcode_is_refused_with_a_message(page_desk, open_page, screenshot) -> None:
    page = open_page(*PHONE)
    log_in(page, page_desk, "/", "C000001", "not-the-passcode")
    error = page.get_by_test_id("login-error")
    expect(error).to_be_visible()
    assert CHINESE.search(error.inner_text())
    expect(page.get_by_test_id("chat-view")).to_be_hidden()
    assert page.evaluate("sessionStorage.length") == 0  # no token kept
    screenshot(page, "chat-login-refused")


def test_a_client_chats_on_a_phone_and_is_told_politely_when_the_assistant_is_down(
        page_desk, open_page, screenshot, sessions) -> None:
    with sessions() as session:
        name = client_summary(session, "C000002").name
    page = open_page(*PHONE)
    log_in(page, page_desk, "/", "C000002", page_desk.passcode)
    expect(page.get_by_test_id("chat-view")).to_be_visible()
    expect(page.get_by_test_id("me")).to_have_text(name)
    expect(page.get_by_test_id("handoff-banner")).to_be_hidden()

    page.get_by_test_id("chat-input").fill("你好，我想查一下我的账户余额")
    page.get_by_test_id("chat-input").press("Enter")
    expect(page.get_by_test_id("bubble-client")).to_have_text("你好，我想查一下我的账户余额")
    error = page.get_by_test_id("bubble-error")
    expect(error).to_have_count(1)  # Rasa is down: 503, said politely
    assert CHINESE.search(error.inner_text())
    expect(page.get_by_test_id("not-delivered")).to_have_count(1)
    expect(page.get_by_test_id("typing")).to_be_hidden()
    expect(page.get_by_test_id("chat-input")).to_have_value("")
    assert horizontal_overflow(page) <= 0
    screenshot(page, "chat-assistant-down-phone")

    page.reload()  # the token and the bubbles are kept for this tab
    expect(page.get_by_test_id("chat-view")).to_be_visible()
    expect(page.get_by_test_id("bubble-client")).to_have_text("你好，我想查一下我的账户余额")


# ------------------------------------------------------------------------------ the desk page
def test_the_desk_queue_shows_a_waiting_handoff_with_its_context_package(
        page_desk, open_page, screenshot, sessions) -> None:
    opened = hand_off(sessions, "C000001", due_in=timedelta(minutes=10))
    page = open_page(*DESKTOP)
    log_in(page, page_desk, "/desk", opened.rm_id, page_desk.passcode)
    expect(page.get_by_test_id("desk-view")).to_be_visible()

    item = queue_item(page, opened.client.name)
    expect(item).to_have_count(1)
    expect(item).to_contain_text(opened.client.tier)
    countdown = item.get_by_test_id("countdown")
    expect(countdown).to_have_text(re.compile(r"^剩余 \d+:\d\d$"))
    first = countdown.inner_text()
    expect(countdown).not_to_have_text(first)  # it counts down by itself, every second
    expect(countdown).not_to_have_class(re.compile("overdue"))

    item.click()
    expect(page.get_by_test_id("detail-name")).to_have_text(opened.client.name)
    expect(page.get_by_test_id("summary")).to_have_text(opened.package.summary)
    expect(page.get_by_test_id("next-steps").locator("li")).to_have_count(len(opened.package.next_steps))
    lines = page.get_by_test_id("transcript-line")
    expect(lines).to_have_count(3)
    expect(lines.nth(0)).to_contain_text("我的理财怎么又亏了")
    expect(lines.nth(0).get_by_test_id("sentiment")).to_have_text("负面")
    expect(lines.nth(0)).to_contain_text("check_portfolio")
    expect(lines.nth(1).get_by_test_id("sentiment")).to_have_count(0)  # the bot's lines have none
    expect(page.get_by_test_id("client-360")).to_contain_text(opened.client.phone_masked)
    expect(page.get_by_test_id("take")).to_be_enabled()
    expect(page.get_by_test_id("send")).to_be_disabled()  # not before taking it
    screenshot(page, "desk-handoff-opened")


def test_an_overdue_request_shows_the_time_over_in_red(page_desk, open_page, sessions) -> None:
    opened = hand_off(sessions, "C000007", due_in=timedelta(minutes=-3), reason=HandoffReason.RM_REQUESTED)
    page = open_page(*DESKTOP)
    log_in(page, page_desk, "/desk", opened.rm_id, page_desk.passcode)
    countdown = queue_item(page, opened.client.name).get_by_test_id("countdown")
    expect(countdown).to_have_text(re.compile(r"^已超时 \d+:\d\d$"))
    expect(countdown).to_have_class(re.compile("overdue"))
    assert countdown.evaluate("node => getComputedStyle(node).color") == "rgb(198, 40, 40)"


def test_an_rm_sees_only_the_handoffs_of_clients_they_may_serve(page_desk, open_page, sessions) -> None:
    opened = hand_off(sessions, "C000008", due_in=timedelta(minutes=10))
    theirs = open_page(*DESKTOP)
    log_in(theirs, page_desk, "/desk", opened.rm_id, page_desk.passcode)
    expect(queue_item(theirs, opened.client.name)).to_have_count(1)

    other = open_page(*DESKTOP)
    log_in(other, page_desk, "/desk", "RM003", page_desk.passcode)  # 张志强's RM, no link to 林慧敏
    assert opened.rm_id != "RM003"
    expect(other.get_by_test_id("queue-empty")).to_be_visible()
    expect(other.get_by_test_id("queue-item")).to_have_count(0)


def test_the_desk_login_refuses_a_wrong_passcode_and_a_client(page_desk, open_page) -> None:
    page = open_page(*DESKTOP)
    log_in(page, page_desk, "/desk", "RM001", "not-the-passcode")
    expect(page.get_by_test_id("login-error")).to_be_visible()
    log_in(page, page_desk, "/desk", "C000001", page_desk.passcode)  # a client's login is no desk login
    expect(page.get_by_test_id("login-error")).to_be_visible()
    expect(page.get_by_test_id("desk-view")).to_be_hidden()


# ------------------------------------------------------------------------------ live, over Redis
def test_a_new_handoff_appears_in_the_open_queue_and_the_copilot_checks_a_product_for_the_client(
        page_desk, open_page, screenshot, sessions, live_redis) -> None:
    with sessions() as session:
        summary = client_summary(session, "C000006")
        assert summary is not None and summary.rm is not None
    page = open_page(*DESKTOP)
    log_in(page, page_desk, "/desk", summary.rm.rm_id, page_desk.passcode)
    expect(page.get_by_test_id("desk-view")).to_be_visible()
    expect(queue_item(page, summary.name)).to_have_count(0)
    expect(page.get_by_test_id("connection")).to_contain_text("实时")  # the stream is open

    opened = hand_off(sessions, "C000006", due_in=timedelta(minutes=5))
    assert publish_queue_change(live_redis, opened.id, "waiting")  # as the action server does
    expect(queue_item(page, summary.name)).to_have_count(1)

    queue_item(page, summary.name).click()
    assert summary.risk_tolerance == "C1"  # conservative: R1 products only
    page.get_by_test_id("suitability-input").fill("稳享365天")  # R2
    page.get_by_test_id("suitability-check").click()
    verdict = page.get_by_test_id("suitability-verdict").locator(".verdict")
    expect(verdict).to_have_attribute("data-suitable", "false")
    expect(verdict).to_contain_text("不适合")
    expect(verdict.locator("li")).not_to_have_count(0)  # with the reasons
    verdict.scroll_into_view_if_needed()
    screenshot(page, "desk-suitability")


def test_the_client_sees_the_rm_join_and_reply_and_the_rm_sees_the_answer(
        page_desk, open_page, screenshot, sessions, live_redis) -> None:
    opened = hand_off(sessions, "C000005", due_in=timedelta(minutes=5))
    chat = open_page(*PHONE)
    log_in(chat, page_desk, "/", "C000005", page_desk.passcode)
    banner = chat.get_by_test_id("handoff-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("等待人工服务")
    expect(banner).to_contain_text(opened.rm_name)

    desk = open_page(*DESKTOP)
    log_in(desk, page_desk, "/desk", opened.rm_id, page_desk.passcode)
    queue_item(desk, opened.client.name).click()
    expect(desk.get_by_test_id("summary")).to_have_text(opened.package.summary)

    suggestion = desk.get_by_test_id("suggestion").first  # fills the reply box, sends nothing
    expect(suggestion).to_be_visible()
    suggestion.click()
    expect(desk.get_by_test_id("reply-input")).not_to_have_value("")
    expect(desk.get_by_test_id("live-agent")).to_have_count(0)

    desk.get_by_test_id("take").click()
    expect(banner).to_contain_text(f"客户经理{opened.rm_name}已加入")  # pushed to the client's page
    expect(desk.get_by_test_id("send")).to_be_enabled()

    reply = "您好，我是您的客户经理，已经看到您的问题，马上为您查看理财持仓。"
    desk.get_by_test_id("reply-input").fill(reply)
    desk.get_by_test_id("send").click()
    agent_bubble = chat.get_by_test_id("bubble-agent")
    expect(agent_bubble).to_have_text(reply)
    expect(chat.get_by_test_id("agent-name")).to_have_text(opened.rm_name)
    expect(desk.get_by_test_id("live-agent")).to_have_count(1)
    expect(desk.get_by_test_id("reply-input")).to_have_value("")

    chat.get_by_test_id("chat-input").fill("好的，谢谢，我等您消息")
    chat.get_by_test_id("chat-send").click()
    expect(desk.get_by_test_id("live-client").filter(has_text="好的，谢谢，我等您消息")).to_have_count(1)
    expect(chat.locator(".from-client[data-sent=sent]")).to_have_count(1)  # kept for the RM, though Rasa is down
    expect(chat.get_by_test_id("bubble-error")).to_have_count(0)
    expect(chat.get_by_test_id("typing")).to_be_hidden()  # a person answers when they do: no typing dots
    expect(chat.get_by_test_id("bubble-bot")).to_have_count(0)  # the bot stays out of it
    assert horizontal_overflow(chat) <= 0
    screenshot(chat, "chat-rm-joined-phone")
    screenshot(desk, "desk-replying")
