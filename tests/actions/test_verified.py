"""Only a verified client reaches their own data; everyone else is told what to do."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Text

from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.verified import ClientRequest, VerifiedClientAction
from bot.identity import Principal, Role
from tests.actions.conftest import run_action, verified_tracker


class _EchoClient(VerifiedClientAction):
    def name(self) -> Text:
        return "action_test_echo_client"

    async def answer(self, request: ClientRequest, session: Session, dispatcher: CollectingDispatcher) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(text=request.client_id)
        return []


def _replies(tracker, domain) -> List[Any]:
    messages, _ = run_action(_EchoClient(), tracker, domain)
    return [message.get("response") or message.get("text") for message in messages]


def test_verified_client_reaches_their_own_data(domain):
    assert _replies(verified_tracker("C000001", "查余额", "check_balance"), domain) == ["C000001"]


def test_without_a_token_the_client_is_told_how_to_verify(domain):
    assert _replies(verified_tracker(None, "查余额", "check_balance"), domain) == ["utter_verify_first"]


def test_claims_posted_to_the_rest_channel_are_not_a_proof(domain):
    tracker = verified_tracker("C000001", "查余额", "check_balance", input_channel="rest")
    assert _replies(tracker, domain) == ["utter_verify_first"]


def test_an_expired_token_asks_the_client_to_log_in_again(domain):
    refused_at_the_channel = {"verified": False, "reason": "expired"}
    tracker = verified_tracker(None, "查余额", "check_balance", metadata=refused_at_the_channel)
    assert _replies(tracker, domain) == ["utter_session_expired"]


def test_claims_that_ran_out_during_the_conversation_ask_to_log_in_again(domain):
    ran_out = Principal(Role.CLIENT, "C000001", datetime.now(timezone.utc) - timedelta(seconds=1)).to_metadata()
    tracker = verified_tracker("C000001", "查余额", "check_balance", metadata=ran_out)
    assert _replies(tracker, domain) == ["utter_session_expired"]


def test_an_expired_reason_posted_to_the_rest_channel_changes_nothing(domain):
    tracker = verified_tracker(None, "查余额", "check_balance", input_channel="rest",
                               metadata={"verified": False, "reason": "expired"})
    assert _replies(tracker, domain) == ["utter_verify_first"]


def test_a_token_for_nobody_in_the_bank_reads_nothing(domain):
    assert _replies(verified_tracker("C999999", "查余额", "check_balance"), domain) == ["utter_verify_first"]


def test_an_advisor_is_pointed_to_the_advisor_services(domain):
    tracker = verified_tracker("RM001", "查余额", "check_balance", role=Role.ADVISOR)
    assert _replies(tracker, domain) == ["utter_client_service_only"]


class _EchoParameters(VerifiedClientAction):
    def name(self) -> Text:
        return "action_test_echo_parameters"

    async def answer(self, request: ClientRequest, session: Session, dispatcher: CollectingDispatcher) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(json_message=request.parameters)
        return []


def _parameters(tracker, domain):
    from actions.follow_up import ActionFollowUp

    messages, events = run_action(ActionFollowUp(), tracker, domain)
    return messages[0].get("custom"), events


def test_follow_up_reruns_the_last_query_with_the_change(domain):
    remembered = {"action": "action_test_echo_parameters", "entities": {"currency": ["USD"], "account_type": ["活期"]}}
    tracker = verified_tracker("C000001", "那港币呢", "inform", entities=[{"entity": "currency", "value": "HKD"}],
                               slots={"last_query": remembered})
    parameters, events = _parameters(tracker, domain)
    assert parameters == {"currency": ["HKD"], "account_type": ["活期"]}
    assert events[-1]["value"] == {"action": "action_test_echo_parameters", "entities": parameters}


def test_a_new_question_does_not_inherit_the_last_ones_parameters(domain):
    remembered = {"action": "action_test_echo_parameters", "entities": {"currency": ["USD"]}}
    tracker = verified_tracker("C000001", "查一下信用卡", "check_balance",
                               entities=[{"entity": "account_type", "value": "信用卡"}], slots={"last_query": remembered})
    messages, _ = run_action(_EchoParameters(), tracker, domain)
    assert messages[0]["custom"] == {"account_type": ["信用卡"]}


def test_inform_without_a_previous_answer_asks_what_to_do(domain):
    from actions.follow_up import ActionFollowUp

    messages, _ = run_action(ActionFollowUp(), verified_tracker("C000001", "港币", "inform"), domain)
    assert [m["response"] for m in messages] == ["utter_inform_without_context"]
