"""Writes small Avro object container files with PyIceberg's own Avro writer.

The files are golden inputs for faceberg's Avro reader tests (tests/format/avro). Regenerate with
    /tmp/probe/venv/bin/python tests/data/avro/make_avro.py
(PyIceberg 0.12). Sync markers are random, so bytes differ between runs; decoded values do not.

Outputs, next to this script:
  pyiceberg-manifest-v2.avro       a v2 manifest, codec null, two entries (one block each)
  pyiceberg-manifest-list-v2.avro  a v2 manifest list, codec deflate, one manifest
  pyiceberg-manifest-list-v2-zstd.avro  the same manifest list, codec zstandard
"""

import os

from pyiceberg.io import OutputFile
from pyiceberg.manifest import (
    DataFile,
    DataFileContent,
    FileFormat,
    ManifestEntry,
    ManifestEntryStatus,
    write_manifest,
    write_manifest_list,
)
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import IdentityTransform
from pyiceberg.typedef import Record
from pyiceberg.types import IntegerType, LongType, NestedField, StringType

HERE = os.path.dirname(os.path.abspath(__file__))
WAREHOUSE = "s3://bucket/warehouse/db/events"
SNAPSHOT_ID = 3051729675574597004


class LocalOutputFile(OutputFile):
    """Writes to a local path while reporting a warehouse location (recorded in the files)."""

    def __init__(self, path: str, location: str) -> None:
        super().__init__(location)
        self._path = path

    def __len__(self) -> int:
        return os.path.getsize(self._path)

    def exists(self) -> bool:
        return os.path.exists(self._path)

    def to_input_file(self):
        raise NotImplementedError

    def create(self, overwrite: bool = False):
        return open(self._path, "wb")


def data_file(path: str, category: int, rows: int, size: int) -> DataFile:
    return DataFile.from_args(
        content=DataFileContent.DATA,
        file_path=path,
        file_format=FileFormat.PARQUET,
        partition=Record(category),
        record_count=rows,
        file_size_in_bytes=size,
        column_sizes={1: 100, 2: 250},
        value_counts={1: rows, 2: rows},
        null_value_counts={1: 0, 2: 1},
        nan_value_counts={},
        lower_bounds={1: (1).to_bytes(8, "little"), 2: b"apple"},
        upper_bounds={1: rows.to_bytes(8, "little"), 2: b"pear"},
        key_metadata=None,
        split_offsets=[4],
        equality_ids=None,
        sort_order_id=0,
    )


def main() -> None:
    schema = Schema(
        NestedField(1, "id", LongType(), required=True),
        NestedField(2, "name", StringType(), required=False),
        NestedField(3, "category", IntegerType(), required=False),
        schema_id=0,
    )
    spec = PartitionSpec(
        PartitionField(source_id=3, field_id=1000, transform=IdentityTransform(), name="category"),
        spec_id=0,
    )

    manifest_name = "pyiceberg-manifest-v2.avro"
    manifest_out = LocalOutputFile(
        os.path.join(HERE, manifest_name), f"{WAREHOUSE}/metadata/{manifest_name}"
    )
    with write_manifest(
        format_version=2,
        spec=spec,
        schema=schema,
        output_file=manifest_out,
        snapshot_id=SNAPSHOT_ID,
        avro_compression="null",
    ) as writer:
        for path, category, rows, size in [
            (f"{WAREHOUSE}/data/category=7/00000-0.parquet", 7, 42, 1234),
            (f"{WAREHOUSE}/data/category=9/00001-0.parquet", 9, 8, 777),
        ]:
            writer.add(
                ManifestEntry.from_args(
                    status=ManifestEntryStatus.ADDED,
                    snapshot_id=SNAPSHOT_ID,
                    data_file=data_file(path, category, rows, size),
                )
            )
    manifest = writer.to_manifest_file()

    for list_name, codec in [
        ("pyiceberg-manifest-list-v2.avro", "deflate"),
        ("pyiceberg-manifest-list-v2-zstd.avro", "zstandard"),
    ]:
        list_out = LocalOutputFile(
            os.path.join(HERE, list_name), f"{WAREHOUSE}/metadata/{list_name}"
        )
        with write_manifest_list(
            format_version=2,
            output_file=list_out,
            snapshot_id=SNAPSHOT_ID,
            parent_snapshot_id=None,
            sequence_number=1,
            avro_compression=codec,
        ) as list_writer:
            list_writer.add_manifests([manifest])


if __name__ == "__main__":
    main()
