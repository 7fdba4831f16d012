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
rounds=3            # paired measurements per budgeted scenario (see `paired` below)
out_dir=bench
state_count=10000   # live sessions, and as many token families, for the memory scenario
hydrate_runs=5
if [ "${1:-}" = "--smoke" ]; then
  duration=2
  rounds=1
  out_dir=target/bench
  state_count=50
  hydrate_runs=1
fi
pair_duration=$((duration / 2))
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
# Results: one line per wrk run: name, group, server peak RSS (KiB), wrk output, round.
record() { # NAME GROUP LOG [ROUND]: the line for a wrk run against the server $pid
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$(peak_rss_kib "$pid")" "$3" "${4:-}" >>"$results"
}
# measure NAME GROUP URL [wrk args...]: one wrk run against the server $pid, one line of
# results. $secs (default: $duration) and $round (default: none) may be set for the call.
measure() {
  local name=$1 group=$2 url=$3; shift 3
  local log="$work/$name${round:+.$round}.$group.wrk"
  # A second of warm-up, not recorded: the first requests to a fresh server fill its pools.
  wrk -t2 -c32 -d1s "$@" "$url" >/dev/null
  wrk -t2 -c32 -d"${secs:-$duration}s" --latency "$@" "$url" >"$log"
  # A scenario that errors (non-2xx, socket errors) is not a measurement: say so and stop.
  if grep -q "Non-2xx or 3xx responses" "$log" && [ "$group" != "baseline" ] && [ "$group" != "pair_baseline" ]; then
    echo "scenario $name got error responses:" >&2; cat "$log" >&2; exit 1
  fi
  record "$name" "$group" "$log" "${round:-}"
  local label="$name${round:+ (round $round)}"
  [ "$group" = pair_baseline ] && label="baseline, before $label"
  echo "    $label: $(sed -n 's/^Requests\/sec:\s*//p' "$log") req/s"
}

# paired NAME URL [wrk args...]: a budgeted scenario, as $rounds rounds of (the baseline server,
# then this one), $pair_duration s each. The machine's speed drifts within a run (other tenants,
# frequency): a single baseline minutes away from a scenario moved its ratio by a tenth or more,
# so each ratio divides by the baseline measured just before it, and the report takes the
# median over the rounds.
paired() {
  local name=$1 url=$2; shift 2
  local scenario_pid=$pid
  for round in $(seq "$rounds"); do
    pid=$baseline_pid secs=$pair_duration measure "$name" pair_baseline "$baseline_url/api/me"
    pid=$scenario_pid secs=$pair_duration measure "$name" api "$url" "$@"
  done
  pid=$scenario_pid
  unset round
}

echo "==> Scenarios: ${duration}s each; budgeted ones as $rounds × ${pair_duration}s, each after a baseline run"
# /api/me without a credential: the auth layer finds nothing to look up, so this is the cost of
# the framework (routing, middleware, JSON) alone. It answers 401, which is the point. This
# server stays up for the whole run: every budgeted scenario is paired with a run against it.
start_server baseline
baseline_pid=$pid baseline_url=$base
measure baseline baseline "$base/api/me"

start_server session
cookie=$(session_cookie)
paired session_sqlite "$base/api/me" -H "Cookie: $cookie"
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
paired jwt_revocation_off "$base/api/me" -H "Authorization: Bearer $token"
kill "$pid"

start_server jwt_on --revocation-check on
token=$(access_token)
paired jwt_revocation_on "$base/api/me" -H "Authorization: Bearer $token"
measure ssr_jwt page "$base/dashboard" -H "Cookie: __Host-mode=jwt; __Host-access=$token" -H "Accept: text/html"

# Does hashing starve the runtime? p99 of authenticated /api/me alone, then while 32 connections
# hammer login. The probe sends a steady ~1,000 requests/s (4 connections, each waiting 4 ms
# between requests), so its latency is the server's answer time. A probe that itself saturates
# both cores measures how the cores are shared instead: its p99 alone swings between 0.3 and
# 3 ms from one run to the next (where the scheduler puts wrk and the workers), so that pair
# is reported as well, but not judged.
printf 'function delay() return 4 end\n' >"$work/paced.lua"
contention_round() { # GROUP ROUND [wrk args...]
  local group=$1 r=$2; shift 2
  wrk -t1 -c4 -d"${pair_duration}s" --latency "$@" -H "Authorization: Bearer $token" "$base/api/me" >"$work/me_unloaded.$r.$group.wrk"
  wrk -t1 -c32 -d"$((pair_duration + 2))s" -s "$work/login.lua" "$base/api/auth/login" >"$work/hammer.$r.$group.wrk" &
  local hammer=$!
  sleep 1
  wrk -t1 -c4 -d"${pair_duration}s" --latency "$@" -H "Authorization: Bearer $token" "$base/api/me" >"$work/me_loaded.$r.$group.wrk"
  wait "$hammer"
  record me_unloaded "$group" "$work/me_unloaded.$r.$group.wrk" "$r"
  record me_under_login_load "$group" "$work/me_loaded.$r.$group.wrk" "$r"
  record login_during_probe "$group" "$work/hammer.$r.$group.wrk" "$r"
  echo "    login contention ($group, round $r): p99 $(sed -n 's/^ *99% *//p' "$work/me_unloaded.$r.$group.wrk") alone, $(sed -n 's/^ *99% *//p' "$work/me_loaded.$r.$group.wrk") under load"
}
for r in $(seq "$rounds"); do contention_round contention "$r" -s "$work/paced.lua"; done
contention_round contention_saturated 1
kill "$pid"

redis_url=$(scripts/services.sh env | sed -n 's/^export SESSION_STORE_URL=//p')
redis-cli -u "$redis_url" flushdb >/dev/null
start_server session_redis --session-store-url "$redis_url"
cookie=$(session_cookie)
paired session_redis "$base/api/me" -H "Cookie: $cookie"
kill "$pid"

# The baseline once more at the end, to show how far the machine drifted during the run.
pid=$baseline_pid measure baseline_end baseline "$baseline_url/api/me"
kill "$baseline_pid"

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
