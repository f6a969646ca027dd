// init, list: commands about the catalog as a whole.
#include <fmt/format.h>

#include "cli/context.h"
#include "table/append.h"

namespace faceberg::cli {

namespace {

Status RunInit(Context& ctx) {
  ASSIGN_OR_RETURN(auto catalog, ctx.OpenCatalog(/*create=*/true));
  if (ctx.options().json) {
    ctx.PrintJson(OrderedJson{{"catalog", ctx.CatalogLocation()}, {"name", catalog->name()}});
  } else {
    ctx.Print(fmt::format("catalog ready at {}", ctx.CatalogLocation()));
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
    row["kind"] = md->properties.count("hf.repo") ? "hf" : "iceberg";
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
    ctx.Print("no tables (create one with 'faceberg create TABLE --schema ...')");
    return Status::OK();
  }
  ctx.Print(fmt::format("{:<32} {:<8} {:>9} {:>12}", "TABLE", "KIND", "SNAPSHOTS", "ROWS"));
  for (const auto& r : rows) {
    ctx.Print(fmt::format("{:<32} {:<8} {:>9} {:>12}", r["table"].get<std::string>(),
                          r["kind"].get<std::string>(), r["snapshots"].get<size_t>(),
                          r["rows"].get<int64_t>()));
  }
  return Status::OK();
}

}  // namespace

void RegisterCatalogCommands(CLI::App& app, std::vector<std::pair<CLI::App*, CommandRunner>>* out) {
  auto* init =
      app.add_subcommand("init", "create the catalog (an empty one when there is no config)");
  auto config = std::make_shared<std::string>();
  init->add_option("config", *config, "faceberg.yml to create the catalog from");
  init->footer("Example: faceberg --catalog ./warehouse init");
  out->emplace_back(init, [](Context& ctx) { return RunInit(ctx); });

  auto* list = app.add_subcommand("list", "list tables with kind, snapshot count and rows");
  auto ns = std::make_shared<std::string>();
  list->add_option("namespace", *ns, "only this namespace");
  list->footer("Example: faceberg list default");
  out->emplace_back(list, [ns](Context& ctx) { return RunList(ctx, *ns); });
}

}  // namespace faceberg::cli
