#include "iceberg/table_metadata.h"

#include <algorithm>
#include <set>

#include "util/strings.h"
#include "util/time.h"
#include "util/uuid.h"

namespace faceberg::iceberg {

int64_t Snapshot::SummaryInt(const std::string& key, int64_t fallback) const {
  auto it = summary.find(key);
  if (it == summary.end()) return fallback;
  return ParseInt64(it->second).value_or(fallback);
}

// ---- lookups ----

SchemaPtr TableMetadata::SchemaById(int32_t schema_id) const {
  for (const auto& s : schemas) {
    if (s->schema_id() == schema_id) return s;
  }
  return nullptr;
}

SchemaPtr TableMetadata::CurrentSchema() const { return SchemaById(current_schema_id); }

PartitionSpecPtr TableMetadata::SpecById(int32_t spec_id) const {
  for (const auto& s : partition_specs) {
    if (s->spec_id == spec_id) return s;
  }
  return nullptr;
}

PartitionSpecPtr TableMetadata::DefaultSpec() const { return SpecById(default_spec_id); }

SortOrderPtr TableMetadata::DefaultSortOrder() const {
  for (const auto& o : sort_orders) {
    if (o->order_id == default_sort_order_id) return o;
  }
  return nullptr;
}

const Snapshot* TableMetadata::SnapshotById(int64_t snapshot_id) const {
  for (const auto& s : snapshots) {
    if (s.snapshot_id == snapshot_id) return &s;
  }
  return nullptr;
}

const Snapshot* TableMetadata::CurrentSnapshot() const {
  return current_snapshot_id ? SnapshotById(*current_snapshot_id) : nullptr;
}

SchemaPtr TableMetadata::SchemaForSnapshot(const Snapshot& snapshot) const {
  if (snapshot.schema_id) {
    if (auto s = SchemaById(*snapshot.schema_id)) return s;
  }
  return CurrentSchema();
}

Result<const Snapshot*> TableMetadata::FindSnapshot(int64_t snapshot_id) const {
  if (const Snapshot* s = SnapshotById(snapshot_id)) return s;
  return NotFound(
      "snapshot {} does not exist in this table: run 'faceberg snapshots TABLE' to "
      "list the snapshots",
      snapshot_id);
}

Result<const Snapshot*> TableMetadata::SnapshotAsOf(int64_t timestamp_ms) const {
  const SnapshotLogEntry* best = nullptr;
  for (const auto& e : snapshot_log) {
    if (e.timestamp_ms <= timestamp_ms && (!best || e.timestamp_ms >= best->timestamp_ms)) {
      best = &e;
    }
  }
  if (!best) {
    if (snapshot_log.empty()) return NotFound("the table has no snapshot history");
    int64_t first = std::min_element(snapshot_log.begin(), snapshot_log.end(),
                                     [](const auto& a, const auto& b) {
                                       return a.timestamp_ms < b.timestamp_ms;
                                     })
                        ->timestamp_ms;
    return NotFound("{} is before the table's first snapshot ({}): pick a later time",
                    FormatMillisUtc(timestamp_ms), FormatMillisUtc(first));
  }
  const Snapshot* s = SnapshotById(best->snapshot_id);
  if (!s) {
    return NotFound("snapshot {} current at {} has been expired", best->snapshot_id,
                    FormatMillisUtc(timestamp_ms));
  }
  return s;
}

Result<const Snapshot*> TableMetadata::SnapshotForRef(const std::string& ref_name) const {
  auto it = refs.find(ref_name);
  if (it == refs.end()) {
    if (ref_name == kMainBranch && current_snapshot_id) return FindSnapshot(*current_snapshot_id);
    return NotFound("no branch or tag named '{}': run 'faceberg refs TABLE' to list them",
                    ref_name);
  }
  return FindSnapshot(it->second.snapshot_id);
}

std::vector<int64_t> TableMetadata::Ancestry(int64_t snapshot_id) const {
  std::vector<int64_t> out;
  std::set<int64_t> seen;
  const Snapshot* s = SnapshotById(snapshot_id);
  while (s && seen.insert(s->snapshot_id).second) {
    out.push_back(s->snapshot_id);
    s = s->parent_snapshot_id ? SnapshotById(*s->parent_snapshot_id) : nullptr;
  }
  return out;
}

std::string TableMetadata::Property(const std::string& key, const std::string& fallback) const {
  auto it = properties.find(key);
  return it == properties.end() ? fallback : it->second;
}

Status TableMetadata::Validate() const {
  if (!CurrentSchema()) return Corrupt("current-schema-id {} is not in schemas", current_schema_id);
  if (!DefaultSpec())
    return Corrupt("default-spec-id {} is not in partition-specs", default_spec_id);
  if (!DefaultSortOrder()) {
    return Corrupt("default-sort-order-id {} is not in sort-orders", default_sort_order_id);
  }
  if (current_snapshot_id && !SnapshotById(*current_snapshot_id)) {
    return Corrupt("current-snapshot-id {} is not in snapshots", *current_snapshot_id);
  }
  for (const auto& [name, ref] : refs) {
    if (!SnapshotById(ref.snapshot_id)) {
      return Corrupt("ref '{}' points at unknown snapshot {}", name, ref.snapshot_id);
    }
  }
  auto main = refs.find(kMainBranch);
  if (main != refs.end() && main->second.snapshot_id != current_snapshot_id.value_or(-1)) {
    return Corrupt("ref 'main' ({}) differs from current-snapshot-id", main->second.snapshot_id);
  }
  return Status::OK();
}

// ---- JSON reading ----

namespace {

Result<std::map<std::string, std::string>> StringMapFromJson(const Json& j,
                                                             std::string_view where) {
  std::map<std::string, std::string> out;
  if (j.is_null()) return out;
  if (!j.is_object()) return Corrupt("{} must be an object", where);
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it->is_string()) {
      out[it.key()] = it->get<std::string>();
    } else if (it->is_number() || it->is_boolean()) {
      out[it.key()] = it->dump();  // lenient: some writers emit numbers
    } else {
      return Corrupt("{} value of '{}' must be a string", where, it.key());
    }
  }
  return out;
}

