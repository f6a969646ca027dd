#include "table/diff.h"

#include <algorithm>
#include <functional>
#include <set>

#include "table/append.h"

namespace faceberg::table {

using iceberg::NestedField;
using iceberg::Snapshot;

namespace {

struct FieldInfo {
  std::string name;
  std::string type;
  bool required = false;
  bool primitive = false;
};

// Every field by id with its full dotted name, in schema order.
void Flatten(const std::vector<NestedField>& fields, const std::string& prefix,
             std::vector<std::pair<int32_t, FieldInfo>>* out) {
  for (const auto& f : fields) {
    std::string name = prefix.empty() ? f.name : prefix + "." + f.name;
    out->emplace_back(f.id,
                      FieldInfo{name, f.type->ToString(), f.required, f.type->is_primitive()});
    if (f.type->is_nested()) Flatten(f.type->fields(), name, out);
  }
}

Result<std::map<int32_t, std::string>> SpecsOf(io::FileIO& io,
                                               const iceberg::TableMetadata& metadata,
                                               const Snapshot& snapshot) {
  std::map<int32_t, std::string> specs;
  ASSIGN_OR_RETURN(auto manifests, iceberg::ReadManifestList(io, snapshot.manifest_list));
  for (const auto& m : manifests) {
    if (m.content != iceberg::ManifestContent::kData) continue;
    if (m.live_files_count() == 0 && m.deleted_files_count > 0) continue;
    iceberg::PartitionSpecPtr spec = metadata.SpecById(m.partition_spec_id);
    specs[m.partition_spec_id] =
        spec ? (spec->IsUnpartitioned() ? "unpartitioned" : spec->ToString()) : "unknown spec";
  }
  return specs;
}

}  // namespace

std::string_view FieldChangeName(FieldChange::Kind kind) {
  switch (kind) {
    case FieldChange::Kind::kAdded:
      return "added";
    case FieldChange::Kind::kDropped:
      return "dropped";
    case FieldChange::Kind::kRenamed:
      return "renamed";
    case FieldChange::Kind::kTypeChanged:
      return "type-changed";
    case FieldChange::Kind::kMadeOptional:
      return "made-optional";
    case FieldChange::Kind::kMadeRequired:
      return "made-required";
  }
  return "changed";
}

std::vector<FieldChange> DiffSchemas(const iceberg::Schema& from, const iceberg::Schema& to) {
  std::vector<std::pair<int32_t, FieldInfo>> a, b;
  Flatten(from.fields(), "", &a);
  Flatten(to.fields(), "", &b);
  std::map<int32_t, FieldInfo> before(a.begin(), a.end());
  std::set<int32_t> in_to;
  std::vector<FieldChange> out;
  for (const auto& [id, now] : b) {
    in_to.insert(id);
    auto it = before.find(id);
    if (it == before.end()) {
      out.push_back({FieldChange::Kind::kAdded, id, "", now.name, "", now.type});
      continue;
    }
    const FieldInfo& was = it->second;
    if (was.name != now.name) {
      out.push_back({FieldChange::Kind::kRenamed, id, was.name, now.name, was.type, now.type});
    }
    if (was.primitive && now.primitive && was.type != now.type) {
      out.push_back({FieldChange::Kind::kTypeChanged, id, was.name, now.name, was.type, now.type});
    }
    if (was.required != now.required) {
      out.push_back(
          {now.required ? FieldChange::Kind::kMadeRequired : FieldChange::Kind::kMadeOptional, id,
           was.name, now.name, was.type, now.type});
    }
  }
  for (const auto& [id, was] : a) {
    if (!in_to.count(id)) {
      out.push_back({FieldChange::Kind::kDropped, id, was.name, "", was.type, ""});
    }
  }
  return out;
}

Result<SnapshotDiff> DiffSnapshots(io::FileIO& io, const iceberg::TableMetadata& metadata,
                                   int64_t from_id, int64_t to_id) {
  ASSIGN_OR_RETURN(const Snapshot* from, metadata.FindSnapshot(from_id));
  ASSIGN_OR_RETURN(const Snapshot* to, metadata.FindSnapshot(to_id));
  SnapshotDiff diff;
  diff.from = *from;
  diff.to = *to;

  // How they relate, and the snapshots in between.
  auto path = [&](const Snapshot& older,
                  const Snapshot& newer) -> std::optional<std::vector<Snapshot>> {
    std::vector<Snapshot> chain;
    for (int64_t id : metadata.Ancestry(newer.snapshot_id)) {
      if (id == older.snapshot_id) {
        std::reverse(chain.begin(), chain.end());
        return chain;
      }
      chain.push_back(*metadata.SnapshotById(id));
    }
    return std::nullopt;
  };
  if (from_id == to_id) {
    diff.relation = "same";
  } else if (auto forward = path(*from, *to)) {
    diff.relation = "forward";
    diff.between = std::move(*forward);
  } else if (auto backward = path(*to, *from)) {
    diff.relation = "backward";
    diff.between = std::move(*backward);
  } else {
    diff.relation = "diverged";
  }
  diff.rows_exact = diff.relation != "diverged" &&
                    std::all_of(diff.between.begin(), diff.between.end(), [](const Snapshot& s) {
                      return s.operation() == "append" || s.operation() == "delete";
                    });

  // Files by path.
  ASSIGN_OR_RETURN(auto from_files, LiveDataFiles(io, metadata, *from));
  ASSIGN_OR_RETURN(auto to_files, LiveDataFiles(io, metadata, *to));
  std::set<std::string> from_paths, to_paths;
  for (const auto& f : from_files) {
    from_paths.insert(f.file_path);
    diff.from_records += f.record_count();
  }
  for (const auto& f : to_files) {
    to_paths.insert(f.file_path);
    diff.to_records += f.record_count();
  }
  for (auto& f : to_files) {
    if (from_paths.count(f.file_path)) continue;
    diff.added_records += f.record_count();
    diff.added_files.push_back(std::move(f));
  }
  for (auto& f : from_files) {
    if (to_paths.count(f.file_path)) continue;
    diff.removed_records += f.record_count();
    diff.removed_files.push_back(std::move(f));
  }

  iceberg::SchemaPtr from_schema = metadata.SchemaForSnapshot(*from);
  iceberg::SchemaPtr to_schema = metadata.SchemaForSnapshot(*to);
  if (!from_schema || !to_schema) return Corrupt("the table metadata lacks a snapshot's schema");
  diff.from_schema_id = from_schema->schema_id();
  diff.to_schema_id = to_schema->schema_id();
  diff.schema_changes = DiffSchemas(*from_schema, *to_schema);
  ASSIGN_OR_RETURN(diff.from_specs, SpecsOf(io, metadata, *from));
  ASSIGN_OR_RETURN(diff.to_specs, SpecsOf(io, metadata, *to));
  return diff;
}

}  // namespace faceberg::table
