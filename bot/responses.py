"""Choosing among a domain response's variants outside Rasa's own NLG.

Rasa picks variants by their ``condition`` when it utters a response; an
action that needs a response's *text* (a button title, one line of a list)
calls :func:`response_text` or :func:`render` with the domain and the
tracker's slots. Values from data (product names, currency names, merchants)
are Simplified; :func:`in_script` writes them in the client's script.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, List, Mapping, Optional

import opencc

__all__ = ["response_text", "render", "in_script", "TRADITIONAL"]

TRADITIONAL = "traditional"


@lru_cache(maxsize=1)
def _s2t() -> "opencc.OpenCC":
    return opencc.OpenCC("s2tw")


def in_script(text: str, script: Optional[str]) -> str:
    """``text`` (Simplified) in the client's script."""
    return _s2t().convert(text) if script == TRADITIONAL else text


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


def render(domain: Mapping[str, Any], name: str, slots: Mapping[str, Any], **values: Any) -> str:
    """The response ``name`` in the client's script with ``{placeholders}`` filled.

    String values are converted to the client's script too, so a Simplified
    product name reads right in a Traditional line.
    """
    template = response_text(domain, name, slots)
    if template is None:
        raise KeyError(f"no response {name} in the domain")
    script = slots.get("script")
    return template.format(**{
        key: in_script(value, script) if isinstance(value, str) else value for key, value in values.items()
    })
