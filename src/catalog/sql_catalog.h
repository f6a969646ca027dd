// The SQL catalog on SQLite, in the JDBC layout that Java's JdbcCatalog and PyIceberg's
// SqlCatalog share, so those clients can open the same database file:
//
//   iceberg_tables(catalog_name, table_namespace, table_name, metadata_location,
//                  previous_metadata_location, iceberg_type)          -- iceberg_type: V1 layout
//   iceberg_namespace_properties(catalog_name, namespace, property_key, property_value)
//
// - Missing tables are created in the V1 layout (as PyIceberg does); a V0 database (no
//   iceberg_type column, as Java creates by default) is used as it is. Rows whose iceberg_type
//   is NULL are tables; 'VIEW' rows are not tables (but do hold their names and namespaces).
// - Every row carries catalog_name: clients see each other's tables only with the same name
//   (ours defaults to "faceberg").
// - A namespace exists when it has a properties row, or when any table or namespace below it
//   does. A namespace created without properties gets the row ("exists", "true"), which is
//   hidden when properties are read (and the key is reserved).
// - Locations: a new table goes to <namespace property "location">/<table> when set, else
//   <warehouse>/<namespace>/<table> (the namespace string with its dots, as PyIceberg computes
//   it); when that folder already holds metadata (a table renamed or dropped without purge),
//   <that>-<8 hex digits> instead. Metadata files are <metadata folder>/<5-digit
//   version>-<uuid>.metadata.json, the folder being write.metadata.path or <location>/metadata, the
//   version one more than the current file's.
// - Commit: write the new metadata file, then UPDATE ... WHERE metadata_location = <the one the
//   change was based on>; no row updated means another writer won (Conflict), and the file
//   written is deleted. A failed commit never leaves the row pointing at a missing file.
// - Concurrency: a busy timeout (5 s by default) and whole-transaction retries on SQLITE_BUSY;
//   writing transactions start with BEGIN IMMEDIATE and check their COMMIT.
//
// Thread safety: safe to share between threads (one connection, serialized by a mutex); the
// TableOperations it returns share the connection and may outlive the catalog.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "io/file_io.h"

namespace faceberg::catalog {

inline constexpr const char* kDefaultSqlCatalogName = "faceberg";

struct SqlCatalogOptions {
  /// The SQLite database file.
  std::string path;
  /// Root of default table locations (a path or file:// URI); empty = a "warehouse" folder
  /// beside the database file.
  std::string warehouse;
  /// The catalog_name column value; clients must agree on it to share tables.
  std::string name = kDefaultSqlCatalogName;
  /// Creates the database file (and the catalog tables) when missing.
  bool create = true;
  int busy_timeout_ms = 5000;
};

class SqlStore;

class SqlCatalog final : public Catalog {
 public:
  /// Opens the database, creating the catalog tables when they are missing. `io` must outlive
  /// the catalog and every TableOperations it returns.
  /// Errors: NotFound (no database file and !create), IOError.
  static Result<std::unique_ptr<SqlCatalog>> Open(io::FileIO& io, const SqlCatalogOptions& options);
  ~SqlCatalog() override;

  const std::string& name() const override { return options_.name; }
  const std::string& warehouse() const { return options_.warehouse; }
  /// True for a V1 database (with iceberg_type).
  bool has_type_column() const;

  Result<std::vector<std::string>> ListNamespaces(const std::string& parent) override;
  /// Errors (besides Catalog's): InvalidArgument for the reserved key "exists".
  Status CreateNamespace(const std::string& ns, const Properties& properties) override;
  Result<Properties> LoadNamespaceProperties(const std::string& ns) override;
  Result<bool> NamespaceExists(const std::string& ns) override;
  Status DropNamespace(const std::string& ns) override;
  Result<PropertiesUpdateSummary> UpdateNamespaceProperties(
      const std::string& ns, const std::vector<std::string>& removals,
      const Properties& updates) override;

  Result<std::vector<TableIdentifier>> ListTables(const std::string& ns) override;
  Result<iceberg::TableMetadataPtr> CreateTable(const TableIdentifier& id,
                                                const CreateTableOptions& options) override;
  Result<std::string> LocationForNewTable(const TableIdentifier& id) override;
  Result<std::unique_ptr<table::TableOperations>> LoadTable(const TableIdentifier& id) override;
  Result<bool> TableExists(const TableIdentifier& id) override;
  Status DropTable(const TableIdentifier& id, bool purge) override;
  Status RenameTable(const TableIdentifier& from, const TableIdentifier& to) override;
  /// Any metadata file is accepted; it becomes the table's current one.
  Result<iceberg::TableMetadataPtr> RegisterTable(const TableIdentifier& id,
                                                  const std::string& metadata_location) override;
  Result<CommittedTable> CommitTable(const TableIdentifier& id,
                                     const std::vector<table::TableRequirement>& reqs,
                                     const std::vector<table::TableUpdate>& updates) override;

  /// The location a new table `id` gets when none is given (see the file comment).
  Result<std::string> DefaultTableLocation(const TableIdentifier& id);

 protected:
  Result<CommittedTable> CreateFromMetadata(const TableIdentifier& id,
                                            iceberg::TableMetadata metadata) override;

 private:
  SqlCatalog(io::FileIO& io, SqlCatalogOptions options, std::shared_ptr<SqlStore> store);
  /// The location of a new table: `location` when given (AlreadyExists when it holds metadata),
  /// else the default one, or <default>-<8 hex digits> when that folder already holds metadata
  /// (a table renamed or dropped without purge).
  Result<std::string> NewTableLocation(const TableIdentifier& id, const std::string& location);
  /// Writes `metadata` as version 0 and inserts the row (creating the namespace when asked).
  Result<CommittedTable> InsertNewTable(const TableIdentifier& id, iceberg::TableMetadata metadata,
                                        bool create_namespace);

  io::FileIO& io_;
  SqlCatalogOptions options_;
  std::shared_ptr<SqlStore> store_;
};

/// The metadata file a metastore-style catalog writes for `version` of a table:
/// <write.metadata.path or location/metadata>/<%05d version>-<uuid>.metadata.json.
std::string NewMetadataLocation(const iceberg::TableMetadata& metadata, int64_t version);
/// The version of a metastore-style metadata file name ("00012-<uuid>.metadata.json" -> 12);
/// -1 when the name does not follow that form.
int64_t MetadataFileVersion(std::string_view location);

}  // namespace faceberg::catalog
