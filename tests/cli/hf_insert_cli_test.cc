// insert through the real binary against `faceberg hub serve` run as a child process: into an
// HF-backed table (the rows become a commit of the dataset repo; sync finds it unchanged), and
// into a plain table of an hf:// catalog (the files go to the local mirror; scan, orphans and
// drop --purge work there).
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "cli_runner.h"
#include "engine/database.h"
#include "server_process.h"
#include "test_util.h"
#include "util/json.h"
#include "util/time.h"

namespace faceberg {
namespace {

namespace fs = std::filesystem;
using faceberg::testing::CliRun;
using faceberg::testing::HubProcess;
using faceberg::testing::TempDir;
using ::testing::HasSubstr;

// Parquet files with an int id and a string name column, written by DuckDB.
void WriteParquet(const std::string& path, int first, int count) {
  fs::create_directories(fs::path(path).parent_path());
  auto db = engine::Database::Open();
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto con = engine::Connection::Open(**db);
  ASSERT_TRUE(con.ok()) << con.status().ToString();
  ASSERT_TRUE((*con)
                  ->Execute(fmt::format("COPY (SELECT range::INTEGER AS id, 'n' || range AS name "
                                        "FROM range({}, {})) TO '{}' (FORMAT parquet)",
                                        first, first + count, path))
                  .ok());
}

class HfInsertCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteParquet(dir_.Join("hub/datasets/o/ds/data/train-00000-of-00001.parquet"), 0, 5);
    WriteParquet(dir_.Join("hub/datasets/o/ds/data/test-00000-of-00001.parquet"), 100, 2);
    hub_ = std::make_unique<HubProcess>(dir_.Join("hub"));
    ASSERT_FALSE(hub_->endpoint().empty()) << "faceberg hub serve did not start";
    testing::UseHubInChildren(*hub_);
    ::setenv("FACEBERG_CACHE_DIR", dir_.Join("cache").c_str(), 1);
  }
  void TearDown() override { ::unsetenv("FACEBERG_CACHE_DIR"); }

  // Runs faceberg with `global` options, then `args`.
  CliRun Run(const std::vector<std::string>& global, const std::vector<std::string>& args) {
    std::vector<std::string> all = global;
    all.insert(all.end(), args.begin(), args.end());
    return testing::RunFaceberg(all, dir_.path().string());
  }

  Json RunJson(const std::vector<std::string>& global, std::vector<std::string> args) {
    args.push_back("--json");
    return testing::ExpectJsonOutput(Run(global, args));
  }

  TempDir dir_;
  std::unique_ptr<HubProcess> hub_;
};

