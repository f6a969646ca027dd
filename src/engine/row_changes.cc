#include "engine/row_changes.h"

#include "engine/scan.h"
#include "engine/staging.h"
#include "iceberg/expression.h"
#include "table/row_delta.h"
#include "util/failpoint.h"
#include "util/strings.h"

namespace faceberg::engine {

using iceberg::DataFile;

namespace {

WriteOptions WriteOptionsOf(const iceberg::TableMetadata& metadata) {
  WriteOptions write;
  if (auto size = ParseInt64(metadata.Property("write.target-file-size-bytes", ""))) {
    if (*size > 0) write.target_file_size_bytes = *size;
  }
  std::string codec = ToLower(metadata.Property("write.parquet.compression-codec", "zstd"));
  if (!codec.empty()) write.compression = codec;
  return write;
}

int64_t Records(const std::vector<DataFile>& files) {
  int64_t n = 0;
  for (const auto& f : files) n += f.record_count();
  return n;
}

// Deletes the files written for a change that did not commit.
class WrittenFiles {
 public:
  explicit WrittenFiles(io::FileIO& io) : io_(io) {}
  ~WrittenFiles() {
    if (committed_) return;
    for (const auto& f : files_) (void)io_.DeleteFile(f.file_path);
  }
  WrittenFiles(const WrittenFiles&) = delete;
  WrittenFiles& operator=(const WrittenFiles&) = delete;

  void Add(const std::vector<DataFile>& files) {
    files_.insert(files_.end(), files.begin(), files.end());
  }
  const std::vector<DataFile>& files() const { return files_; }
  void Commit() { committed_ = true; }

 private:
  io::FileIO& io_;
  std::vector<DataFile> files_;
  bool committed_ = false;
};

}  // namespace

Result<RowChangeResult> ChangeRows(table::TableOperations& ops, Connection& connection,
                                   const RowChangeRequest& request) {
  ASSIGN_OR_RETURN(iceberg::TableMetadataPtr metadata, ops.Refresh());
  ASSIGN_OR_RETURN(table::RowFilterPlan plan,
                   table::PlanRowFilter(ops.io(), metadata, request.filter, request.branch));
  RowChangeResult result;
  result.files_untouched = plan.files_untouched;
  std::vector<DataFile> removed = plan.all_match;
  result.files_dropped = static_cast<int64_t>(plan.all_match.size());
  WrittenFiles written(ops.io());

  // Files that may hold matching rows: count the matches of each, keep those without any.
  // DuckDB reads local files only: remote ones are read from local copies.
  ASSIGN_OR_RETURN(StagedFiles staged, StageDataFiles(ops.io(), plan.partial));
  io::LocalFileIO local_io;
  io::FileIO& read_io = staged.staged > 0 ? local_io : ops.io();
  ASSIGN_OR_RETURN(std::string condition, iceberg::ToSql(*plan.filter, *plan.schema));
  const std::string matches = fmt::format("coalesce(({}), FALSE)", condition);
  std::vector<DataFile> to_rewrite;
  std::vector<DataFile> to_read;  // the local copies of to_rewrite
  for (size_t i = 0; i < plan.partial.size(); ++i) {
    ASSIGN_OR_RETURN(std::string relation,
                     ScanRelationSql(read_io, *metadata, *plan.schema, {staged.files[i]}, {}));
    ASSIGN_OR_RETURN(QueryResult counted,
                     connection.Query(fmt::format("SELECT count(*) FILTER (WHERE {}) FROM {} AS t",
                                                  matches, relation)));
    const bool any = !counted.rows.empty() && counted.rows[0][0] && *counted.rows[0][0] != "0";
    if (any) {
      to_rewrite.push_back(plan.partial[i]);
      to_read.push_back(staged.files[i]);
    } else {
      ++result.files_untouched;
    }
  }
  const WriteOptions write_options = WriteOptionsOf(*metadata);
  if (!to_rewrite.empty()) {
    ASSIGN_OR_RETURN(std::string relation,
                     ScanRelationSql(read_io, *metadata, *plan.schema, to_read, {}));
    const std::string kept_rows =
        fmt::format("SELECT * FROM {} AS t WHERE NOT {}", relation, matches);
    ASSIGN_OR_RETURN(auto rewritten, WriteDataFiles(connection, ops.io(), *metadata,
                                                    InsertSource::Query(kept_rows), write_options));
    written.Add(rewritten);
    result.files_rewritten = static_cast<int64_t>(to_rewrite.size());
    removed.insert(removed.end(), to_rewrite.begin(), to_rewrite.end());
  }
  result.rows_deleted = Records(removed) - Records(written.files());
  if (request.replacement) {
    ASSIGN_OR_RETURN(auto inserted, WriteDataFiles(connection, ops.io(), *metadata,
                                                   *request.replacement, write_options));
    result.rows_inserted = Records(inserted);
    written.Add(inserted);
  }
  result.files_added = static_cast<int64_t>(written.files().size());
  if (removed.empty() && written.files().empty()) return result;  // nothing matched
  FailPoint("after-data-files");

  table::RowDeltaOptions options;
  if (request.replacement) options.operation = "overwrite";
  ASSIGN_OR_RETURN(iceberg::Snapshot snapshot,
                   table::CommitRowDelta(ops, plan, removed, written.files(), options));
  written.Commit();
  result.snapshot = std::move(snapshot);
  return result;
}

}  // namespace faceberg::engine
