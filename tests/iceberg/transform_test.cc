#include "iceberg/transform.h"

#include <limits>

#include "iceberg/single_value.h"
#include "test_util.h"

namespace faceberg::iceberg {
namespace {

constexpr int32_t kIntMax = std::numeric_limits<int32_t>::max();

Value Parse(std::string_view text, const Type& type) {
  auto v = ParseValue(text, type);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? *v : Value();
}

Value Apply(const Transform& t, const Value& v, const Type& type) {
  auto r = t.Apply(v, type);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : Value();
}

// The spec's murmur3 vectors, checked through bucket[N]: with N = INT_MAX the bucket is the
// masked hash itself, and a small N checks the modulo.
struct BucketVector {
  TypePtr type;
  std::string literal;
  int32_t hash;
};

TEST(TransformTest, SpecBucketVectors) {
  TypePtr fixed4 = *Type::Fixed(4);
  std::vector<BucketVector> vectors = {
      {Type::Int(), "34", 2017239379},
      {Type::Long(), "34", 2017239379},
      {*Type::Decimal(9, 2), "14.20", -500754589},
      {Type::Date(), "2017-11-16", -653330422},
      {Type::Time(), "22:31:08", -662762989},
      {Type::Timestamp(), "2017-11-16T22:31:08", -2047944441},
      {Type::Timestamp(), "2017-11-16T22:31:08.000001", -1207196810},
      {Type::TimestampTz(), "2017-11-16T14:31:08-08:00", -2047944441},
      {Type::TimestampTz(), "2017-11-16T14:31:08.000001-08:00", -1207196810},
      {Type::String(), "iceberg", 1210000089},
      {Type::String(), "34", -427558391},
      {Type::Uuid(), "f79c3e09-677c-4bbd-a479-3f349cb785e7", 1488055340},
      {fixed4, "00010203", -188683207},
      {Type::Binary(), "00010203", -188683207},
  };
  ASSERT_OK_AND_ASSIGN(Transform full, Transform::Bucket(kIntMax));
  ASSERT_OK_AND_ASSIGN(Transform b16, Transform::Bucket(16));
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.type->ToString() + " " + v.literal);
    Value value = Parse(v.literal, *v.type);
    ASSERT_TRUE(full.CanTransform(*v.type));
    int32_t masked = v.hash & kIntMax;
    EXPECT_EQ(Apply(full, value, *v.type), Value(masked % kIntMax));
    EXPECT_EQ(Apply(b16, value, *v.type), Value(masked % 16));
    ASSERT_OK_AND_ASSIGN(TypePtr result, b16.ResultType(v.type));
    EXPECT_EQ(result->id(), TypeId::kInt);
  }
  // An int promoted to long hashes the same (ints hash as 8-byte longs).
  EXPECT_EQ(Apply(full, int32_t{34}, *Type::Long()), Apply(full, int64_t{34}, *Type::Long()));
  EXPECT_EQ(Apply(b16, Value(), *Type::Int()), Value());
}

TEST(TransformTest, BucketRefusesFloatsAndBooleans) {
  ASSERT_OK_AND_ASSIGN(Transform b, Transform::Bucket(4));
  for (const auto& t : {Type::Boolean(), Type::Float(), Type::Double()}) {
    EXPECT_FALSE(b.CanTransform(*t));
    EXPECT_ERROR(b.ResultType(t), ErrorCode::kInvalidArgument, "cannot be applied");
  }
  EXPECT_ERROR(b.Apply(1.0, *Type::Double()), ErrorCode::kInvalidArgument,
               "bucket[4] cannot be applied to type double");
  EXPECT_ERROR(b.Apply(std::string("x"), *Type::Int()), ErrorCode::kInvalidArgument,
               "cannot hold type int");
}

