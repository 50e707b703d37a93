#!/usr/bin/env bash
# Starts the whole assistant on the embedded default and stops it on Ctrl-C.
# Usage: scripts/run.sh           servers, chat over HTTP
#        scripts/run.sh --shell   a terminal chat
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var/log
rasa=.venv/bin/rasa
pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "Stopped."
}
trap stop INT TERM EXIT

wait_for() {  # url name seconds
  for _ in $(seq 1 "$3"); do
    curl -fsS "$1" >/dev/null 2>&1 && return 0
    sleep 1
  done
  echo "$2 did not start in $3 s; see var/log/" >&2
  exit 1
}

# the case service (its own database, var/cases.db) and the sender that delivers complaints
# the action server could not hand over (the outbox in the profile store)
.venv/bin/python -m bot case-service --port "$CASE_SERVICE_PORT" >var/log/case-service.log 2>&1 &
pids+=($!)
wait_for "http://localhost:$CASE_SERVICE_PORT/health" "The case service" 60
.venv/bin/python -m bot outbox-sender >var/log/outbox-sender.log 2>&1 &
pids+=($!)

$rasa run actions --actions actions --port "$ACTION_PORT" >var/log/actions.log 2>&1 &
pids+=($!)
wait_for "http://localhost:$ACTION_PORT/health" "The action server" 60

if [ "${1:-}" = "--shell" ]; then
  $rasa shell --model models/current.tar.gz --endpoints endpoints.yml --port "$RASA_PORT"
  exit 0
fi

# Rasa's HTTP API (tracker events, trigger_intent) is how the desk server pauses and resumes
# conversations; it is closed to anyone without this token (made once, kept in var/)
if [ -z "${RASA_API_TOKEN:-}" ]; then
  [ -s var/rasa_api_token ] || (umask 077; .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(32))' >var/rasa_api_token)
  RASA_API_TOKEN=$(cat var/rasa_api_token)
fi
export RASA_API_TOKEN
$rasa run --model models/current.tar.gz --endpoints endpoints.yml \
  --credentials credentials.yml --port "$RASA_PORT" --enable-api --auth-token "$RASA_API_TOKEN" \
  >var/log/rasa.log 2>&1 &
pids+=($!)
wait_for "http://localhost:$RASA_PORT/" "The Rasa server" 180

# the client's web chat and the advisor desk (one web server)
.venv/bin/python -m bot desk --port "$DESK_PORT" >var/log/desk.log 2>&1 &
pids+=($!)
wait_for "http://localhost:$DESK_PORT/health" "The desk server" 60

cat <<MSG

  The assistant is running.
    Web chat (clients)          http://localhost:$DESK_PORT/        demo client C000001, passcode: README "Demo logins"
    Advisor desk (RM, agents)   http://localhost:$DESK_PORT/desk    demo RM001 or agent CC001, same passcode
    Rasa server, REST channel   http://localhost:$RASA_PORT/webhooks/rest/webhook (anonymous)
    Rasa server, app channel    http://localhost:$RASA_PORT/webhooks/app/webhook (signed token)
    Action server               http://localhost:$ACTION_PORT/webhook
    Case service                http://localhost:$CASE_SERVICE_PORT/openapi.json (bearer token: var/case_service_token)
    Redis (tracker, locks)      localhost:$REDIS_PORT
    Profile store               ${PROFILE_DATABASE_URL:-var/profile.db} (demo bank: README, "Demo bank")
  Chat from another terminal, as a guest:
    curl -s localhost:$RASA_PORT/webhooks/rest/webhook -H 'Content-Type: application/json' \\
      -d '{"sender": "demo", "message": "你好，美元汇率多少"}'
  or as the demo client C000001 (王建华):
    TOKEN=\$(.venv/bin/python -m bot token --client C000001)
    curl -s localhost:$RASA_PORT/webhooks/app/webhook -H 'Content-Type: application/json' \\
      -d "{\\"sender\\": \\"phone\\", \\"message\\": \\"我的账户余额是多少\\", \\"metadata\\": {\\"token\\": \\"\$TOKEN\\"}}"
  or stop this (Ctrl-C) and run: make shell
  Logs: var/log/rasa.log, var/log/actions.log, var/log/desk.log, var/log/case-service.log, var/log/outbox-sender.log

MSG
wait -n "${pids[@]}"
