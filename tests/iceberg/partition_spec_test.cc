#include "iceberg/partition_spec.h"

#include <map>

#include "iceberg/single_value.h"
#include "test_util.h"

namespace faceberg::iceberg {
namespace {

// 1: id long, 2: ts timestamp, 3: name string, 4: split string, 5: price decimal(9,2),
// 6: d date, 7: score double, 8: point struct<x: double>
SchemaPtr TestSchema() {
  auto schema = ParseSchemaString(
      "id long not null, ts timestamp, name string, split string, price decimal(9,2), d date, "
      "score double, point struct<x: double>");
  EXPECT_TRUE(schema.ok()) << schema.status().ToString();
  return *schema;
}

Json ParseJsonOrDie(std::string_view text) {
  auto j = ParseJson(text, "test");
  EXPECT_TRUE(j.ok()) << j.status().ToString();
  return j.ok() ? *j : Json();
}

TEST(PartitionSpecTest, JsonRoundTripV2Object) {
  Json json = ParseJsonOrDie(R"({"spec-id": 3, "fields": [
      {"source-id": 2, "field-id": 1000, "name": "ts_day", "transform": "day"},
      {"source-id": 1, "field-id": 1001, "name": "id_bucket", "transform": "bucket[16]"},
      {"source-id": 3, "field-id": 1002, "name": "name_trunc", "transform": "truncate[4]"},
      {"source-id": 4, "field-id": 1003, "name": "split", "transform": "identity"},
      {"source-id": 6, "field-id": 1004, "name": "d_null", "transform": "void"}]})");
  ASSERT_OK_AND_ASSIGN(PartitionSpec spec, PartitionSpecFromJson(json));
  EXPECT_EQ(spec.spec_id, 3);
  ASSERT_EQ(spec.fields.size(), 5u);
  EXPECT_EQ(spec.fields[1].source_id, 1);
  EXPECT_EQ(spec.fields[1].field_id, 1001);
  EXPECT_EQ(spec.fields[1].name, "id_bucket");
  EXPECT_EQ(spec.fields[1].transform, *Transform::Bucket(16));
  EXPECT_EQ(spec.LastFieldId(), 1004);
  EXPECT_FALSE(spec.IsUnpartitioned());
  EXPECT_EQ(PartitionSpecToJson(spec), json);
  ASSERT_OK_AND_ASSIGN(PartitionSpec again, PartitionSpecFromJson(PartitionSpecToJson(spec)));
  EXPECT_EQ(again, spec);
  EXPECT_OK(ValidatePartitionSpec(spec, *TestSchema()));
  EXPECT_EQ(spec.ToString(),
            "[ts_day: day(2), id_bucket: bucket[16](1), name_trunc: truncate[4](3), split: "
            "identity(4), d_null: void(6)]");
}

TEST(PartitionSpecTest, JsonV1FieldsArray) {
  // v1 "partition-spec": a bare array; field ids may be missing and are numbered from 1000.
  Json json = ParseJsonOrDie(R"([
      {"source-id": 2, "name": "ts_month", "transform": "month"},
      {"source-id": 4, "name": "split", "transform": "identity"}])");
  ASSERT_OK_AND_ASSIGN(PartitionSpec spec, PartitionSpecFromJson(json, 0));
  EXPECT_EQ(spec.spec_id, 0);
  ASSERT_EQ(spec.fields.size(), 2u);
  EXPECT_EQ(spec.fields[0].field_id, 1000);
  EXPECT_EQ(spec.fields[1].field_id, 1001);
  Json fields = PartitionFieldsToJson(spec);
  ASSERT_TRUE(fields.is_array());
  EXPECT_EQ(fields[1]["field-id"], 1001);
  ASSERT_OK_AND_ASSIGN(PartitionSpec again, PartitionSpecFromJson(fields));
  EXPECT_EQ(again, spec);

  ASSERT_OK_AND_ASSIGN(PartitionSpec empty, PartitionSpecFromJson(Json::array(), 0));
  EXPECT_TRUE(empty.IsUnpartitioned());
  EXPECT_EQ(empty.LastFieldId(), 999);
  EXPECT_EQ(PartitionSpecToJson(empty), ParseJsonOrDie(R"({"spec-id": 0, "fields": []})"));
}

