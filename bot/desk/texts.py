"""What the desk server says to the pages (``{"detail": ...}``), from ``bot/desk/texts.yml``.

The file holds Simplified Chinese; a browser whose ``Accept-Language`` prefers
Traditional (zh-Hant, zh-TW, zh-HK, zh-MO) gets it converted
(:func:`bot.responses.in_script`). :class:`DeskError` carries a key of the file
and an HTTP status; the app renders it for the request's script.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Dict, Mapping, Optional

import yaml

from bot.responses import TRADITIONAL, in_script

__all__ = ["TEXTS_FILE", "SIMPLIFIED", "DeskError", "ServerTexts", "load_server_texts", "script_for"]

TEXTS_FILE = Path(__file__).with_name("texts.yml")
SIMPLIFIED = "simplified"
_TRADITIONAL_TAGS = ("zh-hant", "zh-tw", "zh-hk", "zh-mo")


class DeskError(Exception):
    """An answer other than 2xx: ``status`` and the key of its text in ``texts.yml``."""

    def __init__(self, status: int, key: str, headers: Optional[Mapping[str, str]] = None, **values: Any) -> None:
        super().__init__(f"HTTP {status}: {key}")
        self.status = status
        self.key = key
        self.headers = dict(headers or {})
        self.values = values


@dataclass(frozen=True)
class ServerTexts:
    texts: Mapping[str, str]

    def text(self, key: str, script: str = SIMPLIFIED, **values: Any) -> str:
        template = self.texts[key]
        return in_script(template.format(**values) if values else template, script)


@lru_cache(maxsize=2)
def load_server_texts(path: Path = TEXTS_FILE) -> ServerTexts:
    loaded = yaml.safe_load(path.read_text("utf-8"))
    if not isinstance(loaded, dict) or not all(isinstance(key, str) and isinstance(value, str)
                                               for key, value in loaded.items()):
        raise ValueError(f"{path.name} must map keys to texts")
    texts: Dict[str, str] = dict(loaded)
    return ServerTexts(MappingProxyType(texts))


def script_for(accept_language: Optional[str]) -> str:
    """``traditional`` when the first Chinese language the browser accepts is a Traditional one."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return TRADITIONAL if tag.startswith(_TRADITIONAL_TAGS) else SIMPLIFIED
    return SIMPLIFIED
