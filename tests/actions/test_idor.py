"""Nobody reads another client's data, whatever they type; nothing leaks a whole number.

The IDOR sweep: for every data action in ``actions/`` (every concrete
``VerifiedClientAction``, found by importing the package, so actions added
later are swept too) and 24 pairs of demo clients, client A, verified, sends
messages naming client B: B's name, B's card tail, B's whole account number,
B's client id (in the text and as an entity), B as a person entity, a
remembered query about B's card; and a tracker whose sender id and slots are
B's. Each reply must equal the reply to the same message naming nobody (a
name, tail, number and id that no client has), up to repeating what A typed:
what B has cannot change what A reads. And it must hold none of B's figures
(balances, amounts, tails) that are not A's own, beyond what A typed.

The masking scan: a conversation through every data action and follow-up,
in which the client types their own whole card number and mobile number;
no reply, no returned event (what the tracker store keeps) and no log line
may hold any whole account number or phone number of the bank.
"""
from __future__ import annotations

import importlib
import json
import inspect
import logging
import pkgutil
import re
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal
from typing import Callable, Dict, Iterator, List, Sequence, Set, Tuple, Type

import pytest
from rasa_sdk import Action, Tracker
from sqlalchemy import select
from sqlalchemy.orm import Session

import actions
from actions.follow_up import ActionFollowUp
from actions.verified import VerifiedClientAction
from bot.profile.queries import counterparties_of
from bot.banking.transaction_request import match_counterparty
from bot.money import format_money
from bot.profile.models import Account, Client
from bot.profile.queries import (
    MAX_TRANSACTIONS,
    TransactionFilter,
    accounts_of,
    clients_by_name,
    holdings_of,
    transactions_of,
)
from bot.profile.seed import DEMO_CLIENTS
from tests.actions.conftest import run_action, verified_tracker
from tests.actions.replies import reply_texts

SLOTS = {"script": "simplified"}


def _data_actions() -> List[Type[VerifiedClientAction]]:
    """Every concrete VerifiedClientAction defined in the actions package."""
    for module in pkgutil.iter_modules(actions.__path__):
        importlib.import_module(f"actions.{module.name}")
    found: List[Type[VerifiedClientAction]] = []
    pending = list(VerifiedClientAction.__subclasses__())
    while pending:
        subclass = pending.pop()
        pending.extend(subclass.__subclasses__())
        if not inspect.isabstract(subclass) and subclass.__module__.startswith("actions."):
            found.append(subclass)
    return sorted(set(found), key=lambda subclass: subclass().name())


DATA_ACTIONS = _data_actions()


def test_the_sweep_covers_the_account_actions():
    names = {action().name() for action in DATA_ACTIONS}
    assert {"action_check_balance", "action_check_transactions", "action_check_portfolio"} <= names


# ------------------------------------------------------------------ who is who
@dataclass(frozen=True)
class Person:
    """What identifies a client in a message: name, id, a card tail and whole number."""

    client_id: str
    name: str
    tail: str
    number: str


@dataclass(frozen=True)
class Figures:
    amounts: Set[str]  # formatted as in replies: 1,234.56
    tails: Set[str]


def _amount(value: Decimal) -> str:
    return format_money(value).split(" ")[0]


def _figures(session: Session, client_id: str) -> Figures:
    accounts = accounts_of(session, client_id, include_closed=True)
    values = [account.balance for account in accounts]
    values += [account.credit_limit for account in accounts if account.credit_limit is not None]
    values += [account.available_credit for account in accounts if account.available_credit is not None]
    page = transactions_of(session, client_id, TransactionFilter(limit=MAX_TRANSACTIONS))
    while page.items:  # every transaction, a page of the newest at a time
        values += [item.amount for item in page.items]
        before = page.items[-1].occurred_at - timedelta(microseconds=1)
        page = transactions_of(session, client_id, TransactionFilter(end=before, limit=MAX_TRANSACTIONS))
    for holding in holdings_of(session, client_id):
        values += [holding.market_value, holding.cost, abs(holding.pnl)]
    return Figures({_amount(value) for value in values if value}, {account.tail for account in accounts})


def _person(session: Session, client_id: str) -> Person:
    name = session.get(Client, client_id).name
    number = session.scalars(select(Account.number).where(Account.client_id == client_id)
                             .order_by(Account.id)).first()
    return Person(client_id, name, number[-4:], number)


