// Schema: a struct of fields with ids, plus a schema id and identifier fields; JSON as in the
// table metadata ("schemas" entries) and the manifest "schema" header key.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "iceberg/types.h"
#include "util/json.h"
#include "util/result.h"

namespace faceberg::iceberg {

class Schema;
using SchemaPtr = std::shared_ptr<const Schema>;

class Schema {
 public:
  Schema(int32_t schema_id, std::vector<NestedField> fields,
         std::vector<int32_t> identifier_field_ids = {});

  int32_t schema_id() const { return schema_id_; }
  const std::vector<NestedField>& fields() const { return struct_type_->fields(); }
  const TypePtr& as_struct() const { return struct_type_; }
  const std::vector<int32_t>& identifier_field_ids() const { return identifier_field_ids_; }

  /// Any field at any depth (struct fields, list elements, map keys/values) by id; null if none.
  const NestedField* FindFieldById(int32_t id) const;
  /// A field by dotted path through structs ("a.b.c"), case-sensitive; null if none.
  const NestedField* FindFieldByName(std::string_view dotted_name) const;
  /// Dotted full name of a field id ("a.b", list elements as "a.element"); empty if none.
  std::string FindColumnName(int32_t id) const;
  /// The largest field id at any depth (0 for an empty schema).
  int32_t HighestFieldId() const;

  /// Checks ids are unique and positive and identifier fields are valid.
  /// Errors: InvalidArgument.
  Status Validate() const;

  /// "  1: id: required long" lines, nested fields indented.
  std::string ToString() const;

 private:
  int32_t schema_id_;
  TypePtr struct_type_;
  std::vector<int32_t> identifier_field_ids_;
};

/// Type JSON: a string for primitives, an object for struct/list/map.
/// Errors: Corrupt naming the bad element.
Result<TypePtr> TypeFromJson(const Json& json);
Json TypeToJson(const Type& type);

/// Schema JSON ({"type":"struct","schema-id":..,"fields":[..],"identifier-field-ids":[..]}).
/// A missing schema-id reads as `default_schema_id` (v1 "schema").
Result<SchemaPtr> SchemaFromJson(const Json& json, int32_t default_schema_id = 0);
Json SchemaToJson(const Schema& schema);

/// Parses the CLI form "id long not null, name string, price decimal(9,2), tags list<string>,
/// attrs map<string, int>, point struct<x: double, y: double>" assigning ids 1..N depth-first.
/// Errors: InvalidArgument naming the bad column or type.
Result<SchemaPtr> ParseSchemaString(std::string_view text);

}  // namespace faceberg::iceberg
