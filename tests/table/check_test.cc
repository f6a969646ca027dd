#include "table/check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "table/snapshot_ops.h"
#include "table_fixture.h"

namespace faceberg::table {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::TableFixture;

// A fixture file whose on-disk size matches the 100 bytes its manifest entry records.
iceberg::DataFile SizedFile(TableFixture& t, int64_t min_id, int64_t max_id,
                            const std::string& split) {
  iceberg::DataFile f = t.File(min_id, max_id, split);
  fs::resize_file(f.file_path, 100);
  return f;
}

TEST(CheckTableTest, AWholeTableHasNoProblems) {
  TableFixture t;
  t.Append({SizedFile(t, 1, 5, "a"), SizedFile(t, 6, 9, "b")});
  t.Append({SizedFile(t, 10, 12, "a")});
  ASSERT_OK_AND_ASSIGN(TableCheck check, CheckTable(t.io(), *t.Current()));
  EXPECT_TRUE(check.ok());
  EXPECT_EQ(check.snapshots, 2u);
  // 2 manifest lists, 2 manifests (the second commit lists the first one's manifest again) and
  // 3 data files.
  EXPECT_EQ(check.files_checked, 7u);
}

TEST(CheckTableTest, AnEmptyTableHasNoProblems) {
  TableFixture t;
  ASSERT_OK_AND_ASSIGN(TableCheck check, CheckTable(t.io(), *t.Current()));
  EXPECT_TRUE(check.ok());
  EXPECT_EQ(check.files_checked, 0u);
}

TEST(CheckTableTest, ReportsAMissingDataFileOnce) {
  TableFixture t;
  iceberg::DataFile gone = SizedFile(t, 1, 5, "a");
  const int64_t first = t.Append({gone});
  t.Append({SizedFile(t, 6, 9, "b")});
  fs::remove(gone.file_path);
  ASSERT_OK_AND_ASSIGN(TableCheck check, CheckTable(t.io(), *t.Current()));
  ASSERT_EQ(check.problems.size(), 1u);  // both snapshots reach it; it is reported once
  EXPECT_THAT(check.problems[0], HasSubstr("snapshot " + std::to_string(first)));
  EXPECT_THAT(check.problems[0], HasSubstr(gone.file_path + " is missing"));
}

TEST(CheckTableTest, ReportsASizeThatDiffersFromTheManifest) {
  TableFixture t;
  iceberg::DataFile f = SizedFile(t, 1, 5, "a");
  t.Append({f});
  fs::resize_file(f.file_path, 90);
  ASSERT_OK_AND_ASSIGN(TableCheck check, CheckTable(t.io(), *t.Current()));
  EXPECT_THAT(check.problems, ElementsAre(HasSubstr("has 90 bytes, but 100 are recorded")));
  CheckOptions no_sizes;
  no_sizes.verify_sizes = false;
  ASSERT_OK_AND_ASSIGN(check, CheckTable(t.io(), *t.Current(), no_sizes));
  EXPECT_TRUE(check.ok());
}

TEST(CheckTableTest, ReportsUnreadableManifestsAndManifestLists) {
  TableFixture t;
  t.Append({SizedFile(t, 1, 5, "a")});
  t.Append({SizedFile(t, 6, 9, "b")});
  auto md = t.Current();
  const auto& first = md->snapshots[0];
  const auto& second = md->snapshots[1];
  // A truncated manifest list for the second snapshot, a missing one for the first.
  fs::resize_file(second.manifest_list, 10);
  fs::remove(first.manifest_list);
  ASSERT_OK_AND_ASSIGN(TableCheck check, CheckTable(t.io(), *md));
  EXPECT_THAT(check.problems,
              ElementsAre(HasSubstr("manifest list " + first.manifest_list + " is missing"),
                          HasSubstr("manifest list " + second.manifest_list + " cannot be read")));
}

TEST(CheckTableTest, ReportsARefToAnUnknownSnapshot) {
  TableFixture t;
  t.Append({SizedFile(t, 1, 5, "a")});
  iceberg::TableMetadata md = *t.Current();
  md.refs["ghost"] = iceberg::SnapshotRef{.snapshot_id = 42};
  ASSERT_OK_AND_ASSIGN(TableCheck check, CheckTable(t.io(), md));
  EXPECT_THAT(check.problems, ElementsAre(HasSubstr("ref 'ghost' names snapshot 42")));
}

}  // namespace
}  // namespace faceberg::table
