#!/usr/bin/env bash
# Sets up whatever is missing, then runs every test:
#   0. cargo audit of both lockfiles against the RustSec advisory snapshot
#   1. unit and HTTP integration tests (cargo test: auth core, app, real server on random ports)
#   1b. the HTTP suite again on PostgreSQL + Redis, then two instances sharing them and the
#      fault tests (throwaway servers on loopback from scripts/services.sh)
#   2. a short coverage-guided fuzz run of the parsers that see untrusted input
#   3. browser tests (Playwright in headless Chromium against a release build, including the
#      login timing comparison that only a release build can make)
#   4. a smoke run of the load test (scripts/bench.sh --smoke, 2 s per scenario), so that the
#      harness behind bench/REPORT.md keeps working; it checks the harness, not the budgets
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
source scripts/env.sh

echo; echo "==> Supply chain: Cargo.lock against the RustSec advisories (accepted ones: .cargo/audit.toml)"
# The online database cannot be fetched here; shared/advisory-db is a dated snapshot of it.
advisory_db="${ADVISORY_DB:-../shared/advisory-db}"
if [ ! -d "$advisory_db/crates" ]; then
  echo "No RustSec advisory database at $advisory_db (set ADVISORY_DB to a checkout of it)." >&2
  exit 1
fi
cargo audit --db "$advisory_db" --no-fetch
cargo audit --db "$advisory_db" --no-fetch --file fuzz/Cargo.lock

echo; echo "==> Unit and integration tests (SQLite)"
cargo test -p auth -p app -p server

echo; echo "==> The HTTP suite on PostgreSQL + Redis, two instances, faults"
scripts/services.sh start
trap 'scripts/services.sh stop' EXIT
eval "$(scripts/services.sh test-env)"
cargo test -p server --test api
cargo test -p server --test scale_out -- --include-ignored --nocapture
unset TEST_DATABASE_URL TEST_REDIS_URL

echo; echo "==> Fuzzing the cookie, token and login-body parsers (20 s each; first build ~5 min)"
scripts/fuzz.sh 20

echo; echo "==> Browser tests (release build, then Playwright)"
e2e_dir="$PWD/target/e2e"
rm -rf "$e2e_dir" && mkdir -p "$e2e_dir"
export DATABASE_URL="sqlite://$e2e_dir/app.db"
export LOG_LEVEL="${LOG_LEVEL:-warn}"
# Short-lived access tokens and no leeway, so the browser tests see real expiries and refreshes.
export ACCESS_TOKEN_TTL=8s JWT_LEEWAY_SECS=0
# The browser tests sign in dozens of times from one address within a minute; the limits
# themselves are proven by the HTTP tests (server/tests/api/attacks/rate_limits.rs).
export AUTH_RATE_PER_MINUTE=100000 REFRESH_RATE_PER_MINUTE=100000
cargo leptos build --release
# The browser tests sign in as an admin; there is no default one, so make it here.
ADMIN_PASSWORD="e2e admin passphrase" target/release/server create-admin --email admin@example.com
cargo leptos end-to-end --release

echo; echo "==> Load-test smoke (2 s per scenario; the harness, not the budgets)"
scripts/bench.sh --smoke
test -s target/bench/REPORT.md
