"""Hostile inputs (issue 9, "bad inputs"): a table of damaged, oversized, malicious and mistyped
inputs, each run through the real binary (or sent to a real `faceberg serve`). Every case must get
a clear one-line error with the right exit code (1, or 2 for usage errors; a 4xx with the Iceberg
error model for REST), no crash/traceback/sanitizer noise, no token in the output, and must leave
nothing written: the catalog tree (and the hub root when used), as relative path -> (size,
sha256), is identical before and after.

With FACEBERG_RELIABILITY_REPORT=DIR the real outcomes are written to DIR/hostile_inputs.md (a
markdown table for docs/reliability.md)."""

import hashlib
import http.client
import json
import os
import pathlib
import struct
import subprocess
import urllib.request
from dataclasses import dataclass, field
from typing import Callable, Optional

import relutil  # noqa: F401 (puts tests/interop on sys.path)
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hubproc import Hub, faceberg_bin
from restproc import RestServer

HF_TOKEN = "hf_hostileINPUTsecret0123456789"
REST_TOKEN = "rest-hostile-secret-5b7e"
NOISE = ("Traceback", "terminate called", "AddressSanitizer", "LeakSanitizer", "runtime error:",
         "Segmentation fault", "core dumped", "internal error", "what():", "Assertion")
SCHEMA = "id long not null, name string"
ARROW_SCHEMA = pa.schema([pa.field("id", pa.int64(), nullable=False),
                          pa.field("name", pa.string())])

# ---------------------------------------------------------------------------------------------
# The world a case runs in: tmp/work is the cwd (catalog/, inputs, faceberg.yml), everything the
# product may legitimately write elsewhere (download cache, HF home) lives outside it.


class World:
    def __init__(self, tmp: pathlib.Path, hub: Optional[Hub] = None):
        self.tmp = tmp
        self.work = tmp / "work"
        self.work.mkdir(parents=True, exist_ok=True)
        self.hub = hub
        self.env = dict(os.environ, FACEBERG_CACHE_DIR=str(tmp / "cache"),
                        HF_HOME=str(tmp / "hf-home"), HF_TOKEN=HF_TOKEN, HF_HUB_DISABLE_XET="1")
        for name in ("FACEBERG_CATALOG", "FACEBERG_MIRROR", "FACEBERG_FAILPOINT"):
            self.env.pop(name, None)
        # Without a hub, any Hub request goes to a closed local port, never to the internet.
        self.env["HF_ENDPOINT"] = hub.endpoint if hub is not None else "http://127.0.0.1:9"

    def run(self, args, check=False) -> subprocess.CompletedProcess:
        proc = subprocess.run([faceberg_bin(), *args], capture_output=True, cwd=self.work,
                              env=self.env, timeout=120)
        if check and proc.returncode != 0:
            raise AssertionError(f"setup {args} failed ({proc.returncode}): {proc.stderr!r}")
        return proc

    def fb(self, *args):
        """A setup step against ./catalog that must succeed."""
        return self.run(["--catalog", "catalog", *map(str, args)], check=True)

    def table(self, inserts=1) -> pathlib.Path:
        """./catalog with default.t (id long not null, name string) and `inserts` snapshots;
        returns the table's metadata folder."""
        self.fb("init")
        self.fb("create", "t", "--schema", SCHEMA)
        for i in range(inserts):
            self.fb("insert", "t", "--values", f"({2 * i},'a{i}'),({2 * i + 1},'b{i}')")
        return self.work / "catalog" / "default" / "t" / "metadata"

    def parquet(self, name="good.parquet", rows=3) -> pathlib.Path:
        """A valid Parquet file matching default.t's schema."""
        path = self.work / name
        pq.write_table(pa.table({"id": list(range(rows)), "name": [f"r{i}" for i in range(rows)]},
                                schema=ARROW_SCHEMA), path)
        return path

    def write(self, name, data) -> pathlib.Path:
        path = self.work / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
        return path


