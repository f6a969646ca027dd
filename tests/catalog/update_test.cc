// The commit vocabulary (table/update.h): JSON forms and how updates change metadata.
#include "table/update.h"

#include "iceberg/partition_spec.h"
#include "test_util.h"

namespace faceberg::table {
namespace {

using iceberg::RefType;
using iceberg::Snapshot;
using iceberg::SnapshotRef;
using iceberg::TableMetadata;

TableMetadata NewTable() {
  iceberg::NewTableOptions options;
  options.location = "/w/db/t";
  options.schema = *iceberg::ParseSchemaString("id long not null, name string");
  return *iceberg::NewTableMetadata(options);
}

Snapshot MakeSnapshot(int64_t id, std::optional<int64_t> parent, int64_t seq, int64_t ts) {
  Snapshot s;
  s.snapshot_id = id;
  s.parent_snapshot_id = parent;
  s.sequence_number = seq;
  s.timestamp_ms = ts;
  s.manifest_list = "/w/db/t/metadata/snap-" + std::to_string(id) + ".avro";
  s.summary["operation"] = "append";
  return s;
}

Json Parse(const char* text) { return *ParseJson(text, "test"); }

TEST(UpdateJsonTest, RejectsUnknownAndMalformedChanges) {
  EXPECT_ERROR(TableRequirementFromJson(Parse(R"({"type": "assert-nothing"})")),
               ErrorCode::kInvalidArgument, "unknown table requirement type 'assert-nothing'");
  EXPECT_ERROR(TableRequirementFromJson(Parse(R"({"type": "assert-current-schema-id"})")),
               ErrorCode::kInvalidArgument, "current-schema-id");
  EXPECT_ERROR(TableRequirementFromJson(Parse(R"([1])")), ErrorCode::kInvalidArgument, "object");
  EXPECT_ERROR(TableUpdateFromJson(Parse(R"({"action": "frobnicate"})")),
               ErrorCode::kInvalidArgument, "unknown table update action 'frobnicate'");
  EXPECT_ERROR(TableUpdateFromJson(Parse(R"({"action": "add-encryption-key", "key": {}})")),
               ErrorCode::kNotSupported, "add-encryption-key");
  EXPECT_ERROR(TableUpdateFromJson(Parse(R"({"action": "set-properties"})")),
               ErrorCode::kInvalidArgument, "updates");
  EXPECT_ERROR(TableUpdateFromJson(Parse(R"({"action": "set-snapshot-ref", "ref-name": "x",
                                             "snapshot-id": 1, "type": "twig"})")),
               ErrorCode::kInvalidArgument, "twig");
  EXPECT_ERROR(TableUpdateFromJson(Parse(R"({"action": "add-snapshot", "snapshot":
      {"snapshot-id": 1, "timestamp-ms": 2, "manifest-list": "x", "summary": {}}})")),
               ErrorCode::kInvalidArgument, "operation");
  EXPECT_ERROR(TableUpdatesFromJson(Parse(R"({"action": "set-location"})")),
               ErrorCode::kInvalidArgument, "array");
}

TEST(UpdateJsonTest, RoundTripsTheSpecForms) {
  for (const char* text : {
           R"({"type":"assert-create"})",
           R"({"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":null})",
           R"({"type":"assert-ref-snapshot-id","ref":"dev","snapshot-id":12})",
           R"({"type":"assert-default-sort-order-id","default-sort-order-id":1})",
       }) {
    ASSERT_OK_AND_ASSIGN(auto r, TableRequirementFromJson(Parse(text)));
    EXPECT_EQ(TableRequirementToJson(r), Parse(text));
  }
  for (const char* text : {
           R"({"action":"remove-snapshots","snapshot-ids":[1,2]})",
           R"({"action":"set-statistics","statistics":{"snapshot-id":3,"statistics-path":"p",
               "file-size-in-bytes":1,"file-footer-size-in-bytes":1,"blob-metadata":[]}})",
           R"({"action":"remove-statistics","snapshot-id":3})",
           R"({"action":"remove-schemas","schema-ids":[0]})",
           R"({"action":"remove-partition-specs","spec-ids":[1]})",
           R"({"action":"set-default-spec","spec-id":-1})",
           R"({"action":"add-sort-order","sort-order":{"order-id":1,"fields":[{"transform":
               "identity","source-id":1,"direction":"asc","null-order":"nulls-first"}]}})",
       }) {
    SCOPED_TRACE(text);
    ASSERT_OK_AND_ASSIGN(auto u, TableUpdateFromJson(Parse(text)));
    EXPECT_EQ(TableUpdateToJson(u), Parse(text));
  }
}

