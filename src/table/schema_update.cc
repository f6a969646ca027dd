#include "table/schema_update.h"

#include <algorithm>
#include <set>

#include "util/failpoint.h"
#include "util/strings.h"

namespace faceberg::table {

using iceberg::MappedField;
using iceberg::NestedField;
using iceberg::Type;
using iceberg::TypeId;
using iceberg::TypePtr;

namespace {

constexpr int kMaxSchemaCommitAttempts = 5;

std::string KindName(const Type& type) {
  switch (type.id()) {
    case TypeId::kStruct:
      return "a struct";
    case TypeId::kList:
      return "a list";
    case TypeId::kMap:
      return "a map";
    default:
      return type.ToString();
  }
}

// Gives every field id inside `type` a new id above *last (this level's ids first, then the
// children's, as Iceberg assigns them).
TypePtr AssignIds(const TypePtr& type_ptr, int32_t* last) {
  const Type& type = *type_ptr;
  switch (type.id()) {
    case TypeId::kStruct: {
      std::vector<NestedField> fields = type.fields();
      for (auto& f : fields) f.id = ++*last;
      for (auto& f : fields) f.type = AssignIds(f.type, last);
      return Type::Struct(std::move(fields));
    }
    case TypeId::kList: {
      int32_t element_id = ++*last;
      TypePtr element = AssignIds(type.element().type, last);
      return Type::List(element_id, type.element().required, std::move(element));
    }
    case TypeId::kMap: {
      int32_t key_id = ++*last;
      int32_t value_id = ++*last;
      TypePtr key = AssignIds(type.key().type, last);
      TypePtr value = AssignIds(type.value().type, last);
      return Type::Map(key_id, std::move(key), value_id, type.value().required, std::move(value));
    }
    default:
      return type_ptr;
  }
}

// Every field id of `field` and below it.
void CollectIds(const NestedField& field, std::set<int32_t>* ids) {
  ids->insert(field.id);
  if (field.type->is_nested()) {
    for (const auto& child : field.type->fields()) CollectIds(child, ids);
  }
}

std::vector<std::string> Names(const std::vector<NestedField>& fields) {
  std::vector<std::string> names;
  for (const auto& f : fields) names.push_back(f.name);
  return names;
}

std::vector<NestedField>::iterator FindByName(std::vector<NestedField>* fields,
                                              std::string_view name) {
  return std::find_if(fields->begin(), fields->end(),
                      [&](const NestedField& f) { return f.name == name; });
}

std::vector<NestedField>::iterator FindById(std::vector<NestedField>* fields, int32_t id) {
  return std::find_if(fields->begin(), fields->end(),
                      [&](const NestedField& f) { return f.id == id; });
}

// The mapped field with `id` anywhere in `fields`; null when unmapped.
MappedField* FindMapped(std::vector<MappedField>* fields, int32_t id) {
  for (auto& m : *fields) {
    if (m.field_id == id) return &m;
    if (MappedField* found = FindMapped(&m.fields, id)) return found;
  }
  return nullptr;
}

}  // namespace

SchemaUpdate::SchemaUpdate(const iceberg::TableMetadata& metadata)
    : metadata_(metadata),
      fields_(metadata.CurrentSchema()->fields()),
      identifier_field_ids_(metadata.CurrentSchema()->identifier_field_ids()),
      last_column_id_(
          std::max(metadata.last_column_id, metadata.CurrentSchema()->HighestFieldId())) {}

Result<std::vector<int32_t>> SchemaUpdate::ResolvePath(std::string_view name) const {
  PRECHECK(!Trim(name).empty(), "a column name is empty");
  std::vector<std::string> parts = Split(name, '.');
  std::vector<int32_t> ids;
  const std::vector<NestedField>* level = &fields_;
  std::string walked;
  for (size_t i = 0; i < parts.size(); ++i) {
    auto it = std::find_if(level->begin(), level->end(),
                           [&](const NestedField& f) { return f.name == parts[i]; });
    if (it == level->end()) {
      return InvalidArgument("column '{}' does not exist{} (columns: {})", name,
                             walked.empty() ? "" : " in struct '" + walked + "'",
                             Join(Names(*level), ", "));
    }
    ids.push_back(it->id);
    walked += (walked.empty() ? "" : ".") + parts[i];
    if (i + 1 < parts.size()) {
      if (it->type->id() != TypeId::kStruct) {
        return InvalidArgument("'{}' is {}: only fields of structs can be named with a dot", walked,
                               KindName(*it->type));
      }
      level = &it->type->fields();
    }
  }
  return ids;
}

Status SchemaUpdate::Edit(const std::vector<int32_t>& parent_ids,
                          const std::function<Status(std::vector<NestedField>*)>& edit) {
  std::function<Status(std::vector<NestedField>*, size_t)> walk =
      [&](std::vector<NestedField>* level, size_t depth) -> Status {
    if (depth == parent_ids.size()) return edit(level);
    auto it = FindById(level, parent_ids[depth]);
    if (it == level->end() || it->type->id() != TypeId::kStruct) {
      return Internal("schema path to field {} is broken", parent_ids[depth]);
    }
    std::vector<NestedField> children = it->type->fields();
    RETURN_IF_ERROR(walk(&children, depth + 1));
    it->type = Type::Struct(std::move(children));
    return Status::OK();
  };
  std::vector<NestedField> copy = fields_;
  RETURN_IF_ERROR(walk(&copy, 0));
  fields_ = std::move(copy);
  ++changes_;
  return Status::OK();
}

Status SchemaUpdate::CheckNotUsed(const NestedField& field, std::string_view name,
                                  std::string_view action) const {
  std::set<int32_t> ids;
  CollectIds(field, &ids);
  for (const auto& spec : metadata_.partition_specs) {
    for (const auto& pf : spec->fields) {
      if (ids.count(pf.source_id)) {
        return InvalidArgument(
            "cannot {} column '{}': partition field '{}' (spec {}) is derived from it; a "
            "partition source column must stay",
            action, name, pf.name, spec->spec_id);
      }
    }
  }
  for (int32_t id : identifier_field_ids_) {
    if (ids.count(id)) {
      return InvalidArgument("cannot {} column '{}': it is an identifier field of the table",
                             action, name);
    }
  }
  return Status::OK();
}

namespace {

// Places `field` in `fields` at `position`; `parent` names the struct in errors.
Status Place(std::vector<NestedField>* fields, NestedField field, const ColumnPosition& position,
             const std::string& parent_prefix) {
  switch (position.kind) {
    case ColumnPosition::Kind::kLast:
      fields->push_back(std::move(field));
      return Status::OK();
    case ColumnPosition::Kind::kFirst:
      fields->insert(fields->begin(), std::move(field));
      return Status::OK();
    case ColumnPosition::Kind::kAfter: {
      std::string sibling = position.after;
      if (!parent_prefix.empty() && StartsWith(sibling, parent_prefix)) {
        sibling = sibling.substr(parent_prefix.size());
      }
      if (sibling == field.name) {
        return InvalidArgument("cannot place column '{}' after itself", field.name);
      }
      auto it = FindByName(fields, sibling);
      if (it == fields->end()) {
        return InvalidArgument("--after column '{}' is not a sibling of '{}' (siblings: {})",
                               position.after, parent_prefix + field.name,
                               Join(Names(*fields), ", "));
      }
      fields->insert(it + 1, std::move(field));
      return Status::OK();
    }
  }
  return Internal("unknown column position");
}

// "a.b." for the parent of "a.b.c"; "" for a top-level name.
std::string ParentPrefix(const std::vector<std::string>& parts) {
  std::string prefix;
  for (size_t i = 0; i + 1 < parts.size(); ++i) prefix += parts[i] + ".";
  return prefix;
}

}  // namespace

Status SchemaUpdate::AddColumn(std::string_view name, const TypePtr& type,
                               const AddColumnOptions& options) {
  PRECHECK(type != nullptr, "add-column needs a type");
  std::vector<std::string> parts = Split(name, '.');
  const std::string& leaf = parts.back();
  PRECHECK(!Trim(leaf).empty() && std::none_of(parts.begin(), parts.end(),
                                               [](const std::string& p) { return p.empty(); }),
           "column name '{}' is empty or has an empty segment", name);
  if (options.default_value) {
    return NotSupported(
        "column defaults need Iceberg format v3, which this faceberg does not write (the table "
        "is v{}); add the column without --default",
        metadata_.format_version);
  }
  if (options.required && !metadata_.snapshots.empty()) {
    return InvalidArgument(
        "cannot add required column '{}': existing rows have no value for it and format v{} has "
        "no column defaults; add it as optional",
        name, metadata_.format_version);
  }
  std::vector<int32_t> parent_ids;
  const std::string prefix = ParentPrefix(parts);
  if (parts.size() > 1) {
    ASSIGN_OR_RETURN(parent_ids, ResolvePath(prefix.substr(0, prefix.size() - 1)));
    // Keep the applied schema alive while its field is used (a temporary would dangle).
    const iceberg::SchemaPtr applied = Apply();
    const NestedField* parent = applied->FindFieldById(parent_ids.back());
    if (parent == nullptr || parent->type->id() != TypeId::kStruct) {
      return InvalidArgument("cannot add '{}': '{}' is not a struct", name,
                             prefix.substr(0, prefix.size() - 1));
    }
  }
  int32_t last = last_column_id_;
  NestedField field;
  field.id = ++last;
  field.name = leaf;
  field.required = options.required;
  field.doc = options.doc;
  field.type = AssignIds(type, &last);
  Status st = Edit(parent_ids, [&](std::vector<NestedField>* fields) -> Status {
    if (FindByName(fields, leaf) != fields->end()) {
      return InvalidArgument("column '{}' already exists; choose another name", name);
    }
    return Place(fields, field, options.position, prefix);
  });
  RETURN_IF_ERROR(st);
  last_column_id_ = last;
  adds_.emplace_back(parent_ids.empty() ? 0 : parent_ids.back(), field);
  return Status::OK();
}

Status SchemaUpdate::RenameColumn(std::string_view name, std::string_view new_name) {
  ASSIGN_OR_RETURN(std::vector<int32_t> ids, ResolvePath(name));
  std::vector<std::string> parts = Split(name, '.');
  const std::string prefix = ParentPrefix(parts);
  std::string leaf(Trim(new_name));
  if (!prefix.empty() && StartsWith(leaf, prefix)) leaf = leaf.substr(prefix.size());
  PRECHECK(!leaf.empty(), "the new name of '{}' is empty", name);
  PRECHECK(leaf.find('.') == std::string::npos,
           "new name '{}' has a dot: give the new last segment only (renaming cannot move a "
           "column between structs)",
           new_name);
  if (leaf == parts.back()) return InvalidArgument("column '{}' is already named so", name);
  const int32_t id = ids.back();
  ids.pop_back();
  RETURN_IF_ERROR(Edit(ids, [&](std::vector<NestedField>* fields) -> Status {
    if (FindByName(fields, leaf) != fields->end()) {
      return InvalidArgument("cannot rename '{}' to '{}': column '{}{}' already exists", name, leaf,
                             prefix, leaf);
    }
    FindById(fields, id)->name = leaf;
    return Status::OK();
  }));
  renames_[id].push_back(leaf);
  return Status::OK();
}

Status SchemaUpdate::DropColumn(std::string_view name) {
  ASSIGN_OR_RETURN(std::vector<int32_t> ids, ResolvePath(name));
  const int32_t id = ids.back();
  ids.pop_back();
  return Edit(ids, [&](std::vector<NestedField>* fields) -> Status {
    auto it = FindById(fields, id);
    RETURN_IF_ERROR(CheckNotUsed(*it, name, "drop"));
    if (ids.empty() && fields->size() == 1) {
      return InvalidArgument("cannot drop '{}', the table's only column", name);
    }
    fields->erase(it);
    return Status::OK();
  });
}

Status SchemaUpdate::UpdateColumnType(std::string_view name, const TypePtr& type) {
  PRECHECK(type != nullptr, "update-column needs a type");
  ASSIGN_OR_RETURN(std::vector<int32_t> ids, ResolvePath(name));
  const int32_t id = ids.back();
  ids.pop_back();
  return Edit(ids, [&](std::vector<NestedField>* fields) -> Status {
    auto it = FindById(fields, id);
    const Type& from = *it->type;
    if (from.is_nested() || type->is_nested()) {
      return InvalidArgument(
          "cannot change the type of '{}' from {} to {}: only primitive types can be widened", name,
          from.ToString(), type->ToString());
    }
    if (from.Equals(*type)) {
      return InvalidArgument("column '{}' is already {}", name, from.ToString());
    }
    if (!iceberg::IsPromotionAllowed(from, *type)) {
      return InvalidArgument(
          "cannot change column '{}' from {} to {}: Iceberg allows only int to long, float to "
          "double and decimal(P,S) to decimal(P2,S) with P2 > P",
          name, from.ToString(), type->ToString());
    }
    for (const auto& spec : metadata_.partition_specs) {
      for (const auto& pf : spec->fields) {
        auto kind = pf.transform.kind();
        if (pf.source_id == id && kind != iceberg::TransformKind::kBucket &&
            kind != iceberg::TransformKind::kVoid) {
          return InvalidArgument(
              "cannot change column '{}' to {}: partition field '{}' ({}) would change its "
              "values' type",
              name, type->ToString(), pf.name, pf.transform.ToString());
        }
      }
    }
    it->type = type;
    return Status::OK();
  });
}

Status SchemaUpdate::MakeOptional(std::string_view name) {
  ASSIGN_OR_RETURN(std::vector<int32_t> ids, ResolvePath(name));
  const int32_t id = ids.back();
  ids.pop_back();
  return Edit(ids, [&](std::vector<NestedField>* fields) -> Status {
    auto it = FindById(fields, id);
    if (!it->required) return InvalidArgument("column '{}' is already optional", name);
    if (std::count(identifier_field_ids_.begin(), identifier_field_ids_.end(), id)) {
      return InvalidArgument(
          "cannot make '{}' optional: it is an identifier field, which must be required", name);
    }
    it->required = false;
    return Status::OK();
  });
}

Status SchemaUpdate::MoveColumn(std::string_view name, const ColumnPosition& position) {
  ASSIGN_OR_RETURN(std::vector<int32_t> ids, ResolvePath(name));
  const int32_t id = ids.back();
  ids.pop_back();
  const std::string prefix = ParentPrefix(Split(name, '.'));
  return Edit(ids, [&](std::vector<NestedField>* fields) -> Status {
    auto it = FindById(fields, id);
    NestedField field = *it;
    fields->erase(it);
    return Place(fields, std::move(field), position, prefix);
  });
}

iceberg::SchemaPtr SchemaUpdate::Apply() const {
  int32_t id = 0;
  for (const auto& s : metadata_.schemas) id = std::max(id, s->schema_id() + 1);
  return std::make_shared<const iceberg::Schema>(id, fields_, identifier_field_ids_);
}

std::vector<TableRequirement> SchemaUpdate::Requirements() const {
  return {AssertCurrentSchemaId{metadata_.current_schema_id},
          AssertLastAssignedFieldId{metadata_.last_column_id}};
}

Result<std::vector<TableUpdate>> SchemaUpdate::Updates() const {
  iceberg::SchemaPtr schema = Apply();
  RETURN_IF_ERROR(schema->Validate());
  std::vector<TableUpdate> updates = {AddSchema{schema}, SetCurrentSchema{-1}};
  auto property = metadata_.properties.find(iceberg::kNameMappingProperty);
  if (property == metadata_.properties.end() || (renames_.empty() && adds_.empty())) {
    return updates;
  }
  auto parsed = iceberg::ParseNameMapping(property->second);
  if (!parsed.ok()) {
    return parsed.status().WithContext(
        fmt::format("table property {}", iceberg::kNameMappingProperty));
  }
  iceberg::NameMapping mapping = std::move(*parsed);
  for (const auto& [id, names] : renames_) {
    MappedField* mapped = FindMapped(&mapping.fields, id);
    if (mapped == nullptr) continue;
    for (const auto& n : names) {
      if (std::find(mapped->names.begin(), mapped->names.end(), n) == mapped->names.end()) {
        mapped->names.push_back(n);
      }
    }
  }
  for (const auto& [parent_id, field] : adds_) {
    iceberg::Schema one(0, {field});
    MappedField added = iceberg::NameMappingFromSchema(one).fields.front();
    if (parent_id == 0) {
      mapping.fields.push_back(std::move(added));
    } else if (MappedField* parent = FindMapped(&mapping.fields, parent_id)) {
      parent->fields.push_back(std::move(added));
    }
  }
  updates.push_back(
      SetProperties{{{iceberg::kNameMappingProperty, iceberg::NameMappingToJson(mapping)}}});
  return updates;
}

Result<TypePtr> ParseColumnType(std::string_view text) {
  std::string lower = ToLower(Trim(text));
  PRECHECK(!lower.empty(), "the column type is empty");
  PRECHECK(!EndsWith(lower, " not null") && !EndsWith(lower, " required"),
           "write the type alone ('{}'): use --required for a required column", text);
  auto schema = iceberg::ParseSchemaString("c " + std::string(Trim(text)));
  if (!schema.ok()) {
    std::string message = schema.status().message();
    if (StartsWith(message, "column 'c': ")) message = message.substr(12);
    return InvalidArgument("{}", message);
  }
  return (*schema)->fields().front().type;
}

Result<iceberg::TableMetadataPtr> CommitSchemaUpdate(
    TableOperations& ops, const std::function<Status(SchemaUpdate&)>& build) {
  Status last_conflict;
  for (int attempt = 0; attempt < kMaxSchemaCommitAttempts; ++attempt) {
    ASSIGN_OR_RETURN(iceberg::TableMetadataPtr base, ops.Refresh());
    SchemaUpdate update(*base);
    RETURN_IF_ERROR(build(update));
    if (update.empty()) return InvalidArgument("the schema change changes nothing");
    ASSIGN_OR_RETURN(std::vector<TableUpdate> updates, update.Updates());
    FailPoint("before-commit");
    auto committed = CommitTable(ops, update.Requirements(), updates);
    if (committed.ok()) {
      FailPoint("after-commit");
      return committed;
    }
    if (committed.status().code() != ErrorCode::kConflict) return committed.status();
    last_conflict = committed.status();
  }
  return Conflict("other writers kept changing the schema; try again ({})",
                  last_conflict.message());
}

Result<iceberg::SchemaPtr> SchemaAt(const iceberg::TableMetadata& metadata,
                                    std::optional<int64_t> snapshot_id,
                                    std::optional<int64_t> as_of_ms) {
  PRECHECK(!(snapshot_id && as_of_ms), "choose a snapshot id or a time, not both");
  const iceberg::Snapshot* snapshot = nullptr;
  if (snapshot_id) {
    ASSIGN_OR_RETURN(snapshot, metadata.FindSnapshot(*snapshot_id));
  } else if (as_of_ms) {
    ASSIGN_OR_RETURN(snapshot, metadata.SnapshotAsOf(*as_of_ms));
  }
  iceberg::SchemaPtr schema =
      snapshot ? metadata.SchemaForSnapshot(*snapshot) : metadata.CurrentSchema();
  if (!schema) return Corrupt("the table metadata has no current schema");
  return schema;
}

}  // namespace faceberg::table
