#include "table/row_delta.h"

#include <filesystem>
#include <fstream>

#include "table/diff.h"
#include "table/orphans.h"
#include "table/schema_update.h"
#include "table_fixture.h"
#include "util/time.h"

namespace faceberg::table {
namespace {

using iceberg::Snapshot;
using testing::TableFixture;

std::set<std::string> Paths(const std::vector<iceberg::DataFile>& files) {
  std::set<std::string> out;
  for (const auto& f : files) out.insert(f.file_path);
  return out;
}

TEST(RowDeltaTest, PlanSplitsFilesByWhatMetricsProve) {
  TableFixture t;
  auto low = t.File(0, 9, "a");
  auto mid = t.File(5, 15, "a");
  auto high = t.File(20, 29, "a");
  auto other = t.File(0, 9, "b");
  t.Append({low, mid, high, other});
  ASSERT_OK_AND_ASSIGN(auto plan, PlanRowFilter(t.io(), t.Current(), "id < 10 AND split = 'a'"));
  EXPECT_EQ(Paths(plan.all_match), (std::set<std::string>{low.file_path}));
  EXPECT_EQ(Paths(plan.partial), (std::set<std::string>{mid.file_path}));
  EXPECT_EQ(plan.files_untouched, 2);
  EXPECT_EQ(plan.live_paths.size(), 4u);
  // Identity partition values prove a whole partition matches.
  ASSERT_OK_AND_ASSIGN(plan, PlanRowFilter(t.io(), t.Current(), "split = 'b'"));
  EXPECT_EQ(Paths(plan.all_match), (std::set<std::string>{other.file_path}));
  EXPECT_TRUE(plan.partial.empty());
  EXPECT_ERROR(PlanRowFilter(t.io(), t.Current(), ""), ErrorCode::kInvalidArgument, "TRUE");
  EXPECT_ERROR(PlanRowFilter(t.io(), t.Current(), "nope = 1"), ErrorCode::kInvalidArgument, "nope");
  EXPECT_ERROR(PlanRowFilter(t.io(), t.Current(), "id = 1", "dev"), ErrorCode::kNotFound, "dev");
}

TEST(RowDeltaTest, CommitRewritesManifestsAndCountsRight) {
  TableFixture t;
  auto f1 = t.File(0, 9, "a", 10);
  auto f2 = t.File(10, 19, "a", 20);
  auto f3 = t.File(20, 29, "b", 30);
  int64_t s1 = t.Append({f1, f2});
  int64_t s2 = t.Append({f3});
  // Delete only: one file dropped.
  ASSERT_OK_AND_ASSIGN(auto plan, PlanRowFilter(t.io(), t.Current(), "id < 10"));
  ASSERT_OK_AND_ASSIGN(Snapshot del, CommitRowDelta(t.ops(), plan, plan.all_match, {}));
  EXPECT_EQ(del.operation(), "delete");
  EXPECT_EQ(del.parent_snapshot_id, s2);
  EXPECT_EQ(del.SummaryInt("deleted-data-files"), 1);
  EXPECT_EQ(del.SummaryInt("deleted-records"), 10);
  EXPECT_EQ(del.SummaryInt("total-records"), 50);
  EXPECT_EQ(del.SummaryInt("total-data-files"), 2);
  EXPECT_FALSE(del.summary.count("added-records"));
  EXPECT_EQ(t.Live(del.snapshot_id), (std::set<std::string>{f2.file_path, f3.file_path}));
  // Older snapshots still see their files.
  EXPECT_EQ(t.Live(s1), (std::set<std::string>{f1.file_path, f2.file_path}));
  // The rewritten manifest records the removal as DELETED with this snapshot's id.
  auto md = t.Current();
  ASSERT_OK_AND_ASSIGN(auto manifests, iceberg::ReadManifestList(t.io(), del.manifest_list));
  int deleted_entries = 0;
  for (const auto& m : manifests) {
    ASSERT_OK_AND_ASSIGN(auto entries, iceberg::ReadManifest(t.io(), m, *md));
    for (const auto& e : entries) {
      if (e.status != iceberg::EntryStatus::kDeleted) continue;
      ++deleted_entries;
      EXPECT_EQ(e.data_file.file_path, f1.file_path);
      EXPECT_EQ(e.snapshot_id, del.snapshot_id);
      EXPECT_EQ(e.sequence_number, 1);  // the data sequence number it was added with
    }
  }
  EXPECT_EQ(deleted_entries, 1);

  // Overwrite: a partial file replaced by a rewritten one.
  ASSERT_OK_AND_ASSIGN(plan, PlanRowFilter(t.io(), t.Current(), "id = 15"));
  ASSERT_EQ(Paths(plan.partial), (std::set<std::string>{f2.file_path}));
  auto rewritten = t.File(10, 19, "a", 19);
  ASSERT_OK_AND_ASSIGN(Snapshot over, CommitRowDelta(t.ops(), plan, plan.partial, {rewritten}));
  EXPECT_EQ(over.operation(), "overwrite");
  EXPECT_EQ(over.SummaryInt("added-data-files"), 1);
  EXPECT_EQ(over.SummaryInt("deleted-data-files"), 1);
  EXPECT_EQ(over.SummaryInt("added-records"), 19);
  EXPECT_EQ(over.SummaryInt("deleted-records"), 20);
  EXPECT_EQ(over.SummaryInt("total-records"), 49);
  EXPECT_EQ(over.SummaryInt("changed-partition-count"), 1);
  EXPECT_EQ(t.Live(over.snapshot_id), (std::set<std::string>{rewritten.file_path, f3.file_path}));
}

TEST(RowDeltaTest, RetryChecksRemovedFilesAndConcurrentAdds) {
  TableFixture t;
  auto f1 = t.File(0, 9, "a");
  auto f2 = t.File(10, 19, "b");
  t.Append({f1, f2});
  // A concurrent delete removed f1 first.
  ASSERT_OK_AND_ASSIGN(auto plan, PlanRowFilter(t.io(), t.Current(), "split = 'a'"));
  ASSERT_OK_AND_ASSIGN(auto other, PlanRowFilter(t.io(), t.Current(), "split = 'a'"));
  ASSERT_OK(CommitRowDelta(t.ops(), other, other.all_match, {}));
  EXPECT_ERROR(CommitRowDelta(t.ops(), plan, plan.all_match, {}), ErrorCode::kConflict,
               "removed by a concurrent commit");

  // A concurrent append of rows the filter may match: conflict; of other rows: fine.
  ASSERT_OK_AND_ASSIGN(plan, PlanRowFilter(t.io(), t.Current(), "split = 'b'"));
  t.Append({t.File(100, 109, "b")});
  EXPECT_ERROR(CommitRowDelta(t.ops(), plan, plan.all_match, {}), ErrorCode::kConflict,
               "may match the filter");
  ASSERT_OK_AND_ASSIGN(plan, PlanRowFilter(t.io(), t.Current(), "split = 'b'"));
  auto c = t.File(200, 209, "c");
  int64_t appended = t.Append({c});
  ASSERT_OK_AND_ASSIGN(Snapshot s, CommitRowDelta(t.ops(), plan, plan.all_match, {}));
  EXPECT_EQ(s.parent_snapshot_id, appended);
  EXPECT_EQ(t.Live(s.snapshot_id), (std::set<std::string>{c.file_path}));
}

TEST(RowDeltaTest, BranchChangesLeaveMainAlone) {
  TableFixture t;
  auto f1 = t.File(0, 9, "a");
  int64_t s1 = t.Append({f1});
  ASSERT_OK(CommitTable(t.ops(), {}, {SetSnapshotRef{"dev", {s1, iceberg::RefType::kBranch}}}));
  ASSERT_OK_AND_ASSIGN(auto plan, PlanRowFilter(t.io(), t.Current(), "TRUE", "dev"));
  ASSERT_OK_AND_ASSIGN(Snapshot s, CommitRowDelta(t.ops(), plan, plan.all_match, {}));
  auto md = t.Current();
  EXPECT_EQ(md->refs.at("dev").snapshot_id, s.snapshot_id);
  EXPECT_EQ(md->current_snapshot_id, s1);
  EXPECT_TRUE(t.Live(s.snapshot_id).empty());
}

TEST(DiffTest, FilesRecordsAndSchemaChanges) {
  TableFixture t;
  auto f1 = t.File(0, 9, "a", 10);
  auto f2 = t.File(10, 19, "b", 20);
  int64_t s1 = t.Append({f1});
  int64_t s2 = t.Append({f2});
  ASSERT_OK(CommitSchemaUpdate(t.ops(), [](SchemaUpdate& u) -> Status {
    RETURN_IF_ERROR(u.RenameColumn("split", "part"));
    ASSIGN_OR_RETURN(auto type, ParseColumnType("double"));
    return u.AddColumn("v", type);
  }));
  ASSERT_OK_AND_ASSIGN(auto plan, PlanRowFilter(t.io(), t.Current(), "id < 10"));
  ASSERT_OK_AND_ASSIGN(Snapshot s3, CommitRowDelta(t.ops(), plan, plan.all_match, {}));
  auto md = t.Current();
  ASSERT_OK_AND_ASSIGN(SnapshotDiff d, DiffSnapshots(t.io(), *md, s1, s3.snapshot_id));
  EXPECT_EQ(d.relation, "forward");
  EXPECT_EQ(d.between.size(), 2u);
  EXPECT_TRUE(d.rows_exact);  // an append and a whole-file delete
  EXPECT_EQ(Paths(d.added_files), (std::set<std::string>{f2.file_path}));
  EXPECT_EQ(Paths(d.removed_files), (std::set<std::string>{f1.file_path}));
  EXPECT_EQ(d.added_records, 20);
  EXPECT_EQ(d.removed_records, 10);
  EXPECT_EQ(d.from_records, 10);
  EXPECT_EQ(d.to_records, 20);
  ASSERT_EQ(d.schema_changes.size(), 2u);
  EXPECT_EQ(d.schema_changes[0].kind, FieldChange::Kind::kRenamed);
  EXPECT_EQ(d.schema_changes[0].from_name, "split");
  EXPECT_EQ(d.schema_changes[0].to_name, "part");
  EXPECT_EQ(d.schema_changes[1].kind, FieldChange::Kind::kAdded);
  EXPECT_EQ(d.schema_changes[1].to_name, "v");
  EXPECT_EQ(d.from_specs.size(), 1u);

  ASSERT_OK_AND_ASSIGN(SnapshotDiff back, DiffSnapshots(t.io(), *md, s3.snapshot_id, s2));
  EXPECT_EQ(back.relation, "backward");
  EXPECT_EQ(Paths(back.added_files), (std::set<std::string>{f1.file_path}));
  EXPECT_EQ(DiffSnapshots(t.io(), *md, s1, 42).status().code(), ErrorCode::kNotFound);
}

TEST(DiffTest, SchemaFieldChanges) {
  auto a = *iceberg::ParseSchemaString("id int not null, name string, gone double");
  std::vector<iceberg::NestedField> fields = a->fields();
  fields[0].type = iceberg::Type::Long();
  fields[0].required = false;
  fields[1].name = "full";
  fields.pop_back();
  iceberg::Schema b(1, fields);
  auto changes = DiffSchemas(*a, b);
  std::vector<std::string> kinds;
  for (const auto& c : changes) kinds.push_back(std::string(FieldChangeName(c.kind)));
  EXPECT_EQ(kinds,
            (std::vector<std::string>{"type-changed", "made-optional", "renamed", "dropped"}));
}

TEST(OrphansTest, DeletesOnlyOldUnreferencedFiles) {
  TableFixture t;
  auto f1 = t.File(0, 9, "a");
  t.Append({f1});
  auto stray = [&](const std::string& relative) {
    std::string path = t.location() + "/" + relative;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path) << "x";
    return path;
  };
  const std::string lost_data = stray("data/split=z/lost.parquet");
  const std::string lost_manifest = stray("metadata/lost-m0.avro");
  const std::string future = stray("metadata/v99.metadata.json");  // a commit newer than loaded
  const auto referenced = t.FilesOnDisk();

