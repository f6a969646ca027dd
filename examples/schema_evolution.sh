#!/usr/bin/env bash
# Schema evolution and snapshot management on a plain folder catalog: add, rename, widen and drop
# columns while old snapshots keep reading with the schema they were written with; copy-on-write
# delete and overwrite; rollback; expire (dry run, then for real) and orphan clean-up. Needs
# scripts/setup.sh to have run.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
FACEBERG="${FACEBERG_BIN:-$ROOT/build/${FACEBERG_PRESET:-release}/src/cli/faceberg}"
PY="$ROOT/.venv/bin/python"
WORK=$(mktemp -d /tmp/faceberg-schema-evolution.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

step() { printf '\n$ %s\n' "$*"; "$@"; }
faceberg() { "$FACEBERG" "$@"; }
export FACEBERG_CATALOG="$WORK/warehouse"
printf '# FACEBERG_CATALOG=%s (a folder catalog)\n' "warehouse"
# snapshot_id INDEX: the table's INDEX-th snapshot id (0 = oldest, -1 = newest).
snapshot_id() {
  faceberg --json snapshots lab.runs |
    "$PY" -c "import json,sys; print(json.load(sys.stdin)['snapshots'][$1]['snapshot-id'])"
}

step faceberg init
step faceberg create lab.runs --schema "id int not null, name string, score float"
step faceberg insert lab.runs --values "(1, 'baseline', 0.5), (2, 'dropout', 0.25)"
FIRST=$(snapshot_id 0)

printf '\n# evolve the schema: every change is a new schema id, data files are not rewritten\n'
step faceberg alter lab.runs add-column tags "list<string>" --doc "free-form labels"
step faceberg alter lab.runs add-column lr double --after name
step faceberg alter lab.runs rename-column name run_name
step faceberg alter lab.runs update-column id --type long
step faceberg alter lab.runs update-column score --type double
step faceberg insert lab.runs --values "(3, 'warmup', 0.001, 0.75, ['fast', 'cheap'])"
step faceberg alter lab.runs drop-column tags
step faceberg schema lab.runs
step faceberg schema lab.runs --snapshot "$FIRST"
step faceberg scan lab.runs
step faceberg scan lab.runs --snapshot "$FIRST"

printf '\n# row-level changes (copy-on-write: affected files are rewritten)\n'
step faceberg delete lab.runs --where "score < 0.3"
step faceberg overwrite lab.runs --where "id = 1" --values "(1, 'baseline', 0.01, 0.55)"
step faceberg scan lab.runs
step faceberg snapshots lab.runs
BEFORE_DELETE=$(snapshot_id 1)

printf '\n# snapshot management\n'
step faceberg rollback lab.runs --to-snapshot "$BEFORE_DELETE"
step faceberg scan lab.runs
step faceberg history lab.runs
step faceberg expire lab.runs --older-than 0ms --retain-last 2 --dry-run
step faceberg expire lab.runs --older-than 0ms --retain-last 2
step faceberg snapshots lab.runs
touch warehouse/lab/runs/data/stray-file.parquet
step faceberg orphans lab.runs --older-than 0ms --dry-run
step faceberg orphans lab.runs --older-than 0ms
step faceberg scan lab.runs --select id,run_name,score
printf '\nschema evolution finished\n'
