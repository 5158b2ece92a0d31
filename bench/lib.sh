# Shared by the bench scripts (sourced): where things are, and PostgreSQL brought up.
# Settings (environment): BENCH_PYTHON, BENCH_PG_HOST (127.0.0.1), BENCH_PG_PORT (5432),
# BENCH_PG_USER (postgres).

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
PYTHON=${BENCH_PYTHON:-$ROOT/.venv/bin/python}
PG_HOST=${BENCH_PG_HOST:-127.0.0.1}
PG_PORT=${BENCH_PG_PORT:-5432}
PG_USER=${BENCH_PG_USER:-postgres}

# ensure_postgres: start the machine's PostgreSQL clusters if the server is down; fail if it
# does not come up within 30 s.
ensure_postgres() {
  pg_isready -q -h "$PG_HOST" -p "$PG_PORT" && return 0
  echo "starting PostgreSQL" >&2
  for cluster in /etc/postgresql/*/main; do
    [ -d "$cluster" ] || continue
    pg_ctlcluster --skip-systemctl-redirect "$(basename "$(dirname "$cluster")")" main start || true
  done
  for _ in $(seq 1 30); do pg_isready -q -h "$PG_HOST" -p "$PG_PORT" && return 0; sleep 1; done
  echo "PostgreSQL is not up on $PG_HOST:$PG_PORT" >&2
  return 1
}

# drop_stale PREFIX: drop the databases PREFIX<pid> left by runs killed before their cleanup
# (their shell is gone).
drop_stale() {
  local prefix=$1 stale pid
  for stale in $(psql -X -q -At -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres \
    -c "SELECT datname FROM pg_database WHERE datname ~ '^${prefix}[0-9]+\$'"); do
    pid=${stale#"$prefix"}
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "dropping $stale, left by an earlier run" >&2
      dropdb -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" --if-exists --force "$stale" || true
    fi
  done
}
