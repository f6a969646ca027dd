// Copy-on-write row changes (delete by filter, overwrite by filter): which data files a filter
// touches, and the commit that replaces them. Reading and rewriting rows needs a query engine, so
// it lives in engine/ (engine/row_changes.h); this layer plans and commits.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "iceberg/expression.h"
#include "iceberg/manifest.h"
#include "iceberg/snapshot.h"
#include "iceberg/table_metadata.h"
#include "table/table_operations.h"
#include "util/result.h"

namespace faceberg::table {

/// The data files of a branch's head split by what a row filter can do to them.
struct RowFilterPlan {
  iceberg::TableMetadataPtr base;
  std::string branch = iceberg::kMainBranch;
  /// The branch head; nullopt when the branch has no snapshot (nothing to change).
  std::optional<iceberg::Snapshot> snapshot;
  /// The table's current schema, to which `filter` is bound (rows are rewritten in it).
  iceberg::SchemaPtr schema;
  iceberg::BoundExpressionPtr filter;
  /// Files whose metrics (with identity partition values) prove every row matches: removed
  /// without being read.
  std::vector<iceberg::DataFile> all_match;
  /// Files that may hold both matching and other rows: their other rows must be rewritten.
  std::vector<iceberg::DataFile> partial;
  /// Files proven to hold no matching row: left alone.
  int64_t files_untouched = 0;
  /// Paths of every live data file of the head (to spot concurrent additions).
  std::set<std::string> live_paths;
};

/// Plans a copy-on-write change of the rows of `branch` that `filter` (the filter language,
/// bound to the current schema) selects.
/// Errors: InvalidArgument (malformed filter, unknown column, empty filter); NotFound (unknown
/// branch other than main); NotSupported (the head has delete files); Corrupt / IOError.
Result<RowFilterPlan> PlanRowFilter(io::FileIO& io, iceberg::TableMetadataPtr metadata,
                                    std::string_view filter,
                                    const std::string& branch = iceberg::kMainBranch);

struct RowDeltaOptions {
  /// The snapshot operation; empty: "delete" when nothing is added, else "overwrite".
  std::string operation;
  /// Extra snapshot summary properties.
  std::map<std::string, std::string> summary;
  /// Attempts when a concurrent commit wins the race.
  int max_attempts = 5;
};

/// Commits one snapshot on `plan.branch` that removes `removed` (live files of the plan's head)
/// and adds `added` (new files, each carrying the spec it was written with). Manifests holding
/// removed files are rewritten with those entries DELETED and the rest EXISTING; the others are
/// kept (and small ones merged, as appends do). The summary counts added and deleted data files,
/// records and bytes (deleted-records counts the records of removed files, as Java does) and
/// carries the totals forward.
///
/// On a lost race it refreshes and re-validates before trying again: every removed file must
/// still be live on the branch, and no file added since the plan may hold rows the plan's filter
/// matches; otherwise the change is abandoned with Conflict (rerun it). Files written for a lost
/// attempt are deleted; `added` is left to the caller.
/// Errors: InvalidArgument (nothing to commit, a removed file that is not live); Conflict as
/// above or after max_attempts; Corrupt / IOError.
Result<iceberg::Snapshot> CommitRowDelta(TableOperations& ops, const RowFilterPlan& plan,
                                         const std::vector<iceberg::DataFile>& removed,
                                         const std::vector<iceberg::DataFile>& added,
                                         const RowDeltaOptions& options = {});

}  // namespace faceberg::table
