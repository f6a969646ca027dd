#include "hub/local_hub_store_internal.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "hub/local_hub_codec_internal.h"
#include "io/file_io.h"
#include "util/json.h"
#include "util/strings.h"
#include "util/time.h"
#include "util/uuid.h"

namespace faceberg::hub::internal {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kStateFolder = ".faceberg-hub";
constexpr std::string_view kMainRef = "refs/heads/main";
constexpr std::string_view kAuthor = "faceberg-hub";
constexpr size_t kReadChunk = size_t{1} << 20;
// Bounds of the in-memory caches (both are rebuilt from disk on demand).
constexpr size_t kMaxCachedCommits = 4096;
constexpr size_t kMaxCachedTrees = 256;

// The .gitattributes of repos created through the API (our own list of common binary formats).
constexpr std::string_view kDefaultGitattributes =
    "*.7z filter=lfs diff=lfs merge=lfs -text\n"
    "*.arrow filter=lfs diff=lfs merge=lfs -text\n"
    "*.avro filter=lfs diff=lfs merge=lfs -text\n"
    "*.bin filter=lfs diff=lfs merge=lfs -text\n"
    "*.bz2 filter=lfs diff=lfs merge=lfs -text\n"
    "*.gz filter=lfs diff=lfs merge=lfs -text\n"
    "*.h5 filter=lfs diff=lfs merge=lfs -text\n"
    "*.lz4 filter=lfs diff=lfs merge=lfs -text\n"
    "*.npy filter=lfs diff=lfs merge=lfs -text\n"
    "*.npz filter=lfs diff=lfs merge=lfs -text\n"
    "*.parquet filter=lfs diff=lfs merge=lfs -text\n"
    "*.pkl filter=lfs diff=lfs merge=lfs -text\n"
    "*.safetensors filter=lfs diff=lfs merge=lfs -text\n"
    "*.tar filter=lfs diff=lfs merge=lfs -text\n"
    "*.zip filter=lfs diff=lfs merge=lfs -text\n"
    "*.zst filter=lfs diff=lfs merge=lfs -text\n";

std::string Lower(std::string_view s) { return ToLower(s); }

Status FsError(std::string_view what, const fs::path& path, const std::error_code& ec) {
  return IOError("{} {}: {}", what, path.string(), ec.message());
}

// ---- JSON forms of the persisted objects ----

Json FileEntryToJson(const FileEntry& e) { return Json::array({e.size, e.sha256, e.oid, e.lfs}); }

Result<FileEntry> FileEntryFromJson(const Json& j, std::string_view where) {
  if (!j.is_array() || j.size() < 4 || !j[0].is_number_unsigned() || !j[1].is_string() ||
      !j[2].is_string() || !j[3].is_boolean()) {
    return Corrupt("{}: a file entry must be [size, sha256, oid, lfs]", where);
  }
  FileEntry e;
  e.size = j[0].get<uint64_t>();
  e.sha256 = j[1].get<std::string>();
  e.oid = j[2].get<std::string>();
  e.lfs = j[3].get<bool>();
  if (!IsHex(e.sha256, 64) || !IsHex(e.oid, 40)) return Corrupt("{}: bad file entry ids", where);
  return e;
}

Json CommitToJson(const Commit& c) {
  Json files = Json::object();
  for (const auto& [path, e] : c.files) files[path] = FileEntryToJson(e);
  return Json{{"id", c.id},
              {"parents", c.parents},
              {"title", c.title},
              {"message", c.message},
              {"author", c.author},
              {"date", c.date_ms},
              {"files", std::move(files)}};
}

Result<Commit> CommitFromJson(const Json& j, std::string_view where) {
  Commit c;
  ASSIGN_OR_RETURN(c.id, RequiredString(j, "id", where));
  ASSIGN_OR_RETURN(c.title, RequiredString(j, "title", where));
  ASSIGN_OR_RETURN(c.message, RequiredString(j, "message", where));
  ASSIGN_OR_RETURN(c.author, RequiredString(j, "author", where));
  ASSIGN_OR_RETURN(c.date_ms, RequiredInt(j, "date", where));
  ASSIGN_OR_RETURN(const Json* parents, RequiredMember(j, "parents", where));
  if (!parents->is_array()) return Corrupt("{}: parents must be an array", where);
  for (const auto& p : *parents) {
    if (!p.is_string() || !IsHex(p.get<std::string>(), 40)) {
      return Corrupt("{}: bad parent id", where);
    }
    c.parents.push_back(p.get<std::string>());
  }
  ASSIGN_OR_RETURN(const Json* files, RequiredMember(j, "files", where));
  if (!files->is_object()) return Corrupt("{}: files must be an object", where);
  for (const auto& [path, entry] : files->items()) {
    ASSIGN_OR_RETURN(c.files[path], FileEntryFromJson(entry, where));
  }
  if (!IsHex(c.id, 40)) return Corrupt("{}: bad commit id", where);
  return c;
}

Json RepoInfoToJson(const RepoInfo& r) {
  return Json{{"id", r.id},
              {"refs", r.refs},
              {"private", r.is_private},
              {"gated", r.gated},
              {"createdAt", r.created_ms},
              {"nextPr", r.next_pr}};
}

Result<RepoInfo> RepoInfoFromJson(const Json& j, std::string_view where) {
  RepoInfo r;
  ASSIGN_OR_RETURN(r.id, RequiredString(j, "id", where));
  ASSIGN_OR_RETURN(const Json* refs, RequiredMember(j, "refs", where));
  if (!refs->is_object()) return Corrupt("{}: refs must be an object", where);
  for (const auto& [name, target] : refs->items()) {
    if (!target.is_string() || !IsHex(target.get<std::string>(), 40)) {
      return Corrupt("{}: ref {} has a bad target", where, name);
    }
    r.refs[name] = target.get<std::string>();
  }
  ASSIGN_OR_RETURN(r.is_private, RequiredBool(j, "private", where));
  ASSIGN_OR_RETURN(r.gated, RequiredString(j, "gated", where));
  ASSIGN_OR_RETURN(r.created_ms, RequiredInt(j, "createdAt", where));
  ASSIGN_OR_RETURN(int64_t next_pr, RequiredInt(j, "nextPr", where));
  r.next_pr = static_cast<int>(std::clamp<int64_t>(next_pr, 1, 1 << 30));
  return r;
}

// What one folder file looked like when it was imported (to skip re-hashing it).
struct FolderFile {
  FileEntry entry;
  int64_t mtime_ns = 0;
  bool operator==(const FolderFile& other) const = default;
};
using FolderIndex =
    std::map<std::string, std::map<std::string, FolderFile>>;  // ref -> path -> file

Json FolderIndexToJson(const FolderIndex& index) {
  Json refs = Json::object();
  for (const auto& [ref, files] : index) {
    Json fj = Json::object();
    for (const auto& [path, f] : files) {
      Json e = FileEntryToJson(f.entry);
      e.push_back(f.mtime_ns);
      fj[path] = std::move(e);
    }
    refs[ref] = std::move(fj);
  }
  return Json{{"refs", std::move(refs)}};
}

Result<FolderIndex> FolderIndexFromJson(const Json& j, std::string_view where) {
  FolderIndex index;
  ASSIGN_OR_RETURN(const Json* refs, RequiredMember(j, "refs", where));
  if (!refs->is_object()) return Corrupt("{}: refs must be an object", where);
  for (const auto& [ref, files] : refs->items()) {
    if (!files.is_object()) return Corrupt("{}: files of {} must be an object", where, ref);
    auto& out = index[ref];
    for (const auto& [path, e] : files.items()) {
      ASSIGN_OR_RETURN(FileEntry entry, FileEntryFromJson(e, where));
      if (e.size() < 5 || !e[4].is_number_integer()) return Corrupt("{}: bad mtime", where);
      out[path] = FolderFile{std::move(entry), e[4].get<int64_t>()};
    }
  }
  return index;
}

Result<Json> ReadJsonFile(const std::string& path) {
  io::LocalFileIO io;
  ASSIGN_OR_RETURN(auto file, io.NewInputFile(path));
  ASSIGN_OR_RETURN(std::string text, file->ReadAll(uint64_t{1} << 31));
  return ParseJson(text, path);
}

Status WriteJsonFile(const std::string& path, const Json& json, io::WriteMode mode) {
  io::LocalFileIO io;
  return io.WriteFile(path, DumpJson(json), mode);
}

// ---- trees ----

void AppendRawOid(std::string& out, const std::string& hex) {
  auto raw = HexDecode(hex);
  if (raw) out += *raw;
}

TreeIndexPtr BuildTreeIndex(const FileMap& files) {
  auto index = std::make_shared<TreeIndex>();
  index->children[""];
  std::map<std::string, std::vector<TreeIndex::Child>>& children = index->children;
  std::set<std::string> dirs{""};
  for (const auto& [path, entry] : files) {
    std::string parent;
    size_t pos = 0;
    while ((pos = path.find('/', pos)) != std::string::npos) {
      std::string dir = path.substr(0, pos);
      if (dirs.insert(dir).second) children[parent].push_back({dir, true});
      children[dir];
      parent = std::move(dir);
      ++pos;
    }
    children[parent].push_back({path, false});
  }
  for (auto& [dir, kids] : children) {
    std::sort(kids.begin(), kids.end(), [](const TreeIndex::Child& a, const TreeIndex::Child& b) {
      if (a.is_dir != b.is_dir) return a.is_dir;
      return a.path < b.path;
    });
  }
  // Git tree ids bottom-up: deepest folders first.
  std::vector<std::string> order(dirs.begin(), dirs.end());
  auto depth = [](const std::string& d) {
    return d.empty() ? -1 : static_cast<int>(std::count(d.begin(), d.end(), '/'));
  };
  std::sort(order.begin(), order.end(),
            [&](const std::string& a, const std::string& b) { return depth(a) > depth(b); });
  for (const auto& dir : order) {
    struct GitEntry {
      std::string sort_key;
      std::string name;
      bool is_dir;
      std::string oid;
    };
    std::vector<GitEntry> entries;
    for (const auto& child : children[dir]) {
      std::string name = dir.empty() ? child.path : child.path.substr(dir.size() + 1);
      std::string oid = child.is_dir ? index->dir_oids[child.path] : files.at(child.path).oid;
      entries.push_back({child.is_dir ? name + "/" : name, name, child.is_dir, std::move(oid)});
    }
    std::sort(entries.begin(), entries.end(),
              [](const GitEntry& a, const GitEntry& b) { return a.sort_key < b.sort_key; });
    std::string body;
    for (const auto& e : entries) {
      body += e.is_dir ? "40000 " : "100644 ";
      body += e.name;
      body.push_back('\0');
      AppendRawOid(body, e.oid);
    }
    std::string object = "tree " + std::to_string(body.size());
    object.push_back('\0');
    object += body;
    index->dir_oids[dir] = Sha1Hex(object);
  }
  return index;
}

// Whether some file's parent folder is itself a file ("a" and "a/b").
std::optional<std::string> FindFileFolderClash(const FileMap& files) {
  for (const auto& [path, entry] : files) {
    size_t pos = 0;
    while ((pos = path.find('/', pos)) != std::string::npos) {
      std::string dir = path.substr(0, pos);
      if (files.count(dir)) return dir;
      ++pos;
    }
  }
  return std::nullopt;
}

std::string RepoDirName(const std::string& repo_id) { return repo_id; }  // OWNER/NAME

int64_t MtimeNs(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

}  // namespace

// ---- FileEntry, LfsRules, names ----

uint64_t FileEntry::pointer_size() const {
  return 125 + static_cast<uint64_t>(std::to_string(size).size());
}

FileEntry MakeFileEntry(uint64_t size, std::string sha256, std::string git_oid, bool lfs) {
  FileEntry e;
  e.size = size;
  e.lfs = lfs;
  e.oid = lfs ? GitBlobOid(LfsPointer(sha256, size)) : std::move(git_oid);
  e.sha256 = std::move(sha256);
  return e;
}

LfsRules LfsRules::Parse(std::string_view gitattributes) {
  LfsRules rules;
  for (const auto& raw : Split(gitattributes, '\n')) {
    std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#') continue;
    std::vector<std::string> tokens;
    for (const auto& t : Split(line, ' ')) {
      for (const auto& u : Split(t, '\t')) {
        if (!u.empty()) tokens.push_back(u);
      }
    }
    if (tokens.size() < 2) continue;
    bool lfs = std::find(tokens.begin() + 1, tokens.end(), "filter=lfs") != tokens.end();
    if (lfs) rules.patterns_.push_back(tokens[0]);
  }
  return rules;
}

bool LfsRules::Matches(std::string_view path) const {
  std::string p(path);
  if (EndsWith(Lower(p), ".parquet")) return true;
  size_t slash = p.rfind('/');
  std::string base = slash == std::string::npos ? p : p.substr(slash + 1);
  for (const auto& pattern : patterns_) {
    if (pattern.find('/') == std::string::npos) {
      if (::fnmatch(pattern.c_str(), base.c_str(), 0) == 0) return true;
    } else {
      std::string pat = pattern.front() == '/' ? pattern.substr(1) : pattern;
      int flags = pat.find("**") == std::string::npos ? FNM_PATHNAME : 0;
      if (::fnmatch(pat.c_str(), p.c_str(), flags) == 0) return true;
    }
  }
  return false;
}

bool IsValidRepoPath(std::string_view path) {
  if (path.empty() || path.size() > 1024) return false;
  for (char c : path) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '\\') return false;
  }
  for (const auto& segment : Split(path, '/')) {
    if (segment.empty() || segment == "." || segment == "..") return false;
  }
  return true;
}

