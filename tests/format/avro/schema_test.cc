#include "format/avro/schema.h"

#include <string>

#include "test_util.h"

namespace faceberg::avro {
namespace {

// The shape of an Iceberg manifest entry schema, trimmed: field ids on fields, element/key/value
// ids on arrays and maps, an array of k/v records with logicalType "map", a nullable union.
constexpr std::string_view kIcebergSchema = R"({
  "type": "record", "name": "manifest_entry",
  "fields": [
    {"name": "status", "type": "int", "field-id": 0},
    {"name": "snapshot_id", "type": ["null", "long"], "default": null, "field-id": 1},
    {"name": "data_file", "field-id": 2, "type": {
      "type": "record", "name": "r2",
      "fields": [
        {"name": "file_path", "type": "string", "doc": "Location URI", "field-id": 100},
        {"name": "column_sizes", "field-id": 108, "default": null, "type": ["null", {
          "type": "array", "logicalType": "map",
          "items": {"type": "record", "name": "k117_v118", "fields": [
            {"name": "key", "type": "int", "field-id": 117},
            {"name": "value", "type": "long", "field-id": 118}]}}]},
        {"name": "split_offsets", "field-id": 132, "default": null,
         "type": ["null", {"type": "array", "items": "long", "element-id": 133}]},
        {"name": "props", "field-id": 140,
         "type": {"type": "map", "values": "string", "key-id": 141, "value-id": 142}},
        {"name": "ts", "field-id": 150,
         "type": {"type": "long", "logicalType": "timestamp-micros", "adjust-to-utc": true}},
        {"name": "digest", "field-id": "151",
         "type": {"type": "fixed", "name": "d16", "size": 16}}
      ]}}
  ]})";

TEST(AvroSchemaTest, ParsesPrimitives) {
  for (std::string_view name :
       {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}) {
    ASSERT_OK_AND_ASSIGN(SchemaPtr schema, Schema::Parse(fmt::format("\"{}\"", name)));
    EXPECT_EQ(TypeName(schema->root().type()), name);
    EXPECT_EQ(schema->ToJsonString(), fmt::format("\"{}\"", name));
    ASSERT_OK_AND_ASSIGN(SchemaPtr wrapped,
                         Schema::Parse(fmt::format("{{\"type\":\"{}\"}}", name)));
    EXPECT_EQ(TypeName(wrapped->root().type()), name);
  }
}

TEST(AvroSchemaTest, IcebergAttributesAndFieldIds) {
  ASSERT_OK_AND_ASSIGN(SchemaPtr schema, Schema::Parse(kIcebergSchema));
  const Node& root = schema->root();
  ASSERT_EQ(root.type(), Type::kRecord);
  EXPECT_EQ(root.full_name(), "manifest_entry");
  EXPECT_EQ(root.fields().size(), 3u);
  EXPECT_EQ(root.FieldIndexById(2), 2u);
  EXPECT_EQ(root.FieldIndexById(999), std::nullopt);
  EXPECT_EQ(root.FieldIndex("snapshot_id"), 1u);

  const Field* snapshot = root.FindFieldById(1);
  ASSERT_NE(snapshot, nullptr);
  EXPECT_EQ(snapshot->name(), "snapshot_id");
  EXPECT_EQ(snapshot->type().type(), Type::kUnion);
  EXPECT_EQ(snapshot->type().NonNullBranch(), 1u);
  ASSERT_NE(snapshot->default_value(), nullptr);
  EXPECT_TRUE(snapshot->default_value()->is_null());

  const Node& data_file = root.FindFieldById(2)->type();
  EXPECT_EQ(data_file.name(), "r2");
  EXPECT_EQ(data_file.FindFieldById(100)->attributes().at("doc"), "Location URI");

  const Node& sizes = data_file.FindFieldById(108)->type();
  const Node& sizes_array = *sizes.branches()[*sizes.NonNullBranch()];
  EXPECT_EQ(sizes_array.type(), Type::kArray);
  EXPECT_EQ(sizes_array.logical_type(), "map");
  EXPECT_EQ(sizes_array.items().full_name(), "k117_v118");
  EXPECT_EQ(sizes_array.items().FindFieldById(118)->name(), "value");

  const Node& offsets = data_file.FindFieldById(132)->type();
  EXPECT_EQ(offsets.branches()[1]->IntAttribute("element-id"), 133);

  const Node& props = data_file.FindFieldById(140)->type();
  EXPECT_EQ(props.type(), Type::kMap);
  EXPECT_EQ(props.IntAttribute("key-id"), 141);
  EXPECT_EQ(props.IntAttribute("value-id"), 142);
  EXPECT_EQ(props.IntAttribute("missing"), std::nullopt);

  const Node& ts = data_file.FindFieldById(150)->type();
  EXPECT_EQ(ts.type(), Type::kLong);
  EXPECT_EQ(ts.logical_type(), "timestamp-micros");
  EXPECT_EQ(ts.attributes().at("adjust-to-utc"), true);

  // A field id written as a string is accepted.
  const Field* digest = data_file.FindFieldById(151);
  ASSERT_NE(digest, nullptr);
  EXPECT_EQ(digest->type().fixed_size(), 16);
  EXPECT_EQ(schema->FindNamed("d16"), &digest->type());
}

