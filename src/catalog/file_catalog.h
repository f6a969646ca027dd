// The file catalog: a folder whose catalog.json maps "namespace.table" to table folders
// (relative to the folder), each a file-system Iceberg table (see FileTableOperations).
// DuckDB's iceberg_scan('<root>/<ns>/<table>') and Spark's Hadoop catalog read the tables.
//
// Thread safety: one FileCatalog is not shared between threads. Processes may share the folder:
// catalog.json changes are serialized by an advisory lock file and published atomically.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/file_table_operations.h"
#include "catalog/identifier.h"
#include "iceberg/table_metadata.h"
#include "io/file_io.h"

namespace faceberg::catalog {

struct CreateTableOptions {
  iceberg::SchemaPtr schema;
  iceberg::PartitionSpecPtr spec;  // null = unpartitioned
  std::map<std::string, std::string> properties;
  int format_version = 2;
};

class FileCatalog {
 public:
  /// Opens the catalog at `root`. With `create`, makes an empty catalog when none exists.
  /// `io` must outlive the catalog.
  /// Errors: NotFound (no catalog.json and !create: run 'faceberg init'), Corrupt.
  static Result<std::unique_ptr<FileCatalog>> Open(io::FileIO& io, std::string root, bool create);

  const std::string& root() const { return root_; }

  /// Tables of one namespace, or all when `ns` is empty; sorted.
  Result<std::vector<TableIdentifier>> ListTables(const std::string& ns = "");
  /// Errors: NotFound naming the table and how to list tables.
  Result<std::unique_ptr<FileTableOperations>> LoadTable(const TableIdentifier& id);
  /// The table folder of `id`. Errors: NotFound.
  Result<std::string> TableLocation(const TableIdentifier& id);
  /// Creates the table's first metadata and registers it.
  /// Errors: AlreadyExists; InvalidArgument for a bad schema or spec. Nothing is left behind on
  /// failure.
  Result<iceberg::TableMetadataPtr> CreateTable(const TableIdentifier& id,
                                                const CreateTableOptions& options);

 private:
  FileCatalog(io::FileIO& io, std::string root) : io_(io), root_(std::move(root)) {}
  struct State {
    std::map<std::string, std::string> namespaces_json;  // ns -> properties JSON text
    std::map<std::string, std::string> tables;           // "ns.table" -> relative location
  };
  Result<State> ReadState();
  Status WriteState(const State& state);
  std::string CatalogFile() const { return io::JoinPath(root_, "catalog.json"); }

  io::FileIO& io_;
  std::string root_;
};

}  // namespace faceberg::catalog
