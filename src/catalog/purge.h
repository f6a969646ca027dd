// Deleting a dropped table's files (DropTable with purge).
#pragma once

#include <string>

#include "iceberg/table_metadata.h"
#include "io/file_io.h"
#include "util/result.h"

namespace faceberg::catalog {

/// Deletes what belongs to the table described by `metadata` (read from `metadata_location`):
/// every file under the table location that the metadata references (data files of every
/// snapshot, manifests, manifest lists, statistics files, logged metadata files), then the whole
/// metadata folder (older metadata versions, version-hint.text), then folders left empty (where
/// `io` stores the location locally: a local path, or an hf:// catalog's mirror folder). Files
/// outside the table location (add-files sources, hf:// files) are never touched; unreadable
/// manifests are skipped. Best effort: a file that is already gone is fine.
/// Errors: IOError when a file that exists cannot be deleted.
Status PurgeTableFiles(io::FileIO& io, const iceberg::TableMetadata& metadata,
                       const std::string& metadata_location);

}  // namespace faceberg::catalog
