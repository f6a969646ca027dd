"""Concurrency (issue 9): 3 writer processes and 10 reader processes share one table, on the file
catalog, the SQL (SQLite) catalog and through the REST server (`faceberg serve`), for a fixed
number of operations each (tests/reliability/concurrency_worker.py is the worker process).

Afterwards the final table is read back with the CLI, snapshot by snapshot, and checked:
  - every acknowledged append is in the table exactly once (no lost rows, no duplicated ids), and
    no unacknowledged append is there (a failed command committed nothing);
  - the snapshot chain is linear, one snapshot per acknowledged append, each adding exactly the
    rows of the append that reported it, its total-records equal to the rows it holds;
  - every read a reader made matches a committed state exactly: a pinned read (snapshot id + rows)
    equals that snapshot's rows, an unpinned scan equals the rows of some snapshot (or of the empty
    table), a listed chain is a prefix of the final chain, a count is some snapshot's total;
  - readers got no errors (a reader error is recorded with its one-line message and fails the test).
With FACEBERG_RELIABILITY_REPORT=DIR, the figures go to DIR/concurrency.md."""

import json
import os
import pathlib
import subprocess
import sys
import time

import pytest

import relutil
from relutil import Faceberg, faceberg_bin
from restproc import RestServer

WORKER = pathlib.Path(__file__).resolve().parent / "concurrency_worker.py"
TABLE = "db.events"
SCHEMA = "id long not null, writer int, seq int"
WRITERS = 3
READERS = 10
APPENDS_PER_WRITER = 12
ROWS_PER_APPEND = 4
CLI_READS = 12  # per CLI reader; a "pinned" read runs two commands
PY_READS = 14  # per PyIceberg / DuckDB reader (no process start per read)
REST_MAX_RETRIES = 50  # per append; far more than 3 writers ever need

FIGURES: dict = {}  # catalog kind -> figures, for the report


# --- running the workers ----------------------------------------------------------------------


def run_workers(run_dir: pathlib.Path, configs: list) -> tuple:
    """Runs the workers (one forked process each, see concurrency_worker.py), releases them
    together once all are ready, waits for all; returns ({name: result}, seconds between the
    release and the last exit)."""
    run_dir.mkdir(parents=True, exist_ok=True)
    for cfg in configs:
        cfg["run_dir"] = str(run_dir)
    log_path = run_dir / "workers.log"
    with open(log_path, "w") as log:
        launcher = subprocess.Popen([sys.executable, str(WORKER), json.dumps(configs)],
                                    stdout=log, stderr=subprocess.STDOUT)
        try:
            names = [cfg["name"] for cfg in configs]
            while not all((run_dir / f"ready-{name}").exists() for name in names):
                assert launcher.poll() is None, f"the workers exited before the start: {log_path.read_text()}"
                time.sleep(0.01)
            (run_dir / "go").touch()
            started = time.monotonic()
            code = launcher.wait(timeout=600)
            elapsed = time.monotonic() - started
        finally:
            if launcher.poll() is None:
                launcher.kill()
                launcher.wait()
    assert code == 0, f"workers failed: {log_path.read_text()}"
    results = {}
    for name in names:
        result = json.loads((run_dir / f"{name}.json").read_text())
        assert "crashed" not in result, f"worker {name} crashed:\n{result['crashed']}"
        results[name] = result
    assert len({r["pid"] for r in results.values()}) == len(configs), "workers shared a process"
    return results, elapsed


def writer_configs(role: str, **common) -> list:
    return [{"role": role, "name": f"writer{w}", "writer": w, "appends": APPENDS_PER_WRITER,
             "rows": ROWS_PER_APPEND, "table": TABLE, **common} for w in range(WRITERS)]


def reader_configs(roles: list, reads: dict, **common) -> list:
    """READERS readers; reader r gets roles[r % len(roles)]."""
    out = []
    for r in range(READERS):
        role = roles[r % len(roles)]
        out.append({"role": role, "name": f"reader{r}", "index": r, "reads": reads[role],
                    "table": TABLE, **common})
    return out


# --- the final table and the checks -----------------------------------------------------------


def scan_ids(fb: Faceberg, *selector) -> list:
    out = fb.run("scan", TABLE, "--select", "id", "--format", "json", *selector).stdout
    return sorted(json.loads(line)["id"] for line in out.splitlines() if line.strip())


