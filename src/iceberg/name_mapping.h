// Name mapping (table property schema.name-mapping.default): how readers assign field ids to
// columns of data files written without them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "iceberg/schema.h"
#include "util/result.h"

namespace faceberg::iceberg {

inline constexpr const char* kNameMappingProperty = "schema.name-mapping.default";

struct MappedField {
  std::vector<std::string> names;
  std::optional<int32_t> field_id;
  std::vector<MappedField> fields;  // struct fields, list "element", map "key"/"value"
};

struct NameMapping {
  std::vector<MappedField> fields;

  /// The field id for a path of names from the top level down ({"tags", "element"});
  /// nullopt when unmapped.
  std::optional<int32_t> Find(const std::vector<std::string>& path) const;
};

/// The mapping of every field of `schema` by its current name.
NameMapping NameMappingFromSchema(const Schema& schema);
/// Errors: Corrupt naming the malformed element.
Result<NameMapping> ParseNameMapping(std::string_view json_text);
std::string NameMappingToJson(const NameMapping& mapping);

}  // namespace faceberg::iceberg
