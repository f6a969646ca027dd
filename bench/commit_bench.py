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

from common import FACEBERG, machine, run


def planning_ms(catalog):
    samples = []
    for _ in range(5):
        out = run(FACEBERG, "--catalog", catalog, "--json", "scan", "t", "--explain").stdout
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
    latencies.sort()
    p50 = latencies[len(latencies) // 2]
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    explain = json.loads(run(FACEBERG, "--catalog", catalog, "--json", "scan", "t", "--explain").stdout)
    print(f"machine: {machine()}")
    print(f"commits: {args.commits}; insert latency p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    print(f"planning after 10 commits: {plan_at_10:.2f} ms; after {args.commits}: {plan_at_end:.2f} ms "
          f"(ratio {plan_at_end / plan_at_10:.2f}x); manifests read at the end: {explain['manifests-read']}")


if __name__ == "__main__":
    main()
