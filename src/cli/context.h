// What every CLI command receives: the global options and output helpers.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>

#include "catalog/catalog.h"
#include "io/file_io.h"
#include "util/json.h"
#include "util/result.h"

namespace faceberg::cli {

struct GlobalOptions {
  std::string catalog;  // empty: FACEBERG_CATALOG, then faceberg.yml, then .faceberg/
  std::string config = "faceberg.yml";
  std::string warehouse;  // SQL catalog data folder; empty: "warehouse" beside the database
  bool json = false;
  bool verbose = false;
  bool quiet = false;
};

class Context {
 public:
  explicit Context(const GlobalOptions& options) : options_(options) {}
  const GlobalOptions& options() const { return options_; }
  io::FileIO& io() { return io_; }

  /// The catalog location chosen by --catalog, FACEBERG_CATALOG, faceberg.yml, or .faceberg/.
  std::string CatalogLocation() const;
  /// Opens the catalog. Errors: NotFound with advice to run 'faceberg init'.
  Result<std::unique_ptr<catalog::Catalog>> OpenCatalog(bool create = false);

  /// Prints a JSON document (with --json) on stdout.
  void PrintJson(const OrderedJson& json) const;
  /// Prints a line on stdout unless --quiet.
  void Print(const std::string& line) const;

 private:
  GlobalOptions options_;
  io::LocalFileIO io_;
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
