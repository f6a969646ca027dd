#include "iceberg/parquet_metrics.h"

#include <cmath>
#include <random>
#include <string>

#include "format/parquet/footer.h"
#include "test_util.h"
#include "util/bytes.h"
#include "util/strings.h"

namespace faceberg::iceberg {
namespace {

namespace pq = ::faceberg::parquet;
using faceberg::testing::TestDataPath;
using HexMap = std::map<int32_t, std::string>;

pq::FileMetaData ReadMetadata(const std::string& name) {
  io::LocalFileIO io;
  auto file = io.NewInputFile(TestDataPath("parquet/" + name));
  EXPECT_TRUE(file.ok()) << file.status().ToString();
  auto md = pq::ReadFileMetaData(**file);
  EXPECT_TRUE(md.ok()) << md.status().ToString();
  return std::move(md).value();
}

HexMap Hex(const std::map<int32_t, std::string>& bounds) {
  HexMap out;
  for (const auto& [id, bytes] : bounds) out[id] = HexEncode(bytes);
  return out;
}

std::string Le64(int64_t v) {
  std::string out;
  AppendLittleEndian(out, v);
  return HexEncode(out);
}

// ---- Schema conversion -------------------------------------------------------------------------

TEST(SchemaFromParquetTest, PyArrowWithFieldIds) {
  ParquetSchemaInfo info;
  ASSERT_OK_AND_ASSIGN(SchemaPtr schema,
                       SchemaFromParquet(ReadMetadata("pyarrow_ids.parquet"), &info));
  EXPECT_TRUE(info.ids_from_file);
  EXPECT_EQ(schema->fields().size(), 21u);
  EXPECT_EQ(schema->as_struct()->ToString(),
            "struct<id: long, flag: boolean, i8: int, i16: int, i32: int, f: float, d: double, "
            "s: string, hi: string, bin: binary, dec: decimal(9,2), dec38: decimal(38,10), "
            "day: date, ts_ms: timestamp, ts_us_tz: timestamptz, ts_ns: timestamp, t: time, "
            "u: uuid, point: struct<x: double, y: double>, tags: list<string>, "
            "attrs: map<string, int>>");
  EXPECT_TRUE(schema->FindFieldById(1)->required);
  EXPECT_FALSE(schema->FindFieldById(2)->required);
  const NestedField* tags = schema->FindFieldById(22);
  ASSERT_NE(tags, nullptr);
  EXPECT_EQ(tags->type->element().id, 23);
  EXPECT_FALSE(tags->type->element().required);
  const NestedField* attrs = schema->FindFieldById(24);
  ASSERT_NE(attrs, nullptr);
  EXPECT_EQ(attrs->type->key().id, 25);
  EXPECT_EQ(attrs->type->value().id, 26);
  EXPECT_FALSE(attrs->type->value().required);
  EXPECT_EQ(schema->FindColumnName(20), "point.x");

  ASSERT_EQ(info.columns.size(), 23u);
  EXPECT_EQ(info.columns[0].dotted_path, "id");
  EXPECT_EQ(info.columns[0].field_id, 1);
  EXPECT_EQ(info.columns[18].dotted_path, "point.x");
  EXPECT_EQ(info.columns[18].field_id, 20);
  EXPECT_EQ(info.columns[20].path, (std::vector<std::string>{"tags", "list", "element"}));
  EXPECT_EQ(info.columns[20].field_id, 23);
  EXPECT_EQ(info.columns[22].dotted_path, "attrs.key_value.value");
  EXPECT_EQ(info.columns[22].field_id, 26);
  EXPECT_EQ(info.field_names.size(), 26u);
  EXPECT_EQ(info.field_names[23], (std::vector<std::string>{"tags", "element"}));
  EXPECT_EQ(info.field_names[25], (std::vector<std::string>{"attrs", "key"}));
  EXPECT_EQ(info.field_names[21], (std::vector<std::string>{"point", "y"}));
}

TEST(SchemaFromParquetTest, PyArrowWithoutFieldIdsGetsFreshIds) {
  ParquetSchemaInfo info;
  ASSERT_OK_AND_ASSIGN(SchemaPtr schema,
                       SchemaFromParquet(ReadMetadata("pyarrow_no_ids.parquet"), &info, 3));
  EXPECT_FALSE(info.ids_from_file);
  EXPECT_EQ(schema->schema_id(), 3);
  // Top-level fields take 1..21, then nested fields in order: point.x/y, the list element, the
  // map key and value.
  EXPECT_EQ(schema->FindFieldByName("attrs")->id, 21);
  EXPECT_EQ(schema->FindFieldByName("point.x")->id, 22);
  EXPECT_EQ(schema->FindFieldByName("point.y")->id, 23);
  EXPECT_EQ(schema->FindFieldByName("tags")->type->element().id, 24);
  EXPECT_EQ(schema->FindFieldByName("attrs")->type->key().id, 25);
  EXPECT_EQ(schema->FindFieldByName("attrs")->type->value().id, 26);
  // Decimals stored as INT32 / FIXED map to the same Iceberg types.
  EXPECT_EQ(schema->FindFieldByName("dec")->type->ToString(), "decimal(9,2)");
  EXPECT_EQ(schema->FindFieldByName("dec38")->type->ToString(), "decimal(38,10)");
  EXPECT_EQ(info.columns[20].field_id, 24);
  EXPECT_EQ(info.field_names[24], (std::vector<std::string>{"tags", "element"}));
}

TEST(SchemaFromParquetTest, DuckDb) {
  ParquetSchemaInfo info;
  ASSERT_OK_AND_ASSIGN(SchemaPtr schema,
                       SchemaFromParquet(ReadMetadata("duckdb_ids.parquet"), &info));
  EXPECT_TRUE(info.ids_from_file);
  EXPECT_EQ(schema->as_struct()->ToString(),
            "struct<id: int, big: long, str: string, dec4: decimal(4,1), dec18: decimal(18,3), "
            "dec30: decimal(30,5), day: date, ts: timestamp, tstz: timestamptz, tod: time, "
            "uid: uuid, blob: binary, flag: boolean, dbl: double, flt: float, u8: int, u16: int, "
            "u32: long, st: struct<a: int, b: string>, lst: list<int>, "
            "mp: map<string, decimal(2,1)>>");
  EXPECT_EQ(schema->FindFieldById(23)->name, "element");

  ASSERT_OK_AND_ASSIGN(SchemaPtr no_ids,
                       SchemaFromParquet(ReadMetadata("duckdb_no_ids.parquet"), &info));
  EXPECT_FALSE(info.ids_from_file);
  EXPECT_EQ(no_ids->as_struct()->ToString(), schema->as_struct()->ToString());
}

TEST(SchemaFromParquetTest, UnsignedBigIntIsNotSupported) {
  EXPECT_ERROR(SchemaFromParquet(ReadMetadata("duckdb_ubigint.parquet")), ErrorCode::kNotSupported,
               "'big_unsigned': UINT64 (unsigned 64-bit)");
}

TEST(SchemaFromParquetTest, Int96IsTimestamp) {
  ASSERT_OK_AND_ASSIGN(SchemaPtr schema, SchemaFromParquet(ReadMetadata("pyarrow_int96.parquet")));
  EXPECT_EQ(schema->as_struct()->ToString(), "struct<ts: timestamp, n: int>");
}

// Hand-built schemas for shapes the writers above do not produce.
class HandBuiltSchemaTest : public ::testing::Test {
 protected:
  static pq::SchemaElement Group(std::string name, int32_t children,
                                 pq::Repetition rep = pq::Repetition::kOptional) {
    pq::SchemaElement e;
    e.name = std::move(name);
    e.num_children = children;
    e.repetition_type = rep;
    return e;
  }
  static pq::SchemaElement Leaf(std::string name, pq::PhysicalType type,
                                pq::Repetition rep = pq::Repetition::kOptional) {
    pq::SchemaElement e;
    e.name = std::move(name);
    e.type = type;
    e.repetition_type = rep;
    return e;
  }
  static pq::SchemaElement Annotated(pq::SchemaElement e, pq::ConvertedType converted) {
    e.converted_type = converted;
    return e;
  }
  static pq::SchemaElement WithId(pq::SchemaElement e, int32_t id) {
    e.field_id = id;
    return e;
  }
  // A file whose root holds `top_level` fields described by `elements`.
  static pq::FileMetaData File(int32_t top_level, std::vector<pq::SchemaElement> elements) {
    pq::FileMetaData md;
    pq::SchemaElement root;
    root.name = "schema";
    root.num_children = top_level;
    md.schema.push_back(root);
    for (auto& e : elements) md.schema.push_back(std::move(e));
    return md;
  }
  static std::string Convert(const pq::FileMetaData& md) {
    auto schema = SchemaFromParquet(md);
    if (!schema.ok()) return schema.status().ToString();
    return (*schema)->as_struct()->ToString();
  }

