"""The client's rating: asked once, stored at the button press, an optional comment joined to it."""
from __future__ import annotations

from typing import Iterator

import pytest
from sqlalchemy import select

from actions.csat import NO_COMMENT, ActionAskCsat, ActionRecordCsat, ActionSaveCsatComment, ValidateCsatForm
from bot.profile.database import make_engine
from bot.profile.models import CsatRating
from tests.actions.conftest import run_action, verified_tracker
from tests.bot.profile.conftest import sessions_removing

ASKED = [{"event": "bot", "text": "请为本次服务打个分吧", "metadata": {"utter_action": "utter_ask_csat"}}]
PHONE = "13812345678"


@pytest.fixture()
def ratings(profile_url: str) -> Iterator:
    engine = make_engine(profile_url)
    with sessions_removing(engine, CsatRating) as sessions:
        yield sessions
    engine.dispose()


def rows(ratings):
    with ratings() as session:
        return session.execute(select(CsatRating)).scalars().all()


def rate(domain, score, events=ASKED, client_id="C000001"):
    tracker = verified_tracker(client_id, f'/rate_service{{"csat_score": "{score}"}}', "rate_service",
                               entities=[{"entity": "csat_score", "value": str(score)}], events=list(events))
    return run_action(ActionRecordCsat(), tracker, domain)


def ask(domain, events):
    messages, _ = run_action(ActionAskCsat(), verified_tracker("C000001", "再见", "goodbye", events=events), domain)
    return [message["response"] for message in messages]


def test_goodbye_asks_for_a_rating_once(domain):
    assert ask(domain, []) == ["utter_ask_csat"]
    rated = ASKED + [{"event": "slot", "name": "csat_id", "value": "7"}]
    assert ask(domain, rated) == []
    # a later handoff (any: here the fallback's) is a new service: rated again
    assert ask(domain, rated + [{"event": "action", "name": "action_two_stage_fallback"},
                                {"event": "pause"}]) == ["utter_ask_csat"]


def test_a_pressed_rating_is_stored_at_once_for_the_conversation(domain, ratings):
    messages, events = rate(domain, 4)
    (row,) = rows(ratings)
    assert (row.score, row.conversation_id, row.client_id, row.comment) == (4, "client:C000001", "C000001", None)
    assert {"event": "slot", "name": "csat_id", "value": str(row.id), "timestamp": None} in events
    assert messages == []  # the form asks for the comment next


@pytest.mark.parametrize("score", ["0", "6", "五", "4.5", ""])
def test_a_score_outside_one_to_five_is_refused_and_nothing_is_stored(domain, ratings, score):
    messages, _ = rate(domain, score)
    assert messages[0]["response"] == "utter_csat_invalid" and rows(ratings) == []


def test_a_second_press_without_being_asked_again_is_not_a_second_rating(domain, ratings):
    rate(domain, 5)
    (row,) = rows(ratings)
    messages, _ = rate(domain, 1, events=ASKED + [{"event": "slot", "name": "csat_id", "value": str(row.id)}])
    assert messages[0]["response"] == "utter_csat_already"
    assert [each.score for each in rows(ratings)] == [5]


def test_the_comment_is_masked_and_joined_to_the_rating(domain, ratings):
    _, events = rate(domain, 2)
    rating_id = next(event["value"] for event in events if event.get("name") == "csat_id")
    validated = ValidateCsatForm().validate_csat_comment(f"等太久了，打我电话{PHONE}", None, None, domain)
    assert PHONE not in validated["csat_comment"]
    tracker = verified_tracker("C000001", "等太久了", "inform",
                               slots={"csat_id": rating_id, "csat_comment": validated["csat_comment"]})
    messages, _ = run_action(ActionSaveCsatComment(), tracker, domain)
    assert messages[0]["response"] == "utter_csat_thanks"
    (row,) = rows(ratings)
    assert row.comment.startswith("等太久了") and PHONE not in row.comment


def test_a_skipped_comment_leaves_the_rating_as_it_was(domain, ratings):
    _, events = rate(domain, 5)
    rating_id = next(event["value"] for event in events if event.get("name") == "csat_id")
    tracker = verified_tracker("C000001", "/deny", "deny", slots={"csat_id": rating_id, "csat_comment": NO_COMMENT})
    messages, _ = run_action(ActionSaveCsatComment(), tracker, domain)
    assert messages[0]["response"] == "utter_csat_thanks"
    assert rows(ratings)[0].comment is None