Result<Snapshot> SnapshotFromJson(const Json& j, int format_version) {
  Snapshot s;
  ASSIGN_OR_RETURN(s.snapshot_id, RequiredInt(j, "snapshot-id", "snapshot"));
  std::string where = fmt::format("snapshot {}", s.snapshot_id);
  ASSIGN_OR_RETURN(s.parent_snapshot_id, OptionalInt(j, "parent-snapshot-id", where));
  ASSIGN_OR_RETURN(s.timestamp_ms, RequiredInt(j, "timestamp-ms", where));
  ASSIGN_OR_RETURN(auto seq, OptionalInt(j, "sequence-number", where));
  if (!seq && format_version >= 2)
    return Corrupt("{} is missing required field 'sequence-number'", where);
  s.sequence_number = seq.value_or(0);
  ASSIGN_OR_RETURN(auto list, OptionalString(j, "manifest-list", where));
  if (!list) {
    if (j.contains("manifests")) {
      return NotSupported(
          "{} lists manifests inline (old v1 form); rewrite the table with a newer "
          "engine first",
          where);
    }
    return Corrupt("{} is missing required field 'manifest-list'", where);
  }
  s.manifest_list = *list;
  if (j.contains("summary")) {
    ASSIGN_OR_RETURN(s.summary, StringMapFromJson(j["summary"], where + " summary"));
  } else if (format_version >= 2) {
    return Corrupt("{} is missing required field 'summary'", where);
  }
  if (!s.summary.count(summary::kOperation)) {
    if (format_version >= 2) return Corrupt("{} summary has no 'operation'", where);
    s.summary[summary::kOperation] = "append";
  }
  ASSIGN_OR_RETURN(auto schema_id, OptionalInt(j, "schema-id", where));
  if (schema_id) s.schema_id = static_cast<int32_t>(*schema_id);
  return s;
}

