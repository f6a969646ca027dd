#include "catalog/file_table_operations.h"

#include <set>

#include "util/failpoint.h"
#include "util/strings.h"
#include "util/time.h"

namespace faceberg::catalog {

namespace {
constexpr const char* kVersionHint = "version-hint.text";

// "v12.metadata.json" -> 12; nullopt for other names.
std::optional<int64_t> VersionOfFileName(const std::string& name) {
  if (!StartsWith(name, "v") || !EndsWith(name, ".metadata.json")) return std::nullopt;
  auto v = ParseInt64(std::string_view(name).substr(1, name.size() - 1 - 14));
  if (!v || *v < 1) return std::nullopt;
  return v;
}
}  // namespace

Result<bool> HoldsTableMetadata(io::FileIO& io, const std::string& location) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, io.ListDir(io::JoinPath(location, "metadata")));
  for (const std::string& name : names) {
    if (name == kVersionHint || EndsWith(name, ".metadata.json") ||
        EndsWith(name, ".metadata.json.gz")) {
      return true;
    }
  }
  return false;
}

std::string FileTableOperations::MetadataFile(int64_t version) const {
  return io::JoinPath(location_, fmt::format("metadata/v{}.metadata.json", version));
}

Result<int64_t> FileTableOperations::FindLatestVersion() {
  const std::string metadata_dir = io::JoinPath(location_, "metadata");
  int64_t version = 0;
  auto hint = io_.NewInputFile(io::JoinPath(metadata_dir, kVersionHint));
  if (hint.ok()) {
    auto text = (*hint)->ReadAll(64);
    if (text.ok()) version = ParseInt64(Trim(*text)).value_or(0);
  }
  if (version <= 0 || !*io_.Exists(MetadataFile(version))) {
    // The hint is missing, unreadable or ahead of the files: list the folder instead.
    version = 0;
    ASSIGN_OR_RETURN(auto names, io_.ListDir(metadata_dir));
    for (const auto& name : names) {
      if (auto v = VersionOfFileName(name)) version = std::max(version, *v);
    }
  }
  if (version == 0)
    return NotFound("no Iceberg table at {} (no metadata/v*.metadata.json)", location_);
  // The hint may lag behind a commit whose hint update did not happen: probe forward.
  while (true) {
    ASSIGN_OR_RETURN(bool next_exists, io_.Exists(MetadataFile(version + 1)));
    if (!next_exists) break;
    ++version;
  }
  return version;
}

Result<iceberg::TableMetadataPtr> FileTableOperations::Refresh() {
  ASSIGN_OR_RETURN(int64_t version, FindLatestVersion());
  if (version == current_version_ && current_) return current_;
  std::string location = MetadataFile(version);
  ASSIGN_OR_RETURN(current_, ReadMetadataFile(io_, location));
  current_version_ = version;
  current_location_ = location;
  return current_;
}

Status FileTableOperations::Commit(const iceberg::TableMetadata* base,
                                   const iceberg::TableMetadata& updated) {
  if (base && base != current_.get()) {
    return Conflict("the table at {} changed since it was loaded; reload and retry", location_);
  }
  const int64_t next = base ? current_version_ + 1 : 1;
  iceberg::TableMetadata to_write = updated;
  to_write.last_updated_ms = std::max(NowMillis(), base ? base->last_updated_ms : 0);
  if (base) {
    to_write.metadata_log.push_back({base->last_updated_ms, current_location_});
    int64_t keep =
        ParseInt64(to_write.Property("write.metadata.previous-versions-max", "100")).value_or(100);
    if (keep >= 0 && static_cast<int64_t>(to_write.metadata_log.size()) > keep) {
      to_write.metadata_log.erase(to_write.metadata_log.begin(),
                                  to_write.metadata_log.end() - keep);
    }
  }
  RETURN_IF_ERROR(to_write.Validate());
  const std::string target = MetadataFile(next);
  Status st =
      io_.WriteFile(target, iceberg::TableMetadataToJson(to_write), io::WriteMode::kNoReplace);
  if (st.code() == ErrorCode::kAlreadyExists) {
    if (!base) return AlreadyExists("a table already exists at {}", location_);
    return Conflict("another writer committed version {} of {} first", next, location_);
  }
  RETURN_IF_ERROR(st);
  FailPoint("after-metadata-file");
  // The commit is durable now; the hint is an optimization that readers verify by probing.
  (void)io_.WriteFile(io::JoinPath(location_, std::string("metadata/") + kVersionHint),
                      std::to_string(next), io::WriteMode::kOverwrite);
  if (base && ToLower(Trim(to_write.Property("write.metadata.delete-after-commit.enabled",
                                             "false"))) == "true") {
    // Metadata files that fell off the metadata log are deleted (best effort), as Java does.
    std::set<std::string> logged;
    for (const auto& e : to_write.metadata_log) logged.insert(e.metadata_file);
    std::vector<std::string> previous = {current_location_};
    for (const auto& e : base->metadata_log) previous.push_back(e.metadata_file);
    for (const auto& file : previous) {
      if (!logged.count(file)) (void)io_.DeleteFile(file);
    }
  }
  current_version_ = next;
  current_location_ = target;
  current_ = std::make_shared<const iceberg::TableMetadata>(std::move(to_write));
  return Status::OK();
}

}  // namespace faceberg::catalog
