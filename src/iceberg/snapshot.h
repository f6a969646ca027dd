// Snapshots, refs and the logs kept in table metadata.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace faceberg::iceberg {

/// Summary keys of a snapshot (values are strings in the JSON).
namespace summary {
inline constexpr const char* kOperation = "operation";
inline constexpr const char* kAddedDataFiles = "added-data-files";
inline constexpr const char* kDeletedDataFiles = "deleted-data-files";
inline constexpr const char* kTotalDataFiles = "total-data-files";
inline constexpr const char* kAddedRecords = "added-records";
inline constexpr const char* kDeletedRecords = "deleted-records";
inline constexpr const char* kTotalRecords = "total-records";
inline constexpr const char* kAddedFilesSize = "added-files-size";
inline constexpr const char* kRemovedFilesSize = "removed-files-size";
inline constexpr const char* kTotalFilesSize = "total-files-size";
inline constexpr const char* kTotalDeleteFiles = "total-delete-files";
inline constexpr const char* kTotalPositionDeletes = "total-position-deletes";
inline constexpr const char* kTotalEqualityDeletes = "total-equality-deletes";
inline constexpr const char* kChangedPartitionCount = "changed-partition-count";
}  // namespace summary

struct Snapshot {
  int64_t snapshot_id = 0;
  std::optional<int64_t> parent_snapshot_id;
  int64_t sequence_number = 0;  // 0 for v1 tables
  int64_t timestamp_ms = 0;
  std::string manifest_list;
  /// Includes "operation" (append, replace, overwrite, delete).
  std::map<std::string, std::string> summary;
  std::optional<int32_t> schema_id;

  std::string operation() const {
    auto it = summary.find(summary::kOperation);
    return it == summary.end() ? "" : it->second;
  }
  /// A numeric summary value, or `fallback` when absent or not a number.
  int64_t SummaryInt(const std::string& key, int64_t fallback = 0) const;

  bool operator==(const Snapshot&) const = default;
};

enum class RefType { kBranch, kTag };

struct SnapshotRef {
  int64_t snapshot_id = 0;
  RefType type = RefType::kBranch;
  std::optional<int32_t> min_snapshots_to_keep;  // branches only
  std::optional<int64_t> max_snapshot_age_ms;    // branches only
  std::optional<int64_t> max_ref_age_ms;

  bool operator==(const SnapshotRef&) const = default;
};

struct SnapshotLogEntry {
  int64_t timestamp_ms = 0;
  int64_t snapshot_id = 0;
  bool operator==(const SnapshotLogEntry&) const = default;
};

struct MetadataLogEntry {
  int64_t timestamp_ms = 0;
  std::string metadata_file;
  bool operator==(const MetadataLogEntry&) const = default;
};

inline constexpr const char* kMainBranch = "main";

}  // namespace faceberg::iceberg
