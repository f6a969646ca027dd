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


class Hub:
    """One `faceberg hub serve` subprocess."""

    def __init__(self, root: pathlib.Path, *extra: str):
        self.root = root
        self.log = open(root.parent / f"hub-{os.getpid()}-{id(self)}.log", "w")
        self.proc = subprocess.Popen(
            [faceberg_bin(), "hub", "serve", "--root", str(root), "--port", "0", *extra],
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )
        lines: "queue.Queue[str]" = queue.Queue()
        threading.Thread(target=lambda: lines.put(self.proc.stdout.readline()), daemon=True).start()
        try:
            first = lines.get(timeout=60)
        except queue.Empty:
            self.stop()
            raise AssertionError("faceberg hub serve printed nothing within 60 s")
        if not first.startswith("serving "):
            self.stop()
            raise AssertionError(f"unexpected first line {first!r}; see {self.log.name}")
        self.endpoint = first.split()[1].strip()

    def stats(self) -> dict:
        with urllib.request.urlopen(self.endpoint + "/_faceberg/stats", timeout=10) as r:
            return json.load(r)

    def reset_stats(self) -> None:
        req = urllib.request.Request(self.endpoint + "/_faceberg/stats/reset", data=b"", method="POST")
        urllib.request.urlopen(req, timeout=10).close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=20)
        self.log.close()
