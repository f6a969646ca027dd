// TableOperations: how a table's metadata is loaded and atomically replaced. The table layer
// (operations such as append) is written against this seam; catalogs implement it.
#pragma once

#include <string>
#include <string_view>

#include "iceberg/table_metadata.h"
#include "io/file_io.h"
#include "util/result.h"

namespace faceberg::table {

class TableOperations {
 public:
  virtual ~TableOperations() = default;

  /// The FileIO that reads and writes this table's files. Owned by the operations.
  virtual io::FileIO& io() = 0;

  /// Loads the latest committed metadata.
  /// Errors: NotFound when the table does not exist; Corrupt; IOError.
  virtual Result<iceberg::TableMetadataPtr> Refresh() = 0;

  /// Location of the metadata file Refresh() last loaded (empty before the first load).
  virtual std::string current_metadata_location() const = 0;

  /// The metadata Refresh() last loaded or Commit() last wrote, without I/O; null before either,
  /// or when an implementation does not keep it (callers then Refresh()). Right after a
  /// successful Commit() this is exactly what was committed, whereas Refresh() may already see a
  /// later commit by another writer.
  virtual iceberg::TableMetadataPtr current() const { return nullptr; }

  /// Atomically replaces `base` (null when creating the table) with `updated`. Implementations
  /// record the previous metadata file in the metadata log and set last-updated-ms.
  /// Errors: Conflict when another commit landed after `base` was loaded (nothing was written;
  /// refresh and re-apply), AlreadyExists when creating over an existing table, IOError.
  virtual Status Commit(const iceberg::TableMetadata* base,
                        const iceberg::TableMetadata& updated) = 0;

  /// Location for a new file under the table's metadata folder.
  std::string NewMetadataFileLocation(const iceberg::TableMetadata& metadata,
                                      std::string_view file_name) const {
    return io::JoinPath(io::JoinPath(metadata.location, "metadata"), file_name);
  }
};

/// Reads a metadata file at any location (a vN.metadata.json, or a catalog's metadata pointer);
/// files over 1 GiB are refused. Errors: NotFound, Corrupt naming the file.
Result<iceberg::TableMetadataPtr> ReadMetadataFile(io::FileIO& io, const std::string& location);

}  // namespace faceberg::table
