// Partition specs: which transforms of which source columns make up a table's partition tuple.
// JSON as in table metadata ("partition-specs" entries, the v1 "partition-spec" fields array and
// the manifest "partition-spec" key), validation against a schema, the CLI spec string, and the
// partition tuple of a row or of a whole data file (from its column bounds).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "iceberg/metrics.h"
#include "iceberg/schema.h"
#include "iceberg/transform.h"
#include "iceberg/types.h"
#include "iceberg/value.h"
#include "util/json.h"
#include "util/result.h"

namespace faceberg::iceberg {

struct PartitionField {
  int32_t source_id = 0;
  /// Unique across all specs of a table; starts at PartitionSpec::kFirstFieldId.
  int32_t field_id = 0;
  std::string name;
  Transform transform;

  bool operator==(const PartitionField&) const = default;
};

/// A spec id and its fields in tuple order. An empty field list is the unpartitioned spec.
struct PartitionSpec {
  /// The first partition field id of a table.
  static constexpr int32_t kFirstFieldId = 1000;
  /// "last-partition-id" of a table that never had a partition field.
  static constexpr int32_t kUnpartitionedLastFieldId = kFirstFieldId - 1;

  int32_t spec_id = 0;
  std::vector<PartitionField> fields;

  /// True when there are no fields or every field is void.
  bool IsUnpartitioned() const;
  /// The highest field id, or kUnpartitionedLastFieldId when there are no fields.
  int32_t LastFieldId() const;
  /// "[ts_day: day(2), id_bucket: bucket[16](1)]" with source ids; "[]" when unpartitioned.
  std::string ToString() const;

  bool operator==(const PartitionSpec&) const = default;
};

/// Reads a spec object {"spec-id": 0, "fields": [...]} or a bare v1 fields array (which takes
/// `default_spec_id`). Fields without "field-id" (v1) are numbered from 1000 in order; a v3
/// "source-ids" list with one id is read as "source-id". Unknown transforms are kept.
/// Errors: Corrupt naming the missing or malformed key or the bad transform; NotSupported for
/// multi-argument transforms.
Result<PartitionSpec> PartitionSpecFromJson(const Json& json, int32_t default_spec_id = 0);
/// {"spec-id": .., "fields": [{"name", "transform", "source-id", "field-id"}, ..]}.
Json PartitionSpecToJson(const PartitionSpec& spec);
/// The bare fields array (v1 "partition-spec", the manifest "partition-spec" key).
Json PartitionFieldsToJson(const PartitionSpec& spec);

/// Checks every source column exists and is primitive, every transform applies to its source
/// (unknown transforms are allowed: readers ignore them), field ids and names are unique, names
/// do not clash with schema column names (except an identity field named after its own source),
/// and no source carries the same transform twice (year/month/day/hour count as one).
/// Errors: InvalidArgument naming the field.
Status ValidatePartitionSpec(const PartitionSpec& spec, const Schema& schema);

/// The partition tuple's struct type: one optional field per partition field, with the partition
/// field id, name and transform result type.
/// Errors: InvalidArgument when a source column is missing or a transform does not apply.
Result<TypePtr> PartitionType(const PartitionSpec& spec, const Schema& schema);

/// Java's default field names: "col" (identity), "col_bucket", "col_trunc", "col_year",
/// "col_month", "col_day", "col_hour", "col_null" (void); unknown transforms "col_<transform>".
std::string DefaultPartitionFieldName(std::string_view source_name, const Transform& transform);

/// Parses the CLI form "day(ts), bucket(16, id), truncate(4, name), identity(split), split" (a
/// bare column name is identity; year/month/day/hour also accept the plural; void(col) is
/// allowed). Columns are dotted names, optionally in "" or ``. Fields get default names and ids
/// from last_partition_id + 1; the result is validated. Empty text gives the unpartitioned spec.
/// Errors: InvalidArgument naming the bad term, the unknown column or the validation failure.
Result<PartitionSpec> ParsePartitionSpecString(
    std::string_view text, const Schema& schema,
    int32_t last_partition_id = PartitionSpec::kUnpartitionedLastFieldId, int32_t spec_id = 0);

/// Gives the value of a source column (by field id) of one row; null for a missing value.
using SourceValueFn = std::function<Value(int32_t source_id)>;

/// The partition tuple of one row.
/// Errors: InvalidArgument when a source column is missing or a value does not match its type;
/// NotSupported for unknown transforms.
Result<PartitionValues> ComputePartition(const PartitionSpec& spec, const Schema& schema,
                                         const SourceValueFn& source_value);

/// The partition tuple of a whole data file from its column metrics. A field's value is the
/// transform of the source's lower bound when it equals the transform of the upper bound (for
/// transforms that do not preserve order, such as bucket, only when the bounds are equal); a
/// source column whose values are all null gives null. Bounds are read leniently (see
/// ValueFromBinary); truncated string bounds stay correct because transforms are monotonic.
/// Errors: InvalidArgument saying the file spans several partitions (naming the column, its
/// bounds and the partition values), or that a column has no bounds; Corrupt for undecodable
/// bounds; NotSupported for unknown transforms.
Result<PartitionValues> PartitionFromBounds(const PartitionSpec& spec, const Schema& schema,
                                            const FileMetrics& metrics);

/// The Hive-style relative path of a partition tuple, as Java lays out data files:
/// "ts_day=2026-01-31/id_bucket=3". Names and human values (Transform::ToHumanString) are
/// URL-form-encoded ("a b/c" -> "a+b%2Fc"); null is "null". Empty when the spec has no
/// fields.
/// Errors: InvalidArgument when the tuple size does not match or a source column is missing.
Result<std::string> PartitionPath(const PartitionSpec& spec, const Schema& schema,
                                  const PartitionValues& values);

}  // namespace faceberg::iceberg
