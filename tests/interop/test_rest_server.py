"""`faceberg serve`, the Iceberg REST catalog server, driven by real clients: PyIceberg's RestCatalog
lists, loads, scans, creates, appends and evolves; DuckDB's iceberg extension ATTACHes, lists,
selects, time-travels and inserts. After every write, `faceberg scan` on the same catalog sees the
same rows. Also: bearer-token auth, --read-only, --prefix, malformed requests, conflicts, on the
file catalog and the SQL catalog."""

import json
import os
import socket
import subprocess

import pyarrow as pa
import pytest
import requests
from pyiceberg.catalog.rest import RestCatalog
from pyiceberg.exceptions import (
    CommitFailedException,
    ForbiddenError,
    NamespaceNotEmptyError,
    NoSuchNamespaceError,
    NoSuchTableError,
    UnauthorizedError,
)
from pyiceberg.types import StringType

from conftest import Catalogs, faceberg_bin
from restproc import RestServer, duckdb_for_rest

SCHEMA = "id long not null, name string, score double"
COLUMNS = ["id", "name", "score"]
ARROW = pa.schema(
    [pa.field("id", pa.int64(), nullable=False), pa.field("name", pa.string()), pa.field("score", pa.float64())]
)
TOKEN = "tok-3f9a1c0d-rest-interop"


def make_rows(start, n):
    return [{"id": i, "name": None if i % 4 == 3 else f"n{i}", "score": i / 4} for i in range(start, start + n)]


def sql_values(rows):
    def lit(v):
        return "NULL" if v is None else (f"'{v}'" if isinstance(v, str) else repr(v))

    return ", ".join("(" + ", ".join(lit(r[c]) for c in COLUMNS) + ")" for r in rows)


def key(rows, columns=COLUMNS):
    """Order-free comparable form of rows given as dicts."""
    return sorted((tuple(r.get(c) for c in columns) for r in rows), key=repr)


def faceberg_rows(fb, table, *selector):
    out = fb.run("scan", table, "--format", "json", *selector).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def snapshot_ids(fb, table):
    return [s["snapshot-id"] for s in fb.json("snapshots", table)["snapshots"]]


def table_names(fb):
    return {t["table"] for t in fb.json("list")["tables"]}


def duck_rows(con, sql, columns=COLUMNS):
    return [dict(zip(columns, row)) for row in con.execute(sql).fetchall()]


def attach(con, server, *options):
    extra = "".join(f", {o}" for o in options) or ", AUTHORIZATION_TYPE 'none'"
    con.execute(f"ATTACH '' AS rest (TYPE ICEBERG, ENDPOINT '{server.uri}'{extra})")


def assert_spec_error(response, code):
    """The REST spec's ErrorModel: {"error": {"message", "type", "code"}} with the HTTP status."""
    assert response.status_code == code, (response.status_code, response.text)
    error = response.json()["error"]
    assert error["code"] == code
    assert isinstance(error["type"], str) and error["type"]
    assert isinstance(error["message"], str) and error["message"] and "\n" not in error["message"]
    return error


def make_catalog(kind, tmp_path):
    """A faceberg catalog of `kind` holding db.events with two snapshots made by the CLI."""
    cats = Catalogs(kind, tmp_path)
    cats.fb.run("create", "db.events", "--schema", SCHEMA)
    cats.fb.run("insert", "db.events", "--values", sql_values(make_rows(0, 5)))
    cats.fb.run("insert", "db.events", "--values", sql_values(make_rows(5, 3)))
    return cats


@pytest.fixture(params=["file", "sqlite"])
def served(request, tmp_path):
    cats = make_catalog(request.param, tmp_path)
    server = RestServer(cats.fb.catalog, tmp_path)
    yield cats, server
    server.stop()


@pytest.fixture
def file_catalog(tmp_path):
    return make_catalog("file", tmp_path)


# --- PyIceberg ------------------------------------------------------------------------------------


