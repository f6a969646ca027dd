"""Schema evolution, snapshot management and row-level changes, checked against PyIceberg and DuckDB's
iceberg extension: a long script of mixed operations runs through the real binary, and after every
step every live snapshot (main's history, tags and branches) reads the same rows under the same
column names in faceberg, PyIceberg and DuckDB, on the file catalog and the SQL catalog."""

import datetime as dt
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.table import StaticTable

from conftest import Faceberg

TABLE = "db.evo"


def norm(value):
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dict):
        return tuple(sorted((k, norm(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(norm(v) for v in value)
    return value


def key(columns, rows):
    return sorted((tuple(norm(r[c]) for c in columns) for r in rows), key=repr)


class Model:
    """The expected table: the current columns and rows, and what each snapshot holds."""

    def __init__(self, columns):
        self.columns = list(columns)
        self.rows = []
        self.branch_rows = {}
        self.snapshots = {}  # snapshot id -> (columns, rows)

    def record(self, snapshot_id, columns=None, rows=None):
        self.snapshots[snapshot_id] = (list(columns or self.columns), [dict(r) for r in (rows if rows is not None else self.rows)])

    def add_column(self, name, after=None):
        if after is None:
            self.columns.append(name)
        else:
            self.columns.insert(self.columns.index(after) + 1, name)
        for r in self.rows:
            r[name] = None

    def rename(self, old, new):
        self.columns[self.columns.index(old)] = new
        for r in self.rows:
            r[new] = r.pop(old)

    def drop(self, name):
        self.columns.remove(name)
        for r in self.rows:
            del r[name]


def sql_value(v):
    if v is None:
        return "NULL"
    if isinstance(v, str):
        return "'" + v.replace("'", "''") + "'"
    if isinstance(v, dt.date):
        return f"DATE '{v.isoformat()}'"
    if isinstance(v, dict):
        return "{" + ", ".join(f"'{k}': {sql_value(x)}" for k, x in v.items()) + "}"
    return repr(v)


def values_of(model, rows):
    return ", ".join("(" + ", ".join(sql_value(r.get(c)) for c in model.columns) + ")" for r in rows)


class Checker:
    def __init__(self, cats, duck):
        self.cats = cats
        self.fb = cats.fb
        self.duck = duck

    def latest_snapshot(self):
        return self.fb.json("snapshots", TABLE)["snapshots"][-1]["snapshot-id"]

    def check(self, model, step):
        fb = self.fb
        live = [s["snapshot-id"] for s in fb.json("snapshots", TABLE)["snapshots"]]
        assert set(live) <= set(model.snapshots), f"{step}: unknown snapshots {set(live) - set(model.snapshots)}"
        table = self.cats.pyiceberg_table(TABLE)
        location = str(table.metadata_location).removeprefix("file://")
        for snapshot_id in live:
            columns, expected = model.snapshots[snapshot_id]
            want = key(columns, expected)
            where = f"{step}, snapshot {snapshot_id}"
            out = fb.run("scan", TABLE, "--snapshot", snapshot_id, "--format", "json").stdout
            ours = [json.loads(line) for line in out.splitlines() if line.strip()]
            if ours:
                assert list(ours[0]) == columns, f"faceberg columns at {where}"
            assert key(columns, ours) == want, f"faceberg rows at {where}"
            arrow = table.scan(snapshot_id=snapshot_id).to_arrow()
            assert arrow.schema.names == columns, f"PyIceberg columns at {where}"
            assert key(columns, arrow.to_pylist()) == want, f"PyIceberg rows at {where}"
            cursor = self.duck.execute(f"SELECT * FROM iceberg_scan('{location}', snapshot_from_id => {snapshot_id})")
            names = [d[0] for d in cursor.description]
            assert names == columns, f"DuckDB columns at {where}"
            duck_rows = [dict(zip(names, r)) for r in cursor.fetchall()]
            assert key(columns, duck_rows) == want, f"DuckDB rows at {where}"
        # The current snapshot through the default read too.
        current = fb.json("info", TABLE)["current-snapshot-id"]
        out = fb.run("scan", TABLE, "--format", "json").stdout
        rows = [json.loads(line) for line in out.splitlines() if line.strip()]
        columns, expected = model.snapshots[current]
        assert key(columns, rows) == key(columns, expected), f"{step}: current scan"


def row(i, cat):
    return {"id": i, "cat": cat, "name": f"n{i}", "score": i % 7}


def test_long_history_reads_the_same_everywhere(cats, duck, tmp_path):
    fb = cats.fb
    check = Checker(cats, duck)
    fb.run("create", TABLE, "--schema", "id long not null, cat string, name string, score int",
           "--partition-by", "cat")
    model = Model(["id", "cat", "name", "score"])

    # 1. Inserts in two partitions.
    model.rows = [row(i, "a" if i % 2 else "b") for i in range(12)]
    fb.run("insert", TABLE, "--values", values_of(model, model.rows))
    model.record(check.latest_snapshot())
    check.check(model, "first insert")

    # 2. Add a column after 'name' and insert rows that have it.
    fb.run("alter", TABLE, "add-column", "email", "string", "--after", "name")
    model.add_column("email", after="name")
    new = [dict(row(i, "c"), email=f"{i}@x") for i in range(12, 16)]
    fb.run("insert", TABLE, "--values", values_of(model, new))
    model.rows += new
    model.record(check.latest_snapshot())
    check.check(model, "add column")

    # 3. Rename a column; files written before the rename keep their data.
    fb.run("alter", TABLE, "rename-column", "name", "full_name")
    model.rename("name", "full_name")
    extra = [dict(row(16, "a"), email=None)]
    extra[0]["full_name"] = extra[0].pop("name")
    fb.run("insert", TABLE, "--values", values_of(model, extra))
    model.rows += extra
    model.record(check.latest_snapshot())
    check.check(model, "rename column")

    # 4. Delete rows by a filter that needs rewrites (score is not a partition column).
    result = fb.json("delete", TABLE, "--where", "score < 3")
    assert result["operation"] == "overwrite" and result["files-rewritten"] > 0
    deleted = [r for r in model.rows if r["score"] < 3]
    assert result["rows-deleted"] == len(deleted)
    model.rows = [r for r in model.rows if not r["score"] < 3]
    model.record(result["snapshot-id"])
    check.check(model, "delete with rewrite")

    # 5. Promote int to long, then insert a value that needs a long.
    fb.run("alter", TABLE, "update-column", "score", "--type", "long")
    big = [{"id": 17, "cat": "b", "full_name": "big", "email": None, "score": 2**40}]
    fb.run("insert", TABLE, "--values", values_of(model, big))
    model.rows += big
    model.record(check.latest_snapshot())
    check.check(model, "promote int to long")

    # 6. Delete a whole partition: dropped without rewriting.
    result = fb.json("delete", TABLE, "--where", "cat = 'b'")
    assert result["operation"] == "delete"
    assert result["files-rewritten"] == 0 and result["files-dropped"] > 0
    model.rows = [r for r in model.rows if r["cat"] != "b"]
    model.record(result["snapshot-id"])
    snapshot = fb.json("snapshots", TABLE)["snapshots"][-1]
    assert snapshot["operation"] == "delete"
    check.check(model, "delete a partition")
    after_partition_delete = result["snapshot-id"]
    rows_after_partition_delete = [dict(r) for r in model.rows]
    columns_after_partition_delete = list(model.columns)

    # 7. Tag it, drop a column, add a float column and promote it to double.
    fb.run("tag", TABLE, "v1")
    fb.run("alter", TABLE, "drop-column", "email")
    model.drop("email")
    fb.run("alter", TABLE, "add-column", "ratio", "float")
    model.add_column("ratio")
    fb.run("insert", TABLE, "--values", values_of(model, [{"id": 20, "cat": "a", "full_name": "r", "score": 1, "ratio": 0.5}]))
    model.rows.append({"id": 20, "cat": "a", "full_name": "r", "score": 1, "ratio": 0.5})
    model.record(check.latest_snapshot())
    fb.run("alter", TABLE, "update-column", "ratio", "--type", "double")
    check.check(model, "drop and add columns")

    # 7b. A struct column, then a field added inside it.
    fb.run("alter", TABLE, "add-column", "meta", "struct<a: int>")
    model.add_column("meta")
    fb.run("alter", TABLE, "add-column", "meta.b", "string")
    nested = {"id": 21, "cat": "a", "full_name": "m", "score": 2, "ratio": 0.25, "meta": {"a": 1, "b": "x"}}
    fb.run("insert", TABLE, "--values", values_of(model, [nested]))
    model.rows.append(nested)
    model.record(check.latest_snapshot())
    check.check(model, "nested struct evolution")

    # 8. Overwrite the rows of partition 'c' with new rows from a Parquet file.
    replacement = [{"id": 30 + i, "cat": "c", "full_name": f"c{i}", "score": i, "ratio": i / 4, "meta": None}
                   for i in range(3)]
    path = tmp_path / "replacement.parquet"
    pq.write_table(pa.Table.from_pylist([{k: v for k, v in r.items() if k != "meta"} for r in replacement], schema=pa.schema(
        [("id", pa.int64()), ("cat", pa.string()), ("full_name", pa.string()), ("score", pa.int64()),
         ("ratio", pa.float64())])), path)
    result = fb.json("overwrite", TABLE, path, "--where", "cat = 'c'")
    assert result["operation"] == "overwrite" and result["rows-inserted"] == 3
    model.rows = [r for r in model.rows if r["cat"] != "c"] + replacement
    model.record(result["snapshot-id"])
    summary = fb.json("snapshots", TABLE)["snapshots"][-1]
    assert summary["operation"] == "overwrite"
    check.check(model, "overwrite")

    # 9. A branch receives an insert; main does not see it.
    fb.run("branch", TABLE, "dev")
    branch_row = {"id": 40, "cat": "d", "full_name": "dev", "score": 4, "ratio": 1.5, "meta": {"a": 4, "b": None}}
    fb.run("insert", TABLE, "--branch", "dev", "--values", values_of(model, [branch_row]))
    dev_id = next(r["snapshot-id"] for r in fb.json("refs", TABLE)["refs"] if r["name"] == "dev")
    model.record(dev_id, rows=model.rows + [branch_row])
    check.check(model, "branch insert")

    # 10. Roll main back to the snapshot after the partition delete, then insert on top.
    before_rollback = fb.json("info", TABLE)["current-snapshot-id"]
    fb.run("rollback", TABLE, "--to-snapshot", after_partition_delete)
    assert fb.json("info", TABLE)["current-snapshot-id"] == after_partition_delete
    # Rows are now those of that snapshot, in the current schema (no email, with ratio).
    model.rows = []
    for r in rows_after_partition_delete:
        r = {c: r.get(c) for c in columns_after_partition_delete if c != "email"}
        r["ratio"] = None
        r["meta"] = None
        model.rows.append(r)
    post = {"id": 50, "cat": "a", "full_name": "post", "score": 5, "ratio": 2.0, "meta": {"a": None, "b": "p"}}
    fb.run("insert", TABLE, "--values", values_of(model, [post]))
    model.rows.append(post)
    model.record(check.latest_snapshot())
    check.check(model, "rollback and insert")
    proc = fb.run("rollback", TABLE, "--to-snapshot", before_rollback, check=False)
    assert proc.returncode == 1 and "not an ancestor" in proc.stderr

    # 11. Expire everything but the refs' heads and the last two of main.
    dry = fb.json("expire", TABLE, "--older-than", "0s", "--retain-last", "2", "--dry-run")
    assert dry["dry-run"] and dry["expired-snapshots"]
    assert fb.json("snapshots", TABLE)["snapshots"][0]["snapshot-id"] in dry["expired-snapshots"]
    files_before = set(p for p in (cats.tmp).rglob("*") if p.is_file())
    for listed in dry["deleted-data-files"] + dry["deleted-manifests"] + dry["deleted-manifest-lists"]:
        assert any(str(p) == listed for p in files_before)
    done = fb.json("expire", TABLE, "--older-than", "0s", "--retain-last", "2")
    assert sorted(done["expired-snapshots"]) == sorted(dry["expired-snapshots"])
    assert done["deleted-data-files"] == dry["deleted-data-files"]
    live = [s["snapshot-id"] for s in fb.json("snapshots", TABLE)["snapshots"]]
    assert after_partition_delete in live and dev_id in live  # the tag's and the branch's heads
    for listed in done["deleted-data-files"]:
        assert not (tmp_path / listed).exists()
    check.check(model, "expire")

    # 12. Nothing is orphaned by all of this.
    orphans = fb.json("orphans", TABLE, "--older-than", "0s", "--dry-run")
    assert orphans["orphans"] == []

    # 13. diff between the tag and main, and the schema of an old snapshot.
    diff = fb.json("diff", TABLE, "v1", "main")
    assert diff["from"]["snapshot-id"] == after_partition_delete
    assert diff["relation"] == "forward"
    changes = {(c["change"], c.get("from-name") or c.get("to-name")) for c in diff["schema"]["changes"]}
    assert ("dropped", "email") in changes and ("added", "ratio") in changes
    assert ("added", "meta.b") in changes
    old_schema = fb.json("schema", TABLE, "--snapshot", after_partition_delete)
    assert [f["name"] for f in old_schema["schema"]["fields"]] == columns_after_partition_delete


def test_files_without_field_ids_follow_renames_through_the_name_mapping(cats, duck, tmp_path):
    """add-files registers Parquet files without field ids (read through the name mapping); after
    renames, adds and a copy-on-write delete that rewrites such a file, every engine still reads
    the old files' data under the new names."""
    fb = cats.fb
    check = Checker(cats, duck)
    fb.run("create", TABLE, "--schema", "id long not null, name string, score int")
    model = Model(["id", "name", "score"])
    rows = [{"id": i, "name": f"n{i}", "score": i * 10} for i in range(6)]
    path = tmp_path / "plain.parquet"  # pyarrow writes no field ids
    pq.write_table(pa.Table.from_pylist(rows, schema=pa.schema(
        [("id", pa.int64()), ("name", pa.string()), ("score", pa.int32())])), path)
    fb.run("add-files", TABLE, path)
    model.rows = [dict(r) for r in rows]
    model.record(check.latest_snapshot())
    check.check(model, "add-files")

    fb.run("alter", TABLE, "rename-column", "name", "label")
    model.rename("name", "label")
    fb.run("alter", TABLE, "add-column", "note", "string", "--first")
    model.columns.insert(0, "note")
    for r in model.rows:
        r["note"] = None
    mapping = json.loads(fb.json("properties", TABLE)["properties"]["schema.name-mapping.default"])
    by_id = {m["field-id"]: m["names"] for m in mapping}
    assert by_id[2] == ["name", "label"] and by_id[4] == ["note"]
    fb.run("insert", TABLE, "--values", "('hello', 100, 'new', 1)")
    model.rows.append({"note": "hello", "id": 100, "label": "new", "score": 1})
    model.record(check.latest_snapshot())
    check.check(model, "rename over a file without ids")

    result = fb.json("delete", TABLE, "--where", "score >= 30 AND score < 50")
    assert result["files-rewritten"] == 1 and result["rows-deleted"] == 2
    model.rows = [r for r in model.rows if not (30 <= r["score"] < 50)]
    model.record(result["snapshot-id"])
    check.check(model, "rewrite of a file without ids")