TEST(PartitionSpecTest, JsonKeepsUnknownTransformsAndReadsSourceIds) {
  Json json = ParseJsonOrDie(R"({"spec-id": 1, "fields": [
      {"source-ids": [3], "field-id": 1000, "name": "n_z", "transform": "zorder"}]})");
  ASSERT_OK_AND_ASSIGN(PartitionSpec spec, PartitionSpecFromJson(json));
  EXPECT_TRUE(spec.fields[0].transform.is_unknown());
  EXPECT_EQ(spec.fields[0].source_id, 3);
  EXPECT_EQ(PartitionSpecToJson(spec)["fields"][0]["transform"], "zorder");
  EXPECT_OK(ValidatePartitionSpec(spec, *TestSchema()));  // readers ignore unknown transforms
  ASSERT_OK_AND_ASSIGN(TypePtr type, PartitionType(spec, *TestSchema()));
  EXPECT_EQ(type->fields()[0].type->id(), TypeId::kString);
  EXPECT_ERROR(ComputePartition(spec, *TestSchema(), [](int32_t) { return Value(); }),
               ErrorCode::kNotSupported, "not supported for writing");

  Json multi = ParseJsonOrDie(R"({"spec-id": 1, "fields": [
      {"source-ids": [1, 2], "field-id": 1000, "name": "x", "transform": "bucket[4]"}]})");
  EXPECT_ERROR(PartitionSpecFromJson(multi), ErrorCode::kNotSupported, "multi-argument");
}

TEST(PartitionSpecTest, BrokenJson) {
  EXPECT_ERROR(
      PartitionSpecFromJson(ParseJsonOrDie(
          R"({"spec-id": 0, "fields": [{"field-id": 1000, "name": "a", "transform": "day"}]})")),
      ErrorCode::kCorrupt, "partition spec 0 field 0 is missing required field 'source-id'");
  EXPECT_ERROR(PartitionSpecFromJson(ParseJsonOrDie(R"({"spec-id": 0, "fields": [
          {"source-id": 2, "field-id": 1000, "name": "a", "transform": "bucket[x]"}]})")),
               ErrorCode::kCorrupt, "transform 'bucket[x]' is malformed");
  EXPECT_ERROR(PartitionSpecFromJson(ParseJsonOrDie(R"({"spec-id": 0, "fields": [
          {"source-id": 2, "field-id": 1000, "name": "a", "transform": 5}]})")),
               ErrorCode::kCorrupt, "'transform' must be a string");
  EXPECT_ERROR(PartitionSpecFromJson(ParseJsonOrDie(R"({"spec-id": 0, "fields": [
          {"source-id": 2, "field-id": 1000, "transform": "day"}]})")),
               ErrorCode::kCorrupt, "missing required field 'name'");
  EXPECT_ERROR(PartitionSpecFromJson(ParseJsonOrDie(R"({"spec-id": 0})")), ErrorCode::kCorrupt,
               "missing required field 'fields'");
  EXPECT_ERROR(PartitionSpecFromJson(ParseJsonOrDie(R"("day")")), ErrorCode::kCorrupt,
               "fields array");
}

TEST(PartitionSpecTest, Validation) {
  SchemaPtr schema = TestSchema();
  auto spec_of = [](std::vector<PartitionField> fields) { return PartitionSpec{0, fields}; };
  EXPECT_ERROR(ValidatePartitionSpec(spec_of({{99, 1000, "x", Transform::Identity()}}), *schema),
               ErrorCode::kInvalidArgument,
               "partition field 'x' uses source column id 99, which is not in the schema");
  EXPECT_ERROR(ValidatePartitionSpec(spec_of({{3, 1000, "name_day", Transform::Day()}}), *schema),
               ErrorCode::kInvalidArgument,
               "transform day cannot be applied to column 'name' of type string");
  EXPECT_ERROR(ValidatePartitionSpec(spec_of({{8, 1000, "p", Transform::Identity()}}), *schema),
               ErrorCode::kInvalidArgument, "only primitive columns");
  EXPECT_ERROR(ValidatePartitionSpec(spec_of({{1, 1000, "a", Transform::Identity()},
                                              {3, 1001, "a", Transform::Identity()}}),
                                     *schema),
               ErrorCode::kInvalidArgument, "name 'a' is used twice");
  EXPECT_ERROR(ValidatePartitionSpec(spec_of({{1, 1000, "a", Transform::Identity()},
                                              {3, 1000, "b", Transform::Identity()}}),
                                     *schema),
               ErrorCode::kInvalidArgument, "field id 1000 is used twice");
  EXPECT_ERROR(ValidatePartitionSpec(spec_of({{1, 1000, "name", Transform::Identity()}}), *schema),
               ErrorCode::kInvalidArgument, "'name' clashes with a schema column");
  EXPECT_ERROR(
      ValidatePartitionSpec(spec_of({{3, 1000, "name", *Transform::Truncate(2)}}), *schema),
      ErrorCode::kInvalidArgument, "clashes");
  EXPECT_ERROR(
      ValidatePartitionSpec(
          spec_of({{2, 1000, "a", Transform::Day()}, {2, 1001, "b", Transform::Hour()}}), *schema),
      ErrorCode::kInvalidArgument, "'a' and 'b' are redundant");
  EXPECT_OK(ValidatePartitionSpec(spec_of({{3, 1000, "name", Transform::Identity()}}), *schema));
  EXPECT_OK(ValidatePartitionSpec(
      spec_of({{1, 1000, "a", *Transform::Bucket(4)}, {1, 1001, "b", *Transform::Bucket(8)}}),
      *schema));
}

