#include "catalog/sql_catalog.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "catalog/file_table_operations.h"
#include "catalog/purge.h"
#include "catalog/sqlite_db.h"
#include "util/failpoint.h"
#include "util/strings.h"
#include "util/time.h"
#include "util/uuid.h"

namespace faceberg::catalog {

namespace {

constexpr int kBusyAttempts = 3;
constexpr const char* kExistsKey = "exists";

constexpr const char* kCreateTables =
    "CREATE TABLE IF NOT EXISTS iceberg_tables ("
    "catalog_name VARCHAR(255) NOT NULL, "
    "table_namespace VARCHAR(255) NOT NULL, "
    "table_name VARCHAR(255) NOT NULL, "
    "metadata_location VARCHAR(1000), "
    "previous_metadata_location VARCHAR(1000), "
    "iceberg_type VARCHAR(5), "
    "PRIMARY KEY (catalog_name, table_namespace, table_name))";
constexpr const char* kCreateNamespaceProperties =
    "CREATE TABLE IF NOT EXISTS iceberg_namespace_properties ("
    "catalog_name VARCHAR(255) NOT NULL, "
    "namespace VARCHAR(255) NOT NULL, "
    "property_key VARCHAR(255) NOT NULL, "
    "property_value VARCHAR(1000) NOT NULL, "
    "PRIMARY KEY (catalog_name, namespace, property_key))";

Status NamespaceNotFound(const std::string& ns) {
  return NotFound("namespace '{}' does not exist: create it first, or list the namespaces", ns);
}

Status TableNotFound(const TableIdentifier& id) {
  return NotFound("table '{}' does not exist: run 'faceberg list' to see the tables",
                  id.ToString());
}

std::string StripTrailingSlashes(std::string s) {
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

// A local path made absolute; URIs are kept.
std::string AbsoluteLocation(const std::string& location) {
  if (location.find("://") != std::string::npos) return StripTrailingSlashes(location);
  return StripTrailingSlashes(std::filesystem::absolute(location).lexically_normal().string());
}

}  // namespace

// ---- metadata file names ----

std::string NewMetadataLocation(const iceberg::TableMetadata& metadata, int64_t version) {
  std::string folder = metadata.Property("write.metadata.path", "");
  folder =
      folder.empty() ? io::JoinPath(metadata.location, "metadata") : StripTrailingSlashes(folder);
  return io::JoinPath(folder, fmt::format("{:05d}-{}.metadata.json", version, RandomUuid()));
}

int64_t MetadataFileVersion(std::string_view location) {
  std::string_view name = location.substr(location.rfind('/') + 1);
  if (!EndsWith(name, ".metadata.json")) return -1;
  size_t dash = name.find('-');
  if (dash == std::string_view::npos || dash == 0) return -1;
  std::string_view digits = name.substr(0, dash);
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return -1;
  }
  return ParseInt64(digits).value_or(-1);
}

// ---- the store: one connection and the JDBC-layout queries ----

class SqlStore {
 public:
  static Result<std::shared_ptr<SqlStore>> Open(const SqlCatalogOptions& options) {
    ASSIGN_OR_RETURN(auto db,
                     SqliteDb::Open(options.path, options.create, options.busy_timeout_ms));
    auto store = std::shared_ptr<SqlStore>(new SqlStore(std::move(db), options.name));
    RETURN_IF_ERROR(store->Initialize());
    return store;
  }

  const std::string& catalog_name() const { return name_; }
  bool v1() const { return v1_; }

  /// Runs `body(db)` under the mutex; with `write`, inside BEGIN IMMEDIATE ... COMMIT (rolled
  /// back when anything fails). The whole attempt is repeated while SQLite reports busy.
  template <typename F>
  Status Run(bool write, F&& body) {
    std::lock_guard<std::mutex> lock(mu_);
    Status st;
    for (int attempt = 0; attempt < kBusyAttempts; ++attempt) {
      if (attempt > 0) {
        std::this_thread::sleep_for(
            std::chrono::milliseconds(20 * attempt + RandomPositiveId() % 30));
      }
      if (!write) {
        st = body(*db_);
      } else {
        st = db_->Exec("BEGIN IMMEDIATE");
        if (st.ok()) {
          st = body(*db_);
          if (st.ok()) st = db_->Exec("COMMIT");
          if (!st.ok()) (void)db_->Exec("ROLLBACK");
        }
      }
      if (!IsBusy(st)) return st;
    }
    return st;
  }

