// init, list: commands about the catalog as a whole.
#include <fmt/format.h>

#include "bridge/mirror.h"
#include "bridge/properties.h"
#include "cli/context.h"
#include "table/append.h"
#include "table/check.h"
#include "util/strings.h"

namespace faceberg::cli {

namespace {

// Creates the catalog (for an hf:// catalog: pulls it from the Hub when the repository has one,
// else an empty mirror) and, for an hf:// catalog, keeps faceberg.yml in the mirror so that push
// shares it.
Status RunInit(Context& ctx, const std::string& config_path) {
  if (!config_path.empty()) RETURN_IF_ERROR(ctx.UseConfig(config_path));
  const std::string location = ctx.CatalogLocation();
  OrderedJson j{{"catalog", location}};
  std::string note;
  if (StartsWith(location, "hf://")) {
    ASSIGN_OR_RETURN(auto api, ctx.HubApi());
    bridge::MirrorOptions options;
    options.repo_uri = location;
    while (EndsWith(options.repo_uri, "/")) options.repo_uri.pop_back();
    options.mirror = ctx.MirrorFolder();
    ASSIGN_OR_RETURN(bridge::InitMirrorResult init, bridge::InitMirror(*api, options));
    j["mirror"] = options.mirror;
    j["pulled-commit"] = init.pulled ? OrderedJson(init.commit) : OrderedJson();
    note =
        init.pulled
            ? fmt::format(" (pulled commit {} into {})", init.commit.substr(0, 12), options.mirror)
        : init.existing ? fmt::format(" (mirror {} already holds it)", options.mirror)
                        : fmt::format(" (mirror {}; 'faceberg push' publishes it)", options.mirror);
    auto config = ctx.Config();
    if (config.ok() && !init.pulled) {
      const std::string copy = io::JoinPath(options.mirror, "faceberg.yml");
      ASSIGN_OR_RETURN(auto in, ctx.io().NewInputFile((*config)->file));
      ASSIGN_OR_RETURN(std::string text, in->ReadAll(uint64_t{16} << 20));
      if (io::LocalPath((*config)->file) != copy) {
        RETURN_IF_ERROR(ctx.io().WriteFile(copy, text, io::WriteMode::kOverwrite));
      }
    }
  }
  ASSIGN_OR_RETURN(auto catalog, ctx.OpenCatalog(/*create=*/true));
  j["name"] = catalog->name();
  auto config = ctx.Config();
  const size_t datasets = config.ok() ? (*config)->datasets.size() : 0;
  j["datasets"] = datasets;
  if (ctx.options().json) {
    ctx.PrintJson(j);
    return Status::OK();
  }
  ctx.Print(fmt::format("catalog ready at {}{}", location, note));
  if (datasets > 0) {
    ctx.Print(fmt::format("{} lists {} dataset(s): run 'faceberg create' to map them to tables",
                          (*config)->file, datasets));
  }
  return Status::OK();
}

Status RunList(Context& ctx, const std::string& ns) {
  ASSIGN_OR_RETURN(auto catalog, ctx.OpenCatalog());
  ASSIGN_OR_RETURN(auto tables, catalog->ListTables(ns));
  OrderedJson rows = OrderedJson::array();
  for (const auto& id : tables) {
    ASSIGN_OR_RETURN(auto ops, catalog->LoadTable(id));
    ASSIGN_OR_RETURN(auto md, ops->Refresh());
    const auto* current = md->CurrentSnapshot();
    OrderedJson row;
    row["table"] = id.ToString();
    auto repo = md->properties.find(bridge::kRepoProperty);
    const bool hf = repo != md->properties.end();
    row["kind"] = hf ? "hf" : "iceberg";
    auto property = [&](const char* key) {
      auto it = md->properties.find(key);
      return it == md->properties.end() ? OrderedJson() : OrderedJson(it->second);
    };
    row["repo"] = property(bridge::kRepoProperty);
    row["config"] = property(bridge::kConfigProperty);
    row["revision"] = property(bridge::kRevisionProperty);
    row["commit"] = property(bridge::kCommitProperty);
    row["snapshots"] = md->snapshots.size();
    row["rows"] = current ? current->SummaryInt(iceberg::summary::kTotalRecords, 0) : 0;
    row["location"] = md->location;
    rows.push_back(std::move(row));
  }
  if (ctx.options().json) {
    ctx.PrintJson(OrderedJson{{"tables", rows}});
    return Status::OK();
  }
  if (rows.empty()) {
    ctx.Print(
        "no tables (map the datasets of faceberg.yml with 'faceberg create', or make a plain "
        "table with 'faceberg create TABLE --schema ...')");
    return Status::OK();
  }
  ctx.Print(
      fmt::format("{:<32} {:<8} {:>9} {:>12}  {}", "TABLE", "KIND", "SNAPSHOTS", "ROWS", "SOURCE"));
  for (const auto& r : rows) {
    std::string source;
    if (r["repo"].is_string()) {
      source = fmt::format(
          "{} config {} @ {}", r["repo"].get<std::string>(),
          r["config"].is_string() ? r["config"].get<std::string>() : "?",
          r["commit"].is_string() ? r["commit"].get<std::string>().substr(0, 8) : std::string("?"));
    }
    ctx.Print(fmt::format("{:<32} {:<8} {:>9} {:>12}  {}", r["table"].get<std::string>(),
                          r["kind"].get<std::string>(), r["snapshots"].get<size_t>(),
                          r["rows"].get<int64_t>(), source));
  }
  return Status::OK();
}

// Checks the named tables (every table when none is named); see table::CheckTable. A table that
// does not load is a problem of that table, not an error of the command.
Status RunCheck(Context& ctx, const std::vector<std::string>& names) {
  ASSIGN_OR_RETURN(auto catalog, ctx.OpenCatalog());
  std::vector<catalog::TableIdentifier> ids;
  if (names.empty()) {
    ASSIGN_OR_RETURN(ids, catalog->ListTables(""));
  }
  for (const auto& name : names) {
    ASSIGN_OR_RETURN(auto id, catalog::ParseTableIdentifier(name));
    ids.push_back(std::move(id));
  }
  OrderedJson tables = OrderedJson::array();
  size_t snapshots = 0, files = 0, problems = 0, bad_tables = 0;
  for (const auto& id : ids) {
    table::TableCheck check;
    auto ops = catalog->LoadTable(id);
    Result<iceberg::TableMetadataPtr> md = ops.ok() ? (*ops)->Refresh() : ops.status();
    if (!md.ok()) {
      check.problems.push_back("the table does not load: " + md.status().message());
    } else {
      ASSIGN_OR_RETURN(check, table::CheckTable(ctx.io(), **md));
    }
    snapshots += check.snapshots;
    files += check.files_checked;
    problems += check.problems.size();
    bad_tables += check.ok() ? 0 : 1;
    if (!ctx.options().json) {
      for (const auto& p : check.problems) ctx.Print(fmt::format("{}: {}", id.ToString(), p));
    }
    tables.push_back(OrderedJson{{"table", id.ToString()},
                                 {"snapshots", check.snapshots},
                                 {"files", check.files_checked},
                                 {"problems", check.problems}});
  }
  if (ctx.options().json) {
    ctx.PrintJson(OrderedJson{{"ok", problems == 0}, {"tables", tables}});
  } else if (problems == 0) {
    ctx.Print(
        fmt::format("ok: {} tables, {} snapshots, {} files checked", ids.size(), snapshots, files));
  }
  if (problems == 0) return Status::OK();
  return Corrupt(
      "check found {} problems in {} of {} tables (listed on stdout): restore the missing files, "
      "or roll each table back to a snapshot that reads",
      problems, bad_tables, ids.size());
}

}  // namespace

void RegisterCatalogCommands(CLI::App& app, std::vector<std::pair<CLI::App*, CommandRunner>>* out) {
  auto* init =
      app.add_subcommand("init", "create the catalog (an empty one when there is no config)");
  auto config = std::make_shared<std::string>();
  init->add_option("config", *config, "faceberg.yml to create the catalog from");
  init->footer(
      "Examples:\n  faceberg init                  # from ./faceberg.yml, or an empty .faceberg/\n"
      "  faceberg init datasets.yml\n  faceberg --catalog hf://datasets/me/catalog init");
  out->emplace_back(init, [config](Context& ctx) { return RunInit(ctx, *config); });

  auto* list = app.add_subcommand("list", "list tables with kind, snapshot count and rows");
  auto ns = std::make_shared<std::string>();
  list->add_option("namespace", *ns, "only this namespace");
  list->footer("Example: faceberg list default");
  out->emplace_back(list, [ns](Context& ctx) { return RunList(ctx, *ns); });

  auto* check = app.add_subcommand(
      "check", "verify that every file the tables reference exists with its recorded size");
  auto names = std::make_shared<std::vector<std::string>>();
  check->add_option("tables", *names, "only these tables (default: every table)");
  check->footer(
      "Reads every snapshot's manifest list and manifests and looks up each data, delete and\n"
      "statistics file (hf:// files on the Hub). Exit code 1 when anything is missing.\n"
      "Examples:\n  faceberg check\n  faceberg --json check db.events");
  out->emplace_back(check, [names](Context& ctx) { return RunCheck(ctx, *names); });
}

}  // namespace faceberg::cli