Result<SnapshotRef> RefFromJson(const std::string& name, const Json& j) {
  std::string where = fmt::format("ref '{}'", name);
  SnapshotRef r;
  ASSIGN_OR_RETURN(r.snapshot_id, RequiredInt(j, "snapshot-id", where));
  ASSIGN_OR_RETURN(std::string type, RequiredString(j, "type", where));
  if (type == "branch") {
    r.type = RefType::kBranch;
  } else if (type == "tag") {
    r.type = RefType::kTag;
  } else {
    return Corrupt("{} has unknown type '{}'", where, type);
  }
  ASSIGN_OR_RETURN(auto min_keep, OptionalInt(j, "min-snapshots-to-keep", where));
  if (min_keep) r.min_snapshots_to_keep = static_cast<int32_t>(*min_keep);
  ASSIGN_OR_RETURN(r.max_snapshot_age_ms, OptionalInt(j, "max-snapshot-age-ms", where));
  ASSIGN_OR_RETURN(r.max_ref_age_ms, OptionalInt(j, "max-ref-age-ms", where));
  return r;
}

Result<const Json*> RequiredArray(const Json& j, std::string_view key, std::string_view where) {
  ASSIGN_OR_RETURN(const Json* v, RequiredMember(j, key, where));
  if (!v->is_array()) return Corrupt("{} field '{}' must be an array", where, key);
  return v;
}

// An optional array field: empty array when missing or null.
Result<Json> OptionalArray(const Json& j, std::string_view key, std::string_view where) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return Json::array();
  if (!it->is_array()) return Corrupt("{} field '{}' must be an array", where, key);
  return *it;
}

Status ReadSchemas(const Json& j, int version, TableMetadata* md) {
  constexpr std::string_view kWhere = "table metadata";
  if (j.contains("schemas")) {
    ASSIGN_OR_RETURN(const Json* schemas, RequiredArray(j, "schemas", kWhere));
    for (const auto& s : *schemas) {
      ASSIGN_OR_RETURN(SchemaPtr schema, SchemaFromJson(s));
      md->schemas.push_back(std::move(schema));
    }
    ASSIGN_OR_RETURN(auto current, OptionalInt(j, "current-schema-id", kWhere));
    if (!current) {
      if (version >= 2)
        return Corrupt("table metadata is missing required field 'current-schema-id'");
      current = md->schemas.empty() ? 0 : md->schemas.back()->schema_id();
    }
    md->current_schema_id = static_cast<int32_t>(*current);
  } else if (version == 1 && j.contains("schema")) {
    ASSIGN_OR_RETURN(SchemaPtr schema, SchemaFromJson(j["schema"], 0));
    md->current_schema_id = schema->schema_id();
    md->schemas.push_back(std::move(schema));
  } else {
    return Corrupt("table metadata is missing required field 'schemas'");
  }
  if (md->schemas.empty()) return Corrupt("table metadata has no schema");
  return Status::OK();
}

Status ReadSpecs(const Json& j, int version, TableMetadata* md) {
  constexpr std::string_view kWhere = "table metadata";
  if (j.contains("partition-specs")) {
    ASSIGN_OR_RETURN(const Json* specs, RequiredArray(j, "partition-specs", kWhere));
    for (const auto& s : *specs) {
      ASSIGN_OR_RETURN(PartitionSpec spec, PartitionSpecFromJson(s));
      md->partition_specs.push_back(std::make_shared<const PartitionSpec>(std::move(spec)));
    }
    ASSIGN_OR_RETURN(auto def, OptionalInt(j, "default-spec-id", kWhere));
    if (!def && version >= 2)
      return Corrupt("table metadata is missing required field 'default-spec-id'");
    md->default_spec_id = static_cast<int32_t>(def.value_or(0));
  } else if (version == 1 && j.contains("partition-spec")) {
    ASSIGN_OR_RETURN(PartitionSpec spec, PartitionSpecFromJson(j["partition-spec"]));
    md->default_spec_id = spec.spec_id;
    md->partition_specs.push_back(std::make_shared<const PartitionSpec>(std::move(spec)));
  } else if (version == 1) {
    md->partition_specs.push_back(std::make_shared<const PartitionSpec>());
  } else {
    return Corrupt("table metadata is missing required field 'partition-specs'");
  }
  int32_t highest = 999;
  for (const auto& spec : md->partition_specs) {
    for (const auto& f : spec->fields) highest = std::max(highest, f.field_id);
  }
  ASSIGN_OR_RETURN(auto last, OptionalInt(j, "last-partition-id", kWhere));
  if (!last && version >= 2)
    return Corrupt("table metadata is missing required field 'last-partition-id'");
  md->last_partition_id = static_cast<int32_t>(last.value_or(highest));
  return Status::OK();
}

