// Catalog: the operations of the Iceberg REST catalog API (namespaces, tables, commits), named
// after them, so the CLI and the REST server call the same functions on any catalog: the file
// catalog (catalog.json + vN.metadata.json) and the SQL catalog (SQLite, the JDBC schema).
//
// Names: a namespace is its levels joined by '.' ("db", "a.b"); each level is 1-128 letters,
// digits, '_' or '-' when created by faceberg (names read from a shared database are taken as
// they are). The empty string is the root (ListNamespaces) or "every namespace" (ListTables).
//
// Namespace existence (both catalogs, as PyIceberg's and Java's SQL catalogs define it): a
// namespace exists when it was created, or when a table or namespace below it exists ("a" exists
// when "a.b" does).
//
// Error codes, common to every method: InvalidArgument for a malformed name or argument, IOError /
// Corrupt from storage. NotFound messages say how to list what exists.
//
// Thread safety: a Catalog may be shared between threads (the REST server does); the
// TableOperations it returns belong to one thread at a time. Processes may share a catalog:
// every change is atomic and a lost race is reported, never overwritten.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/identifier.h"
#include "iceberg/table_metadata.h"
#include "table/table_operations.h"
#include "table/update.h"
#include "util/result.h"

namespace faceberg::catalog {

using Properties = std::map<std::string, std::string>;

struct CreateTableOptions {
  iceberg::SchemaPtr schema;
  iceberg::PartitionSpecPtr spec;    // null = unpartitioned
  iceberg::SortOrderPtr sort_order;  // null = unsorted
  Properties properties;
  /// Empty = the catalog's default location for the identifier (see each catalog).
  std::string location;
  int format_version = 2;
  /// Creates a missing namespace (the CLI's behaviour). A REST server sets it to false so that
  /// a missing namespace is NotFound, as the REST spec says.
  bool create_namespace = true;
};

/// What UpdateNamespaceProperties did, as the REST UpdateNamespacePropertiesResponse reports.
struct PropertiesUpdateSummary {
  std::vector<std::string> updated;  // keys set
  std::vector<std::string> removed;  // keys removed
  std::vector<std::string> missing;  // keys asked to be removed that were not there
};

/// A table's metadata and the file it was read from (the REST LoadTableResult / commit response).
struct CommittedTable {
  std::string metadata_location;
  iceberg::TableMetadataPtr metadata;
};

class Catalog {
 public:
  virtual ~Catalog() = default;

  /// The catalog's name (the SQL catalog's catalog_name; "faceberg" for the file catalog).
  virtual const std::string& name() const = 0;

  // ---- namespaces ----

  /// The namespaces one level below `parent` (full names, sorted); the top level when `parent`
  /// is empty. Errors: NotFound when `parent` does not exist.
  virtual Result<std::vector<std::string>> ListNamespaces(const std::string& parent) = 0;
  /// Errors: AlreadyExists.
  virtual Status CreateNamespace(const std::string& ns, const Properties& properties) = 0;
  /// Errors: NotFound.
  virtual Result<Properties> LoadNamespaceProperties(const std::string& ns) = 0;
  virtual Result<bool> NamespaceExists(const std::string& ns) = 0;
  /// Drops an empty namespace. Errors: NotFound; Conflict when it still holds tables or
  /// namespaces (the message names them; REST 409 NamespaceNotEmpty).
  virtual Status DropNamespace(const std::string& ns) = 0;
  /// Removes `removals`, then sets `updates`.
  /// Errors: NotFound; InvalidArgument when a key is in both lists.
  virtual Result<PropertiesUpdateSummary> UpdateNamespaceProperties(
      const std::string& ns, const std::vector<std::string>& removals,
      const Properties& updates) = 0;

  // ---- tables ----

