"""Who may read whose data: every principal × client × duty state × handoff, against a table."""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Dict, FrozenSet, Optional, Set, Tuple

import pytest

import bot.access as access
from bot.access import AccessDenied, HandoffAssignment, ProfileFacts, Reason, check_client_access, decide
from bot.identity import Principal, Role

NOW = datetime(2026, 3, 16, 10, 0, tzinfo=timezone.utc)
LATER = NOW + timedelta(hours=8)

# the book: three RMs, RM001 and RM002 back each other up, RM003 has no backup
PRIMARY_RM = {"C000001": "RM001", "C000002": "RM002", "C000003": "RM003"}
BACKUP_RM = {"RM001": "RM002", "RM002": "RM001"}
CLIENTS = ("C000001", "C000002", "C000003", "C000404")  # C000404: no such client


@dataclass
class FakeFacts:
    off_duty: FrozenSet[str] = frozenset()
    asked_at: Set[datetime] = field(default_factory=set)

    def primary_rm_of(self, client_id: str) -> Optional[str]:
        return PRIMARY_RM.get(client_id)

    def backup_rm_of(self, rm_id: str) -> Optional[str]:
        return BACKUP_RM.get(rm_id)

    def is_on_duty(self, rm_id: str, at: datetime) -> bool:
        self.asked_at.add(at)
        return rm_id not in self.off_duty


def _who(role: Role, subject_id: str) -> Principal:
    return Principal(role, subject_id, LATER)


PRINCIPALS: Dict[str, Optional[Principal]] = {
    "nobody": None,
    "client:C000001": _who(Role.CLIENT, "C000001"),
    "client:C000002": _who(Role.CLIENT, "C000002"),
    "advisor:RM001": _who(Role.ADVISOR, "RM001"),
    "advisor:RM002": _who(Role.ADVISOR, "RM002"),
    "advisor:RM003": _who(Role.ADVISOR, "RM003"),
    "agent:A001": _who(Role.AGENT, "A001"),
    "agent:A002": _who(Role.AGENT, "A002"),
}
DUTY_STATES = {
    "all on duty": frozenset(),
    "RM001 off": frozenset({"RM001"}),
    "RM002 off": frozenset({"RM002"}),
    "all off": frozenset({"RM001", "RM002", "RM003"}),
}
HANDOFFS = {
    "no handoff": None,
    "C000001 handed to A001": HandoffAssignment("C000001", "A001"),
}

ALWAYS = {
    ("client:C000001", "C000001"),
    ("client:C000002", "C000002"),
    ("advisor:RM001", "C000001"),
    ("advisor:RM002", "C000002"),
    ("advisor:RM003", "C000003"),
}
# the only pairs allowed: written out, not derived from the rules
ALLOWED: Dict[Tuple[str, str], Set[Tuple[str, str]]] = {
    ("all on duty", "no handoff"): ALWAYS,
    ("RM001 off", "no handoff"): ALWAYS | {("advisor:RM002", "C000001")},
    ("RM002 off", "no handoff"): ALWAYS | {("advisor:RM001", "C000002")},
    ("all off", "no handoff"): ALWAYS | {("advisor:RM002", "C000001"), ("advisor:RM001", "C000002")},
}
for (duty, _), pairs in list(ALLOWED.items()):
    ALLOWED[(duty, "C000001 handed to A001")] = pairs | {("agent:A001", "C000001")}

CASES = list(itertools.product(PRINCIPALS, CLIENTS, DUTY_STATES, HANDOFFS))


def test_public_names_exist():
    for name in access.__all__:
        assert hasattr(access, name), name


def test_the_fake_satisfies_the_protocol():
    facts: ProfileFacts = FakeFacts()  # a type checker holds the fake to the protocol
    assert facts.primary_rm_of("C000001") == "RM001"


@pytest.mark.parametrize("who,client_id,duty,handoff", CASES)
def test_access_matches_the_table(who, client_id, duty, handoff):
    decision = decide(PRINCIPALS[who], client_id, FakeFacts(DUTY_STATES[duty]), handoff=HANDOFFS[handoff], now=NOW)
    assert decision.allowed == ((who, client_id) in ALLOWED[(duty, handoff)])