def committed_states(fb: Faceberg) -> tuple:
    """The final snapshot chain as listed ([id, parent, total-records]) and the committed states:
    [(snapshot id or None for the empty table, sorted ids)], oldest first."""
    listed = fb.json("snapshots", TABLE)["snapshots"]
    chain = [[s["snapshot-id"], s["parent-snapshot-id"], int(s["summary"]["total-records"])]
             for s in listed]
    current = [s["snapshot-id"] for s in listed if s["current"]]
    assert current == ([chain[-1][0]] if chain else []), "the last snapshot is not the current one"
    # One query reads every snapshot (`TABLE@ID` is time travel in `faceberg sql`); the readers'
    # pinned reads go through `faceberg scan --snapshot`, so the two paths check each other.
    rows: dict = {snapshot_id: [] for snapshot_id, _, _ in chain}
    if chain:
        query = " UNION ALL ".join(f"SELECT {s} AS s, id FROM {TABLE}@{s}" for s, _, _ in chain)
        out = fb.run("sql", query, "--format", "json").stdout
        for line in filter(str.strip, out.splitlines()):
            row = json.loads(line)
            rows[row["s"]].append(row["id"])
    states = [(None, [])] + [(snapshot_id, sorted(rows[snapshot_id])) for snapshot_id, _, _ in chain]
    return chain, states


def check_and_count(fb: Faceberg, results: dict, elapsed: float) -> dict:
    """Asserts everything the module docstring promises; returns the report figures."""
    appends = [a for r in results.values() for a in r.get("appends", [])]
    acked = [a for a in appends if a["acked"]]
    unacked = [a for a in appends if not a["acked"]]
    chain, states = committed_states(fb)
    final = scan_ids(fb)

    # Appends: each acknowledged one exactly once, nothing else.
    counts: dict = {}
    for row_id in final:
        counts[row_id] = counts.get(row_id, 0) + 1
    duplicated = sorted(i for i, n in counts.items() if n > 1)
    lost = [a for a in acked if any(i not in counts for i in a["ids"])]
    unacked_present = [a for a in unacked if any(i in counts for i in a["ids"])]
    expected = sorted(i for a in acked for i in a["ids"])
    assert not lost, f"acknowledged appends missing from the table: {lost}"
    assert not duplicated, f"ids present more than once: {duplicated}"
    assert not unacked_present, f"unacknowledged appends that committed anyway: {unacked_present}"
    assert final == expected

    # The chain: linear, one snapshot per acknowledged append, each adding that append's rows.
    assert len(chain) == len(acked), (len(chain), len(acked))
    by_snapshot = {a["snapshot-id"]: a for a in acked}
    # (Once seen through the REST server: its commit response re-read the table after the
    # commit, so it could describe another writer's later snapshot as the client's own.)
    shared = [a for a in acked if by_snapshot[a["snapshot-id"]] is not a]
    assert not shared, f"appends whose commit reported another append's snapshot: {shared}"
    for i, (snapshot_id, parent, total) in enumerate(chain):
        assert parent == (chain[i - 1][0] if i else None), f"snapshot {snapshot_id} breaks the chain"
        before, after = set(states[i][1]), states[i + 1][1]
        assert len(after) == len(set(after)) == total, f"snapshot {snapshot_id}: total-records"
        assert before <= set(after), f"snapshot {snapshot_id} dropped rows of its parent"
        assert snapshot_id in by_snapshot, f"snapshot {snapshot_id} reported by no writer"
        assert sorted(set(after) - before) == by_snapshot[snapshot_id]["ids"]
    assert states[-1][1] == final

    # Reads: each one matches a committed state exactly.
    rows_of = {snapshot_id: ids for snapshot_id, ids in states}
    index_of_rows = {tuple(ids): i for i, (_, ids) in enumerate(states)}
    totals = {len(ids) for _, ids in states}
    reads = [(name, read) for name, r in results.items() for read in r.get("reads", [])]
    errors = [(name, e) for name, r in results.items() for e in r.get("errors", [])]
    mismatched, intermediate = [], 0
    for name, read in reads:
        kind = read["kind"]
        if "snapshot-id" in read:  # pinned: the snapshot and the rows read at it
            ok = read["snapshot-id"] in rows_of and rows_of[read["snapshot-id"]] == read["ids"]
            seen = index_of_rows.get(tuple(read["ids"]))
        elif "ids" in read:  # unpinned: the rows of some committed state
            seen = index_of_rows.get(tuple(read["ids"]))
            ok = seen is not None
        elif "chain" in read:
            ok = read["chain"] == chain[:len(read["chain"])]
            seen = len(read["chain"])
        else:
            ok = read["count"] == read["distinct"] and read["count"] in totals
            seen = None
        if not ok:
            mismatched.append((name, kind, read))
        elif seen is not None and 0 < seen < len(states) - 1:
            intermediate += 1
    assert not mismatched, f"reads that match no committed state: {mismatched[:3]}"
    assert not errors, f"reader errors: {errors}"

    retries = [a["retries"] for a in appends if a["retries"] is not None]
    return {
        "writers": sum(1 for r in results.values() if "appends" in r),
        "readers": sum(1 for r in results.values() if "reads" in r),
        "appends attempted": len(appends),
        "appends acknowledged": len(acked),
        "appends in the table": sum(1 for a in acked if all(i in counts for i in a["ids"])),
        "lost": len(lost),
        "duplicated ids": len(duplicated),
        "unacknowledged but committed": len(unacked_present),
        "snapshots in the chain": len(chain),
        "commit retries (client-side)": sum(retries) if retries else "n/a (inside faceberg insert)",
        "reads made": len(reads),
        "reads matching a committed snapshot": len(reads) - len(mismatched),
        "reads of an intermediate snapshot": intermediate,
        "reader errors": len(errors),
        "elapsed seconds (informational)": f"{elapsed:.1f}",
    }


