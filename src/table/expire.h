// Expiring snapshots (the spec's retention rules) and deleting the files only they could read.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "iceberg/table_metadata.h"
#include "table/reachable_files.h"
#include "table/table_operations.h"
#include "util/result.h"

namespace faceberg::table {

struct ExpireOptions {
  /// Snapshots committed before this time may expire. Default: now minus the table property
  /// history.expire.max-snapshot-age-ms (5 days). A branch's own max-snapshot-age-ms wins.
  std::optional<int64_t> older_than_ms;
  /// Every branch keeps at least this many of its newest ancestors. Default: the table property
  /// history.expire.min-snapshots-to-keep (1). A branch's own min-snapshots-to-keep wins.
  std::optional<int32_t> retain_last;
  /// Computes and reports everything, commits and deletes nothing.
  bool dry_run = false;
  /// The clock (tests); nullopt = now.
  std::optional<int64_t> now_ms;
};

/// What the retention rules keep (spec §4, as Java's RemoveSnapshots applies them).
struct RetentionPlan {
  /// Snapshots kept: every retained ref's head, each branch's ancestors until one is both older
  /// than its max snapshot age and beyond its min-snapshots-to-keep, and snapshots no ref
  /// reaches that are not older than the default age.
  std::set<int64_t> retained;
  /// Snapshots to remove (the others).
  std::vector<int64_t> expired;
  /// Refs older than their max-ref-age (never main).
  std::vector<std::string> expired_refs;
};

/// Applies the retention rules to `metadata` at time `now_ms`.
/// Errors: InvalidArgument for retain_last < 1 or malformed retention table properties.
Result<RetentionPlan> PlanRetention(const iceberg::TableMetadata& metadata,
                                    const ExpireOptions& options, int64_t now_ms);

struct ExpireResult {
  std::vector<int64_t> expired_snapshot_ids;
  std::vector<std::string> expired_refs;
  /// Files reachable before and not after: deleted (or, on a dry run, to be deleted). Only files
  /// under the table location are ever deleted.
  ReachableFiles deleted;
  /// Unreachable files outside the table location (add-files sources, hf:// files): never
  /// deleted.
  std::vector<std::string> kept_outside;
  bool dry_run = false;
};

/// Expires snapshots and refs as PlanRetention says, in one commit that asserts every ref is
/// where it was (a concurrent commit makes it start over, a few times), then deletes exactly the
/// files that some snapshot reached before and no remaining snapshot reaches after: data files
/// (live entries only, so a file is kept while any remaining snapshot reads it), manifests,
/// manifest lists and statistics files. Files that are already gone are fine.
/// Errors: InvalidArgument (see PlanRetention; gc.enabled=false); Conflict when the table kept
/// changing; Corrupt / NotFound / IOError reading manifests (nothing is committed or deleted
/// then) or deleting a file (the commit stands; `faceberg orphans` removes what is left).
Result<ExpireResult> ExpireSnapshots(TableOperations& ops, const ExpireOptions& options = {});

/// Deletes `files` that lie under `table_location`, ignoring ones already gone; those outside
/// go to `kept_outside`. Errors: IOError for a file that exists and cannot be deleted.
Status DeleteTableFiles(io::FileIO& io, const std::string& table_location,
                        const std::set<std::string>& files, std::vector<std::string>* kept_outside);

}  // namespace faceberg::table
