// info, history, refs, tag, branch, properties, drop, rename: looking at and administering one
// table. Each parses, calls one library function (mostly Catalog::CommitTable), and prints.
#include <fmt/format.h>

#include "bridge/properties.h"
#include "cli/context.h"
#include "iceberg/single_value.h"
#include "table/append.h"
#include "table/snapshot_ops.h"
#include "util/strings.h"
#include "util/time.h"

namespace faceberg::cli {

namespace {

OrderedJson ToOrdered(const Json& j) { return OrderedJson::parse(j.dump()); }

// The HF part of info: what the table maps, and its current files per split.
Result<OrderedJson> HfSection(Context& ctx, const iceberg::TableMetadata& md) {
  auto property = [&](const char* key) {
    auto it = md.properties.find(key);
    return it == md.properties.end() ? std::string() : it->second;
  };
  OrderedJson hf;
  hf["repo"] = property(bridge::kRepoProperty);
  hf["config"] = property(bridge::kConfigProperty);
  hf["revision"] = property(bridge::kRevisionProperty);
  hf["commit"] = property(bridge::kCommitProperty);
  hf["source"] = property(bridge::kSourceProperty);
  hf["source-commit"] = property(bridge::kSourceCommitProperty);
  std::vector<std::string> partial;
  for (auto& s : Split(property(bridge::kPartialSplitsProperty), ',')) {
    if (!s.empty()) partial.push_back(s);
  }
  hf["partial-splits"] = partial;
  OrderedJson splits = OrderedJson::object();
  if (const auto* current = md.CurrentSnapshot()) {
    ASSIGN_OR_RETURN(auto files, table::LiveDataFiles(ctx.io(), md, *current));
    const auto& spec = *md.DefaultSpec();
    int index = -1;
    for (size_t i = 0; i < spec.fields.size(); ++i) {
      if (spec.fields[i].name == bridge::kSplitColumn) index = static_cast<int>(i);
    }
    for (const auto& f : files) {
      std::string split = "?";
      if (index >= 0 && f.spec_id == spec.spec_id &&
          static_cast<size_t>(index) < f.partition.size()) {
        if (const auto* s = std::get_if<std::string>(&f.partition[index])) split = *s;
      }
      int64_t n = splits.contains(split) ? splits[split].get<int64_t>() : 0;
      splits[split] = n + 1;
    }
  }
  hf["splits"] = std::move(splits);
  return hf;
}

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
  if (md.properties.count(bridge::kRepoProperty)) {
    ASSIGN_OR_RETURN(j["hf"], HfSection(ctx, md));
  }
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
  if (j.contains("hf")) {
    const auto& hf = j["hf"];
    ctx.Print(fmt::format("dataset:     {} config {}, revision {} at commit {}",
                          hf["repo"].get<std::string>(), hf["config"].get<std::string>(),
                          hf["revision"].get<std::string>(), hf["commit"].get<std::string>()));
    if (hf["source"] != "main") {
      ctx.Print(fmt::format("source:      {} at {}", hf["source"].get<std::string>(),
                            hf["source-commit"].get<std::string>()));
    }
    std::vector<std::string> splits;
    for (auto it = hf["splits"].begin(); it != hf["splits"].end(); ++it) {
      splits.push_back(fmt::format("{} ({} files)", it.key(), it->get<int64_t>()));
    }
    ctx.Print(fmt::format("splits:      {}", splits.empty() ? "none" : Join(splits, ", ")));
    if (!hf["partial-splits"].empty()) {
      ctx.Print(fmt::format(
          "partial:     the Parquet export of {} holds only part of the data (HF converts the "
          "first ~5 GB)",
          Join(hf["partial-splits"].get<std::vector<std::string>>(), ", ")));
    }
  }
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
  // Retention, as durations ("7d", "12h", or milliseconds).
  std::string max_ref_age;
  std::string max_snapshot_age;
  int32_t min_snapshots_to_keep = 0;
};

Status RunSetRef(Context& ctx, const RefArgs& args, iceberg::RefType type) {
  const char* kind = type == iceberg::RefType::kTag ? "tag" : "branch";
  ASSIGN_OR_RETURN(LoadedTable t, LoadTableOrFile(ctx, args.table));
  if (!t.catalog) return InvalidArgument("{}s can only be changed on a catalog table", kind);
  PRECHECK(!args.name.empty(), "the {} needs a name", kind);
  if (args.drop) {
    RETURN_IF_ERROR(table::DropRef(*t.ops, args.name));
    if (ctx.options().json) {
      ctx.PrintJson(OrderedJson{{"table", t.id.ToString()}, {kind, args.name}, {"dropped", true}});
    } else {
      ctx.Print(fmt::format("dropped {} {}", kind, args.name));
    }
    return Status::OK();
  }
  table::SetRefOptions options;
  options.type = type;
  if (args.snapshot_id != 0) options.snapshot_id = args.snapshot_id;
  options.replace = args.replace;
  if (!args.max_ref_age.empty()) {
    ASSIGN_OR_RETURN(options.retention.max_ref_age_ms,
                     table::ParseDurationMillis(args.max_ref_age));
  }
  if (!args.max_snapshot_age.empty()) {
    ASSIGN_OR_RETURN(options.retention.max_snapshot_age_ms,
                     table::ParseDurationMillis(args.max_snapshot_age));
  }
  if (args.min_snapshots_to_keep != 0) {
    options.retention.min_snapshots_to_keep = args.min_snapshots_to_keep;
  }
  ASSIGN_OR_RETURN(iceberg::SnapshotRef ref, table::SetRef(*t.ops, args.name, options));
  if (ctx.options().json) {
    OrderedJson j{{"table", t.id.ToString()},
                  {kind, args.name},
                  {"dropped", false},
                  {"snapshot-id", ref.snapshot_id}};
    if (ref.max_ref_age_ms) j["max-ref-age-ms"] = *ref.max_ref_age_ms;
    if (ref.min_snapshots_to_keep) j["min-snapshots-to-keep"] = *ref.min_snapshots_to_keep;
    if (ref.max_snapshot_age_ms) j["max-snapshot-age-ms"] = *ref.max_snapshot_age_ms;
    ctx.PrintJson(j);
  } else {
    ctx.Print(fmt::format("{} {} -> snapshot {}", kind, args.name, ref.snapshot_id));
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
    cmd->add_option("--max-ref-age", args->max_ref_age,
                    "expire drops the ref once its snapshot is this old (7d, 12h, ms)");
    if (!tag) {
      cmd->add_option("--min-snapshots-to-keep", args->min_snapshots_to_keep,
                      "expire keeps at least this many snapshots of the branch");
      cmd->add_option("--max-snapshot-age", args->max_snapshot_age,
                      "expire keeps the branch's snapshots younger than this (7d, 12h, ms)");
    }
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
