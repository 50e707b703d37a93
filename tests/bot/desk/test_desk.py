"""The advisor desk: the queue, taking, replying, handing back and closing, and the copilot beside it."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta
from typing import Dict

from bot.desk.texts import load_server_texts
from bot.handoff.store import HandoffStatus, record_csat, set_csat_comment
from bot.handoff.triggers import HandoffReason
from bot.profile.database import session_scope
from tests.bot.desk.conftest import OPEN_CASE_ID, WEDNESDAY_MORNING, Desk
from tests.bot.desk.fake_rasa import BACK, CLOSED

UNKNOWN_ID = "HO-000000000000"


def detail(key: str) -> str:
    return load_server_texts().text(key)


def take(desk: Desk, handoff_id: str, headers: Dict[str, str]) -> int:
    return desk.client.post(f"/api/desk/handoffs/{handoff_id}/take", headers=headers).status_code


# ---------------------------------------------------------------------------- the queue
def test_the_queue_shows_what_each_desk_user_may_see(desk: Desk) -> None:
    to_rm = desk.open_handoff("C000001")  # RM001's client, RM001 at work
    urgent = desk.open_handoff("C000003", HandoffReason.CARD_LOSS)  # the contact center, RM002 notified
    queue = desk.client.get("/api/desk/queue", headers=desk.login("RM001")).json()["handoffs"]
    assert [item["id"] for item in queue] == [to_rm.id]
    item = queue[0]
    assert item["client_name"] == "王建华" and item["client_id"] == "C000001" and item["tier"] == "金卡"
    assert item["reason"] == "client_request" and item["reason_label"] and not item["urgent"]
    assert item["status"] == "waiting" and item["seconds_left"] > 0 and item["summary"]
    agent_queue = desk.client.get("/api/desk/queue", headers=desk.login("CC001")).json()["handoffs"]
    assert [entry["id"] for entry in agent_queue] == [urgent.id]
    assert agent_queue[0]["urgent"] is True
    rm2_queue = desk.client.get("/api/desk/queue", headers=desk.login("RM002")).json()["handoffs"]
    assert [entry["id"] for entry in rm2_queue] == [urgent.id]  # notified as the client's RM
    assert desk.client.get("/api/desk/queue", headers=desk.login("RM003")).json()["handoffs"] == []


def test_the_handoff_opens_with_its_context_package(desk: Desk) -> None:
    opened = desk.open_handoff("C000001")
    answer = desk.client.get(f"/api/desk/handoffs/{opened.id}", headers=desk.login("RM001"))
    assert answer.status_code == 200
    body = answer.json()
    assert body["handoff"]["id"] == opened.id
    assert body["package"]["client"]["name"] == "王建华"
    assert body["package"]["reason"] == "client_request" and body["package"]["summary"]
    assert body["messages"] == [] and body["csat"] is None


# ---------------------------------------------------------------------------- who may see what
def test_an_rm_cannot_open_another_rms_client(desk: Desk) -> None:
    opened = desk.open_handoff("C000001")  # RM001's client; RM003 is neither RM nor backup
    rm3 = desk.login("RM003")
    hidden = desk.client.get(f"/api/desk/handoffs/{opened.id}", headers=rm3)
    unknown = desk.client.get(f"/api/desk/handoffs/{UNKNOWN_ID}", headers=rm3)
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json() == unknown.json() == {"detail": detail("handoff_not_found")}
    assert take(desk, opened.id, rm3) == 404
    assert desk.client.get(f"/api/desk/handoffs/{opened.id}/suggestions", headers=rm3).status_code == 404
    for path in ("/api/desk/clients/C000001/overview", "/api/desk/clients/C000001/cases",
                 "/api/desk/clients/C999999/overview", "/api/desk/clients/not-an-id!/overview"):
        answer = desk.client.get(path, headers=rm3)
        assert answer.status_code == 403, path
        assert answer.json() == {"detail": detail("client_forbidden")}
    suitability = desk.client.post("/api/desk/clients/C000001/suitability", json={"product": "稳享365天"},
                                   headers=rm3)
    assert suitability.status_code == 403
    assert desk.record(opened.id).status is HandoffStatus.WAITING


def test_an_agent_reads_a_client_only_while_holding_their_handoff(desk: Desk) -> None:
    opened = desk.open_handoff("C000003", HandoffReason.CARD_LOSS)
    agent = desk.login("CC001")
    assert desk.client.get("/api/desk/clients/C000003/overview", headers=agent).status_code == 403
    assert take(desk, opened.id, agent) == 200
    overview = desk.client.get("/api/desk/clients/C000003/overview", headers=agent)
    assert overview.status_code == 200 and overview.json()["name"] == "陈嘉欣"
    assert desk.client.get("/api/desk/clients/C000001/overview", headers=agent).status_code == 403


# ---------------------------------------------------------------------------- taking
def test_the_second_to_take_gets_409(desk: Desk) -> None:
    opened = desk.open_handoff("C000001", HandoffReason.CARD_LOSS)
    first, second = desk.login("CC001"), desk.login("RM001")  # the client's RM follows the urgent handoff
    assert take(desk, opened.id, first) == 200
    answer = desk.client.post(f"/api/desk/handoffs/{opened.id}/take", headers=second)
    assert answer.status_code == 409 and answer.json() == {"detail": detail("taken_by_other")}
    # another agent no longer sees it (nor reads it), but is told it was taken rather than "not found"
    peer = desk.client.post(f"/api/desk/handoffs/{opened.id}/take", headers=desk.login("CC002"))
    assert peer.status_code == 409 and peer.json() == {"detail": detail("taken_by_other")}
    assert desk.client.get(f"/api/desk/handoffs/{opened.id}", headers=desk.login("CC002")).status_code == 404
    assert take(desk, opened.id, first) == 200  # taking again by the holder changes nothing
    assert desk.record(opened.id).taken_by == "CC001"


def test_two_agents_taking_at_once_one_wins(desk: Desk) -> None:
    opened = desk.open_handoff("C000001", HandoffReason.CARD_LOSS)
    agents = [desk.login("CC001"), desk.login("CC002")]
    start = threading.Barrier(2)

    def race(headers: Dict[str, str]) -> int:
        start.wait()
        return take(desk, opened.id, headers)

    with ThreadPoolExecutor(2) as pool:
        codes = sorted(pool.map(race, agents))
    assert codes == [200, 409]
    assert desk.record(opened.id).taken_by in ("CC001", "CC002")


def test_taking_tells_the_client_who_joined(desk: Desk) -> None:
    opened = desk.open_handoff("C000001")
    assert take(desk, opened.id, desk.login("RM001")) == 200
    state = desk.client.get("/api/chat/history", headers=desk.login("C000001")).json()["handoff"]
    assert state["status"] == "taken" and state["taken_by_role"] == "advisor" and state["taken_by_name"]


# ---------------------------------------------------------------------------- replying
def test_only_the_holder_replies(desk: Desk) -> None:
    opened = desk.open_handoff("C000001", HandoffReason.CARD_LOSS)
    holder, other = desk.login("CC001"), desk.login("RM001")  # RM001: the client's RM, who sees it
    path = f"/api/desk/handoffs/{opened.id}/reply"
    before_taking = desk.client.post(path, json={"text": "您好"}, headers=holder)
    assert before_taking.status_code == 403 and before_taking.json() == {"detail": detail("not_holder")}
    assert take(desk, opened.id, holder) == 200
    refused = desk.client.post(path, json={"text": "我来回复"}, headers=other)
    assert refused.status_code == 403
    answer = desk.client.post(path, json={"text": "您好，我是林晓，已为您冻结卡片"}, headers=holder)
    assert answer.status_code == 200
    message = answer.json()["message"]
    assert message["from"] == "agent" and message["sender_name"] == "林晓"
    assert [(stored.sender, stored.sender_id, stored.text) for stored in desk.messages(opened.id)] == \
        [("agent", "CC001", "您好，我是林晓，已为您冻结卡片")]
    bot_events = [event for event in desk.rasa.events_sent("client:C000001") if event["event"] == "bot"]
    assert [(event["text"], event["metadata"]) for event in bot_events] == \
        [("您好，我是林晓，已为您冻结卡片", {"agent_id": "CC001", "agent_name": "林晓"})]
    assert desk.rasa.of_kind("message") == [] and desk.rasa.of_kind("trigger") == []


def test_an_empty_reply_is_refused_and_nothing_stored(desk: Desk) -> None:
    opened = desk.open_handoff("C000001")
    rm = desk.login("RM001")
    take(desk, opened.id, rm)
    for body in ({"text": "  "}, {"text": "好" * 2001}, {}):
        assert desk.client.post(f"/api/desk/handoffs/{opened.id}/reply", json=body, headers=rm).status_code == 400
    assert desk.messages(opened.id) == []


# ---------------------------------------------------------------------------- handing back and closing
def test_hand_back_resumes_the_bot_and_returns_its_messages(desk: Desk) -> None:
    opened = desk.open_handoff("C000001")
    rm = desk.login("RM001")
    take(desk, opened.id, rm)
    answer = desk.client.post(f"/api/desk/handoffs/{opened.id}/hand-back", headers=rm)
    assert answer.status_code == 200
    body = answer.json()
    assert body["handoff"]["status"] == "handed_back"
    assert [message["text"] for message in body["bot_messages"]] == [BACK]
    # resumed first, then triggered (a paused Rasa would have said nothing)
    kinds = [(call.kind, call.body[0]["event"] if call.kind == "events" else call.body["name"])
             for call in desk.rasa.calls]
    assert kinds == [("events", "resume"), ("trigger", "EXTERNAL_handback")]
    # after the resume, a listen: the next message is read as a new turn by the rules
    assert [event["event"] for event in desk.rasa.of_kind("events")[0].body] == ["resume", "action"]
    assert "client:C000001" not in desk.rasa.paused
    record = desk.record(opened.id)
    assert record.status is HandoffStatus.HANDED_BACK and record.ended_by == "RM001"
    assert [(stored.sender, stored.text) for stored in desk.messages(opened.id)] == [("bot", BACK)]
    # and the client talks to the bot again
    chat = desk.client.post("/api/chat/messages", json={"text": "你好"}, headers=desk.login("C000001"))
    assert chat.json()["handoff"] is None and len(desk.rasa.of_kind("message")) == 1


def test_close_asks_for_a_rating_with_buttons(desk: Desk) -> None:
    opened = desk.open_handoff("C000001")
    rm = desk.login("RM001")
    take(desk, opened.id, rm)
    answer = desk.client.post(f"/api/desk/handoffs/{opened.id}/close", headers=rm)
    assert answer.status_code == 200
    message = answer.json()["bot_messages"][0]
    assert message["text"] == CLOSED
    assert [button["payload"] for button in message["buttons"]][0] == '/rate_service{"csat_score": "5"}'
    assert desk.rasa.of_kind("trigger")[0].body["name"] == "EXTERNAL_handoff_closed"
    assert desk.record(opened.id).status is HandoffStatus.CLOSED
    # a page reloading while this was sent still gets the rating buttons from the history
    history = desk.client.get("/api/chat/history", headers=desk.login("C000001")).json()
    assert history["handoff"]["status"] == "closed"
    assert [message["text"] for message in history["messages"]][-1] == CLOSED
    assert history["messages"][-1]["buttons"] == message["buttons"]
    services = desk.client.app.state.services
    desk.client.app.state.services = replace(services, clock=lambda: WEDNESDAY_MORNING + timedelta(minutes=31))
    later = desk.client.get("/api/chat/history", headers=desk.login("C000001")).json()
    assert later == {"messages": [], "handoff": None}


def test_only_the_holder_hands_back(desk: Desk) -> None:
    opened = desk.open_handoff("C000001", HandoffReason.CARD_LOSS)
    take(desk, opened.id, desk.login("CC001"))
    answer = desk.client.post(f"/api/desk/handoffs/{opened.id}/hand-back", headers=desk.login("RM001"))
    assert answer.status_code == 403
    assert desk.record(opened.id).status is HandoffStatus.TAKEN
    assert desk.rasa.calls == []


def test_with_rasa_down_the_person_keeps_the_conversation_until_the_bot_can_resume(desk: Desk) -> None:
    opened = desk.open_handoff("C000001")
    rm = desk.login("RM001")
    take(desk, opened.id, rm)
    desk.rasa.down = True
    path = f"/api/desk/handoffs/{opened.id}/hand-back"
    answer = desk.client.post(path, headers=rm)
    assert answer.status_code == 503 and answer.json() == {"detail": detail("handback_pending")}
    # Rasa still paused, so the person still holds it: the client's messages keep reaching them
    assert desk.record(opened.id).status is HandoffStatus.TAKEN
    kept = desk.client.post("/api/chat/messages", json={"text": "还在吗"}, headers=desk.login("C000001"))
    assert kept.status_code == 200 and kept.json()["kept"]["text"] == "还在吗"
    desk.rasa.down = False
    assert desk.client.post(path, headers=desk.login("RM002")).status_code == 404  # nobody else
    retried = desk.client.post(path, headers=rm)
    assert retried.status_code == 200
    assert [message["text"] for message in retried.json()["bot_messages"]] == [BACK]
    assert desk.record(opened.id).status is HandoffStatus.HANDED_BACK
    assert "client:C000001" not in desk.rasa.paused
    # closing what was handed back is refused: it has ended
    assert desk.client.post(f"/api/desk/handoffs/{opened.id}/close", headers=rm).status_code == 409


# ---------------------------------------------------------------------------- the copilot
def test_the_copilot_for_the_rm_of_the_client(desk: Desk) -> None:
    opened = desk.open_handoff("C000001")
    rm = desk.login("RM001")
    overview = desk.client.get("/api/desk/clients/C000001/overview", headers=rm)
    assert overview.status_code == 200
    assert overview.json()["name"] == "王建华" and overview.json()["cases_available"] is True
    cases = desk.client.get("/api/desk/clients/C000001/cases", headers=rm).json()
    assert cases["available"] is True
    assert [case["case_id"] for case in cases["cases"]] == [OPEN_CASE_ID]
    assert cases["cases"][0]["due_on"] == "2026-11-25" and cases["cases"][0]["overdue"] is True
    suggestions = desk.client.get(f"/api/desk/handoffs/{opened.id}/suggestions", headers=rm)
    assert suggestions.status_code == 200
    replies = suggestions.json()["replies"]
    assert replies and all(reply["title"] and reply["text"] for reply in replies)
    assert any(OPEN_CASE_ID in reply["text"] for reply in replies)  # filled with the client's case


def test_the_suitability_check(desk: Desk) -> None:
    rm = desk.login("RM001")
    answer = desk.client.post("/api/desk/clients/C000001/suitability", json={"product": "稳享365天"}, headers=rm)
    assert answer.status_code == 200
    verdict = answer.json()
    assert set(verdict) >= {"product", "risk_level", "suitable", "reasons"}
    assert isinstance(verdict["suitable"], bool) and verdict["reasons"]
    unknown = desk.client.post("/api/desk/clients/C000001/suitability", json={"product": "不存在的产品名称xyz"},
                               headers=rm)
    assert unknown.status_code == 404 and unknown.json() == {"detail": detail("product_not_found")}


def test_the_desk_shows_the_rating_of_a_handoff_it_may_see(desk: Desk) -> None:
    opened = desk.open_handoff("C000001")
    rm = desk.login("RM001")
    take(desk, opened.id, rm)
    desk.client.post(f"/api/desk/handoffs/{opened.id}/close", headers=rm)
    with session_scope(desk.sessions) as session:
        rating = record_csat(session, "client:C000001", "C000001", "4", WEDNESDAY_MORNING)
        set_csat_comment(session, rating.id, "回复很快")
    ratings = desk.client.get("/api/desk/csat", headers=rm).json()["ratings"]
    assert [(item["handoff_id"], item["client_name"], item["score"], item["comment"]) for item in ratings] == \
        [(opened.id, "王建华", 4, "回复很快")]
    assert desk.client.get(f"/api/desk/handoffs/{opened.id}", headers=rm).json()["csat"] == \
        {"score": 4, "comment": "回复很快"}
    assert desk.client.get("/api/desk/csat", headers=desk.login("RM003")).json()["ratings"] == []


def test_the_advisor_types_to_the_assistant_with_their_own_token(desk: Desk) -> None:
    rm = desk.login("RM001")
    answer = desk.client.post("/api/desk/assistant", json={"text": "王建华最近怎么样"}, headers=rm)
    assert answer.status_code == 200
    assert answer.json()["messages"][0]["from"] == "bot"
    assert desk.rasa.of_kind("message")[0].conversation_id == "advisor:RM001"