def write_report() -> None:
    report_dir = os.environ.get("FACEBERG_RELIABILITY_REPORT")
    if not report_dir:
        return
    lines = ["# Concurrency: 3 writers and 10 readers on one table", "",
             f"Each writer makes {APPENDS_PER_WRITER} appends of {ROWS_PER_APPEND} rows; "
             "readers make a fixed number of reads while the writers run. "
             "Generated by tests/reliability/test_concurrency.py.", ""]
    for kind, figures in FIGURES.items():
        lines += [f"## {kind}", "", "| figure | value |", "|---|---|"]
        lines += [f"| {key} | {value} |" for key, value in figures.items()]
        lines.append("")
    path = pathlib.Path(report_dir)
    path.mkdir(parents=True, exist_ok=True)
    (path / "concurrency.md").write_text("\n".join(lines))


def record(kind: str, figures: dict) -> None:
    FIGURES[kind] = figures
    write_report()


# --- the tests --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["file", "sqlite"])
def test_cli_writers_and_readers_share_a_table(kind, tmp_path):
    catalog = str(tmp_path / "catalog") if kind == "file" else f"sqlite:{tmp_path / 'catalog.db'}"
    fb = Faceberg(catalog)
    fb.run("init")
    fb.run("create", TABLE, "--schema", SCHEMA)

    common = {"bin": faceberg_bin(), "catalog": catalog}
    readers = ["cli-reader"]
    if kind == "sqlite":
        # Every third reader is PyIceberg's SqlCatalog on the same database.
        readers = ["cli-reader", "cli-reader", "pyiceberg-reader"]
        common.update(sqlite=str(tmp_path / "catalog.db"), warehouse=f"file://{tmp_path / 'warehouse'}")
    configs = writer_configs("cli-writer", **common) + reader_configs(
        readers, {"cli-reader": CLI_READS, "pyiceberg-reader": PY_READS}, **common)
    results, elapsed = run_workers(tmp_path / "run", configs)

    # No insert should fail with only three writers: faceberg retries lost races itself.
    failed = [a for r in results.values() for a in r.get("appends", []) if not a["acked"]]
    assert not failed, f"inserts that failed: {failed}"
    record(f"{kind} catalog (faceberg CLI writers)", check_and_count(fb, results, elapsed))


def test_pyiceberg_writers_and_readers_through_the_rest_server(tmp_path):
    catalog = tmp_path / "catalog"
    fb = Faceberg(catalog)
    fb.run("init")
    # PyIceberg's own commit retries are off, so the writers see (and count) every conflict.
    fb.run("create", TABLE, "--schema", SCHEMA, "--property", "commit.retry.num-retries=0")
    with RestServer(str(catalog), tmp_path) as server:
        common = {"uri": server.uri, "interop_dir": str(relutil.INTEROP)}
        configs = writer_configs("rest-writer", max_retries=REST_MAX_RETRIES, **common) + \
            reader_configs(["rest-reader"], {"rest-reader": PY_READS}, **common)
        results, elapsed = run_workers(tmp_path / "run", configs)
        assert server.alive(), server.log()

    failed = [a for r in results.values() for a in r.get("appends", []) if not a["acked"]]
    assert not failed, f"appends that failed: {failed}"
    record("REST server over a file catalog (PyIceberg writers)", check_and_count(fb, results, elapsed))
