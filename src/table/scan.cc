#include "table/scan.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "util/strings.h"

namespace faceberg::table {

using iceberg::BoundExpressionPtr;
using iceberg::DataFile;
using iceberg::ManifestFile;
using iceberg::PartitionFilter;
using iceberg::Snapshot;
using iceberg::TableMetadata;

namespace {

// Manifests opened at once, at most.
constexpr size_t kMaxReadThreads = 8;

Result<const Snapshot*> SelectSnapshot(const TableMetadata& metadata, const ScanOptions& options) {
  const int selectors =
      (options.snapshot_id ? 1 : 0) + (options.as_of_ms ? 1 : 0) + (options.ref ? 1 : 0);
  PRECHECK(selectors <= 1,
           "choose one snapshot selector: a snapshot id, a time or a ref (got {} of them)",
           selectors);
  if (options.snapshot_id) return metadata.FindSnapshot(*options.snapshot_id);
  if (options.as_of_ms) return metadata.SnapshotAsOf(*options.as_of_ms);
  if (options.ref) return metadata.SnapshotForRef(*options.ref);
  return metadata.CurrentSnapshot();  // null for a table without snapshots
}

// Field ids a bound filter reads.
void CollectFieldIds(const iceberg::BoundExpression& e, std::set<int32_t>* ids) {
  if (e.is_predicate()) {
    ids->insert(e.predicate().field_id);
    return;
  }
  if (e.left()) CollectFieldIds(*e.left(), ids);
  if (e.right()) CollectFieldIds(*e.right(), ids);
}

// How the files of one partition spec are filtered.
struct SpecFilter {
  iceberg::PartitionSpecPtr spec;
  PartitionFilter partition;
  // The filter reads an identity-partitioned column, so file metrics are completed from the
  // partition tuple (such a column may exist only in the partition, like an HF split).
  bool complete_metrics = false;
};

// What reading and filtering one manifest produced.
struct ManifestResult {
  Status status;
  std::vector<DataFile> files;
  int64_t live = 0;
  int64_t skipped_by_partition = 0;
  int64_t skipped_by_metrics = 0;
};

}  // namespace

Result<ScanPlan> PlanScan(io::FileIO& io, const TableMetadata& metadata,
                          const ScanOptions& options) {
  ASSIGN_OR_RETURN(const Snapshot* snapshot, SelectSnapshot(metadata, options));
  ScanPlan plan;
  // As in Iceberg's reference implementation: the table's state (the current snapshot, or a
  // branch) reads with the current schema, so a dropped column is gone and an added one reads
  // as NULL at once; time travel (a snapshot id, a time, a tag) reads with the snapshot's schema.
  bool time_travel = options.snapshot_id || options.as_of_ms;
  if (options.ref) {
    auto ref = metadata.refs.find(*options.ref);
    time_travel = ref != metadata.refs.end() && ref->second.type == iceberg::RefType::kTag;
  }
  plan.schema =
      snapshot && time_travel ? metadata.SchemaForSnapshot(*snapshot) : metadata.CurrentSchema();
  if (!plan.schema) return Corrupt("the table metadata has no current schema");
  auto filter = iceberg::ParseFilter(options.filter, *plan.schema);
  if (!filter.ok())
    return filter.status().WithContext(
        fmt::format("filter \"{}\"", Abbreviate(options.filter, 200)));
  plan.filter = std::move(*filter);
  for (const auto& name : options.columns) {
    ASSIGN_OR_RETURN(iceberg::ResolvedColumn column, iceberg::ResolveColumn(*plan.schema, name));
    if (std::find(plan.column_ids.begin(), plan.column_ids.end(), column.field_id) !=
        plan.column_ids.end()) {
      continue;  // asked twice
    }
    plan.columns.push_back(column.name);
    plan.column_ids.push_back(column.field_id);
  }
  if (!snapshot) return plan;
  plan.snapshot = *snapshot;

  ASSIGN_OR_RETURN(std::vector<ManifestFile> manifests,
                   iceberg::ReadManifestList(io, snapshot->manifest_list));
  for (const auto& m : manifests) {
    if (m.content == iceberg::ManifestContent::kDeletes && (m.live_files_count() > 0)) {
      return NotSupported(
          "snapshot {} has row-level delete files (merge-on-read) in {}, which this version "
          "cannot apply: rewrite the table with copy-on-write first",
          snapshot->snapshot_id, m.manifest_path);
    }
  }

  // One projection per partition spec, made on first use.
  std::set<int32_t> filter_ids;
  CollectFieldIds(*plan.filter, &filter_ids);
  std::map<int32_t, SpecFilter> spec_filters;
  auto filter_for_spec = [&](int32_t spec_id) -> const SpecFilter* {
    auto it = spec_filters.find(spec_id);
    if (it != spec_filters.end()) return &it->second;
    iceberg::PartitionSpecPtr spec = metadata.SpecById(spec_id);
    if (!spec) return nullptr;
    SpecFilter f{spec, PartitionFilter::Make(*plan.filter, *spec), false};
    for (const auto& field : spec->fields) {
      if (field.transform.is_identity() && filter_ids.count(field.source_id)) {
        f.complete_metrics = true;
      }
    }
    return &spec_filters.emplace(spec_id, std::move(f)).first->second;
  };

  std::vector<const ManifestFile*> to_read;
  std::vector<const SpecFilter*> to_read_filters;
  for (const auto& m : manifests) {
    if (m.content != iceberg::ManifestContent::kData) continue;
    ++plan.counters.manifests_total;
    const SpecFilter* sf = filter_for_spec(m.partition_spec_id);
    // Only-deleted manifests are skipped when their counts say so explicitly (v1 lists may leave
    // counts out, which reads as zero).
    const bool only_deleted = m.live_files_count() == 0 && m.deleted_files_count > 0;
    if (only_deleted || (sf && !sf->partition.MightMatch(m.partitions))) {
      ++plan.counters.manifests_skipped;
      plan.counters.files_total += m.live_files_count();
      continue;
    }
    to_read.push_back(&m);
    to_read_filters.push_back(sf);
  }
  plan.counters.manifests_read = static_cast<int64_t>(to_read.size());

  const iceberg::InclusiveMetricsEvaluator metrics_filter(plan.filter);
  const bool filtered = plan.filter->op() != iceberg::Operation::kTrue;
  std::vector<ManifestResult> results(to_read.size());
  auto read_one = [&](size_t i) {
    ManifestResult& r = results[i];
    auto entries = iceberg::ReadManifest(io, *to_read[i], metadata);
    if (!entries.ok()) {
      r.status = entries.status();
      return;
    }
    const SpecFilter* sf = to_read_filters[i];
    for (auto& e : *entries) {
      if (e.status == iceberg::EntryStatus::kDeleted) continue;
      if (e.data_file.content != iceberg::FileContent::kData) continue;
      ++r.live;
      if (filtered) {
        if (sf && !sf->partition.MightMatch(e.data_file.partition)) {
          ++r.skipped_by_partition;
          continue;
        }
        const bool might = sf && sf->complete_metrics
                               ? metrics_filter.MightMatch(iceberg::MetricsWithIdentityPartitions(
                                     e.data_file, *sf->spec, *plan.schema))
                               : metrics_filter.MightMatch(e.data_file.metrics);
        if (!might) {
          ++r.skipped_by_metrics;
          continue;
        }
      }
      r.files.push_back(std::move(e.data_file));
    }
  };
  const size_t threads =
      std::min({to_read.size(), kMaxReadThreads,
                static_cast<size_t>(std::max(1u, std::thread::hardware_concurrency()))});
  if (threads <= 1) {
    for (size_t i = 0; i < to_read.size(); ++i) read_one(i);
  } else {
    std::atomic<size_t> next{0};
    auto worker = [&] {
      for (size_t i = next++; i < to_read.size(); i = next++) read_one(i);
    };
    std::vector<std::thread> pool;
    for (size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
  }

  for (auto& r : results) {
    RETURN_IF_ERROR(r.status);
    plan.counters.files_total += r.live;
    plan.counters.files_skipped_by_partition += r.skipped_by_partition;
    plan.counters.files_skipped_by_metrics += r.skipped_by_metrics;
    std::move(r.files.begin(), r.files.end(), std::back_inserter(plan.files));
  }
  plan.counters.files_skipped = plan.counters.files_total - static_cast<int64_t>(plan.files.size());
  return plan;
}

}  // namespace faceberg::table
