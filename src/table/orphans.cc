#include "table/orphans.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <optional>
#include <set>

#include "table/reachable_files.h"
#include "util/failpoint.h"
#include "util/strings.h"
#include "util/time.h"

namespace faceberg::table {

namespace fs = std::filesystem;

namespace {

constexpr int kMaxOrphanAttempts = 3;

std::string Canonical(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::absolute(fs::path(path), ec);
  return p.lexically_normal().string();
}

// Adds the canonical local path of `location` (as `io` stores it) to `keep`; locations that are
// not stored locally cannot be under the table's folder and are skipped.
Status KeepLocal(const io::FileIO& io, const std::string& location, std::set<std::string>* keep) {
  ASSIGN_OR_RETURN(std::optional<std::string> local, io.LocalPathOf(location));
  if (local) keep->insert(Canonical(*local));
  return Status::OK();
}

// The version of a metadata file name: "v12.metadata.json" (file catalog) or
// "00012-<uuid>.metadata.json" (metastore style); nullopt for other names.
std::optional<int64_t> MetadataVersion(const std::string& name) {
  if (!EndsWith(name, ".metadata.json")) return std::nullopt;
  if (StartsWith(name, "v")) {
    return ParseInt64(std::string_view(name).substr(1, name.size() - 1 - 14));
  }
  size_t dash = name.find('-');
  if (dash == std::string::npos || dash == 0) return std::nullopt;
  return ParseInt64(std::string_view(name).substr(0, dash));
}

std::optional<int64_t> ModifiedMillis(const fs::path& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1'000'000;
}

// A folder below the root that holds another table (its own metadata/*.metadata.json).
bool IsOtherTable(const fs::path& dir) {
  std::error_code ec;
  fs::path metadata = dir / "metadata";
  if (!fs::is_directory(metadata, ec)) return false;
  for (fs::directory_iterator it(metadata, ec), end; !ec && it != end; it.increment(ec)) {
    if (EndsWith(it->path().filename().string(), ".metadata.json")) return true;
  }
  return false;
}

// Removes the folders of `files` that the deletion left empty, walking up to `root`.
void RemoveEmptiedFolders(const fs::path& root, const std::vector<std::string>& files) {
  std::error_code ec;
  std::set<fs::path, std::greater<>> folders;  // deepest (longest) first
  for (const auto& f : files) {
    for (fs::path p = fs::path(f).parent_path();
         p != root && p.string().size() > root.string().size(); p = p.parent_path()) {
      folders.insert(p);
    }
  }
  for (const auto& folder : folders) {
    if (fs::is_directory(folder, ec) && fs::is_empty(folder, ec)) fs::remove(folder, ec);
  }
}

}  // namespace

Result<OrphanResult> DeleteOrphanFiles(TableOperations& ops, const OrphanOptions& options) {
  const int64_t now = options.now_ms.value_or(NowMillis());
  const int64_t older_than = options.older_than_ms.value_or(now - kDefaultOrphanAgeMs);
  for (int attempt = 0; attempt < kMaxOrphanAttempts; ++attempt) {
    ASSIGN_OR_RETURN(iceberg::TableMetadataPtr md, ops.Refresh());
    const std::string metadata_location = ops.current_metadata_location();
    // The table's folder: a local path, or the mirror folder of an hf:// catalog.
    ASSIGN_OR_RETURN(std::optional<std::string> local_root, ops.io().LocalPathOf(md->location));
    if (!local_root) {
      return NotSupported("cannot look for orphan files at {}: only local tables can be listed",
                          md->location);
    }
    // Everything the metadata reaches.
    ReachabilityReader reader(ops.io(), /*include_deleted_entries=*/true);
    ASSIGN_OR_RETURN(ReachableFiles reachable, reader.Collect(*md, AllSnapshotIds(*md)));
    std::set<std::string> keep;
    for (const auto& f : reachable.All()) RETURN_IF_ERROR(KeepLocal(ops.io(), f, &keep));
    for (const auto& e : md->metadata_log) {
      RETURN_IF_ERROR(KeepLocal(ops.io(), e.metadata_file, &keep));
    }
    RETURN_IF_ERROR(KeepLocal(ops.io(), metadata_location, &keep));
    const std::optional<int64_t> current_version =
        MetadataVersion(fs::path(io::LocalPath(metadata_location)).filename().string());

    const fs::path root = Canonical(*local_root);
    std::error_code ec;
    if (!fs::is_directory(root, ec)) {
      return NotFound("the table location {} is not a folder", root.string());
    }
    OrphanResult result;
    result.dry_run = options.dry_run;
    for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_directory(ec)) {
        if (IsOtherTable(it->path())) it.disable_recursion_pending();
        continue;
      }
      if (!it->is_regular_file(ec)) continue;
      const fs::path& path = it->path();
      const std::string name = path.filename().string();
      if (keep.count(path.lexically_normal().string())) {
        ++result.referenced;
        continue;
      }
      if (name == "version-hint.text" && path.parent_path().filename() == "metadata") {
        ++result.referenced;
        continue;
      }
      if (auto version = MetadataVersion(name);
          version && current_version && *version > *current_version) {
        continue;  // a commit newer than the metadata loaded here
      }
      auto modified = ModifiedMillis(path);
      if (!modified || *modified >= older_than) {
        ++result.too_young;
        continue;
      }
      result.orphans.push_back(path.string());
    }
    if (ec) return IOError("cannot list {}: {}", root.string(), ec.message());
    // A commit that landed while listing may reference files listed as orphans: start over.
    ASSIGN_OR_RETURN(iceberg::TableMetadataPtr again, ops.Refresh());
    if (ops.current_metadata_location() != metadata_location) continue;
    std::sort(result.orphans.begin(), result.orphans.end());
    if (options.dry_run) return result;
    bool first = true;
    for (const auto& file : result.orphans) {
      Status st = ops.io().DeleteFile(file);
      if (!st.ok() && st.code() != ErrorCode::kNotFound)
        return st.WithContext("deleting an orphan");
      if (first) FailPoint("during-file-deletion");
      first = false;
    }
    RemoveEmptiedFolders(root, result.orphans);
    return result;
  }
  return Conflict("the table kept changing while looking for orphan files; try again");
}

}  // namespace faceberg::table
