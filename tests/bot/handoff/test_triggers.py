"""When the bot hands off: the rules, their order, and the helpers that fill the signals."""
from __future__ import annotations

import importlib
from typing import List, Optional

import pytest

from bot.handoff import ConversationSignals as S
from bot.handoff import HandoffReason as R
from bot.handoff import SentimentLabel, TriggerRules, asks_for_own_rm, fallbacks_in_a_row, repeats_earlier
from bot.handoff import should_hand_off

ASK = "request_human"
NEG, NEU, POS = SentimentLabel.NEGATIVE, SentimentLabel.NEUTRAL, SentimentLabel.POSITIVE
HIGH = "complaint_high_severity"


@pytest.mark.parametrize(
    "signals, expected",
    [
        # nothing to hand off
        (S(), None),
        (S(latest_intent="check_balance"), None),
        (S(latest_intent="check_balance", fallbacks_in_a_row=1), None),
        (S(handoff_reason="not_a_reason_we_know"), None),
        (S(handoff_reason=""), None),
        # request_human: at once, whatever else
        (S(latest_intent=ASK), R.CLIENT_REQUEST),
        (S(latest_intent=ASK, tier="金卡"), R.CLIENT_REQUEST),
        (S(latest_intent=ASK, fallbacks_in_a_row=2), R.CLIENT_REQUEST),
        (S(latest_intent=ASK, is_elderly=True, latest_sentiment=NEG), R.CLIENT_REQUEST),
        # asking for one's own RM: 私人银行 and 钻石 only, and only with request_human
        (S(latest_intent=ASK, asks_for_own_rm=True, tier="私人银行"), R.RM_REQUESTED),
        (S(latest_intent=ASK, asks_for_own_rm=True, tier="钻石"), R.RM_REQUESTED),
        (S(latest_intent=ASK, asks_for_own_rm=True, tier="白金"), R.CLIENT_REQUEST),
        (S(latest_intent=ASK, asks_for_own_rm=True, tier="金卡"), R.CLIENT_REQUEST),
        (S(latest_intent=ASK, asks_for_own_rm=True, tier=None), R.CLIENT_REQUEST),
        (S(latest_intent=ASK, asks_for_own_rm=False, tier="私人银行"), R.CLIENT_REQUEST),
        (S(latest_intent="book_appointment", asks_for_own_rm=True, tier="私人银行"), None),
        # fallbacks: two in a row
        (S(latest_intent="nlu_fallback", fallbacks_in_a_row=1), None),
        (S(latest_intent="nlu_fallback", fallbacks_in_a_row=2), R.REPEATED_FALLBACK),
        (S(latest_intent="nlu_fallback", fallbacks_in_a_row=5), R.REPEATED_FALLBACK),
        # complaints and card loss, from the slots the actions set
        (S(handoff_reason=HIGH), R.COMPLAINT_HIGH_SEVERITY),
        (S(urgent_handoff=True), R.CARD_LOSS),
        (S(handoff_reason="card_loss"), R.CARD_LOSS),
        (S(suspected_fraud=True), R.SUSPECTED_FRAUD),
        # elderly clients: the first sign of difficulty
        (S(is_elderly=True, fallbacks_in_a_row=1), R.ELDERLY_DIFFICULTY),
        (S(is_elderly=True, latest_sentiment=NEG), R.ELDERLY_DIFFICULTY),
        (S(is_elderly=True, repeated_question=True), R.ELDERLY_DIFFICULTY),
        (S(is_elderly=True, fallbacks_in_a_row=2), R.ELDERLY_DIFFICULTY),
        (S(is_elderly=True, latest_sentiment=NEU), None),
        (S(is_elderly=True, latest_sentiment=POS), None),
        (S(is_elderly=True), None),
        (S(is_elderly=False, latest_sentiment=NEG), None),
        (S(is_elderly=False, repeated_question=True), None),
        # precedence: urgent beats everything, then the complaint, then the request
        (S(urgent_handoff=True, latest_intent=ASK, asks_for_own_rm=True, tier="私人银行"), R.CARD_LOSS),
        (S(urgent_handoff=True, handoff_reason=HIGH), R.CARD_LOSS),
        (S(urgent_handoff=True, suspected_fraud=True), R.CARD_LOSS),
        (S(suspected_fraud=True, handoff_reason=HIGH, latest_intent=ASK), R.SUSPECTED_FRAUD),
        (S(handoff_reason=HIGH, latest_intent=ASK, asks_for_own_rm=True, tier="钻石"), R.COMPLAINT_HIGH_SEVERITY),
        (S(handoff_reason=HIGH, is_elderly=True, fallbacks_in_a_row=1), R.COMPLAINT_HIGH_SEVERITY),
        (S(handoff_reason="client_request", is_elderly=True, latest_sentiment=NEG), R.CLIENT_REQUEST),
        (S(urgent_handoff=True, is_elderly=True, fallbacks_in_a_row=3), R.CARD_LOSS),
    ],
)
def test_when_the_bot_hands_off(signals: S, expected: Optional[R]) -> None:
    assert should_hand_off(signals) == expected


