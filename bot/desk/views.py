"""The JSON the pages read: Message, HandoffState and QueueItem (the shapes of the design's API).

::

    Message      {"id", "from": client|bot|agent|system, "text", "buttons": [{"title", "payload"}],
                  "at", "sender_name"}
    HandoffState {"id", "status", "target_name", "reply_expected_by", "taken_by_name", "taken_by_role"}
    QueueItem    {"id", "conversation_id", "client_name", "client_id", "tier", "reason", "reason_label",
                  "urgent", "status", "target_kind", "target_name", "created_at", "reply_expected_by",
                  "seconds_left", "taken_by", "taken_by_name", "taken_by_role", "summary"}

Instants are ISO 8601 in bank time (+08:00). Stored messages have ids ``m<row id>``;
bot answers passed through without being stored ``r-<random>``. Texts are as
stored (masked by :func:`bot.handoff.store.add_message`) or as Rasa answered.
"""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any, Dict, Mapping, Optional

from sqlalchemy.orm import Session

from bot.clock import BANK_TIME
from bot.desk.directory import display_name
from bot.desk.rasa_client import BotMessage
from bot.handoff.store import HandoffRecord, MessageRecord

__all__ = ["iso", "value_of", "Names", "message_json", "bot_message_json", "handoff_state", "queue_item"]


def iso(moment: Optional[datetime]) -> Optional[str]:
    return moment.astimezone(BANK_TIME).isoformat() if moment is not None else None


def value_of(item: Any) -> Any:
    """The value of an Enum member, or the item itself."""
    return getattr(item, "value", item)


class Names:
    """Display names of the people of one unit of work, each looked up once."""

    def __init__(self, session: Session, agents: Mapping[str, str]) -> None:
        self._session = session
        self._agents = agents
        self._known: Dict[tuple, Optional[str]] = {}

    def of(self, role: Any, user_id: Optional[str]) -> Optional[str]:
        key = (value_of(role), user_id)
        if key not in self._known:
            self._known[key] = display_name(self._session, value_of(role), user_id, self._agents)
        return self._known[key]


def message_json(record: MessageRecord, bot_message: Optional[BotMessage] = None) -> Dict[str, Any]:
    """A stored message; a stored bot answer keeps its buttons."""
    buttons = ([{"title": button.title, "payload": button.payload} for button in bot_message.buttons]
               if bot_message is not None else
               [{"title": title, "payload": payload} for title, payload in record.buttons])
    return {"id": f"m{record.id}", "from": value_of(record.sender), "text": record.text, "buttons": buttons,
            "at": iso(record.at), "sender_name": record.sender_name}


def bot_message_json(message: BotMessage, at: datetime) -> Dict[str, Any]:
    """A bot answer passed straight to the page (the bot's own turn, not stored by the desk server)."""
    return {"id": f"r-{secrets.token_hex(8)}", "from": "bot", "text": message.text,
            "buttons": [{"title": button.title, "payload": button.payload} for button in message.buttons],
            "at": iso(at), "sender_name": None}


def handoff_state(record: HandoffRecord, names: Names) -> Dict[str, Any]:
    """What the client's page shows of a handoff."""
    return {
        "id": record.id,
        "status": value_of(record.status),
        "target_name": record.target_name,
        "reply_expected_by": iso(record.reply_expected_by),
        "taken_by_name": names.of(record.taken_by_role, record.taken_by),
        "taken_by_role": record.taken_by_role,
    }


def queue_item(record: HandoffRecord, now: datetime, names: Names, reason_labels: Mapping[str, str]) -> Dict[str, Any]:
    """A line of the desk's queue."""
    client = record.package.client
    reason = value_of(record.reason)
    return {
        "id": record.id,
        "conversation_id": record.conversation_id,
        "client_name": client.name if client is not None else None,
        "client_id": record.client_id,
        "tier": client.tier if client is not None else None,
        "reason": reason,
        "reason_label": reason_labels.get(reason, reason),
        "urgent": bool(record.urgent),
        "status": value_of(record.status),
        "target_kind": value_of(record.target_kind),
        "target_name": record.target_name,
        "created_at": iso(record.created_at),
        "reply_expected_by": iso(record.reply_expected_by),
        "seconds_left": int(record.time_left(now).total_seconds()),
        "taken_by": record.taken_by,
        "taken_by_name": names.of(record.taken_by_role, record.taken_by),
        "taken_by_role": record.taken_by_role,
        "summary": record.package.summary,
    }
