#include "cli/context.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <mutex>

#include "catalog/file_table_operations.h"
#include "cli/foreground.h"

namespace faceberg::cli {

namespace {

// The CLI's Hub client keeps up to 96 requests in flight: creating a table from thousands of
// dataset files is bound by round trips, not bandwidth (see docs/benchmarks.md).
hub::RoutingFileIOOptions CliFileIOOptions() {
  hub::RoutingFileIOOptions options;
  options.api.http.max_connections = 96;
  return options;
}

}  // namespace

Context::Context(const GlobalOptions& options) : options_(options), io_(CliFileIOOptions()) {
  RouteMirror();
}

void Context::RouteMirror() {
  std::string location = CatalogLocation();
  if (location.rfind("hf://", 0) == 0) (void)io_.AddMirror(location, MirrorFolder());
}

std::string Context::MirrorFolder() const {
  if (!options_.mirror.empty()) return options_.mirror;
  if (const char* env = std::getenv("FACEBERG_MIRROR"); env && *env) return env;
  return catalog::kDefaultCatalogFolder;
}

Status Context::Init() {
  // With the catalog given by --catalog or FACEBERG_CATALOG, faceberg.yml is read only by the
  // commands that need it (Config()), so a broken one does not stop the others.
  const char* env = std::getenv("FACEBERG_CATALOG");
  if (!options_.catalog.empty() || (env && *env)) return Status::OK();
  return LoadConfig();
}

Status Context::LoadConfig() {
  config_tried_ = true;
  const bool explicit_config = options_.config != "faceberg.yml";
  std::error_code ec;
  if (!explicit_config && !std::filesystem::exists(options_.config, ec)) return Status::OK();
  return UseConfig(options_.config);
}

Status Context::UseConfig(const std::string& path) {
  config_tried_ = true;
  ASSIGN_OR_RETURN(bridge::BridgeConfig config, bridge::LoadBridgeConfig(io_, path));
  config_location_.clear();
  const std::string& location = config.catalog_location;
  if (!location.empty()) {
    const bool uri = location.find("://") != std::string::npos || location.rfind("sqlite:", 0) == 0;
    if (uri || location[0] == '/') {
      config_location_ = location;
    } else {
      std::filesystem::path folder = std::filesystem::path(path).parent_path();
      config_location_ = (folder / location).lexically_normal().string();
    }
    while (config_location_.size() > 1 && config_location_.back() == '/' &&
           config_location_.find("://") == std::string::npos) {
      config_location_.pop_back();
    }
  }
  config_ = std::move(config);
  RouteMirror();
  return Status::OK();
}

Result<const bridge::BridgeConfig*> Context::Config() {
  if (!config_ && !config_tried_) RETURN_IF_ERROR(LoadConfig());
  if (!config_) {
    return NotFound(
        "no {} here: write one listing the datasets (catalog: and datasets: with name and "
        "repo), or pass --config FILE",
        options_.config);
  }
  return &*config_;
}

std::string Context::CatalogLocation() const {
  if (!options_.catalog.empty()) return options_.catalog;
  if (const char* env = std::getenv("FACEBERG_CATALOG"); env && *env) return env;
  if (!config_location_.empty()) return config_location_;
  return ".faceberg";
}

Result<std::unique_ptr<catalog::Catalog>> Context::OpenCatalog(bool create) {
  RouteMirror();
  catalog::OpenCatalogOptions options;
  options.create = create;
  options.warehouse = options_.warehouse;
  options.mirror = MirrorFolder();
  return catalog::OpenCatalog(io_, CatalogLocation(), options);
}

Result<LoadedTable> LoadTableOrFile(Context& ctx, const std::string& name) {
  LoadedTable t;
  if (name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0) {
    ASSIGN_OR_RETURN(t.metadata, catalog::ReadMetadataFile(ctx.io(), name));
    return t;
  }
  ASSIGN_OR_RETURN(t.id, catalog::ParseTableIdentifier(name));
  ASSIGN_OR_RETURN(t.catalog, ctx.OpenCatalog());
  ASSIGN_OR_RETURN(t.ops, t.catalog->LoadTable(t.id));
  ASSIGN_OR_RETURN(t.metadata, t.ops->Refresh());
  return t;
}

void Context::PrintJson(const OrderedJson& json) const { std::cout << DumpJson(json, 2) << "\n"; }

std::function<void(std::string_view)> StderrLineLogger() {
  auto mu = std::make_shared<std::mutex>();
  return [mu](std::string_view line) {
    std::lock_guard<std::mutex> lock(*mu);
    std::cerr << line << "\n";
  };
}

void Context::Print(const std::string& line) const {
  if (!options_.quiet) std::cout << line << "\n";
}

}  // namespace faceberg::cli
