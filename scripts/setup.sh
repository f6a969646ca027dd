#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (as root) to build, run and test faceberg, then builds it.
# Idempotent: each step is skipped when already done, so a second run takes seconds.
#   bash scripts/setup.sh            # everything, release build in build/release
#   FACEBERG_PRESET=asan-ubsan bash scripts/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PRESET=${FACEBERG_PRESET:-release}

log() { printf '\n== %s\n' "$*" >&2; }

APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  nlohmann-json3-dev libyaml-cpp-dev libcurl4-openssl-dev libsqlite3-dev libcli11-dev libfmt-dev
  libssl-dev zlib1g-dev libsnappy-dev libzstd-dev uuid-dev libcpp-httplib-dev libgtest-dev
  libgmock-dev libbenchmark-dev clang-format clang
)
# Node/npm and a Python with venv may already come from elsewhere (pyenv, nodesource); use them.
command -v npm >/dev/null || APT_PACKAGES+=(nodejs npm)
python3 -c 'import venv, ensurepip' 2>/dev/null || APT_PACKAGES+=(python3 python3-venv)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# DuckDB's shared library, pinned in package.json / package-lock.json.
DUCKDB_LIB=node_modules/@duckdb/node-bindings-linux-x64/libduckdb.so
if [ ! -f "$DUCKDB_LIB" ] || [ package-lock.json -nt "$DUCKDB_LIB" ]; then
  log "installing the pinned DuckDB library (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  touch "$DUCKDB_LIB"
fi

# Python venv for the interop tests (PyIceberg, DuckDB + iceberg extension, huggingface_hub).
STAMP=.venv/.requirements-installed
if [ ! -f "$STAMP" ] || ! cmp -s requirements-test.txt "$STAMP"; then
  log "creating the Python test venv in .venv"
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check -r requirements-test.txt
  cp requirements-test.txt "$STAMP"
fi

log "building faceberg ($PRESET)"
if [ ! -f "build/$PRESET/build.ninja" ]; then
  cmake --preset "$PRESET" >/dev/null
fi
cmake --build --preset "$PRESET"
log "ready: $ROOT/build/$PRESET/src/cli/faceberg"