  // The queries below run inside Run().

  std::string TypeFilter() const {
    return v1_ ? " AND (iceberg_type = 'TABLE' OR iceberg_type IS NULL)" : "";
  }

  /// The table row's metadata_location: nullopt without a row; "" for a NULL location.
  Result<std::optional<std::string>> SelectLocation(SqliteDb& db, const TableIdentifier& id) {
    ASSIGN_OR_RETURN(auto stmt, db.Prepare("SELECT metadata_location FROM iceberg_tables "
                                           "WHERE catalog_name = ?1 AND table_namespace = ?2 "
                                           "AND table_name = ?3" +
                                           TypeFilter()));
    RETURN_IF_ERROR(BindId(stmt, id));
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return std::optional<std::string>();
    return std::optional<std::string>(stmt.ColumnText(0).value_or(""));
  }

  /// Any row (a table or a view) holds the name.
  Result<bool> NameTaken(SqliteDb& db, const TableIdentifier& id) {
    ASSIGN_OR_RETURN(auto stmt, db.Prepare("SELECT 1 FROM iceberg_tables WHERE catalog_name = ?1 "
                                           "AND table_namespace = ?2 AND table_name = ?3"));
    RETURN_IF_ERROR(BindId(stmt, id));
    return stmt.Step();
  }

  Result<bool> NamespaceExists(SqliteDb& db, const std::string& ns) {
    if (ns.empty()) return false;
    for (const char* sql :
         {"SELECT 1 FROM iceberg_tables WHERE catalog_name = ?1 AND (table_namespace = ?2 OR "
          "substr(table_namespace, 1, length(?3)) = ?3) LIMIT 1",
          "SELECT 1 FROM iceberg_namespace_properties WHERE catalog_name = ?1 AND (namespace = "
          "?2 OR substr(namespace, 1, length(?3)) = ?3) LIMIT 1"}) {
      ASSIGN_OR_RETURN(auto stmt, db.Prepare(sql));
      RETURN_IF_ERROR(stmt.BindText(1, name_));
      RETURN_IF_ERROR(stmt.BindText(2, ns));
      RETURN_IF_ERROR(stmt.BindText(3, ns + "."));
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (row) return true;
    }
    return false;
  }

  /// Every stored property row of `ns`, the hidden marker included.
  Result<Properties> SelectProperties(SqliteDb& db, const std::string& ns) {
    ASSIGN_OR_RETURN(auto stmt,
                     db.Prepare("SELECT property_key, property_value FROM "
                                "iceberg_namespace_properties WHERE catalog_name = ?1 AND "
                                "namespace = ?2"));
    RETURN_IF_ERROR(stmt.BindText(1, name_));
    RETURN_IF_ERROR(stmt.BindText(2, ns));
    Properties out;
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      auto key = stmt.ColumnText(0);
      if (key) out[*key] = stmt.ColumnText(1).value_or("");
    }
    return out;
  }

  Status InsertProperty(SqliteDb& db, const std::string& ns, const std::string& key,
                        const std::string& value) {
    ASSIGN_OR_RETURN(auto stmt, db.Prepare("INSERT INTO iceberg_namespace_properties "
                                           "(catalog_name, namespace, property_key, "
                                           "property_value) VALUES (?1, ?2, ?3, ?4)"));
    RETURN_IF_ERROR(stmt.BindText(1, name_));
    RETURN_IF_ERROR(stmt.BindText(2, ns));
    RETURN_IF_ERROR(stmt.BindText(3, key));
    RETURN_IF_ERROR(stmt.BindText(4, value));
    return stmt.Run();
  }

  Status DeleteProperty(SqliteDb& db, const std::string& ns, const std::string& key) {
    ASSIGN_OR_RETURN(auto stmt, db.Prepare("DELETE FROM iceberg_namespace_properties WHERE "
                                           "catalog_name = ?1 AND namespace = ?2 AND "
                                           "property_key = ?3"));
    RETURN_IF_ERROR(stmt.BindText(1, name_));
    RETURN_IF_ERROR(stmt.BindText(2, ns));
    RETURN_IF_ERROR(stmt.BindText(3, key));
    return stmt.Run();
  }

