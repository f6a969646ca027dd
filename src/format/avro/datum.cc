#include "format/avro/datum.h"

#include <bit>
#include <limits>

#include "util/json.h"
#include "util/strings.h"

namespace faceberg::avro {

namespace {

Status TypeMismatch(std::string_view expected, Type actual) {
  return Corrupt("expected {} value, found {}", expected, TypeName(actual));
}

}  // namespace

Datum Datum::Boolean(bool value) {
  Datum d;
  d.type_ = Type::kBoolean;
  d.scalar_ = value ? 1 : 0;
  return d;
}

Datum Datum::Int(int32_t value) {
  Datum d;
  d.type_ = Type::kInt;
  d.scalar_ = value;
  return d;
}

Datum Datum::Long(int64_t value) {
  Datum d;
  d.type_ = Type::kLong;
  d.scalar_ = value;
  return d;
}

Datum Datum::Float(float value) {
  Datum d;
  d.type_ = Type::kFloat;
  d.scalar_ = std::bit_cast<int64_t>(static_cast<double>(value));
  return d;
}

Datum Datum::Double(double value) {
  Datum d;
  d.type_ = Type::kDouble;
  d.scalar_ = std::bit_cast<int64_t>(value);
  return d;
}

Datum Datum::Bytes(std::string value) {
  Datum d;
  d.type_ = Type::kBytes;
  d.bytes_ = std::move(value);
  return d;
}

Datum Datum::String(std::string value) {
  Datum d;
  d.type_ = Type::kString;
  d.bytes_ = std::move(value);
  return d;
}

Datum Datum::Fixed(std::string value) {
  Datum d;
  d.type_ = Type::kFixed;
  d.bytes_ = std::move(value);
  return d;
}

Datum Datum::Enum(int32_t index) {
  Datum d;
  d.type_ = Type::kEnum;
  d.scalar_ = index;
  return d;
}

Datum Datum::Record(std::vector<Datum> fields) {
  Datum d;
  d.type_ = Type::kRecord;
  d.children_ = std::move(fields);
  return d;
}

Datum Datum::Array(std::vector<Datum> items) {
  Datum d;
  d.type_ = Type::kArray;
  d.children_ = std::move(items);
  return d;
}

Datum Datum::Map(std::vector<std::pair<std::string, Datum>> entries) {
  Datum d;
  d.type_ = Type::kMap;
  d.keys_.reserve(entries.size());
  d.children_.reserve(entries.size());
  for (auto& [key, value] : entries) {
    d.keys_.push_back(std::move(key));
    d.children_.push_back(std::move(value));
  }
  return d;
}

double Datum::double_value() const { return std::bit_cast<double>(scalar_); }

const Datum* Datum::FindMapValue(std::string_view key) const {
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (keys_[i] == key) return &children_[i];
  }
  return nullptr;
}

void Datum::Append(std::string key, Datum value) {
  keys_.push_back(std::move(key));
  children_.push_back(std::move(value));
}

Result<bool> Datum::AsBool() const {
  if (type_ != Type::kBoolean) return TypeMismatch("a boolean", type_);
  return bool_value();
}

Result<int32_t> Datum::AsInt() const {
  if (type_ == Type::kInt) return int_value();
  if (type_ == Type::kLong) {
    if (scalar_ < std::numeric_limits<int32_t>::min() ||
        scalar_ > std::numeric_limits<int32_t>::max()) {
      return Corrupt("long value {} does not fit an int", scalar_);
    }
    return int_value();
  }
  return TypeMismatch("an int", type_);
}

Result<int64_t> Datum::AsLong() const {
  if (type_ == Type::kInt || type_ == Type::kLong) return scalar_;
  return TypeMismatch("a long", type_);
}

Result<double> Datum::AsDouble() const {
  switch (type_) {
    case Type::kFloat:
    case Type::kDouble:
      return double_value();
    case Type::kInt:
    case Type::kLong:
      return static_cast<double>(scalar_);
    default:
      return TypeMismatch("a double", type_);
  }
}

Result<std::string_view> Datum::AsBytes() const {
  if (type_ == Type::kBytes || type_ == Type::kString || type_ == Type::kFixed) {
    return std::string_view(bytes_);
  }
  return TypeMismatch("a bytes", type_);
}

bool Datum::operator==(const Datum& other) const {
  return type_ == other.type_ && scalar_ == other.scalar_ && bytes_ == other.bytes_ &&
         children_ == other.children_ && keys_ == other.keys_;
}

std::string Datum::ToString() const {
  switch (type_) {
    case Type::kNull:
      return "null";
    case Type::kBoolean:
      return bool_value() ? "true" : "false";
    case Type::kInt:
    case Type::kLong:
      return std::to_string(scalar_);
    case Type::kFloat:
    case Type::kDouble:
      return fmt::format("{}", double_value());
    case Type::kString:
      return DumpJson(Json(bytes_));
    case Type::kBytes:
    case Type::kFixed:
      return "0x" + HexEncode(bytes_);
    case Type::kEnum:
      return fmt::format("enum#{}", scalar_);
    case Type::kRecord:
    case Type::kArray: {
      std::string out = type_ == Type::kRecord ? "{" : "[";
      for (size_t i = 0; i < children_.size(); ++i) {
        if (i > 0) out += ", ";
        out += children_[i].ToString();
      }
      return out + (type_ == Type::kRecord ? "}" : "]");
    }
    case Type::kMap: {
      std::string out = "{";
      for (size_t i = 0; i < children_.size(); ++i) {
        if (i > 0) out += ", ";
        out += DumpJson(Json(keys_[i])) + ": " + children_[i].ToString();
      }
      return out + "}";
    }
    case Type::kUnion:
      break;
  }
  return "?";
}

const Datum* FieldById(const Datum& record, const Node& record_schema, int32_t field_id) {
  if (record.type() != Type::kRecord || record_schema.type() != Type::kRecord) return nullptr;
  auto index = record_schema.FieldIndexById(field_id);
  if (!index || *index >= record.size()) return nullptr;
  return &record[*index];
}

}  // namespace faceberg::avro
