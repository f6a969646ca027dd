// Which files a set of snapshots can reach: their manifest lists, the manifests those list, the
// data files those manifests hold, and the statistics files recorded for the snapshots. Expire
// deletes what was reachable before minus what is reachable after; orphan clean-up deletes what
// no snapshot reaches.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "iceberg/table_metadata.h"
#include "io/file_io.h"
#include "util/result.h"

namespace faceberg::table {

struct ReachableFiles {
  std::set<std::string> manifest_lists;
  std::set<std::string> manifests;
  std::set<std::string> data_files;
  std::set<std::string> statistics_files;

  /// Every file of the four kinds.
  std::set<std::string> All() const;
  /// The files of `this` that `other` does not hold, per kind.
  ReachableFiles Minus(const ReachableFiles& other) const;
  size_t size() const {
    return manifest_lists.size() + manifests.size() + data_files.size() + statistics_files.size();
  }
};

/// Reads manifest lists and manifests once however many snapshots share them.
/// Not thread-safe.
class ReachabilityReader {
 public:
  /// With `include_deleted_entries`, data files of DELETED manifest entries count as reached
  /// too (orphan clean-up is conservative that way); otherwise only live entries do, so a file a
  /// snapshot removed is reached only through snapshots that still read it.
  ReachabilityReader(io::FileIO& io, bool include_deleted_entries = false)
      : io_(io), include_deleted_entries_(include_deleted_entries) {}

  /// The files reachable from the snapshots of `metadata` whose ids are in `snapshot_ids`
  /// (unknown ids are skipped), including statistics files recorded for them.
  /// Errors: Corrupt / NotFound / IOError reading a manifest list or manifest (naming it).
  Result<ReachableFiles> Collect(const iceberg::TableMetadata& metadata,
                                 const std::set<int64_t>& snapshot_ids);

 private:
  io::FileIO& io_;
  bool include_deleted_entries_;
  std::map<std::string, std::vector<std::string>> manifests_of_list_;
  std::map<std::string, std::vector<std::string>> data_files_of_manifest_;
};

/// A statistics or partition-statistics file recorded in table metadata.
struct StatisticsFileRef {
  int64_t snapshot_id = 0;
  std::string path;
  std::optional<int64_t> file_size_in_bytes;
};

/// Every well-formed entry of `metadata`'s statistics and partition-statistics lists (entries
/// without an integer snapshot-id or a string statistics-path are skipped).
std::vector<StatisticsFileRef> StatisticsFiles(const iceberg::TableMetadata& metadata);

/// The ids of every snapshot of `metadata`.
std::set<int64_t> AllSnapshotIds(const iceberg::TableMetadata& metadata);

/// True when `location` lies strictly under the table location `root` on the same kind of
/// storage (both local, or both the same remote scheme).
bool IsUnderLocation(const std::string& location, const std::string& root);

}  // namespace faceberg::table
