#!/usr/bin/env bash
# Installs whatever is missing to build and run Secure Routes; each step is skipped when done.
#   scripts/setup.sh          toolchain, cargo-leptos, wasm-bindgen, wasm-opt
#   scripts/setup.sh --test   the above plus Chromium and the Playwright packages
# Safe to run again and again: on a ready machine it takes a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

say() { printf '\n==> %s\n' "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }

if ! have cargo || ! have rustup; then
  echo "Rust (rustup + cargo) is required: see https://rustup.rs" >&2
  exit 1
fi

# 1. The pinned toolchain and the wasm target (an already-installed toolchain lacks the target).
toolchain=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
if ! rustup toolchain list | grep -q "^$toolchain"; then
  say "Installing Rust $toolchain (one time, ~1-2 min)"
  rustup toolchain install "$toolchain" --profile minimal --component clippy,rustfmt
fi
if ! rustup target list --installed --toolchain "$toolchain" | grep -q wasm32-unknown-unknown; then
  say "Adding the wasm32-unknown-unknown target (one time, ~30 s)"
  rustup target add wasm32-unknown-unknown --toolchain "$toolchain"
fi

# 2. cargo-leptos, the build tool that compiles server and wasm bundle together.
if ! cargo leptos --version 2>/dev/null | grep -q "0.3.11"; then
  say "Installing cargo-leptos 0.3.11 (one time, ~15-20 min on 2 cores)"
  cargo install cargo-leptos --locked --version 0.3.11
fi

# 3. wasm-bindgen-cli at exactly the version in Cargo.lock (cargo-leptos would try to download
#    it, which fails without internet access beyond the registries). Not --locked: its own
#    lockfile pins a crate the registry no longer has.
wb_version=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')
if ! wasm-bindgen --version 2>/dev/null | grep -q " $wb_version$"; then
  say "Installing wasm-bindgen-cli $wb_version (one time, ~2-3 min)"
  cargo install wasm-bindgen-cli --version "$wb_version" --force
fi

# 4. Node packages: a current wasm-opt (npm binaryen; Debian's is too old and breaks hydration)
#    and, for tests, Playwright.
if ! have npm; then
  say "Installing Node.js and npm (Debian packages, ~1 min)"
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm
fi
if [ ! -x end2end/node_modules/.bin/wasm-opt ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  say "Installing Node packages for end2end/ (wasm-opt, Playwright; ~1 min)"
  (cd end2end && npm ci --no-audit --no-fund)
fi

# 5. For tests: Chromium from Debian (Playwright cannot download its own browsers here).
if [ "$want_test" = 1 ] && [ ! -x /usr/bin/chromium ]; then
  say "Installing Chromium (Debian package, one time, ~1-2 min)"
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
fi

# 6. For tests: a nightly toolchain and cargo-fuzz, for the coverage-guided fuzz targets in fuzz/
#    (libFuzzer needs nightly's sanitizer support; the app itself builds with the pinned stable).
if [ "$want_test" = 1 ]; then
  if ! rustup toolchain list | grep -q '^nightly'; then
    say "Installing a nightly Rust toolchain for fuzzing (one time, ~1-2 min)"
    rustup toolchain install nightly --profile minimal
  fi
  if ! cargo fuzz --version >/dev/null 2>&1; then
    say "Installing cargo-fuzz (one time, ~1-4 min)"
    cargo install cargo-fuzz --locked
  fi
  # 7. cargo-audit, to check Cargo.lock against the RustSec advisories.
  if ! cargo audit --version >/dev/null 2>&1; then
    say "Installing cargo-audit (one time, ~6 min)"
    cargo install cargo-audit --locked
  fi
fi

echo "setup: ready"
