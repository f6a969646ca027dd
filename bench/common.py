"""Shared helpers for the benchmarks: the faceberg binary, timing, DuckDB with the iceberg extension."""

import os
import pathlib
import statistics
import subprocess
import sysconfig
import time

import duckdb

REPO = pathlib.Path(__file__).resolve().parents[1]
FACEBERG = os.environ.get("FACEBERG_BIN", str(REPO / "build/release/src/cli/faceberg"))


def run(*args, **kwargs):
    proc = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kwargs)
    if proc.returncode != 0:
        raise RuntimeError(f"{args} failed: {proc.stderr}")
    return proc


def timed(fn, repeat=3):
    """Median wall seconds of `repeat` calls (after one warm-up call)."""
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def duck():
    ext = pathlib.Path(sysconfig.get_paths()["purelib"]) / "duckdb_ext" / "extensions"
    con = duckdb.connect()
    con.execute("SET autoinstall_known_extensions=false; SET autoload_known_extensions=false")
    con.execute(f"SET extension_directory='{ext}'")
    return con


def machine():
    return f"{os.cpu_count()} cores, DuckDB {duckdb.__version__} (Python peer)"
