"""kill -9 at random moments: 200 runs of a mix of commands (insert, delete, alter add-column,
expire, tag, sync after a dataset commit, an insert into an HF-backed table, push, pull, and a
PyIceberg append through `faceberg serve`, whose server is the process killed), each sent SIGKILL
after a random delay in [0, 1.2 x the command's typical duration] (measured once at the start).
After every run: every table of the catalogs loads (`faceberg check` when the binary has it, else
list + scan), every acknowledged commit (commands that exited 0, plus a killed command's commit
when it became visible) is present exactly once, and the catalog still takes commits. A ledger
of unique ids (rows), column names and tag names is compared with the tables after each run and
at the end.

FACEBERG_RELIABILITY_REPORT=DIR writes DIR/crash_loop.md: per command, runs, killed before and
after the commit became visible, acknowledged commits verified, and inconsistencies (always 0 when
the test passes). FACEBERG_CRASH_RUNS overrides the number of runs (default 200)."""

import collections
import json
import os
import pathlib
import random
import signal
import subprocess
import threading
import time

import relutil  # noqa: F401 (puts tests/interop on sys.path)

import pyarrow as pa
import pyarrow.parquet as pq
from pyiceberg.catalog.rest import RestCatalog
from huggingface_hub import CommitOperationAdd, HfApi, constants
from huggingface_hub.utils import RepositoryNotFoundError

from hubproc import Hub, faceberg_bin
from restproc import RestServer

SEED = 20260909
RUNS = int(os.environ.get("FACEBERG_CRASH_RUNS", "200"))
KILL_FACTOR = 1.2
PAIR = 500_000  # every insert adds the ids n and n + PAIR together: both or neither is visible
DATASET = "o/ds"
MIRRORED = "hf://datasets/alice/cat"
ARROW = pa.schema([pa.field("id", pa.int64()), pa.field("v", pa.string())])
COMMANDS = ["insert", "delete", "alter", "expire", "tag", "sync", "hf-insert", "push", "pull",
            "rest"]


class Inconsistent(Exception):
    """A state that no crash may leave: counted, reported, and failing the test at the end."""


def parquet_bytes(ids) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(pa.table({"id": pa.array(ids, pa.int64()),
                             "name": pa.array([f"n{i}" for i in ids])}), sink)
    return sink.getvalue().to_pybytes()