  // Young files are protected by the default age guard.
  ASSERT_OK_AND_ASSIGN(OrphanResult r, DeleteOrphanFiles(t.ops(), {}));
  EXPECT_TRUE(r.orphans.empty());
  EXPECT_EQ(r.too_young, 2);

  const int64_t later = NowMillis() + 1000;
  ASSERT_OK_AND_ASSIGN(r, DeleteOrphanFiles(t.ops(), {.older_than_ms = later, .dry_run = true}));
  EXPECT_EQ(r.orphans, (std::vector<std::string>{lost_data, lost_manifest}));
  EXPECT_TRUE(std::filesystem::exists(lost_data));
  ASSERT_OK_AND_ASSIGN(r, DeleteOrphanFiles(t.ops(), {.older_than_ms = later}));
  EXPECT_EQ(r.orphans.size(), 2u);
  EXPECT_FALSE(std::filesystem::exists(lost_data));
  EXPECT_FALSE(std::filesystem::exists(t.location() + "/data/split=z"));  // emptied folder
  EXPECT_FALSE(std::filesystem::exists(lost_manifest));
  EXPECT_TRUE(std::filesystem::exists(future));
  EXPECT_TRUE(std::filesystem::exists(f1.file_path));
  for (const auto& file : referenced) {
    if (file != lost_data && file != lost_manifest) {
      EXPECT_TRUE(std::filesystem::exists(file)) << file;
    }
  }
}

}  // namespace
}  // namespace faceberg::table
