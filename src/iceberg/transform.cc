#include "iceberg/transform.h"

#include <limits>

#include "iceberg/single_value.h"
#include "util/bytes.h"
#include "util/murmur3.h"
#include "util/strings.h"
#include "util/time.h"

namespace faceberg::iceberg {

namespace {

constexpr int64_t kMicrosPerHour = int64_t{3600} * 1'000'000;
constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

int64_t FloorMod(int64_t a, int64_t b) { return a - FloorDiv(a, b) * b; }

bool IsTimestamp(TypeId id) { return id == TypeId::kTimestamp || id == TypeId::kTimestampTz; }

int64_t AsLong(const Value& v) {
  if (auto* i = std::get_if<int32_t>(&v)) return *i;
  return std::get<int64_t>(v);
}

// Widens promoted alternatives to the ones value.h assigns to `type`.
Value Normalize(const Value& v, const Type& type) {
  switch (type.id()) {
    case TypeId::kLong:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      if (auto* i = std::get_if<int32_t>(&v)) return Value(int64_t{*i});
      break;
    case TypeId::kDouble:
      if (auto* f = std::get_if<float>(&v)) return Value(static_cast<double>(*f));
      break;
    default:
      break;
  }
  return v;
}

// The bytes the spec hashes for bucket[N]: int-like values as 8-byte little-endian longs,
// decimals as their minimal big-endian unscaled bytes, everything else as its binary form.
Result<std::string> BucketHashInput(const Value& v, const Type& type) {
  switch (type.id()) {
    case TypeId::kInt:
    case TypeId::kLong:
    case TypeId::kDate:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: {
      std::string out;
      AppendLittleEndian<int64_t>(out, AsLong(v));
      return out;
    }
    default:
      return ValueToBinary(v, type);
  }
}

// Keeps the first `width` UTF-8 code points of `s`.
std::string TruncateUtf8(const std::string& s, int32_t width) {
  size_t pos = 0;
  int32_t code_points = 0;
  while (pos < s.size()) {
    // A code point starts at every byte that is not a continuation byte (10xxxxxx).
    if ((static_cast<unsigned char>(s[pos]) & 0xC0) != 0x80) {
      if (code_points == width) break;
      ++code_points;
    }
    ++pos;
  }
  return s.substr(0, pos);
}

int64_t YearsSinceEpoch(int64_t days) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  return y - 1970;
}

int64_t MonthsSinceEpoch(int64_t days) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  return (y - 1970) * 12 + static_cast<int64_t>(m) - 1;
}

}  // namespace

Result<Transform> Transform::Bucket(int64_t num_buckets) {
  PRECHECK(num_buckets > 0 && num_buckets <= std::numeric_limits<int32_t>::max(),
           "bucket count {} is invalid: it must be a positive 32-bit integer", num_buckets);
  return Transform(TransformKind::kBucket, static_cast<int32_t>(num_buckets), "");
}

Result<Transform> Transform::Truncate(int64_t width) {
  PRECHECK(width > 0 && width <= std::numeric_limits<int32_t>::max(),
           "truncate width {} is invalid: it must be a positive 32-bit integer", width);
  return Transform(TransformKind::kTruncate, static_cast<int32_t>(width), "");
}

Result<Transform> Transform::Parse(std::string_view text) {
  std::string lower = ToLower(Trim(text));
  PRECHECK(!lower.empty(), "the transform is empty");
  if (lower == "identity") return Identity();
  if (lower == "year") return Year();
  if (lower == "month") return Month();
  if (lower == "day") return Day();
  if (lower == "hour") return Hour();
  if (lower == "void") return Void();
  for (std::string_view name : {"bucket", "truncate"}) {
    if (lower != name && !StartsWith(lower, std::string(name) + "[")) continue;
    std::optional<int64_t> param;
    if (lower.size() > name.size() + 1 && lower.back() == ']') {
      param = ParseInt64(
          Trim(std::string_view(lower).substr(name.size() + 1, lower.size() - name.size() - 2)));
    }
    if (!param) {
      return InvalidArgument("transform '{}' is malformed: use {}[N] with a positive integer N",
                             text, name);
    }
    return name == "bucket" ? Bucket(*param) : Truncate(*param);
  }
  return Transform(TransformKind::kUnknown, 0, std::string(Trim(text)));
}

bool Transform::CanTransform(const Type& source) const {
  if (!source.is_primitive()) return false;
  TypeId id = source.id();
  switch (kind_) {
    case TransformKind::kIdentity:
    case TransformKind::kVoid:
      return true;
    case TransformKind::kBucket:
      return id != TypeId::kBoolean && id != TypeId::kFloat && id != TypeId::kDouble;
    case TransformKind::kTruncate:
      return id == TypeId::kInt || id == TypeId::kLong || id == TypeId::kDecimal ||
             id == TypeId::kString || id == TypeId::kBinary;
    case TransformKind::kYear:
    case TransformKind::kMonth:
    case TransformKind::kDay:
      return id == TypeId::kDate || IsTimestamp(id);
    case TransformKind::kHour:
      return IsTimestamp(id);
    case TransformKind::kUnknown:
      return false;
  }
  return false;
}

