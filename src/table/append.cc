#include "table/append.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <set>
#include <thread>

#include "iceberg/single_value.h"
#include "util/failpoint.h"
#include "util/strings.h"
#include "util/time.h"
#include "util/uuid.h"

namespace faceberg::table {

using iceberg::DataFile;
using iceberg::ManifestEntry;
using iceberg::ManifestFile;
using iceberg::Snapshot;
using iceberg::TableMetadata;

namespace {

// Cumulative totals carried from the parent snapshot's summary.
void AddTotals(const Snapshot* parent, const std::vector<DataFile>& added,
               const iceberg::Type& partition_type, std::map<std::string, std::string>* summary) {
  namespace s = iceberg::summary;
  int64_t records = 0, bytes = 0;
  std::set<std::string> partitions;
  for (const auto& f : added) {
    records += f.record_count();
    bytes += f.file_size_in_bytes;
    std::string key;
    for (size_t i = 0; i < f.partition.size(); ++i) {
      key += iceberg::ValueToString(f.partition[i], *partition_type.fields()[i].type) + "/";
    }
    partitions.insert(key);
  }
  auto total = [&](const char* key) { return parent ? parent->SummaryInt(key, 0) : 0; };
  (*summary)[s::kAddedDataFiles] = std::to_string(added.size());
  (*summary)[s::kAddedRecords] = std::to_string(records);
  (*summary)[s::kAddedFilesSize] = std::to_string(bytes);
  (*summary)[s::kChangedPartitionCount] = std::to_string(partitions.size());
  (*summary)[s::kTotalDataFiles] = std::to_string(total(s::kTotalDataFiles) + added.size());
  (*summary)[s::kTotalRecords] = std::to_string(total(s::kTotalRecords) + records);
  (*summary)[s::kTotalFilesSize] = std::to_string(total(s::kTotalFilesSize) + bytes);
  (*summary)[s::kTotalDeleteFiles] = std::to_string(total(s::kTotalDeleteFiles));
  (*summary)[s::kTotalPositionDeletes] = std::to_string(total(s::kTotalPositionDeletes));
  (*summary)[s::kTotalEqualityDeletes] = std::to_string(total(s::kTotalEqualityDeletes));
}

// Bins of manifests of at most `target` bytes each (a larger manifest gets a bin of its own),
// filled from the end of the list so that the partial bin is the one with the newest manifests,
// as Java's ListPacker.packEnd with a look-back of one.
std::vector<std::vector<ManifestFile>> PackEnd(const std::vector<ManifestFile>& items,
                                               int64_t target) {
  std::vector<std::vector<ManifestFile>> bins;
  int64_t weight = 0;
  for (auto it = items.rbegin(); it != items.rend(); ++it) {
    if (bins.empty() || weight + it->manifest_length > target) {
      bins.emplace_back();
      weight = 0;
    }
    bins.back().push_back(*it);
    weight += it->manifest_length;
  }
  for (auto& bin : bins) std::reverse(bin.begin(), bin.end());
  std::reverse(bins.begin(), bins.end());
  return bins;
}

// The entries of `bin` as one merged manifest of `snapshot_id` (see MergeManifests); nullopt when
// an entry cannot be rewritten, so the bin is kept as it is.
Result<std::optional<std::vector<ManifestEntry>>> MergedEntries(
    io::FileIO& io, const TableMetadata& base, int64_t snapshot_id,
    const std::vector<ManifestFile>& bin) {
  std::vector<ManifestEntry> out;
  for (const auto& m : bin) {
    ASSIGN_OR_RETURN(std::vector<ManifestEntry> entries, iceberg::ReadManifest(io, m, base));
    for (auto& e : entries) {
      const bool ours = e.snapshot_id == snapshot_id;
      if (e.status == iceberg::EntryStatus::kDeleted) {
        // Deletes of earlier snapshots have been applied; only this commit's are kept.
        if (ours) out.push_back(std::move(e));
        continue;
      }
      if (e.status == iceberg::EntryStatus::kAdded && ours) {
        e.snapshot_id.reset();
        e.sequence_number.reset();
        e.file_sequence_number.reset();
        out.push_back(std::move(e));
        continue;
      }
      // Carried entries keep the snapshot and sequence numbers they had (inherited values made
      // explicit by ReadManifest).
      if (!e.snapshot_id || (base.format_version >= 2 && !e.sequence_number)) {
        return std::optional<std::vector<ManifestEntry>>();
      }
      e.status = iceberg::EntryStatus::kExisting;
      out.push_back(std::move(e));
    }
  }
  return std::optional<std::vector<ManifestEntry>>(std::move(out));
}

Status MergeInto(io::FileIO& io, const TableMetadata& base, int64_t snapshot_id,
                 const std::vector<ManifestFile>& data, const ManifestMergeOptions& options,
                 const std::function<std::string()>& new_manifest_path,
                 ManifestMergeResult* result) {
  const std::string& first = data.front().manifest_path;
  std::vector<int32_t> spec_order;
  std::map<int32_t, std::vector<ManifestFile>> groups;
  for (const auto& m : data) {
    auto [it, inserted] = groups.try_emplace(m.partition_spec_id);
    if (inserted) spec_order.push_back(m.partition_spec_id);
    it->second.push_back(m);
  }
  auto keep = [&](const std::vector<ManifestFile>& ms) {
    result->manifests.insert(result->manifests.end(), ms.begin(), ms.end());
  };
  for (int32_t spec_id : spec_order) {
    const std::vector<ManifestFile>& group = groups[spec_id];
    iceberg::PartitionSpecPtr spec = base.SpecById(spec_id);
    if (!spec || !iceberg::PartitionType(*spec, *base.CurrentSchema()).ok()) {
      keep(group);  // cannot be rewritten against the current schema
      continue;
    }
    for (const auto& bin : PackEnd(group, options.target_size_bytes)) {
      const bool has_first = std::any_of(
          bin.begin(), bin.end(), [&](const ManifestFile& m) { return m.manifest_path == first; });
      const bool too_few =
          has_first && bin.size() < static_cast<size_t>(std::max(0, options.min_count_to_merge));
      if (bin.size() == 1 || too_few) {
        keep(bin);
        continue;
      }
      ASSIGN_OR_RETURN(auto entries, MergedEntries(io, base, snapshot_id, bin));
      if (!entries) {
        keep(bin);
        continue;
      }
      if (entries->empty()) continue;  // nothing live: the bin is simply replaced
      iceberg::ManifestWriteOptions write_options;
      write_options.format_version = base.format_version;
      write_options.snapshot_id = snapshot_id;
      const std::string path = new_manifest_path();
      ASSIGN_OR_RETURN(ManifestFile merged, iceberg::WriteManifest(io, path, *base.CurrentSchema(),
                                                                   *spec, *entries, write_options));
      result->written.push_back(path);
      result->manifests.push_back(std::move(merged));
    }
  }
  return Status::OK();
}

bool ParseBool(const std::string& text, bool fallback) {
  std::string lower = ToLower(Trim(text));
  if (lower == "true") return true;
  if (lower == "false") return false;
  return fallback;
}

}  // namespace

ManifestMergeOptions ManifestMergeOptions::FromProperties(
    const std::map<std::string, std::string>& properties) {
  ManifestMergeOptions options;
  auto get = [&](const char* key) -> const std::string* {
    auto it = properties.find(key);
    return it == properties.end() ? nullptr : &it->second;
  };
  if (const std::string* v = get("commit.manifest-merge.enabled")) {
    options.enabled = ParseBool(*v, options.enabled);
  }
  if (const std::string* v = get("commit.manifest.min-count-to-merge")) {
    auto n = ParseInt64(Trim(*v));
    if (n && *n >= 0 && *n <= std::numeric_limits<int32_t>::max()) {
      options.min_count_to_merge = static_cast<int32_t>(*n);
    }
  }
  if (const std::string* v = get("commit.manifest.target-size-bytes")) {
    auto n = ParseInt64(Trim(*v));
    if (n && *n > 0) options.target_size_bytes = *n;
  }
  return options;
}

Result<ManifestMergeResult> MergeManifests(io::FileIO& io, const TableMetadata& base,
                                           int64_t snapshot_id,
                                           const std::vector<ManifestFile>& new_manifests,
                                           const std::vector<ManifestFile>& parent_manifests,
                                           const ManifestMergeOptions& options,
                                           const std::function<std::string()>& new_manifest_path) {
  ManifestMergeResult result;
  std::vector<ManifestFile> data, deletes;
  for (const auto* list : {&new_manifests, &parent_manifests}) {
    for (const auto& m : *list) {
      (m.content == iceberg::ManifestContent::kData ? data : deletes).push_back(m);
    }
  }
  if (!options.enabled || data.empty()) {
    result.manifests = data;
  } else {
    Status st = MergeInto(io, base, snapshot_id, data, options, new_manifest_path, &result);
    if (!st.ok()) {
      for (const auto& path : result.written) (void)io.DeleteFile(path);
      return st;
    }
  }
  result.manifests.insert(result.manifests.end(), deletes.begin(), deletes.end());
  std::set<std::string> listed;
  for (const auto& m : result.manifests) {
    listed.insert(m.manifest_path);
    (m.added_snapshot_id == snapshot_id ? result.created : result.kept) += 1;
  }
  for (const auto& m : parent_manifests) {
    if (!listed.count(m.manifest_path)) ++result.replaced;
  }
  return result;
}

Result<std::vector<DataFile>> LiveDataFiles(io::FileIO& io, const TableMetadata& metadata,
                                            const Snapshot& snapshot) {
  ASSIGN_OR_RETURN(auto manifests, iceberg::ReadManifestList(io, snapshot.manifest_list));
  std::vector<DataFile> files;
  for (const auto& m : manifests) {
    if (m.content != iceberg::ManifestContent::kData) continue;
    ASSIGN_OR_RETURN(auto entries, iceberg::ReadManifest(io, m, metadata));
    for (auto& e : entries) {
      if (e.status != iceberg::EntryStatus::kDeleted) files.push_back(std::move(e.data_file));
    }
  }
  return files;
}

Result<Snapshot> AppendFiles(TableOperations& ops, const std::vector<DataFile>& files,
                             const AppendOptions& options) {
  PRECHECK(!files.empty(), "nothing to append: no data files were given");
  ASSIGN_OR_RETURN(iceberg::TableMetadataPtr base, ops.Refresh());
  auto spec = base->DefaultSpec();
  ASSIGN_OR_RETURN(iceberg::TypePtr partition_type,
                   iceberg::PartitionType(*spec, *base->CurrentSchema()));
  for (const auto& f : files) {
    PRECHECK(f.partition.size() == spec->fields.size(),
             "{} has {} partition values but the table's spec has {} fields", f.file_path,
             f.partition.size(), spec->fields.size());
  }
  // The manifest is written once: its ADDED entries inherit snapshot id and sequence number from
  // the manifest list, so a retry only rewrites the list (and redoes any merge).
  const int64_t snapshot_id = RandomPositiveId();
  const std::string commit_uuid = RandomUuid();
  std::vector<ManifestEntry> entries;
  for (const auto& f : files) {
    ManifestEntry e;
    e.status = iceberg::EntryStatus::kAdded;
    e.data_file = f;
    e.data_file.spec_id = spec->spec_id;
    entries.push_back(std::move(e));
  }
  iceberg::ManifestWriteOptions manifest_options;
  manifest_options.format_version = base->format_version;
  manifest_options.snapshot_id = snapshot_id;
  ASSIGN_OR_RETURN(
      ManifestFile new_manifest,
      iceberg::WriteManifest(ops.io(), ops.NewMetadataFileLocation(*base, commit_uuid + "-m0.avro"),
                             *base->CurrentSchema(), *spec, entries, manifest_options));
  FailPoint("after-manifest");
  int manifest_counter = 0;
  auto new_manifest_path = [&]() {
    return ops.NewMetadataFileLocation(*base,
                                       fmt::format("{}-m{}.avro", commit_uuid, ++manifest_counter));
  };
  // Whether the committed list still references the new manifest (it may have been merged).
  bool new_manifest_listed = true;

  auto commit = [&]() -> Result<Snapshot> {
    Status last_conflict;
    for (int attempt = 0; attempt < options.max_attempts; ++attempt) {
      if (attempt > 0) {
        // Back off a little, with jitter, before re-reading the table.
        std::this_thread::sleep_for(
            std::chrono::milliseconds(5 * attempt + RandomPositiveId() % 20));
        ASSIGN_OR_RETURN(base, ops.Refresh());
      }
      const Snapshot* parent = nullptr;
      auto ref = base->refs.find(options.branch);
      if (ref != base->refs.end()) {
        parent = base->SnapshotById(ref->second.snapshot_id);
      } else if (options.branch != iceberg::kMainBranch) {
        return NotFound("branch '{}' does not exist", options.branch);
      }
      std::vector<ManifestFile> parent_manifests;
      if (parent) {
        ASSIGN_OR_RETURN(parent_manifests,
                         iceberg::ReadManifestList(ops.io(), parent->manifest_list));
      }
      ASSIGN_OR_RETURN(
          ManifestMergeResult merge,
          MergeManifests(ops.io(), *base, snapshot_id, {new_manifest}, parent_manifests,
                         ManifestMergeOptions::FromProperties(base->properties),
                         new_manifest_path));
      // Drops what this attempt wrote besides the reusable new manifest (best effort).
      auto discard_attempt = [&](const std::string& manifest_list) {
        if (!manifest_list.empty()) (void)ops.io().DeleteFile(manifest_list);
        for (const auto& path : merge.written) (void)ops.io().DeleteFile(path);
      };

      TableMetadata updated = *base;
      const int64_t sequence_number =
          base->format_version >= 2 ? base->last_sequence_number + 1 : 0;
      Snapshot snapshot;
      snapshot.snapshot_id = snapshot_id;
      if (parent) snapshot.parent_snapshot_id = parent->snapshot_id;
      snapshot.sequence_number = sequence_number;
      snapshot.timestamp_ms = std::max(NowMillis(), base->last_updated_ms);
      snapshot.schema_id = base->current_schema_id;
      snapshot.summary = options.summary;
      snapshot.summary[iceberg::summary::kOperation] = "append";
      AddTotals(parent, files, *partition_type, &snapshot.summary);
      snapshot.summary["manifests-created"] = std::to_string(merge.created);
      snapshot.summary["manifests-kept"] = std::to_string(merge.kept);
      snapshot.summary["manifests-replaced"] = std::to_string(merge.replaced);
      snapshot.manifest_list = ops.NewMetadataFileLocation(
          *base, fmt::format("snap-{}-{}-{}.avro", snapshot_id, attempt + 1, commit_uuid));
      iceberg::ManifestListWriteOptions list_options;
      list_options.format_version = base->format_version;
      list_options.snapshot_id = snapshot_id;
      list_options.parent_snapshot_id = snapshot.parent_snapshot_id;
      list_options.sequence_number = sequence_number;
      Status written = iceberg::WriteManifestList(ops.io(), snapshot.manifest_list, merge.manifests,
                                                  list_options);
      if (!written.ok()) {
        discard_attempt("");
        return written;
      }
      FailPoint("after-manifest-list");

      for (const auto& [k, v] : options.set_properties) updated.properties[k] = v;
      updated.snapshots.push_back(snapshot);
      updated.last_sequence_number = std::max(base->last_sequence_number, sequence_number);
      updated.refs[options.branch] = iceberg::SnapshotRef{
          snapshot_id, iceberg::RefType::kBranch,
          ref != base->refs.end() ? ref->second.min_snapshots_to_keep : std::nullopt,
          ref != base->refs.end() ? ref->second.max_snapshot_age_ms : std::nullopt,
          ref != base->refs.end() ? ref->second.max_ref_age_ms : std::nullopt};
      if (options.branch == iceberg::kMainBranch) {
        updated.current_snapshot_id = snapshot_id;
        updated.snapshot_log.push_back({snapshot.timestamp_ms, snapshot_id});
      }
      Status st = ops.Commit(base.get(), updated);
      if (st.ok()) {
        FailPoint("after-commit");
        new_manifest_listed = std::any_of(
            merge.manifests.begin(), merge.manifests.end(),
            [&](const ManifestFile& m) { return m.manifest_path == new_manifest.manifest_path; });
        return snapshot;
      }
      // What a lost attempt wrote is unreferenced.
      discard_attempt(snapshot.manifest_list);
      if (st.code() != ErrorCode::kConflict) return st;
      last_conflict = st;
    }
    return Conflict("gave up after {} attempts, other writers kept committing first: {}",
                    options.max_attempts, last_conflict.message());
  };

  Result<Snapshot> result = commit();
  // On failure nothing references the new manifest; on success it may have been merged away.
  if (!result.ok() || !new_manifest_listed) {
    (void)ops.io().DeleteFile(new_manifest.manifest_path);
  }
  return result;
}

}  // namespace faceberg::table
