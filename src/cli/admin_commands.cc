// info, history, refs, tag, branch, properties, drop, rename: looking at and administering one
// table. Each parses, calls one library function (mostly Catalog::CommitTable), and prints.
#include <fmt/format.h>

#include "cli/context.h"
#include "iceberg/single_value.h"
#include "table/append.h"
#include "util/strings.h"
#include "util/time.h"

namespace faceberg::cli {

namespace {

OrderedJson ToOrdered(const Json& j) { return OrderedJson::parse(j.dump()); }

// ---- info ----

Status RunInfo(Context& ctx, const std::string& name) {
  ASSIGN_OR_RETURN(LoadedTable t, LoadTableOrFile(ctx, name));
  const auto& md = *t.metadata;
  const iceberg::Snapshot* current = md.CurrentSnapshot();
  OrderedJson j;
  j["table"] = t.catalog ? t.id.ToString() : name;
  j["location"] = md.location;
  j["format-version"] = md.format_version;
  j["table-uuid"] = md.table_uuid;
  j["schema"] = ToOrdered(iceberg::SchemaToJson(*md.CurrentSchema()));
  j["partition-spec"] = ToOrdered(iceberg::PartitionSpecToJson(*md.DefaultSpec()));
  j["current-snapshot-id"] = current ? OrderedJson(current->snapshot_id) : OrderedJson();
  j["snapshots"] = md.snapshots.size();
  j["data-files"] = current ? current->SummaryInt(iceberg::summary::kTotalDataFiles) : 0;
  j["rows"] = current ? current->SummaryInt(iceberg::summary::kTotalRecords) : 0;
  j["size-bytes"] = current ? current->SummaryInt(iceberg::summary::kTotalFilesSize) : 0;
  j["last-updated"] = FormatMillisUtc(md.last_updated_ms);
  j["properties"] = md.properties;
  if (ctx.options().json) {
    ctx.PrintJson(j);
    return Status::OK();
  }
  ctx.Print(fmt::format("table:       {}", j["table"].get<std::string>()));
  ctx.Print(fmt::format("location:    {}", md.location));
  ctx.Print(fmt::format("format:      Iceberg v{}, uuid {}", md.format_version, md.table_uuid));
  ctx.Print(fmt::format("partitioned: {}", md.DefaultSpec()->fields.empty()
                                               ? std::string("no")
                                               : md.DefaultSpec()->ToString()));
  ctx.Print(fmt::format("snapshot:    {}", current
                                               ? fmt::format("{} at {} ({})", current->snapshot_id,
                                                             FormatMillisUtc(current->timestamp_ms),
                                                             current->operation())
                                               : std::string("none (empty table)")));
  ctx.Print(fmt::format("contents:    {} rows in {} files, {} bytes", j["rows"].get<int64_t>(),
                        j["data-files"].get<int64_t>(), j["size-bytes"].get<int64_t>()));
  ctx.Print("schema:");
  std::string schema = md.CurrentSchema()->ToString();
  for (const auto& line : Split(schema, '\n')) {
    if (!line.empty()) ctx.Print("  " + line);
  }
  if (!md.properties.empty()) {
    ctx.Print("properties:");
    for (const auto& [k, v] : md.properties) {
      ctx.Print(fmt::format("  {} = {}", k, v.size() > 100 ? v.substr(0, 97) + "..." : v));
    }
  }
  return Status::OK();
}

// ---- history ----

Status RunHistory(Context& ctx, const std::string& name) {
  ASSIGN_OR_RETURN(LoadedTable t, LoadTableOrFile(ctx, name));
  const auto& md = *t.metadata;
  std::vector<int64_t> ancestry =
      md.current_snapshot_id ? md.Ancestry(*md.current_snapshot_id) : std::vector<int64_t>{};
  OrderedJson rows = OrderedJson::array();
  for (const auto& e : md.snapshot_log) {
    const iceberg::Snapshot* s = md.SnapshotById(e.snapshot_id);
    OrderedJson row;
    row["made-current-at"] = FormatMillisUtc(e.timestamp_ms);
    row["timestamp-ms"] = e.timestamp_ms;
    row["snapshot-id"] = e.snapshot_id;
    row["parent-id"] =
        s && s->parent_snapshot_id ? OrderedJson(*s->parent_snapshot_id) : OrderedJson();
    row["is-current-ancestor"] =
        std::find(ancestry.begin(), ancestry.end(), e.snapshot_id) != ancestry.end();
    row["operation"] = s ? s->operation() : "expired";
    rows.push_back(std::move(row));
  }
  if (ctx.options().json) {
    ctx.PrintJson(OrderedJson{{"history", rows}});
    return Status::OK();
  }
  ctx.Print(fmt::format("{:<25} {:<20} {:<20} {:<10} {}", "MADE CURRENT AT", "SNAPSHOT", "PARENT",
                        "OPERATION", "CURRENT ANCESTOR"));
  for (const auto& r : rows) {
    ctx.Print(fmt::format(
        "{:<25} {:<20} {:<20} {:<10} {}", r["made-current-at"].get<std::string>(),
        r["snapshot-id"].get<int64_t>(),
        r["parent-id"].is_null() ? std::string("-") : std::to_string(r["parent-id"].get<int64_t>()),
        r["operation"].get<std::string>(), r["is-current-ancestor"].get<bool>() ? "yes" : "no"));
  }
  return Status::OK();
}

// ---- refs, tag, branch ----

Status RunRefs(Context& ctx, const std::string& name) {
  ASSIGN_OR_RETURN(LoadedTable t, LoadTableOrFile(ctx, name));
  OrderedJson rows = OrderedJson::array();
  for (const auto& [ref_name, ref] : t.metadata->refs) {
    OrderedJson row;
    row["name"] = ref_name;
    row["type"] = ref.type == iceberg::RefType::kBranch ? "branch" : "tag";
    row["snapshot-id"] = ref.snapshot_id;
    if (ref.min_snapshots_to_keep) row["min-snapshots-to-keep"] = *ref.min_snapshots_to_keep;
    if (ref.max_snapshot_age_ms) row["max-snapshot-age-ms"] = *ref.max_snapshot_age_ms;
    if (ref.max_ref_age_ms) row["max-ref-age-ms"] = *ref.max_ref_age_ms;
    rows.push_back(std::move(row));
  }
  if (ctx.options().json) {
    ctx.PrintJson(OrderedJson{{"refs", rows}});
    return Status::OK();
  }
  ctx.Print(fmt::format("{:<24} {:<8} {}", "NAME", "TYPE", "SNAPSHOT"));
  for (const auto& r : rows) {
    ctx.Print(fmt::format("{:<24} {:<8} {}", r["name"].get<std::string>(),
                          r["type"].get<std::string>(), r["snapshot-id"].get<int64_t>()));
  }
  return Status::OK();
}

struct RefArgs {
  std::string table;
  std::string name;
  int64_t snapshot_id = 0;
  bool replace = false;
  bool drop = false;
};

Status RunSetRef(Context& ctx, const RefArgs& args, iceberg::RefType type) {
  const char* kind = type == iceberg::RefType::kTag ? "tag" : "branch";
  ASSIGN_OR_RETURN(LoadedTable t, LoadTableOrFile(ctx, args.table));
  if (!t.catalog) return InvalidArgument("{}s can only be changed on a catalog table", kind);
  PRECHECK(!args.name.empty(), "the {} needs a name", kind);
  const auto& md = *t.metadata;
  auto existing = md.refs.find(args.name);
  std::vector<table::TableRequirement> reqs;
  std::vector<table::TableUpdate> updates;
  if (args.drop) {
    if (existing == md.refs.end()) return NotFound("table has no {} named '{}'", kind, args.name);
    if (args.name == iceberg::kMainBranch)
      return InvalidArgument("the main branch cannot be dropped");
    reqs.push_back(table::AssertRefSnapshotId{args.name, existing->second.snapshot_id});
    updates.push_back(table::RemoveSnapshotRef{args.name});
  } else {
    int64_t snapshot_id = args.snapshot_id;
    if (snapshot_id == 0) {
      if (!md.current_snapshot_id) {
        return InvalidArgument(
            "the table has no snapshot yet: insert data first or pass --snapshot");
      }
      snapshot_id = *md.current_snapshot_id;
    }
    RETURN_IF_ERROR(md.FindSnapshot(snapshot_id));
    if (existing != md.refs.end() && !args.replace) {
      return AlreadyExists("'{}' already exists ({} {}): pass --replace to move it", args.name,
                           existing->second.type == iceberg::RefType::kTag ? "tag" : "branch",
                           existing->second.snapshot_id);
    }
    if (existing != md.refs.end() && existing->second.type != type) {
      return InvalidArgument("'{}' is a {}, not a {}", args.name,
                             existing->second.type == iceberg::RefType::kTag ? "tag" : "branch",
                             kind);
    }
    iceberg::SnapshotRef ref;
    ref.snapshot_id = snapshot_id;
    ref.type = type;
    if (existing != md.refs.end()) {
      ref.min_snapshots_to_keep = existing->second.min_snapshots_to_keep;
      ref.max_snapshot_age_ms = existing->second.max_snapshot_age_ms;
      ref.max_ref_age_ms = existing->second.max_ref_age_ms;
    }
    reqs.push_back(table::AssertRefSnapshotId{
        args.name, existing == md.refs.end()
                       ? std::optional<int64_t>()
                       : std::optional<int64_t>(existing->second.snapshot_id)});
    updates.push_back(table::SetSnapshotRef{args.name, ref});
  }
  ASSIGN_OR_RETURN(auto committed, t.catalog->CommitTable(t.id, reqs, updates));
  (void)committed;
  if (ctx.options().json) {
    ctx.PrintJson(
        OrderedJson{{"table", t.id.ToString()}, {kind, args.name}, {"dropped", args.drop}});
  } else if (args.drop) {
    ctx.Print(fmt::format("dropped {} {}", kind, args.name));
  } else {
    ctx.Print(fmt::format("{} {} -> snapshot {}", kind, args.name,
                          args.snapshot_id ? args.snapshot_id : *md.current_snapshot_id));
  }
  return Status::OK();
}

// ---- properties ----

Status RunProperties(Context& ctx, const std::string& name, const std::vector<std::string>& words) {
  ASSIGN_OR_RETURN(LoadedTable t, LoadTableOrFile(ctx, name));
  if (words.empty()) {
    if (ctx.options().json) {
      ctx.PrintJson(OrderedJson{{"properties", t.metadata->properties}});
    } else {
      for (const auto& [k, v] : t.metadata->properties) ctx.Print(k + "=" + v);
    }
    return Status::OK();
  }
  if (!t.catalog) return InvalidArgument("properties can only be changed on a catalog table");
  table::SetProperties set;
  table::RemoveProperties unset;
  std::string mode;
  for (const auto& w : words) {
    if (w == "set" || w == "unset") {
      mode = w;
      continue;
    }
    if (mode == "set") {
      auto eq = w.find('=');
      PRECHECK(eq != std::string::npos && eq > 0, "property '{}' must be written key=value", w);
      set.updates[w.substr(0, eq)] = w.substr(eq + 1);
    } else if (mode == "unset") {
      unset.removals.push_back(w);
    } else {
      return InvalidArgument("usage: faceberg properties TABLE [set k=v ...] [unset k ...]");
    }
  }
  for (const auto& [k, v] : set.updates) {
    if (k == "format-version" || k == "uuid" || k == "current-snapshot-id") {
      return InvalidArgument("'{}' is reserved and cannot be set as a property", k);
    }
  }
  std::vector<table::TableUpdate> updates;
  if (!set.updates.empty()) updates.push_back(set);
  if (!unset.removals.empty()) updates.push_back(unset);
  ASSIGN_OR_RETURN(auto committed, t.catalog->CommitTable(t.id, {}, updates));
  if (ctx.options().json) {
    ctx.PrintJson(OrderedJson{{"properties", committed.metadata->properties}});
  } else {
    ctx.Print(fmt::format("updated {} and removed {} properties of {}", set.updates.size(),
                          unset.removals.size(), t.id.ToString()));
  }
  return Status::OK();
}

// ---- drop, rename ----

Status RunDrop(Context& ctx, const std::string& name, bool purge) {
  ASSIGN_OR_RETURN(auto id, catalog::ParseTableIdentifier(name));
  ASSIGN_OR_RETURN(auto catalog, ctx.OpenCatalog());
  RETURN_IF_ERROR(catalog->DropTable(id, purge));
  if (ctx.options().json) {
    ctx.PrintJson(OrderedJson{{"dropped", id.ToString()}, {"purged", purge}});
  } else {
    ctx.Print(fmt::format("dropped {}{}", id.ToString(), purge ? " and deleted its files" : ""));
  }
  return Status::OK();
}

Status RunRename(Context& ctx, const std::string& from, const std::string& to) {
  ASSIGN_OR_RETURN(auto from_id, catalog::ParseTableIdentifier(from));
  ASSIGN_OR_RETURN(auto to_id, catalog::ParseTableIdentifier(to));
  ASSIGN_OR_RETURN(auto catalog, ctx.OpenCatalog());
  RETURN_IF_ERROR(catalog->RenameTable(from_id, to_id));
  if (ctx.options().json) {
    ctx.PrintJson(OrderedJson{{"from", from_id.ToString()}, {"to", to_id.ToString()}});
  } else {
    ctx.Print(fmt::format("renamed {} to {}", from_id.ToString(), to_id.ToString()));
  }
  return Status::OK();
}

}  // namespace

void RegisterAdminCommands(CLI::App& app, std::vector<std::pair<CLI::App*, CommandRunner>>* out) {
  auto add_table_command = [&](const char* name, const char* help, const char* example,
                               Status (*run)(Context&, const std::string&)) {
    auto table = std::make_shared<std::string>();
    auto* cmd = app.add_subcommand(name, help);
    cmd->add_option("table", *table, "the table (ns.table), or a metadata .json file")->required();
    cmd->footer(std::string("Example: ") + example);
    out->emplace_back(cmd, [table, run](Context& ctx) { return run(ctx, *table); });
  };
  add_table_command("info", "location, schema, partitioning, current snapshot, size, properties",
                    "faceberg info db.events --json", &RunInfo);
  add_table_command("history",
                    "when each snapshot became current, and whether it still is an "
                    "ancestor of the current one",
                    "faceberg history db.events", &RunHistory);
  add_table_command("refs", "list branches and tags", "faceberg refs db.events", &RunRefs);

  for (auto type : {iceberg::RefType::kTag, iceberg::RefType::kBranch}) {
    bool tag = type == iceberg::RefType::kTag;
    auto args = std::make_shared<RefArgs>();
    auto* cmd = app.add_subcommand(tag ? "tag" : "branch", tag ? "create, move or drop a tag"
                                                               : "create, move or drop a branch");
    cmd->add_option("table", args->table, "the table")->required();
    cmd->add_option("name", args->name, tag ? "tag name" : "branch name")->required();
    cmd->add_option("--snapshot", args->snapshot_id, "snapshot id (default: the current one)");
    cmd->add_flag("--replace", args->replace, "move an existing ref");
    cmd->add_flag("--drop", args->drop, "remove the ref");
    cmd->footer(tag ? "Example: faceberg tag db.events v1 --snapshot 3051729675574597004"
                    : "Example: faceberg branch db.events audit");
    out->emplace_back(cmd, [args, type](Context& ctx) { return RunSetRef(ctx, *args, type); });
  }

  auto props_table = std::make_shared<std::string>();
  auto props_words = std::make_shared<std::vector<std::string>>();
  auto* props = app.add_subcommand("properties", "show, set or unset table properties");
  props->add_option("table", *props_table, "the table")->required();
  props->add_option("changes", *props_words, "set k=v ... and/or unset k ...");
  props->footer(
      "Example: faceberg properties db.events set commit.retry.num-retries=8 unset owner");
  out->emplace_back(props, [props_table, props_words](Context& ctx) {
    return RunProperties(ctx, *props_table, *props_words);
  });

  auto drop_table = std::make_shared<std::string>();
  auto purge = std::make_shared<bool>(false);
  auto* drop = app.add_subcommand("drop", "remove a table from the catalog");
  drop->add_option("table", *drop_table, "the table")->required();
  drop->add_flag("--purge", *purge, "also delete the table's data and metadata files");
  drop->footer("Example: faceberg drop db.scratch --purge");
  out->emplace_back(
      drop, [drop_table, purge](Context& ctx) { return RunDrop(ctx, *drop_table, *purge); });

  auto from = std::make_shared<std::string>();
  auto to = std::make_shared<std::string>();
  auto* rename = app.add_subcommand("rename", "rename a table");
  rename->add_option("from", *from, "current name")->required();
  rename->add_option("to", *to, "new name")->required();
  rename->footer("Example: faceberg rename db.events db.events_v1");
  out->emplace_back(rename, [from, to](Context& ctx) { return RunRename(ctx, *from, *to); });
}

}  // namespace faceberg::cli
