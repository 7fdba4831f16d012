#!/usr/bin/env bash
# Runs each fuzz target in fuzz/ for a while (coverage-guided, libFuzzer via cargo fuzz).
#   scripts/fuzz.sh          20 s per target (what the test command runs)
#   scripts/fuzz.sh 3600     an hour per target (before a release)
# A crash fails the run and leaves the input in fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-20}"
mkdir -p target
for target in cookie_header access_token login_body; do
  echo "==> fuzzing $target for ${secs}s"
  log="target/fuzz-$target.log"
  if ! cargo +nightly fuzz run --fuzz-dir fuzz "$target" "fuzz/corpus/$target" -- \
      -max_total_time="$secs" -rss_limit_mb=4096 >"$log" 2>&1; then
    tail -40 "$log"
    echo "fuzz target $target failed: see $log and fuzz/artifacts/$target/" >&2
    exit 1
  fi
  grep -E "^Done [0-9]+ runs" "$log" || tail -2 "$log"
done
