#!/usr/bin/env bash
# Load benchmark of the station reads: the service against a raw asyncpg ceiling, both on
# PostgreSQL, loaded alternately with wrk over loopback. See bench/README.md.
#
#   bench/run.sh            (or: make bench)
#
# Settings (environment): BENCH_DURATION seconds per run (10), BENCH_CONNECTIONS (64),
# BENCH_THREADS wrk threads (2), BENCH_ROUNDS (3), BENCH_WARMUP seconds (3),
# BENCH_POOL_SIZE the ceiling's asyncpg pool (10, the service's LINKAGE_DB_POOL_SIZE default),
# BENCH_KEEP=1 keeps the database, servers' logs and wrk output (printed path) for a look after.
set -euo pipefail

# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DURATION=${BENCH_DURATION:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_THREADS:-2}
ROUNDS=${BENCH_ROUNDS:-3}
WARMUP=${BENCH_WARMUP:-3}
POOL_SIZE=${BENCH_POOL_SIZE:-10}
DB=linkage_bench_$$
RESULTS=$ROOT/bench/results

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ -x "$PYTHON" ] || die "no Python at $PYTHON (make the venv first: make bench)"

# --- the load generator -------------------------------------------------------------------------
if ! command -v wrk >/dev/null 2>&1; then
  log "installing wrk (Debian package)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q wrk >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; }
  command -v wrk >/dev/null 2>&1 || die "could not install wrk"
fi

# --- PostgreSQL -----------------------------------------------------------------------------------
ensure_postgres || die "PostgreSQL is not up on $PG_HOST:$PG_PORT"
PSQL=(psql -X -q -At -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres)
drop_stale linkage_bench_

# --- cleanup on any exit ------------------------------------------------------------------------------
WORK=$(mktemp -d /tmp/linkage-bench.XXXXXX)
SERVER_PIDS=()
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in "${SERVER_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${SERVER_PIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ "${BENCH_KEEP:-0}" = 1 ]; then
    log "kept database $DB and $WORK"
  else
    dropdb -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" --if-exists --force "$DB" 2>/dev/null || true
    rm -rf "$WORK"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- database: schema, reference data --------------------------------------------------------------
createdb -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" "$DB"
export LINKAGE_DATABASE_URL="postgresql+asyncpg://$PG_USER@$PG_HOST:$PG_PORT/$DB"
# The load comes from one client: a per-second quota counts every request and refuses none
# (a quota per minute this large would keep a quarter of a million hits in its window).
export LINKAGE_RATE_LIMIT_DEFAULT=1000000/second
# Both servers sign page tokens alike, so that their answers compare equal.
LINKAGE_PAGE_TOKEN_SECRET=$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(32))')
export LINKAGE_PAGE_TOKEN_SECRET CEILING_PAGE_TOKEN_SECRET=$LINKAGE_PAGE_TOKEN_SECRET
log "migrating $DB"
LINKAGE_LOG_LEVEL=WARNING "$ROOT/.venv/bin/linkage" migrate >/dev/null

# --- servers -----------------------------------------------------------------------------------------
read -r SERVICE_PORT CEILING_PORT < <("$PYTHON" - <<'EOF'
import socket
sockets = [socket.socket() for _ in range(2)]
for s in sockets:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in sockets))
EOF
)
UVICORN=(-m uvicorn --host 127.0.0.1 --loop uvloop --http httptools --workers 1
  --no-access-log --log-level warning)

"$PYTHON" "${UVICORN[@]}" --port "$SERVICE_PORT" --factory service.main:create_app \
  >"$WORK/service.log" 2>&1 &
SERVICE_PID=$!
SERVER_PIDS+=("$SERVICE_PID")
CEILING_DSN="postgresql://$PG_USER@$PG_HOST:$PG_PORT/$DB" CEILING_POOL_SIZE=$POOL_SIZE \
  "$PYTHON" "${UVICORN[@]}" --port "$CEILING_PORT" --app-dir "$ROOT/bench" ceiling:app \
  >"$WORK/ceiling.log" 2>&1 &
CEILING_PID=$!
SERVER_PIDS+=("$CEILING_PID")

SERVICE=http://127.0.0.1:$SERVICE_PORT
CEILING=http://127.0.0.1:$CEILING_PORT
wait_ready() {
  local url=$1 name=$2 logfile=$3
  for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    sleep 0.2
  done
  cat "$logfile" >&2
  die "$name did not come up at $url"
}
wait_ready "$SERVICE/readyz" service "$WORK/service.log"
wait_ready "$CEILING/healthz" ceiling "$WORK/ceiling.log"
log "service on $SERVICE, ceiling on $CEILING (pool $POOL_SIZE)"

