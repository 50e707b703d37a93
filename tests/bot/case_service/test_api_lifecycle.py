"""Every allowed and every refused status move over the API, and the statutory clock."""
from __future__ import annotations

from typing import Dict, List

import pytest

from bot.case_service.lifecycle import ALLOWED_TRANSITIONS, STATUSES

from .conftest import AUTH, Service, unique_client

# the shortest way from submitted to each status
PATH_TO: Dict[str, List[str]] = {
    "submitted": [],
    "under_review": ["under_review"],
    "investigating": ["under_review", "investigating"],
    "resolved": ["under_review", "resolved"],
    "followed_up": ["under_review", "resolved", "followed_up"],
}


def case_in(service: Service, status: str) -> str:
    case_id = service.created(client_id=unique_client())["case_id"]
    for step in PATH_TO[status]:
        assert service.move(case_id, step).status_code == 200
    return case_id


@pytest.mark.parametrize("source, target", [(source, target) for source in STATUSES
                                            for target in ALLOWED_TRANSITIONS[source]])
def test_allowed_move_records_who_when_and_the_note(service: Service, source: str, target: str) -> None:
    case_id = case_in(service, source)
    service.clock.advance(days=2)
    response = service.move(case_id, target, actor="RM003", note="已联系商户核实")
    assert response.status_code == 200
    case = response.json()
    assert case["status"] == target
    assert case["history"][-1] == {"from_status": source, "to_status": target, "actor": "RM003",
                                   "at": "2026-11-26T10:30:00+08:00", "note_for_client": "已联系商户核实"}
    assert service.get(case_id).json() == case


@pytest.mark.parametrize("source, target", [(source, target) for source in STATUSES for target in STATUSES
                                            if target not in ALLOWED_TRANSITIONS[source]])
def test_refused_move_is_409_and_changes_nothing(service: Service, source: str, target: str) -> None:
    case_id = case_in(service, source)
    before = service.get(case_id).json()
    response = service.move(case_id, target)
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert detail["code"] == "invalid_transition" and detail["status"] == source
    assert detail["allowed"] == list(ALLOWED_TRANSITIONS[source])
    assert service.get(case_id).json() == before


def test_the_full_path_and_what_the_client_is_told(service: Service) -> None:
    case_id = case_in(service, "submitted")
    service.move(case_id, "under_review", actor="RM001")
    service.move(case_id, "investigating", actor="complaints_team", note="我们正在向发卡组织调取交易记录")
    service.move(case_id, "resolved", actor="complaints_team", note="多扣的600元已退回您尾号1234的卡")
    case = service.move(case_id, "followed_up", actor="RM001").json()
    assert [(step["from_status"], step["to_status"]) for step in case["history"]] == [
        (None, "submitted"), ("submitted", "under_review"), ("under_review", "investigating"),
        ("investigating", "resolved"), ("resolved", "followed_up")]
    assert case["is_open"] is False
    assert [notice["kind"] for notice in case["notices"]] == ["accepted", "resolved"]
    assert case["notices"][-1]["text_for_client"] == "多扣的600元已退回您尾号1234的卡"


def test_notes_are_masked(service: Service) -> None:
    case_id = case_in(service, "submitted")
    case = service.move(case_id, "under_review", note="已退回卡号6222021234567890123").json()
    assert case["history"][-1]["note_for_client"] == "已退回卡号尾号0123"


@pytest.mark.parametrize("body", [
    {"to_status": "closed", "actor": "RM001"},
    {"to_status": "under_review"},
    {"to_status": "under_review", "actor": ""},
    {"to_status": "under_review", "actor": "RM001", "note_for_client": "🙂"},
    {"to_status": "under_review", "actor": "RM001", "extra": 1},
])
def test_bad_transition_bodies_are_422(service: Service, body: dict) -> None:
    case_id = case_in(service, "submitted")
    response = service.http.post(f"/v1/cases/{case_id}/transitions", json=body, headers=AUTH)
    assert response.status_code == 422
    assert service.get(case_id).json()["status"] == "submitted"


def test_moving_an_unknown_case_is_404(service: Service) -> None:
    assert service.move("CS-2026-999999", "under_review").status_code == 404


# --- the statutory clock -------------------------------------------------------------------


def test_extension_to_30_then_60_days_with_reason_approval_and_notices(service: Service) -> None:
    case_id = case_in(service, "investigating")
    service.clock.advance(days=10)
    thirty = service.extend(case_id, 30, note_for_client="需向发卡组织调单，处理期限延长至30日")
    assert thirty.status_code == 200
    case = thirty.json()
    assert case["time_limit_days"] == 30 and case["due_at"] == "2026-12-24T23:59:59+08:00"
    assert case["notices"][-1] == {"kind": "extended", "at": "2026-12-04T10:30:00+08:00", "time_limit_days": 30,
                                   "due_at": "2026-12-24T23:59:59+08:00",
                                   "text_for_client": "需向发卡组织调单，处理期限延长至30日"}
    service.clock.advance(days=15)
    sixty = service.extend(case_id, 60, reason="cross-border arbitration", approved_by="MGR01")
    assert sixty.status_code == 200
    case = sixty.json()
    assert case["time_limit_days"] == 60 and case["due_at"] == "2027-01-23T23:59:59+08:00"
    assert [notice["kind"] for notice in case["notices"]] == ["accepted", "extended", "extended"]
    assert [(item["from_days"], item["to_days"], item["approved_by"]) for item in case["extensions"]] == [
        (15, 30, None), (30, 60, "MGR01")]
    assert service.extend(case_id, 60, approved_by="MGR01").status_code == 409  # never beyond 60


