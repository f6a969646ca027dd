#include "table/expire.h"

#include <algorithm>
#include <limits>

#include "table/update.h"
#include "util/failpoint.h"
#include "util/strings.h"
#include "util/time.h"

namespace faceberg::table {

using iceberg::Snapshot;
using iceberg::TableMetadata;

namespace {

constexpr int kMaxExpireAttempts = 5;
constexpr int64_t kDefaultMaxSnapshotAgeMs = 432'000'000;  // 5 days

Result<int64_t> PropertyInt(const TableMetadata& md, const char* key, int64_t fallback) {
  auto it = md.properties.find(key);
  if (it == md.properties.end()) return fallback;
  auto v = ParseInt64(Trim(it->second));
  if (!v || *v < 0) {
    return InvalidArgument("table property {} = '{}' is not a non-negative integer", key,
                           it->second);
  }
  return *v;
}

}  // namespace

Result<RetentionPlan> PlanRetention(const TableMetadata& md, const ExpireOptions& options,
                                    int64_t now_ms) {
  PRECHECK(!options.retain_last || *options.retain_last >= 1,
           "--retain-last must be at least 1 (the newest snapshot of a branch always stays)");
  ASSIGN_OR_RETURN(int64_t max_snapshot_age,
                   PropertyInt(md, "history.expire.max-snapshot-age-ms", kDefaultMaxSnapshotAgeMs));
  ASSIGN_OR_RETURN(int64_t min_snapshots,
                   PropertyInt(md, "history.expire.min-snapshots-to-keep", 1));
  ASSIGN_OR_RETURN(int64_t max_ref_age, PropertyInt(md, "history.expire.max-ref-age-ms",
                                                    std::numeric_limits<int64_t>::max()));
  const int64_t default_older_than = options.older_than_ms.value_or(now_ms - max_snapshot_age);
  const int64_t default_min_keep =
      options.retain_last ? *options.retain_last : std::max<int64_t>(min_snapshots, 1);

  std::map<std::string, iceberg::SnapshotRef> refs = md.refs;
  if (!refs.count(iceberg::kMainBranch) && md.current_snapshot_id) {
    refs[iceberg::kMainBranch] = iceberg::SnapshotRef{*md.current_snapshot_id};
  }
  RetentionPlan plan;
  std::set<int64_t> referenced;  // every ancestor of a retained ref
  for (const auto& [name, ref] : refs) {
    const Snapshot* head = md.SnapshotById(ref.snapshot_id);
    if (!head) continue;
    if (name != iceberg::kMainBranch) {
      const int64_t ref_age_limit = ref.max_ref_age_ms.value_or(max_ref_age);
      if (now_ms - head->timestamp_ms > ref_age_limit) {
        plan.expired_refs.push_back(name);
        continue;
      }
    }
    plan.retained.insert(head->snapshot_id);
    std::vector<int64_t> ancestry = md.Ancestry(head->snapshot_id);
    referenced.insert(ancestry.begin(), ancestry.end());
    if (ref.type == iceberg::RefType::kTag) continue;
    const int64_t older_than =
        ref.max_snapshot_age_ms ? now_ms - *ref.max_snapshot_age_ms : default_older_than;
    const int64_t min_keep = ref.min_snapshots_to_keep.value_or(default_min_keep);
    int64_t kept = 0;
    for (int64_t id : ancestry) {
      const Snapshot* s = md.SnapshotById(id);
      if (kept < min_keep || s->timestamp_ms >= older_than) {
        plan.retained.insert(id);
        ++kept;
      } else {
        break;
      }
    }
  }
  for (const auto& s : md.snapshots) {
    if (!referenced.count(s.snapshot_id) && s.timestamp_ms >= default_older_than) {
      plan.retained.insert(s.snapshot_id);
    }
  }
  for (const auto& s : md.snapshots) {
    if (!plan.retained.count(s.snapshot_id)) plan.expired.push_back(s.snapshot_id);
  }
  return plan;
}

Status DeleteTableFiles(io::FileIO& io, const std::string& table_location,
                        const std::set<std::string>& files,
                        std::vector<std::string>* kept_outside) {
  bool first = true;
  for (const auto& file : files) {
    if (!IsUnderLocation(file, table_location)) {
      if (kept_outside) kept_outside->push_back(file);
      continue;
    }
    Status st = io.DeleteFile(file);
    if (!st.ok() && st.code() != ErrorCode::kNotFound) return st.WithContext("deleting a file");
    if (first) FailPoint("during-file-deletion");
    first = false;
  }
  return Status::OK();
}

Result<ExpireResult> ExpireSnapshots(TableOperations& ops, const ExpireOptions& options) {
  Status last_conflict;
  for (int attempt = 0; attempt < kMaxExpireAttempts; ++attempt) {
    ASSIGN_OR_RETURN(iceberg::TableMetadataPtr base, ops.Refresh());
    const std::string gc = ToLower(base->Property("gc.enabled", "true"));
    if (gc == "false") {
      return InvalidArgument(
          "the table has gc.enabled=false, so its files must not be deleted: expire refuses to "
          "run (unset the property to allow it)");
    }
    const int64_t now = options.now_ms.value_or(NowMillis());
    ASSIGN_OR_RETURN(RetentionPlan plan, PlanRetention(*base, options, now));
    ExpireResult result;
    result.dry_run = options.dry_run;
    result.expired_snapshot_ids = plan.expired;
    result.expired_refs = plan.expired_refs;
    if (plan.expired.empty() && plan.expired_refs.empty()) return result;

    std::vector<TableRequirement> requirements;
    for (const auto& [name, ref] : base->refs) {
      requirements.push_back(AssertRefSnapshotId{name, ref.snapshot_id});
    }
    std::vector<TableUpdate> updates;
    for (const auto& name : plan.expired_refs) updates.push_back(RemoveSnapshotRef{name});
    if (!plan.expired.empty()) updates.push_back(RemoveSnapshots{plan.expired});

    // What is reachable now; read before committing so that an unreadable manifest stops the
    // expire before anything changes.
    ReachabilityReader reader(ops.io());
    ASSIGN_OR_RETURN(ReachableFiles before, reader.Collect(*base, AllSnapshotIds(*base)));

    iceberg::TableMetadataPtr after;
    if (options.dry_run) {
      ASSIGN_OR_RETURN(TableMetadata applied, ApplyUpdates(*base, updates));
      after = std::make_shared<const TableMetadata>(std::move(applied));
    } else {
      FailPoint("before-commit");
      auto committed = CommitTable(ops, requirements, updates);
      if (!committed.ok()) {
        if (committed.status().code() != ErrorCode::kConflict) return committed.status();
        last_conflict = committed.status();
        continue;  // a ref moved: plan again on the new metadata
      }
      after = *committed;
      FailPoint("after-commit");
    }
    // Files every remaining snapshot reaches, in the metadata as committed (which may already
    // hold later commits of other writers).
    ASSIGN_OR_RETURN(ReachableFiles remaining, reader.Collect(*after, AllSnapshotIds(*after)));
    ReachableFiles unreachable = before.Minus(remaining);
    auto split = [&](const std::set<std::string>& files, std::set<std::string>* deleted) {
      for (const auto& file : files) {
        if (IsUnderLocation(file, base->location)) {
          deleted->insert(file);
        } else {
          result.kept_outside.push_back(file);
        }
      }
    };
    split(unreachable.data_files, &result.deleted.data_files);
    split(unreachable.statistics_files, &result.deleted.statistics_files);
    split(unreachable.manifests, &result.deleted.manifests);
    split(unreachable.manifest_lists, &result.deleted.manifest_lists);
    if (options.dry_run) return result;
    // Data files first, then the manifests that list them, then the lists: a crash part-way
    // leaves only files that nothing references.
    for (const auto* files : {&result.deleted.data_files, &result.deleted.statistics_files,
                              &result.deleted.manifests, &result.deleted.manifest_lists}) {
      RETURN_IF_ERROR(DeleteTableFiles(ops.io(), base->location, *files, nullptr));
    }
    return result;
  }
  return Conflict("the table kept changing while expiring snapshots; try again ({})",
                  last_conflict.message());
}

}  // namespace faceberg::table
