#include "format/parquet/thrift_compact.h"

#include <string>

#include "format/parquet/metadata.h"
#include "test_util.h"

namespace faceberg::parquet {
namespace {

// A minimal compact-protocol writer for building test inputs.
class Writer {
 public:
  Writer& Varint(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
    return *this;
  }
  Writer& ZigZag(int64_t v) {
    return Varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
  }
  Writer& Byte(uint8_t b) {
    out_.push_back(static_cast<char>(b));
    return *this;
  }
  // A field header with a delta when it fits, else the long form.
  Writer& Field(int16_t id, CompactType type) {
    int delta = id - last_;
    if (delta > 0 && delta <= 15) {
      Byte(static_cast<uint8_t>(delta << 4 | static_cast<int>(type)));
    } else {
      Byte(static_cast<uint8_t>(type));
      ZigZag(id);
    }
    last_ = id;
    return *this;
  }
  Writer& Stop() {
    last_ = 0;
    return Byte(0);
  }
  Writer& Binary(std::string_view s) {
    Varint(s.size());
    out_.append(s);
    return *this;
  }
  Writer& List(CompactType element, uint32_t size) {
    if (size < 15) return Byte(static_cast<uint8_t>(size << 4 | static_cast<int>(element)));
    Byte(static_cast<uint8_t>(0xF0 | static_cast<int>(element)));
    return Varint(size);
  }
  // Nested structs restart delta encoding; callers save and restore `last`.
  int16_t last() const { return last_; }
  void set_last(int16_t last) { last_ = last; }
  const std::string& bytes() const { return out_; }

