// Checking that a table is whole: everything its metadata references can be read. Used by
// `faceberg check`, and by the reliability tests after injected faults and crashes.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "iceberg/table_metadata.h"
#include "io/file_io.h"
#include "util/result.h"

namespace faceberg::table {

struct CheckOptions {
  /// Compare each file's size with the size its manifest or manifest list records.
  bool verify_sizes = true;
  /// Files whose existence and size are checked at once (remote files are one request each).
  int threads = 16;
};

/// What a check found. A table is consistent when `problems` is empty.
struct TableCheck {
  size_t snapshots = 0;
  /// Manifest lists, manifests, live data and delete files and statistics files looked at.
  size_t files_checked = 0;
  /// One line each, e.g. "snapshot 12: data file s3://b/f.parquet is missing".
  std::vector<std::string> problems;

  bool ok() const { return problems.empty(); }
};

/// Checks every snapshot of `metadata`: each ref and the current snapshot name a known snapshot,
/// each manifest list and manifest reads, and each live data and delete file, manifest and
/// statistics file exists (with its recorded size when `verify_sizes`). Files shared by several
/// snapshots are checked once. What is wrong goes into TableCheck::problems; the call itself
/// fails only on a bug, so a damaged table always yields a report.
Result<TableCheck> CheckTable(io::FileIO& io, const iceberg::TableMetadata& metadata,
                              const CheckOptions& options = {});

}  // namespace faceberg::table
