#!/usr/bin/env bash
# The sanitizer stage of the test suite. The asan-ubsan preset (clang; AddressSanitizer,
# UndefinedBehaviorSanitizer and libFuzzer coverage, in build/asan-ubsan) builds the tests and
# the fuzzers; the tests run, then every fuzz target gets a 10-second smoke run.
#   bash scripts/sanitize.sh         # what CI runs: every test but the CLI-level ones (*cli_test,
#                                    # which drive the ASan faceberg binary ~10x slower), fuzz smoke
#   bash scripts/sanitize.sh --all   # every test, the CLI-level ones included, then fuzz smoke
# Needs scripts/setup.sh to have run (it installs clang). Exits non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
PRESET=asan-ubsan
BUILD=build/$PRESET
ALL=0
case "${1:-}" in
  --all) ALL=1 ;;
  "") ;;
  *) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac

if [ ! -f "$BUILD/build.ninja" ]; then
  cmake --preset "$PRESET" >/dev/null
fi
# Test names are their executables' names (faceberg_add_test).
mapfile -t TESTS < <(ctest --test-dir "$BUILD" -N | sed -n 's/^ *Test *#[0-9]*: //p')
if [ "$ALL" -eq 0 ]; then
  mapfile -t TESTS < <(printf '%s\n' "${TESTS[@]}" | grep -v 'cli_test$')
fi
echo "== building ${#TESTS[@]} test executables with ASan + UBSan ($BUILD)"
if [ "$ALL" -eq 1 ]; then
  cmake --build "$BUILD" -j2  # the CLI tests run the faceberg binary too
else
  cmake --build "$BUILD" -j2 --target "${TESTS[@]}"
fi

status=0
echo "== ASan + UBSan tests"
if [ "$ALL" -eq 1 ]; then
  ctest --preset "$PRESET" -j2 || status=1
else
  ctest --preset "$PRESET" -j2 -E 'cli_test$' || status=1
fi

echo "== fuzz smoke run"
FACEBERG_FUZZ_BUILD="$BUILD" bash scripts/fuzz.sh --smoke || status=1
exit $status