 private:
  std::string out_;
  int16_t last_ = 0;
};

TEST(CompactDecoderTest, Integers) {
  Writer w;
  w.ZigZag(0).ZigZag(-1).ZigZag(1).ZigZag(INT32_MIN).ZigZag(INT64_MAX).ZigZag(INT64_MIN);
  w.Varint(300).ZigZag(-300);
  CompactDecoder d(w.bytes());
  EXPECT_EQ(*d.ReadI32(), 0);
  EXPECT_EQ(*d.ReadI32(), -1);
  EXPECT_EQ(*d.ReadI16(), 1);
  EXPECT_EQ(*d.ReadI32(), INT32_MIN);
  EXPECT_EQ(*d.ReadI64(), INT64_MAX);
  EXPECT_EQ(*d.ReadI64(), INT64_MIN);
  EXPECT_EQ(*d.ReadVarint(), 300u);
  EXPECT_EQ(*d.ReadI16(), -300);
  EXPECT_EQ(d.remaining(), 0u);
  EXPECT_ERROR(d.ReadI32(), ErrorCode::kCorrupt, "truncated");
}

TEST(CompactDecoderTest, IntegerRangeAndLengthChecks) {
  {
    Writer w;
    w.ZigZag(int64_t{1} << 40);
    CompactDecoder d(w.bytes());
    EXPECT_ERROR(d.ReadI32(), ErrorCode::kCorrupt, "out of range");
  }
  {
    std::string eleven(11, '\x80');
    CompactDecoder d(eleven);
    EXPECT_ERROR(d.ReadVarint(), ErrorCode::kCorrupt, "varint");
  }
  {
    std::string overflow = std::string(9, '\xff') + "\x02";  // a 10th byte above 1
    CompactDecoder d(overflow);
    EXPECT_ERROR(d.ReadVarint(), ErrorCode::kCorrupt, "overflows");
  }
  {
    std::string cut("\x80\x80", 2);
    CompactDecoder d(cut);
    EXPECT_ERROR(d.ReadVarint(), ErrorCode::kCorrupt, "truncated");
  }
}

TEST(CompactDecoderTest, BinaryAndDouble) {
  Writer w;
  w.Binary("hello").Binary("");
  double pi = 3.25;
  std::string raw(8, '\0');
  std::memcpy(raw.data(), &pi, 8);
  std::string bytes = w.bytes() + raw;
  CompactDecoder d(bytes);
  EXPECT_EQ(*d.ReadBinary(), "hello");
  EXPECT_EQ(*d.ReadBinary(), "");
  EXPECT_EQ(*d.ReadDouble(), 3.25);
  EXPECT_ERROR(d.ReadDouble(), ErrorCode::kCorrupt, "truncated");
}

TEST(CompactDecoderTest, BinaryLengthBeyondInputIsRefusedBeforeAllocating) {
  Writer w;
  w.Varint(uint64_t{1} << 40).Byte('x');
  CompactDecoder d(w.bytes());
  EXPECT_ERROR(d.ReadBinary(), ErrorCode::kCorrupt, "only 1 remain");
}

TEST(CompactDecoderTest, FieldHeadersWithDeltaAndLongForm) {
  Writer w;
  w.Field(1, CompactType::kI32).ZigZag(7);
  w.Field(3, CompactType::kBoolTrue);
  w.Field(200, CompactType::kBinary).Binary("x");  // long form
  w.Field(201, CompactType::kBoolFalse);           // delta again, from 200
  w.Field(-5, CompactType::kI64).ZigZag(9);        // negative ids use the long form
  w.Stop();
  CompactDecoder d(w.bytes());
  ASSERT_OK(d.BeginStruct());
  FieldHeader h = *d.ReadFieldHeader();
  EXPECT_EQ(h.id, 1);
  EXPECT_EQ(h.type, CompactType::kI32);
  EXPECT_EQ(*d.ReadI32(), 7);
  h = *d.ReadFieldHeader();
  EXPECT_EQ(h.id, 3);
  EXPECT_TRUE(CompactDecoder::FieldBool(h.type));
  h = *d.ReadFieldHeader();
  EXPECT_EQ(h.id, 200);
  EXPECT_EQ(*d.ReadBinary(), "x");
  h = *d.ReadFieldHeader();
  EXPECT_EQ(h.id, 201);
  EXPECT_FALSE(CompactDecoder::FieldBool(h.type));
  h = *d.ReadFieldHeader();
  EXPECT_EQ(h.id, -5);
  EXPECT_EQ(*d.ReadI64(), 9);
  EXPECT_TRUE(d.ReadFieldHeader()->is_stop());
  d.EndStruct();
  EXPECT_EQ(d.remaining(), 0u);
}

TEST(CompactDecoderTest, InvalidTypeNibble) {
  std::string bytes("\x1d", 1);  // delta 1, type 13
  CompactDecoder d(bytes);
  ASSERT_OK(d.BeginStruct());
  EXPECT_ERROR(d.ReadFieldHeader(), ErrorCode::kCorrupt, "invalid thrift type 13");
}

// A struct holding one field of every type, nested values included.
std::string EveryType() {
  Writer w;
  w.Field(1, CompactType::kBoolTrue);
  w.Field(2, CompactType::kByte).Byte(0x7f);
  w.Field(3, CompactType::kI16).ZigZag(-2);
  w.Field(4, CompactType::kI32).ZigZag(123456);
  w.Field(5, CompactType::kI64).ZigZag(-1234567890123);
  w.Field(6, CompactType::kDouble);
  for (int i = 0; i < 8; ++i) w.Byte(0);
  w.Field(7, CompactType::kBinary).Binary("abc");
  w.Field(8, CompactType::kList).List(CompactType::kBoolTrue, 3).Byte(1).Byte(0).Byte(2);
  w.Field(9, CompactType::kSet).List(CompactType::kI32, 2).ZigZag(1).ZigZag(2);
  w.Field(10, CompactType::kMap).Varint(2).Byte(0x85);  // binary -> i32
  w.Binary("k1").ZigZag(1).Binary("k2").ZigZag(2);
  w.Field(11, CompactType::kMap).Varint(0);  // an empty map has no type byte
  w.Field(12, CompactType::kStruct);
  int16_t saved = w.last();
  w.set_last(0);
  w.Field(1, CompactType::kList).List(CompactType::kStruct, 20);
  for (int i = 0; i < 20; ++i) w.Field(1, CompactType::kI32).ZigZag(i).Stop();
  w.Stop();
  w.set_last(saved);
  w.Field(13, CompactType::kList).List(CompactType::kList, 1).List(CompactType::kBinary, 1);
  w.Binary("nested");
  w.Stop();
  return w.bytes();
}

TEST(CompactDecoderTest, SkipsEveryType) {
  std::string bytes = EveryType();
  CompactDecoder d(bytes);
  ASSERT_OK(d.Skip(CompactType::kStruct));
  EXPECT_EQ(d.remaining(), 0u);
}

TEST(CompactDecoderTest, SkipFailsCleanlyOnEveryTruncation) {
  std::string bytes = EveryType();
  for (size_t n = 0; n < bytes.size(); ++n) {
    CompactDecoder d(std::string_view(bytes).substr(0, n));
    EXPECT_EQ(d.Skip(CompactType::kStruct).code(), ErrorCode::kCorrupt) << "prefix " << n;
  }
}

TEST(CompactDecoderTest, NestingLimit) {
  // 100 structs, each the first field of the one before.
  std::string deep(100, '\x1c');
  deep += std::string(101, '\0');
  CompactDecoder d(deep);
  EXPECT_ERROR(d.Skip(CompactType::kStruct), ErrorCode::kCorrupt, "nesting deeper than 64");

  // Lists of lists recurse too.
  std::string lists;
  for (int i = 0; i < 100; ++i) lists += '\x19';  // list of one list
  lists += '\x00';
  CompactDecoder d2(lists);
  EXPECT_ERROR(d2.Skip(CompactType::kList), ErrorCode::kCorrupt, "nesting deeper");

  CompactDecoder shallow(deep, /*max_depth=*/200);
  EXPECT_OK(shallow.Skip(CompactType::kStruct));
}

TEST(CompactDecoderTest, CollectionSizesBeyondInputAreRefused) {
  {
    Writer w;
    w.List(CompactType::kStruct, 0xFFFFFFFF);
    CompactDecoder d(w.bytes());
    EXPECT_ERROR(d.ReadListHeader(), ErrorCode::kCorrupt, "list of 4294967295 elements");
  }
  {
    Writer w;
    w.List(CompactType::kI64, 1u << 20).ZigZag(1);
    CompactDecoder d(w.bytes());
    EXPECT_ERROR(d.Skip(CompactType::kList), ErrorCode::kCorrupt, "only 1 bytes remain");
  }
  {
    Writer w;
    w.Varint(uint64_t{1} << 62).Byte(0x88);
    CompactDecoder d(w.bytes());
    EXPECT_ERROR(d.ReadMapHeader(), ErrorCode::kCorrupt, "map of");
  }
}

// FileMetaData with unknown fields of every type around the known ones.
TEST(DecodeFileMetaDataTest, SkipsUnknownFields) {
  Writer w;
  w.Field(1, CompactType::kI32).ZigZag(2);
  w.Field(2, CompactType::kList).List(CompactType::kStruct, 2);
  // root: name, num_children; with an unknown struct field 40 holding everything.
  w.set_last(0);
  w.Field(4, CompactType::kBinary).Binary("schema");
  w.Field(5, CompactType::kI32).ZigZag(1);
  w.Field(40, CompactType::kStruct);
  std::string every = EveryType();
  std::string bytes = w.bytes() + every;
  Writer rest;
  rest.set_last(40);
  rest.Stop();
  // leaf: type INT64, repetition REQUIRED, name "a", field_id 7.
  rest.Field(1, CompactType::kI32).ZigZag(2);
  rest.Field(3, CompactType::kI32).ZigZag(0);
  rest.Field(4, CompactType::kBinary).Binary("a");
  rest.Field(9, CompactType::kI32).ZigZag(7);
  rest.Field(30, CompactType::kDouble);
  for (int i = 0; i < 8; ++i) rest.Byte(0);
  rest.Stop();
  rest.set_last(2);
  rest.Field(3, CompactType::kI64).ZigZag(5);
  rest.Field(4, CompactType::kList).List(CompactType::kStruct, 0);
  rest.Field(5, CompactType::kList).List(CompactType::kStruct, 2);
  rest.set_last(0);
  rest.Field(1, CompactType::kBinary).Binary("k1").Field(2, CompactType::kBinary).Binary("v1");
  rest.Stop();
  rest.Field(1, CompactType::kBinary).Binary("k2").Stop();
  rest.set_last(5);
  rest.Field(6, CompactType::kBinary).Binary("test writer");
  rest.Field(99, CompactType::kMap).Varint(1).Byte(0x88).Binary("k").Binary("v");
  rest.Stop();
  bytes += rest.bytes();

  ASSERT_OK_AND_ASSIGN(FileMetaData md, DecodeFileMetaData(bytes));
  EXPECT_EQ(md.version, 2);
  ASSERT_EQ(md.schema.size(), 2u);
  EXPECT_EQ(md.schema[0].name, "schema");
  EXPECT_EQ(md.schema[0].num_children, 1);
  EXPECT_EQ(md.schema[1].name, "a");
  EXPECT_EQ(md.schema[1].type, PhysicalType::kInt64);
  EXPECT_EQ(md.schema[1].repetition_type, Repetition::kRequired);
  EXPECT_EQ(md.schema[1].field_id, 7);
  EXPECT_EQ(md.num_rows, 5);
  EXPECT_TRUE(md.row_groups.empty());
  EXPECT_EQ(md.created_by, "test writer");
  ASSERT_EQ(md.key_value_metadata.size(), 2u);
  EXPECT_EQ(md.key_value_metadata[0].key, "k1");
  EXPECT_EQ(md.FindKeyValue("k1"), "v1");
  EXPECT_EQ(md.key_value_metadata[1].key, "k2");
  EXPECT_FALSE(md.key_value_metadata[1].value.has_value());
  EXPECT_EQ(md.FindKeyValue("k2"), std::nullopt);
  EXPECT_EQ(md.FindKeyValue("nope"), std::nullopt);
}

TEST(DecodeFileMetaDataTest, MissingRequiredField) {
  Writer w;
  w.Field(1, CompactType::kI32).ZigZag(1);
  w.Field(3, CompactType::kI64).ZigZag(0);
  w.Field(4, CompactType::kList).List(CompactType::kStruct, 0);
  w.Stop();
  EXPECT_ERROR(DecodeFileMetaData(w.bytes()), ErrorCode::kCorrupt,
               "FileMetaData is missing required field 'schema'");
}

TEST(DecodeFileMetaDataTest, WrongWireTypeForAKnownFieldIsSkipped) {
  Writer w;
  w.Field(1, CompactType::kBinary).Binary("not an int");  // version as binary: skipped
  w.Stop();
  EXPECT_ERROR(DecodeFileMetaData(w.bytes()), ErrorCode::kCorrupt, "'version'");
}

TEST(DecodeFileMetaDataTest, InvalidEnum) {
  Writer w;
  w.Field(1, CompactType::kI32).ZigZag(1);
  w.Field(2, CompactType::kList).List(CompactType::kStruct, 1);
  w.set_last(0);
  w.Field(1, CompactType::kI32).ZigZag(42);
  w.Field(4, CompactType::kBinary).Binary("x");
  w.Stop();
  EXPECT_ERROR(DecodeFileMetaData(w.bytes()), ErrorCode::kCorrupt, "invalid physical type 42");
}

TEST(DecodeFileMetaDataTest, HugeListOfSchemaElementsIsRefused) {
  Writer w;
  w.Field(1, CompactType::kI32).ZigZag(1);
  w.Field(2, CompactType::kList).List(CompactType::kStruct, 2000000000);
  w.Stop();
  EXPECT_ERROR(DecodeFileMetaData(w.bytes()), ErrorCode::kCorrupt, "list of 2000000000");
}

TEST(DecodeFileMetaDataTest, ListOfWrongElementType) {
  Writer w;
  w.Field(1, CompactType::kI32).ZigZag(1);
  w.Field(2, CompactType::kList).List(CompactType::kI32, 1).ZigZag(1);
  w.Stop();
  EXPECT_ERROR(DecodeFileMetaData(w.bytes()), ErrorCode::kCorrupt,
               "FileMetaData.schema is a list of i32");
}

}  // namespace
}  // namespace faceberg::parquet
