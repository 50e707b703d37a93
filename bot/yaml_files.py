"""Reading the kb/ settings and texts files (YAML) that must hold a mapping.

Kept out of ``bot/kb.py`` on purpose: that module is a model input (a change to it
retrains the NLU), and these files are read by services, not by the NLU.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Type

import yaml

__all__ = ["read_mapping"]


def read_mapping(path: Path, error: Type[Exception] = ValueError) -> Dict[str, Any]:
    """The mapping in the YAML file ``path``; ``error`` (named after the file) when it holds anything else."""
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(loaded, dict):
        raise error(f"{path.name} must hold a mapping")
    return loaded
