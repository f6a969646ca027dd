"""Tables written by faceberg are read identically by PyIceberg and DuckDB's iceberg extension."""

import datetime as dt
import json
import pathlib

import pyarrow as pa
import pyarrow.parquet as pq
from pyiceberg.table import StaticTable

from conftest import latest_metadata

SCHEMA = "id long not null, name string, score double, ts timestamptz, category string"


def write_part(path: pathlib.Path, first_id: int, n: int, category: str) -> list:
    rows = [
        {
            "id": first_id + i,
            "name": None if i % 7 == 3 else f"name-{first_id + i}",
            "score": (first_id + i) * 0.5,
            "ts": dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(hours=first_id + i),
            "category": category,
        }
        for i in range(n)
    ]
    schema = pa.schema(
        [
            pa.field("id", pa.int64(), nullable=False),
            pa.field("name", pa.string()),
            pa.field("score", pa.float64()),
            pa.field("ts", pa.timestamp("us", tz="UTC")),
            pa.field("category", pa.string()),
        ]
    )
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path, row_group_size=max(1, n // 2))
    return rows


def as_tuples(rows):
    return sorted(
        (r["id"], r["name"], r["score"], r["ts"].astimezone(dt.timezone.utc), r["category"]) for r in rows
    )


def test_registered_pyarrow_files_read_back_in_pyiceberg_and_duckdb(fb, duck, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    rows_a = write_part(data / "a.parquet", 0, 50, "alpha")
    rows_b = write_part(data / "b.parquet", 1000, 30, "beta")

    fb.run("create", "db.events", "--schema", SCHEMA, "--partition-by", "category")
    first = fb.json("add-files", "db.events", data / "a.parquet")
    second = fb.json("add-files", "db.events", data / "b.parquet")
    assert first["added-records"] == 50 and second["added-records"] == 30

    location = fb.catalog / "db" / "events"
    metadata = latest_metadata(location)
    assert metadata.name == "v3.metadata.json"
    table = StaticTable.from_metadata(str(metadata))
    snapshots = table.snapshots()
    assert [s.snapshot_id for s in snapshots] == [first["snapshot-id"], second["snapshot-id"]]
    assert snapshots[1].parent_snapshot_id == snapshots[0].snapshot_id

    at_first = table.scan(snapshot_id=first["snapshot-id"]).to_arrow().to_pylist()
    at_second = table.scan(snapshot_id=second["snapshot-id"]).to_arrow().to_pylist()
    assert as_tuples(at_first) == as_tuples(rows_a)
    assert as_tuples(at_second) == as_tuples(rows_a + rows_b)
    # Partition pruning in PyIceberg works from our manifests' partition tuples and summaries.
    beta = table.scan(row_filter="category == 'beta'", snapshot_id=second["snapshot-id"])
    assert len(list(beta.plan_files())) == 1
    assert as_tuples(beta.to_arrow().to_pylist()) == as_tuples(rows_b)
    # Column bounds from our metrics let PyIceberg prune files by value too.
    assert len(list(table.scan(row_filter="id >= 1000").plan_files())) == 1

    summary = snapshots[1].summary
    assert summary["total-records"] == "80"
    assert summary["total-data-files"] == "2"
    assert summary.operation.value == "append"

    duck_rows = duck.execute(
        f"SELECT id, name, score, ts, category FROM iceberg_scan('{location}') ORDER BY id"
    ).fetchall()
    assert [(r[0], r[1], r[2], r[3].astimezone(dt.timezone.utc), r[4]) for r in duck_rows] == as_tuples(
        rows_a + rows_b
    )
    older = duck.execute(
        f"SELECT count(*) FROM iceberg_scan('{location}', version => '2')"
    ).fetchone()[0]
    assert older == 50


def test_add_files_refuses_duplicates_and_bad_files_without_writing(fb, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    write_part(data / "a.parquet", 0, 5, "alpha")
    fb.run("create", "t", "--schema", SCHEMA)
    fb.run("add-files", "t", data / "a.parquet")
    metadata_dir = fb.catalog / "default" / "t" / "metadata"
    before = sorted(p.name for p in metadata_dir.iterdir())

    dup = fb.run("add-files", "t", data / "a.parquet", check=False)
    assert dup.returncode == 1
    assert dup.stderr.startswith("error: ") and "already in the table" in dup.stderr
    assert len(dup.stderr.strip().splitlines()) == 1

    (data / "bad.parquet").write_bytes(b"PAR1 this is not parquet")
    bad = fb.run("add-files", "t", data / "bad.parquet", check=False)
    assert bad.returncode == 1 and "bad.parquet" in bad.stderr

    mixed = fb.run("add-files", "t", data / "missing.parquet", check=False)
    assert mixed.returncode == 1 and "missing.parquet" in mixed.stderr
    assert sorted(p.name for p in metadata_dir.iterdir()) == before


def test_files_spanning_partitions_are_refused(fb, tmp_path):
    path = tmp_path / "mixed.parquet"
    rows = write_part(path, 0, 4, "alpha")
    rows[0]["category"] = "beta"
    pq.write_table(pa.Table.from_pylist(rows), path)
    fb.run("create", "t", "--schema", SCHEMA, "--partition-by", "category")
    proc = fb.run("add-files", "t", path, check=False)
    assert proc.returncode == 1
    assert "several partitions" in proc.stderr or "spans" in proc.stderr


def test_metadata_is_strict_v2(fb, tmp_path):
    path = tmp_path / "a.parquet"
    write_part(path, 0, 3, "alpha")
    fb.run("create", "t", "--schema", SCHEMA)
    fb.run("add-files", "t", path)
    md = json.loads(latest_metadata(fb.catalog / "default" / "t").read_text())
    assert md["format-version"] == 2
    assert md["refs"]["main"]["snapshot-id"] == md["current-snapshot-id"]
    assert "schema.name-mapping.default" in md["properties"]
    assert len(md["metadata-log"]) == 1
