// Appending data files to a table as a new snapshot.
#pragma once

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
/// Returns the committed snapshot.
/// Errors: InvalidArgument (empty list, partition tuple of the wrong arity), Conflict after
/// max_attempts lost races, IOError / Corrupt from storage.
Result<iceberg::Snapshot> AppendFiles(TableOperations& ops,
                                      const std::vector<iceberg::DataFile>& files,
                                      const AppendOptions& options = {});

/// The live (not deleted) data files of `snapshot`.
Result<std::vector<iceberg::DataFile>> LiveDataFiles(io::FileIO& io,
                                                     const iceberg::TableMetadata& metadata,
                                                     const iceberg::Snapshot& snapshot);

}  // namespace faceberg::table
