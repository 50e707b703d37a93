"""Who the desk server's users are: the demo ids that may log in, and the names the pages show.

- clients: the ``clients`` table of the profile store (``C000001``);
- advisors (RMs): ``relationship_managers`` (``RM001``);
- contact-center agents: ``agents:`` in ``kb/desk.yml``
  (:attr:`bot.handoff.desk_texts.DeskTexts.agents`), passed in.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional, Tuple

from sqlalchemy.orm import Session

from bot.identity import Role
from bot.profile.models import Client, RelationshipManager

__all__ = ["role_of", "display_name"]


def role_of(session: Session, user_id: str, agents: Mapping[str, str]) -> Optional[Tuple[Role, str]]:
    """The role and name of a user id that may log in; None when nobody has it."""
    if user_id in agents:
        return Role.AGENT, agents[user_id]
    manager = session.get(RelationshipManager, user_id)
    if manager is not None:
        return Role.ADVISOR, manager.name
    client = session.get(Client, user_id)
    if client is not None:
        return Role.CLIENT, client.name
    return None


def display_name(session: Session, role: Any, user_id: Optional[str], agents: Mapping[str, str]) -> Optional[str]:
    """The name of ``user_id`` in ``role`` (a Role or its value); None when unknown."""
    if not user_id:
        return None
    role_value = getattr(role, "value", role)
    if role_value == Role.AGENT.value:
        return agents.get(user_id)
    if role_value == Role.ADVISOR.value:
        manager = session.get(RelationshipManager, user_id)
        return manager.name if manager is not None else None
    if role_value == Role.CLIENT.value:
        client = session.get(Client, user_id)
        return client.name if client is not None else None
    return None