def _nobody(session: Session) -> Person:
    """A name, id and tail that belong to no client of the bank (the whole number: see :func:`_like`)."""
    tails = {number[-4:] for number in session.scalars(select(Account.number))}
    tail = next(f"{n:04d}" for n in range(10000) if f"{n:04d}" not in tails)
    name = "欧阳无名"
    assert not clients_by_name(session, name) and session.get(Client, "C999999") is None
    return Person("C999999", name, tail, "")


def _like(nobody: Person, other: Person) -> Person:
    """Nobody, with a whole number shaped like ``other``'s (and, by its tail, nobody's)."""
    return replace(nobody, number=other.number[:-4] + nobody.tail)


def _pairs(session: Session) -> List[Tuple[str, str]]:
    """24 ordered pairs of demo clients (each asks about three others) whose names the asker
    never dealt with (a transfer to a namesake would rightly be the asker's own data)."""
    ids = [client.id for client in DEMO_CLIENTS]
    pairs = []
    for index, asker in enumerate(ids):
        known = counterparties_of(session, asker)
        others = [ids[(index + step) % len(ids)] for step in range(1, len(ids))]
        named = [other for other in others
                 if match_counterparty(session.get(Client, other).name, known) is None][:3]
        pairs += [(asker, other) for other in named]
    return pairs


# ------------------------------------------------------------------- messages
def _intent(action: VerifiedClientAction) -> str:
    return action.name().removeprefix("action_")


Build = Callable[[str, Person], Tuple[Action, Tracker]]  # asker's id, the person named → what runs, on what


def _variants(action: VerifiedClientAction) -> Dict[str, Build]:
    """The ways of naming another client in a message to ``action``."""
    intent = _intent(action)

    def plain(text: str, entities: Sequence[Dict[str, str]] = ()) -> Build:
        return lambda asker, other: (action, verified_tracker(
            asker, text.format(o=other), intent,
            entities=[{**entity, "value": entity["value"].format(o=other)} for entity in entities]))

    def sender_and_slots(asker: str, other: Person) -> Tuple[Action, Tracker]:
        tracker = verified_tracker(asker, "查一下", intent, slots={
            **SLOTS, "client_id": other.client_id, "person": other.name, "card_tail": other.tail})
        tracker.sender_id = f"client:{other.client_id}"
        return action, tracker

    def remembered(asker: str, other: Person) -> Tuple[Action, Tracker]:
        last_query = {"action": action.name(), "entities": {"card_tail": [other.tail], "person": [other.name]}}
        return ActionFollowUp(), verified_tracker(asker, "那这张呢", "inform", slots={**SLOTS, "last_query": last_query})

    return {
        "name in the text": plain("帮我查一下{o.name}的情况"),
        "card tail": plain("尾号{o.tail}", [{"entity": "card_tail", "value": "{o.tail}"}]),
        "whole account number": plain("卡号{o.number}", [{"entity": "card_tail", "value": "{o.tail}"}]),
        "client id": plain("客户号{o.client_id}", [{"entity": "client_id", "value": "{o.client_id}"}]),
        "person entity": plain("{o.name}的", [{"entity": "person", "value": "{o.name}"}]),
        "sender id and slots": sender_and_slots,
        "remembered query": remembered,
    }


def _reply(domain, action: Action, tracker: Tracker) -> str:
    messages, _ = run_action(action, tracker, domain)
    return "\n".join(reply_texts(domain, messages, tracker.current_slot_values()))


_TAIL = re.compile(r"尾[号號](\d{4})")


def _amounts_in(text: str, amounts: Set[str]) -> Set[str]:
    return {amount for amount in amounts if re.search(rf"(?<![\d,.]){re.escape(amount)}(?![\d])", text)}


@pytest.fixture(scope="module")
def sweep_setup(profile_url) -> Iterator[Tuple[List[Tuple[str, str]], Dict[str, Person], Dict[str, Figures], Person]]:
    from bot.profile.database import make_engine, make_session_factory

    engine = make_engine(profile_url)
    with make_session_factory(engine)() as session:
        pairs = _pairs(session)
        ids = {client for pair in pairs for client in pair}
        people = {client_id: _person(session, client_id) for client_id in ids}
        figures = {client_id: _figures(session, client_id) for client_id in ids}
        nobody = _nobody(session)
    engine.dispose()
    yield pairs, people, figures, nobody


def test_at_least_twenty_pairs(sweep_setup):
    pairs, *_ = sweep_setup
    assert len(pairs) >= 20 and all(asker != other for asker, other in pairs)