  /// Makes `ns` exist with the hidden marker row when nothing else makes it exist.
  Status EnsureNamespace(SqliteDb& db, const std::string& ns) {
    ASSIGN_OR_RETURN(bool exists, NamespaceExists(db, ns));
    if (exists) return Status::OK();
    return InsertProperty(db, ns, kExistsKey, "true");
  }

  Status InsertTable(SqliteDb& db, const TableIdentifier& id, const std::string& location) {
    std::string sql =
        v1_ ? "INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, "
              "metadata_location, previous_metadata_location, iceberg_type) VALUES (?1, ?2, ?3, "
              "?4, NULL, 'TABLE')"
            : "INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, "
              "metadata_location, previous_metadata_location) VALUES (?1, ?2, ?3, ?4, NULL)";
    ASSIGN_OR_RETURN(auto stmt, db.Prepare(sql));
    RETURN_IF_ERROR(BindId(stmt, id));
    RETURN_IF_ERROR(stmt.BindText(4, location));
    Status st = stmt.Run();
    if (st.code() == ErrorCode::kAlreadyExists) {
      return AlreadyExists("table '{}' already exists", id.ToString());
    }
    return st;
  }

  /// UPDATE ... WHERE metadata_location = old; true when the row was swapped.
  Result<bool> SwapLocation(SqliteDb& db, const TableIdentifier& id,
                            const std::string& old_location, const std::string& new_location) {
    ASSIGN_OR_RETURN(auto stmt, db.Prepare("UPDATE iceberg_tables SET metadata_location = ?4, "
                                           "previous_metadata_location = ?5 WHERE catalog_name = "
                                           "?1 AND table_namespace = ?2 AND table_name = ?3 AND "
                                           "metadata_location = ?5" +
                                           TypeFilter()));
    RETURN_IF_ERROR(BindId(stmt, id));
    RETURN_IF_ERROR(stmt.BindText(4, new_location));
    RETURN_IF_ERROR(stmt.BindText(5, old_location));
    RETURN_IF_ERROR(stmt.Run());
    return db.Changes() == 1;
  }

  Status BindId(SqliteStatement& stmt, const TableIdentifier& id) {
    RETURN_IF_ERROR(stmt.BindText(1, name_));
    RETURN_IF_ERROR(stmt.BindText(2, id.ns));
    return stmt.BindText(3, id.name);
  }

 private:
  SqlStore(std::unique_ptr<SqliteDb> db, std::string name)
      : db_(std::move(db)), name_(std::move(name)) {}

  Status Initialize() {
    return Run(/*write=*/false, [&](SqliteDb& db) -> Status {
      ASSIGN_OR_RETURN(auto present,
                       db.Prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                                  "name IN ('iceberg_tables', 'iceberg_namespace_properties')"));
      RETURN_IF_ERROR(present.Step());
      if (present.ColumnInt64(0) < 2) {
        RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
        Status st = db.Exec(kCreateTables);
        if (st.ok()) st = db.Exec(kCreateNamespaceProperties);
        if (st.ok()) st = db.Exec("COMMIT");
        if (!st.ok()) {
          (void)db.Exec("ROLLBACK");
          return st;
        }
      }
      ASSIGN_OR_RETURN(auto columns, db.Prepare("PRAGMA table_info(iceberg_tables)"));
      v1_ = false;
      while (true) {
        ASSIGN_OR_RETURN(bool row, columns.Step());
        if (!row) break;
        if (columns.ColumnText(1).value_or("") == "iceberg_type") v1_ = true;
      }
      return Status::OK();
    });
  }

  std::mutex mu_;
  std::unique_ptr<SqliteDb> db_;
  std::string name_;
  bool v1_ = true;
};

namespace {

// Writes `metadata` as the table's version-0 file and inserts its row; deletes the file when
// the row cannot be inserted.
Result<CommittedTable> InsertNewTableRow(io::FileIO& io, SqlStore& store, const TableIdentifier& id,
                                         iceberg::TableMetadata metadata, bool create_namespace) {
  RETURN_IF_ERROR(metadata.Validate());
  const std::string target = NewMetadataLocation(metadata, 0);
  RETURN_IF_ERROR(
      io.WriteFile(target, iceberg::TableMetadataToJson(metadata), io::WriteMode::kNoReplace));
  Status st = store.Run(/*write=*/true, [&](SqliteDb& db) -> Status {
    if (create_namespace) {
      RETURN_IF_ERROR(store.EnsureNamespace(db, id.ns));
    } else {
      ASSIGN_OR_RETURN(bool exists, store.NamespaceExists(db, id.ns));
      if (!exists) return NamespaceNotFound(id.ns);
    }
    return store.InsertTable(db, id, target);
  });
  if (!st.ok()) {
    (void)io.DeleteFile(target);
    return st;
  }
  return CommittedTable{target,
                        std::make_shared<const iceberg::TableMetadata>(std::move(metadata))};
}

// A table whose current metadata file is the row's metadata_location.
class SqlTableOperations final : public table::TableOperations {
 public:
  SqlTableOperations(io::FileIO& io, std::shared_ptr<SqlStore> store, TableIdentifier id)
      : io_(io), store_(std::move(store)), id_(std::move(id)) {}

