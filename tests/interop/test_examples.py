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
        "files-planned                2",
        "validation |       300",
        "inserted 1 rows into default.qa_default",
        "default.qa_default: now at",
        "1 file(s) added, 0 removed, 7 kept (1 footer request(s))",
        "ok: 4 tables, 6 snapshots",  # faceberg check, hf:// files included
        "first snapshot |       2400",
        "quickstart finished",
    ],
    "basic_operations.sh": ["PyIceberg rows:"],
    "time_travel.sh": [
        "tag v1 -> snapshot",
        "  5\n(1 row)",  # the table now
        "at_second\n---------\n        3",  # ns.t@SNAPSHOT_ID
        "at_first_time\n-------------\n            2",  # ns.t@'TIME'
        " 3 | plum\n 4 | fig\n 5 | kiwi\n(3 rows)",  # rows added since the first snapshot
        "audit                    branch",
        "v1                       tag",
        "99 | audit row |   0",
        "rows_on_main\n------------\n           5",
        "files: +2 -0   records: +3 -0   rows: 2 -> 5 (net +3)",
        "the snapshots are on diverged histories",
        "time travel finished",
    ],
    "schema_evolution.sh": [
        "lab.runs: renamed column name to run_name; schema 3 is current",
        "lab.runs: updated column id (type long); schema 4 is current",
        "  1: id: required long\n  2: run_name: optional string\n  6: lr: optional double\n"
        "  3: score: optional double",
        "schema 0:\n  1: id: required int\n  2: name: optional string\n  3: score: optional float",
        "id | name     | score",  # the first snapshot reads with its own schema
        "lab.runs: deleted 1 rows (0 files dropped, 1 rewritten, 1 untouched",
        " 1 | baseline |  0.01 |  0.55\n 3 | warmup   | 0.001 |  0.75\n(2 rows)",
        "lab.runs: would expire 2 snapshots; would delete 2 data files, 4 manifests, 2 manifest lists",
        "lab.runs: expired 2 snapshots; deleted 2 data files, 4 manifests, 2 manifest lists",
        "lab.runs: found 1 orphan files",
        "lab.runs: deleted 1 orphan files",
        "schema evolution finished",
    ],
    "hf_datasets.sh": [
        "created default.movies_default from demo/movies config default",
        "splits:      train (1 files), test (1 files)",
        "100 | movie 100 |    1.0 | test",
        "data/test-00000-of-00001-",  # the inserted rows landed in the dataset repo
        "test  |      5\ntrain |      9",
        "pushed 10 file(s) to hf://datasets/demo/catalog (10 added, 0 modified, 0 deleted)",
        "nothing to push: .faceberg matches hf://datasets/demo/catalog",
        "pulled hf://datasets/demo/catalog at commit",
        "200 | new release |    4.5 | train",
        "metadata: hf://datasets/demo/catalog/default/movies_default/metadata/v3.metadata.json",
        "PyIceberg rows: 14 | splits: {'test': 5, 'train': 9}",
        "hf datasets finished",
    ],
    "duckdb.sh": [
        "  apac | 1 | 99.0\n  eu | 2 | 17.75\n  us | 1 | 20.0",  # iceberg_scan on the folder
        "  fb | sales | orders",  # ATTACH lists the served table
        "  4 | apac | 99.0",
        "rows_at_first\n  3",  # AT (VERSION => first snapshot)
        "  apac | 1\n  eu | 3\n  us | 2",  # after DuckDB's INSERT
        " 5 | us     |   42.0\n 6 | eu     |    1.0\n(2 rows)",  # faceberg sees the insert
        "duckdb finished",
    ],
    "pyiceberg.sh": [
        "namespaces: [('ml',)] | tables: [('ml', 'runs')]",
        "appended with SqlCatalog; snapshots: 2",
        " 3 | large |  0.5\n 2 | base  |  0.7\n(2 rows)",
        "rows with loss < 0.8: 2",
        "rows at the first snapshot: 2",
        "appended through REST; snapshots: 3",
        "xxl   | 0.35",
        "pyiceberg finished",
    ],
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