class World:
    """The catalogs, the hub, and the ledger of what must be in them."""

    def __init__(self, tmp: pathlib.Path):
        self.tmp = tmp
        hub_root = tmp / "hub"
        data = hub_root / "datasets" / "o" / "ds" / "data"
        data.mkdir(parents=True)
        (data / "train-00000-of-00001.parquet").write_bytes(parquet_bytes(range(0, 5)))
        (data / "test-00000-of-00001.parquet").write_bytes(parquet_bytes(range(100, 102)))
        self.hub = Hub(hub_root)
        self.api = HfApi(endpoint=self.hub.endpoint, token=False)
        self.work = tmp / "work"
        self.work.mkdir()
        self.config = self.work / "faceberg.yml"
        self.config.write_text(f"catalog:\n  location: {self.work / 'cat'}\n"
                               f"datasets:\n  - name: ds\n    repo: {DATASET}\n")
        self.env = dict(os.environ, HF_ENDPOINT=self.hub.endpoint,
                        HF_HUB_DISABLE_IMPLICIT_TOKEN="1", FACEBERG_CACHE_DIR=str(tmp / "cache"),
                        HF_HOME=str(tmp / "hf-home"))
        for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_HUB_OFFLINE", "FACEBERG_CATALOG",
                     "FACEBERG_MIRROR", "FACEBERG_FAILPOINT"):
            self.env.pop(name, None)
        self.has_check = None
        self.calls = collections.Counter()  # faceberg runs outside the killed commands, by command
        # The ledger.
        self.next_id = 1000
        self.t_ids = set()       # db.t (insert, delete)
        self.r_ids = set()       # db.r (PyIceberg appends through the REST server)
        self.a_columns = []      # db.a (alter add-column)
        self.tags = set()        # tags of db.t
        self.ds_ids = set(range(0, 5)) | {100, 101}  # rows committed to the dataset
        self.ds_acked = set()    # of those: acknowledged by a sync or an HF insert that exited 0
        self.ma_ids = set()      # default.p in mirror "ma" (inserts there)
        self.hub_ids = set()     # default.p as pushed to the Hub
        self.mb_ids = None       # default.p in mirror "mb" (pulled); None before the first pull
        self.ds_state = (set(), True)  # ds_default as last read: (ids, at the dataset's head)

    # ---- running faceberg ----

    def args(self, where: str, *args) -> list:
        if where == "work":
            return [faceberg_bin(), "--config", str(self.config), *map(str, args)]
        return [faceberg_bin(), "--catalog", MIRRORED, "--mirror", str(self.work / where),
                *map(str, args)]

    def fb(self, where: str, *args, check=True):
        self.calls[args[0] if args[0] != "--json" else args[1]] += 1
        proc = subprocess.run(self.args(where, *args), capture_output=True, text=True, env=self.env)
        if check and proc.returncode != 0:
            raise Inconsistent(f"faceberg {' '.join(map(str, args))} on {where} failed "
                               f"({proc.returncode}): {proc.stderr.strip()}")
        return proc

    def fb_json(self, where: str, *args):
        return json.loads(self.fb(where, "--json", *args).stdout)

    def ids(self, where: str, table: str) -> list:
        out = self.fb(where, "scan", table, "--format", "csv", "--select", "id").stdout
        return [int(line) for line in out.splitlines()[1:] if line.strip()]

    def id_set(self, where: str, table: str) -> set:
        ids = self.ids(where, table)
        if len(ids) != len(set(ids)):
            dup = sorted(i for i, n in collections.Counter(ids).items() if n > 1)
            raise Inconsistent(f"{where} {table}: duplicate ids {dup[:5]}")
        return set(ids)

    def head(self, repo: str) -> str:
        """The head commit of the dataset repo `repo`; "" when it does not exist yet."""
        try:
            return self.api.repo_info(repo, repo_type="dataset").sha
        except RepositoryNotFoundError:
            return ""

    def recorded_commit(self) -> str:
        return self.fb_json("work", "properties", "ds_default")["properties"]["hf.dataset.commit"]

    def check_loads(self, where: str) -> None:
        """Every table of the catalog loads: `faceberg check` when there is one, else list and a
        scan of each table."""
        if self.has_check is None:
            help_text = self.fb("work", "--help", check=False).stdout
            self.has_check = "\n  check" in help_text
        if self.has_check:
            proc = self.fb(where, "check", check=False)
            if proc.returncode != 0:
                raise Inconsistent(f"check on {where}: {proc.stdout.strip()} {proc.stderr.strip()}")
            return
        for t in self.fb_json(where, "list")["tables"]:
            self.fb(where, "scan", t["table"], "--format", "csv", "--limit", "1")

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    # ---- the verification of each table against the ledger ----

    def verify_t(self):
        got = self.id_set("work", "db.t")
        if got != self.t_ids:
            raise Inconsistent(f"db.t: missing {sorted(self.t_ids - got)[:5]}, "
                               f"unexpected {sorted(got - self.t_ids)[:5]}")

    def verify_tags(self):
        names = {r["name"] for r in self.fb_json("work", "refs", "db.t")["refs"]}
        if not self.tags <= names:
            raise Inconsistent(f"db.t lost tags {sorted(self.tags - names)}")
        return names

    def columns_a(self) -> list:
        fields = self.fb_json("work", "schema", "db.a")["schema"]["fields"]
        return [f["name"] for f in fields]

    def verify_ds(self):
        """Checks ds_default against the ledger; returns (its ids, whether it is at the
        dataset's head)."""
        got = self.id_set("work", "ds_default")
        if not self.ds_acked <= got:
            raise Inconsistent(f"ds_default lost acknowledged ids {sorted(self.ds_acked - got)[:5]}")
        if not got <= self.ds_ids:
            raise Inconsistent(f"ds_default has ids never committed {sorted(got - self.ds_ids)[:5]}")
        at_head = self.recorded_commit() == self.head(DATASET)
        if at_head and got != self.ds_ids:
            raise Inconsistent(f"ds_default at the dataset's head misses "
                               f"{sorted(self.ds_ids - got)[:5]}")
        return got, at_head

    def bring_ds_to_head(self, state=None):
        """The documented recovery when the dataset moved past the table: sync. Returns the
        table's ids."""
        got, at_head = state or self.verify_ds()
        if not at_head:
            self.fb("work", "sync", "ds_default")
            got, at_head = self.verify_ds()
        if not at_head or got != self.ds_ids:
            raise Inconsistent(f"ds_default after sync misses {sorted(self.ds_ids - got)[:5]}")
        self.ds_acked = set(got)
        return got


