"""A lost card: which card, an explicit yes, frozen in the store; no means nothing changes."""
from __future__ import annotations

from typing import Dict, Iterator, List, Optional

import pytest
from sqlalchemy import select, update

from actions.card import CARD_LOSS_PENDING, URGENT_HANDOFF, ActionReportCardLoss
from actions.follow_up import ActionFollowUp
from bot.identity import Role
from bot.profile.commands import FreezeOutcome, freeze_card
from bot.profile.database import make_engine, make_session_factory, session_scope
from bot.profile.models import Account
from bot.profile.queries import accounts_of
from tests.actions.conftest import run_action, verified_tracker
from tests.actions.test_products import read

CARDS = ("储蓄卡", "信用卡")


@pytest.fixture()
def store(profile_url: str) -> Iterator:
    """Sessions on the test store; every card status is put back afterwards, for the other tests."""
    engine = make_engine(profile_url)
    factory = make_session_factory(engine)
    with factory() as opened:
        before = dict(opened.execute(select(Account.id, Account.status)).all())
    yield factory
    with session_scope(factory) as opened:
        for account_id, status in opened.execute(select(Account.id, Account.status)).all():
            if before[account_id] != status:
                opened.execute(update(Account).where(Account.id == account_id).values(status=before[account_id]))
    engine.dispose()


def cards_of(factory, client_id: str) -> List:
    with factory() as opened:
        return [card for card in accounts_of(opened, client_id) if card.account_type in CARDS]


def status_of(factory, client_id: str, tail: str) -> Optional[str]:
    return next((card.status for card in cards_of(factory, client_id) if card.tail == tail), None)


def slot_events(events) -> Dict[str, object]:
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


def report(domain, client_id, text="我的卡丢了", entities=None, slots=None, intent="report_card_loss", events=None,
           role=Role.CLIENT):
    tracker = verified_tracker(client_id, text, intent, entities=entities, slots=slots, events=events, role=role)
    messages, returned = run_action(ActionReportCardLoss(), tracker, domain)
    return messages, returned, read(messages, domain, tracker.current_slot_values())


ASKED = [  # the bot asked "确认要冻结…吗？" just before the client's answer
    {"event": "action", "name": "action_report_card_loss"},
    {"event": "slot", "name": CARD_LOSS_PENDING, "value": None},
    {"event": "action", "name": "action_listen"},
]


def answer(domain, client_id, tail, intent, text, asked=True, slots=None, asker="action_report_card_loss"):
    events = [dict(event, value=tail) if event.get("name") == CARD_LOSS_PENDING
              else dict(event, name=asker) if event.get("name") == "action_report_card_loss" else event
              for event in ASKED]
    return report(domain, client_id, text, intent=intent, slots={CARD_LOSS_PENDING: tail, **(slots or {})},
                  events=events if asked else [{"event": "action", "name": "utter_greet"},
                                               {"event": "action", "name": "action_listen"}])


# ------------------------------------------------------------------- turn 1
def test_without_identity_the_hotline_for_an_immediate_freeze(domain):
    messages, events, (reply,) = report(domain, None)
    assert "400-820-9999" in reply and "冻结" in reply
    assert slot_events(events)[URGENT_HANDOFF] is True


def test_a_client_with_several_cards_is_asked_which_by_tail(domain, store):
    cards = cards_of(store, "C000001")
    assert len(cards) >= 2
    messages, events, (reply,) = report(domain, "C000001")
    assert messages[0]["response"] == "utter_card_loss_which_card" and "400-820-9999" in reply
    assert [button["title"] for button in messages[0]["buttons"]] == [
        f"尾号{card.tail} {card.account_type}" for card in cards]
    assert [button["payload"] for button in messages[0]["buttons"]] == [
        f'/report_card_loss{{"card_tail": "{card.tail}"}}' for card in cards]
    assert slot_events(events)[CARD_LOSS_PENDING] is None