Status ReadSortOrders(const Json& j, int version, TableMetadata* md) {
  constexpr std::string_view kWhere = "table metadata";
  if (j.contains("sort-orders")) {
    ASSIGN_OR_RETURN(const Json* orders, RequiredArray(j, "sort-orders", kWhere));
    for (const auto& o : *orders) {
      ASSIGN_OR_RETURN(SortOrder order, SortOrderFromJson(o));
      md->sort_orders.push_back(std::make_shared<const SortOrder>(std::move(order)));
    }
    ASSIGN_OR_RETURN(auto def, OptionalInt(j, "default-sort-order-id", kWhere));
    if (!def && version >= 2) {
      return Corrupt("table metadata is missing required field 'default-sort-order-id'");
    }
    md->default_sort_order_id = static_cast<int32_t>(def.value_or(0));
  } else if (version >= 2) {
    return Corrupt("table metadata is missing required field 'sort-orders'");
  }
  if (md->sort_orders.empty()) {
    md->sort_orders.push_back(std::make_shared<const SortOrder>(SortOrder::Unsorted()));
    md->default_sort_order_id = 0;
  }
  return Status::OK();
}

}  // namespace

Result<TableMetadata> TableMetadataFromJson(std::string_view text, std::string_view where) {
  ASSIGN_OR_RETURN(Json j, ParseJson(text, where));
  auto result = [&]() -> Result<TableMetadata> {
    constexpr std::string_view kWhere = "table metadata";
    if (!j.is_object()) return Corrupt("table metadata must be a JSON object");
    TableMetadata md;
    ASSIGN_OR_RETURN(int64_t version, RequiredInt(j, "format-version", kWhere));
    if (version < 1) return Corrupt("format-version {} is invalid", version);
    if (version > kMaxFormatVersion) {
      return NotSupported("format-version {} is newer than this faceberg reads (up to {})", version,
                          kMaxFormatVersion);
    }
    md.format_version = static_cast<int>(version);
    ASSIGN_OR_RETURN(auto uuid, OptionalString(j, "table-uuid", kWhere));
    if (!uuid && version >= 2)
      return Corrupt("table metadata is missing required field 'table-uuid'");
    md.table_uuid = uuid.value_or("");
    ASSIGN_OR_RETURN(md.location, RequiredString(j, "location", kWhere));
    ASSIGN_OR_RETURN(auto seq, OptionalInt(j, "last-sequence-number", kWhere));
    if (!seq && version >= 2) {
      return Corrupt("table metadata is missing required field 'last-sequence-number'");
    }
    md.last_sequence_number = seq.value_or(0);
    ASSIGN_OR_RETURN(md.last_updated_ms, RequiredInt(j, "last-updated-ms", kWhere));
    ASSIGN_OR_RETURN(int64_t last_column_id, RequiredInt(j, "last-column-id", kWhere));
    md.last_column_id = static_cast<int32_t>(last_column_id);
    RETURN_IF_ERROR(ReadSchemas(j, md.format_version, &md));
    RETURN_IF_ERROR(ReadSpecs(j, md.format_version, &md));
    RETURN_IF_ERROR(ReadSortOrders(j, md.format_version, &md));
    if (j.contains("properties")) {
      ASSIGN_OR_RETURN(md.properties, StringMapFromJson(j["properties"], "table properties"));
    }
    ASSIGN_OR_RETURN(auto current, OptionalInt(j, "current-snapshot-id", kWhere));
    if (current && *current != -1) md.current_snapshot_id = *current;

    ASSIGN_OR_RETURN(Json snapshots, OptionalArray(j, "snapshots", kWhere));
    for (const auto& s : snapshots) {
      ASSIGN_OR_RETURN(Snapshot snapshot, SnapshotFromJson(s, md.format_version));
      md.snapshots.push_back(std::move(snapshot));
    }
    ASSIGN_OR_RETURN(Json snapshot_log, OptionalArray(j, "snapshot-log", kWhere));
    for (const auto& e : snapshot_log) {
      SnapshotLogEntry entry;
      ASSIGN_OR_RETURN(entry.timestamp_ms, RequiredInt(e, "timestamp-ms", "snapshot-log entry"));
      ASSIGN_OR_RETURN(entry.snapshot_id, RequiredInt(e, "snapshot-id", "snapshot-log entry"));
      md.snapshot_log.push_back(entry);
    }
    ASSIGN_OR_RETURN(Json metadata_log, OptionalArray(j, "metadata-log", kWhere));
    for (const auto& e : metadata_log) {
      MetadataLogEntry entry;
      ASSIGN_OR_RETURN(entry.timestamp_ms, RequiredInt(e, "timestamp-ms", "metadata-log entry"));
      ASSIGN_OR_RETURN(entry.metadata_file,
                       RequiredString(e, "metadata-file", "metadata-log entry"));
      md.metadata_log.push_back(std::move(entry));
    }
    if (j.contains("refs") && !j["refs"].is_null()) {
      if (!j["refs"].is_object()) return Corrupt("table metadata field 'refs' must be an object");
      for (auto it = j["refs"].begin(); it != j["refs"].end(); ++it) {
        ASSIGN_OR_RETURN(SnapshotRef ref, RefFromJson(it.key(), *it));
        md.refs[it.key()] = ref;
      }
    }
    // The main branch is implied by current-snapshot-id when refs omit it.
    if (md.current_snapshot_id && !md.refs.count(kMainBranch)) {
      md.refs[kMainBranch] = SnapshotRef{*md.current_snapshot_id, RefType::kBranch};
    }
    ASSIGN_OR_RETURN(md.statistics, OptionalArray(j, "statistics", kWhere));
    ASSIGN_OR_RETURN(md.partition_statistics, OptionalArray(j, "partition-statistics", kWhere));
    int32_t highest = 0;
    for (const auto& s : md.schemas) highest = std::max(highest, s->HighestFieldId());
    md.last_column_id = std::max(md.last_column_id, highest);
    RETURN_IF_ERROR(md.Validate());
    return md;
  }();
  if (!result.ok()) return result.status().WithContext(where);
  return result;
}

