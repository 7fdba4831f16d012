#!/usr/bin/env bash
# Sets up whatever is missing, then runs every test:
#   1. unit and HTTP integration tests (cargo test: auth core, app, real server on random ports)
#   2. browser tests (Playwright in headless Chromium against a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
source scripts/env.sh

echo; echo "==> Unit and integration tests"
cargo test -p auth -p app -p server

echo; echo "==> Browser tests (release build, then Playwright)"
e2e_dir="$PWD/target/e2e"
rm -rf "$e2e_dir" && mkdir -p "$e2e_dir"
export DATABASE_URL="sqlite://$e2e_dir/app.db"
export LOG_LEVEL="${LOG_LEVEL:-warn}"
# Short-lived access tokens and no leeway, so the browser tests see real expiries and refreshes.
export ACCESS_TOKEN_TTL=8s JWT_LEEWAY_SECS=0
cargo leptos build --release
# The browser tests sign in as an admin; there is no default one, so make it here.
ADMIN_PASSWORD="e2e admin passphrase" target/release/server create-admin --email admin@example.com
cargo leptos end-to-end --release
