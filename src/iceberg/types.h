// Iceberg's type system (format v2): primitive types, struct, list and map, with field ids.
// Types are immutable and shared through TypePtr.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace faceberg::iceberg {

enum class TypeId {
  kBoolean,
  kInt,
  kLong,
  kFloat,
  kDouble,
  kDecimal,
  kDate,
  kTime,
  kTimestamp,
  kTimestampTz,
  kString,
  kUuid,
  kFixed,
  kBinary,
  kStruct,
  kList,
  kMap,
};

class Type;
using TypePtr = std::shared_ptr<const Type>;

/// A named, numbered slot: a struct field, a list element or a map key/value.
struct NestedField {
  int32_t id = 0;
  std::string name;
  bool required = false;
  TypePtr type;
  std::string doc;  // empty when absent
};

/// One Iceberg type. Primitive parameters (decimal precision/scale, fixed length) and nested
/// children are read through the accessors valid for the type's id.
class Type {
 public:
  static TypePtr Boolean();
  static TypePtr Int();
  static TypePtr Long();
  static TypePtr Float();
  static TypePtr Double();
  static TypePtr Date();
  static TypePtr Time();
  static TypePtr Timestamp();
  static TypePtr TimestampTz();
  static TypePtr String();
  static TypePtr Uuid();
  static TypePtr Binary();
  /// Errors: InvalidArgument unless 1 <= precision <= 38 and 0 <= scale <= precision.
  static Result<TypePtr> Decimal(int precision, int scale);
  /// Errors: InvalidArgument unless length > 0.
  static Result<TypePtr> Fixed(int64_t length);
  static TypePtr Struct(std::vector<NestedField> fields);
  /// The element field is named "element".
  static TypePtr List(int32_t element_id, bool element_required, TypePtr element);
  /// Map keys are always required; fields are named "key" and "value".
  static TypePtr Map(int32_t key_id, TypePtr key, int32_t value_id, bool value_required,
                     TypePtr value);

  /// Parses a primitive type name as written in metadata JSON: "long", "decimal(9, 2)",
  /// "fixed[16]", "timestamptz". Errors: InvalidArgument naming the unknown type.
  static Result<TypePtr> ParsePrimitive(std::string_view name);

  TypeId id() const { return id_; }
  bool is_primitive() const { return id_ < TypeId::kStruct; }
  bool is_nested() const { return !is_primitive(); }
  int precision() const { return precision_; }
  int scale() const { return scale_; }
  int64_t fixed_length() const { return fixed_length_; }
  /// Struct fields; for list the single element, for map key then value.
  const std::vector<NestedField>& fields() const { return fields_; }
  const NestedField& element() const { return fields_[0]; }
  const NestedField& key() const { return fields_[0]; }
  const NestedField& value() const { return fields_[1]; }

  /// Primitive names as in JSON ("decimal(9,2)", "fixed[16]"); nested as "struct<a: int>",
  /// "list<string>", "map<string, long>".
  std::string ToString() const;
  /// Structural equality including field ids, names and requiredness.
  bool Equals(const Type& other) const;

 private:
  explicit Type(TypeId id) : id_(id) {}
  static TypePtr MakePrimitive(TypeId id);

  TypeId id_;
  int precision_ = 0;
  int scale_ = 0;
  int64_t fixed_length_ = 0;
  std::vector<NestedField> fields_;
};

/// True when values of `from` may be read as `to` under Iceberg's promotion rules
/// (int->long, float->double, decimal(P,S)->decimal(P',S) with P' >= P, and identity).
bool IsPromotionAllowed(const Type& from, const Type& to);

}  // namespace faceberg::iceberg