TEST(ApplyUpdatesTest, SnapshotsRefsAndTheLog) {
  TableMetadata base = NewTable();
  ASSERT_OK_AND_ASSIGN(auto md,
                       ApplyUpdates(base, {AddSnapshot{MakeSnapshot(1, std::nullopt, 1, 1000)},
                                           SetSnapshotRef{"main", SnapshotRef{1}}}));
  EXPECT_EQ(md.last_sequence_number, 1);
  EXPECT_EQ(md.current_snapshot_id, 1);
  ASSERT_EQ(md.snapshot_log.size(), 1u);
  EXPECT_EQ(md.snapshot_log[0].timestamp_ms, 1000);  // the added snapshot's time
  EXPECT_GE(md.last_updated_ms, base.last_updated_ms);

  EXPECT_ERROR(ApplyUpdates(md, {AddSnapshot{MakeSnapshot(2, 1, 1, 2000)}}),
               ErrorCode::kInvalidArgument, "sequence number 1");
  EXPECT_ERROR(ApplyUpdates(md, {AddSnapshot{MakeSnapshot(1, std::nullopt, 5, 2000)}}),
               ErrorCode::kInvalidArgument, "already exists");
  EXPECT_ERROR(ApplyUpdates(md, {SetSnapshotRef{"main", SnapshotRef{9}}}),
               ErrorCode::kInvalidArgument, "unknown snapshot 9");
  EXPECT_ERROR(ApplyUpdates(md, {SetSnapshotRef{"main", SnapshotRef{1, RefType::kTag}}}),
               ErrorCode::kInvalidArgument, "branch");
  EXPECT_ERROR(ApplyUpdates(md, {SetSnapshotRef{"t", SnapshotRef{1, RefType::kTag, 3}}}),
               ErrorCode::kInvalidArgument, "branches only");

  // A tag or another branch leaves main and the log alone; setting main to where it is adds
  // nothing.
  ASSERT_OK_AND_ASSIGN(auto tagged, ApplyUpdates(md, {SetSnapshotRef{"v1", {1, RefType::kTag}},
                                                      SetSnapshotRef{"main", SnapshotRef{1}}}));
  EXPECT_EQ(tagged.snapshot_log.size(), 1u);
  EXPECT_EQ(tagged.refs.at("v1").type, RefType::kTag);
}

