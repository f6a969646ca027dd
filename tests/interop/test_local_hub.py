"""The local hub (`faceberg hub serve`) against the official huggingface_hub client: reads
(info, paginated trees, refs, downloads, HfFileSystem ranges), writes (create_repo, create_commit
with regular and LFS files, multipart LFS, upload_folder, stale parent commits) and tokens."""

import json
import os
import pathlib

import pytest

from hubproc import Hub

huggingface_hub = pytest.importorskip("huggingface_hub")
from huggingface_hub import (  # noqa: E402
    CommitOperationAdd,
    HfApi,
    HfFileSystem,
    constants,
    hf_hub_download,
)
from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError  # noqa: E402

README = "---\nlicense: mit\ntags:\n- demo\n---\n# Demo\n"
TOKEN = "hf_local_owner"
READ_TOKEN = "hf_local_reader"


def _bytes(n: int, seed: int) -> bytes:
    return bytes((i * 131 + seed) % 251 for i in range(n))


def make_demo_repo(root: pathlib.Path) -> None:
    repo = root / "datasets" / "alice" / "demo"
    (repo / "data").mkdir(parents=True)
    (repo / "README.md").write_text(README)
    for i in range(12):
        (repo / "data" / f"train-{i:05d}-of-00012.csv").write_text(f"id\n{i}\n")
    (repo / "data" / "test.parquet").write_bytes(_bytes(300_000, 7))
    export = repo / ".refs" / "convert" / "parquet" / "default" / "train"
    export.mkdir(parents=True)
    (export / "0000.parquet").write_bytes(_bytes(1000, 3))


@pytest.fixture
def start_hub(tmp_path, monkeypatch):
    """Starts hubs over tmp_path/root (with alice/demo) and points huggingface_hub at the last."""
    root = tmp_path / "root"
    make_demo_repo(root)
    hubs = []

    def start(*extra: str) -> Hub:
        hub = Hub(root, "--tree-page-size", "5", *extra)
        hubs.append(hub)
        monkeypatch.setenv("HF_ENDPOINT", hub.endpoint)
        monkeypatch.setenv("HF_HUB_DISABLE_XET", "1")
        monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
        monkeypatch.delenv("HF_TOKEN", raising=False)
        # huggingface_hub reads its environment at import time, so the tests also pass the
        # endpoint explicitly and switch Xet off here (the client then uploads through LFS).
        monkeypatch.setattr(constants, "HF_HUB_DISABLE_XET", True)
        return hub

    yield start
    for hub in hubs:
        hub.stop()


@pytest.fixture
def hub(start_hub):
    return start_hub()


def api(hub: Hub, token=TOKEN) -> HfApi:
    return HfApi(endpoint=hub.endpoint, token=token)


def test_dataset_info(hub):
    info = api(hub).dataset_info("alice/demo", files_metadata=True)
    assert len(info.sha) == 40
    assert info.card_data["license"] == "mit"
    assert info.private is False
    siblings = {s.rfilename: s for s in info.siblings}
    assert "README.md" in siblings and "data/test.parquet" in siblings
    assert not any(name.startswith(".refs") for name in siblings)
    lfs = siblings["data/test.parquet"].lfs
    assert lfs is not None and lfs.size == 300_000
    assert siblings["README.md"].lfs is None
    assert api(hub).dataset_info("alice/demo", revision=info.sha[:8]).sha == info.sha


def test_list_repo_tree_over_several_pages(hub):
    hub.reset_stats()
    entries = list(api(hub).list_repo_tree("alice/demo", repo_type="dataset", recursive=True))
    paths = [e.path for e in entries]
    assert len(paths) == len(set(paths)) == 15  # data/, README, 12 csv, 1 parquet
    assert hub.stats()["routes"]["tree"] == 3  # pages of 5
    files = {e.path: e for e in entries if hasattr(e, "size") and hasattr(e, "blob_id")}
    assert files["data/test.parquet"].lfs.size == 300_000
    top = list(api(hub).list_repo_tree("alice/demo", repo_type="dataset"))
    assert [e.path for e in top] == ["data", "README.md"]


