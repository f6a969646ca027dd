"""Data generator throughput: `faceberg generate` (the whole process) against Python DuckDB's own
`COPY (SELECT <the same expressions> FROM range(N)) TO ... (FORMAT parquet)`, in the same run.

    .venv/bin/python bench/generate_bench.py [--rows 10000000] [--shards 1] [--schema SPEC]

The SELECT comes from `faceberg generate --print-sql`, so both write the same values (one config,
one split, the default schema unless --schema). Median of 3 timed runs after a warm-up.
"""

import argparse
import os
import pathlib
import shutil
import tempfile

from common import FACEBERG, duck, machine, run, timed


def folder_bytes(path):
    return sum(p.stat().st_size for p in pathlib.Path(path).rglob("*.parquet"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--shards", type=int, default=1)
    parser.add_argument("--schema", default="")
    parser.add_argument("--compression", default="zstd")
    parser.add_argument("--row-group-size", type=int, default=122880)
    args = parser.parse_args()
    work = pathlib.Path(tempfile.mkdtemp(prefix="faceberg-generate-bench-"))
    common = ["--rows", args.rows, "--shards", args.shards, "--seed", 1,
              "--compression", args.compression, "--row-group-size", args.row_group_size]
    if args.schema:
        common += ["--schema", args.schema]
    sql = run(FACEBERG, "generate", work / "plan", *common, "--print-sql").stdout.strip()

    repo = work / "repo"
    t_faceberg = timed(lambda: run(FACEBERG, "generate", repo, *common, "--overwrite", "--quiet"))
    faceberg_bytes = folder_bytes(repo)

    con = duck()
    con.execute("SET TimeZone = 'UTC'")
    out = work / "duckdb.parquet"
    t_duckdb = timed(lambda: con.execute(
        f"COPY ({sql}) TO '{out}' (FORMAT parquet, COMPRESSION {args.compression}, "
        f"ROW_GROUP_SIZE {args.row_group_size})"))
    duckdb_bytes = out.stat().st_size
    rows = con.execute(f"SELECT count(*) FROM read_parquet('{repo}/data/*.parquet')").fetchone()[0]
    assert rows == args.rows, rows

    def line(name, seconds, size):
        return (f"{name}: {seconds:.2f} s, {args.rows / seconds / 1e6:.2f} M rows/s, "
                f"{size / seconds / 1e6:.1f} MB/s ({size / 1e6:.1f} MB)")

    print(f"machine: {machine()}, faceberg threads: {os.cpu_count()}")
    print(f"rows: {args.rows}, shards: {args.shards}, schema: {args.schema or 'default'}")
    print(line("faceberg generate (whole process)", t_faceberg, faceberg_bytes))
    print(line("DuckDB COPY (same SELECT)", t_duckdb, duckdb_bytes))
    print(f"throughput faceberg / DuckDB (rows/s) = {t_duckdb / t_faceberg:.2f}x (goal: >= 0.9x)")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
