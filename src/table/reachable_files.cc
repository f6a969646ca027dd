#include "table/reachable_files.h"

#include "iceberg/manifest.h"
#include "util/strings.h"

namespace faceberg::table {

namespace {

bool IsRemote(const std::string& location) {
  return location.find("://") != std::string::npos && !StartsWith(location, "file://");
}

std::string Normalize(const std::string& location) {
  std::string path = IsRemote(location) ? location : io::LocalPath(location);
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

void Subtract(const std::set<std::string>& a, const std::set<std::string>& b,
              std::set<std::string>* out) {
  for (const auto& x : a) {
    if (!b.count(x)) out->insert(x);
  }
}

}  // namespace

std::set<std::string> ReachableFiles::All() const {
  std::set<std::string> all;
  for (const auto* set : {&manifest_lists, &manifests, &data_files, &statistics_files}) {
    all.insert(set->begin(), set->end());
  }
  return all;
}

ReachableFiles ReachableFiles::Minus(const ReachableFiles& other) const {
  ReachableFiles out;
  Subtract(manifest_lists, other.manifest_lists, &out.manifest_lists);
  Subtract(manifests, other.manifests, &out.manifests);
  Subtract(data_files, other.data_files, &out.data_files);
  Subtract(statistics_files, other.statistics_files, &out.statistics_files);
  return out;
}

Result<ReachableFiles> ReachabilityReader::Collect(const iceberg::TableMetadata& metadata,
                                                   const std::set<int64_t>& snapshot_ids) {
  ReachableFiles out;
  for (const auto& snapshot : metadata.snapshots) {
    if (!snapshot_ids.count(snapshot.snapshot_id)) continue;
    out.manifest_lists.insert(snapshot.manifest_list);
    auto listed = manifests_of_list_.find(snapshot.manifest_list);
    if (listed == manifests_of_list_.end()) {
      ASSIGN_OR_RETURN(auto manifests, iceberg::ReadManifestList(io_, snapshot.manifest_list));
      std::vector<std::string> paths;
      for (const auto& m : manifests) {
        paths.push_back(m.manifest_path);
        if (data_files_of_manifest_.count(m.manifest_path)) continue;
        ASSIGN_OR_RETURN(auto entries, iceberg::ReadManifest(io_, m, metadata));
        std::vector<std::string> files;
        for (const auto& e : entries) {
          if (e.status == iceberg::EntryStatus::kDeleted && !include_deleted_entries_) continue;
          files.push_back(e.data_file.file_path);
        }
        data_files_of_manifest_.emplace(m.manifest_path, std::move(files));
      }
      listed = manifests_of_list_.emplace(snapshot.manifest_list, std::move(paths)).first;
    }
    for (const auto& manifest : listed->second) {
      out.manifests.insert(manifest);
      const auto& files = data_files_of_manifest_[manifest];
      out.data_files.insert(files.begin(), files.end());
    }
  }
  for (const auto& stats : StatisticsFiles(metadata)) {
    if (snapshot_ids.count(stats.snapshot_id)) out.statistics_files.insert(stats.path);
  }
  return out;
}

std::vector<StatisticsFileRef> StatisticsFiles(const iceberg::TableMetadata& metadata) {
  std::vector<StatisticsFileRef> out;
  for (const auto* stats : {&metadata.statistics, &metadata.partition_statistics}) {
    if (!stats->is_array()) continue;
    for (const auto& s : *stats) {
      if (!s.is_object()) continue;
      auto id = s.find("snapshot-id");
      auto path = s.find("statistics-path");
      if (id == s.end() || !id->is_number_integer() || path == s.end() || !path->is_string()) {
        continue;
      }
      StatisticsFileRef ref{id->get<int64_t>(), path->get<std::string>(), std::nullopt};
      auto bytes = s.find("file-size-in-bytes");
      if (bytes != s.end() && bytes->is_number_integer()) {
        ref.file_size_in_bytes = bytes->get<int64_t>();
      }
      out.push_back(std::move(ref));
    }
  }
  return out;
}

std::set<int64_t> AllSnapshotIds(const iceberg::TableMetadata& metadata) {
  std::set<int64_t> ids;
  for (const auto& s : metadata.snapshots) ids.insert(s.snapshot_id);
  return ids;
}

bool IsUnderLocation(const std::string& location, const std::string& root) {
  if (IsRemote(location) != IsRemote(root)) return false;
  std::string path = Normalize(location);
  std::string base = Normalize(root);
  return path.size() > base.size() && StartsWith(path, base) && path[base.size()] == '/';
}

}  // namespace faceberg::table
