// Parquet file metadata (the footer's FileMetaData) as plain structs, decoded from the Thrift
// compact protocol. Only the parts faceberg needs are kept: schema, row groups with column chunk
// metadata and statistics, key-value metadata, created_by and column orders. Field numbers follow
// parquet.thrift in apache/parquet-format.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace faceberg::parquet {

/// Physical (storage) type of a leaf column.
enum class PhysicalType : int32_t {
  kBoolean = 0,
  kInt32 = 1,
  kInt64 = 2,
  kInt96 = 3,
  kFloat = 4,
  kDouble = 5,
  kByteArray = 6,
  kFixedLenByteArray = 7,
};

/// Legacy type annotation. Values outside the list below are kept as they are.
enum class ConvertedType : int32_t {
  kUtf8 = 0,
  kMap = 1,
  kMapKeyValue = 2,
  kList = 3,
  kEnum = 4,
  kDecimal = 5,
  kDate = 6,
  kTimeMillis = 7,
  kTimeMicros = 8,
  kTimestampMillis = 9,
  kTimestampMicros = 10,
  kUint8 = 11,
  kUint16 = 12,
  kUint32 = 13,
  kUint64 = 14,
  kInt8 = 15,
  kInt16 = 16,
  kInt32 = 17,
  kInt64 = 18,
  kJson = 19,
  kBson = 20,
  kInterval = 21,
};

enum class Repetition : int32_t {
  kRequired = 0,
  kOptional = 1,
  kRepeated = 2,
};

enum class TimeUnit {
  kMillis,
  kMicros,
  kNanos,
};

/// The LogicalType union. `kind` says which member is set; parameters are valid for that kind.
struct LogicalType {
  enum class Kind {
    kString,
    kMap,
    kList,
    kEnum,
    kDecimal,
    kDate,
    kTime,
    kTimestamp,
    kInteger,
    kUnknown,  // the Parquet "UNKNOWN" (null) type
    kJson,
    kBson,
    kUuid,
    kFloat16,
    kVariant,
    kGeometry,
    kGeography,
    kOther,  // a union member this reader does not know; see `other_field_id`
  };
  Kind kind = Kind::kOther;
  // kDecimal
  int32_t scale = 0;
  int32_t precision = 0;
  // kTime, kTimestamp
  bool is_adjusted_to_utc = false;
  TimeUnit unit = TimeUnit::kMicros;
  // kInteger
  int32_t bit_width = 0;
  bool is_signed = true;
  // kOther
  int16_t other_field_id = 0;
};

/// One node of the flat, depth-first schema list. The first element is the root.
struct SchemaElement {
  std::optional<PhysicalType> type;  // set for leaves
  std::optional<int32_t> type_length;
  std::optional<Repetition> repetition_type;  // unset for the root
  std::string name;
  std::optional<int32_t> num_children;  // set for groups
  std::optional<ConvertedType> converted_type;
  std::optional<int32_t> scale;
  std::optional<int32_t> precision;
  std::optional<int32_t> field_id;
  std::optional<LogicalType> logical_type;
};

/// Column chunk statistics; every field is optional. Values are PLAIN-encoded (no length prefix
/// for byte arrays). `min`/`max` are the deprecated fields written with signed byte comparison.
struct Statistics {
  std::optional<std::string> max;
  std::optional<std::string> min;
  std::optional<int64_t> null_count;
  std::optional<int64_t> distinct_count;
  std::optional<std::string> max_value;
  std::optional<std::string> min_value;
  std::optional<bool> is_max_value_exact;
  std::optional<bool> is_min_value_exact;
  std::optional<int64_t> nan_count;
};

struct KeyValue {
  std::string key;
  std::optional<std::string> value;
};

/// Values outside the list below are kept as they are.
enum class CompressionCodec : int32_t {
  kUncompressed = 0,
  kSnappy = 1,
  kGzip = 2,
  kLzo = 3,
  kBrotli = 4,
  kLz4 = 5,
  kZstd = 6,
  kLz4Raw = 7,
};

struct ColumnMetaData {
  PhysicalType type = PhysicalType::kBoolean;
  std::vector<std::string> path_in_schema;
  CompressionCodec codec = CompressionCodec::kUncompressed;
  int64_t num_values = 0;
  int64_t total_uncompressed_size = 0;
  int64_t total_compressed_size = 0;
  int64_t data_page_offset = 0;
  std::optional<int64_t> index_page_offset;
  std::optional<int64_t> dictionary_page_offset;
  std::optional<Statistics> statistics;
  std::optional<int64_t> bloom_filter_offset;
  std::optional<int32_t> bloom_filter_length;
};

struct ColumnChunk {
  std::optional<std::string> file_path;  // set when the data lives in another file
  int64_t file_offset = 0;
  std::optional<ColumnMetaData> meta_data;  // unset for encrypted columns
};

struct RowGroup {
  std::vector<ColumnChunk> columns;
  int64_t total_byte_size = 0;
  int64_t num_rows = 0;
  std::optional<int64_t> file_offset;
  std::optional<int64_t> total_compressed_size;
  std::optional<int16_t> ordinal;
};

/// The ColumnOrder union, which says how min_value/max_value were computed.
enum class ColumnOrder {
  kTypeDefined,
  kIeee754TotalOrder,
  kUnknown,  // a member this reader does not know: min_value/max_value must not be used
};

struct FileMetaData {
  int32_t version = 0;
  std::vector<SchemaElement> schema;
  int64_t num_rows = 0;
  std::vector<RowGroup> row_groups;
  std::vector<KeyValue> key_value_metadata;
  std::optional<std::string> created_by;
  /// One entry per leaf column when present; empty when the writer wrote none.
  std::vector<ColumnOrder> column_orders;
  /// True when the footer names an encryption algorithm (plaintext-footer encrypted file).
  bool has_encryption_algorithm = false;

  /// The value of a key-value metadata entry; nullopt when absent or without value.
  std::optional<std::string> FindKeyValue(std::string_view key) const;
};

/// Decodes a FileMetaData struct from Thrift compact bytes. Unknown fields are skipped.
/// Errors: Corrupt ("truncated footer: ...", a missing required field, an invalid enum value).
Result<FileMetaData> DecodeFileMetaData(std::string_view bytes);

std::string_view PhysicalTypeName(PhysicalType type);

}  // namespace faceberg::parquet
