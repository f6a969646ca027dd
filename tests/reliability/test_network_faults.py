"""Network faults on the whole HF bridge flow (issue 9): for each fail rate, a fresh local hub
(`faceberg hub serve --fail-rate R --latency-ms N --seed S`) over generated datasets, and the flow
init, create, list and scan, a new dataset commit then sync, an insert into an HF-backed table,
push of the catalog to a hub repo, and pull into a fresh folder.

Every command runs under one rule: when an attempt fails, its stderr must be one clear line
("error: ...", no traceback, no token), the catalog, the pushed catalog and the dataset repos
must be consistent (checked without the faulty hub: straight from the catalog folders and the
hub's store, see faults_consistency.py, and with `faceberg check`), then the command is retried;
once it succeeds, its exact result is verified against the dataset repos on the hub.

The hub injects those faults before it acts. test_insert_and_push_when_answers_are_lost adds
`--drop-response-rate`: the hub makes the write (a commit, an LFS upload, a repo creation), then
resets the connection instead of answering, so the client cannot know the outcome; inserts and
pushes must still land exactly once (no duplicated rows or data files, no commit made twice) and
a failed attempt must not leave the table without rows the dataset got.

With FACEBERG_RELIABILITY_REPORT naming a folder, the figures of each rate are written to
network_faults.md there. Fault placement depends on request order, which concurrency varies, so
the test asserts outcomes only (never how many faults hit)."""

import collections
import json
import os
import pathlib
import re
import socket
import subprocess
from typing import Callable, Dict, List, Optional

import pyarrow.parquet as pq
import pytest
from huggingface_hub import CommitOperationAdd, HfApi, constants
from huggingface_hub.utils import disable_progress_bars

import relutil  # noqa: F401 (puts tests/interop on sys.path)
from faults_consistency import (HubStore, check_mirror, check_pushed, hub_catalog_files,
                                mirror_catalog_files, parse_hf_uri)
from hubproc import Hub, faceberg_bin

# FACEBERG_FAULT_RATES=0.5,0.6 and FACEBERG_FAULT_SEED=N explore other settings by hand.
RATES = tuple(float(r) for r in os.environ.get("FACEBERG_FAULT_RATES", "0.1,0.2,0.3").split(","))
SEED = int(os.environ.get("FACEBERG_FAULT_SEED", "9"))




def latency_ms(rate: float) -> int:
    return 5 + int(rate * 33)  # 8, 11 and 14 ms for 0.1, 0.2 and 0.3


# Attempts of one command before the test gives up. A commit whose answer is lost (a 500 or a
# reset: the server may have acted) is sent again only after the client has read the branch and
# found it did not land, a few times at most; 12 attempts all failing is beyond any plausible run.
MAX_ATTEMPTS = 12
# `faceberg check` itself reads hf:// files through the faulty hub: a clean verdict on any of
# these attempts counts; an inconsistent state fails them all.
CHECK_ATTEMPTS = 4
# At the first rate, the first attempt of each of these commands meets a hub that is down (a
# closed port), so every command's failure path is taken at least once in every run.
OUTAGE_COMMANDS = ("init", "create", "sync", "insert", "push", "pull")
TOKEN = "hf_networkFaultsSecretToken123"
CATALOG_REPO = "demo/catalog"
CONFIG = f"""\
catalog:
  name: faults
  location: hf://datasets/{CATALOG_REPO}
datasets:
  - name: qa
    repo: demo/qa
  - name: reviews
    repo: demo/reviews
  - name: flat
    repo: demo/flat
"""
# table -> (its dataset repo, the folder of its config's files)
TABLES = {
    "default.qa_default": ("demo/qa", "data/"),
    "default.reviews_en": ("demo/reviews", "en/"),
    "default.reviews_fr": ("demo/reviews", "fr/"),
    "default.flat_default": ("demo/flat", "data/"),
}
SPLIT_OF_FILE = re.compile(r"(?:^|/)(train|test|validation)-[^/]*\.parquet$")
INSERT_VALUES = "(100000, 'inserted under faults', 2, 'validation'), " \
                "(100001, 'another inserted row', 0, 'test')"