@pytest.mark.parametrize("fields", [{"reason": ""}, {"reason": "   "}, {"reason": ...}])
def test_an_extension_needs_a_reason(service: Service, fields: dict) -> None:
    case_id = case_in(service, "under_review")
    body = {"time_limit_days": 30, "actor": "RM001", **{k: v for k, v in fields.items() if v is not ...}}
    response = service.http.post(f"/v1/cases/{case_id}/extensions", json=body, headers=AUTH)
    assert response.status_code == 422
    assert service.get(case_id).json()["time_limit_days"] == 15


@pytest.mark.parametrize("approved_by", [None, "RM001"])
def test_sixty_days_need_an_approver_other_than_the_requester(service: Service, approved_by: str) -> None:
    case_id = case_in(service, "investigating")
    assert service.extend(case_id, 30).status_code == 200
    fields = {"approved_by": approved_by} if approved_by else {}
    assert service.extend(case_id, 60, **fields).status_code == 422
    assert service.get(case_id).json()["time_limit_days"] == 30


@pytest.mark.parametrize("days", [15, 45, 90, "30"])
def test_only_30_or_60_days(service: Service, days: object) -> None:
    case_id = case_in(service, "submitted")
    assert service.extend(case_id, days, approved_by="MGR01").status_code == 422


def test_sixty_days_only_after_thirty(service: Service) -> None:
    case_id = case_in(service, "submitted")
    response = service.extend(case_id, 60, approved_by="MGR01")
    assert response.status_code == 409 and response.json()["detail"]["code"] == "needs_30_first"


def test_extending_twice_to_thirty_is_409(service: Service) -> None:
    case_id = case_in(service, "submitted")
    assert service.extend(case_id, 30).status_code == 200
    response = service.extend(case_id, 30)
    assert response.status_code == 409 and response.json()["detail"]["code"] == "not_longer"
    assert len(service.get(case_id).json()["notices"]) == 2


@pytest.mark.parametrize("status", ["resolved", "followed_up"])
def test_extending_a_resolved_or_closed_case_is_409(service: Service, status: str) -> None:
    case_id = case_in(service, status)
    response = service.extend(case_id, 30)
    assert response.status_code == 409 and response.json()["detail"]["code"] == "case_closed"
    assert service.get(case_id).json()["time_limit_days"] == 15


def test_extending_an_unknown_case_is_404(service: Service) -> None:
    assert service.extend("CS-2026-999999", 30).status_code == 404


def test_overdue_and_due_soon_lists_open_cases_only(service: Service) -> None:
    team = f"due_team_{unique_client()}"

    def due(within_days: int) -> Dict[str, List[str]]:
        answer = service.http.get("/v1/cases/due", params={"within_days": within_days, "assigned_to": team},
                                  headers=AUTH).json()
        return {key: [case["case_id"] for case in answer[key]] for key in ("overdue", "due_soon")}

    service.clock.now = service.clock.now.replace(month=10, day=30)   # accepted 10-30: due 11-14
    early = service.created(assigned_to=team)["case_id"]
    service.clock.now = service.clock.now.replace(month=11, day=1)    # due 11-16
    resolved = service.created(assigned_to=team)["case_id"]
    service.move(resolved, "under_review")
    service.move(resolved, "resolved")
    service.clock.now = service.clock.now.replace(month=11, day=2)    # due 11-17, then extended to 12-02
    extended = service.created(assigned_to=team)["case_id"]
    service.extend(extended, 30)
    service.clock.now = service.clock.now.replace(month=11, day=12)   # due 11-27
    soon = service.created(assigned_to=team)["case_id"]
    service.clock.now = service.clock.now.replace(month=11, day=24)   # due 12-09
    later = service.created(assigned_to=team)["case_id"]

    assert due(3) == {"overdue": [early], "due_soon": [soon]}
    assert due(8) == {"overdue": [early], "due_soon": [soon, extended]}
    assert due(15) == {"overdue": [early], "due_soon": [soon, extended, later]}
    service.clock.now = service.clock.now.replace(day=27, hour=23, minute=59)
    assert due(0) == {"overdue": [early], "due_soon": [soon]}   # due today, not yet overdue
    service.clock.advance(minutes=1)                               # midnight: 11-28
    assert due(0) == {"overdue": [early, soon], "due_soon": []}


@pytest.mark.parametrize("params", [{"within_days": -1}, {"within_days": 61}, {"within_days": "soon"},
                                    {"assigned_to": "x y"}])
def test_due_list_refuses_bad_parameters(service: Service, params: dict) -> None:
    assert service.http.get("/v1/cases/due", params=params, headers=AUTH).status_code == 422