def _typed_out(text: str, person: Person) -> str:
    """``text`` with what the asker typed about ``person`` put back as placeholders: repeating
    the asker's own words ("no card 尾号1234 of yours") tells them nothing about anybody."""
    for value, placeholder in ((person.number, "<number>"), (person.tail, "<tail>"), (person.name, "<name>"),
                               (person.client_id, "<id>")):
        text = text.replace(value, placeholder)
    return text


@pytest.mark.parametrize("action_class", DATA_ACTIONS, ids=lambda subclass: subclass().name())
def test_naming_another_client_reads_nothing_of_theirs(domain, sweep_setup, action_class):
    pairs, people, figures, nobody = sweep_setup
    problems: List[str] = []
    for variant, build in _variants(action_class()).items():
        for asker, other in pairs:
            named = people[other]
            unknown = _like(nobody, named)
            reply = _reply(domain, *build(asker, named))
            baseline = _reply(domain, *build(asker, unknown))
            if not reply:
                problems.append(f"{variant} {asker}→{other}: no reply")
            if _typed_out(reply, named) != _typed_out(baseline, unknown):
                problems.append(f"{variant} {asker}→{other}: the reply depends on who the other client is")
            theirs_only = figures[other].amounts - figures[asker].amounts
            leaked = _amounts_in(reply, theirs_only) - _amounts_in(baseline, theirs_only)
            leaked_tails = set(_TAIL.findall(reply)) & (figures[other].tails - {named.tail})
            if leaked or leaked_tails:
                problems.append(f"{variant} {asker}→{other}: their figures {sorted(leaked)} {sorted(leaked_tails)}")
    assert not problems, "\n".join(problems[:20])


def test_the_reply_is_the_askers_own(domain, session, sweep_setup):
    """The sweep compares replies with each other; this pins one of them to the asker's own accounts."""
    pairs, people, _, _ = sweep_setup
    asker, other = pairs[0]
    action, tracker = _variants(_balance())["card tail"](asker, people[other])
    reply = _reply(domain, action, tracker)
    assert set(_TAIL.findall(reply)) == {account.tail for account in accounts_of(session, asker)}
    for account in accounts_of(session, asker):
        assert format_money(account.balance, account.currency) in reply


def _balance() -> VerifiedClientAction:
    return next(action() for action in DATA_ACTIONS if action().name() == "action_check_balance")


# ---------------------------------------------------------------------- masking
def _conversation(client_id: str, own_number: str, phone: str) -> Iterator[Tuple[Action, Tracker]]:
    """Every data intent once, with follow-ups, the client typing their own whole numbers."""
    for action_class in DATA_ACTIONS:
        action = action_class()
        intent = _intent(action)
        yield action, verified_tracker(client_id, f"我的卡号是{own_number}，手机{phone}，帮我查一下", intent,
                                       entities=[{"entity": "card_tail", "value": own_number[-4:]}])
        yield action, verified_tracker(client_id, "查一下", intent)
        last_query = {"action": action.name(), "entities": {}}
        for entity, value in (("currency", "USD"), ("account_type", "信用卡"), ("product_type", "基金"),
                              ("time", "2026-10-01T00:00:00+08:00/2026-10-31T23:59:59+08:00")):
            yield ActionFollowUp(), verified_tracker(client_id, f"那{value}呢", "inform",
                                                     entities=[{"entity": entity, "value": value}],
                                                     slots={**SLOTS, "last_query": last_query})
    yield _balance(), verified_tracker(client_id, "我的总资产和全部账户余额", "check_balance")


@pytest.mark.parametrize("client_id", ["C000001", "C000004"])
def test_no_whole_account_or_phone_number_in_replies_events_or_logs(domain, session, caplog, client_id):
    numbers = set(session.scalars(select(Account.number)))
    phones = set(session.scalars(select(Client.phone)))
    own_number = session.scalars(select(Account.number).where(Account.client_id == client_id)).first()
    phone = session.get(Client, client_id).phone
    replies: List[str] = []
    events: List[str] = []  # what the tracker store keeps (the remembered query)
    with caplog.at_level(logging.DEBUG):
        for action, tracker in _conversation(client_id, own_number, phone):
            messages, returned = run_action(action, tracker, domain)
            replies.append("\n".join(reply_texts(domain, messages, tracker.current_slot_values())))
            events.append(json.dumps(returned, ensure_ascii=False, default=str))
    logged = [record.getMessage() for record in caplog.records]
    assert len(replies) >= 3 * len(DATA_ACTIONS) and all(replies)
    assert any("balance" in line for line in logged)  # the actions do log; the scan is not empty
    for text in replies + events + logged:
        assert not any(number in text for number in numbers), text
        assert not any(phone in text for phone in phones), text
