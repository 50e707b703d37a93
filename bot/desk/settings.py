"""The desk server's settings, read from the environment once, by the entry point.

=====================  ===========================================================
DESK_PORT              8080 (the ``desk`` command's default port)
RASA_URL               http://127.0.0.1:5005
RASA_API_TOKEN         Rasa's ``--auth-token`` for its HTTP API; else ``var/rasa_api_token``
                       (made by scripts/run.sh); None when neither exists
APP_TOKEN_SECRET       as :func:`bot.identity.load_secret` reads it (else ``var/app_token_secret``)
REDIS_HOST/PORT/DB     the Redis of the live updates (:mod:`bot.handoff.live`)
PROFILE_DATABASE_URL   the profile store (handoffs, messages, CSAT)
CASE_SERVICE_URL/TOKEN the case service (the copilot's case list)
DEMO_LOGIN             on unless 0/false/no/off: ids with the demo passcode log in
DEMO_PASSCODE          the demo passcode, default ``premier-demo``
=====================  ===========================================================
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

from bot.handoff.webhook import WebhookConfig
from bot.identity.secret import DEV_SECRET_FILE

__all__ = ["DEFAULT_RASA_URL", "DEFAULT_DEMO_PASSCODE", "RASA_TOKEN_FILE", "DeskSettings"]

DEFAULT_PORT = 8080
DEFAULT_RASA_URL = "http://127.0.0.1:5005"
DEFAULT_DEMO_PASSCODE = "premier-demo"
RASA_TOKEN_FILE = DEV_SECRET_FILE.parent / "rasa_api_token"
_OFF = frozenset({"0", "false", "no", "off"})


def _rasa_api_token(environ: Mapping[str, str], token_file: Path) -> Optional[str]:
    configured = environ.get("RASA_API_TOKEN", "").strip()
    if configured:
        return configured
    try:
        return token_file.read_text("utf-8").strip() or None
    except OSError:
        return None


@dataclass(frozen=True)
class DeskSettings:
    """What the desk server needs that is not a connection object (those come in to ``create_app``)."""

    rasa_url: str = DEFAULT_RASA_URL
    rasa_api_token: Optional[str] = None
    demo_login: bool = True
    demo_passcode: str = DEFAULT_DEMO_PASSCODE
    port: int = DEFAULT_PORT
    live_namespace: str = ""  # prefix of the Redis pub/sub channels (tests)
    webhook: Optional[WebhookConfig] = None  # the contact-center webhook, told when a handoff ends

    def __repr__(self) -> str:  # no secrets in a log line or a traceback
        return (f"DeskSettings(rasa_url={self.rasa_url!r}, rasa_api_token={'set' if self.rasa_api_token else None}, "
                f"demo_login={self.demo_login}, port={self.port})")

    @classmethod
    def from_environment(cls, environ: Mapping[str, str], rasa_token_file: Path = RASA_TOKEN_FILE) -> "DeskSettings":
        port = environ.get("DESK_PORT", "").strip()
        return cls(
            rasa_url=(environ.get("RASA_URL", "").strip() or DEFAULT_RASA_URL).rstrip("/"),
            rasa_api_token=_rasa_api_token(environ, rasa_token_file),
            demo_login=environ.get("DEMO_LOGIN", "").strip().lower() not in _OFF,
            demo_passcode=environ.get("DEMO_PASSCODE", "").strip() or DEFAULT_DEMO_PASSCODE,
            port=int(port) if port else DEFAULT_PORT,
            webhook=WebhookConfig.from_environment(environ),
        )
