#include "iceberg/sort_order.h"

#include "test_util.h"

namespace faceberg::iceberg {
namespace {

Json ParseJsonOrDie(std::string_view text) {
  auto j = ParseJson(text, "test");
  EXPECT_TRUE(j.ok()) << j.status().ToString();
  return j.ok() ? *j : Json();
}

TEST(SortOrderTest, JsonRoundTrip) {
  Json json = ParseJsonOrDie(R"({"order-id": 1, "fields": [
      {"transform": "identity", "source-id": 2, "direction": "asc", "null-order": "nulls-first"},
      {"transform": "bucket[4]", "source-id": 3, "direction": "desc", "null-order": "nulls-last"}]})");
  ASSERT_OK_AND_ASSIGN(SortOrder order, SortOrderFromJson(json));
  EXPECT_EQ(order.order_id, 1);
  ASSERT_EQ(order.fields.size(), 2u);
  EXPECT_EQ(order.fields[1].source_id, 3);
  EXPECT_EQ(order.fields[1].transform, *Transform::Bucket(4));
  EXPECT_EQ(order.fields[1].direction, SortDirection::kDesc);
  EXPECT_EQ(order.fields[1].null_order, NullOrder::kNullsLast);
  EXPECT_FALSE(order.IsUnsorted());
  EXPECT_EQ(SortOrderToJson(order), json);
  EXPECT_EQ(order.ToString(), "[2 asc nulls-first, bucket[4](3) desc nulls-last]");

  SortOrder unsorted = SortOrder::Unsorted();
  EXPECT_EQ(unsorted.order_id, 0);
  EXPECT_TRUE(unsorted.IsUnsorted());
  EXPECT_EQ(SortOrderToJson(unsorted), ParseJsonOrDie(R"({"order-id": 0, "fields": []})"));
  ASSERT_OK_AND_ASSIGN(SortOrder again, SortOrderFromJson(SortOrderToJson(unsorted)));
  EXPECT_EQ(again, unsorted);
}

TEST(SortOrderTest, BrokenJson) {
  EXPECT_ERROR(SortOrderFromJson(ParseJsonOrDie(R"({"fields": []})")), ErrorCode::kCorrupt,
               "missing required field 'order-id'");
  EXPECT_ERROR(SortOrderFromJson(ParseJsonOrDie(R"({"order-id": 1, "fields": [
      {"transform": "identity", "source-id": 2, "direction": "up", "null-order": "nulls-first"}]})")),
               ErrorCode::kCorrupt, "direction 'up'");
  EXPECT_ERROR(SortOrderFromJson(ParseJsonOrDie(R"({"order-id": 1, "fields": [
      {"transform": "identity", "source-id": 2, "direction": "asc", "null-order": "first"}]})")),
               ErrorCode::kCorrupt, "null-order 'first'");
  EXPECT_ERROR(SortOrderFromJson(ParseJsonOrDie(R"({"order-id": 1, "fields": [
      {"transform": "identity", "direction": "asc", "null-order": "nulls-first"}]})")),
               ErrorCode::kCorrupt, "missing required field 'source-id'");
  EXPECT_ERROR(SortOrderFromJson(ParseJsonOrDie(R"({"order-id": 0, "fields": [
      {"transform": "identity", "source-id": 2, "direction": "asc", "null-order": "nulls-first"}]})")),
               ErrorCode::kCorrupt, "reserved for the unsorted order");
  EXPECT_ERROR(SortOrderFromJson(ParseJsonOrDie(R"({"order-id": 1, "fields": [
      {"transform": "truncate[]", "source-id": 2, "direction": "asc", "null-order": "nulls-first"}]})")),
               ErrorCode::kCorrupt, "malformed");
}

TEST(SortOrderTest, Validation) {
  ASSERT_OK_AND_ASSIGN(SchemaPtr schema, ParseSchemaString("id long, ts timestamp, name string"));
  SortOrder order{1, {SortField{2, Transform::Day(), SortDirection::kDesc, NullOrder::kNullsLast}}};
  EXPECT_OK(ValidateSortOrder(order, *schema));
  order.fields.push_back(SortField{3, Transform::Hour()});
  EXPECT_ERROR(ValidateSortOrder(order, *schema), ErrorCode::kInvalidArgument,
               "transform hour cannot be applied to column 'name'");
  order.fields.back() = SortField{42, Transform::Identity()};
  EXPECT_ERROR(ValidateSortOrder(order, *schema), ErrorCode::kInvalidArgument,
               "source column id 42");
}

}  // namespace
}  // namespace faceberg::iceberg