TEST(ApplyUpdatesTest, RemoveSnapshotsKeepsEverythingConsistent) {
  TableMetadata base = NewTable();
  ASSERT_OK_AND_ASSIGN(
      auto md,
      ApplyUpdates(
          base, {AddSnapshot{MakeSnapshot(1, std::nullopt, 1, 1000)},
                 SetSnapshotRef{"main", SnapshotRef{1}}, AddSnapshot{MakeSnapshot(2, 1, 2, 2000)},
                 SetSnapshotRef{"main", SnapshotRef{2}}, AddSnapshot{MakeSnapshot(3, 2, 3, 3000)},
                 SetSnapshotRef{"main", SnapshotRef{3}}, SetSnapshotRef{"old", {1, RefType::kTag}},
                 SetStatistics{Parse(R"({"snapshot-id": 1, "statistics-path": "a"})")},
                 SetStatistics{Parse(R"({"snapshot-id": 3, "statistics-path": "b"})")},
                 SetStatistics{Parse(R"({"snapshot-id": 3, "statistics-path": "c"})")}}));
  EXPECT_EQ(md.statistics.size(), 2u);  // set-statistics replaces a snapshot's entry
  EXPECT_EQ(md.snapshot_log.size(), 3u);
  ASSERT_OK_AND_ASSIGN(auto trimmed, ApplyUpdates(md, {RemoveSnapshots{{2, 99}}}));
  EXPECT_EQ(trimmed.snapshots.size(), 2u);
  // The log keeps only what follows the removed snapshot's entry.
  ASSERT_EQ(trimmed.snapshot_log.size(), 1u);
  EXPECT_EQ(trimmed.snapshot_log[0].snapshot_id, 3);
  EXPECT_EQ(trimmed.refs.count("old"), 1u);
  EXPECT_EQ(trimmed.SnapshotById(3)->parent_snapshot_id, 2);  // lineage is kept, as Java does

  ASSERT_OK_AND_ASSIGN(auto gone, ApplyUpdates(trimmed, {RemoveSnapshots{{1, 3}}}));
  EXPECT_TRUE(gone.snapshots.empty());
  EXPECT_TRUE(gone.refs.empty());
  EXPECT_FALSE(gone.current_snapshot_id.has_value());
  EXPECT_TRUE(gone.statistics.empty());
  EXPECT_TRUE(gone.snapshot_log.empty());

  ASSERT_OK_AND_ASSIGN(auto unref,
                       ApplyUpdates(md, {RemoveSnapshotRef{"main"}, RemoveSnapshotRef{"missing"}}));
  EXPECT_FALSE(unref.current_snapshot_id.has_value());
  EXPECT_EQ(unref.snapshots.size(), 3u);
}

TEST(ApplyUpdatesTest, SchemasSpecsAndOrdersGetConsistentIds) {
  TableMetadata base = NewTable();
  auto same = std::make_shared<const iceberg::Schema>(5, base.schemas[0]->fields());
  ASSERT_OK_AND_ASSIGN(auto reused, ApplyUpdates(base, {AddSchema{same}, SetCurrentSchema{-1}}));
  EXPECT_EQ(reused.schemas.size(), 1u);  // identical: the existing schema is reused
  EXPECT_EQ(reused.current_schema_id, 0);

  auto wider = *iceberg::ParseSchemaString("id long not null, name string, n int");
  auto clashing = std::make_shared<const iceberg::Schema>(0, wider->fields());
  ASSERT_OK_AND_ASSIGN(auto evolved,
                       ApplyUpdates(base, {AddSchema{clashing}, SetCurrentSchema{-1}}));
  EXPECT_EQ(evolved.schemas.size(), 2u);
  EXPECT_EQ(evolved.current_schema_id, 1);  // id 0 was taken
  EXPECT_EQ(evolved.last_column_id, 3);
  EXPECT_ERROR(ApplyUpdates(base, {SetCurrentSchema{-1}}), ErrorCode::kInvalidArgument,
               "add-schema");

  auto spec = std::make_shared<const iceberg::PartitionSpec>(
      *iceberg::ParsePartitionSpecString("name", *base.CurrentSchema()));
  ASSERT_OK_AND_ASSIGN(auto partitioned, ApplyUpdates(base, {AddSpec{spec}, SetDefaultSpec{-1}}));
  EXPECT_EQ(partitioned.default_spec_id, 1);
  EXPECT_EQ(partitioned.last_partition_id, 1000);
  iceberg::PartitionSpec bad = *spec;
  bad.spec_id = 4;
  bad.fields[0].source_id = 42;
  EXPECT_ERROR(ApplyUpdates(base, {AddSpec{std::make_shared<const iceberg::PartitionSpec>(bad)},
                                   SetDefaultSpec{-1}}),
               ErrorCode::kInvalidArgument, "42");

  iceberg::SortOrder order;
  order.order_id = 0;
  order.fields.push_back({1, iceberg::Transform::Identity()});
  ASSERT_OK_AND_ASSIGN(
      auto sorted,
      ApplyUpdates(base, {AddSortOrder{std::make_shared<const iceberg::SortOrder>(order)},
                          SetDefaultSortOrder{-1}}));
  EXPECT_EQ(sorted.default_sort_order_id, 1);  // 0 is reserved for the unsorted order
}

