// The table operations that need DuckDB, as the CLI and the REST server call them: insert rows,
// scan a table (any snapshot) to an output, and run SQL in which catalog tables are visible by
// name, "ns.table@SNAPSHOT_ID" and "ns.table@'TIME'" naming older snapshots.
#pragma once

#include <optional>
#include <string>

#include "catalog/catalog.h"
#include "engine/database.h"
#include "engine/output.h"
#include "engine/writer.h"
#include "iceberg/snapshot.h"
#include "table/scan.h"

namespace faceberg::engine {

struct InsertRequest {
  InsertSource source;
  /// The branch receiving the snapshot (it must exist, except main).
  std::string branch = iceberg::kMainBranch;
};

/// Writes the rows of `request.source` as Parquet data files of `ops`' table (cast to its
/// current schema, fanned out to partitions; the write options from its properties) and commits
/// one append snapshot, retrying a lost race on the new base. The table's location must be
/// stored locally by ops.io() (a local folder, or the mirror of an hf:// catalog). Data files
/// written by a failed insert are deleted.
/// Errors: InvalidArgument (input that does not match the schema, naming the column), NotFound
/// (input file, branch), NotSupported (a remote table location), Conflict after the retries,
/// IOError.
Result<iceberg::Snapshot> InsertRows(table::TableOperations& ops, Connection& connection,
                                     const InsertRequest& request);

struct PlannedScan {
  table::ScanPlan plan;
  /// Wall time of planning (reading the manifest list and manifests).
  double planning_ms = 0;
  /// The DuckDB query producing the plan's rows (projection and residual filter applied).
  std::string sql;
};

/// Plans a scan of `metadata` and builds the query that reads it. Planned data files with a
/// scheme other than file:// (hf://) are first copied into the local cache through `io`
/// (engine/staging.h), and the query reads the copies; `plan.files` keeps the table's locations.
/// Errors: those of table::PlanScan, engine::StageDataFiles and engine::ScanRelationSql.
Result<PlannedScan> PlanTableScan(io::FileIO& io, const iceberg::TableMetadata& metadata,
                                  const table::ScanOptions& options);

/// Runs `sql` with the catalog's tables visible. "ns.table" reads the current snapshot,
/// "ns.table@123" snapshot 123, "ns.table@'2026-01-31T12:00:00Z'" the snapshot current then.
/// Only tables the text mentions are planned.
/// Errors: InvalidArgument (SQL errors, bad snapshot references), NotFound.
Status RunCatalogSql(catalog::Catalog& catalog, io::FileIO& io, Connection& connection,
                     const std::string& sql, const OutputOptions& output);

/// The references to catalog tables in `sql` (outside quotes and comments), for RunCatalogSql.
struct TableReference {
  size_t begin = 0;  // byte range of the reference in the SQL text
  size_t end = 0;
  std::string ns;
  std::string table;
  std::optional<std::string> at;  // text after '@': digits, or the time inside the quotes
  bool at_is_time = false;
};
std::vector<TableReference> FindTableReferences(const std::string& sql);

}  // namespace faceberg::engine