class Command:
    """One kind of run: prepare (untimed), the process to kill, and the verdict afterwards, which
    returns True when the killed command's commit is visible."""

    name = ""

    def __init__(self, world: World):
        self.w = world

    def prepare(self):
        pass

    def argv(self) -> list:
        raise NotImplementedError

    def settle(self, exit_code: int, killed: bool) -> bool:
        raise NotImplementedError

    def run(self, delay):
        """Runs the command, killed after `delay` seconds (None: never). Returns (seconds,
        exit code, killed): killed is True when SIGKILL reached a running process."""
        start = time.monotonic()
        proc = subprocess.Popen(self.argv(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                env=self.w.env)
        killed = False
        if delay is not None:
            try:
                proc.wait(timeout=delay)
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                killed = True
        _, err = proc.communicate()
        if not killed and proc.returncode != 0:
            raise Inconsistent(f"{self.name} failed ({proc.returncode}): {err.decode().strip()}")
        return time.monotonic() - start, proc.returncode, killed


def both_or_none(got: set, n: int, what: str) -> bool:
    present = {n in got, n + PAIR in got}
    if len(present) != 1:
        raise Inconsistent(f"{what}: one row of an insert is visible without the other ({n})")
    return n in got


class Insert(Command):
    name = "insert"

    def prepare(self):
        self.n = self.w.new_id()

    def argv(self):
        return self.w.args("work", "insert", "db.t", "--values",
                           f"({self.n}, 'a'), ({self.n + PAIR}, 'b')")

    def settle(self, exit_code, killed):
        got = self.w.id_set("work", "db.t")
        visible = both_or_none(got, self.n, "db.t")
        if not killed and not visible:
            raise Inconsistent(f"db.t lost acknowledged insert {self.n}")
        if visible:
            self.w.t_ids |= {self.n, self.n + PAIR}
        self.w.verify_t()
        return visible


class Delete(Command):
    name = "delete"

    def prepare(self):
        pairs = sorted(i for i in self.w.t_ids if i < PAIR)
        if len(pairs) < 3:  # keep some rows: insert one more pair first
            ins = Insert(self.w)
            ins.prepare()
            ins.run(None)
            ins.settle(0, False)
            pairs = sorted(i for i in self.w.t_ids if i < PAIR)
        self.n = random.Random(self.w.next_id).choice(pairs)

    def argv(self):
        return self.w.args("work", "delete", "db.t", "--where",
                           f"id = {self.n} OR id = {self.n + PAIR}")

    def settle(self, exit_code, killed):
        got = self.w.id_set("work", "db.t")
        still = both_or_none(got, self.n, "db.t")
        if not killed and still:
            raise Inconsistent(f"db.t: acknowledged delete of {self.n} is not visible")
        if not still:
            self.w.t_ids -= {self.n, self.n + PAIR}
        self.w.verify_t()
        return not still


class Alter(Command):
    name = "alter"

    def prepare(self):
        self.column = f"c{self.w.new_id()}"

    def argv(self):
        return self.w.args("work", "alter", "db.a", "add-column", self.column, "string")

    def settle(self, exit_code, killed):
        columns = self.w.columns_a()
        visible = self.column in columns
        if not killed and not visible:
            raise Inconsistent(f"db.a lost acknowledged column {self.column}")
        if visible:
            self.w.a_columns.append(self.column)
        if columns != ["id"] + self.w.a_columns:
            raise Inconsistent(f"db.a columns {columns}, expected {['id'] + self.w.a_columns}")
        return visible


class Expire(Command):
    name = "expire"

    def prepare(self):
        self.before = len(self.w.fb_json("work", "snapshots", "db.t")["snapshots"])

    def argv(self):
        return self.w.args("work", "expire", "db.t", "--older-than", "0s")

    def settle(self, exit_code, killed):
        after = len(self.w.fb_json("work", "snapshots", "db.t")["snapshots"])
        self.w.verify_t()
        names = self.w.verify_tags()
        for tag in sorted(self.w.tags)[-2:]:  # the newest tags still read
            if tag in names:
                self.w.fb("work", "scan", "db.t", "--ref", tag, "--format", "csv", "--limit", "1")
        return after < self.before


class Tag(Command):
    name = "tag"

    def prepare(self):
        self.tag = f"tag{self.w.new_id()}"

    def argv(self):
        return self.w.args("work", "tag", "db.t", self.tag)

    def settle(self, exit_code, killed):
        names = self.w.verify_tags()
        visible = self.tag in names
        if not killed and not visible:
            raise Inconsistent(f"db.t lost acknowledged tag {self.tag}")
        if visible:
            self.w.tags.add(self.tag)
        self.w.verify_t()
        return visible


class Sync(Command):
    name = "sync"

    def prepare(self):
        n = self.w.new_id()
        ids = [n * 10 + k for k in range(3)]
        self.w.api.create_commit(
            DATASET, repo_type="dataset", commit_message=f"more rows {n}",
            operations=[CommitOperationAdd(f"data/train-00000-of-00001-s{n}.parquet",
                                            parquet_bytes(ids))])
        self.w.ds_ids |= set(ids)
        self.before = self.w.ds_state[0]
        self.w.ds_state = (self.before, False)

    def argv(self):
        return self.w.args("work", "sync", "ds_default")

    def settle(self, exit_code, killed):
        self.w.ds_state = self.w.verify_ds()
        got = self.w.ds_state[0]
        if got not in (self.before, self.w.ds_ids):
            raise Inconsistent("ds_default after a killed sync is neither the old state nor the new")
        visible = got == self.w.ds_ids
        if not killed and not visible:
            raise Inconsistent("ds_default misses rows of an acknowledged sync")
        if visible:
            self.w.ds_acked = set(got)
        return visible


class HfInsert(Command):
    name = "hf-insert"

    def prepare(self):
        self.w.ds_state = (self.w.bring_ds_to_head(self.w.ds_state), True)  # needs the head
        self.n = self.w.new_id()
        self.head = self.w.head(DATASET)

    def argv(self):
        return self.w.args("work", "insert", "ds_default", "--values",
                           f"({self.n}, 'h', 'train'), ({self.n + PAIR}, 'h', 'test')")

    def settle(self, exit_code, killed):
        landed = self.w.head(DATASET) != self.head
        if landed:
            self.w.ds_ids |= {self.n, self.n + PAIR}
        state = self.w.verify_ds()
        got = state[0]
        visible = both_or_none(got, self.n, "ds_default")
        if not killed and not visible:
            raise Inconsistent(f"ds_default lost acknowledged insert {self.n}")
        if visible and not landed:
            raise Inconsistent(f"ds_default shows insert {self.n} that is not in the dataset")
        if visible:
            self.w.ds_acked |= {self.n, self.n + PAIR}
        # The rows of a commit that reached the dataset only are added by the next sync.
        self.w.ds_state = (self.w.bring_ds_to_head(state), True)
        return landed


class Push(Command):
    name = "push"

    def prepare(self):
        n = self.w.new_id()
        self.w.fb("ma", "insert", "p", "--values", f"({n}, 'p'), ({n + PAIR}, 'q')")
        self.w.ma_ids |= {n, n + PAIR}
        self.head = self.w.head("alice/cat")

    def argv(self):
        return self.w.args("ma", "push")

    def settle(self, exit_code, killed):
        landed = self.w.head("alice/cat") != self.head
        if not killed and not landed:
            raise Inconsistent("an acknowledged push made no Hub commit")
        if landed:
            self.w.hub_ids = set(self.w.ma_ids)
        if self.w.id_set("ma", "default.p") != self.w.ma_ids:
            raise Inconsistent("mirror ma lost rows of default.p")
        self.w.check_loads("ma")
        return landed


class Pull(Command):
    name = "pull"

    def prepare(self):
        self.before = self.w.mb_ids

    def argv(self):
        return self.w.args("mb", "pull")

    def settle(self, exit_code, killed):
        mb = self.w.work / "mb"
        if not (mb / "catalog.json").exists():
            if self.before is not None:
                raise Inconsistent("a killed pull left mirror mb without its catalog")
            return False
        got = self.w.id_set("mb", "default.p")
        if got not in (self.before, self.w.hub_ids):
            raise Inconsistent("mirror mb is neither the old pull nor the Hub's catalog")
        visible = got == self.w.hub_ids and got != self.before
        if not killed and got != self.w.hub_ids:
            raise Inconsistent("an acknowledged pull does not show the Hub's catalog")
        self.w.mb_ids = got
        self.w.check_loads("mb")
        return visible


class Rest(Command):
    """A PyIceberg append to db.r through `faceberg serve`; the server is the process killed."""

    name = "rest"

    def prepare(self):
        self.n = self.w.new_id()
        self.server = RestServer(f"{self.w.work / 'cat'}", self.w.tmp)

    def run(self, delay):
        outcome = {}

        def append():
            try:
                table = RestCatalog("rest", uri=self.server.uri).load_table("db.r")
                table.append(pa.Table.from_pylist(
                    [{"id": self.n, "v": "r"}, {"id": self.n + PAIR, "v": "s"}], schema=ARROW))
                outcome["ok"] = True
            except Exception as e:  # the server died under the client: any client error
                outcome["error"] = repr(e)

        start = time.monotonic()
        client = threading.Thread(target=append, daemon=True)
        client.start()
        client.join(timeout=delay)
        killed = False
        if client.is_alive():
            self.server.proc.send_signal(signal.SIGKILL)
            killed = True
        client.join(timeout=60)
        elapsed = time.monotonic() - start
        if killed:
            self.server.proc.wait(timeout=20)
        self.server.stop()
        if not killed and not outcome.get("ok"):
            raise Inconsistent(f"rest append failed: {outcome.get('error')}")
        self.acked = bool(outcome.get("ok"))
        return elapsed, 0 if self.acked else -9, killed

    def settle(self, exit_code, killed):
        got = self.w.id_set("work", "db.r")
        visible = both_or_none(got, self.n, "db.r")
        if self.acked and not visible:
            raise Inconsistent(f"db.r lost acknowledged append {self.n}")
        if visible:
            self.w.r_ids |= {self.n, self.n + PAIR}
        if got != self.w.r_ids:
            raise Inconsistent(f"db.r: {sorted(got ^ self.w.r_ids)[:5]} differ from the ledger")
        # The next commit works on a restarted server.
        return visible


KINDS = {c.name: c for c in (Insert, Delete, Alter, Expire, Tag, Sync, HfInsert, Push, Pull, Rest)}


def make_world(tmp_path) -> World:
    w = World(tmp_path)
    w.fb("work", "init")
    w.fb("work", "create")  # default.ds_default from faceberg.yml
    w.fb("work", "create", "db.t", "--schema", "id long, v string")
    w.fb("work", "create", "db.a", "--schema", "id long")
    w.fb("work", "create", "db.r", "--schema", "id long, v string")
    w.fb("ma", "init")
    w.fb("ma", "create", "p", "--schema", "id long, v string")
    w.ds_acked = w.id_set("work", "ds_default")
    w.ds_state = (set(w.ds_acked), True)
    return w


def test_kill_9_loop(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_DISABLE_XET", "1")
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_XET", True)
    w = make_world(tmp_path)
    stats = {name: collections.Counter() for name in COMMANDS}
    problems = []
    started = time.monotonic()
    try:
        # Typical durations: each command run unkilled, twice (the longer counts, so the kill
        # window covers the whole command); three inserts first, so delete has rows.
        durations = collections.Counter()
        for name in ["insert", "insert", "insert"] + COMMANDS + COMMANDS:
            cmd = KINDS[name](w)
            cmd.prepare()
            seconds, code, _ = cmd.run(None)
            cmd.settle(code, False)
            durations[name] = max(durations[name], seconds)
        rng = random.Random(SEED)
        for i in range(RUNS):
            name = rng.choice(COMMANDS)
            delay = rng.uniform(0, KILL_FACTOR * durations[name])
            s = stats[name]
            s["runs"] += 1
            try:
                cmd = KINDS[name](w)
                cmd.prepare()
                _, code, killed = cmd.run(delay)
                visible = cmd.settle(code, killed)
                if killed:
                    s["killed after commit" if visible else "killed before commit"] += 1
                else:
                    s["finished"] += 1
                if visible or not killed:  # checked against the ledger by settle()
                    s["acknowledged commits verified"] += 1
                # Every table of the catalog the command changed still loads.
                if name not in ("push", "pull"):
                    w.check_loads("work")
            except Inconsistent as e:
                s["inconsistencies"] += 1
                problems.append(f"run {i} ({name}, kill after {delay:.3f} s): {e}")
                if len(problems) > 5:
                    break
        # The final state: every acknowledged commit, once; every command still works.
        if not problems:
            try:
                w.verify_t()
                if w.columns_a() != ["id"] + w.a_columns:
                    raise Inconsistent("db.a columns differ from the ledger")
                w.verify_tags()
                w.bring_ds_to_head()
                w.fb("ma", "push")
                w.fb("mb", "pull")
                if w.id_set("mb", "default.p") != w.ma_ids:
                    raise Inconsistent("the Hub's catalog misses rows pushed from ma")
                for name in COMMANDS:
                    cmd = KINDS[name](w)
                    cmd.prepare()
                    _, code, _ = cmd.run(None)
                    cmd.settle(code, False)
                for where in ("work", "ma", "mb"):
                    w.check_loads(where)
                for name in COMMANDS:
                    stats[name]["acknowledged commits verified"] += 1
            except Inconsistent as e:
                problems.append(f"final check: {e}")
    finally:
        w.hub.stop()
        report(stats, durations if "durations" in locals() else {}, problems,
               time.monotonic() - started)
        print("verification runs:", dict(w.calls))
    assert not problems, "\n".join(problems)


def report(stats, durations, problems, seconds):
    lines = [f"# kill -9 loop: {sum(s['runs'] for s in stats.values())} runs, seed {SEED}, "
             f"{seconds:.0f} s", "",
             "| command | typical s | runs | finished | killed before commit | killed after commit "
             "| acknowledged commits verified | inconsistencies |",
             "|---|---|---|---|---|---|---|---|"]
    for name, s in stats.items():
        lines.append(f"| {name} | {durations.get(name, 0):.3f} | {s['runs']} | {s['finished']} | "
                     f"{s['killed before commit']} | {s['killed after commit']} | "
                     f"{s['acknowledged commits verified']} | {s['inconsistencies']} |")
    lines += [""] + [f"- {p}" for p in problems]
    text = "\n".join(lines) + "\n"
    print(text)
    out = os.environ.get("FACEBERG_RELIABILITY_REPORT")
    if out:
        pathlib.Path(out).mkdir(parents=True, exist_ok=True)
        (pathlib.Path(out) / "crash_loop.md").write_text(text)
