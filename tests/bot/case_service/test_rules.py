"""The pure rules: lifecycle moves, the statutory clock, priority."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.case_service.deadlines import ExtensionRefused, check_extension, days_left, due_at, is_due_within, is_overdue
from bot.case_service.lifecycle import ALLOWED_TRANSITIONS, STATUSES, InvalidTransition, check_transition, is_open
from bot.case_service.priority import priority_for
from bot.clock import BANK_TIME


def shanghai(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=BANK_TIME)


# --- the statutory clock --------------------------------------------------------------------


@pytest.mark.parametrize("accepted, days, due", [
    (shanghai(2026, 11, 24, 10, 30), 15, "2026-12-09"),
    (shanghai(2026, 1, 20, 9, 0), 15, "2026-02-04"),     # across a month end
    (shanghai(2026, 2, 20, 9, 0), 15, "2026-03-07"),     # February has 28 days in 2026
    (shanghai(2028, 2, 20, 9, 0), 15, "2028-03-06"),     # and 29 in 2028
    (shanghai(2026, 12, 20, 9, 0), 15, "2027-01-04"),    # across the year end
    (shanghai(2026, 12, 20, 9, 0), 30, "2027-01-19"),
    (shanghai(2026, 12, 20, 9, 0), 60, "2027-02-18"),
    (shanghai(2026, 1, 31, 23, 59), 30, "2026-03-02"),
])
def test_due_at_the_end_of_the_due_day_in_shanghai(accepted: datetime, days: int, due: str) -> None:
    assert due_at(accepted, days) == datetime.fromisoformat(f"{due}T23:59:59+08:00")


def test_the_acceptance_day_is_the_shanghai_day_not_the_utc_day() -> None:
    # 17:30 UTC on the 24th is 01:30 on the 25th in Shanghai
    accepted = datetime(2026, 11, 24, 17, 30, tzinfo=timezone.utc)
    assert due_at(accepted, 15).date().isoformat() == "2026-12-10"


def test_days_left_counts_calendar_days_and_turns_negative_once_overdue() -> None:
    due = due_at(shanghai(2026, 11, 24, 10), 15)
    assert days_left(due, shanghai(2026, 11, 24, 10)) == 15
    assert days_left(due, shanghai(2026, 12, 9, 23, 59)) == 0
    assert not is_overdue(due, shanghai(2026, 12, 9, 23, 59))
    assert is_overdue(due, shanghai(2026, 12, 10, 0, 0))
    assert days_left(due, shanghai(2026, 12, 12, 8)) == -3


def test_due_within_counts_today_and_excludes_overdue() -> None:
    due = due_at(shanghai(2026, 11, 24, 10), 15)  # 12-09 end of day
    assert is_due_within(due, shanghai(2026, 12, 6, 12), 3)
    assert not is_due_within(due, shanghai(2026, 12, 5, 12), 3)
    assert is_due_within(due, shanghai(2026, 12, 9, 12), 0)
    assert not is_due_within(due, shanghai(2026, 12, 10, 0, 1), 3)


@pytest.mark.parametrize("current, requested, reason, approved_by", [
    (15, 30, "needs the merchant's records", None),
    (15, 30, "needs the merchant's records", "RM009"),
    (30, 60, "needs the card scheme's arbitration", "MGR01"),
])
def test_allowed_extensions(current: int, requested: int, reason: str, approved_by: str) -> None:
    check_extension(current, requested, reason, "RM001", approved_by)


@pytest.mark.parametrize("current, requested, reason, approved_by, code", [
    (15, 45, "x", None, "not_a_limit"),
    (15, 90, "x", "MGR01", "not_a_limit"),
    (15, 15, "x", None, "not_a_limit"),
    (30, 30, "x", None, "not_longer"),
    (60, 30, "x", None, "not_longer"),
    (15, 60, "x", "MGR01", "needs_30_first"),
    (15, 30, "   ", None, "reason_required"),
    (30, 60, "x", None, "approval_required"),
    (30, 60, "x", "RM001", "approval_required"),  # approving one's own request
])
def test_refused_extensions(current: int, requested: int, reason: str, approved_by: str, code: str) -> None:
    with pytest.raises(ExtensionRefused) as refused:
        check_extension(current, requested, reason, "RM001", approved_by)
    assert refused.value.code == code


def test_due_at_refuses_naive_times() -> None:
    with pytest.raises(ValueError):
        due_at(datetime(2026, 11, 24, 10), 15)


# --- the lifecycle --------------------------------------------------------------------


def test_the_allowed_moves_are_forward_steps_and_review_straight_to_resolved() -> None:
    allowed = {(source, target) for source, targets in ALLOWED_TRANSITIONS.items() for target in targets}
    assert allowed == {
        ("submitted", "under_review"),
        ("under_review", "investigating"),
        ("under_review", "resolved"),
        ("investigating", "resolved"),
        ("resolved", "followed_up"),
    }


@pytest.mark.parametrize("source", STATUSES)
@pytest.mark.parametrize("target", STATUSES)
def test_check_transition_refuses_everything_else(source: str, target: str) -> None:
    if target in ALLOWED_TRANSITIONS[source]:
        check_transition(source, target)
    else:
        with pytest.raises(InvalidTransition):
            check_transition(source, target)


def test_a_case_is_open_until_resolved() -> None:
    assert [status for status in STATUSES if is_open(status)] == ["submitted", "under_review", "investigating"]


# --- priority ---------------------------------------------------------------------------


@pytest.mark.parametrize("tier, severity, priority", [
    ("金卡", "normal", "P3"),
    ("白金", "normal", "P2"),
    ("钻石", "normal", "P2"),
    ("私人银行", "normal", "P1"),
    ("金卡", "high", "P1"),
    ("白金", "high", "P1"),
])
def test_priority_from_tier_and_severity(tier: str, severity: str, priority: str) -> None:
    assert priority_for(tier, severity) == priority


@pytest.mark.parametrize("tier, severity", [("普通", "normal"), ("金卡", "urgent")])
def test_priority_refuses_unknown_values(tier: str, severity: str) -> None:
    with pytest.raises(ValueError):
        priority_for(tier, severity)
