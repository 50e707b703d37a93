#!/usr/bin/env bash
# Creates .venv with Python 3.10 and installs the pinned dependencies.
# Idempotent: an existing 3.10 venv is kept and pip only adds what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! .venv/bin/python -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' 2>/dev/null; then
  python=$(scripts/find-python310.sh)
  echo "Creating .venv with $python"
  rm -rf .venv
  "$python" -m venv .venv
fi
# Everything in one pip call against the lock: installed separately, packages
# such as alembic make pip upgrade Rasa's own pins (SQLAlchemy, packaging).
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.in -c constraints.txt
.venv/bin/python -m pip check
