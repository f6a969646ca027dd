// Registering existing Parquet files in a table without rewriting them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "format/parquet/metadata.h"
#include "iceberg/manifest.h"
#include "iceberg/snapshot.h"
#include "table/table_operations.h"

namespace faceberg::table {

struct AddFilesOptions {
  std::map<std::string, std::string> summary;
};

/// How DescribeParquetFooter places a file in the table.
struct FooterDescription {
  /// The data file's location as recorded in the manifest (kept as given).
  std::string location;
  uint64_t file_size = 0;
  /// The partition tuple in the table's default spec. nullopt: computed from the column bounds
  /// (PartitionFromBounds). Give it for partition columns the file does not hold (an HF split).
  std::optional<iceberg::PartitionValues> partition;
};

/// Describes a Parquet file from its already-read footer, as DescribeParquetFile does (columns
/// mapped to table fields by field id, else by name mapping; metrics from the footer), with the
/// partition tuple given or computed from bounds.
/// Errors: InvalidArgument (as DescribeParquetFile; a given tuple whose size differs from the
/// default spec's), each naming `description.location`.
Result<iceberg::DataFile> DescribeParquetFooter(const iceberg::TableMetadata& metadata,
                                                const parquet::FileMetaData& footer,
                                                const FooterDescription& description);

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
/// Errors: InvalidArgument for a path that is not valid UTF-8; as DescribeParquetFile;
/// AlreadyExists for duplicates; as AppendFiles.
Result<iceberg::Snapshot> AddParquetFiles(TableOperations& ops,
                                          const std::vector<std::string>& paths,
                                          const AddFilesOptions& options = {});

}  // namespace faceberg::table
