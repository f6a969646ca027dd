#include "format/avro/binary.h"

#include <cmath>
#include <limits>
#include <string>

#include "format/avro/datum.h"
#include "format/avro/test_schemas.h"
#include "test_util.h"

namespace faceberg::avro {
namespace {

using testing::AllTypesDatum;
using testing::kAllTypes;

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

std::string EncodeLong(int64_t v) {
  std::string out;
  Encoder(out).WriteLong(v);
  return out;
}

TEST(AvroBinaryTest, VarintKnownEncodings) {
  EXPECT_EQ(EncodeLong(0), Bytes({0x00}));
  EXPECT_EQ(EncodeLong(-1), Bytes({0x01}));
  EXPECT_EQ(EncodeLong(1), Bytes({0x02}));
  EXPECT_EQ(EncodeLong(-64), Bytes({0x7f}));
  EXPECT_EQ(EncodeLong(64), Bytes({0x80, 0x01}));
  EXPECT_EQ(EncodeLong(std::numeric_limits<int64_t>::max()),
            Bytes({0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}));
  EXPECT_EQ(EncodeLong(std::numeric_limits<int64_t>::min()),
            Bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}));
}

TEST(AvroBinaryTest, VarintRoundTrip) {
  for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{63}, int64_t{-65},
                    int64_t{1} << 40, -(int64_t{1} << 50), std::numeric_limits<int64_t>::max(),
                    std::numeric_limits<int64_t>::min()}) {
    std::string bytes = EncodeLong(v);
    Decoder decoder(bytes);
    ASSERT_OK_AND_ASSIGN(int64_t back, decoder.ReadLong());
    EXPECT_EQ(back, v);
    EXPECT_EQ(decoder.remaining(), 0u);
  }
  for (int32_t v :
       {0, -1, 1, std::numeric_limits<int32_t>::max(), std::numeric_limits<int32_t>::min()}) {
    std::string bytes;
    Encoder(bytes).WriteInt(v);
    Decoder decoder(bytes);
    ASSERT_OK_AND_ASSIGN(int32_t back, decoder.ReadInt());
    EXPECT_EQ(back, v);
  }
}

TEST(AvroBinaryTest, RejectsBadVarints) {
  std::string eleven(10, '\x80');
  eleven.push_back('\x01');
  EXPECT_ERROR(Decoder(eleven).ReadLong(), ErrorCode::kCorrupt, "longer than 10 bytes");
  // Ten bytes whose last one sets bits past 64.
  std::string overflow(9, '\xff');
  overflow.push_back('\x02');
  EXPECT_ERROR(Decoder(overflow).ReadLong(), ErrorCode::kCorrupt, "overflows a long");
  // An int needs at most 5 bytes and 32 bits.
  EXPECT_ERROR(Decoder(Bytes({0xff, 0xff, 0xff, 0xff, 0x1f})).ReadInt(), ErrorCode::kCorrupt,
               "overflows an int");
  EXPECT_ERROR(Decoder(Bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x00})).ReadInt(), ErrorCode::kCorrupt,
               "longer than 5 bytes");
  EXPECT_ERROR(Decoder(Bytes({0x80, 0x80})).ReadLong(), ErrorCode::kCorrupt, "truncated input");
  EXPECT_ERROR(Decoder("").ReadLong(), ErrorCode::kCorrupt, "truncated input");
  EXPECT_ERROR(Decoder(Bytes({0x02})).ReadBool(), ErrorCode::kCorrupt, "invalid boolean");
  EXPECT_ERROR(Decoder("abc").ReadDouble(), ErrorCode::kCorrupt, "truncated input");
}

