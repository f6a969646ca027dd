// create (from faceberg.yml), sync: HF-backed tables. Each parses, calls one bridge function,
// prints.
#include <fmt/format.h>

#include "bridge/tables.h"
#include "cli/context.h"
#include "util/strings.h"

namespace faceberg::cli {

namespace {

std::string Short(const std::string& commit) { return commit.substr(0, 8); }

std::string SplitsText(const bridge::TableOutcome& t) {
  std::vector<std::string> parts;
  for (const auto& [split, files] : t.splits) parts.push_back(fmt::format("{} ({})", split, files));
  return Join(parts, ", ");
}

OrderedJson OutcomeJson(const bridge::TableOutcome& t) {
  OrderedJson j;
  j["table"] = t.id.ToString();
  j["repo"] = t.repo;
  j["config"] = t.config;
  if (t.existed) {
    j["existed"] = true;
    return j;
  }
  const auto& r = *t.result;
  j["unchanged"] = r.unchanged;
  j["commit"] = r.commit;
  j["snapshot-id"] = r.snapshot_id ? OrderedJson(*r.snapshot_id) : OrderedJson();
  j["files"] = r.files_added + r.files_kept;
  j["files-added"] = r.files_added;
  j["files-removed"] = r.files_removed;
  j["files-kept"] = r.files_kept;
  j["rows"] = r.rows;
  j["bytes"] = r.bytes;
  j["footer-requests"] = r.footer_requests;
  j["columns-added"] = r.columns_added;
  j["columns-widened"] = r.columns_widened;
  if (!t.splits.empty()) {
    OrderedJson splits = OrderedJson::object();
    for (const auto& [split, files] : t.splits) splits[split] = files;
    j["splits"] = std::move(splits);
  }
  return j;
}

Status RunSync(Context& ctx, const std::vector<std::string>& names) {
  ASSIGN_OR_RETURN(auto catalog, ctx.OpenCatalog());
  ASSIGN_OR_RETURN(auto api, ctx.HubApi());
  ASSIGN_OR_RETURN(hub::HfFileIO * hfio, ctx.DatasetFileIO());
  bridge::SyncTablesOptions options;
  auto config = ctx.Config();
  if (config.ok()) options.config = *config;
  options.show_progress = ctx.ShowProgress();
  ASSIGN_OR_RETURN(auto synced, bridge::SyncTables(*catalog, *hfio, *api, names, options));
  if (ctx.options().json) {
    OrderedJson tables = OrderedJson::array();
    for (const auto& t : synced) tables.push_back(OutcomeJson(t));
    ctx.PrintJson(OrderedJson{{"tables", tables}});
    return Status::OK();
  }
  if (synced.empty()) {
    ctx.Print("no HF-backed tables to sync (map datasets with 'faceberg create')");
    return Status::OK();
  }
  for (const auto& t : synced) {
    const auto& r = *t.result;
    if (r.unchanged) {
      ctx.Print(fmt::format("{}: unchanged, {} is still at {}", t.id.ToString(), t.repo,
                            Short(r.commit)));
      continue;
    }
    std::string columns;
    if (!r.columns_added.empty()) {
      columns += fmt::format(", columns added: {}", Join(r.columns_added, ", "));
    }
    if (!r.columns_widened.empty()) {
      columns += fmt::format(", columns widened: {}", Join(r.columns_widened, ", "));
    }
    ctx.Print(fmt::format(
        "{}: now at {} ({}): {} file(s) added, {} removed, {} kept ({} footer request(s)); {} "
        "rows{}",
        t.id.ToString(), Short(r.commit), t.repo, r.files_added, r.files_removed, r.files_kept,
        r.footer_requests, r.rows, columns));
  }
  return Status::OK();
}

}  // namespace

Status RunCreateDatasetTables(Context& ctx, const std::vector<std::string>& names) {
  auto configured = ctx.Config();
  if (!configured.ok() && configured.status().code() != ErrorCode::kNotFound) {
    return configured.status();
  }
  if (!configured.ok()) {
    return NotFound(
        "no {} to create tables from: write one listing the datasets, pass --config FILE, or "
        "make a plain table, which needs --schema (e.g. --schema \"id long, name string\")",
        ctx.options().config);
  }
  const bridge::BridgeConfig* config = *configured;
  ASSIGN_OR_RETURN(auto catalog, ctx.OpenCatalog());
  ASSIGN_OR_RETURN(auto api, ctx.HubApi());
  ASSIGN_OR_RETURN(hub::HfFileIO * hfio, ctx.DatasetFileIO());
  ASSIGN_OR_RETURN(auto plan, bridge::PlanTables(*api, *config, names));
  bridge::CreateTablesOptions options;
  options.skip_existing = names.empty();
  options.show_progress = ctx.ShowProgress();
  ASSIGN_OR_RETURN(auto created, bridge::CreateTables(*catalog, *hfio, plan, options));
  if (ctx.options().json) {
    OrderedJson tables = OrderedJson::array();
    for (const auto& t : created) tables.push_back(OutcomeJson(t));
    ctx.PrintJson(OrderedJson{{"tables", tables}});
    return Status::OK();
  }
  for (const auto& t : created) {
    if (t.existed) {
      ctx.Print(fmt::format("{}: exists already (bring it up to date with 'faceberg sync {}')",
                            t.id.ToString(), t.id.ToString()));
      continue;
    }
    const auto& r = *t.result;
    ctx.Print(fmt::format("created {} from {} config {} at {}: {} files, {} rows; splits: {}",
                          t.id.ToString(), t.repo, t.config, Short(r.commit), r.files_added, r.rows,
                          SplitsText(t)));
  }
  return Status::OK();
}

void RegisterBridgeCommands(CLI::App& app, std::vector<std::pair<CLI::App*, CommandRunner>>* out) {
  auto names = std::make_shared<std::vector<std::string>>();
  auto* sync = app.add_subcommand("sync", "bring HF-backed tables up to their dataset's revision");
  sync->add_option("tables", *names, "tables to sync (all HF-backed tables when none is named)");
  sync->footer(
      "Sync reads the footers of new files only; a dataset still at the table's commit costs "
      "no write.\nExamples:\n  faceberg sync\n  faceberg sync dataset2_default");
  out->emplace_back(sync, [names](Context& ctx) { return RunSync(ctx, *names); });
}

}  // namespace faceberg::cli
