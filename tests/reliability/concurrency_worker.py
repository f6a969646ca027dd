"""The writer and reader processes of test_concurrency.py: `python concurrency_worker.py CONFIGS`
(a JSON list) imports what the roles need once, then forks one process per config.

Every worker first touches `<run>/ready-<name>` and waits for `<run>/go`, so all of them start
working together however long their imports took. Then it performs a fixed number of operations
and writes what it did and saw to `<run>/<name>.json`:

  writers: {"appends": [{"seq", "ids", "acked", "snapshot-id", "retries", "error"}], ...}
  readers: {"reads": [{"kind", "snapshot-id"?, "ids"?, "count"?, "chain"?}], "errors": [...]}

Roles (config "role"):
  cli-writer      `faceberg --json insert TABLE --values ...`, one process per append
  cli-reader      cycles through `faceberg` reads: scan (current rows), snapshots (the chain),
                  pinned (snapshots, then scan --snapshot of the current one), count (sql)
  pyiceberg-reader  PyIceberg over the SQL catalog: load, current snapshot, scan of that snapshot
  rest-writer     PyIceberg RestCatalog appends (its own commit retries disabled by the table
                  property commit.retry.num-retries=0): on CommitFailedException, refresh, retry
  rest-reader     alternates PyIceberg RestCatalog (load, scan the current snapshot) and DuckDB's
                  iceberg extension ATTACHed to the REST server (SELECT the current rows)
A reader's error is recorded (command, exit code, one line of its message) and the reader goes on.
"""

import json
import os
import pathlib
import random
import subprocess
import sys
import time
import traceback

COLUMNS = ("id", "writer", "seq")


def row_ids(writer: int, seq: int, rows: int) -> list:
    """The unique ids of append `seq` of `writer`: no two appends share one."""
    return [(writer * 1000 + seq) * 100 + k for k in range(rows)]


class Faceberg:
    def __init__(self, binary: str, catalog: str):
        self.binary = binary
        self.catalog = catalog

    def run(self, *args):
        cmd = [self.binary, "--catalog", self.catalog, *map(str, args)]
        return subprocess.run(cmd, capture_output=True, text=True)


def one_line(text: str) -> str:
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def wait_for_go(cfg: dict) -> None:
    run = pathlib.Path(cfg["run_dir"])
    (run / f"ready-{cfg['name']}").touch()
    go = run / "go"
    while not go.exists():
        time.sleep(0.005)


# --- the faceberg CLI -------------------------------------------------------------------------


def cli_writer(cfg: dict) -> dict:
    fb = Faceberg(cfg["bin"], cfg["catalog"])
    appends = []
    for seq in range(cfg["appends"]):
        ids = row_ids(cfg["writer"], seq, cfg["rows"])
        values = ", ".join(f"({i}, {cfg['writer']}, {seq})" for i in ids)
        proc = fb.run("--json", "insert", cfg["table"], "--values", values)
        record = {"seq": seq, "ids": ids, "acked": proc.returncode == 0, "retries": None}
        if proc.returncode == 0:
            record["snapshot-id"] = json.loads(proc.stdout)["snapshot-id"]
        else:
            record["error"] = f"exit {proc.returncode}: {one_line(proc.stderr)}"
        appends.append(record)
    return {"appends": appends}


def chain_of(snapshots_json: str) -> list:
    """[(snapshot id, parent id, total-records)] in the order `faceberg snapshots` lists them."""
    return [
        [s["snapshot-id"], s["parent-snapshot-id"], int(s["summary"]["total-records"])]
        for s in json.loads(snapshots_json)["snapshots"]
    ]


def ids_of(scan_json: str) -> list:
    return sorted(json.loads(line)["id"] for line in scan_json.splitlines() if line.strip())