  io::FileIO& io() override { return io_; }
  std::string current_metadata_location() const override { return current_location_; }
  iceberg::TableMetadataPtr current() const override { return current_; }

  Result<iceberg::TableMetadataPtr> Refresh() override {
    ASSIGN_OR_RETURN(std::string location, LoadLocation());
    if (location == current_location_ && current_) return current_;
    auto md = ReadMetadataFile(io_, location);
    if (!md.ok() && md.status().code() == ErrorCode::kNotFound) {
      return NotFound("table '{}' points at metadata file {}, which does not exist", id_.ToString(),
                      location);
    }
    RETURN_IF_ERROR(md);
    current_ = *md;
    current_location_ = location;
    return current_;
  }

  Status Commit(const iceberg::TableMetadata* base,
                const iceberg::TableMetadata& updated) override {
    if (!base) {
      iceberg::TableMetadata md = updated;
      md.last_updated_ms = std::max(md.last_updated_ms, NowMillis());
      ASSIGN_OR_RETURN(CommittedTable created,
                       InsertNewTableRow(io_, *store_, id_, std::move(md), false));
      current_location_ = created.metadata_location;
      current_ = created.metadata;
      return Status::OK();
    }
    if (base != current_.get()) {
      return Conflict("table '{}' changed since it was loaded; reload and retry", id_.ToString());
    }
    iceberg::TableMetadata to_write = updated;
    to_write.last_updated_ms = std::max(NowMillis(), base->last_updated_ms);
    to_write.metadata_log.push_back({base->last_updated_ms, current_location_});
    int64_t keep =
        ParseInt64(to_write.Property("write.metadata.previous-versions-max", "100")).value_or(100);
    keep = std::max<int64_t>(keep, 1);
    if (static_cast<int64_t>(to_write.metadata_log.size()) > keep) {
      to_write.metadata_log.erase(to_write.metadata_log.begin(),
                                  to_write.metadata_log.end() - keep);
    }
    RETURN_IF_ERROR(to_write.Validate());
    const int64_t version = std::max<int64_t>(MetadataFileVersion(current_location_), -1) + 1;
    const std::string target = NewMetadataLocation(to_write, version);
    RETURN_IF_ERROR(
        io_.WriteFile(target, iceberg::TableMetadataToJson(to_write), io::WriteMode::kNoReplace));
    FailPoint("after-metadata-file");
    bool swapped = false;
    Status st = store_->Run(/*write=*/true, [&](SqliteDb& db) -> Status {
      ASSIGN_OR_RETURN(swapped, store_->SwapLocation(db, id_, current_location_, target));
      return Status::OK();
    });
    if (IsBusy(st)) {
      // The transaction never got its lock (or its COMMIT was rolled back): nothing changed.
      (void)io_.DeleteFile(target);
      return Conflict("table '{}': the catalog database stayed locked; reload and retry ({})",
                      id_.ToString(), st.message());
    }
    if (!st.ok()) {
      // The outcome must be known before the file may go: ask where the row points now.
      auto now = LoadLocation();
      if (!now.ok()) return st;  // unknown: keep the file rather than risk a dangling row
      if (*now != target) {
        (void)io_.DeleteFile(target);
        return st;
      }
      swapped = true;
    }
    if (!swapped) {
      (void)io_.DeleteFile(target);
      return Conflict("another writer committed to table '{}' first; reload and retry",
                      id_.ToString());
    }
    current_location_ = target;
    current_ = std::make_shared<const iceberg::TableMetadata>(std::move(to_write));
    return Status::OK();
  }

