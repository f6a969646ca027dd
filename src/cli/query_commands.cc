// insert, scan, sql: the commands that run DuckDB.
#include <fmt/format.h>

#include <iostream>
#include <optional>

#include "bridge/hf_insert.h"
#include "cli/context.h"
#include "engine/table_service.h"
#include "util/strings.h"
#include "util/time.h"

namespace faceberg::cli {

namespace {

struct OutputArgs {
  std::string format = "table";
  std::string output;
  int64_t limit = -1;
};

void AddOutputOptions(CLI::App* cmd, OutputArgs* args) {
  cmd->add_option("--format", args->format, "table, csv, json (one object per row) or parquet");
  cmd->add_option("--output", args->output, "write to this file instead of stdout");
  cmd->add_option("--limit", args->limit, "at most N rows")
      ->check(CLI::Validator(
          [](std::string& text) {
            return !text.empty() && text[0] == '-'
                       ? std::string("must be 0 or more (leave it out for every row)")
                       : std::string();
          },
          "N>=0"));
}

Result<engine::OutputOptions> ToOutputOptions(const OutputArgs& args) {
  engine::OutputOptions out;
  ASSIGN_OR_RETURN(out.format, engine::ParseOutputFormat(args.format));
  out.output_path = args.output;
  if (args.limit >= 0) out.limit = args.limit;
  if (out.format == engine::OutputFormat::kParquet && out.output_path.empty()) {
    return InvalidArgument("--format parquet needs --output FILE");
  }
  return out;
}

Result<std::unique_ptr<engine::Connection>> OpenEngine(std::unique_ptr<engine::Database>* db) {
  ASSIGN_OR_RETURN(*db, engine::Database::Open());
  return engine::Connection::Open(**db);
}

// ---- insert ----

struct InsertArgs {
  std::string table;
  std::vector<std::string> files;
  std::string values;
  std::string input_format = "auto";
  std::string branch = iceberg::kMainBranch;
};

// insert into an HF-backed table: the rows are committed into the dataset repo.
Status RunDatasetInsert(Context& ctx, const catalog::TableIdentifier& id,
                        table::TableOperations& ops, engine::Connection& connection,
                        const engine::InsertRequest& request) {
  if (request.branch != iceberg::kMainBranch) {
    return InvalidArgument(
        "table '{}' is backed by an HF dataset, whose inserts go to the main branch; leave out "
        "--branch",
        id.ToString());
  }
  ASSIGN_OR_RETURN(auto api, ctx.HubApi());
  bridge::DatasetInsertOptions options;
  options.id = id;
  ASSIGN_OR_RETURN(bridge::DatasetInsertResult result,
                   bridge::InsertIntoDatasetTable(ops, connection, *api, request.source, options));
  const iceberg::Snapshot& snapshot = result.snapshot;
  if (ctx.options().json) {
    OrderedJson files = OrderedJson::array();
    for (const auto& f : result.files) {
      files.push_back(OrderedJson{{"path", f.path}, {"split", f.split}, {"rows", f.rows}});
    }
    ctx.PrintJson(OrderedJson{{"table", id.ToString()},
                              {"snapshot-id", snapshot.snapshot_id},
                              {"added-data-files", snapshot.SummaryInt("added-data-files")},
                              {"added-records", snapshot.SummaryInt("added-records")},
                              {"repo", result.repo},
                              {"commit", result.commit},
                              {"files", files}});
    return Status::OK();
  }
  std::vector<std::string> paths;
  for (const auto& f : result.files) paths.push_back(f.path);
  ctx.Print(fmt::format("inserted {} rows into {} (snapshot {}); {} commit {}: {}", result.rows,
                        id.ToString(), snapshot.snapshot_id, result.repo,
                        result.commit.substr(0, 8), Join(paths, ", ")));
  return Status::OK();
}

Status RunInsert(Context& ctx, const InsertArgs& args) {
  if (args.files.empty() == args.values.empty()) {
    return InvalidArgument(
        "give input files or --values \"(1, 'a'), (2, 'b')\", not both or neither");
  }
  ASSIGN_OR_RETURN(auto id, catalog::ParseTableIdentifier(args.table));
  ASSIGN_OR_RETURN(auto catalog, ctx.OpenCatalog());
  ASSIGN_OR_RETURN(auto ops, catalog->LoadTable(id));
  engine::InsertRequest request;
  if (!args.values.empty()) {
    request.source = engine::InsertSource::Values(args.values);
  } else {
    ASSIGN_OR_RETURN(auto format, engine::ParseInputFormat(args.input_format));
    request.source = engine::InsertSource::Files(args.files, format);
  }
  request.branch = args.branch;
  ASSIGN_OR_RETURN(iceberg::TableMetadataPtr metadata, ops->Refresh());
  std::unique_ptr<engine::Database> db;
  ASSIGN_OR_RETURN(auto connection, OpenEngine(&db));
  if (bridge::IsDatasetTable(*metadata)) {
    return RunDatasetInsert(ctx, id, *ops, *connection, request);
  }
  ASSIGN_OR_RETURN(iceberg::Snapshot snapshot, engine::InsertRows(*ops, *connection, request));
  if (ctx.options().json) {
    ctx.PrintJson(OrderedJson{{"table", id.ToString()},
                              {"snapshot-id", snapshot.snapshot_id},
                              {"added-data-files", snapshot.SummaryInt("added-data-files")},
                              {"added-records", snapshot.SummaryInt("added-records")}});
  } else {
    ctx.Print(fmt::format("inserted {} rows into {} ({} files, snapshot {})",
                          snapshot.SummaryInt("added-records"), id.ToString(),
                          snapshot.SummaryInt("added-data-files"), snapshot.snapshot_id));
  }
  return Status::OK();
}

// ---- scan ----

struct ScanArgs {
  std::string table;
  std::string select;
  std::string where;
  int64_t snapshot = 0;
  std::string as_of;
  std::string ref;
  bool explain = false;
  OutputArgs output;
};

Status RunScan(Context& ctx, const ScanArgs& args) {
  ASSIGN_OR_RETURN(LoadedTable t, LoadTableOrFile(ctx, args.table));
  table::ScanOptions options;
  int selectors = (args.snapshot != 0) + !args.as_of.empty() + !args.ref.empty();
  PRECHECK(selectors <= 1, "use only one of --snapshot, --as-of and --ref");
  if (args.snapshot != 0) options.snapshot_id = args.snapshot;
  if (!args.as_of.empty()) {
    ASSIGN_OR_RETURN(options.as_of_ms, ParseTimeMillis(args.as_of));
  }
  if (!args.ref.empty()) options.ref = args.ref;
  options.filter = args.where;
  if (!args.select.empty()) {
    for (const auto& c : Split(args.select, ',')) options.columns.push_back(std::string(Trim(c)));
  }
  ASSIGN_OR_RETURN(engine::OutputOptions output, ToOutputOptions(args.output));
  io::FileIO& io = ctx.io();
  ASSIGN_OR_RETURN(engine::PlannedScan planned, engine::PlanTableScan(io, *t.metadata, options));
  const auto& c = planned.plan.counters;
  if (args.explain) {
    OrderedJson j;
    j["snapshot-id"] =
        planned.plan.snapshot ? OrderedJson(planned.plan.snapshot->snapshot_id) : OrderedJson();
    j["planning-ms"] = planned.planning_ms;
    j["manifests-total"] = c.manifests_total;
    j["manifests-read"] = c.manifests_read;
    j["manifests-skipped"] = c.manifests_skipped;
    j["files-total"] = c.files_total;
    j["files-planned"] = static_cast<int64_t>(planned.plan.files.size());
    j["files-skipped-by-partition"] = c.files_skipped_by_partition;
    j["files-skipped-by-metrics"] = c.files_skipped_by_metrics;
    j["filter"] = iceberg::ToString(*planned.plan.filter);
    j["sql"] = planned.sql;
    if (ctx.options().json) {
      ctx.PrintJson(j);
    } else {
      for (auto it = j.begin(); it != j.end(); ++it) {
        ctx.Print(fmt::format("{:<28} {}", it.key(),
                              it->is_string() ? it->get<std::string>() : it->dump()));
      }
    }
    return Status::OK();
  }
  if (ctx.options().verbose) {
    std::cerr << fmt::format("planned {} of {} files ({} manifests read) in {:.1f} ms\n",
                             planned.plan.files.size(), c.files_total, c.manifests_read,
                             planned.planning_ms);
  }
  std::unique_ptr<engine::Database> db;
  ASSIGN_OR_RETURN(auto connection, OpenEngine(&db));
  return engine::WriteQueryResult(*connection, planned.sql, output);
}

// ---- sql ----

Status RunSql(Context& ctx, const std::string& sql, const OutputArgs& output_args) {
  ASSIGN_OR_RETURN(engine::OutputOptions output, ToOutputOptions(output_args));
  ASSIGN_OR_RETURN(auto catalog, ctx.OpenCatalog());
  std::unique_ptr<engine::Database> db;
  ASSIGN_OR_RETURN(auto connection, OpenEngine(&db));
  return engine::RunCatalogSql(*catalog, ctx.io(), *connection, sql, output);
}

}  // namespace

void RegisterQueryCommands(CLI::App& app, std::vector<std::pair<CLI::App*, CommandRunner>>* out) {
  auto insert_args = std::make_shared<InsertArgs>();
  auto* insert = app.add_subcommand("insert",
                                    "append rows from CSV, JSON/NDJSON or Parquet files, "
                                    "or from --values");
  insert->add_option("table", insert_args->table, "the table")->required();
  insert->add_option("files", insert_args->files, "input files");
  insert->add_option("--values", insert_args->values, "rows as SQL tuples: \"(1, 'a'), (2, 'b')\"");
  insert->add_option("--input-format", insert_args->input_format,
                     "csv, json, ndjson or parquet (default: from the file extension)");
  insert->add_option("--branch", insert_args->branch, "commit to this branch (default main)");
  insert->footer(
      "Into a table made from an HF dataset, the rows become new Parquet files of the dataset,\n"
      "committed to its repo in one Hub commit (each row's split column picks its split).\n"
      "Example: faceberg insert db.events events.csv\n"
      "         faceberg insert db.events --values \"(1, 'a'), (2, 'b')\"");
  out->emplace_back(insert, [insert_args](Context& ctx) { return RunInsert(ctx, *insert_args); });

  auto scan_args = std::make_shared<ScanArgs>();
  auto* scan = app.add_subcommand("scan", "read rows of a table at any snapshot");
  scan->add_option("table", scan_args->table, "the table, or a metadata .json file")->required();
  scan->add_option("--select", scan_args->select, "columns, comma-separated");
  scan->add_option("--where", scan_args->where,
                   "filter, e.g. \"split = 'train' AND id >= 10 AND name IS NOT NULL\"");
  scan->add_option("--snapshot", scan_args->snapshot, "read this snapshot id");
  scan->add_option("--as-of", scan_args->as_of,
                   "read the snapshot current at this time "
                   "(ISO-8601 or epoch ms)");
  scan->add_option("--ref", scan_args->ref, "read this branch or tag");
  scan->add_flag("--explain", scan_args->explain, "show the plan (files, pruning, timing) instead");
  AddOutputOptions(scan, &scan_args->output);
  scan->footer(
      "Example: faceberg scan db.events --where \"day = '2026-01-31'\" --format csv --limit 10");
  out->emplace_back(scan, [scan_args](Context& ctx) { return RunScan(ctx, *scan_args); });

  auto sql_text = std::make_shared<std::string>();
  auto sql_output = std::make_shared<OutputArgs>();
  auto* sql = app.add_subcommand("sql",
                                 "run DuckDB SQL over catalog tables (ns.table, "
                                 "ns.table@SNAPSHOT_ID, ns.table@'TIME')");
  sql->add_option("query", *sql_text, "the SQL")->required();
  AddOutputOptions(sql, sql_output.get());
  sql->footer("Example: faceberg sql \"SELECT split, count(*) FROM db.events GROUP BY split\"");
  out->emplace_back(
      sql, [sql_text, sql_output](Context& ctx) { return RunSql(ctx, *sql_text, *sql_output); });
}

}  // namespace faceberg::cli
