"""A `faceberg serve` child process (the Iceberg REST catalog server) for tests and benchmarks:
started on a free port over one catalog, stopped with SIGTERM; plus the offline DuckDB connection
that can ATTACH it (the iceberg extension needs httpfs for REST catalogs)."""

import os
import pathlib
import sysconfig

from hubproc import ServeProcess


class RestServer(ServeProcess):
    """One `faceberg --catalog CATALOG serve --port 0 [extra...]` subprocess; `uri` is the base
    URI clients use ("http://127.0.0.1:PORT"); stderr goes to a log file in `log_dir`."""

    def __init__(self, catalog: str, log_dir: pathlib.Path, *extra: str, host: str = "127.0.0.1"):
        super().__init__(["--catalog", catalog, "serve", "--host", host, "--port", "0", *extra],
                         log_dir / f"serve-{os.getpid()}-{id(self)}.log")


def duckdb_for_rest():
    """A DuckDB connection with avro, httpfs and iceberg loaded from the pinned PyPI extension
    packages (never downloads)."""
    import duckdb

    ext_dir = pathlib.Path(sysconfig.get_paths()["purelib"]) / "duckdb_ext" / "extensions"
    con = duckdb.connect()
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    con.execute(f"SET extension_directory = '{ext_dir}'")
    for extension in ("httpfs", "avro", "iceberg"):
        con.execute(f"LOAD {extension}")
    return con
