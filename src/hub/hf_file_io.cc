#include "hub/hf_file_io.h"

#include <algorithm>
#include <mutex>
#include <unordered_map>

#include "util/strings.h"

namespace faceberg::hub {

namespace {

// The cache key of a file: repo, revision (default resolved) and path.
std::string KeyOf(std::string_view repo_id, std::string_view revision, std::string_view path) {
  return fmt::format("{}\n{}\n{}", repo_id, revision.empty() ? kDefaultRevision : revision, path);
}

std::string KeyOf(const HfUri& uri) { return KeyOf(uri.repo_id(), uri.revision, uri.path); }

}  // namespace

namespace internal {

// Sizes of files by cache key, shared by an HfFileIO and its input files.
class HfSizeCache {
 public:
  void Put(const std::string& key, uint64_t size) {
    std::lock_guard<std::mutex> lock(mutex_);
    sizes_[key] = size;
  }
  std::optional<uint64_t> Get(const std::string& key) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = sizes_.find(key);
    if (it == sizes_.end()) return std::nullopt;
    return it->second;
  }

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, uint64_t> sizes_;  // guarded by mutex_
};

}  // namespace internal

namespace {

class HfInputFile final : public io::InputFile {
 public:
  HfInputFile(std::string location, HfUri uri, std::shared_ptr<const HfApi> api,
              std::shared_ptr<internal::HfSizeCache> sizes)
      : location_(std::move(location)),
        uri_(std::move(uri)),
        key_(KeyOf(uri_)),
        api_(std::move(api)),
        sizes_(std::move(sizes)) {}

  const std::string& location() const override { return location_; }

  Result<uint64_t> Size() override {
    if (auto known = sizes_->Get(key_)) return *known;
    ASSIGN_OR_RETURN(FileMetadata metadata,
                     api_->GetFileMetadata(uri_.repo_id(), uri_.revision, uri_.path));
    if (!metadata.size) {
      return NetworkError(
          "the Hub did not tell the size of {} (no X-Linked-Size or "
          "Content-Length)",
          location_);
    }
    sizes_->Put(key_, *metadata.size);
    return *metadata.size;
  }

  Result<std::string> ReadAt(uint64_t offset, uint64_t length) override {
    if (length == 0) {
      if (auto known = sizes_->Get(key_); known && offset > *known) {
        return Corrupt("cannot read at offset {} of {}: the file has {} bytes", offset, location_,
                       *known);
      }
      return std::string();
    }
    ASSIGN_OR_RETURN(FileRead read, api_->ReadFile({uri_.repo_id(), uri_.revision, uri_.path,
                                                    ByteRange::Span(offset, length)}));
    if (read.file_size) sizes_->Put(key_, *read.file_size);
    return std::move(read.data);
  }

  Result<std::string> ReadTail(uint64_t length) override {
    if (length == 0) return std::string();
    ASSIGN_OR_RETURN(FileRead read, api_->ReadFile({uri_.repo_id(), uri_.revision, uri_.path,
                                                    ByteRange::Suffix(length)}));
    if (read.file_size) sizes_->Put(key_, *read.file_size);
    return std::move(read.data);
  }

 private:
  const std::string location_;
  const HfUri uri_;
  const std::string key_;
  const std::shared_ptr<const HfApi> api_;
  const std::shared_ptr<internal::HfSizeCache> sizes_;
};

Result<HfUri> ParseFileUri(std::string_view location) {
  ASSIGN_OR_RETURN(HfUri uri, ParseHfUri(location));
  if (uri.path.empty()) {
    return InvalidArgument("'{}' names a dataset, not a file in it", location);
  }
  return uri;
}

}  // namespace

HfFileIO::HfFileIO(std::shared_ptr<const HfApi> api)
    : api_(std::move(api)), sizes_(std::make_shared<internal::HfSizeCache>()) {}

HfFileIO::~HfFileIO() = default;

Result<std::unique_ptr<io::InputFile>> HfFileIO::NewInputFile(std::string_view location) {
  ASSIGN_OR_RETURN(HfUri uri, ParseFileUri(location));
  return std::unique_ptr<io::InputFile>(
      std::make_unique<HfInputFile>(std::string(location), std::move(uri), api_, sizes_));
}

