#include "engine/staging.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>

#include "util/parallel.h"
#include "util/strings.h"
#include "util/uuid.h"

namespace faceberg::engine {

namespace {

constexpr std::string_view kHfPrefix = "hf://";
constexpr size_t kMaxBaseNameLength = 100;

std::string Sha256Hex(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), out, &length, EVP_sha256(), nullptr) != 1) return "";
  return HexEncode(std::string_view(reinterpret_cast<const char*>(out), length));
}

// The last path segment of `location` with characters other than [A-Za-z0-9._-] replaced, so the
// copy keeps a recognisable name in DuckDB's messages.
std::string SafeBaseName(std::string_view location) {
  size_t slash = location.rfind('/');
  std::string_view name = slash == std::string_view::npos ? location : location.substr(slash + 1);
  std::string out;
  for (char c : name.substr(0, kMaxBaseNameLength)) {
    bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '_' || c == '-';
    out.push_back(safe ? c : '_');
  }
  if (out.empty() || out[0] == '.') out.insert(out.begin(), '_');
  return out;
}

// The cache entry of `location`.
Result<std::string> EntryPath(const std::string& cache_dir, std::string_view location) {
  const std::string key = Sha256Hex(location);
  if (key.size() != 64) return Internal("cannot hash {} for its cache entry", location);
  const char* area = IsImmutableLocation(location) ? "data" : "volatile";
  return (std::filesystem::path(cache_dir) / area / key.substr(0, 2) / key.substr(2) /
          SafeBaseName(location))
      .string();
}

std::string ErrnoText() { return std::strerror(errno); }

// A temporary file that is removed unless Publish() renamed it into place.
class TempFile {
 public:
  static Result<std::unique_ptr<TempFile>> Create(const std::string& final_path) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(final_path).parent_path(), ec);
    if (ec) {
      return IOError("cannot create the cache folder of {}: {}", final_path, ec.message());
    }
    std::string path = final_path + ".tmp-" + RandomUuid();
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return IOError("cannot create {}: {}", path, ErrnoText());
    return std::make_unique<TempFile>(std::move(path), fd, final_path);
  }
  /// Owns `fd`, an open descriptor of `path`; use Create.
  TempFile(std::string path, int fd, std::string final_path)
      : path_(std::move(path)), fd_(fd), final_path_(std::move(final_path)) {}
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!published_) ::unlink(path_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  /// Writes `data` at `offset`. Safe to call from several threads for disjoint ranges.
  Status WriteAt(uint64_t offset, std::string_view data) {
    size_t written = 0;
    while (written < data.size()) {
      ssize_t n = ::pwrite(fd_, data.data() + written, data.size() - written,
                           static_cast<off_t>(offset + written));
      if (n < 0) {
        if (errno == EINTR) continue;
        return IOError("cannot write {}: {}", path_, ErrnoText());
      }
      written += static_cast<size_t>(n);
    }
    return Status::OK();
  }

  /// Syncs the bytes, closes the file and renames it to the entry path.
  Status Publish() {
    if (::fsync(fd_) != 0) return IOError("cannot sync {}: {}", path_, ErrnoText());
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return IOError("cannot close {}: {}", path_, ErrnoText());
    if (::rename(path_.c_str(), final_path_.c_str()) != 0) {
      return IOError("cannot move {} to {}: {}", path_, final_path_, ErrnoText());
    }
    published_ = true;
    return Status::OK();
  }

 private:
  const std::string path_;
  int fd_;
  const std::string final_path_;
  bool published_ = false;
};

// One file to download.
struct Download {
  std::string location;
  std::string entry;
  uint64_t expected_size = 0;  // 0 = unknown
  std::unique_ptr<io::InputFile> input;
  std::unique_ptr<TempFile> temp;
  uint64_t size = 0;
  uint64_t first_chunk = 0;  // bytes written by the first phase
};