TEST(PartitionSpecTest, PartitionType) {
  ASSERT_OK_AND_ASSIGN(PartitionSpec spec,
                       ParsePartitionSpecString("day(ts), bucket(16, id), truncate(4, name), "
                                                "split, price, void(d)",
                                                *TestSchema()));
  ASSERT_OK_AND_ASSIGN(TypePtr type, PartitionType(spec, *TestSchema()));
  ASSERT_EQ(type->id(), TypeId::kStruct);
  ASSERT_EQ(type->fields().size(), 6u);
  EXPECT_EQ(type->ToString(),
            "struct<ts_day: date, id_bucket: int, name_trunc: string, split: string, price: "
            "decimal(9,2), d_null: date>");
  for (size_t i = 0; i < type->fields().size(); ++i) {
    EXPECT_EQ(type->fields()[i].id, 1000 + static_cast<int32_t>(i));
    EXPECT_FALSE(type->fields()[i].required);
  }
}

TEST(PartitionSpecTest, DefaultNames) {
  EXPECT_EQ(DefaultPartitionFieldName("col", Transform::Identity()), "col");
  EXPECT_EQ(DefaultPartitionFieldName("col", *Transform::Bucket(3)), "col_bucket");
  EXPECT_EQ(DefaultPartitionFieldName("col", *Transform::Truncate(3)), "col_trunc");
  EXPECT_EQ(DefaultPartitionFieldName("col", Transform::Year()), "col_year");
  EXPECT_EQ(DefaultPartitionFieldName("col", Transform::Month()), "col_month");
  EXPECT_EQ(DefaultPartitionFieldName("col", Transform::Day()), "col_day");
  EXPECT_EQ(DefaultPartitionFieldName("col", Transform::Hour()), "col_hour");
  EXPECT_EQ(DefaultPartitionFieldName("col", Transform::Void()), "col_null");
}

TEST(PartitionSpecTest, CliParser) {
  SchemaPtr schema = TestSchema();
  ASSERT_OK_AND_ASSIGN(
      PartitionSpec spec,
      ParsePartitionSpecString("day(ts), bucket(16, id), truncate(4, name), split", *schema));
  ASSERT_EQ(spec.fields.size(), 4u);
  EXPECT_EQ(spec.spec_id, 0);
  EXPECT_EQ(spec.fields[0], (PartitionField{2, 1000, "ts_day", Transform::Day()}));
  EXPECT_EQ(spec.fields[1], (PartitionField{1, 1001, "id_bucket", *Transform::Bucket(16)}));
  EXPECT_EQ(spec.fields[2], (PartitionField{3, 1002, "name_trunc", *Transform::Truncate(4)}));
  EXPECT_EQ(spec.fields[3], (PartitionField{4, 1003, "split", Transform::Identity()}));

  ASSERT_OK_AND_ASSIGN(PartitionSpec identity,
                       ParsePartitionSpecString(" identity( `split` ) ", *schema, 1004, 2));
  EXPECT_EQ(identity.spec_id, 2);
  EXPECT_EQ(identity.fields[0], (PartitionField{4, 1005, "split", Transform::Identity()}));
  ASSERT_OK_AND_ASSIGN(PartitionSpec plural, ParsePartitionSpecString("HOURS(ts)", *schema));
  EXPECT_EQ(plural.fields[0].transform, Transform::Hour());
  EXPECT_EQ(plural.fields[0].name, "ts_hour");
  ASSERT_OK_AND_ASSIGN(PartitionSpec nested, ParsePartitionSpecString("point.x", *schema));
  EXPECT_EQ(nested.fields[0].source_id, 9);
  ASSERT_OK_AND_ASSIGN(PartitionSpec none, ParsePartitionSpecString("  ", *schema));
  EXPECT_TRUE(none.fields.empty());

  EXPECT_ERROR(ParsePartitionSpecString("bucket(x, id)", *schema), ErrorCode::kInvalidArgument,
               "'x' in partition term 'bucket(x, id)' is not a positive integer");
  EXPECT_ERROR(ParsePartitionSpecString("bucket(0, id)", *schema), ErrorCode::kInvalidArgument,
               "positive integer");
  EXPECT_ERROR(ParsePartitionSpecString("bucket(id)", *schema), ErrorCode::kInvalidArgument,
               "needs two arguments");
  EXPECT_ERROR(ParsePartitionSpecString("day(nope)", *schema), ErrorCode::kInvalidArgument,
               "unknown column 'nope' in partition term 'day(nope)'; the columns are: id, ts");
  EXPECT_ERROR(ParsePartitionSpecString("nope", *schema), ErrorCode::kInvalidArgument,
               "unknown column 'nope'");
  EXPECT_ERROR(ParsePartitionSpecString("weekly(ts)", *schema), ErrorCode::kInvalidArgument,
               "unknown partition transform 'weekly'");
  EXPECT_ERROR(ParsePartitionSpecString("day(ts), , split", *schema), ErrorCode::kInvalidArgument,
               "empty term");
  EXPECT_ERROR(ParsePartitionSpecString("day(ts", *schema), ErrorCode::kInvalidArgument,
               "malformed");
  EXPECT_ERROR(ParsePartitionSpecString("day(name)", *schema), ErrorCode::kInvalidArgument,
               "cannot be applied to column 'name'");
  EXPECT_ERROR(ParsePartitionSpecString("split, identity(split)", *schema),
               ErrorCode::kInvalidArgument, "used twice");
}