// ---- JSON writing ----

std::string TableMetadataToJson(const TableMetadata& md, int indent) {
  OrderedJson j;
  j["format-version"] = md.format_version;
  j["table-uuid"] = md.table_uuid;
  j["location"] = md.location;
  if (md.format_version >= 2) j["last-sequence-number"] = md.last_sequence_number;
  j["last-updated-ms"] = md.last_updated_ms;
  j["last-column-id"] = md.last_column_id;
  if (md.format_version == 1) {
    j["schema"] = OrderedJson::parse(SchemaToJson(*md.CurrentSchema()).dump());
    j["partition-spec"] = OrderedJson::parse(PartitionFieldsToJson(*md.DefaultSpec()).dump());
  }
  OrderedJson schemas = OrderedJson::array();
  for (const auto& s : md.schemas) schemas.push_back(OrderedJson::parse(SchemaToJson(*s).dump()));
  j["schemas"] = std::move(schemas);
  j["current-schema-id"] = md.current_schema_id;
  OrderedJson specs = OrderedJson::array();
  for (const auto& s : md.partition_specs) {
    specs.push_back(OrderedJson::parse(PartitionSpecToJson(*s).dump()));
  }
  j["partition-specs"] = std::move(specs);
  j["default-spec-id"] = md.default_spec_id;
  j["last-partition-id"] = md.last_partition_id;
  j["properties"] = md.properties;
  j["current-snapshot-id"] = md.current_snapshot_id.value_or(-1);
  OrderedJson refs = OrderedJson::object();
  for (const auto& [name, r] : md.refs) {
    OrderedJson jr;
    jr["snapshot-id"] = r.snapshot_id;
    jr["type"] = r.type == RefType::kBranch ? "branch" : "tag";
    if (r.min_snapshots_to_keep) jr["min-snapshots-to-keep"] = *r.min_snapshots_to_keep;
    if (r.max_snapshot_age_ms) jr["max-snapshot-age-ms"] = *r.max_snapshot_age_ms;
    if (r.max_ref_age_ms) jr["max-ref-age-ms"] = *r.max_ref_age_ms;
    refs[name] = std::move(jr);
  }
  j["refs"] = std::move(refs);
  OrderedJson snapshots = OrderedJson::array();
  for (const auto& s : md.snapshots) {
    OrderedJson js;
    js["snapshot-id"] = s.snapshot_id;
    if (s.parent_snapshot_id) js["parent-snapshot-id"] = *s.parent_snapshot_id;
    if (md.format_version >= 2) js["sequence-number"] = s.sequence_number;
    js["timestamp-ms"] = s.timestamp_ms;
    js["manifest-list"] = s.manifest_list;
    OrderedJson summary;
    summary[summary::kOperation] = s.operation();
    for (const auto& [k, v] : s.summary) {
      if (k != summary::kOperation) summary[k] = v;
    }
    js["summary"] = std::move(summary);
    if (s.schema_id) js["schema-id"] = *s.schema_id;
    snapshots.push_back(std::move(js));
  }
  j["snapshots"] = std::move(snapshots);
  OrderedJson snapshot_log = OrderedJson::array();
  for (const auto& e : md.snapshot_log) {
    snapshot_log.push_back({{"timestamp-ms", e.timestamp_ms}, {"snapshot-id", e.snapshot_id}});
  }
  j["snapshot-log"] = std::move(snapshot_log);
  OrderedJson metadata_log = OrderedJson::array();
  for (const auto& e : md.metadata_log) {
    metadata_log.push_back({{"timestamp-ms", e.timestamp_ms}, {"metadata-file", e.metadata_file}});
  }
  j["metadata-log"] = std::move(metadata_log);
  OrderedJson orders = OrderedJson::array();
  for (const auto& o : md.sort_orders)
    orders.push_back(OrderedJson::parse(SortOrderToJson(*o).dump()));
  j["sort-orders"] = std::move(orders);
  j["default-sort-order-id"] = md.default_sort_order_id;
  if (!md.statistics.empty()) j["statistics"] = OrderedJson::parse(md.statistics.dump());
  if (!md.partition_statistics.empty()) {
    j["partition-statistics"] = OrderedJson::parse(md.partition_statistics.dump());
  }
  return DumpJson(j, indent);
}