def cli_reader(cfg: dict) -> dict:
    fb = Faceberg(cfg["bin"], cfg["catalog"])
    table = cfg["table"]
    kinds = ["scan", "snapshots", "pinned", "count"]
    reads, errors = [], []

    def attempt(*args):
        proc = fb.run(*args)
        if proc.returncode != 0:
            errors.append({"command": " ".join(map(str, args[:2])), "exit": proc.returncode,
                           "message": one_line(proc.stderr)})
            return None
        return proc.stdout

    for i in range(cfg["reads"]):
        kind = kinds[(i + cfg["index"]) % len(kinds)]
        if kind == "scan":
            out = attempt("scan", table, "--select", "id", "--format", "json")
            if out is not None:
                reads.append({"kind": kind, "ids": ids_of(out)})
        elif kind == "count":
            out = attempt("sql", f"SELECT count(*) AS n, count(DISTINCT id) AS d FROM {table}",
                          "--format", "json")
            if out is not None:
                row = json.loads(out.splitlines()[0])
                reads.append({"kind": kind, "count": row["n"], "distinct": row["d"]})
        else:
            out = attempt("--json", "snapshots", table)
            if out is None:
                continue
            chain = chain_of(out)
            if kind == "snapshots" or not chain:
                reads.append({"kind": "snapshots", "chain": chain})
                continue
            current = [s["snapshot-id"] for s in json.loads(out)["snapshots"] if s["current"]]
            snapshot_id = current[0] if current else chain[-1][0]
            out = attempt("scan", table, "--snapshot", snapshot_id, "--select", "id", "--format", "json")
            if out is not None:
                reads.append({"kind": kind, "snapshot-id": snapshot_id, "ids": ids_of(out)})
    return {"reads": reads, "errors": errors}


# --- PyIceberg and DuckDB -------------------------------------------------------------------------


def read_current(table) -> dict:
    """(current snapshot id, sorted ids at that snapshot) of a freshly loaded PyIceberg table."""
    snapshot = table.current_snapshot()
    if snapshot is None:
        return {"snapshot-id": None, "ids": []}
    arrow = table.scan(snapshot_id=snapshot.snapshot_id, selected_fields=("id",)).to_arrow()
    return {"snapshot-id": snapshot.snapshot_id, "ids": sorted(arrow.column("id").to_pylist())}


def error_record(command: str, exc: BaseException) -> dict:
    return {"command": command, "exit": type(exc).__name__, "message": one_line(str(exc))}


def pyiceberg_reader(cfg: dict) -> dict:
    from pyiceberg.catalog.sql import SqlCatalog

    catalog = SqlCatalog("faceberg", uri=f"sqlite:///{cfg['sqlite']}", warehouse=cfg["warehouse"])
    reads, errors = [], []
    for _ in range(cfg["reads"]):
        try:
            reads.append({"kind": "pyiceberg", **read_current(catalog.load_table(cfg["table"]))})
        except Exception as exc:  # recorded and judged by the test
            errors.append(error_record("pyiceberg load+scan", exc))
    return {"reads": reads, "errors": errors}


def rest_reader(cfg: dict) -> dict:
    sys.path.insert(0, cfg["interop_dir"])
    from pyiceberg.catalog.rest import RestCatalog
    from restproc import duckdb_for_rest

    catalog = RestCatalog("rest", uri=cfg["uri"])
    con = duckdb_for_rest()
    reads, errors = [], []
    for i in range(cfg["reads"]):
        if (i + cfg["index"]) % 2 == 0:
            try:
                reads.append({"kind": "pyiceberg", **read_current(catalog.load_table(cfg["table"]))})
            except Exception as exc:
                errors.append(error_record("pyiceberg load+scan", exc))
        else:
            try:
                # A fresh ATTACH per read: the extension loads the table from the server again.
                con.execute(f"ATTACH '' AS rest (TYPE ICEBERG, ENDPOINT '{cfg['uri']}', "
                            "AUTHORIZATION_TYPE 'none')")
                try:
                    rows = con.execute(f"SELECT id FROM rest.{cfg['table']}").fetchall()
                finally:
                    con.execute("DETACH rest")
                reads.append({"kind": "duckdb", "ids": sorted(r[0] for r in rows)})
            except Exception as exc:
                errors.append(error_record("duckdb attach+select", exc))
    con.close()
    return {"reads": reads, "errors": errors}


