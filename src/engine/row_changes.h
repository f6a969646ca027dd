// Copy-on-write row changes with DuckDB: delete the rows a filter selects, or replace them with
// new rows (overwrite), as one snapshot. Data files whose metrics prove every row matches are
// dropped unread, files proven to hold no matching row are left alone, and only the rest are
// read (by field id), filtered with NOT filter, and written again with the engine writer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "engine/database.h"
#include "engine/writer.h"
#include "iceberg/snapshot.h"
#include "table/table_operations.h"
#include "util/result.h"

namespace faceberg::engine {

struct RowChangeRequest {
  /// The rows to delete (or replace), in the filter language, bound to the current schema.
  std::string filter;
  /// The branch to change.
  std::string branch = iceberg::kMainBranch;
  /// Overwrite: the rows added in the same snapshot. Nullopt for a delete.
  std::optional<InsertSource> replacement;
};

struct RowChangeResult {
  /// The committed snapshot; nullopt when nothing changed (no row matched and nothing was added).
  std::optional<iceberg::Snapshot> snapshot;
  /// Files removed without being read (every row matched).
  int64_t files_dropped = 0;
  /// Files read and written again without their matching rows.
  int64_t files_rewritten = 0;
  /// Files the filter could not touch, or read and found without a matching row.
  int64_t files_untouched = 0;
  /// New data files: rewritten rows plus, for an overwrite, the added rows.
  int64_t files_added = 0;
  /// Rows the filter selected (removed).
  int64_t rows_deleted = 0;
  /// Rows added by an overwrite.
  int64_t rows_inserted = 0;
};

/// Deletes the rows of `request.branch` matching `request.filter`, then (for an overwrite) adds
/// the replacement rows, all in one snapshot: operation "delete" when files were only removed,
/// "overwrite" otherwise. Every file written is deleted again if the commit fails.
/// Errors: InvalidArgument (bad filter; replacement rows that do not fit the schema); NotFound
/// (branch, input file); NotSupported (delete files, remote location); Conflict (a concurrent
/// commit removed a file this change removes, or added rows the filter may match); IOError.
Result<RowChangeResult> ChangeRows(table::TableOperations& ops, Connection& connection,
                                   const RowChangeRequest& request);

}  // namespace faceberg::engine
