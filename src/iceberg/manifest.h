// Manifests and manifest lists: the Avro files that list a snapshot's data files. Written with the
// Java-compatible Avro schemas (field ids, record names, header keys) so Java, PyIceberg and
// DuckDB read them; read by field id against each file's own writer schema.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "iceberg/metrics.h"
#include "iceberg/partition_spec.h"
#include "iceberg/schema.h"
#include "iceberg/value.h"
#include "io/file_io.h"
#include "util/result.h"

namespace faceberg::iceberg {

struct TableMetadata;

enum class FileContent { kData = 0, kPositionDeletes = 1, kEqualityDeletes = 2 };
enum class ManifestContent { kData = 0, kDeletes = 1 };
enum class EntryStatus { kExisting = 0, kAdded = 1, kDeleted = 2 };

/// One data (or delete) file as a manifest entry describes it.
struct DataFile {
  FileContent content = FileContent::kData;
  std::string file_path;
  std::string file_format = "PARQUET";
  /// The spec the partition tuple belongs to (from the manifest when read).
  int32_t spec_id = 0;
  PartitionValues partition;
  int64_t file_size_in_bytes = 0;
  /// record_count lives in metrics.record_count.
  FileMetrics metrics;
  std::optional<std::string> key_metadata;
  std::vector<int32_t> equality_ids;
  std::optional<int32_t> sort_order_id;

  int64_t record_count() const { return metrics.record_count; }
  bool operator==(const DataFile&) const = default;
};

struct ManifestEntry {
  EntryStatus status = EntryStatus::kAdded;
  /// Null in a written ADDED entry: inherited from the manifest list on read.
  std::optional<int64_t> snapshot_id;
  std::optional<int64_t> sequence_number;
  std::optional<int64_t> file_sequence_number;
  DataFile data_file;
};

/// Per partition field: what the manifest's files hold, for pruning without opening it.
struct FieldSummary {
  bool contains_null = false;
  std::optional<bool> contains_nan;
  std::optional<std::string> lower_bound;  // single-value binary
  std::optional<std::string> upper_bound;
  bool operator==(const FieldSummary&) const = default;
};

/// A manifest list row.
struct ManifestFile {
  /// Marks a manifest written in the current commit whose sequence number is assigned when the
  /// manifest list is written.
  static constexpr int64_t kUnassignedSequenceNumber = -1;

  std::string manifest_path;
  int64_t manifest_length = 0;
  int32_t partition_spec_id = 0;
  ManifestContent content = ManifestContent::kData;
  int64_t sequence_number = kUnassignedSequenceNumber;
  int64_t min_sequence_number = kUnassignedSequenceNumber;
  int64_t added_snapshot_id = 0;
  int32_t added_files_count = 0;
  int32_t existing_files_count = 0;
  int32_t deleted_files_count = 0;
  int64_t added_rows_count = 0;
  int64_t existing_rows_count = 0;
  int64_t deleted_rows_count = 0;
  std::vector<FieldSummary> partitions;
  std::optional<std::string> key_metadata;

  int32_t live_files_count() const { return added_files_count + existing_files_count; }
  bool operator==(const ManifestFile&) const = default;
};

struct ManifestWriteOptions {
  int format_version = 2;
  /// The snapshot writing the manifest; ADDED entries inherit it.
  int64_t snapshot_id = 0;
  ManifestContent content = ManifestContent::kData;
  /// Avro codec: "null", "deflate", "snappy" or "zstd".
  std::string codec = "deflate";
};

/// Writes `entries` (all of `spec`) to a new manifest at `path` and returns its list row.
/// ADDED entries are written with null snapshot id and sequence numbers (inherited);
/// EXISTING/DELETED entries must carry explicit values.
/// Errors: InvalidArgument for entries that do not fit the spec; IOError.
Result<ManifestFile> WriteManifest(io::FileIO& io, const std::string& path, const Schema& schema,
                                   const PartitionSpec& spec,
                                   const std::vector<ManifestEntry>& entries,
                                   const ManifestWriteOptions& options);

/// Reads a manifest's entries, applying snapshot-id and sequence-number inheritance from
/// `manifest` (v1 files read sequence numbers as 0). Partition values are typed through the
/// spec in `metadata` with the manifest's spec id.
/// Errors: Corrupt (naming the file), NotFound, IOError.
Result<std::vector<ManifestEntry>> ReadManifest(io::FileIO& io, const ManifestFile& manifest,
                                                const TableMetadata& metadata);

struct ManifestListWriteOptions {
  int format_version = 2;
  int64_t snapshot_id = 0;
  std::optional<int64_t> parent_snapshot_id;
  /// Assigned to manifests whose sequence number is unassigned.
  int64_t sequence_number = 0;
  std::string codec = "deflate";
};

/// Writes a manifest list.
Status WriteManifestList(io::FileIO& io, const std::string& path,
                         std::vector<ManifestFile> manifests,
                         const ManifestListWriteOptions& options);

/// Reads a manifest list (v1 or v2). Errors: Corrupt naming the file, NotFound, IOError.
Result<std::vector<ManifestFile>> ReadManifestList(io::FileIO& io, const std::string& path);

}  // namespace faceberg::iceberg
