"""Writes the NLU lookup tables generated from ``kb/`` (``data/nlu/lookups.yml``).

Values are normalised like messages are, because the RegexFeaturizer matches
them against the normalised text. ``tests/test_kb_generated.py`` fails when the
file is out of date with ``kb/``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List

from bot.kb import KnowledgeBase
from bot.nlu.segmenter import words_by_label

LOOKUPS_FILE = Path(__file__).resolve().parents[2] / "data" / "nlu" / "lookups.yml"
HEADER = "# Generated from kb/ by `python -m bot kb-sync`; do not edit by hand.\n"


def render_lookups(kb: KnowledgeBase) -> str:
    tables: Dict[str, List[str]] = {
        label: sorted(surfaces) for label, surfaces in words_by_label(kb).items()
    }
    lines = [HEADER, 'version: "3.1"', "nlu:"]
    for label, values in tables.items():
        lines.append(f"- lookup: {label}")
        lines.append("  examples: |")
        lines.extend(f"    - {value}" for value in values)
    return "\n".join(lines) + "\n"


def write_lookups(kb: KnowledgeBase, path: Path = LOOKUPS_FILE) -> bool:
    """Writes the file; returns True if its content changed."""
    content = render_lookups(kb)
    if path.exists() and path.read_text("utf-8") == content:
        return False
    path.write_text(content, "utf-8")
    return True
