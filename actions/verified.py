"""The base of every action that reads a client's own data.

Who is asking comes only from the verified claims the app channel put in the
message metadata (``bot.identity.principal_from_metadata``), never from the
sender id or the text. Without them the client is told how to verify; an
advisor is pointed to the advisor services; a client reads only their own
data, checked by ``bot.access`` before any query runs.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.follow_up import Parameters, latest_intent, latest_text, query_parameters, remember
from bot.access import AccessDenied, check_client_access
from bot.identity import Principal, Role, principal_from_metadata, proof_expired
from bot.profile.queries import ClientSummary, StoreFacts, client_summary
from bot.profile.store import profile_session

__all__ = ["ClientRequest", "VerifiedClientAction", "verified_principal", "how_to_verify"]


def verified_principal(tracker: Tracker) -> Principal | None:
    """The verified principal of the latest message, or ``None``."""
    metadata = (tracker.latest_message or {}).get("metadata")
    return principal_from_metadata(metadata, input_channel=tracker.get_latest_input_channel())


def how_to_verify(tracker: Tracker) -> str:
    """The response for a message without a valid proof: log in again when the session
    ran out, otherwise how to verify."""
    metadata = (tracker.latest_message or {}).get("metadata")
    if proof_expired(metadata, input_channel=tracker.get_latest_input_channel()):
        return "utter_session_expired"
    return "utter_verify_first"


@dataclass(frozen=True)
class ClientRequest:
    """A verified client's request: who, what they asked for, the tracker and domain it came with.

    ``parameters``: entity type → values, from the message, or on a follow-up
    (``inform``) the last query's with the message's put over them.
    """

    client_id: str
    client: ClientSummary  # read once by the base class, for every action to use
    parameters: Parameters
    tracker: Tracker
    domain: Dict[Text, Any]

    def first(self, entity: str) -> Any:
        values = self.parameters.get(entity) or []
        return values[0] if values else None

    def keep(self, name: str, values: List[Any]) -> None:
        """Remember ``values`` with this query for a follow-up, beside the entities
        (what the action read from the text itself, such as 超过1000的支出)."""
        self.parameters[name] = list(values)

    @property
    def text(self) -> str:
        return latest_text(self.tracker)

    @property
    def intent(self) -> Optional[str]:
        return latest_intent(self.tracker)

    @property
    def slots(self) -> Dict[Text, Any]:
        return self.tracker.current_slot_values()


class VerifiedClientAction(Action, ABC):
    """Runs :meth:`answer` for a verified client on their own data, in one profile session,
    and remembers the query for follow-ups (``actions.follow_up``) unless ``follow_ups`` is off.
    ``answer`` is a coroutine: it may call services over HTTP."""

    follow_ups = True  # an ``inform`` after the answer re-runs it with the change (那港币呢)

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        principal = verified_principal(tracker)
        if principal is None:
            dispatcher.utter_message(response=how_to_verify(tracker))
            return []
        if principal.role is not Role.CLIENT:
            dispatcher.utter_message(response="utter_client_service_only")
            return []
        with profile_session() as session:
            try:
                check_client_access(principal, principal.subject_id, StoreFacts(session))
            except AccessDenied:
                dispatcher.utter_message(response="utter_verify_first")
                return []
            client = client_summary(session, principal.subject_id)
            if client is None:  # a token for no client of ours
                dispatcher.utter_message(response="utter_verify_first")
                return []
            parameters = query_parameters(tracker, self.name())
            request = ClientRequest(principal.subject_id, client, parameters, tracker, domain)
            events = await self.answer(request, session, dispatcher)
            return events + [remember(self.name(), parameters)] if self.follow_ups else events

    @abstractmethod
    async def answer(
        self, request: ClientRequest, session: Session, dispatcher: CollectingDispatcher
    ) -> List[Dict[Text, Any]]:
        """Reply to the verified client; return the events."""
