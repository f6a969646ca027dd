#include "iceberg/single_value.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "util/bytes.h"
#include "util/strings.h"
#include "util/time.h"

namespace faceberg::iceberg {

namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

// ---- small helpers ----

std::string_view AlternativeName(const Value& v) {
  switch (v.index()) {
    case 0:
      return "null";
    case 1:
      return "boolean";
    case 2:
      return "32-bit integer";
    case 3:
      return "64-bit integer";
    case 4:
      return "float";
    case 5:
      return "double";
    case 6:
      return "bytes";
    default:
      return "decimal";
  }
}

std::optional<int64_t> AsInt64(const Value& v) {
  if (auto* i = std::get_if<int32_t>(&v)) return *i;
  if (auto* l = std::get_if<int64_t>(&v)) return *l;
  return std::nullopt;
}

std::optional<double> AsDouble(const Value& v) {
  if (auto* f = std::get_if<float>(&v)) return static_cast<double>(*f);
  if (auto* d = std::get_if<double>(&v)) return *d;
  return std::nullopt;
}

std::string Int128ToString(__int128 v) {
  if (v == 0) return "0";
  bool negative = v < 0;
  // Work on the unsigned magnitude so the minimum value does not overflow.
  unsigned __int128 mag = negative ? -static_cast<unsigned __int128>(v) : v;
  std::string digits;
  while (mag > 0) {
    digits.push_back(static_cast<char>('0' + static_cast<int>(mag % 10)));
    mag /= 10;
  }
  if (negative) digits.push_back('-');
  return std::string(digits.rbegin(), digits.rend());
}

__int128 Pow10(int n) {
  __int128 p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

// "14.20" for unscaled 1420 at scale 2; "-0.05"; "7" at scale 0.
std::string FormatDecimal(__int128 unscaled, int scale) {
  std::string digits = Int128ToString(unscaled);
  bool negative = !digits.empty() && digits[0] == '-';
  if (negative) digits.erase(0, 1);
  if (scale > 0) {
    if (static_cast<int>(digits.size()) <= scale) {
      digits.insert(0, static_cast<size_t>(scale) - digits.size() + 1, '0');
    }
    digits.insert(digits.size() - static_cast<size_t>(scale), ".");
  }
  return negative ? "-" + digits : digits;
}

// Parses "[+-]digits[.digits][(e|E)[+-]digits]" into an unscaled value at `scale` that fits
// `precision` digits. Extra fraction digits must be zeros (no rounding).
Result<__int128> ParseDecimalText(std::string_view text, int precision, int scale) {
  auto bad = [&]() {
    return InvalidArgument("'{}' is not a decimal({}, {}): use digits like 14.20", text, precision,
                           scale);
  };
  std::string_view s = Trim(text);
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  std::string digits;
  int fraction_digits = 0;
  bool seen_point = false;
  size_t i = 0;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
      if (seen_point) ++fraction_digits;
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (digits.empty()) return bad();
  int64_t exponent = 0;
  if (i < s.size()) {
    if (s[i] != 'e' && s[i] != 'E') return bad();
    auto e = ParseInt64(s.substr(i + 1));
    if (!e || *e > 1000 || *e < -1000) return bad();
    exponent = *e;
  }
  // value = digits * 10^(exponent - fraction_digits); we need digits * 10^(shift).
  int64_t shift = static_cast<int64_t>(scale) + exponent - fraction_digits;
  if (shift < 0) {
    // Dropping digits is only exact when they are zeros.
    size_t drop = static_cast<size_t>(-shift);
    if (drop > digits.size()) drop = digits.size();
    for (size_t k = digits.size() - drop; k < digits.size(); ++k) {
      if (digits[k] != '0') {
        return InvalidArgument("'{}' has more than {} digits after the point for decimal({}, {})",
                               text, scale, precision, scale);
      }
    }
    digits.resize(digits.size() - drop);
    shift = 0;
  }
  size_t first = digits.find_first_not_of('0');
  std::string significant = first == std::string::npos ? "" : digits.substr(first);
  if (static_cast<int64_t>(significant.size()) + (significant.empty() ? 0 : shift) > precision) {
    return InvalidArgument("'{}' does not fit decimal({}, {}): at most {} digits", text, precision,
                           scale, precision);
  }
  __int128 unscaled = 0;
  for (char c : significant) unscaled = unscaled * 10 + (c - '0');
  if (!significant.empty()) unscaled *= Pow10(static_cast<int>(shift));
  return negative ? -unscaled : unscaled;
}

bool FitsPrecision(__int128 unscaled, int precision) {
  __int128 limit = Pow10(precision);
  return unscaled < limit && unscaled > -limit;
}

// Minimal big-endian two's complement; zero is one 0x00 byte (as Java's BigInteger writes it).
std::string DecimalToBytes(__int128 unscaled) {
  unsigned char be[16];
  auto u = static_cast<unsigned __int128>(unscaled);
  for (int i = 15; i >= 0; --i) {
    be[i] = static_cast<unsigned char>(u & 0xff);
    u >>= 8;
  }
  int start = 0;
  while (start < 15) {
    bool redundant = (be[start] == 0x00 && (be[start + 1] & 0x80) == 0) ||
                     (be[start] == 0xff && (be[start + 1] & 0x80) != 0);
    if (!redundant) break;
    ++start;
  }
  return std::string(reinterpret_cast<const char*>(be + start), 16 - start);
}

__int128 DecimalFromBytes(std::string_view bytes) {
  auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  unsigned __int128 u = (b[0] & 0x80) ? ~static_cast<unsigned __int128>(0) : 0;
  for (size_t i = 0; i < bytes.size(); ++i) u = (u << 8) | b[i];
  return static_cast<__int128>(u);
}

// "22:31:08.123456" for micros since midnight.
std::string FormatTime(int64_t micros) {
  int64_t secs = micros / kMicrosPerSecond;
  return fmt::format("{:02}:{:02}:{:02}.{:06}", secs / 3600, secs / 60 % 60, secs % 60,
                     micros % kMicrosPerSecond);
}

bool ReadFixedDigits(std::string_view s, size_t* pos, int n, int64_t* out) {
  if (*pos + static_cast<size_t>(n) > s.size()) return false;
  int64_t v = 0;
  for (int i = 0; i < n; ++i) {
    char c = s[*pos + static_cast<size_t>(i)];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pos += static_cast<size_t>(n);
  *out = v;
  return true;
}

// "HH:MM[:SS[.f{1,9}]]" into micros since midnight (digits past micros are dropped).
Result<int64_t> ParseTimeText(std::string_view text) {
  std::string_view s = Trim(text);
  size_t p = 0;
  int64_t h = 0, m = 0, sec = 0, frac = 0;
  bool ok = ReadFixedDigits(s, &p, 2, &h) && p < s.size() && s[p++] == ':' &&
            ReadFixedDigits(s, &p, 2, &m);
  if (ok && p < s.size()) {
    ok = s[p++] == ':' && ReadFixedDigits(s, &p, 2, &sec);
    if (ok && p < s.size()) {
      ok = s[p++] == '.';
      int digits = 0;
      while (ok && p < s.size() && s[p] >= '0' && s[p] <= '9') {
        if (digits < 6) frac = frac * 10 + (s[p] - '0');
        ++digits;
        ++p;
      }
      ok = ok && digits > 0 && digits <= 9 && p == s.size();
      for (int i = digits; i < 6; ++i) frac *= 10;
    }
  }
  if (!ok || h > 23 || m > 59 || sec > 59) {
    return InvalidArgument("'{}' is not a time: use HH:MM:SS[.ffffff] like 22:31:08.123456", text);
  }
  return (h * 3600 + m * 60 + sec) * kMicrosPerSecond + frac;
}

// "YYYY-MM-DD" into days since 1970-01-01; the day must exist in its month.
Result<int32_t> ParseDateText(std::string_view text) {
  std::string_view s = Trim(text);
  size_t p = 0;
  int64_t y = 0, m = 0, d = 0;
  bool ok = ReadFixedDigits(s, &p, 4, &y) && p < s.size() && s[p++] == '-' &&
            ReadFixedDigits(s, &p, 2, &m) && p < s.size() && s[p++] == '-' &&
            ReadFixedDigits(s, &p, 2, &d) && p == s.size() && m >= 1 && m <= 12 && d >= 1 &&
            d <= 31;
  if (ok) {
    int64_t days = DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
    int64_t ry;
    unsigned rm, rd;
    CivilFromDays(days, &ry, &rm, &rd);
    if (ry == y && rm == m && rd == d) return static_cast<int32_t>(days);
  }
  return InvalidArgument("'{}' is not a date: use YYYY-MM-DD like 2026-01-31", text);
}

std::string FormatUuidBytes(std::string_view b) {
  std::string hex = HexEncode(b);
  if (hex.size() != 32) return hex;
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

Result<std::string> ParseUuidText(std::string_view text) {
  std::string_view s = Trim(text);
  std::string hex;
  bool ok = true;
  if (s.size() == 36) {
    for (size_t i = 0; i < s.size(); ++i) {
      bool dash_pos = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash_pos != (s[i] == '-')) ok = false;
      if (!dash_pos) hex.push_back(s[i]);
    }
  } else {
    hex = std::string(s);
  }
  std::optional<std::string> bytes;
  if (ok && hex.size() == 32) bytes = HexDecode(hex);
  if (!bytes) {
    return InvalidArgument("'{}' is not a uuid: use the form f79c3e09-677c-4bbd-a479-3f349cb785e7",
                           text);
  }
  return *std::move(bytes);
}

Result<std::string> ParseHexText(std::string_view text, const Type& type) {
  std::string_view s = Trim(text);
  if (StartsWith(s, "0x") || StartsWith(s, "0X")) s.remove_prefix(2);
  auto bytes = HexDecode(s);
  if (!bytes) {
    return InvalidArgument("'{}' is not a {} value: use hex digits like 00010203", text,
                           type.ToString());
  }
  if (type.id() == TypeId::kFixed && static_cast<int64_t>(bytes->size()) != type.fixed_length()) {
    return InvalidArgument("'{}' has {} bytes but {} needs {}", text, bytes->size(),
                           type.ToString(), type.fixed_length());
  }
  return *std::move(bytes);
}

template <typename T>
Result<T> ParseFloatText(std::string_view text, const Type& type) {
  std::string_view s = Trim(text);
  std::string lower = ToLower(s);
  if (lower == "nan") return std::numeric_limits<T>::quiet_NaN();
  if (lower == "inf" || lower == "+inf" || lower == "infinity" || lower == "+infinity") {
    return std::numeric_limits<T>::infinity();
  }
  if (lower == "-inf" || lower == "-infinity") return -std::numeric_limits<T>::infinity();
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  T v{};
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size() || std::isnan(v) ||
      std::isinf(v)) {
    return InvalidArgument("'{}' is not a {}: use a number like 1.5, NaN or Infinity", text,
                           type.ToString());
  }
  return v;
}

// The shortest decimal text of a float, read back as a double, so 0.1f becomes 0.1 in JSON.
double FloatToJsonDouble(float f) {
  std::string text = fmt::format("{}", f);
  double d = f;
  std::from_chars(text.data(), text.data() + text.size(), d);
  return d;
}

Json NonFiniteToJson(double d) {
  if (std::isnan(d)) return "NaN";
  return d > 0 ? "Infinity" : "-Infinity";
}

std::string TrimZeroFraction(std::string text) {
  if (EndsWith(text, ".000000")) text.resize(text.size() - 7);
  return text;
}

std::string AlternativeToString(const Value& v) {
  struct Visitor {
    std::string operator()(std::monostate) const { return "null"; }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(int32_t i) const { return std::to_string(i); }
    std::string operator()(int64_t i) const { return std::to_string(i); }
    std::string operator()(float f) const { return fmt::format("{}", f); }
    std::string operator()(double d) const { return fmt::format("{}", d); }
    std::string operator()(const std::string& s) const { return s; }
    std::string operator()(const Decimal128& d) const { return Int128ToString(d.unscaled); }
  };
  return std::visit(Visitor{}, v);
}

Status MismatchError(const Value& value, const Type& type) {
  return InvalidArgument("a {} value cannot hold type {}", AlternativeName(value), type.ToString());
}

}  // namespace

// ---- type check ----

Status CheckValueType(const Value& value, const Type& type) {
  if (!type.is_primitive()) {
    return NotSupported("{} values have no single-value form", type.ToString());
  }
  if (IsNull(value)) return Status::OK();
  bool ok = false;
  switch (type.id()) {
    case TypeId::kBoolean:
      ok = std::holds_alternative<bool>(value);
      break;
    case TypeId::kInt:
    case TypeId::kDate:
      ok = std::holds_alternative<int32_t>(value);
      break;
    case TypeId::kLong:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      ok = AsInt64(value).has_value();
      break;
    case TypeId::kFloat:
      ok = std::holds_alternative<float>(value);
      break;
    case TypeId::kDouble:
      ok = AsDouble(value).has_value();
      break;
    case TypeId::kDecimal:
      ok = std::holds_alternative<Decimal128>(value);
      break;
    case TypeId::kUuid:
      if (auto* s = std::get_if<std::string>(&value); s && s->size() != 16) {
        return InvalidArgument("a uuid value must hold 16 bytes, not {}", s->size());
      }
      ok = std::holds_alternative<std::string>(value);
      break;
    case TypeId::kString:
    case TypeId::kFixed:
    case TypeId::kBinary:
      ok = std::holds_alternative<std::string>(value);
      break;
    default:
      break;
  }
  return ok ? Status::OK() : MismatchError(value, type);
}

// ---- binary ----

Result<std::string> ValueToBinary(const Value& value, const Type& type) {
  RETURN_IF_ERROR(CheckValueType(value, type));
  if (IsNull(value)) {
    return InvalidArgument("null has no single-value binary form (type {})", type.ToString());
  }
  std::string out;
  switch (type.id()) {
    case TypeId::kBoolean:
      out.push_back(std::get<bool>(value) ? 1 : 0);
      break;
    case TypeId::kInt:
    case TypeId::kDate:
      AppendLittleEndian<int32_t>(out, std::get<int32_t>(value));
      break;
    case TypeId::kLong:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      AppendLittleEndian<int64_t>(out, *AsInt64(value));
      break;
    case TypeId::kFloat:
      AppendLittleEndian<float>(out, std::get<float>(value));
      break;
    case TypeId::kDouble:
      AppendLittleEndian<double>(out, *AsDouble(value));
      break;
    case TypeId::kDecimal: {
      __int128 unscaled = std::get<Decimal128>(value).unscaled;
      if (!FitsPrecision(unscaled, type.precision())) {
        return InvalidArgument("{} does not fit {}", FormatDecimal(unscaled, type.scale()),
                               type.ToString());
      }
      out = DecimalToBytes(unscaled);
      break;
    }
    default:  // string, uuid, fixed, binary
      out = std::get<std::string>(value);
      break;
  }
  return out;
}

Result<Value> ValueFromBinary(std::string_view bytes, const Type& type) {
  if (!type.is_primitive()) {
    return NotSupported("{} values have no single-value form", type.ToString());
  }
  auto bad_length = [&]() {
    return Corrupt("a {}-byte single value cannot be a {}", bytes.size(), type.ToString());
  };
  switch (type.id()) {
    case TypeId::kBoolean:
      if (bytes.size() != 1) return bad_length();
      return Value(bytes[0] != 0);
    case TypeId::kInt:
    case TypeId::kDate:
      if (bytes.size() != 4) return bad_length();
      return Value(LoadLittleEndian<int32_t>(bytes));
    case TypeId::kLong:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      if (bytes.size() == 8) return Value(LoadLittleEndian<int64_t>(bytes));
      if (bytes.size() == 4 && type.id() == TypeId::kLong) {
        return Value(int64_t{LoadLittleEndian<int32_t>(bytes)});  // written while an int
      }
      if (bytes.size() == 4 && type.id() != TypeId::kTime) {
        return Value(int64_t{LoadLittleEndian<int32_t>(bytes)} * kMicrosPerDay);  // was a date
      }
      return bad_length();
    case TypeId::kFloat:
      if (bytes.size() != 4) return bad_length();
      return Value(LoadLittleEndian<float>(bytes));
    case TypeId::kDouble:
      if (bytes.size() == 8) return Value(LoadLittleEndian<double>(bytes));
      if (bytes.size() == 4) return Value(static_cast<double>(LoadLittleEndian<float>(bytes)));
      return bad_length();
    case TypeId::kDecimal:
      if (bytes.empty() || bytes.size() > 16) return bad_length();
      return Value(Decimal128{DecimalFromBytes(bytes)});
    case TypeId::kUuid:
      if (bytes.size() != 16) return bad_length();
      return Value(std::string(bytes));
    default:  // string, fixed, binary
      return Value(std::string(bytes));
  }
}

// ---- JSON ----

Result<Json> ValueToJson(const Value& value, const Type& type) {
  RETURN_IF_ERROR(CheckValueType(value, type));
  if (IsNull(value)) return Json(nullptr);
  switch (type.id()) {
    case TypeId::kBoolean:
      return Json(std::get<bool>(value));
    case TypeId::kInt:
      return Json(std::get<int32_t>(value));
    case TypeId::kLong:
      return Json(*AsInt64(value));
    case TypeId::kFloat: {
      float f = std::get<float>(value);
      return std::isfinite(f) ? Json(FloatToJsonDouble(f)) : NonFiniteToJson(f);
    }
    case TypeId::kDouble: {
      double d = *AsDouble(value);
      if (std::holds_alternative<float>(value) && std::isfinite(d)) {
        d = FloatToJsonDouble(std::get<float>(value));
      }
      return std::isfinite(d) ? Json(d) : NonFiniteToJson(d);
    }
    case TypeId::kDecimal:
      return Json(FormatDecimal(std::get<Decimal128>(value).unscaled, type.scale()));
    case TypeId::kDate:
      return Json(FormatDate(std::get<int32_t>(value)));
    case TypeId::kTime:
      return Json(FormatTime(*AsInt64(value)));
    case TypeId::kTimestamp:
      return Json(FormatTimestampMicros(*AsInt64(value)));
    case TypeId::kTimestampTz:
      return Json(FormatTimestampMicros(*AsInt64(value)) + "+00:00");
    case TypeId::kString:
      return Json(std::get<std::string>(value));
    case TypeId::kUuid:
      return Json(FormatUuidBytes(std::get<std::string>(value)));
    default:  // fixed, binary
      return Json(HexEncode(std::get<std::string>(value)));
  }
}

Result<Value> ValueFromJson(const Json& json, const Type& type) {
  if (!type.is_primitive()) {
    return NotSupported("{} values have no single-value form", type.ToString());
  }
  if (json.is_null()) return Value();
  auto bad = [&](std::string_view expected) {
    return Corrupt("JSON {} is not a {} value: expected {}", DumpJson(json), type.ToString(),
                   expected);
  };
  switch (type.id()) {
    case TypeId::kBoolean:
      if (!json.is_boolean()) return bad("true or false");
      return Value(json.get<bool>());
    case TypeId::kInt:
    case TypeId::kLong: {
      if (!json.is_number_integer()) return bad("an integer");
      if (json.is_number_unsigned() &&
          json.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return bad("a 64-bit integer");
      }
      int64_t v = json.get<int64_t>();
      if (type.id() == TypeId::kLong) return Value(v);
      if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) {
        return bad("a 32-bit integer");
      }
      return Value(static_cast<int32_t>(v));
    }
    case TypeId::kFloat:
    case TypeId::kDouble: {
      double d;
      if (json.is_number()) {
        d = json.get<double>();
      } else if (json.is_string()) {
        std::string s = json.get<std::string>();
        if (s == "NaN") {
          d = std::numeric_limits<double>::quiet_NaN();
        } else if (s == "Infinity") {
          d = std::numeric_limits<double>::infinity();
        } else if (s == "-Infinity") {
          d = -std::numeric_limits<double>::infinity();
        } else {
          return bad("a number, \"NaN\", \"Infinity\" or \"-Infinity\"");
        }
      } else {
        return bad("a number");
      }
      if (type.id() == TypeId::kFloat) return Value(static_cast<float>(d));
      return Value(d);
    }
    default:
      break;
  }
  // Every other type is carried as a JSON string.
  if (!json.is_string()) return bad("a string");
  std::string text = json.get<std::string>();
  Result<Value> parsed = ParseValue(text, type);
  if (!parsed.ok()) return Corrupt("{}", parsed.status().message());
  return parsed;
}

