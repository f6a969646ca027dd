// Registering existing Parquet files in a table without rewriting them.
#pragma once

#include <string>
#include <vector>

#include "iceberg/manifest.h"
#include "iceberg/snapshot.h"
#include "table/table_operations.h"

namespace faceberg::table {

struct AddFilesOptions {
  std::map<std::string, std::string> summary;
};

/// Describes one Parquet file as a data file of the table: reads its footer (one tail read in the
/// common case), maps its columns to table fields (by field id when the file has them, else by
/// the table's name mapping or current column names), computes metrics and the partition tuple
/// from column bounds.
/// Errors: Corrupt / NotFound naming the file; InvalidArgument when a column is not in the table,
/// a required table column is missing, a type does not match, or the file spans partitions.
Result<iceberg::DataFile> DescribeParquetFile(io::FileIO& io,
                                              const iceberg::TableMetadata& metadata,
                                              const std::string& path);

/// Adds `paths` as one append snapshot. Refuses files already in the table or given twice.
/// Records a name mapping when the table has none and a file lacks field ids.
/// Errors: as DescribeParquetFile; AlreadyExists for duplicates; as AppendFiles.
Result<iceberg::Snapshot> AddParquetFiles(TableOperations& ops,
                                          const std::vector<std::string>& paths,
                                          const AddFilesOptions& options = {});

}  // namespace faceberg::table