def rest_writer(cfg: dict) -> dict:
    import pyarrow as pa
    from pyiceberg.catalog.rest import RestCatalog
    from pyiceberg.exceptions import CommitFailedException

    schema = pa.schema([pa.field("id", pa.int64(), nullable=False), pa.field("writer", pa.int32()),
                        pa.field("seq", pa.int32())])
    catalog = RestCatalog("rest", uri=cfg["uri"])
    table = catalog.load_table(cfg["table"])
    rng = random.Random(cfg["writer"])
    appends = []
    for seq in range(cfg["appends"]):
        ids = row_ids(cfg["writer"], seq, cfg["rows"])
        data = pa.table({"id": ids, "writer": [cfg["writer"]] * len(ids), "seq": [seq] * len(ids)},
                        schema=schema)
        record = {"seq": seq, "ids": ids, "acked": False, "retries": 0}
        while True:
            try:
                table.append(data)
                record["acked"] = True
                record["snapshot-id"] = table.current_snapshot().snapshot_id
                break
            except CommitFailedException:
                # Another writer committed first; nothing of this attempt is visible.
                record["retries"] += 1
                if record["retries"] > cfg["max_retries"]:
                    record["error"] = "gave up after repeated CommitFailedException"
                    break
                time.sleep(rng.uniform(0.005, 0.03) * min(record["retries"], 5))
                table.refresh()
            except Exception as exc:  # outcome unknown: recorded, judged by the test
                record["error"] = f"{type(exc).__name__}: {one_line(str(exc))}"
                table.refresh()
                break
        appends.append(record)
    return {"appends": appends}


ROLES = {
    "cli-writer": cli_writer,
    "cli-reader": cli_reader,
    "pyiceberg-reader": pyiceberg_reader,
    "rest-writer": rest_writer,
    "rest-reader": rest_reader,
}


def preload(roles: set) -> None:
    """Imports what the roles need once, before the fork, so the workers start together and the
    imports are paid once rather than per process."""
    if roles & {"pyiceberg-reader", "rest-writer", "rest-reader"}:
        import pyarrow  # noqa: F401
        import pyiceberg.catalog.rest  # noqa: F401
        import pyiceberg.catalog.sql  # noqa: F401
        import pyiceberg.table  # noqa: F401
    if "rest-reader" in roles:
        import duckdb  # noqa: F401


def run_worker(cfg: dict) -> None:
    """The body of one forked worker process."""
    out = pathlib.Path(cfg["run_dir"]) / f"{cfg['name']}.json"
    wait_for_go(cfg)
    started = time.monotonic()
    try:
        result = ROLES[cfg["role"]](cfg)
    except Exception:
        result = {"crashed": traceback.format_exc()}
    result["name"] = cfg["name"]
    result["pid"] = os.getpid()
    result["seconds"] = time.monotonic() - started
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(result))
    os.replace(tmp, out)


def main() -> int:
    """argv[1]: a JSON list of worker configs. Forks one process per config (no threads exist
    yet, so forking is safe), waits for all of them; exits 1 when any of them did not exit 0."""
    configs = json.loads(sys.argv[1])
    preload({cfg["role"] for cfg in configs})
    sys.stdout.flush()
    children = {}
    for cfg in configs:
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                run_worker(cfg)
            except BaseException:
                traceback.print_exc()
                code = 1
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        children[pid] = cfg["name"]
    failed = []
    for pid, name in children.items():
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            failed.append(name)
    if failed:
        print(f"workers failed: {failed}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
