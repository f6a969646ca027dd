"""Shared fixtures for the interop tests: the faceberg binary, DuckDB with the iceberg extension
(loaded offline from the duckdb-ext-iceberg PyPI package), and helpers to run the CLI."""

import json
import os
import pathlib
import subprocess
import sysconfig

import duckdb
import pytest
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.table import StaticTable

from hubproc import Faceberg, faceberg_bin  # noqa: F401 (re-exported for the tests)

REPO = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture
def fb(tmp_path):
    f = Faceberg(tmp_path / "catalog")
    f.run("init")
    return f


@pytest.fixture
def duck():
    ext_dir = pathlib.Path(sysconfig.get_paths()["purelib"]) / "duckdb_ext" / "extensions"
    con = duckdb.connect()
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    con.execute(f"SET extension_directory = '{ext_dir}'")
    con.execute("LOAD avro")
    con.execute("LOAD iceberg")
    yield con
    con.close()


def latest_metadata(table_location: pathlib.Path) -> pathlib.Path:
    hint = (table_location / "metadata" / "version-hint.text").read_text().strip()
    return table_location / "metadata" / f"v{int(hint)}.metadata.json"


class Catalogs:
    """A faceberg catalog plus the PyIceberg/DuckDB way to read the same table."""

    def __init__(self, kind, tmp_path):
        self.kind = kind
        self.tmp = tmp_path
        if kind == "file":
            self.fb = Faceberg(tmp_path / "catalog")
        else:
            self.db = tmp_path / "catalog.db"
            self.fb = Faceberg(f"sqlite:{self.db}")
        self.fb.run("init")

    def pyiceberg_table(self, name):
        ns, table = name.split(".")
        if self.kind == "file":
            location = self.tmp / "catalog" / ns / table / "metadata"
            hint = (location / "version-hint.text").read_text().strip()
            return StaticTable.from_metadata(str(location / f"v{hint}.metadata.json"))
        catalog = SqlCatalog("faceberg", uri=f"sqlite:///{self.db}", warehouse=f"file://{self.tmp / 'warehouse'}")
        return catalog.load_table(name)

    def metadata_location(self, name):
        return str(self.pyiceberg_table(name).metadata_location).removeprefix("file://")


@pytest.fixture(params=["file", "sqlite"])
def cats(request, tmp_path):
    return Catalogs(request.param, tmp_path)
