// Printing or saving the result of a query: an aligned text table for a terminal, CSV, JSON
// (one object per line) or Parquet. Rows are fetched and written a chunk at a time, so results
// larger than memory stream through.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "engine/database.h"
#include "util/result.h"

namespace faceberg::engine {

enum class OutputFormat {
  kTable,    // aligned columns with a header, for people; wide values are cut
  kCsv,      // RFC 4180 with a header row; NULL is an empty field, an empty string is ""
  kJson,     // one JSON object per row (NDJSON), nested values as JSON
  kParquet,  // needs an output file
};

struct OutputOptions {
  OutputFormat format = OutputFormat::kTable;
  /// The file to write; empty means `out`. A file appears only when the whole result was
  /// written (it is written under a temporary name and renamed).
  std::string output_path;
  /// Where output goes when output_path is empty; null means std::cout.
  std::ostream* out = nullptr;
  /// At most this many rows; nullopt for all.
  std::optional<int64_t> limit;
  /// Table format: values wider than this many characters are cut and end in "…"; 0 keeps
  /// them whole.
  int max_column_width = 40;
  /// Table format: column widths are measured on the first rows, up to this many; later wider
  /// values are cut to fit.
  int64_t width_sample_rows = 1000;
  /// Table format: print the "(N rows)" footer.
  bool row_count_footer = true;
};

/// Parses "table", "csv", "json" (or "ndjson", "jsonl") and "parquet", in any case.
/// Errors: InvalidArgument naming the accepted formats.
Result<OutputFormat> ParseOutputFormat(std::string_view name);

/// Runs the single statement `sql` on `connection` and writes its rows as `options` says.
/// Errors: InvalidArgument for SQL errors (DuckDB's message) and for parquet without an output
/// file; IOError when the output cannot be written; the query's errors (see Connection).
Status WriteQueryResult(Connection& connection, const std::string& sql,
                        const OutputOptions& options);

}  // namespace faceberg::engine
