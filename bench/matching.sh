#!/usr/bin/env bash
# Matching benchmark: candidate search and a city-wide allocation run at 10,000, 30,000 and
# 100,000 volunteers, on a throwaway PostgreSQL database. See bench/README.md.
#
#   bench/matching.sh [bench/matching.py options]      (or: make bench-matching)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
PYTHON=${BENCH_PYTHON:-$ROOT/.venv/bin/python}
PG_HOST=${BENCH_PG_HOST:-127.0.0.1}
PG_PORT=${BENCH_PG_PORT:-5432}
PG_USER=${BENCH_PG_USER:-postgres}
DB=linkage_bench_matching_$$

[ -x "$PYTHON" ] || { echo "no Python at $PYTHON (make the venv first: make bench-matching)" >&2; exit 1; }
if ! pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
  for _ in $(seq 1 30); do pg_isready -q -h "$PG_HOST" -p "$PG_PORT" && break; sleep 1; done
fi
createdb -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" "$DB"
trap 'dropdb -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" --if-exists --force "$DB" || true' EXIT

"$PYTHON" bench/matching.py \
  --database-url "postgresql+asyncpg://$PG_USER@$PG_HOST:$PG_PORT/$DB" "$@"