def test_pyiceberg_lists_loads_and_scans_what_the_cli_made(served):
    cats, server = served
    fb = cats.fb
    catalog = RestCatalog("rest", uri=server.uri)

    assert ("db",) in catalog.list_namespaces()
    assert catalog.list_tables("db") == [("db", "events")]
    assert catalog.namespace_exists("db") and not catalog.namespace_exists("missing")
    assert catalog.table_exists("db.events") and not catalog.table_exists("db.missing")
    with pytest.raises(NoSuchTableError):
        catalog.load_table("db.missing")
    with pytest.raises(NoSuchNamespaceError):
        catalog.list_tables("missing")

    table = catalog.load_table("db.events")
    assert str(table.metadata_location).removeprefix("file://") == cats.metadata_location("db.events")
    assert [s.snapshot_id for s in table.snapshots()] == snapshot_ids(fb, "db.events")
    assert key(table.scan().to_arrow().to_pylist()) == key(faceberg_rows(fb, "db.events")) == key(make_rows(0, 8))

    first = snapshot_ids(fb, "db.events")[0]
    old = table.scan(snapshot_id=first).to_arrow().to_pylist()
    assert key(old) == key(faceberg_rows(fb, "db.events", "--snapshot", str(first))) == key(make_rows(0, 5))


def test_pyiceberg_creates_appends_and_evolves_the_schema(served):
    cats, server = served
    fb = cats.fb
    catalog = RestCatalog("rest", uri=server.uri)

    catalog.create_namespace("made", {"owner": "interop"})
    assert catalog.load_namespace_properties("made")["owner"] == "interop"
    with pytest.raises(NoSuchNamespaceError):
        catalog.create_table("nowhere.t", schema=ARROW)

    table = catalog.create_table("made.t", schema=ARROW)
    assert catalog.list_tables("made") == [("made", "t")]
    assert "made.t" in table_names(fb)
    assert faceberg_rows(fb, "made.t") == []

    table.append(pa.Table.from_pylist(make_rows(0, 4), schema=ARROW))
    assert key(faceberg_rows(fb, "made.t")) == key(make_rows(0, 4))
    table.append(pa.Table.from_pylist(make_rows(4, 2), schema=ARROW))
    assert key(faceberg_rows(fb, "made.t")) == key(make_rows(0, 6))
    assert snapshot_ids(fb, "made.t") == [s.snapshot_id for s in table.snapshots()]

    with table.update_schema() as update:
        update.add_column("extra", StringType())
    schema = fb.json("schema", "made.t")["schema"]
    assert [f["name"] for f in schema["fields"]] == ["id", "name", "score", "extra"]
    assert [f["id"] for f in schema["fields"]] == [1, 2, 3, 4]

    evolved = pa.schema([*ARROW, pa.field("extra", pa.string())])
    new_rows = [{**r, "extra": f"x{r['id']}"} for r in make_rows(6, 3)]
    table.append(pa.Table.from_pylist(new_rows, schema=evolved))
    expected = [{**r, "extra": None} for r in make_rows(0, 6)] + new_rows
    columns = [*COLUMNS, "extra"]
    assert key(faceberg_rows(fb, "made.t"), columns) == key(expected, columns)
    reloaded = catalog.load_table("made.t")
    assert key(reloaded.scan().to_arrow().to_pylist(), columns) == key(expected, columns)

    # The CLI and the server commit to the same table: a CLI insert is seen through REST.
    fb.run("insert", "made.t", "--values", "(100, 'cli', 0.5, 'c')")
    reloaded = catalog.load_table("made.t")
    assert key(reloaded.scan().to_arrow().to_pylist(), columns) == key(faceberg_rows(fb, "made.t"), columns)
    assert len(reloaded.snapshots()) == 4


def test_pyiceberg_staged_create_commits_table_and_rows_together(served):
    cats, server = served
    catalog = RestCatalog("rest", uri=server.uri)

    txn = catalog.create_table_transaction("db.staged", schema=ARROW)
    assert not catalog.table_exists("db.staged")
    assert "db.staged" not in table_names(cats.fb)
    txn.append(pa.Table.from_pylist(make_rows(0, 3), schema=ARROW))
    txn.commit_transaction()

    assert catalog.table_exists("db.staged")
    assert key(faceberg_rows(cats.fb, "db.staged")) == key(make_rows(0, 3))


