#include "catalog/file_catalog.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "util/json.h"

namespace faceberg::catalog {

namespace {

constexpr const char* kFormat = "faceberg-file-catalog";

// Holds an exclusive advisory lock on <root>/.catalog.lock for read-modify-write of catalog.json.
class CatalogLock {
 public:
  static Result<std::unique_ptr<CatalogLock>> Acquire(const std::string& root) {
    std::string path = io::JoinPath(root, ".catalog.lock");
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return IOError("cannot open lock file {}", path);
    if (::flock(fd, LOCK_EX) != 0) {
      ::close(fd);
      return IOError("cannot lock {}", path);
    }
    return std::unique_ptr<CatalogLock>(new CatalogLock(fd));
  }
  ~CatalogLock() {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }
  CatalogLock(const CatalogLock&) = delete;
  CatalogLock& operator=(const CatalogLock&) = delete;

 private:
  explicit CatalogLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace

Result<std::unique_ptr<FileCatalog>> FileCatalog::Open(io::FileIO& io, std::string root,
                                                       bool create) {
  auto catalog = std::unique_ptr<FileCatalog>(new FileCatalog(io, std::move(root)));
  ASSIGN_OR_RETURN(bool exists, io.Exists(catalog->CatalogFile()));
  if (!exists) {
    if (!create) {
      return NotFound("no faceberg catalog at {}: run 'faceberg init' or pass --catalog",
                      catalog->root_);
    }
    State state;
    state.namespaces_json["default"] = "{}";
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
      state.namespaces_json[it.key()] = it->dump();
    }
  }
  return state;
}

Status FileCatalog::WriteState(const State& state) {
  OrderedJson j;
  j["format"] = kFormat;
  j["version"] = 1;
  OrderedJson namespaces = OrderedJson::object();
  for (const auto& [ns, props] : state.namespaces_json) namespaces[ns] = OrderedJson::parse(props);
  j["namespaces"] = std::move(namespaces);
  OrderedJson tables = OrderedJson::object();
  for (const auto& [name, location] : state.tables) tables[name] = location;
  j["tables"] = std::move(tables);
  return io_.WriteFile(CatalogFile(), DumpJson(j, 2) + "\n", io::WriteMode::kOverwrite);
}

Result<std::vector<TableIdentifier>> FileCatalog::ListTables(const std::string& ns) {
  ASSIGN_OR_RETURN(State state, ReadState());
  std::vector<TableIdentifier> out;
  for (const auto& [name, location] : state.tables) {
    ASSIGN_OR_RETURN(TableIdentifier id, ParseTableIdentifier(name));
    if (ns.empty() || id.ns == ns) out.push_back(id);
  }
  return out;
}

Result<std::string> FileCatalog::TableLocation(const TableIdentifier& id) {
  ASSIGN_OR_RETURN(State state, ReadState());
  auto it = state.tables.find(id.ToString());
  if (it == state.tables.end()) {
    return NotFound("table '{}' does not exist: run 'faceberg list' to see the tables",
                    id.ToString());
  }
  const std::string& location = it->second;
  if (!location.empty() && location[0] == '/') return location;
  if (location.find("://") != std::string::npos) return location;
  return io::JoinPath(root_, location);
}

Result<std::unique_ptr<FileTableOperations>> FileCatalog::LoadTable(const TableIdentifier& id) {
  ASSIGN_OR_RETURN(std::string location, TableLocation(id));
  auto ops = std::make_unique<FileTableOperations>(io_, location);
  RETURN_IF_ERROR(ops->Refresh());
  return ops;
}

Result<iceberg::TableMetadataPtr> FileCatalog::CreateTable(const TableIdentifier& id,
                                                           const CreateTableOptions& options) {
  ASSIGN_OR_RETURN(auto lock, CatalogLock::Acquire(root_));
  ASSIGN_OR_RETURN(State state, ReadState());
  if (state.tables.count(id.ToString())) {
    return AlreadyExists("table '{}' already exists", id.ToString());
  }
  std::string relative = id.ns;
  std::replace(relative.begin(), relative.end(), '.', '/');
  relative = io::JoinPath(relative, id.name);
  const std::string location = io::JoinPath(root_, relative);
  ASSIGN_OR_RETURN(bool folder_exists, io_.Exists(io::JoinPath(location, "metadata")));
  if (folder_exists) {
    return AlreadyExists(
        "{} already holds table metadata that the catalog does not list; move it "
        "away or register it",
        location);
  }
  iceberg::NewTableOptions table_options;
  table_options.location = std::filesystem::absolute(location).lexically_normal().string();
  table_options.schema = options.schema;
  table_options.spec = options.spec;
  table_options.properties = options.properties;
  table_options.format_version = options.format_version;
  ASSIGN_OR_RETURN(iceberg::TableMetadata md, iceberg::NewTableMetadata(table_options));
  FileTableOperations ops(io_, location);
  RETURN_IF_ERROR(ops.Commit(nullptr, md));
  state.tables[id.ToString()] = relative;
  if (!state.namespaces_json.count(id.ns)) state.namespaces_json[id.ns] = "{}";
  Status st = WriteState(state);
  if (!st.ok()) {
    std::error_code ec;
    std::filesystem::remove_all(io::LocalPath(location), ec);  // leave nothing half-created
    return st;
  }
  return ops.Refresh();
}

}  // namespace faceberg::catalog
