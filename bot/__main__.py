"""Command line of the bot package: ``python -m bot <command>``.

Commands:
  kb-sync            regenerate data/nlu/lookups.yml from kb/
  train [--force]    train the model if its inputs changed; link models/current.tar.gz
  fingerprint        print the fingerprint of the model's inputs
  hant FILE…         add missing Traditional variants to domain response files
  profile-init [--reseed] [--today YYYY-MM-DD]
                     migrate the profile store to head; seed the demo bank if empty or stale
                     (URL: $PROFILE_DATABASE_URL; demo day: $PROFILE_SEED_TODAY, default 2026-11-24)
  demo-clients       print the demo clients as JSON (id, name, tier, risk tolerance, RM id)
  token (--client ID | --advisor ID | --agent ID) [--hours H]
                     print a signed app token for the app channel (secret: $APP_TOKEN_SECRET
                     or var/app_token_secret)
  case-service [--host 127.0.0.1] [--port 8090]
                     migrate the case database to head and serve the case service with uvicorn
                     (URL: $CASE_DATABASE_URL, default var/cases.db; token: $CASE_SERVICE_TOKEN
                     or var/case_service_token)
  desk [--host 127.0.0.1] [--port $DESK_PORT or 8080]
                     serve the client's web chat (/) and the advisor desk (/desk) with uvicorn
                     (Rasa: $RASA_URL, $RASA_API_TOKEN or var/rasa_api_token; Redis: $REDIS_*;
                     demo login: $DEMO_LOGIN, $DEMO_PASSCODE)
  outbox-sender [--once] [--interval S]
                     deliver the complaints waiting in the profile store's outbox to the case
                     service, and the handoff events to the contact-center webhook when
                     $CONTACT_CENTER_WEBHOOK_URL is set (with $CONTACT_CENTER_WEBHOOK_SECRET),
                     every S seconds (default 2), until stopped
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from datetime import date
from pathlib import Path
from typing import List, Optional


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("kb-sync")
    train = commands.add_parser("train")
    train.add_argument("--force", action="store_true")
    commands.add_parser("fingerprint")
    hant = commands.add_parser("hant")
    hant.add_argument("files", nargs="+", type=Path)
    profile_init = commands.add_parser("profile-init")
    profile_init.add_argument("--reseed", action="store_true")
    profile_init.add_argument("--today", help="last day of the demo data (default $PROFILE_SEED_TODAY)")
    commands.add_parser("demo-clients")
    from bot.identity.cli import add_token_arguments

    add_token_arguments(commands.add_parser("token"))
    case_service = commands.add_parser("case-service")
    case_service.add_argument("--host", default="127.0.0.1")
    case_service.add_argument("--port", type=int, default=8090)
    desk = commands.add_parser("desk")
    desk.add_argument("--host", default="127.0.0.1")
    desk.add_argument("--port", type=int, default=int(os.environ.get("DESK_PORT") or 8080))
    outbox_sender = commands.add_parser("outbox-sender")
    outbox_sender.add_argument("--once", action="store_true")
    outbox_sender.add_argument("--interval", type=float, default=2.0)
    args = parser.parse_args(argv)

    if args.command == "kb-sync":
        from bot.kb import load_kb
        from bot.tools.lookups import LOOKUPS_FILE, write_lookups

        changed = write_lookups(load_kb())
        print(f"{LOOKUPS_FILE.name}: {'updated' if changed else 'up to date'}")
    elif args.command == "train":
        from bot.tools.training import train_if_needed

        train_if_needed(force=args.force)
    elif args.command == "fingerprint":
        from bot.tools.training import fingerprint

        print(fingerprint())
    elif args.command == "hant":
        from bot.tools.hant import add_traditional_variants

        for path in args.files:
            print(f"{path}: {add_traditional_variants(path)} Traditional variants added")
    elif args.command in ("profile-init", "demo-clients"):
        from bot.profile.database import database_url, make_engine, make_session_factory, upgrade_to_head
        from bot.profile.seed import SeedConfig, demo_clients, ensure_demo_bank

        engine = make_engine(database_url())
        migrated = upgrade_to_head(engine)
        today = getattr(args, "today", None) or os.environ.get("PROFILE_SEED_TODAY") or None
        config = SeedConfig(today=date.fromisoformat(today)) if today else SeedConfig()
        with make_session_factory(engine)() as session:
            status = ensure_demo_bank(session, config, force=getattr(args, "reseed", False))
            if args.command == "demo-clients":
                print(json.dumps(demo_clients(session), ensure_ascii=False, indent=2))
        schema = "migrated" if migrated else "schema up to date"
        print(f"profile store ({engine.dialect.name}): {schema}; demo bank {status}",
              file=sys.stderr if args.command == "demo-clients" else sys.stdout)
    elif args.command == "token":
        from bot.identity.cli import token_from_arguments

        print(token_from_arguments(args, os.environ))
    elif args.command == "case-service":
        from bot.case_service.serve import serve

        serve(args.host, args.port)
    elif args.command == "desk":
        from bot.desk.serve import serve as serve_desk

        serve_desk(args.host, args.port)
    elif args.command == "outbox-sender":
        import asyncio
        from contextlib import AsyncExitStack

        from bot.cases.client import CaseClient
        from bot.handoff.webhook import WebhookConfig, WebhookConfigError, open_http
        from bot.masking import install_log_masking
        from bot.outbox_sender import run_outbox_sender
        from bot.profile.store import profile_session

        install_log_masking()
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
        try:
            webhook = WebhookConfig.from_environment(os.environ)
        except WebhookConfigError as error:
            print(f"outbox-sender: {error}", file=sys.stderr)
            return 2

        async def send() -> None:
            async with AsyncExitStack() as stack:
                client = await stack.enter_async_context(CaseClient.from_environment(os.environ))
                webhook_http = await stack.enter_async_context(open_http(webhook)) if webhook else None
                await run_outbox_sender(profile_session, client, webhook, webhook_http, interval=args.interval,
                                        once=args.once)

        try:
            asyncio.run(send())
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
