"""The HF-Iceberg bridge end to end on the local hub, through the real binary: the seed's three
datasets (two configs; train/test/validation folders; flat files) through init, create, list,
info, split-filtered scans, sync after new dataset commits, time travel across revisions, and
PyIceberg reading the HF-backed tables through HfFileSystem with the same rows and splits."""

import json
import os
import pathlib
import subprocess

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from huggingface_hub import CommitOperationAdd, CommitOperationDelete, HfApi, constants
from pyiceberg.table import StaticTable

from conftest import latest_metadata
from hubproc import Hub, faceberg_bin

CONFIG = """\
catalog:
  name: hf_catalog
  location: catalog
datasets:
  - name: dataset1
    repo: kszucs/dataset1
  - name: dataset2
    repo: kszucs/dataset2
  - name: dataset3
    repo: kszucs/dataset3
"""

DATASET1_README = """\
---
configs:
- config_name: config1
  data_files:
  - split: train
    path: config1/train/*.parquet
  default: true
- config_name: config2
  data_files:
  - split: train
    path: config2/train/*.parquet
---
# dataset1
"""


def rows_table(start: int, n: int, tag: str) -> pa.Table:
    return pa.table({
        "id": pa.array(range(start, start + n), pa.int64()),
        "text": pa.array([f"{tag} {i}" for i in range(start, start + n)]),
        "tags": pa.array([[tag, str(i % 3)] for i in range(start, start + n)],
                         pa.list_(pa.string())),
    })


def write(path: pathlib.Path, table: pa.Table) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)


def make_datasets(root: pathlib.Path) -> dict:
    """The seed's three datasets; returns {table name: {split: [rows as dicts]}}."""
    d1 = root / "datasets" / "kszucs" / "dataset1"
    write(d1 / "config1" / "train" / "data-00000.parquet", rows_table(0, 50, "c1"))
    write(d1 / "config1" / "train" / "data-00001.parquet", rows_table(50, 30, "c1"))
    write(d1 / "config2" / "train" / "data-00000.parquet",
          pa.table({"key": pa.array(["a", "b", "c"]), "score": pa.array([1.5, 2.5, None])}))
    (d1 / "README.md").write_text(DATASET1_README)
    d2 = root / "datasets" / "kszucs" / "dataset2"
    write(d2 / "data" / "train" / "part-0.parquet", rows_table(0, 40, "train"))
    write(d2 / "data" / "train" / "part-1.parquet", rows_table(40, 40, "train"))
    write(d2 / "data" / "test" / "part-0.parquet", rows_table(100, 20, "test"))
    write(d2 / "data" / "validation" / "part-0.parquet", rows_table(200, 10, "validation"))
    d3 = root / "datasets" / "kszucs" / "dataset3"
    write(d3 / "data" / "shard-a.parquet", rows_table(0, 25, "flat"))
    write(d3 / "data" / "shard-b.parquet", rows_table(25, 25, "flat"))


class Bridge:
    """The faceberg binary run in a work folder holding faceberg.yml, against one hub."""

    def __init__(self, work: pathlib.Path, hub: Hub, cache: pathlib.Path):
        self.work = work
        self.env = dict(os.environ, HF_ENDPOINT=hub.endpoint, FACEBERG_CACHE_DIR=str(cache),
                        HF_HOME=str(work / "hf-home"))
        self.env.pop("HF_TOKEN", None)
        self.env.pop("FACEBERG_CATALOG", None)

    def run(self, *args, check=True):
        proc = subprocess.run([faceberg_bin(), *map(str, args)], capture_output=True, text=True,
                              cwd=self.work, env=self.env)
        if check and proc.returncode != 0:
            raise AssertionError(f"faceberg {args} failed ({proc.returncode}): {proc.stderr}")
        return proc

    def json(self, *args):
        return json.loads(self.run("--json", *args).stdout)

    def rows(self, table, *args):
        out = self.run("scan", table, "--format", "json", *args).stdout
        return sorted((json.loads(line) for line in out.splitlines() if line.strip()),
                      key=lambda r: (r.get("split") or "", r.get("id") or 0, r.get("key") or ""))


