// The file catalog: a folder whose catalog.json lists namespaces (with their properties) and maps
// "namespace.table" to table folders, each a file-system Iceberg table (see
// FileTableOperations). DuckDB's iceberg_scan('<root>/<ns>/<table>') and Spark's Hadoop catalog
// read the tables.
//
// Locations: a new table lives in <root>/<ns levels as folders>/<table> (stored relative to the
// root, so the folder can be moved or pushed as a whole), or at CreateTableOptions::location
// (stored relative to the root when inside it, else as given). When the default folder already
// holds table metadata (a table renamed or dropped without purge), the new table gets
// <table>-<8 hex digits> beside it.
// RenameTable changes only catalog.json: the folder stays (metadata and manifests record absolute
// paths, so moving it is not safe). RegisterTable accepts <folder>/metadata/vN.metadata.json and
// tracks the folder (its newest version is loaded).
//
// Public root (a mirrored catalog): catalog.json and the lock stay in the local folder `root`,
// while table locations are addressed under `public_root` (hf://datasets/OWNER/REPO/<ns>/<table>
// is written into the metadata, so the tables read from the Hub after a push). Every table file
// goes through the FileIO, which must map the public root back to `root`
// (hub::RoutingFileIO::AddMirror does).
//
// Thread safety: safe to share between threads. Processes may share the folder: catalog.json
// changes are serialized by an advisory lock file (FileCatalogLock) and published atomically.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "catalog/file_table_operations.h"
#include "catalog/identifier.h"
#include "iceberg/table_metadata.h"
#include "io/file_io.h"

namespace faceberg::catalog {

/// The name of the lock file in a file catalog's folder.
inline constexpr const char* kFileCatalogLockName = ".catalog.lock";

/// An exclusive advisory lock on <root>/.catalog.lock, held while catalog.json is read, changed
/// and written (also by tools that replace catalog.json, such as a mirror's pull). flock() locks
/// belong to the open file description, so two threads of one process exclude each other as two
/// processes do; a thread must not acquire it twice.
class FileCatalogLock {
 public:
  /// Blocks until the lock is held; creates the lock file (not its folder).
  /// Errors: IOError when the file cannot be opened or locked.
  static Result<std::unique_ptr<FileCatalogLock>> Acquire(const std::string& root);
  ~FileCatalogLock();
  FileCatalogLock(const FileCatalogLock&) = delete;
  FileCatalogLock& operator=(const FileCatalogLock&) = delete;

 private:
  explicit FileCatalogLock(int fd) : fd_(fd) {}
  int fd_;
};

struct FileCatalogOptions {
  /// The local folder of catalog.json and the lock (and of the tables, without public_root).
  std::string root;
  /// Empty: `root`. Else the location new tables are placed under and relative table locations
  /// are resolved against (e.g. hf://datasets/OWNER/REPO); the FileIO maps it to `root`.
  std::string public_root;
  /// Makes an empty catalog (with the namespace "default") when none exists.
  bool create = false;
};

class FileCatalog final : public Catalog {
 public:
  /// Opens the catalog at `root`. With `create`, makes an empty catalog (with the namespace
  /// "default") when none exists. `io` must outlive the catalog.
  /// Errors: NotFound (no catalog.json and !create: run 'faceberg init'), Corrupt.
  static Result<std::unique_ptr<FileCatalog>> Open(io::FileIO& io, std::string root, bool create);
  /// Opens the catalog `options` describe; as above.
  static Result<std::unique_ptr<FileCatalog>> Open(io::FileIO& io, FileCatalogOptions options);

  /// The local folder of catalog.json.
  const std::string& root() const { return root_; }
  /// Where table locations live: the public root, else the root.
  const std::string& table_root() const { return table_root_; }
  const std::string& name() const override { return name_; }

  Result<std::vector<std::string>> ListNamespaces(const std::string& parent) override;
  Status CreateNamespace(const std::string& ns, const Properties& properties) override;
  Result<Properties> LoadNamespaceProperties(const std::string& ns) override;
  Result<bool> NamespaceExists(const std::string& ns) override;
  Status DropNamespace(const std::string& ns) override;
  Result<PropertiesUpdateSummary> UpdateNamespaceProperties(
      const std::string& ns, const std::vector<std::string>& removals,
      const Properties& updates) override;

  /// Tables of one namespace, or all when `ns` is empty; sorted.
  Result<std::vector<TableIdentifier>> ListTables(const std::string& ns) override;
  Result<std::vector<TableIdentifier>> ListTables() { return ListTables(""); }
  Result<iceberg::TableMetadataPtr> CreateTable(const TableIdentifier& id,
                                                const CreateTableOptions& options) override;
  Result<std::string> LocationForNewTable(const TableIdentifier& id) override;
  Result<std::unique_ptr<table::TableOperations>> LoadTable(const TableIdentifier& id) override;
  Result<bool> TableExists(const TableIdentifier& id) override;
  Status DropTable(const TableIdentifier& id, bool purge) override;
  Status RenameTable(const TableIdentifier& from, const TableIdentifier& to) override;
  Result<iceberg::TableMetadataPtr> RegisterTable(const TableIdentifier& id,
                                                  const std::string& metadata_location) override;
  Result<CommittedTable> CommitTable(const TableIdentifier& id,
                                     const std::vector<table::TableRequirement>& reqs,
                                     const std::vector<table::TableUpdate>& updates) override;

  /// The table folder of `id`. Errors: NotFound.
  Result<std::string> TableLocation(const TableIdentifier& id);

 protected:
  Result<CommittedTable> CreateFromMetadata(const TableIdentifier& id,
                                            iceberg::TableMetadata metadata) override;

 private:
  FileCatalog(io::FileIO& io, std::string root, std::string table_root)
      : io_(io), root_(std::move(root)), table_root_(std::move(table_root)) {}
  struct State {
    std::map<std::string, Properties> namespaces;  // explicitly created namespaces
    std::map<std::string, std::string> tables;     // "ns.table" -> location (relative or not)
  };
  Result<State> ReadState();
  Status WriteState(const State& state);
  std::string CatalogFile() const { return io::JoinPath(root_, "catalog.json"); }
  /// A stored location made usable (relative ones are joined to the table root).
  std::string Resolve(const std::string& stored) const;
  /// Namespace existence per catalog.h over a state.
  static bool Exists(const State& state, const std::string& ns);
  /// Picks the folder of a new table: (stored form, path). `location` empty = the default.
  /// Errors: AlreadyExists when an explicit location already holds metadata.
  Result<std::pair<std::string, std::string>> NewTableFolder(const TableIdentifier& id,
                                                             const std::string& location);
  /// Publishes `metadata` as v1 of a new table and registers it (the lock is held by the
  /// caller). Nothing is left behind on failure.
  Result<CommittedTable> PublishNewTable(State state, const TableIdentifier& id,
                                         const std::string& stored, const std::string& folder,
                                         iceberg::TableMetadata metadata);

  io::FileIO& io_;
  std::string root_;
  std::string table_root_;
  std::string name_ = "faceberg";
};

}  // namespace faceberg::catalog