def test_pyiceberg_rename_drop_register_and_purge(served):
    cats, server = served
    fb = cats.fb
    catalog = RestCatalog("rest", uri=server.uri)
    table = catalog.create_table("db.life", schema=ARROW)
    table.append(pa.Table.from_pylist(make_rows(0, 4), schema=ARROW))
    data_files = [task.file.file_path.removeprefix("file://") for task in table.scan().plan_files()]
    assert data_files and all(os.path.exists(p) for p in data_files)

    catalog.rename_table("db.life", "db.renamed")
    assert "db.renamed" in table_names(fb) and "db.life" not in table_names(fb)
    assert key(faceberg_rows(fb, "db.renamed")) == key(make_rows(0, 4))
    metadata_location = catalog.load_table("db.renamed").metadata_location

    catalog.drop_table("db.renamed")  # without purge: the files stay
    assert "db.renamed" not in table_names(fb)
    with pytest.raises(NoSuchTableError):
        catalog.load_table("db.renamed")
    assert all(os.path.exists(p) for p in data_files)

    registered = catalog.register_table("db.back", metadata_location)
    assert key(registered.scan().to_arrow().to_pylist()) == key(faceberg_rows(fb, "db.back")) == key(make_rows(0, 4))

    catalog.purge_table("db.back")
    assert "db.back" not in table_names(fb)
    assert not any(os.path.exists(p) for p in data_files)


def test_pyiceberg_multi_level_namespaces_and_properties(served):
    cats, server = served
    catalog = RestCatalog("rest", uri=server.uri)
    catalog.create_namespace(("org", "team"))
    assert ("org", "team") in catalog.list_namespaces(("org",))
    assert catalog.namespace_exists(("org", "team"))

    table = catalog.create_table(("org", "team", "t"), schema=ARROW)
    table.append(pa.Table.from_pylist(make_rows(0, 2), schema=ARROW))
    assert catalog.list_tables(("org", "team")) == [("org", "team", "t")]
    loaded = catalog.load_table(("org", "team", "t"))
    assert key(loaded.scan().to_arrow().to_pylist()) == key(make_rows(0, 2))

    summary = catalog.update_namespace_properties(("org", "team"), removals={"absent"}, updates={"k": "v"})
    assert summary.updated == ["k"] and summary.missing == ["absent"]
    assert catalog.load_namespace_properties(("org", "team"))["k"] == "v"

    with pytest.raises(NamespaceNotEmptyError):
        catalog.drop_namespace(("org", "team"))
    catalog.drop_table(("org", "team", "t"))
    catalog.drop_namespace(("org", "team"))
    assert not catalog.namespace_exists(("org", "team"))


def test_stale_commit_is_a_409_and_writes_nothing(served):
    cats, server = served
    fb = cats.fb
    # Without PyIceberg's own retries, a commit on stale metadata surfaces as the server's 409.
    fb.run("properties", "db.events", "set", "commit.retry.num-retries=0")
    first = RestCatalog("a", uri=server.uri).load_table("db.events")
    second = RestCatalog("b", uri=server.uri).load_table("db.events")

    first.append(pa.Table.from_pylist(make_rows(100, 2), schema=ARROW))
    before = snapshot_ids(fb, "db.events")
    with pytest.raises(CommitFailedException):
        second.append(pa.Table.from_pylist(make_rows(200, 2), schema=ARROW))
    assert snapshot_ids(fb, "db.events") == before

    second = RestCatalog("b", uri=server.uri).load_table("db.events")
    second.append(pa.Table.from_pylist(make_rows(200, 2), schema=ARROW))
    assert key(faceberg_rows(fb, "db.events")) == key(make_rows(0, 8) + make_rows(100, 2) + make_rows(200, 2))


def test_pyiceberg_retries_a_conflict_by_itself(served):
    cats, server = served
    fb = cats.fb
    stale = RestCatalog("a", uri=server.uri).load_table("db.events")
    fb.run("insert", "db.events", "--values", sql_values(make_rows(100, 1)))
    # PyIceberg (commit.retry.num-retries, default 4) gets the 409, refreshes and re-applies.
    stale.append(pa.Table.from_pylist(make_rows(200, 1), schema=ARROW))
    assert key(faceberg_rows(fb, "db.events")) == key(make_rows(0, 8) + make_rows(100, 1) + make_rows(200, 1))
    assert len(snapshot_ids(fb, "db.events")) == 4