@pytest.fixture
def world(tmp_path, monkeypatch):
    root = tmp_path / "hub"
    make_datasets(root)
    hub = Hub(root)
    monkeypatch.setenv("HF_HUB_DISABLE_XET", "1")
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_XET", True)
    work = tmp_path / "work"
    work.mkdir()
    (work / "faceberg.yml").write_text(CONFIG)
    try:
        yield Bridge(work, hub, tmp_path / "cache"), hub
    finally:
        hub.stop()


def pyiceberg_rows(work: pathlib.Path, table: str, endpoint: str, snapshot_id=None):
    location = work / "catalog" / "default" / table
    static = StaticTable.from_metadata(str(latest_metadata(location)),
                                       properties={"hf.endpoint": endpoint,
                                                   "py-io-impl": "pyiceberg.io.fsspec.FsspecFileIO"})
    scan = static.scan(snapshot_id=snapshot_id) if snapshot_id else static.scan()
    rows = scan.to_arrow().to_pylist()
    return sorted(rows, key=lambda r: (r.get("split") or "", r.get("id") or 0, r.get("key") or ""))


def test_create_list_info_scan_and_pyiceberg(world):
    fb, hub = world
    fb.run("init")
    created = fb.json("create")["tables"]
    assert sorted(t["table"] for t in created) == [
        "default.dataset1_config1", "default.dataset1_config2", "default.dataset2_default",
        "default.dataset3_default"]

    listed = {t["table"]: t for t in fb.json("list")["tables"]}
    assert listed["default.dataset1_config2"]["kind"] == "hf"
    assert listed["default.dataset1_config2"]["repo"] == "kszucs/dataset1"
    assert listed["default.dataset1_config2"]["config"] == "config2"
    assert listed["default.dataset2_default"]["rows"] == 110
    assert listed["default.dataset3_default"]["rows"] == 50

    info = fb.json("info", "dataset2_default")
    assert info["hf"]["repo"] == "kszucs/dataset2"
    assert info["hf"]["revision"] == "main"
    assert len(info["hf"]["commit"]) == 40
    assert info["hf"]["splits"] == {"train": 2, "test": 1, "validation": 1}
    assert [f["name"] for f in info["partition-spec"]["fields"]] == ["split"]
    assert "schema.name-mapping.default" in info["properties"]
    assert [f["name"] for f in info["schema"]["fields"]] == ["id", "text", "tags", "split"]

    # Only the train files are planned for split = 'train'.
    explain = fb.json("scan", "dataset2_default", "--where", "split = 'train'", "--explain")
    assert explain["files-planned"] == 2
    train = fb.rows("dataset2_default", "--where", "split = 'train'")
    assert [r["id"] for r in train] == list(range(80))
    assert {r["split"] for r in train} == {"train"}

    for table in ("dataset1_config1", "dataset1_config2", "dataset2_default", "dataset3_default"):
        ours = fb.rows(table)
        theirs = pyiceberg_rows(fb.work, table, hub.endpoint)
        assert ours == theirs, table
    flat = fb.rows("dataset3_default")
    assert {r["split"] for r in flat} == {"train"} and len(flat) == 50

    total = fb.run("sql", "SELECT split, count(*) AS n FROM default.dataset2_default "
                   "GROUP BY split ORDER BY split", "--format", "csv").stdout
    assert total.split() == ["split,n", "test,20", "train,80", "validation,10"]


