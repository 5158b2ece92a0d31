#!/usr/bin/env bash
# A city's morning: a mixed workload (Locust, headless) through HAProxy on 1 and 2 replicas of
# `linkage serve`, on a throwaway PostgreSQL database. See bench/README.md.
#
#   bench/mixed.sh [bench/mixed.py options]        (or: make bench-mixed BENCH_ARGS="…")
#
# e.g. a short validation run: bench/mixed.sh --step-seconds 10 --soak-seconds 30
# BENCH_KEEP=1 keeps the database and the replicas' logs for a look after.
set -euo pipefail

# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DB=linkage_bench_mixed_$$

log() { printf '[bench-mixed %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ -x "$PYTHON" ] || die "no Python at $PYTHON (make the venv first: make bench-mixed)"
"$PYTHON" -c 'import locust' 2>/dev/null || die "locust is not installed (make bench-mixed installs .[test,bench])"

# --- the balancer ---------------------------------------------------------------------------------
if ! command -v haproxy >/dev/null 2>&1 && [ ! -x /usr/sbin/haproxy ]; then
  log "installing haproxy (Debian package)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q haproxy >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q haproxy >/dev/null; }
  command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || die "could not install haproxy"
fi

# --- PostgreSQL -----------------------------------------------------------------------------------
ensure_postgres || die "PostgreSQL is not up on $PG_HOST:$PG_PORT"
drop_stale linkage_bench_mixed_

# --- cleanup on any exit: the driver (and with it its replicas, balancer and Locust), the database
DRIVER_PID=
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$DRIVER_PID" ] && kill -0 "$DRIVER_PID" 2>/dev/null; then
    kill -TERM -- "-$DRIVER_PID" 2>/dev/null || kill -TERM "$DRIVER_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$DRIVER_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$DRIVER_PID" 2>/dev/null || true
  fi
  if [ "${BENCH_KEEP:-0}" = 1 ]; then
    log "kept database $DB"
  else
    dropdb -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" --if-exists --force "$DB" 2>/dev/null || true
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- database: schema and reference data, as the Job before a rollout does -----------------------------
createdb -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" "$DB"
URL="postgresql+asyncpg://$PG_USER@$PG_HOST:$PG_PORT/$DB"
log "migrating $DB"
# `linkage migrate`, run through the venv's Python (the same entry point as .venv/bin/linkage).
LINKAGE_DATABASE_URL=$URL LINKAGE_LOG_LEVEL=WARNING "$PYTHON" -m service migrate >/dev/null

# --- the run: its own process group, so that the trap ends everything it started ------------------
set +e
setsid "$PYTHON" bench/mixed.py --database-url "$URL" "$@" &
DRIVER_PID=$!
wait "$DRIVER_PID"
status=$?
DRIVER_PID=
exit "$status"