# --- DuckDB ---------------------------------------------------------------------------------------


def test_duckdb_attaches_lists_selects_time_travels_and_inserts(served):
    cats, server = served
    fb = cats.fb
    con = duckdb_for_rest()
    attach(con, server)

    listed = {(db, schema, name) for db, schema, name, *_ in con.execute("SHOW ALL TABLES").fetchall()}
    assert ("rest", "db", "events") in listed

    select = "SELECT id, name, score FROM rest.db.events"
    assert key(duck_rows(con, select)) == key(faceberg_rows(fb, "db.events")) == key(make_rows(0, 8))

    first, second = snapshot_ids(fb, "db.events")
    old = duck_rows(con, f"{select} AT (VERSION => {first})")
    assert key(old) == key(faceberg_rows(fb, "db.events", "--snapshot", str(first))) == key(make_rows(0, 5))
    snapshots = {row[1] for row in con.execute("SELECT * FROM iceberg_snapshots(rest.db.events)").fetchall()}
    assert snapshots == {first, second}

    con.execute(f"INSERT INTO rest.db.events VALUES {sql_values(make_rows(50, 3))}")
    expected = make_rows(0, 8) + make_rows(50, 3)
    assert key(faceberg_rows(fb, "db.events")) == key(expected)
    assert key(duck_rows(con, select)) == key(expected)
    assert len(snapshot_ids(fb, "db.events")) == 3

    # The snapshot DuckDB made is an ordinary one: PyIceberg reads it, the CLI appends after it.
    fb.run("insert", "db.events", "--values", "(60, 'cli', 1.0)")
    table = RestCatalog("rest", uri=server.uri).load_table("db.events")
    assert key(table.scan().to_arrow().to_pylist()) == key(faceberg_rows(fb, "db.events"))
    assert key(duck_rows(con, select)) == key(faceberg_rows(fb, "db.events"))
    con.close()


def test_duckdb_creates_a_table_and_inserts(served):
    cats, server = served
    con = duckdb_for_rest()
    attach(con, server)
    con.execute("CREATE TABLE rest.db.quack (a BIGINT, b VARCHAR)")
    assert "db.quack" in table_names(cats.fb)
    con.execute("INSERT INTO rest.db.quack VALUES (1, 'x'), (2, NULL)")
    assert key(faceberg_rows(cats.fb, "db.quack"), ["a", "b"]) == [(1, "x"), (2, None)]
    con.execute("DROP TABLE rest.db.quack")
    assert "db.quack" not in table_names(cats.fb)
    con.close()


# --- auth, read-only, prefix, host ----------------------------------------------------------------


def test_token_file_requires_a_listed_bearer_token(file_catalog, tmp_path):
    fb = file_catalog.fb
    token_file = tmp_path / "tokens.txt"
    token_file.write_text(f"{TOKEN}\nsecond-token\n")
    with RestServer(fb.catalog, tmp_path, "--token-file", str(token_file)) as server:
        catalog = RestCatalog("rest", uri=server.uri, token=TOKEN)
        table = catalog.load_table("db.events")
        assert key(table.scan().to_arrow().to_pylist()) == key(faceberg_rows(fb, "db.events"))
        table.append(pa.Table.from_pylist(make_rows(30, 2), schema=ARROW))
        assert key(faceberg_rows(fb, "db.events")) == key(make_rows(0, 8) + make_rows(30, 2))
        assert RestCatalog("rest", uri=server.uri, token="second-token").list_tables("db") == [("db", "events")]

        with pytest.raises(UnauthorizedError):
            RestCatalog("rest", uri=server.uri)  # PyIceberg sends "Bearer None"
        with pytest.raises(UnauthorizedError):
            RestCatalog("rest", uri=server.uri, token="wrong-token")
        assert_spec_error(requests.get(f"{server.uri}/v1/namespaces", timeout=30), 401)
        basic = {"Authorization": "Basic eDp5"}
        assert_spec_error(requests.get(f"{server.uri}/v1/namespaces/db/tables/events", headers=basic, timeout=30), 401)

        loaded = requests.get(
            f"{server.uri}/v1/namespaces/db/tables/events", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30
        )
        assert loaded.status_code == 200
        assert TOKEN not in loaded.text  # the table config never carries a secret
        assert all(isinstance(v, str) for v in loaded.json().get("config", {}).values())

        con = duckdb_for_rest()
        attach(con, server, f"TOKEN '{TOKEN}'")
        assert key(duck_rows(con, "SELECT id, name, score FROM rest.db.events")) == key(faceberg_rows(fb, "db.events"))
        con.close()
        assert server.alive()
        log = server.log()
    assert TOKEN not in log and "second-token" not in log