# --- data ------------------------------------------------------------------------------------------
"$PYTHON" bench/seed.py --base-url "$SERVICE" --out "$WORK"
API_KEY=$(cat "$WORK/api_key")
STATIONS=$(wc -l <"$WORK/ids.txt")
"$PYTHON" bench/verify.py --service "$SERVICE" --ceiling "$CEILING" --key "$API_KEY" \
  --ids "$WORK/ids.txt" >&2 || {
  tail -n 30 "$WORK/service.log" "$WORK/ceiling.log" >&2
  die "the service and the ceiling do not answer alike"
}

# --- load ------------------------------------------------------------------------------------------
RUNS=$WORK/runs.jsonl
: >"$RUNS"

# CPU time (user + system, in clock ticks) a process has used so far.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
TICKS_PER_SECOND=$(getconf CLK_TCK)

# load NAME TARGET ROUND SECONDS: one wrk run; ROUND 0 is a warm-up, not recorded.
load() {
  local endpoint=$1 target=$2 round=$3 seconds=$4 base path pid ids="" before after
  if [ "$target" = service ]; then
    base=$SERVICE; path=/v1/stations; pid=$SERVICE_PID
  else
    base=$CEILING; path=/stations; pid=$CEILING_PID
  fi
  if [ "$endpoint" = by_id ]; then ids=$WORK/ids.txt; fi
  local out=$WORK/wrk-$endpoint-$target-$round.txt
  before=$(cpu_ticks "$pid")
  BENCH_AUTH=$API_KEY BENCH_IDS=$ids BENCH_PATH=$path/ \
    wrk -t "$THREADS" -c "$CONNECTIONS" -d "${seconds}s" --timeout 10s --latency \
    -s bench/wrk.lua "$base$path" >"$out"
  after=$(cpu_ticks "$pid")
  [ "$round" = 0 ] && return 0
  local result label
  result=$(sed -n 's/^BENCH_RESULT //p' "$out")
  [ -n "$result" ] || { cat "$out" >&2; die "wrk printed no result"; }
  if [ "$endpoint" = by_id ]; then label="GET /v1/stations/{id}"; path="$path/{id}"; else label="GET /v1/stations"; fi
  printf '{"endpoint":"%s","target":"%s","path":"%s","round":%d,"server_cpu_s":%s,"wrk":%s}\n' \
    "$label" "$target" "$path" "$round" \
    "$(awk -v t=$((after - before)) -v hz="$TICKS_PER_SECOND" 'BEGIN {printf "%.2f", t / hz}')" \
    "$result" >>"$RUNS"
  log "$(printf '%-22s %-7s round %d: %s req/s' "$label" "$target" "$round" \
    "$(sed -n 's/.*"rps":\([0-9.]*\).*/\1/p' <<<"$result")")"
}

log "warming up (${WARMUP}s per endpoint and server)"
for endpoint in by_id list; do
  for target in service ceiling; do load "$endpoint" "$target" 0 "$WARMUP"; done
done

log "$ROUNDS rounds of ${DURATION}s, $CONNECTIONS connections, $THREADS wrk threads"
for endpoint in by_id list; do
  for round in $(seq 1 "$ROUNDS"); do
    # Alternate which server goes first, so a drift in the machine hurts neither side alone.
    if [ $((round % 2)) = 1 ]; then order="service ceiling"; else order="ceiling service"; fi
    for target in $order; do load "$endpoint" "$target" "$round" "$DURATION"; done
  done
done

if grep -qi 'error\|traceback' "$WORK/service.log" "$WORK/ceiling.log"; then
  log "the servers logged errors:"
  tail -n 20 "$WORK/service.log" "$WORK/ceiling.log" >&2
fi

# --- report ------------------------------------------------------------------------------------------
echo
"$PYTHON" bench/report.py "$RUNS" --out "$RESULTS/latest.json" \
  --setting "duration_s=$DURATION" --setting "connections=$CONNECTIONS" \
  --setting "wrk_threads=$THREADS" --setting "rounds=$ROUNDS" --setting "warmup_s=$WARMUP" \
  --setting "ceiling_pool_size=$POOL_SIZE" --setting "stations=$STATIONS" \
  --setting "wrk=\"$(wrk -v 2>&1 | head -n 1 | cut -c1-60)\"" \
  --setting "postgresql=\"$("${PSQL[@]}" -c 'SHOW server_version')\""
