#include "table/scan.h"

#include <algorithm>
#include <set>

#include "catalog/file_table_operations.h"
#include "iceberg/single_value.h"
#include "table/append.h"
#include "test_util.h"
#include "util/time.h"

namespace faceberg::table {
namespace {

using faceberg::testing::TempDir;
using iceberg::DataFile;
using iceberg::ManifestFile;
using iceberg::TableMetadata;
using iceberg::Value;

constexpr int64_t kMicrosPerDay = int64_t{86400} * 1000000;

class ScanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    location_ = dir_.Join("t");
    ops_ = std::make_unique<catalog::FileTableOperations>(io_, location_);
    auto schema =
        iceberg::ParseSchemaString("id long not null, name string, split string, ts timestamptz");
    ASSERT_OK(schema);
    schema_ = *schema;
    auto spec = iceberg::ParsePartitionSpecString("split, day(ts)", *schema_);
    ASSERT_OK(spec);
    iceberg::NewTableOptions options;
    options.location = location_;
    options.schema = schema_;
    options.spec = std::make_shared<const iceberg::PartitionSpec>(*spec);
    ASSERT_OK_AND_ASSIGN(TableMetadata md, iceberg::NewTableMetadata(options));
    ASSERT_OK(ops_->Commit(nullptr, md));
  }

  // A data file of `split`, day `day` (days since epoch), with ids lo..hi.
  DataFile File(const std::string& name, const std::string& split, int32_t day, int64_t lo,
                int64_t hi) {
    DataFile f;
    f.file_path = dir_.Join("data/" + name + ".parquet");
    f.file_size_in_bytes = 1000;
    f.partition = {Value(split), Value(day)};
    f.metrics.record_count = hi - lo + 1;
    f.metrics.value_counts = {{1, hi - lo + 1}};
    f.metrics.null_value_counts = {{1, 0}};
    f.metrics.lower_bounds = {{1, *iceberg::ValueToBinary(Value(lo), *iceberg::Type::Long())}};
    f.metrics.upper_bounds = {{1, *iceberg::ValueToBinary(Value(hi), *iceberg::Type::Long())}};
    return f;
  }

  iceberg::Snapshot Append(std::vector<DataFile> files) {
    auto s = AppendFiles(*ops_, files);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : iceberg::Snapshot{};
  }

  TableMetadata Current() {
    auto md = ops_->Refresh();
    EXPECT_TRUE(md.ok()) << md.status().ToString();
    return **md;
  }

  static std::set<std::string> Names(const ScanPlan& plan) {
    std::set<std::string> out;
    for (const auto& f : plan.files) {
      std::string name = f.file_path.substr(f.file_path.rfind('/') + 1);
      out.insert(name.substr(0, name.find('.')));
    }
    return out;
  }

  // Three commits: {a: train/D ids 0-9, b: test/D ids 10-19}, {c: train/D+1 ids 20-29},
  // {d: validation/D+2 ids 30-39}.
  void ThreeCommits() {
    s1_ = Append({File("a", "train", kDay, 0, 9), File("b", "test", kDay, 10, 19)});
    s2_ = Append({File("c", "train", kDay + 1, 20, 29)});
    s3_ = Append({File("d", "validation", kDay + 2, 30, 39)});
  }

  static constexpr int32_t kDay = 20484;  // 2026-01-31
  TempDir dir_;
  io::LocalFileIO io_;
  std::string location_;
  std::unique_ptr<catalog::FileTableOperations> ops_;
  iceberg::SchemaPtr schema_;
  iceberg::Snapshot s1_, s2_, s3_;
};

TEST_F(ScanTest, EmptyTable) {
  TableMetadata md = Current();
  ASSERT_OK_AND_ASSIGN(ScanPlan plan, PlanScan(io_, md, {.filter = "id > 3"}));
  EXPECT_FALSE(plan.snapshot);
  EXPECT_TRUE(plan.files.empty());
  EXPECT_EQ(plan.schema->schema_id(), md.current_schema_id);
  EXPECT_EQ(iceberg::ToString(*plan.filter), "id > 3");
  EXPECT_EQ(plan.counters.manifests_total, 0);
  EXPECT_ERROR(PlanScan(io_, md, {.snapshot_id = 5}), ErrorCode::kNotFound, "snapshot 5");
  EXPECT_ERROR(PlanScan(io_, md, {.as_of_ms = 5}), ErrorCode::kNotFound, "no snapshot history");
  EXPECT_ERROR(PlanScan(io_, md, {.ref = "main"}), ErrorCode::kNotFound, "'main'");
  EXPECT_ERROR(PlanScan(io_, md, {.filter = "nope = 1"}), ErrorCode::kInvalidArgument,
               "unknown column 'nope'");
  // A huge filter is not echoed whole (regression: a 100 KB filter made a 100 KB error line).
  const std::string deep = std::string(5000, '(') + "id = 1" + std::string(5000, ')');
  auto deep_plan = PlanScan(io_, md, {.filter = deep});
  ASSERT_FALSE(deep_plan.ok());
  EXPECT_THAT(deep_plan.status().message(), ::testing::HasSubstr("(10006 bytes)"));
  EXPECT_LT(deep_plan.status().message().size(), 400u);
}

