// schema, alter, rollback, expire, orphans, diff, delete, overwrite: evolving a table's schema,
// managing its snapshots and changing rows. Each parses, calls one library function, and prints.
#include <fmt/format.h>

#include <functional>
#include <map>
#include <optional>
#include <set>

#include "cli/context.h"
#include "engine/row_changes.h"
#include "table/diff.h"
#include "table/expire.h"
#include "table/orphans.h"
#include "table/schema_update.h"
#include "table/snapshot_ops.h"
#include "util/strings.h"
#include "util/time.h"

namespace faceberg::cli {

namespace {

OrderedJson ToOrdered(const Json& j) { return OrderedJson::parse(j.dump()); }

// A catalog table (metadata files named directly are read-only).
Result<LoadedTable> LoadWritableTable(Context& ctx, const std::string& name, const char* what) {
  ASSIGN_OR_RETURN(LoadedTable t, LoadTableOrFile(ctx, name));
  if (!t.catalog) return InvalidArgument("{} needs a catalog table, not a metadata file", what);
  return t;
}

void PrintSchema(Context& ctx, const iceberg::Schema& schema) {
  for (const auto& line : Split(schema.ToString(), '\n')) {
    if (!line.empty()) ctx.Print("  " + line);
  }
}

Result<std::unique_ptr<engine::Connection>> OpenEngine(std::unique_ptr<engine::Database>* db) {
  ASSIGN_OR_RETURN(*db, engine::Database::Open());
  return engine::Connection::Open(**db);
}

// ---- schema ----

struct SchemaArgs {
  std::string table;
  int64_t snapshot = 0;
  std::string as_of;
};

Status RunSchema(Context& ctx, const SchemaArgs& args) {
  ASSIGN_OR_RETURN(LoadedTable t, LoadTableOrFile(ctx, args.table));
  std::optional<int64_t> snapshot_id, as_of;
  if (args.snapshot != 0) snapshot_id = args.snapshot;
  if (!args.as_of.empty()) {
    ASSIGN_OR_RETURN(as_of, ParseTimeMillis(args.as_of));
  }
  ASSIGN_OR_RETURN(iceberg::SchemaPtr schema, table::SchemaAt(*t.metadata, snapshot_id, as_of));
  const bool current = schema->schema_id() == t.metadata->current_schema_id;
  if (ctx.options().json) {
    OrderedJson j;
    j["table"] = t.catalog ? t.id.ToString() : args.table;
    j["schema-id"] = schema->schema_id();
    j["current"] = current;
    j["schema"] = ToOrdered(iceberg::SchemaToJson(*schema));
    ctx.PrintJson(j);
    return Status::OK();
  }
  ctx.Print(fmt::format("schema {}{}:", schema->schema_id(), current ? " (current)" : ""));
  PrintSchema(ctx, *schema);
  return Status::OK();
}

// ---- alter ----

struct AlterArgs {
  std::string table;
  std::string action;
  std::vector<std::string> words;
  std::string after;
  bool first = false;
  bool required = false;
  std::string default_value;
  bool has_default = false;
  std::string type;
  bool optional = false;
  std::string doc;
};

constexpr const char* kAlterUsage =
    "usage: faceberg alter TABLE add-column NAME TYPE [--after C | --first] [--required] | "
    "rename-column OLD NEW | drop-column NAME | update-column NAME [--type T] [--optional] "
    "[--after C | --first]";

Result<table::ColumnPosition> PositionOf(const AlterArgs& args) {
  PRECHECK(!(args.first && !args.after.empty()), "use --after or --first, not both");
  if (args.first) return table::ColumnPosition::First();
  if (!args.after.empty()) return table::ColumnPosition::After(args.after);
  return table::ColumnPosition::Last();
}

Status RunAlter(Context& ctx, const AlterArgs& args) {
  auto expect_words = [&](size_t n) -> Status {
    if (args.words.size() != n) return InvalidArgument("{}", kAlterUsage);
    return Status::OK();
  };
  const std::string& action = args.action;
  ASSIGN_OR_RETURN(table::ColumnPosition position, PositionOf(args));
  const bool moves = position.kind != table::ColumnPosition::Kind::kLast;
  std::function<Status(table::SchemaUpdate&)> build;
  std::string done;
  if (action == "add-column") {
    RETURN_IF_ERROR(expect_words(2));
    PRECHECK(!args.optional, "--optional is for update-column; added columns are optional");
    ASSIGN_OR_RETURN(iceberg::TypePtr type, table::ParseColumnType(args.words[1]));
    table::AddColumnOptions options;
    options.required = args.required;
    if (args.has_default) options.default_value = args.default_value;
    options.doc = args.doc;
    options.position = position;
    build = [=](table::SchemaUpdate& u) { return u.AddColumn(args.words[0], type, options); };
    done = fmt::format("added column {} ({})", args.words[0], type->ToString());
  } else if (action == "rename-column") {
    RETURN_IF_ERROR(expect_words(2));
    PRECHECK(!moves && !args.required && args.type.empty() && !args.optional,
             "rename-column takes only OLD and NEW");
    build = [&](table::SchemaUpdate& u) { return u.RenameColumn(args.words[0], args.words[1]); };
    done = fmt::format("renamed column {} to {}", args.words[0], args.words[1]);
  } else if (action == "drop-column") {
    RETURN_IF_ERROR(expect_words(1));
    PRECHECK(!moves && !args.required && args.type.empty() && !args.optional,
             "drop-column takes only NAME");
    build = [&](table::SchemaUpdate& u) { return u.DropColumn(args.words[0]); };
    done = fmt::format("dropped column {}", args.words[0]);
  } else if (action == "update-column") {
    RETURN_IF_ERROR(expect_words(1));
    PRECHECK(!args.required, "a column cannot be made required (existing rows may lack values)");
    PRECHECK(!args.type.empty() || args.optional || moves,
             "update-column needs --type T, --optional, --after C or --first");
    iceberg::TypePtr type;
    if (!args.type.empty()) {
      ASSIGN_OR_RETURN(type, table::ParseColumnType(args.type));
    }
    build = [&, type](table::SchemaUpdate& u) -> Status {
      if (type) RETURN_IF_ERROR(u.UpdateColumnType(args.words[0], type));
      if (args.optional) RETURN_IF_ERROR(u.MakeOptional(args.words[0]));
      if (moves) RETURN_IF_ERROR(u.MoveColumn(args.words[0], position));
      return Status::OK();
    };
    std::vector<std::string> what;
    if (type) what.push_back("type " + type->ToString());
    if (args.optional) what.push_back("optional");
    if (moves) what.push_back("moved");
    done = fmt::format("updated column {} ({})", args.words[0], Join(what, ", "));
  } else {
    return InvalidArgument("{} (not '{}')", kAlterUsage, action);
  }
  PRECHECK(!(args.has_default && action != "add-column"), "--default is for add-column");
  ASSIGN_OR_RETURN(LoadedTable t, LoadWritableTable(ctx, args.table, "alter"));
  ASSIGN_OR_RETURN(iceberg::TableMetadataPtr committed, table::CommitSchemaUpdate(*t.ops, build));
  const iceberg::Schema& schema = *committed->CurrentSchema();
  if (ctx.options().json) {
    ctx.PrintJson(OrderedJson{{"table", t.id.ToString()},
                              {"action", action},
                              {"schema-id", schema.schema_id()},
                              {"last-column-id", committed->last_column_id},
                              {"schema", ToOrdered(iceberg::SchemaToJson(schema))}});
    return Status::OK();
  }
  ctx.Print(fmt::format("{}: {}; schema {} is current", t.id.ToString(), done, schema.schema_id()));
  return Status::OK();
}

// ---- rollback ----

struct RollbackArgs {
  std::string table;
  int64_t snapshot = 0;
  std::string time;
  bool force = false;
};

Status RunRollback(Context& ctx, const RollbackArgs& args) {
  PRECHECK((args.snapshot != 0) != !args.time.empty(),
           "give --to-snapshot ID or --to-time TIME (one of them)");
  table::RollbackOptions options;
  if (args.snapshot != 0) options.snapshot_id = args.snapshot;
  if (!args.time.empty()) {
    ASSIGN_OR_RETURN(options.to_time_ms, ParseTimeMillis(args.time));
  }
  options.force = args.force;
  ASSIGN_OR_RETURN(LoadedTable t, LoadWritableTable(ctx, args.table, "rollback"));
  ASSIGN_OR_RETURN(table::RollbackResult r, table::Rollback(*t.ops, options));
  if (ctx.options().json) {
    ctx.PrintJson(OrderedJson{
        {"table", t.id.ToString()},
        {"from-snapshot-id", r.from_snapshot_id ? OrderedJson(*r.from_snapshot_id) : OrderedJson()},
        {"to-snapshot-id", r.to_snapshot_id}});
    return Status::OK();
  }
  ctx.Print(fmt::format("{}: current snapshot {} -> {}", t.id.ToString(),
                        r.from_snapshot_id ? std::to_string(*r.from_snapshot_id) : "none",
                        r.to_snapshot_id));
  return Status::OK();
}

// ---- expire ----

struct ExpireArgs {
  std::string table;
  std::string older_than;
  int32_t retain_last = -1;  // unset
  bool dry_run = false;
};

OrderedJson SortedList(const std::set<std::string>& files) {
  OrderedJson a = OrderedJson::array();
  for (const auto& f : files) a.push_back(f);
  return a;
}

Status RunExpire(Context& ctx, const ExpireArgs& args) {
  table::ExpireOptions options;
  if (!args.older_than.empty()) {
    ASSIGN_OR_RETURN(options.older_than_ms, table::ParseTimeOrAgo(args.older_than, NowMillis()));
  }
  if (args.retain_last >= 0) options.retain_last = args.retain_last;
  options.dry_run = args.dry_run;
  ASSIGN_OR_RETURN(LoadedTable t, LoadWritableTable(ctx, args.table, "expire"));
  ASSIGN_OR_RETURN(table::ExpireResult r, table::ExpireSnapshots(*t.ops, options));
  const auto& d = r.deleted;
  if (ctx.options().json) {
    OrderedJson j;
    j["table"] = t.id.ToString();
    j["dry-run"] = r.dry_run;
    j["expired-snapshots"] = r.expired_snapshot_ids;
    j["expired-refs"] = r.expired_refs;
    j["deleted-data-files"] = SortedList(d.data_files);
    j["deleted-manifests"] = SortedList(d.manifests);
    j["deleted-manifest-lists"] = SortedList(d.manifest_lists);
    j["deleted-statistics-files"] = SortedList(d.statistics_files);
    j["kept-outside-location"] = r.kept_outside;
    ctx.PrintJson(j);
    return Status::OK();
  }
  const char* verb = r.dry_run ? "would delete" : "deleted";
  ctx.Print(fmt::format(
      "{}: {} {} snapshots{}; {} {} data files, {} manifests, {} manifest lists{}", t.id.ToString(),
      r.dry_run ? "would expire" : "expired", r.expired_snapshot_ids.size(),
      r.expired_refs.empty() ? "" : " and refs " + Join(r.expired_refs, ", "), verb,
      d.data_files.size(), d.manifests.size(), d.manifest_lists.size(),
      d.statistics_files.empty()
          ? ""
          : fmt::format(", {} statistics files", d.statistics_files.size())));
  if (r.dry_run || ctx.options().verbose) {
    for (const auto& f : d.All()) ctx.Print("  " + f);
  }
  if (!r.kept_outside.empty()) {
    ctx.Print(fmt::format("kept {} unreferenced files outside the table location",
                          r.kept_outside.size()));
  }
  return Status::OK();
}

// ---- orphans ----

struct OrphanArgs {
  std::string table;
  std::string older_than;
  bool dry_run = false;
};

Status RunOrphans(Context& ctx, const OrphanArgs& args) {
  table::OrphanOptions options;
  if (!args.older_than.empty()) {
    ASSIGN_OR_RETURN(options.older_than_ms, table::ParseTimeOrAgo(args.older_than, NowMillis()));
  }
  options.dry_run = args.dry_run;
  ASSIGN_OR_RETURN(LoadedTable t, LoadWritableTable(ctx, args.table, "orphans"));
  ASSIGN_OR_RETURN(table::OrphanResult r, table::DeleteOrphanFiles(*t.ops, options));
  if (ctx.options().json) {
    ctx.PrintJson(OrderedJson{{"table", t.id.ToString()},
                              {"dry-run", r.dry_run},
                              {"orphans", r.orphans},
                              {"too-young", r.too_young},
                              {"referenced", r.referenced}});
    return Status::OK();
  }
  ctx.Print(fmt::format("{}: {} {} orphan files ({} referenced, {} unreferenced but too young)",
                        t.id.ToString(), r.dry_run ? "found" : "deleted", r.orphans.size(),
                        r.referenced, r.too_young));
  for (const auto& f : r.orphans) ctx.Print("  " + f);
  return Status::OK();
}

// ---- diff ----

struct DiffArgs {
  std::string table;
  std::string from;
  std::string to;
};

OrderedJson SnapshotJson(const iceberg::Snapshot& s) {
  OrderedJson j;
  j["snapshot-id"] = s.snapshot_id;
  j["timestamp"] = FormatMillisUtc(s.timestamp_ms);
  j["timestamp-ms"] = s.timestamp_ms;
  j["operation"] = s.operation();
  j["schema-id"] = s.schema_id ? OrderedJson(*s.schema_id) : OrderedJson();
  j["summary"] = s.summary;
  return j;
}

OrderedJson FilesJson(const std::vector<iceberg::DataFile>& files) {
  OrderedJson a = OrderedJson::array();
  for (const auto& f : files) {
    a.push_back(OrderedJson{{"path", f.file_path},
                            {"records", f.record_count()},
                            {"size-bytes", f.file_size_in_bytes},
                            {"spec-id", f.spec_id}});
  }
  return a;
}

Status RunDiff(Context& ctx, const DiffArgs& args) {
  ASSIGN_OR_RETURN(LoadedTable t, LoadTableOrFile(ctx, args.table));
  ASSIGN_OR_RETURN(const iceberg::Snapshot* from, table::ResolveSnapshot(*t.metadata, args.from));
  ASSIGN_OR_RETURN(const iceberg::Snapshot* to, table::ResolveSnapshot(*t.metadata, args.to));
  ASSIGN_OR_RETURN(table::SnapshotDiff d,
                   table::DiffSnapshots(ctx.io(), *t.metadata, from->snapshot_id, to->snapshot_id));
  if (ctx.options().json) {
    OrderedJson j;
    j["table"] = t.catalog ? t.id.ToString() : args.table;
    j["from"] = SnapshotJson(d.from);
    j["to"] = SnapshotJson(d.to);
    j["relation"] = d.relation;
    OrderedJson between = OrderedJson::array();
    for (const auto& s : d.between) {
      between.push_back(OrderedJson{{"snapshot-id", s.snapshot_id}, {"operation", s.operation()}});
    }
    j["between"] = between;
    j["added-files"] = FilesJson(d.added_files);
    j["removed-files"] = FilesJson(d.removed_files);
    j["added-records"] = d.added_records;
    j["removed-records"] = d.removed_records;
    j["from-records"] = d.from_records;
    j["to-records"] = d.to_records;
    j["rows-exact"] = d.rows_exact;
    j["rows-added"] = d.rows_exact ? OrderedJson(d.added_records) : OrderedJson();
    j["rows-removed"] = d.rows_exact ? OrderedJson(d.removed_records) : OrderedJson();
    j["net-rows"] = d.to_records - d.from_records;
    OrderedJson changes = OrderedJson::array();
    for (const auto& c : d.schema_changes) {
      OrderedJson cj{{"change", table::FieldChangeName(c.kind)}, {"field-id", c.field_id}};
      if (!c.from_name.empty()) cj["from-name"] = c.from_name;
      if (!c.to_name.empty()) cj["to-name"] = c.to_name;
      if (!c.from_type.empty()) cj["from-type"] = c.from_type;
      if (!c.to_type.empty()) cj["to-type"] = c.to_type;
      changes.push_back(std::move(cj));
    }
    j["schema"] = OrderedJson{{"from-schema-id", d.from_schema_id},
                              {"to-schema-id", d.to_schema_id},
                              {"changes", changes}};
    auto specs = [](const std::map<int32_t, std::string>& m) {
      OrderedJson o = OrderedJson::object();
      for (const auto& [id, text] : m) o[std::to_string(id)] = text;
      return o;
    };
    j["partition-specs"] = OrderedJson{{"from", specs(d.from_specs)}, {"to", specs(d.to_specs)}};
    ctx.PrintJson(j);
    return Status::OK();
  }
  auto describe = [](const iceberg::Snapshot& s) {
    return fmt::format("{} ({}, {})", s.snapshot_id, s.operation(),
                       FormatMillisUtc(s.timestamp_ms));
  };
  ctx.Print(fmt::format("from: {}", describe(d.from)));
  ctx.Print(fmt::format("to:   {}", describe(d.to)));
  if (d.relation == "diverged") {
    ctx.Print("the snapshots are on diverged histories (neither is an ancestor of the other)");
  } else if (!d.between.empty()) {
    std::vector<std::string> ops;
    for (const auto& s : d.between) ops.push_back(s.operation());
    ctx.Print(fmt::format("{} {} snapshots: {}", d.relation == "forward" ? "then" : "undoing",
                          d.between.size(), Join(ops, ", ")));
  }
  ctx.Print(fmt::format("files: +{} -{}   records: +{} -{}   rows: {} -> {} (net {:+})",
                        d.added_files.size(), d.removed_files.size(), d.added_records,
                        d.removed_records, d.from_records, d.to_records,
                        d.to_records - d.from_records));
  if (d.rows_exact) {
    ctx.Print(fmt::format("rows added: {}, rows removed: {}", d.added_records, d.removed_records));
  } else {
    ctx.Print("rows added/removed: not exact (files were rewritten); the net change is exact");
  }
  for (const auto& f : d.added_files)
    ctx.Print(fmt::format("  + {} ({} rows)", f.file_path, f.record_count()));
  for (const auto& f : d.removed_files)
    ctx.Print(fmt::format("  - {} ({} rows)", f.file_path, f.record_count()));
  if (d.from_schema_id != d.to_schema_id || !d.schema_changes.empty()) {
    ctx.Print(fmt::format("schema {} -> {}:", d.from_schema_id, d.to_schema_id));
    for (const auto& c : d.schema_changes) {
      std::string what;
      switch (c.kind) {
        case table::FieldChange::Kind::kAdded:
          what = fmt::format("added {} {}", c.to_name, c.to_type);
          break;
        case table::FieldChange::Kind::kDropped:
          what = fmt::format("dropped {} {}", c.from_name, c.from_type);
          break;
        case table::FieldChange::Kind::kRenamed:
          what = fmt::format("renamed {} to {}", c.from_name, c.to_name);
          break;
        case table::FieldChange::Kind::kTypeChanged:
          what = fmt::format("{}: {} -> {}", c.to_name, c.from_type, c.to_type);
          break;
        case table::FieldChange::Kind::kMadeOptional:
          what = fmt::format("{} made optional", c.to_name);
          break;
        case table::FieldChange::Kind::kMadeRequired:
          what = fmt::format("{} made required", c.to_name);
          break;
      }
      ctx.Print(fmt::format("  {} (field {})", what, c.field_id));
    }
  }
  if (d.from_specs != d.to_specs) {
    auto text = [](const std::map<int32_t, std::string>& m) {
      std::vector<std::string> parts;
      for (const auto& [id, s] : m) parts.push_back(fmt::format("{}: {}", id, s));
      return parts.empty() ? std::string("none") : Join(parts, "; ");
    };
    ctx.Print(fmt::format("partition specs: {} -> {}", text(d.from_specs), text(d.to_specs)));
  }
  return Status::OK();
}

// ---- delete, overwrite ----

struct RowChangeArgs {
  std::string table;
  std::vector<std::string> files;
  std::string values;
  std::string input_format = "auto";
  std::string where;
  std::string branch = iceberg::kMainBranch;
};

Status RunRowChange(Context& ctx, const RowChangeArgs& args, bool overwrite) {
  PRECHECK(!Trim(args.where).empty(),
           "--where EXPR is required (write --where TRUE to select every row)");
  engine::RowChangeRequest request;
  request.filter = args.where;
  request.branch = args.branch;
  if (overwrite) {
    if (args.files.empty() == args.values.empty()) {
      return InvalidArgument("give the new rows as input files or --values, not both or neither");
    }
    if (!args.values.empty()) {
      request.replacement = engine::InsertSource::Values(args.values);
    } else {
      ASSIGN_OR_RETURN(auto format, engine::ParseInputFormat(args.input_format));
      request.replacement = engine::InsertSource::Files(args.files, format);
    }
  }
  ASSIGN_OR_RETURN(LoadedTable t,
                   LoadWritableTable(ctx, args.table, overwrite ? "overwrite" : "delete"));
  std::unique_ptr<engine::Database> db;
  ASSIGN_OR_RETURN(auto connection, OpenEngine(&db));
  ASSIGN_OR_RETURN(engine::RowChangeResult r, engine::ChangeRows(*t.ops, *connection, request));
  if (ctx.options().json) {
    OrderedJson j;
    j["table"] = t.id.ToString();
    j["snapshot-id"] = r.snapshot ? OrderedJson(r.snapshot->snapshot_id) : OrderedJson();
    j["operation"] = r.snapshot ? OrderedJson(r.snapshot->operation()) : OrderedJson();
    j["rows-deleted"] = r.rows_deleted;
    j["rows-inserted"] = r.rows_inserted;
    j["files-dropped"] = r.files_dropped;
    j["files-rewritten"] = r.files_rewritten;
    j["files-untouched"] = r.files_untouched;
    j["files-added"] = r.files_added;
    ctx.PrintJson(j);
    return Status::OK();
  }
  if (!r.snapshot) {
    ctx.Print(fmt::format("{}: no row matched; nothing changed", t.id.ToString()));
    return Status::OK();
  }
  ctx.Print(fmt::format(
      "{}: deleted {} rows{} ({} files dropped, {} rewritten, {} untouched; snapshot {}, {})",
      t.id.ToString(), r.rows_deleted,
      overwrite ? fmt::format(", inserted {}", r.rows_inserted) : std::string(), r.files_dropped,
      r.files_rewritten, r.files_untouched, r.snapshot->snapshot_id, r.snapshot->operation()));
  return Status::OK();
}

}  // namespace

void RegisterEvolutionCommands(CLI::App& app,
                               std::vector<std::pair<CLI::App*, CommandRunner>>* out) {
  auto schema_args = std::make_shared<SchemaArgs>();
  auto* schema = app.add_subcommand("schema", "show the schema (current, or of a snapshot)");
  schema->add_option("table", schema_args->table, "the table, or a metadata .json file")
      ->required();
  schema->add_option("--snapshot", schema_args->snapshot,
                     "the schema this snapshot was written with");
  schema->add_option("--as-of", schema_args->as_of,
                     "the schema of the snapshot current at this time (ISO-8601 or epoch ms)");
  schema->footer("Example: faceberg schema db.events --as-of 2026-01-31T12:00:00Z");
  out->emplace_back(schema, [schema_args](Context& ctx) { return RunSchema(ctx, *schema_args); });

  auto alter_args = std::make_shared<AlterArgs>();
  auto* alter = app.add_subcommand("alter", "evolve the schema: add, rename, drop, update columns");
  alter->add_option("table", alter_args->table, "the table")->required();
  alter
      ->add_option("action", alter_args->action,
                   "add-column, rename-column, drop-column or update-column")
      ->required();
  alter->add_option("args", alter_args->words, "NAME [TYPE] | OLD NEW");
  alter->add_option("--after", alter_args->after, "place the column after this sibling");
  alter->add_flag("--first", alter_args->first, "place the column first among its siblings");
  alter->add_flag("--required", alter_args->required,
                  "add a required column (only to a table without snapshots)");
  alter
      ->add_option("--default", alter_args->default_value,
                   "default for existing rows (needs format v3)")
      ->each([alter_args](const std::string&) { alter_args->has_default = true; });
  alter->add_option("--type", alter_args->type,
                    "update-column: widen to this type (int->long, float->double, "
                    "decimal precision)");
  alter->add_flag("--optional", alter_args->optional, "update-column: make the column optional");
  alter->add_option("--doc", alter_args->doc, "add-column: a description");
  alter->footer(
      "Examples: faceberg alter db.events add-column point \"struct<x: double, y: double>\"\n"
      "          faceberg alter db.events add-column point.z double --after point.y\n"
      "          faceberg alter db.events rename-column name full_name\n"
      "          faceberg alter db.events update-column id --type long");
  out->emplace_back(alter, [alter_args](Context& ctx) { return RunAlter(ctx, *alter_args); });

  auto rollback_args = std::make_shared<RollbackArgs>();
  auto* rollback = app.add_subcommand("rollback", "move the current snapshot back");
  rollback->add_option("table", rollback_args->table, "the table")->required();
  rollback->add_option("--to-snapshot", rollback_args->snapshot, "an ancestor snapshot id");
  rollback->add_option("--to-time", rollback_args->time,
                       "the newest ancestor committed at or before this time");
  rollback->add_flag("--force", rollback_args->force,
                     "allow a snapshot that is not an ancestor (set the current snapshot)");
  rollback->footer("Example: faceberg rollback db.events --to-snapshot 3051729675574597004");
  out->emplace_back(rollback,
                    [rollback_args](Context& ctx) { return RunRollback(ctx, *rollback_args); });

  auto expire_args = std::make_shared<ExpireArgs>();
  auto* expire = app.add_subcommand("expire", "expire snapshots and delete unreachable files");
  expire->add_option("table", expire_args->table, "the table")->required();
  expire->add_option("--older-than", expire_args->older_than,
                     "expire snapshots older than this time or duration ago (default: "
                     "history.expire.max-snapshot-age-ms, 5 days)");
  expire->add_option("--retain-last", expire_args->retain_last,
                     "keep at least N snapshots of each branch (default: "
                     "history.expire.min-snapshots-to-keep, 1)");
  expire->add_flag("--dry-run", expire_args->dry_run, "list what would go; change nothing");
  expire->footer("Example: faceberg expire db.events --older-than 7d --retain-last 10 --dry-run");
  out->emplace_back(expire, [expire_args](Context& ctx) { return RunExpire(ctx, *expire_args); });

  auto orphan_args = std::make_shared<OrphanArgs>();
  auto* orphans = app.add_subcommand(
      "orphans", "delete files under the table location that no metadata reaches");
  orphans->add_option("table", orphan_args->table, "the table")->required();
  orphans->add_option("--older-than", orphan_args->older_than,
                      "only files older than this time or duration ago (default 3d)");
  orphans->add_flag("--dry-run", orphan_args->dry_run, "list the orphans; delete nothing");
  orphans->footer("Example: faceberg orphans db.events --older-than 1d --dry-run");
  out->emplace_back(orphans, [orphan_args](Context& ctx) { return RunOrphans(ctx, *orphan_args); });

  auto diff_args = std::make_shared<DiffArgs>();
  auto* diff = app.add_subcommand("diff", "files, rows and schema changes between two snapshots");
  diff->add_option("table", diff_args->table, "the table, or a metadata .json file")->required();
  diff->add_option("from", diff_args->from, "snapshot id, time, tag or branch")->required();
  diff->add_option("to", diff_args->to, "snapshot id, time, tag or branch")->required();
  diff->footer("Example: faceberg diff db.events v1 main");
  out->emplace_back(diff, [diff_args](Context& ctx) { return RunDiff(ctx, *diff_args); });

  for (bool overwrite : {false, true}) {
    auto args = std::make_shared<RowChangeArgs>();
    auto* cmd = app.add_subcommand(
        overwrite ? "overwrite" : "delete",
        overwrite ? "replace the rows a filter selects with new rows (copy-on-write)"
                  : "delete the rows a filter selects (copy-on-write)");
    cmd->add_option("table", args->table, "the table")->required();
    if (overwrite) {
      cmd->add_option("files", args->files, "input files with the new rows");
      cmd->add_option("--values", args->values, "new rows as SQL tuples");
      cmd->add_option("--input-format", args->input_format,
                      "csv, json, ndjson or parquet (default: from the file extension)");
    }
    cmd->add_option("--where", args->where, "the rows to delete / replace")->required();
    cmd->add_option("--branch", args->branch, "change this branch (default main)");
    cmd->footer(overwrite
                    ? "Example: faceberg overwrite db.events day.parquet --where \"day = "
                      "'2026-01-31'\""
                    : "Example: faceberg delete db.events --where \"id < 100 OR name IS NULL\"");
    out->emplace_back(
        cmd, [args, overwrite](Context& ctx) { return RunRowChange(ctx, *args, overwrite); });
  }
}

}  // namespace faceberg::cli
