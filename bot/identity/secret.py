"""Where the token secret comes from: ``APP_TOKEN_SECRET``, else a dev secret in ``var/``.

The dev secret is created once, random, in ``var/app_token_secret`` (mode
0600; ``var/`` is git-ignored), so ``make run`` works without set-up and the
Rasa server, the action server and ``python -m bot token`` share it.

The case service's token (between the action server and the case service)
comes the same way: ``CASE_SERVICE_TOKEN``, else ``var/case_service_token``
(:func:`load_case_service_token`).
"""
from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path
from typing import Mapping

__all__ = [
    "SECRET_ENV",
    "DEV_SECRET_FILE",
    "CASE_SERVICE_TOKEN_ENV",
    "DEV_CASE_SERVICE_TOKEN_FILE",
    "MIN_SECRET_BYTES",
    "WeakSecret",
    "load_secret",
    "load_case_service_token",
]

SECRET_ENV = "APP_TOKEN_SECRET"
DEV_SECRET_FILE = Path(__file__).resolve().parents[2] / "var" / "app_token_secret"
CASE_SERVICE_TOKEN_ENV = "CASE_SERVICE_TOKEN"
DEV_CASE_SERVICE_TOKEN_FILE = DEV_SECRET_FILE.parent / "case_service_token"
MIN_SECRET_BYTES = 32  # RFC 7518 §3.2: an HS256 key at least as long as the hash


class WeakSecret(ValueError):
    """The configured secret is too short to sign tokens safely."""


def load_secret(environ: Mapping[str, str], dev_secret_file: Path = DEV_SECRET_FILE, *,
                env_name: str = SECRET_ENV) -> bytes:
    """The secret from ``environ[env_name]`` (``APP_TOKEN_SECRET``), else the dev secret file (created if absent)."""
    configured = environ.get(env_name, "").strip()
    if configured:
        secret = configured.encode("utf-8")
        if len(secret) < MIN_SECRET_BYTES:
            raise WeakSecret(f"{env_name} must be at least {MIN_SECRET_BYTES} bytes")
        return secret
    return _dev_secret(dev_secret_file)


def load_case_service_token(environ: Mapping[str, str],
                            dev_token_file: Path = DEV_CASE_SERVICE_TOKEN_FILE) -> str:
    """The case service's bearer token: ``CASE_SERVICE_TOKEN``, else ``var/case_service_token``."""
    return load_secret(environ, dev_token_file, env_name=CASE_SERVICE_TOKEN_ENV).decode("utf-8")


def _dev_secret(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # written aside, then linked into place: a second process starting at
        # the same moment either links first or reads the complete file
        descriptor, draft = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
        try:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_urlsafe(48) + "\n")
            try:
                os.link(draft, path)
            except FileExistsError:
                pass
        finally:
            os.unlink(draft)
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
    secret = path.read_text("utf-8").strip().encode("utf-8")
    if len(secret) < MIN_SECRET_BYTES:
        raise WeakSecret(f"{path} holds fewer than {MIN_SECRET_BYTES} bytes; delete it to make a new one")
    return secret