TEST(AvroSchemaTest, SerializeRoundTripKeepsAttributes) {
  ASSERT_OK_AND_ASSIGN(SchemaPtr schema, Schema::Parse(kIcebergSchema));
  std::string json = schema->ToJsonString();
  ASSERT_OK_AND_ASSIGN(SchemaPtr again, Schema::Parse(json));
  EXPECT_EQ(again->ToJsonString(), json);  // deterministic and stable

  const Node& data_file = again->root().FindFieldById(2)->type();
  const Node& sizes = *data_file.FindFieldById(108)->type().branches()[1];
  EXPECT_EQ(sizes.logical_type(), "map");
  EXPECT_EQ(sizes.items().FindFieldById(117)->name(), "key");
  EXPECT_EQ(data_file.FindFieldById(132)->type().branches()[1]->IntAttribute("element-id"), 133);
  EXPECT_EQ(data_file.FindFieldById(140)->type().IntAttribute("value-id"), 142);
  EXPECT_EQ(data_file.FindFieldById(150)->type().logical_type(), "timestamp-micros");
  EXPECT_EQ(data_file.FindFieldById(100)->attributes().at("doc"), "Location URI");
  EXPECT_NE(again->root().FindFieldById(1)->default_value(), nullptr);

  // Key order is fixed: type and name first, then structure, then attributes.
  EXPECT_EQ(json.rfind(R"({"type":"record","name":"manifest_entry","fields":[)", 0), 0u) << json;
  EXPECT_NE(json.find(R"({"name":"status","type":"int","field-id":0})"), std::string::npos) << json;
}

TEST(AvroSchemaTest, NamedReferencesAndNamespaces) {
  ASSERT_OK_AND_ASSIGN(SchemaPtr schema, Schema::Parse(R"({
    "type": "record", "name": "Outer", "namespace": "com.example",
    "fields": [
      {"name": "a", "type": {"type": "fixed", "name": "Hash", "size": 4}},
      {"name": "b", "type": "Hash"},
      {"name": "c", "type": "com.example.Hash"},
      {"name": "d", "type": {"type": "enum", "name": "other.Kind", "symbols": ["X", "Y"]}},
      {"name": "e", "type": "other.Kind"},
      {"name": "f", "type": {"type": "record", "name": "Inner", "namespace": "",
                              "fields": [{"name": "x", "type": "int"}]}},
      {"name": "g", "type": "Inner"}
    ]})"));
  const Node& root = schema->root();
  EXPECT_EQ(root.full_name(), "com.example.Outer");
  EXPECT_EQ(&root.fields()[0].type(), &root.fields()[1].type());
  EXPECT_EQ(&root.fields()[0].type(), &root.fields()[2].type());
  EXPECT_EQ(root.fields()[0].type().full_name(), "com.example.Hash");
  EXPECT_EQ(root.fields()[3].type().full_name(), "other.Kind");
  EXPECT_EQ(root.fields()[3].type().name(), "Kind");
  EXPECT_EQ(&root.fields()[3].type(), &root.fields()[4].type());
  EXPECT_EQ(root.fields()[5].type().full_name(), "Inner");
  EXPECT_EQ(&root.fields()[5].type(), &root.fields()[6].type());

  ASSERT_OK_AND_ASSIGN(SchemaPtr again, Schema::Parse(schema->ToJsonString()));
  EXPECT_EQ(again->ToJsonString(), schema->ToJsonString());
  EXPECT_NE(again->FindNamed("com.example.Hash"), nullptr);
  EXPECT_NE(again->FindNamed("other.Kind"), nullptr);
  EXPECT_NE(again->FindNamed("Inner"), nullptr);
}

