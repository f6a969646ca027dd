#include "engine/table_service.h"

#include <chrono>
#include <map>
#include <set>

#include "engine/scan.h"
#include "engine/sql.h"
#include "engine/staging.h"
#include "iceberg/expression.h"
#include "table/append.h"
#include "util/failpoint.h"
#include "util/strings.h"
#include "util/time.h"

namespace faceberg::engine {

Result<iceberg::Snapshot> InsertRows(table::TableOperations& ops, Connection& connection,
                                     const InsertRequest& request) {
  ASSIGN_OR_RETURN(iceberg::TableMetadataPtr metadata, ops.Refresh());
  if (request.branch != iceberg::kMainBranch && !metadata->refs.count(request.branch)) {
    return NotFound("branch '{}' does not exist: create it with 'faceberg branch TABLE {}'",
                    request.branch, request.branch);
  }
  const WriteOptions write = WriteOptionsFromProperties(metadata->properties);
  ASSIGN_OR_RETURN(auto files,
                   WriteDataFiles(connection, ops.io(), *metadata, request.source, write));
  if (files.empty()) return InvalidArgument("the input has no rows; nothing was inserted");
  FailPoint("after-data-files");
  table::AppendOptions append;
  append.branch = request.branch;
  auto snapshot = table::AppendFiles(ops, files, append);
  if (!snapshot.ok()) {
    for (const auto& f : files) (void)ops.io().DeleteFile(f.file_path);
  }
  return snapshot;
}

Result<PlannedScan> PlanTableScan(io::FileIO& io, const iceberg::TableMetadata& metadata,
                                  const table::ScanOptions& options) {
  PlannedScan out;
  auto start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(out.plan, table::PlanScan(io, metadata, options));
  out.planning_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  // DuckDB reads local files only: remote data files are read from local copies.
  ASSIGN_OR_RETURN(StagedFiles staged, StageDataFiles(io, out.plan.files));
  io::LocalFileIO local_io;
  io::FileIO& footer_io = staged.staged > 0 ? local_io : io;
  // Read every column the filter needs too; project afterwards.
  ASSIGN_OR_RETURN(std::string relation,
                   ScanRelationSql(footer_io, metadata, *out.plan.schema, staged.files, {}));
  std::string select = "*";
  if (!out.plan.columns.empty()) {
    std::vector<std::string> quoted;
    for (const auto& c : out.plan.columns) {
      std::vector<std::string> parts;
      for (const auto& p : Split(c, '.')) parts.push_back(QuoteIdentifier(p));
      quoted.push_back(Join(parts, "."));
    }
    select = Join(quoted, ", ");
  }
  ASSIGN_OR_RETURN(std::string where, iceberg::ToSql(*out.plan.filter, *out.plan.schema));
  out.sql = fmt::format("SELECT {} FROM {} AS t", select, relation);
  if (!where.empty() && where != "TRUE" && where != "true") out.sql += " WHERE " + where;
  return out;
}

// ---- SQL over the catalog ----

namespace {

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }

}  // namespace

