"""A `faceberg hub serve` child process for tests and benchmarks: started on a free port over a
folder, with its request counters (`/_faceberg/stats`)."""

import json
import os
import pathlib
import queue
import signal
import subprocess
import threading
import urllib.request

REPO = pathlib.Path(__file__).resolve().parents[2]


def faceberg_bin() -> str:
    path = os.environ.get("FACEBERG_BIN") or str(REPO / "build/release/src/cli/faceberg")
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"faceberg binary not found at {path}: run scripts/setup.sh first")
    return path


class Faceberg:
    """Runs the real faceberg binary against one catalog folder."""

    def __init__(self, catalog: pathlib.Path):
        self.catalog = catalog

    def run(self, *args, check=True, cwd=None):
        cmd = [faceberg_bin(), "--catalog", str(self.catalog), *map(str, args)]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd)
        if check and proc.returncode != 0:
            raise AssertionError(f"{cmd} failed ({proc.returncode}): {proc.stderr}")
        return proc

    def json(self, *args):
        return json.loads(self.run("--json", *args).stdout)


class ServeProcess:
    """`faceberg ARGS` as a child process whose first stdout line is "serving URL" (its `uri`);
    stderr goes to `log_path`. Stopped with SIGTERM; usable in a `with` block."""

    def __init__(self, args: list, log_path: pathlib.Path):
        self.log_path = log_path
        self._log = open(log_path, "w")
        self.proc = subprocess.Popen([faceberg_bin(), *map(str, args)], stdout=subprocess.PIPE,
                                     stderr=self._log, text=True)
        lines: "queue.Queue[str]" = queue.Queue()
        threading.Thread(target=lambda: lines.put(self.proc.stdout.readline()), daemon=True).start()
        try:
            first = lines.get(timeout=60)
        except queue.Empty:
            self.stop()
            raise AssertionError(f"faceberg {args[0]} printed nothing within 60 s; see {log_path}")
        if not first.startswith("serving "):
            self.stop()
            raise AssertionError(f"unexpected first line {first!r}: {self.log()}")
        self.first_line = first.strip()
        self.uri = first.split()[1].strip()
        # Keep draining stdout so a chatty server never blocks on a full pipe.
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    def log(self) -> str:
        """Everything the server wrote to stderr so far."""
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text()

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=20)
        if not self._log.closed:
            self._log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class Hub(ServeProcess):
    """One `faceberg hub serve --root ROOT --port 0 [extra...]` subprocess; `endpoint` is its URL."""

    def __init__(self, root: pathlib.Path, *extra: str):
        self.root = root
        super().__init__(["hub", "serve", "--root", root, "--port", "0", *extra],
                         root.parent / f"hub-{os.getpid()}-{id(self)}.log")
        self.endpoint = self.uri

    def stats(self) -> dict:
        with urllib.request.urlopen(self.endpoint + "/_faceberg/stats", timeout=10) as r:
            return json.load(r)

    def reset_stats(self) -> None:
        req = urllib.request.Request(self.endpoint + "/_faceberg/stats/reset", data=b"", method="POST")
        urllib.request.urlopen(req, timeout=10).close()
