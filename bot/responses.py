"""Choosing among a domain response's variants outside Rasa's own NLG.

Rasa picks variants by their ``condition`` when it utters a response; an
action that needs a response's *text* (a button title) calls
:func:`response_text` with the domain and the tracker's slots.
"""
from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional

__all__ = ["response_text"]


def _matches(variant: Mapping[str, Any], slots: Mapping[str, Any]) -> bool:
    for condition in variant.get("condition") or []:
        if condition.get("type") == "slot" and slots.get(condition.get("name")) != condition.get("value"):
            return False
    return True


def response_text(domain: Mapping[str, Any], name: str, slots: Mapping[str, Any]) -> Optional[str]:
    """The text of the first variant of ``name`` whose conditions hold;
    conditional variants win over the unconditional default."""
    variants: List[Dict[str, Any]] = list((domain.get("responses") or {}).get(name) or [])
    conditional = [v for v in variants if v.get("condition") and _matches(v, slots)]
    default = [v for v in variants if not v.get("condition")]
    for variant in conditional + default:
        if variant.get("text"):
            return str(variant["text"])
    return None