TEST(AvroBinaryTest, HugeLengthsFailBeforeAllocating) {
  // A string claiming 2^60 bytes with 3 bytes of input.
  std::string bytes = EncodeLong(int64_t{1} << 60) + "abc";
  ASSERT_OK_AND_ASSIGN(SchemaPtr schema, Schema::Parse(R"("string")"));
  EXPECT_ERROR(DecodeBinary(bytes, schema->root()), ErrorCode::kCorrupt,
               "length 1152921504606846976 at offset 0 exceeds the remaining 3 bytes");
  EXPECT_ERROR(DecodeBinary(EncodeLong(-5), schema->root()), ErrorCode::kCorrupt,
               "negative length -5");

  // An array claiming 2^40 longs.
  ASSERT_OK_AND_ASSIGN(SchemaPtr longs, Schema::Parse(R"({"type":"array","items":"long"})"));
  EXPECT_ERROR(DecodeBinary(EncodeLong(int64_t{1} << 40) + "\x02\x02", longs->root()),
               ErrorCode::kCorrupt, "array block of 1099511627776 items at offset 0 exceeds");
  // A map claiming 2^40 entries.
  ASSERT_OK_AND_ASSIGN(SchemaPtr map, Schema::Parse(R"({"type":"map","values":"null"})"));
  EXPECT_ERROR(DecodeBinary(EncodeLong(int64_t{1} << 40), map->root()), ErrorCode::kCorrupt,
               "map block of 1099511627776 items");
  // Zero-size items cost no input but are capped.
  ASSERT_OK_AND_ASSIGN(SchemaPtr nulls, Schema::Parse(R"({"type":"array","items":"null"})"));
  EXPECT_ERROR(DecodeBinary(EncodeLong(int64_t{1} << 40), nulls->root()), ErrorCode::kCorrupt,
               "zero-size items");
  ASSERT_OK_AND_ASSIGN(Datum three_nulls,
                       DecodeBinary(EncodeLong(3) + EncodeLong(0), nulls->root()));
  EXPECT_EQ(three_nulls.size(), 3u);
  // The cap spans the whole input: 1000 arrays of 2000 nulls each take 4 bytes apiece.
  ASSERT_OK_AND_ASSIGN(
      SchemaPtr nested,
      Schema::Parse(R"({"type":"array","items":{"type":"array","items":"null"}})"));
  std::string amplified = EncodeLong(1000);
  for (int i = 0; i < 1000; ++i) amplified += EncodeLong(2000) + EncodeLong(0);
  amplified += EncodeLong(0);
  EXPECT_ERROR(DecodeBinary(amplified, nested->root()), ErrorCode::kCorrupt,
               "more than 1048576 zero-size items");
  // A negative block count with a byte size larger than the input.
  EXPECT_ERROR(DecodeBinary(EncodeLong(-1) + EncodeLong(1000) + EncodeLong(7), longs->root()),
               ErrorCode::kCorrupt, "block byte size 1000");
}

TEST(AvroBinaryTest, NegativeBlockCounts) {
  ASSERT_OK_AND_ASSIGN(SchemaPtr schema, Schema::Parse(R"({"type":"array","items":"long"})"));
  // Block 1: -2 items, 2 bytes: 5, 6. Block 2: 1 item: 7. End.
  std::string bytes = EncodeLong(-2) + EncodeLong(2) + EncodeLong(5) + EncodeLong(6) +
                      EncodeLong(1) + EncodeLong(7) + EncodeLong(0);
  ASSERT_OK_AND_ASSIGN(Datum array, DecodeBinary(bytes, schema->root()));
  EXPECT_EQ(array, Datum::Array({Datum::Long(5), Datum::Long(6), Datum::Long(7)}));

  // The byte size must match what the block holds.
  std::string wrong = EncodeLong(-2) + EncodeLong(3) + EncodeLong(5) + EncodeLong(6) +
                      EncodeLong(0) + EncodeLong(0);
  EXPECT_ERROR(DecodeBinary(wrong, schema->root()), ErrorCode::kCorrupt,
               "declares 3 bytes but holds 2");

  ASSERT_OK_AND_ASSIGN(SchemaPtr map, Schema::Parse(R"({"type":"map","values":"int"})"));
  std::string map_bytes =
      EncodeLong(-1) + EncodeLong(3) + EncodeLong(1) + "k" + EncodeLong(9) + EncodeLong(0);
  ASSERT_OK_AND_ASSIGN(Datum m, DecodeBinary(map_bytes, map->root()));
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m.key(0), "k");
  EXPECT_EQ(m[0], Datum::Int(9));
}

