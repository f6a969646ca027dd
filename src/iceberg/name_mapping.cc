#include "iceberg/name_mapping.h"

#include <algorithm>

#include "util/json.h"

namespace faceberg::iceberg {

namespace {

std::vector<MappedField> MapFields(const std::vector<NestedField>& fields) {
  std::vector<MappedField> out;
  for (const auto& f : fields) {
    MappedField m;
    m.names = {f.name};
    m.field_id = f.id;
    if (f.type->is_nested()) m.fields = MapFields(f.type->fields());
    out.push_back(std::move(m));
  }
  return out;
}

Result<std::vector<MappedField>> FieldsFromJson(const Json& array, int depth) {
  if (depth > 64) return Corrupt("name mapping is nested too deeply");
  if (!array.is_array()) return Corrupt("name mapping fields must be an array");
  std::vector<MappedField> out;
  for (const auto& j : array) {
    if (!j.is_object()) return Corrupt("name mapping entries must be objects");
    MappedField m;
    if (auto it = j.find("names"); it != j.end()) {
      if (!it->is_array()) return Corrupt("name mapping 'names' must be an array");
      for (const auto& n : *it) {
        if (!n.is_string()) return Corrupt("name mapping names must be strings");
        m.names.push_back(n.get<std::string>());
      }
    }
    if (auto it = j.find("field-id"); it != j.end() && !it->is_null()) {
      if (!it->is_number_integer()) return Corrupt("name mapping 'field-id' must be an integer");
      m.field_id = it->get<int32_t>();
    }
    if (auto it = j.find("fields"); it != j.end() && !it->is_null()) {
      ASSIGN_OR_RETURN(m.fields, FieldsFromJson(*it, depth + 1));
    }
    out.push_back(std::move(m));
  }
  return out;
}

Json FieldsToJson(const std::vector<MappedField>& fields) {
  Json out = Json::array();
  for (const auto& m : fields) {
    Json j = {{"names", m.names}};
    if (m.field_id) j["field-id"] = *m.field_id;
    if (!m.fields.empty()) j["fields"] = FieldsToJson(m.fields);
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace

std::optional<int32_t> NameMapping::Find(const std::vector<std::string>& path) const {
  const std::vector<MappedField>* level = &fields;
  const MappedField* found = nullptr;
  for (const auto& name : path) {
    found = nullptr;
    for (const auto& m : *level) {
      if (std::find(m.names.begin(), m.names.end(), name) != m.names.end()) {
        found = &m;
        break;
      }
    }
    if (!found) return std::nullopt;
    level = &found->fields;
  }
  return found ? found->field_id : std::nullopt;
}

NameMapping NameMappingFromSchema(const Schema& schema) {
  return NameMapping{MapFields(schema.fields())};
}

Result<NameMapping> ParseNameMapping(std::string_view json_text) {
  ASSIGN_OR_RETURN(Json j, ParseJson(json_text, "name mapping"));
  ASSIGN_OR_RETURN(auto fields, FieldsFromJson(j, 0));
  return NameMapping{std::move(fields)};
}

std::string NameMappingToJson(const NameMapping& mapping) {
  return DumpJson(FieldsToJson(mapping.fields));
}

}  // namespace faceberg::iceberg
