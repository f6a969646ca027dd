#!/usr/bin/env python3
"""Generates the Parquet golden files under tests/data/parquet/.

Run from anywhere with a Python that has pyarrow and duckdb:
    python tests/data/parquet/make_parquet.py
The outputs are committed; rerunning rewrites them (byte-identical for a given pyarrow/duckdb
version). The C++ tests assert values derived from the data written here, so keep the two in sync.

Files:
  pyarrow_ids.parquet        many types, field ids on every field, 3 row groups (3, 3, 1 rows),
                             decimals as FIXED_LEN_BYTE_ARRAY, dictionary pages
  pyarrow_no_ids.parquet     the same data without field ids, decimals stored as INT32/INT64
  pyarrow_int96.parquet      a legacy INT96 timestamp column
  duckdb_ids.parquet         DuckDB COPY with FIELD_IDS (one row group: DuckDB rounds row
                             group sizes up to 2048 rows), unsigned ints, uuid, no column_orders
  duckdb_no_ids.parquet      DuckDB COPY without field ids
  duckdb_ubigint.parquet     a UBIGINT column (UINT64: not representable in Iceberg)
  corrupt_bad_magic.parquet        valid file whose trailing magic is "PAR2"
  corrupt_footer_too_long.parquet  footer length field larger than the file
  corrupt_truncated_footer.parquet footer bytes cut in half, length adjusted to match
  corrupt_tiny.parquet             3 bytes: "PAR"
  corrupt_garbage_footer.parquet   PAR1 + random bytes as footer + length + PAR1
"""

import datetime
import decimal
import os
import random
import struct
import uuid

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

OUT = os.path.dirname(os.path.abspath(__file__))
D = decimal.Decimal


def path(name):
    return os.path.join(OUT, name)


def fid(n):
    return {b"PARQUET:field_id": str(n).encode()}


def field(name, type_, n, with_ids, nullable=True):
    return pa.field(name, type_, nullable=nullable, metadata=fid(n) if with_ids else None)


UTC = datetime.timezone.utc

# 7 rows; row_group_size=3 gives row groups of 3, 3 and 1 rows.
DATA = {
    "id": [1, 2, 3, 4, 5, 6, 7],
    "flag": [True, False, None, True, True, False, None],
    "i8": [-5, 3, None, 7, 0, -128, 127],
    "i16": [-300, 300, 1, None, 2, 3, 4],
    # The last row group holds only a null: its chunk has no min/max.
    "i32": [10, -20, 30, 40, None, 50, None],
    # NaN never becomes a bound; 0.0 in row group 2.
    "f": [1.5, float("nan"), -2.25, None, 0.0, 3.0, 0.5],
    # Row group 3 is all NaN: it has no min/max but non-null values.
    "d": [0.0, 5.5, 1e10, -1e-3, None, 2.0, float("nan")],
    "s": [
        "short",
        "a string longer than sixteen chars",
        "\u00fcn\u00efc\u00f6d\u00e9-str\u00een\u0303g-th\u00e4t-is-l\u00f6ng",
        None,
        "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8\u306f\u3068\u3066\u3082\u9577\u3044"
        "\u3067\u3059\u3002\u672c\u5f53",
        # 17 emoji: the maximum; its upper bound increments the 16th code point.
        "\U0001F600\U0001F601\U0001F602\U0001F923\U0001F603\U0001F604\U0001F605\U0001F606"
        "\U0001F609\U0001F60A\U0001F60B\U0001F60E\U0001F60D\U0001F618\U0001F970\U0001F617"
        "\U0001F619",
        "b",
    ],
    # The maximum is 17 x U+10FFFF: no code point can be incremented, so no upper bound.
    "hi": ["abc", "\U0010FFFF" * 17, None, "abd", "x", "y", "z"],
    "bin": [
        b"\x00\x01",
        b"abc",
        None,
        b"\x7f" + b"\xff" * 15 + b"\x01\x02",  # the maximum, 18 bytes
        b"",
        b"\x01" * 20,
        b"zz",
    ],
    "dec": [D("1.23"), D("-45.67"), None, D("9999999.99"), D("0.01"), D("-0.50"), D("100.00")],
    "dec38": [
        D("12345678901234567890.0123456789"),
        D("-1.0000000000"),
        D("0E-10"),
        None,
        D("-9999999999999999999999999999.9999999999"),
        D("42.5000000000"),
        D("7.0000000000"),
    ],
    "day": [
        datetime.date(2024, 1, 1),
        datetime.date(1970, 1, 1),
        datetime.date(1969, 12, 31),
        datetime.date(2024, 2, 29),
        None,
        datetime.date(2000, 6, 15),
        datetime.date(2030, 12, 31),
    ],
    "ts_ms": [
        datetime.datetime(2024, 1, 1, 12, 0, 0, 123000),
        datetime.datetime(1999, 12, 31, 23, 59, 59, 999000),
        None,
        datetime.datetime(2024, 1, 2),
        datetime.datetime(2020, 5, 5, 5, 5, 5),
        datetime.datetime(2021, 1, 1),
        datetime.datetime(2022, 1, 1),
    ],
    "ts_us_tz": [
        datetime.datetime(2024, 1, 1, tzinfo=UTC),
        datetime.datetime(2024, 1, 1, 0, 0, 0, 1, tzinfo=UTC),
        datetime.datetime(1960, 1, 1, tzinfo=UTC),
        None,
        datetime.datetime(2025, 1, 1, tzinfo=UTC),
        datetime.datetime(2010, 1, 1, tzinfo=UTC),
        datetime.datetime(2011, 1, 1, tzinfo=UTC),
    ],
    # Nanosecond values: bounds are rounded outward to microseconds.
    "ts_ns": [
        1_700_000_000_123_456_789,
        1_600_000_000_000_000_001,
        -1_500,
        1_650_000_000_000_000_000,
        None,
        1_700_000_000_123_456_999,
        1_500_000_000_000_000_000,
    ],
    "t": [
        datetime.time(0, 0, 0),
        datetime.time(23, 59, 59, 999999),
        datetime.time(12, 30),
        None,
        datetime.time(1, 2, 3),
        datetime.time(4, 5, 6),
        datetime.time(7, 8, 9),
    ],
    "u": [
        uuid.UUID("00000000-0000-0000-0000-000000000005").bytes,
        uuid.UUID("f81d4fae-7dec-11d0-a765-00a0c91e6bf6").bytes,
        None,
        uuid.UUID("123e4567-e89b-12d3-a456-426614174000").bytes,
        uuid.UUID("ffffffff-ffff-ffff-ffff-ffffffffffff").bytes,
        uuid.UUID("00000000-0000-0000-0000-000000000001").bytes,
        uuid.UUID("7fffffff-0000-0000-0000-000000000000").bytes,
    ],
    "point": [
        {"x": 1.0, "y": 2.0},
        None,
        {"x": -3.5, "y": None},
        {"x": 4.0, "y": 5.0},
        {"x": None, "y": -1.0},
        {"x": 0.25, "y": 0.5},
        {"x": 9.0, "y": 9.0},
    ],
    "tags": [["a", "b"], [], None, ["zz"], ["m", None], ["q"], ["c"]],
    "attrs": [
        [("k1", 1)],
        None,
        [],
        [("k2", 2), ("k3", None)],
        [("a", -7)],
        [("z", 100)],
        [("k", 0)],
    ],
}


