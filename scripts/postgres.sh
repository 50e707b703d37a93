#!/usr/bin/env bash
# A throwaway PostgreSQL cluster (Debian's PostgreSQL 15) for the profile store's tests.
# Usage: scripts/postgres.sh start   initdb on first use, start, print the test database's URL
#        scripts/postgres.sh url     print the URL
#        scripts/postgres.sh stop
# Data in var/pg, port $PROFILE_PG_PORT (default 5433), trust auth on 127.0.0.1 only.
# PostgreSQL refuses to run as root, so as root the cluster runs as the 'postgres' user.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${PROFILE_PG_PORT:-5433}
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
dir=$PWD/var/pg
database=profile_test
url="postgresql+psycopg2://postgres@127.0.0.1:$port/$database"

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-start}" in
  start)
    if [ ! -x "$bin/pg_ctl" ]; then
      echo "PostgreSQL 15 not found: installing Debian's package" >&2
      sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
      $sudo_cmd apt-get update -qq >&2
      DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq postgresql-15 >/dev/null
    fi
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if ! as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 30 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
    fi
    psql=("$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAq)
    if [ "$("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '$database'")" != "1" ]; then
      "${psql[@]}" -c "CREATE DATABASE $database" >/dev/null
    fi
    echo "$url"
    ;;
  url)
    echo "$url"
    ;;
  stop)
    if [ -f "$dir/data/PG_VERSION" ]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
    fi
    ;;
  *)
    echo "usage: $0 start|url|stop" >&2
    exit 2
    ;;
esac