TEST(TransformTest, TruncateNumbers) {
  ASSERT_OK_AND_ASSIGN(Transform t10, Transform::Truncate(10));
  EXPECT_EQ(Apply(t10, int32_t{1}, *Type::Int()), Value(int32_t{0}));
  EXPECT_EQ(Apply(t10, int32_t{10}, *Type::Int()), Value(int32_t{10}));
  EXPECT_EQ(Apply(t10, int32_t{-1}, *Type::Int()), Value(int32_t{-10}));
  EXPECT_EQ(Apply(t10, int32_t{-10}, *Type::Int()), Value(int32_t{-10}));
  EXPECT_EQ(Apply(t10, int32_t{-11}, *Type::Int()), Value(int32_t{-20}));
  EXPECT_EQ(Apply(t10, int64_t{1}, *Type::Long()), Value(int64_t{0}));
  EXPECT_EQ(Apply(t10, int64_t{-1}, *Type::Long()), Value(int64_t{-10}));
  EXPECT_EQ(Apply(t10, int64_t{123456789012}, *Type::Long()), Value(int64_t{123456789010}));
  // Decimals truncate the unscaled value: 10.65 with width 50 -> 10.50; -10.65 -> -11.00.
  TypePtr dec = *Type::Decimal(9, 2);
  ASSERT_OK_AND_ASSIGN(Transform t50, Transform::Truncate(50));
  EXPECT_EQ(Apply(t50, Parse("10.65", *dec), *dec), Value(Decimal128{1050}));
  EXPECT_EQ(Apply(t50, Parse("-10.65", *dec), *dec), Value(Decimal128{-1100}));
  ASSERT_OK_AND_ASSIGN(TypePtr result, t50.ResultType(dec));
  EXPECT_TRUE(result->Equals(*dec));
}

TEST(TransformTest, TruncateStringsByCodePointsAndBinaryByBytes) {
  ASSERT_OK_AND_ASSIGN(Transform t3, Transform::Truncate(3));
  EXPECT_EQ(Apply(t3, std::string("iceberg"), *Type::String()), Value(std::string("ice")));
  EXPECT_EQ(Apply(t3, std::string("ab"), *Type::String()), Value(std::string("ab")));
  EXPECT_EQ(Apply(t3, std::string("ünïcödé"), *Type::String()), Value(std::string("ünï")));
  EXPECT_EQ(Apply(t3, std::string("日本語テキスト"), *Type::String()),
            Value(std::string("日本語")));
  ASSERT_OK_AND_ASSIGN(Transform t2, Transform::Truncate(2));
  EXPECT_EQ(Apply(t2, std::string("😀😁😂"), *Type::String()), Value(std::string("😀😁")));
  EXPECT_EQ(Apply(t2, std::string("\x01\x02\x03", 3), *Type::Binary()),
            Value(std::string("\x01\x02", 2)));
  EXPECT_EQ(Apply(t2, std::string("ü"), *Type::Binary()), Value(std::string("ü")));  // 2 bytes
  EXPECT_EQ(Apply(t3, std::string("ü"), *Type::Binary()), Value(std::string("ü")));
  EXPECT_FALSE(t2.CanTransform(*Type::Uuid()));
  EXPECT_FALSE(t2.CanTransform(*Type::Double()));
  EXPECT_FALSE(t2.CanTransform(*Type::Date()));
}

