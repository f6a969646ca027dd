#include "iceberg/schema.h"

#include <functional>
#include <set>

#include "util/strings.h"

namespace faceberg::iceberg {

Schema::Schema(int32_t schema_id, std::vector<NestedField> fields,
               std::vector<int32_t> identifier_field_ids)
    : schema_id_(schema_id),
      struct_type_(Type::Struct(std::move(fields))),
      identifier_field_ids_(std::move(identifier_field_ids)) {}

namespace {

// Visits every nested field depth-first with its dotted name.
void VisitFields(const std::vector<NestedField>& fields, const std::string& prefix,
                 const std::function<bool(const NestedField&, const std::string&)>& visit) {
  for (const auto& f : fields) {
    std::string name = prefix.empty() ? f.name : prefix + "." + f.name;
    if (!visit(f, name)) return;
    if (f.type->is_nested()) VisitFields(f.type->fields(), name, visit);
  }
}

}  // namespace

const NestedField* Schema::FindFieldById(int32_t id) const {
  const NestedField* found = nullptr;
  VisitFields(fields(), "", [&](const NestedField& f, const std::string&) {
    if (f.id == id) found = &f;
    return found == nullptr;
  });
  return found;
}

const NestedField* Schema::FindFieldByName(std::string_view dotted_name) const {
  const NestedField* found = nullptr;
  VisitFields(fields(), "", [&](const NestedField& f, const std::string& name) {
    if (name == dotted_name) found = &f;
    return found == nullptr;
  });
  return found;
}

std::string Schema::FindColumnName(int32_t id) const {
  std::string found;
  VisitFields(fields(), "", [&](const NestedField& f, const std::string& name) {
    if (f.id == id) found = name;
    return found.empty();
  });
  return found;
}

int32_t Schema::HighestFieldId() const {
  int32_t highest = 0;
  VisitFields(fields(), "", [&](const NestedField& f, const std::string&) {
    highest = std::max(highest, f.id);
    return true;
  });
  return highest;
}

Status Schema::Validate() const {
  std::set<int32_t> ids;
  Status status;
  VisitFields(fields(), "", [&](const NestedField& f, const std::string& name) {
    if (f.id <= 0) {
      status = InvalidArgument("field '{}' has invalid id {}", name, f.id);
    } else if (!ids.insert(f.id).second) {
      status = InvalidArgument("field id {} is used twice (at '{}')", f.id, name);
    }
    return status.ok();
  });
  RETURN_IF_ERROR(status);
  for (int32_t id : identifier_field_ids_) {
    const NestedField* f = FindFieldById(id);
    if (!f) return InvalidArgument("identifier field id {} is not in the schema", id);
    if (!f->type->is_primitive() || !f->required || f->type->id() == TypeId::kFloat ||
        f->type->id() == TypeId::kDouble) {
      return InvalidArgument(
          "identifier field '{}' must be a required primitive that is not float or double",
          FindColumnName(id));
    }
  }
  return Status::OK();
}

std::string Schema::ToString() const {
  std::string out;
  std::function<void(const std::vector<NestedField>&, int)> print =
      [&](const std::vector<NestedField>& fs, int depth) {
        for (const auto& f : fs) {
          out += fmt::format("{:{}}{}: {}: {} {}\n", "", depth * 2, f.id, f.name,
                             f.required ? "required" : "optional",
                             f.type->is_primitive()
                                 ? f.type->ToString()
                                 : std::string(f.type->id() == TypeId::kStruct ? "struct"
                                               : f.type->id() == TypeId::kList ? "list"
                                                                               : "map"));
          if (f.type->is_nested()) print(f.type->fields(), depth + 1);
        }
      };
  print(fields(), 0);
  return out;
}

// ---- JSON ----

namespace {

Result<NestedField> FieldFromJson(const Json& j) {
  ASSIGN_OR_RETURN(int64_t id, RequiredInt(j, "id", "schema field"));
  std::string where = fmt::format("schema field {}", id);
  ASSIGN_OR_RETURN(std::string name, RequiredString(j, "name", where));
  ASSIGN_OR_RETURN(bool required, RequiredBool(j, "required", where));
  ASSIGN_OR_RETURN(const Json* type_json, RequiredMember(j, "type", where));
  ASSIGN_OR_RETURN(TypePtr type, TypeFromJson(*type_json));
  ASSIGN_OR_RETURN(auto doc, OptionalString(j, "doc", where));
  return NestedField{static_cast<int32_t>(id), std::move(name), required, std::move(type),
                     doc.value_or("")};
}

Result<std::vector<NestedField>> FieldsFromJson(const Json& j, std::string_view where) {
  ASSIGN_OR_RETURN(const Json* fields, RequiredMember(j, "fields", where));
  if (!fields->is_array()) return Corrupt("{} 'fields' must be an array", where);
  std::vector<NestedField> out;
  for (const auto& f : *fields) {
    ASSIGN_OR_RETURN(NestedField field, FieldFromJson(f));
    out.push_back(std::move(field));
  }
  return out;
}

}  // namespace

Result<TypePtr> TypeFromJson(const Json& json) {
  if (json.is_string()) {
    auto t = Type::ParsePrimitive(json.get<std::string>());
    if (!t.ok()) return Corrupt("{}", t.status().message());
    return t;
  }
  if (!json.is_object()) return Corrupt("a type must be a string or an object");
  ASSIGN_OR_RETURN(std::string kind, RequiredString(json, "type", "nested type"));
  if (kind == "struct") {
    ASSIGN_OR_RETURN(auto fields, FieldsFromJson(json, "struct type"));
    return Type::Struct(std::move(fields));
  }
  if (kind == "list") {
    ASSIGN_OR_RETURN(int64_t id, RequiredInt(json, "element-id", "list type"));
    ASSIGN_OR_RETURN(bool required, RequiredBool(json, "element-required", "list type"));
    ASSIGN_OR_RETURN(const Json* element, RequiredMember(json, "element", "list type"));
    ASSIGN_OR_RETURN(TypePtr element_type, TypeFromJson(*element));
    return Type::List(static_cast<int32_t>(id), required, std::move(element_type));
  }
  if (kind == "map") {
    ASSIGN_OR_RETURN(int64_t key_id, RequiredInt(json, "key-id", "map type"));
    ASSIGN_OR_RETURN(int64_t value_id, RequiredInt(json, "value-id", "map type"));
    ASSIGN_OR_RETURN(bool value_required, RequiredBool(json, "value-required", "map type"));
    ASSIGN_OR_RETURN(const Json* key, RequiredMember(json, "key", "map type"));
    ASSIGN_OR_RETURN(const Json* value, RequiredMember(json, "value", "map type"));
    ASSIGN_OR_RETURN(TypePtr key_type, TypeFromJson(*key));
    ASSIGN_OR_RETURN(TypePtr value_type, TypeFromJson(*value));
    return Type::Map(static_cast<int32_t>(key_id), std::move(key_type),
                     static_cast<int32_t>(value_id), value_required, std::move(value_type));
  }
  return Corrupt("unknown nested type '{}'", kind);
}

Json TypeToJson(const Type& type) {
  switch (type.id()) {
    case TypeId::kStruct: {
      Json fields = Json::array();
      for (const auto& f : type.fields()) {
        Json jf = {{"id", f.id},
                   {"name", f.name},
                   {"required", f.required},
                   {"type", TypeToJson(*f.type)}};
        if (!f.doc.empty()) jf["doc"] = f.doc;
        fields.push_back(std::move(jf));
      }
      return Json{{"type", "struct"}, {"fields", std::move(fields)}};
    }
    case TypeId::kList:
      return Json{{"type", "list"},
                  {"element-id", type.element().id},
                  {"element-required", type.element().required},
                  {"element", TypeToJson(*type.element().type)}};
    case TypeId::kMap:
      return Json{{"type", "map"},
                  {"key-id", type.key().id},
                  {"key", TypeToJson(*type.key().type)},
                  {"value-id", type.value().id},
                  {"value-required", type.value().required},
                  {"value", TypeToJson(*type.value().type)}};
    default:
      return type.ToString();
  }
}

Result<SchemaPtr> SchemaFromJson(const Json& json, int32_t default_schema_id) {
  ASSIGN_OR_RETURN(auto schema_id, OptionalInt(json, "schema-id", "schema"));
  ASSIGN_OR_RETURN(auto fields, FieldsFromJson(json, "schema"));
  std::vector<int32_t> identifiers;
  auto it = json.find("identifier-field-ids");
  if (it != json.end() && !it->is_null()) {
    if (!it->is_array()) return Corrupt("schema 'identifier-field-ids' must be an array");
    for (const auto& v : *it) {
      if (!v.is_number_integer())
        return Corrupt("schema 'identifier-field-ids' must hold integers");
      identifiers.push_back(v.get<int32_t>());
    }
  }
  auto schema =
      std::make_shared<const Schema>(static_cast<int32_t>(schema_id.value_or(default_schema_id)),
                                     std::move(fields), std::move(identifiers));
  if (Status st = schema->Validate(); !st.ok()) return Corrupt("invalid schema: {}", st.message());
  return SchemaPtr(schema);
}

Json SchemaToJson(const Schema& schema) {
  Json j = TypeToJson(*schema.as_struct());
  j["schema-id"] = schema.schema_id();
  if (!schema.identifier_field_ids().empty())
    j["identifier-field-ids"] = schema.identifier_field_ids();
  return j;
}

// ---- the CLI schema string ----

namespace {

class SchemaStringParser {
 public:
  Result<TypePtr> ParseType(std::string_view text) {
    text = Trim(text);
    std::string lower = ToLower(text);
    if (StartsWith(lower, "list<") && EndsWith(lower, ">")) {
      int32_t id = next_id_++;
      ASSIGN_OR_RETURN(TypePtr element, ParseType(text.substr(5, text.size() - 6)));
      return Type::List(id, false, element);
    }
    if (StartsWith(lower, "map<") && EndsWith(lower, ">")) {
      auto parts = SplitTopLevel(text.substr(4, text.size() - 5), ',');
      if (parts.size() != 2)
        return InvalidArgument("map type '{}' needs a key and a value type", text);
      int32_t key_id = next_id_++;
      int32_t value_id = next_id_++;
      ASSIGN_OR_RETURN(TypePtr key, ParseType(parts[0]));
      ASSIGN_OR_RETURN(TypePtr value, ParseType(parts[1]));
      return Type::Map(key_id, key, value_id, false, value);
    }
    if (StartsWith(lower, "struct<") && EndsWith(lower, ">")) {
      ASSIGN_OR_RETURN(auto fields, ParseFields(text.substr(7, text.size() - 8), ':'));
      return Type::Struct(std::move(fields));
    }
    if (lower == "integer") return Type::Int();
    if (lower == "bigint") return Type::Long();
    return Type::ParsePrimitive(text);
  }

