#!/usr/bin/env bash
# Time travel on a plain folder catalog: three appends make three snapshots; read the table as it
# was by snapshot id, by time and by tag or branch (scan and SQL), commit to a branch without
# touching main, list refs and history, and diff two snapshots. Needs scripts/setup.sh to have run.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
FACEBERG="${FACEBERG_BIN:-$ROOT/build/${FACEBERG_PRESET:-release}/src/cli/faceberg}"
PY="$ROOT/.venv/bin/python"
WORK=$(mktemp -d /tmp/faceberg-time-travel.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

step() { printf '\n$ %s\n' "$*"; "$@"; }
faceberg() { "$FACEBERG" "$@"; }
export FACEBERG_CATALOG="$WORK/warehouse"
printf '# FACEBERG_CATALOG=%s (a folder catalog)\n' "warehouse"
# snapshot_field INDEX FIELD: a field of the table's INDEX-th snapshot (0 = oldest).
snapshot_field() {
  faceberg --json snapshots shop.orders |
    "$PY" -c "import json,sys; print(json.load(sys.stdin)['snapshots'][$1]['$2'])"
}

step faceberg init
step faceberg create shop.orders --schema "id long not null, item string, qty int"
step faceberg insert shop.orders --values "(1, 'apple', 3), (2, 'pear', 1)"
FIRST=$(snapshot_field 0 snapshot-id)
FIRST_TIME=$(snapshot_field 0 timestamp)
step faceberg tag shop.orders v1
step faceberg insert shop.orders --values "(3, 'plum', 7)"
SECOND=$(snapshot_field 1 snapshot-id)
step faceberg insert shop.orders --values "(4, 'fig', 2), (5, 'kiwi', 4)"
step faceberg snapshots shop.orders
step faceberg history shop.orders

printf '\n# the table now, and as it was\n'
step faceberg scan shop.orders
step faceberg scan shop.orders --snapshot "$SECOND"
step faceberg scan shop.orders --as-of "$FIRST_TIME"
step faceberg scan shop.orders --ref v1
step faceberg sql "SELECT count(*) AS now FROM shop.orders"
step faceberg sql "SELECT count(*) AS at_second FROM shop.orders@$SECOND"
step faceberg sql "SELECT count(*) AS at_first_time FROM shop.orders@'$FIRST_TIME'"
step faceberg sql "SELECT n.id, n.item FROM shop.orders n ANTI JOIN shop.orders@$FIRST o ON n.id = o.id ORDER BY n.id"

printf '\n# a branch: commits there leave main unchanged\n'
step faceberg branch shop.orders audit --snapshot "$SECOND"
step faceberg insert shop.orders --branch audit --values "(99, 'audit row', 0)"
step faceberg refs shop.orders
step faceberg scan shop.orders --ref audit
step faceberg sql "SELECT count(*) AS rows_on_main FROM shop.orders"
step faceberg diff shop.orders v1 main
step faceberg diff shop.orders main audit
printf '\ntime travel finished\n'