TEST(AvroSchemaTest, RecursiveSchema) {
  ASSERT_OK_AND_ASSIGN(SchemaPtr schema, Schema::Parse(R"({
    "type": "record", "name": "List",
    "fields": [{"name": "value", "type": "int"},
               {"name": "next", "type": ["null", "List"]}]})"));
  const Node& root = schema->root();
  EXPECT_EQ(root.fields()[1].type().branches()[1], &root);
  ASSERT_OK_AND_ASSIGN(SchemaPtr again, Schema::Parse(schema->ToJsonString()));
  EXPECT_EQ(again->ToJsonString(), schema->ToJsonString());
}

TEST(AvroSchemaTest, RejectsBadSchemas) {
  struct Case {
    std::string json;
    std::string message;
  };
  std::vector<Case> cases = {
      {"{not json", "not valid JSON"},
      {R"("decimal")", "unknown type 'decimal'"},
      {R"({"type": "strange"})", "unknown type 'strange'"},
      {"42", "expected a type name"},
      {R"({"name": "x"})", "without a 'type'"},
      {R"({"type": "record", "fields": []})", "without a 'name'"},
      {R"({"type": "record", "name": "R"})", "without a 'fields' array"},
      {R"({"type": "record", "name": "R", "fields": [{"name": "a"}]})", "has no 'type'"},
      {R"({"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"},
          {"name": "a", "type": "int"}]})",
       "two fields named 'a'"},
      {R"({"type": "record", "name": "R", "fields": [{"name": "a", "type": "int",
          "field-id": "x"}]})",
       "invalid field-id"},
      {R"({"type": "record", "name": "R", "fields": [
          {"name": "a", "type": {"type": "fixed", "name": "R", "size": 1}}]})",
       "defined twice"},
      {R"({"type": "record", "name": "int", "fields": []})", "may not be called 'int'"},
      {R"(["null", ["int"]])", "may not directly contain a union"},
      {R"(["int", "int"])", "two branches of type 'int'"},
      {"[]", "empty union"},
      {R"({"type": "array"})", "without 'items'"},
      {R"({"type": "map", "values": "nope"})", "unknown type 'nope'"},
      {R"({"type": "enum", "name": "E", "symbols": ["A", "A"]})", "repeats symbol"},
      {R"({"type": "enum", "name": "E", "symbols": [1]})", "not a string"},
      {R"({"type": "fixed", "name": "F", "size": -1})", "needs a 'size'"},
      {R"({"type": "fixed", "name": "F"})", "needs a 'size'"},
      {R"({"type": "long", "logicalType": 5})", "'logicalType' must be a string"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.json);
    EXPECT_ERROR(Schema::Parse(c.json), ErrorCode::kCorrupt, c.message);
  }
}

TEST(AvroSchemaTest, RejectsDeepNesting) {
  std::string json;
  for (int i = 0; i < 1000; ++i) json += R"({"type":"array","items":)";
  json += "\"int\"";
  for (int i = 0; i < 1000; ++i) json += "}";
  EXPECT_ERROR(Schema::Parse(json), ErrorCode::kCorrupt, "nesting deeper than 64");

  std::string unions(5000, '[');
  unions += std::string(5000, ']');
  EXPECT_ERROR(Schema::Parse(unions), ErrorCode::kCorrupt, "nesting deeper than 64");

  // Deep JSON inside an attribute value is refused too (it would be copied recursively).
  std::string deep_attribute =
      R"({"type":"int","x":)" + std::string(200000, '[') + std::string(200000, ']') + "}";
  EXPECT_ERROR(Schema::Parse(deep_attribute), ErrorCode::kCorrupt, "nesting deeper than 64");

  // 60 levels are fine.
  std::string ok;
  for (int i = 0; i < 60; ++i) ok += R"({"type":"array","items":)";
  ok += "\"int\"" + std::string(60, '}');
  EXPECT_OK(Schema::Parse(ok));
}

}  // namespace
}  // namespace faceberg::avro
