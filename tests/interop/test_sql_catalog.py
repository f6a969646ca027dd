"""faceberg's SQL catalog and PyIceberg's SqlCatalog share one SQLite file (catalog name
"faceberg"): each lists, loads and reads what the other wrote."""

import json
import sqlite3
import subprocess

import pyarrow as pa
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.schema import Schema
from pyiceberg.types import LongType, NestedField, StringType

from conftest import faceberg_bin


def pyiceberg_catalog(tmp_path):
    return SqlCatalog(
        "faceberg",
        uri=f"sqlite:///{tmp_path / 'catalog.db'}",
        warehouse=f"file://{tmp_path / 'warehouse'}",
    )


def faceberg(tmp_path, *args):
    cmd = [faceberg_bin(), "--catalog", f"sqlite:{tmp_path / 'catalog.db'}", *map(str, args)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, f"{cmd} failed ({proc.returncode}): {proc.stderr}"
    return proc


def faceberg_json(tmp_path, *args):
    return json.loads(faceberg(tmp_path, "--json", *args).stdout)


ARROW = pa.schema([pa.field("id", pa.int64(), nullable=False), pa.field("name", pa.string())])


def test_pyiceberg_table_is_listed_and_loaded_by_faceberg(tmp_path):
    catalog = pyiceberg_catalog(tmp_path)
    catalog.create_namespace("db")
    schema = Schema(NestedField(1, "id", LongType(), required=True), NestedField(2, "name", StringType()))
    table = catalog.create_table("db.events", schema=schema)
    table.append(pa.Table.from_pylist([{"id": i, "name": "a"} for i in range(3)], schema=ARROW))
    table.append(pa.Table.from_pylist([{"id": i, "name": "b"} for i in range(3, 8)], schema=ARROW))

    listed = faceberg_json(tmp_path, "list")
    rows = {t["table"]: t for t in listed["tables"]}
    assert set(rows) == {"db.events"}
    assert rows["db.events"]["snapshots"] == 2
    assert rows["db.events"]["rows"] == 8

    snapshots = faceberg_json(tmp_path, "snapshots", "db.events")["snapshots"]
    table = catalog.load_table("db.events")
    assert [s["snapshot-id"] for s in snapshots] == [s.snapshot_id for s in table.snapshots()]


def test_faceberg_table_is_loaded_by_pyiceberg(tmp_path):
    catalog = pyiceberg_catalog(tmp_path)  # PyIceberg creates the catalog tables first
    faceberg(tmp_path, "create", "db.made", "--schema", "id long not null, name string")

    rows = sqlite3.connect(tmp_path / "catalog.db").execute(
        "SELECT catalog_name, table_namespace, table_name, iceberg_type FROM iceberg_tables"
    ).fetchall()
    assert rows == [("faceberg", "db", "made", "TABLE")]

    assert catalog.list_tables("db") == [("db", "made")]
    table = catalog.load_table("db.made")
    assert [f.name for f in table.schema().fields] == ["id", "name"]
    # Tables go to a warehouse folder beside the database, metadata named as PyIceberg names it.
    assert table.location().endswith("/warehouse/db/made")
    assert table.metadata_location.split("/")[-1].startswith("00000-")

    # PyIceberg writes to it; faceberg sees the new snapshot.
    table.append(pa.Table.from_pylist([{"id": 1, "name": "x"}], schema=ARROW))
    listed = {t["table"]: t for t in faceberg_json(tmp_path, "list")["tables"]}
    assert listed["db.made"]["snapshots"] == 1
    assert listed["db.made"]["rows"] == 1
