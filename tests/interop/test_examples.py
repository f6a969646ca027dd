"""Every example script runs to the end with the real binary, and prints what its docs show."""

import os
import pathlib
import subprocess

import pytest

from hubproc import REPO, faceberg_bin

EXAMPLES = sorted((REPO / "examples").glob("*.sh"))

# Lines each example's output must contain (the steps that show the feature works).
EXPECTED = {
    "quickstart.sh": [
        "created default.reviews_en from demo/reviews config en",
        "created default.qa_default from demo/qa config default",
        "files-planned                1",
        "validation |        15",
        "default.qa_default: now at",
        "1 file(s) added, 0 removed, 4 kept (1 footer request(s))",
        "before sync |        120",
        "quickstart finished",
    ],
    "basic_operations.sh": ["PyIceberg rows:"],
}


def test_every_example_is_checked():
    assert {p.name for p in EXAMPLES} == set(EXPECTED)


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(script: pathlib.Path):
    env = dict(os.environ, FACEBERG_BIN=faceberg_bin())
    for key in ("HF_ENDPOINT", "HF_TOKEN", "FACEBERG_CATALOG"):
        env.pop(key, None)
    proc = subprocess.run(["bash", str(script)], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    for line in EXPECTED[script.name]:
        assert line in proc.stdout, f"{line!r} missing from the output of {script.name}"
