#!/usr/bin/env bash
# Querying faceberg tables from DuckDB (the Python duckdb with its iceberg extension, loaded
# offline): iceberg_scan straight on a table folder, then ATTACH to `faceberg serve` (the Iceberg
# REST catalog) to list, select, time travel with AT (VERSION => ...) and INSERT, which faceberg
# sees as an ordinary snapshot. Needs scripts/setup.sh to have run.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
FACEBERG="${FACEBERG_BIN:-$ROOT/build/${FACEBERG_PRESET:-release}/src/cli/faceberg}"
PY="$ROOT/.venv/bin/python"
WORK=$(mktemp -d /tmp/faceberg-duckdb.XXXXXX)
SERVE_PID=""
cleanup() {
  if [ -n "$SERVE_PID" ]; then kill "$SERVE_PID" 2>/dev/null || true; wait "$SERVE_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"

step() { printf '\n$ %s\n' "$*"; "$@"; }
faceberg() { "$FACEBERG" "$@"; }
export FACEBERG_CATALOG="$WORK/warehouse"
printf '# FACEBERG_CATALOG=%s (a folder catalog)\n' "warehouse"

step faceberg init
# Unpartitioned: DuckDB 1.4 refuses INSERT into a partitioned Iceberg table.
step faceberg create sales.orders --schema "id long not null, region string, amount double"
step faceberg insert sales.orders --values "(1, 'eu', 10.5), (2, 'us', 20.0), (3, 'eu', 7.25)"
step faceberg insert sales.orders --values "(4, 'apac', 99.0)"
FIRST=$(faceberg --json snapshots sales.orders |
  "$PY" -c 'import json,sys; print(json.load(sys.stdin)["snapshots"][0]["snapshot-id"])')
export FIRST

# The DuckDB connection every step below uses: avro, httpfs and iceberg from the pinned PyPI
# extension packages (never downloaded).
cat > duck.py <<'PY'
import pathlib, sysconfig, duckdb
def connect():
    con = duckdb.connect()
    con.execute("SET autoinstall_known_extensions = false; SET autoload_known_extensions = false")
    ext = pathlib.Path(sysconfig.get_paths()["purelib"]) / "duckdb_ext" / "extensions"
    con.execute(f"SET extension_directory = '{ext}'")
    for name in ("httpfs", "avro", "iceberg"):
        con.execute(f"LOAD {name}")
    return con
def show(con, sql):
    print(f"D {sql}")
    cur = con.execute(sql)
    rows = cur.fetchall()
    if [d[0] for d in cur.description] == ["Success"]:
        return
    print("  " + " | ".join(d[0] for d in cur.description))
    for row in rows:
        print("  " + " | ".join(str(v) for v in row))
PY

printf '\n$ python: DuckDB iceberg_scan on the table folder (no catalog, no server)\n'
"$PY" - <<'PY'
import os
from duck import connect, show
con = connect()
show(con, "SELECT region, count(*) AS orders, sum(amount) AS total "
          "FROM iceberg_scan('warehouse/sales/orders') GROUP BY region ORDER BY region")
show(con, "SELECT sequence_number, snapshot_id FROM iceberg_snapshots('warehouse/sales/orders') "
          "ORDER BY sequence_number")
PY

printf '\n# the Iceberg REST catalog server over the same folder\n'
"$FACEBERG" serve --port 0 > serve.out 2> serve.log &
SERVE_PID=$!
for _ in $(seq 100); do [ -s serve.out ] && break; sleep 0.1; done
head -1 serve.out
export ENDPOINT
ENDPOINT=$(awk 'NR==1 {print $2}' serve.out)

printf '\n$ python: DuckDB ATTACHes faceberg serve\n'
"$PY" - <<'PY'
import os
from duck import connect, show
con = connect()
show(con, f"ATTACH '' AS fb (TYPE ICEBERG, ENDPOINT '{os.environ['ENDPOINT']}', AUTHORIZATION_TYPE 'none')")
show(con, "SELECT database, schema, name FROM (SHOW ALL TABLES) WHERE database = 'fb'")
show(con, "SELECT * FROM fb.sales.orders ORDER BY id")
show(con, f"SELECT count(*) AS rows_at_first FROM fb.sales.orders AT (VERSION => {os.environ['FIRST']})")
show(con, "INSERT INTO fb.sales.orders VALUES (5, 'us', 42.0), (6, 'eu', 1.0)")
show(con, "SELECT region, count(*) AS orders FROM fb.sales.orders GROUP BY region ORDER BY region")
PY

printf '\n# faceberg sees the snapshot DuckDB committed\n'
step faceberg snapshots sales.orders
step faceberg scan sales.orders --where "id >= 5"
printf '\nduckdb finished\n'