FIGURES: Dict[float, dict] = {}
# The lost-answers case: a small fail rate, and this fraction of writes acted on but unanswered.
LOST_ANSWER_FAIL_RATE = 0.05
LOST_ANSWER_DROP_RATE = 0.3
LOST_ANSWER_INSERTS = 4
LOST_ANSWER_FIGURES: Dict[str, dict] = {}


def generate_datasets(root: pathlib.Path) -> None:
    """Three HF-style datasets under root/datasets/demo: qa (train/validation/test), reviews
    (configs en and fr, train/test) and flat (one file)."""
    def generate(name, *args):
        subprocess.run([faceberg_bin(), "generate", root / "datasets" / "demo" / name, "-q",
                        *map(str, args)], check=True, capture_output=True)
    generate("qa", "--rows", 600, "--splits", "train,validation,test", "--split-weights", "4,1,1",
             "--seed", 2, "--schema", "id:id, text:text(5..30), label:label(a|b|c)")
    generate("reviews", "--rows", 300, "--configs", "en,fr", "--splits", "train,test", "--seed", 1,
             "--schema", "id:id, text:text(5..40), stars:label(1|2|3|4|5)")
    generate("flat", "--rows", 200, "--seed", 3, "--schema", "id:id, value:double(0..100)")


def normalize(row: dict) -> tuple:
    return tuple(sorted((k, round(v, 9) if isinstance(v, float) else v) for k, v in row.items()))


def short_error(stderr: str) -> str:
    """The error with run-specific parts (ports, shas, ids, numbers) masked, for deduplication."""
    text = stderr.strip()
    text = re.sub(r"http://127\.0\.0\.1:\d+", "HUB", text)
    text = re.sub(r"[0-9a-f]{12,64}", "SHA", text)
    text = re.sub(r"\d+", "N", text)
    return text if len(text) <= 160 else text[:157] + "..."


