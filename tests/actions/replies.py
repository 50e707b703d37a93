"""What the client reads: a collected message filled in as Rasa fills a response."""
from __future__ import annotations

from typing import Any, Dict, List, Mapping

from bot.responses import response_text

# keys of a CollectingDispatcher message that are not template values
_MESSAGE_KEYS = frozenset({"text", "buttons", "elements", "custom", "template", "response", "image", "attachment"})


def reply_text(domain: Mapping[str, Any], message: Mapping[str, Any], slots: Mapping[str, Any]) -> str:
    """The message as the client reads it: its response's variant for ``slots`` with the values put in."""
    if message.get("text"):
        return str(message["text"])
    template = response_text(domain, message["response"], slots)
    assert template is not None, message["response"]
    values: Dict[str, Any] = {**slots, **{key: value for key, value in message.items() if key not in _MESSAGE_KEYS}}
    return template.format(**values)


def reply_texts(domain: Mapping[str, Any], messages: List[Mapping[str, Any]], slots: Mapping[str, Any]) -> List[str]:
    return [reply_text(domain, message, slots) for message in messages]
