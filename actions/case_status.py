"""Where a client's complaints stand: by case id or provisional reference, or all open ones.

A client only ever sees their own cases: a case id of another client's case is
answered exactly like one that does not exist. Complaints still in the outbox
(the case service was down when they were made) are shown by their provisional
reference; when the service cannot be reached, what the outbox knows is shown.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any, Dict, List, Mapping, Optional, Sequence, Text

from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.complaints import case_client
from actions.verified import ClientRequest, VerifiedClientAction
from bot import clock
from bot.cases.client import CaseServiceFailure
from bot.cases.outbox import PROVISIONAL_PREFIX, OutboxEntry, entries_of, entry_by_reference
from bot.cases.types import Case
from bot.nlu.normalise import normalise
from bot.responses import render

__all__ = ["ActionCheckCaseStatus"]

_REFERENCE_RE = re.compile(re.escape(PROVISIONAL_PREFIX.lower()) + r"[0-9a-f]{8}")


def _references(text: str) -> List[str]:
    return [match.upper() for match in _REFERENCE_RE.findall(normalise(text).text.replace(" ", ""))]


def _category(domain: Mapping[str, Any], slots: Mapping[str, Any], category: str) -> str:
    return render(domain, f"utter_complaint_category_{category}", slots)


def _client_note(case: Case) -> Optional[str]:
    """The latest note on the case meant for the client."""
    return next((change.note_for_client for change in reversed(case.history) if change.note_for_client), None)


def _days_left(domain: Mapping[str, Any], slots: Mapping[str, Any], case: Case, now: datetime) -> str:
    days = case.days_left(now)
    if days < 0:
        return render(domain, "utter_case_overdue", slots)
    if days == 0:
        return render(domain, "utter_case_due_today", slots)
    return render(domain, "utter_case_days_left", slots, days=days)


def _case_block(domain: Mapping[str, Any], slots: Mapping[str, Any], case: Case, now: datetime) -> str:
    note = _client_note(case)
    values = {
        "case_id": case.case_id,
        "category": _category(domain, slots, case.category),
        "status": render(domain, f"utter_case_status_{case.status}", slots),
        "note": render(domain, "utter_case_note", slots, note=note) if note else "",
    }
    if not case.is_open:
        return render(domain, "utter_case_block_closed", slots, **values)
    return render(domain, "utter_case_block", slots, **values,
                  due_date=case.due_at.astimezone(clock.BANK_TIME).date().isoformat(),
                  days_left=_days_left(domain, slots, case, now))


def _pending_block(domain: Mapping[str, Any], slots: Mapping[str, Any], entry: OutboxEntry) -> str:
    return render(domain, "utter_case_pending_block", slots, reference=entry.provisional_ref,
                  category=_category(domain, slots, entry.new_case.category))


class ActionCheckCaseStatus(VerifiedClientAction):
    """The status, last client-visible note, due date and days left of the client's own cases."""

    def name(self) -> Text:
        return "action_check_case_status"

    async def answer(
        self, request: ClientRequest, session: Session, dispatcher: CollectingDispatcher
    ) -> List[Dict[Text, Any]]:
        domain, slots = request.domain, request.slots
        now = datetime.now(timezone.utc)
        case_ids = [str(value).upper() for value in request.parameters.get("case_id") or []]
        references = _references(request.text)
        pending = [entry for entry in entries_of(session, request.client_id) if not entry.delivered]
        try:
            async with case_client() as cases:
                if case_ids or references:
                    blocks = await self._named(request, session, dispatcher, cases, case_ids, references, now)
                else:
                    own = await cases.cases_of(request.client_id, open_only=True)
                    blocks = ([_pending_block(domain, slots, entry) for entry in pending]
                              + [_case_block(domain, slots, case, now) for case in own])
        except CaseServiceFailure:  # down, or an answer we cannot use: what the outbox knows
            for entry in pending:
                dispatcher.utter_message(response="utter_case_one", block=_pending_block(domain, slots, entry))
            dispatcher.utter_message(response="utter_case_service_down")
            return []
        if len(blocks) == 1 or (case_ids or references):  # named cases may be closed: no "open" heading
            for block in blocks:
                dispatcher.utter_message(response="utter_case_one", block=block)
        elif blocks:
            dispatcher.utter_message(response="utter_case_list", count=len(blocks), blocks="\n\n".join(blocks))
        elif not (case_ids or references):
            dispatcher.utter_message(response="utter_case_none_open")
        return []

    @staticmethod
    async def _named(
        request: ClientRequest, session: Session, dispatcher: CollectingDispatcher, cases: Any,
        case_ids: Sequence[str], references: Sequence[str], now: datetime,
    ) -> List[str]:
        domain, slots = request.domain, request.slots
        blocks = []
        for reference in references:
            entry = entry_by_reference(session, request.client_id, reference)
            if entry is None:
                dispatcher.utter_message(response="utter_case_not_found", case_id=reference)
            elif not entry.delivered:
                blocks.append(_pending_block(domain, slots, entry))
            elif entry.case_id not in case_ids:
                case_ids = [*case_ids, entry.case_id]
        for case_id in case_ids:
            case = await cases.get_case(case_id)
            if case is None or case.client_id != request.client_id:  # another client's: as if it did not exist
                dispatcher.utter_message(response="utter_case_not_found", case_id=case_id)
                continue
            blocks.append(_case_block(domain, slots, case, now))
        return blocks