  // Columns "name type [not null]" separated by commas; inside struct<> a ':' may follow names.
  Result<std::vector<NestedField>> ParseFields(std::string_view text, char name_sep) {
    std::vector<NestedField> fields;
    // Ids are assigned to this level's fields first, then to nested children (as Iceberg does).
    auto pieces = SplitTopLevel(text, ',');
    std::vector<std::pair<std::string, std::string>> decls;
    for (const auto& raw : pieces) {
      std::string_view piece = Trim(raw);
      if (piece.empty()) return InvalidArgument("empty column in schema '{}'", text);
      size_t split = piece.find_first_of(std::string(" \t") + name_sep);
      if (split == std::string_view::npos) {
        return InvalidArgument("column '{}' has no type: write 'name type', e.g. 'id long'", piece);
      }
      std::string name(Trim(piece.substr(0, split)));
      std::string_view rest = Trim(piece.substr(split + 1));
      if (!rest.empty() && rest.front() == name_sep) rest = Trim(rest.substr(1));
      decls.emplace_back(std::move(name), std::string(rest));
    }
    std::set<std::string> names;
    std::vector<int32_t> ids;
    for (auto& d : decls) {
      if (!names.insert(d.first).second)
        return InvalidArgument("column '{}' appears twice", d.first);
      ids.push_back(next_id_++);
    }
    for (size_t i = 0; i < decls.size(); ++i) {
      std::string type_text = decls[i].second;
      bool required = false;
      std::string lower = ToLower(type_text);
      for (std::string_view suffix : {" not null", " required"}) {
        if (EndsWith(lower, suffix)) {
          required = true;
          type_text = std::string(Trim(type_text.substr(0, type_text.size() - suffix.size())));
          break;
        }
      }
      auto type = ParseType(type_text);
      if (!type.ok()) {
        return InvalidArgument("column '{}': {}", decls[i].first, type.status().message());
      }
      fields.push_back(NestedField{ids[i], decls[i].first, required, *type, ""});
    }
    return fields;
  }

 private:
  int32_t next_id_ = 1;
};

}  // namespace

Result<SchemaPtr> ParseSchemaString(std::string_view text) {
  if (Trim(text).empty()) {
    return InvalidArgument(
        "the schema is empty: write columns like \"id long not null, name string\"");
  }
  SchemaStringParser parser;
  ASSIGN_OR_RETURN(auto fields, parser.ParseFields(text, ' '));
  auto schema = std::make_shared<const Schema>(0, std::move(fields));
  RETURN_IF_ERROR(schema->Validate());
  return SchemaPtr(schema);
}

}  // namespace faceberg::iceberg
