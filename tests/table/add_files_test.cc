#include "table/add_files.h"

#include <filesystem>

#include "table_fixture.h"

namespace faceberg::table {
namespace {

// Regression: a file whose name is not UTF-8 was added, and its path written into the manifest as
// an Avro string that other Iceberg readers reject.
TEST(AddFilesTest, RefusesAPathThatIsNotUtf8AndWritesNothing) {
  testing::TableFixture table("id long not null, name string", "");
  const std::string bad = table.dir().Join("bad-\xff\xfe.parquet");
  std::filesystem::copy_file(faceberg::testing::TestDataPath("parquet/duckdb_no_ids.parquet"), bad);
  const std::set<std::string> before = table.FilesOnDisk();
  EXPECT_ERROR(AddParquetFiles(table.ops(), {bad}), ErrorCode::kInvalidArgument,
               "the file name is not valid UTF-8");
  EXPECT_EQ(table.Current()->current_snapshot_id, std::nullopt);
  EXPECT_EQ(table.FilesOnDisk(), before);
}

}  // namespace
}  // namespace faceberg::table
