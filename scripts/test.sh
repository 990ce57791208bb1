#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian machine with the Rust toolchain:
# installs what the tests need (xmllint, a C compiler, cargo-nextest), then runs
# formatting, lint and every test. CI (.ci/run) calls exactly this script.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v xmllint >/dev/null 2>&1 || missing+=(libxml2-utils)
command -v cc >/dev/null 2>&1 || missing+=(gcc)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
if ! cargo nextest --version >/dev/null 2>&1; then
  cargo install --locked cargo-nextest
fi

cargo fmt --check
cargo clippy --all-targets --locked -- -D warnings
cargo nextest run --locked --no-fail-fast