 private:
  Result<std::string> LoadLocation() {
    std::optional<std::string> location;
    RETURN_IF_ERROR(store_->Run(/*write=*/false, [&](SqliteDb& db) -> Status {
      ASSIGN_OR_RETURN(location, store_->SelectLocation(db, id_));
      return Status::OK();
    }));
    if (!location) return TableNotFound(id_);
    if (location->empty()) {
      return Corrupt("table '{}' has no metadata_location in the catalog database", id_.ToString());
    }
    return *location;
  }

  io::FileIO& io_;
  std::shared_ptr<SqlStore> store_;
  TableIdentifier id_;
  std::string current_location_;
  iceberg::TableMetadataPtr current_;
};

}  // namespace

// ---- the catalog ----

SqlCatalog::SqlCatalog(io::FileIO& io, SqlCatalogOptions options, std::shared_ptr<SqlStore> store)
    : io_(io), options_(std::move(options)), store_(std::move(store)) {}

SqlCatalog::~SqlCatalog() = default;

Result<std::unique_ptr<SqlCatalog>> SqlCatalog::Open(io::FileIO& io,
                                                     const SqlCatalogOptions& options) {
  PRECHECK(!options.path.empty(), "the SQL catalog needs a database file (sqlite:PATH)");
  PRECHECK(!options.name.empty(), "the SQL catalog needs a catalog name");
  SqlCatalogOptions resolved = options;
  if (resolved.warehouse.empty()) {
    auto folder = std::filesystem::absolute(resolved.path).lexically_normal().parent_path();
    resolved.warehouse = (folder / "warehouse").string();
  } else {
    resolved.warehouse = AbsoluteLocation(resolved.warehouse);
  }
  ASSIGN_OR_RETURN(auto store, SqlStore::Open(resolved));
  return std::unique_ptr<SqlCatalog>(new SqlCatalog(io, std::move(resolved), std::move(store)));
}

bool SqlCatalog::has_type_column() const { return store_->v1(); }

// ---- namespaces ----

Result<std::vector<std::string>> SqlCatalog::ListNamespaces(const std::string& parent) {
  std::set<std::string> out;
  bool parent_exists = true;
  RETURN_IF_ERROR(store_->Run(/*write=*/false, [&](SqliteDb& db) -> Status {
    if (!parent.empty()) {
      ASSIGN_OR_RETURN(parent_exists, store_->NamespaceExists(db, parent));
      if (!parent_exists) return Status::OK();
    }
    ASSIGN_OR_RETURN(auto stmt,
                     db.Prepare("SELECT table_namespace FROM iceberg_tables WHERE catalog_name = "
                                "?1 UNION SELECT namespace FROM iceberg_namespace_properties "
                                "WHERE catalog_name = ?1"));
    RETURN_IF_ERROR(stmt.BindText(1, store_->catalog_name()));
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      std::string child = ChildNamespace(stmt.ColumnText(0).value_or(""), parent);
      if (!child.empty()) out.insert(std::move(child));
    }
    return Status::OK();
  }));
  if (!parent_exists) return NamespaceNotFound(parent);
  return std::vector<std::string>(out.begin(), out.end());
}

Status SqlCatalog::CreateNamespace(const std::string& ns, const Properties& properties) {
  RETURN_IF_ERROR(ValidateNamespace(ns));
  PRECHECK(!properties.count(kExistsKey),
           "the namespace property '{}' is reserved by the SQL catalog layout", kExistsKey);
  return store_->Run(/*write=*/true, [&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(bool exists, store_->NamespaceExists(db, ns));
    if (exists) return AlreadyExists("namespace '{}' already exists", ns);
    if (properties.empty()) return store_->InsertProperty(db, ns, kExistsKey, "true");
    for (const auto& [k, v] : properties) RETURN_IF_ERROR(store_->InsertProperty(db, ns, k, v));
    return Status::OK();
  });
}

Result<Properties> SqlCatalog::LoadNamespaceProperties(const std::string& ns) {
  Properties props;
  bool exists = false;
  RETURN_IF_ERROR(store_->Run(/*write=*/false, [&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(exists, store_->NamespaceExists(db, ns));
    if (!exists) return Status::OK();
    ASSIGN_OR_RETURN(props, store_->SelectProperties(db, ns));
    return Status::OK();
  }));
  if (!exists) return NamespaceNotFound(ns);
  props.erase(kExistsKey);
  return props;
}