Status HfFileIO::WriteFile(std::string_view location, std::string_view, io::WriteMode) {
  return NotSupported(
      "cannot write {}: hf:// locations are read-only here; changes reach the Hub as commits "
      "(faceberg push)",
      location);
}

Status HfFileIO::DeleteFile(std::string_view location) {
  return NotSupported(
      "cannot delete {}: hf:// locations are read-only here; changes reach the Hub as commits "
      "(faceberg push)",
      location);
}

Result<bool> HfFileIO::Exists(std::string_view location) {
  ASSIGN_OR_RETURN(HfUri uri, ParseHfUri(location));
  if (uri.path.empty()) {
    auto info = api_->GetDatasetInfo(uri.repo_id(), uri.revision);
    if (info.ok()) return true;
    if (info.status().code() == ErrorCode::kNotFound) return false;
    return info.status();
  }
  std::vector<std::string> paths = {uri.path};
  ASSIGN_OR_RETURN(auto entries, api_->GetPathsInfo(uri.repo_id(), uri.revision, paths));
  for (const RepoEntry& entry : entries) {
    if (entry.path != uri.path) continue;
    if (entry.is_file()) sizes_->Put(KeyOf(uri), entry.lfs ? entry.lfs->size : entry.size);
    return true;
  }
  return false;
}

Result<std::vector<std::string>> HfFileIO::ListDir(std::string_view location) {
  ASSIGN_OR_RETURN(HfUri uri, ParseHfUri(location));
  auto listed = api_->ListTree(uri.repo_id(), uri.revision, uri.path, /*recursive=*/false);
  if (!listed.ok()) {
    // A missing folder (not a missing dataset or revision) lists as empty.
    if (listed.status().code() == ErrorCode::kNotFound && !uri.path.empty() &&
        StartsWith(listed.status().message(), "'" + uri.path + "' does not exist")) {
      return std::vector<std::string>();
    }
    return listed.status();
  }
  SeedSizes(uri.repo_id(), uri.revision, *listed);
  std::vector<std::string> names;
  for (const RepoEntry& entry : *listed) {
    std::string_view name = entry.path;
    size_t slash = name.rfind('/');
    if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
    names.emplace_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

Status HfFileIO::SeedSize(std::string_view location, uint64_t size) {
  ASSIGN_OR_RETURN(HfUri uri, ParseFileUri(location));
  sizes_->Put(KeyOf(uri), size);
  return Status::OK();
}

void HfFileIO::SeedSizes(std::string_view repo_id, std::string_view revision,
                         std::span<const RepoEntry> entries) {
  for (const RepoEntry& entry : entries) {
    if (!entry.is_file()) continue;
    sizes_->Put(KeyOf(repo_id, revision, entry.path), entry.lfs ? entry.lfs->size : entry.size);
  }
}

std::optional<uint64_t> HfFileIO::CachedSize(std::string_view location) const {
  auto uri = ParseFileUri(location);
  if (!uri.ok()) return std::nullopt;
  return sizes_->Get(KeyOf(*uri));
}

std::vector<Result<std::string>> HfFileIO::ReadTails(std::span<const std::string> locations,
                                                     uint64_t length) {
  std::vector<Result<std::string>> out(locations.size(), Internal("not read"));
  std::vector<FileReadRequest> requests;
  std::vector<std::pair<size_t, std::string>> slots;  // index, cache key
  for (size_t i = 0; i < locations.size(); ++i) {
    auto uri = ParseFileUri(locations[i]);
    if (!uri.ok()) {
      out[i] = uri.status();
      continue;
    }
    slots.emplace_back(i, KeyOf(*uri));
    requests.push_back({uri->repo_id(), uri->revision, uri->path, ByteRange::Suffix(length)});
  }
  auto reads = api_->ReadFiles(requests);
  for (size_t k = 0; k < slots.size(); ++k) {
    auto& [index, key] = slots[k];
    if (!reads[k].ok()) {
      out[index] = reads[k].status();
      continue;
    }
    FileRead& read = *reads[k];
    if (read.file_size) sizes_->Put(key, *read.file_size);
    out[index] = std::move(read.data);
  }
  return out;
}

}  // namespace faceberg::hub
