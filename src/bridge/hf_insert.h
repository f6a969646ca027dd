// Inserting rows into an HF-backed table: the rows become new Parquet files of the dataset
// itself, committed into the dataset repo with the names the datasets library expects (so plain
// HF users see them in the right config and split), and the table gets one append snapshot whose
// files are those new dataset files. The files hold the dataset's columns only: the `split` of
// each row lives in the table's partition tuples, like the split of the dataset's own files.
//
// Order of events: the files are written to a scratch folder, uploaded in ONE Hub commit guarded
// by the commit the table was last synced to (a dataset that moved since makes the insert fail
// with nothing changed anywhere), then the table commits the new files and the new dataset
// commit. Should the table commit fail after the Hub commit, the rows are in the dataset and the
// next 'faceberg sync' adds them to the table.
//
// Failure points (util/failpoint.h): hf-insert-before-hub-commit (the files are written in the
// scratch folder, the Hub commit is not sent), after-lfs-upload (hub layer), and
// hf-insert-after-hub-commit (the rows are in the dataset, the table has not committed them);
// then those of table::AppendFiles.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "catalog/identifier.h"
#include "engine/database.h"
#include "engine/writer.h"
#include "hub/hf_api.h"
#include "iceberg/snapshot.h"
#include "iceberg/table_metadata.h"
#include "table/table_operations.h"
#include "util/result.h"

namespace faceberg::bridge {

/// True when `metadata` describes an HF-backed table (it records its dataset repo).
bool IsDatasetTable(const iceberg::TableMetadata& metadata);

struct DatasetInsertOptions {
  /// The table, as messages name it.
  catalog::TableIdentifier id;
  /// The summary of the Hub commit; empty: "Add N rows to TABLE with faceberg".
  std::string commit_message;
  /// The cache the new files are copied into (engine::StagingOptions::cache_dir); empty: the
  /// default cache folder.
  std::string cache_dir;
};

/// A file the insert added to the dataset.
struct InsertedDatasetFile {
  /// Relative to the repo root.
  std::string path;
  std::string split;
  int64_t rows = 0;
  /// The table's location of it: hf://datasets/OWNER/NAME@COMMIT/PATH.
  std::string location;
};

struct DatasetInsertResult {
  /// The table's new snapshot.
  iceberg::Snapshot snapshot;
  /// "OWNER/NAME".
  std::string repo;
  /// The dataset commit that added the files; the table records it as its commit now.
  std::string commit;
  std::vector<InsertedDatasetFile> files;
  int64_t rows = 0;
};

/// Appends the rows of `source` to the HF-backed table of `ops` (properties.h says which
/// dataset, config and revision): the rows are cast to the table's schema, each row's `split`
/// column picks its split (a NULL split means the config's only split), one Parquet file per
/// split is written without the split column and without field ids (columns are read by name,
/// as the dataset's own files are), named with bridge::NewDataFilePath against the repo's files
/// and README at the table's commit, and uploaded to the revision's branch in one Hub commit
/// whose parent must be the table's commit. The table then commits one append snapshot of those
/// files (hf://datasets/OWNER/NAME@NEW_COMMIT/PATH, metrics from the written footers, partition
/// {split}) setting kCommitProperty and kSourceCommitProperty to the new commit, summary
/// kCommitSummary; a lost race is retried, unless the table's commit property moved meanwhile.
/// The new files are copied into the engine's cache under their hf:// locations; the scratch
/// files are deleted in every case.
/// Errors: InvalidArgument for a table that is not HF-backed, rows that do not fit the schema
/// (engine::WriteDataFiles), an input without rows, or NULL splits when the config has several
/// splits (naming them); NotSupported when the table reads the Hub's Parquet export
/// (refs/convert/parquet), follows a tag or a commit rather than a branch, or is partitioned
/// other than by split, and when no file name puts a new split's file in that split
/// (NewDataFilePath); NotFound when the config is gone from the dataset; Conflict when the
/// dataset has commits the table has not synced ("run 'faceberg sync T' and insert again";
/// nothing changed anywhere); the Hub's errors. When the table commit fails after the Hub
/// commit, the error (with the table commit's code) names the dataset commit holding the rows
/// and says that 'faceberg sync T' adds them.
Result<DatasetInsertResult> InsertIntoDatasetTable(table::TableOperations& ops,
                                                   engine::Connection& connection,
                                                   const hub::HfApi& api,
                                                   const engine::InsertSource& source,
                                                   const DatasetInsertOptions& options);

}  // namespace faceberg::bridge
