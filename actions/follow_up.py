"""Follow-up questions keep context: 那港币呢, 上个月的呢, 那张信用卡呢, 换成美元是多少.

Every data action remembers what it answered in the slot ``last_query``
(:func:`remember`: its name and the entities it used). A following ``inform``
runs ``action_follow_up``, which runs the same action again, in process (a
``FollowupAction`` event would leave the next prediction to the policies);
that action's :func:`query_parameters` then takes the remembered entities
with the new message's entities put over them, type by type.
"""
from __future__ import annotations

import inspect
from functools import lru_cache
from typing import Any, Dict, Iterator, List, Optional, Text, Type

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

__all__ = ["LAST_QUERY", "ActionFollowUp", "latest_entities", "latest_intent", "latest_text", "query_parameters",
           "remember"]

LAST_QUERY = "last_query"
Parameters = Dict[str, List[Any]]


def latest_text(tracker: Tracker) -> str:
    """What the client wrote last ('' when nothing)."""
    return str((tracker.latest_message or {}).get("text") or "")


def latest_intent(tracker: Tracker) -> Optional[str]:
    """The intent the NLU read in the latest message."""
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def latest_entities(tracker: Tracker) -> Parameters:
    """The entities of the latest message (not the remembered ones), type → values."""
    parameters: Parameters = {}
    for entity in (tracker.latest_message or {}).get("entities") or []:
        name, value = entity.get("entity"), entity.get("value")
        if name and value is not None and value not in parameters.setdefault(name, []):
            parameters[name].append(value)
    return parameters


def _last_query(tracker: Tracker) -> Optional[Dict[str, Any]]:
    remembered = tracker.get_slot(LAST_QUERY)
    return remembered if isinstance(remembered, dict) and remembered.get("action") else None


def query_parameters(tracker: Tracker, action_name: str) -> Parameters:
    """The entities this action should use: the new message's, over the remembered ones on a follow-up."""
    latest = latest_entities(tracker)
    remembered = _last_query(tracker)
    is_follow_up = latest_intent(tracker) == "inform"
    if not is_follow_up or remembered is None or remembered.get("action") != action_name:
        return latest
    merged: Parameters = {name: list(values) for name, values in (remembered.get("entities") or {}).items()}
    merged.update(latest)
    return merged


def remember(action_name: str, parameters: Parameters) -> Dict[Text, Any]:
    """The event that lets the next ``inform`` re-run ``action_name`` with changed parameters."""
    return SlotSet(LAST_QUERY, {"action": action_name, "entities": parameters})


def _subclasses(base: Type[Action]) -> Iterator[Type[Action]]:
    for subclass in base.__subclasses__():
        yield subclass
        yield from _subclasses(subclass)


@lru_cache(maxsize=None)
def _action_classes() -> Dict[str, Type[Action]]:
    """Every concrete action class by its name, built once rather than on every follow-up."""
    classes: Dict[str, Type[Action]] = {}
    for subclass in _subclasses(Action):
        if inspect.isabstract(subclass):
            continue
        try:
            classes.setdefault(subclass().name(), subclass)
        except (NotImplementedError, TypeError):  # SDK bases such as FormValidationAction
            continue
    return classes


def _action_named(name: str) -> Optional[Action]:
    found = _action_classes().get(name)
    if found is None:  # a module imported since the map was built
        _action_classes.cache_clear()
        found = _action_classes().get(name)
    return found() if found is not None else None


class ActionFollowUp(Action):
    """``inform`` after an answer: the same query again, with what the client changed."""

    def name(self) -> Text:
        return "action_follow_up"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        remembered = _last_query(tracker)
        action = _action_named(remembered["action"]) if remembered else None
        if action is None or action.name() == self.name():
            dispatcher.utter_message(response="utter_inform_without_context")
            return []
        return await action.run(dispatcher, tracker, domain)
