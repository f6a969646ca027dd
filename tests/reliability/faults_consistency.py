"""Fault-free consistency checks for the network-fault tests: they read the local hub's store
(ROOT/.faceberg-hub, layout in src/hub/local_hub_store_internal.h) and catalog folders directly,
never through the (faulty) hub, so a check's verdict depends only on the state on disk.

A catalog is consistent when every table of its catalog.json has a current metadata file that
parses, every snapshot's manifest list and manifests exist with the recorded length and read, and
every live data or delete file exists with the size its manifest records; hf:// files of dataset
repos are looked up in the hub's commit at the @REVISION the URI pins."""

import hashlib
import json
import pathlib
import re
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

from pyiceberg.io.pyarrow import PyArrowFileIO
from pyiceberg.manifest import read_manifest_list
from pyiceberg.table.metadata import TableMetadataUtil

METADATA_FILE = re.compile(r"v(\d+)\.metadata\.json")
HF_URI = re.compile(r"^hf://datasets/([^/@]+/[^/@]+)(?:@([^/]+))?(?:/(.*))?$")


def parse_hf_uri(uri: str):
    """(repo, revision or None, path) of hf://datasets/OWNER/NAME[@REV]/PATH, else None."""
    m = HF_URI.match(uri)
    return (m.group(1), m.group(2), m.group(3) or "") if m else None


class HubStore:
    """Read-only view of the local hub's persisted state under ROOT/.faceberg-hub."""

    def __init__(self, root: pathlib.Path):
        self.state = root / ".faceberg-hub"

    def _repo_dir(self, repo: str) -> pathlib.Path:
        return self.state / "repos" / repo

    def exists(self, repo: str) -> bool:
        return (self._repo_dir(repo) / "repo.json").is_file()

    def head(self, repo: str, branch: str = "main") -> Optional[str]:
        """The commit `branch` points at, or None when the repo or branch does not exist."""
        if not self.exists(repo):
            return None
        refs = json.loads((self._repo_dir(repo) / "repo.json").read_text())["refs"]
        return refs.get(f"refs/heads/{branch}")

    def resolve(self, repo: str, revision: Optional[str]) -> Optional[str]:
        """A commit sha for a branch name or a (full) sha; None when unknown."""
        revision = revision or "main"
        if re.fullmatch(r"[0-9a-f]{40}", revision):
            return revision if (self._repo_dir(repo) / "commits" / f"{revision}.json").is_file() \
                else None
        return self.head(repo, revision)

    def commit(self, repo: str, sha: str) -> dict:
        return json.loads((self._repo_dir(repo) / "commits" / f"{sha}.json").read_text())

    def files(self, repo: str, sha: str) -> Dict[str, list]:
        """path -> [size, sha256, oid, lfs] of the commit's files."""
        return self.commit(repo, sha)["files"]

    def parents(self, repo: str, sha: str) -> List[str]:
        return self.commit(repo, sha)["parents"]

    def blob(self, sha256: str) -> pathlib.Path:
        return self.state / "blobs" / sha256[:2] / sha256

    def file_size(self, uri: str) -> Optional[int]:
        """Size of the file an hf:// URI names in the store (None when it does not exist)."""
        repo, revision, path = parse_hf_uri(uri)
        sha = self.resolve(repo, revision)
        if sha is None:
            return None
        entry = self.files(repo, sha).get(path)
        return None if entry is None else entry[0]