Result<TypePtr> Transform::ResultType(const TypePtr& source) const {
  if (kind_ == TransformKind::kUnknown) return Type::String();
  PRECHECK(CanTransform(*source), "transform {} cannot be applied to type {}", ToString(),
           source->ToString());
  switch (kind_) {
    case TransformKind::kIdentity:
    case TransformKind::kTruncate:
    case TransformKind::kVoid:
      return source;
    case TransformKind::kDay:
      // The spec's table says int; Java, PyIceberg and iceberg-rust use date. Same 4-byte days.
      return Type::Date();
    default:
      return Type::Int();
  }
}

Result<Value> Transform::Apply(const Value& value, const Type& source) const {
  if (kind_ == TransformKind::kUnknown) {
    return NotSupported("transform '{}' is not supported for writing", unknown_text_);
  }
  PRECHECK(CanTransform(source), "transform {} cannot be applied to type {}", ToString(),
           source.ToString());
  RETURN_IF_ERROR(CheckValueType(value, source));
  if (IsNull(value) || kind_ == TransformKind::kVoid) return Value();
  switch (kind_) {
    case TransformKind::kIdentity:
      return Normalize(value, source);
    case TransformKind::kBucket: {
      ASSIGN_OR_RETURN(std::string bytes, BucketHashInput(value, source));
      int32_t hash = Murmur3_32(bytes);
      return Value(static_cast<int32_t>((hash & std::numeric_limits<int32_t>::max()) % param_));
    }
    case TransformKind::kTruncate:
      switch (source.id()) {
        case TypeId::kInt: {
          int64_t v = std::get<int32_t>(value);
          return Value(static_cast<int32_t>(v - FloorMod(v, param_)));
        }
        case TypeId::kLong: {
          int64_t v = AsLong(value);
          // Wraps like Java's long arithmetic within `width` of the minimum.
          uint64_t t = static_cast<uint64_t>(v) - static_cast<uint64_t>(FloorMod(v, param_));
          return Value(static_cast<int64_t>(t));
        }
        case TypeId::kDecimal: {
          __int128 v = std::get<Decimal128>(value).unscaled;
          __int128 mod = v % param_;
          if (mod < 0) mod += param_;
          return Value(Decimal128{v - mod});
        }
        case TypeId::kString:
          return Value(TruncateUtf8(std::get<std::string>(value), param_));
        default: {  // binary
          const auto& s = std::get<std::string>(value);
          return Value(s.substr(0, std::min(s.size(), static_cast<size_t>(param_))));
        }
      }
    default:
      break;
  }
  // Time transforms: work in days, or micros for hour.
  int64_t days = source.id() == TypeId::kDate ? std::get<int32_t>(value)
                                              : FloorDiv(AsLong(value), kMicrosPerDay);
  int64_t result = 0;
  switch (kind_) {
    case TransformKind::kYear:
      result = YearsSinceEpoch(days);
      break;
    case TransformKind::kMonth:
      result = MonthsSinceEpoch(days);
      break;
    case TransformKind::kDay:
      result = days;
      break;
    default:  // hour
      result = FloorDiv(AsLong(value), kMicrosPerHour);
      break;
  }
  if (result < std::numeric_limits<int32_t>::min() ||
      result > std::numeric_limits<int32_t>::max()) {
    return InvalidArgument("{} of {} does not fit a 32-bit integer", ToString(),
                           ValueToString(value, source));
  }
  return Value(static_cast<int32_t>(result));
}

bool Transform::PreservesOrder() const {
  switch (kind_) {
    case TransformKind::kIdentity:
    case TransformKind::kTruncate:
    case TransformKind::kYear:
    case TransformKind::kMonth:
    case TransformKind::kDay:
    case TransformKind::kHour:
      return true;
    default:
      return false;
  }
}

std::string Transform::ToHumanString(const Value& transformed, const Type& source) const {
  if (IsNull(transformed)) return "null";
  const int32_t* i = std::get_if<int32_t>(&transformed);
  switch (kind_) {
    case TransformKind::kIdentity:
    case TransformKind::kTruncate:
    case TransformKind::kVoid:
      return ValueToString(transformed, source);
    case TransformKind::kUnknown:
      return ValueToString(transformed, *Type::String());
    default:
      break;
  }
  if (i == nullptr) return ValueToString(transformed, *Type::Int());
  switch (kind_) {
    case TransformKind::kYear:
      return fmt::format("{:04}", 1970 + int64_t{*i});
    case TransformKind::kMonth:
      return fmt::format("{:04}-{:02}", 1970 + FloorDiv(*i, 12), FloorMod(*i, 12) + 1);
    case TransformKind::kDay:
      return FormatDate(*i);
    case TransformKind::kHour:
      return fmt::format("{}-{:02}", FormatDate(static_cast<int32_t>(FloorDiv(*i, 24))),
                         FloorMod(*i, 24));
    default:  // bucket
      return std::to_string(*i);
  }
}

std::string Transform::ToString() const {
  switch (kind_) {
    case TransformKind::kIdentity:
      return "identity";
    case TransformKind::kBucket:
      return fmt::format("bucket[{}]", param_);
    case TransformKind::kTruncate:
      return fmt::format("truncate[{}]", param_);
    case TransformKind::kYear:
      return "year";
    case TransformKind::kMonth:
      return "month";
    case TransformKind::kDay:
      return "day";
    case TransformKind::kHour:
      return "hour";
    case TransformKind::kVoid:
      return "void";
    case TransformKind::kUnknown:
      return unknown_text_;
  }
  return unknown_text_;
}

}  // namespace faceberg::iceberg
