#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter (Rasa 3.6 runs on 3.8–3.10 only).
# Looks at $PYTHON310, pyenv, python3.10 / python3 on PATH, and the usual places.
set -u
candidates=()
[ -n "${PYTHON310:-}" ] && candidates+=("$PYTHON310")
if command -v pyenv >/dev/null 2>&1; then
  version=$(pyenv latest 3.10 2>/dev/null) && candidates+=("$(pyenv prefix "$version" 2>/dev/null)/bin/python3.10")
fi
for name in python3.10 python3; do
  path=$(command -v "$name" 2>/dev/null) && candidates+=("$path")
done
candidates+=(/usr/bin/python3.10 /usr/local/bin/python3.10 /opt/python3.10/bin/python3.10)
for candidate in "${candidates[@]}"; do
  [ -x "$candidate" ] || continue
  if "$candidate" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' >/dev/null 2>&1; then
    echo "$candidate"
    exit 0
  fi
done
cat >&2 <<'MSG'
No Python 3.10 found. Rasa 3.6 runs on Python 3.8–3.10 only.
Install one of:
  - pyenv:   pyenv install 3.10      (this project finds it by itself)
  - Debian/Ubuntu: apt-get install python3.10 python3.10-venv
  - or point PYTHON310 at an interpreter: make run PYTHON310=/path/to/python3.10
MSG
exit 1