bool IsValidRepoId(std::string_view id) {
  auto parts = Split(id, '/');
  if (parts.size() != 2) return false;
  for (const auto& part : parts) {
    if (part.empty() || part.size() > 96) return false;
    if (!std::isalnum(static_cast<unsigned char>(part[0]))) return false;
    for (char c : part) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
        return false;
      }
    }
    if (part.find("..") != std::string::npos || EndsWith(part, ".git")) return false;
  }
  return true;
}

// ---- BlobWriter ----

struct BlobWriter::Impl {
  std::string temp_path;
  std::string blobs_dir;
  int fd = -1;
  Hasher sha256{Hasher::Algorithm::kSha256};
  bool finished = false;

  ~Impl() {
    if (fd >= 0) ::close(fd);
    if (!finished && !temp_path.empty()) ::unlink(temp_path.c_str());
  }
};

BlobWriter::BlobWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
BlobWriter::~BlobWriter() = default;

Status BlobWriter::Append(std::string_view bytes) {
  if (impl_->finished || impl_->fd < 0) return Internal("append to a finished blob writer");
  impl_->sha256.Update(bytes);
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(impl_->fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IOError("cannot write {}: {}", impl_->temp_path, std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  size_ += bytes.size();
  return Status::OK();
}

Result<std::string> BlobWriter::Finish(std::string_view expected_sha256) {
  if (impl_->finished || impl_->fd < 0) return Internal("blob writer finished twice");
  std::string sha = impl_->sha256.HexDigest();
  int fd = impl_->fd;
  impl_->fd = -1;
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    return IOError("cannot write {}: {}", impl_->temp_path, std::strerror(errno));
  }
  if (!expected_sha256.empty() && Lower(expected_sha256) != sha) {
    return InvalidArgument("content hashes to sha256 {}, not the announced {}", sha,
                           expected_sha256);
  }
  fs::path target = fs::path(impl_->blobs_dir) / sha.substr(0, 2) / sha;
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  if (ec) return FsError("cannot create", target.parent_path(), ec);
  if (fs::exists(target, ec)) {
    ::unlink(impl_->temp_path.c_str());
  } else if (::rename(impl_->temp_path.c_str(), target.c_str()) != 0) {
    return IOError("cannot publish blob {}: {}", target.string(), std::strerror(errno));
  }
  impl_->finished = true;
  return sha;
}

// ---- HubStore ----

struct HubStore::Repo {
  std::mutex mu;
  RepoInfo info;                     // guarded by mu
  std::set<std::string> commit_ids;  // guarded by mu
};

HubStore::HubStore(std::string root) : root_(std::move(root)) {}
HubStore::~HubStore() = default;

std::string HubStore::StateDir() const { return (fs::path(root_) / kStateFolder).string(); }

std::string HubStore::RepoDir(const std::string& repo_id) const {
  return (fs::path(StateDir()) / "repos" / RepoDirName(repo_id)).string();
}

Result<std::unique_ptr<HubStore>> HubStore::Open(const std::string& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    return NotFound("hub root {} is not a folder: create it (repos go in {}/datasets/OWNER/NAME)",
                    root, root);
  }
  auto store = std::unique_ptr<HubStore>(new HubStore(fs::absolute(root, ec).string()));
  for (const char* sub : {"blobs", "repos", "tmp"}) {
    fs::path dir = fs::path(store->StateDir()) / sub;
    fs::create_directories(dir, ec);
    if (ec) return FsError("cannot create", dir, ec);
  }
  // Partial uploads from an earlier run are garbage.
  fs::path tmp = fs::path(store->StateDir()) / "tmp";
  for (fs::directory_iterator it(tmp, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code ignored;
    fs::remove_all(it->path(), ignored);
  }
  RETURN_IF_ERROR(store->LoadState());
  RETURN_IF_ERROR(store->SyncAllFolders());
  return store;
}

Status HubStore::LoadState() {
  fs::path repos = fs::path(StateDir()) / "repos";
  std::error_code ec;
  for (fs::directory_iterator owners(repos, ec), end; !ec && owners != end; owners.increment(ec)) {
    if (!owners->is_directory()) continue;
    std::error_code ec2;
    for (fs::directory_iterator names(owners->path(), ec2); !ec2 && names != end;
         names.increment(ec2)) {
      fs::path repo_json = names->path() / "repo.json";
      if (!fs::exists(repo_json)) continue;
      ASSIGN_OR_RETURN(Json j, ReadJsonFile(repo_json.string()));
      ASSIGN_OR_RETURN(RepoInfo info, RepoInfoFromJson(j, repo_json.string()));
      auto repo = std::make_shared<Repo>();
      repo->info = std::move(info);
      std::error_code ec3;
      for (fs::directory_iterator c(names->path() / "commits", ec3); !ec3 && c != end;
           c.increment(ec3)) {
        std::string name = c->path().filename().string();
        if (EndsWith(name, ".json") && IsHex(name.substr(0, name.size() - 5), 40)) {
          repo->commit_ids.insert(name.substr(0, name.size() - 5));
        }
      }
      repos_[repo->info.id] = std::move(repo);
    }
  }
  if (ec) return FsError("cannot list", repos, ec);
  return Status::OK();
}

Status HubStore::SyncAllFolders() {
  fs::path datasets = fs::path(root_) / "datasets";
  std::error_code ec;
  if (!fs::is_directory(datasets, ec)) return Status::OK();
  std::vector<std::string> ids;
  for (fs::directory_iterator owners(datasets, ec), end; !ec && owners != end;
       owners.increment(ec)) {
    if (!owners->is_directory()) continue;
    std::error_code ec2;
    for (fs::directory_iterator names(owners->path(), ec2); !ec2 && names != end;
         names.increment(ec2)) {
      if (!names->is_directory()) continue;
      std::string id = owners->path().filename().string() + "/" + names->path().filename().string();
      if (IsValidRepoId(id)) ids.push_back(id);
    }
  }
  for (const auto& id : ids) RETURN_IF_ERROR(SyncFolder(id).WithContext("importing " + id));
  return Status::OK();
}

namespace {

// Hashes (sha256 and git blob id) and copies one folder file into the blob store.
Result<FileEntry> ImportFile(HubStore& store, const fs::path& path, uint64_t size, bool lfs) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IOError("cannot open {}: {}", path.string(), std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  ASSIGN_OR_RETURN(auto writer, store.NewBlobWriter());
  Hasher git(Hasher::Algorithm::kSha1);
  git.Update(GitBlobHeader(size));
  std::string buf(kReadChunk, '\0');
  uint64_t total = 0;
  while (true) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return IOError("cannot read {}: {}", path.string(), std::strerror(errno));
    }
    if (n == 0) break;
    std::string_view chunk(buf.data(), static_cast<size_t>(n));
    git.Update(chunk);
    RETURN_IF_ERROR(writer->Append(chunk));
    total += static_cast<uint64_t>(n);
  }
  if (total != size) return IOError("{} changed while it was imported; retry", path.string());
  ASSIGN_OR_RETURN(std::string sha, writer->Finish());
  return MakeFileEntry(size, std::move(sha), git.HexDigest(), lfs);
}

