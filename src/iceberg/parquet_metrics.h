// From a Parquet footer to Iceberg: the Iceberg schema of a Parquet file and the column metrics
// a manifest entry records for it (counts, sizes, bounds, split offsets), read from the footer
// alone. Behaviour follows the Java implementation (ParquetUtil.footerMetrics) and PyIceberg
// (data_file_statistics_from_parquet_metadata), with only trustworthy statistics turned into
// bounds.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "format/parquet/metadata.h"
#include "iceberg/metrics.h"
#include "iceberg/schema.h"
#include "iceberg/types.h"
#include "util/result.h"

namespace faceberg::iceberg {

/// A Parquet leaf column and the Iceberg field it became.
struct ParquetColumnId {
  /// The column's path_in_schema (for lists and maps this includes the "list"/"key_value" level).
  std::vector<std::string> path;
  /// `path` joined with '.', the key used by MetricsFromParquet's `name_to_id`.
  std::string dotted_path;
  int32_t field_id = 0;
};

/// What SchemaFromParquet learned besides the schema, enough to apply a name mapping.
struct ParquetSchemaInfo {
  /// True when the ids came from the file's field_id annotations; false when they were assigned
  /// fresh (1..N, each struct's fields before their children, as Iceberg assigns fresh ids).
  bool ids_from_file = false;
  /// Every leaf column, in file order.
  std::vector<ParquetColumnId> columns;
  /// Every field of the schema at any depth: id -> names from the top level down, using Iceberg
  /// names ("element" for list elements, "key"/"value" for map entries), as a name mapping
  /// addresses them. Example: {"tags", "element"}.
  std::map<int32_t, std::vector<std::string>> field_names;
};

/// Converts the Parquet schema of `metadata` to an Iceberg schema with id `schema_id`.
///
/// Ids are the file's field ids when every field (struct fields, list elements, map keys and
/// values) has a positive one; otherwise all ids are assigned fresh. To apply a name mapping
/// instead, look up each `info->field_names` entry in the mapping and rebuild `name_to_id` from
/// `info->columns`.
///
/// Types: BOOLEAN->boolean; INT32->int (date, time(millis), decimal, int8/16/32, uint8/16;
/// uint32->long); INT64->long (timestamp / timestamptz by isAdjustedToUTC, time, decimal);
/// INT96->timestamp; FLOAT->float; DOUBLE->double; BYTE_ARRAY->string (STRING, UTF8, ENUM, JSON)
/// or binary (also BSON), decimal; FIXED_LEN_BYTE_ARRAY->fixed[L], uuid, decimal. LIST and MAP
/// groups (3-level and the legacy 2-level forms) become list and map; other groups become
/// structs. Nanosecond time/timestamps become microsecond types.
///
/// Errors: Corrupt for a malformed schema tree or duplicate field ids; NotSupported naming the
/// column for UINT64, INTERVAL, FLOAT16, UNKNOWN, VARIANT, geometry types, decimals above
/// precision 38, repeated fields outside LIST/MAP, malformed LIST/MAP groups and empty groups.
Result<SchemaPtr> SchemaFromParquet(const parquet::FileMetaData& metadata,
                                    ParquetSchemaInfo* info = nullptr, int32_t schema_id = 0);

struct ParquetMetricsOptions {
  /// Truncation length, in code points for strings and bytes for binary, of the bounds (Iceberg's
  /// default metrics mode truncate(16)). 0 or less keeps full values.
  int32_t truncate_length = 16;
};

/// Computes the manifest metrics of a Parquet file for a table with `table_schema`.
///
/// Leaf columns are matched to table fields by `name_to_id` (dotted path_in_schema -> field id)
/// when given, otherwise by the file's field ids. Columns without an id, or whose id is not in
/// `table_schema`, contribute nothing.
///
/// - record_count: FileMetaData.num_rows.
/// - column_sizes: sum of total_compressed_size; value_counts: sum of num_values.
/// - null_value_counts: sum of statistics null_count, only when every row group has it.
/// - nan_value_counts: sum of statistics nan_count for float/double, when every row group has it.
/// - lower/upper_bounds: Iceberg single-value binary, the min of the row-group minimums and the
///   max of the maximums. Only min_value/max_value, or the deprecated min/max for BOOLEAN, INT32,
///   INT64, FLOAT and DOUBLE columns (never unsigned ones), are used. A row group without a usable
///   bound drops the column's bound unless all its values are null; a NaN bound drops it too.
///   Columns inside lists and maps get no bounds. Strings and binary are truncated per
///   `options`; an upper bound that cannot be rounded up is dropped.
/// - split_offsets: each row group's first page offset, ascending.
///
/// Errors: Corrupt when row groups do not match the schema (column count, path); InvalidArgument
/// naming the column when the Parquet type cannot be read as the table field's type.
Result<FileMetrics> MetricsFromParquet(const parquet::FileMetaData& metadata,
                                       const Schema& table_schema,
                                       const std::map<std::string, int32_t>* name_to_id = nullptr,
                                       const ParquetMetricsOptions& options = {});

/// Compares two bounds in Iceberg single-value binary form for a primitive `type`: negative,
/// zero or positive like memcmp. Numbers compare numerically (floats with -0.0 < +0.0), decimals
/// as signed big-endian integers of any length, strings/binary/fixed/uuid as unsigned bytes.
/// A 4-byte bound on long/double/timestamp columns is read as int/float/date (written before a
/// type promotion). Errors: InvalidArgument for nested types or a bound of the wrong size.
Result<int> CompareBounds(const Type& type, std::string_view left, std::string_view right);

/// The first `length` code points of UTF-8 `value` (a valid lower bound). Invalid UTF-8 is
/// truncated as bytes.
std::string TruncateUtf8LowerBound(std::string_view value, int32_t length);
/// The shortest string of at most `length` code points that is >= every string with the prefix
/// `value` truncated to `length`: the truncation with its last incrementable code point
/// incremented (surrogates skipped). `value` itself when short enough; nullopt when no code point
/// can be incremented.
std::optional<std::string> TruncateUtf8UpperBound(std::string_view value, int32_t length);
/// The first `length` bytes of `value`.
std::string TruncateBinaryLowerBound(std::string_view value, int32_t length);
/// Like TruncateUtf8UpperBound for bytes; nullopt when every kept byte is 0xFF.
std::optional<std::string> TruncateBinaryUpperBound(std::string_view value, int32_t length);

}  // namespace faceberg::iceberg
