// Snapshot management: moving the main branch back (rollback), creating, moving and dropping
// tags and branches with their retention settings, and naming snapshots by id, time or ref.
// Every change is one REST-style commit (table::CommitTable) guarded by assert-ref-snapshot-id,
// so a concurrent move of the same ref is a Conflict, never a lost update.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "iceberg/snapshot.h"
#include "iceberg/table_metadata.h"
#include "table/table_operations.h"
#include "util/result.h"

namespace faceberg::table {

struct RollbackOptions {
  /// The target: exactly one of a snapshot id and a time. A time picks the newest ancestor of
  /// the current snapshot committed at or before it (with `force`, the snapshot that was
  /// current then, per the snapshot log).
  std::optional<int64_t> snapshot_id;
  std::optional<int64_t> to_time_ms;
  /// Allows a target that is not an ancestor of the current snapshot (Java's
  /// set-current-snapshot); without it such a target is refused.
  bool force = false;
};

struct RollbackResult {
  std::optional<int64_t> from_snapshot_id;
  int64_t to_snapshot_id = 0;
};

/// Points the main branch (the current snapshot) at an earlier snapshot. Main's retention
/// settings are kept.
/// Errors: InvalidArgument (no or both targets; a non-ancestor without `force`; a table without
/// snapshots); NotFound (unknown snapshot, a time before any candidate); Conflict when main
/// moved concurrently.
Result<RollbackResult> Rollback(TableOperations& ops, const RollbackOptions& options);

/// Retention settings of a ref; unset fields keep their current value (or the table default).
struct RefRetention {
  std::optional<int64_t> max_ref_age_ms;
  /// Branches only.
  std::optional<int32_t> min_snapshots_to_keep;
  /// Branches only.
  std::optional<int64_t> max_snapshot_age_ms;

  bool empty() const { return !max_ref_age_ms && !min_snapshots_to_keep && !max_snapshot_age_ms; }
};

struct SetRefOptions {
  iceberg::RefType type = iceberg::RefType::kBranch;
  /// The snapshot; nullopt: the ref's current snapshot when it exists, else the table's current
  /// snapshot.
  std::optional<int64_t> snapshot_id;
  /// Moving an existing ref to another snapshot needs this. Changing only the retention of an
  /// existing ref does not.
  bool replace = false;
  RefRetention retention;
};

/// Creates or updates a tag or branch. Returns the ref as committed.
/// Errors: InvalidArgument (empty name; a tag with branch-only retention; negative retention;
/// changing a ref's type; main as a tag; no snapshot to point at); AlreadyExists when the ref
/// exists, would move and `replace` is false; NotFound (unknown snapshot); Conflict.
Result<iceberg::SnapshotRef> SetRef(TableOperations& ops, const std::string& name,
                                    const SetRefOptions& options);

/// Drops a tag or branch (never main). Errors: NotFound; InvalidArgument for main; Conflict.
Status DropRef(TableOperations& ops, const std::string& name);

/// Names a snapshot the way the CLI accepts it: a ref name ("main", a tag, a branch), a
/// snapshot id, or a time (ISO-8601, or epoch milliseconds when the number is not a snapshot
/// id) meaning the snapshot current then.
/// Errors: NotFound / InvalidArgument naming what was tried.
Result<const iceberg::Snapshot*> ResolveSnapshot(const iceberg::TableMetadata& metadata,
                                                 std::string_view text);

/// Parses a duration: a number with a unit ("500ms", "30s", "15m", "12h", "7d", "2w"), or a
/// bare number of milliseconds. Errors: InvalidArgument naming the accepted forms.
Result<int64_t> ParseDurationMillis(std::string_view text);

/// Parses a point in time relative to `now_ms` as the CLI's --older-than accepts it: a time
/// (ISO-8601 or epoch ms) or a duration ago ("3d" = three days before now).
/// Errors: InvalidArgument.
Result<int64_t> ParseTimeOrAgo(std::string_view text, int64_t now_ms);

}  // namespace faceberg::table