// The folders of a repo folder that hold other refs: .refs/{convert,pr,heads}/NAME.
std::map<std::string, fs::path> RefFolders(const fs::path& repo_folder) {
  std::map<std::string, fs::path> out;
  out[std::string(kMainRef)] = repo_folder;
  std::error_code ec;
  for (const char* kind : {"convert", "pr", "heads"}) {
    fs::path dir = repo_folder / ".refs" / kind;
    if (!fs::is_directory(dir, ec)) continue;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (!it->is_directory()) continue;
      std::string name = it->path().filename().string();
      if (std::string_view(kind) == "pr" && !ParseInt64(name)) continue;
      if (std::string_view(kind) == "heads" && name == "main") continue;
      if (!IsValidRepoPath(name) || name.front() == '.') continue;
      out["refs/" + std::string(kind) + "/" + name] = it->path();
    }
  }
  return out;
}

struct ScannedFile {
  std::string path;
  uint64_t size;
  int64_t mtime_ns;
  fs::path abs;
};

Result<std::vector<ScannedFile>> ScanFolder(const fs::path& folder, bool is_main) {
  std::vector<ScannedFile> files;
  std::error_code ec;
  fs::recursive_directory_iterator it(folder, fs::directory_options::skip_permission_denied, ec);
  for (fs::recursive_directory_iterator end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (is_main && it.depth() == 0 && it->is_directory() && (name == ".refs" || name == ".git")) {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file()) continue;
    std::string rel = fs::relative(it->path(), folder, ec).generic_string();
    if (ec) return FsError("cannot relate", it->path(), ec);
    if (!IsValidRepoPath(rel)) continue;
    struct stat st;
    if (::stat(it->path().c_str(), &st) != 0) {
      return IOError("cannot stat {}: {}", it->path().string(), std::strerror(errno));
    }
    files.push_back({rel, static_cast<uint64_t>(st.st_size), MtimeNs(st), it->path()});
  }
  if (ec) return FsError("cannot list", folder, ec);
  std::sort(files.begin(), files.end(),
            [](const ScannedFile& a, const ScannedFile& b) { return a.path < b.path; });
  return files;
}

}  // namespace

