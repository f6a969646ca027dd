"""`faceberg create` of a generated N-file dataset on the local hub against PyIceberg `add_files`
through `HfFileSystem` on the same hub, in the same run.

Both sides start from nothing but the repo id and end with a committed Iceberg table holding
every file with its metrics; both reach the files only through the hub (with --latency-ms added
to every request). The hub's request counter gives requests per file for each side.

    .venv/bin/python bench/hf_create_bench.py [--files 2000] [--latency-ms 20]
"""

import argparse
import json
import os
import pathlib
import sys
import tempfile
import time

import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests" / "interop"))
from hubproc import Hub, faceberg_bin  # noqa: E402

from common import machine, run  # noqa: E402

REPO_ID = "bench/files"


def generate(root: pathlib.Path, files: int, rows: int) -> None:
    """data/{split}-NNNNN-of-NNNNN.parquet: 90% train, the rest test (HF's push_to_hub names)."""
    repo = root / "datasets" / REPO_ID / "data"
    repo.mkdir(parents=True)
    n_test = max(1, files // 10)
    n_train = files - n_test
    for split, count in (("train", n_train), ("test", n_test)):
        for i in range(count):
            base = (i + (0 if split == "train" else n_train)) * rows
            table = pa.table({
                "id": pa.array(range(base, base + rows), pa.int64()),
                "text": pa.array([f"row {base + j} of {split}" for j in range(rows)]),
                "label": pa.array([(base + j) % 7 for j in range(rows)], pa.int64()),
                "score": pa.array([(base + j) * 0.5 for j in range(rows)], pa.float64()),
            })
            pq.write_table(table, repo / f"{split}-{i:05d}-of-{count:05d}.parquet")


def counts(stats: dict) -> dict:
    """Requests to the hub itself, and all requests including the storage hop that every LFS
    file's 302 leads to (as on huggingface.co)."""
    storage = stats["routes"].get("cdn", 0)
    return {"hub_requests": stats["total"] - storage, "all_requests": stats["total"]}


def bench_faceberg(hub: Hub, work: pathlib.Path) -> dict:
    (work / "faceberg.yml").write_text(
        "catalog:\n  name: bench\n  location: catalog\n"
        f"datasets:\n  - name: files\n    repo: {REPO_ID}\n")
    env = dict(os.environ, HF_ENDPOINT=hub.endpoint)
    run(faceberg_bin(), "init", cwd=work, env=env)
    hub.reset_stats()
    start = time.perf_counter()
    out = run(faceberg_bin(), "--json", "create", cwd=work, env=env)
    seconds = time.perf_counter() - start
    tables = json.loads(out.stdout)["tables"]
    return dict(counts(hub.stats()), seconds=seconds, files=sum(t["files"] for t in tables))


def bench_pyiceberg(hub: Hub, work: pathlib.Path) -> dict:
    from huggingface_hub import HfApi, HfFileSystem
    from pyiceberg.catalog.sql import SqlCatalog

    hub.reset_stats()
    start = time.perf_counter()
    sha = HfApi(endpoint=hub.endpoint).dataset_info(REPO_ID).sha
    fs = HfFileSystem(endpoint=hub.endpoint)
    paths = sorted(fs.glob(f"datasets/{REPO_ID}@{sha}/data/*.parquet"))
    with fs.open(paths[0]) as f:
        schema = pq.read_schema(f)
    catalog = SqlCatalog("bench", uri=f"sqlite:///{work}/pyiceberg.db",
                         warehouse=f"file://{work}/warehouse",
                         **{"hf.endpoint": hub.endpoint,
                            "py-io-impl": "pyiceberg.io.fsspec.FsspecFileIO"})
    catalog.create_namespace("default")
    table = catalog.create_table("default.files", schema=schema)
    table.add_files([f"hf://{p}" for p in paths])
    seconds = time.perf_counter() - start
    files = len(table.inspect.files())
    return dict(counts(hub.stats()), seconds=seconds, files=files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--rows", type=int, default=100, help="rows per file")
    parser.add_argument("--latency-ms", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fb-hf-bench-") as tmp:
        tmp = pathlib.Path(tmp)
        generate(tmp / "hub", args.files, args.rows)
        hub = Hub(tmp / "hub", "--latency-ms", str(args.latency_ms), "--threads", "128")
        try:
            (tmp / "fb").mkdir()
            (tmp / "py").mkdir()
            fb = bench_faceberg(hub, tmp / "fb")
            py = bench_pyiceberg(hub, tmp / "py")
        finally:
            hub.stop()
    assert fb["files"] == py["files"] == args.files, (fb, py)
    print(f"machine: {machine()}; {args.files} files x {args.rows} rows, "
          f"hub latency {args.latency_ms} ms per request")
    for name, r in (("faceberg create", fb), ("pyiceberg add_files", py)):
        print(f"{name:<20} {r['seconds']:8.2f} s  {r['hub_requests'] / r['files']:6.3f} hub "
              f"requests/file  {r['all_requests'] / r['files']:6.3f} with storage hops")
    print(f"ratio: faceberg is {py['seconds'] / fb['seconds']:.1f}x faster")


if __name__ == "__main__":
    main()