def test_list_repo_refs(hub):
    refs = api(hub).list_repo_refs("alice/demo", repo_type="dataset")
    assert [b.name for b in refs.branches] == ["main"]
    assert [c.ref for c in refs.converts] == ["refs/convert/parquet"]
    info = api(hub).dataset_info("alice/demo", revision="refs/convert/parquet")
    assert info.sha == refs.converts[0].target_commit


def test_hf_hub_download(hub, tmp_path):
    cache = tmp_path / "cache"
    readme = hf_hub_download("alice/demo", "README.md", repo_type="dataset", endpoint=hub.endpoint,
                             cache_dir=cache, token=TOKEN)
    assert pathlib.Path(readme).read_text() == README
    parquet = hf_hub_download("alice/demo", "data/test.parquet", repo_type="dataset",
                              endpoint=hub.endpoint, cache_dir=cache, token=TOKEN)
    assert pathlib.Path(parquet).read_bytes() == _bytes(300_000, 7)
    exported = hf_hub_download("alice/demo", "default/train/0000.parquet", repo_type="dataset",
                               revision="refs/convert/parquet", endpoint=hub.endpoint,
                               cache_dir=cache, token=TOKEN)
    assert pathlib.Path(exported).read_bytes() == _bytes(1000, 3)
    assert hub.stats()["routes"]["cdn"] >= 2  # LFS bytes come from the storage origin


def test_hf_file_system_ranged_reads(hub):
    fs = HfFileSystem(endpoint=hub.endpoint, token=TOKEN, skip_instance_cache=True)
    content = _bytes(300_000, 7)
    assert fs.info("datasets/alice/demo/data/test.parquet")["size"] == 300_000
    hub.reset_stats()
    with fs.open("datasets/alice/demo/data/test.parquet", "rb", block_size=4096) as f:
        f.seek(100_000)
        assert f.read(1000) == content[100_000:101_000]
        f.seek(-8, 2)
        assert f.read() == content[-8:]
    stats = hub.stats()
    # Each block: the resolve 302 (auth dropped on the way) then a 206 from the storage origin.
    assert stats["requests"]["GET resolve"] == stats["statuses"]["302"] >= 2
    assert stats["requests"]["GET cdn"] == stats["statuses"]["206"] >= 2
    assert "200" not in stats["statuses"]
    names = fs.ls("datasets/alice/demo/data", detail=False)
    assert "datasets/alice/demo/data/test.parquet" in names
    assert fs.cat("datasets/alice/demo/README.md") == README.encode()
    assert fs.cat("datasets/alice/demo@refs/convert/parquet/default/train/0000.parquet") == _bytes(1000, 3)


def test_create_repo_and_commit_regular_and_lfs_files(hub, tmp_path):
    client = api(hub)
    url = client.create_repo("bob/new", repo_type="dataset")
    assert url.endswith("/datasets/bob/new")
    assert client.create_repo("bob/new", repo_type="dataset", exist_ok=True) == url
    big = os.urandom(12 * 1024 * 1024)  # above the 10 MB LFS threshold
    info = client.create_commit(
        "bob/new",
        repo_type="dataset",
        operations=[
            CommitOperationAdd("notes.txt", b"hello"),
            CommitOperationAdd("data/part.parquet", _bytes(50_000, 1)),
            CommitOperationAdd("big.bin", big),
            CommitOperationAdd("README.md", README.encode()),
        ],
        commit_message="first data",
    )
    assert len(info.oid) == 40
    files = {e.path: e for e in client.list_repo_tree("bob/new", repo_type="dataset", recursive=True)
             if hasattr(e, "blob_id")}
    assert files["notes.txt"].lfs is None
    assert files["data/part.parquet"].lfs is not None
    assert files["big.bin"].lfs.size == len(big)
    path = hf_hub_download("bob/new", "big.bin", repo_type="dataset", endpoint=hub.endpoint,
                           cache_dir=tmp_path / "cache", token=TOKEN)
    assert pathlib.Path(path).read_bytes() == big
    commits = client.list_repo_commits("bob/new", repo_type="dataset")
    assert [c.title for c in commits] == ["first data", "initial commit"]
    assert commits[0].commit_id == info.oid


