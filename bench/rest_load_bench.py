"""Load test of `faceberg serve`: 10 reader clients and 3 writer clients against one table for 60 s.

    .venv/bin/python bench/rest_load_bench.py [--seconds 60] [--readers 10] [--writers 3]
                                              [--catalog file|sqlite] [--json out.json]

Readers load the table through the REST API (GET .../tables/load, the request every engine makes
before reading) in a loop. Writers are PyIceberg 0.12 RestCatalog clients appending one row per
commit, each row carrying a unique marker; a 409 (CommitFailedException: another writer won the
race) is retried by the writer after reloading the table, as a client is expected to. Every client
is its own process. Afterwards the script checks that:

  - no request failed except 409 conflicts that were retried,
  - every acknowledged append is in the table exactly once (scanned with `faceberg scan` and with
    PyIceberg through the server), and no unacknowledged marker is,

and reports throughput (reads/s, appends/s) and p50/p95/p99 latency of loads and commits. Exit
status 1 if a check fails.
"""

import argparse
import json
import logging
import multiprocessing as mp
import os
import pathlib
import shutil
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests" / "interop"))
from hubproc import faceberg_bin  # noqa: E402
from restproc import RestServer  # noqa: E402

from common import run  # noqa: E402

TABLE = "db.load"
SCHEMA = "id long not null, writer int, marker string"


def machine(clients):
    import pyiceberg

    return f"{os.cpu_count()} cores shared by the server and {clients} client processes, PyIceberg {pyiceberg.__version__}"


def cpu_seconds(pid):
    """User + system CPU seconds a live process has used so far (Linux /proc)."""
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return round((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), 1)


def percentiles(samples_ms):
    if not samples_ms:
        return {"n": 0, "p50": None, "p95": None, "p99": None, "max": None}
    ordered = sorted(samples_ms)

    def pick(q):
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))], 2)

    return {"n": len(ordered), "p50": pick(0.50), "p95": pick(0.95), "p99": pick(0.99), "max": round(ordered[-1], 2)}


def reader(uri, start_at, stop_at, out):
    """Loads the table over plain HTTP (one keep-alive session) until stop_at."""
    import requests

    session = requests.Session()
    url = f"{uri}/v1/namespaces/db/tables/load"
    latencies, errors, reads = [], [], 0
    while time.time() < start_at:
        time.sleep(0.005)
    while time.time() < stop_at:
        begin = time.perf_counter()
        try:
            response = session.get(url, timeout=60)
            body = response.content
        except Exception as e:  # noqa: BLE001 - every failure is reported
            errors.append(f"load: {type(e).__name__}: {e}")
            continue
        latencies.append((time.perf_counter() - begin) * 1000)
        if response.status_code != 200:
            errors.append(f"load: HTTP {response.status_code}: {body[:200]!r}")
            continue
        metadata = json.loads(body)["metadata"]
        current = metadata.get("current-snapshot-id")
        if current is not None and current not in {s["snapshot-id"] for s in metadata.get("snapshots", [])}:
            errors.append(f"load: current snapshot {current} is not among the snapshots")
        reads += 1
    out.put({"role": "reader", "reads": reads, "load_ms": latencies, "errors": errors})


