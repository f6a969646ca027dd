"""Shared helpers for the reliability tests (faults, crashes, concurrency, hostile inputs). They
reuse the process helpers of the interop tests (tests/interop: hubproc.py, restproc.py); import
this module first, then `from hubproc import ...` / `from restproc import ...` work too."""

import pathlib
import sys

INTEROP = pathlib.Path(__file__).resolve().parents[1] / "interop"
if str(INTEROP) not in sys.path:
    sys.path.insert(0, str(INTEROP))

from hubproc import REPO, Faceberg, faceberg_bin  # noqa: E402,F401 (re-exported for the tests)
