#!/usr/bin/env bash
# Throwaway PostgreSQL and Redis servers on loopback, for the scale-out tests and for trying
# the app against them. Nothing here touches a system-wide database or the usual ports.
#
#   scripts/services.sh start   # installs them from Debian's packages if missing (~1 min), starts both
#   scripts/services.sh stop    # stops both and deletes their data
#   scripts/services.sh env     # prints the URLs to export to run the app on them
#   scripts/services.sh test-env # prints what the tests read (scripts/test.sh uses it)
#
# PostgreSQL: port 55432, user postgres, no password (trust, loopback only).
# Redis:      port 56379, 256 numbered databases (the most the Redis client can address) (the tests give each test its own), no persistence.
set -euo pipefail

PG_PORT="${PG_PORT:-55432}"
REDIS_PORT="${REDIS_PORT:-56379}"
BASE="${SERVICES_DIR:-${TMPDIR:-/tmp}/secure-routes-services}"
PG_DATA="$BASE/pg"
REDIS_DIR="$BASE/redis"

# PostgreSQL refuses to run as root; as root, run it as the postgres user the package creates.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

install_missing() {
  local need=()
  ls -d /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
  command -v redis-server >/dev/null || need+=(redis-server)
  if [ ${#need[@]} -gt 0 ]; then
    echo "==> Installing ${need[*]} from Debian's packages (about a minute, once)"
    local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    # The packages' own services are not wanted: only the throwaway servers below run.
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
    $sudo service postgresql stop >/dev/null 2>&1 || true
    $sudo service redis-server stop >/dev/null 2>&1 || true
  fi
}

pg_bin() { ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1; }

start() {
  install_missing
  mkdir -p "$BASE"
  chmod 755 "$BASE"
  local bin; bin="$(pg_bin)"
  if ! as_pg "$bin/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
    rm -rf "$PG_DATA" && mkdir -p "$PG_DATA"
    [ "$(id -u)" = 0 ] && chown postgres "$PG_DATA"
    as_pg "$bin/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 >/dev/null
    # A server stopped a moment ago can still hold the port for a few seconds (seen when one
    # test run started right after another had stopped its services): retry, as PostgreSQL hints.
    local tries=0
    until as_pg "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w -o \
      "-c listen_addresses=127.0.0.1 -p $PG_PORT -c unix_socket_directories=$PG_DATA -c max_connections=300 -c fsync=off" start >/dev/null; do
      tries=$((tries + 1))
      [ "$tries" -lt 5 ] || { echo "PostgreSQL did not start; see $PG_DATA/server.log" >&2; exit 1; }
      sleep 3
    done
  fi
  if ! redis_up; then
    mkdir -p "$REDIS_DIR"
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --databases 256 --save '' --appendonly no \
      --dir "$REDIS_DIR" --logfile "$REDIS_DIR/redis.log" --pidfile "$REDIS_DIR/redis.pid" --daemonize yes
    for _ in $(seq 50); do redis_up && break; sleep 0.1; done
    redis_up || { echo "redis did not start; see $REDIS_DIR/redis.log" >&2; exit 1; }
  fi
  echo "PostgreSQL on 127.0.0.1:$PG_PORT and Redis on 127.0.0.1:$REDIS_PORT are up."
}

redis_up() { redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }

stop() {
  local bin; bin="$(pg_bin 2>/dev/null || true)"
  [ -n "$bin" ] && [ -d "$PG_DATA" ] && as_pg "$bin/pg_ctl" -D "$PG_DATA" -m fast stop >/dev/null 2>&1 || true
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$BASE"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env)
    echo "export DATABASE_URL=postgres://postgres@127.0.0.1:$PG_PORT/postgres"
    echo "export SESSION_STORE_URL=redis://127.0.0.1:$REDIS_PORT/0"
    ;;
  test-env)
    # The tests make a database (and take a Redis database number) per test from these.
    echo "export TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$PG_PORT/postgres"
    echo "export TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
    ;;
  *) echo "usage: $0 start|stop|env|test-env" >&2; exit 2 ;;
esac
