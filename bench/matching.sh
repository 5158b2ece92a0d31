#!/usr/bin/env bash
# Matching benchmark: candidate search and a city-wide allocation run at 10,000, 30,000 and
# 100,000 volunteers, on a throwaway PostgreSQL database. See bench/README.md.
#
#   bench/matching.sh [bench/matching.py options]      (or: make bench-matching)
#
# BENCH_PGBOUNCER=1 puts Debian's pgbouncer (transaction mode) between the service and the
# database, with LINKAGE_DB_PGBOUNCER=true: what the PgBouncer mode costs matching.
set -euo pipefail

# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DB=linkage_bench_matching_$$

[ -x "$PYTHON" ] || { echo "no Python at $PYTHON (make the venv first: make bench-matching)" >&2; exit 1; }
ensure_postgres
createdb -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" "$DB"
trap 'dropdb -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" --if-exists --force "$DB" || true' EXIT

URL="postgresql+asyncpg://$PG_USER@$PG_HOST:$PG_PORT/$DB"
if [ "${BENCH_PGBOUNCER:-0}" = 1 ]; then
  if [ ! -x /usr/sbin/pgbouncer ]; then
    echo "installing pgbouncer (Debian package)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q pgbouncer >/dev/null
  fi
  WORK=$(mktemp -d /tmp/linkage-bench-pgbouncer.XXXXXX)
  chmod 777 "$WORK"  # pgbouncer refuses root: it runs as postgres
  BOUNCER_PORT=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  printf '%s\n' "[databases]" "linkage = host=$PG_HOST port=$PG_PORT dbname=$DB user=$PG_USER" \
    "[pgbouncer]" "listen_addr = 127.0.0.1" "listen_port = $BOUNCER_PORT" "unix_socket_dir =" \
    "auth_type = any" "pool_mode = transaction" "max_client_conn = 500" "default_pool_size = 20" \
    "logfile = $WORK/pgbouncer.log" "pidfile = $WORK/pgbouncer.pid" >"$WORK/pgbouncer.ini"
  chmod 644 "$WORK/pgbouncer.ini"
  BOUNCER=(/usr/sbin/pgbouncer "$WORK/pgbouncer.ini")
  [ "$(id -u)" = 0 ] && BOUNCER=(/usr/sbin/pgbouncer -u postgres "$WORK/pgbouncer.ini")
  "${BOUNCER[@]}" >"$WORK/pgbouncer.out" 2>&1 &
  BOUNCER_PID=$!
  trap 'kill "$BOUNCER_PID" 2>/dev/null || true; rm -rf "$WORK"; dropdb -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" --if-exists --force "$DB" || true' EXIT
  for _ in $(seq 1 50); do pg_isready -q -h 127.0.0.1 -p "$BOUNCER_PORT" && break; sleep 0.1; done
  export LINKAGE_DB_PGBOUNCER=true
  URL="postgresql+asyncpg://$PG_USER@127.0.0.1:$BOUNCER_PORT/linkage"
  echo "through pgbouncer on 127.0.0.1:$BOUNCER_PORT (transaction mode)" >&2
fi

"$PYTHON" bench/matching.py --database-url "$URL" "$@"