TEST(AvroBinaryTest, UnionAndEnumIndexesAreRangeChecked) {
  ASSERT_OK_AND_ASSIGN(SchemaPtr u, Schema::Parse(R"(["null", "long"])"));
  EXPECT_ERROR(DecodeBinary(EncodeLong(2) + EncodeLong(1), u->root()), ErrorCode::kCorrupt,
               "union branch index 2 at offset 0 is out of range (2 branches)");
  EXPECT_ERROR(DecodeBinary(EncodeLong(-1), u->root()), ErrorCode::kCorrupt,
               "union branch index -1");
  ASSERT_OK_AND_ASSIGN(Datum v, DecodeBinary(EncodeLong(1) + EncodeLong(42), u->root()));
  EXPECT_EQ(v.type(), Type::kLong);
  EXPECT_EQ(v.branch(), 1);
  EXPECT_EQ(v.long_value(), 42);

  ASSERT_OK_AND_ASSIGN(SchemaPtr e,
                       Schema::Parse(R"({"type":"enum","name":"E","symbols":["A","B"]})"));
  EXPECT_ERROR(DecodeBinary(EncodeLong(2), e->root()), ErrorCode::kCorrupt,
               "enum index 2 at offset 0 is out of range for 'E'");
}

TEST(AvroBinaryTest, ErrorsNameTheFieldPath) {
  ASSERT_OK_AND_ASSIGN(SchemaPtr schema, Schema::Parse(R"({"type":"record","name":"R","fields":[
      {"name":"a","type":"int"},
      {"name":"inner","type":{"type":"record","name":"I","fields":[{"name":"s","type":"string"}]}}
  ]})"));
  EXPECT_ERROR(DecodeBinary(EncodeLong(1) + EncodeLong(10) + "abc", schema->root()),
               ErrorCode::kCorrupt, "field 'inner': field 's': length 10");
  EXPECT_ERROR(DecodeBinary(EncodeLong(1) + EncodeLong(1) + "ab", schema->root()),
               ErrorCode::kCorrupt, "1 bytes left after the value");

  Datum bad = Datum::Record({Datum::Int(1), Datum::Record({Datum::Long(3)})});
  EXPECT_ERROR(EncodeBinary(bad, schema->root()), ErrorCode::kInvalidArgument,
               "field 'inner': field 's': expected a string value, got long");
  EXPECT_ERROR(EncodeBinary(Datum::Record({Datum::Int(1)}), schema->root()),
               ErrorCode::kInvalidArgument, "record 'R' has 2 fields, the value has 1");
}

TEST(AvroBinaryTest, RoundTripsEveryType) {
  ASSERT_OK_AND_ASSIGN(SchemaPtr schema, Schema::Parse(kAllTypes));
  for (int i = 0; i < 40; ++i) {
    SCOPED_TRACE(i);
    Datum datum = AllTypesDatum(i);
    ASSERT_OK_AND_ASSIGN(std::string bytes, EncodeBinary(datum, schema->root()));
    ASSERT_OK_AND_ASSIGN(Datum back, DecodeBinary(bytes, schema->root()));
    EXPECT_EQ(back, datum) << back.ToString() << "\n" << datum.ToString();
    // Re-encoding what was decoded (with its recorded branches) gives the same bytes.
    ASSERT_OK_AND_ASSIGN(std::string again, EncodeBinary(back, schema->root()));
    EXPECT_EQ(again, bytes);
  }
}

TEST(AvroBinaryTest, UnionBranchSelection) {
  ASSERT_OK_AND_ASSIGN(SchemaPtr schema, Schema::Parse(R"(["null", "long", "string"])"));
  const Node& root = schema->root();
  ASSERT_OK_AND_ASSIGN(std::string null_bytes, EncodeBinary(Datum::Null(), root));
  EXPECT_EQ(null_bytes, EncodeLong(0));
  ASSERT_OK_AND_ASSIGN(std::string long_bytes, EncodeBinary(Datum::Long(3), root));
  EXPECT_EQ(long_bytes, EncodeLong(1) + EncodeLong(3));
  // An int is promoted to the long branch; bytes to the string branch.
  ASSERT_OK_AND_ASSIGN(std::string int_bytes, EncodeBinary(Datum::Int(3), root));
  EXPECT_EQ(int_bytes, long_bytes);
  ASSERT_OK_AND_ASSIGN(std::string str_bytes, EncodeBinary(Datum::Bytes("x"), root));
  EXPECT_EQ(str_bytes, EncodeLong(2) + EncodeLong(1) + "x");
  EXPECT_ERROR(EncodeBinary(Datum::Double(1.0), root), ErrorCode::kInvalidArgument,
               "no union branch accepts a double value");
  // An explicit branch wins, and is checked.
  Datum explicit_branch = Datum::Long(5);
  explicit_branch.set_branch(2);
  EXPECT_ERROR(EncodeBinary(explicit_branch, root), ErrorCode::kInvalidArgument,
               "expected a string value, got long");
  explicit_branch.set_branch(7);
  EXPECT_ERROR(EncodeBinary(explicit_branch, root), ErrorCode::kInvalidArgument,
               "union branch 7 is out of range");
}

