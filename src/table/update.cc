#include "table/update.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include "io/file_io.h"
#include "util/strings.h"
#include "util/time.h"
#include "util/uuid.h"

namespace faceberg::table {

using iceberg::PartitionSpec;
using iceberg::PartitionSpecPtr;
using iceberg::Schema;
using iceberg::SchemaPtr;
using iceberg::Snapshot;
using iceberg::SnapshotRef;
using iceberg::SortOrder;
using iceberg::SortOrderPtr;
using iceberg::TableMetadata;

namespace {

// Lets std::visit take a set of lambdas.
template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

// JSON helpers report malformed input as Corrupt; a commit request is user input, so callers see
// InvalidArgument.
Status AsInvalid(const Status& st) {
  if (st.ok() || st.code() != ErrorCode::kCorrupt) return st;
  return Status(ErrorCode::kInvalidArgument, st.message());
}

template <typename T>
Result<T> AsInvalid(Result<T> r) {
  if (r.ok()) return r;
  return AsInvalid(r.status());
}

Result<int32_t> Int32Field(const Json& j, std::string_view key, std::string_view where) {
  ASSIGN_OR_RETURN(int64_t v, AsInvalid(RequiredInt(j, key, where)));
  return AsInvalid(JsonInt32(v, key, where));
}

Result<std::vector<int64_t>> IntArrayField(const Json& j, std::string_view key,
                                           std::string_view where) {
  ASSIGN_OR_RETURN(const Json* v, AsInvalid(RequiredMember(j, key, where)));
  if (!v->is_array()) return InvalidArgument("{} field '{}' must be an array", where, key);
  std::vector<int64_t> out;
  for (const auto& e : *v) {
    if (!e.is_number_integer()) {
      return InvalidArgument("{} field '{}' must hold integers", where, key);
    }
    out.push_back(e.get<int64_t>());
  }
  return out;
}

Result<std::vector<int32_t>> Int32ArrayField(const Json& j, std::string_view key,
                                             std::string_view where) {
  ASSIGN_OR_RETURN(auto wide, IntArrayField(j, key, where));
  std::vector<int32_t> out;
  for (int64_t v : wide) {
    ASSIGN_OR_RETURN(int32_t narrow, AsInvalid(JsonInt32(v, key, where)));
    out.push_back(narrow);
  }
  return out;
}

// ---- snapshots and refs as in table metadata ----

Result<Snapshot> SnapshotFromJson(const Json& j) {
  constexpr std::string_view kWhere = "add-snapshot snapshot";
  if (!j.is_object()) return InvalidArgument("{} must be an object", kWhere);
  Snapshot s;
  ASSIGN_OR_RETURN(s.snapshot_id, AsInvalid(RequiredInt(j, "snapshot-id", kWhere)));
  ASSIGN_OR_RETURN(s.parent_snapshot_id, AsInvalid(OptionalInt(j, "parent-snapshot-id", kWhere)));
  ASSIGN_OR_RETURN(auto seq, AsInvalid(OptionalInt(j, "sequence-number", kWhere)));
  s.sequence_number = seq.value_or(0);
  ASSIGN_OR_RETURN(s.timestamp_ms, AsInvalid(RequiredInt(j, "timestamp-ms", kWhere)));
  ASSIGN_OR_RETURN(s.manifest_list, AsInvalid(RequiredString(j, "manifest-list", kWhere)));
  ASSIGN_OR_RETURN(const Json* summary, AsInvalid(RequiredMember(j, "summary", kWhere)));
  if (!summary->is_object()) return InvalidArgument("{} 'summary' must be an object", kWhere);
  for (auto it = summary->begin(); it != summary->end(); ++it) {
    if (it->is_string()) {
      s.summary[it.key()] = it->get<std::string>();
    } else if (it->is_number() || it->is_boolean()) {
      s.summary[it.key()] = it->dump();
    } else {
      return InvalidArgument("{} summary value of '{}' must be a string", kWhere, it.key());
    }
  }
  if (!s.summary.count(iceberg::summary::kOperation)) {
    return InvalidArgument("{} summary has no 'operation'", kWhere);
  }
  ASSIGN_OR_RETURN(auto schema_id, AsInvalid(OptionalInt(j, "schema-id", kWhere)));
  if (schema_id) {
    ASSIGN_OR_RETURN(s.schema_id, AsInvalid(JsonInt32(*schema_id, "schema-id", kWhere)));
  }
  return s;
}

Json SnapshotToJson(const Snapshot& s) {
  Json j;
  j["snapshot-id"] = s.snapshot_id;
  if (s.parent_snapshot_id) j["parent-snapshot-id"] = *s.parent_snapshot_id;
  j["sequence-number"] = s.sequence_number;
  j["timestamp-ms"] = s.timestamp_ms;
  j["manifest-list"] = s.manifest_list;
  j["summary"] = s.summary;
  if (s.schema_id) j["schema-id"] = *s.schema_id;
  return j;
}

Result<SnapshotRef> RefFieldsFromJson(const Json& j, std::string_view where) {
  SnapshotRef ref;
  ASSIGN_OR_RETURN(ref.snapshot_id, AsInvalid(RequiredInt(j, "snapshot-id", where)));
  ASSIGN_OR_RETURN(std::string type, AsInvalid(RequiredString(j, "type", where)));
  if (type == "branch") {
    ref.type = iceberg::RefType::kBranch;
  } else if (type == "tag") {
    ref.type = iceberg::RefType::kTag;
  } else {
    return InvalidArgument("{} has unknown ref type '{}' (branch or tag)", where, type);
  }
  ASSIGN_OR_RETURN(auto min_keep, AsInvalid(OptionalInt(j, "min-snapshots-to-keep", where)));
  if (min_keep) {
    ASSIGN_OR_RETURN(ref.min_snapshots_to_keep,
                     AsInvalid(JsonInt32(*min_keep, "min-snapshots-to-keep", where)));
  }
  ASSIGN_OR_RETURN(ref.max_snapshot_age_ms,
                   AsInvalid(OptionalInt(j, "max-snapshot-age-ms", where)));
  ASSIGN_OR_RETURN(ref.max_ref_age_ms, AsInvalid(OptionalInt(j, "max-ref-age-ms", where)));
  return ref;
}

void RefFieldsToJson(const SnapshotRef& ref, Json* j) {
  (*j)["type"] = ref.type == iceberg::RefType::kBranch ? "branch" : "tag";
  (*j)["snapshot-id"] = ref.snapshot_id;
  if (ref.max_ref_age_ms) (*j)["max-ref-age-ms"] = *ref.max_ref_age_ms;
  if (ref.max_snapshot_age_ms) (*j)["max-snapshot-age-ms"] = *ref.max_snapshot_age_ms;
  if (ref.min_snapshots_to_keep) (*j)["min-snapshots-to-keep"] = *ref.min_snapshots_to_keep;
}

Result<std::map<std::string, std::string>> StringMapField(const Json& j, std::string_view key,
                                                          std::string_view where) {
  ASSIGN_OR_RETURN(const Json* v, AsInvalid(RequiredMember(j, key, where)));
  if (!v->is_object()) return InvalidArgument("{} field '{}' must be an object", where, key);
  std::map<std::string, std::string> out;
  for (auto it = v->begin(); it != v->end(); ++it) {
    if (it->is_string()) {
      out[it.key()] = it->get<std::string>();
    } else if (it->is_number() || it->is_boolean()) {
      out[it.key()] = it->dump();
    } else {
      return InvalidArgument("{} value of '{}' must be a string", where, it.key());
    }
  }
  return out;
}

Result<std::vector<std::string>> StringArrayField(const Json& j, std::string_view key,
                                                  std::string_view where) {
  ASSIGN_OR_RETURN(const Json* v, AsInvalid(RequiredMember(j, key, where)));
  if (!v->is_array()) return InvalidArgument("{} field '{}' must be an array", where, key);
  std::vector<std::string> out;
  for (const auto& e : *v) {
    if (!e.is_string()) return InvalidArgument("{} field '{}' must hold strings", where, key);
    out.push_back(e.get<std::string>());
  }
  return out;
}

Result<Json> StatisticsObject(const Json& j, std::string_view key, std::string_view where) {
  ASSIGN_OR_RETURN(const Json* v, AsInvalid(RequiredMember(j, key, where)));
  if (!v->is_object()) return InvalidArgument("{} field '{}' must be an object", where, key);
  RETURN_IF_ERROR(AsInvalid(RequiredInt(*v, "snapshot-id", fmt::format("{} {}", where, key))));
  return *v;
}

// Identical structure, ignoring ids.
bool SameSchema(const Schema& a, const Schema& b) {
  Json ja = iceberg::SchemaToJson(a), jb = iceberg::SchemaToJson(b);
  ja.erase("schema-id");
  jb.erase("schema-id");
  return ja == jb;
}

// ---- requirement checks ----

Status Failed(std::string_view name, std::string_view what) {
  return Conflict("requirement {} failed: {}; reload the table and retry", name, what);
}

std::string RefDescription(const std::optional<int64_t>& id) {
  return id ? std::to_string(*id) : std::string("absent");
}

// What ApplyUpdates tracks across one commit's updates.
struct ApplyContext {
  std::optional<int32_t> last_added_schema;
  std::optional<int32_t> last_added_spec;
  std::optional<int32_t> last_added_order;
  std::set<int64_t> added_snapshots;
  bool changed = false;
  bool spec_changed = false;
  bool order_changed = false;
  bool schema_changed = false;
};

// Applies one update to the metadata being built; std::visit picks the overload.
class Applier {
 public:
  Applier(TableMetadata* md, ApplyContext* ctx) : md_(*md), ctx_(*ctx) {}

