"""A case's priority from the client's tier and the complaint's severity (pure).

The rule, first match wins:

- **P1**: high severity (regulator threat, strong wording, possible fraud), or
  a 私人银行 client;
- **P2**: a 钻石 or 白金 client;
- **P3**: everyone else (金卡).
"""
from __future__ import annotations

from typing import Tuple

from bot.cases.types import SEVERITIES, TIERS

__all__ = ["PRIORITIES", "SEVERITIES", "TIERS", "priority_for"]

PRIORITIES: Tuple[str, ...] = ("P1", "P2", "P3")


def priority_for(tier: str, severity: str) -> str:
    """``P1``, ``P2`` or ``P3`` by the rule above; unknown tiers or severities raise ValueError."""
    if tier not in TIERS:
        raise ValueError(f"unknown tier {tier!r}")
    if severity not in SEVERITIES:
        raise ValueError(f"unknown severity {severity!r}")
    if severity == "high" or tier == "私人银行":
        return "P1"
    if tier in ("钻石", "白金"):
        return "P2"
    return "P3"