def test_sync_reads_only_new_footers_and_time_travels(world):
    fb, hub = world
    fb.run("init")
    fb.run("create", "dataset2_default")
    first = fb.json("snapshots", "dataset2_default")["snapshots"]
    assert len(first) == 1

    unchanged = fb.json("sync", "dataset2_default")["tables"][0]
    assert unchanged["unchanged"] is True
    assert len(fb.json("snapshots", "dataset2_default")["snapshots"]) == 1

    # A new commit to the dataset: one new train file, the validation file removed.
    extra = fb.work / "extra.parquet"
    pq.write_table(rows_table(300, 5, "train"), extra)
    HfApi(endpoint=hub.endpoint).create_commit(
        "kszucs/dataset2", repo_type="dataset", commit_message="more data",
        operations=[CommitOperationAdd("data/train/part-2.parquet", str(extra)),
                    CommitOperationDelete("data/validation/part-0.parquet")])
    hub.reset_stats()
    synced = fb.json("sync")["tables"]
    by_table = {t["table"]: t for t in synced}
    result = by_table["default.dataset2_default"]
    assert result["unchanged"] is False
    assert (result["files-added"], result["files-removed"], result["files-kept"]) == (1, 1, 3)
    stats = hub.stats()
    assert stats["requests"].get("GET resolve", 0) == 1, stats  # only the new file's footer

    snapshots = fb.json("snapshots", "dataset2_default")["snapshots"]
    assert len(snapshots) == 2
    now = fb.rows("dataset2_default")
    assert len(now) == 105 and {r["split"] for r in now} == {"train", "test"}
    before = fb.rows("dataset2_default", "--snapshot", snapshots[0]["snapshot-id"])
    assert len(before) == 110 and "validation" in {r["split"] for r in before}
    assert now == pyiceberg_rows(fb.work, "dataset2_default", hub.endpoint)
    assert before == pyiceberg_rows(fb.work, "dataset2_default", hub.endpoint,
                                    snapshot_id=snapshots[0]["snapshot-id"])
    # --as-of a time between the two snapshots reads the first dataset revision.
    between = snapshots[1]["timestamp-ms"] - 1
    assert fb.rows("dataset2_default", "--as-of", str(between)) == before

    # An insert commits a Parquet file into the dataset repo where HF's rules put it in `test`.
    api = HfApi(endpoint=hub.endpoint)
    files_before = set(api.list_repo_files("kszucs/dataset2", repo_type="dataset"))
    inserted = fb.json("insert", "dataset2_default", "--values",
                       "(900, 'inserted', ['x'], 'test'), (901, 'inserted', ['y'], 'test')")
    new_files = set(api.list_repo_files("kszucs/dataset2", repo_type="dataset")) - files_before
    assert len(new_files) == 1, new_files
    new_file = new_files.pop()
    assert new_file.startswith("data/test/") and new_file.endswith(".parquet"), new_file
    local = api.hf_hub_download("kszucs/dataset2", new_file, repo_type="dataset",
                                cache_dir=str(fb.work / "hf-cache"))
    assert pq.read_table(local).column_names == ["id", "text", "tags"]  # split lives in metadata
    assert inserted["commit"] == api.dataset_info("kszucs/dataset2").sha
    after = fb.rows("dataset2_default")
    assert len(after) == 107 and [r["id"] for r in after if r["text"] == "inserted"] == [900, 901]
    assert after == pyiceberg_rows(fb.work, "dataset2_default", hub.endpoint)
    assert fb.json("sync", "dataset2_default")["tables"][0]["unchanged"] is True


@pytest.mark.parametrize("case", ["missing-repo", "missing-revision", "no-parquet", "unreachable"])
def test_bad_datasets_fail_cleanly(world, case):
    fb, hub = world
    fb.run("init")
    before = (fb.work / "catalog" / "catalog.json").read_text()
    config = {
        "missing-repo": "  - name: ghost\n    repo: kszucs/ghost\n",
        "missing-revision": "  - name: d2\n    repo: kszucs/dataset2\n    revision: nope\n",
        "no-parquet": "  - name: csv\n    repo: kszucs/csvonly\n",
        "unreachable": "  - name: d2\n    repo: kszucs/dataset2\n",
    }[case]
    if case == "no-parquet":
        repo = hub.root / "datasets" / "kszucs" / "csvonly"
        repo.mkdir(parents=True)
        (repo / "train.csv").write_text("a,b\n1,2\n")
    (fb.work / "faceberg.yml").write_text(
        "catalog:\n  location: catalog\ndatasets:\n" + config)
    if case == "unreachable":
        fb.env["HF_ENDPOINT"] = "http://127.0.0.1:9"
    proc = fb.run("create", check=False)
    assert proc.returncode == 1, proc
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    assert (fb.work / "catalog" / "catalog.json").read_text() == before