TEST(PartitionSpecTest, ComputePartitionAndPath) {
  SchemaPtr schema = TestSchema();
  ASSERT_OK_AND_ASSIGN(
      PartitionSpec spec,
      ParsePartitionSpecString("day(ts), bucket(16, id), truncate(4, name), split", *schema));
  ASSERT_OK_AND_ASSIGN(Value ts, ParseValue("2026-01-31T12:34:56", *Type::Timestamp()));
  std::map<int32_t, Value> row = {
      {1, int64_t{34}}, {2, ts}, {3, std::string("iceberg")}, {4, std::string("test a/b")}};
  ASSERT_OK_AND_ASSIGN(PartitionValues values,
                       ComputePartition(spec, *schema, [&](int32_t id) { return row[id]; }));
  ASSERT_EQ(values.size(), 4u);
  EXPECT_EQ(values[0], Value(int32_t{20484}));
  EXPECT_EQ(values[1], Value(int32_t{(2017239379 & 0x7fffffff) % 16}));
  EXPECT_EQ(values[2], Value(std::string("iceb")));
  ASSERT_OK_AND_ASSIGN(std::string path, PartitionPath(spec, *schema, values));
  EXPECT_EQ(path, "ts_day=2026-01-31/id_bucket=3/name_trunc=iceb/split=test+a%2Fb");

  row.erase(4);
  ASSERT_OK_AND_ASSIGN(values, ComputePartition(spec, *schema, [&](int32_t id) {
                         auto it = row.find(id);
                         return it == row.end() ? Value() : it->second;
                       }));
  EXPECT_TRUE(IsNull(values[3]));
  ASSERT_OK_AND_ASSIGN(path, PartitionPath(spec, *schema, values));
  EXPECT_TRUE(path.ends_with("/split=null"));

  EXPECT_ERROR(ComputePartition(spec, *schema, [](int32_t) { return Value(1.5); }),
               ErrorCode::kInvalidArgument, "partition field 'ts_day'");
  EXPECT_ERROR(PartitionPath(spec, *schema, {}), ErrorCode::kInvalidArgument, "has 0 values");
  ASSERT_OK_AND_ASSIGN(std::string empty, PartitionPath(PartitionSpec{}, *schema, {}));
  EXPECT_EQ(empty, "");
}

// Builds file metrics holding bounds for column `id` from literal text.
void SetBounds(FileMetrics* m, int32_t id, const Type& type, std::string_view lower,
               std::string_view upper) {
  m->lower_bounds[id] = *ValueToBinary(*ParseValue(lower, type), type);
  m->upper_bounds[id] = *ValueToBinary(*ParseValue(upper, type), type);
  m->null_value_counts[id] = 0;
  m->value_counts[id] = m->record_count;
}