TEST_F(HfInsertCliTest, InsertIntoAnHfBackedTableCommitsIntoTheDataset) {
  fs::create_directories(dir_.Join("work"));
  const std::string config = dir_.Join("work/faceberg.yml");
  std::ofstream(config) << "catalog:\n  location: cat\ndatasets:\n  - name: ds\n    repo: o/ds\n";
  const std::vector<std::string> global = {"--config", config};
  CliRun init = Run(global, {"init"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  CliRun created = Run(global, {"create"});
  ASSERT_EQ(created.exit_code, 0) << created.err;

  Json inserted =
      RunJson(global, {"insert", "ds_default", "--values",
                       "(1000, 'a', 'train'), (1001, 'b', 'test'), (1002, 'c', 'train')"});
  EXPECT_EQ(inserted["table"], "default.ds_default");
  EXPECT_EQ(inserted["added-records"], 3);
  EXPECT_EQ(inserted["added-data-files"], 2);
  EXPECT_EQ(inserted["repo"], "o/ds");
  const std::string commit = inserted["commit"].get<std::string>();
  EXPECT_EQ(commit.size(), 40u);
  ASSERT_EQ(inserted["files"].size(), 2u);
  for (const auto& f : inserted["files"]) {
    const std::string split = f["split"].get<std::string>();
    EXPECT_THAT(f["path"].get<std::string>(),
                ::testing::StartsWith("data/" + split + "-00000-of-00001-"));
  }

  CliRun counted = Run(global, {"sql",
                                "SELECT split, count(*) AS n FROM default.ds_default GROUP BY 1 "
                                "ORDER BY 1",
                                "--format", "csv"});
  ASSERT_EQ(counted.exit_code, 0) << counted.err;
  EXPECT_THAT(counted.out, HasSubstr("test,3"));
  EXPECT_THAT(counted.out, HasSubstr("train,7"));

  Json synced = RunJson(global, {"sync"});
  ASSERT_EQ(synced["tables"].size(), 1u);
  EXPECT_EQ(synced["tables"][0]["unchanged"], true);
  EXPECT_EQ(synced["tables"][0]["commit"], commit);

  // The text form names the dataset commit; another insert builds on it.
  CliRun again = Run(global, {"insert", "ds_default", "--values", "(1003, 'd', 'test')"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("inserted 1 rows into default.ds_default"));
  EXPECT_THAT(again.out, HasSubstr("o/ds commit"));
  EXPECT_THAT(again.out, HasSubstr("data/test-00000-of-00001-"));

  // Branches of the table are not for HF-backed inserts: one line that says so.
  CliRun branch =
      Run(global, {"insert", "ds_default", "--values", "(1, 'x', 'train')", "--branch", "dev"});
  EXPECT_EQ(branch.exit_code, 1);
  EXPECT_THAT(branch.err, ::testing::StartsWith("error: "));
  EXPECT_THAT(branch.err, HasSubstr("leave out --branch"));
  EXPECT_EQ(testing::Lines(branch.err), 1);
}

TEST_F(HfInsertCliTest, PlainInsertIntoATableOfAMirroredCatalog) {
  const std::string mirror = dir_.Join("mirror");
  const std::vector<std::string> global = {"--catalog", "hf://datasets/alice/cat", "--mirror",
                                           mirror};
  ASSERT_EQ(Run(global, {"init"}).exit_code, 0);
  CliRun created =
      Run(global, {"create", "t", "--schema", "id long, part string", "--partition-by", "part"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  Json inserted = RunJson(global, {"insert", "t", "--values", "(1, 'a'), (2, 'b'), (3, 'a')"});
  EXPECT_EQ(inserted["added-records"], 3);
  EXPECT_EQ(inserted["added-data-files"], 2);
  int data_files = 0;
  for (const auto& e : fs::recursive_directory_iterator(mirror + "/default/t/data")) {
    if (e.is_regular_file() && e.path().extension() == ".parquet") ++data_files;
  }
  EXPECT_EQ(data_files, 2);

  CliRun scanned = Run(global, {"scan", "t", "--format", "csv", "--select", "id"});
  ASSERT_EQ(scanned.exit_code, 0) << scanned.err;
  for (const char* id : {"1", "2", "3"}) EXPECT_THAT(scanned.out, HasSubstr(id));
  // The mirror's files were read where they are: nothing was copied into the cache.
  EXPECT_FALSE(fs::exists(dir_.Join("cache/data")));
  EXPECT_FALSE(fs::exists(dir_.Join("cache/volatile")));

  // orphans works in the mirror folder.
  const std::string stray = mirror + "/default/t/data/stray.parquet";
  std::ofstream(stray) << "x";
  Json orphans =
      RunJson(global, {"orphans", "t", "--older-than", std::to_string(NowMillis() + 60'000)});
  EXPECT_THAT(orphans.dump(), HasSubstr("stray.parquet"));
  EXPECT_FALSE(fs::exists(stray));
  CliRun still = Run(global, {"scan", "t", "--format", "csv", "--select", "id"});
  EXPECT_EQ(still.out, scanned.out);

  // drop --purge removes the table's folder from the mirror.
  CliRun dropped = Run(global, {"drop", "t", "--purge"});
  ASSERT_EQ(dropped.exit_code, 0) << dropped.err;
  EXPECT_FALSE(fs::exists(mirror + "/default/t"));
}

}  // namespace
}  // namespace faceberg