  Status operator()(const AssignUuid& u);
  Status operator()(const UpgradeFormatVersion& u);
  Status operator()(const AddSchema& u);
  Status operator()(const SetCurrentSchema& u);
  Status operator()(const AddSpec& u);
  Status operator()(const SetDefaultSpec& u);
  Status operator()(const AddSortOrder& u);
  Status operator()(const SetDefaultSortOrder& u);
  Status operator()(const AddSnapshot& u);
  Status operator()(const SetSnapshotRef& u);
  Status operator()(const RemoveSnapshots& u);
  Status operator()(const RemoveSnapshotRef& u);
  Status operator()(const SetLocation& u);
  Status operator()(const SetProperties& u);
  Status operator()(const RemoveProperties& u);
  Status operator()(const SetStatistics& u) {
    return SetStats(u.statistics, &md_.statistics, "set-statistics");
  }
  Status operator()(const RemoveStatistics& u) {
    return RemoveStats(u.snapshot_id, &md_.statistics);
  }
  Status operator()(const SetPartitionStatistics& u) {
    return SetStats(u.partition_statistics, &md_.partition_statistics, "set-partition-statistics");
  }
  Status operator()(const RemovePartitionStatistics& u) {
    return RemoveStats(u.snapshot_id, &md_.partition_statistics);
  }
  Status operator()(const RemoveSchemas& u);
  Status operator()(const RemovePartitionSpecs& u);