def test_multipart_lfs_upload(start_hub):
    hub = start_hub("--lfs-chunk-mb", "1")
    client = api(hub)
    client.create_repo("bob/multi", repo_type="dataset")
    content = os.urandom(2 * 1024 * 1024 + 12345)
    client.create_commit("bob/multi", repo_type="dataset", commit_message="parts",
                         operations=[CommitOperationAdd("blob.parquet", content)])
    assert hub.stats()["routes"]["lfs-part"] == 3
    fs = HfFileSystem(endpoint=hub.endpoint, token=TOKEN, skip_instance_cache=True)
    assert fs.cat("datasets/bob/multi/blob.parquet") == content


def test_stale_parent_commit_is_rejected(hub):
    client = api(hub)
    base = client.dataset_info("alice/demo").sha
    client.create_commit("alice/demo", repo_type="dataset", parent_commit=base,
                         operations=[CommitOperationAdd("a.txt", b"a")], commit_message="a")
    with pytest.raises(HfHubHTTPError) as err:
        client.create_commit("alice/demo", repo_type="dataset", parent_commit=base,
                             operations=[CommitOperationAdd("b.txt", b"b")], commit_message="b")
    assert err.value.response.status_code == 412
    files = client.list_repo_files("alice/demo", repo_type="dataset")
    assert "a.txt" in files and "b.txt" not in files


def test_upload_folder(hub, tmp_path):
    client = api(hub)
    client.create_repo("bob/folder", repo_type="dataset")
    local = tmp_path / "local"
    (local / "data" / "nested").mkdir(parents=True)
    (local / "data" / "nested" / "a.csv").write_text("x\n1\n")
    (local / "data" / "b.parquet").write_bytes(_bytes(4000, 2))
    (local / "top.txt").write_text("top")
    first = client.upload_folder(repo_id="bob/folder", repo_type="dataset", folder_path=local)
    files = sorted(client.list_repo_files("bob/folder", repo_type="dataset"))
    assert files == [".gitattributes", "data/b.parquet", "data/nested/a.csv", "top.txt"]
    # Unchanged content: the client skips the commit (preupload reported the same oids).
    again = client.upload_folder(repo_id="bob/folder", repo_type="dataset", folder_path=local)
    assert again.oid == first.oid
    assert len(client.list_repo_commits("bob/folder", repo_type="dataset")) == 2


def test_private_repos_with_and_without_token(start_hub, tmp_path):
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps({
        "tokens": {
            TOKEN: {"user": "alice", "repos": ["alice/*"], "write": True},
            READ_TOKEN: {"user": "reader", "repos": ["bob/*"]},
        },
        "private": ["alice/demo"],
    }))
    hub = start_hub("--tokens", str(tokens))
    owner = api(hub)
    assert owner.dataset_info("alice/demo").private is True
    with pytest.raises(RepositoryNotFoundError):
        api(hub, token=False).dataset_info("alice/demo")
    with pytest.raises(RepositoryNotFoundError):
        api(hub, token=READ_TOKEN).dataset_info("alice/demo")
    with pytest.raises(RepositoryNotFoundError):
        hf_hub_download("alice/demo", "README.md", repo_type="dataset", endpoint=hub.endpoint,
                        cache_dir=tmp_path / "cache", token=False)
    owner.create_repo("alice/hidden", repo_type="dataset", private=True)
    owner.upload_file(path_or_fileobj=b"secret", path_in_repo="s.txt", repo_id="alice/hidden",
                      repo_type="dataset")
    with pytest.raises(RepositoryNotFoundError):
        api(hub, token=False).list_repo_files("alice/hidden", repo_type="dataset")
    path = hf_hub_download("alice/hidden", "s.txt", repo_type="dataset", endpoint=hub.endpoint,
                           cache_dir=tmp_path / "cache", token=TOKEN)
    assert pathlib.Path(path).read_bytes() == b"secret"
    with pytest.raises(HfHubHTTPError) as err:
        api(hub, token=READ_TOKEN).create_repo("bob/x", repo_type="dataset")
    assert err.value.response.status_code == 403
    with pytest.raises(HfHubHTTPError) as err:
        api(hub, token="hf_wrong").dataset_info("bob/anything")
    assert err.value.response.status_code == 401