Status HubStore::SyncFolder(const std::string& repo_id) {
  std::lock_guard<std::mutex> import_lock(import_mu_);
  fs::path folder = fs::path(root_) / "datasets" / RepoDirName(repo_id);
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) return Status::OK();

  std::string index_path = (fs::path(RepoDir(repo_id)) / "folder.json").string();
  FolderIndex index;
  if (fs::exists(index_path, ec)) {
    ASSIGN_OR_RETURN(Json j, ReadJsonFile(index_path));
    ASSIGN_OR_RETURN(index, FolderIndexFromJson(j, index_path));
  }
  std::shared_ptr<Repo> repo;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = repos_.find(repo_id);
    if (it != repos_.end()) repo = it->second;
  }
  bool new_repo = repo == nullptr;
  if (new_repo) {
    repo = std::make_shared<Repo>();
    repo->info.id = repo_id;
    repo->info.created_ms = NowMillis();
  }
  FolderIndex new_index;
  bool repo_changed = false;
  for (const auto& [ref, ref_folder] : RefFolders(folder)) {
    ASSIGN_OR_RETURN(auto scanned, ScanFolder(ref_folder, ref == kMainRef));
    const auto& old_files = index[ref];
    std::string gitattributes;
    for (const auto& f : scanned) {
      if (f.path == ".gitattributes" && f.size < (uint64_t{1} << 20)) {
        io::LocalFileIO io;
        if (auto in = io.NewInputFile(f.abs.string()); in.ok()) {
          if (auto text = (*in)->ReadAll(); text.ok()) gitattributes = *text;
        }
      }
    }
    LfsRules rules = LfsRules::Parse(gitattributes);
    auto& new_files = new_index[ref];
    FileMap current;
    int64_t newest_ms = 0;
    for (const auto& f : scanned) {
      bool lfs = f.size > kLfsSizeThreshold || rules.Matches(f.path);
      auto old = old_files.find(f.path);
      FileEntry entry;
      if (old != old_files.end() && old->second.entry.size == f.size &&
          old->second.mtime_ns == f.mtime_ns && old->second.entry.lfs == lfs &&
          BlobSize(old->second.entry.sha256) == f.size) {
        entry = old->second.entry;
      } else {
        ASSIGN_OR_RETURN(entry, ImportFile(*this, f.abs, f.size, lfs));
      }
      new_files[f.path] = FolderFile{entry, f.mtime_ns};
      current[f.path] = entry;
      newest_ms = std::max(newest_ms, f.mtime_ns / 1000000);
    }
    FileMap previous;
    for (const auto& [path, f] : old_files) previous[path] = f.entry;
    bool had_index = index.count(ref) > 0;
    if (had_index && previous == current) continue;

    std::lock_guard<std::mutex> lock(repo->mu);
    auto head_it = repo->info.refs.find(ref);
    Commit commit;
    commit.author = std::string(kAuthor);
    if (head_it == repo->info.refs.end()) {
      // First import: the content alone names the commit.
      commit.files = std::move(current);
      TreeIndexPtr tree = BuildTreeIndex(commit.files);
      commit.id = Sha1Hex("faceberg-hub folder import\nref " + ref + "\ntree " +
                          tree->dir_oids.at("") + "\n");
      commit.title = "Import folder";
      commit.message = "Imported from " + ref_folder.string();
      commit.date_ms = newest_ms > 0 ? newest_ms : NowMillis();
    } else {
      ASSIGN_OR_RETURN(CommitPtr head, GetCommit(repo_id, head_it->second));
      commit.files = head->files;
      for (const auto& [path, entry] : previous) {
        if (!current.count(path)) commit.files.erase(path);
      }
      for (const auto& [path, entry] : current) {
        auto p = previous.find(path);
        if (p == previous.end() || !(p->second == entry)) commit.files[path] = entry;
      }
      if (auto clash = FindFileFolderClash(commit.files)) {
        return InvalidArgument("folder {} has a file and a folder named {}", folder.string(),
                               *clash);
      }
      TreeIndexPtr tree = BuildTreeIndex(commit.files);
      commit.parents = {head->id};
      commit.id = Sha1Hex("faceberg-hub folder update\nref " + ref + "\nparent " + head->id +
                          "\ntree " + tree->dir_oids.at("") + "\n");
      commit.title = "Update from folder";
      commit.message = "Changes found in " + ref_folder.string() + " at start-up";
      commit.date_ms = NowMillis();
    }
    RETURN_IF_ERROR(WriteCommit(repo_id, commit));
    repo->commit_ids.insert(commit.id);
    repo->info.refs[ref] = commit.id;
    if (new_repo && ref == kMainRef) repo->info.created_ms = commit.date_ms;
    CacheCommit(repo_id, std::move(commit));
    repo_changed = true;
  }
  if (new_repo && !repo->info.refs.count(std::string(kMainRef))) return Status::OK();
  if (repo_changed || new_repo) {
    std::lock_guard<std::mutex> lock(repo->mu);
    RETURN_IF_ERROR(SaveRepo(*repo));
  }
  if (new_index != index) {
    RETURN_IF_ERROR(
        WriteJsonFile(index_path, FolderIndexToJson(new_index), io::WriteMode::kOverwrite));
  }
  if (new_repo) {
    std::lock_guard<std::mutex> lock(mu_);
    repos_.emplace(repo_id, repo);
  }
  return Status::OK();
}

