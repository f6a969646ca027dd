"""Full scan of a 10-million-row table: `faceberg scan --format parquet` against DuckDB reading the
same data files directly (read_parquet) and PyIceberg scan().to_arrow(), in the same run.

    .venv/bin/python bench/scan_bench.py [--rows 10000000] [--files 10]
"""

import argparse
import pathlib
import tempfile

import pyarrow.parquet as pq

from pyiceberg.table import StaticTable

from common import FACEBERG, duck, machine, run, timed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--files", type=int, default=10)
    args = parser.parse_args()
    work = pathlib.Path(tempfile.mkdtemp(prefix="faceberg-scan-bench-"))
    catalog = work / "catalog"
    con = duck()
    per_file = args.rows // args.files
    inputs = []
    for i in range(args.files):
        path = work / f"input-{i}.parquet"
        con.execute(
            f"""COPY (SELECT (range + {i * per_file})::BIGINT AS id,
                         'name-' || (range % 1000)::VARCHAR AS name,
                         (range % 997) / 7.0 AS score,
                         TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_seconds(range) AS ts,
                         ['a', 'b', 'c'][range % 3 + 1] AS category
                  FROM range({per_file})) TO '{path}' (FORMAT parquet)"""
        )
        inputs.append(path)
    run(FACEBERG, "--catalog", catalog, "init")
    run(FACEBERG, "--catalog", catalog, "create", "bench.t", "--schema",
        "id long not null, name string, score double, ts timestamptz, category string")
    for path in inputs:
        run(FACEBERG, "--catalog", catalog, "insert", "bench.t", path)
    data_files = sorted(str(p) for p in (catalog / "bench" / "t" / "data").rglob("*.parquet"))
    files_sql = "[" + ", ".join(f"'{p}'" for p in data_files) + "]"
    metadata = catalog / "bench" / "t" / "metadata"
    hint = (metadata / "version-hint.text").read_text().strip()

    out = work / "out.parquet"
    t_faceberg = timed(lambda: run(FACEBERG, "--catalog", catalog, "scan", "bench.t", "--format", "parquet",
                                   "--output", out))
    t_duckdb = timed(lambda: con.execute(
        f"COPY (SELECT * FROM read_parquet({files_sql})) TO '{work / 'direct.parquet'}' (FORMAT parquet)"))
    table = StaticTable.from_metadata(str(metadata / f"v{hint}.metadata.json"))
    t_pyiceberg = timed(lambda: table.scan().to_arrow(), repeat=3)
    # The same job as the faceberg command: read the table and write it to a Parquet file.
    t_pyiceberg_file = timed(lambda: pq.write_table(table.scan().to_arrow(), work / "pyiceberg.parquet"), repeat=3)
    rows = con.execute(f"SELECT count(*) FROM read_parquet('{out}')").fetchone()[0]
    assert rows == per_file * args.files, rows
    print(f"machine: {machine()}")
    print(f"rows: {rows}, data files: {len(data_files)}")
    print(f"faceberg scan --format parquet: {t_faceberg:.2f} s")
    print(f"DuckDB read_parquet -> parquet (same files, direct): {t_duckdb:.2f} s  (faceberg / DuckDB = {t_faceberg / t_duckdb:.2f}x)")
    print(f"PyIceberg scan().to_arrow() (in memory only): {t_pyiceberg:.2f} s  (PyIceberg / faceberg = {t_pyiceberg / t_faceberg:.2f}x)")
    print(f"PyIceberg to_arrow + pq.write_table (same job): {t_pyiceberg_file:.2f} s  (PyIceberg / faceberg = {t_pyiceberg_file / t_faceberg:.2f}x)")


if __name__ == "__main__":
    main()