TEST(AvroBinaryTest, EncoderPromotionsAndChecks) {
  ASSERT_OK_AND_ASSIGN(SchemaPtr e,
                       Schema::Parse(R"({"type":"enum","name":"E","symbols":["A","B"]})"));
  ASSERT_OK_AND_ASSIGN(std::string by_name, EncodeBinary(Datum::String("B"), e->root()));
  EXPECT_EQ(by_name, EncodeLong(1));
  EXPECT_ERROR(EncodeBinary(Datum::String("C"), e->root()), ErrorCode::kInvalidArgument,
               "'C' is not a symbol of enum 'E'");
  EXPECT_ERROR(EncodeBinary(Datum::Enum(5), e->root()), ErrorCode::kInvalidArgument,
               "enum index 5 is out of range");

  ASSERT_OK_AND_ASSIGN(SchemaPtr f, Schema::Parse(R"({"type":"fixed","name":"F","size":2})"));
  EXPECT_ERROR(EncodeBinary(Datum::Fixed("abc"), f->root()), ErrorCode::kInvalidArgument,
               "fixed 'F' needs 2 bytes, got 3");
  ASSERT_OK_AND_ASSIGN(std::string fixed, EncodeBinary(Datum::Bytes("ab"), f->root()));
  EXPECT_EQ(fixed, "ab");

  ASSERT_OK_AND_ASSIGN(SchemaPtr d, Schema::Parse(R"("double")"));
  ASSERT_OK_AND_ASSIGN(std::string dbl, EncodeBinary(Datum::Float(1.5f), d->root()));
  ASSERT_OK_AND_ASSIGN(Datum back, DecodeBinary(dbl, d->root()));
  EXPECT_EQ(back.double_value(), 1.5);
  EXPECT_ERROR(EncodeBinary(Datum::Long(1), d->root()), ErrorCode::kInvalidArgument,
               "expected a double value, got long");
}

TEST(AvroDatumTest, AccessorsAndHelpers) {
  EXPECT_EQ(*Datum::Int(5).AsLong(), 5);
  EXPECT_EQ(*Datum::Long(-5).AsInt(), -5);
  EXPECT_ERROR(Datum::Long(int64_t{1} << 40).AsInt(), ErrorCode::kCorrupt, "does not fit");
  EXPECT_ERROR(Datum::String("x").AsLong(), ErrorCode::kCorrupt, "expected a long value");
  EXPECT_EQ(*Datum::Float(0.25f).AsDouble(), 0.25);
  EXPECT_EQ(*Datum::Fixed("ab").AsBytes(), "ab");
  EXPECT_TRUE(*Datum::Boolean(true).AsBool());
  EXPECT_ERROR(Datum::Null().AsBool(), ErrorCode::kCorrupt, "expected a boolean value");
  EXPECT_TRUE(std::isnan(Datum::Float(std::nanf("")).float_value()));

  Datum map = Datum::Map({{"a", Datum::Int(1)}});
  map.Append("b", Datum::Int(2));
  ASSERT_NE(map.FindMapValue("b"), nullptr);
  EXPECT_EQ(map.FindMapValue("b")->int_value(), 2);
  EXPECT_EQ(map.FindMapValue("c"), nullptr);
  EXPECT_EQ(map.ToString(), R"({"a": 1, "b": 2})");

  Datum array = Datum::Array({});
  array.Append(Datum::String("x"));
  EXPECT_EQ(array.ToString(), R"(["x"])");
  EXPECT_EQ(Datum::Record({Datum::Null(), Datum::Bytes("\x01")}).ToString(), "{null, 0x01}");

  ASSERT_OK_AND_ASSIGN(SchemaPtr schema, Schema::Parse(R"({"type":"record","name":"R","fields":[
      {"name":"a","type":"int","field-id":7},{"name":"b","type":"string","field-id":9}]})"));
  Datum record = Datum::Record({Datum::Int(1), Datum::String("two")});
  ASSERT_NE(FieldById(record, schema->root(), 9), nullptr);
  EXPECT_EQ(FieldById(record, schema->root(), 9)->bytes(), "two");
  EXPECT_EQ(FieldById(record, schema->root(), 8), nullptr);
}

}  // namespace
}  // namespace faceberg::avro