TEST(PartitionSpecTest, PartitionFromBoundsSingleDay) {
  SchemaPtr schema = TestSchema();
  ASSERT_OK_AND_ASSIGN(PartitionSpec spec,
                       ParsePartitionSpecString("day(ts), split, bucket(4, id)", *schema));
  FileMetrics m;
  m.record_count = 100;
  SetBounds(&m, 2, *Type::Timestamp(), "2026-01-31T00:00:00", "2026-01-31T23:59:59.999999");
  SetBounds(&m, 4, *Type::String(), "train", "train");
  SetBounds(&m, 1, *Type::Long(), "7", "7");
  ASSERT_OK_AND_ASSIGN(PartitionValues values, PartitionFromBounds(spec, *schema, m));
  ASSERT_EQ(values.size(), 3u);
  EXPECT_EQ(values[0], Value(int32_t{20484}));
  EXPECT_EQ(values[1], Value(std::string("train")));
  ASSERT_OK_AND_ASSIGN(std::string path, PartitionPath(spec, *schema, values));
  EXPECT_TRUE(path.starts_with("ts_day=2026-01-31/split=train/id_bucket=")) << path;

  // A column that is entirely null (no bounds) gives a null partition value.
  m.lower_bounds.erase(4);
  m.upper_bounds.erase(4);
  m.null_value_counts[4] = 100;
  ASSERT_OK_AND_ASSIGN(values, PartitionFromBounds(spec, *schema, m));
  EXPECT_TRUE(IsNull(values[1]));

  // A 4-byte (date) bound on the timestamp column still derives the day.
  FileMetrics promoted = m;
  promoted.lower_bounds[2] = *ValueToBinary(int32_t{20484}, *Type::Date());
  ASSERT_OK_AND_ASSIGN(values, PartitionFromBounds(spec, *schema, promoted));
  EXPECT_EQ(values[0], Value(int32_t{20484}));
}

TEST(PartitionSpecTest, PartitionFromBoundsMultiDay) {
  SchemaPtr schema = TestSchema();
  ASSERT_OK_AND_ASSIGN(PartitionSpec spec, ParsePartitionSpecString("day(ts)", *schema));
  FileMetrics m;
  m.record_count = 10;
  SetBounds(&m, 2, *Type::Timestamp(), "2026-01-31T23:00:00", "2026-02-01T01:00:00");
  EXPECT_ERROR(PartitionFromBounds(spec, *schema, m), ErrorCode::kInvalidArgument,
               "file spans several partitions: column 'ts' ranges from 2026-01-31T23:00:00 to "
               "2026-02-01T01:00:00, which gives ts_day=2026-01-31 and ts_day=2026-02-01");

  // Month partitioning puts the same file in one partition.
  ASSERT_OK_AND_ASSIGN(PartitionSpec by_month, ParsePartitionSpecString("month(ts)", *schema));
  SetBounds(&m, 2, *Type::Timestamp(), "2026-01-01T00:00:00", "2026-01-31T23:00:00");
  ASSERT_OK_AND_ASSIGN(PartitionValues values, PartitionFromBounds(by_month, *schema, m));
  EXPECT_EQ(by_month.fields[0].transform.ToHumanString(values[0], *Type::Timestamp()), "2026-01");

  // Identity needs equal bounds; bucket too, since it does not preserve order.
  ASSERT_OK_AND_ASSIGN(PartitionSpec by_split, ParsePartitionSpecString("split", *schema));
  SetBounds(&m, 4, *Type::String(), "test", "train");
  EXPECT_ERROR(PartitionFromBounds(by_split, *schema, m), ErrorCode::kInvalidArgument,
               "spans several partitions");
  ASSERT_OK_AND_ASSIGN(PartitionSpec by_bucket, ParsePartitionSpecString("bucket(4, id)", *schema));
  SetBounds(&m, 1, *Type::Long(), "1", "2");
  EXPECT_ERROR(PartitionFromBounds(by_bucket, *schema, m), ErrorCode::kInvalidArgument,
               "bucket[4] does not preserve order");

  // Nulls next to values span the null partition and a value partition.
  SetBounds(&m, 4, *Type::String(), "train", "train");
  m.null_value_counts[4] = 3;
  EXPECT_ERROR(PartitionFromBounds(by_split, *schema, m), ErrorCode::kInvalidArgument,
               "holds 3 null and 7 non-null values");
  // Missing bounds on a column with values cannot be resolved.
  m.lower_bounds.erase(4);
  m.null_value_counts[4] = 0;
  EXPECT_ERROR(PartitionFromBounds(by_split, *schema, m), ErrorCode::kInvalidArgument,
               "column 'split' has no lower and upper bounds");
}

}  // namespace
}  // namespace faceberg::iceberg
