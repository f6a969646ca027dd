#include "bridge/mirror.h"

#include <fcntl.h>
#include <stdio.h>  // renameat2, RENAME_EXCHANGE
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>

#include "catalog/file_catalog.h"
#include "hub/hf_uri.h"
#include "io/file_io.h"
#include "util/failpoint.h"
#include "util/json.h"
#include "util/strings.h"
#include "util/uuid.h"

namespace faceberg::bridge {

namespace {

namespace fs = std::filesystem;

constexpr char kStateFormat[] = "faceberg-hf-mirror";
constexpr char kCatalogFormat[] = "faceberg-file-catalog";
constexpr char kCatalogFile[] = "catalog.json";
constexpr char kConfigFile[] = "faceberg.yml";
constexpr uint64_t kMaxCatalogBytes = uint64_t{256} << 20;
constexpr uint64_t kMaxStateBytes = uint64_t{1} << 30;

// ---- file identities and changes ----

// What identifies a file's content. Local files and files of the state know both hashes; an
// entry of a Hub tree knows one (the sha256 of an LFS file, else the git blob sha1).
struct FileId {
  std::string sha256;
  std::string blob;
  uint64_t size = 0;
};

bool SameContent(const FileId& a, const FileId& b) {
  if (!a.sha256.empty() && !b.sha256.empty()) return a.sha256 == b.sha256;
  if (!a.blob.empty() && !b.blob.empty()) return a.blob == b.blob;
  return false;
}

FileId IdOf(std::string_view content) {
  return {hub::Sha256Hex(content), hub::GitBlobSha1(content), content.size()};
}

FileId IdOf(const hub::RepoEntry& entry) {
  if (entry.lfs) return {entry.lfs->sha256, "", entry.lfs->size};
  return {"", entry.oid, entry.size};
}

using FileMap = std::map<std::string, FileId>;
// path -> the new content, or nullopt for a deletion.
using ChangeMap = std::map<std::string, std::optional<FileId>>;

ChangeMap Diff(const FileMap& base, const FileMap& current) {
  ChangeMap out;
  for (const auto& [path, id] : current) {
    auto it = base.find(path);
    if (it == base.end() || !SameContent(it->second, id)) out[path] = id;
  }
  for (const auto& [path, id] : base) {
    if (!current.count(path)) out[path] = std::nullopt;
  }
  return out;
}

bool SameOutcome(const std::optional<FileId>& a, const std::optional<FileId>& b) {
  if (!a || !b) return !a && !b;
  return SameContent(*a, *b);
}

MirrorChanges Describe(const FileMap& base, const ChangeMap& changes) {
  MirrorChanges out;
  for (const auto& [path, change] : changes) {
    if (!change) {
      out.deleted.push_back(path);
    } else if (base.count(path)) {
      out.modified.push_back(path);
    } else {
      out.added.push_back(path);
    }
  }
  return out;
}

// A path a catalog file may have: relative, no empty segment, no segment starting with '.'
// (which also rules out "." and ".." and hides temp files, the lock and the state).
bool IsCatalogPath(std::string_view path) {
  if (path.empty() || path.size() > 4096) return false;
  for (const std::string& segment : Split(path, '/')) {
    if (segment.empty() || segment[0] == '.') return false;
  }
  return true;
}

// Member `key` of `object` when it is a string, else "" (never throws).
std::string StringMember(const Json& object, const char* key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

// ---- where ----

struct Target {
  std::string repo_id;      // OWNER/REPO
  std::string public_root;  // hf://datasets/OWNER/REPO
  std::string mirror;       // the local folder, without a trailing '/'
  std::string Local(std::string_view path) const { return io::JoinPath(mirror, path); }
};

Result<Target> TargetOf(const MirrorOptions& options) {
  ASSIGN_OR_RETURN(hub::HfUri uri, hub::ParseHfUri(options.repo_uri));
  if (!uri.revision.empty() || !uri.path.empty()) {
    return InvalidArgument(
        "'{}' cannot be pushed or pulled: a mirrored catalog is hf://datasets/OWNER/REPO, "
        "without @REVISION or a path",
        options.repo_uri);
  }
  std::string mirror = options.mirror;
  while (mirror.size() > 1 && mirror.back() == '/') mirror.pop_back();
  PRECHECK(!mirror.empty(), "the mirror folder of {} is empty", options.repo_uri);
  return Target{uri.repo_id(), uri.ToString(), std::move(mirror)};
}

Status RequireCatalog(const Target& t) {
  std::error_code ec;
  if (!fs::is_regular_file(t.Local(kCatalogFile), ec)) {
    return NotFound(
        "no local mirror of {} at {}: run 'faceberg init' (it pulls the catalog from the Hub) or "
        "'faceberg pull'",
        t.public_root, t.mirror);
  }
  return Status::OK();
}

// ---- catalog.json ----

struct CatalogDoc {
  Json doc;
  std::map<std::string, Json> namespaces;
  std::map<std::string, std::string> tables;  // "ns.table" -> stored location
};

Result<CatalogDoc> ParseCatalog(std::string_view text, std::string_view what) {
  ASSIGN_OR_RETURN(Json j, ParseJson(text, what));
  if (!j.is_object() || StringMember(j, "format") != kCatalogFormat || !j.contains("tables") ||
      !j["tables"].is_object()) {
    return Corrupt("{} is not a faceberg catalog file", what);
  }
  CatalogDoc out;
  for (auto it = j["tables"].begin(); it != j["tables"].end(); ++it) {
    if (!it->is_string()) return Corrupt("{}: table locations must be strings", what);
    out.tables[it.key()] = it->get<std::string>();
  }
  if (j.contains("namespaces") && j["namespaces"].is_object()) {
    for (auto it = j["namespaces"].begin(); it != j["namespaces"].end(); ++it) {
      out.namespaces[it.key()] = *it;
    }
  }
  out.doc = std::move(j);
  return out;
}

// The folder (relative to the repository root) of a table stored as `stored`; nullopt for a
// table outside the catalog (elsewhere on the Hub, or a local path).
std::optional<std::string> TableFolder(const std::string& stored, const Target& t) {
  std::string relative;
  if (StartsWith(stored, t.public_root + "/")) {
    relative = stored.substr(t.public_root.size() + 1);
  } else if (stored.find("://") == std::string::npos && !StartsWith(stored, "/")) {
    relative = stored;
  } else {
    return std::nullopt;
  }
  while (EndsWith(relative, "/")) relative.pop_back();
  if (!IsCatalogPath(relative)) return std::nullopt;
  return relative;
}

std::set<std::string> TableFolders(const CatalogDoc& doc, const Target& t) {
  std::set<std::string> out;
  for (const auto& [name, stored] : doc.tables) {
    if (auto folder = TableFolder(stored, t)) out.insert(*folder);
  }
  return out;
}

// Push refuses tables whose files live on this machine outside the mirror: others could not
// read them.
Status CheckPushable(const CatalogDoc& doc, const Target& t) {
  for (const auto& [name, stored] : doc.tables) {
    if (TableFolder(stored, t)) continue;
    bool remote = stored.find("://") != std::string::npos && !StartsWith(stored, "file://");
    if (remote && !StartsWith(stored, t.public_root + "/")) continue;
    return InvalidArgument(
        "table '{}' lives at {}, outside the catalog {}, so it cannot be pushed: drop it from the "
        "catalog, or recreate it without --location",
        name, stored, t.public_root);
  }
  return Status::OK();
}

bool IsCatalogFile(const std::string& path, const std::set<std::string>& folders) {
  if (path == kCatalogFile || path == kConfigFile) return true;
  for (const auto& folder : folders) {
    if (path.size() > folder.size() && StartsWith(path, folder) && path[folder.size()] == '/') {
      return true;
    }
  }
  return false;
}

// Changes are grouped by table folder (the longest containing one), else by path.
std::string GroupOf(const std::string& path, const std::set<std::string>& folders) {
  std::string best;
  for (const auto& folder : folders) {
    if (path.size() > folder.size() && StartsWith(path, folder) && path[folder.size()] == '/' &&
        folder.size() > best.size()) {
      best = folder;
    }
  }
  return best.empty() ? path : best;
}

OrderedJson StringMap(const Json& object) {
  OrderedJson out = OrderedJson::object();
  if (!object.is_object()) return out;
  for (auto it = object.begin(); it != object.end(); ++it) {
    out[it.key()] = it->is_string() ? it->get<std::string>() : it->dump();
  }
  return out;
}

// catalog.json merged three-way by table entry and namespace: a key changed on one side takes
// that side's value; changed on both sides to different values is a conflict (named in
// `conflicts`). The output has the file catalog's layout.
std::string MergeCatalogs(const CatalogDoc* base, const CatalogDoc& local, const CatalogDoc& remote,
                          std::set<std::string>* conflicts) {
  auto merge = [&](auto member, std::string_view kind) {
    using Map = std::decay_t<decltype(local.*member)>;
    Map out;
    std::set<std::string> keys;
    for (const CatalogDoc* doc : {base, &local, &remote}) {
      if (doc == nullptr) continue;
      for (const auto& [key, value] : doc->*member) keys.insert(key);
    }
    for (const auto& key : keys) {
      auto find = [&](const CatalogDoc* doc) -> std::optional<typename Map::mapped_type> {
        if (doc == nullptr) return std::nullopt;
        auto it = (doc->*member).find(key);
        if (it == (doc->*member).end()) return std::nullopt;
        return it->second;
      };
      auto b = find(base), l = find(&local), r = find(&remote);
      std::optional<typename Map::mapped_type> chosen;
      if (l == r || r == b) {
        chosen = l;
      } else if (l == b) {
        chosen = r;
      } else {
        conflicts->insert(fmt::format("{} '{}'", kind, key));
        chosen = l;
      }
      if (chosen) out[key] = *chosen;
    }
    return out;
  };
  auto namespaces = merge(&CatalogDoc::namespaces, "namespace");
  auto tables = merge(&CatalogDoc::tables, "table");
  OrderedJson j;
  j["format"] = kCatalogFormat;
  auto version = local.doc.find("version");
  j["version"] = version != local.doc.end() && version->is_number_integer()
                     ? version->get<int64_t>()
                     : int64_t{1};
  OrderedJson ns = OrderedJson::object();
  for (const auto& [name, props] : namespaces) ns[name] = StringMap(props);
  j["namespaces"] = std::move(ns);
  OrderedJson t = OrderedJson::object();
  for (const auto& [name, stored] : tables) t[name] = stored;
  j["tables"] = std::move(t);
  return DumpJson(j, 2) + "\n";
}

// ---- the state file ----

struct MirrorState {
  std::string repo_id;
  std::string base_commit;  // empty: never pushed or pulled
  FileMap files;
  std::optional<std::string> base_catalog;  // catalog.json at the base
  // Every catalog file of the mirror as the last push sent it to the Hub, whose outcome is not
  // recorded (the process died, or the answer was lost): that commit may have landed. Empty
  // once a push or pull records its outcome.
  FileMap pending;
};

std::string StatePath(const Target& t) { return t.Local(kMirrorStateFile); }

Result<MirrorState> LoadState(const Target& t) {
  MirrorState state;
  state.repo_id = t.repo_id;
  io::LocalFileIO io;
  auto file = io.NewInputFile(StatePath(t));
  if (!file.ok()) {
    if (file.status().code() == ErrorCode::kNotFound) return state;
    return file.status();
  }
  ASSIGN_OR_RETURN(std::string text, (*file)->ReadAll(kMaxStateBytes));
  auto bad = [&](std::string_view what) {
    return Corrupt(
        "the mirror state {} is damaged ({}): run 'faceberg pull --force' to rebuild the mirror",
        StatePath(t), what);
  };
  auto parsed = ParseJson(text, StatePath(t));
  if (!parsed.ok()) return bad("not JSON");
  const Json& j = *parsed;
  if (!j.is_object() || StringMember(j, "format") != kStateFormat) return bad("not a mirror state");
  if (!j.contains("repo") || !j["repo"].is_string() || !j.contains("base_commit") ||
      !j["base_commit"].is_string() || !j.contains("files") || !j["files"].is_object()) {
    return bad("'repo', 'base_commit' or 'files' is missing");
  }
  if (j["repo"].get<std::string>() != t.repo_id) {
    return InvalidArgument(
        "the mirror {} belongs to hf://datasets/{}, not {}: pass another mirror folder (--mirror)",
        t.mirror, j["repo"].get<std::string>(), t.public_root);
  }
  state.base_commit = j["base_commit"].get<std::string>();
  for (auto it = j["files"].begin(); it != j["files"].end(); ++it) {
    if (!IsCatalogPath(it.key()) || !it->is_object()) return bad("a bad file entry");
    FileId id;
    id.sha256 = StringMember(*it, "sha256");
    id.blob = StringMember(*it, "blob");
    auto size = it->find("size");
    if (size != it->end() && size->is_number_unsigned()) id.size = size->get<uint64_t>();
    if (id.sha256.empty() || id.blob.empty()) return bad("a file entry without its hashes");
    state.files[it.key()] = std::move(id);
  }
  if (j.contains("base_catalog") && j["base_catalog"].is_string()) {
    state.base_catalog = j["base_catalog"].get<std::string>();
  }
  if (j.contains("pending") && j["pending"].is_object()) {
    for (auto it = j["pending"].begin(); it != j["pending"].end(); ++it) {
      if (!IsCatalogPath(it.key()) || !it->is_object()) return bad("a bad pending entry");
      FileId id;
      id.sha256 = StringMember(*it, "sha256");
      id.blob = StringMember(*it, "blob");
      auto size = it->find("size");
      if (size != it->end() && size->is_number_unsigned()) id.size = size->get<uint64_t>();
      if (id.sha256.empty() || id.blob.empty()) return bad("a pending entry without its hashes");
      state.pending[it.key()] = std::move(id);
    }
  }
  return state;
}

Status SaveState(const Target& t, const MirrorState& state) {
  OrderedJson j;
  j["format"] = kStateFormat;
  j["version"] = 1;
  j["repo"] = state.repo_id;
  j["branch"] = kMirrorBranch;
  j["base_commit"] = state.base_commit;
  auto entries = [](const FileMap& map) {
    OrderedJson out = OrderedJson::object();
    for (const auto& [path, id] : map) {
      out[path] = OrderedJson{{"sha256", id.sha256}, {"blob", id.blob}, {"size", id.size}};
    }
    return out;
  };
  j["files"] = entries(state.files);
  if (state.base_catalog) j["base_catalog"] = *state.base_catalog;
  if (!state.pending.empty()) j["pending"] = entries(state.pending);
  io::LocalFileIO io;
  return io.WriteFile(StatePath(t), DumpJson(j, 2) + "\n", io::WriteMode::kOverwrite);
}

// ---- the mirror's files ----

struct LocalFiles {
  FileMap ids;
  std::map<std::string, std::string> contents;
  std::string catalog_text;
  CatalogDoc catalog;
};

// Reads every catalog file of the mirror: faceberg.yml, catalog.json, the files under the
// folders of its tables, and the files of the base still present.
Result<LocalFiles> ScanLocal(const Target& t, const MirrorState& state) {
  io::LocalFileIO io;
  LocalFiles out;
  std::set<std::string> paths;
  ASSIGN_OR_RETURN(auto catalog_file, io.NewInputFile(t.Local(kCatalogFile)));
  ASSIGN_OR_RETURN(out.catalog_text, catalog_file->ReadAll(kMaxCatalogBytes));
  ASSIGN_OR_RETURN(out.catalog, ParseCatalog(out.catalog_text, t.Local(kCatalogFile)));
  paths.insert(kCatalogFile);
  std::error_code ec;
  if (fs::is_regular_file(t.Local(kConfigFile), ec)) paths.insert(kConfigFile);
  const fs::path root(t.mirror);
  for (const auto& folder : TableFolders(out.catalog, t)) {
    fs::path dir = root / folder;
    if (!fs::is_directory(dir, ec)) continue;
    for (auto it = fs::recursive_directory_iterator(dir, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (!name.empty() && name[0] == '.') {
        if (it->is_directory(ec)) it.disable_recursion_pending();
        continue;
      }
      if (it->symlink_status(ec).type() != fs::file_type::regular) continue;
      paths.insert(it->path().lexically_relative(root).generic_string());
    }
    if (ec) return IOError("cannot list {}: {}", dir.string(), ec.message());
  }
  for (const auto& [path, id] : state.files) {
    if (fs::symlink_status(root / path, ec).type() == fs::file_type::regular) paths.insert(path);
  }
  for (const auto& path : paths) {
    if (!IsCatalogPath(path)) continue;
    std::string content;
    if (path == kCatalogFile) {
      content = out.catalog_text;
    } else {
      ASSIGN_OR_RETURN(auto file, io.NewInputFile(t.Local(path)));
      ASSIGN_OR_RETURN(content, file->ReadAll());
    }
    out.ids[path] = IdOf(content);
    out.contents[path] = std::move(content);
  }
  return out;
}

// A file of the mirror outside `catalog_paths` (dot-named entries aside), if any: pull would
// delete it with the old mirror.
std::optional<std::string> StrayFile(const Target& t, const FileMap& catalog_paths) {
  std::error_code ec;
  const fs::path root(t.mirror);
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.empty() && name[0] == '.') {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (it->symlink_status(ec).type() == fs::file_type::directory) continue;
    std::string path = it->path().lexically_relative(root).generic_string();
    if (!catalog_paths.count(path)) return path;
  }
  return std::nullopt;
}

Status WriteMirrorFile(const std::string& root, const std::string& path, std::string_view content) {
  if (!IsCatalogPath(path)) return Corrupt("the Hub sent a file with a bad path '{}'", path);
  io::LocalFileIO io;
  return io.WriteFile(io::JoinPath(root, path), content, io::WriteMode::kOverwrite);
}

// Deletes a file of the mirror and the folders it leaves empty (up to the mirror).
Status DeleteMirrorFile(const Target& t, const std::string& path) {
  if (!IsCatalogPath(path)) return Corrupt("a bad path '{}'", path);
  io::LocalFileIO io;
  Status st = io.DeleteFile(t.Local(path));
  if (!st.ok() && st.code() != ErrorCode::kNotFound) return st;
  std::error_code ec;
  fs::path dir = fs::path(t.Local(path)).parent_path();
  for (size_t depth = std::count(path.begin(), path.end(), '/'); depth > 0; --depth) {
    if (!fs::is_empty(dir, ec) || ec) break;
    fs::remove(dir, ec);
    dir = dir.parent_path();
  }
  return Status::OK();
}

// ---- the Hub's files ----

struct RemoteFiles {
  FileMap ids;
  std::optional<std::string> catalog_text;
  std::optional<CatalogDoc> catalog;
};

// The catalog files of the repository at `commit`: faceberg.yml, catalog.json, the files under
// the folders of its tables, and the files of `also` (the base) that are still there.
Result<RemoteFiles> ListRemote(const hub::HfApi& api, const Target& t, const std::string& commit,
                               const FileMap& also) {
  ASSIGN_OR_RETURN(auto tree, api.ListTree(t.repo_id, commit, "", /*recursive=*/true));
  std::map<std::string, hub::RepoEntry> files;
  for (auto& entry : tree) {
    if (entry.is_file() && IsCatalogPath(entry.path)) files[entry.path] = std::move(entry);
  }
  RemoteFiles out;
  std::set<std::string> folders;
  if (auto it = files.find(kCatalogFile); it != files.end()) {
    const uint64_t size = it->second.lfs ? it->second.lfs->size : it->second.size;
    if (size > kMaxCatalogBytes) {
      return Corrupt("catalog.json of {} is {} bytes, more than a catalog may hold", t.public_root,
                     size);
    }
    ASSIGN_OR_RETURN(hub::FileRead read, api.ReadFile({t.repo_id, commit, kCatalogFile, {}}));
    if (!SameContent(IdOf(read.data), IdOf(it->second))) {
      return Corrupt("catalog.json of {} changed while it was read; retry", t.public_root);
    }
    ASSIGN_OR_RETURN(CatalogDoc doc,
                     ParseCatalog(read.data, t.public_root + "/" + std::string(kCatalogFile)));
    folders = TableFolders(doc, t);
    out.catalog_text = std::move(read.data);
    out.catalog = std::move(doc);
  }
  for (const auto& [path, entry] : files) {
    if (IsCatalogFile(path, folders) || also.count(path)) out.ids[path] = IdOf(entry);
  }
  return out;
}

// Downloads `paths` at `commit`, checking each against its id. catalog.json comes from `remote`.
Result<std::map<std::string, std::string>> Download(const hub::HfApi& api, const Target& t,
                                                    const std::string& commit,
                                                    const std::vector<std::string>& paths,
                                                    const RemoteFiles& remote) {
  std::map<std::string, std::string> out;
  std::vector<hub::FileReadRequest> requests;
  for (const auto& path : paths) {
    if (path == kCatalogFile && remote.catalog_text) {
      out[path] = *remote.catalog_text;
    } else {
      requests.push_back({t.repo_id, commit, path, {}});
    }
  }
  std::vector<Result<hub::FileRead>> reads = api.ReadFiles(requests);
  for (size_t i = 0; i < requests.size(); ++i) {
    if (!reads[i].ok()) return reads[i].status();
    const std::string& path = requests[i].path;
    if (!SameContent(IdOf(reads[i]->data), remote.ids.at(path))) {
      return Corrupt("{} of {} does not match its Hub id (damaged, or changed while read); retry",
                     path, t.public_root);
    }
    out[path] = std::move(reads[i]->data);
  }
  return out;
}

// ---- push ----

// Names of what changed on both sides, for the conflict message.
std::string ConflictNames(const std::set<std::string>& groups,
                          const std::vector<const CatalogDoc*>& docs, const Target& t) {
  std::map<std::string, std::set<std::string>> tables_of;  // folder -> table names
  for (const CatalogDoc* doc : docs) {
    if (doc == nullptr) continue;
    for (const auto& [name, stored] : doc->tables) {
      if (auto folder = TableFolder(stored, t)) tables_of[*folder].insert(name);
    }
  }
  std::set<std::string> names;
  for (const auto& group : groups) {
    auto it = tables_of.find(group);
    if (it == tables_of.end()) {
      names.insert(StartsWith(group, "table '") || StartsWith(group, "namespace '")
                       ? group
                       : "'" + group + "'");
      continue;
    }
    for (const auto& name : it->second) names.insert("table '" + name + "'");
  }
  return Join(std::vector<std::string>(names.begin(), names.end()), ", ");
}

// Takes the Hub's changes since the base (at `head`) into the mirror and makes `head` the base,
// unless they overlap the local changes: then Conflict, and nothing is changed.
Status Reconcile(const hub::HfApi& api, const Target& t, const std::string& head,
                 const LocalFiles& local, MirrorState* state, std::vector<std::string>* merged) {
  ASSIGN_OR_RETURN(RemoteFiles remote, ListRemote(api, t, head, state->files));
  // The Hub's changes that are exactly what an unrecorded push of ours sent (it landed) are
  // ours, not theirs: they become the base, so later local changes to the same files (a table
  // committed again since) are not mistaken for a conflict.
  for (const auto& [path, change] : Diff(state->files, remote.ids)) {
    if (state->pending.empty()) break;
    auto sent = state->pending.find(path);
    const std::optional<FileId> ours =
        sent == state->pending.end() ? std::nullopt : std::optional<FileId>(sent->second);
    if (!SameOutcome(ours, change)) continue;
    if (change) {
      // Ours, not the listing's: a listing may lack the sha256 of a small file.
      state->files[path] = *ours;
    } else {
      state->files.erase(path);
    }
    if (path == kCatalogFile) state->base_catalog = remote.catalog_text;
  }
  state->pending.clear();
  ChangeMap remote_changes = Diff(state->files, remote.ids);
  ChangeMap mine = Diff(state->files, local.ids);
  ChangeMap theirs = remote_changes;
  for (const auto& [path, change] : remote_changes) {
    auto it = mine.find(path);
    if (it != mine.end() && SameOutcome(it->second, change)) {
      mine.erase(it);
      theirs.erase(path);
    }
  }

  std::optional<CatalogDoc> base_doc;
  if (state->base_catalog) {
    auto parsed = ParseCatalog(*state->base_catalog, StatePath(t));
    if (parsed.ok()) base_doc = std::move(*parsed);
  }
  std::set<std::string> folders = TableFolders(local.catalog, t);
  if (remote.catalog) folders.merge(TableFolders(*remote.catalog, t));
  if (base_doc) folders.merge(TableFolders(*base_doc, t));

  std::set<std::string> conflicts;
  std::set<std::string> my_groups;
  for (const auto& [path, change] : mine) {
    if (path != kCatalogFile) my_groups.insert(GroupOf(path, folders));
  }
  for (const auto& [path, change] : theirs) {
    if (path == kCatalogFile) continue;
    std::string group = GroupOf(path, folders);
    if (my_groups.count(group)) conflicts.insert(group);
  }
  std::optional<std::string> catalog_text;
  if (theirs.count(kCatalogFile)) {
    if (!remote.catalog) {
      return Conflict(
          "{} no longer holds catalog.json (it was deleted there), so push cannot merge into "
          "it: restore it on the Hub, or push to another repository",
          t.public_root);
    }
    if (mine.count(kCatalogFile)) {
      catalog_text = MergeCatalogs(base_doc ? &*base_doc : nullptr, local.catalog, *remote.catalog,
                                   &conflicts);
    } else {
      catalog_text = remote.catalog_text;
    }
  }
  if (!conflicts.empty()) {
    return Conflict(
        "push conflict: {} changed both in {} and on {} since the last push or pull; nothing was "
        "pushed or changed. Run 'faceberg pull --force' to take the Hub's version (this discards "
        "your unpushed changes), then redo your change and push",
        ConflictNames(conflicts,
                      {&local.catalog, remote.catalog ? &*remote.catalog : nullptr,
                       base_doc ? &*base_doc : nullptr},
                      t),
        t.mirror, t.public_root);
  }

  std::vector<std::string> downloads;
  for (const auto& [path, change] : theirs) {
    if (change && path != kCatalogFile) downloads.push_back(path);
  }
  ASSIGN_OR_RETURN(auto contents, Download(api, t, head, downloads, remote));
  for (const auto& [path, content] : contents) {
    RETURN_IF_ERROR(WriteMirrorFile(t.mirror, path, content));
  }
  for (const auto& [path, change] : theirs) {
    if (!change) RETURN_IF_ERROR(DeleteMirrorFile(t, path));
  }
  if (catalog_text) RETURN_IF_ERROR(WriteMirrorFile(t.mirror, kCatalogFile, *catalog_text));

  // The new base: the Hub's files at head, each with both hashes.
  FileMap files;
  for (const auto& [path, id] : remote.ids) {
    auto downloaded = contents.find(path);
    auto mine_now = local.ids.find(path);
    auto base = state->files.find(path);
    if (downloaded != contents.end()) {
      files[path] = IdOf(downloaded->second);
    } else if (path == kCatalogFile && remote.catalog_text) {
      files[path] = IdOf(*remote.catalog_text);
    } else if (mine_now != local.ids.end() && SameContent(mine_now->second, id)) {
      files[path] = mine_now->second;
    } else if (base != state->files.end() && SameContent(base->second, id)) {
      files[path] = base->second;
    } else {
      return Internal("no content id for {} of {}", path, t.public_root);
    }
  }
  for (const auto& [path, change] : theirs) merged->push_back(path);
  state->base_commit = head;
  state->files = std::move(files);
  state->base_catalog = remote.catalog_text;
  FailPoint("push-after-merge");
  return SaveState(t, *state);
}

// ---- pull ----

// Swaps `fresh` into `mirror` in one rename; returns the folder left to delete (the old mirror),
// or an empty path.
Result<fs::path> SwapIn(const fs::path& fresh, const fs::path& mirror) {
  std::error_code ec;
  if (!fs::exists(mirror, ec)) {
    if (::rename(fresh.c_str(), mirror.c_str()) != 0) {
      return IOError("cannot move {} to {}: {}", fresh.string(), mirror.string(),
                     std::strerror(errno));
    }
    return fs::path();
  }
  if (::renameat2(AT_FDCWD, fresh.c_str(), AT_FDCWD, mirror.c_str(), RENAME_EXCHANGE) == 0) {
    return fresh;  // now holds the old mirror
  }
  if (errno != EINVAL && errno != ENOSYS) {
    return IOError("cannot replace {}: {}", mirror.string(), std::strerror(errno));
  }
  // A file system without an atomic exchange: two renames. In between the mirror is missing,
  // never half-replaced.
  fs::path old = fresh.string() + ".old";
  if (::rename(mirror.c_str(), old.c_str()) != 0) {
    return IOError("cannot move {} aside: {}", mirror.string(), std::strerror(errno));
  }
  if (::rename(fresh.c_str(), mirror.c_str()) != 0) {
    int saved = errno;
    (void)::rename(old.c_str(), mirror.c_str());
    return IOError("cannot move {} to {}: {}", fresh.string(), mirror.string(),
                   std::strerror(saved));
  }
  return old;
}

// The mirror folder, absolute and normalized (its parent holds the temporary folder).
fs::path AbsoluteMirror(const Target& t) {
  fs::path p = fs::absolute(t.mirror).lexically_normal();
  std::string s = p.string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return fs::path(s);
}

// The prefix of the temporary folders of pulls into `mirror` (beside it).
std::string PullFolderPrefix(const fs::path& mirror) {
  return "." + mirror.filename().string() + ".pull-";
}

// Removes what crashed pulls left beside the mirror. REQUIRES: the mirror's lock is held.
void RemoveStalePullFolders(const fs::path& mirror) {
  std::error_code ec;
  const std::string prefix = PullFolderPrefix(mirror);
  std::vector<fs::path> stale;
  for (auto it = fs::directory_iterator(mirror.parent_path(), ec);
       !ec && it != fs::directory_iterator(); it.increment(ec)) {
    if (StartsWith(it->path().filename().string(), prefix)) stale.push_back(it->path());
  }
  for (const auto& folder : stale) fs::remove_all(folder, ec);
}

// Removes the temporary folder on every path out of PullMirror that did not swap it in.
class TempFolder {
 public:
  explicit TempFolder(fs::path path) : path_(std::move(path)) {}
  ~TempFolder() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  const fs::path& path() const { return path_; }
  void Reset(fs::path path) { path_ = std::move(path); }

 private:
  fs::path path_;
};

}  // namespace

Result<MirrorChanges> LocalMirrorChanges(const MirrorOptions& options) {
  ASSIGN_OR_RETURN(Target t, TargetOf(options));
  RETURN_IF_ERROR(RequireCatalog(t));
  ASSIGN_OR_RETURN(MirrorState state, LoadState(t));
  ASSIGN_OR_RETURN(LocalFiles local, ScanLocal(t, state));
  return Describe(state.files, Diff(state.files, local.ids));
}

Result<PushResult> PushMirror(const hub::HfApi& api, const MirrorOptions& options) {
  ASSIGN_OR_RETURN(Target t, TargetOf(options));
  RETURN_IF_ERROR(RequireCatalog(t));
  ASSIGN_OR_RETURN(auto lock, catalog::FileCatalogLock::Acquire(t.mirror));
  ASSIGN_OR_RETURN(MirrorState state, LoadState(t));
  if (state.base_commit.empty()) {
    hub::CreateRepoOptions create;
    create.exist_ok = true;
    RETURN_IF_ERROR(api.CreateRepo(t.repo_id, create).status());
  }
  const int max_attempts = std::max(1, options.max_push_attempts);
  PushResult result;
  while (true) {
    ASSIGN_OR_RETURN(LocalFiles local, ScanLocal(t, state));
    RETURN_IF_ERROR(CheckPushable(local.catalog, t));
    ChangeMap changes = Diff(state.files, local.ids);
    if (state.base_commit.empty()) {
      // First push: the repository may already hold a catalog; join it like a moved branch.
      ASSIGN_OR_RETURN(std::string head, api.ResolveRevision(t.repo_id, kMirrorBranch));
      RETURN_IF_ERROR(Reconcile(api, t, head, local, &state, &result.merged));
      continue;
    }
    if (!state.pending.empty()) {
      // An earlier push died after sending its commit: when the branch moved, that commit may
      // be there; Reconcile takes it as ours before anything else is sent.
      ASSIGN_OR_RETURN(std::string head, api.ResolveRevision(t.repo_id, kMirrorBranch));
      if (head != state.base_commit) {
        RETURN_IF_ERROR(Reconcile(api, t, head, local, &state, &result.merged));
        continue;
      }
    }
    if (changes.empty()) {
      result.nothing_to_push = true;
      result.commit = state.base_commit;
      return result;
    }
    if (result.attempts == max_attempts) {
      return Conflict(
          "{} kept moving: {} commits lost the race to other writers; run 'faceberg push' again",
          t.public_root, result.attempts);
    }
    ++result.attempts;
    std::vector<hub::CommitOperation> operations;
    for (const auto& [path, change] : changes) {
      if (change) {
        operations.push_back(hub::CommitOperation::Add(path, local.contents.at(path)));
      } else {
        operations.push_back(hub::CommitOperation::Delete(path));
      }
    }
    MirrorChanges described = Describe(state.files, changes);
    hub::CommitOptions commit;
    commit.summary =
        fmt::format("faceberg push: {} added, {} modified, {} deleted", described.added.size(),
                    described.modified.size(), described.deleted.size());
    commit.parent_commit = state.base_commit;
    // Recorded first: should this process die once the commit is sent, the next push knows its
    // files when it finds them on the Hub.
    FileMap unsent = std::exchange(state.pending, local.ids);
    RETURN_IF_ERROR(SaveState(t, state));
    FailPoint("before-push-commit");
    auto committed = api.CreateCommit(t.repo_id, kMirrorBranch, operations, commit);
    if (committed.ok()) {
      FailPoint("after-push-commit");
      state.base_commit = committed->commit_oid;
      state.files = std::move(local.ids);
      state.base_catalog = std::move(local.catalog_text);
      state.pending.clear();
      RETURN_IF_ERROR(SaveState(t, state));
      result.pushed = std::move(described);
      result.commit = state.base_commit;
      return result;
    }
    if (committed.status().code() != ErrorCode::kConflict) return committed.status();
    // The branch moved: this commit was refused, so its record goes (a conflict leaves the
    // mirror as it was).
    state.pending = std::move(unsent);
    RETURN_IF_ERROR(SaveState(t, state));
    ASSIGN_OR_RETURN(std::string head, api.ResolveRevision(t.repo_id, kMirrorBranch));
    RETURN_IF_ERROR(Reconcile(api, t, head, local, &state, &result.merged));
  }
}

Result<PullResult> PullMirror(const hub::HfApi& api, const MirrorOptions& options) {
  ASSIGN_OR_RETURN(Target t, TargetOf(options));
  std::error_code ec;
  std::unique_ptr<catalog::FileCatalogLock> lock;
  const fs::path mirror = AbsoluteMirror(t);
  if (fs::is_directory(t.mirror, ec)) {
    ASSIGN_OR_RETURN(lock, catalog::FileCatalogLock::Acquire(t.mirror));
    RemoveStalePullFolders(mirror);
  }
  ASSIGN_OR_RETURN(MirrorState state, LoadState(t));
  PullResult result;
  const bool has_catalog = fs::is_regular_file(t.Local(kCatalogFile), ec);
  FileMap catalog_files;
  if (has_catalog) {
    ASSIGN_OR_RETURN(LocalFiles local, ScanLocal(t, state));
    catalog_files = std::move(local.ids);
    MirrorChanges changes = Describe(state.files, Diff(state.files, catalog_files));
    if (!changes.empty()) {
      if (!options.discard_local_changes) {
        return Conflict(
            "{} has {} unpushed change(s) (e.g. {}): push them first, or pass --force to discard "
            "them",
            t.mirror, changes.size(),
            !changes.added.empty()      ? changes.added[0]
            : !changes.modified.empty() ? changes.modified[0]
                                        : changes.deleted[0]);
      }
      result.discarded = std::move(changes);
    }
  }
  if (lock) {
    if (auto stray = StrayFile(t, catalog_files)) {
      return InvalidArgument(
          "pull replaces the whole folder {}, which holds '{}', a file that is not part of the "
          "catalog: move it away, or pull into another folder (--mirror)",
          t.mirror, *stray);
    }
  }
  ASSIGN_OR_RETURN(std::string head, api.ResolveRevision(t.repo_id, kMirrorBranch));
  if (has_catalog && result.discarded.empty() && state.base_commit == head) {
    result.commit = head;
    result.up_to_date = true;
    result.files = state.files.size();
    return result;
  }
  ASSIGN_OR_RETURN(RemoteFiles remote, ListRemote(api, t, head, {}));
  if (!remote.catalog_text) {
    return NotFound("{} holds no faceberg catalog (no catalog.json on '{}'): push one first",
                    t.public_root, kMirrorBranch);
  }
  std::vector<std::string> paths;
  for (const auto& [path, id] : remote.ids) paths.push_back(path);
  ASSIGN_OR_RETURN(auto contents, Download(api, t, head, paths, remote));

  TempFolder fresh(mirror.parent_path() / (PullFolderPrefix(mirror) + RandomUuid().substr(0, 8)));
  MirrorState pulled;
  pulled.repo_id = t.repo_id;
  pulled.base_commit = head;
  pulled.base_catalog = remote.catalog_text;
  for (const auto& [path, content] : contents) {
    RETURN_IF_ERROR(WriteMirrorFile(fresh.path().string(), path, content));
    pulled.files[path] = IdOf(content);
    if (pulled.files.size() == 1) FailPoint("pull-mid-download");
  }
  Target fresh_target = t;
  fresh_target.mirror = fresh.path().string();
  RETURN_IF_ERROR(SaveState(fresh_target, pulled));
  FailPoint("before-pull-swap");
  ASSIGN_OR_RETURN(fs::path old, SwapIn(fresh.path(), mirror));
  fresh.Reset(std::move(old));  // the old mirror is deleted on return
  result.commit = head;
  result.files = pulled.files.size();
  return result;
}

Result<InitMirrorResult> InitMirror(const hub::HfApi& api, const MirrorOptions& options) {
  ASSIGN_OR_RETURN(Target t, TargetOf(options));
  InitMirrorResult result;
  std::error_code ec;
  if (fs::is_regular_file(t.Local(kCatalogFile), ec)) {
    result.existing = true;
    return result;
  }
  std::vector<std::string> probe = {kCatalogFile};
  auto found = api.GetPathsInfo(t.repo_id, kMirrorBranch, probe);
  bool remote_catalog = false;
  if (found.ok()) {
    for (const auto& entry : *found) remote_catalog |= entry.path == kCatalogFile;
  } else {
    const ErrorCode code = found.status().code();
    const bool missing =
        code == ErrorCode::kNotFound || (code == ErrorCode::kPermission && !api.has_token());
    if (!missing) return found.status();
  }
  if (remote_catalog) {
    ASSIGN_OR_RETURN(PullResult pulled, PullMirror(api, options));
    result.pulled = true;
    result.commit = pulled.commit;
    return result;
  }
  io::LocalFileIO io;
  catalog::FileCatalogOptions catalog_options;
  catalog_options.root = t.mirror;
  catalog_options.public_root = t.public_root;
  catalog_options.create = true;
  RETURN_IF_ERROR(catalog::FileCatalog::Open(io, catalog_options).status());
  MirrorState state;
  state.repo_id = t.repo_id;
  RETURN_IF_ERROR(SaveState(t, state));
  return result;
}

}  // namespace faceberg::bridge
