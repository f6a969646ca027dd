#!/usr/bin/env bash
# Runs the whole test suite on a fresh or prepared machine: setup (idempotent), the C++ unit and
# CLI tests (ctest), then the interop tests (pytest: PyIceberg, DuckDB's iceberg extension,
# huggingface_hub). Exits non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
PRESET=${FACEBERG_PRESET:-release}
bash scripts/setup.sh

echo "== C++ tests (ctest, preset $PRESET)"
status=0
ctest --preset "$PRESET" -j2 || status=1

echo "== interop tests (pytest)"
FACEBERG_BIN="$(pwd)/build/$PRESET/src/cli/faceberg" .venv/bin/python -m pytest tests/interop tests/reliability -q -p no:cacheprovider || status=1
exit $status