 private:
  // Replaces the entry of the statistics' snapshot (statistics files are kept verbatim).
  Status SetStats(const Json& stats, Json* list, std::string_view what);
  Status RemoveStats(int64_t snapshot_id, Json* list);
  // Drops the entries of `list` whose snapshot-id `gone` selects; true when any was dropped.
  template <typename Pred>
  static bool DropStats(Json* list, Pred gone) {
    if (!list->is_array()) {
      *list = Json::array();
      return false;
    }
    Json kept = Json::array();
    for (const auto& e : *list) {
      auto id = e.is_object() ? e.find("snapshot-id") : e.end();
      if (!(id != e.end() && id->is_number_integer() && gone(id->get<int64_t>()))) {
        kept.push_back(e);
      }
    }
    bool dropped = kept.size() != list->size();
    *list = std::move(kept);
    return dropped;
  }

  TableMetadata& md_;
  ApplyContext& ctx_;
};

Status Applier::operator()(const AssignUuid& u) {
  PRECHECK(!u.uuid.empty(), "assign-uuid needs a uuid");
  if (ToLower(u.uuid) != ToLower(md_.table_uuid)) {
    md_.table_uuid = ToLower(u.uuid);
    ctx_.changed = true;
  }
  return Status::OK();
}

Status Applier::operator()(const UpgradeFormatVersion& u) {
  if (u.format_version > iceberg::kMaxFormatVersion) {
    return InvalidArgument("format-version {} is newer than this faceberg writes (up to {})",
                           u.format_version, iceberg::kMaxFormatVersion);
  }
  if (u.format_version < md_.format_version) {
    return InvalidArgument("cannot downgrade a v{} table to v{}", md_.format_version,
                           u.format_version);
  }
  if (u.format_version != md_.format_version) {
    md_.format_version = u.format_version;
    ctx_.changed = true;
  }
  return Status::OK();
}

Status Applier::operator()(const AddSchema& u) {
  PRECHECK(u.schema != nullptr, "add-schema needs a schema");
  RETURN_IF_ERROR(u.schema->Validate());
  std::optional<int32_t> id;
  int32_t highest = -1;
  bool own_id_free = true;
  for (const auto& s : md_.schemas) {
    if (SameSchema(*s, *u.schema)) id = s->schema_id();
    highest = std::max(highest, s->schema_id());
    if (s->schema_id() == u.schema->schema_id()) own_id_free = false;
  }
  if (!id) {
    id = own_id_free ? u.schema->schema_id() : highest + 1;
    md_.schemas.push_back(
        std::make_shared<const Schema>(*id, u.schema->fields(), u.schema->identifier_field_ids()));
    md_.last_column_id = std::max(md_.last_column_id, u.schema->HighestFieldId());
    ctx_.changed = true;
  }
  ctx_.last_added_schema = id;
  return Status::OK();
}

Status Applier::operator()(const SetCurrentSchema& u) {
  int32_t id = u.schema_id;
  if (id == -1) {
    if (!ctx_.last_added_schema) {
      return InvalidArgument(
          "set-current-schema -1 needs an add-schema earlier in the same commit");
    }
    id = *ctx_.last_added_schema;
  }
  if (!md_.SchemaById(id)) return InvalidArgument("schema {} does not exist", id);
  if (id != md_.current_schema_id) {
    md_.current_schema_id = id;
    ctx_.changed = ctx_.schema_changed = true;
  }
  return Status::OK();
}

Status Applier::operator()(const AddSpec& u) {
  PRECHECK(u.spec != nullptr, "add-spec needs a spec");
  std::optional<int32_t> id;
  int32_t highest = -1;
  bool own_id_free = true;
  for (const auto& s : md_.partition_specs) {
    if (s->fields == u.spec->fields) id = s->spec_id;
    highest = std::max(highest, s->spec_id);
    if (s->spec_id == u.spec->spec_id) own_id_free = false;
  }
  if (!id) {
    auto spec = std::make_shared<PartitionSpec>(*u.spec);
    spec->spec_id = own_id_free ? u.spec->spec_id : highest + 1;
    id = spec->spec_id;
    md_.last_partition_id = std::max(md_.last_partition_id, spec->LastFieldId());
    md_.partition_specs.push_back(std::move(spec));
    ctx_.changed = true;
  }
  ctx_.last_added_spec = id;
  return Status::OK();
}

Status Applier::operator()(const SetDefaultSpec& u) {
  int32_t id = u.spec_id;
  if (id == -1) {
    if (!ctx_.last_added_spec) {
      return InvalidArgument("set-default-spec -1 needs an add-spec earlier in the same commit");
    }
    id = *ctx_.last_added_spec;
  }
  if (!md_.SpecById(id)) return InvalidArgument("partition spec {} does not exist", id);
  if (id != md_.default_spec_id) {
    md_.default_spec_id = id;
    ctx_.changed = ctx_.spec_changed = true;
  }
  return Status::OK();
}

Status Applier::operator()(const AddSortOrder& u) {
  PRECHECK(u.sort_order != nullptr, "add-sort-order needs a sort order");
  std::optional<int32_t> id;
  int32_t highest = 0;
  bool own_id_free = true;
  for (const auto& o : md_.sort_orders) {
    if (o->fields == u.sort_order->fields) id = o->order_id;
    highest = std::max(highest, o->order_id);
    if (o->order_id == u.sort_order->order_id) own_id_free = false;
  }
  if (!id) {
    auto order = std::make_shared<SortOrder>(*u.sort_order);
    if (order->IsUnsorted()) {
      order->order_id = SortOrder::kUnsortedOrderId;
    } else if (!own_id_free || order->order_id == SortOrder::kUnsortedOrderId) {
      order->order_id = highest + 1;  // id 0 is reserved for the unsorted order
    }
    id = order->order_id;
    md_.sort_orders.push_back(std::move(order));
    ctx_.changed = true;
  }
  ctx_.last_added_order = id;
  return Status::OK();
}

Status Applier::operator()(const SetDefaultSortOrder& u) {
  int32_t id = u.sort_order_id;
  if (id == -1) {
    if (!ctx_.last_added_order) {
      return InvalidArgument(
          "set-default-sort-order -1 needs an add-sort-order earlier in the same commit");
    }
    id = *ctx_.last_added_order;
  }
  bool found = std::any_of(md_.sort_orders.begin(), md_.sort_orders.end(),
                           [&](const SortOrderPtr& o) { return o->order_id == id; });
  if (!found) return InvalidArgument("sort order {} does not exist", id);
  if (id != md_.default_sort_order_id) {
    md_.default_sort_order_id = id;
    ctx_.changed = ctx_.order_changed = true;
  }
  return Status::OK();
}

Status Applier::operator()(const AddSnapshot& u) {
  const Snapshot& s = u.snapshot;
  if (md_.schemas.empty()) return InvalidArgument("cannot add a snapshot before a schema");
  if (md_.SnapshotById(s.snapshot_id)) {
    return InvalidArgument("snapshot {} already exists", s.snapshot_id);
  }
  if (md_.format_version >= 2 && s.parent_snapshot_id &&
      s.sequence_number <= md_.last_sequence_number) {
    return InvalidArgument(
        "snapshot {} has sequence number {}, not above the table's last sequence number {}",
        s.snapshot_id, s.sequence_number, md_.last_sequence_number);
  }
  md_.snapshots.push_back(s);
  if (md_.format_version >= 2) {
    md_.last_sequence_number = std::max(md_.last_sequence_number, s.sequence_number);
  }
  ctx_.added_snapshots.insert(s.snapshot_id);
  ctx_.changed = true;
  return Status::OK();
}

Status Applier::operator()(const SetSnapshotRef& u) {
  PRECHECK(!u.ref_name.empty(), "set-snapshot-ref needs a ref-name");
  const Snapshot* s = md_.SnapshotById(u.ref.snapshot_id);
  if (!s) {
    return InvalidArgument("cannot point ref '{}' at unknown snapshot {}", u.ref_name,
                           u.ref.snapshot_id);
  }
  if (u.ref_name == iceberg::kMainBranch && u.ref.type != iceberg::RefType::kBranch) {
    return InvalidArgument("ref 'main' must be a branch");
  }
  if (u.ref.type == iceberg::RefType::kTag &&
      (u.ref.min_snapshots_to_keep || u.ref.max_snapshot_age_ms)) {
    return InvalidArgument(
        "tag '{}' cannot have min-snapshots-to-keep or max-snapshot-age-ms (branches only)",
        u.ref_name);
  }
  auto existing = md_.refs.find(u.ref_name);
  if (existing != md_.refs.end() && existing->second == u.ref) return Status::OK();
  md_.refs[u.ref_name] = u.ref;
  if (u.ref_name == iceberg::kMainBranch) {
    md_.current_snapshot_id = u.ref.snapshot_id;
    int64_t when = ctx_.added_snapshots.count(s->snapshot_id)
                       ? s->timestamp_ms
                       : std::max(NowMillis(), md_.last_updated_ms);
    md_.snapshot_log.push_back({when, u.ref.snapshot_id});
  }
  ctx_.changed = true;
  return Status::OK();
}

Status Applier::operator()(const RemoveSnapshots& u) {
  std::set<int64_t> removed;
  for (int64_t id : u.snapshot_ids) {
    if (md_.SnapshotById(id)) removed.insert(id);  // unknown ids: already gone
  }
  if (removed.empty()) return Status::OK();
  auto is_removed = [&](int64_t id) { return removed.count(id) > 0; };
  std::erase_if(md_.snapshots, [&](const Snapshot& s) { return is_removed(s.snapshot_id); });
  std::erase_if(md_.refs, [&](const auto& ref) { return is_removed(ref.second.snapshot_id); });
  if (md_.current_snapshot_id && is_removed(*md_.current_snapshot_id)) {
    md_.current_snapshot_id.reset();
  }
  // An entry whose snapshot is gone invalidates the history before it (Java's rule): otherwise
  // time travel to those times would answer with the wrong snapshot.
  std::vector<iceberg::SnapshotLogEntry> log;
  for (const auto& e : md_.snapshot_log) {
    if (md_.SnapshotById(e.snapshot_id)) {
      log.push_back(e);
    } else {
      log.clear();
    }
  }
  md_.snapshot_log = std::move(log);
  DropStats(&md_.statistics, is_removed);
  DropStats(&md_.partition_statistics, is_removed);
  ctx_.changed = true;
  return Status::OK();
}

Status Applier::operator()(const RemoveSnapshotRef& u) {
  if (md_.refs.erase(u.ref_name) == 0) return Status::OK();
  if (u.ref_name == iceberg::kMainBranch) md_.current_snapshot_id.reset();
  ctx_.changed = true;
  return Status::OK();
}

Status Applier::operator()(const SetLocation& u) {
  std::string location = u.location;
  while (location.size() > 1 && location.back() == '/') location.pop_back();
  PRECHECK(!location.empty(), "set-location needs a location");
  RETURN_IF_ERROR(io::ValidateTableLocation(location));
  if (location != md_.location) {
    md_.location = location;
    ctx_.changed = true;
  }
  return Status::OK();
}

Status Applier::operator()(const SetProperties& u) {
  for (const auto& [k, v] : u.updates) {
    if (k == "format-version") {
      return InvalidArgument(
          "'format-version' is reserved: use upgrade-format-version to change it");
    }
    auto it = md_.properties.find(k);
    if (it == md_.properties.end() || it->second != v) {
      md_.properties[k] = v;
      ctx_.changed = true;
    }
  }
  return Status::OK();
}

Status Applier::operator()(const RemoveProperties& u) {
  for (const auto& k : u.removals) {
    if (md_.properties.erase(k)) ctx_.changed = true;
  }
  return Status::OK();
}

Status Applier::SetStats(const Json& stats, Json* list, std::string_view what) {
  auto id = stats.is_object() ? stats.find("snapshot-id") : stats.end();
  PRECHECK(id != stats.end() && id->is_number_integer(), "{} needs statistics with a snapshot-id",
           what);
  const int64_t snapshot_id = id->get<int64_t>();
  DropStats(list, [&](int64_t s) { return s == snapshot_id; });
  list->push_back(stats);
  ctx_.changed = true;
  return Status::OK();
}

Status Applier::RemoveStats(int64_t snapshot_id, Json* list) {
  if (DropStats(list, [&](int64_t s) { return s == snapshot_id; })) ctx_.changed = true;
  return Status::OK();
}

Status Applier::operator()(const RemoveSchemas& u) {
  for (int32_t id : u.schema_ids) {
    if (id == md_.current_schema_id) {
      return InvalidArgument("cannot remove the current schema {}", id);
    }
    if (std::erase_if(md_.schemas, [&](const SchemaPtr& s) { return s->schema_id() == id; })) {
      ctx_.changed = true;
    }
  }
  return Status::OK();
}

Status Applier::operator()(const RemovePartitionSpecs& u) {
  for (int32_t id : u.spec_ids) {
    if (id == md_.default_spec_id) {
      return InvalidArgument("cannot remove the default partition spec {}", id);
    }
    if (std::erase_if(md_.partition_specs,
                      [&](const PartitionSpecPtr& s) { return s->spec_id == id; })) {
      ctx_.changed = true;
    }
  }
  return Status::OK();
}

}  // namespace

std::string_view RequirementName(const TableRequirement& requirement) {
  return std::visit(
      Overloaded{
          [](const AssertCreate&) { return "assert-create"; },
          [](const AssertTableUuid&) { return "assert-table-uuid"; },
          [](const AssertRefSnapshotId&) { return "assert-ref-snapshot-id"; },
          [](const AssertLastAssignedFieldId&) { return "assert-last-assigned-field-id"; },
          [](const AssertCurrentSchemaId&) { return "assert-current-schema-id"; },
          [](const AssertLastAssignedPartitionId&) { return "assert-last-assigned-partition-id"; },
          [](const AssertDefaultSpecId&) { return "assert-default-spec-id"; },
          [](const AssertDefaultSortOrderId&) { return "assert-default-sort-order-id"; },
      },
      requirement);
}

std::string_view UpdateName(const TableUpdate& update) {
  return std::visit(
      Overloaded{
          [](const AssignUuid&) { return "assign-uuid"; },
          [](const UpgradeFormatVersion&) { return "upgrade-format-version"; },
          [](const AddSchema&) { return "add-schema"; },
          [](const SetCurrentSchema&) { return "set-current-schema"; },
          [](const AddSpec&) { return "add-spec"; },
          [](const SetDefaultSpec&) { return "set-default-spec"; },
          [](const AddSortOrder&) { return "add-sort-order"; },
          [](const SetDefaultSortOrder&) { return "set-default-sort-order"; },
          [](const AddSnapshot&) { return "add-snapshot"; },
          [](const SetSnapshotRef&) { return "set-snapshot-ref"; },
          [](const RemoveSnapshots&) { return "remove-snapshots"; },
          [](const RemoveSnapshotRef&) { return "remove-snapshot-ref"; },
          [](const SetLocation&) { return "set-location"; },
          [](const SetProperties&) { return "set-properties"; },
          [](const RemoveProperties&) { return "remove-properties"; },
          [](const SetStatistics&) { return "set-statistics"; },
          [](const RemoveStatistics&) { return "remove-statistics"; },
          [](const SetPartitionStatistics&) { return "set-partition-statistics"; },
          [](const RemovePartitionStatistics&) { return "remove-partition-statistics"; },
          [](const RemoveSchemas&) { return "remove-schemas"; },
          [](const RemovePartitionSpecs&) { return "remove-partition-specs"; },
      },
      update);
}

// ---- JSON ----

Result<TableRequirement> TableRequirementFromJson(const Json& j) {
  if (!j.is_object()) return InvalidArgument("a table requirement must be a JSON object");
  ASSIGN_OR_RETURN(std::string type, AsInvalid(RequiredString(j, "type", "table requirement")));
  const std::string where = fmt::format("requirement {}", type);
  if (type == "assert-create") return AssertCreate{};
  if (type == "assert-table-uuid") {
    ASSIGN_OR_RETURN(std::string uuid, AsInvalid(RequiredString(j, "uuid", where)));
    return AssertTableUuid{uuid};
  }
  if (type == "assert-ref-snapshot-id") {
    AssertRefSnapshotId r;
    ASSIGN_OR_RETURN(r.ref, AsInvalid(RequiredString(j, "ref", where)));
    ASSIGN_OR_RETURN(r.snapshot_id, AsInvalid(OptionalInt(j, "snapshot-id", where)));
    return r;
  }
  if (type == "assert-last-assigned-field-id") {
    ASSIGN_OR_RETURN(int32_t id, Int32Field(j, "last-assigned-field-id", where));
    return AssertLastAssignedFieldId{id};
  }
  if (type == "assert-current-schema-id") {
    ASSIGN_OR_RETURN(int32_t id, Int32Field(j, "current-schema-id", where));
    return AssertCurrentSchemaId{id};
  }
  if (type == "assert-last-assigned-partition-id") {
    ASSIGN_OR_RETURN(int32_t id, Int32Field(j, "last-assigned-partition-id", where));
    return AssertLastAssignedPartitionId{id};
  }
  if (type == "assert-default-spec-id") {
    ASSIGN_OR_RETURN(int32_t id, Int32Field(j, "default-spec-id", where));
    return AssertDefaultSpecId{id};
  }
  if (type == "assert-default-sort-order-id") {
    ASSIGN_OR_RETURN(int32_t id, Int32Field(j, "default-sort-order-id", where));
    return AssertDefaultSortOrderId{id};
  }
  return InvalidArgument("unknown table requirement type '{}'", type);
}

Json TableRequirementToJson(const TableRequirement& requirement) {
  Json j;
  j["type"] = std::string(RequirementName(requirement));
  std::visit(
      Overloaded{
          [&](const AssertCreate&) {},
          [&](const AssertTableUuid& r) { j["uuid"] = r.uuid; },
          [&](const AssertRefSnapshotId& r) {
            j["ref"] = r.ref;
            j["snapshot-id"] = r.snapshot_id ? Json(*r.snapshot_id) : Json(nullptr);
          },
          [&](const AssertLastAssignedFieldId& r) {
            j["last-assigned-field-id"] = r.last_assigned_field_id;
          },
          [&](const AssertCurrentSchemaId& r) { j["current-schema-id"] = r.current_schema_id; },
          [&](const AssertLastAssignedPartitionId& r) {
            j["last-assigned-partition-id"] = r.last_assigned_partition_id;
          },
          [&](const AssertDefaultSpecId& r) { j["default-spec-id"] = r.default_spec_id; },
          [&](const AssertDefaultSortOrderId& r) {
            j["default-sort-order-id"] = r.default_sort_order_id;
          },
      },
      requirement);
  return j;
}

Result<TableUpdate> TableUpdateFromJson(const Json& j) {
  if (!j.is_object()) return InvalidArgument("a table update must be a JSON object");
  ASSIGN_OR_RETURN(std::string action, AsInvalid(RequiredString(j, "action", "table update")));
  const std::string where = fmt::format("update {}", action);
  if (action == "assign-uuid") {
    ASSIGN_OR_RETURN(std::string uuid, AsInvalid(RequiredString(j, "uuid", where)));
    return AssignUuid{uuid};
  }
  if (action == "upgrade-format-version") {
    ASSIGN_OR_RETURN(int32_t v, Int32Field(j, "format-version", where));
    return UpgradeFormatVersion{v};
  }
  if (action == "add-schema") {
    ASSIGN_OR_RETURN(const Json* schema, AsInvalid(RequiredMember(j, "schema", where)));
    ASSIGN_OR_RETURN(SchemaPtr s, AsInvalid(iceberg::SchemaFromJson(*schema)));
    return AddSchema{std::move(s)};  // "last-column-id" is deprecated and recomputed
  }
  if (action == "set-current-schema") {
    ASSIGN_OR_RETURN(int32_t id, Int32Field(j, "schema-id", where));
    return SetCurrentSchema{id};
  }
  if (action == "add-spec") {
    ASSIGN_OR_RETURN(const Json* spec, AsInvalid(RequiredMember(j, "spec", where)));
    if (!spec->is_object()) return InvalidArgument("{} field 'spec' must be an object", where);
    ASSIGN_OR_RETURN(PartitionSpec s, AsInvalid(iceberg::PartitionSpecFromJson(*spec)));
    return AddSpec{std::make_shared<const PartitionSpec>(std::move(s))};
  }
  if (action == "set-default-spec") {
    ASSIGN_OR_RETURN(int32_t id, Int32Field(j, "spec-id", where));
    return SetDefaultSpec{id};
  }
  if (action == "add-sort-order") {
    ASSIGN_OR_RETURN(const Json* order, AsInvalid(RequiredMember(j, "sort-order", where)));
    ASSIGN_OR_RETURN(SortOrder o, AsInvalid(iceberg::SortOrderFromJson(*order)));
    return AddSortOrder{std::make_shared<const SortOrder>(std::move(o))};
  }
  if (action == "set-default-sort-order") {
    ASSIGN_OR_RETURN(int32_t id, Int32Field(j, "sort-order-id", where));
    return SetDefaultSortOrder{id};
  }
  if (action == "add-snapshot") {
    ASSIGN_OR_RETURN(const Json* snapshot, AsInvalid(RequiredMember(j, "snapshot", where)));
    ASSIGN_OR_RETURN(Snapshot s, SnapshotFromJson(*snapshot));
    return AddSnapshot{std::move(s)};
  }
  if (action == "set-snapshot-ref") {
    SetSnapshotRef u;
    ASSIGN_OR_RETURN(u.ref_name, AsInvalid(RequiredString(j, "ref-name", where)));
    ASSIGN_OR_RETURN(u.ref, RefFieldsFromJson(j, where));
    return u;
  }
  if (action == "remove-snapshots") {
    ASSIGN_OR_RETURN(auto ids, IntArrayField(j, "snapshot-ids", where));
    return RemoveSnapshots{std::move(ids)};
  }
  if (action == "remove-snapshot-ref") {
    ASSIGN_OR_RETURN(std::string name, AsInvalid(RequiredString(j, "ref-name", where)));
    return RemoveSnapshotRef{name};
  }
  if (action == "set-location") {
    ASSIGN_OR_RETURN(std::string location, AsInvalid(RequiredString(j, "location", where)));
    return SetLocation{location};
  }
  if (action == "set-properties") {
    ASSIGN_OR_RETURN(auto updates, StringMapField(j, "updates", where));
    return SetProperties{std::move(updates)};
  }
  if (action == "remove-properties") {
    ASSIGN_OR_RETURN(auto removals, StringArrayField(j, "removals", where));
    return RemoveProperties{std::move(removals)};
  }
  if (action == "set-statistics") {
    ASSIGN_OR_RETURN(Json stats, StatisticsObject(j, "statistics", where));
    return SetStatistics{std::move(stats)};
  }
  if (action == "remove-statistics") {
    ASSIGN_OR_RETURN(int64_t id, AsInvalid(RequiredInt(j, "snapshot-id", where)));
    return RemoveStatistics{id};
  }
  if (action == "set-partition-statistics") {
    ASSIGN_OR_RETURN(Json stats, StatisticsObject(j, "partition-statistics", where));
    return SetPartitionStatistics{std::move(stats)};
  }
  if (action == "remove-partition-statistics") {
    ASSIGN_OR_RETURN(int64_t id, AsInvalid(RequiredInt(j, "snapshot-id", where)));
    return RemovePartitionStatistics{id};
  }
  if (action == "remove-schemas") {
    ASSIGN_OR_RETURN(auto ids, Int32ArrayField(j, "schema-ids", where));
    return RemoveSchemas{std::move(ids)};
  }
  if (action == "remove-partition-specs") {
    ASSIGN_OR_RETURN(auto ids, Int32ArrayField(j, "spec-ids", where));
    return RemovePartitionSpecs{std::move(ids)};
  }
  if (action == "add-encryption-key" || action == "remove-encryption-key" ||
      action == "enable-row-lineage" || action == "add-view-version" ||
      action == "set-current-view-version") {
    return NotSupported("table update '{}' is not supported by this faceberg", action);
  }
  return InvalidArgument("unknown table update action '{}'", action);
}

Json TableUpdateToJson(const TableUpdate& update) {
  Json j;
  j["action"] = std::string(UpdateName(update));
  std::visit(
      Overloaded{
          [&](const AssignUuid& u) { j["uuid"] = u.uuid; },
          [&](const UpgradeFormatVersion& u) { j["format-version"] = u.format_version; },
          [&](const AddSchema& u) { j["schema"] = iceberg::SchemaToJson(*u.schema); },
          [&](const SetCurrentSchema& u) { j["schema-id"] = u.schema_id; },
          [&](const AddSpec& u) { j["spec"] = iceberg::PartitionSpecToJson(*u.spec); },
          [&](const SetDefaultSpec& u) { j["spec-id"] = u.spec_id; },
          [&](const AddSortOrder& u) { j["sort-order"] = iceberg::SortOrderToJson(*u.sort_order); },
          [&](const SetDefaultSortOrder& u) { j["sort-order-id"] = u.sort_order_id; },
          [&](const AddSnapshot& u) { j["snapshot"] = SnapshotToJson(u.snapshot); },
          [&](const SetSnapshotRef& u) {
            j["ref-name"] = u.ref_name;
            RefFieldsToJson(u.ref, &j);
          },
          [&](const RemoveSnapshots& u) { j["snapshot-ids"] = u.snapshot_ids; },
          [&](const RemoveSnapshotRef& u) { j["ref-name"] = u.ref_name; },
          [&](const SetLocation& u) { j["location"] = u.location; },
          [&](const SetProperties& u) { j["updates"] = u.updates; },
          [&](const RemoveProperties& u) { j["removals"] = u.removals; },
          [&](const SetStatistics& u) { j["statistics"] = u.statistics; },
          [&](const RemoveStatistics& u) { j["snapshot-id"] = u.snapshot_id; },
          [&](const SetPartitionStatistics& u) {
            j["partition-statistics"] = u.partition_statistics;
          },
          [&](const RemovePartitionStatistics& u) { j["snapshot-id"] = u.snapshot_id; },
          [&](const RemoveSchemas& u) { j["schema-ids"] = u.schema_ids; },
          [&](const RemovePartitionSpecs& u) { j["spec-ids"] = u.spec_ids; },
      },
      update);
  return j;
}

Result<std::vector<TableRequirement>> TableRequirementsFromJson(const Json& json) {
  if (json.is_null()) return std::vector<TableRequirement>{};
  if (!json.is_array()) return InvalidArgument("'requirements' must be an array");
  std::vector<TableRequirement> out;
  for (const auto& e : json) {
    ASSIGN_OR_RETURN(TableRequirement r, TableRequirementFromJson(e));
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<TableUpdate>> TableUpdatesFromJson(const Json& json) {
  if (json.is_null()) return std::vector<TableUpdate>{};
  if (!json.is_array()) return InvalidArgument("'updates' must be an array");
  std::vector<TableUpdate> out;
  for (const auto& e : json) {
    ASSIGN_OR_RETURN(TableUpdate u, TableUpdateFromJson(e));
    out.push_back(std::move(u));
  }
  return out;
}

// ---- checks ----

Status CheckRequirements(const TableMetadata* base,
                         const std::vector<TableRequirement>& requirements) {
  for (const auto& requirement : requirements) {
    std::string_view name = RequirementName(requirement);
    if (std::holds_alternative<AssertCreate>(requirement)) {
      if (base) return Failed(name, "the table already exists");
      continue;
    }
    if (!base) return Failed(name, "the table does not exist");
    Status st = std::visit(
        Overloaded{
            [&](const AssertCreate&) { return Status::OK(); },
            [&](const AssertTableUuid& r) {
              if (ToLower(r.uuid) == ToLower(base->table_uuid)) return Status::OK();
              return Failed(name, fmt::format("expected table uuid {}, the table has {}", r.uuid,
                                              base->table_uuid));
            },
            [&](const AssertRefSnapshotId& r) {
              auto it = base->refs.find(r.ref);
              std::optional<int64_t> actual;
              if (it != base->refs.end()) actual = it->second.snapshot_id;
              if (actual == r.snapshot_id) return Status::OK();
              return Failed(name,
                            fmt::format("expected ref '{}' at {}, it is {}", r.ref,
                                        RefDescription(r.snapshot_id), RefDescription(actual)));
            },
            [&](const AssertLastAssignedFieldId& r) {
              if (r.last_assigned_field_id == base->last_column_id) return Status::OK();
              return Failed(name, fmt::format("expected last assigned field id {}, it is {}",
                                              r.last_assigned_field_id, base->last_column_id));
            },
            [&](const AssertCurrentSchemaId& r) {
              if (r.current_schema_id == base->current_schema_id) return Status::OK();
              return Failed(name, fmt::format("expected current schema id {}, it is {}",
                                              r.current_schema_id, base->current_schema_id));
            },
            [&](const AssertLastAssignedPartitionId& r) {
              if (r.last_assigned_partition_id == base->last_partition_id) return Status::OK();
              return Failed(name,
                            fmt::format("expected last assigned partition id {}, it is {}",
                                        r.last_assigned_partition_id, base->last_partition_id));
            },
            [&](const AssertDefaultSpecId& r) {
              if (r.default_spec_id == base->default_spec_id) return Status::OK();
              return Failed(name, fmt::format("expected default spec id {}, it is {}",
                                              r.default_spec_id, base->default_spec_id));
            },
            [&](const AssertDefaultSortOrderId& r) {
              if (r.default_sort_order_id == base->default_sort_order_id) return Status::OK();
              return Failed(name,
                            fmt::format("expected default sort order id {}, it is {}",
                                        r.default_sort_order_id, base->default_sort_order_id));
            },
        },
        requirement);
    RETURN_IF_ERROR(st);
  }
  return Status::OK();
}

Result<TableMetadata> ApplyUpdates(const TableMetadata& base,
                                   const std::vector<TableUpdate>& updates) {
  TableMetadata md = base;
  ApplyContext ctx;
  for (const auto& update : updates) {
    Status st = std::visit(Applier(&md, &ctx), update);
    if (!st.ok()) return AsInvalid(st).WithContext(UpdateName(update));
  }
  if (!ctx.changed) return md;
  md.last_updated_ms = std::max(NowMillis(), base.last_updated_ms);
  Status st = md.Validate();
  if (!st.ok()) {
    return InvalidArgument("the updates leave the table inconsistent: {}", st.message());
  }
  const Schema& schema = *md.CurrentSchema();
  const bool creating = base.schemas.empty();  // a table built by this commit: check it all
  if (ctx.spec_changed || creating) {
    RETURN_IF_ERROR(iceberg::ValidatePartitionSpec(*md.DefaultSpec(), schema));
  } else if (ctx.schema_changed) {
    for (const auto& f : md.DefaultSpec()->fields) {
      if (!schema.FindFieldById(f.source_id)) {
        return InvalidArgument(
            "the new current schema drops column {} that partition field '{}' needs", f.source_id,
            f.name);
      }
    }
  }
  if (ctx.order_changed || ctx.schema_changed || creating) {
    RETURN_IF_ERROR(iceberg::ValidateSortOrder(*md.DefaultSortOrder(), schema));
  }
  return md;
}

TableMetadata EmptyTableMetadata(const std::vector<TableUpdate>& updates) {
  TableMetadata md;
  md.format_version = 2;
  for (const auto& u : updates) {
    if (auto* v = std::get_if<UpgradeFormatVersion>(&u)) md.format_version = v->format_version;
  }
  md.format_version = std::clamp(md.format_version, 1, iceberg::kMaxFormatVersion);
  md.table_uuid = RandomUuid();
  md.last_updated_ms = NowMillis();
  md.last_partition_id = PartitionSpec::kUnpartitionedLastFieldId;
  md.sort_orders.push_back(std::make_shared<const SortOrder>(SortOrder::Unsorted()));
  md.default_sort_order_id = SortOrder::kUnsortedOrderId;
  return md;
}

// ---- commit ----

Result<iceberg::TableMetadataPtr> CommitTable(TableOperations& ops,
                                              const std::vector<TableRequirement>& requirements,
                                              const std::vector<TableUpdate>& updates,
                                              const CommitOptions& options) {
  ASSIGN_OR_RETURN(iceberg::TableMetadataPtr base, ops.Refresh());
  auto property = [&](const char* key, int64_t fallback) {
    return ParseInt64(base->Property(key, "")).value_or(fallback);
  };
  const int max_attempts =
      options.max_attempts > 0
          ? options.max_attempts
          : static_cast<int>(std::clamp<int64_t>(property("commit.retry.num-retries", 4), 0, 100)) +
                1;
  const int64_t min_wait =
      options.min_wait_ms > 0
          ? options.min_wait_ms
          : std::clamp<int64_t>(property("commit.retry.min-wait-ms", 100), 1, 60'000);
  const int64_t max_wait = std::max(
      min_wait, std::clamp<int64_t>(property("commit.retry.max-wait-ms", 60'000), 1, 600'000));
  for (int attempt = 1;; ++attempt) {
    // On a retry, a requirement that no longer holds ends the commit: the change was built on
    // state that another writer replaced.
    RETURN_IF_ERROR(CheckRequirements(base.get(), requirements));
    if (updates.empty()) return base;
    ASSIGN_OR_RETURN(TableMetadata updated, ApplyUpdates(*base, updates));
    Status st = ops.Commit(base.get(), updated);
    if (st.ok()) {
      // What this commit wrote, read back from its file: a Refresh() could already return
      // another writer's later commit.
      if (ops.current()) return ReadMetadataFile(ops.io(), ops.current_metadata_location());
      return ops.Refresh();
    }
    if (st.code() != ErrorCode::kConflict) return st;
    if (attempt >= max_attempts) {
      return Conflict("gave up after {} attempts, other writers kept committing first: {}", attempt,
                      st.message());
    }
    int64_t wait = min_wait;
    for (int i = 1; i < attempt && wait < max_wait; ++i) wait *= 2;
    wait = std::min(wait, max_wait);
    wait = wait / 2 + RandomPositiveId() % (wait / 2 + 1);  // jitter in [wait/2, wait]
    std::this_thread::sleep_for(std::chrono::milliseconds(wait));
    ASSIGN_OR_RETURN(base, ops.Refresh());
  }
}

}  // namespace faceberg::table