def test_a_chosen_card_is_asked_for_confirmation_first(domain, store):
    debit = next(card for card in cards_of(store, "C000001") if card.account_type == "储蓄卡")
    messages, events, (reply,) = report(domain, "C000001", entities=[{"entity": "card_tail", "value": debit.tail}])
    assert reply.startswith(f"确认要冻结尾号{debit.tail}的储蓄卡吗？")
    assert slot_events(events)[CARD_LOSS_PENDING] == debit.tail
    assert status_of(store, "C000001", debit.tail) == "normal"  # nothing changes before the yes


def test_the_card_type_alone_is_enough_when_there_is_one(domain, store):
    credit = next(card for card in cards_of(store, "C000001") if card.account_type == "信用卡")
    _, events, (reply,) = report(domain, "C000001", "信用卡丢了", [{"entity": "account_type", "value": "信用卡"}])
    assert reply.startswith(f"确认要冻结尾号{credit.tail}的信用卡吗？")
    assert slot_events(events)[CARD_LOSS_PENDING] == credit.tail


def test_a_tail_by_follow_up_chooses_the_card(domain, store):
    debit = next(card for card in cards_of(store, "C000001") if card.account_type == "储蓄卡")
    remembered = {"action": "action_report_card_loss", "entities": {}}
    tracker = verified_tracker("C000001", f"尾号{debit.tail}那张", "inform",
                               entities=[{"entity": "card_tail", "value": debit.tail}], slots={"last_query": remembered})
    messages, events = run_action(ActionFollowUp(), tracker, domain)
    assert messages[0]["response"] == "utter_card_loss_confirm"
    assert slot_events(events)[CARD_LOSS_PENDING] == debit.tail


def test_another_clients_tail_is_not_found_and_nothing_changes(domain, store):
    other = cards_of(store, "C000005")[0]
    messages, events, (reply,) = report(domain, "C000001", entities=[{"entity": "card_tail", "value": other.tail}])
    assert reply.startswith(f"没有找到您名下尾号{other.tail}的银行卡")
    assert slot_events(events)[CARD_LOSS_PENDING] is None
    assert status_of(store, "C000005", other.tail) == other.status


def test_a_card_already_frozen_says_so(domain, store):
    frozen = next(card for card in cards_of(store, "C000004") if card.status == "frozen")
    _, events, (reply,) = report(domain, "C000004", entities=[{"entity": "card_tail", "value": frozen.tail}])
    assert reply.startswith(f"尾号{frozen.tail}的{frozen.account_type}已经是冻结状态")
    assert slot_events(events)[URGENT_HANDOFF] is True


def test_an_advisor_cannot_freeze_a_clients_card(domain):
    messages, _, _ = report(domain, "RM001", role=Role.ADVISOR)
    assert [message["response"] for message in messages] == ["utter_client_service_only"]


# ------------------------------------------------------------------- turn 2
def test_yes_freezes_the_card_in_the_store_and_flags_urgent_follow_up(domain, store):
    debit = next(card for card in cards_of(store, "C000001") if card.account_type == "储蓄卡")
    others = {card.tail: card.status for card in cards_of(store, "C000001") if card.tail != debit.tail}
    messages, events, (reply,) = answer(domain, "C000001", debit.tail, "affirm", "确认冻结")
    assert status_of(store, "C000001", debit.tail) == "frozen"
    assert {card.tail: card.status for card in cards_of(store, "C000001") if card.tail != debit.tail} == others
    assert reply.startswith(f"已为您冻结尾号{debit.tail}的储蓄卡") and "补办新卡" in reply and "400-820-9999" in reply
    assert [button["payload"] for button in domain["responses"]["utter_card_loss_frozen"][0]["buttons"]] == [
        "/check_transactions", "/request_human"]
    assert slot_events(events)[CARD_LOSS_PENDING] is None and slot_events(events)[URGENT_HANDOFF] is True