std::vector<TableReference> FindTableReferences(const std::string& sql) {
  std::vector<TableReference> refs;
  size_t i = 0;
  const size_t n = sql.size();
  while (i < n) {
    char c = sql[i];
    if (c == '\'' || c == '"') {  // skip quoted text ('' and "" escape themselves)
      size_t j = i + 1;
      while (j < n && sql[j] != c) ++j;
      i = j + 1;
      continue;
    }
    if (c == '-' && i + 1 < n && sql[i + 1] == '-') {  // line comment
      while (i < n && sql[i] != '\n') ++i;
      continue;
    }
    if (c == '/' && i + 1 < n && sql[i + 1] == '*') {  // block comment
      size_t end = sql.find("*/", i + 2);
      i = end == std::string::npos ? n : end + 2;
      continue;
    }
    bool boundary = i == 0 || (!IsIdentChar(sql[i - 1]) && sql[i - 1] != '.');
    if (!IsIdentStart(c) || !boundary) {
      ++i;
      continue;
    }
    // A dotted name: ident(.ident)+
    size_t j = i;
    std::vector<std::string> parts;
    while (true) {
      size_t s = j;
      while (j < n && IsIdentChar(sql[j])) ++j;
      parts.push_back(sql.substr(s, j - s));
      if (j + 1 < n && sql[j] == '.' && IsIdentStart(sql[j + 1])) {
        ++j;
        continue;
      }
      break;
    }
    if (parts.size() < 2) {
      i = j;
      continue;
    }
    TableReference ref;
    ref.begin = i;
    ref.table = parts.back();
    parts.pop_back();
    ref.ns = Join(parts, ".");
    if (j < n && sql[j] == '@') {
      size_t k = j + 1;
      if (k < n && sql[k] == '\'') {
        size_t close = sql.find('\'', k + 1);
        if (close != std::string::npos) {
          ref.at = sql.substr(k + 1, close - k - 1);
          ref.at_is_time = true;
          j = close + 1;
        }
      } else {
        size_t s = k;
        while (k < n && std::isdigit(static_cast<unsigned char>(sql[k]))) ++k;
        if (k > s) {
          ref.at = sql.substr(s, k - s);
          j = k;
        }
      }
    }
    ref.end = j;
    refs.push_back(std::move(ref));
    i = j;
  }
  return refs;
}

Status RunCatalogSql(catalog::Catalog& catalog, io::FileIO& io, Connection& connection,
                     const std::string& sql, const OutputOptions& output) {
  ASSIGN_OR_RETURN(auto tables, catalog.ListTables(""));
  std::set<std::string> known;
  for (const auto& t : tables) known.insert(t.ToString());
  std::string rewritten;
  size_t copied = 0;
  std::set<std::string> created;
  for (const auto& ref : FindTableReferences(sql)) {
    std::string name = ref.ns + "." + ref.table;
    if (!known.count(name)) {
      if (ref.at) {
        return NotFound("table '{}' does not exist: run 'faceberg list' to see the tables", name);
      }
      continue;  // a column, a function, a DuckDB object: leave it alone
    }
    std::string view = ref.at ? ref.table + "@" + *ref.at : ref.table;
    std::string key = ref.ns + "\x1f" + view;
    if (!created.count(key)) {
      ASSIGN_OR_RETURN(auto id, catalog::ParseTableIdentifier(name));
      ASSIGN_OR_RETURN(auto ops, catalog.LoadTable(id));
      ASSIGN_OR_RETURN(auto metadata, ops->Refresh());
      table::ScanOptions options;
      if (ref.at && ref.at_is_time) {
        ASSIGN_OR_RETURN(options.as_of_ms, ParseTimeMillis(*ref.at));
      } else if (ref.at) {
        auto id_value = ParseInt64(*ref.at);
        PRECHECK(id_value.has_value(), "'{}' is not a snapshot id", *ref.at);
        options.snapshot_id = *id_value;
      }
      auto planned = PlanTableScan(io, *metadata, options);
      if (!planned.ok()) return planned.status().WithContext(name);
      RETURN_IF_ERROR(connection.Execute("CREATE SCHEMA IF NOT EXISTS " + QuoteIdentifier(ref.ns)));
      RETURN_IF_ERROR(connection.Execute(fmt::format("CREATE OR REPLACE VIEW {}.{} AS {}",
                                                     QuoteIdentifier(ref.ns), QuoteIdentifier(view),
                                                     planned->sql)));
      created.insert(key);
    }
    rewritten += sql.substr(copied, ref.begin - copied);
    rewritten += QuoteIdentifier(ref.ns) + "." + QuoteIdentifier(view);
    copied = ref.end;
  }
  rewritten += sql.substr(copied);
  return WriteQueryResult(connection, rewritten, output);
}

}  // namespace faceberg::engine
