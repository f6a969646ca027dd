// create, add-files, snapshots, inspect: commands on one table.
#include <fmt/format.h>

#include "catalog/catalog.h"
#include "catalog/file_table_operations.h"
#include "cli/context.h"
#include "iceberg/partition_spec.h"
#include "iceberg/single_value.h"
#include "table/add_files.h"
#include "table/append.h"
#include "util/strings.h"
#include "util/time.h"

namespace faceberg::cli {

namespace {

struct CreateArgs {
  std::vector<std::string> tables;
  std::string schema;
  std::string partition_by;
  std::vector<std::string> properties;
  int format_version = 2;
};

Result<std::map<std::string, std::string>> ParseProperties(const std::vector<std::string>& kvs) {
  std::map<std::string, std::string> out;
  for (const auto& kv : kvs) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      return InvalidArgument("property '{}' must be written key=value", kv);
    }
    out[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return out;
}

Status RunCreate(Context& ctx, const CreateArgs& args) {
  if (args.schema.empty()) {
    if (!args.partition_by.empty() || !args.properties.empty()) {
      return InvalidArgument(
          "--partition-by and --property make a plain table and need --schema, e.g. --schema "
          "\"id long not null, name string\"");
    }
    return RunCreateDatasetTables(ctx, args.tables);
  }
  if (args.tables.size() != 1) {
    return InvalidArgument("usage: create TABLE --schema \"...\" makes one plain table; got {}",
                           args.tables.size());
  }
  ASSIGN_OR_RETURN(auto id, catalog::ParseTableIdentifier(args.tables[0]));
  ASSIGN_OR_RETURN(auto schema, iceberg::ParseSchemaString(args.schema));
  ASSIGN_OR_RETURN(auto spec, iceberg::ParsePartitionSpecString(args.partition_by, *schema));
  ASSIGN_OR_RETURN(auto properties, ParseProperties(args.properties));
  ASSIGN_OR_RETURN(auto catalog, ctx.OpenCatalog());
  catalog::CreateTableOptions options;
  options.schema = schema;
  options.spec = std::make_shared<const iceberg::PartitionSpec>(std::move(spec));
  options.properties = std::move(properties);
  options.format_version = args.format_version;
  ASSIGN_OR_RETURN(auto md, catalog->CreateTable(id, options));
  if (ctx.options().json) {
    ctx.PrintJson(OrderedJson{
        {"table", id.ToString()}, {"location", md->location}, {"table-uuid", md->table_uuid}});
  } else {
    ctx.Print(fmt::format("created {} at {}", id.ToString(), md->location));
  }
  return Status::OK();
}

Status RunAddFiles(Context& ctx, const std::string& table, const std::vector<std::string>& paths) {
  ASSIGN_OR_RETURN(auto id, catalog::ParseTableIdentifier(table));
  ASSIGN_OR_RETURN(auto catalog, ctx.OpenCatalog());
  ASSIGN_OR_RETURN(auto ops, catalog->LoadTable(id));
  ASSIGN_OR_RETURN(iceberg::Snapshot snapshot, table::AddParquetFiles(*ops, paths));
  if (ctx.options().json) {
    ctx.PrintJson(OrderedJson{{"table", id.ToString()},
                              {"snapshot-id", snapshot.snapshot_id},
                              {"added-data-files", snapshot.SummaryInt("added-data-files")},
                              {"added-records", snapshot.SummaryInt("added-records")}});
  } else {
    ctx.Print(fmt::format(
        "added {} files ({} rows) to {} as snapshot {}", snapshot.SummaryInt("added-data-files"),
        snapshot.SummaryInt("added-records"), id.ToString(), snapshot.snapshot_id));
  }
  return Status::OK();
}

OrderedJson SnapshotJson(const iceberg::Snapshot& s) {
  OrderedJson j;
  j["snapshot-id"] = s.snapshot_id;
  j["parent-snapshot-id"] =
      s.parent_snapshot_id ? OrderedJson(*s.parent_snapshot_id) : OrderedJson();
  j["sequence-number"] = s.sequence_number;
  j["timestamp-ms"] = s.timestamp_ms;
  j["timestamp"] = FormatMillisUtc(s.timestamp_ms);
  j["operation"] = s.operation();
  j["summary"] = s.summary;
  j["manifest-list"] = s.manifest_list;
  return j;
}

Status RunSnapshots(Context& ctx, const std::string& table) {
  ASSIGN_OR_RETURN(LoadedTable t, LoadTableOrFile(ctx, table));
  const auto& md = *t.metadata;
  if (ctx.options().json) {
    OrderedJson rows = OrderedJson::array();
    for (const auto& s : md.snapshots) {
      OrderedJson j = SnapshotJson(s);
      j["current"] = md.current_snapshot_id == s.snapshot_id;
      rows.push_back(std::move(j));
    }
    ctx.PrintJson(OrderedJson{{"snapshots", rows}});
    return Status::OK();
  }
  ctx.Print(fmt::format("{:<20} {:<20} {:<25} {:<10} {:>10} {:>12}", "SNAPSHOT", "PARENT", "TIME",
                        "OPERATION", "FILES", "ROWS"));
  // A writer may leave the totals out of the summary (DuckDB does): show "-", not 0.
  auto total = [](const iceberg::Snapshot& s, const char* key) {
    return s.summary.count(key) ? std::to_string(s.SummaryInt(key)) : std::string("-");
  };
  for (const auto& s : md.snapshots) {
    ctx.Print(fmt::format("{:<20} {:<20} {:<25} {:<10} {:>10} {:>12}{}", s.snapshot_id,
                          s.parent_snapshot_id ? std::to_string(*s.parent_snapshot_id) : "-",
                          FormatMillisUtc(s.timestamp_ms), s.operation(),
                          total(s, iceberg::summary::kTotalDataFiles),
                          total(s, iceberg::summary::kTotalRecords),
                          md.current_snapshot_id == s.snapshot_id ? "  (current)" : ""));
  }
  return Status::OK();
}

// {"1": 10, "2": 3}: field-id keyed counts as a JSON object.
OrderedJson IdMapJson(const std::map<int32_t, int64_t>& m) {
  OrderedJson out = OrderedJson::object();
  for (const auto& [k, v] : m) out[std::to_string(k)] = v;
  return out;
}

// A full dump of metadata and every snapshot's live data files, for debugging and interop tests.
Status RunInspect(Context& ctx, const std::string& target) {
  ASSIGN_OR_RETURN(LoadedTable t, LoadTableOrFile(ctx, target));
  const auto& md = *t.metadata;
  io::FileIO& io = ctx.io();
  OrderedJson out;
  out["format-version"] = md.format_version;
  out["table-uuid"] = md.table_uuid;
  out["location"] = md.location;
  out["current-snapshot-id"] =
      md.current_snapshot_id ? OrderedJson(*md.current_snapshot_id) : OrderedJson();
  out["schema"] = OrderedJson::parse(iceberg::SchemaToJson(*md.CurrentSchema()).dump());
  out["partition-spec"] =
      OrderedJson::parse(iceberg::PartitionSpecToJson(*md.DefaultSpec()).dump());
  out["properties"] = md.properties;
  OrderedJson snapshots = OrderedJson::array();
  for (const auto& s : md.snapshots) {
    OrderedJson js = SnapshotJson(s);
    ASSIGN_OR_RETURN(auto files, table::LiveDataFiles(io, md, s));
    OrderedJson jf = OrderedJson::array();
    for (const auto& f : files) {
      OrderedJson file;
      file["file-path"] = f.file_path;
      file["file-format"] = f.file_format;
      file["record-count"] = f.record_count();
      file["file-size-in-bytes"] = f.file_size_in_bytes;
      file["spec-id"] = f.spec_id;
      OrderedJson partition = OrderedJson::object();
      auto spec = md.SpecById(f.spec_id);
      ASSIGN_OR_RETURN(auto ptype, iceberg::PartitionType(*spec, *md.CurrentSchema()));
      for (size_t i = 0; i < f.partition.size() && i < ptype->fields().size(); ++i) {
        const auto& pf = ptype->fields()[i];
        ASSIGN_OR_RETURN(Json v, iceberg::ValueToJson(f.partition[i], *pf.type));
        partition[pf.name] = OrderedJson::parse(v.dump());
      }
      file["partition"] = std::move(partition);
      file["value-counts"] = IdMapJson(f.metrics.value_counts);
      file["null-value-counts"] = IdMapJson(f.metrics.null_value_counts);
      jf.push_back(std::move(file));
    }
    js["data-files"] = std::move(jf);
    snapshots.push_back(std::move(js));
  }
  out["snapshots"] = std::move(snapshots);
  ctx.PrintJson(out);
  return Status::OK();
}

}  // namespace

void RegisterTableCommands(CLI::App& app, std::vector<std::pair<CLI::App*, CommandRunner>>* out) {
  auto create_args = std::make_shared<CreateArgs>();
  auto* create = app.add_subcommand(
      "create", "create tables for the datasets of faceberg.yml, or a plain table with --schema");
  create->add_option("tables", create_args->tables,
                     "tables (ns.table or table); without --schema: tables of faceberg.yml "
                     "(all when none is named)");
  create->add_option("--schema", create_args->schema,
                     "columns, e.g. \"id long not null, name string, ts timestamptz\"");
  create->add_option("--partition-by", create_args->partition_by,
                     "partition fields, e.g. \"day(ts), bucket(16, id)\"");
  create->add_option("--property", create_args->properties, "table property key=value");
  create->add_option("--format-version", create_args->format_version, "Iceberg format version")
      ->check(CLI::Range(1, 2));
  create->footer(
      "Examples:\n  faceberg create                      # every dataset config of "
      "faceberg.yml\n  faceberg create dataset1_config1\n"
      "  faceberg create events --schema \"id long not null, ts timestamptz\" "
      "--partition-by \"day(ts)\"");
  out->emplace_back(create, [create_args](Context& ctx) { return RunCreate(ctx, *create_args); });

  auto table = std::make_shared<std::string>();
  auto paths = std::make_shared<std::vector<std::string>>();
  auto* add_files = app.add_subcommand("add-files", "register existing Parquet files (no copy)");
  add_files->add_option("table", *table, "the table")->required();
  add_files->add_option("paths", *paths, "Parquet files")->required();
  add_files->footer("Example: faceberg add-files events data/part-0.parquet data/part-1.parquet");
  out->emplace_back(add_files,
                    [table, paths](Context& ctx) { return RunAddFiles(ctx, *table, *paths); });

  auto snapshots_table = std::make_shared<std::string>();
  auto* snapshots = app.add_subcommand("snapshots", "list a table's snapshots");
  snapshots->add_option("table", *snapshots_table, "the table or a metadata .json file")
      ->required();
  snapshots->footer("Example: faceberg snapshots events --json");
  out->emplace_back(
      snapshots, [snapshots_table](Context& ctx) { return RunSnapshots(ctx, *snapshots_table); });

  auto inspect_target = std::make_shared<std::string>();
  auto* inspect = app.add_subcommand(
      "inspect", "dump metadata and every snapshot's data files as JSON (for debugging)");
  inspect->add_option("target", *inspect_target, "a table or a metadata .json file")->required();
  inspect->footer("Example: faceberg inspect warehouse/db/t/metadata/v3.metadata.json");
  out->emplace_back(inspect,
                    [inspect_target](Context& ctx) { return RunInspect(ctx, *inspect_target); });
}

}  // namespace faceberg::cli