def tree_snapshot(root: pathlib.Path) -> dict:
    """relative path -> (size, sha256) of every file (and '/'-suffixed folder) under root."""
    out = {}
    if not root.exists():
        return out
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        for d in dirnames:
            out[os.path.join(rel_dir, d) + "/"] = None
        for f in filenames:
            p = os.path.join(dirpath, f)
            h = hashlib.sha256()
            with open(p, "rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
            out[os.path.join(rel_dir, f)] = (os.path.getsize(p), h.hexdigest())
    return out


# ---------------------------------------------------------------------------------------------
# Byte-level damage helpers.


def zigzag(n: int) -> bytes:
    """An Avro long (zig-zag varint)."""
    z = (n << 1) ^ (n >> 63)
    out = bytearray()
    while True:
        b = z & 0x7F
        z >>= 7
        if z:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def read_long(data: bytes, pos: int):
    shift = result = 0
    while True:
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return (result >> 1) ^ -(result & 1), pos


def avro_layout(data: bytes) -> dict:
    """Offsets in an Avro object container: the header map's first count, the first key's
    length, and the first block's count and size."""
    assert data[:4] == b"Obj\x01"
    pos = 4
    layout = {"map_count": pos}
    first_key = None
    while True:
        count, pos = read_long(data, pos)
        if count == 0:
            break
        if count < 0:
            _, pos = read_long(data, pos)
            count = -count
        for _ in range(count):
            if first_key is None:
                first_key = pos
            klen, pos = read_long(data, pos)
            pos += klen
            vlen, pos = read_long(data, pos)
            pos += vlen
    layout["first_key"] = first_key
    pos += 16  # sync marker
    layout["block_count"] = pos
    _, after = read_long(data, pos)
    layout["block_size"] = after
    return layout


def replace_long(data: bytes, pos: int, value: int) -> bytes:
    _, end = read_long(data, pos)
    return data[:pos] + zigzag(value) + data[end:]


def thrift_huge_list_footer() -> bytes:
    """A Parquet file whose footer (Thrift compact FileMetaData) declares a schema list of about
    2^32 elements and then ends."""
    footer = bytes([0x15, 0x02,  # field 1 (version, i32) = 1
                    0x19, 0xFC,  # field 2 (schema, list<struct>), size in a varint
                    0xFF, 0xFF, 0xFF, 0xFF, 0x0F])
    return b"PAR1" + footer + struct.pack("<I", len(footer)) + b"PAR1"


def manifest_list(meta: pathlib.Path) -> pathlib.Path:
    return sorted(meta.glob("snap-*.avro"), key=lambda p: p.stat().st_mtime_ns)[-1]


def manifest(meta: pathlib.Path) -> pathlib.Path:
    return sorted(meta.glob("*-m*.avro"), key=lambda p: p.stat().st_mtime_ns)[-1]


def current_metadata(meta: pathlib.Path) -> pathlib.Path:
    return meta / f"v{int((meta / 'version-hint.text').read_text().strip())}.metadata.json"


def edit_metadata(meta: pathlib.Path, change: Callable[[dict], None]) -> None:
    path = current_metadata(meta)
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc, indent=2))


def damage(path: pathlib.Path, change: Callable[[bytes], bytes]) -> None:
    path.write_bytes(change(path.read_bytes()))


