"""Creating, reading and listing cases over the API; idempotency, masking, bad input."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict

import pytest
from sqlalchemy import func, select

from bot.case_service.database import make_engine
from bot.case_service.models import CaseRecord, StatusChangeRecord

from .conftest import AUTH, Service, make_service, new_case_body, unique_client


def count_cases(service: Service) -> int:
    engine = make_engine(service.database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(CaseRecord)).scalar_one()
    finally:
        engine.dispose()


def test_create_accepts_the_complaint_with_id_due_date_priority_and_history(service: Service) -> None:
    response = service.create(client_id="C000007", tier="私人银行", severity="normal",
                              preferred_contact="工作日下午两点后")
    assert response.status_code == 201
    case = response.json()
    assert case["case_id"].startswith("CS-2026-")
    assert response.headers["location"] == f"/v1/cases/{case['case_id']}"
    assert case["status"] == "submitted" and case["is_open"] is True
    assert case["priority"] == "P1"  # 私人银行
    assert case["accepted_at"] == "2026-11-24T10:30:00+08:00"
    assert case["due_at"] == "2026-12-09T23:59:59+08:00"
    assert case["time_limit_days"] == 15
    assert case["amount_involved"] == "600.00" and case["currency"] == "CNY"
    assert case["preferred_contact"] == "工作日下午两点后"
    assert case["history"] == [{"from_status": None, "to_status": "submitted", "actor": "client",
                                "at": "2026-11-24T10:30:00+08:00", "note_for_client": None}]
    assert case["notices"] == [{"kind": "accepted", "at": "2026-11-24T10:30:00+08:00", "time_limit_days": 15,
                                "due_at": "2026-12-09T23:59:59+08:00", "text_for_client": None}]
    assert service.get(case["case_id"]).json() == case


def test_case_numbers_follow_each_other_within_the_year_and_restart_each_year(service: Service) -> None:
    first = service.created()["case_id"]
    second = service.created()["case_id"]
    assert int(second[-6:]) == int(first[-6:]) + 1
    service.clock.advance(days=40)  # 2027-01-03
    assert service.created()["case_id"] == "CS-2027-000001"


def test_the_year_is_the_shanghai_year(service: Service) -> None:
    from datetime import datetime, timezone

    service.clock.now = datetime(2027, 12, 31, 16, 30, tzinfo=timezone.utc)  # 00:30 on 1 January 2028
    assert service.created()["case_id"] == "CS-2028-000001"


def test_amount_and_contact_are_optional(service: Service) -> None:
    case = service.created(amount_involved=None, preferred_contact=...)
    assert case["amount_involved"] is None and case["preferred_contact"] is None
    assert service.created(amount_involved="12", currency="USD")["amount_involved"] == "12.00"


def test_the_same_key_twice_gives_the_same_case_once(service: Service) -> None:
    before = count_cases(service)
    first = service.create(key="retry-key-0001")
    again = service.create(key="retry-key-0001")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert count_cases(service) == before + 1


def test_a_replay_returns_the_case_as_it_stands_now(service: Service) -> None:
    case = service.create(key="retry-key-0002").json()
    assert service.move(case["case_id"], "under_review").status_code == 200
    again = service.create(key="retry-key-0002")
    assert again.status_code == 200 and again.json()["status"] == "under_review"


def test_the_same_key_with_a_different_body_is_refused(service: Service) -> None:
    service.create(key="retry-key-0003")
    before = count_cases(service)
    response = service.create(key="retry-key-0003", severity="high")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    assert count_cases(service) == before


def test_equivalent_bodies_count_as_the_same_request(service: Service) -> None:
    """Defaults spelled out and surrounding spaces are the same complaint."""
    first = service.create(key="retry-key-0004", description="扣了两次年费")
    again = service.create(key="retry-key-0004", description="  扣了两次年费\n", currency="CNY")
    assert again.status_code == 200 and again.json()["case_id"] == first.json()["case_id"]


@pytest.mark.parametrize("headers", [{}, {"Idempotency-Key": "short"}, {"Idempotency-Key": "x" * 129},
                                     {"Idempotency-Key": "has spaces in it"}])
def test_create_needs_a_proper_idempotency_key(service: Service, headers: Dict[str, str]) -> None:
    before = count_cases(service)
    response = service.http.post("/v1/cases", json=new_case_body(), headers={**AUTH, **headers})
    assert response.status_code in (400, 422)
    assert count_cases(service) == before


def test_card_and_phone_numbers_in_the_description_are_stored_masked(service: Service) -> None:
    case = service.created(description="我的卡6222 0212 3456 7890 123被扣了年费，请打13812345678联系我",
                           preferred_contact="打13812345678")
    stored = service.get(case["case_id"]).json()
    for text in (case["description"], stored["description"]):
        assert "6222 0212 3456 7890 123" not in text and "尾号0123" in text
        assert "13812345678" not in text and "138****5678" in text
    assert stored["preferred_contact"] == "打138****5678"
    engine = make_engine(service.database_url)
    with engine.connect() as connection:
        raw = connection.execute(select(CaseRecord.description).where(CaseRecord.case_id == case["case_id"]))
        assert "7890" not in raw.scalar_one()
    engine.dispose()


def test_get_unknown_or_malformed_case_is_404(service: Service) -> None:
    assert service.get("CS-2026-999999").status_code == 404
    assert service.get("CS-2026-000001' OR '1'='1").status_code == 404
    assert service.get("nonsense").json() == {"detail": "no such case"}


def test_list_by_client_newest_first_and_open_only(service: Service) -> None:
    client = unique_client()
    first = service.created(client_id=client)["case_id"]
    service.clock.advance(hours=1)
    second = service.created(client_id=client)["case_id"]
    service.created(client_id=unique_client())  # someone else's
    service.move(first, "under_review")
    service.move(first, "resolved", note="已退还多扣的年费")

    listed = service.http.get("/v1/cases", params={"client_id": client}, headers=AUTH)
    assert [case["case_id"] for case in listed.json()["cases"]] == [second, first]
    open_only = service.http.get("/v1/cases", params={"client_id": client, "open_only": "true"}, headers=AUTH)
    assert [case["case_id"] for case in open_only.json()["cases"]] == [second]


def test_list_by_assignee(service: Service) -> None:
    mine = service.created(assigned_to="complaints_team_list")["case_id"]
    service.created(assigned_to="RM024")
    listed = service.http.get("/v1/cases", params={"assigned_to": "complaints_team_list"}, headers=AUTH)
    assert [case["case_id"] for case in listed.json()["cases"]] == [mine]


def test_list_needs_a_filter(service: Service) -> None:
    response = service.http.get("/v1/cases", params={"open_only": "true"}, headers=AUTH)
    assert response.status_code == 422


def test_health_needs_no_token(service: Service) -> None:
    assert service.http.get("/health").json() == {"status": "ok"}


# --- bad input: a 4xx JSON answer, nothing stored ----------------------------------------------

BAD_BODIES: Dict[str, Any] = {
    "unknown field": new_case_body(account_number="6222021234567890123"),
    "emoji-only description": new_case_body(description="😡😡😡"),
    "blank description": new_case_body(description="   \n "),
    "description too long": new_case_body(description="扣" * 2001),
    "control characters": new_case_body(description="扣费\x00\x1b[31m"),
    "unknown category": new_case_body(category="robbery"),
    "unknown tier": new_case_body(tier="普通"),
    "channel as a number": new_case_body(channel=3),
    "client id as a number": new_case_body(client_id=1),
    "injection in client id": new_case_body(client_id="C1'; DROP TABLE cases; --"),
    "negative amount": new_case_body(amount_involved="-5"),
    "amount as a float": new_case_body(amount_involved=600.5),
    "amount with three decimals": new_case_body(amount_involved="1.005"),
    "amount in words": new_case_body(amount_involved="六百"),
    "lower-case currency": new_case_body(currency="cny"),
    "contact too long": new_case_body(preferred_contact="下午" * 51),
    "contact over two lines": new_case_body(preferred_contact="下午\n晚上"),
    "missing description": {key: value for key, value in new_case_body().items() if key != "description"},
    "a list": [new_case_body()],
    "null": None,
}


@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_bad_bodies_are_refused_and_nothing_is_stored(service: Service, body: Any) -> None:
    before = count_cases(service)
    response = service.http.post("/v1/cases", json=body, headers={**AUTH, "Idempotency-Key": "bad-body-key-1"})
    assert response.status_code == 422
    assert "detail" in response.json()
    assert count_cases(service) == before


@pytest.mark.parametrize("content, content_type", [
    (b"{junk", "application/json"),
    (b"\xff\xfe\x00garbage", "application/json"),
    (b'{"client_id": "C000001",', "application/json"),
    (b"client_id=C000001", "application/x-www-form-urlencoded"),
    (b"", "application/json"),
])
def test_junk_bodies_are_refused(service: Service, content: bytes, content_type: str) -> None:
    before = count_cases(service)
    response = service.http.post("/v1/cases", content=content,
                                 headers={**AUTH, "Idempotency-Key": "junk-body-key", "Content-Type": content_type})
    assert 400 <= response.status_code < 500
    assert isinstance(response.json(), dict)
    assert count_cases(service) == before


def test_huge_bodies_are_refused_before_they_are_read(service: Service) -> None:
    before = count_cases(service)
    huge = new_case_body(description="扣" * 40_000)
    response = service.http.post("/v1/cases", json=huge, headers={**AUTH, "Idempotency-Key": "huge-body-key"})
    assert response.status_code == 413 and response.json() == {"detail": "request body too large"}

    def chunks():  # no Content-Length: streamed
        for _ in range(100):
            yield b"x" * 1024

    streamed = service.http.post("/v1/cases", content=chunks(),
                                 headers={**AUTH, "Idempotency-Key": "huge-body-key", "Content-Type": "application/json"})
    assert streamed.status_code == 413
    assert count_cases(service) == before


def test_injection_strings_in_text_are_stored_as_text(service: Service) -> None:
    text = "'); DROP TABLE cases; -- <script>alert(1)</script> {{7*7}} ${jndi:ldap://x}"
    case = service.created(description=text)
    assert service.get(case["case_id"]).json()["description"] == text
    assert count_cases(service) > 0


def test_history_rows_belong_to_their_case(service: Service) -> None:
    case = service.created()
    engine = make_engine(service.database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            select(StatusChangeRecord.to_status).where(StatusChangeRecord.case_id == case["case_id"])).all()
    engine.dispose()
    assert [row.to_status for row in rows] == ["submitted"]


def test_unknown_query_parameters_are_refused_not_ignored(service: Service) -> None:
    client = unique_client()
    case_id = service.created(client_id=client)["case_id"]
    service.move(case_id, "under_review")
    service.move(case_id, "resolved")
    misspelt = service.http.get("/v1/cases", params={"client_id": client, "open-only": "true"}, headers=AUTH)
    assert misspelt.status_code == 422 and misspelt.json()["detail"][0]["loc"] == ["query", "open-only"]
    assert service.http.get("/v1/cases", params={"client_id": client, "x": "1"}).status_code == 401  # token first


def test_an_unavailable_database_is_503_to_retry_not_500(tmp_path: Path) -> None:
    broken = make_service(tmp_path)
    (tmp_path / "cases.db").unlink()
    (tmp_path / "cases.db").mkdir()  # the database file cannot be opened any more
    for response in (broken.http.get("/health"), broken.create(), broken.get("CS-2026-000001")):
        assert response.status_code == 503
        assert response.headers["retry-after"] == "1"
        assert response.json() == {"detail": "the case database is unavailable; try again"}
