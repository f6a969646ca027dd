#!/usr/bin/env bash
# faceberg's main job, offline: three HF-style datasets (like the seed's: one with two configs,
# one with train/test/validation splits, one flat) served by the local HF-compatible hub, mapped
# to Iceberg tables without copying data: init, create, list, info, a split-filtered scan, a SQL
# aggregate, a new dataset commit picked up by sync, and a time-travel query. Needs
# scripts/setup.sh to have run (the README's first command does that).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
FACEBERG="${FACEBERG_BIN:-$ROOT/build/${FACEBERG_PRESET:-release}/src/cli/faceberg}"
PY="$ROOT/.venv/bin/python"
WORK=$(mktemp -d /tmp/faceberg-quickstart.XXXXXX)
HUB_PID=""
cleanup() {
  if [ -n "$HUB_PID" ]; then kill "$HUB_PID" 2>/dev/null || true; wait "$HUB_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"

step() { printf '\n$ %s\n' "$*"; "$@"; }
faceberg() { "$FACEBERG" "$@"; }

printf '# writing three datasets under hub/datasets/ (Parquet files as HF push_to_hub lays them out)\n'
"$PY" - <<'PY'
import pathlib, pyarrow as pa, pyarrow.parquet as pq
def write(path, table):
    path = pathlib.Path("hub/datasets") / path
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
def reviews(start, n, lang):
    return pa.table({"id": pa.array(range(start, start + n), pa.int64()),
                     "text": [f"{lang} review {i}" for i in range(start, start + n)],
                     "stars": pa.array([1 + i % 5 for i in range(start, start + n)], pa.int8())})
# demo/reviews: two configs (en, fr) declared in the README, each with train and test.
for lang in ("en", "fr"):
    write(f"demo/reviews/{lang}/train-00000-of-00001.parquet", reviews(0, 40, lang))
    write(f"demo/reviews/{lang}/test-00000-of-00001.parquet", reviews(1000, 10, lang))
pathlib.Path("hub/datasets/demo/reviews/README.md").write_text(
    "---\nconfigs:\n" + "".join(
        f"- config_name: {lang}\n  data_files:\n  - split: train\n    path: {lang}/train-*\n"
        f"  - split: test\n    path: {lang}/test-*\n" for lang in ("en", "fr")) + "---\n")
# demo/qa: the default config, splits from the file names (no README).
for split, n, shards in (("train", 60, 2), ("validation", 15, 1), ("test", 20, 1)):
    for i in range(shards):
        write(f"demo/qa/data/{split}-{i:05d}-of-{shards:05d}.parquet", pa.table({
            "question": [f"{split} question {i}-{j}" for j in range(n)],
            "answer_start": pa.array(range(n), pa.int32())}))
# demo/flat: files without split names: everything is train.
write("demo/flat/measurements.parquet", pa.table({"sensor": ["a", "b", "c"], "value": [1.5, 2.0, 0.5]}))
PY

"$FACEBERG" hub serve --root hub --port 0 > hub.out 2> hub.log &
HUB_PID=$!
for _ in $(seq 100); do [ -s hub.out ] && break; sleep 0.1; done
export HF_ENDPOINT
HF_ENDPOINT=$(awk 'NR==1 {print $2}' hub.out)
export FACEBERG_CACHE_DIR="$WORK/cache" HF_HUB_DISABLE_XET=1 HF_HUB_DISABLE_PROGRESS_BARS=1
printf '# local hub serving hub/ at %s\n' "$HF_ENDPOINT"

cat > faceberg.yml <<'YML'
catalog:
  name: demo
  location: .faceberg
datasets:
  - name: reviews
    repo: demo/reviews
  - name: qa
    repo: demo/qa
  - name: flat
    repo: demo/flat
YML
printf '\n$ cat faceberg.yml\n'; cat faceberg.yml

step faceberg init
step faceberg create
step faceberg list
step faceberg info qa_default
step faceberg scan qa_default --where "split = 'validation'" --limit 3
step faceberg scan qa_default --where "split = 'validation'" --explain
step faceberg sql "SELECT split, count(*) AS questions FROM default.qa_default GROUP BY split ORDER BY split"
FIRST=$(faceberg --json snapshots qa_default | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["snapshots"][0]["snapshot-id"])')

printf '\n# the dataset owner commits a new train shard with huggingface_hub\n'
"$PY" - <<'PY'
import os, pyarrow as pa, pyarrow.parquet as pq
from huggingface_hub import CommitOperationAdd, HfApi
pq.write_table(pa.table({"question": [f"new question {j}" for j in range(25)],
                         "answer_start": pa.array(range(25), pa.int32())}), "new.parquet")
commit = HfApi(endpoint=os.environ["HF_ENDPOINT"]).create_commit(
    "demo/qa", repo_type="dataset", commit_message="add a train shard",
    operations=[CommitOperationAdd("data/train-00002-of-00003.parquet", "new.parquet")])
print("new dataset commit", commit.oid[:8])
PY
step faceberg sync
step faceberg snapshots qa_default
step faceberg sql "SELECT 'now' AS at, count(*) AS train_rows FROM default.qa_default WHERE split = 'train' UNION ALL SELECT 'before sync', count(*) FROM default.qa_default@$FIRST WHERE split = 'train'"
printf '\nquickstart finished\n'
