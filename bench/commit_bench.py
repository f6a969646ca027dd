"""1,000 sequential single-row inserts: commit latency p50/p99 (whole `faceberg insert` process),
and planning time of the latest snapshot after 10 commits versus after 1,000.

    .venv/bin/python bench/commit_bench.py [--commits 1000]
"""

import argparse
import json
import pathlib
import statistics
import tempfile
import time

import pyarrow as pa
import pyarrow.parquet as pq

from common import FACEBERG, machine, run


def planning_ms(catalog, table="t"):
    samples = []
    for _ in range(5):
        out = run(FACEBERG, "--catalog", catalog, "--json", "scan", table, "--explain").stdout
        samples.append(json.loads(out)["planning-ms"])
    return statistics.median(samples)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--commits", type=int, default=1000)
    args = parser.parse_args()
    catalog = pathlib.Path(tempfile.mkdtemp(prefix="faceberg-commit-bench-")) / "catalog"
    run(FACEBERG, "--catalog", catalog, "init")
    run(FACEBERG, "--catalog", catalog, "create", "t", "--schema", "id long not null, v string")
    latencies = []
    plan_at_10 = None
    for i in range(args.commits):
        start = time.perf_counter()
        run(FACEBERG, "--catalog", catalog, "insert", "t", "--values", f"({i}, 'v{i}')")
        latencies.append((time.perf_counter() - start) * 1000)
        if i + 1 == 10:
            plan_at_10 = planning_ms(catalog)
    plan_at_end = planning_ms(catalog)
    # Control: the same number of single-row files registered by one commit. Planning has the
    # same number of file entries to read, but the table has one snapshot.
    files_dir = catalog.parent / "files"
    files_dir.mkdir()
    paths = []
    for i in range(args.commits):
        path = files_dir / f"f{i}.parquet"
        pq.write_table(pa.table({"id": pa.array([i], pa.int64()), "v": [f"v{i}"]}), path)
        paths.append(path)
    run(FACEBERG, "--catalog", catalog, "create", "control", "--schema", "id long not null, v string")
    run(FACEBERG, "--catalog", catalog, "add-files", "control", *paths)
    plan_control = planning_ms(catalog, "control")
    latencies.sort()
    p50 = latencies[len(latencies) // 2]
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    explain = json.loads(run(FACEBERG, "--catalog", catalog, "--json", "scan", "t", "--explain").stdout)
    print(f"machine: {machine()}")
    print(f"commits: {args.commits}; insert latency p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    print(f"planning after 10 commits: {plan_at_10:.2f} ms; after {args.commits}: {plan_at_end:.2f} ms "
          f"(ratio {plan_at_end / plan_at_10:.2f}x); manifests read at the end: {explain['manifests-read']}")
    print(f"control: {args.commits} files committed at once: planning {plan_control:.2f} ms "
          f"(after {args.commits} commits / one commit = {plan_at_end / plan_control:.2f}x)")


if __name__ == "__main__":
    main()
