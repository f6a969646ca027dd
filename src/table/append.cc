#include "table/append.h"

#include <chrono>
#include <set>
#include <thread>

#include "iceberg/single_value.h"
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

}  // namespace

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
  // the manifest list, so a retry only rewrites the list.
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

  Status last_conflict;
  for (int attempt = 0; attempt < options.max_attempts; ++attempt) {
    if (attempt > 0) {
      // Back off a little, with jitter, before re-reading the table.
      std::this_thread::sleep_for(std::chrono::milliseconds(5 * attempt + RandomPositiveId() % 20));
      ASSIGN_OR_RETURN(base, ops.Refresh());
    }
    const Snapshot* parent = nullptr;
    auto ref = base->refs.find(options.branch);
    if (ref != base->refs.end()) {
      parent = base->SnapshotById(ref->second.snapshot_id);
    } else if (options.branch != iceberg::kMainBranch) {
      return NotFound("branch '{}' does not exist", options.branch);
    }
    std::vector<ManifestFile> manifests{new_manifest};
    if (parent) {
      ASSIGN_OR_RETURN(auto parent_manifests,
                       iceberg::ReadManifestList(ops.io(), parent->manifest_list));
      manifests.insert(manifests.end(), parent_manifests.begin(), parent_manifests.end());
    }
    TableMetadata updated = *base;
    const int64_t sequence_number = base->format_version >= 2 ? base->last_sequence_number + 1 : 0;
    Snapshot snapshot;
    snapshot.snapshot_id = snapshot_id;
    if (parent) snapshot.parent_snapshot_id = parent->snapshot_id;
    snapshot.sequence_number = sequence_number;
    snapshot.timestamp_ms = std::max(NowMillis(), base->last_updated_ms);
    snapshot.schema_id = base->current_schema_id;
    snapshot.summary = options.summary;
    snapshot.summary[iceberg::summary::kOperation] = "append";
    AddTotals(parent, files, *partition_type, &snapshot.summary);
    snapshot.manifest_list = ops.NewMetadataFileLocation(
        *base, fmt::format("snap-{}-{}-{}.avro", snapshot_id, attempt + 1, commit_uuid));
    iceberg::ManifestListWriteOptions list_options;
    list_options.format_version = base->format_version;
    list_options.snapshot_id = snapshot_id;
    list_options.parent_snapshot_id = snapshot.parent_snapshot_id;
    list_options.sequence_number = sequence_number;
    RETURN_IF_ERROR(
        iceberg::WriteManifestList(ops.io(), snapshot.manifest_list, manifests, list_options));

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
    if (st.ok()) return snapshot;
    // The list written for a lost attempt is unreferenced; remove it (best effort).
    (void)ops.io().DeleteFile(snapshot.manifest_list);
    if (st.code() != ErrorCode::kConflict) {
      (void)ops.io().DeleteFile(new_manifest.manifest_path);
      return st;
    }
    last_conflict = st;
  }
  (void)ops.io().DeleteFile(new_manifest.manifest_path);
  return Conflict("gave up after {} attempts, other writers kept committing first: {}",
                  options.max_attempts, last_conflict.message());
}

}  // namespace faceberg::table
