#include "catalog/file_catalog.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "catalog/purge.h"
#include "util/json.h"
#include "util/strings.h"
#include "util/uuid.h"

namespace faceberg::catalog {

namespace {

constexpr const char* kFormat = "faceberg-file-catalog";

// An absolute, normalized local path for comparing folders.
std::string CanonicalFolder(const std::string& location) {
  std::string path = io::LocalPath(location);
  if (path.find("://") != std::string::npos) return path;
  std::string out = std::filesystem::absolute(path).lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

Status NamespaceNotFound(const std::string& ns) {
  return NotFound("namespace '{}' does not exist: create it first, or list the namespaces", ns);
}

Status TableNotFound(const TableIdentifier& id) {
  return NotFound("table '{}' does not exist: run 'faceberg list' to see the tables",
                  id.ToString());
}

bool IsRemoteLocation(const std::string& location) {
  return location.find("://") != std::string::npos && !StartsWith(location, "file://");
}

}  // namespace

Result<std::unique_ptr<FileCatalogLock>> FileCatalogLock::Acquire(const std::string& root) {
  std::string path = io::JoinPath(root, kFileCatalogLockName);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return IOError("cannot open lock file {}", path);
  if (::flock(fd, LOCK_EX) != 0) {
    ::close(fd);
    return IOError("cannot lock {}", path);
  }
  return std::unique_ptr<FileCatalogLock>(new FileCatalogLock(fd));
}

FileCatalogLock::~FileCatalogLock() {
  ::flock(fd_, LOCK_UN);
  ::close(fd_);
}

Result<std::unique_ptr<FileCatalog>> FileCatalog::Open(io::FileIO& io, std::string root,
                                                       bool create) {
  FileCatalogOptions options;
  options.root = std::move(root);
  options.create = create;
  return Open(io, std::move(options));
}

Result<std::unique_ptr<FileCatalog>> FileCatalog::Open(io::FileIO& io, FileCatalogOptions options) {
  std::string table_root = options.public_root.empty() ? options.root : options.public_root;
  while (table_root.size() > 1 && table_root.back() == '/') table_root.pop_back();
  auto catalog = std::unique_ptr<FileCatalog>(
      new FileCatalog(io, std::move(options.root), std::move(table_root)));
  ASSIGN_OR_RETURN(bool exists, io.Exists(catalog->CatalogFile()));
  if (!exists) {
    if (!options.create) {
      if (!options.public_root.empty()) {
        return NotFound(
            "no local mirror of {} at {}: run 'faceberg init' (it pulls the catalog from the "
            "Hub) or 'faceberg pull'",
            options.public_root, catalog->root_);
      }
      return NotFound("no faceberg catalog at {}: run 'faceberg init' or pass --catalog",
                      catalog->root_);
    }
    State state;
    state.namespaces[kDefaultNamespace] = {};
    RETURN_IF_ERROR(catalog->WriteState(state));
  } else {
    RETURN_IF_ERROR(catalog->ReadState());
  }
  return catalog;
}

Result<FileCatalog::State> FileCatalog::ReadState() {
  ASSIGN_OR_RETURN(auto file, io_.NewInputFile(CatalogFile()));
  ASSIGN_OR_RETURN(std::string text, file->ReadAll(uint64_t{256} << 20));
  ASSIGN_OR_RETURN(Json j, ParseJson(text, CatalogFile()));
  State state;
  auto bad = [&](std::string_view what) {
    return Corrupt("{} is damaged: {}; restore it or run 'faceberg init' in a new folder",
                   CatalogFile(), what);
  };
  if (!j.is_object() || j.value("format", "") != kFormat) return bad("not a faceberg catalog file");
  if (!j.contains("tables") || !j["tables"].is_object()) return bad("'tables' must be an object");
  for (auto it = j["tables"].begin(); it != j["tables"].end(); ++it) {
    if (!it->is_string()) return bad("table locations must be strings");
    state.tables[it.key()] = it->get<std::string>();
  }
  if (j.contains("namespaces") && j["namespaces"].is_object()) {
    for (auto it = j["namespaces"].begin(); it != j["namespaces"].end(); ++it) {
      Properties& props = state.namespaces[it.key()];
      if (!it->is_object()) continue;
      for (auto p = it->begin(); p != it->end(); ++p) {
        props[p.key()] = p->is_string() ? p->get<std::string>() : p->dump();
      }
    }
  }
  return state;
}

Status FileCatalog::WriteState(const State& state) {
  OrderedJson j;
  j["format"] = kFormat;
  j["version"] = 1;
  OrderedJson namespaces = OrderedJson::object();
  for (const auto& [ns, props] : state.namespaces) {
    OrderedJson p = OrderedJson::object();
    for (const auto& [k, v] : props) p[k] = v;
    namespaces[ns] = std::move(p);
  }
  j["namespaces"] = std::move(namespaces);
  OrderedJson tables = OrderedJson::object();
  for (const auto& [name, location] : state.tables) tables[name] = location;
  j["tables"] = std::move(tables);
  return io_.WriteFile(CatalogFile(), DumpJson(j, 2) + "\n", io::WriteMode::kOverwrite);
}

std::string FileCatalog::Resolve(const std::string& stored) const {
  if (!stored.empty() && stored[0] == '/') return stored;
  if (stored.find("://") != std::string::npos) return stored;
  return io::JoinPath(table_root_, stored);
}

bool FileCatalog::Exists(const State& state, const std::string& ns) {
  if (ns.empty()) return false;
  for (const auto& [name, props] : state.namespaces) {
    if (NamespaceWithin(name, ns)) return true;
  }
  for (const auto& [name, location] : state.tables) {
    auto id = ParseTableIdentifier(name);
    if (id.ok() && NamespaceWithin(id->ns, ns)) return true;
  }
  return false;
}

// ---- namespaces ----

Result<std::vector<std::string>> FileCatalog::ListNamespaces(const std::string& parent) {
  ASSIGN_OR_RETURN(State state, ReadState());
  if (!parent.empty() && !Exists(state, parent)) return NamespaceNotFound(parent);
  std::set<std::string> out;
  auto add = [&](const std::string& ns) {
    std::string child = ChildNamespace(ns, parent);
    if (!child.empty()) out.insert(std::move(child));
  };
  for (const auto& [ns, props] : state.namespaces) add(ns);
  for (const auto& [name, location] : state.tables) {
    auto id = ParseTableIdentifier(name);
    if (id.ok()) add(id->ns);
  }
  return std::vector<std::string>(out.begin(), out.end());
}

Status FileCatalog::CreateNamespace(const std::string& ns, const Properties& properties) {
  RETURN_IF_ERROR(ValidateNamespace(ns));
  ASSIGN_OR_RETURN(auto lock, FileCatalogLock::Acquire(root_));
  ASSIGN_OR_RETURN(State state, ReadState());
  if (Exists(state, ns)) return AlreadyExists("namespace '{}' already exists", ns);
  state.namespaces[ns] = properties;
  return WriteState(state);
}

Result<Properties> FileCatalog::LoadNamespaceProperties(const std::string& ns) {
  ASSIGN_OR_RETURN(State state, ReadState());
  if (!Exists(state, ns)) return NamespaceNotFound(ns);
  auto it = state.namespaces.find(ns);
  return it == state.namespaces.end() ? Properties{} : it->second;
}

Result<bool> FileCatalog::NamespaceExists(const std::string& ns) {
  ASSIGN_OR_RETURN(State state, ReadState());
  return Exists(state, ns);
}

Status FileCatalog::DropNamespace(const std::string& ns) {
  ASSIGN_OR_RETURN(auto lock, FileCatalogLock::Acquire(root_));
  ASSIGN_OR_RETURN(State state, ReadState());
  if (!Exists(state, ns)) return NamespaceNotFound(ns);
  std::vector<std::string> tables, children;
  for (const auto& [name, location] : state.tables) {
    auto id = ParseTableIdentifier(name);
    if (id.ok() && NamespaceWithin(id->ns, ns)) tables.push_back(name);
  }
  for (const auto& [name, props] : state.namespaces) {
    if (name != ns && NamespaceWithin(name, ns)) children.push_back(name);
  }
  if (!tables.empty()) {
    return Conflict(
        "namespace '{}' is not empty: it holds {} table(s) ({}); drop or rename them first", ns,
        tables.size(), Join(tables, ", "));
  }
  if (!children.empty()) {
    return Conflict("namespace '{}' is not empty: it holds namespace(s) {}; drop them first", ns,
                    Join(children, ", "));
  }
  state.namespaces.erase(ns);
  return WriteState(state);
}

Result<PropertiesUpdateSummary> FileCatalog::UpdateNamespaceProperties(
    const std::string& ns, const std::vector<std::string>& removals, const Properties& updates) {
  for (const auto& key : removals) {
    PRECHECK(!updates.count(key), "property '{}' is both removed and set", key);
  }
  ASSIGN_OR_RETURN(auto lock, FileCatalogLock::Acquire(root_));
  ASSIGN_OR_RETURN(State state, ReadState());
  if (!Exists(state, ns)) return NamespaceNotFound(ns);
  Properties& props = state.namespaces[ns];
  PropertiesUpdateSummary summary;
  for (const auto& key : removals) {
    if (props.erase(key)) {
      summary.removed.push_back(key);
    } else {
      summary.missing.push_back(key);
    }
  }
  for (const auto& [k, v] : updates) {
    props[k] = v;
    summary.updated.push_back(k);
  }
  RETURN_IF_ERROR(WriteState(state));
  return summary;
}

// ---- tables ----

Result<std::vector<TableIdentifier>> FileCatalog::ListTables(const std::string& ns) {
  ASSIGN_OR_RETURN(State state, ReadState());
  if (!ns.empty() && !Exists(state, ns)) return NamespaceNotFound(ns);
  std::vector<TableIdentifier> out;
  for (const auto& [name, location] : state.tables) {
    ASSIGN_OR_RETURN(TableIdentifier id, ParseTableIdentifier(name));
    if (ns.empty() || id.ns == ns) out.push_back(id);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::string> FileCatalog::TableLocation(const TableIdentifier& id) {
  ASSIGN_OR_RETURN(State state, ReadState());
  auto it = state.tables.find(id.ToString());
  if (it == state.tables.end()) return TableNotFound(id);
  return Resolve(it->second);
}

Result<std::unique_ptr<table::TableOperations>> FileCatalog::LoadTable(const TableIdentifier& id) {
  ASSIGN_OR_RETURN(std::string location, TableLocation(id));
  auto ops = std::make_unique<FileTableOperations>(io_, location);
  RETURN_IF_ERROR(ops->Refresh());
  return std::unique_ptr<table::TableOperations>(std::move(ops));
}

Result<bool> FileCatalog::TableExists(const TableIdentifier& id) {
  ASSIGN_OR_RETURN(State state, ReadState());
  return state.tables.count(id.ToString()) > 0;
}

Result<std::pair<std::string, std::string>> FileCatalog::NewTableFolder(
    const TableIdentifier& id, const std::string& location) {
  auto holds_metadata = [&](const std::string& folder) -> Result<bool> {
    return HoldsTableMetadata(io_, folder);
  };
  if (!location.empty()) {
    std::string folder = location;
    while (folder.size() > 1 && folder.back() == '/') folder.pop_back();
    if (folder.find("://") == std::string::npos) folder = CanonicalFolder(folder);
    ASSIGN_OR_RETURN(bool taken, holds_metadata(folder));
    if (taken) {
      return AlreadyExists("{} already holds table metadata; pick another location", folder);
    }
    // A folder inside the table root is stored relative to it, as default folders are (a REST
    // stage-create names the default folder explicitly), so the catalog can still be moved.
    const std::string root = CanonicalFolder(table_root_);
    if (StartsWith(folder, root + "/")) {
      return std::make_pair(folder.substr(root.size() + 1), folder);
    }
    return std::make_pair(folder, folder);
  }
  std::string relative = id.ns;
  std::replace(relative.begin(), relative.end(), '.', '/');
  relative = io::JoinPath(relative, id.name);
  std::string candidate = relative;
  for (int attempt = 0; attempt < 16; ++attempt) {
    std::string folder = io::JoinPath(table_root_, candidate);
    ASSIGN_OR_RETURN(bool taken, holds_metadata(folder));
    if (!taken) return std::make_pair(candidate, folder);
    // The folder still holds another table (renamed, or dropped without purge): place the new
    // table beside it rather than mixing the two.
    candidate = relative + "-" + RandomUuid().substr(0, 8);
  }
  return Internal("no free folder for table '{}'", id.ToString());
}

Result<std::string> FileCatalog::LocationForNewTable(const TableIdentifier& id) {
  RETURN_IF_ERROR(ValidateTableIdentifier(id));
  ASSIGN_OR_RETURN(auto folder, NewTableFolder(id, ""));
  return CanonicalFolder(folder.second);
}

Result<iceberg::TableMetadataPtr> FileCatalog::CreateTable(const TableIdentifier& id,
                                                           const CreateTableOptions& options) {
  RETURN_IF_ERROR(ValidateTableIdentifier(id));
  PRECHECK(options.schema != nullptr, "a new table needs a schema");
  ASSIGN_OR_RETURN(auto lock, FileCatalogLock::Acquire(root_));
  ASSIGN_OR_RETURN(State state, ReadState());
  if (state.tables.count(id.ToString())) {
    return AlreadyExists("table '{}' already exists", id.ToString());
  }
  if (!Exists(state, id.ns) && !options.create_namespace) return NamespaceNotFound(id.ns);
  ASSIGN_OR_RETURN(auto folder, NewTableFolder(id, options.location));
  iceberg::NewTableOptions table_options;
  table_options.location = CanonicalFolder(folder.second);
  table_options.schema = options.schema;
  table_options.spec = options.spec;
  table_options.sort_order = options.sort_order;
  table_options.properties = options.properties;
  table_options.format_version = options.format_version;
  ASSIGN_OR_RETURN(iceberg::TableMetadata md, iceberg::NewTableMetadata(table_options));
  ASSIGN_OR_RETURN(CommittedTable created,
                   PublishNewTable(std::move(state), id, folder.first, folder.second, md));
  return created.metadata;
}

Result<CommittedTable> FileCatalog::CreateFromMetadata(const TableIdentifier& id,
                                                       iceberg::TableMetadata metadata) {
  RETURN_IF_ERROR(ValidateTableIdentifier(id));
  ASSIGN_OR_RETURN(auto lock, FileCatalogLock::Acquire(root_));
  ASSIGN_OR_RETURN(State state, ReadState());
  if (state.tables.count(id.ToString())) {
    return AlreadyExists("table '{}' already exists", id.ToString());
  }
  if (!Exists(state, id.ns)) return NamespaceNotFound(id.ns);
  ASSIGN_OR_RETURN(auto folder, NewTableFolder(id, metadata.location));
  metadata.location = CanonicalFolder(folder.second);
  return PublishNewTable(std::move(state), id, folder.first, folder.second, std::move(metadata));
}

Result<CommittedTable> FileCatalog::PublishNewTable(State state, const TableIdentifier& id,
                                                    const std::string& stored,
                                                    const std::string& folder,
                                                    iceberg::TableMetadata metadata) {
  FileTableOperations ops(io_, folder);
  RETURN_IF_ERROR(ops.Commit(nullptr, metadata));
  // The namespace outlives the table, as a created one does.
  if (!Exists(state, id.ns)) state.namespaces[id.ns] = {};
  state.tables[id.ToString()] = stored;
  Status st = WriteState(state);
  if (!st.ok()) {
    // Leave nothing half-created: only the files this call wrote.
    (void)io_.DeleteFile(ops.MetadataFile(1));
    (void)io_.DeleteFile(io::JoinPath(folder, "metadata/version-hint.text"));
    if (!IsRemoteLocation(folder)) {
      std::error_code ec;
      std::filesystem::remove(io::LocalPath(io::JoinPath(folder, "metadata")), ec);
      std::filesystem::remove(io::LocalPath(folder), ec);
    }
    return st;
  }
  ASSIGN_OR_RETURN(auto md, ops.Refresh());
  return CommittedTable{ops.current_metadata_location(), md};
}

Status FileCatalog::DropTable(const TableIdentifier& id, bool purge) {
  std::string location;
  {
    ASSIGN_OR_RETURN(auto lock, FileCatalogLock::Acquire(root_));
    ASSIGN_OR_RETURN(State state, ReadState());
    auto it = state.tables.find(id.ToString());
    if (it == state.tables.end()) return TableNotFound(id);
    location = Resolve(it->second);
    state.tables.erase(it);
    RETURN_IF_ERROR(WriteState(state));
  }
  if (!purge) return Status::OK();
  FileTableOperations ops(io_, location);
  auto md = ops.Refresh();
  if (md.ok()) return PurgeTableFiles(io_, **md, ops.current_metadata_location());
  // Unreadable metadata: still remove the table's metadata folder.
  iceberg::TableMetadata bare;
  bare.location = CanonicalFolder(location);
  return PurgeTableFiles(io_, bare, "");
}

Status FileCatalog::RenameTable(const TableIdentifier& from, const TableIdentifier& to) {
  RETURN_IF_ERROR(ValidateTableIdentifier(to));
  ASSIGN_OR_RETURN(auto lock, FileCatalogLock::Acquire(root_));
  ASSIGN_OR_RETURN(State state, ReadState());
  auto it = state.tables.find(from.ToString());
  if (it == state.tables.end()) return TableNotFound(from);
  if (state.tables.count(to.ToString())) {
    return AlreadyExists("cannot rename '{}' to '{}': that table already exists", from.ToString(),
                         to.ToString());
  }
  if (!Exists(state, to.ns)) return NamespaceNotFound(to.ns);
  std::string stored = it->second;
  state.tables.erase(it);
  state.tables[to.ToString()] = stored;
  // Keep the old namespace: it existed explicitly or through this table.
  if (!Exists(state, from.ns)) state.namespaces[from.ns] = {};
  return WriteState(state);
}

Result<iceberg::TableMetadataPtr> FileCatalog::RegisterTable(const TableIdentifier& id,
                                                             const std::string& metadata_location) {
  RETURN_IF_ERROR(ValidateTableIdentifier(id));
  std::filesystem::path path(io::LocalPath(metadata_location));
  const std::string file = path.filename().string();
  const bool versioned = StartsWith(file, "v") && EndsWith(file, ".metadata.json") &&
                         ParseInt64(file.substr(1, file.size() - 1 - 14)).value_or(0) > 0;
  if (!versioned || path.parent_path().filename() != "metadata") {
    return InvalidArgument(
        "the file catalog tracks file-system tables: pass <table folder>/metadata/vN.metadata.json "
        "(not {}), or use a SQL catalog for other metadata files",
        metadata_location);
  }
  RETURN_IF_ERROR(ReadMetadataFile(io_, metadata_location));
  const std::string folder = CanonicalFolder(path.parent_path().parent_path().string());
  ASSIGN_OR_RETURN(auto lock, FileCatalogLock::Acquire(root_));
  ASSIGN_OR_RETURN(State state, ReadState());
  if (state.tables.count(id.ToString())) {
    return AlreadyExists("table '{}' already exists", id.ToString());
  }
  if (!Exists(state, id.ns)) return NamespaceNotFound(id.ns);
  for (const auto& [name, stored] : state.tables) {
    if (CanonicalFolder(Resolve(stored)) == folder) {
      return AlreadyExists("{} is already registered as '{}'", folder, name);
    }
  }
  const std::string root = CanonicalFolder(table_root_);
  std::string stored = folder;
  if (StartsWith(folder, root + "/")) stored = folder.substr(root.size() + 1);
  state.tables[id.ToString()] = stored;
  RETURN_IF_ERROR(WriteState(state));
  FileTableOperations ops(io_, folder);
  return ops.Refresh();
}

Result<CommittedTable> FileCatalog::CommitTable(const TableIdentifier& id,
                                                const std::vector<table::TableRequirement>& reqs,
                                                const std::vector<table::TableUpdate>& updates) {
  return CommitTableImpl(id, reqs, updates);
}

}  // namespace faceberg::catalog
