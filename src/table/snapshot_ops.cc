#include "table/snapshot_ops.h"

#include <algorithm>
#include <cctype>
#include <limits>

#include "table/update.h"
#include "util/strings.h"
#include "util/time.h"

namespace faceberg::table {

using iceberg::RefType;
using iceberg::Snapshot;
using iceberg::SnapshotRef;
using iceberg::TableMetadata;

namespace {

std::string_view RefKind(RefType type) { return type == RefType::kTag ? "tag" : "branch"; }

std::optional<int64_t> CurrentMainId(const TableMetadata& md) {
  auto it = md.refs.find(iceberg::kMainBranch);
  if (it != md.refs.end()) return it->second.snapshot_id;
  return md.current_snapshot_id;
}

}  // namespace

Result<RollbackResult> Rollback(TableOperations& ops, const RollbackOptions& options) {
  PRECHECK(options.snapshot_id.has_value() != options.to_time_ms.has_value(),
           "give the rollback target as a snapshot id or as a time (one of them)");
  ASSIGN_OR_RETURN(iceberg::TableMetadataPtr base, ops.Refresh());
  const TableMetadata& md = *base;
  RollbackResult result;
  result.from_snapshot_id = CurrentMainId(md);
  PRECHECK(result.from_snapshot_id.has_value() || options.force,
           "the table has no current snapshot to roll back from");
  std::vector<int64_t> ancestry =
      result.from_snapshot_id ? md.Ancestry(*result.from_snapshot_id) : std::vector<int64_t>{};
  auto is_ancestor = [&](int64_t id) {
    return std::find(ancestry.begin(), ancestry.end(), id) != ancestry.end();
  };
  if (options.snapshot_id) {
    RETURN_IF_ERROR(md.FindSnapshot(*options.snapshot_id));
    if (!options.force && !is_ancestor(*options.snapshot_id)) {
      return InvalidArgument(
          "snapshot {} is not an ancestor of the current snapshot {}: pass --force to make it "
          "current anyway",
          *options.snapshot_id, *result.from_snapshot_id);
    }
    result.to_snapshot_id = *options.snapshot_id;
  } else if (options.force) {
    ASSIGN_OR_RETURN(const Snapshot* s, md.SnapshotAsOf(*options.to_time_ms));
    result.to_snapshot_id = s->snapshot_id;
  } else {
    const Snapshot* best = nullptr;
    for (int64_t id : ancestry) {
      const Snapshot* s = md.SnapshotById(id);
      if (s && s->timestamp_ms <= *options.to_time_ms &&
          (!best || s->timestamp_ms > best->timestamp_ms)) {
        best = s;
      }
    }
    if (!best) {
      return NotFound(
          "no ancestor of the current snapshot was committed at or before {}: pick a later time",
          FormatMillisUtc(*options.to_time_ms));
    }
    result.to_snapshot_id = best->snapshot_id;
  }
  SnapshotRef ref;
  if (auto it = md.refs.find(iceberg::kMainBranch); it != md.refs.end()) ref = it->second;
  ref.type = RefType::kBranch;
  ref.snapshot_id = result.to_snapshot_id;
  ASSIGN_OR_RETURN(auto committed,
                   CommitTable(ops, {AssertRefSnapshotId{iceberg::kMainBranch, CurrentMainId(md)}},
                               {SetSnapshotRef{iceberg::kMainBranch, ref}}));
  (void)committed;
  return result;
}

Result<SnapshotRef> SetRef(TableOperations& ops, const std::string& name,
                           const SetRefOptions& options) {
  const std::string_view kind = RefKind(options.type);
  PRECHECK(!Trim(name).empty(), "the {} needs a name", kind);
  const RefRetention& r = options.retention;
  PRECHECK(!(options.type == RefType::kTag && (r.min_snapshots_to_keep || r.max_snapshot_age_ms)),
           "a tag keeps exactly one snapshot: --min-snapshots-to-keep and --max-snapshot-age are "
           "for branches");
  PRECHECK(!r.max_ref_age_ms || *r.max_ref_age_ms > 0, "--max-ref-age must be positive");
  PRECHECK(!r.max_snapshot_age_ms || *r.max_snapshot_age_ms > 0,
           "--max-snapshot-age must be positive");
  PRECHECK(!r.min_snapshots_to_keep || *r.min_snapshots_to_keep > 0,
           "--min-snapshots-to-keep must be at least 1");
  PRECHECK(!(name == iceberg::kMainBranch && options.type == RefType::kTag),
           "'main' is the main branch; it cannot be a tag");
  PRECHECK(!(name == iceberg::kMainBranch && r.max_ref_age_ms),
           "the main branch never expires: it takes no --max-ref-age");
  ASSIGN_OR_RETURN(iceberg::TableMetadataPtr base, ops.Refresh());
  const TableMetadata& md = *base;
  auto existing = md.refs.find(name);
  const bool exists = existing != md.refs.end();
  if (exists && existing->second.type != options.type) {
    return InvalidArgument("'{}' is a {}, not a {}", name, RefKind(existing->second.type), kind);
  }
  int64_t snapshot_id = 0;
  if (options.snapshot_id) {
    ASSIGN_OR_RETURN(const Snapshot* s, md.FindSnapshot(*options.snapshot_id));
    snapshot_id = s->snapshot_id;
  } else if (exists) {
    snapshot_id = existing->second.snapshot_id;
  } else if (md.current_snapshot_id) {
    snapshot_id = *md.current_snapshot_id;
  } else {
    return InvalidArgument("the table has no snapshot yet: insert data first or pass --snapshot");
  }
  if (exists && !options.replace && (existing->second.snapshot_id != snapshot_id || r.empty())) {
    return AlreadyExists(
        "'{}' already exists ({} {}): pass --replace to move it, or only retention options to "
        "change them",
        name, RefKind(existing->second.type), existing->second.snapshot_id);
  }
  SnapshotRef ref = exists ? existing->second : SnapshotRef{};
  ref.type = options.type;
  ref.snapshot_id = snapshot_id;
  if (r.max_ref_age_ms) ref.max_ref_age_ms = r.max_ref_age_ms;
  if (r.min_snapshots_to_keep) ref.min_snapshots_to_keep = r.min_snapshots_to_keep;
  if (r.max_snapshot_age_ms) ref.max_snapshot_age_ms = r.max_snapshot_age_ms;
  std::optional<int64_t> expected;
  if (exists) expected = existing->second.snapshot_id;
  ASSIGN_OR_RETURN(auto committed, CommitTable(ops, {AssertRefSnapshotId{name, expected}},
                                               {SetSnapshotRef{name, ref}}));
  auto it = committed->refs.find(name);
  if (it == committed->refs.end()) return Internal("ref '{}' is missing after its commit", name);
  return it->second;
}

Status DropRef(TableOperations& ops, const std::string& name) {
  PRECHECK(name != iceberg::kMainBranch, "the main branch cannot be dropped");
  ASSIGN_OR_RETURN(iceberg::TableMetadataPtr base, ops.Refresh());
  auto existing = base->refs.find(name);
  if (existing == base->refs.end()) {
    return NotFound("the table has no branch or tag named '{}': run 'faceberg refs TABLE'", name);
  }
  return CommitTable(ops, {AssertRefSnapshotId{name, existing->second.snapshot_id}},
                     {RemoveSnapshotRef{name}})
      .status();
}

Result<const Snapshot*> ResolveSnapshot(const TableMetadata& metadata, std::string_view text) {
  std::string trimmed(Trim(text));
  PRECHECK(!trimmed.empty(), "a snapshot reference is empty: give an id, a time or a ref name");
  if (metadata.refs.count(trimmed) || trimmed == iceberg::kMainBranch) {
    return metadata.SnapshotForRef(trimmed);
  }
  if (auto id = ParseInt64(trimmed)) {
    if (const Snapshot* s = metadata.SnapshotById(*id)) return s;
    // Not a snapshot id: a plain number is also an epoch-millisecond time.
    auto as_of = metadata.SnapshotAsOf(*id);
    if (as_of.ok()) return as_of;
    return NotFound(
        "'{}' is neither a snapshot id nor a time with a snapshot current then: run 'faceberg "
        "snapshots TABLE'",
        trimmed);
  }
  auto time = ParseTimeMillis(trimmed);
  if (!time.ok()) {
    return InvalidArgument(
        "'{}' is not a ref, a snapshot id or a time: run 'faceberg refs TABLE' or 'faceberg "
        "snapshots TABLE'",
        trimmed);
  }
  return metadata.SnapshotAsOf(*time);
}

Result<int64_t> ParseDurationMillis(std::string_view text) {
  std::string t = ToLower(Trim(text));
  size_t digits = 0;
  while (digits < t.size() && std::isdigit(static_cast<unsigned char>(t[digits]))) ++digits;
  auto bad = [&] {
    return InvalidArgument(
        "'{}' is not a duration: write a number with a unit, like 500ms, 30s, 15m, 12h, 7d or 2w",
        text);
  };
  if (digits == 0) return bad();
  auto number = ParseInt64(t.substr(0, digits));
  if (!number) return bad();
  std::string unit(Trim(std::string_view(t).substr(digits)));
  int64_t scale = 0;
  if (unit.empty() || unit == "ms") {
    scale = 1;
  } else if (unit == "s") {
    scale = 1000;
  } else if (unit == "m" || unit == "min") {
    scale = 60 * 1000;
  } else if (unit == "h") {
    scale = 3600 * 1000;
  } else if (unit == "d") {
    scale = 24 * 3600 * 1000;
  } else if (unit == "w") {
    scale = int64_t{7} * 24 * 3600 * 1000;
  } else {
    return bad();
  }
  if (*number > std::numeric_limits<int64_t>::max() / scale) return bad();
  return *number * scale;
}

Result<int64_t> ParseTimeOrAgo(std::string_view text, int64_t now_ms) {
  std::string t(Trim(text));
  if (!t.empty() && std::isdigit(static_cast<unsigned char>(t.front())) &&
      std::isalpha(static_cast<unsigned char>(t.back())) && t.find('-') == std::string::npos &&
      t.find(':') == std::string::npos) {
    ASSIGN_OR_RETURN(int64_t ago, ParseDurationMillis(t));
    return now_ms - ago;
  }
  auto time = ParseTimeMillis(t);
  if (!time.ok()) {
    return InvalidArgument(
        "'{}' is neither a time (2026-01-31T12:00:00Z, epoch ms) nor a duration ago (3d, 12h)",
        text);
  }
  return time;
}

}  // namespace faceberg::table
