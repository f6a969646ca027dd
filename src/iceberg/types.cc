#include "iceberg/types.h"

#include "util/strings.h"

namespace faceberg::iceberg {

TypePtr Type::MakePrimitive(TypeId id) { return TypePtr(new Type(id)); }

#define FACEBERG_PRIMITIVE(Name, Id)                \
  TypePtr Type::Name() {                            \
    static const TypePtr kType = MakePrimitive(Id); \
    return kType;                                   \
  }
FACEBERG_PRIMITIVE(Boolean, TypeId::kBoolean)
FACEBERG_PRIMITIVE(Int, TypeId::kInt)
FACEBERG_PRIMITIVE(Long, TypeId::kLong)
FACEBERG_PRIMITIVE(Float, TypeId::kFloat)
FACEBERG_PRIMITIVE(Double, TypeId::kDouble)
FACEBERG_PRIMITIVE(Date, TypeId::kDate)
FACEBERG_PRIMITIVE(Time, TypeId::kTime)
FACEBERG_PRIMITIVE(Timestamp, TypeId::kTimestamp)
FACEBERG_PRIMITIVE(TimestampTz, TypeId::kTimestampTz)
FACEBERG_PRIMITIVE(String, TypeId::kString)
FACEBERG_PRIMITIVE(Uuid, TypeId::kUuid)
FACEBERG_PRIMITIVE(Binary, TypeId::kBinary)
#undef FACEBERG_PRIMITIVE

Result<TypePtr> Type::Decimal(int precision, int scale) {
  if (precision < 1 || precision > 38 || scale < 0 || scale > precision) {
    return InvalidArgument(
        "decimal({}, {}) is invalid: precision must be 1..38 and scale 0..precision", precision,
        scale);
  }
  auto t = std::shared_ptr<Type>(new Type(TypeId::kDecimal));
  t->precision_ = precision;
  t->scale_ = scale;
  return TypePtr(t);
}

Result<TypePtr> Type::Fixed(int64_t length) {
  if (length <= 0 || length > (int64_t{1} << 31)) {
    return InvalidArgument("fixed[{}] is invalid: the length must be positive", length);
  }
  auto t = std::shared_ptr<Type>(new Type(TypeId::kFixed));
  t->fixed_length_ = length;
  return TypePtr(t);
}

TypePtr Type::Struct(std::vector<NestedField> fields) {
  auto t = std::shared_ptr<Type>(new Type(TypeId::kStruct));
  t->fields_ = std::move(fields);
  return t;
}

TypePtr Type::List(int32_t element_id, bool element_required, TypePtr element) {
  auto t = std::shared_ptr<Type>(new Type(TypeId::kList));
  t->fields_.push_back(
      NestedField{element_id, "element", element_required, std::move(element), ""});
  return t;
}

TypePtr Type::Map(int32_t key_id, TypePtr key, int32_t value_id, bool value_required,
                  TypePtr value) {
  auto t = std::shared_ptr<Type>(new Type(TypeId::kMap));
  t->fields_.push_back(NestedField{key_id, "key", true, std::move(key), ""});
  t->fields_.push_back(NestedField{value_id, "value", value_required, std::move(value), ""});
  return t;
}

namespace {

// Parses "(a, b)" or "[a]" bodies into integers.
bool ParseParams(std::string_view body, std::vector<int64_t>* out) {
  for (const auto& piece : Split(body, ',')) {
    auto v = ParseInt64(Trim(piece));
    if (!v) return false;
    out->push_back(*v);
  }
  return true;
}

}  // namespace

Result<TypePtr> Type::ParsePrimitive(std::string_view raw) {
  std::string name = ToLower(Trim(raw));
  struct Simple {
    const char* name;
    TypePtr (*make)();
  };
  static const Simple kSimple[] = {
      {"boolean", &Type::Boolean},
      {"int", &Type::Int},
      {"long", &Type::Long},
      {"float", &Type::Float},
      {"double", &Type::Double},
      {"date", &Type::Date},
      {"time", &Type::Time},
      {"timestamp", &Type::Timestamp},
      {"timestamptz", &Type::TimestampTz},
      {"string", &Type::String},
      {"uuid", &Type::Uuid},
      {"binary", &Type::Binary},
  };
  for (const auto& s : kSimple) {
    if (name == s.name) return s.make();
  }
  if (StartsWith(name, "decimal(") && EndsWith(name, ")")) {
    std::vector<int64_t> p;
    if (ParseParams(std::string_view(name).substr(8, name.size() - 9), &p) && p.size() == 2) {
      return Decimal(static_cast<int>(p[0]), static_cast<int>(p[1]));
    }
  }
  if (StartsWith(name, "fixed[") && EndsWith(name, "]")) {
    std::vector<int64_t> p;
    if (ParseParams(std::string_view(name).substr(6, name.size() - 7), &p) && p.size() == 1) {
      return Fixed(p[0]);
    }
  }
  return InvalidArgument(
      "unknown type '{}': use boolean, int, long, float, double, decimal(P,S), date, time, "
      "timestamp, timestamptz, string, uuid, fixed[L] or binary",
      raw);
}

std::string Type::ToString() const {
  switch (id_) {
    case TypeId::kBoolean:
      return "boolean";
    case TypeId::kInt:
      return "int";
    case TypeId::kLong:
      return "long";
    case TypeId::kFloat:
      return "float";
    case TypeId::kDouble:
      return "double";
    case TypeId::kDecimal:
      return fmt::format("decimal({},{})", precision_, scale_);
    case TypeId::kDate:
      return "date";
    case TypeId::kTime:
      return "time";
    case TypeId::kTimestamp:
      return "timestamp";
    case TypeId::kTimestampTz:
      return "timestamptz";
    case TypeId::kString:
      return "string";
    case TypeId::kUuid:
      return "uuid";
    case TypeId::kFixed:
      return fmt::format("fixed[{}]", fixed_length_);
    case TypeId::kBinary:
      return "binary";
    case TypeId::kStruct: {
      std::vector<std::string> parts;
      for (const auto& f : fields_) parts.push_back(f.name + ": " + f.type->ToString());
      return "struct<" + Join(parts, ", ") + ">";
    }
    case TypeId::kList:
      return "list<" + element().type->ToString() + ">";
    case TypeId::kMap:
      return "map<" + key().type->ToString() + ", " + value().type->ToString() + ">";
  }
  return "unknown";
}

bool Type::Equals(const Type& other) const {
  if (id_ != other.id_ || precision_ != other.precision_ || scale_ != other.scale_ ||
      fixed_length_ != other.fixed_length_ || fields_.size() != other.fields_.size()) {
    return false;
  }
  for (size_t i = 0; i < fields_.size(); ++i) {
    const auto& a = fields_[i];
    const auto& b = other.fields_[i];
    if (a.id != b.id || a.name != b.name || a.required != b.required || !a.type->Equals(*b.type)) {
      return false;
    }
  }
  return true;
}

bool IsPromotionAllowed(const Type& from, const Type& to) {
  if (from.Equals(to)) return true;
  if (from.id() == TypeId::kInt && to.id() == TypeId::kLong) return true;
  if (from.id() == TypeId::kFloat && to.id() == TypeId::kDouble) return true;
  if (from.id() == TypeId::kDecimal && to.id() == TypeId::kDecimal) {
    return from.scale() == to.scale() && to.precision() >= from.precision();
  }
  return false;
}

}  // namespace faceberg::iceberg
