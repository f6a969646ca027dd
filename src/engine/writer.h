// Writing rows into a table's data files with DuckDB: read CSV / JSON / Parquet files or a
// VALUES list, cast every column to the table's current schema, split rows by the default
// partition spec, and write Parquet files whose columns carry the Iceberg field ids. The result
// is the list of data files to commit (for example with table::AppendFiles); nothing is
// committed here.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/database.h"
#include "iceberg/manifest.h"
#include "iceberg/table_metadata.h"
#include "io/file_io.h"
#include "util/result.h"

namespace faceberg::engine {

enum class InputFormat {
  kAuto,  // from the file extension: .csv/.tsv (optionally .gz), .json/.jsonl/.ndjson, .parquet
  kCsv,   // with a header row; values are read as text and cast to the column types
  kJson,  // a JSON array of objects or newline-delimited objects
  kParquet,
};

/// Where the rows come from: files of one format, or a VALUES list.
struct InsertSource {
  /// Input files; DuckDB reads them (local paths; globs allowed).
  std::vector<std::string> files;
  InputFormat format = InputFormat::kAuto;
  /// Rows as SQL tuples, "(1, 'a'), (2, NULL)", giving the table's columns in order (trailing
  /// optional columns may be left out). Used when `files` is empty.
  std::string values;
  /// A DuckDB query whose result columns are named as table columns (matched like file
  /// columns). Used when `files` and `values` are empty (rewriting rows of existing files).
  std::string query;

  static InsertSource Files(std::vector<std::string> files,
                            InputFormat format = InputFormat::kAuto) {
    InsertSource s;
    s.files = std::move(files);
    s.format = format;
    return s;
  }
  static InsertSource Values(std::string values) {
    InsertSource s;
    s.values = std::move(values);
    return s;
  }
  static InsertSource Query(std::string query) {
    InsertSource s;
    s.query = std::move(query);
    return s;
  }
};

struct WriteOptions {
  /// Data files are split when they would grow past this size (DuckDB closes a file after the
  /// row group that crosses it, so files end a little above it).
  int64_t target_file_size_bytes = int64_t{512} * 1024 * 1024;
  /// Rows per Parquet row group (DuckDB's default). Files are split at row group boundaries.
  int64_t row_group_size = 122880;
  /// Parquet compression codec: "zstd", "snappy", "gzip" or "uncompressed".
  std::string compression = "zstd";
  /// The folder the files go to; empty: `<table location>/data`. Like the table location, it
  /// must be a location the FileIO stores on the local file system (FileIO::LocalPathOf).
  std::string data_location;
  /// Leave top-level columns that are the source of an identity partition field out of the
  /// files: their values live only in the partition tuples (as the `split` column of HF-backed
  /// tables). Readers fill such columns from the partition tuple.
  bool omit_identity_partition_columns = false;
  /// Annotate the Parquet columns with their Iceberg field ids. false: the files carry names
  /// only and readers map them through the table's name mapping, as files written by other
  /// tools (an HF dataset's own files) are read.
  bool write_field_ids = true;
};

/// The write options a table's properties ask for: write.target-file-size-bytes and
/// write.parquet.compression-codec (absent or malformed values keep the defaults).
WriteOptions WriteOptionsFromProperties(const std::map<std::string, std::string>& properties);

/// Parses a format name: "csv", "json", "ndjson", "jsonl", "parquet" (any case) or "auto".
/// Errors: InvalidArgument naming the accepted names.
Result<InputFormat> ParseInputFormat(std::string_view name);

/// Writes the rows of `source` as new Parquet data files of the table `metadata` describes,
/// under `<location>/data/<partition path>/<uuid>.parquet` (the partition path as
/// iceberg::PartitionPath gives it; options.data_location replaces `<location>/data`), and
/// returns them described as DataFiles of the default spec: path (the location as the table
/// sees it, e.g. hf://datasets/OWNER/REPO/... for a table of a mirrored catalog), size, metrics
/// from the written footer, and the partition tuple. An input without rows gives an empty list.
///
/// Input columns match table columns by name, ignoring case (VALUES match by position). Every
/// value is cast to its column's type; a column of the input that the table lacks, a missing
/// required column, a NULL in a required column or a value that does not convert fails the
/// whole call with one InvalidArgument naming the column and what to do. On any failure every
/// file written so far is deleted.
///
/// DuckDB writes the files on the local file system: at `io.LocalPathOf` of the data location
/// (a local path, or a mirrored location); `io` reads the written footers.
/// Errors: InvalidArgument as above and for a bad source or format; NotFound for a missing input
/// file; NotSupported for a data location `io` does not store locally, a partition transform
/// this version cannot write, or an omitted partition column inside a struct; IOError.
Result<std::vector<iceberg::DataFile>> WriteDataFiles(Connection& connection, io::FileIO& io,
                                                      const iceberg::TableMetadata& metadata,
                                                      const InsertSource& source,
                                                      const WriteOptions& options = {});

}  // namespace faceberg::engine