class Flow:
    """One fail rate: the hub, the work folders and the figures."""

    def __init__(self, tmp: pathlib.Path, rate: float, outage: bool, drop_rate: float = 0.0):
        self.rate = rate
        self.drop_rate = drop_rate
        self.outage_endpoint = closed_port_endpoint() if outage else None
        self.root = tmp / "hub"
        generate_datasets(self.root)
        self.hub = Hub(self.root, "--fail-rate", rate, "--latency-ms", latency_ms(rate),
                       "--seed", SEED, "--retry-after", 0, "--drop-response-rate", drop_rate,
                       *(("-v",) if drop_rate else ()))  # -v: the log tells which were dropped
        self.store = HubStore(self.root)
        self.work = tmp / "work"
        self.work.mkdir()
        (self.work / "faceberg.yml").write_text(CONFIG)
        self.mirror = self.work / ".faceberg"
        self.second = tmp / "second"
        self.second.mkdir()
        self.env = dict(os.environ, HF_ENDPOINT=self.hub.endpoint, HF_TOKEN=TOKEN,
                        FACEBERG_CACHE_DIR=str(tmp / "cache"), HF_HOME=str(tmp / "hf-home"),
                        HF_HUB_DISABLE_XET="1")
        for name in ("FACEBERG_CATALOG", "FACEBERG_MIRROR", "HUGGING_FACE_HUB_TOKEN",
                     "HF_HUB_OFFLINE", "FACEBERG_FAILPOINT"):
            self.env.pop(name, None)
        self.api = HfApi(endpoint=self.hub.endpoint, token=TOKEN)
        # The catalog files last pushed: the hub's catalog repo must hold exactly these, or
        # (should a failed push have landed before its answer was lost) the mirror's files.
        self.pushed_state: Optional[Dict[str, str]] = None
        self.figures = {"attempts": 0, "commands": 0, "failed": 0, "outage_attempts": 0,
                        "errors": collections.Counter(), "retries": {}, "checks": 0,
                        "checks_passed": 0, "check_runs": 0, "check_runs_failed": 0,
                        "inserts": 0, "pushes": 0}

    # ---- running commands ----

    def faceberg(self, *args, cwd=None, endpoint=None) -> subprocess.CompletedProcess:
        env = dict(self.env, HF_ENDPOINT=endpoint) if endpoint else self.env
        return subprocess.run([faceberg_bin(), *map(str, args)], capture_output=True, text=True,
                              cwd=cwd or self.work, env=env)

    def command(self, name: str, *args, cwd=None,
                after_failure: Optional[Callable[[], None]] = None) -> subprocess.CompletedProcess:
        """Runs `faceberg ARGS` until it succeeds: each failed attempt must fail cleanly and leave
        every catalog and repo consistent (plus `after_failure`'s own checks)."""
        self.figures["commands"] += 1
        errors: List[str] = []
        for attempt in range(MAX_ATTEMPTS):
            down = attempt == 0 and self.outage_endpoint and name in OUTAGE_COMMANDS
            proc = self.faceberg(*args, cwd=cwd, endpoint=self.outage_endpoint if down else None)
            self.figures["attempts"] += 1
            assert TOKEN not in proc.stdout + proc.stderr, f"{name}: the token leaked"
            if down:
                self.figures["outage_attempts"] += 1
                assert proc.returncode != 0, f"{name} succeeded with the hub down"
            if proc.returncode == 0:
                if attempt:
                    retries = self.figures["retries"]
                    retries[name] = retries.get(name, 0) + attempt
                return proc
            self.figures["failed"] += 1
            self.assert_clear_error(name, proc)
            errors.append(proc.stderr.strip())
            self.figures["errors"][short_error(proc.stderr)] += 1
            self.verify_consistent(f"after a failed {name}")
            if after_failure:
                after_failure()
        raise AssertionError(f"{name} failed {MAX_ATTEMPTS} times under fail rate {self.rate}: "
                             f"{errors}")

    @staticmethod
    def assert_clear_error(name: str, proc: subprocess.CompletedProcess) -> None:
        assert proc.returncode == 1, f"{name}: exit {proc.returncode} (a crash?): {proc.stderr}"
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1, f"{name}: the error is not one line: {proc.stderr!r}"
        line = lines[0]
        assert line.startswith("error: "), f"{name}: {line!r}"
        assert "Traceback" not in line and "Authorization" not in line, line
        assert len(line) < 600, f"{name}: an overlong error: {line!r}"

    def json(self, name: str, *args, cwd=None, after_failure=None):
        return json.loads(self.command(name, "--json", *args, cwd=cwd,
                                       after_failure=after_failure).stdout)

    # ---- consistency ----

    def verify_consistent(self, when: str, run_check: bool = True) -> None:
        """The local catalog, the pushed catalog and the second folder's catalog (when they
        exist) are consistent, checked from disk, and the local catalog by `faceberg check`
        too unless `run_check` is false (a step that did not touch it)."""
        self.figures["checks"] += 1
        if (self.mirror / "catalog.json").exists():
            report = check_mirror(self.mirror, CATALOG_REPO, self.store)
            assert not report.problems, f"{when}: the local catalog: {report.problems}"
            if run_check:
                self.faceberg_check(when, cwd=self.work, expect_tables=report.tables,
                                    expect_snapshots=report.snapshots)
        pushed = check_pushed(CATALOG_REPO, self.store)
        if pushed is not None:
            assert not pushed.problems, f"{when}: the pushed catalog: {pushed.problems}"
        hub_files = hub_catalog_files(self.store, CATALOG_REPO)
        if hub_files is not None and "catalog.json" in hub_files:
            # No half push: the hub holds a whole pushed state, the old or the new one.
            assert hub_files in (self.pushed_state, mirror_catalog_files(self.mirror)), \
                f"{when}: the hub's catalog is neither the last pushed state nor the mirror"
        second_mirror = self.second / ".faceberg"
        if second_mirror.exists():
            # A pull swaps in a whole catalog or nothing.
            assert (second_mirror / "catalog.json").exists(), f"{when}: a half pulled mirror"
            assert mirror_catalog_files(second_mirror) == hub_files, \
                f"{when}: the pulled mirror differs from the hub's catalog"
            report = check_mirror(second_mirror, CATALOG_REPO, self.store)
            assert not report.problems, f"{when}: the pulled catalog: {report.problems}"
        leftovers = [p.name for p in self.second.iterdir() if p.name != ".faceberg"]
        assert not leftovers, f"{when}: a pull left {leftovers} beside the mirror"
        self.figures["checks_passed"] += 1

    def faceberg_check(self, when: str, cwd: pathlib.Path, expect_tables: int,
                       expect_snapshots: int, *catalog_args) -> None:
        """`faceberg check --json` agrees the catalog is consistent (retried: the check itself
        reads hf:// files through the faulty hub)."""
        outputs = []
        for _ in range(CHECK_ATTEMPTS):
            proc = self.faceberg(*catalog_args, "--json", "check", cwd=cwd)
            self.figures["check_runs"] += 1
            if proc.returncode == 0:
                result = json.loads(proc.stdout)
                assert result["ok"] is True, proc.stdout
                assert len(result["tables"]) == expect_tables, (when, proc.stdout)
                assert sum(t["snapshots"] for t in result["tables"]) == expect_snapshots, \
                    (when, proc.stdout)
                return
            self.figures["check_runs_failed"] += 1
            self.assert_clear_error("check", proc)
            outputs.append(proc.stdout.strip() + " " + proc.stderr.strip())
            try:
                problems = [p for t in json.loads(proc.stdout)["tables"] for p in t["problems"]]
            except (ValueError, KeyError, TypeError):
                problems = []  # the check itself failed (e.g. loading metadata from the hub)
            # A file the check could not reach through the faulty hub is worth another look; a
            # missing file or a wrong size is an inconsistency at once.
            real = [p for p in problems if "cannot be read" not in p]
            assert not real, f"{when}: faceberg check found {real}"
        raise AssertionError(f"{when}: faceberg check never passed: {outputs}")

    # ---- expected results, from the dataset repos on the hub ----

    def dataset_files(self, table: str, sha: str) -> Dict[str, list]:
        repo, prefix = TABLES[table]
        return {path: entry for path, entry in self.store.files(repo, sha).items()
                if path.startswith(prefix) and SPLIT_OF_FILE.search(path)}

    def expected_rows(self, table: str, sha: str) -> List[tuple]:
        """The rows of the table's config at dataset commit `sha`, with their split."""
        rows = []
        for path, entry in self.dataset_files(table, sha).items():
            split = SPLIT_OF_FILE.search(path).group(1)
            for row in pq.read_table(self.store.blob(entry[1])).to_pylist():
                rows.append(normalize({**row, "split": split}))
        return sorted(rows)

    def table_state(self, table: str, mirror: Optional[pathlib.Path] = None) -> dict:
        report = check_mirror(mirror or self.mirror, CATALOG_REPO, self.store)
        return report.current[table]

    def assert_table_matches_dataset(self, table: str, sha: str) -> None:
        """The table's current snapshot holds exactly the config's files at dataset commit
        `sha`, and records that commit."""
        repo, _ = TABLES[table]
        state = self.table_state(table)
        metadata = state["metadata"]
        assert metadata.properties["hf.dataset.commit"] == sha, table
        want = self.dataset_files(table, sha)
        got = {}
        for uri in state["data_files"]:
            uri_repo, revision, path = parse_hf_uri(uri)
            assert uri_repo == repo, uri
            # A file kept from an older revision must be the same content as at `sha`.
            got[path] = self.store.files(repo, revision)[path][1]
        assert got == {path: entry[1] for path, entry in want.items()}, table

    def scan_rows(self, table: str, cwd=None, *catalog_args) -> List[tuple]:
        out = self.command(f"scan {table}", *catalog_args, "scan", table, "--format", "json",
                           cwd=cwd).stdout
        return sorted(normalize(json.loads(line)) for line in out.splitlines() if line.strip())

    # ---- the flow ----

    def run(self) -> None:
        self.step_init_and_create()
        self.step_list_and_scan()
        self.step_dataset_commit_and_sync()
        self.step_insert()
        self.step_push()
        self.step_pull()
        everything = [p for d in (self.work, self.second) for p in d.rglob("*") if p.is_file()]
        assert not any(TOKEN.encode() in p.read_bytes() for p in everything), "token on disk"

    def step_init_and_create(self) -> None:
        self.command("init", "init")
        assert (self.mirror / "catalog.json").exists() and (self.mirror / "faceberg.yml").exists()
        self.verify_consistent("after init")
        self.command("create", "create")
        self.verify_consistent("after create")
        for table, (repo, _) in TABLES.items():
            self.assert_table_matches_dataset(table, self.store.head(repo))

    def step_list_and_scan(self) -> None:
        listed = {t["table"]: t for t in self.json("list", "list")["tables"]}
        assert sorted(listed) == sorted(TABLES)
        for table, (repo, _) in TABLES.items():
            head = self.store.head(repo)
            expected = self.expected_rows(table, head)
            assert listed[table]["kind"] == "hf" and listed[table]["commit"] == head
            assert listed[table]["rows"] == len(expected), table
            assert self.scan_rows(table) == expected, table

    def step_dataset_commit_and_sync(self) -> None:
        """The dataset owner commits a new train shard to demo/qa (with huggingface_hub, through
        the faulty hub); sync moves exactly qa_default to the new revision."""
        old_head = self.store.head("demo/qa")
        snapshots_before = {t: len(self.table_state(t)["metadata"].snapshots) for t in TABLES}
        shard = self.work.parent / "new-shard"
        subprocess.run([faceberg_bin(), "generate", str(shard), "-q", "--rows", "120", "--seed",
                        "4", "--schema", "id:id, text:text(5..30), label:label(a|b|c)"],
                       check=True, capture_output=True)
        source = shard / "data" / "train-00000-of-00001.parquet"
        new_path = "data/train-00002-of-00003.parquet"
        for _ in range(MAX_ATTEMPTS):
            try:
                self.api.create_commit("demo/qa", repo_type="dataset", parent_commit=old_head,
                                       commit_message="add a train shard",
                                       operations=[CommitOperationAdd(new_path, str(source))])
                break
            except Exception:  # noqa: BLE001 (any client error: retried, the hub decides)
                if self.store.head("demo/qa") != old_head:
                    break  # the commit landed, its answer was lost
        new_head = self.store.head("demo/qa")
        assert new_head != old_head and self.store.parents("demo/qa", new_head) == [old_head]
        assert set(self.store.files("demo/qa", new_head)) - \
            set(self.store.files("demo/qa", old_head)) == {new_path}

        # Before the sync the tables are unchanged and consistent.
        self.verify_consistent("after the dataset commit", run_check=False)
        synced = {t["table"]: t for t in self.json("sync", "sync")["tables"]}
        self.verify_consistent("after sync")
        assert synced["default.qa_default"]["commit"] == new_head
        for table, (repo, _) in TABLES.items():
            snapshots = len(self.table_state(table)["metadata"].snapshots)
            moved = table == "default.qa_default"
            assert snapshots == snapshots_before[table] + (1 if moved else 0), table
            self.assert_table_matches_dataset(table, self.store.head(repo))
        assert self.scan_rows("default.qa_default") == \
            self.expected_rows("default.qa_default", new_head)
        # The sync snapshot added exactly the new file.
        current = self.table_state("default.qa_default")["data_files"]
        assert {parse_hf_uri(u)[1] for u in current if parse_hf_uri(u)[2] == new_path} == \
            {new_head}
        assert sum(1 for u in current if parse_hf_uri(u)[1] == new_head) == 1

    def step_insert(self) -> None:
        """An insert into qa_default: one Hub commit to demo/qa with one file per split, and the
        table's append of exactly those files."""
        self.insert_rows(INSERT_VALUES, [
            {"id": 100000, "text": "inserted under faults", "label": 2, "split": "validation"},
            {"id": 100001, "text": "another inserted row", "label": 0, "split": "test"}])

    def insert_rows(self, values: str, rows: List[dict]) -> None:
        """Inserts `values` (rows of the splits test and validation, one each) into qa_default:
        one Hub commit on top of the table's commit adding one file per split, the table's
        append of exactly those files, and each row exactly once in the dataset."""
        table = "default.qa_default"
        old_head = self.store.head("demo/qa")
        rows_before = self.expected_rows(table, old_head)

        def hub_unchanged_or_synced():
            # A failed insert changed nothing on the hub (its commit is guarded by the table's
            # commit), or, when the hub commit landed, the table does not claim it yet.
            head = self.store.head("demo/qa")
            recorded = self.table_state(table)["metadata"].properties["hf.dataset.commit"]
            assert head == old_head or recorded == old_head, "insert: half applied"
            assert head == old_head, "insert: the rows landed on the hub, the table lost them"

        result = self.json("insert", "insert", table, "--values", values,
                           after_failure=hub_unchanged_or_synced)
        self.figures["inserts"] += 1
        self.verify_consistent("after insert")
        new_head = self.store.head("demo/qa")
        assert result["commit"] == new_head
        # One commit, made once: on top of the old head, adding one file per split.
        assert self.store.parents("demo/qa", new_head) == [old_head]
        added = set(self.store.files("demo/qa", new_head)) - set(self.store.files("demo/qa",
                                                                                  old_head))
        assert sorted(SPLIT_OF_FILE.search(p).group(1) for p in added) == ["test", "validation"]
        self.assert_table_matches_dataset(table, new_head)
        after = self.expected_rows(table, new_head)
        assert len(after) == len(rows_before) + len(rows)
        assert self.scan_rows(table) == after
        new_rows = list((collections.Counter(after) - collections.Counter(rows_before)).elements())
        assert sorted(new_rows) == sorted(normalize(r) for r in rows)

    def step_push(self) -> None:
        attempts = self.figures["attempts"]
        result = self.json("push", "push")
        self.figures["pushes"] += 1
        retried = self.figures["attempts"] - attempts > 1
        # Injected faults come before the hub acts, so a failed attempt pushed nothing; with
        # lost answers, a failed attempt may have landed, and the retry finds it there.
        assert result["nothing-to-push"] is False or (self.drop_rate and retried), result
        self.pushed_state = mirror_catalog_files(self.mirror)
        assert hub_catalog_files(self.store, CATALOG_REPO) == self.pushed_state
        self.verify_consistent("after push")
        again = self.json("push again", "push")
        assert again["nothing-to-push"] is True
        assert hub_catalog_files(self.store, CATALOG_REPO) == self.pushed_state

    def step_pull(self) -> None:
        catalog = ("--catalog", f"hf://datasets/{CATALOG_REPO}", "--mirror",
                   str(self.second / ".faceberg"))
        self.command("pull", *catalog, "pull", cwd=self.second)
        self.verify_consistent("after pull", run_check=False)
        pulled = self.second / ".faceberg"
        assert mirror_catalog_files(pulled) == self.pushed_state
        report = check_mirror(pulled, CATALOG_REPO, self.store)
        self.faceberg_check("after pull", self.second, report.tables, report.snapshots, *catalog)
        table = "default.qa_default"
        assert self.scan_rows(table, self.second, *catalog) == \
            self.expected_rows(table, self.store.head("demo/qa"))

    def run_lost_answers(self) -> None:
        """init and create, then inserts and pushes, under lost answers: every write lands
        exactly once, whatever the client was told."""
        start = {repo: self.store.head(repo) for repo in ("demo/qa", CATALOG_REPO)}
        self.step_init_and_create()
        for i in range(LOST_ANSWER_INSERTS):
            self.insert_rows(
                f"({200000 + 2 * i}, 'lost answer {i}', 1, 'test'), "
                f"({200001 + 2 * i}, 'lost answer {i} again', 2, 'validation')",
                [{"id": 200000 + 2 * i, "text": f"lost answer {i}", "label": 1, "split": "test"},
                 {"id": 200001 + 2 * i, "text": f"lost answer {i} again", "label": 2,
                  "split": "validation"}])
            if i % 2 == 0 or i == LOST_ANSWER_INSERTS - 1:
                self.step_push()
        # The dataset got one commit per insert, each adding two files of its own, and each row
        # exactly once.
        history = self.first_parent_history("demo/qa", start["demo/qa"])
        assert len(history) == LOST_ANSWER_INSERTS, history
        seen = set()
        for sha in history:
            added = set(self.store.files("demo/qa", sha)) - \
                set(self.store.files("demo/qa", self.store.parents("demo/qa", sha)[0]))
            assert len(added) == 2 and not added & seen, (sha, added)
            seen |= added
        ids = [dict(r)["id"] for r in self.expected_rows("default.qa_default",
                                                         self.store.head("demo/qa"))]
        inserted = sorted(i for i in ids if i >= 200000)
        assert inserted == list(range(200000, 200000 + 2 * LOST_ANSWER_INSERTS))
        # The catalog repo: every commit changed something (none was made twice), and it holds
        # the mirror's catalog.
        catalog_history = self.first_parent_history(CATALOG_REPO, None)
        for sha in catalog_history:
            parents = self.store.parents(CATALOG_REPO, sha)
            if parents:
                assert self.store.files(CATALOG_REPO, sha) != \
                    self.store.files(CATALOG_REPO, parents[0]), f"an empty catalog commit {sha}"
        assert hub_catalog_files(self.store, CATALOG_REPO) == mirror_catalog_files(self.mirror)

    def first_parent_history(self, repo: str, since: Optional[str]) -> List[str]:
        """Commits of `repo`'s main from the head back to (not including) `since`."""
        out = []
        sha = self.store.head(repo)
        while sha and sha != since:
            out.append(sha)
            parents = self.store.parents(repo, sha)
            sha = parents[0] if parents else None
        return out

    def stop(self) -> None:
        stats = self.hub.stats()
        self.figures["hub_requests"] = stats["total"]
        self.figures["injected"] = stats["injected"]
        self.figures["dropped"] = stats.get("dropped_responses", 0)
        if self.drop_rate:
            self.figures["dropped_by_kind"] = dropped_by_kind(self.hub.log())
        self.hub.stop()