def test_hf_catalog_push_pull_and_read_straight_from_the_hub(world, tmp_path):
    fb, hub = world
    (fb.work / "faceberg.yml").write_text(
        CONFIG.replace("location: catalog", "location: hf://datasets/kszucs/catalog"))
    fb.run("init")
    fb.run("create", "dataset2_default", "dataset3_default")
    pushed = fb.json("push")
    assert pushed["nothing-to-push"] is False and len(pushed["commit"]) == 40
    assert fb.json("push")["nothing-to-push"] is True

    # PyIceberg reads the pushed table from the Hub alone: metadata, manifests and data files.
    files = HfApi(endpoint=hub.endpoint).list_repo_files("kszucs/catalog", repo_type="dataset")
    assert "faceberg.yml" in files and "catalog.json" in files
    metadata = sorted(f for f in files
                      if f.startswith("default/dataset2_default/metadata/")
                      and f.endswith(".metadata.json"))[-1]
    remote = StaticTable.from_metadata(
        f"hf://datasets/kszucs/catalog/{metadata}",
        properties={"hf.endpoint": hub.endpoint,
                    "py-io-impl": "pyiceberg.io.fsspec.FsspecFileIO"})
    assert remote.metadata.location == "hf://datasets/kszucs/catalog/default/dataset2_default"
    theirs = sorted(remote.scan().to_arrow().to_pylist(), key=lambda r: (r["split"], r["id"]))
    assert theirs == fb.rows("dataset2_default")

    # A second folder pulls the catalog and reads the same rows.
    other = tmp_path / "other"
    other.mkdir()
    second = Bridge(other, hub, tmp_path / "cache2")
    second.run("--catalog", "hf://datasets/kszucs/catalog", "init")
    assert second.rows("dataset2_default", "--catalog", "hf://datasets/kszucs/catalog") == \
        fb.rows("dataset2_default")

    # Racing pushes: different tables both land; the same table is refused without loss.
    second.run("--catalog", "hf://datasets/kszucs/catalog", "properties", "dataset3_default",
               "set", "owner=second")
    fb.run("properties", "dataset2_default", "set", "owner=first")
    second.run("--catalog", "hf://datasets/kszucs/catalog", "push")
    merged = fb.json("push")
    assert merged["merged"], merged  # took the other push's files, then pushed on top
    fb.run("properties", "dataset3_default", "set", "owner=first-again")
    second.run("--catalog", "hf://datasets/kszucs/catalog", "pull")
    second.run("--catalog", "hf://datasets/kszucs/catalog", "properties", "dataset3_default",
               "set", "owner=second-again")
    second.run("--catalog", "hf://datasets/kszucs/catalog", "push")
    refused = fb.run("push", check=False)
    assert refused.returncode == 1 and "dataset3_default" in refused.stderr, refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    # Nothing lost: the Hub has the second writer's change, the first keeps its own locally.
    third = Bridge(tmp_path / "third", hub, tmp_path / "cache3")
    (tmp_path / "third").mkdir()
    third.run("--catalog", "hf://datasets/kszucs/catalog", "init")
    props = third.json("--catalog", "hf://datasets/kszucs/catalog", "properties",
                       "dataset3_default")
    assert props["properties"]["owner"] == "second-again"
    assert fb.json("properties", "dataset3_default")["properties"]["owner"] == "first-again"
    assert third.json("--catalog", "hf://datasets/kszucs/catalog", "properties",
                      "dataset2_default")["properties"]["owner"] == "first"


def test_private_dataset_needs_a_token_that_never_leaks(tmp_path, monkeypatch):
    root = tmp_path / "hub"
    write(root / "datasets" / "kszucs" / "secret" / "data" / "train-00000-of-00001.parquet",
          rows_table(0, 10, "secret"))
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps({
        "tokens": {"hf_secret_owner_token": {"user": "kszucs", "repos": ["kszucs/*"],
                                             "write": True}},
        "private": ["kszucs/secret"]}))
    hub = Hub(root, "--tokens", str(tokens))
    try:
        work = tmp_path / "work"
        work.mkdir()
        (work / "faceberg.yml").write_text(
            "catalog:\n  location: catalog\ndatasets:\n  - name: secret\n    repo: kszucs/secret\n")
        fb = Bridge(work, hub, tmp_path / "cache")
        fb.run("init")
        refused = fb.run("create", check=False)
        assert refused.returncode == 1
        assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
        assert "token" in refused.stderr, refused.stderr
        assert not fb.json("list")["tables"]
        fb.env["HF_TOKEN"] = "hf_secret_owner_token"
        fb.run("create")
        assert len(fb.rows("secret_default")) == 10
        everything = [p for p in work.rglob("*") if p.is_file()]
        assert everything and not any(b"hf_secret_owner_token" in p.read_bytes()
                                      for p in everything)
    finally:
        hub.stop()