std::shared_ptr<HubStore::Repo> HubStore::FindRepo(const std::string& repo_id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = repos_.find(repo_id);
    if (it != repos_.end()) return it->second;
  }
  if (!IsValidRepoId(repo_id)) return nullptr;
  std::error_code ec;
  if (!fs::is_directory(fs::path(root_) / "datasets" / RepoDirName(repo_id), ec)) return nullptr;
  if (!SyncFolder(repo_id).ok()) return nullptr;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = repos_.find(repo_id);
  return it == repos_.end() ? nullptr : it->second;
}

std::optional<RepoInfo> HubStore::GetRepo(const std::string& repo_id) {
  auto repo = FindRepo(repo_id);
  if (!repo) return std::nullopt;
  std::lock_guard<std::mutex> lock(repo->mu);
  return repo->info;
}

std::vector<std::string> HubStore::ListRepos() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> ids;
  for (const auto& [id, repo] : repos_) ids.push_back(id);
  return ids;
}

Status HubStore::SaveRepo(const Repo& repo) {
  return WriteJsonFile((fs::path(RepoDir(repo.info.id)) / "repo.json").string(),
                       RepoInfoToJson(repo.info), io::WriteMode::kOverwrite);
}

Status HubStore::WriteCommit(const std::string& repo_id, const Commit& commit) {
  std::string path = (fs::path(RepoDir(repo_id)) / "commits" / (commit.id + ".json")).string();
  Status st = WriteJsonFile(path, CommitToJson(commit), io::WriteMode::kNoReplace);
  if (st.code() == ErrorCode::kAlreadyExists) return Status::OK();  // same id, same content
  return st;
}

