#include "table/row_delta.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "iceberg/single_value.h"
#include "table/append.h"
#include "table/update.h"
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

// The head of `branch`: nullopt for main without snapshots.
Result<std::optional<Snapshot>> BranchHead(const TableMetadata& md, const std::string& branch) {
  auto ref = md.refs.find(branch);
  if (ref != md.refs.end()) {
    if (ref->second.type != iceberg::RefType::kBranch) {
      return InvalidArgument("'{}' is a tag; rows can only change on a branch", branch);
    }
    ASSIGN_OR_RETURN(const Snapshot* s, md.FindSnapshot(ref->second.snapshot_id));
    return std::optional<Snapshot>(*s);
  }
  if (branch != iceberg::kMainBranch) {
    return NotFound("branch '{}' does not exist: run 'faceberg refs TABLE'", branch);
  }
  if (const Snapshot* s = md.CurrentSnapshot()) return std::optional<Snapshot>(*s);
  return std::optional<Snapshot>();
}

Status CheckNoDeleteFiles(const Snapshot& snapshot, const std::vector<ManifestFile>& manifests) {
  for (const auto& m : manifests) {
    if (m.content == iceberg::ManifestContent::kDeletes && m.live_files_count() > 0) {
      return NotSupported(
          "snapshot {} has row-level delete files (merge-on-read) in {}, which this version "
          "cannot apply",
          snapshot.snapshot_id, m.manifest_path);
    }
  }
  return Status::OK();
}

// The partition tuple as text, to count changed partitions.
std::string PartitionKey(const TableMetadata& md, const DataFile& f) {
  std::string key = std::to_string(f.spec_id) + ":";
  iceberg::PartitionSpecPtr spec = md.SpecById(f.spec_id);
  auto type = spec ? iceberg::PartitionType(*spec, *md.CurrentSchema())
                   : Result<iceberg::TypePtr>(Internal("no spec"));
  for (size_t i = 0; i < f.partition.size(); ++i) {
    if (type.ok() && i < (*type)->fields().size()) {
      key += iceberg::ValueToString(f.partition[i], *(*type)->fields()[i].type);
    }
    key += "/";
  }
  return key;
}

void FillSummary(const TableMetadata& md, const Snapshot* parent,
                 const std::vector<DataFile>& removed, const std::vector<DataFile>& added,
                 std::map<std::string, std::string>* summary) {
  namespace s = iceberg::summary;
  int64_t added_records = 0, added_bytes = 0, removed_records = 0, removed_bytes = 0;
  std::set<std::string> partitions;
  for (const auto& f : added) {
    added_records += f.record_count();
    added_bytes += f.file_size_in_bytes;
    partitions.insert(PartitionKey(md, f));
  }
  for (const auto& f : removed) {
    removed_records += f.record_count();
    removed_bytes += f.file_size_in_bytes;
    partitions.insert(PartitionKey(md, f));
  }
  auto total = [&](const char* key) { return parent ? parent->SummaryInt(key, 0) : 0; };
  auto set = [&](const char* key, int64_t v) { (*summary)[key] = std::to_string(v); };
  if (!added.empty()) {
    set(s::kAddedDataFiles, static_cast<int64_t>(added.size()));
    set(s::kAddedRecords, added_records);
    set(s::kAddedFilesSize, added_bytes);
  }
  if (!removed.empty()) {
    set(s::kDeletedDataFiles, static_cast<int64_t>(removed.size()));
    set(s::kDeletedRecords, removed_records);
    set(s::kRemovedFilesSize, removed_bytes);
  }
  set(s::kChangedPartitionCount, static_cast<int64_t>(partitions.size()));
  set(s::kTotalDataFiles, total(s::kTotalDataFiles) + static_cast<int64_t>(added.size()) -
                              static_cast<int64_t>(removed.size()));
  set(s::kTotalRecords, total(s::kTotalRecords) + added_records - removed_records);
  set(s::kTotalFilesSize, total(s::kTotalFilesSize) + added_bytes - removed_bytes);
  set(s::kTotalDeleteFiles, total(s::kTotalDeleteFiles));
  set(s::kTotalPositionDeletes, total(s::kTotalPositionDeletes));
  set(s::kTotalEqualityDeletes, total(s::kTotalEqualityDeletes));
}

}  // namespace