Result<bool> SqlCatalog::NamespaceExists(const std::string& ns) {
  bool exists = false;
  RETURN_IF_ERROR(store_->Run(/*write=*/false, [&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(exists, store_->NamespaceExists(db, ns));
    return Status::OK();
  }));
  return exists;
}

Status SqlCatalog::DropNamespace(const std::string& ns) {
  return store_->Run(/*write=*/true, [&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(bool exists, store_->NamespaceExists(db, ns));
    if (!exists) return NamespaceNotFound(ns);
    ASSIGN_OR_RETURN(auto tables,
                     db.Prepare("SELECT table_namespace, table_name FROM iceberg_tables WHERE "
                                "catalog_name = ?1 AND (table_namespace = ?2 OR "
                                "substr(table_namespace, 1, length(?3)) = ?3) ORDER BY 1, 2"));
    RETURN_IF_ERROR(tables.BindText(1, store_->catalog_name()));
    RETURN_IF_ERROR(tables.BindText(2, ns));
    RETURN_IF_ERROR(tables.BindText(3, ns + "."));
    std::vector<std::string> names;
    while (true) {
      ASSIGN_OR_RETURN(bool row, tables.Step());
      if (!row) break;
      names.push_back(tables.ColumnText(0).value_or("") + "." + tables.ColumnText(1).value_or(""));
    }
    if (!names.empty()) {
      return Conflict(
          "namespace '{}' is not empty: it holds {} table(s) or view(s) ({}); drop or rename "
          "them first",
          ns, names.size(), Join(names, ", "));
    }
    ASSIGN_OR_RETURN(auto children,
                     db.Prepare("SELECT DISTINCT namespace FROM iceberg_namespace_properties "
                                "WHERE catalog_name = ?1 AND substr(namespace, 1, length(?2)) = "
                                "?2 ORDER BY 1"));
    RETURN_IF_ERROR(children.BindText(1, store_->catalog_name()));
    RETURN_IF_ERROR(children.BindText(2, ns + "."));
    names.clear();
    while (true) {
      ASSIGN_OR_RETURN(bool row, children.Step());
      if (!row) break;
      names.push_back(children.ColumnText(0).value_or(""));
    }
    if (!names.empty()) {
      return Conflict("namespace '{}' is not empty: it holds namespace(s) {}; drop them first", ns,
                      Join(names, ", "));
    }
    ASSIGN_OR_RETURN(auto drop, db.Prepare("DELETE FROM iceberg_namespace_properties WHERE "
                                           "catalog_name = ?1 AND namespace = ?2"));
    RETURN_IF_ERROR(drop.BindText(1, store_->catalog_name()));
    RETURN_IF_ERROR(drop.BindText(2, ns));
    return drop.Run();
  });
}

Result<PropertiesUpdateSummary> SqlCatalog::UpdateNamespaceProperties(
    const std::string& ns, const std::vector<std::string>& removals, const Properties& updates) {
  for (const auto& key : removals) {
    PRECHECK(!updates.count(key), "property '{}' is both removed and set", key);
  }
  PRECHECK(!updates.count(kExistsKey),
           "the namespace property '{}' is reserved by the SQL catalog layout", kExistsKey);
  PropertiesUpdateSummary summary;
  RETURN_IF_ERROR(store_->Run(/*write=*/true, [&](SqliteDb& db) -> Status {
    summary = {};
    ASSIGN_OR_RETURN(bool exists, store_->NamespaceExists(db, ns));
    if (!exists) return NamespaceNotFound(ns);
    ASSIGN_OR_RETURN(Properties current, store_->SelectProperties(db, ns));
    current.erase(kExistsKey);
    for (const auto& key : removals) {
      if (current.count(key)) {
        RETURN_IF_ERROR(store_->DeleteProperty(db, ns, key));
        summary.removed.push_back(key);
      } else {
        summary.missing.push_back(key);
      }
    }
    for (const auto& [k, v] : updates) {
      RETURN_IF_ERROR(store_->DeleteProperty(db, ns, k));
      RETURN_IF_ERROR(store_->InsertProperty(db, ns, k, v));
      summary.updated.push_back(k);
    }
    // Removing the last property must not make the namespace disappear.
    return store_->EnsureNamespace(db, ns);
  }));
  return summary;
}

// ---- tables ----