@pytest.mark.parametrize("reason, urgent", [(reason, reason in (R.CARD_LOSS, R.SUSPECTED_FRAUD)) for reason in R])
def test_only_card_loss_and_fraud_are_urgent(reason: R, urgent: bool) -> None:
    assert reason.urgent is urgent


def test_the_thresholds_come_from_the_rules() -> None:
    patient = TriggerRules(fallbacks_in_a_row=3, elderly_fallbacks_in_a_row=2, rm_request_tiers=("私人银行",))
    assert should_hand_off(S(fallbacks_in_a_row=2), patient) is None
    assert should_hand_off(S(fallbacks_in_a_row=3), patient) is R.REPEATED_FALLBACK
    assert should_hand_off(S(is_elderly=True, fallbacks_in_a_row=1), patient) is None
    assert should_hand_off(S(latest_intent=ASK, asks_for_own_rm=True, tier="钻石"), patient) is R.CLIENT_REQUEST


@pytest.mark.parametrize("rules", [dict(fallbacks_in_a_row=0), dict(elderly_fallbacks_in_a_row=0),
                                   dict(repeat_similarity=0), dict(repeat_lookback=0)])
def test_rules_that_would_hand_off_everything_or_nothing_are_refused(rules: dict) -> None:
    with pytest.raises(ValueError):
        TriggerRules(**rules)


@pytest.mark.parametrize(
    "intents, count",
    [
        ([], 0),
        (["greet"], 0),
        (["nlu_fallback"], 1),
        (["greet", "nlu_fallback", "nlu_fallback"], 2),
        (["nlu_fallback", "nlu_fallback", "check_balance"], 0),
        (["nlu_fallback", "greet", "nlu_fallback"], 1),
        ([None, "nlu_fallback"], 1),
    ],
)
def test_fallbacks_in_a_row_counts_from_the_latest(intents: List[Optional[str]], count: int) -> None:
    assert fallbacks_in_a_row(intents) == count


@pytest.mark.parametrize(
    "text, rm_name, person, expected",
    [
        ("我要找我的客户经理", None, None, True),
        ("麻烦帮我接通一下我的专属客户经理", None, None, True),
        ("请帮我联系一下我的专属顾问陈思远", None, None, True),
        ("我是你们的私行客户，请安排我的私人银行家马上跟我联系", None, None, True),
        ("可以請我的理專現在打給我嗎", None, None, True),
        ("麻烦联系我的RM，今天之内一定要回我", None, None, True),
        ("叫王经理联系我", "王敏", "王", True),
        ("叫王经理联系我", "王敏", None, True),
        ("王敏在吗", "王敏", None, True),
        ("叫王经理联系我", "李强", "王", False),
        ("转人工", "王敏", None, False),
        ("我要跟真人说", None, None, False),
        ("can i talk to a real person", None, None, False),
        ("please confirm the form", None, None, False),
        ("", "王敏", None, False),
        (None, None, None, False),
    ],
)
def test_a_request_names_the_clients_rm(text: Optional[str], rm_name: Optional[str], person: Optional[str],
                                        expected: bool) -> None:
    assert asks_for_own_rm(text, rm_name, person) is expected


@pytest.mark.parametrize(
    "text, earlier, expected",
    [
        ("我的钱到底去哪了", ["我的錢到底去哪了？"], True),  # the same question in the other script
        ("请问我的转账为什么还没到", ["请问我的转账为什么还没到账"], True),
        ("请问我的转账为什么还没到", ["美元汇率是多少"], False),
        ("好的", ["好的"], False),  # short answers repeat without asking again
        ("我的钱到底去哪了", ["我的钱到底去哪了", "你好", "在吗", "谢谢你"], False),  # beyond the last three
        ("我的钱到底去哪了", [], False),
        ("", ["", None], False),
    ],
)
def test_a_question_asked_again(text: str, earlier: List[Optional[str]], expected: bool) -> None:
    assert repeats_earlier(text, earlier) is expected


@pytest.mark.parametrize("module", ["bot.handoff", "bot.handoff.triggers", "bot.handoff.routing",
                                    "bot.handoff.sentiment", "bot.handoff.config", "bot.handoff.hours"])
def test_all_names_exist(module: str) -> None:
    loaded = importlib.import_module(module)
    assert [name for name in loaded.__all__ if not hasattr(loaded, name)] == []