TEST(TransformTest, TimeTransformsAfter1970) {
  TypePtr ts = Type::Timestamp();
  Value v = Parse("2017-11-16T22:31:08", *ts);
  EXPECT_EQ(Apply(Transform::Year(), v, *ts), Value(int32_t{47}));
  EXPECT_EQ(Apply(Transform::Month(), v, *ts), Value(int32_t{47 * 12 + 10}));
  EXPECT_EQ(Apply(Transform::Day(), v, *ts), Value(int32_t{17486}));
  EXPECT_EQ(Apply(Transform::Hour(), v, *ts), Value(int32_t{17486 * 24 + 22}));
  Value date = Parse("2017-11-16", *Type::Date());
  EXPECT_EQ(Apply(Transform::Year(), date, *Type::Date()), Value(int32_t{47}));
  EXPECT_EQ(Apply(Transform::Month(), date, *Type::Date()), Value(int32_t{574}));
  EXPECT_EQ(Apply(Transform::Day(), date, *Type::Date()), Value(int32_t{17486}));
  EXPECT_FALSE(Transform::Hour().CanTransform(*Type::Date()));
  EXPECT_FALSE(Transform::Day().CanTransform(*Type::Time()));
  EXPECT_FALSE(Transform::Day().CanTransform(*Type::Long()));
  // The time zone of timestamptz does not matter: values are UTC.
  Value tz = Parse("2017-11-16T23:31:08+01:00", *Type::TimestampTz());
  EXPECT_EQ(Apply(Transform::Hour(), tz, *Type::TimestampTz()), Value(int32_t{17486 * 24 + 22}));

  EXPECT_EQ(Transform::Year().ToHumanString(int32_t{47}, *ts), "2017");
  EXPECT_EQ(Transform::Month().ToHumanString(int32_t{574}, *ts), "2017-11");
  EXPECT_EQ(Transform::Day().ToHumanString(int32_t{17486}, *ts), "2017-11-16");
  EXPECT_EQ(Transform::Hour().ToHumanString(int32_t{17486 * 24 + 22}, *ts), "2017-11-16-22");
  EXPECT_EQ(Transform::Day().ToHumanString(Value(), *ts), "null");
  for (const Transform& t : {Transform::Year(), Transform::Month(), Transform::Hour()}) {
    ASSERT_OK_AND_ASSIGN(TypePtr result, t.ResultType(ts));
    EXPECT_EQ(result->id(), TypeId::kInt);
  }
  // day is a date, as Java and PyIceberg type it (the same 4-byte days on disk).
  ASSERT_OK_AND_ASSIGN(TypePtr day_type, Transform::Day().ResultType(ts));
  EXPECT_EQ(day_type->id(), TypeId::kDate);
}

TEST(TransformTest, TimeTransformsBefore1970Floor) {
  TypePtr ts = Type::Timestamp();
  Value last_micro = Parse("1969-12-31T23:59:59.999999", *ts);
  EXPECT_EQ(Apply(Transform::Year(), last_micro, *ts), Value(int32_t{-1}));
  EXPECT_EQ(Apply(Transform::Month(), last_micro, *ts), Value(int32_t{-1}));
  EXPECT_EQ(Apply(Transform::Day(), last_micro, *ts), Value(int32_t{-1}));
  EXPECT_EQ(Apply(Transform::Hour(), last_micro, *ts), Value(int32_t{-1}));
  Value v = Parse("1969-01-01T00:00:00", *ts);
  EXPECT_EQ(Apply(Transform::Year(), v, *ts), Value(int32_t{-1}));
  EXPECT_EQ(Apply(Transform::Month(), v, *ts), Value(int32_t{-12}));
  EXPECT_EQ(Apply(Transform::Day(), v, *ts), Value(int32_t{-365}));
  Value old = Parse("1900-03-01T05:30:00", *ts);
  EXPECT_EQ(Apply(Transform::Year(), old, *ts), Value(int32_t{-70}));
  EXPECT_EQ(Apply(Transform::Month(), old, *ts), Value(int32_t{-70 * 12 + 2}));
  Value day = Apply(Transform::Day(), old, *ts);
  EXPECT_EQ(Transform::Day().ToHumanString(day, *ts), "1900-03-01");
  Value hour = Apply(Transform::Hour(), old, *ts);
  EXPECT_EQ(Transform::Hour().ToHumanString(hour, *ts), "1900-03-01-05");
  Value date = Parse("1969-12-31", *Type::Date());
  EXPECT_EQ(Apply(Transform::Year(), date, *Type::Date()), Value(int32_t{-1}));
  EXPECT_EQ(Apply(Transform::Month(), date, *Type::Date()), Value(int32_t{-1}));
  EXPECT_EQ(Apply(Transform::Day(), date, *Type::Date()), Value(int32_t{-1}));
  EXPECT_EQ(Transform::Year().ToHumanString(int32_t{-1}, *ts), "1969");
  EXPECT_EQ(Transform::Month().ToHumanString(int32_t{-1}, *ts), "1969-12");
  EXPECT_EQ(Transform::Month().ToHumanString(int32_t{-12}, *ts), "1969-01");
  EXPECT_EQ(Transform::Day().ToHumanString(int32_t{-1}, *ts), "1969-12-31");
  EXPECT_EQ(Transform::Hour().ToHumanString(int32_t{-1}, *ts), "1969-12-31-23");
}