// Opens the remote file, reads its first chunk (which teaches remote files their size), checks
// the size and starts the temporary copy.
Status StartDownload(io::FileIO& io, uint64_t chunk_size, Download* d) {
  auto context = [&](const Status& st) { return st.WithContext("staging " + d->location); };
  auto input = io.NewInputFile(d->location);
  if (!input.ok()) return context(input.status());
  d->input = std::move(*input);
  std::string first;
  if (d->expected_size > 0) {
    auto read = d->input->ReadAt(0, std::min(chunk_size, d->expected_size));
    if (!read.ok()) return context(read.status());
    first = std::move(*read);
  }
  auto size = d->input->Size();
  if (!size.ok()) return context(size.status());
  d->size = *size;
  if (d->expected_size > 0 && d->size != d->expected_size) {
    return Corrupt(
        "{} has {} bytes but the table's metadata says {}: the file changed after it was added; "
        "the table needs a new snapshot (faceberg sync)",
        d->location, d->size, d->expected_size);
  }
  if (d->expected_size == 0 && d->size > 0) {
    auto read = d->input->ReadAt(0, std::min(chunk_size, d->size));
    if (!read.ok()) return context(read.status());
    first = std::move(*read);
  }
  if (first.size() != std::min(chunk_size, d->size)) {
    return Corrupt("{}: read {} bytes at offset 0 where {} were expected", d->location,
                   first.size(), std::min(chunk_size, d->size));
  }
  ASSIGN_OR_RETURN(d->temp, TempFile::Create(d->entry));
  RETURN_IF_ERROR(d->temp->WriteAt(0, first));
  d->first_chunk = first.size();
  return Status::OK();
}