def arrow_schema(with_ids):
    f = lambda *a, **k: field(*a, with_ids=with_ids, **k)  # noqa: E731
    return pa.schema(
        [
            f("id", pa.int64(), 1, nullable=False),
            f("flag", pa.bool_(), 2),
            f("i8", pa.int8(), 3),
            f("i16", pa.int16(), 4),
            f("i32", pa.int32(), 5),
            f("f", pa.float32(), 6),
            f("d", pa.float64(), 7),
            f("s", pa.string(), 8),
            f("hi", pa.string(), 9),
            f("bin", pa.binary(), 10),
            f("dec", pa.decimal128(9, 2), 11),
            f("dec38", pa.decimal128(38, 10), 12),
            f("day", pa.date32(), 13),
            f("ts_ms", pa.timestamp("ms"), 14),
            f("ts_us_tz", pa.timestamp("us", tz="UTC"), 15),
            f("ts_ns", pa.timestamp("ns"), 16),
            f("t", pa.time64("us"), 17),
            f("u", pa.uuid(), 18),
            f("point", pa.struct([f("x", pa.float64(), 20), f("y", pa.float64(), 21)]), 19),
            f("tags", pa.list_(f("element", pa.string(), 23)), 22),
            f(
                "attrs",
                pa.map_(
                    pa.field("key", pa.string(), nullable=False, metadata=fid(25) if with_ids else None),
                    f("value", pa.int32(), 26),
                ),
                24,
            ),
        ]
    )


def write_pyarrow():
    for with_ids, name in ((True, "pyarrow_ids.parquet"), (False, "pyarrow_no_ids.parquet")):
        table = pa.table(DATA, schema=arrow_schema(with_ids))
        pq.write_table(
            table,
            path(name),
            row_group_size=3,
            compression="NONE",
            store_decimal_as_integer=not with_ids,
            # Dictionary pages only where the tests look at them (split offsets); keeps files small.
            use_dictionary=["id", "s"],
            write_page_index=False,
            store_schema=False,
        )

    int96 = pa.table(
        {
            "ts": pa.array(
                [datetime.datetime(2024, 1, 1), datetime.datetime(2000, 1, 1)], pa.timestamp("us")
            ),
            "n": pa.array([1, 2], pa.int32()),
        }
    )
    pq.write_table(
        int96,
        path("pyarrow_int96.parquet"),
        use_deprecated_int96_timestamps=True,
        compression="NONE",
        store_schema=False,
    )


