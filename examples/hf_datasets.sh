#!/usr/bin/env bash
# The HF bridge end to end on the local hub, with the catalog itself kept in an HF dataset repo:
# a dataset repo becomes an Iceberg table (no data copied), an insert lands as a new Parquet file
# in the dataset repo, `push` publishes the catalog in one Hub commit, a second folder pulls it,
# and PyIceberg reads the pushed table straight from the hub. Needs scripts/setup.sh to have run.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
FACEBERG="${FACEBERG_BIN:-$ROOT/build/${FACEBERG_PRESET:-release}/src/cli/faceberg}"
PY="$ROOT/.venv/bin/python"
WORK=$(mktemp -d /tmp/faceberg-hf-datasets.XXXXXX)
HUB_PID=""
cleanup() {
  if [ -n "$HUB_PID" ]; then kill "$HUB_PID" 2>/dev/null || true; wait "$HUB_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"

step() { printf '\n$ %s\n' "$*"; "$@"; }
faceberg() { "$FACEBERG" "$@"; }
unset FACEBERG_CATALOG FACEBERG_MIRROR HF_TOKEN
# repo_files REPO: the files of a dataset repo on the hub, as huggingface_hub lists them.
repo_files() {
  "$PY" -c 'import sys; from huggingface_hub import HfApi
print("\n".join(HfApi().list_repo_files(sys.argv[1], repo_type="dataset")))' "$1"
}

printf '# the dataset demo/movies: train and test files named as push_to_hub names them\n'
"$PY" - <<'PY'
import pathlib, pyarrow as pa, pyarrow.parquet as pq
repo = pathlib.Path("hub/datasets/demo/movies/data")
repo.mkdir(parents=True)
for split, start, n in (("train", 0, 8), ("test", 100, 4)):
    pq.write_table(pa.table({
        "id": pa.array(range(start, start + n), pa.int64()),
        "title": [f"movie {i}" for i in range(start, start + n)],
        "rating": pa.array([round(1 + (i % 9) / 2, 1) for i in range(n)], pa.float64()),
    }), repo / f"{split}-00000-of-00001.parquet")
PY

"$FACEBERG" hub serve --root hub --port 0 > hub.out 2> hub.log &
HUB_PID=$!
for _ in $(seq 100); do [ -s hub.out ] && break; sleep 0.1; done
export HF_ENDPOINT
HF_ENDPOINT=$(awk 'NR==1 {print $2}' hub.out)
export FACEBERG_CACHE_DIR="$WORK/cache" HF_HUB_DISABLE_XET=1 HF_HUB_DISABLE_PROGRESS_BARS=1
printf '# local hub serving hub/ at %s (HF_ENDPOINT)\n' "$HF_ENDPOINT"

mkdir first && cd first
cat > faceberg.yml <<'YML'
catalog:
  name: shared
  location: hf://datasets/demo/catalog   # the catalog lives in this dataset repo
datasets:
  - name: movies
    repo: demo/movies
YML
printf '\n$ cat faceberg.yml\n'; cat faceberg.yml

step faceberg init
step faceberg create
step faceberg list
step faceberg info movies_default
step faceberg scan movies_default --where "split = 'test'"

printf '\n# an insert into an HF-backed table commits a Parquet file to the dataset repo\n'
step faceberg insert movies_default --values "(200, 'new release', 4.5, 'train'), (201, 'sequel', 3.0, 'test')"
step repo_files demo/movies
step faceberg sql "SELECT split, count(*) AS movies FROM default.movies_default GROUP BY split ORDER BY split"

printf '\n# publish the catalog: one Hub commit to demo/catalog\n'
step faceberg push
step repo_files demo/catalog
step faceberg push

printf '\n# a second folder: pull the catalog into its own mirror\n'
cd "$WORK" && mkdir second
step faceberg --catalog hf://datasets/demo/catalog --mirror second/mirror pull
step faceberg --catalog hf://datasets/demo/catalog --mirror second/mirror list
step faceberg --catalog hf://datasets/demo/catalog --mirror second/mirror scan movies_default --where "id >= 200"

printf '\n$ python: PyIceberg reads the pushed table from the hub alone (metadata, manifests, data)\n'
"$PY" - <<'PY'
import os
from huggingface_hub import HfApi
from pyiceberg.table import StaticTable
files = HfApi().list_repo_files("demo/catalog", repo_type="dataset")
metadata = sorted((f for f in files if f.startswith("default/movies_default/metadata/")
                   and f.endswith(".metadata.json")), key=lambda f: int(f.split("/v")[-1].split(".")[0]))[-1]
uri = f"hf://datasets/demo/catalog/{metadata}"
table = StaticTable.from_metadata(uri, properties={
    "hf.endpoint": os.environ["HF_ENDPOINT"], "py-io-impl": "pyiceberg.io.fsspec.FsspecFileIO"})
print("metadata:", uri)
for task in sorted(table.scan().plan_files(), key=lambda t: t.file.file_path):
    print("data file:", task.file.file_path)
rows = table.scan().to_arrow()
print("PyIceberg rows:", rows.num_rows, "| splits:", dict(sorted(
    (s, rows.column("split").to_pylist().count(s)) for s in set(rows.column("split").to_pylist()))))
PY
printf '\nhf datasets finished\n'
