#!/usr/bin/env bash
# Sets up whatever is missing, then builds (release) and serves the app on http://127.0.0.1:3000
# with an SQLite database at data/app.db (override with DATABASE_URL).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
echo "Building and serving on http://127.0.0.1:3000 (first build ~5-10 min) ..."
exec cargo leptos serve --release
