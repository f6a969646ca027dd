// Avro schema model: a tree of Nodes parsed from schema JSON, owned by a Schema. Named types
// (record, enum, fixed) may be referenced by name after their definition, so a node can be
// shared by several parents (and, for recursive schemas, be its own descendant). Custom
// attributes, including Iceberg's "field-id", "element-id", "key-id", "value-id" and
// "logicalType", are kept and written back.
//
// Thread safety: a Schema is immutable after parsing and safe to share between threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/json.h"
#include "util/result.h"

namespace faceberg::avro {

/// The Avro type of a schema node (and of a Datum; a datum is never kUnion).
enum class Type {
  kNull,
  kBoolean,
  kInt,
  kLong,
  kFloat,
  kDouble,
  kBytes,
  kString,
  kRecord,
  kEnum,
  kArray,
  kMap,
  kUnion,
  kFixed,
};

/// The Avro name of `type` ("long", "record", ...).
std::string_view TypeName(Type type);

/// Nesting deeper than this in schema JSON is rejected as Corrupt.
inline constexpr int kMaxSchemaDepth = 64;

class Node;
class Schema;
using SchemaPtr = std::shared_ptr<const Schema>;

/// One field of a record node.
class Field {
 public:
  const std::string& name() const { return name_; }
  /// The field's type; owned by the enclosing Schema.
  const Node& type() const { return *type_; }
  /// The "default" value, or null when the field has none.
  const Json* default_value() const { return default_ ? &*default_ : nullptr; }
  /// Attributes other than name/type/default ("field-id", "doc", "aliases", ...), an object.
  const Json& attributes() const { return attributes_; }
  /// Iceberg's "field-id" (an integer, or a string holding one), if present.
  std::optional<int32_t> field_id() const { return field_id_; }

 private:
  friend class SchemaParser;
  std::string name_;
  const Node* type_ = nullptr;
  std::optional<Json> default_;
  Json attributes_ = Json::object();
  std::optional<int32_t> field_id_;
};

/// A node of the schema tree. Accessors for one kind REQUIRE type() to be that kind.
class Node {
 public:
  Type type() const { return type_; }
  bool is_named() const {
    return type_ == Type::kRecord || type_ == Type::kEnum || type_ == Type::kFixed;
  }

  /// Named types: the simple name, the namespace (may be empty) and "namespace.name".
  const std::string& name() const { return name_; }
  const std::string& name_space() const { return namespace_; }
  const std::string& full_name() const { return full_name_; }

  /// "logicalType", empty when absent ("date", "timestamp-micros", "decimal", "map", ...).
  const std::string& logical_type() const { return logical_type_; }
  /// Attributes other than the structural keys and logicalType, a JSON object.
  const Json& attributes() const { return attributes_; }
  /// An attribute as an integer (an integer, or a string holding one); nullopt otherwise.
  std::optional<int64_t> IntAttribute(std::string_view key) const;

  /// Record fields, in order.
  const std::vector<Field>& fields() const { return fields_; }
  /// Index of the field named `name`, or nullopt.
  std::optional<size_t> FieldIndex(std::string_view name) const;
  /// Index of the field whose "field-id" is `field_id`, or nullopt.
  std::optional<size_t> FieldIndexById(int32_t field_id) const;
  /// The field whose "field-id" is `field_id`, or null.
  const Field* FindFieldById(int32_t field_id) const;

  /// Enum symbols.
  const std::vector<std::string>& symbols() const { return symbols_; }
  /// Array items / map values.
  const Node& items() const { return *child_; }
  const Node& values() const { return *child_; }
  /// Union branches.
  const std::vector<const Node*>& branches() const { return branches_; }
  /// For a two-branch union with one "null" branch: the index of the other branch.
  std::optional<size_t> NonNullBranch() const;
  /// Fixed size in bytes.
  int64_t fixed_size() const { return fixed_size_; }

  /// A lower bound of the encoded size of any value of this type, used to reject counts that
  /// cannot fit in the remaining input before allocating.
  int64_t min_encoded_size() const { return min_size_; }

 private:
  friend class SchemaParser;
  Type type_ = Type::kNull;
  std::string name_, namespace_, full_name_, logical_type_;
  Json attributes_ = Json::object();
  std::vector<Field> fields_;
  std::vector<std::string> symbols_;
  const Node* child_ = nullptr;
  std::vector<const Node*> branches_;
  int64_t fixed_size_ = 0;
  int64_t min_size_ = 0;
};

/// A parsed schema: owns every node. Not copyable; share it as SchemaPtr.
class Schema {
 public:
  /// Parses schema JSON text.
  /// Errors: Corrupt for bad JSON, unknown types or names, duplicate names, invalid unions,
  /// nesting deeper than kMaxSchemaDepth.
  static Result<SchemaPtr> Parse(std::string_view json_text);
  /// As Parse, from already parsed JSON.
  static Result<SchemaPtr> FromJson(const Json& json);

  /// Only the parser can make a Key, so only Parse and FromJson create schemas.
  class Key {
    friend class SchemaParser;
    Key() = default;
  };
  explicit Schema(Key) {}

  Schema(const Schema&) = delete;
  Schema& operator=(const Schema&) = delete;

  const Node& root() const { return *root_; }
  /// A named type by full name, or null.
  const Node* FindNamed(std::string_view full_name) const;

  /// Schema JSON with keys in a fixed order (type, name, namespace, structural keys,
  /// logicalType, then attributes sorted by key). A named type is written in full at its first
  /// occurrence and by full name afterwards. Parse(ToJsonString()) gives an equal schema.
  OrderedJson ToJson() const;
  std::string ToJsonString() const;

 private:
  friend class SchemaParser;
  std::vector<std::unique_ptr<Node>> nodes_;
  const Node* root_ = nullptr;
  std::map<std::string, const Node*, std::less<>> named_;
};

}  // namespace faceberg::avro