CommitPtr HubStore::CacheCommit(const std::string& repo_id, Commit commit) {
  auto ptr = std::make_shared<const Commit>(std::move(commit));
  std::lock_guard<std::mutex> lock(cache_mu_);
  if (commits_.size() >= kMaxCachedCommits) commits_.clear();  // reloaded from disk on demand
  commits_[repo_id + "@" + ptr->id] = ptr;
  return ptr;
}

namespace {

// Resolves `revision` against the refs of `repo` and its known commit ids.
std::optional<std::string> ResolveIn(const RepoInfo& repo, const std::set<std::string>& ids,
                                     std::string_view revision) {
  std::string rev(revision);
  if (rev == "~parquet") rev = "refs/convert/parquet";
  auto ref = [&](const std::string& name) -> std::optional<std::string> {
    auto it = repo.refs.find(name);
    if (it == repo.refs.end()) return std::nullopt;
    return it->second;
  };
  if (StartsWith(rev, "refs/")) {
    if (auto r = ref(rev)) return r;
  } else if (!rev.empty()) {
    if (auto r = ref("refs/heads/" + rev)) return r;
    if (auto r = ref("refs/tags/" + rev)) return r;
  }
  if (rev.size() >= 4 && rev.size() <= 40 && IsHex(rev)) {
    std::string lower = Lower(rev);
    auto it = ids.lower_bound(lower);
    if (it != ids.end() && StartsWith(*it, lower)) {
      auto next = std::next(it);
      if (lower.size() == 40 || next == ids.end() || !StartsWith(*next, lower)) return *it;
    }
  }
  return std::nullopt;
}

}  // namespace

Result<std::string> HubStore::ResolveRevision(const RepoInfo& repo, std::string_view revision) {
  std::optional<std::string> resolved;
  if (auto r = FindRepo(repo.id)) {
    std::lock_guard<std::mutex> lock(r->mu);
    resolved = ResolveIn(repo, r->commit_ids, revision);
  }
  if (!resolved) return NotFound("Invalid rev id: {}", revision);
  return *resolved;
}

Result<CommitPtr> HubStore::GetCommit(const std::string& repo_id, const std::string& commit_id) {
  std::string key = repo_id + "@" + commit_id;
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = commits_.find(key);
    if (it != commits_.end()) return it->second;
  }
  if (!IsHex(commit_id, 40)) return NotFound("no commit {}", commit_id);
  std::string path = (fs::path(RepoDir(repo_id)) / "commits" / (commit_id + ".json")).string();
  std::error_code ec;
  if (!fs::exists(path, ec)) return NotFound("no commit {} in {}", commit_id, repo_id);
  ASSIGN_OR_RETURN(Json j, ReadJsonFile(path));
  ASSIGN_OR_RETURN(Commit commit, CommitFromJson(j, path));
  return CacheCommit(repo_id, std::move(commit));
}

Result<TreeIndexPtr> HubStore::GetTreeIndex(const std::string& repo_id, const CommitPtr& commit) {
  std::string key = repo_id + "@" + commit->id;
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = trees_.find(key);
    if (it != trees_.end()) return it->second;
  }
  TreeIndexPtr index = BuildTreeIndex(commit->files);
  std::lock_guard<std::mutex> lock(cache_mu_);
  if (trees_.size() >= kMaxCachedTrees) trees_.clear();  // rebuilt on demand
  trees_[key] = index;
  return index;
}

Result<CommitPtr> HubStore::LastCommitTouching(const std::string& repo_id, CommitPtr commit,
                                               const std::string& path) {
  auto identity = [&](const CommitPtr& c) -> Result<std::string> {
    auto f = c->files.find(path);
    if (f != c->files.end()) return "f" + f->second.oid;
    ASSIGN_OR_RETURN(TreeIndexPtr tree, GetTreeIndex(repo_id, c));
    auto d = tree->dir_oids.find(path);
    if (d != tree->dir_oids.end()) return "d" + d->second;
    return std::string();
  };
  ASSIGN_OR_RETURN(std::string id, identity(commit));
  for (int i = 0; i < 1000 && !commit->parents.empty(); ++i) {
    auto parent = GetCommit(repo_id, commit->parents.front());
    if (!parent.ok()) break;
    ASSIGN_OR_RETURN(std::string pid, identity(*parent));
    if (pid != id) break;
    commit = *parent;
  }
  return commit;
}

std::optional<std::string> HubStore::BlobPath(std::string_view sha256) const {
  if (!IsHex(sha256, 64)) return std::nullopt;
  std::string sha = Lower(sha256);
  fs::path p = fs::path(StateDir()) / "blobs" / sha.substr(0, 2) / sha;
  std::error_code ec;
  if (!fs::is_regular_file(p, ec)) return std::nullopt;
  return p.string();
}

