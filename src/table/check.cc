#include "table/check.h"

#include <fmt/format.h>

#include <map>
#include <optional>
#include <set>

#include "iceberg/manifest.h"
#include "table/reachable_files.h"
#include "util/parallel.h"

namespace faceberg::table {

namespace {

// A file to look at: where it is, what it is, the size recorded for it (if any) and the first
// snapshot that references it (for the problem line).
struct FileToCheck {
  std::string kind;
  std::optional<int64_t> size;
  int64_t snapshot_id = 0;
};

// The problem line for a file of `kind` that failed to open or read with `st`: "is missing"
// when it does not exist, else "cannot be read" and why.
std::string Unreadable(int64_t snapshot_id, std::string_view kind, const std::string& location,
                       const Status& st) {
  if (st.code() == ErrorCode::kNotFound) {
    return fmt::format("snapshot {}: {} {} is missing", snapshot_id, kind, location);
  }
  return fmt::format("snapshot {}: {} {} cannot be read: {}", snapshot_id, kind, location,
                     st.message());
}

// Why `location` is not as recorded, or nullopt when it is.
std::optional<std::string> ProblemWith(io::FileIO& io, const std::string& location,
                                       const FileToCheck& file, bool verify_sizes) {
  auto describe = [&](const Status& st) {
    return Unreadable(file.snapshot_id, file.kind, location, st);
  };
  auto input = io.NewInputFile(location);
  if (!input.ok()) return describe(input.status());
  auto size = (*input)->Size();
  if (!size.ok()) return describe(size.status());
  if (verify_sizes && file.size && *file.size >= 0 && static_cast<uint64_t>(*file.size) != *size) {
    return fmt::format("snapshot {}: {} {} has {} bytes, but {} are recorded", file.snapshot_id,
                       file.kind, location, *size, *file.size);
  }
  return std::nullopt;
}

}  // namespace

Result<TableCheck> CheckTable(io::FileIO& io, const iceberg::TableMetadata& metadata,
                              const CheckOptions& options) {
  TableCheck report;
  report.snapshots = metadata.snapshots.size();
  if (metadata.current_snapshot_id && *metadata.current_snapshot_id >= 0 &&
      metadata.SnapshotById(*metadata.current_snapshot_id) == nullptr) {
    report.problems.push_back(fmt::format("the current snapshot {} is not in the metadata",
                                          *metadata.current_snapshot_id));
  }
  for (const auto& [name, ref] : metadata.refs) {
    if (metadata.SnapshotById(ref.snapshot_id) == nullptr) {
      report.problems.push_back(fmt::format(
          "ref '{}' names snapshot {}, which is not in the metadata", name, ref.snapshot_id));
    }
  }

  // Read every manifest list and manifest once; collect the files they reference.
  std::map<std::string, FileToCheck> files;
  std::set<std::string> lists_read;
  std::set<std::string> manifests_read;
  for (const auto& snapshot : metadata.snapshots) {
    const int64_t id = snapshot.snapshot_id;
    if (!lists_read.insert(snapshot.manifest_list).second) continue;
    auto manifests = iceberg::ReadManifestList(io, snapshot.manifest_list);
    ++report.files_checked;
    if (!manifests.ok()) {
      report.problems.push_back(
          Unreadable(id, "manifest list", snapshot.manifest_list, manifests.status()));
      continue;
    }
    for (const auto& manifest : *manifests) {
      if (!manifests_read.insert(manifest.manifest_path).second) continue;
      auto entries = iceberg::ReadManifest(io, manifest, metadata);
      if (!entries.ok()) {
        report.problems.push_back(
            Unreadable(id, "manifest", manifest.manifest_path, entries.status()));
        continue;
      }
      files.emplace(manifest.manifest_path, FileToCheck{"manifest", manifest.manifest_length, id});
      for (const auto& entry : *entries) {
        if (entry.status == iceberg::EntryStatus::kDeleted) continue;
        const auto& f = entry.data_file;
        files.emplace(
            f.file_path,
            FileToCheck{f.content == iceberg::FileContent::kData ? "data file" : "delete file",
                        f.file_size_in_bytes, id});
      }
    }
  }
  for (const auto& stats : StatisticsFiles(metadata)) {
    files.emplace(stats.path,
                  FileToCheck{"statistics file", stats.file_size_in_bytes, stats.snapshot_id});
  }

  // Existence and sizes, a few files at a time; problems keep the files' (sorted) order.
  std::vector<const std::pair<const std::string, FileToCheck>*> order;
  order.reserve(files.size());
  for (const auto& entry : files) order.push_back(&entry);
  std::vector<std::optional<std::string>> found(order.size());
  RETURN_IF_ERROR(ParallelFor(order.size(), std::max(1, options.threads), [&](size_t i) {
    found[i] = ProblemWith(io, order[i]->first, order[i]->second, options.verify_sizes);
    return Status::OK();
  }));
  report.files_checked += order.size();
  for (auto& problem : found) {
    if (problem) report.problems.push_back(std::move(*problem));
  }
  return report;
}

}  // namespace faceberg::table
