// Writing DuckDB SQL from Iceberg objects: quoting, the DuckDB type of an Iceberg type, literals
// of Iceberg values, and the FIELD_IDS option that makes DuckDB's Parquet writer record Iceberg
// field ids.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "iceberg/types.h"
#include "iceberg/value.h"
#include "util/result.h"

namespace faceberg::engine {

/// Quotes an SQL identifier for DuckDB: my "col" -> "my ""col""".
std::string QuoteIdentifier(std::string_view name);
/// Quotes an SQL string literal for DuckDB: it's -> 'it''s'.
std::string QuoteLiteral(std::string_view text);

/// `sql` without trailing semicolons and blanks, so it can be nested in a subquery.
std::string_view TrimStatement(std::string_view sql);

/// The DuckDB type of an Iceberg type, spelled as DuckDB prints it: boolean BOOLEAN, int
/// INTEGER, long BIGINT, float FLOAT, double DOUBLE, decimal(P,S) DECIMAL(P,S), date DATE, time
/// TIME, timestamp TIMESTAMP, timestamptz "TIMESTAMP WITH TIME ZONE", string VARCHAR, uuid UUID,
/// fixed[L] and binary BLOB, list<T> T[], map<K,V> MAP(K, V), struct STRUCT("a" T, ...).
std::string DuckDBType(const iceberg::Type& type);

/// Text that DuckDB's cast from VARCHAR to DuckDBType(type) turns back into exactly `value`:
/// "2026-01-31", "2026-01-31T12:00:00.5+00:00", "14.20", "nan", "\xAB\x00" (binary), ...
/// Errors: InvalidArgument when `value` is null or does not match `type`; NotSupported for
/// nested types.
Result<std::string> DuckDBValueText(const iceberg::Value& value, const iceberg::Type& type);

/// An SQL expression of type DuckDBType(type) for `value`: "CAST('14.20' AS DECIMAL(9,2))",
/// "CAST(NULL AS BIGINT)" for null.
/// Errors: as DuckDBValueText.
Result<std::string> SqlLiteral(const iceberg::Value& value, const iceberg::Type& type);

/// The value of COPY's FIELD_IDS option for columns `fields`: every field, list element and map
/// key/value carries its Iceberg id, as in
/// {'id': 1, 'tags': {__duckdb_field_id: 2, element: 3}, 'm': {__duckdb_field_id: 4, key: 5,
/// value: 6}, 's': {__duckdb_field_id: 7, 'x': 8}}.
std::string FieldIdsOption(const std::vector<iceberg::NestedField>& fields);

}  // namespace faceberg::engine
