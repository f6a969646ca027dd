#include "iceberg/table_metadata.h"

#include <fstream>
#include <sstream>

#include "test_util.h"

namespace faceberg::iceberg {
namespace {

using faceberg::testing::TestDataPath;

std::string ReadText(const std::string& relative) {
  std::ifstream in(TestDataPath(relative));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<TableMetadata> Load(const std::string& name) {
  return TableMetadataFromJson(ReadText("metadata/" + name), name);
}

TEST(TableMetadataTest, ReadsGoldenV2) {
  ASSERT_OK_AND_ASSIGN(TableMetadata md, Load("v2_valid.json"));
  EXPECT_EQ(md.format_version, 2);
  EXPECT_EQ(md.table_uuid, "9c12d441-03fe-4693-9a96-a0705ddf69c1");
  EXPECT_EQ(md.last_sequence_number, 34);
  EXPECT_EQ(md.schemas.size(), 2u);
  EXPECT_EQ(md.CurrentSchema()->fields().size(), 3u);
  EXPECT_EQ(md.CurrentSchema()->identifier_field_ids(), (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(md.DefaultSpec()->fields.size(), 1u);
  EXPECT_EQ(md.DefaultSortOrder()->fields.size(), 2u);
  ASSERT_NE(md.CurrentSnapshot(), nullptr);
  EXPECT_EQ(md.CurrentSnapshot()->snapshot_id, 3055729675574597004);
  EXPECT_EQ(md.CurrentSnapshot()->SummaryInt("total-records"), 10);
  EXPECT_EQ(md.refs.at("test").type, RefType::kTag);
  EXPECT_EQ(md.refs.at("main").snapshot_id, 3055729675574597004);  // implied by current id
  EXPECT_EQ(md.Ancestry(3055729675574597004),
            (std::vector<int64_t>{3055729675574597004, 3051729675574597004}));
}

TEST(TableMetadataTest, ReadsGoldenV1Leniently) {
  ASSERT_OK_AND_ASSIGN(TableMetadata md, Load("v1_valid.json"));
  EXPECT_EQ(md.format_version, 1);
  EXPECT_FALSE(md.current_snapshot_id.has_value());  // -1 means none
  EXPECT_EQ(md.CurrentSchema()->fields().size(), 3u);
  EXPECT_EQ(md.DefaultSpec()->fields.at(0).field_id, 1000);
  EXPECT_EQ(md.last_partition_id, 1000);
  EXPECT_EQ(md.sort_orders.size(), 1u);  // unsorted order implied
  EXPECT_EQ(md.last_sequence_number, 0);
}

TEST(TableMetadataTest, WriteReadRoundTrip) {
  for (const char* name : {"v2_valid.json", "v1_valid.json"}) {
    ASSERT_OK_AND_ASSIGN(TableMetadata md, Load(name));
    std::string written = TableMetadataToJson(md);
    ASSERT_OK_AND_ASSIGN(TableMetadata again, TableMetadataFromJson(written, "round trip"));
    EXPECT_EQ(TableMetadataToJson(again), written) << name;
    EXPECT_EQ(again.snapshots, md.snapshots);
    EXPECT_EQ(again.snapshot_log, md.snapshot_log);
    EXPECT_EQ(again.metadata_log, md.metadata_log);
    EXPECT_EQ(again.refs, md.refs);
  }
}

TEST(TableMetadataTest, StrictV2Output) {
  ASSERT_OK_AND_ASSIGN(TableMetadata md, Load("v2_valid.json"));
  ASSERT_OK_AND_ASSIGN(Json j, ParseJson(TableMetadataToJson(md), "out"));
  for (const char* key :
       {"format-version", "table-uuid", "location", "last-sequence-number", "last-updated-ms",
        "last-column-id", "schemas", "current-schema-id", "partition-specs", "default-spec-id",
        "last-partition-id", "sort-orders", "default-sort-order-id"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_FALSE(j.contains("schema"));
  EXPECT_FALSE(j.contains("partition-spec"));
  for (const auto& s : j["snapshots"]) EXPECT_TRUE(s.contains("sequence-number"));
}

TEST(TableMetadataTest, BrokenFilesGiveClearErrors) {
  EXPECT_ERROR(Load("broken_v2_missing_schemas.json"), ErrorCode::kCorrupt,
               "missing required field 'schemas'");
  EXPECT_ERROR(Load("broken_v2_wrong_type.json"), ErrorCode::kCorrupt,
               "'last-column-id' must be an integer");
  EXPECT_ERROR(Load("broken_v2_unknown_current_snapshot.json"), ErrorCode::kCorrupt,
               "current-snapshot-id 42 is not in snapshots");
  EXPECT_ERROR(Load("broken_future_version.json"), ErrorCode::kNotSupported, "format-version 4");
  EXPECT_ERROR(Load("broken_v2_snapshot_without_sequence.json"), ErrorCode::kCorrupt,
               "'sequence-number'");
  EXPECT_ERROR(Load("broken_v2_unknown_schema.json"), ErrorCode::kCorrupt, "current-schema-id 7");
  EXPECT_ERROR(Load("broken_truncated.json"), ErrorCode::kCorrupt, "not valid JSON");
  // Every error names the file it came from.
  EXPECT_ERROR(Load("broken_truncated.json"), ErrorCode::kCorrupt, "broken_truncated.json");
}

TEST(TableMetadataTest, TimeTravelUsesLatestLogEntryNotAfterTime) {
  ASSERT_OK_AND_ASSIGN(TableMetadata md, Load("v2_valid.json"));
  // The golden log is unsorted on purpose.
  ASSERT_OK_AND_ASSIGN(const Snapshot* first, md.SnapshotAsOf(1515100955770));
  EXPECT_EQ(first->snapshot_id, 3051729675574597004);
  ASSERT_OK_AND_ASSIGN(const Snapshot* mid, md.SnapshotAsOf(1555100955769));
  EXPECT_EQ(mid->snapshot_id, 3051729675574597004);
  ASSERT_OK_AND_ASSIGN(const Snapshot* last, md.SnapshotAsOf(1900000000000));
  EXPECT_EQ(last->snapshot_id, 3055729675574597004);
  EXPECT_ERROR(md.SnapshotAsOf(1000), ErrorCode::kNotFound, "before the table's first snapshot");
  EXPECT_ERROR(md.FindSnapshot(7), ErrorCode::kNotFound, "snapshot 7 does not exist");
  ASSERT_OK_AND_ASSIGN(const Snapshot* tagged, md.SnapshotForRef("test"));
  EXPECT_EQ(tagged->snapshot_id, 3051729675574597004);
  EXPECT_ERROR(md.SnapshotForRef("nope"), ErrorCode::kNotFound, "no branch or tag named 'nope'");
}

TEST(TableMetadataTest, NewTableMetadata) {
  ASSERT_OK_AND_ASSIGN(SchemaPtr schema, ParseSchemaString("id long not null, name string"));
  NewTableOptions options;
  options.location = "/tmp/t";
  options.schema = schema;
  ASSERT_OK_AND_ASSIGN(TableMetadata md, NewTableMetadata(options));
  EXPECT_EQ(md.format_version, 2);
  EXPECT_EQ(md.last_column_id, 2);
  EXPECT_EQ(md.last_partition_id, 999);
  EXPECT_EQ(md.table_uuid.size(), 36u);
  EXPECT_FALSE(md.current_snapshot_id.has_value());
  EXPECT_OK(md.Validate());
}

}  // namespace
}  // namespace faceberg::iceberg