TEST_F(ScanTest, PlansEverythingWithoutAFilter) {
  ThreeCommits();
  ASSERT_OK_AND_ASSIGN(ScanPlan plan, PlanScan(io_, Current()));
  ASSERT_TRUE(plan.snapshot);
  EXPECT_EQ(plan.snapshot->snapshot_id, s3_.snapshot_id);
  EXPECT_EQ(Names(plan), (std::set<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(plan.filter->op(), iceberg::Operation::kTrue);
  EXPECT_EQ(plan.counters.manifests_total, 3);
  EXPECT_EQ(plan.counters.manifests_read, 3);
  EXPECT_EQ(plan.counters.manifests_skipped, 0);
  EXPECT_EQ(plan.counters.files_total, 4);
  EXPECT_EQ(plan.counters.files_skipped, 0);
  // Files carry their partition tuple and spec.
  for (const auto& f : plan.files) {
    EXPECT_EQ(f.partition.size(), 2u);
    EXPECT_EQ(f.spec_id, 0);
  }
}

TEST_F(ScanTest, PrunesManifestsByPartitionSummaries) {
  ThreeCommits();
  ASSERT_OK_AND_ASSIGN(ScanPlan plan, PlanScan(io_, Current(), {.filter = "split = 'validation'"}));
  EXPECT_EQ(Names(plan), (std::set<std::string>{"d"}));
  EXPECT_EQ(plan.counters.manifests_total, 3);
  EXPECT_EQ(plan.counters.manifests_read, 1);
  EXPECT_EQ(plan.counters.manifests_skipped, 2);
  EXPECT_EQ(plan.counters.files_total, 4);
  EXPECT_EQ(plan.counters.files_skipped, 3);

  // By time, through day(ts): the first manifest holds only day D.
  const std::string from = FormatTimestampMicros((kDay + 1) * kMicrosPerDay) + "Z";
  ASSERT_OK_AND_ASSIGN(plan, PlanScan(io_, Current(), {.filter = "ts >= '" + from + "'"}));
  EXPECT_EQ(Names(plan), (std::set<std::string>{"c", "d"}));
  EXPECT_EQ(plan.counters.manifests_skipped, 1);
  EXPECT_EQ(plan.counters.files_skipped, 2);
}

TEST_F(ScanTest, PrunesFilesByPartitionAndMetrics) {
  ThreeCommits();
  ASSERT_OK_AND_ASSIGN(ScanPlan plan, PlanScan(io_, Current(), {.filter = "split = 'train'"}));
  EXPECT_EQ(Names(plan), (std::set<std::string>{"a", "c"}));
  EXPECT_EQ(plan.counters.manifests_read, 2);
  EXPECT_EQ(plan.counters.manifests_skipped, 1);
  EXPECT_EQ(plan.counters.files_skipped_by_partition, 1);  // b (test) in the first manifest
  EXPECT_EQ(plan.counters.files_skipped, 2);

  ASSERT_OK_AND_ASSIGN(plan, PlanScan(io_, Current(), {.filter = "id >= 25"}));
  EXPECT_EQ(Names(plan), (std::set<std::string>{"c", "d"}));
  EXPECT_EQ(plan.counters.manifests_read, 3);
  EXPECT_EQ(plan.counters.files_skipped_by_metrics, 2);
  EXPECT_EQ(plan.counters.files_skipped, 2);

  // split is only in the partition tuple (the files have no metrics for it); the metrics are
  // completed from it, so an OR across both kinds of column still prunes.
  ASSERT_OK_AND_ASSIGN(plan,
                       PlanScan(io_, Current(), {.filter = "id BETWEEN 5 AND 12 OR split = 'x'"}));
  EXPECT_EQ(Names(plan), (std::set<std::string>{"a", "b"}));
  ASSERT_OK_AND_ASSIGN(plan, PlanScan(io_, Current(), {.filter = "id < 0"}));
  EXPECT_TRUE(plan.files.empty());
  EXPECT_EQ(plan.counters.files_skipped, 4);
}

TEST_F(ScanTest, SelectsSnapshotsByIdTimeAndRef) {
  ThreeCommits();
  TableMetadata md = Current();
  // Files committed after the planned snapshot never appear.
  ASSERT_OK_AND_ASSIGN(ScanPlan plan, PlanScan(io_, md, {.snapshot_id = s1_.snapshot_id}));
  EXPECT_EQ(Names(plan), (std::set<std::string>{"a", "b"}));
  EXPECT_EQ(plan.snapshot->snapshot_id, s1_.snapshot_id);
  ASSERT_OK_AND_ASSIGN(
      plan, PlanScan(io_, md, {.snapshot_id = s2_.snapshot_id, .filter = "split = 'train'"}));
  EXPECT_EQ(Names(plan), (std::set<std::string>{"a", "c"}));

  // By time, through the snapshot log (times made distinct here).
  md.snapshot_log = {{1000, s1_.snapshot_id}, {2000, s2_.snapshot_id}, {3000, s3_.snapshot_id}};
  ASSERT_OK_AND_ASSIGN(plan, PlanScan(io_, md, {.as_of_ms = 2500}));
  EXPECT_EQ(plan.snapshot->snapshot_id, s2_.snapshot_id);
  EXPECT_EQ(Names(plan), (std::set<std::string>{"a", "b", "c"}));
  ASSERT_OK_AND_ASSIGN(plan, PlanScan(io_, md, {.as_of_ms = 1000}));
  EXPECT_EQ(plan.snapshot->snapshot_id, s1_.snapshot_id);
  EXPECT_ERROR(PlanScan(io_, md, {.as_of_ms = 999}), ErrorCode::kNotFound,
               "before the table's first snapshot");

  // By ref.
  md.refs["v1"] = iceberg::SnapshotRef{s1_.snapshot_id, iceberg::RefType::kTag};
  ASSERT_OK_AND_ASSIGN(plan, PlanScan(io_, md, {.ref = "v1"}));
  EXPECT_EQ(Names(plan), (std::set<std::string>{"a", "b"}));
  ASSERT_OK_AND_ASSIGN(plan, PlanScan(io_, md, {.ref = "main"}));
  EXPECT_EQ(plan.snapshot->snapshot_id, s3_.snapshot_id);
  EXPECT_ERROR(PlanScan(io_, md, {.ref = "nope"}), ErrorCode::kNotFound,
               "no branch or tag named 'nope'");
  EXPECT_ERROR(PlanScan(io_, md, {.snapshot_id = 42}), ErrorCode::kNotFound,
               "snapshot 42 does not exist");
  EXPECT_ERROR(PlanScan(io_, md, {.snapshot_id = s1_.snapshot_id, .ref = "v1"}),
               ErrorCode::kInvalidArgument, "choose one snapshot selector");
  EXPECT_ERROR(PlanScan(io_, md, {.snapshot_id = 1, .as_of_ms = 2, .ref = "v1"}),
               ErrorCode::kInvalidArgument, "got 3 of them");
}

TEST_F(ScanTest, TimeTravelBindsToTheSnapshotSchemaAndValidatesColumns) {
  ThreeCommits();
  TableMetadata md = Current();
  // A later schema renames id to key (no new snapshot). The table's state reads with the
  // current schema; time travel by snapshot id reads with the snapshot's own schema.
  std::vector<iceberg::NestedField> fields = md.CurrentSchema()->fields();
  fields[0].name = "key";
  md.schemas.push_back(std::make_shared<const iceberg::Schema>(1, fields));
  md.current_schema_id = 1;
  const int64_t current = *md.current_snapshot_id;
  ASSERT_OK_AND_ASSIGN(ScanPlan plan, PlanScan(io_, md, {.filter = "key >= 25"}));
  EXPECT_EQ(plan.schema->schema_id(), 1);
  EXPECT_EQ(Names(plan), (std::set<std::string>{"c", "d"}));
  EXPECT_ERROR(PlanScan(io_, md, {.filter = "id >= 25"}), ErrorCode::kInvalidArgument,
               "unknown column 'id'");
  ASSERT_OK_AND_ASSIGN(plan, PlanScan(io_, md, {.snapshot_id = current, .filter = "id >= 25"}));
  EXPECT_EQ(plan.schema->schema_id(), 0);
  EXPECT_EQ(Names(plan), (std::set<std::string>{"c", "d"}));
  EXPECT_ERROR(PlanScan(io_, md, {.snapshot_id = current, .filter = "key >= 25"}),
               ErrorCode::kInvalidArgument, "unknown column 'key'");

  ASSERT_OK_AND_ASSIGN(
      plan, PlanScan(io_, md, {.snapshot_id = current, .columns = {"NAME", "id", "name"}}));
  EXPECT_EQ(plan.columns, (std::vector<std::string>{"name", "id"}));
  EXPECT_EQ(plan.column_ids, (std::vector<int32_t>{2, 1}));
  EXPECT_ERROR(PlanScan(io_, md, {.columns = {"key", "nope"}}), ErrorCode::kInvalidArgument,
               "unknown column 'nope'");
  EXPECT_ERROR(PlanScan(io_, md, {.filter = "key >"}), ErrorCode::kInvalidArgument,
               "expected a value after '>'");
}

TEST_F(ScanTest, DropsDeletedEntriesAndRefusesDeleteFiles) {
  ThreeCommits();
  TableMetadata md = Current();
  auto spec = md.DefaultSpec();
  // A hand-made snapshot whose manifest marks b as deleted.
  std::vector<iceberg::ManifestEntry> entries(2);
  entries[0].status = iceberg::EntryStatus::kExisting;
  entries[0].snapshot_id = s1_.snapshot_id;
  entries[0].sequence_number = 1;
  entries[0].file_sequence_number = 1;
  entries[0].data_file = File("a", "train", kDay, 0, 9);
  entries[1] = entries[0];
  entries[1].status = iceberg::EntryStatus::kDeleted;
  entries[1].data_file = File("b", "test", kDay, 10, 19);
  iceberg::ManifestWriteOptions write_options;
  write_options.snapshot_id = 77;
  ASSERT_OK_AND_ASSIGN(ManifestFile data,
                       iceberg::WriteManifest(io_, dir_.Join("t/metadata/custom-m0.avro"), *schema_,
                                              *spec, entries, write_options));
  auto add_snapshot = [&](int64_t id, std::vector<ManifestFile> manifests) {
    iceberg::Snapshot s;
    s.snapshot_id = id;
    s.sequence_number = md.last_sequence_number + 1;
    s.timestamp_ms = NowMillis();
    s.manifest_list = dir_.Join(fmt::format("t/metadata/snap-custom-{}.avro", id));
    s.summary["operation"] = "delete";
    iceberg::ManifestListWriteOptions list_options;
    list_options.snapshot_id = id;
    list_options.sequence_number = s.sequence_number;
    EXPECT_OK(iceberg::WriteManifestList(io_, s.manifest_list, manifests, list_options));
    md.snapshots.push_back(s);
  };
  add_snapshot(77, {data});
  ASSERT_OK_AND_ASSIGN(ScanPlan plan, PlanScan(io_, md, {.snapshot_id = 77}));
  EXPECT_EQ(Names(plan), (std::set<std::string>{"a"}));
  EXPECT_EQ(plan.counters.files_total, 1);

  // Position delete files are not applied, so reading such a snapshot is refused.
  iceberg::ManifestEntry del;
  del.data_file = File("del", "train", kDay, 0, 0);
  del.data_file.content = iceberg::FileContent::kPositionDeletes;
  write_options.snapshot_id = 78;
  write_options.content = iceberg::ManifestContent::kDeletes;
  ASSERT_OK_AND_ASSIGN(ManifestFile deletes,
                       iceberg::WriteManifest(io_, dir_.Join("t/metadata/custom-m1.avro"), *schema_,
                                              *spec, {del}, write_options));
  add_snapshot(78, {data, deletes});
  EXPECT_ERROR(PlanScan(io_, md, {.snapshot_id = 78}), ErrorCode::kNotSupported,
               "row-level delete files");
}

TEST_F(ScanTest, ReadsManyManifestsInParallelInOrder) {
  ASSERT_OK(AppendFiles(*ops_, {File("f0", "train", kDay, 0, 0)}));
  TableMetadata md = Current();
  md.properties["commit.manifest-merge.enabled"] = "false";
  ASSERT_OK(ops_->Commit(ops_->Refresh()->get(), md));
  for (int i = 1; i < 24; ++i) {
    ASSERT_OK(AppendFiles(*ops_, {File(fmt::format("f{}", i), i % 2 ? "test" : "train",
                                       kDay + i % 3, i * 10, i * 10 + 9)}));
  }
  ASSERT_OK_AND_ASSIGN(ScanPlan plan, PlanScan(io_, Current()));
  EXPECT_EQ(plan.counters.manifests_read, 24);
  ASSERT_EQ(plan.files.size(), 24u);
  // Newest manifest first, as the manifest list orders them.
  EXPECT_EQ(plan.files.front().file_path, dir_.Join("data/f23.parquet"));
  EXPECT_EQ(plan.files.back().file_path, dir_.Join("data/f0.parquet"));
  ASSERT_OK_AND_ASSIGN(plan, PlanScan(io_, Current(), {.filter = "split = 'test' AND id < 100"}));
  EXPECT_EQ(Names(plan), (std::set<std::string>{"f1", "f3", "f5", "f7", "f9"}));
  EXPECT_EQ(plan.counters.manifests_skipped, 12);
  EXPECT_EQ(plan.counters.files_skipped_by_metrics, 7);
}

}  // namespace
}  // namespace faceberg::table
