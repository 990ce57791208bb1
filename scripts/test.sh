#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian machine with the Rust toolchain:
# installs what the tests need (xmllint, systemd-analyze, setpriv, Chromium, openssl, a Python
# virtualenv with kubernetes-validate, the s3s-fs S3 server, cargo-nextest), then runs formatting, lint,
# a check that the fuzz targets compile, and every test.
# CI (.ci/run) calls exactly this script.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v xmllint >/dev/null 2>&1 || missing+=(libxml2-utils)
command -v cc >/dev/null 2>&1 || missing+=(gcc)
# libFuzzer (C++) is compiled when the fuzz targets are checked.
command -v c++ >/dev/null 2>&1 || missing+=(g++)
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
# setpriv runs the unreadable-file test as an unprivileged user when the suite runs as root.
command -v setpriv >/dev/null 2>&1 || missing+=(util-linux)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
python3 -m venv --help >/dev/null 2>&1 || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ ! -x .venv/bin/kubernetes-validate ]; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check kubernetes-validate==1.37.0
fi
export JOBFEED_KUBERNETES_VALIDATE="$PWD/.venv/bin/kubernetes-validate"

# A real S3-compatible server (checks request signatures) for the publishing tests.
if ! command -v s3s-fs >/dev/null 2>&1 && [ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/s3s-fs" ]; then
  cargo install --locked s3s-fs --version 0.14.1 --features binary
fi
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
command -v openssl >/dev/null 2>&1 || { as_root apt-get update -qq; as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl; }

if ! cargo nextest --version >/dev/null 2>&1; then
  cargo install --locked cargo-nextest
fi

cargo fmt --check
cargo clippy --all-targets --locked -- -D warnings
# The fuzz targets are a workspace of their own, which nothing else compiles: checked here so
# that a change to the types they use cannot leave them broken unnoticed.
cargo check --locked --manifest-path fuzz/Cargo.toml --bins
cargo nextest run --locked --no-fail-fast
