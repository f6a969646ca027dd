#include "iceberg/schema.h"

#include "test_util.h"

namespace faceberg::iceberg {
namespace {

constexpr const char* kNestedSchema = R"J({
  "type": "struct", "schema-id": 3, "identifier-field-ids": [1],
  "fields": [
    {"id": 1, "name": "id", "required": true, "type": "long"},
    {"id": 2, "name": "data", "required": false, "type": "string", "doc": "payload"},
    {"id": 3, "name": "point", "required": false, "type": {"type": "struct", "fields": [
      {"id": 4, "name": "x", "required": true, "type": "double"},
      {"id": 5, "name": "y", "required": true, "type": "double"}]}},
    {"id": 6, "name": "tags", "required": false,
     "type": {"type": "list", "element-id": 7, "element-required": true, "element": "string"}},
    {"id": 8, "name": "attrs", "required": false,
     "type": {"type": "map", "key-id": 9, "key": "string", "value-id": 10,
              "value-required": false, "value": "decimal(9, 2)"}}
  ]})J";

TEST(SchemaTest, JsonRoundTrip) {
  ASSERT_OK_AND_ASSIGN(Json json, ParseJson(kNestedSchema, "test"));
  ASSERT_OK_AND_ASSIGN(SchemaPtr schema, SchemaFromJson(json));
  EXPECT_EQ(schema->schema_id(), 3);
  EXPECT_EQ(schema->fields().size(), 5u);
  EXPECT_EQ(schema->HighestFieldId(), 10);
  EXPECT_EQ(schema->identifier_field_ids(), std::vector<int32_t>{1});
  EXPECT_EQ(schema->FindFieldById(5)->name, "y");
  EXPECT_EQ(schema->FindFieldByName("point.x")->id, 4);
  EXPECT_EQ(schema->FindColumnName(7), "tags.element");
  EXPECT_EQ(schema->FindFieldById(2)->doc, "payload");
  EXPECT_EQ(schema->FindFieldById(10)->type->ToString(), "decimal(9,2)");

  ASSERT_OK_AND_ASSIGN(SchemaPtr again, SchemaFromJson(SchemaToJson(*schema)));
  EXPECT_TRUE(again->as_struct()->Equals(*schema->as_struct()));
  EXPECT_EQ(SchemaToJson(*again), SchemaToJson(*schema));
}

TEST(SchemaTest, BrokenJsonGivesClearErrors) {
  auto parse = [](const char* text) { return SchemaFromJson(*ParseJson(text, "test")); };
  EXPECT_ERROR(parse(R"J({"type":"struct"})J"), ErrorCode::kCorrupt,
               "missing required field 'fields'");
  EXPECT_ERROR(parse(R"J({"type":"struct","fields":[{"id":1,"name":"a","type":"int"}]})J"),
               ErrorCode::kCorrupt, "'required'");
  EXPECT_ERROR(
      parse(R"J({"type":"struct","fields":[{"id":"1","name":"a","required":true,"type":"int"}]})J"),
      ErrorCode::kCorrupt, "'id' must be an integer");
  EXPECT_ERROR(
      parse(R"J({"type":"struct","fields":[{"id":1,"name":"a","required":true,"type":"int64"}]})J"),
      ErrorCode::kCorrupt, "unknown type 'int64'");
  EXPECT_ERROR(
      parse(R"J({"type":"struct","fields":[{"id":1,"name":"a","required":true,"type":"int"},
                                                   {"id":1,"name":"b","required":true,"type":"int"}]})J"),
      ErrorCode::kCorrupt, "used twice");
  EXPECT_ERROR(parse(R"J({"type":"struct","identifier-field-ids":[1],
                          "fields":[{"id":1,"name":"a","required":false,"type":"int"}]})J"),
               ErrorCode::kCorrupt, "identifier field");
}

TEST(SchemaTest, ParsesCliSchemaString) {
  ASSERT_OK_AND_ASSIGN(
      SchemaPtr s, ParseSchemaString(
                       "id long not null, name string, ts timestamptz, price decimal(9,2), "
                       "tags list<string>, attrs map<string, int>, p struct<x: double, y double>"));
  ASSERT_EQ(s->fields().size(), 7u);
  EXPECT_TRUE(s->fields()[0].required);
  EXPECT_EQ(s->fields()[0].id, 1);
  EXPECT_EQ(s->fields()[6].id, 7);
  EXPECT_EQ(s->fields()[3].type->ToString(), "decimal(9,2)");
  EXPECT_EQ(s->FindFieldByName("p.y")->type->id(), TypeId::kDouble);
  EXPECT_EQ(s->fields()[4].type->element().type->id(), TypeId::kString);
  EXPECT_OK(s->Validate());
}

TEST(SchemaTest, RejectsBadSchemaStrings) {
  EXPECT_ERROR(ParseSchemaString(""), ErrorCode::kInvalidArgument, "empty");
  EXPECT_ERROR(ParseSchemaString("id"), ErrorCode::kInvalidArgument, "has no type");
  EXPECT_ERROR(ParseSchemaString("id lung"), ErrorCode::kInvalidArgument,
               "column 'id': unknown type 'lung'");
  EXPECT_ERROR(ParseSchemaString("a int, a long"), ErrorCode::kInvalidArgument, "appears twice");
}

}  // namespace
}  // namespace faceberg::iceberg