TEST(ApplyUpdatesTest, PropertiesLocationAndFormat) {
  TableMetadata base = NewTable();
  base.properties["keep"] = "1";
  ASSERT_OK_AND_ASSIGN(auto md, ApplyUpdates(base, {SetProperties{{{"a", "1"}, {"b", "2"}}},
                                                    RemoveProperties{{"a", "never-set"}},
                                                    SetLocation{"/new/place/"}}));
  EXPECT_EQ(md.properties, (std::map<std::string, std::string>{{"b", "2"}, {"keep", "1"}}));
  EXPECT_EQ(md.location, "/new/place");
  EXPECT_ERROR(ApplyUpdates(base, {SetProperties{{{"format-version", "1"}}}}),
               ErrorCode::kInvalidArgument, "upgrade-format-version");
  EXPECT_ERROR(ApplyUpdates(base, {UpgradeFormatVersion{1}}), ErrorCode::kInvalidArgument,
               "downgrade");
  EXPECT_ERROR(ApplyUpdates(base, {UpgradeFormatVersion{9}}), ErrorCode::kInvalidArgument, "newer");
  base.format_version = 1;
  ASSERT_OK_AND_ASSIGN(auto upgraded, ApplyUpdates(base, {UpgradeFormatVersion{2}}));
  EXPECT_EQ(upgraded.format_version, 2);
  // No change: nothing moves, not even last-updated-ms.
  ASSERT_OK_AND_ASSIGN(auto same, ApplyUpdates(base, {RemoveProperties{{"absent"}}}));
  EXPECT_EQ(same.last_updated_ms, base.last_updated_ms);
}

// Regression (hostile inputs): a REST client's set-location of a relative path or one with ".."
// was stored as given, so later writes went wherever the server's working folder led.
TEST(ApplyUpdatesTest, SetLocationRefusesRelativeAndDotDotLocations) {
  TableMetadata base = NewTable();
  EXPECT_ERROR(ApplyUpdates(base, {SetLocation{"../../outside"}}), ErrorCode::kInvalidArgument,
               "is relative");
  EXPECT_ERROR(ApplyUpdates(base, {SetLocation{"/data/t/../../etc"}}), ErrorCode::kInvalidArgument,
               "'..' segment");
  EXPECT_ERROR(ApplyUpdates(base, {SetLocation{"file:///data/../etc"}}),
               ErrorCode::kInvalidArgument, "'..' segment");
  ASSERT_OK_AND_ASSIGN(auto moved, ApplyUpdates(base, {SetLocation{"s3://bucket/db/t..old"}}));
  EXPECT_EQ(moved.location, "s3://bucket/db/t..old");
}

TEST(CheckRequirementsTest, MissingTable) {
  EXPECT_OK(CheckRequirements(nullptr, {AssertCreate{}}));
  EXPECT_ERROR(CheckRequirements(nullptr, {AssertCurrentSchemaId{0}}), ErrorCode::kConflict,
               "does not exist");
  TableMetadata md = NewTable();
  EXPECT_ERROR(CheckRequirements(&md, {AssertCurrentSchemaId{0}, AssertCreate{}}),
               ErrorCode::kConflict, "assert-create");
  EXPECT_ERROR(CheckRequirements(&md, {AssertRefSnapshotId{"main", 5}}), ErrorCode::kConflict,
               "expected ref 'main' at 5, it is absent");
}

}  // namespace
}  // namespace faceberg::table
