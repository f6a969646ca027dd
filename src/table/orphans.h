// Orphan file clean-up: deleting files under a table's location that no metadata reaches (left
// by crashed or lost commits, or by expire runs that stopped part-way).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "table/table_operations.h"
#include "util/result.h"

namespace faceberg::table {

inline constexpr int64_t kDefaultOrphanAgeMs = int64_t{3} * 24 * 3600 * 1000;  // 3 days

struct OrphanOptions {
  /// Only files last modified before this time are orphans; younger files may belong to a
  /// commit in flight. Default: now minus 3 days.
  std::optional<int64_t> older_than_ms;
  /// Lists the orphans, deletes nothing.
  bool dry_run = false;
  /// The clock (tests); nullopt = now.
  std::optional<int64_t> now_ms;
};

struct OrphanResult {
  /// Orphans found (deleted unless dry_run), sorted.
  std::vector<std::string> orphans;
  /// Unreferenced files kept because they are too young.
  int64_t too_young = 0;
  /// Files under the location that some metadata reaches.
  int64_t referenced = 0;
  bool dry_run = false;
};

/// Lists every file under the table location (stored locally: io::FileIO::LocalPathOf, so a local
/// path or the mirror folder of an hf:// catalog) and deletes those that
/// are older than the age guard and not reached by the table's current metadata: the current
/// and logged metadata files, version-hint.text, and every manifest list, manifest (including
/// entries for deleted files), data file and statistics file of every snapshot. Metadata files of
/// versions newer than the one loaded are never orphans. Folders of other tables nested under
/// the location (a folder with its own metadata/ holding *.metadata.json) are skipped. Folders
/// the deletion leaves empty are removed. When a commit lands while the files are listed, the
/// listing starts over.
/// Errors: NotSupported for a remote location; Corrupt / NotFound / IOError reading manifests
/// (nothing is deleted then); IOError deleting.
Result<OrphanResult> DeleteOrphanFiles(TableOperations& ops, const OrphanOptions& options = {});

}  // namespace faceberg::table
