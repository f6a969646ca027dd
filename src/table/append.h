// Appending data files to a table as a new snapshot.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "iceberg/manifest.h"
#include "iceberg/snapshot.h"
#include "table/table_operations.h"

namespace faceberg::table {

struct AppendOptions {
  /// The branch that receives the snapshot.
  std::string branch = iceberg::kMainBranch;
  /// Extra snapshot summary properties.
  std::map<std::string, std::string> summary;
  /// Table properties set in the same commit.
  std::map<std::string, std::string> set_properties;
  /// Attempts when a concurrent commit wins the race (each re-applies on the new base).
  int max_attempts = 10;
};

/// Commits `files` (all of the table's default spec) as one "append" snapshot. The new manifest
/// is written once; a lost race re-reads the table and re-applies the append on the new base.
/// Small manifests are merged as MergeManifests describes, with the options the base's table
/// properties give (ManifestMergeOptions::FromProperties); a merge is redone on every attempt and
/// the merged manifests of a lost attempt are deleted, as is the new manifest when it ended up
/// merged. The summary records manifests-created, manifests-kept and manifests-replaced.
/// Returns the committed snapshot.
/// Errors: InvalidArgument (empty list, partition tuple of the wrong arity), Conflict after
/// max_attempts lost races, IOError / Corrupt from storage.
Result<iceberg::Snapshot> AppendFiles(TableOperations& ops,
                                      const std::vector<iceberg::DataFile>& files,
                                      const AppendOptions& options = {});

/// When and how a commit merges small manifests (Java's MergingSnapshotProducer behaviour).
struct ManifestMergeOptions {
  /// commit.manifest-merge.enabled
  bool enabled = true;
  /// commit.manifest.min-count-to-merge: the new manifests are merged only once this many data
  /// manifests of their spec would fit one bin.
  int32_t min_count_to_merge = 100;
  /// commit.manifest.target-size-bytes: the size a merged manifest aims for.
  int64_t target_size_bytes = int64_t{8} << 20;

  /// Reads the three table properties; absent or malformed values keep the defaults.
  static ManifestMergeOptions FromProperties(const std::map<std::string, std::string>& properties);
};

/// The manifest list a merge produced.
struct ManifestMergeResult {
  /// The new snapshot's manifests: data manifests (new, merged and carried) grouped by spec, then
  /// delete manifests unchanged.
  std::vector<iceberg::ManifestFile> manifests;
  /// Paths of the merged manifests written by this call (delete them if the commit is abandoned).
  std::vector<std::string> written;
  /// Summary counts as Java defines them: manifests of the list added by this snapshot, the other
  /// manifests of the list, and parent manifests that are no longer in it.
  int64_t created = 0;
  int64_t kept = 0;
  int64_t replaced = 0;
};

/// Builds the manifest list of a new snapshot `snapshot_id` from its new manifests (written by
/// this commit, listed first) and its parent's manifests, merging small data manifests.
///
/// Data manifests are grouped by partition spec and, per group, bin-packed by length from the
/// oldest end into bins of up to target_size_bytes. A bin of one manifest is kept; the bin that
/// holds the first (newest) manifest is kept unmerged while it has fewer than
/// min_count_to_merge manifests; every other bin is rewritten as one manifest (named by
/// `new_manifest_path`) in which entries the new snapshot added stay ADDED, other live entries
/// become EXISTING with their snapshot id and sequence numbers made explicit, and entries deleted
/// by earlier snapshots are dropped. A bin whose entries cannot be rewritten (an old spec whose
/// source column is gone, an existing entry without a sequence number) is kept as it is.
/// Errors: Corrupt / NotFound / IOError reading or writing manifests; nothing written is left
/// behind on error.
Result<ManifestMergeResult> MergeManifests(
    io::FileIO& io, const iceberg::TableMetadata& base, int64_t snapshot_id,
    const std::vector<iceberg::ManifestFile>& new_manifests,
    const std::vector<iceberg::ManifestFile>& parent_manifests, const ManifestMergeOptions& options,
    const std::function<std::string()>& new_manifest_path);

/// The live (not deleted) data files of `snapshot`.
Result<std::vector<iceberg::DataFile>> LiveDataFiles(io::FileIO& io,
                                                     const iceberg::TableMetadata& metadata,
                                                     const iceberg::Snapshot& snapshot);

}  // namespace faceberg::table
