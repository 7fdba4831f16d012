#!/usr/bin/env bash
# Load test of the release build on loopback with wrk (Debian's package), every scenario against
# the no-auth baseline measured in the same run. Writes bench/REPORT.md and bench/chart.svg.
#
#   scripts/bench.sh           10 s per scenario, 10,000 sessions + 10,000 families by real logins
#                              (about 8 minutes in all), the numbers for the report
#   scripts/bench.sh --smoke   2 s per scenario, into target/bench/: checks that the harness works,
#                              not the budgets
#   BENCH_SERVER_FLAGS="--hash-concurrency 1" BENCH_OUT=target/bench-exp scripts/bench.sh
#                              an experiment: extra server flags for every scenario, report elsewhere
#
# Needs a release build (`cargo leptos build --release`, as the browser tests make; built here
# if missing) and, for the Redis scenario, the throwaway Redis of scripts/services.sh (started
# here if it is not running). wrk runs on the same 2 cores as the server, as the budgets assume.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

duration=10
out_dir=bench
state_count=10000   # live sessions, and as many token families, for the memory scenario
hydrate_runs=5
if [ "${1:-}" = "--smoke" ]; then
  duration=2
  out_dir=target/bench
  state_count=50
  hydrate_runs=1
fi
out_dir="${BENCH_OUT:-$out_dir}"
read -r -a extra_flags <<<"${BENCH_SERVER_FLAGS:-}"
work="$PWD/target/bench-run"
rm -rf "$work" && mkdir -p "$work" "$out_dir"

if ! command -v wrk >/dev/null; then
  echo "==> Installing wrk from Debian's packages (seconds, once)"
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk >/dev/null
fi
if [ ! -x target/release/server ] || [ ! -f target/site/pkg/secure-routes.wasm ]; then
  echo "==> Release build (cargo leptos build --release; ~5-10 min the first time)"
  cargo leptos build --release
fi
if [ ! -d end2end/node_modules/@playwright/test ]; then
  echo "==> Installing the browser-test packages (npm ci in end2end/; about a minute, once)"
  (cd end2end && npm ci --no-audit --no-fund)
fi
scripts/services.sh start >/dev/null

PASSWORD="correct horse battery staple"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_server NAME [server flags...]: sets $base and $pid; fresh SQLite database per scenario.
start_server() {
  local name=$1; shift
  local port; port=$(free_port)
  mkdir -p "$work/$name"
  base="http://127.0.0.1:$port"
  LOG_LEVEL=error target/release/server --addr "127.0.0.1:$port" \
    --database-url "sqlite://$work/$name/app.db" --public-origin "$base" \
    --auth-rate-per-minute 1000000000 --refresh-rate-per-minute 1000000000 --login-free-failures 1000000000 \
    --access-token-ttl 1h "${extra_flags[@]}" "$@" >"$work/$name/server.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 100); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done
  curl -sf "$base/healthz" >/dev/null || { cat "$work/$name/server.log"; exit 1; }
  curl -sf -o /dev/null -X POST -H 'content-type: application/json' \
    -d "{\"email\":\"bench@example.com\",\"password\":\"$PASSWORD\"}" "$base/api/auth/register"
}

session_cookie() {
  curl -sf -D - -o /dev/null -X POST -H 'content-type: application/json' \
    -d "{\"email\":\"bench@example.com\",\"password\":\"$PASSWORD\",\"mode\":\"session\"}" "$base/api/auth/login" |
    tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(__Host-sid=[^;]*\).*/\1/p'
}

access_token() {
  curl -sf -X POST -H 'content-type: application/json' \
    -d "{\"email\":\"bench@example.com\",\"password\":\"$PASSWORD\"}" "$base/api/auth/token" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}

peak_rss_kib() { sed -n 's/^VmHWM:\s*\([0-9]*\) kB/\1/p' "/proc/$1/status"; }
rss_kib() { sed -n 's/^VmRSS:\s*\([0-9]*\) kB/\1/p' "/proc/$1/status"; }

results="$work/results.tsv"
: >"$results"
# measure NAME GROUP URL [wrk args...]: one wrk run, one line of results.
measure() {
  local name=$1 group=$2 url=$3; shift 3
  local log="$work/$name.wrk"
  # A second of warm-up, not recorded: the first requests to a fresh server fill its pools.
  wrk -t2 -c32 -d1s "$@" "$url" >/dev/null
  wrk -t2 -c32 -d"${duration}s" --latency "$@" "$url" >"$log"
  # A scenario that errors (non-2xx, socket errors) is not a measurement: say so and stop.
  if grep -q "Non-2xx or 3xx responses" "$log" && [ "$group" != "baseline" ]; then
    echo "scenario $name got error responses:" >&2; cat "$log" >&2; exit 1
  fi
  printf '%s\t%s\t%s\t%s\n' "$name" "$group" "$(peak_rss_kib "$pid")" "$log" >>"$results"
  echo "    $name: $(sed -n 's/^Requests\/sec:\s*//p' "$log") req/s"
}