def dropped_by_kind(log: str) -> Dict[str, int]:
    """Dropped answers by kind of write, from the hub's -v log ("POST PATH reset 3ms (handled,
    response dropped)")."""
    kinds = collections.Counter()
    for line in log.splitlines():
        if not line.endswith("(handled, response dropped)"):
            continue
        path = line.split()[2] if "[storage]" in line else line.split()[1]
        kind = ("commit" if "/commit/" in path else
                "create repo" if path.endswith("/repos/create") else
                "preupload" if "/preupload/" in path else
                "LFS" if "[storage]" in line or "lfs" in path or "multipart" in path else "other")
        kinds[kind] += 1
    return dict(kinds)


def closed_port_endpoint() -> str:
    """http://127.0.0.1:PORT of a port nothing listens on (bound, then closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def write_report() -> None:
    folder = os.environ.get("FACEBERG_RELIABILITY_REPORT")
    if not folder:
        return
    lines = ["# Network faults on the bridge flow", "",
             "init, create, list, scans, a dataset commit + sync, insert, push, pull into a fresh "
             f"folder; hub `--latency-ms` {', '.join(str(latency_ms(r)) for r in RATES)}, "
             f"`--seed {SEED}`, `--retry-after 0`; a failed command is retried up to "
             f"{MAX_ATTEMPTS} times. At rate {RATES[0]} the first attempt of "
             f"{', '.join(OUTAGE_COMMANDS)} meets a hub that is down (failed attempts include "
             "them). Consistency checks read the catalogs and the hub's store from disk after "
             "each step and each failed attempt; `faceberg check` runs beside them and is "
             "retried when its own hub requests fail.", "",
             "| fail rate | commands | attempts | failed attempts (hub down) | retries to success "
             "| hub requests | injected (500/429/reset) | consistency checks passed | faceberg "
             "check runs (failed) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for rate, f in sorted(FIGURES.items()):
        injected = f.get("injected", {})
        retries = ", ".join(f"{k} {v}" for k, v in sorted(f["retries"].items())) or "none"
        lines.append(
            f"| {rate} | {f['commands']} | {f['attempts']} | {f['failed']} "
            f"({f['outage_attempts']}) | {retries} | "
            f"{f.get('hub_requests', '?')} | {injected.get('500', 0)}/{injected.get('429', 0)}/"
            f"{injected.get('reset', 0)} | {f['checks_passed']}/{f['checks']} | "
            f"{f['check_runs']} ({f['check_runs_failed']}) |")
    lines += ["", "Distinct errors of failed attempts (masked: HUB, SHA, N):", ""]
    for rate, f in sorted(FIGURES.items()):
        for error, count in sorted(f["errors"].items()):
            lines.append(f"- {rate}: {count}x `{error}`")
    for name, f in LOST_ANSWER_FIGURES.items():
        injected = f.get("injected", {})
        retries = ", ".join(f"{k} {v}" for k, v in sorted(f["retries"].items())) or "none"
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(f.get("dropped_by_kind", {}).items()))
        lines += ["", f"Lost answers ({name}): init, create, {f['inserts']} inserts and "
                  f"{f['pushes']} pushes; hub `--fail-rate {LOST_ANSWER_FAIL_RATE} "
                  f"--drop-response-rate {LOST_ANSWER_DROP_RATE}`: {f.get('hub_requests', '?')} "
                  f"hub requests, {f.get('dropped', '?')} answers dropped after the write "
                  f"({kinds or 'none'}), "
                  f"{injected.get('500', 0)}/{injected.get('429', 0)}/{injected.get('reset', 0)} "
                  f"injected 500/429/reset; {f['attempts']} attempts of {f['commands']} "
                  f"commands, {f['failed']} failed (retries: {retries}); consistency checks "
                  f"{f['checks_passed']}/{f['checks']}, faceberg check runs {f['check_runs']} "
                  f"({f['check_runs_failed']} failed)."]
        for error, count in sorted(f["errors"].items()):
            lines.append(f"- {count}x `{error}`")
    path = pathlib.Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    (path / "network_faults.md").write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("rate", RATES)
def test_bridge_flow_under_network_faults(tmp_path, monkeypatch, rate):
    monkeypatch.setenv("HF_HUB_DISABLE_XET", "1")
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_XET", True)
    disable_progress_bars()
    flow = Flow(tmp_path, rate, outage=rate == RATES[0])
    try:
        flow.run()
    finally:
        flow.stop()
        FIGURES[rate] = flow.figures
        write_report()


def test_insert_and_push_when_answers_are_lost(tmp_path, monkeypatch):
    """The hub acts on 30% of writes, then drops the answer (plus a few faults before acting):
    inserts and pushes still land exactly once, and a failed attempt is one clear line."""
    monkeypatch.setenv("HF_HUB_DISABLE_XET", "1")
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_XET", True)
    disable_progress_bars()
    flow = Flow(tmp_path, LOST_ANSWER_FAIL_RATE, outage=False, drop_rate=LOST_ANSWER_DROP_RATE)
    try:
        flow.run_lost_answers()
    finally:
        flow.stop()
        LOST_ANSWER_FIGURES[f"seed {SEED}"] = flow.figures
        write_report()