Result<std::vector<TableIdentifier>> SqlCatalog::ListTables(const std::string& ns) {
  std::vector<TableIdentifier> out;
  bool exists = true;
  RETURN_IF_ERROR(store_->Run(/*write=*/false, [&](SqliteDb& db) -> Status {
    out.clear();
    if (!ns.empty()) {
      ASSIGN_OR_RETURN(exists, store_->NamespaceExists(db, ns));
      if (!exists) return Status::OK();
    }
    std::string sql =
        "SELECT table_namespace, table_name FROM iceberg_tables WHERE catalog_name = ?1";
    if (!ns.empty()) sql += " AND table_namespace = ?2";
    ASSIGN_OR_RETURN(auto stmt, db.Prepare(sql + store_->TypeFilter()));
    RETURN_IF_ERROR(stmt.BindText(1, store_->catalog_name()));
    if (!ns.empty()) RETURN_IF_ERROR(stmt.BindText(2, ns));
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      out.push_back({stmt.ColumnText(0).value_or(""), stmt.ColumnText(1).value_or("")});
    }
    return Status::OK();
  }));
  if (!exists) return NamespaceNotFound(ns);
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::string> SqlCatalog::DefaultTableLocation(const TableIdentifier& id) {
  Properties props;
  RETURN_IF_ERROR(store_->Run(/*write=*/false, [&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(props, store_->SelectProperties(db, id.ns));
    return Status::OK();
  }));
  auto it = props.find("location");
  if (it != props.end() && !it->second.empty()) {
    return StripTrailingSlashes(it->second) + "/" + id.name;
  }
  return StripTrailingSlashes(options_.warehouse) + "/" + id.ns + "/" + id.name;
}

Result<std::string> SqlCatalog::NewTableLocation(const TableIdentifier& id,
                                                 const std::string& location) {
  auto holds_metadata = [&](const std::string& folder) -> Result<bool> {
    return HoldsTableMetadata(io_, folder);
  };
  if (!location.empty()) {
    std::string folder = AbsoluteLocation(location);
    ASSIGN_OR_RETURN(bool taken, holds_metadata(folder));
    if (taken) {
      return AlreadyExists("{} already holds table metadata; pick another location", folder);
    }
    return folder;
  }
  ASSIGN_OR_RETURN(std::string base, DefaultTableLocation(id));
  base = AbsoluteLocation(base);
  std::string candidate = base;
  for (int attempt = 0; attempt < 16; ++attempt) {
    ASSIGN_OR_RETURN(bool taken, holds_metadata(candidate));
    if (!taken) return candidate;
    candidate = base + "-" + RandomUuid().substr(0, 8);
  }
  return Internal("no free location for table '{}'", id.ToString());
}

Result<std::string> SqlCatalog::LocationForNewTable(const TableIdentifier& id) {
  RETURN_IF_ERROR(ValidateTableIdentifier(id));
  return NewTableLocation(id, "");
}

Result<iceberg::TableMetadataPtr> SqlCatalog::CreateTable(const TableIdentifier& id,
                                                          const CreateTableOptions& options) {
  RETURN_IF_ERROR(ValidateTableIdentifier(id));
  PRECHECK(options.schema != nullptr, "a new table needs a schema");
  // Cheap checks first, so that no file is written for a create that cannot succeed (the insert
  // still decides races).
  bool taken = false, ns_exists = false;
  RETURN_IF_ERROR(store_->Run(/*write=*/false, [&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(taken, store_->NameTaken(db, id));
    ASSIGN_OR_RETURN(ns_exists, store_->NamespaceExists(db, id.ns));
    return Status::OK();
  }));
  if (taken) return AlreadyExists("table '{}' already exists", id.ToString());
  if (!ns_exists && !options.create_namespace) return NamespaceNotFound(id.ns);
  ASSIGN_OR_RETURN(std::string location, NewTableLocation(id, options.location));
  iceberg::NewTableOptions table_options;
  table_options.location = location;
  table_options.schema = options.schema;
  table_options.spec = options.spec;
  table_options.sort_order = options.sort_order;
  table_options.properties = options.properties;
  table_options.format_version = options.format_version;
  ASSIGN_OR_RETURN(iceberg::TableMetadata md, iceberg::NewTableMetadata(table_options));
  ASSIGN_OR_RETURN(CommittedTable created,
                   InsertNewTableRow(io_, *store_, id, std::move(md), options.create_namespace));
  return created.metadata;
}

