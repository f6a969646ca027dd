#include "iceberg/single_value.h"

#include <cmath>
#include <limits>

#include "test_util.h"
#include "util/strings.h"

namespace faceberg::iceberg {
namespace {

TypePtr Dec(int p, int s) { return *Type::Decimal(p, s); }
TypePtr Fixed(int64_t n) { return *Type::Fixed(n); }
std::string Hex(std::string_view bytes) { return HexEncode(bytes); }

// One text literal per primitive type, with the JSON single value the spec gives for it.
struct Case {
  TypePtr type;
  std::string text;
  Json json;
};

std::vector<Case> AllPrimitiveCases() {
  return {
      {Type::Boolean(), "true", true},
      {Type::Int(), "-34", -34},
      {Type::Long(), "9007199254740993", int64_t{9007199254740993}},
      {Type::Float(), "0.1", 0.1},
      {Type::Double(), "-2.5e-300", -2.5e-300},
      {Dec(9, 2), "14.20", "14.20"},
      {Dec(38, 10), "-1234567890123456789012345678.0123456789",
       "-1234567890123456789012345678.0123456789"},
      {Type::Date(), "2017-11-16", "2017-11-16"},
      {Type::Date(), "1969-12-31", "1969-12-31"},
      {Type::Time(), "22:31:08.123456", "22:31:08.123456"},
      {Type::Timestamp(), "2017-11-16T22:31:08.123456", "2017-11-16T22:31:08.123456"},
      {Type::Timestamp(), "1969-12-31T23:59:59.999999", "1969-12-31T23:59:59.999999"},
      {Type::TimestampTz(), "2017-11-16T22:31:08.000001+00:00", "2017-11-16T22:31:08.000001+00:00"},
      {Type::String(), "iceberg ünïcödé 😀", "iceberg ünïcödé 😀"},
      {Type::Uuid(), "f79c3e09-677c-4bbd-a479-3f349cb785e7",
       "f79c3e09-677c-4bbd-a479-3f349cb785e7"},
      {Fixed(4), "00010203", "00010203"},
      {Type::Binary(), "00ff10", "00ff10"},
  };
}

TEST(SingleValueTest, BinaryAndJsonRoundTripEveryPrimitive) {
  for (const auto& c : AllPrimitiveCases()) {
    SCOPED_TRACE(c.type->ToString() + " " + c.text);
    ASSERT_OK_AND_ASSIGN(Value v, ParseValue(c.text, *c.type));
    ASSERT_OK(CheckValueType(v, *c.type));

    ASSERT_OK_AND_ASSIGN(std::string bytes, ValueToBinary(v, *c.type));
    ASSERT_OK_AND_ASSIGN(Value from_bytes, ValueFromBinary(bytes, *c.type));
    EXPECT_EQ(from_bytes, v);

    ASSERT_OK_AND_ASSIGN(Json json, ValueToJson(v, *c.type));
    EXPECT_EQ(json, c.json) << DumpJson(json);
    ASSERT_OK_AND_ASSIGN(Value from_json, ValueFromJson(json, *c.type));
    EXPECT_EQ(from_json, v);
    EXPECT_EQ(CompareValues(from_json, v), 0);
  }
}

TEST(SingleValueTest, BinaryForms) {
  auto bin = [](const Value& v, const TypePtr& t) { return Hex(*ValueToBinary(v, *t)); };
  EXPECT_EQ(bin(true, Type::Boolean()), "01");
  EXPECT_EQ(bin(false, Type::Boolean()), "00");
  EXPECT_EQ(bin(int32_t{34}, Type::Int()), "22000000");
  EXPECT_EQ(bin(int64_t{34}, Type::Long()), "2200000000000000");
  EXPECT_EQ(bin(int32_t{-1}, Type::Date()), "ffffffff");
  EXPECT_EQ(bin(1.0f, Type::Float()), "0000803f");
  EXPECT_EQ(bin(1.0, Type::Double()), "000000000000f03f");
  EXPECT_EQ(bin(std::string("abc"), Type::String()), "616263");
  // Decimals: minimal big-endian two's complement of the unscaled value.
  EXPECT_EQ(bin(Decimal128{1420}, Dec(9, 2)), "058c");
  EXPECT_EQ(bin(Decimal128{0}, Dec(9, 2)), "00");
  EXPECT_EQ(bin(Decimal128{-1}, Dec(9, 2)), "ff");
  EXPECT_EQ(bin(Decimal128{127}, Dec(9, 2)), "7f");
  EXPECT_EQ(bin(Decimal128{128}, Dec(9, 2)), "0080");
  EXPECT_EQ(bin(Decimal128{-128}, Dec(9, 2)), "80");
  EXPECT_EQ(bin(Decimal128{-129}, Dec(9, 2)), "ff7f");
  for (__int128 u : {__int128{1}, __int128{-1}, __int128{255}, __int128{-256}, __int128{65535},
                     -(static_cast<__int128>(1) << 100), static_cast<__int128>(1) << 120}) {
    ASSERT_OK_AND_ASSIGN(std::string b, ValueToBinary(Decimal128{u}, *Dec(38, 0)));
    ASSERT_OK_AND_ASSIGN(Value back, ValueFromBinary(b, *Dec(38, 0)));
    EXPECT_EQ(std::get<Decimal128>(back).unscaled, u);
  }
}

TEST(SingleValueTest, BinaryReadsAreLenientToPromotions) {
  std::string four;
  four.append("\x07\x00\x00\x00", 4);
  ASSERT_OK_AND_ASSIGN(Value l, ValueFromBinary(four, *Type::Long()));
  EXPECT_EQ(l, Value(int64_t{7}));
  std::string f = *ValueToBinary(1.5f, *Type::Float());
  ASSERT_OK_AND_ASSIGN(Value d, ValueFromBinary(f, *Type::Double()));
  EXPECT_EQ(d, Value(1.5));
  // A date bound on a column promoted to timestamp reads as midnight.
  ASSERT_OK_AND_ASSIGN(Value ts, ValueFromBinary(four, *Type::Timestamp()));
  EXPECT_EQ(ts, Value(int64_t{7} * 86'400'000'000));
  // A decimal written at a smaller precision still reads.
  ASSERT_OK_AND_ASSIGN(Value dec, ValueFromBinary(std::string("\x05\x8c", 2), *Dec(38, 2)));
  EXPECT_EQ(dec, Value(Decimal128{1420}));
}

TEST(SingleValueTest, BinaryErrors) {
  EXPECT_ERROR(ValueFromBinary("abc", *Type::Int()), ErrorCode::kCorrupt,
               "3-byte single value cannot be a int");
  EXPECT_ERROR(ValueFromBinary("abcd", *Type::Time()), ErrorCode::kCorrupt, "time");
  EXPECT_ERROR(ValueFromBinary("", *Dec(9, 2)), ErrorCode::kCorrupt, "decimal");
  EXPECT_ERROR(ValueFromBinary("abc", *Type::Uuid()), ErrorCode::kCorrupt, "uuid");
  EXPECT_ERROR(ValueToBinary(Value(), *Type::Int()), ErrorCode::kInvalidArgument, "null");
  EXPECT_ERROR(ValueToBinary(std::string("x"), *Type::Int()), ErrorCode::kInvalidArgument,
               "cannot hold type int");
  EXPECT_ERROR(ValueToBinary(Decimal128{100000}, *Dec(4, 2)), ErrorCode::kInvalidArgument,
               "does not fit decimal(4,2)");
  EXPECT_ERROR(ValueToBinary(int32_t{1}, *Type::List(2, false, Type::Int())),
               ErrorCode::kNotSupported, "");
}

TEST(SingleValueTest, JsonReadsOtherWritersForms) {
  auto read = [](const Json& j, const TypePtr& t) { return ValueFromJson(j, *t); };
  ASSERT_OK_AND_ASSIGN(Value t, read("22:31:08", Type::Time()));
  EXPECT_EQ(t, Value(int64_t{81'068'000'000}));
  ASSERT_OK_AND_ASSIGN(Value t2, read("22:31:08.123", Type::Time()));
  EXPECT_EQ(t2, Value(int64_t{81'068'123'000}));
  ASSERT_OK_AND_ASSIGN(Value tz, read("2017-11-16T14:31:08-08:00", Type::TimestampTz()));
  ASSERT_OK_AND_ASSIGN(Value tz2, read("2017-11-16T22:31:08Z", Type::TimestampTz()));
  EXPECT_EQ(tz, tz2);
  ASSERT_OK_AND_ASSIGN(Value d, read("2E+1", Dec(9, 0)));
  EXPECT_EQ(d, Value(Decimal128{20}));
  ASSERT_OK_AND_ASSIGN(Value d2, read("14.2", Dec(9, 2)));
  EXPECT_EQ(d2, Value(Decimal128{1420}));
  ASSERT_OK_AND_ASSIGN(Value b, read("00FF", Type::Binary()));
  EXPECT_EQ(b, Value(std::string("\x00\xff", 2)));
  ASSERT_OK_AND_ASSIGN(Value nan, read("NaN", Type::Double()));
  EXPECT_TRUE(std::isnan(std::get<double>(nan)));
  ASSERT_OK_AND_ASSIGN(Value n, read(nullptr, Type::Int()));
  EXPECT_TRUE(IsNull(n));
  ASSERT_OK_AND_ASSIGN(Json inf,
                       ValueToJson(-std::numeric_limits<float>::infinity(), *Type::Float()));
  EXPECT_EQ(inf, "-Infinity");

  EXPECT_ERROR(read("12", Type::Int()), ErrorCode::kCorrupt, "expected an integer");
  EXPECT_ERROR(read(int64_t{1} << 40, Type::Int()), ErrorCode::kCorrupt, "32-bit");
  EXPECT_ERROR(read(14.2, Dec(9, 2)), ErrorCode::kCorrupt, "expected a string");
  EXPECT_ERROR(read("2017-13-01", Type::Date()), ErrorCode::kCorrupt, "not a date");
  EXPECT_ERROR(read("00010", Type::Binary()), ErrorCode::kCorrupt, "hex");
}

TEST(SingleValueTest, Display) {
  EXPECT_EQ(ValueToString(Value(), *Type::Int()), "null");
  EXPECT_EQ(ValueToString(Decimal128{-5}, *Dec(9, 2)), "-0.05");
  EXPECT_EQ(ValueToString(Decimal128{1420}, *Dec(9, 2)), "14.20");
  EXPECT_EQ(ValueToString(Decimal128{7}, *Dec(9, 0)), "7");
  EXPECT_EQ(ValueToString(int32_t{17486}, *Type::Date()), "2017-11-16");
  EXPECT_EQ(ValueToString(int64_t{81'068'000'000}, *Type::Time()), "22:31:08");
  ASSERT_OK_AND_ASSIGN(Value ts, ParseValue("2026-01-31T12:00:00Z", *Type::Timestamp()));
  EXPECT_EQ(ValueToString(ts, *Type::Timestamp()), "2026-01-31T12:00:00");
  EXPECT_EQ(ValueToString(std::get<int64_t>(ts) + 5, *Type::TimestampTz()),
            "2026-01-31T12:00:00.000005+00:00");
  EXPECT_EQ(ValueToString(1.5, *Type::Double()), "1.5");
  EXPECT_EQ(ValueToString(std::string("\x01\xab", 2), *Type::Binary()), "01ab");
  EXPECT_EQ(ValueToString(std::string("hi"), *Type::String()), "hi");
}

TEST(SingleValueTest, Ordering) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> ordered = {-inf, -1.5, -0.0, 0.0, 2.0, inf, nan};
  for (size_t i = 0; i < ordered.size(); ++i) {
    for (size_t j = 0; j < ordered.size(); ++j) {
      int expected = i < j ? -1 : (i > j ? 1 : 0);
      EXPECT_EQ(CompareValues(ordered[i], ordered[j]), expected) << i << " vs " << j;
    }
  }
  EXPECT_LT(CompareValues(-0.0f, 0.0f), 0);
  EXPECT_GT(CompareValues(std::numeric_limits<float>::quiet_NaN(), 1e30f), 0);
  // UTF-8 and binary compare as unsigned bytes.
  EXPECT_LT(CompareValues(std::string("z"), std::string("é")), 0);
  EXPECT_LT(CompareValues(std::string("\x01"), std::string("\xff")), 0);
  EXPECT_LT(CompareValues(std::string("ab"), std::string("abc")), 0);
  EXPECT_LT(CompareValues(Decimal128{-1420}, Decimal128{5}), 0);
  EXPECT_GT(CompareValues(int64_t{5}, int32_t{4}), 0);
  EXPECT_LT(CompareValues(Value(), int32_t{-100}), 0);
  EXPECT_EQ(CompareValues(Value(), Value()), 0);
  EXPECT_LT(CompareValues(false, true), 0);
}

TEST(SingleValueTest, ParseLiterals) {
  ASSERT_OK_AND_ASSIGN(Value v, ParseValue("42", *Type::Int()));
  EXPECT_EQ(v, Value(int32_t{42}));
  ASSERT_OK_AND_ASSIGN(v, ParseValue("2026-01-31", *Type::Date()));
  EXPECT_EQ(v, Value(int32_t{20484}));
  ASSERT_OK_AND_ASSIGN(v, ParseValue("2026-01-31", *Type::Timestamp()));
  EXPECT_EQ(v, Value(int64_t{20484} * 86'400'000'000));
  ASSERT_OK_AND_ASSIGN(v, ParseValue("F79C3E09677C4BBDA4793F349CB785E7", *Type::Uuid()));
  EXPECT_EQ(ValueToString(v, *Type::Uuid()), "f79c3e09-677c-4bbd-a479-3f349cb785e7");
  ASSERT_OK_AND_ASSIGN(v, ParseValue("0x0102", *Type::Binary()));
  EXPECT_EQ(v, Value(std::string("\x01\x02")));
  ASSERT_OK_AND_ASSIGN(v, ParseValue("inf", *Type::Float()));
  EXPECT_TRUE(std::isinf(std::get<float>(v)));
  ASSERT_OK_AND_ASSIGN(v, ParseValue("12:30", *Type::Time()));
  EXPECT_EQ(v, Value(int64_t{45'000'000'000}));
  ASSERT_OK_AND_ASSIGN(v, ParseValue("'quoted'", *Type::String()));
  EXPECT_EQ(v, Value(std::string("'quoted'")));  // quotes are the caller's business

  EXPECT_ERROR(ParseValue("2147483648", *Type::Int()), ErrorCode::kInvalidArgument,
               "'2147483648' is not an int");
  EXPECT_ERROR(ParseValue("4x", *Type::Long()), ErrorCode::kInvalidArgument, "not a long");
  EXPECT_ERROR(ParseValue("yes", *Type::Boolean()), ErrorCode::kInvalidArgument, "true or false");
  EXPECT_ERROR(ParseValue("2026-02-30", *Type::Date()), ErrorCode::kInvalidArgument, "YYYY-MM-DD");
  EXPECT_ERROR(ParseValue("25:00", *Type::Time()), ErrorCode::kInvalidArgument, "not a time");
  EXPECT_ERROR(ParseValue("yesterday", *Type::Timestamp()), ErrorCode::kInvalidArgument,
               "ISO-8601");
  EXPECT_ERROR(ParseValue("1.234", *Dec(9, 2)), ErrorCode::kInvalidArgument,
               "more than 2 digits after the point");
  EXPECT_ERROR(ParseValue("12345", *Dec(4, 2)), ErrorCode::kInvalidArgument, "does not fit");
  EXPECT_ERROR(ParseValue("1.5.2", *Type::Double()), ErrorCode::kInvalidArgument, "not a double");
  EXPECT_ERROR(ParseValue("1e999", *Type::Float()), ErrorCode::kInvalidArgument, "not a float");
  EXPECT_ERROR(ParseValue("f79c3e09", *Type::Uuid()), ErrorCode::kInvalidArgument, "not a uuid");
  EXPECT_ERROR(ParseValue("0001", *Fixed(4)), ErrorCode::kInvalidArgument, "needs 4");
}

}  // namespace
}  // namespace faceberg::iceberg
