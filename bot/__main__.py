"""Command line of the bot package: ``python -m bot <command>``.

Commands:
  kb-sync            regenerate data/nlu/lookups.yml from kb/
  train [--force]    train the model if its inputs changed; link models/current.tar.gz
  fingerprint        print the fingerprint of the model's inputs
  hant FILE…         add missing Traditional variants to domain response files
"""
from __future__ import annotations

import argparse
import sys
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