// ---- display ----

std::string ValueToString(const Value& value, const Type& type) {
  if (IsNull(value)) return "null";
  if (!CheckValueType(value, type).ok()) return AlternativeToString(value);
  switch (type.id()) {
    case TypeId::kDecimal:
      return FormatDecimal(std::get<Decimal128>(value).unscaled, type.scale());
    case TypeId::kDate:
      return FormatDate(std::get<int32_t>(value));
    case TypeId::kTime:
      return TrimZeroFraction(FormatTime(*AsInt64(value)));
    case TypeId::kTimestamp:
      return TrimZeroFraction(FormatTimestampMicros(*AsInt64(value)));
    case TypeId::kTimestampTz:
      return TrimZeroFraction(FormatTimestampMicros(*AsInt64(value))) + "+00:00";
    case TypeId::kUuid:
      return FormatUuidBytes(std::get<std::string>(value));
    case TypeId::kFixed:
    case TypeId::kBinary:
      return HexEncode(std::get<std::string>(value));
    default:
      return AlternativeToString(value);
  }
}

// ---- ordering ----

namespace {

template <typename T>
int Sign(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

// Java's Double.compare: NaN last, -0 before +0.
int CompareDoubles(double a, double b) {
  if (a < b) return -1;
  if (a > b) return 1;
  bool a_nan = std::isnan(a), b_nan = std::isnan(b);
  if (a_nan || b_nan) return a_nan == b_nan ? 0 : (a_nan ? 1 : -1);
  bool a_neg = std::signbit(a), b_neg = std::signbit(b);
  return a_neg == b_neg ? 0 : (a_neg ? -1 : 1);
}

}  // namespace

int CompareValues(const Value& a, const Value& b) {
  if (auto ia = AsInt64(a), ib = AsInt64(b); ia && ib) return Sign(*ia, *ib);
  if (auto da = AsDouble(a), db = AsDouble(b); da && db) return CompareDoubles(*da, *db);
  if (a.index() != b.index()) return Sign(a.index(), b.index());
  if (auto* sa = std::get_if<std::string>(&a)) {
    const auto& sb = std::get<std::string>(b);
    size_t n = std::min(sa->size(), sb.size());
    int c = n == 0 ? 0 : std::memcmp(sa->data(), sb.data(), n);
    if (c != 0) return c < 0 ? -1 : 1;
    return Sign(sa->size(), sb.size());
  }
  if (auto* ba = std::get_if<bool>(&a)) return Sign(*ba, std::get<bool>(b));
  if (auto* xa = std::get_if<Decimal128>(&a)) {
    return Sign(xa->unscaled, std::get<Decimal128>(b).unscaled);
  }
  return 0;  // both null
}

// ---- literal text ----

Result<Value> ParseValue(std::string_view text, const Type& type) {
  if (!type.is_primitive()) {
    return NotSupported("{} values cannot be written as a literal", type.ToString());
  }
  switch (type.id()) {
    case TypeId::kBoolean: {
      std::string lower = ToLower(Trim(text));
      if (lower == "true") return Value(true);
      if (lower == "false") return Value(false);
      return InvalidArgument("'{}' is not a boolean: use true or false", text);
    }
    case TypeId::kInt:
    case TypeId::kLong: {
      std::string_view s = Trim(text);
      if (!s.empty() && s[0] == '+') s.remove_prefix(1);
      auto v = ParseInt64(s);
      if (type.id() == TypeId::kLong && v) return Value(*v);
      if (v && *v >= std::numeric_limits<int32_t>::min() &&
          *v <= std::numeric_limits<int32_t>::max()) {
        return Value(static_cast<int32_t>(*v));
      }
      return InvalidArgument(
          "'{}' is not {}: use a whole number{}", text,
          type.id() == TypeId::kInt ? "an int" : "a long",
          type.id() == TypeId::kInt ? " between -2147483648 and 2147483647" : "");
    }
    case TypeId::kFloat: {
      ASSIGN_OR_RETURN(float f, ParseFloatText<float>(text, type));
      return Value(f);
    }
    case TypeId::kDouble: {
      ASSIGN_OR_RETURN(double d, ParseFloatText<double>(text, type));
      return Value(d);
    }
    case TypeId::kDecimal: {
      ASSIGN_OR_RETURN(__int128 unscaled, ParseDecimalText(text, type.precision(), type.scale()));
      return Value(Decimal128{unscaled});
    }
    case TypeId::kDate: {
      ASSIGN_OR_RETURN(int32_t days, ParseDateText(text));
      return Value(days);
    }
    case TypeId::kTime: {
      ASSIGN_OR_RETURN(int64_t micros, ParseTimeText(text));
      return Value(micros);
    }
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: {
      auto micros = ParseTimestampMicros(text);
      if (!micros.ok()) {
        return InvalidArgument(
            "'{}' is not a {}: use ISO-8601 like 2026-01-31T12:30:00[.123456][+00:00] or "
            "2026-01-31",
            text, type.ToString());
      }
      return Value(*micros);
    }
    case TypeId::kString:
      return Value(std::string(text));
    case TypeId::kUuid: {
      ASSIGN_OR_RETURN(std::string bytes, ParseUuidText(text));
      return Value(std::move(bytes));
    }
    default: {  // fixed, binary
      ASSIGN_OR_RETURN(std::string bytes, ParseHexText(text, type));
      return Value(std::move(bytes));
    }
  }
}

}  // namespace faceberg::iceberg
