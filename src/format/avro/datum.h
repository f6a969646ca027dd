// Datum: a generic Avro value tree. A datum does not point to its schema; the binary encoder
// and decoder walk the schema next to it. Values read through a union are stored directly (a
// nullable long reads as a kNull or a kLong datum) with the union branch remembered in
// branch().
//
// Thread safety: a Datum is a plain value; concurrent reads are safe, writes need the caller's
// synchronization.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "format/avro/schema.h"
#include "util/result.h"

namespace faceberg::avro {

class Datum {
 public:
  /// A null datum.
  Datum() = default;

  static Datum Null() { return Datum(); }
  static Datum Boolean(bool value);
  static Datum Int(int32_t value);
  static Datum Long(int64_t value);
  static Datum Float(float value);
  static Datum Double(double value);
  static Datum Bytes(std::string value);
  static Datum String(std::string value);
  static Datum Fixed(std::string value);
  /// An enum value by symbol index.
  static Datum Enum(int32_t index);
  /// A record with `fields` in schema order.
  static Datum Record(std::vector<Datum> fields);
  static Datum Array(std::vector<Datum> items);
  static Datum Map(std::vector<std::pair<std::string, Datum>> entries);

  /// Never kUnion.
  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }

  /// The union branch this value was decoded from, or -1. When encoding into a union, a branch
  /// >= 0 selects that branch; -1 selects the first branch whose type matches type().
  int32_t branch() const { return branch_; }
  Datum& set_branch(int32_t branch) {
    branch_ = branch;
    return *this;
  }

  // Unchecked scalar access. REQUIRES: type() is the named kind (bytes(): bytes, string or
  // fixed). Use the As* conversions below on values from untrusted files.
  bool bool_value() const { return scalar_ != 0; }
  int32_t int_value() const { return static_cast<int32_t>(scalar_); }
  int64_t long_value() const { return scalar_; }
  float float_value() const { return static_cast<float>(double_value()); }
  double double_value() const;
  int32_t enum_index() const { return static_cast<int32_t>(scalar_); }
  const std::string& bytes() const { return bytes_; }
  std::string& mutable_bytes() { return bytes_; }

  /// Number of record fields, array items or map entries.
  size_t size() const { return children_.size(); }
  /// Record field, array item or map value `i`. REQUIRES: i < size().
  const Datum& operator[](size_t i) const { return children_[i]; }
  Datum& operator[](size_t i) { return children_[i]; }
  /// Record fields, array items or map values.
  const std::vector<Datum>& children() const { return children_; }
  std::vector<Datum>& mutable_children() { return children_; }
  /// Map key `i`. REQUIRES: type() == kMap, i < size().
  const std::string& key(size_t i) const { return keys_[i]; }
  const std::vector<std::string>& keys() const { return keys_; }
  /// The map value for `key`, or null.
  const Datum* FindMapValue(std::string_view key) const;

  /// Appends an array item. REQUIRES: type() == kArray.
  void Append(Datum item) { children_.push_back(std::move(item)); }
  /// Appends a map entry. REQUIRES: type() == kMap.
  void Append(std::string key, Datum value);

  // Checked conversions. Errors: Corrupt naming the expected and actual types.
  Result<bool> AsBool() const;
  /// int, or a long within the int range.
  Result<int32_t> AsInt() const;
  /// int or long.
  Result<int64_t> AsLong() const;
  /// float or double; int and long convert as Avro's promotion rules allow.
  Result<double> AsDouble() const;
  /// string, bytes or fixed.
  Result<std::string_view> AsBytes() const;

  /// Deep equality of type and value; branch() is ignored. Floats compare bitwise, so NaN
  /// equals NaN.
  bool operator==(const Datum& other) const;

  /// A JSON-like rendering for messages and tests (bytes as hex).
  std::string ToString() const;

 private:
  Type type_ = Type::kNull;
  int32_t branch_ = -1;
  int64_t scalar_ = 0;  // bool, int, long, enum; the bits of a double (floats are widened)
  std::string bytes_;
  std::vector<Datum> children_;
  std::vector<std::string> keys_;
};

/// The field of `record` whose "field-id" in `record_schema` is `field_id`, or null when the
/// schema has no such field. REQUIRES: `record` was decoded with (or built for) `record_schema`.
const Datum* FieldById(const Datum& record, const Node& record_schema, int32_t field_id);

}  // namespace faceberg::avro