  using P = pq::PhysicalType;
  using R = pq::Repetition;
  using C = pq::ConvertedType;
};

TEST_F(HandBuiltSchemaTest, LegacyTwoLevelLists) {
  // Rule 1: a repeated primitive is the element.
  EXPECT_EQ(
      Convert(File(1, {Annotated(Group("a", 1), C::kList), Leaf("x", P::kInt32, R::kRepeated)})),
      "struct<a: list<int>>");
  // Rule 2: a repeated group with several fields is the element.
  EXPECT_EQ(Convert(File(1, {Annotated(Group("a", 1), C::kList), Group("e", 2, R::kRepeated),
                             Leaf("x", P::kInt32), Leaf("y", P::kDouble)})),
            "struct<a: list<struct<x: int, y: double>>>");
  // Rule 3: "array" and "<name>_tuple" groups are the element even with one field.
  EXPECT_EQ(Convert(File(1, {Annotated(Group("a", 1), C::kList), Group("array", 1, R::kRepeated),
                             Leaf("x", P::kInt32)})),
            "struct<a: list<struct<x: int>>>");
  EXPECT_EQ(Convert(File(1, {Annotated(Group("a", 1), C::kList), Group("a_tuple", 1, R::kRepeated),
                             Leaf("x", P::kInt32)})),
            "struct<a: list<struct<x: int>>>");
  // Otherwise the single child of the repeated group is the element (3-level, any names).
  EXPECT_EQ(Convert(File(1, {Annotated(Group("a", 1), C::kList), Group("bag", 1, R::kRepeated),
                             Leaf("item", P::kInt32, R::kRequired)})),
            "struct<a: list<int>>");
  ASSERT_OK_AND_ASSIGN(SchemaPtr s,
                       SchemaFromParquet(File(1, {Annotated(Group("a", 1), C::kList),
                                                  Leaf("x", P::kInt32, R::kRepeated)})));
  EXPECT_TRUE(s->FindFieldByName("a")->type->element().required);
}

TEST_F(HandBuiltSchemaTest, NestedListsAndMaps) {
  // list<map<string, list<int>>> in the standard layout.
  auto md = File(1, {Annotated(Group("outer", 1), C::kList), Group("list", 1, R::kRepeated),
                     Annotated(Group("element", 1), C::kMap), Group("key_value", 2, R::kRepeated),
                     Annotated(Leaf("key", P::kByteArray, R::kRequired), C::kUtf8),
                     Annotated(Group("value", 1), C::kList), Group("list", 1, R::kRepeated),
                     Leaf("element", P::kInt32)});
  ParquetSchemaInfo info;
  ASSERT_OK_AND_ASSIGN(SchemaPtr s, SchemaFromParquet(md, &info));
  EXPECT_EQ(s->as_struct()->ToString(), "struct<outer: list<map<string, list<int>>>>");
  // Fresh ids: outer 1, its element 2, key 3, value 4, the inner element 5.
  EXPECT_EQ(s->HighestFieldId(), 5);
  ASSERT_EQ(info.columns.size(), 2u);
  EXPECT_EQ(info.columns[1].dotted_path, "outer.list.element.key_value.value.list.element");
  EXPECT_EQ(info.columns[1].field_id, 5);
  EXPECT_EQ(info.field_names[5],
            (std::vector<std::string>{"outer", "element", "value", "element"}));
}

TEST_F(HandBuiltSchemaTest, LegacyMapKeyValueAnnotation) {
  EXPECT_EQ(
      Convert(File(1, {Annotated(Group("m", 1), C::kMapKeyValue), Group("map", 2, R::kRepeated),
                       Annotated(Leaf("key", P::kByteArray, R::kRequired), C::kUtf8),
                       Leaf("value", P::kInt64)})),
      "struct<m: map<string, long>>");
}

TEST_F(HandBuiltSchemaTest, UnsupportedShapesNameTheColumn) {
  EXPECT_EQ(Convert(File(1, {Leaf("r", P::kInt32, R::kRepeated)})),
            "not supported: Parquet column 'r': a repeated field outside a LIST or MAP group is "
            "not supported");
  EXPECT_EQ(Convert(File(1, {Annotated(Group("m", 1), C::kMap), Group("key_value", 1, R::kRepeated),
                             Leaf("key", P::kInt32, R::kRequired)})),
            "not supported: Parquet MAP group 'm' has 1 fields in 'key_value' where a key and a "
            "value are expected");
  EXPECT_EQ(Convert(File(1, {Annotated(Group("l", 2), C::kList), Leaf("a", P::kInt32, R::kRepeated),
                             Leaf("b", P::kInt32, R::kRepeated)})),
            "not supported: Parquet LIST group 'l' must have exactly one child, not 2");
  EXPECT_EQ(Convert(File(1, {Annotated(Group("l", 1), C::kList), Leaf("a", P::kInt32)})),
            "not supported: Parquet LIST group 'l': its child 'a' is not repeated");
  EXPECT_EQ(Convert(File(1, {Annotated(Group("l", 1), C::kList), Group("list", 0, R::kRepeated)})),
            "not supported: Parquet LIST group 'l': its repeated group 'list' has no fields");
  EXPECT_EQ(Convert(File(0, {})), "not supported: the Parquet schema has no columns");
  EXPECT_EQ(Convert(File(1, {Group("g", 0)})),
            "not supported: Parquet group 'g' has no fields; Iceberg has no empty structs");
  auto interval = Leaf("iv", P::kFixedLenByteArray);
  interval.type_length = 12;
  interval.converted_type = C::kInterval;
  EXPECT_EQ(Convert(File(1, {interval})),
            "not supported: Parquet column 'iv': INTERVAL is not supported");
  auto dec = Annotated(Leaf("d", P::kFixedLenByteArray), C::kDecimal);
  dec.type_length = 20;
  dec.precision = 45;
  dec.scale = 2;
  EXPECT_THAT(Convert(File(1, {dec})),
              ::testing::HasSubstr("'d': decimal(45, 2) is not supported by Iceberg"));
  auto f16 = Leaf("h", P::kFixedLenByteArray);
  f16.type_length = 2;
  f16.logical_type = pq::LogicalType{.kind = pq::LogicalType::Kind::kFloat16};
  EXPECT_EQ(Convert(File(1, {f16})), "not supported: Parquet column 'h': FLOAT16 is not supported");
  EXPECT_EQ(Convert(File(1, {Annotated(Leaf("s", P::kInt32), C::kUtf8)})),
            "not supported: Parquet column 's': its annotation is not valid on physical type "
            "INT32");
}

TEST_F(HandBuiltSchemaTest, LegacyConvertedTypes) {
  auto ts = Annotated(Leaf("ts", P::kInt64), C::kTimestampMillis);
  auto tm = Annotated(Leaf("tm", P::kInt32), C::kTimeMillis);
  auto js = Annotated(Leaf("js", P::kByteArray), C::kJson);
  auto bs = Annotated(Leaf("bs", P::kByteArray), C::kBson);
  auto u16 = Annotated(Leaf("u16", P::kInt32), C::kUint16);
  auto dec = Annotated(Leaf("dec", P::kByteArray), C::kDecimal);
  dec.precision = 20;
  dec.scale = 4;
  auto fixed = Leaf("fx", P::kFixedLenByteArray);
  fixed.type_length = 3;
  EXPECT_EQ(Convert(File(8, {ts, tm, js, bs, u16, dec, fixed, Leaf("i96", P::kInt96)})),
            "struct<ts: timestamptz, tm: time, js: string, bs: binary, u16: int, "
            "dec: decimal(20,4), fx: fixed[3], i96: timestamp>");
}

TEST_F(HandBuiltSchemaTest, FieldIds) {
  // Some ids missing: all ids are assigned fresh.
  ASSERT_OK_AND_ASSIGN(
      SchemaPtr partial,
      SchemaFromParquet(File(2, {WithId(Leaf("a", P::kInt32), 10), Leaf("b", P::kInt32)})));
  EXPECT_EQ(partial->FindFieldByName("a")->id, 1);
  EXPECT_EQ(partial->FindFieldByName("b")->id, 2);
  // Zero is not a valid Iceberg id (DuckDB's FIELD_IDS 'auto' starts there).
  ASSERT_OK_AND_ASSIGN(SchemaPtr zero,
                       SchemaFromParquet(File(
                           2, {WithId(Leaf("a", P::kInt32), 0), WithId(Leaf("b", P::kInt32), 1)})));
  EXPECT_EQ(zero->FindFieldByName("a")->id, 1);
  EXPECT_EQ(zero->FindFieldByName("b")->id, 2);
  EXPECT_ERROR(SchemaFromParquet(
                   File(2, {WithId(Leaf("a", P::kInt32), 7), WithId(Leaf("b", P::kInt32), 7)})),
               ErrorCode::kCorrupt, "field id 7 is used twice");
  // A malformed tree is reported as such.
  EXPECT_ERROR(SchemaFromParquet(File(3, {Leaf("a", P::kInt32)})), ErrorCode::kCorrupt,
               "ends early");
}

// ---- Metrics -----------------------------------------------------------------------------------

TEST(MetricsFromParquetTest, PyArrowWithFieldIds) {
  pq::FileMetaData md = ReadMetadata("pyarrow_ids.parquet");
  ASSERT_OK_AND_ASSIGN(SchemaPtr schema, SchemaFromParquet(md));
  ASSERT_OK_AND_ASSIGN(FileMetrics m, MetricsFromParquet(md, *schema));

  EXPECT_EQ(m.record_count, 7);
  EXPECT_EQ(m.split_offsets, (std::vector<int64_t>{4, 2012, 4050}));
  EXPECT_EQ(m.column_sizes, (std::map<int32_t, int64_t>{
                                {1, 298},  {2, 111},  {3, 183},  {4, 183},  {5, 153},  {6, 183},
                                {7, 213},  {8, 577},  {9, 279},  {10, 195}, {11, 183}, {12, 399},
                                {13, 183}, {14, 255}, {15, 255}, {16, 255}, {17, 255}, {18, 291},
                                {20, 249}, {21, 248}, {23, 157}, {25, 159}, {26, 199}}));
  std::map<int32_t, int64_t> sevens;
  for (const auto& [id, size] : m.column_sizes) sevens[id] = 7;
  sevens[23] = 9;  // list elements: a, b, [], null, zz, m, null, q, c
  sevens[25] = 8;  // map entries: k1, null map, {}, k2, k3, a, z, k
  sevens[26] = 8;
  EXPECT_EQ(m.value_counts, sevens);
  EXPECT_EQ(m.null_value_counts,
            (std::map<int32_t, int64_t>{{1, 0},  {2, 2},  {3, 1},  {4, 1},  {5, 2},  {6, 1},
                                        {7, 1},  {8, 1},  {9, 1},  {10, 1}, {11, 1}, {12, 1},
                                        {13, 1}, {14, 1}, {15, 1}, {16, 1}, {17, 1}, {18, 1},
                                        {20, 2}, {21, 2}, {23, 3}, {25, 2}, {26, 3}}));
  EXPECT_TRUE(m.nan_value_counts.empty());  // pyarrow writes no nan_count

  EXPECT_EQ(Hex(m.lower_bounds),
            (HexMap{
                {1, Le64(1)},
                {2, "00"},
                {3, "80ffffff"},  // -128
                {4, "d4feffff"},  // -300
                {5, "ecffffff"},  // -20; row group 3 is all null and does not drop the bound
                {6, "000010c0"},  // -2.25f; the NaN is ignored by the writer
                // 7 (d): row group 3 is all NaN, so it has no min/max and the bound is dropped.
                {8, HexEncode("a string longer ")},  // 16 code points
                {9, HexEncode("abc")},
                {10, ""},
                {11, "ee29"},                              // -45.67 unscaled, minimal bytes
                {12, "b4c4b357a5793b85f675ddc000000001"},  // -9999...9.9999999999
                {13, "ffffffff"},                          // 1969-12-31
                {14, Le64(946684799999000)},               // 1999-12-31 23:59:59.999 in micros
                {15, Le64(-315619200000000)},              // 1960-01-01
                {16, Le64(-2)},                            // -1500 ns rounded down
                {17, Le64(0)},
                {18, "00000000000000000000000000000001"},
                {20, "0000000000000cc0"},  // point.x: -3.5
                {21, "000000000000f0bf"},  // point.y: -1.0
            }));
  EXPECT_EQ(Hex(m.upper_bounds),
            (HexMap{
                {1, Le64(7)},
                {2, "01"},
                {3, "7f000000"},
                {4, "2c010000"},
                {5, "32000000"},
                {6, "00004040"},  // 3.0f
                // 17 emoji truncated to 16, the last one (U+1F617) incremented to U+1F618.
                {8,
                 "f09f9880f09f9881f09f9882f09fa4a3f09f9883f09f9884f09f9885f09f9886f09f9889f09f"
                 "988af09f988bf09f988ef09f988df09f9898f09fa5b0f09f9898"},
                // 9 (hi): 17 x U+10FFFF cannot be rounded up: no upper bound.
                {10, "80"},  // 7f ff.. truncated to 16 bytes, rounded up, shortened
                {11, "3b9ac9ff"},
                {12, "018ee90ff6c373e0ee0c04d515"},
                {13, "07570000"},              // 2030-12-31
                {14, Le64(1704153600000000)},  // 2024-01-02 00:00:00
                {15, Le64(1735689600000000)},  // 2025-01-01
                {16, Le64(1700000000123457)},  // ...456999 ns rounded up
                {17, Le64(86399999999)},
                {18, "ffffffffffffffffffffffffffffffff"},
                {20, "0000000000002240"},  // 9.0
                {21, "0000000000002240"},
            }));
}

TEST(MetricsFromParquetTest, NameMappingForFilesWithoutIds) {
  pq::FileMetaData md = ReadMetadata("pyarrow_no_ids.parquet");
  ASSERT_OK_AND_ASSIGN(SchemaPtr table, SchemaFromParquet(ReadMetadata("pyarrow_ids.parquet")));

  // Without a mapping nothing can be matched.
  ASSERT_OK_AND_ASSIGN(FileMetrics unmatched, MetricsFromParquet(md, *table));
  EXPECT_EQ(unmatched.record_count, 7);
  EXPECT_TRUE(unmatched.column_sizes.empty());
  EXPECT_TRUE(unmatched.lower_bounds.empty());
  EXPECT_EQ(unmatched.split_offsets.size(), 3u);

  // Map by name through the converted file schema, as a caller with a name mapping would.
  ParquetSchemaInfo info;
  ASSERT_OK(SchemaFromParquet(md, &info));
  std::map<std::string, int32_t> name_to_id;
  for (const auto& column : info.columns) {
    // Iceberg names ("tags.element") resolve in the table schema like a name mapping would.
    const NestedField* field = table->FindFieldByName(Join(info.field_names[column.field_id], "."));
    ASSERT_NE(field, nullptr) << column.dotted_path;
    name_to_id[column.dotted_path] = field->id;
  }
  EXPECT_EQ(name_to_id["tags.list.element"], 23);
  EXPECT_EQ(name_to_id["attrs.key_value.value"], 26);
  ASSERT_OK_AND_ASSIGN(FileMetrics m, MetricsFromParquet(md, *table, &name_to_id));
  EXPECT_EQ(m.value_counts.size(), 23u);
  EXPECT_EQ(m.value_counts[23], 9);
  // Decimals stored as INT32 give the same bounds as the FIXED ones.
  EXPECT_EQ(HexEncode(m.lower_bounds[11]), "ee29");
  EXPECT_EQ(HexEncode(m.upper_bounds[11]), "3b9ac9ff");
  EXPECT_EQ(HexEncode(m.lower_bounds[12]), "b4c4b357a5793b85f675ddc000000001");
  EXPECT_EQ(HexEncode(m.lower_bounds[8]), HexEncode("a string longer "));
}

TEST(MetricsFromParquetTest, DuckDb) {
  pq::FileMetaData md = ReadMetadata("duckdb_ids.parquet");
  ASSERT_OK_AND_ASSIGN(SchemaPtr schema, SchemaFromParquet(md));
  ASSERT_OK_AND_ASSIGN(FileMetrics m, MetricsFromParquet(md, *schema));
  EXPECT_EQ(m.record_count, 4);
  EXPECT_EQ(m.split_offsets, (std::vector<int64_t>{4}));
  EXPECT_EQ(m.column_sizes[3], 116);
  EXPECT_EQ(m.value_counts[23], 7);              // [1,2,3], [], null, [null,4]
  EXPECT_EQ(m.null_value_counts.count(23), 0u);  // DuckDB writes no null_count for it
  EXPECT_EQ(m.null_value_counts[3], 1);
  EXPECT_EQ(m.null_value_counts[20], 2);

  // DuckDB writes no column_orders; its min_value/max_value are still used (as parquet-mr does).
  EXPECT_EQ(Hex(m.lower_bounds), (HexMap{
                                     {1, "01000000"},
                                     {2, Le64(-5)},
                                     {3, HexEncode("a much longer st")},
                                     {4, "d8f1"},    // -999.9
                                     {5, "ff"},      // -0.001
                                     {6, "fe7960"},  // -1.00000
                                     {7, "00000000"},
                                     {8, Le64(0)},
                                     {9, Le64(-1)},
                                     {10, Le64(0)},
                                     {11, "00000000000000000000000000000000"},
                                     {12, ""},
                                     {13, "00"},
                                     {14, "000000000000f8bf"},
                                     {15, "000020c0"},
                                     {16, "00000000"},
                                     {17, "00000000"},
                                     {18, Le64(1)},  // UINTEGER read as long
                                     {20, "01000000"},
                                     {21, "78"},
                                 }));
  EXPECT_EQ(Hex(m.upper_bounds), (HexMap{
                                     {1, "04000000"},
                                     {2, Le64(10000000000)},
                                     {3, HexEncode("zeta")},
                                     {4, "7d"},  // 12.5
                                     {5, "7048860ddf79"},
                                     {6, "018ee90ff6c373e0ee4e3e31d9"},
                                     {7, "79b90000"},
                                     {8, Le64(4102444799000000)},
                                     {9, Le64(4102444799000000)},
                                     {10, Le64(86399999999)},
                                     {11, "ffffffffffffffffffffffffffffffff"},
                                     {12, "7f"},
                                     {13, "01"},
                                     {14, "0000000000005940"},
                                     {15, "00002040"},
                                     {16, "ff000000"},
                                     {17, "ffff0000"},
                                     {18, Le64(4294967295)},
                                     {20, "03000000"},
                                     {21, "79"},
                                 }));
}

TEST(MetricsFromParquetTest, Int96HasNoBounds) {
  pq::FileMetaData md = ReadMetadata("pyarrow_int96.parquet");
  ASSERT_OK_AND_ASSIGN(SchemaPtr schema, SchemaFromParquet(md));
  // The file has no field ids: map by name.
  std::map<std::string, int32_t> ids = {{"ts", 1}, {"n", 2}};
  ASSERT_OK_AND_ASSIGN(FileMetrics m, MetricsFromParquet(md, *schema, &ids));
  EXPECT_EQ(m.value_counts, (std::map<int32_t, int64_t>{{1, 2}, {2, 2}}));
  EXPECT_EQ(m.column_sizes, (std::map<int32_t, int64_t>{{1, 66}, {2, 78}}));
  EXPECT_EQ(Hex(m.lower_bounds), (HexMap{{2, "01000000"}}));
  EXPECT_EQ(Hex(m.upper_bounds), (HexMap{{2, "02000000"}}));
}

TEST(MetricsFromParquetTest, PromotedTableTypes) {
  pq::FileMetaData md = ReadMetadata("pyarrow_ids.parquet");
  Schema table(0, {NestedField{5, "i32", false, Type::Long(), ""},
                   NestedField{6, "f", false, Type::Double(), ""},
                   NestedField{11, "dec", false, *Type::Decimal(12, 2), ""}});
  ASSERT_OK_AND_ASSIGN(FileMetrics m, MetricsFromParquet(md, table));
  EXPECT_EQ(m.column_sizes.size(), 3u);
  std::string minus_2_25;
  AppendLittleEndian(minus_2_25, -2.25);
  EXPECT_EQ(Hex(m.lower_bounds),
            (HexMap{{5, Le64(-20)}, {6, HexEncode(minus_2_25)}, {11, "ee29"}}));
  EXPECT_EQ(HexEncode(m.upper_bounds[5]), Le64(50));
}

TEST(MetricsFromParquetTest, IncompatibleTableType) {
  pq::FileMetaData md = ReadMetadata("pyarrow_ids.parquet");
  Schema table(0, {NestedField{8, "s", false, Type::Int(), ""}});
  EXPECT_ERROR(MetricsFromParquet(md, table), ErrorCode::kInvalidArgument,
               "Parquet column 's' (BYTE_ARRAY) cannot be read as field 8 of type int");
  Schema nested(0, {NestedField{1, "id", false,
                                Type::Struct({NestedField{99, "x", false, Type::Int(), ""}}), ""}});
  EXPECT_ERROR(MetricsFromParquet(md, nested), ErrorCode::kInvalidArgument, "'id' (INT64)");
}

TEST(MetricsFromParquetTest, TruncateLengthOption) {
  pq::FileMetaData md = ReadMetadata("pyarrow_ids.parquet");
  ASSERT_OK_AND_ASSIGN(SchemaPtr schema, SchemaFromParquet(md));
  ASSERT_OK_AND_ASSIGN(FileMetrics full,
                       MetricsFromParquet(md, *schema, nullptr, {.truncate_length = 0}));
  EXPECT_EQ(full.lower_bounds[8], "a string longer than sixteen chars");
  std::string max_code_points;
  for (int i = 0; i < 17; ++i) max_code_points += "\U0010FFFF";
  EXPECT_EQ(full.upper_bounds[9], max_code_points);  // kept whole when not truncated
  ASSERT_OK_AND_ASSIGN(FileMetrics two,
                       MetricsFromParquet(md, *schema, nullptr, {.truncate_length = 2}));
  EXPECT_EQ(two.lower_bounds[8], "a ");
  EXPECT_EQ(two.upper_bounds[8], "\U0001F600\U0001F602");
}

// Hand-built footers for the statistics rules.
class StatsRulesTest : public ::testing::Test {
 protected:
  // One optional column `c` of `type` (field id 1) and the given row group statistics.
  static pq::FileMetaData File(pq::PhysicalType type, std::vector<pq::Statistics> stats,
                               std::optional<pq::ConvertedType> converted = std::nullopt) {
    pq::FileMetaData md;
    pq::SchemaElement root;
    root.name = "schema";
    root.num_children = 1;
    pq::SchemaElement c;
    c.name = "c";
    c.type = type;
    c.repetition_type = pq::Repetition::kOptional;
    c.field_id = 1;
    c.converted_type = converted;
    md.schema = {root, c};
    int64_t offset = 4;
    for (auto& s : stats) {
      pq::RowGroup rg;
      rg.num_rows = 10;
      pq::ColumnChunk chunk;
      pq::ColumnMetaData cmd;
      cmd.type = type;
      cmd.path_in_schema = {"c"};
      cmd.num_values = 10;
      cmd.total_compressed_size = 100;
      cmd.data_page_offset = offset;
      offset += 100;
      cmd.statistics = std::move(s);
      chunk.meta_data = std::move(cmd);
      rg.columns.push_back(std::move(chunk));
      md.row_groups.push_back(std::move(rg));
      md.num_rows += 10;
    }
    return md;
  }
  static std::string I32(int32_t v) {
    std::string out;
    AppendLittleEndian(out, v);
    return out;
  }
  static std::string F64(double v) {
    std::string out;
    AppendLittleEndian(out, v);
    return out;
  }
  static pq::Statistics New(std::string min, std::string max, int64_t nulls = 0) {
    pq::Statistics s;
    s.min_value = std::move(min);
    s.max_value = std::move(max);
    s.null_count = nulls;
    return s;
  }
  static pq::Statistics Legacy(std::string min, std::string max) {
    pq::Statistics s;
    s.min = std::move(min);
    s.max = std::move(max);
    s.null_count = 0;
    return s;
  }
  static FileMetrics Metrics(const pq::FileMetaData& md) {
    auto schema = SchemaFromParquet(md);
    EXPECT_TRUE(schema.ok()) << schema.status().ToString();
    auto m = MetricsFromParquet(md, **schema);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return m.value_or(FileMetrics{});
  }
};

TEST_F(StatsRulesTest, MergesAcrossRowGroups) {
  FileMetrics m = Metrics(File(pq::PhysicalType::kInt32,
                               {New(I32(5), I32(9)), New(I32(-3), I32(4)), New(I32(0), I32(12))}));
  EXPECT_EQ(m.lower_bounds[1], I32(-3));
  EXPECT_EQ(m.upper_bounds[1], I32(12));
  EXPECT_EQ(m.split_offsets, (std::vector<int64_t>{4, 104, 204}));
  EXPECT_EQ(m.null_value_counts[1], 0);
}

TEST_F(StatsRulesTest, DeprecatedMinMaxOnlyForSignedTypes) {
  FileMetrics ints = Metrics(File(pq::PhysicalType::kInt32, {Legacy(I32(1), I32(2))}));
  EXPECT_EQ(ints.lower_bounds[1], I32(1));
  FileMetrics strings =
      Metrics(File(pq::PhysicalType::kByteArray, {Legacy("a", "b")}, pq::ConvertedType::kUtf8));
  EXPECT_TRUE(strings.lower_bounds.empty());
  EXPECT_TRUE(strings.upper_bounds.empty());
  EXPECT_EQ(strings.null_value_counts[1], 0);
  FileMetrics unsigned_ints = Metrics(
      File(pq::PhysicalType::kInt32, {Legacy(I32(1), I32(-1))}, pq::ConvertedType::kUint32));
  EXPECT_TRUE(unsigned_ints.lower_bounds.empty());
  // min_value/max_value of unsigned columns are in unsigned order and are used.
  FileMetrics unsigned_new =
      Metrics(File(pq::PhysicalType::kInt32, {New(I32(1), I32(-1))}, pq::ConvertedType::kUint32));
  EXPECT_EQ(HexEncode(unsigned_new.upper_bounds[1]), Le64(4294967295));
}

TEST_F(StatsRulesTest, UnknownColumnOrderIgnoresMinValue) {
  pq::FileMetaData md = File(pq::PhysicalType::kInt32, {New(I32(1), I32(2))});
  md.column_orders = {pq::ColumnOrder::kUnknown};
  FileMetrics m = Metrics(md);
  EXPECT_TRUE(m.lower_bounds.empty());
  md.column_orders = {pq::ColumnOrder::kTypeDefined};
  EXPECT_EQ(Metrics(md).lower_bounds.size(), 1u);
}

TEST_F(StatsRulesTest, MissingStatisticsDropBoundsAndNullCounts) {
  pq::Statistics no_stats_fields;  // statistics present but empty
  FileMetrics m = Metrics(File(pq::PhysicalType::kInt32, {New(I32(1), I32(2)), no_stats_fields}));
  EXPECT_TRUE(m.lower_bounds.empty());
  EXPECT_TRUE(m.upper_bounds.empty());
  EXPECT_TRUE(m.null_value_counts.empty());
  EXPECT_EQ(m.value_counts[1], 20);
  EXPECT_EQ(m.column_sizes[1], 200);

  // Only one side missing drops only that side.
  pq::Statistics min_only;
  min_only.min_value = I32(0);
  min_only.null_count = 0;
  FileMetrics half = Metrics(File(pq::PhysicalType::kInt32, {New(I32(1), I32(2)), min_only}));
  EXPECT_EQ(half.lower_bounds[1], I32(0));
  EXPECT_TRUE(half.upper_bounds.empty());
}

TEST_F(StatsRulesTest, AllNullRowGroupsKeepBounds) {
  pq::Statistics all_null;
  all_null.null_count = 10;
  FileMetrics m = Metrics(File(pq::PhysicalType::kInt32, {all_null, New(I32(3), I32(4), 1)}));
  EXPECT_EQ(m.lower_bounds[1], I32(3));
  EXPECT_EQ(m.null_value_counts[1], 11);
}

TEST_F(StatsRulesTest, FloatingPointRules) {
  double nan = std::nan("");
  // A NaN bound drops the column's bounds.
  FileMetrics with_nan =
      Metrics(File(pq::PhysicalType::kDouble, {New(F64(1), F64(2)), New(F64(0.5), F64(nan))}));
  EXPECT_TRUE(with_nan.lower_bounds.empty());
  EXPECT_TRUE(with_nan.upper_bounds.empty());
  // +0.0 as a lower bound becomes -0.0, -0.0 as an upper bound becomes +0.0.
  FileMetrics zeros = Metrics(File(pq::PhysicalType::kDouble, {New(F64(0.0), F64(-0.0))}));
  EXPECT_EQ(zeros.lower_bounds[1], F64(-0.0));
  EXPECT_EQ(zeros.upper_bounds[1], F64(0.0));
  // nan_count: an all-NaN row group keeps the bounds, and NaN counts are reported.
  pq::Statistics all_nan;
  all_nan.null_count = 2;
  all_nan.nan_count = 8;
  pq::Statistics some = New(F64(-1), F64(1), 0);
  some.nan_count = 3;
  FileMetrics counted = Metrics(File(pq::PhysicalType::kDouble, {some, all_nan}));
  EXPECT_EQ(counted.lower_bounds[1], F64(-1));
  EXPECT_EQ(counted.upper_bounds[1], F64(1));
  EXPECT_EQ(counted.nan_value_counts[1], 11);
  EXPECT_EQ(counted.null_value_counts[1], 2);
}

TEST_F(StatsRulesTest, TimeUnitConversions) {
  std::string max_ms;
  AppendLittleEndian(max_ms, std::numeric_limits<int64_t>::max() / 10);  // overflows as micros
  std::string one_ms;
  AppendLittleEndian(one_ms, int64_t{1});
  pq::FileMetaData md =
      File(pq::PhysicalType::kInt64, {New(one_ms, max_ms)}, pq::ConvertedType::kTimestampMillis);
  FileMetrics m = Metrics(md);
  EXPECT_EQ(HexEncode(m.lower_bounds[1]), Le64(1000));
  EXPECT_TRUE(m.upper_bounds.empty());
}

TEST_F(StatsRulesTest, SchemaMismatchIsCorrupt) {
  pq::FileMetaData md = File(pq::PhysicalType::kInt32, {New(I32(1), I32(2))});
  ASSERT_OK_AND_ASSIGN(SchemaPtr schema, SchemaFromParquet(md));
  pq::FileMetaData wrong_path = md;
  wrong_path.row_groups[0].columns[0].meta_data->path_in_schema = {"other"};
  EXPECT_ERROR(MetricsFromParquet(wrong_path, *schema), ErrorCode::kCorrupt,
               "row group 0 column 0 has path 'other' but the schema says 'c'");
  pq::FileMetaData extra_column = md;
  extra_column.row_groups[0].columns.push_back(extra_column.row_groups[0].columns[0]);
  EXPECT_ERROR(MetricsFromParquet(extra_column, *schema), ErrorCode::kCorrupt,
               "row group 0 has 2 column chunks but the schema has 1 columns");
  pq::FileMetaData no_meta = md;
  no_meta.row_groups[0].columns[0].meta_data.reset();
  ASSERT_OK_AND_ASSIGN(FileMetrics m, MetricsFromParquet(no_meta, *schema));
  EXPECT_TRUE(m.column_sizes.empty());
}

// Random corruptions of real footers never crash schema conversion or metrics.
TEST(MetricsFromParquetTest, SurvivesCorruptFooters) {
  for (const char* name : {"pyarrow_ids.parquet", "duckdb_ids.parquet"}) {
    io::LocalFileIO io;
    ASSERT_OK_AND_ASSIGN(auto file, io.NewInputFile(TestDataPath(std::string("parquet/") + name)));
    ASSERT_OK_AND_ASSIGN(std::string bytes, file->ReadAll());
    uint32_t length = LoadLittleEndian<uint32_t>(std::string_view(bytes).substr(bytes.size() - 8));
    std::string footer = bytes.substr(bytes.size() - 8 - length, length);
    std::mt19937 rng(7);
    int decoded = 0;
    for (int i = 0; i < 1500; ++i) {
      std::string mutated = footer;
      for (int k = 0; k < 1 + static_cast<int>(rng() % 3); ++k) {
        mutated[rng() % mutated.size()] = static_cast<char>(rng());
      }
      auto md = pq::DecodeFileMetaData(mutated);
      if (!md.ok()) continue;
      ++decoded;
      ParquetSchemaInfo info;
      auto schema = SchemaFromParquet(*md, &info);
      if (!schema.ok()) continue;
      (void)MetricsFromParquet(*md, **schema);
      std::map<std::string, int32_t> by_name;
      for (const auto& c : info.columns) by_name[c.dotted_path] = c.field_id;
      (void)MetricsFromParquet(*md, **schema, &by_name);
    }
    EXPECT_GT(decoded, 100) << name;
  }
}

// ---- Truncation and comparison helpers
// -----------------------------------------------------------

TEST(BoundTruncationTest, Utf8) {
  EXPECT_EQ(TruncateUtf8LowerBound("abcdef", 3), "abc");
  EXPECT_EQ(TruncateUtf8LowerBound("ab", 3), "ab");
  EXPECT_EQ(TruncateUtf8LowerBound("\u00e9\u00e9\u00e9\u00e9", 2), "\u00e9\u00e9");
  EXPECT_EQ(TruncateUtf8UpperBound("abcdef", 3), "abd");
  EXPECT_EQ(TruncateUtf8UpperBound("abc", 3), "abc");
  EXPECT_EQ(TruncateUtf8UpperBound("a\u00ffz", 2), "a\u0100");
  // The code point before the surrogates rounds up past them.
  EXPECT_EQ(TruncateUtf8UpperBound("a\uD7FFz", 2), "a\uE000");
  // U+10FFFF cannot be incremented: the previous code point is.
  EXPECT_EQ(TruncateUtf8UpperBound("a\U0010FFFFz", 2), "b");
  EXPECT_EQ(TruncateUtf8UpperBound("\U0010FFFF\U0010FFFFz", 2), std::nullopt);
  EXPECT_EQ(TruncateUtf8UpperBound("abc", 0), "abc");
  // Invalid UTF-8 is treated as bytes.
  EXPECT_EQ(TruncateUtf8LowerBound("\xff\xfe\x41", 2), "\xff\xfe");
  EXPECT_EQ(TruncateUtf8UpperBound("\x41\xff\xfe", 2), "\x42");
}

TEST(BoundTruncationTest, Binary) {
  EXPECT_EQ(TruncateBinaryLowerBound("abcdef", 2), "ab");
  EXPECT_EQ(TruncateBinaryUpperBound("abcdef", 2), "ac");
  EXPECT_EQ(TruncateBinaryUpperBound(std::string("a\xff\xff\x01", 4), 3), "b");
  EXPECT_EQ(TruncateBinaryUpperBound(std::string("\xff\xff\x01", 3), 2), std::nullopt);
  EXPECT_EQ(TruncateBinaryUpperBound("ab", 2), "ab");
}

TEST(CompareBoundsTest, Numbers) {
  auto i32 = [](int32_t v) {
    std::string s;
    AppendLittleEndian(s, v);
    return s;
  };
  auto i64 = [](int64_t v) {
    std::string s;
    AppendLittleEndian(s, v);
    return s;
  };
  auto f64 = [](double v) {
    std::string s;
    AppendLittleEndian(s, v);
    return s;
  };
  auto f32 = [](float v) {
    std::string s;
    AppendLittleEndian(s, v);
    return s;
  };
  EXPECT_EQ(*CompareBounds(*Type::Int(), i32(-1), i32(1)), -1);
  EXPECT_EQ(*CompareBounds(*Type::Date(), i32(5), i32(5)), 0);
  EXPECT_EQ(*CompareBounds(*Type::Long(), i64(1), i64(-1)), 1);
  EXPECT_EQ(*CompareBounds(*Type::Long(), i32(7), i64(6)), 1);  // a bound written as int
  EXPECT_EQ(*CompareBounds(*Type::Timestamp(), i32(1), i64(86400000000)), 0);  // date
  EXPECT_EQ(*CompareBounds(*Type::Double(), f64(-0.0), f64(0.0)), -1);
  EXPECT_EQ(*CompareBounds(*Type::Double(), f64(-2), f64(-1)), -1);
  EXPECT_EQ(*CompareBounds(*Type::Double(), f32(1.5f), f64(1.25)), 1);
  EXPECT_EQ(*CompareBounds(*Type::Float(), f32(-INFINITY), f32(-1e30f)), -1);
  EXPECT_EQ(*CompareBounds(*Type::Boolean(), std::string(1, '\0'), std::string(1, '\1')), -1);
  EXPECT_ERROR(CompareBounds(*Type::Int(), i64(1), i32(1)), ErrorCode::kInvalidArgument,
               "not valid for type int");
  EXPECT_ERROR(CompareBounds(*Type::Time(), i32(1), i32(1)), ErrorCode::kInvalidArgument,
               "not valid");
}

TEST(CompareBoundsTest, DecimalsBytesAndNested) {
  ASSERT_OK_AND_ASSIGN(TypePtr dec, Type::Decimal(38, 2));
  auto cmp = [&](std::string a, std::string b) { return *CompareBounds(*dec, a, b); };
  EXPECT_EQ(cmp("\x01", std::string("\x00\xff", 2)), -1);  // 1 < 255
  EXPECT_EQ(cmp("\xff", "\x80"), 1);                       // -1 > -128
  EXPECT_EQ(cmp("\xff", "\x01"), -1);
  EXPECT_EQ(cmp("\xff\x7f", "\x80"), -1);  // -129 < -128
  EXPECT_EQ(cmp(std::string("\x00", 1), std::string("\x00\x00", 2)), 0);
  EXPECT_ERROR(CompareBounds(*dec, "", "\x01"), ErrorCode::kInvalidArgument, "not valid");

  EXPECT_EQ(*CompareBounds(*Type::String(), "abc", "abd"), -1);
  EXPECT_EQ(*CompareBounds(*Type::String(), "ab", "abc"), -1);
  EXPECT_EQ(*CompareBounds(*Type::String(), "\xc3\xa9", "z"), 1);  // bytes are unsigned
  EXPECT_EQ(*CompareBounds(*Type::Binary(), "", ""), 0);
  EXPECT_ERROR(CompareBounds(*Type::Uuid(), "a", "b"), ErrorCode::kInvalidArgument, "not valid");
  TypePtr list = Type::List(1, true, Type::Int());
  EXPECT_ERROR(CompareBounds(*list, "a", "b"), ErrorCode::kInvalidArgument, "has no bounds");
}

}  // namespace
}  // namespace faceberg::iceberg
