// HF-dataset-backed Iceberg tables: one table per (dataset, config) whose data files are the
// dataset's own Parquet files, referenced as hf://datasets/OWNER/NAME@COMMIT_SHA/PATH and never
// copied. The HF split is an identity partition on a `split` string column that the files do not
// hold: its values live only in the partition tuples (readers fill the column from them).
//
// Create reads every file's footer (one suffix-range request per file in the common case, many
// in flight) for the schema and the column metrics, and commits one append snapshot. Sync brings
// a table to its dataset's newest commit: files whose path and blob id did not change keep their
// entries (their footers are not read again), removed files are deleted, new and changed files
// are added, and new columns become a schema change, all in one snapshot whose summary records
// the dataset commit (properties.h: kCommitSummary).
//
// Failure points (util/failpoint.h): after-table-create (create: the table exists without its
// snapshot); sync that only records a new dataset commit: before-commit, after-commit; sync with
// file changes: those of table::CommitRowDelta.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "bridge/discovery.h"
#include "catalog/catalog.h"
#include "catalog/identifier.h"
#include "hub/hf_api.h"
#include "hub/hf_file_io.h"
#include "util/result.h"

namespace faceberg::bridge {

/// Bytes fetched from the end of each file by the first footer read (one request).
inline constexpr uint64_t kFooterTailBytes = 64 * 1024;

struct DatasetTableOptions {
  /// The table to create.
  catalog::TableIdentifier id;
  /// The faceberg.yml dataset entry name (recorded as kDatasetNameProperty; may be empty).
  std::string dataset_name;
  /// Draw a progress bar on stderr while reading footers (only on a terminal). The CLI passes
  /// !quiet && !json.
  bool show_progress = false;
  /// Bytes of the first footer read of each file.
  uint64_t footer_tail_bytes = kFooterTailBytes;
};

struct SyncDatasetOptions {
  /// The revision to follow; nullopt keeps the table's kRevisionProperty. A new value is
  /// recorded in the sync's commit.
  std::optional<std::string> revision;
  bool show_progress = false;
  uint64_t footer_tail_bytes = kFooterTailBytes;
};

/// What a create or sync did.
struct DatasetTableResult {
  catalog::TableIdentifier id;
  /// The table's current snapshot afterwards (the new one, or the old one when unchanged).
  std::optional<int64_t> snapshot_id;
  /// True when the dataset was already at the table's commit: nothing was written.
  bool unchanged = false;
  /// The dataset commit the table reflects now.
  std::string commit;
  int64_t files_added = 0;
  int64_t files_removed = 0;
  int64_t files_kept = 0;
  /// Rows and bytes of the table's data files afterwards.
  int64_t rows = 0;
  int64_t bytes = 0;
  /// Requests made to read footers (one per new file, plus one per footer larger than the
  /// first read).
  int64_t footer_requests = 0;
  /// Columns the sync added to the schema, and columns it widened (names).
  std::vector<std::string> columns_added;
  std::vector<std::string> columns_widened;
};

/// Creates the table `options.id` for `layout.configs[config_index]`: reads the footers of the
/// config's files (sizes seeded from the listing, so no HEAD requests), builds the schema (the
/// file columns, all optional, plus `split`; files may differ only by promotions: int/long,
/// float/double, wider decimals, and the table takes the wider type), records the dataset
/// properties (properties.h) and the name mapping, and commits one append snapshot holding every
/// file, its summary carrying the dataset commit. Nothing is left behind on failure.
/// Errors: AlreadyExists when the table exists (advising sync); InvalidArgument for a config
/// without files, files that are not compatible (naming the first such file and column), or a
/// dataset column named `split`; NotSupported for Parquet types Iceberg lacks; the hub's errors
/// reading footers (Corrupt naming a file that is not Parquet); the catalog's errors.
Result<DatasetTableResult> CreateDatasetTable(catalog::Catalog& catalog, hub::HfFileIO& hfio,
                                              const DatasetLayout& layout, size_t config_index,
                                              const DatasetTableOptions& options);

/// Brings the HF-backed table `id` to the newest commit of its dataset revision (the table's
/// properties say which repo, config and revision). When the revision still resolves to the
/// recorded commit (and, for a Parquet-export source, the export did not move), returns
/// unchanged without writing anything. Otherwise lists the tree at the recorded source commit
/// (for the old blob ids), compares it with the new layout, reads the footers of new and changed
/// files only, and commits one snapshot ("append" when files are only added, else "overwrite" or
/// "delete") with the property updates and any schema change (new optional columns, widened
/// types, name mapping) in the same commit. A commit that changes no file updates only the
/// properties. Files the table holds that are not hf:// files of the dataset are kept.
/// Errors: NotFound (table; the config gone from the dataset); InvalidArgument for a table that
/// is not HF-backed, or a dataset change the table cannot follow (a type change that is not a
/// promotion, a removed column: "create a new table: faceberg drop T && faceberg create T"),
/// nothing changed; Conflict when another writer changed the table meanwhile; the hub's errors.
Result<DatasetTableResult> SyncDatasetTable(catalog::Catalog& catalog, hub::HfFileIO& hfio,
                                            const hub::HfApi& api,
                                            const catalog::TableIdentifier& id,
                                            const SyncDatasetOptions& options = {});

/// The hf:// location of a dataset file at a commit: hf://datasets/OWNER/NAME@COMMIT/PATH.
/// Errors: InvalidArgument for a bad repo id or path.
Result<std::string> DatasetFileLocation(std::string_view repo, std::string_view commit,
                                        std::string_view path);

}  // namespace faceberg::bridge