@pytest.mark.parametrize("principal,client_id,off_duty,handoff,reason", [
    (None, "C000001", set(), None, Reason.UNVERIFIED),
    (_who(Role.CLIENT, "C000001"), "C000001", set(), None, Reason.OWN_DATA),
    (_who(Role.CLIENT, "C000001"), "C000002", set(), None, Reason.OTHER_CLIENT),
    (_who(Role.CLIENT, "C000001"), "", set(), None, Reason.OTHER_CLIENT),
    # a handoff opens a client's data to the agent it is assigned to, to nobody else
    (_who(Role.CLIENT, "C000001"), "C000002", set(), HandoffAssignment("C000002", "C000001"), Reason.OTHER_CLIENT),
    (_who(Role.ADVISOR, "RM003"), "C000001", set(), HandoffAssignment("C000001", "RM003"), Reason.NOT_IN_BOOK),
    (_who(Role.ADVISOR, "RM001"), "C000001", {"RM001"}, None, Reason.ASSIGNED_CLIENT),
    (_who(Role.ADVISOR, "RM002"), "C000001", {"RM001"}, None, Reason.COVERING_FOR_PRIMARY),
    (_who(Role.ADVISOR, "RM002"), "C000001", set(), None, Reason.NOT_IN_BOOK),
    (_who(Role.ADVISOR, "RM001"), "C000003", {"RM003"}, None, Reason.NOT_IN_BOOK),  # RM003 has no backup
    (_who(Role.ADVISOR, "RM001"), "C000404", set(), None, Reason.NOT_IN_BOOK),
    (_who(Role.AGENT, "A001"), "C000001", set(), HandoffAssignment("C000001", "A001"), Reason.ASSIGNED_HANDOFF),
    (_who(Role.AGENT, "A001"), "C000002", set(), HandoffAssignment("C000001", "A001"), Reason.NO_ASSIGNED_HANDOFF),
    (_who(Role.AGENT, "A002"), "C000001", set(), HandoffAssignment("C000001", "A001"), Reason.NO_ASSIGNED_HANDOFF),
    (_who(Role.AGENT, "A001"), "C000001", set(), None, Reason.NO_ASSIGNED_HANDOFF),
])
def test_each_decision_names_its_rule(principal, client_id, off_duty, handoff, reason):
    assert decide(principal, client_id, FakeFacts(frozenset(off_duty)), handoff=handoff, now=NOW).reason is reason


@pytest.mark.parametrize("role,subject_id,client_id", [
    (Role.CLIENT, "C000001", "C000001"),
    (Role.ADVISOR, "RM001", "C000001"),
    (Role.AGENT, "A001", "C000001"),
])
def test_an_expired_principal_reads_nothing(role, subject_id, client_id):
    principal = Principal(role, subject_id, NOW)
    decision = decide(principal, client_id, FakeFacts(), handoff=HandoffAssignment("C000001", "A001"), now=NOW)
    assert decision.reason is Reason.EXPIRED and not decision.allowed


def test_duty_is_asked_for_the_time_of_the_decision():
    facts = FakeFacts(frozenset({"RM001"}))
    decide(_who(Role.ADVISOR, "RM002"), "C000001", facts, now=NOW)
    assert facts.asked_at == {NOW}


def test_check_raises_access_denied_with_the_reason():
    with pytest.raises(AccessDenied) as denied:
        check_client_access(_who(Role.CLIENT, "C000001"), "C000002", FakeFacts(), now=NOW)
    assert denied.value.reason is Reason.OTHER_CLIENT
    assert "C000002" not in str(denied.value)


def test_check_returns_the_principal_when_allowed():
    principal = _who(Role.ADVISOR, "RM002")
    assert check_client_access(principal, "C000001", FakeFacts(frozenset({"RM001"})), now=NOW) is principal