Result<CommittedTable> SqlCatalog::CreateFromMetadata(const TableIdentifier& id,
                                                      iceberg::TableMetadata metadata) {
  RETURN_IF_ERROR(ValidateTableIdentifier(id));
  ASSIGN_OR_RETURN(metadata.location, NewTableLocation(id, metadata.location));
  return InsertNewTableRow(io_, *store_, id, std::move(metadata), /*create_namespace=*/false);
}

Result<std::unique_ptr<table::TableOperations>> SqlCatalog::LoadTable(const TableIdentifier& id) {
  auto ops = std::make_unique<SqlTableOperations>(io_, store_, id);
  RETURN_IF_ERROR(ops->Refresh());
  return std::unique_ptr<table::TableOperations>(std::move(ops));
}

Result<bool> SqlCatalog::TableExists(const TableIdentifier& id) {
  std::optional<std::string> location;
  RETURN_IF_ERROR(store_->Run(/*write=*/false, [&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(location, store_->SelectLocation(db, id));
    return Status::OK();
  }));
  return location.has_value();
}

Status SqlCatalog::DropTable(const TableIdentifier& id, bool purge) {
  std::optional<std::string> location;
  RETURN_IF_ERROR(store_->Run(/*write=*/true, [&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(location, store_->SelectLocation(db, id));
    if (!location) return TableNotFound(id);
    ASSIGN_OR_RETURN(auto stmt, db.Prepare("DELETE FROM iceberg_tables WHERE catalog_name = ?1 "
                                           "AND table_namespace = ?2 AND table_name = ?3" +
                                           store_->TypeFilter()));
    RETURN_IF_ERROR(store_->BindId(stmt, id));
    RETURN_IF_ERROR(stmt.Run());
    if (db.Changes() != 1) return TableNotFound(id);
    return Status::OK();
  }));
  if (!purge || location->empty()) return Status::OK();
  auto md = ReadMetadataFile(io_, *location);
  if (!md.ok()) return Status::OK();  // nothing readable to purge; the table is dropped
  return PurgeTableFiles(io_, **md, *location);
}

Status SqlCatalog::RenameTable(const TableIdentifier& from, const TableIdentifier& to) {
  RETURN_IF_ERROR(ValidateTableIdentifier(to));
  return store_->Run(/*write=*/true, [&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(auto location, store_->SelectLocation(db, from));
    if (!location) return TableNotFound(from);
    ASSIGN_OR_RETURN(bool ns_exists, store_->NamespaceExists(db, to.ns));
    if (!ns_exists) return NamespaceNotFound(to.ns);
    ASSIGN_OR_RETURN(auto stmt,
                     db.Prepare("UPDATE iceberg_tables SET table_namespace = ?4, table_name = ?5 "
                                "WHERE catalog_name = ?1 AND table_namespace = ?2 AND "
                                "table_name = ?3" +
                                store_->TypeFilter()));
    RETURN_IF_ERROR(store_->BindId(stmt, from));
    RETURN_IF_ERROR(stmt.BindText(4, to.ns));
    RETURN_IF_ERROR(stmt.BindText(5, to.name));
    Status st = stmt.Run();
    if (st.code() == ErrorCode::kAlreadyExists) {
      return AlreadyExists("cannot rename '{}' to '{}': that name is taken", from.ToString(),
                           to.ToString());
    }
    RETURN_IF_ERROR(st);
    if (db.Changes() != 1) return TableNotFound(from);
    // The old namespace existed (at least through this table); keep it.
    return store_->EnsureNamespace(db, from.ns);
  });
}

Result<iceberg::TableMetadataPtr> SqlCatalog::RegisterTable(const TableIdentifier& id,
                                                            const std::string& metadata_location) {
  RETURN_IF_ERROR(ValidateTableIdentifier(id));
  ASSIGN_OR_RETURN(auto md, ReadMetadataFile(io_, metadata_location));
  RETURN_IF_ERROR(store_->Run(/*write=*/true, [&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(bool ns_exists, store_->NamespaceExists(db, id.ns));
    if (!ns_exists) return NamespaceNotFound(id.ns);
    return store_->InsertTable(db, id, metadata_location);
  }));
  return md;
}

Result<CommittedTable> SqlCatalog::CommitTable(const TableIdentifier& id,
                                               const std::vector<table::TableRequirement>& reqs,
                                               const std::vector<table::TableUpdate>& updates) {
  return CommitTableImpl(id, reqs, updates);
}

}  // namespace faceberg::catalog
