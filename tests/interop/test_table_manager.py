"""The table manager from the shell: create, insert, scan, sql and time travel, checked after every
insert against PyIceberg and DuckDB's iceberg extension, on the file catalog and the SQL catalog."""

import datetime as dt
import json
import sqlite3
import subprocess
import time

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.table import StaticTable

from conftest import Faceberg, faceberg_bin

SCHEMA = "id long not null, name string, score double, day date, ts timestamptz, tags list<string>"
COLUMNS = ["id", "name", "score", "day", "ts", "tags"]


def norm(value):
    """One comparable form for a value read by faceberg (JSON), PyIceberg or DuckDB."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] in " T":
        text = value.replace(" ", "T")
        if text.endswith(("+00", "-00")) or (len(text) > 3 and text[-3] in "+-" and text[-3:].lstrip("+-").isdigit()):
            text += ":00"
        parsed = dt.datetime.fromisoformat(text)
        return norm(parsed)
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, (list, tuple)):
        return [norm(v) for v in value]
    return value


def rows_key(rows):
    return sorted((tuple(norm(r[c]) for c in COLUMNS) for r in rows), key=repr)


def faceberg_rows(fb, table, *selector):
    out = fb.run("scan", table, "--format", "json", *selector).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def make_rows(start, n):
    return [
        {
            "id": start + i,
            "name": None if i % 5 == 4 else f"n{start + i}",
            "score": (start + i) / 4,
            "day": dt.date(2026, 1, 1) + dt.timedelta(days=(start + i) % 3),
            "ts": dt.datetime(2026, 1, 1, 12, tzinfo=dt.timezone.utc) + dt.timedelta(minutes=start + i),
            "tags": [f"t{(start + i) % 2}"] if i % 3 else [],
        }
        for i in range(n)
    ]


def write_inputs(tmp_path, rows, kind):
    if kind == "parquet":
        path = tmp_path / f"in-{rows[0]['id']}.parquet"
        pq.write_table(pa.Table.from_pylist(rows), path)
    elif kind == "ndjson":
        path = tmp_path / f"in-{rows[0]['id']}.ndjson"
        with open(path, "w") as f:
            for r in rows:
                f.write(json.dumps({**r, "day": r["day"].isoformat(), "ts": r["ts"].isoformat()}) + "\n")
    else:
        return None
    return path


def test_every_snapshot_reads_the_same_everywhere(cats, duck, tmp_path):
    fb = cats.fb
    fb.run("create", "db.events", "--schema", SCHEMA, "--partition-by", "day(day), bucket(4, id)")
    expected_by_snapshot = []
    all_rows = []
    batches = [("values", make_rows(0, 3)), ("parquet", make_rows(100, 40)), ("ndjson", make_rows(200, 7))]
    for kind, rows in batches:
        if kind == "values":
            values = ",".join(
                f"({r['id']}, {'NULL' if r['name'] is None else repr(r['name'])}, {r['score']}, "
                f"DATE '{r['day']}', TIMESTAMPTZ '{r['ts'].isoformat()}', "
                f"[{', '.join(repr(t) for t in r['tags'])}]::VARCHAR[])"
                for r in rows
            )
            fb.run("insert", "db.events", "--values", values)
        else:
            fb.run("insert", "db.events", write_inputs(tmp_path, rows, kind))
        all_rows += rows
        snapshots = fb.json("snapshots", "db.events")["snapshots"]
        expected_by_snapshot.append((snapshots[-1]["snapshot-id"], list(all_rows)))

        table = cats.pyiceberg_table("db.events")
        location = cats.metadata_location("db.events")
        for version, (snapshot_id, expected) in enumerate(expected_by_snapshot, start=1):
            ours = faceberg_rows(fb, "db.events", "--snapshot", snapshot_id)
            assert rows_key(ours) == rows_key(expected), f"faceberg at snapshot {snapshot_id}"
            theirs = table.scan(snapshot_id=snapshot_id).to_arrow().to_pylist()
            assert rows_key(theirs) == rows_key(expected), f"PyIceberg at snapshot {snapshot_id}"
            cursor = duck.execute(
                f"SELECT * FROM iceberg_scan('{location}', snapshot_from_id => {snapshot_id})"
            )
            names = [d[0] for d in cursor.description]
            duck_rows = [dict(zip(names, r)) for r in cursor.fetchall()]
            assert rows_key(duck_rows) == rows_key(expected), f"DuckDB at snapshot {snapshot_id}"

    # Time travel by time and by ref; SQL with @snapshot and @'time'.
    first_id = expected_by_snapshot[0][0]
    first_ts = fb.json("snapshots", "db.events")["snapshots"][0]["timestamp-ms"]
    assert rows_key(faceberg_rows(fb, "db.events", "--as-of", str(first_ts))) == rows_key(expected_by_snapshot[0][1])
    fb.run("tag", "db.events", "v1", "--snapshot", first_id)
    assert rows_key(faceberg_rows(fb, "db.events", "--ref", "v1")) == rows_key(expected_by_snapshot[0][1])
    counts = fb.run("sql", f"SELECT (SELECT count(*) FROM db.events), (SELECT count(*) FROM db.events@{first_id})", "--format", "csv").stdout
    assert counts.strip().splitlines()[-1].replace(" ", "") == f"{len(all_rows)},3"
    iso = dt.datetime.fromtimestamp(first_ts / 1000, dt.timezone.utc).isoformat()
    counts = fb.run("sql", f"SELECT count(*) AS n FROM db.events@'{iso}'", "--format", "json").stdout
    assert json.loads(counts.splitlines()[0])["n"] == 3


def test_filter_prunes_partitions_and_projection_works(cats):
    fb = cats.fb
    fb.run("create", "t", "--schema", "id long not null, split string, v double", "--partition-by", "split")
    for split, n in (("train", 20), ("test", 5), ("validation", 3)):
        values = ",".join(f"({i}, '{split}', {i / 2})" for i in range(n))
        fb.run("insert", "t", "--values", values)
    rows = faceberg_rows(fb, "t", "--where", "split = 'test' AND id >= 2", "--select", "id,v")
    assert sorted(r["id"] for r in rows) == [2, 3, 4]
    assert set(rows[0]) == {"id", "v"}
    info = fb.json("scan", "t", "--where", "split = 'test'", "--explain")
    assert info["files-planned"] == 1
    assert info["files-total"] == 3


def test_pyiceberg_table_in_shared_sqlite_is_scanned_and_appended_by_faceberg(tmp_path):
    db = tmp_path / "shared.db"
    warehouse = tmp_path / "warehouse"
    catalog = SqlCatalog("faceberg", uri=f"sqlite:///{db}", warehouse=f"file://{warehouse}")
    catalog.create_namespace("lake")
    arrow = pa.table({"id": pa.array([1, 2, 3], pa.int64()), "word": ["a", "b", None]})
    table = catalog.create_table("lake.words", schema=arrow.schema)
    table.append(arrow)

    fb = Faceberg(f"sqlite:{db}")
    listed = fb.json("list")["tables"]
    assert [t["table"] for t in listed] == ["lake.words"]
    rows = faceberg_rows(fb, "lake.words")
    assert sorted((r["id"], r["word"]) for r in rows) == [(1, "a"), (2, "b"), (3, None)]
    fb.run("insert", "lake.words", "--values", "(4, 'd'), (5, 'e')")

    reread = catalog.load_table("lake.words").scan().to_arrow().to_pylist()
    assert sorted((r["id"], r["word"]) for r in reread) == [(1, "a"), (2, "b"), (3, None), (4, "d"), (5, "e")]
    assert len(catalog.load_table("lake.words").snapshots()) == 2


def test_concurrent_inserts_all_land(cats):
    fb = cats.fb
    fb.run("create", "t", "--schema", "id long not null, writer int")
    writers = 4
    per_writer = 5
    procs = []
    for w in range(writers):
        script = " && ".join(
            f"{faceberg_bin()} --catalog '{fb.catalog}' insert t --values '({w * 100 + i}, {w})'"
            for i in range(per_writer)
        )
        procs.append(subprocess.Popen(["bash", "-c", script], stderr=subprocess.PIPE, text=True))
    for p in procs:
        _, err = p.communicate()
        assert p.returncode == 0, err
    rows = faceberg_rows(fb, "t")
    assert sorted(r["id"] for r in rows) == sorted(w * 100 + i for w in range(writers) for i in range(per_writer))
    assert len(fb.json("snapshots", "t")["snapshots"]) == writers * per_writer


BAD_INPUTS = [
    (["scan", "nope"], "does not exist"),
    (["create", "bad", "--schema", "id lung"], "unknown type 'lung'"),
    (["create", "bad", "--schema", "id long,"], "empty column"),
    (["insert", "t", "--values", "('x', 1)"], "id"),
    (["scan", "t", "--as-of", "2001-01-01T00:00:00Z"], "before the table's first snapshot"),
    (["scan", "t", "--snapshot", "12345"], "snapshot 12345 does not exist"),
    (["scan", "t", "--ref", "nope"], "nope"),
    (["scan", "t", "--where", "nope = 1"], "nope"),
    (["scan", "t", "--where", "id >="], "id >="),
]


@pytest.mark.parametrize("args,message", BAD_INPUTS)
def test_bad_input_is_one_line_and_changes_nothing(cats, tmp_path, args, message):
    fb = cats.fb
    fb.run("create", "t", "--schema", "id long not null, name string")
    fb.run("insert", "t", "--values", "(1, 'a')")
    before = fb.json("snapshots", "t")
    proc = fb.run(*args, check=False)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.startswith("error: ") and len(proc.stderr.strip().splitlines()) == 1
    assert message in proc.stderr
    assert fb.json("snapshots", "t") == before


def test_csv_that_does_not_match_the_schema_is_refused(cats, tmp_path):
    fb = cats.fb
    fb.run("create", "t", "--schema", "id long not null, name string")
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name\n1,a\nnot-a-number,b\n")
    proc = fb.run("insert", "t", bad, check=False)
    assert proc.returncode == 1
    assert "id" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert fb.json("snapshots", "t")["snapshots"] == []
    data = cats.tmp / ("catalog" if cats.kind == "file" else "warehouse")
    assert not any(p.suffix == ".parquet" for p in data.rglob("*")), "no data file may be left behind"
