#!/usr/bin/env bash
# Starts the project's Redis (Debian's redis-server), installing it when absent.
# Usage: scripts/redis.sh start|stop   (port: $REDIS_PORT, default 6379)
set -euo pipefail
cd "$(dirname "$0")/.."
port=${REDIS_PORT:-6379}
dir=var/redis
case "${1:-start}" in
  start)
    if ! command -v redis-server >/dev/null 2>&1; then
      echo "redis-server not found: installing Debian's package"
      sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
      $sudo_cmd apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq redis-server >/dev/null
    fi
    if redis-cli -p "$port" ping >/dev/null 2>&1; then
      exit 0
    fi
    mkdir -p "$dir"
    redis-server --port "$port" --bind 127.0.0.1 --dir "$PWD/$dir" --daemonize yes \
      --pidfile "$PWD/$dir/redis.pid" --logfile "$PWD/$dir/redis.log" \
      --appendonly yes --save ""
    for _ in $(seq 1 50); do
      redis-cli -p "$port" ping >/dev/null 2>&1 && exit 0
      sleep 0.1
    done
    echo "redis-server did not start; see $dir/redis.log" >&2
    exit 1
    ;;
  stop)
    redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
    ;;
esac