def test_read_only_server_refuses_every_write_with_403(file_catalog, tmp_path):
    fb = file_catalog.fb
    before = snapshot_ids(fb, "db.events")
    with RestServer(fb.catalog, tmp_path, "--read-only") as server:
        catalog = RestCatalog("rest", uri=server.uri)
        table = catalog.load_table("db.events")
        assert key(table.scan().to_arrow().to_pylist()) == key(make_rows(0, 8))

        with pytest.raises(ForbiddenError):
            table.append(pa.Table.from_pylist(make_rows(40, 1), schema=ARROW))
        with pytest.raises(ForbiddenError):
            catalog.create_table("db.new", schema=ARROW)
        with pytest.raises(ForbiddenError):
            catalog.create_namespace("other")
        with pytest.raises(ForbiddenError):
            catalog.drop_table("db.events")
        with pytest.raises(ForbiddenError):
            catalog.rename_table("db.events", "db.moved")

        con = duckdb_for_rest()
        attach(con, server)
        assert len(duck_rows(con, "SELECT id, name, score FROM rest.db.events")) == 8
        with pytest.raises(Exception, match="403|Forbidden"):
            con.execute("INSERT INTO rest.db.events VALUES (41, 'no', 0.0)")
        con.close()
        assert server.alive()
    assert snapshot_ids(fb, "db.events") == before
    assert table_names(fb) == {"db.events"}


def test_prefix_is_announced_in_config_and_used_by_clients(file_catalog, tmp_path):
    fb = file_catalog.fb
    with RestServer(fb.catalog, tmp_path, "--prefix", "cat1") as server:
        config = requests.get(f"{server.uri}/v1/config", timeout=30).json()
        merged = {**config.get("defaults", {}), **config.get("overrides", {})}
        assert merged["prefix"] == "cat1"
        assert all(isinstance(v, str) for v in merged.values())

        catalog = RestCatalog("rest", uri=server.uri)
        assert catalog.list_tables("db") == [("db", "events")]
        table = catalog.load_table("db.events")
        table.append(pa.Table.from_pylist(make_rows(70, 1), schema=ARROW))
        assert key(faceberg_rows(fb, "db.events")) == key(make_rows(0, 8) + make_rows(70, 1))

        con = duckdb_for_rest()
        attach(con, server)
        assert key(duck_rows(con, "SELECT id, name, score FROM rest.db.events")) == key(faceberg_rows(fb, "db.events"))
        con.close()

        ok = requests.get(f"{server.uri}/v1/cat1/namespaces/db/tables/events", timeout=30)
        assert ok.status_code == 200
        assert_spec_error(requests.get(f"{server.uri}/v1/other/namespaces/db/tables/events", timeout=30), 404)