std::optional<uint64_t> HubStore::BlobSize(std::string_view sha256) const {
  auto path = BlobPath(sha256);
  if (!path) return std::nullopt;
  std::error_code ec;
  uint64_t size = fs::file_size(*path, ec);
  if (ec) return std::nullopt;
  return size;
}

Result<std::unique_ptr<BlobWriter>> HubStore::NewBlobWriter() {
  auto impl = std::make_unique<BlobWriter::Impl>();
  impl->blobs_dir = (fs::path(StateDir()) / "blobs").string();
  impl->temp_path = (fs::path(StateDir()) / "tmp" / (RandomUuid() + ".blob")).string();
  impl->fd = ::open(impl->temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (impl->fd < 0) {
    return IOError("cannot create {}: {}", impl->temp_path, std::strerror(errno));
  }
  return std::unique_ptr<BlobWriter>(new BlobWriter(std::move(impl)));
}

Result<std::string> HubStore::PutBlob(std::string_view content) {
  ASSIGN_OR_RETURN(auto writer, NewBlobWriter());
  RETURN_IF_ERROR(writer->Append(content));
  return writer->Finish();
}

std::string HubStore::UploadDir(std::string_view sha256) const {
  return (fs::path(StateDir()) / "tmp" / ("upload-" + Lower(sha256))).string();
}

Result<RepoInfo> HubStore::CreateRepo(const std::string& repo_id, bool is_private,
                                      const std::string& author, StoreError* why) {
  *why = StoreError::kBadRequest;
  if (!IsValidRepoId(repo_id)) return InvalidArgument("invalid repo id '{}'", repo_id);
  if (FindRepo(repo_id)) {
    *why = StoreError::kConflict;
    return AlreadyExists("You already created this dataset repo");
  }
  *why = StoreError::kInternal;
  ASSIGN_OR_RETURN(std::string sha, PutBlob(kDefaultGitattributes));
  Commit commit;
  commit.files[".gitattributes"] =
      MakeFileEntry(kDefaultGitattributes.size(), sha, GitBlobOid(kDefaultGitattributes), false);
  commit.title = "initial commit";
  commit.author = author;
  commit.date_ms = NowMillis();
  TreeIndexPtr tree = BuildTreeIndex(commit.files);
  commit.id = Sha1Hex("tree " + tree->dir_oids.at("") + "\nauthor " + author + " " +
                      std::to_string(commit.date_ms) + "\nnonce " + RandomUuid() + "\n");
  auto repo = std::make_shared<Repo>();
  repo->info.id = repo_id;
  repo->info.is_private = is_private;
  repo->info.created_ms = commit.date_ms;
  repo->info.refs[std::string(kMainRef)] = commit.id;
  repo->commit_ids.insert(commit.id);
  std::lock_guard<std::mutex> lock(mu_);
  if (repos_.count(repo_id)) {
    *why = StoreError::kConflict;
    return AlreadyExists("You already created this dataset repo");
  }
  RETURN_IF_ERROR(WriteCommit(repo_id, commit));
  RETURN_IF_ERROR(SaveRepo(*repo));
  CacheCommit(repo_id, std::move(commit));
  repos_[repo_id] = repo;
  *why = StoreError::kNone;
  return repo->info;
}

Status HubStore::DeleteRepo(const std::string& repo_id, StoreError* why) {
  std::error_code ec;
  fs::path folder = fs::path(root_) / "datasets" / RepoDirName(repo_id);
  if (IsValidRepoId(repo_id) && fs::is_directory(folder, ec)) {
    // Its folder would bring it back on the next request.
    *why = StoreError::kBadRequest;
    return InvalidArgument("{} is served from the folder {}: delete the folder instead", repo_id,
                           folder.string());
  }
  std::shared_ptr<Repo> repo;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = repos_.find(repo_id);
    if (it == repos_.end()) {
      *why = StoreError::kRepoNotFound;
      return NotFound("Repository not found");
    }
    repo = it->second;
    repos_.erase(it);
  }
  std::lock_guard<std::mutex> lock(repo->mu);
  fs::remove_all(RepoDir(repo_id), ec);
  if (ec) {
    *why = StoreError::kInternal;
    return FsError("cannot delete", RepoDir(repo_id), ec);
  }
  *why = StoreError::kNone;
  return Status::OK();
}