def sha256_file(path: pathlib.Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def mirror_catalog_files(mirror: pathlib.Path) -> Dict[str, str]:
    """Relative path -> sha256 of a mirror's catalog files (dot-files and dot-folders excluded:
    the lock, the state file, temporary files)."""
    out = {}
    for p in sorted(mirror.rglob("*")):
        rel = p.relative_to(mirror)
        if p.is_file() and not any(part.startswith(".") for part in rel.parts):
            out[rel.as_posix()] = sha256_file(p)
    return out


def hub_catalog_files(store: HubStore, repo: str) -> Optional[Dict[str, str]]:
    """Relative path -> sha256 of the catalog repo's files at main (minus .gitattributes, which
    the Hub adds to repos it creates), or None when the repo has no main."""
    head = store.head(repo)
    if head is None:
        return None
    return {path: entry[1] for path, entry in store.files(repo, head).items()
            if path != ".gitattributes"}


@dataclass
class CatalogReport:
    tables: int = 0
    snapshots: int = 0
    files: int = 0
    problems: List[str] = field(default_factory=list)
    # table name -> {"metadata": TableMetadata, "data_files": {uri: record count}}
    current: Dict[str, dict] = field(default_factory=dict)


class _MappedIO(PyArrowFileIO):
    """PyArrowFileIO reading each location through `to_local` (hf:// -> a local path)."""

    def __init__(self, to_local: Callable[[str], str]):
        super().__init__()
        self._to_local = to_local

    def new_input(self, location: str):
        return super().new_input(self._to_local(location))


class MirrorFiles:
    """The catalog files of a local mirror folder."""

    def __init__(self, mirror: pathlib.Path):
        self.mirror = mirror

    def path(self, rel: str) -> Optional[pathlib.Path]:
        """The local file holding catalog file `rel`, or None when it does not exist."""
        p = self.mirror / rel
        return p if p.is_file() else None

    def metadata_versions(self, rel_folder: str) -> List[int]:
        """N of every vN.metadata.json in the folder `rel_folder`."""
        folder = self.mirror / rel_folder
        names = [p.name for p in folder.iterdir()] if folder.is_dir() else []
        return [int(m.group(1)) for n in names if (m := METADATA_FILE.fullmatch(n))]


class HubCatalogFiles:
    """The catalog files of a hub repo at the head of main (read from the store's blobs)."""

    def __init__(self, store: HubStore, repo: str):
        self.store = store
        head = store.head(repo)
        self.files = store.files(repo, head) if head else {}

    def path(self, rel: str) -> Optional[pathlib.Path]:
        entry = self.files.get(rel)
        return self.store.blob(entry[1]) if entry else None

    def metadata_versions(self, rel_folder: str) -> List[int]:
        prefix = rel_folder + "/"
        return [int(m.group(1)) for path in self.files if path.startswith(prefix)
                if (m := METADATA_FILE.fullmatch(path[len(prefix):]))]


def check_catalog(catalog_root_uri: str, catalog_files, store: HubStore) -> CatalogReport:
    """Checks the catalog whose files `catalog_files` (MirrorFiles or HubCatalogFiles) gives.
    `catalog_root_uri` is the URI its tables' relative locations resolve against
    (hf://datasets/OWNER/REPO); hf:// files of other repos are looked up in `store`."""
    read_catalog_file = catalog_files.path
    report = CatalogReport()

    def catalog_path(uri: str) -> Optional[str]:
        """The path relative to the catalog root when `uri` is inside the catalog."""
        prefix = catalog_root_uri.rstrip("/") + "/"
        return uri[len(prefix):] if uri.startswith(prefix) else None

    def local(uri: str) -> Optional[pathlib.Path]:
        rel = catalog_path(uri)
        if rel is not None:
            return read_catalog_file(rel)
        parsed = parse_hf_uri(uri)
        if parsed is not None:
            repo, revision, path = parsed
            sha = store.resolve(repo, revision)
            entry = store.files(repo, sha).get(path) if sha else None
            return store.blob(entry[1]) if entry else None
        p = pathlib.Path(uri.removeprefix("file://"))
        return p if p.is_file() else None

    def size_of(uri: str) -> Optional[int]:
        if catalog_path(uri) is None and parse_hf_uri(uri) is not None:
            return store.file_size(uri)  # the size the hub records (and serves)
        p = local(uri)
        return p.stat().st_size if p is not None else None

    def to_local(uri: str) -> str:
        p = local(uri)
        if p is None:
            raise FileNotFoundError(uri)
        return str(p)

    io = _MappedIO(to_local)
    catalog_json = read_catalog_file("catalog.json")
    if catalog_json is None:
        report.problems.append("catalog.json is missing")
        return report
    entries = json.loads(catalog_json.read_text())
    tables = entries.get("tables", {})
    for name, location in sorted(tables.items()):
        report.tables += 1
        if isinstance(location, dict):
            location = location.get("location")
        if "://" not in location and not location.startswith("/"):
            location = catalog_root_uri.rstrip("/") + "/" + location
        rel_metadata = catalog_path(location.rstrip("/") + "/metadata")

        def problem(what: str, table: str = name) -> None:
            report.problems.append(f"{table}: {what}")

        if rel_metadata is None:
            problem(f"location {location} is outside the catalog")
            continue
        versions = catalog_files.metadata_versions(rel_metadata)
        if not versions:
            problem("no metadata file")
            continue
        metadata_file = read_catalog_file(f"{rel_metadata}/v{max(versions)}.metadata.json")
        try:
            metadata = TableMetadataUtil.parse_raw(metadata_file.read_text())
        except Exception as e:  # noqa: BLE001 (any parse failure is a problem to report)
            problem(f"current metadata does not load: {e}")
            continue
        snapshot_ids = {s.snapshot_id for s in metadata.snapshots}
        for ref_name, ref in metadata.refs.items():
            if ref.snapshot_id not in snapshot_ids:
                problem(f"ref {ref_name} names unknown snapshot {ref.snapshot_id}")
        current_files: Dict[str, int] = {}
        for snapshot in metadata.snapshots:
            report.snapshots += 1
            list_size = size_of(snapshot.manifest_list)
            if list_size is None:
                problem(f"snapshot {snapshot.snapshot_id}: missing manifest list "
                        f"{snapshot.manifest_list}")
                continue
            report.files += 1
            try:
                manifests = list(read_manifest_list(io.new_input(snapshot.manifest_list)))
            except Exception as e:  # noqa: BLE001
                problem(f"manifest list {snapshot.manifest_list} does not read: {e}")
                continue
            for manifest in manifests:
                size = size_of(manifest.manifest_path)
                report.files += 1
                if size is None:
                    problem(f"missing manifest {manifest.manifest_path}")
                    continue
                if size != manifest.manifest_length:
                    problem(f"manifest {manifest.manifest_path} has {size} bytes, the list "
                            f"records {manifest.manifest_length}")
                try:
                    live = manifest.fetch_manifest_entry(io, discard_deleted=True)
                except Exception as e:  # noqa: BLE001
                    problem(f"manifest {manifest.manifest_path} does not read: {e}")
                    continue
                for entry in live:
                    path = entry.data_file.file_path
                    size = size_of(path)
                    report.files += 1
                    if size is None:
                        problem(f"missing data file {path}")
                    elif size != entry.data_file.file_size_in_bytes:
                        problem(f"data file {path} has {size} bytes, the manifest records "
                                f"{entry.data_file.file_size_in_bytes}")
                    if snapshot.snapshot_id == metadata.current_snapshot_id:
                        current_files[path] = entry.data_file.record_count
        report.current[name] = {"metadata": metadata, "data_files": current_files}
    return report


def check_mirror(mirror: pathlib.Path, repo: str, store: HubStore) -> CatalogReport:
    """check_catalog over a local mirror of hf://datasets/REPO."""
    return check_catalog(f"hf://datasets/{repo}", MirrorFiles(mirror), store)


def check_pushed(repo: str, store: HubStore) -> Optional[CatalogReport]:
    """check_catalog over the catalog at the head of the hub repo (None: nothing pushed)."""
    files = HubCatalogFiles(store, repo)
    if files.path("catalog.json") is None:
        return None
    return check_catalog(f"hf://datasets/{repo}", files, store)