def test_without_token_file_the_server_stays_on_this_machine(file_catalog, tmp_path):
    catalog = file_catalog.fb.catalog
    with RestServer(catalog, tmp_path) as server:
        assert server.first_line.startswith("serving http://127.0.0.1:")
        assert requests.get(f"{server.uri}/v1/config", timeout=30).status_code == 200
        assert "no --token-file" in server.log() and "127.0.0.1" in server.log()

    refused = subprocess.run(
        [faceberg_bin(), "--catalog", str(catalog), "serve", "--host", "0.0.0.0", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode != 0
    assert "--token-file" in refused.stderr and refused.stdout == ""

    token_file = tmp_path / "tokens.txt"
    token_file.write_text(f"# readers\n{TOKEN}\n")
    with RestServer(catalog, tmp_path, "--token-file", str(token_file), host="0.0.0.0") as server:
        port = server.uri.rsplit(":", 1)[1]
        assert requests.get(f"http://127.0.0.1:{port}/v1/config", timeout=30).status_code == 401
        bearer = {"Authorization": f"Bearer {TOKEN}"}
        assert requests.get(f"http://127.0.0.1:{port}/v1/config", headers=bearer, timeout=30).status_code == 200


# --- hostile requests -----------------------------------------------------------------------------


def test_malformed_requests_get_spec_errors_and_the_server_keeps_serving(file_catalog, tmp_path):
    fb = file_catalog.fb
    before = snapshot_ids(fb, "db.events")
    with RestServer(fb.catalog, tmp_path, "--max-body-mb", "1") as server:
        table_url = f"{server.uri}/v1/namespaces/db/tables/events"
        headers = {"Content-Type": "application/json"}
        ident = {"namespace": ["db"], "name": "events"}

        def commit(requirements, updates, **extra):
            return {"identifier": ident, "requirements": requirements, "updates": updates, **extra}

        bad_bodies = [
            (table_url, b"{not json"),
            (table_url, b"[1, 2]"),
            (table_url, commit([], [{"action": "frobnicate"}])),
            (table_url, commit([{"type": "assert-nothing"}], [])),
            (table_url, commit([], [{"action": "add-snapshot", "snapshot": "nope"}])),
            (f"{server.uri}/v1/namespaces", b"[]"),
            (f"{server.uri}/v1/namespaces/db/tables", {"name": "x"}),  # no schema
        ]
        for url, body in bad_bodies:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            assert_spec_error(requests.post(url, data=data, headers=headers, timeout=30), 400)

        stale_uuid = [{"type": "assert-table-uuid", "uuid": "00000000-0000-0000-0000-000000000000"}]
        set_k = [{"action": "set-properties", "updates": {"k": "v"}}]
        failed = requests.post(table_url, json=commit(stale_uuid, set_k), timeout=30)
        assert assert_spec_error(failed, 409)["type"] == "CommitFailedException"

        missing_table = requests.get(f"{server.uri}/v1/namespaces/db/tables/missing", timeout=30)
        assert assert_spec_error(missing_table, 404)["type"] == "NoSuchTableException"
        missing_namespace = requests.get(f"{server.uri}/v1/namespaces/missing/tables", timeout=30)
        assert assert_spec_error(missing_namespace, 404)["type"] == "NoSuchNamespaceException"
        unknown_route = requests.get(f"{server.uri}/v1/namespaces/db/tables/events/nonsense", timeout=30)
        assert unknown_route.status_code in (400, 404, 406)
        assert_spec_error(unknown_route, unknown_route.status_code)

        # A body over --max-body-mb: a spec-shaped 413, and nothing of it is applied.
        oversized = json.dumps({"identifier": ident, "requirements": [], "updates": [
            {"action": "set-properties", "updates": {"k": "v" * (2 << 20)}}]}).encode()
        too_big = requests.post(table_url, data=oversized, headers=headers, timeout=120)
        assert too_big.status_code == 413, too_big.status_code
        assert_spec_error(too_big, 413)

        # Garbage that is not HTTP at all.
        host, port = server.uri.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=30) as raw:
            raw.sendall(b"\x00\x01GARBAGE \xff\r\n\r\n")
            try:
                raw.recv(4096)
            except OSError:
                pass

        assert server.alive()
        assert requests.get(f"{server.uri}/v1/config", timeout=30).status_code == 200
        table = RestCatalog("rest", uri=server.uri).load_table("db.events")
        assert [s.snapshot_id for s in table.snapshots()] == before
    assert snapshot_ids(fb, "db.events") == before
    assert "k" not in fb.json("properties", "db.events").get("properties", {})