Result<RowFilterPlan> PlanRowFilter(io::FileIO& io, iceberg::TableMetadataPtr metadata,
                                    std::string_view filter, const std::string& branch) {
  PRECHECK(!Trim(filter).empty(),
           "a row filter is required (write --where TRUE to select every row)");
  RowFilterPlan plan;
  plan.base = std::move(metadata);
  plan.branch = branch;
  const TableMetadata& md = *plan.base;
  plan.schema = md.CurrentSchema();
  if (!plan.schema) return Corrupt("the table metadata has no current schema");
  auto bound = iceberg::ParseFilter(filter, *plan.schema);
  if (!bound.ok())
    return bound.status().WithContext(fmt::format("filter \"{}\"", Abbreviate(filter, 200)));
  plan.filter = std::move(*bound);
  ASSIGN_OR_RETURN(plan.snapshot, BranchHead(md, branch));
  if (!plan.snapshot) return plan;

  ASSIGN_OR_RETURN(auto manifests, iceberg::ReadManifestList(io, plan.snapshot->manifest_list));
  RETURN_IF_ERROR(CheckNoDeleteFiles(*plan.snapshot, manifests));
  const iceberg::InclusiveMetricsEvaluator inclusive(plan.filter);
  const iceberg::StrictMetricsEvaluator strict(plan.filter);
  std::map<int32_t, iceberg::PartitionFilter> partition_filters;
  for (const auto& m : manifests) {
    if (m.content != iceberg::ManifestContent::kData) continue;
    ASSIGN_OR_RETURN(auto entries, iceberg::ReadManifest(io, m, md));
    iceberg::PartitionSpecPtr spec = md.SpecById(m.partition_spec_id);
    const iceberg::PartitionFilter* pf = nullptr;
    if (spec) {
      auto it = partition_filters.find(spec->spec_id);
      if (it == partition_filters.end()) {
        it = partition_filters
                 .emplace(spec->spec_id, iceberg::PartitionFilter::Make(*plan.filter, *spec))
                 .first;
      }
      pf = &it->second;
    }
    for (auto& e : entries) {
      if (e.status == iceberg::EntryStatus::kDeleted) continue;
      if (e.data_file.content != iceberg::FileContent::kData) continue;
      plan.live_paths.insert(e.data_file.file_path);
      if (pf && !pf->MightMatch(e.data_file.partition)) {
        ++plan.files_untouched;
        continue;
      }
      const iceberg::FileMetrics metrics =
          spec ? iceberg::MetricsWithIdentityPartitions(e.data_file, *spec, *plan.schema)
               : e.data_file.metrics;
      if (!inclusive.MightMatch(metrics)) {
        ++plan.files_untouched;
      } else if (strict.AllMatch(metrics)) {
        plan.all_match.push_back(std::move(e.data_file));
      } else {
        plan.partial.push_back(std::move(e.data_file));
      }
    }
  }
  return plan;
}

