// TableMetadata: the content of a vN.metadata.json file. Reading accepts format v1 and v2
// leniently (missing optional keys, current-snapshot-id -1, unsorted logs); writing produces
// strict v2 (or v1 for tables that are v1).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "iceberg/partition_spec.h"
#include "iceberg/schema.h"
#include "iceberg/snapshot.h"
#include "iceberg/sort_order.h"
#include "util/json.h"
#include "util/result.h"

namespace faceberg::iceberg {

inline constexpr int kMaxFormatVersion = 2;

using PartitionSpecPtr = std::shared_ptr<const PartitionSpec>;
using SortOrderPtr = std::shared_ptr<const SortOrder>;

struct TableMetadata {
  int format_version = 2;
  std::string table_uuid;
  std::string location;
  int64_t last_sequence_number = 0;
  int64_t last_updated_ms = 0;
  int32_t last_column_id = 0;
  std::vector<SchemaPtr> schemas;
  int32_t current_schema_id = 0;
  std::vector<PartitionSpecPtr> partition_specs;
  int32_t default_spec_id = 0;
  int32_t last_partition_id = 999;
  std::map<std::string, std::string> properties;
  std::optional<int64_t> current_snapshot_id;
  std::vector<Snapshot> snapshots;
  std::vector<SnapshotLogEntry> snapshot_log;
  std::vector<MetadataLogEntry> metadata_log;
  std::vector<SortOrderPtr> sort_orders;
  int32_t default_sort_order_id = 0;
  std::map<std::string, SnapshotRef> refs;
  /// Kept verbatim so a rewrite never drops what another engine recorded.
  Json statistics = Json::array();
  Json partition_statistics = Json::array();

  // ---- lookups; null / NotFound when absent ----
  SchemaPtr CurrentSchema() const;
  SchemaPtr SchemaById(int32_t schema_id) const;
  PartitionSpecPtr DefaultSpec() const;
  PartitionSpecPtr SpecById(int32_t spec_id) const;
  SortOrderPtr DefaultSortOrder() const;
  const Snapshot* SnapshotById(int64_t snapshot_id) const;
  const Snapshot* CurrentSnapshot() const;
  /// The schema a snapshot was written with (its schema-id, else the current schema).
  SchemaPtr SchemaForSnapshot(const Snapshot& snapshot) const;
  /// Errors: NotFound naming the id and listing how to see the valid ones.
  Result<const Snapshot*> FindSnapshot(int64_t snapshot_id) const;
  /// The snapshot current at `timestamp_ms` per the snapshot log: the entry with the largest
  /// timestamp <= the time (the log may be unsorted or repeat ids after a rollback).
  /// Errors: NotFound when the time is before the first snapshot or the log is empty.
  Result<const Snapshot*> SnapshotAsOf(int64_t timestamp_ms) const;
  /// Errors: NotFound for an unknown ref.
  Result<const Snapshot*> SnapshotForRef(const std::string& ref_name) const;
  /// Ids from `snapshot_id` back through its parents (the snapshot first).
  std::vector<int64_t> Ancestry(int64_t snapshot_id) const;

  /// The property, or `fallback`.
  std::string Property(const std::string& key, const std::string& fallback = "") const;

  /// Checks cross-references: current schema/spec/order exist, refs and current snapshot point
  /// at known snapshots, main matches current-snapshot-id. Errors: Corrupt.
  Status Validate() const;
};

using TableMetadataPtr = std::shared_ptr<const TableMetadata>;

/// Parses metadata JSON text; `where` names the file in errors.
/// Errors: Corrupt (bad JSON, missing required field, wrong type, broken references),
/// NotSupported (format-version newer than this build reads).
Result<TableMetadata> TableMetadataFromJson(std::string_view text, std::string_view where);
/// Serializes with a stable key order.
std::string TableMetadataToJson(const TableMetadata& metadata, int indent = 2);

/// Options for a brand-new table's first metadata.
struct NewTableOptions {
  std::string location;
  SchemaPtr schema;         // ids as given; renumbered by the caller if needed
  PartitionSpecPtr spec;    // null = unpartitioned
  SortOrderPtr sort_order;  // null = unsorted
  std::map<std::string, std::string> properties;
  int format_version = 2;
};

/// Builds the metadata of a new table with a fresh uuid and no snapshots.
/// Errors: InvalidArgument when the spec or sort order does not fit the schema.
Result<TableMetadata> NewTableMetadata(const NewTableOptions& options);

}  // namespace faceberg::iceberg