  /// Tables of `ns` (every namespace when empty), sorted. Errors: NotFound for a missing `ns`.
  virtual Result<std::vector<TableIdentifier>> ListTables(const std::string& ns) = 0;
  /// Creates the table's first metadata and registers it; returns that metadata.
  /// Errors: AlreadyExists (the table, or metadata already at its location); NotFound (missing
  /// namespace with !create_namespace); InvalidArgument (bad schema, spec or sort order). Nothing
  /// is left behind on failure.
  virtual Result<iceberg::TableMetadataPtr> CreateTable(const TableIdentifier& id,
                                                        const CreateTableOptions& options) = 0;
  /// The location CreateTable (or an assert-create commit) would give `id` now when no location
  /// is asked for: the default folder, or a free one beside it (see each catalog). Nothing is
  /// written; the REST server's stage-create reports it. Errors: InvalidArgument for a bad
  /// identifier; NotSupported when the catalog cannot tell (the default).
  virtual Result<std::string> LocationForNewTable(const TableIdentifier& id);
  /// The table's operations, already refreshed (current_metadata_location() is set).
  /// Errors: NotFound naming the table and how to list tables.
  virtual Result<std::unique_ptr<table::TableOperations>> LoadTable(const TableIdentifier& id) = 0;
  virtual Result<bool> TableExists(const TableIdentifier& id) = 0;
  /// Removes the table from the catalog. With `purge`, then deletes its files: the metadata
  /// folder, and every data file, manifest, manifest list and statistics file the metadata
  /// references that lies under the table location. Files outside it (add-files sources, hf://
  /// files) are never deleted. Errors: NotFound.
  virtual Status DropTable(const TableIdentifier& id, bool purge) = 0;
  /// Renames (and may move between namespaces). The table's files stay where they are: its
  /// location is recorded in the metadata and in every manifest, so moving them is not safe.
  /// Errors: NotFound (`from`, or the namespace of `to`); AlreadyExists (`to`).
  virtual Status RenameTable(const TableIdentifier& from, const TableIdentifier& to) = 0;
  /// Registers an existing table by its metadata file; returns the table's metadata.
  /// Errors: NotFound (metadata file, namespace); AlreadyExists; Corrupt (unreadable metadata);
  /// InvalidArgument when the catalog cannot track that file (see each catalog).
  virtual Result<iceberg::TableMetadataPtr> RegisterTable(const TableIdentifier& id,
                                                          const std::string& metadata_location) = 0;
  /// Commits a REST-style change (see table::CommitTable): requirements are checked against the
  /// current metadata, updates applied, and a lost race retried while the requirements still
  /// hold. When the table does not exist and the requirements include assert-create, the
  /// updates build the new table (its location from set-location, else the default location).
  /// Errors: NotFound (no table, and no assert-create); Conflict naming the failed requirement
  /// (assert-create on an existing table included) or after the last lost race; InvalidArgument
  /// (an update does not apply).
  virtual Result<CommittedTable> CommitTable(const TableIdentifier& id,
                                             const std::vector<table::TableRequirement>& reqs,
                                             const std::vector<table::TableUpdate>& updates) = 0;

 protected:
  /// The shared CommitTable: loads and commits through table::CommitTable, or creates through
  /// CreateFromMetadata for assert-create on a missing table.
  Result<CommittedTable> CommitTableImpl(const TableIdentifier& id,
                                         const std::vector<table::TableRequirement>& reqs,
                                         const std::vector<table::TableUpdate>& updates);
  /// Registers a new table whose first metadata is `metadata` (an empty location means the
  /// default one). Errors: AlreadyExists; NotFound for a missing namespace.
  virtual Result<CommittedTable> CreateFromMetadata(const TableIdentifier& id,
                                                    iceberg::TableMetadata metadata) = 0;
};

/// The default local folder of a catalog (and of the mirror of an hf:// catalog).
inline constexpr const char* kDefaultCatalogFolder = ".faceberg";

struct OpenCatalogOptions {
  /// Makes an empty catalog when none exists.
  bool create = false;
  /// sqlite: catalogs: the tables' folder; empty = "<folder of PATH>/warehouse".
  std::string warehouse;
  /// hf://datasets/OWNER/REPO catalogs: the local folder mirroring the repository.
  std::string mirror = kDefaultCatalogFolder;
};

/// Opens a catalog from a URI: a folder (the file catalog), "sqlite:PATH" (the SQL catalog,
/// tables under options.warehouse), or "hf://datasets/OWNER/REPO" (a file catalog mirrored in
/// options.mirror whose table locations are hf:// URIs of the repository; `io` must map
/// them to the mirror, as hub::RoutingFileIO::AddMirror does). `io` must outlive the catalog.
/// Errors: NotFound (no catalog and !create); InvalidArgument for a malformed hf:// catalog URI;
/// NotSupported for other schemes.
Result<std::unique_ptr<Catalog>> OpenCatalog(io::FileIO& io, const std::string& uri,
                                             const OpenCatalogOptions& options);
/// OpenCatalog with `create` and `warehouse` (and the default mirror folder).
Result<std::unique_ptr<Catalog>> OpenCatalog(io::FileIO& io, const std::string& uri, bool create,
                                             const std::string& warehouse = "");

}  // namespace faceberg::catalog
