#!/usr/bin/env bash
# Every test, in order of cost. Needs the model (make train) and Redis (make redis).
set -uo pipefail
cd "$(dirname "$0")/.."
rasa=.venv/bin/rasa
status=0
step() { echo; echo "==> $*"; }

step "rasa data validate"
if ! $rasa data validate --config config.yml --domain domain --data data >var/validate.log 2>&1; then
  cat var/validate.log; status=1
fi
# Every warning left is explained in README.md ("Known validation warnings").
grep -E "UserWarning|WARNING" var/validate.log | sed 's/^/  /' || true

step "pytest"
.venv/bin/python -m pytest tests -q -p no:cacheprovider || status=1

step "held-out NLU evaluation (gate: intent macro-F1 on Simplified >= 0.90)"
.venv/bin/python scripts/eval_heldout.py --model models/current.tar.gz --gate 0.90 || status=1

step "rasa test core on conversation test stories"
$rasa test core --model models/current.tar.gz --stories tests/stories --endpoints endpoints.yml \
  --out results/core --fail-on-prediction-errors >var/test-core.log 2>&1 || { tail -40 var/test-core.log; status=1; }
grep -E "Correct:|Failed" var/test-core.log | tail -5 || true

exit $status