def truncate_half(data: bytes) -> bytes:
    return data[: len(data) // 2]


# ---------------------------------------------------------------------------------------------
# The table of cases. setup(world) builds the hostile input and returns the command's arguments
# (run with cwd = world.work, so relative paths keep the report readable).


@dataclass
class Case:
    id: str
    category: str
    input: str
    setup: Callable[[World], list]
    expect: str
    code: int = 1
    hub: bool = False


def with_table(inserts=1):
    def wrap(fn):
        def setup(w: World):
            meta = w.table(inserts)
            return fn(w, meta)
        return setup
    return wrap


def cat(*args):
    return ["--catalog", "catalog", *args]


# Parquet ---------------------------------------------------------------------------------------


def s_parquet(change, command="add-files", name="bad.parquet"):
    def setup(w):
        w.table()
        good = w.parquet().read_bytes()
        w.write(name, change(good))
        return cat(command, "t", name)
    return setup


CASES = [
    Case("parquet-truncated-add-files", "truncated Parquet", "first half of a valid Parquet file",
         s_parquet(truncate_half), "bad.parquet"),
    Case("parquet-truncated-insert", "truncated Parquet", "first half of a valid Parquet file",
         s_parquet(truncate_half, "insert"), "bad.parquet"),
    Case("parquet-empty-add-files", "truncated Parquet", "a 0-byte .parquet file",
         s_parquet(lambda d: b""), "bad.parquet"),
    Case("parquet-bad-magic-add-files", "corrupt Parquet", "trailing magic PAR0 instead of PAR1",
         s_parquet(lambda d: d[:-4] + b"PAR0"), "bad.parquet"),
    Case("parquet-bad-magic-insert", "corrupt Parquet", "trailing magic PAR0 instead of PAR1",
         s_parquet(lambda d: d[:-4] + b"PAR0", "insert"), "bad.parquet"),
    Case("parquet-huge-footer-length", "corrupt Parquet", "footer length 0xFFFFFFF0",
         s_parquet(lambda d: d[:-8] + struct.pack("<I", 0xFFFFFFF0) + b"PAR1"), "bad.parquet"),
    Case("parquet-footer-longer-than-file", "corrupt Parquet", "footer length = file size + 10",
         s_parquet(lambda d: d[:-8] + struct.pack("<I", len(d) + 10) + b"PAR1"), "bad.parquet"),
    Case("parquet-huge-thrift-list", "corrupt Parquet",
         "footer declaring a 2^32-element schema list",
         s_parquet(lambda d: thrift_huge_list_footer()), "bad.parquet"),
    Case("parquet-huge-thrift-list-insert", "corrupt Parquet",
         "footer declaring a 2^32-element schema list",
         s_parquet(lambda d: thrift_huge_list_footer(), "insert"), "bad.parquet"),
    Case("parquet-garbage-footer", "corrupt Parquet", "footer bytes overwritten with 0xFF",
         s_parquet(lambda d: d[:-8 - struct.unpack("<I", d[-8:-4])[0]]
                   + b"\xff" * struct.unpack("<I", d[-8:-4])[0] + d[-8:]), "bad.parquet"),
    Case("parquet-csv-renamed-insert", "corrupt Parquet", "CSV text saved as .parquet",
         s_parquet(lambda d: b"id,name\n1,a\n", "insert"), "bad.parquet"),
]

# Avro manifests and manifest lists --------------------------------------------------------------


def s_avro(which, change, command):
    """A table with two snapshots whose `which` file gets `change`d; change None copies the
    manifest list over it (valid Avro of the wrong schema)."""
    @with_table(2)
    def setup(w, meta):
        target = which(meta)
        if change is None:
            target.write_bytes(manifest_list(meta).read_bytes())
        else:
            damage(target, change)
        return cat(*command)
    return setup


SCAN = ["scan", "t"]
INSERT = ["insert", "t", "--values", "(100,'x')"]
EXPIRE = ["expire", "t", "--older-than", "0d", "--retain-last", "1"]
DELETE = ["delete", "t", "--where", "id = 0"]

CASES += [
    Case("manifest-list-truncated-scan", "corrupt Avro", "manifest list cut in half",
         s_avro(manifest_list, truncate_half, SCAN), ".avro"),
    Case("manifest-list-truncated-insert", "corrupt Avro", "manifest list cut in half",
         s_avro(manifest_list, truncate_half, INSERT), ".avro"),
    Case("manifest-list-truncated-expire", "corrupt Avro", "manifest list cut in half",
         s_avro(manifest_list, truncate_half, EXPIRE), ".avro"),
    Case("manifest-truncated-scan", "corrupt Avro", "manifest cut in half",
         s_avro(manifest, truncate_half, SCAN), ".avro"),
    Case("manifest-truncated-delete", "corrupt Avro", "manifest cut in half",
         s_avro(manifest, truncate_half, DELETE), ".avro"),
    Case("manifest-truncated-expire", "corrupt Avro", "manifest of the old snapshot cut in half",
         s_avro(lambda m: sorted(m.glob("*-m*.avro"), key=lambda p: p.stat().st_mtime_ns)[0],
                truncate_half, EXPIRE), ".avro"),
    Case("manifest-list-bad-magic", "corrupt Avro", "manifest list starting with 'Obj\\x02'",
         s_avro(manifest_list, lambda d: b"Obj\x02" + d[4:], SCAN), ".avro"),
    Case("manifest-huge-block-count", "corrupt Avro", "first block declares 2^62 records",
         s_avro(manifest, lambda d: replace_long(d, avro_layout(d)["block_count"], 1 << 62), SCAN),
         ".avro"),
    Case("manifest-list-huge-block-size", "corrupt Avro", "first block declares 2^62 bytes",
         s_avro(manifest_list, lambda d: replace_long(d, avro_layout(d)["block_size"], 1 << 62),
                SCAN), ".avro"),
    Case("manifest-negative-block-count", "corrupt Avro", "first block declares -5 records",
         s_avro(manifest, lambda d: replace_long(d, avro_layout(d)["block_count"], -5), DELETE),
         ".avro"),
    Case("manifest-huge-header-map", "corrupt Avro", "header metadata map of 2^62 entries",
         s_avro(manifest, lambda d: replace_long(d, avro_layout(d)["map_count"], 1 << 62), SCAN),
         ".avro"),
    Case("manifest-list-huge-key-length", "corrupt Avro", "header key length 2^62",
         s_avro(manifest_list, lambda d: replace_long(d, avro_layout(d)["first_key"], 1 << 62),
                EXPIRE), ".avro"),
    Case("manifest-is-a-manifest-list", "corrupt Avro",
         "a manifest list copied over the manifest (valid Avro, wrong schema)",
         s_avro(manifest, None, SCAN), "manifest"),
]

# Table metadata JSON ---------------------------------------------------------------------------


def s_meta(change, command=SCAN):
    @with_table(1)
    def setup(w, meta):
        edit_metadata(meta, change)
        return cat(*command)
    return setup


def s_meta_bytes(change, command=SCAN):
    @with_table(1)
    def setup(w, meta):
        damage(current_metadata(meta), change)
        return cat(*command)
    return setup


def _set(key, value):
    return lambda d: d.__setitem__(key, value)


def _fields_not_list(d):
    d["schemas"][0]["fields"] = {"id": "long"}


def _hint_nowhere(command):
    @with_table(1)
    def setup(w, meta):
        (meta / "version-hint.text").write_text("99")
        for f in meta.glob("v*.metadata.json"):
            f.unlink()
        return cat(*command)
    return setup


CASES += [
    Case("metadata-truncated", "corrupt metadata JSON", "current vN.metadata.json cut in half",
         s_meta_bytes(truncate_half), "metadata.json"),
    Case("metadata-truncated-insert", "corrupt metadata JSON",
         "current vN.metadata.json cut in half", s_meta_bytes(truncate_half, INSERT),
         "metadata.json"),
    Case("metadata-not-an-object", "corrupt metadata JSON", "metadata file holding `[]`",
         s_meta_bytes(lambda d: b"[]"), "metadata.json"),
    Case("metadata-snapshot-id-string", "metadata wrong types",
         "current-snapshot-id: \"abc\"", s_meta(_set("current-snapshot-id", "abc")),
         "current-snapshot-id"),
    Case("metadata-fields-not-list", "metadata wrong types", "schema `fields` is an object",
         s_meta(_fields_not_list), "fields"),
    Case("metadata-format-version-99", "metadata wrong types", "format-version: 99",
         s_meta(_set("format-version", 99)), "format-version"),
    Case("metadata-huge-number", "metadata wrong types", "last-sequence-number: 1e400",
         s_meta_bytes(lambda d: d.replace(b'"last-sequence-number": 1',
                                          b'"last-sequence-number": 1e400')), "1e400"),
    Case("metadata-missing-current-snapshot", "metadata wrong types",
         "current-snapshot-id names no snapshot", s_meta(_set("current-snapshot-id", 12345)),
         "12345"),
    Case("metadata-missing-current-snapshot-insert", "metadata wrong types",
         "current-snapshot-id names no snapshot",
         s_meta(_set("current-snapshot-id", 12345), INSERT), "12345"),
    Case("version-hint-nowhere-scan", "corrupt metadata JSON",
         "version-hint.text says 99, no vN.metadata.json left", _hint_nowhere(SCAN),
         "no Iceberg table"),
    Case("version-hint-nowhere-insert", "corrupt metadata JSON",
         "version-hint.text says 99, no vN.metadata.json left", _hint_nowhere(INSERT),
         "no Iceberg table"),
    Case("catalog-json-truncated", "corrupt metadata JSON", "catalog.json cut in half",
         lambda w: (w.table(0), damage(w.work / "catalog" / "catalog.json", truncate_half),
                    cat("list"))[-1], "catalog.json"),
]

# Table and namespace names -----------------------------------------------------------------------


def s_create(name):
    def setup(w):
        w.fb("init")
        return cat("create", name, "--schema", SCHEMA)
    return setup


def s_rename(name):
    def setup(w):
        w.table(0)
        return cat("rename", "t", name)
    return setup


CASES += [
    Case("create-dotdot-slash", "path traversal in names", "create '../x'", s_create("../x"),
         "must be 1 to 128 characters"),
    Case("create-slash", "path traversal in names", "create 'a/b'", s_create("a/b"),
         "letters, digits"),
    Case("create-dotdot", "path traversal in names", "create '..'", s_create(".."),
         "1 to 128 characters"),
    Case("create-absolute", "path traversal in names", "create '/tmp/evil'",
         s_create("/tmp/evil"), "letters, digits"),
    Case("create-empty", "path traversal in names", "create ''", s_create(""),
         "1 to 128 characters"),
    Case("create-control-chars", "path traversal in names", "create 'a\\x1b[2Jb\\tc'",
         s_create("a\x1b[2Jb\tc"), "letters, digits"),
    Case("create-namespace-dotdot", "path traversal in names", "create '../../etc.t'",
         s_create("../../etc.t"), "namespace"),
    Case("create-too-long", "path traversal in names", "create a 300-character name",
         s_create("x" * 300), "1 to 128 characters"),
    Case("create-non-utf8", "non-UTF-8 names", "create b'\\xff\\xfe'", s_create(b"\xff\xfe"),
         "table name"),
    Case("rename-to-dotdot", "path traversal in names", "rename t '../x'", s_rename("../x"),
         "must be 1 to 128 characters"),
    Case("rename-to-namespace-slash", "path traversal in names", "rename t 'a/b.t'",
         s_rename("a/b.t"), "letters, digits"),
    Case("rename-non-utf8", "non-UTF-8 names", "rename t b'x\\xc3'", s_rename(b"x\xc3"),
         "table name"),
    Case("drop-dotdot", "path traversal in names", "drop '../t'",
         lambda w: (w.table(0), cat("drop", "../t"))[-1], "must be 1 to 128 characters"),
]

# hf:// paths ----------------------------------------------------------------------------------


def s_hf_add(uri):
    def setup(w):
        w.table(0)
        return cat("add-files", "t", uri)
    return setup


def s_yaml(text, command=("create",), init=False):
    def setup(w):
        if init:  # a catalog made from a valid faceberg.yml first
            w.write("faceberg.yml", YAML_OK_HEAD)
            w.run(["init"], check=True)
        w.write("faceberg.yml", text)
        return list(command)
    return setup


YAML_OK_HEAD = "catalog:\n  location: catalog\n"
YAML_DS = YAML_OK_HEAD + "datasets:\n  - name: d\n    repo: kszucs/ds\n"

CASES += [
    Case("hf-add-files-dotdot", "hf:// paths",
         "add-files hf://datasets/kszucs/ds/../../x/a.parquet",
         s_hf_add("hf://datasets/kszucs/ds/../../x/a.parquet"), "..", hub=True),
    Case("hf-add-files-owner-dotdot", "hf:// paths", "add-files hf://datasets/../ds/a.parquet",
         s_hf_add("hf://datasets/../ds/a.parquet"), "hf://datasets/../ds", hub=True),
    Case("hf-add-files-encoded-dotdot-revision", "hf:// paths",
         "add-files hf://datasets/kszucs/ds@%2E%2E/data/a.parquet",
         s_hf_add("hf://datasets/kszucs/ds@%2E%2E/data/a.parquet"), "revision", hub=True),
    Case("hf-add-files-not-dataset", "hf:// paths", "add-files hf://models/kszucs/ds/a.parquet",
         s_hf_add("hf://models/kszucs/ds/a.parquet"), "hf://datasets/", hub=True),
    Case("hf-add-files-missing", "hf:// paths", "add-files of a file the repo does not have",
         s_hf_add("hf://datasets/kszucs/ds/data/nope.parquet"), "nope.parquet", hub=True),
    Case("hf-add-files-corrupt-remote", "hf:// paths",
         "add-files of a truncated Parquet on the hub",
         s_hf_add("hf://datasets/kszucs/ds/bad/truncated.parquet"), "truncated.parquet", hub=True),
    Case("yaml-repo-dotdot", "hf:// paths", "faceberg.yml repo: ../../etc",
         s_yaml(YAML_OK_HEAD + "datasets:\n  - name: d\n    repo: ../../etc\n"), "OWNER/NAME"),
    Case("yaml-repo-three-parts", "hf:// paths", "faceberg.yml repo: kszucs/ds/../x",
         s_yaml(YAML_OK_HEAD + "datasets:\n  - name: d\n    repo: kszucs/ds/../x\n"), "OWNER/NAME"),
    Case("yaml-revision-dotdot", "hf:// paths", "faceberg.yml revision: ../../..",
         s_yaml(YAML_DS + "    revision: ../../..\n", init=True),
         "revision", hub=True),
    Case("yaml-table-dotdot", "path traversal in names", "faceberg.yml table: ../evil",
         s_yaml(YAML_DS + "    table: ../evil\n", init=True),
         "letters, digits", hub=True),
    Case("yaml-namespace-slash", "path traversal in names", "faceberg.yml namespace: a/../../b",
         s_yaml(YAML_DS + "    namespace: a/../../b\n", init=True),
         "letters, digits", hub=True),
    Case("yaml-catalog-hf-dotdot", "hf:// paths",
         "faceberg.yml catalog location hf://datasets/kszucs/..",
         s_yaml("catalog:\n  location: hf://datasets/kszucs/..\n", ("init",)), "'..'", hub=True),
    Case("catalog-hf-dotdot", "hf:// paths", "--catalog hf://datasets/kszucs/../x",
         lambda w: ["--catalog", "hf://datasets/kszucs/../x", "init"], "hf://datasets/kszucs/../x",
         hub=True),
]

# Non-UTF-8 file names ------------------------------------------------------------------------


def _non_utf8_parquet(command):
    def setup(w):
        w.table(0)
        good = w.parquet().read_bytes()
        os.unlink(w.work / "good.parquet")
        path = os.path.join(os.fsencode(w.work), b"bad-\xff\xfe.parquet")
        with open(path, "wb") as f:
            f.write(good)
        return [b"--catalog", b"catalog", command, b"t", b"bad-\xff\xfe.parquet"]
    return setup


CASES += [
    Case("add-files-non-utf8-name", "non-UTF-8 names",
         "a valid Parquet file named b'bad-\\xff\\xfe.parquet'",
         _non_utf8_parquet(b"add-files"), "UTF-8"),
]

# YAML -------------------------------------------------------------------------------------


def _billion_laughs():
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        refs = ",".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


def _yaml_huge(w):
    with open(w.work / "faceberg.yml", "wb") as f:
        f.write(b"# " + b"x" * 100 + b"\n")
        f.truncate(50 << 20)
    return ["create"]


CASES += [
    Case("yaml-50mb", "enormous YAML", "a 50 MB faceberg.yml", _yaml_huge, "too large"),
    Case("yaml-deep-nesting", "enormous YAML", "100000 nested flow lists",
         s_yaml("datasets: " + "[" * 100000 + "]" * 100000 + "\n"), "nested too deeply"),
    Case("yaml-billion-laughs", "enormous YAML", "billion-laughs alias bomb as the datasets",
         s_yaml(_billion_laughs().replace("a9: &a9", "datasets: &a9")), "datasets"),
    Case("yaml-datasets-string", "YAML wrong types", "datasets: \"kszucs/ds\"",
         s_yaml(YAML_OK_HEAD + "datasets: kszucs/ds\n"), "'datasets' must be a list"),
    Case("yaml-repo-mapping", "YAML wrong types", "repo: {a: b}",
         s_yaml(YAML_OK_HEAD + "datasets:\n  - name: d\n    repo: {a: b}\n"), "must be a string"),
    Case("yaml-catalog-list", "YAML wrong types", "catalog: [a, b]",
         s_yaml("catalog: [a, b]\n"), "'catalog' must be a mapping"),
    Case("yaml-top-list", "YAML wrong types", "top level is a list",
         s_yaml("- catalog\n- datasets\n"), "top level must be a mapping"),
    Case("yaml-configs-int", "YAML wrong types", "configs: 7",
         s_yaml(YAML_OK_HEAD + "datasets:\n  - name: d\n    repo: kszucs/ds\n    configs: 7\n"),
         "'configs'"),
    Case("yaml-non-utf8", "YAML wrong types", "a Latin-1 byte in faceberg.yml",
         s_yaml(b"catalog:\n  name: caf\xe9\n"), "UTF-8"),
    Case("yaml-syntax", "YAML wrong types", "unclosed flow list",
         s_yaml("datasets: [\n  - name: d\n"), "invalid YAML"),
]

# CLI values, filters, insert data ----------------------------------------------------------------


def s_cmd(*args, inserts=1):
    def setup(w):
        w.table(inserts)
        return cat(*args)
    return setup


def s_insert_file(name, text):
    def setup(w):
        w.table(0)
        w.write(name, text)
        return cat("insert", "t", name)
    return setup


CASES += [
    Case("scan-snapshot-abc", "wrong CLI value types", "scan --snapshot abc",
         s_cmd("scan", "t", "--snapshot", "abc"), "--snapshot", code=2),
    Case("scan-limit-negative", "wrong CLI value types", "scan --limit -1",
         s_cmd("scan", "t", "--limit", "-1"), "--limit", code=2),
    Case("scan-as-of-words", "wrong CLI value types", "scan --as-of yesterday",
         s_cmd("scan", "t", "--as-of", "yesterday"), "yesterday"),
    Case("scan-as-of-overflow", "wrong CLI value types", "scan --as-of 99999999999999999999999",
         s_cmd("scan", "t", "--as-of", "99999999999999999999999"), "99999999999999999999999"),
    Case("scan-snapshot-unknown", "wrong CLI value types", "scan --snapshot 42",
         s_cmd("scan", "t", "--snapshot", "42"), "42"),
    Case("expire-retain-abc", "wrong CLI value types", "expire --retain-last abc",
         s_cmd("expire", "t", "--retain-last", "abc"), "--retain-last", code=2),
    Case("create-bad-type", "wrong CLI value types", "create --schema 'id lon'",
         lambda w: (w.fb("init"), cat("create", "u", "--schema", "id lon"))[-1], "lon"),
    Case("create-bad-bucket", "wrong CLI value types", "--partition-by 'bucket(-1, id)'",
         lambda w: (w.fb("init"), cat("create", "u", "--schema", SCHEMA, "--partition-by",
                                      "bucket(-1, id)"))[-1], "bucket"),
    Case("where-syntax", "bad filter expressions", "--where 'id >'",
         s_cmd("scan", "t", "--where", "id >"), "id >"),
    Case("where-unknown-column", "bad filter expressions", "--where 'nope = 1'",
         s_cmd("scan", "t", "--where", "nope = 1"), "nope"),
    Case("where-type-mismatch", "bad filter expressions", "--where \"id = 'abc'\"",
         s_cmd("scan", "t", "--where", "id = 'abc'"), "abc"),
    Case("where-deep-nesting", "bad filter expressions", "--where with 50000 nested parentheses",
         s_cmd("scan", "t", "--where", "(" * 50000 + "id = 1" + ")" * 50000), "nests more than"),
    Case("where-deep-not", "bad filter expressions", "--where 'NOT NOT ... id = 1' (30000 NOTs)",
         s_cmd("scan", "t", "--where", "NOT " * 30000 + "id = 1"), "nests more than"),
    Case("delete-where-garbage", "bad filter expressions", "delete --where '\\x01\\x02'",
         s_cmd("delete", "t", "--where", "\x01\x02"), "unexpected character '\\x01'"),
    Case("values-malformed", "wrong insert data", "insert --values '(1,'",
         s_cmd("insert", "t", "--values", "(1,", inserts=0), "values"),
    Case("csv-wrong-type", "wrong insert data", "CSV with id = 'abc'",
         s_insert_file("rows.csv", "id,name\nabc,x\n"), "cannot be converted"),
    Case("csv-null-required", "wrong insert data", "CSV with an empty required id",
         s_insert_file("rows.csv", "id,name\n,x\n1,y\n"), "id"),
    Case("ndjson-wrong-type", "wrong insert data", "NDJSON with {\"id\": {\"a\": 1}}",
         s_insert_file("rows.ndjson", '{"id": {"a": 1}, "name": "x"}\n'), "cannot be converted"),
    Case("ndjson-not-json", "wrong insert data", "NDJSON file holding 'not json {'",
         s_insert_file("rows.ndjson", "not json {\n"), "rows.ndjson"),
    Case("json-unknown-column", "wrong insert data", "NDJSON with an unknown column",
         s_insert_file("rows.json", '{"id": 1, "nope": 2}\n'), "nope"),
]


# ---------------------------------------------------------------------------------------------
# Fixtures: one hub for every hf:// case; the report.

RESULTS = {}


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile-hub") / "hub"
    ds = root / "datasets" / "kszucs" / "ds"
    (ds / "data").mkdir(parents=True)
    (ds / "bad").mkdir()
    pq.write_table(pa.table({"id": [1, 2], "name": ["a", "b"]}, schema=ARROW_SCHEMA),
                   ds / "data" / "a.parquet")
    good = (ds / "data" / "a.parquet").read_bytes()
    (ds / "bad" / "truncated.parquet").write_bytes(good[: len(good) // 2])
    with Hub(root) as h:
        # Import the folder now, so the cases' snapshots of the hub root see no first-use import.
        urllib.request.urlopen(h.endpoint + "/api/datasets/kszucs/ds", timeout=30).close()
        yield h


@pytest.fixture(scope="module", autouse=True)
def report():
    yield
    out = os.environ.get("FACEBERG_RELIABILITY_REPORT")
    if not out or not RESULTS:
        return
    order = [c.id for c in CASES] + [c.id for c in REST_CASES]
    lines = ["| # | category | input | command | exit | error (first 120 chars) | nothing written |",
             "|---|---|---|---|---|---|---|"]
    n = 0
    for case_id in order:
        if case_id not in RESULTS:
            continue
        n += 1
        r = RESULTS[case_id]
        cells = [str(n), r["category"], r["input"], r["command"], str(r["exit"]),
                 r["error"][:120], r["unchanged"]]
        cells = [c.replace("|", "\\|").replace("`", "'") for c in cells]
        lines.append("| " + " | ".join(cells) + " |")
    path = pathlib.Path(out)
    path.mkdir(parents=True, exist_ok=True)
    (path / "hostile_inputs.md").write_text("\n".join(lines) + "\n")


def shown(arg) -> str:
    text = os.fsdecode(arg) if isinstance(arg, bytes) else str(arg)
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    if len(text) > 40:
        text = text[:24] + f"...({len(text)} chars)"
    return text if text and " " not in text else f"'{text}'"


def assert_clean_error(stderr: str, stdout: str, expect: str):
    lines = stderr.split("\n")
    assert stderr.endswith("\n") and len(lines) == 2, f"not one line: {stderr!r}"
    assert stderr.startswith("error: "), stderr
    for noise in NOISE:
        assert noise not in stderr, stderr
    assert HF_TOKEN not in stderr + stdout and REST_TOKEN not in stderr + stdout
    assert expect in stderr, f"expected {expect!r} in {stderr!r}"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_cli_input(case: Case, tmp_path, request):
    world = World(tmp_path, request.getfixturevalue("hub") if case.hub else None)
    args = case.setup(world)
    roots = [world.work] + ([world.hub.root] if case.hub else [])
    before = [tree_snapshot(r) for r in roots]
    proc = world.run(args)
    after = [tree_snapshot(r) for r in roots]
    stderr = proc.stderr.decode("utf-8", "backslashreplace")
    stdout = proc.stdout.decode("utf-8", "backslashreplace")
    unchanged = before == after
    RESULTS[case.id] = {
        "category": case.category, "input": case.input,
        "command": "faceberg " + " ".join(shown(a) for a in args), "exit": proc.returncode,
        "error": stderr.strip().removeprefix("error: ").replace(str(world.work) + "/", ""),
        "unchanged": "yes" if unchanged else "NO",
    }
    assert proc.returncode == case.code, (proc.returncode, stderr)
    assert_clean_error(stderr, stdout, case.expect)
    if not unchanged:
        changed = sorted(k for b, a in zip(before, after) for k in set(b) | set(a)
                         if b.get(k, "absent") != a.get(k, "absent"))
        raise AssertionError(f"the command wrote or removed files: {changed}")


# ---------------------------------------------------------------------------------------------
# REST: hostile bodies and names sent to a running `faceberg serve`.


@dataclass
class RestCase:
    id: str
    category: str
    input: str
    method: str
    path: str
    body: Callable[[], bytes]
    status: int
    expect: str
    headers: dict = field(default_factory=dict)


def _create_body(name, fields=None):
    if fields is None:
        fields = [{"id": 1, "name": "id", "type": "long", "required": True}]
    schema = {"type": "struct", "schema-id": 0, "fields": fields}
    return lambda: json.dumps({"name": name, "schema": schema}).encode()


ESCAPE = "../../faceberg-hostile-escape"


def _with_location(location):
    body = json.loads(_create_body("u")())
    body["location"] = location
    return json.dumps(body).encode()


def _nested(depth):
    return lambda: b'{"namespace": ' + b"[" * depth + b"]" * depth + b"}"


def _commit(updates):
    return lambda: json.dumps({"requirements": [], "updates": updates}).encode()


REST_CASES = [
    RestCase("rest-not-json", "REST bodies", "create namespace, body 'not json {'", "POST",
             "/v1/namespaces", lambda: b"not json {", 400, "JSON"),
    RestCase("rest-namespace-string", "REST bodies", "create namespace {\"namespace\": \"x\"}",
             "POST", "/v1/namespaces", lambda: b'{"namespace": "x"}', 400, "namespace"),
    RestCase("rest-namespace-ints", "REST bodies", "create namespace {\"namespace\": [1, 2]}",
             "POST", "/v1/namespaces", lambda: b'{"namespace": [1, 2]}', 400, "namespace"),
    RestCase("rest-huge-body", "REST bodies", "a 3 MiB body (limit 1 MiB)", "POST",
             "/v1/namespaces", lambda: b'{"namespace": ["' + b"x" * (3 << 20) + b'"]}', 413,
             "larger than"),
    RestCase("rest-deep-nesting", "REST bodies", "200000 nested JSON lists", "POST",
             "/v1/namespaces", _nested(200000), 400, "deeper than"),
    RestCase("rest-namespace-dotdot", "path traversal via REST", "create namespace [\"..\"]",
             "POST", "/v1/namespaces", lambda: b'{"namespace": [".."]}', 400, "namespace"),
    RestCase("rest-namespace-slash", "path traversal via REST", "create namespace [\"a/../../b\"]",
             "POST", "/v1/namespaces", lambda: b'{"namespace": ["a/../../b"]}', 400, "namespace"),
    RestCase("rest-table-dotdot", "path traversal via REST", "create table named '../evil'", "POST",
             "/v1/namespaces/default/tables", _create_body("../evil"), 400, "table name"),
    RestCase("rest-table-in-dotdot-ns", "path traversal via REST",
             "create table in namespace '..%2F..%2Fetc'", "POST",
             "/v1/namespaces/..%2F..%2Fetc/tables", _create_body("x"), 400, "namespace"),
    RestCase("rest-load-encoded-dotdot", "path traversal via REST", "load table '%2E%2E'", "GET",
             "/v1/namespaces/default/tables/%2E%2E", lambda: b"", 404, "does not exist"),
    RestCase("rest-table-fields-not-list", "REST bodies", "create table, schema fields an object",
             "POST", "/v1/namespaces/default/tables", _create_body("u", {"id": "long"}), 400,
             "fields"),
    RestCase("rest-commit-unknown-action", "REST bodies", "commit with action 'drop-everything'",
             "POST", "/v1/namespaces/default/tables/t",
             _commit([{"action": "drop-everything"}]), 400, "drop-everything"),
    RestCase("rest-commit-wrong-types", "REST bodies", "commit whose updates is a string",
             "POST", "/v1/namespaces/default/tables/t",
             lambda: b'{"requirements": [], "updates": "all"}', 400, "updates"),
    RestCase("rest-commit-property-object", "REST bodies",
             "commit set-properties with an object as a value", "POST",
             "/v1/namespaces/default/tables/t",
             _commit([{"action": "set-properties", "updates": {"a": {"b": 1}}}]), 400, "string"),
    RestCase("rest-number-overflow", "REST bodies", "commit body holding the number 1e400", "POST",
             "/v1/namespaces/default/tables/t",
             lambda: b'{"requirements": [], "updates": [], "x": 1e400}', 400, "1e400"),
    RestCase("rest-non-utf8-table", "non-UTF-8 names", "load table '%FF%FE'", "GET",
             "/v1/namespaces/default/tables/%FF%FE", lambda: b"", 404, "does not exist"),
    RestCase("rest-non-utf8-body", "non-UTF-8 names", "create namespace [b'\\xff']", "POST",
             "/v1/namespaces", lambda: b'{"namespace": ["\xff"]}', 400, "JSON"),
    RestCase("rest-create-relative-location", "path traversal via REST",
             f"create table with location '{ESCAPE}'", "POST", "/v1/namespaces/default/tables",
             lambda: _with_location(ESCAPE), 400, "relative"),
    RestCase("rest-create-dotdot-location", "path traversal via REST",
             f"create table with location '/tmp/x/{ESCAPE}'", "POST",
             "/v1/namespaces/default/tables", lambda: _with_location("/tmp/x/" + ESCAPE), 400,
             "'..'"),
    RestCase("rest-set-location-relative", "path traversal via REST",
             f"commit set-location '{ESCAPE}'", "POST", "/v1/namespaces/default/tables/t",
             _commit([{"action": "set-location", "location": ESCAPE}]), 400, "relative"),
    RestCase("rest-rename-to-dotdot", "path traversal via REST", "rename default.t to ['..'].'x'",
             "POST", "/v1/tables/rename",
             lambda: json.dumps({"source": {"namespace": ["default"], "name": "t"},
                                 "destination": {"namespace": [".."], "name": "x"}}).encode(), 400,
             "namespace"),
    RestCase("rest-wrong-token", "REST bodies", "a wrong bearer token", "GET", "/v1/namespaces",
             lambda: b"", 401, "token", headers={"Authorization": "Bearer hf_not_the_token_zz9"}),
]


@pytest.fixture(scope="module")
def rest(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile-rest")
    world = World(base)
    world.table(1)
    (base / "tokens").write_text(REST_TOKEN + "\n")
    with RestServer(str(world.work / "catalog"), base, "--token-file", str(base / "tokens"),
                    "--max-body-mb", "1") as server:
        yield server, world


def send(uri: str, method: str, path: str, body: bytes, headers: dict):
    """(status, body text) of one request. A server may answer (413) and close before it has read
    a large body: a failed send still reads the answer."""
    host, port = uri.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        try:
            conn.request(method, path, body=body if method != "GET" else None, headers=headers)
        except (BrokenPipeError, ConnectionResetError):
            pass
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "backslashreplace")
    finally:
        conn.close()


@pytest.mark.parametrize("case", REST_CASES, ids=[c.id for c in REST_CASES])
def test_hostile_rest_request(case: RestCase, rest):
    server, world = rest
    before = tree_snapshot(world.work)
    headers = {"Authorization": f"Bearer {REST_TOKEN}", "Content-Type": "application/json"}
    headers.update(case.headers)
    body = case.body()
    status, text = send(server.uri, case.method, case.path, body, headers)
    after = tree_snapshot(world.work)
    message = ""
    try:
        message = json.loads(text)["error"]["message"]
    except Exception:  # noqa: BLE001 (recorded below as a failure)
        message = text[:200]
    message = message.replace(str(world.work) + "/", "")
    RESULTS[case.id] = {"category": case.category, "input": case.input,
                        "command": f"{case.method} {case.path}", "exit": status, "error": message,
                        "unchanged": "yes" if before == after else "NO"}
    assert server.alive(), server.log()
    assert status == case.status, (status, text[:500])
    error = json.loads(text)["error"]
    assert error["code"] == status and isinstance(error["type"], str) and error["type"]
    assert "\n" not in error["message"] and case.expect in error["message"], error
    assert REST_TOKEN not in text and "hf_not_the_token_zz9" not in text
    assert before == after, "the request changed the catalog"
    for escape in (os.path.normpath(os.path.join(os.getcwd(), ESCAPE)),
                   os.path.normpath("/tmp/x/" + ESCAPE)):
        assert not os.path.exists(escape), f"the request created {escape}"