// True when the immutable cache entry exists with the expected size.
bool UsableEntry(const std::string& entry, uint64_t expected_size) {
  struct stat st;
  if (::stat(entry.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  return expected_size == 0 || static_cast<uint64_t>(st.st_size) == expected_size;
}

}  // namespace

std::optional<std::string> ProcessEnvironmentVariable(std::string_view name) {
  const char* value = std::getenv(std::string(name).c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

Result<std::string> DefaultCacheDirectory(const EnvironmentLookup& env) {
  auto get = [&](std::string_view name) -> std::optional<std::string> {
    auto value = env(name);
    if (!value || value->empty()) return std::nullopt;
    return value;
  };
  if (auto dir = get("FACEBERG_CACHE_DIR")) return *dir;
  if (auto xdg = get("XDG_CACHE_HOME"); xdg && StartsWith(*xdg, "/")) {
    return (std::filesystem::path(*xdg) / "faceberg").string();
  }
  if (auto home = get("HOME")) {
    return (std::filesystem::path(*home) / ".cache" / "faceberg").string();
  }
  return InvalidArgument(
      "cannot choose a cache folder for remote data files (HOME is not set): set "
      "FACEBERG_CACHE_DIR");
}

bool NeedsStaging(std::string_view location) {
  size_t scheme_end = location.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return false;
  for (char c : location.substr(0, scheme_end)) {
    bool scheme_char = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '+' || c == '-' || c == '.';
    if (!scheme_char) return false;
  }
  return ToLower(location.substr(0, scheme_end)) != "file";
}

bool IsImmutableLocation(std::string_view location) {
  if (!StartsWith(location, kHfPrefix)) return false;
  // datasets / OWNER / NAME@REVISION / PATH
  std::vector<std::string> parts = Split(location.substr(kHfPrefix.size()), '/');
  if (parts.size() < 4 || parts[0] != "datasets" || parts[1].empty()) return false;
  size_t at = parts[2].find('@');
  if (at == std::string::npos || at == 0) return false;
  std::string_view revision = std::string_view(parts[2]).substr(at + 1);
  if (revision.size() != 40) return false;
  return std::all_of(revision.begin(), revision.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}

Result<StagedFiles> StageDataFiles(io::FileIO& io, const std::vector<iceberg::DataFile>& files,
                                   const StagingOptions& options) {
  PRECHECK(options.chunk_size > 0, "the staging chunk size must be positive");
  StagedFiles out;
  out.files = files;
  std::vector<size_t> remote;
  for (size_t i = 0; i < files.size(); ++i) {
    if (!NeedsStaging(files[i].file_path)) continue;
    ASSIGN_OR_RETURN(std::optional<std::string> local, io.LocalPathOf(files[i].file_path));
    if (local) {
      out.files[i].file_path = std::move(*local);
      ++out.local;
      continue;
    }
    remote.push_back(i);
  }
  if (remote.empty()) return out;
  std::string cache_dir = options.cache_dir;
  if (cache_dir.empty()) {
    ASSIGN_OR_RETURN(cache_dir, DefaultCacheDirectory());
  }

  // One download per distinct location; cached immutable entries are used as they are.
  std::vector<Download> downloads;
  std::map<std::string, std::string> entry_of;
  for (size_t i : remote) {
    const iceberg::DataFile& file = files[i];
    auto it = entry_of.find(file.file_path);
    const bool inserted = it == entry_of.end();
    if (inserted) {
      ASSIGN_OR_RETURN(std::string entry, EntryPath(cache_dir, file.file_path));
      it = entry_of.emplace(file.file_path, std::move(entry)).first;
    }
    out.files[i].file_path = it->second;
    ++out.staged;
    if (!inserted) continue;
    const uint64_t expected =
        file.file_size_in_bytes > 0 ? static_cast<uint64_t>(file.file_size_in_bytes) : 0;
    if (IsImmutableLocation(file.file_path) && UsableEntry(it->second, expected)) continue;
    Download d;
    d.location = file.file_path;
    d.entry = it->second;
    d.expected_size = expected;
    downloads.push_back(std::move(d));
  }
  if (downloads.empty()) return out;

  // First chunks (and sizes), then every other chunk, all with bounded parallelism.
  RETURN_IF_ERROR(ParallelFor(downloads.size(), options.max_parallel, [&](size_t i) {
    return StartDownload(io, options.chunk_size, &downloads[i]);
  }));
  struct Chunk {
    Download* download;
    uint64_t offset;
    uint64_t length;
  };
  std::vector<Chunk> chunks;
  for (auto& d : downloads) {
    for (uint64_t offset = d.first_chunk; offset < d.size; offset += options.chunk_size) {
      chunks.push_back({&d, offset, std::min(options.chunk_size, d.size - offset)});
    }
  }
  RETURN_IF_ERROR(ParallelFor(chunks.size(), options.max_parallel, [&](size_t i) -> Status {
    const Chunk& c = chunks[i];
    auto data = c.download->input->ReadAt(c.offset, c.length);
    if (!data.ok()) return data.status().WithContext("staging " + c.download->location);
    if (data->size() != c.length) {
      return Corrupt("{}: read {} bytes at offset {} where {} were expected", c.download->location,
                     data->size(), c.offset, c.length);
    }
    return c.download->temp->WriteAt(c.offset, *data);
  }));
  for (auto& d : downloads) {
    RETURN_IF_ERROR(d.temp->Publish());
    ++out.downloaded;
    out.bytes_downloaded += d.size;
  }
  return out;
}

Status CacheLocalCopy(std::string_view location, const std::string& local_path,
                      const StagingOptions& options) {
  PRECHECK(options.chunk_size > 0, "the staging chunk size must be positive");
  if (!IsImmutableLocation(location)) {
    return InvalidArgument("{} is not pinned to a commit sha; only immutable locations are cached",
                           location);
  }
  std::string cache_dir = options.cache_dir;
  if (cache_dir.empty()) {
    ASSIGN_OR_RETURN(cache_dir, DefaultCacheDirectory());
  }
  ASSIGN_OR_RETURN(std::string entry, EntryPath(cache_dir, location));
  io::LocalFileIO local_io;
  ASSIGN_OR_RETURN(std::unique_ptr<io::InputFile> input, local_io.NewInputFile(local_path));
  ASSIGN_OR_RETURN(uint64_t size, input->Size());
  if (UsableEntry(entry, size)) return Status::OK();
  ASSIGN_OR_RETURN(std::unique_ptr<TempFile> temp, TempFile::Create(entry));
  for (uint64_t offset = 0; offset < size; offset += options.chunk_size) {
    ASSIGN_OR_RETURN(std::string chunk,
                     input->ReadAt(offset, std::min(options.chunk_size, size - offset)));
    RETURN_IF_ERROR(temp->WriteAt(offset, chunk));
  }
  return temp->Publish();
}

}  // namespace faceberg::engine
