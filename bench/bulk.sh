#!/usr/bin/env bash
# Bulk upsert benchmark: 10,000 lines on the embedded default (SQLite) and on a throwaway
# PostgreSQL database. See bench/README.md ("Bulk upsert").
#
#   bench/bulk.sh [--lines N]      (or: make bench-bulk)
set -euo pipefail

# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DB=linkage_bench_bulk_$$
WORK=$(mktemp -d)

[ -x "$PYTHON" ] || { echo "no Python at $PYTHON (make the venv first)" >&2; exit 1; }
cleanup() {
  rm -rf "$WORK"
  dropdb -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" --if-exists --force "$DB" 2>/dev/null || true
}
trap cleanup EXIT

echo "== SQLite (the embedded default)"
LINKAGE_DATA_DIR=$WORK "$PYTHON" bench/bulk.py --database-url "sqlite+aiosqlite:///$WORK/bulk.db" "$@"

if pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; then
  echo "== PostgreSQL"
  createdb -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" "$DB"
  LINKAGE_DATA_DIR=$WORK "$PYTHON" bench/bulk.py \
    --database-url "postgresql+asyncpg://$PG_USER@$PG_HOST:$PG_PORT/$DB" "$@"
else
  echo "PostgreSQL is not up at $PG_HOST:$PG_PORT: skipped" >&2
fi