Result<Snapshot> CommitRowDelta(TableOperations& ops, const RowFilterPlan& plan,
                                const std::vector<DataFile>& removed,
                                const std::vector<DataFile>& added,
                                const RowDeltaOptions& options) {
  PRECHECK(!removed.empty() || !added.empty(), "nothing to commit: no file is removed or added");
  PRECHECK(plan.base != nullptr, "the row change has no plan");
  std::set<std::string> removed_paths;
  for (const auto& f : removed) {
    PRECHECK(plan.live_paths.count(f.file_path), "{} is not a live data file of branch '{}'",
             f.file_path, plan.branch);
    removed_paths.insert(f.file_path);
  }
  const std::string operation =
      !options.operation.empty() ? options.operation : (added.empty() ? "delete" : "overwrite");
  iceberg::TableMetadataPtr base = plan.base;
  const int64_t snapshot_id = RandomPositiveId();
  const std::string commit_uuid = RandomUuid();
  int manifest_counter = 0;
  auto new_manifest_path = [&]() {
    return ops.NewMetadataFileLocation(*base,
                                       fmt::format("{}-m{}.avro", commit_uuid, manifest_counter++));
  };
  iceberg::ManifestWriteOptions write_options;
  write_options.format_version = base->format_version;
  write_options.snapshot_id = snapshot_id;

  // The manifests of the added files, one per spec, written once: their ADDED entries inherit
  // the snapshot id and sequence number, so they fit every attempt.
  std::vector<ManifestFile> added_manifests;
  auto discard_added_manifests = [&] {
    for (const auto& m : added_manifests) (void)ops.io().DeleteFile(m.manifest_path);
  };
  {
    std::map<int32_t, std::vector<ManifestEntry>> by_spec;
    for (const auto& f : added) {
      ManifestEntry e;
      e.status = iceberg::EntryStatus::kAdded;
      e.data_file = f;
      by_spec[f.spec_id].push_back(std::move(e));
    }
    for (const auto& [spec_id, entries] : by_spec) {
      iceberg::PartitionSpecPtr spec = base->SpecById(spec_id);
      if (!spec) {
        discard_added_manifests();
        return InvalidArgument("added files use partition spec {}, which the table lacks", spec_id);
      }
      auto written = iceberg::WriteManifest(ops.io(), new_manifest_path(), *base->CurrentSchema(),
                                            *spec, entries, write_options);
      if (!written.ok()) {
        discard_added_manifests();
        return written.status();
      }
      added_manifests.push_back(std::move(*written));
    }
  }
  FailPoint("after-manifest");

  std::optional<Snapshot> head = plan.snapshot;
  Status last_conflict;
  for (int attempt = 0; attempt < options.max_attempts; ++attempt) {
    if (attempt > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5 * attempt + RandomPositiveId() % 20));
      auto refreshed = ops.Refresh();
      if (!refreshed.ok()) {
        discard_added_manifests();
        return refreshed.status();
      }
      base = *refreshed;
      auto new_head = BranchHead(*base, plan.branch);
      if (!new_head.ok()) {
        discard_added_manifests();
        return new_head.status();
      }
      head = *new_head;
    }
    // Everything written by this attempt, dropped if it does not commit.
    std::vector<std::string> attempt_files;
    auto discard_attempt = [&] {
      for (const auto& path : attempt_files) (void)ops.io().DeleteFile(path);
    };
    auto fail = [&](const Status& st) {
      discard_attempt();
      discard_added_manifests();
      return st;
    };

    std::vector<ManifestFile> parent_manifests;
    if (head) {
      auto listed = iceberg::ReadManifestList(ops.io(), head->manifest_list);
      if (!listed.ok()) return fail(listed.status());
      parent_manifests = std::move(*listed);
      if (Status st = CheckNoDeleteFiles(*head, parent_manifests); !st.ok()) return fail(st);
    }
    // Rewrite the manifests that hold removed files; keep the others.
    std::vector<ManifestFile> new_manifests = added_manifests;
    std::vector<ManifestFile> kept;
    std::set<std::string> still_live;
    const iceberg::InclusiveMetricsEvaluator inclusive(plan.filter);
    int64_t rewritten_count = 0;
    for (const auto& m : parent_manifests) {
      if (m.content != iceberg::ManifestContent::kData) {
        kept.push_back(m);
        continue;
      }
      auto entries = iceberg::ReadManifest(ops.io(), m, *base);
      if (!entries.ok()) return fail(entries.status());
      bool touched = false;
      for (const auto& e : *entries) {
        if (e.status == iceberg::EntryStatus::kDeleted) continue;
        const DataFile& f = e.data_file;
        still_live.insert(f.file_path);
        if (removed_paths.count(f.file_path)) touched = true;
        // A file committed after the plan that may hold matching rows: deleting "by filter"
        // would miss them, so the change must be redone.
        if (attempt > 0 && !plan.live_paths.count(f.file_path)) {
          iceberg::PartitionSpecPtr spec = base->SpecById(f.spec_id);
          const iceberg::FileMetrics metrics =
              spec ? iceberg::MetricsWithIdentityPartitions(f, *spec, *plan.schema) : f.metrics;
          if (inclusive.MightMatch(metrics)) {
            return fail(Conflict(
                "a concurrent commit added {} with rows that may match the filter; run the "
                "change again",
                f.file_path));
          }
        }
      }
      if (!touched) {
        kept.push_back(m);
        continue;
      }
      std::vector<ManifestEntry> rewritten;
      for (auto& e : *entries) {
        if (e.status == iceberg::EntryStatus::kDeleted) continue;  // applied by earlier snapshots
        if (removed_paths.count(e.data_file.file_path)) {
          e.status = iceberg::EntryStatus::kDeleted;
          e.snapshot_id = snapshot_id;
        } else {
          e.status = iceberg::EntryStatus::kExisting;
        }
        rewritten.push_back(std::move(e));
      }
      iceberg::PartitionSpecPtr spec = base->SpecById(m.partition_spec_id);
      if (!spec)
        return fail(
            Corrupt("manifest {} uses unknown spec {}", m.manifest_path, m.partition_spec_id));
      const std::string path = new_manifest_path();
      auto written = iceberg::WriteManifest(ops.io(), path, *base->CurrentSchema(), *spec,
                                            rewritten, write_options);
      if (!written.ok()) return fail(written.status());
      attempt_files.push_back(path);
      new_manifests.push_back(std::move(*written));
      ++rewritten_count;
    }
    for (const auto& path : removed_paths) {
      if (!still_live.count(path)) {
        return fail(Conflict(
            "{} was removed by a concurrent commit; run the change again on the new data", path));
      }
    }

    auto merged =
        MergeManifests(ops.io(), *base, snapshot_id, new_manifests, kept,
                       ManifestMergeOptions::FromProperties(base->properties), new_manifest_path);
    if (!merged.ok()) return fail(merged.status());
    attempt_files.insert(attempt_files.end(), merged->written.begin(), merged->written.end());

    Snapshot snapshot;
    snapshot.snapshot_id = snapshot_id;
    if (head) snapshot.parent_snapshot_id = head->snapshot_id;
    snapshot.sequence_number = base->format_version >= 2 ? base->last_sequence_number + 1 : 0;
    snapshot.timestamp_ms = std::max(NowMillis(), base->last_updated_ms);
    snapshot.schema_id = base->current_schema_id;
    snapshot.summary = options.summary;
    snapshot.summary[iceberg::summary::kOperation] = operation;
    FillSummary(*base, head ? &*head : nullptr, removed, added, &snapshot.summary);
    snapshot.summary["manifests-created"] = std::to_string(merged->created);
    snapshot.summary["manifests-kept"] = std::to_string(merged->kept);
    snapshot.summary["manifests-replaced"] = std::to_string(merged->replaced + rewritten_count);
    snapshot.manifest_list = ops.NewMetadataFileLocation(
        *base, fmt::format("snap-{}-{}-{}.avro", snapshot_id, attempt + 1, commit_uuid));
    iceberg::ManifestListWriteOptions list_options;
    list_options.format_version = base->format_version;
    list_options.snapshot_id = snapshot_id;
    list_options.parent_snapshot_id = snapshot.parent_snapshot_id;
    list_options.sequence_number = snapshot.sequence_number;
    if (Status st = iceberg::WriteManifestList(ops.io(), snapshot.manifest_list, merged->manifests,
                                               list_options);
        !st.ok()) {
      return fail(st);
    }
    attempt_files.push_back(snapshot.manifest_list);
    FailPoint("after-manifest-list");

    iceberg::SnapshotRef ref{snapshot_id, iceberg::RefType::kBranch};
    if (auto it = base->refs.find(plan.branch); it != base->refs.end()) {
      ref.min_snapshots_to_keep = it->second.min_snapshots_to_keep;
      ref.max_snapshot_age_ms = it->second.max_snapshot_age_ms;
      ref.max_ref_age_ms = it->second.max_ref_age_ms;
    }
    std::vector<TableRequirement> requirements = {AssertRefSnapshotId{
        plan.branch, head ? std::optional<int64_t>(head->snapshot_id) : std::nullopt}};
    std::vector<TableUpdate> updates = {AddSnapshot{snapshot}, SetSnapshotRef{plan.branch, ref}};
    // Applied on exactly the metadata the manifests were built from, so that a commit in between
    // is a conflict that re-validates instead of a blind re-apply.
    Status st = CheckRequirements(base.get(), requirements);
    if (st.ok()) {
      auto updated = ApplyUpdates(*base, updates);
      st = updated.ok() ? ops.Commit(base.get(), *updated) : updated.status();
    }
    if (st.ok()) {
      FailPoint("after-commit");
      // Added manifests that a merge folded into another one are no longer listed.
      for (const auto& m : added_manifests) {
        bool listed =
            std::any_of(merged->manifests.begin(), merged->manifests.end(),
                        [&](const ManifestFile& l) { return l.manifest_path == m.manifest_path; });
        if (!listed) (void)ops.io().DeleteFile(m.manifest_path);
      }
      return snapshot;
    }
    discard_attempt();
    if (st.code() != ErrorCode::kConflict) {
      discard_added_manifests();
      return st;
    }
    last_conflict = st;
  }
  discard_added_manifests();
  return Conflict("gave up after {} attempts, other writers kept committing first: {}",
                  options.max_attempts, last_conflict.message());
}

}  // namespace faceberg::table
