#!/usr/bin/env bash
# Basic table operations on a plain folder catalog: registers two Parquet files written by pyarrow,
# inserts more rows, scans with a filter, runs SQL, travels back in time, and reads the table with
# PyIceberg and DuckDB's iceberg extension. Needs scripts/setup.sh to have run.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
FACEBERG="${FACEBERG_BIN:-$ROOT/build/${FACEBERG_PRESET:-release}/src/cli/faceberg}"
PY="$ROOT/.venv/bin/python"
WORK=$(mktemp -d /tmp/faceberg-basics.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

step() { printf '\n$ %s\n' "$*"; "$@"; }
faceberg() { "$FACEBERG" "$@"; }

"$PY" - <<'PY'
import pyarrow as pa, pyarrow.parquet as pq
for name, start, split in (("train", 0, "train"), ("test", 1000, "test")):
    n = 5 if split == "train" else 3
    pq.write_table(pa.table({
        "id": pa.array(range(start, start + n), pa.int64()),
        "text": [f"{split} example {i}" for i in range(n)],
        "split": [split] * n,
    }), f"{name}.parquet")
PY

step faceberg --catalog warehouse init
step faceberg --catalog warehouse create demo.examples --schema "id long not null, text string, split string" --partition-by split
step faceberg --catalog warehouse add-files demo.examples train.parquet
step faceberg --catalog warehouse add-files demo.examples test.parquet
FIRST=$("$FACEBERG" --catalog warehouse --json snapshots demo.examples | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["snapshots"][0]["snapshot-id"])')
step faceberg --catalog warehouse insert demo.examples --values "(2000, 'validation example 0', 'validation'), (2001, 'validation example 1', 'validation')"
step faceberg --catalog warehouse list
step faceberg --catalog warehouse snapshots demo.examples
step faceberg --catalog warehouse scan demo.examples --where "split = 'test' AND id >= 1001"
step faceberg --catalog warehouse scan demo.examples --where "split = 'test'" --explain
step faceberg --catalog warehouse sql "SELECT split, count(*) AS n FROM demo.examples GROUP BY split ORDER BY split"
step faceberg --catalog warehouse sql "SELECT count(*) AS rows_in_first_snapshot FROM demo.examples@$FIRST"

printf '\n$ python: PyIceberg StaticTable and DuckDB iceberg_scan read the table\n'
"$PY" - <<'PY'
import pathlib, sysconfig, duckdb
from pyiceberg.table import StaticTable
loc = pathlib.Path("warehouse/demo/examples").resolve()
hint = (loc / "metadata/version-hint.text").read_text()
table = StaticTable.from_metadata(str(loc / f"metadata/v{hint}.metadata.json"))
print("PyIceberg rows:", table.scan().to_arrow().num_rows, "| snapshots:", len(table.snapshots()),
      "| test split:", table.scan(row_filter="split == 'test'").to_arrow().num_rows)
con = duckdb.connect()
con.execute("SET autoinstall_known_extensions=false; SET autoload_known_extensions=false")
con.execute(f"SET extension_directory='{pathlib.Path(sysconfig.get_paths()['purelib']) / 'duckdb_ext/extensions'}'")
con.execute("LOAD avro; LOAD iceberg")
print("DuckDB:", con.execute(f"SELECT split, count(*) FROM iceberg_scan('{loc}') GROUP BY split ORDER BY split").fetchall())
PY
