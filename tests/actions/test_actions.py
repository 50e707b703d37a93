"""Actions run against tracker fixtures, as the action server would run them."""
import asyncio

import pytest
from rasa.shared.core.domain import Domain
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionDefaultAskAffirmation
from actions.message import ActionReadMessage
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(ROOT / "domain")).as_dict()


def _tracker(latest_message: dict, slots: dict | None = None) -> Tracker:
    return Tracker.from_dict({
        "sender_id": "client-1",
        "slots": slots or {"script": "simplified"},
        "latest_message": latest_message,
        "events": [],
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
    })


def _run(action, tracker, domain):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain))
    return dispatcher.messages, events


def test_traditional_message_switches_the_reply_script(domain):
    messages, events = _run(ActionReadMessage(), _tracker({"text": "請問", "script": "traditional"}), domain)
    assert events == [{"event": "slot", "timestamp": None, "name": "script", "value": "traditional"}]
    assert messages == []


def test_message_without_script_keeps_the_last_one(domain):
    tracker = _tracker({"text": "OK", "script": "unknown"}, {"script": "traditional"})
    _, events = _run(ActionReadMessage(), tracker, domain)
    assert events == []


def test_over_long_message_gets_a_note(domain):
    messages, _ = _run(ActionReadMessage(), _tracker({"text": "长" * 600, "script": "simplified", "truncated": True}), domain)
    assert [message["response"] for message in messages] == ["utter_message_truncated"]


def _fallback_message(slots):
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.5},
        {"name": "check_balance", "confidence": 0.3},
        {"name": "out_of_scope", "confidence": 0.1},
        {"name": "check_portfolio", "confidence": 0.05},
        {"name": "faq", "confidence": 0.03},
        {"name": "greet", "confidence": 0.01},
    ]
    return _tracker({"text": "那个钱", "intent": ranking[0], "intent_ranking": ranking}, slots)


def test_fallback_suggests_likely_services_in_chinese(domain):
    messages, _ = _run(ActionDefaultAskAffirmation(), _fallback_message({"script": "simplified"}), domain)
    (message,) = messages
    assert message["response"] == "utter_ask_affirmation"
    titles = [button["title"] for button in message["buttons"]]
    payloads = [button["payload"] for button in message["buttons"]]
    assert titles == ["查询余额", "查看理财持仓", "常见问题", "都不是"]
    assert payloads == ["/check_balance", "/check_portfolio", "/faq", "/out_of_scope"]


def test_fallback_suggestions_follow_the_clients_script(domain):
    messages, _ = _run(ActionDefaultAskAffirmation(), _fallback_message({"script": "traditional"}), domain)
    titles = [button["title"] for button in messages[0]["buttons"]]
    assert titles == ["查詢餘額", "查看理財持倉", "常見問題", "都不是"]
