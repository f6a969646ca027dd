// The file-system ("Hadoop") table layout: <location>/metadata/vN.metadata.json plus
// version-hint.text. A commit creates v(N+1).metadata.json with a create-if-absent publish (it
// fails when another writer created it first), then rewrites the hint. Readers trust the hint
// but probe forward past it, so a commit whose hint update was lost is still seen.
#pragma once

#include <memory>
#include <string>

#include "io/file_io.h"
#include "table/table_operations.h"

namespace faceberg::catalog {

class FileTableOperations final : public table::TableOperations {
 public:
  /// `io` must outlive this object. `location` is the table folder.
  FileTableOperations(io::FileIO& io, std::string location)
      : io_(io), location_(std::move(location)) {}

  io::FileIO& io() override { return io_; }
  Result<iceberg::TableMetadataPtr> Refresh() override;
  std::string current_metadata_location() const override { return current_location_; }
  iceberg::TableMetadataPtr current() const override { return current_; }
  /// Errors: Conflict when v(N+1) already exists or `base` is not the latest loaded version.
  /// Failure point after-metadata-file: v(N+1) is written (committed), version-hint.text is not
  /// updated. (The SQL catalog has the same point between its metadata file and its row update.)
  Status Commit(const iceberg::TableMetadata* base, const iceberg::TableMetadata& updated) override;

  /// The version Refresh() last loaded (0 before any).
  int64_t current_version() const { return current_version_; }

  /// Location of version `n`'s metadata file.
  std::string MetadataFile(int64_t version) const;

 private:
  Result<int64_t> FindLatestVersion();

  io::FileIO& io_;
  std::string location_;
  int64_t current_version_ = 0;
  std::string current_location_;
  iceberg::TableMetadataPtr current_;
};

/// True when the table folder `location` holds table metadata: a *.metadata.json file (any
/// catalog's naming, gzipped too) or version-hint.text in its metadata folder. Manifests and
/// manifest lists alone do not count: a REST client writes them before the commit that creates
/// a staged table. Errors: IOError.
Result<bool> HoldsTableMetadata(io::FileIO& io, const std::string& location);

/// Reads a metadata file at any location (defined in the table layer; see table_operations.h).
using table::ReadMetadataFile;

}  // namespace faceberg::catalog
