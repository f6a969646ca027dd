#!/usr/bin/env bash
# Runs faceberg's libFuzzer targets (fuzz/) for a fixed time budget each. Not part of the default
# test run; CI runs only the smoke run.
#   scripts/fuzz.sh TARGET SECONDS   one target (names: scripts/fuzz.sh --list)
#   scripts/fuzz.sh --all SECONDS    every target, one after the other
#   scripts/fuzz.sh --smoke          every target for 10 seconds (what CI runs)
#   scripts/fuzz.sh --list           the target names
# The fuzzers come from the asan-ubsan preset (clang, ASan + UBSan + libFuzzer coverage) in
# build/asan-ubsan, configured and built here when missing; FACEBERG_FUZZ_BUILD=build/NAME uses
# another build tree (configured from the same preset if it has no build.ninja yet).
#
# Each target works in BUILD/fuzz-work/TARGET/: corpus/ starts as a copy of the checked-in seeds
# fuzz/corpus/TARGET/ (never written to) and keeps what earlier runs found; crashers, leaks,
# timeouts and OOMs are saved in artifacts/, the fuzzer's output in fuzz.log.
# Prints per target: seconds, executions, executions per second, corpus size and crashes; exits
# non-zero when any target crashed (minimize a crasher with
#   BUILD/fuzz/TARGET_fuzzer -minimize_crash=1 -runs=100000 CRASHER
# then save it under tests/data/fuzz-regressions/TARGET/ as its regression test).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=${FACEBERG_FUZZ_BUILD:-build/asan-ubsan}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac

TARGETS=(avro_container parquet_footer table_metadata bridge_config hf_uri filter_expression
         rest_request)

# Largest input per target: a little above the largest seed for binary formats, small for text.
max_len() {
  case "$1" in
    avro_container | parquet_footer | table_metadata) echo 65536 ;;
    rest_request) echo 16384 ;;
    bridge_config) echo 8192 ;;
    filter_expression) echo 4096 ;;
    hf_uri) echo 1024 ;;
    *) echo 4096 ;;
  esac
}

usage() {
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

known() {
  local t
  for t in "${TARGETS[@]}"; do [ "$t" = "$1" ] && return 0; done
  return 1
}

# Configures (if needed) and builds the fuzzers of the given targets.
build() {
  if [ ! -f "$BUILD/build.ninja" ]; then
    echo "== configuring $BUILD (preset asan-ubsan)" >&2
    cmake --preset asan-ubsan -B "$BUILD" >/dev/null
  fi
  if ! grep -q '^FACEBERG_BUILD_FUZZERS:BOOL=ON' "$BUILD/CMakeCache.txt"; then
    echo "$BUILD is not configured with FACEBERG_BUILD_FUZZERS=ON (use the asan-ubsan preset)" >&2
    exit 2
  fi
  local names=()
  local t
  for t in "$@"; do names+=("${t}_fuzzer"); done
  echo "== building ${names[*]}" >&2
  cmake --build "$BUILD" -j2 --target "${names[@]}" >&2
}

# Runs one target for $2 seconds; appends its summary row to SUMMARY; returns 1 on a crash.
run_target() {
  local target=$1 seconds=$2
  local work="$BUILD/fuzz-work/$target"
  mkdir -p "$work/corpus" "$work/artifacts"
  cp -n "$ROOT/fuzz/corpus/$target/"* "$work/corpus/" 2>/dev/null || true
  local dict=()
  [ -f "$ROOT/fuzz/dict/$target.dict" ] && dict=("-dict=$ROOT/fuzz/dict/$target.dict")
  local before
  before=$(find "$work/artifacts" -type f | wc -l)
  echo "== $target: ${seconds}s (log: $work/fuzz.log)" >&2
  local rc=0
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
    "$BUILD/fuzz/${target}_fuzzer" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
    -max_len="$(max_len "$target")" "${dict[@]}" -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/" "$work/corpus" >"$work/fuzz.log" 2>&1 || rc=$?
  local execs rate corpus after crashes
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/fuzz.log" | tail -1)
  corpus=$(find "$work/corpus" -type f | wc -l)
  after=$(find "$work/artifacts" -type f | wc -l)
  crashes=$((after - before))
  if [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ]; then crashes=1; fi
  printf '%-18s %8s %12s %9s %7s %8s\n' "$target" "$seconds" "${execs:-?}" "${rate:-?}" \
    "$corpus" "$crashes" >>"$SUMMARY"
  if [ "$crashes" -ne 0 ]; then
    echo "!! $target crashed (exit $rc); artifacts in $work/artifacts:" >&2
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|FUZZ_CHECK|artifact_prefix|Test unit written)' \
      "$work/fuzz.log" | head -20 >&2 || true
    return 1
  fi
}

[ $# -ge 1 ] || usage
case "$1" in
  --list) printf '%s\n' "${TARGETS[@]}"; exit 0 ;;
  --smoke) [ $# -eq 1 ] || usage; selected=("${TARGETS[@]}"); seconds=10 ;;
  --all) [ $# -eq 2 ] || usage; selected=("${TARGETS[@]}"); seconds=$2 ;;
  -*) usage ;;
  *)
    [ $# -eq 2 ] || usage
    known "$1" || { echo "unknown target '$1'; targets: ${TARGETS[*]}" >&2; exit 2; }
    selected=("$1"); seconds=$2 ;;
esac
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "SECONDS must be a positive integer" >&2; exit 2; }

build "${selected[@]}"
SUMMARY=$(mktemp)
trap 'rm -f "$SUMMARY"' EXIT
status=0
for t in "${selected[@]}"; do run_target "$t" "$seconds" || status=1; done
echo
printf '%-18s %8s %12s %9s %7s %8s\n' target seconds executions execs/s corpus crashes
cat "$SUMMARY"
exit $status
