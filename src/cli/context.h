// What every CLI command receives: the global options and output helpers.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "bridge/config.h"
#include "catalog/catalog.h"
#include "hub/routing_file_io.h"
#include "io/file_io.h"
#include "util/json.h"
#include "util/result.h"

namespace faceberg::cli {

struct GlobalOptions {
  std::string catalog;  // empty: FACEBERG_CATALOG, then faceberg.yml, then .faceberg/
  std::string config = "faceberg.yml";
  std::string warehouse;  // SQL catalog data folder; empty: "warehouse" beside the database
  std::string mirror;     // hf:// catalogs: local mirror folder; empty: FACEBERG_MIRROR, .faceberg/
  bool json = false;
  bool verbose = false;
  bool quiet = false;
};

class Context {
 public:
  explicit Context(const GlobalOptions& options);
  /// Reads faceberg.yml (--config, default ./faceberg.yml) when it exists and the catalog
  /// location comes from it (no --catalog, no FACEBERG_CATALOG). Called once before the command
  /// runs.
  /// Errors: InvalidArgument (a malformed faceberg.yml, FILE:LINE), NotFound (an explicit
  /// --config that does not exist).
  Status Init();
  /// Re-reads the configuration from `path` (init CONFIG). Errors: as Init.
  Status UseConfig(const std::string& path);
  const GlobalOptions& options() const { return options_; }
  /// faceberg.yml (read on first use when Init did not read it). Errors: NotFound with advice
  /// when there is none; as Init for a malformed one.
  Result<const bridge::BridgeConfig*> Config();
  /// Local paths, file://, hf:// (an hf:// catalog's own locations map to its mirror folder).
  io::FileIO& io() { return io_; }

  /// The catalog location chosen by --catalog, FACEBERG_CATALOG, faceberg.yml, or .faceberg/.
  /// A relative catalog.location of faceberg.yml is taken relative to the file's folder.
  std::string CatalogLocation() const;
  /// The local folder mirroring an hf:// catalog: --mirror, FACEBERG_MIRROR, or .faceberg/.
  std::string MirrorFolder() const;
  /// Opens the catalog. Errors: NotFound with advice to run 'faceberg init'.
  Result<std::unique_ptr<catalog::Catalog>> OpenCatalog(bool create = false);
  /// The Hub client, made on first use (only then is the token looked up).
  Result<std::shared_ptr<const hub::HfApi>> HubApi() { return io_.Api(); }
  /// The read-only FileIO of dataset files (hf://datasets/OWNER/NAME@COMMIT/...).
  Result<hub::HfFileIO*> DatasetFileIO() { return io_.Remote(); }
  /// Whether long work may draw progress bars (not with --quiet or --json).
  bool ShowProgress() const { return !options_.quiet && !options_.json; }

  /// Prints a JSON document (with --json) on stdout.
  void PrintJson(const OrderedJson& json) const;
  /// Prints a line on stdout unless --quiet.
  void Print(const std::string& line) const;

 private:
  /// Maps an hf:// catalog's locations to its mirror folder (a malformed URI is reported when
  /// the catalog is opened).
  void RouteMirror();

  GlobalOptions options_;
  hub::RoutingFileIO io_;
  /// Reads --config (default ./faceberg.yml, skipped when absent). Errors: as Init.
  Status LoadConfig();

  std::optional<bridge::BridgeConfig> config_;
  bool config_tried_ = false;
  std::string config_location_;  // catalog.location of config_, resolved; empty when absent
};

using CommandRunner = std::function<Status(Context&)>;

// One registrar per command group (each in its own file).
void RegisterCatalogCommands(CLI::App& app, std::vector<std::pair<CLI::App*, CommandRunner>>* out);
void RegisterTableCommands(CLI::App& app, std::vector<std::pair<CLI::App*, CommandRunner>>* out);
void RegisterQueryCommands(CLI::App& app, std::vector<std::pair<CLI::App*, CommandRunner>>* out);
void RegisterAdminCommands(CLI::App& app, std::vector<std::pair<CLI::App*, CommandRunner>>* out);
void RegisterHubCommands(CLI::App& app, std::vector<std::pair<CLI::App*, CommandRunner>>* out);
void RegisterEvolutionCommands(CLI::App& app,
                               std::vector<std::pair<CLI::App*, CommandRunner>>* out);
void RegisterMirrorCommands(CLI::App& app, std::vector<std::pair<CLI::App*, CommandRunner>>* out);
void RegisterBridgeCommands(CLI::App& app, std::vector<std::pair<CLI::App*, CommandRunner>>* out);
void RegisterServerCommands(CLI::App& app, std::vector<std::pair<CLI::App*, CommandRunner>>* out);
void RegisterGenerateCommands(CLI::App& app, std::vector<std::pair<CLI::App*, CommandRunner>>* out);

/// `create [TABLE...]` without --schema: the tables faceberg.yml maps (bridge_commands.cc).
Status RunCreateDatasetTables(Context& ctx, const std::vector<std::string>& names);

/// A table opened through the catalog, or a bare metadata file (read-only; no catalog).
struct LoadedTable {
  std::unique_ptr<catalog::Catalog> catalog;
  catalog::TableIdentifier id;
  std::unique_ptr<table::TableOperations> ops;
  iceberg::TableMetadataPtr metadata;
};
/// Loads `name` ("ns.table", "table", or a path ending in .json) and its latest metadata.
/// Errors: InvalidArgument for a bad name, NotFound.
Result<LoadedTable> LoadTableOrFile(Context& ctx, const std::string& name);

}  // namespace faceberg::cli