def writer(uri, writer_id, start_at, stop_at, out):
    """Appends one uniquely marked row per commit with PyIceberg until stop_at; retries 409s."""
    import pyarrow as pa
    from pyiceberg.catalog.rest import RestCatalog
    from pyiceberg.exceptions import CommitFailedException

    logging.getLogger("pyiceberg").setLevel(logging.ERROR)  # its retry warnings, counted below
    commit_ms, load_ms, append_ms = [], [], []
    conflicts = 0

    class TimedRestCatalog(RestCatalog):
        """Times the REST calls themselves (the commit POST, the load GET) and counts the 409s,
        including those PyIceberg retries on its own (commit.retry.num-retries)."""

        def commit_table(self, table, requirements, updates):
            nonlocal conflicts
            begin = time.perf_counter()
            try:
                return super().commit_table(table, requirements, updates)
            except CommitFailedException:
                conflicts += 1
                raise
            finally:
                commit_ms.append((time.perf_counter() - begin) * 1000)

        def load_table(self, identifier):
            begin = time.perf_counter()
            try:
                return super().load_table(identifier)
            finally:
                load_ms.append((time.perf_counter() - begin) * 1000)

    schema = pa.schema(
        [pa.field("id", pa.int64(), nullable=False), pa.field("writer", pa.int32()), pa.field("marker", pa.string())]
    )
    catalog = TimedRestCatalog(f"w{writer_id}", uri=uri)
    acknowledged, errors, unknown = [], [], []
    gave_up = 0  # appends PyIceberg's own retries did not get through; retried here
    table = catalog.load_table(TABLE)
    sequence = 0
    while time.time() < start_at:
        time.sleep(0.005)
    while time.time() < stop_at:
        marker = f"w{writer_id}-{sequence}"
        record = {"id": writer_id * 10_000_000 + sequence, "writer": writer_id, "marker": marker}
        row = pa.Table.from_pylist([record], schema=schema)
        begin = time.perf_counter()
        while True:
            try:
                table.append(row)
                acknowledged.append(marker)
                append_ms.append((time.perf_counter() - begin) * 1000)
                break
            except CommitFailedException:
                gave_up += 1  # other writers kept winning: reload and redo
                table = catalog.load_table(TABLE)
            except Exception as e:  # noqa: BLE001 - every failure is reported
                errors.append(f"append {marker}: {type(e).__name__}: {e}")
                unknown.append(marker)
                table = catalog.load_table(TABLE)
                break
            if time.time() > stop_at + 30:
                errors.append(f"append {marker}: still conflicting 30 s after the end")
                unknown.append(marker)
                break
        sequence += 1
    out.put(
        {
            "role": "writer",
            "writer": writer_id,
            "acknowledged": acknowledged,
            "attempted": sequence,
            "unknown": unknown,
            "conflicts": conflicts,
            "gave_up": gave_up,
            "commit_ms": commit_ms,
            "load_ms": load_ms,
            "append_ms": append_ms,
            "errors": errors,
        }
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--readers", type=int, default=10)
    parser.add_argument("--writers", type=int, default=3)
    parser.add_argument("--catalog", choices=["file", "sqlite"], default="file")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--keep", action="store_true", help="keep the catalog folder (kept anyway on failure)")
    args = parser.parse_args()

    work = pathlib.Path(tempfile.mkdtemp(prefix="faceberg-rest-load-"))
    catalog = str(work / "catalog") if args.catalog == "file" else f"sqlite:{work / 'catalog.db'}"
    fb = faceberg_bin()
    run(fb, "--catalog", catalog, "init")
    run(fb, "--catalog", catalog, "create", TABLE, "--schema", SCHEMA)
    run(fb, "--catalog", catalog, "insert", TABLE, "--values", "(0, -1, 'seed')")

    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    with RestServer(catalog, work) as server:
        start_at = time.time() + 5  # every process imported and connected by then
        stop_at = start_at + args.seconds
        procs = [ctx.Process(target=reader, args=(server.uri, start_at, stop_at, out)) for _ in range(args.readers)]
        procs += [ctx.Process(target=writer, args=(server.uri, i, start_at, stop_at, out)) for i in range(args.writers)]
        for p in procs:
            p.start()
        results = [out.get(timeout=args.seconds + 300) for _ in procs]
        for p in procs:
            p.join(timeout=60)
        wall = args.seconds

        # Verification: the CLI on the catalog, and PyIceberg through the server.
        scanned = run(fb, "--catalog", catalog, "scan", TABLE, "--format", "json", "--select", "marker").stdout
        cli_markers = [json.loads(line)["marker"] for line in scanned.splitlines() if line.strip()]
        from pyiceberg.catalog.rest import RestCatalog

        rest_markers = RestCatalog("verify", uri=server.uri).load_table(TABLE).scan().to_arrow().column("marker").to_pylist()
        server_alive = server.alive()
        server_log = server.log()
        server_cpu_s = cpu_seconds(server.proc.pid)
        import requests

        final_load_bytes = len(requests.get(f"{server.uri}/v1/namespaces/db/tables/load", timeout=60).content)

    readers = [r for r in results if r["role"] == "reader"]
    writers = [r for r in results if r["role"] == "writer"]
    acknowledged = [m for w in writers for m in w["acknowledged"]]
    unknown = {m for w in writers for m in w["unknown"]}
    errors = [e for r in results for e in r["errors"]]
    problems = list(errors)
    for name, markers in (("faceberg scan", cli_markers), ("PyIceberg scan", rest_markers)):
        counts = {}
        for m in markers:
            counts[m] = counts.get(m, 0) + 1
        missing = [m for m in acknowledged if counts.get(m, 0) == 0]
        doubled = [m for m in acknowledged if counts.get(m, 0) > 1]
        stray = [m for m in counts if m != "seed" and m not in set(acknowledged) and m not in unknown]
        if missing:
            problems.append(f"{name}: {len(missing)} acknowledged appends missing, e.g. {missing[:5]}")
        if doubled:
            problems.append(f"{name}: {len(doubled)} acknowledged appends present more than once, e.g. {doubled[:5]}")
        if stray:
            problems.append(f"{name}: {len(stray)} rows of appends that were never acknowledged, e.g. {stray[:5]}")
        if len(markers) != len(acknowledged) + 1 + sum(counts.get(m, 0) for m in unknown):
            problems.append(f"{name}: {len(markers)} rows for {len(acknowledged)} acknowledged appends + seed")
    if not server_alive:
        problems.append("the server died")

    reads = sum(r["reads"] for r in readers)
    conflicts = sum(w["conflicts"] for w in writers)
    report = {
        "machine": machine(args.readers + args.writers),
        "catalog": args.catalog,
        "seconds": wall,
        "readers": args.readers,
        "writers": args.writers,
        "reads": reads,
        "reads_per_s": round(reads / wall, 1),
        "appends": len(acknowledged),
        "appends_per_s": round(len(acknowledged) / wall, 2),
        "conflicts_retried": conflicts,
        "appends_redone_after_pyiceberg_gave_up": sum(w["gave_up"] for w in writers),
        "commit_attempts": sum(len(w["commit_ms"]) for w in writers),
        "load_ms_readers": percentiles([x for r in readers for x in r["load_ms"]]),
        "load_ms_writers": percentiles([x for w in writers for x in w["load_ms"]]),
        "commit_ms": percentiles([x for w in writers for x in w["commit_ms"]]),
        "append_ms_end_to_end": percentiles([x for w in writers for x in w["append_ms"]]),
        "rows_in_table": len(cli_markers),
        "server_cpu_s": server_cpu_s,
        "final_load_response_bytes": final_load_bytes,
        "errors": errors[:20],
        "problems": problems[:20],
        "ok": not problems,
    }
    print(json.dumps(report, indent=2))
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    if problems:
        print(f"FAILED (catalog kept in {work}); server log: {server_log[-2000:]}", file=sys.stderr)
    elif not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