echo "==> Scenarios, ${duration}s each"
start_server baseline
# /api/me without a credential: the auth layer finds nothing to look up, so this is the cost of
# the framework (routing, middleware, JSON) alone. It answers 401, which is the point.
measure baseline baseline "$base/api/me"
cookie=$(session_cookie)
measure session_sqlite api "$base/api/me" -H "Cookie: $cookie"
measure ssr_session page "$base/dashboard" -H "Cookie: $cookie" -H "Accept: text/html"
cat >"$work/login.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"bench@example.com","password":"$PASSWORD","mode":"jwt"}'
EOF
measure login login "$base/api/auth/login" -s "$work/login.lua"
kill "$pid"

start_server jwt_off --revocation-check off
token=$(access_token)
measure jwt_revocation_off api "$base/api/me" -H "Authorization: Bearer $token"
kill "$pid"

start_server jwt_on --revocation-check on
token=$(access_token)
measure jwt_revocation_on api "$base/api/me" -H "Authorization: Bearer $token"
measure ssr_jwt page "$base/dashboard" -H "Cookie: __Host-mode=jwt; __Host-access=$token" -H "Accept: text/html"
# p99 of /api/me alone, then while 32 connections hammer login.
wrk -t1 -c4 -d"${duration}s" --latency -H "Authorization: Bearer $token" "$base/api/me" >"$work/me_unloaded.wrk"
wrk -t1 -c32 -d"$((duration + 2))s" -s "$work/login.lua" "$base/api/auth/login" >"$work/hammer.wrk" &
hammer=$!
sleep 1
wrk -t1 -c4 -d"${duration}s" --latency -H "Authorization: Bearer $token" "$base/api/me" >"$work/me_loaded.wrk"
wait "$hammer"
printf '%s\t%s\t%s\t%s\n' me_unloaded contention "$(peak_rss_kib "$pid")" "$work/me_unloaded.wrk" >>"$results"
printf '%s\t%s\t%s\t%s\n' me_under_login_load contention "$(peak_rss_kib "$pid")" "$work/me_loaded.wrk" >>"$results"
kill "$pid"

redis_url=$(scripts/services.sh env | sed -n 's/^export SESSION_STORE_URL=//p')
redis-cli -u "$redis_url" flushdb >/dev/null
start_server session_redis --session-store-url "$redis_url"
cookie=$(session_cookie)
measure session_redis api "$base/api/me" -H "Cookie: $cookie"
kill "$pid"

# The baseline once more at the end: the machine's speed drifts (other tenants, frequency), and
# the report divides by the higher of the two, so drift can only make the ratios look worse.
start_server baseline_end
measure baseline_end baseline "$base/api/me"
kill "$pid"

# Memory with many live credentials: real logins (each one an argon2id verification), every
# credential then used once so whatever the server remembers per credential is held too.
echo "==> $state_count sessions and $state_count token families (real logins; ~4 min for 10,000 each)"
start_server state
rss_idle=$(rss_kib "$pid")
python3 scripts/bench_state.py "$base" bench@example.com "$PASSWORD" "$state_count" >"$work/state_fill.json"
sleep 1
rss_full=$(rss_kib "$pid")
# And the same server once more after a burst of 32 parallel logins, which is when hashing
# memory peaks: does it come back?
wrk -t1 -c32 -d"${duration}s" -s "$work/login.lua" "$base/api/auth/login" >"$work/state_burst.wrk"
sleep 1
rss_after_burst=$(rss_kib "$pid")
python3 - "$work/state_fill.json" "$rss_idle" "$rss_full" "$rss_after_burst" "$(peak_rss_kib "$pid")" >"$work/state.json" <<'PY'
import json, sys
fill = json.load(open(sys.argv[1]))
fill.update(rss_idle_kib=int(sys.argv[2]), rss_full_kib=int(sys.argv[3]), rss_after_burst_kib=int(sys.argv[4]), peak_kib=int(sys.argv[5]))
print(json.dumps(fill))
PY
echo "    $(cat "$work/state.json")"

# Time to a hydrated protected page, in a fresh headless Chromium context per run.
echo "==> First protected page to hydrated, $hydrate_runs runs per mode"
# A user of its own: bench@example.com now has thousands of devices, which is not a first visit.
curl -sf -o /dev/null -X POST -H 'content-type: application/json' \
  -d "{\"email\":\"hydrate@example.com\",\"password\":\"$PASSWORD\"}" "$base/api/auth/register"
node scripts/bench_hydrate.mjs "$base" hydrate@example.com "$PASSWORD" "$hydrate_runs" >"$work/hydrate.json"
echo "    $(cat "$work/hydrate.json") ms"
kill "$pid"

# The hydrate bundle as a browser downloads it: wasm + js, gzip.
wasm_gz=$(gzip -9 -c target/site/pkg/secure-routes.wasm | wc -c)
js_gz=$(gzip -9 -c target/site/pkg/secure-routes.js | wc -c)

python3 scripts/bench_report.py "$results" "$wasm_gz" "$js_gz" "$duration" "$out_dir" "$work/state.json" "$work/hydrate.json"
echo "==> Wrote $out_dir/REPORT.md and $out_dir/chart.svg"