TEST(TransformTest, IdentityAndVoid) {
  Value v = Parse("2026-01-31T12:00:00", *Type::Timestamp());
  EXPECT_EQ(Apply(Transform::Identity(), v, *Type::Timestamp()), v);
  EXPECT_EQ(Apply(Transform::Identity(), int32_t{3}, *Type::Long()), Value(int64_t{3}));
  EXPECT_EQ(Transform::Identity().ToHumanString(v, *Type::Timestamp()), "2026-01-31T12:00:00");
  EXPECT_EQ(Apply(Transform::Void(), v, *Type::Timestamp()), Value());
  EXPECT_TRUE(Transform::Void().CanTransform(*Type::Double()));
  ASSERT_OK_AND_ASSIGN(TypePtr r, Transform::Void().ResultType(Type::Double()));
  EXPECT_EQ(r->id(), TypeId::kDouble);
  EXPECT_TRUE(Transform::Identity().CanTransform(*Type::Boolean()));
  EXPECT_FALSE(Transform::Identity().CanTransform(*Type::List(1, false, Type::Int())));
}

TEST(TransformTest, ParseAndToString) {
  for (std::string text :
       {"identity", "bucket[16]", "truncate[4]", "year", "month", "day", "hour", "void"}) {
    ASSERT_OK_AND_ASSIGN(Transform t, Transform::Parse(text));
    EXPECT_EQ(t.ToString(), text);
    EXPECT_FALSE(t.is_unknown());
  }
  ASSERT_OK_AND_ASSIGN(Transform b, Transform::Parse(" Bucket[ 8 ] "));
  EXPECT_EQ(b.kind(), TransformKind::kBucket);
  EXPECT_EQ(b.param(), 8);
  EXPECT_EQ(b, *Transform::Bucket(8));
  EXPECT_TRUE(b.CanTransform(*Type::String()));

  ASSERT_OK_AND_ASSIGN(Transform unknown, Transform::Parse("zorder[3]"));
  EXPECT_TRUE(unknown.is_unknown());
  EXPECT_EQ(unknown.ToString(), "zorder[3]");
  EXPECT_FALSE(unknown.CanTransform(*Type::Int()));
  ASSERT_OK_AND_ASSIGN(TypePtr r, unknown.ResultType(Type::Int()));
  EXPECT_EQ(r->id(), TypeId::kString);
  EXPECT_ERROR(unknown.Apply(int32_t{1}, *Type::Int()), ErrorCode::kNotSupported,
               "'zorder[3]' is not supported for writing");

  EXPECT_ERROR(Transform::Parse("bucket[x]"), ErrorCode::kInvalidArgument, "bucket[N]");
  EXPECT_ERROR(Transform::Parse("bucket"), ErrorCode::kInvalidArgument, "malformed");
  EXPECT_ERROR(Transform::Parse("truncate[0]"), ErrorCode::kInvalidArgument, "positive");
  EXPECT_ERROR(Transform::Parse("bucket[-3]"), ErrorCode::kInvalidArgument, "positive");
  EXPECT_ERROR(Transform::Parse(""), ErrorCode::kInvalidArgument, "empty");
  EXPECT_ERROR(Transform::Bucket(0), ErrorCode::kInvalidArgument, "bucket count 0");
}

TEST(TransformTest, OrderPreservation) {
  EXPECT_TRUE(Transform::Identity().PreservesOrder());
  EXPECT_TRUE(Transform::Day().PreservesOrder());
  EXPECT_TRUE(Transform::Truncate(3)->PreservesOrder());
  EXPECT_FALSE(Transform::Bucket(3)->PreservesOrder());
  EXPECT_FALSE(Transform::Void().PreservesOrder());
}

}  // namespace
}  // namespace faceberg::iceberg
