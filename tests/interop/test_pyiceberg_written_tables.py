"""Tables written by PyIceberg (SqlCatalog) are read correctly by faceberg's core."""

import datetime as dt
import json
import sqlite3
import subprocess

import pyarrow as pa
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import DayTransform, IdentityTransform
from pyiceberg.types import DoubleType, LongType, NestedField, StringType, TimestamptzType

from conftest import faceberg_bin

EPOCH = dt.date(1970, 1, 1)


def normalize(value):
    if isinstance(value, dt.date):
        return (value - EPOCH).days
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        return (dt.date.fromisoformat(value) - EPOCH).days
    return value


def test_pyiceberg_table_is_read_by_faceberg(tmp_path):
    catalog = SqlCatalog(
        "interop",
        uri=f"sqlite:///{tmp_path / 'catalog.db'}",
        warehouse=f"file://{tmp_path / 'warehouse'}",
    )
    catalog.create_namespace("db")
    schema = Schema(
        NestedField(1, "id", LongType(), required=True),
        NestedField(2, "category", StringType(), required=False),
        NestedField(3, "ts", TimestamptzType(), required=False),
        NestedField(4, "score", DoubleType(), required=False),
    )
    spec = PartitionSpec(
        PartitionField(source_id=2, field_id=1000, transform=IdentityTransform(), name="category"),
        PartitionField(source_id=3, field_id=1001, transform=DayTransform(), name="ts_day"),
    )
    table = catalog.create_table("db.events", schema=schema, partition_spec=spec)
    arrow_schema = pa.schema(
        [
            pa.field("id", pa.int64(), nullable=False),
            pa.field("category", pa.string()),
            pa.field("ts", pa.timestamp("us", tz="UTC")),
            pa.field("score", pa.float64()),
        ]
    )

    def batch(start, n, category):
        return pa.Table.from_pylist(
            [
                {
                    "id": start + i,
                    "category": category,
                    "ts": dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc) + dt.timedelta(hours=13 * i),
                    "score": float(i),
                }
                for i in range(n)
            ],
            schema=arrow_schema,
        )

    table.append(batch(0, 10, "a"))
    table.append(pa.concat_tables([batch(100, 5, "b"), batch(200, 3, None)]))
    table = catalog.load_table("db.events")

    metadata_location = sqlite3.connect(tmp_path / "catalog.db").execute(
        "SELECT metadata_location FROM iceberg_tables WHERE table_namespace = 'db' AND table_name = 'events'"
    ).fetchone()[0]
    assert metadata_location == table.metadata_location
    path = metadata_location.removeprefix("file://")
    proc = subprocess.run([faceberg_bin(), "inspect", path], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    ours = json.loads(proc.stdout)

    assert ours["table-uuid"] == str(table.metadata.table_uuid)
    assert ours["current-snapshot-id"] == table.metadata.current_snapshot_id
    theirs_snapshots = table.snapshots()
    assert [s["snapshot-id"] for s in ours["snapshots"]] == [s.snapshot_id for s in theirs_snapshots]
    for mine, theirs in zip(ours["snapshots"], theirs_snapshots):
        assert mine["sequence-number"] == theirs.sequence_number
        assert mine["timestamp-ms"] == theirs.timestamp_ms
        assert mine["operation"] == theirs.summary.operation.value
        assert mine["summary"]["total-records"] == theirs.summary["total-records"]
        expected = {}
        for task in table.scan(snapshot_id=theirs.snapshot_id).plan_files():
            f = task.file
            expected[f.file_path] = (
                f.record_count,
                f.file_size_in_bytes,
                [normalize(f.partition[i]) for i in range(len(f.partition))],
                dict(f.value_counts),
                dict(f.null_value_counts),
            )
        got = {
            f["file-path"]: (
                f["record-count"],
                f["file-size-in-bytes"],
                [normalize(v) for v in f["partition"].values()],
                {int(k): v for k, v in f["value-counts"].items()},
                {int(k): v for k, v in f["null-value-counts"].items()},
            )
            for f in mine["data-files"]
        }
        assert got == expected
    # Sanity: the second snapshot holds files for three partitions of category (a, b, null).
    categories = {f["partition"]["category"] for f in ours["snapshots"][1]["data-files"]}
    assert categories == {"a", "b", None}