def test_yes_to_a_question_asked_after_a_follow_up_freezes_too(domain, store):
    credit = next(card for card in cards_of(store, "C000001") if card.account_type == "信用卡")
    answer(domain, "C000001", credit.tail, "affirm", "是的", asker="action_follow_up")
    assert status_of(store, "C000001", credit.tail) == "frozen"


def test_no_changes_nothing(domain, store):
    debit = next(card for card in cards_of(store, "C000001") if card.account_type == "储蓄卡")
    _, events, (reply,) = answer(domain, "C000001", debit.tail, "deny", "先不冻结")
    assert status_of(store, "C000001", debit.tail) == "normal"
    assert reply.startswith(f"好的，没有冻结尾号{debit.tail}的储蓄卡")
    assert slot_events(events)[CARD_LOSS_PENDING] is None and URGENT_HANDOFF not in slot_events(events)


def test_yes_without_the_question_just_before_freezes_nothing(domain, store):
    """A stale card_loss_pending (the client moved on, then said 好的 to something else)."""
    debit = next(card for card in cards_of(store, "C000001") if card.account_type == "储蓄卡")
    messages, events, _ = answer(domain, "C000001", debit.tail, "affirm", "好的", asked=False)
    assert [message["response"] for message in messages] == ["utter_affirm_ack"]
    assert status_of(store, "C000001", debit.tail) == "normal"
    assert slot_events(events)[CARD_LOSS_PENDING] is None


def test_a_traditional_client_reads_traditional(domain, store):
    debit = next(card for card in cards_of(store, "C000003") if card.account_type == "储蓄卡")
    _, _, (question,) = report(domain, "C000003", "我張卡唔見咗", [{"entity": "card_tail", "value": debit.tail}],
                               slots={"script": "traditional"})
    assert question.startswith(f"確認要凍結尾號{debit.tail}的儲蓄卡嗎？")
    _, _, (reply,) = answer(domain, "C000003", debit.tail, "affirm", "確認", slots={"script": "traditional"})
    assert reply.startswith(f"已為您凍結尾號{debit.tail}的儲蓄卡")
    assert status_of(store, "C000003", debit.tail) == "frozen"
    _, _, (unverified,) = report(domain, None, "張卡唔見咗", slots={"script": "traditional"})
    assert "貴賓專線 400-820-9999" in unverified


# -------------------------------------------------------------- the command
def test_freeze_card_is_one_conditional_change(store):
    debit = next(card for card in cards_of(store, "C000006") if card.account_type == "储蓄卡")
    with session_scope(store) as opened:
        assert freeze_card(opened, "C000006", debit.tail).outcome is FreezeOutcome.FROZEN
    with session_scope(store) as opened:
        assert freeze_card(opened, "C000006", debit.tail).outcome is FreezeOutcome.ALREADY_FROZEN
        assert freeze_card(opened, "C000007", debit.tail).outcome is FreezeOutcome.NOT_FOUND  # not theirs
        assert freeze_card(opened, "C000006", "12a4").outcome is FreezeOutcome.NOT_FOUND
        assert freeze_card(opened, "C000006", "%").outcome is FreezeOutcome.NOT_FOUND


def test_a_freeze_rolled_back_leaves_the_card_usable(store):
    debit = next(card for card in cards_of(store, "C000006") if card.account_type == "储蓄卡")
    with pytest.raises(RuntimeError):
        with session_scope(store) as opened:
            freeze_card(opened, "C000006", debit.tail)
            raise RuntimeError("the unit of work failed")
    assert status_of(store, "C000006", debit.tail) == "normal"


def test_asking_about_a_card_drops_an_unanswered_appointment_proposal(domain):
    """Its 是的 must freeze the card, not go to the appointment proposal still open before it."""
    proposal = '{"change": "book", "start": "2026-11-26T15:00:00+08:00"}'
    _, events, _ = report(domain, "C000001", "我的信用卡丢了", [{"entity": "account_type", "value": "信用卡"}],
                          slots={"appointment_pending": proposal})
    assert {"event": "slot", "timestamp": None, "name": "appointment_pending", "value": None} in events
