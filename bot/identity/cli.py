"""``python -m bot token --client C000123`` (or ``--advisor RM001``, ``--agent A001``): a demo token."""
from __future__ import annotations

import argparse
from datetime import timedelta
from typing import Mapping

from bot.identity.principal import Role
from bot.identity.secret import load_secret
from bot.identity.tokens import DEFAULT_LIFETIME, issue_token

__all__ = ["add_token_arguments", "token_from_arguments"]


def add_token_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``token`` command's options: exactly one of --client/--advisor/--agent, and --hours."""
    subject = parser.add_mutually_exclusive_group(required=True)
    for role in Role:
        subject.add_argument(f"--{role.value}", metavar="ID", help=f"a token for the {role.value} with this id")
    parser.add_argument(
        "--hours", type=float, default=DEFAULT_LIFETIME.total_seconds() / 3600,
        help="how long the token is valid (default %(default)g)",
    )


def token_from_arguments(args: argparse.Namespace, environ: Mapping[str, str]) -> str:
    """The signed token the parsed ``token`` command asks for."""
    role = next(role for role in Role if getattr(args, role.value, None))
    if args.hours <= 0:
        raise SystemExit("--hours must be positive")
    try:
        return issue_token(role, getattr(args, role.value), load_secret(environ),
                           lifetime=timedelta(hours=args.hours))
    except ValueError as error:  # a subject id with other characters, a weak APP_TOKEN_SECRET
        raise SystemExit(str(error)) from error