def write_duckdb():
    con = duckdb.connect()
    con.sql("SET TimeZone='UTC'")
    con.sql(
        """
        CREATE TABLE t AS SELECT * FROM (VALUES
          (1, 10000000000::BIGINT, 'alpha', 12.5::DECIMAL(4,1), 123456789012.345::DECIMAL(18,3),
           1234567890123456789012345.12345::DECIMAL(30,5), DATE '2024-03-01',
           TIMESTAMP '2024-03-01 10:00:00.123456', TIMESTAMPTZ '2024-03-01 10:00:00+00',
           TIME '10:11:12', '11111111-2222-3333-4444-555555555555'::UUID, '\\x00\\xFF'::BLOB,
           true, 1.5::DOUBLE, 2.5::FLOAT, 200::UTINYINT, 60000::USMALLINT, 4000000000::UINTEGER,
           {'a': 1, 'b': 'x'}, [1, 2, 3], MAP {'k': 1.5}),
          (2, -5::BIGINT, 'a much longer string value than sixteen', -999.9::DECIMAL(4,1),
           -0.001::DECIMAL(18,3), -1::DECIMAL(30,5), DATE '1970-01-01',
           TIMESTAMP '1970-01-01 00:00:00', TIMESTAMPTZ '1969-12-31 23:59:59.999999+00',
           TIME '00:00:00', '00000000-0000-0000-0000-000000000000'::UUID, ''::BLOB,
           false, -1.5::DOUBLE, -2.5::FLOAT, 0::UTINYINT, 0::USMALLINT, 1::UINTEGER,
           {'a': NULL, 'b': 'y'}, [], MAP {}),
          (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
           NULL, NULL, NULL, NULL, NULL, NULL),
          (4, 7::BIGINT, 'zeta', 0.0::DECIMAL(4,1), 5::DECIMAL(18,3), 5::DECIMAL(30,5),
           DATE '2099-12-31', TIMESTAMP '2099-12-31 23:59:59', TIMESTAMPTZ '2099-12-31 23:59:59+00',
           TIME '23:59:59.999999', 'ffffffff-ffff-ffff-ffff-ffffffffffff'::UUID, '\\x7F'::BLOB,
           true, 100.0::DOUBLE, 0.0::FLOAT, 255::UTINYINT, 65535::USMALLINT, 4294967295::UINTEGER,
           {'a': 3, 'b': NULL}, [NULL, 4], MAP {'z': NULL})
        ) v(id, big, str, dec4, dec18, dec30, day, ts, tstz, tod, uid, blob, flag, dbl, flt,
            u8, u16, u32, st, lst, mp)
        """
    )
    ids = (
        "{id: 1, big: 2, str: 3, dec4: 4, dec18: 5, dec30: 6, day: 7, ts: 8, tstz: 9, tod: 10, "
        "uid: 11, blob: 12, flag: 13, dbl: 14, flt: 15, u8: 16, u16: 17, u32: 18, "
        "st: {__duckdb_field_id: 19, a: 20, b: 21}, lst: {__duckdb_field_id: 22, element: 23}, "
        "mp: {__duckdb_field_id: 24, key: 25, value: 26}}"
    )
    con.sql(
        f"COPY (SELECT * FROM t ORDER BY id) TO '{path('duckdb_ids.parquet')}' "
        f"(FORMAT parquet, COMPRESSION uncompressed, FIELD_IDS {ids})"
    )
    con.sql(
        f"COPY (SELECT * FROM t ORDER BY id) TO '{path('duckdb_no_ids.parquet')}' "
        "(FORMAT parquet, COMPRESSION uncompressed)"
    )
    con.sql(
        f"COPY (SELECT 18446744073709551615::UBIGINT AS big_unsigned) "
        f"TO '{path('duckdb_ubigint.parquet')}' (FORMAT parquet)"
    )


def write_corrupt():
    with open(path("pyarrow_int96.parquet"), "rb") as f:
        good = f.read()
    footer_len = struct.unpack("<I", good[-8:-4])[0]
    footer = good[-8 - footer_len : -8]

    with open(path("corrupt_bad_magic.parquet"), "wb") as f:
        f.write(good[:-4] + b"PAR2")
    with open(path("corrupt_footer_too_long.parquet"), "wb") as f:
        f.write(good[:-8] + struct.pack("<I", len(good) + 1000) + b"PAR1")
    half = footer[: len(footer) // 2]
    with open(path("corrupt_truncated_footer.parquet"), "wb") as f:
        f.write(b"PAR1" + half + struct.pack("<I", len(half)) + b"PAR1")
    with open(path("corrupt_tiny.parquet"), "wb") as f:
        f.write(b"PAR")
    rng = random.Random(20240601)
    garbage = bytes(rng.randrange(256) for _ in range(300))
    with open(path("corrupt_garbage_footer.parquet"), "wb") as f:
        f.write(b"PAR1" + garbage + struct.pack("<I", len(garbage)) + b"PAR1")


if __name__ == "__main__":
    write_pyarrow()
    write_duckdb()
    write_corrupt()
