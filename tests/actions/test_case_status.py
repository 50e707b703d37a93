"""Where a client's complaints stand; a client only ever sees their own."""
from __future__ import annotations

from datetime import datetime, timedelta

from actions.case_status import ActionCheckCaseStatus
from bot import clock
from tests.actions.cases_fixtures import AUTH, CaseService, case_service  # noqa: F401  (fixture)
from tests.actions.conftest import run_action, verified_tracker
from tests.actions.replies import reply_texts
from tests.actions.test_complaints import FILLED, submit


def ask(domain, client_id: str, text: str = "我的投诉处理到哪了", entities=None, slots=None):
    tracker = verified_tracker(client_id, text, "check_case_status", entities=entities, slots=slots)
    messages, _ = run_action(ActionCheckCaseStatus(), tracker, domain)
    return messages, reply_texts(domain, messages, tracker.current_slot_values())


def _file(domain, case_service: CaseService, client_id: str) -> dict:
    """Files a complaint through the actions; the case it made."""
    before = {case["case_id"] for case in case_service.cases_of(client_id)}
    submit(domain, client_id, FILLED)
    (made,) = [case for case in case_service.cases_of(client_id) if case["case_id"] not in before]
    return made


def test_the_open_case_with_its_status_due_date_and_days_left(domain, case_service):
    case = _file(domain, case_service, "C000001")
    _, (reply,) = ask(domain, "C000001")
    due = datetime.fromisoformat(case["due_at"]).astimezone(clock.BANK_TIME).date()
    days = (due - datetime.now(clock.BANK_TIME).date()).days
    assert f"工单 {case['case_id']}（收费/扣费）" in reply and "状态：已受理" in reply
    assert f"处理时限：{due.isoformat()}，还剩 {days} 天" in reply


def test_a_note_for_the_client_and_a_new_status_show(domain, case_service):
    case = _file(domain, case_service, "C000001")
    moved = case_service.http.post(f"/v1/cases/{case['case_id']}/transitions", headers=AUTH, json={
        "to_status": "under_review", "actor": "RM001", "note_for_client": "已调取扣费记录，正在核实"})
    assert moved.status_code == 200, moved.text
    _, (reply,) = ask(domain, "C000001", f"{case['case_id']}进度", [{"entity": "case_id", "value": case["case_id"]}])
    assert "状态：审核中" in reply and "最新进展：已调取扣费记录，正在核实" in reply


def test_another_clients_case_id_is_answered_as_if_it_did_not_exist(domain, case_service):
    others = _file(domain, case_service, "C000002")["case_id"]
    messages, (reply,) = ask(domain, "C000001", f"{others}进度", [{"entity": "case_id", "value": others}])
    _, (missing,) = ask(domain, "C000001", "CS-2026-999999进度", [{"entity": "case_id", "value": "CS-2026-999999"}])
    assert [message["response"] for message in messages] == ["utter_case_not_found"]
    assert reply == missing.replace("CS-2026-999999", others)
    assert "收费" not in reply


def test_no_open_cases(domain, case_service):
    messages, _ = ask(domain, "C000006")
    assert [message["response"] for message in messages] == ["utter_case_none_open"]


def test_a_complaint_still_in_the_outbox_is_shown_by_its_provisional_reference(domain, case_service):
    case_service.up = False
    _, _, (queued,) = submit(domain, "C000007", FILLED)
    reference = queued.split("临时编号 ")[1][:12]
    case_service.up = True
    _, (reply,) = ask(domain, "C000007")
    assert f"临时编号 {reference}（收费/扣费）" in reply and "正在正式立案" in reply
    _, (by_reference,) = ask(domain, "C000007", f"{reference.lower()}怎么样了")
    assert reference in by_reference
    messages, _ = ask(domain, "C000008", f"{reference}怎么样了")  # someone else's reference
    assert [message["response"] for message in messages] == ["utter_case_not_found"]


def test_with_the_service_down_what_the_outbox_knows_is_shown(domain, case_service):
    case_service.up = False
    submit(domain, "C000004", FILLED)
    messages, replies = ask(domain, "C000004")
    assert [message["response"] for message in messages] == ["utter_case_one", "utter_case_service_down"]
    assert "临时编号 TMP-" in replies[0] and "不会丢失" in replies[1]


def test_a_traditional_client_reads_traditional(domain, case_service):
    _file(domain, case_service, "C000003")
    _, (reply,) = ask(domain, "C000003", "我的投訴進度", slots={"script": "traditional"})
    assert "狀態：已受理" in reply and "處理時限" in reply


def test_a_service_that_refuses_the_bot_answers_like_one_that_is_down(domain, monkeypatch):
    import httpx

    import actions.case_status
    from bot.cases.client import CaseClient

    def refusing() -> CaseClient:
        unauthorised = httpx.MockTransport(lambda request: httpx.Response(401, json={"detail": "bad token"}))
        return CaseClient("http://cases.test", "x" * 40, attempts=1, transport=unauthorised)

    monkeypatch.setattr(actions.case_status, "case_client", refusing)
    messages, _ = ask(domain, "C000005")
    assert [message["response"] for message in messages][-1] == "utter_case_service_down"


def test_a_closed_case_asked_by_id_gets_no_open_heading(domain, case_service):
    first = _file(domain, case_service, "C000001")["case_id"]
    second = _file(domain, case_service, "C000001")["case_id"]
    for to_status in ("under_review", "resolved"):
        case_service.http.post(f"/v1/cases/{first}/transitions", headers=AUTH,
                               json={"to_status": to_status, "actor": "RM001"})
    entities = [{"entity": "case_id", "value": first}, {"entity": "case_id", "value": second}]
    messages, replies = ask(domain, "C000001", f"{first}和{second}怎么样了", entities)
    assert [message["response"] for message in messages] == ["utter_case_one", "utter_case_one"]
    assert "状态：已解决" in replies[0] and "处理时限" not in replies[0] and "状态：已受理" in replies[1]
