"""Adds the Traditional variant to every response of a domain file lacking one.

``python -m bot hant domain/responses.yml`` converts each Simplified text and
button title with OpenCC (``s2tw``: the character forms Taiwan and Hong Kong readers
expect, 為 not 爲) and appends it with the ``script: traditional`` condition; button
payloads stay as they are. Review the result: machine conversion is a first draft,
not the last word. Comments other than the file's opening ones are not kept.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import opencc
import yaml

TRADITIONAL_CONDITION = [{"type": "slot", "name": "script", "value": "traditional"}]


def _is_traditional(variant: Dict[str, Any]) -> bool:
    return variant.get("condition") == TRADITIONAL_CONDITION


def add_traditional_variants(path: Path) -> int:
    document = yaml.safe_load(path.read_text("utf-8"))
    converter = opencc.OpenCC("s2tw")
    added = 0
    responses: Dict[str, List[Dict[str, Any]]] = document.get("responses", {})
    for name, variants in responses.items():
        if any(_is_traditional(variant) for variant in variants):
            continue
        simplified = [variant for variant in variants if "condition" not in variant]
        for variant in simplified:
            converted = {**variant, "text": converter.convert(variant["text"])}
            if variant.get("buttons"):
                converted["buttons"] = [{**button, "title": converter.convert(button["title"])}
                                        for button in variant["buttons"]]
            converted["condition"] = TRADITIONAL_CONDITION
            variants.append(converted)
            added += 1
    lines = path.read_text("utf-8").splitlines(keepends=True)
    header = "".join(lines[:next((index for index, line in enumerate(lines) if not line.startswith("#")), 0)])
    body = yaml.dump(
        document, Dumper=_NoAliasDumper, allow_unicode=True, sort_keys=False, width=1000
    )
    path.write_text(header + body, "utf-8")
    return added


class _NoAliasDumper(yaml.SafeDumper):
    """Writes each condition in full instead of YAML anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        return True