// ---- new tables ----

Result<TableMetadata> NewTableMetadata(const NewTableOptions& options) {
  PRECHECK(options.schema != nullptr, "a new table needs a schema");
  PRECHECK(options.format_version >= 1 && options.format_version <= kMaxFormatVersion,
           "format-version must be 1 or 2, not {}", options.format_version);
  RETURN_IF_ERROR(options.schema->Validate());
  TableMetadata md;
  md.format_version = options.format_version;
  md.table_uuid = RandomUuid();
  md.location = options.location;
  md.last_updated_ms = NowMillis();
  md.schemas.push_back(std::make_shared<const Schema>(0, options.schema->fields(),
                                                      options.schema->identifier_field_ids()));
  md.current_schema_id = 0;
  md.last_column_id = options.schema->HighestFieldId();
  PartitionSpecPtr spec = options.spec ? options.spec : std::make_shared<const PartitionSpec>();
  RETURN_IF_ERROR(ValidatePartitionSpec(*spec, *md.schemas[0]));
  md.partition_specs.push_back(spec);
  md.default_spec_id = spec->spec_id;
  md.last_partition_id = 999;
  for (const auto& f : spec->fields)
    md.last_partition_id = std::max(md.last_partition_id, f.field_id);
  SortOrderPtr order = options.sort_order
                           ? options.sort_order
                           : std::make_shared<const SortOrder>(SortOrder::Unsorted());
  md.sort_orders.push_back(order);
  md.default_sort_order_id = order->order_id;
  md.properties = options.properties;
  md.properties.erase("format-version");
  return md;
}

}  // namespace faceberg::iceberg
