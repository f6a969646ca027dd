#include "catalog/purge.h"

#include <filesystem>
#include <optional>
#include <set>

#include "iceberg/manifest.h"
#include "util/strings.h"

namespace faceberg::catalog {

namespace {

// A location without its file:// scheme and trailing '/'.
std::string Normalize(const std::string& location) {
  std::string path = io::LocalPath(location);
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

bool IsRemote(const std::string& location) {
  return location.find("://") != std::string::npos && !StartsWith(location, "file://");
}

// Removes empty folders below `root` (deepest first), then `root` itself when empty.
void RemoveEmptyFolders(const std::filesystem::path& root) {
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec)) return;
  std::vector<std::filesystem::path> folders;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec)) folders.push_back(it->path());
  }
  for (auto f = folders.rbegin(); f != folders.rend(); ++f) {
    if (std::filesystem::is_empty(*f, ec)) std::filesystem::remove(*f, ec);
  }
  if (std::filesystem::is_empty(root, ec)) std::filesystem::remove(root, ec);
}

}  // namespace

Status PurgeTableFiles(io::FileIO& io, const iceberg::TableMetadata& metadata,
                       const std::string& metadata_location) {
  const std::string root = Normalize(metadata.location);
  auto under_root = [&](const std::string& location) {
    if (IsRemote(location) != IsRemote(metadata.location)) return false;
    std::string path = Normalize(location);
    return path.size() > root.size() && StartsWith(path, root) && path[root.size()] == '/';
  };
  std::set<std::string> files;
  for (const auto& snapshot : metadata.snapshots) {
    files.insert(snapshot.manifest_list);
    auto manifests = iceberg::ReadManifestList(io, snapshot.manifest_list);
    if (!manifests.ok()) continue;
    for (const auto& manifest : *manifests) {
      files.insert(manifest.manifest_path);
      auto entries = iceberg::ReadManifest(io, manifest, metadata);
      if (!entries.ok()) continue;
      for (const auto& entry : *entries) files.insert(entry.data_file.file_path);
    }
  }
  for (const auto* stats : {&metadata.statistics, &metadata.partition_statistics}) {
    if (!stats->is_array()) continue;
    for (const auto& s : *stats) {
      auto path = s.is_object() ? s.find("statistics-path") : s.end();
      if (path != s.end() && path->is_string()) files.insert(path->get<std::string>());
    }
  }
  for (const auto& entry : metadata.metadata_log) files.insert(entry.metadata_file);
  files.insert(metadata_location);

  for (const auto& file : files) {
    if (!under_root(file)) continue;
    Status st = io.DeleteFile(file);
    if (!st.ok() && st.code() != ErrorCode::kNotFound) return st;
  }
  // The folders are cleaned where the table is stored locally (a local path, or the mirror folder
  // of an hf:// catalog).
  ASSIGN_OR_RETURN(std::optional<std::string> local_root, io.LocalPathOf(metadata.location));
  if (!local_root) return Status::OK();
  // The metadata folder holds only what the table wrote: older versions beyond the metadata log,
  // the version hint, manifests of lost commit attempts.
  const std::string metadata_folder_location =
      metadata.Property("write.metadata.path", metadata.location + "/metadata");
  if (under_root(metadata_folder_location)) {
    ASSIGN_OR_RETURN(std::optional<std::string> metadata_folder,
                     io.LocalPathOf(metadata_folder_location));
    std::error_code ec;
    if (metadata_folder && std::filesystem::is_directory(*metadata_folder, ec)) {
      std::filesystem::remove_all(*metadata_folder, ec);
      if (ec) return IOError("cannot delete {}: {}", *metadata_folder, ec.message());
    }
  }
  RemoveEmptyFolders(Normalize(*local_root));
  return Status::OK();
}

}  // namespace faceberg::catalog
