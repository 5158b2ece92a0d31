#!/usr/bin/env bash
# Reports benchmark: every report at city scale (200 stations, 20,000 social workers,
# 1,000,000 service records …) on a throwaway PostgreSQL database. See bench/README.md.
#
#   bench/reports.sh [bench/reports.py options]      (or: make bench-reports)
set -euo pipefail

# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DB=${BENCH_DB:-linkage_bench_reports_$$}

[ -x "$PYTHON" ] || { echo "no Python at $PYTHON (make the venv first: make bench-reports)" >&2; exit 1; }
pg_isready -q -h "$PG_HOST" -p "$PG_PORT" || { echo "PostgreSQL is not up at $PG_HOST:$PG_PORT" >&2; exit 1; }
# BENCH_DB=name BENCH_KEEP=1 keeps the city for another run (with --reuse) or for psql.
createdb -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" "$DB" 2>/dev/null || [ -n "${BENCH_DB:-}" ]
if [ "${BENCH_KEEP:-0}" != 1 ]; then
  trap 'dropdb -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" --if-exists --force "$DB" || true' EXIT
fi

"$PYTHON" bench/reports.py \
  --database-url "postgresql+asyncpg://$PG_USER@$PG_HOST:$PG_PORT/$DB" "$@"