Result<CommitOutcome> HubStore::ApplyCommit(const std::string& repo_id,
                                            const CommitRequest& request, StoreError* why) {
  auto repo = FindRepo(repo_id);
  if (!repo) {
    *why = StoreError::kRepoNotFound;
    return NotFound("Repository not found");
  }
  std::lock_guard<std::mutex> lock(repo->mu);
  RepoInfo& info = repo->info;
  std::string target_ref;
  std::string base;
  if (request.create_pr) {
    auto resolved = ResolveIn(info, repo->commit_ids, request.revision);
    if (!resolved) {
      *why = StoreError::kRevisionNotFound;
      return NotFound("Invalid rev id: {}", request.revision);
    }
    base = *resolved;
    target_ref = "refs/pr/" + std::to_string(info.next_pr);
  } else {
    if (StartsWith(request.revision, "refs/")) {
      target_ref = request.revision;
    } else {
      target_ref = "refs/heads/" + request.revision;
    }
    auto it = info.refs.find(target_ref);
    if (it == info.refs.end() || StartsWith(target_ref, "refs/tags/")) {
      bool is_sha = IsHex(request.revision) && request.revision.size() >= 4;
      *why = is_sha ? StoreError::kBadRequest : StoreError::kRevisionNotFound;
      return is_sha ? InvalidArgument("Invalid rev id: can only commit to a branch, not {}",
                                      request.revision)
                    : NotFound("Invalid rev id: {}", request.revision);
    }
    base = it->second;
  }
  if (!request.parent_commit.empty()) {
    std::string parent = Lower(request.parent_commit);
    if (request.create_pr) {
      auto resolved = ResolveIn(info, repo->commit_ids, parent);
      if (!resolved) {
        *why = StoreError::kParentMismatch;
        return Conflict("parent commit {} does not exist", request.parent_commit);
      }
      base = *resolved;
    } else if (!StartsWith(base, parent)) {
      *why = StoreError::kParentMismatch;
      return Conflict(
          "A commit has happened since. Please refresh and try again. (parent commit {} is not "
          "the head {} of {})",
          request.parent_commit, base, request.revision);
    }
  }
  ASSIGN_OR_RETURN(CommitPtr head, GetCommit(repo_id, base));
  Commit commit;
  commit.files = head->files;
  for (const auto& op : request.operations) {
    switch (op.kind) {
      case CommitOperation::Kind::kAdd:
        commit.files[op.path] = op.entry;
        break;
      case CommitOperation::Kind::kDeleteFile:
        if (commit.files.erase(op.path) == 0) {
          *why = StoreError::kEntryNotFound;
          return NotFound("A file with this name doesn't exist: {}", op.path);
        }
        break;
      case CommitOperation::Kind::kDeleteFolder: {
        std::string prefix = op.path;
        while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
        size_t removed = 0;
        if (prefix.empty()) {
          removed = commit.files.size();
          commit.files.clear();
        } else {
          prefix += "/";
          auto it = commit.files.lower_bound(prefix);
          while (it != commit.files.end() && StartsWith(it->first, prefix)) {
            it = commit.files.erase(it);
            ++removed;
          }
        }
        if (removed == 0) {
          *why = StoreError::kEntryNotFound;
          return NotFound("A folder with this name doesn't exist: {}", op.path);
        }
        break;
      }
    }
  }
  if (auto clash = FindFileFolderClash(commit.files)) {
    *why = StoreError::kBadRequest;
    return InvalidArgument("'{}' cannot be both a file and a folder", *clash);
  }
  commit.parents = {head->id};
  commit.title = request.title;
  commit.message = request.message;
  commit.author = request.author;
  commit.date_ms = NowMillis();
  TreeIndexPtr tree = BuildTreeIndex(commit.files);
  commit.id = Sha1Hex("tree " + tree->dir_oids.at("") + "\nparent " + head->id + "\nauthor " +
                      request.author + " " + std::to_string(commit.date_ms) + "\nnonce " +
                      RandomUuid() + "\n\n" + request.title + "\n\n" + request.message);
  *why = StoreError::kInternal;
  RETURN_IF_ERROR(WriteCommit(repo_id, commit));
  RepoInfo updated = info;
  updated.refs[target_ref] = commit.id;
  CommitOutcome outcome{commit.id, 0};
  if (request.create_pr) outcome.pr_number = updated.next_pr++;
  std::swap(info, updated);
  Status st = SaveRepo(*repo);
  if (!st.ok()) {
    std::swap(info, updated);
    return st;
  }
  repo->commit_ids.insert(commit.id);
  {
    std::lock_guard<std::mutex> cache_lock(cache_mu_);
    trees_[repo_id + "@" + commit.id] = tree;
  }
  CacheCommit(repo_id, std::move(commit));
  *why = StoreError::kNone;
  return outcome;
}

Status HubStore::CreateRef(const std::string& repo_id, const std::string& ref,
                           const std::string& commit_id, StoreError* why) {
  auto repo = FindRepo(repo_id);
  if (!repo) {
    *why = StoreError::kRepoNotFound;
    return NotFound("Repository not found");
  }
  std::lock_guard<std::mutex> lock(repo->mu);
  if (repo->info.refs.count(ref)) {
    *why = StoreError::kConflict;
    return AlreadyExists("Reference already exists: {}", ref);
  }
  if (!repo->commit_ids.count(commit_id)) {
    *why = StoreError::kRevisionNotFound;
    return NotFound("Invalid rev id: {}", commit_id);
  }
  repo->info.refs[ref] = commit_id;
  Status st = SaveRepo(*repo);
  if (!st.ok()) {
    repo->info.refs.erase(ref);
    *why = StoreError::kInternal;
    return st;
  }
  *why = StoreError::kNone;
  return Status::OK();
}

Status HubStore::DeleteRef(const std::string& repo_id, const std::string& ref, StoreError* why) {
  auto repo = FindRepo(repo_id);
  if (!repo) {
    *why = StoreError::kRepoNotFound;
    return NotFound("Repository not found");
  }
  std::lock_guard<std::mutex> lock(repo->mu);
  if (ref == kMainRef) {
    *why = StoreError::kBadRequest;
    return InvalidArgument("the main branch cannot be deleted");
  }
  auto it = repo->info.refs.find(ref);
  if (it == repo->info.refs.end()) {
    *why = StoreError::kRevisionNotFound;
    return NotFound("Invalid rev id: {}", ref);
  }
  std::string old = it->second;
  repo->info.refs.erase(it);
  Status st = SaveRepo(*repo);
  if (!st.ok()) {
    repo->info.refs[ref] = old;
    *why = StoreError::kInternal;
    return st;
  }
  *why = StoreError::kNone;
  return Status::OK();
}

Status HubStore::UpdateSettings(const std::string& repo_id, std::optional<bool> is_private,
                                std::optional<std::string> gated, StoreError* why) {
  auto repo = FindRepo(repo_id);
  if (!repo) {
    *why = StoreError::kRepoNotFound;
    return NotFound("Repository not found");
  }
  std::lock_guard<std::mutex> lock(repo->mu);
  RepoInfo old = repo->info;
  if (is_private) repo->info.is_private = *is_private;
  if (gated) repo->info.gated = *gated;
  Status st = SaveRepo(*repo);
  if (!st.ok()) {
    repo->info = old;
    *why = StoreError::kInternal;
    return st;
  }
  *why = StoreError::kNone;
  return Status::OK();
}

}  // namespace faceberg::hub::internal
