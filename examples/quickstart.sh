#!/usr/bin/env bash
# faceberg's main job, offline: three generated HF-style datasets (like the seed's: one with two
# configs, one with train/validation/test splits, one flat) served by the local HF-compatible hub,
# mapped to Iceberg tables without copying data: init, create, list, info, a split-filtered scan,
# a SQL aggregate, an insert (committed into the dataset repo), a new dataset commit picked up by
# sync, and a time-travel query. Needs scripts/setup.sh to have run (the README's first command).
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

printf '# three HF-style datasets under hub/datasets/, written by faceberg generate\n'
step faceberg generate hub/datasets/demo/reviews --rows 2000 --configs en,fr --splits train,test --split-weights 4,1 --seed 1 \
  --schema "id:id, text:text(20..200), stars:label(1|2|3|4|5), helpful:double(0..1)?0.1"
step faceberg generate hub/datasets/demo/qa --rows 3000 --splits train,validation,test --split-weights 8,1,1 --shards 2 --seed 2 \
  --schema "id:id, question:text(20..80), answer_start:label(100), asked:timestamp(2024-01-01..2025-01-01)"
step faceberg generate hub/datasets/demo/flat --rows 500 --seed 3 --schema "sensor:label(a|b|c), value:double(0..100)"

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
step faceberg scan qa_default --where "split = 'validation' AND answer_start < 10" --select id,question,split --limit 3
step faceberg scan qa_default --where "split = 'validation'" --explain
step faceberg sql "SELECT split, count(*) AS questions FROM default.qa_default GROUP BY split ORDER BY split"
FIRST=$(faceberg --json snapshots qa_default | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["snapshots"][0]["snapshot-id"])')

step faceberg insert qa_default --values "(100000, 'what does faceberg do?', 7, TIMESTAMPTZ '2025-06-01 12:00:00+00', 'validation')"

printf '\n# meanwhile the dataset owner commits a new train shard with huggingface_hub\n'
"$FACEBERG" generate more --rows 300 --seed 4 -q \
  --schema "id:id, question:text(20..80), answer_start:label(100), asked:timestamp(2024-01-01..2025-01-01)"
"$PY" - <<'PY'
import os
from huggingface_hub import CommitOperationAdd, HfApi
commit = HfApi(endpoint=os.environ["HF_ENDPOINT"]).create_commit(
    "demo/qa", repo_type="dataset", commit_message="add a train shard",
    operations=[CommitOperationAdd("data/train-00002-of-00003.parquet",
                                   "more/data/train-00000-of-00001.parquet")])
print("new dataset commit", commit.oid[:8])
PY
step faceberg sync
step faceberg snapshots qa_default
step faceberg check
step faceberg sql "SELECT 'now' AS at, count(*) AS train_rows FROM default.qa_default WHERE split = 'train' UNION ALL SELECT 'first snapshot', count(*) FROM default.qa_default@$FIRST WHERE split = 'train'"
printf '\nquickstart finished\n'
