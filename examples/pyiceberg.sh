#!/usr/bin/env bash
# Querying and writing faceberg tables from PyIceberg: a faceberg `sqlite:` catalog is the same
# database PyIceberg's SqlCatalog (catalog name "faceberg") opens, and `faceberg serve` is an
# Iceberg REST catalog for PyIceberg's RestCatalog. Both load, scan and append; faceberg reads
# PyIceberg's snapshots like its own. Needs scripts/setup.sh to have run.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
FACEBERG="${FACEBERG_BIN:-$ROOT/build/${FACEBERG_PRESET:-release}/src/cli/faceberg}"
PY="$ROOT/.venv/bin/python"
WORK=$(mktemp -d /tmp/faceberg-pyiceberg.XXXXXX)
SERVE_PID=""
cleanup() {
  if [ -n "$SERVE_PID" ]; then kill "$SERVE_PID" 2>/dev/null || true; wait "$SERVE_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"

step() { printf '\n$ %s\n' "$*"; "$@"; }
faceberg() { "$FACEBERG" "$@"; }
export FACEBERG_CATALOG="sqlite:$WORK/catalog.db"
printf '# FACEBERG_CATALOG=sqlite:catalog.db (tables under warehouse/ beside it)\n'

step faceberg init
step faceberg create ml.runs --schema "id long not null, model string, loss double"
step faceberg insert ml.runs --values "(1, 'small', 0.9), (2, 'base', 0.7)"

printf '\n$ python: PyIceberg SqlCatalog on the same SQLite file\n'
"$PY" - <<'PY'
import pyarrow as pa
from pyiceberg.catalog.sql import SqlCatalog
catalog = SqlCatalog("faceberg", uri="sqlite:///catalog.db", warehouse="file://warehouse")
print("namespaces:", catalog.list_namespaces(), "| tables:", catalog.list_tables("ml"))
table = catalog.load_table("ml.runs")
print("schema:", [(f.name, str(f.field_type)) for f in table.schema().fields])
print("rows:", sorted(table.scan().to_arrow().to_pylist(), key=lambda r: r["id"]))
# The table's own Arrow schema: "id" is required, so the Arrow field must be non-nullable.
table.append(pa.Table.from_pylist([{"id": 3, "model": "large", "loss": 0.5}],
                                  schema=table.schema().as_arrow()))
print("appended with SqlCatalog; snapshots:", len(table.refresh().snapshots()))
PY
step faceberg scan ml.runs --where "loss < 0.8"

printf '\n# the Iceberg REST catalog server over the same catalog\n'
"$FACEBERG" serve --port 0 > serve.out 2> serve.log &
SERVE_PID=$!
for _ in $(seq 100); do [ -s serve.out ] && break; sleep 0.1; done
head -1 serve.out
export ENDPOINT
ENDPOINT=$(awk 'NR==1 {print $2}' serve.out)

printf '\n$ python: PyIceberg RestCatalog against faceberg serve\n'
"$PY" - <<'PY'
import os
import pyarrow as pa
from pyiceberg.catalog.rest import RestCatalog
catalog = RestCatalog("faceberg", uri=os.environ["ENDPOINT"])
print("tables:", catalog.list_tables("ml"))
table = catalog.load_table("ml.runs")
print("rows with loss < 0.8:", table.scan(row_filter="loss < 0.8", selected_fields=("id", "model")).to_arrow().num_rows)
first = table.snapshots()[0].snapshot_id
print("rows at the first snapshot:", table.scan(snapshot_id=first).to_arrow().num_rows)
table.append(pa.Table.from_pylist([{"id": 4, "model": "xl", "loss": 0.4},
                                   {"id": 5, "model": "xxl", "loss": 0.35}],
                                  schema=table.schema().as_arrow()))
print("appended through REST; snapshots:", len(catalog.load_table("ml.runs").snapshots()))
PY

printf '\n# faceberg sees both appends\n'
step faceberg snapshots ml.runs
step faceberg scan ml.runs
step faceberg sql "SELECT model, loss FROM ml.runs WHERE loss = (SELECT min(loss) FROM ml.runs)"
printf '\npyiceberg finished\n'
