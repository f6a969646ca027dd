// `faceberg generate` through the real binary: usage errors, --help, --json output, the hidden
// --print-sql, and one-line errors.
#include <filesystem>

#include "cli_runner.h"
#include "test_util.h"
#include "util/json.h"

namespace faceberg {
namespace {

namespace fs = std::filesystem;
using faceberg::testing::CliRun;
using faceberg::testing::ExpectJsonOutput;
using faceberg::testing::Lines;
using faceberg::testing::RunFaceberg;
using faceberg::testing::TempDir;
using ::testing::HasSubstr;

class GenerateCliTest : public ::testing::Test {
 protected:
  CliRun Run(std::vector<std::string> args) {
    args.insert(args.begin(), "generate");
    return RunFaceberg(args, tmp_.path().string());
  }
  TempDir tmp_;
};

TEST_F(GenerateCliTest, HelpDocumentsTheSchemaLanguageAndAnExample) {
  CliRun run = Run({"--help"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_THAT(run.out, HasSubstr("--split-weights"));
  EXPECT_THAT(run.out, HasSubstr("embedding(W)"));
  EXPECT_THAT(run.out, HasSubstr("Default schema: id:id"));
  EXPECT_THAT(run.out, HasSubstr("Example: faceberg generate"));
  EXPECT_THAT(run.out, ::testing::Not(HasSubstr("--print-sql")));
}

TEST_F(GenerateCliTest, MissingRowsIsAUsageError) {
  CliRun run = Run({tmp_.Join("ds")});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("--rows"));
  EXPECT_FALSE(fs::exists(tmp_.Join("ds")));
}

TEST_F(GenerateCliTest, JsonDescribesEveryFile) {
  const std::string dir = tmp_.Join("hub/datasets/o/ds");
  Json json = ExpectJsonOutput(
      Run({dir, "--rows", "1000", "--configs", "a,b", "--splits", "train,test", "--split-weights",
           "3,1", "--shards", "2", "--seed", "9", "--compression", "snappy", "--json"}));
  ASSERT_TRUE(json.is_object());
  EXPECT_EQ(json["rows"], 2000);
  ASSERT_EQ(json["configs"].size(), 2u);
  EXPECT_EQ(json["configs"][1]["name"], "b");
  EXPECT_EQ(json["configs"][1]["dir"], "b");
  EXPECT_EQ(json["configs"][0]["splits"][0]["rows"], 750);
  EXPECT_EQ(json["configs"][0]["splits"][1]["rows"], 250);
  int64_t bytes = 0;
  for (const auto& config : json["configs"]) {
    EXPECT_THAT(config["sql"].get<std::string>(), HasSubstr("FROM range(0, 1000)"));
    for (const auto& split : config["splits"]) {
      ASSERT_EQ(split["files"].size(), 2u);
      for (const auto& file : split["files"]) {
        const fs::path path = fs::path(dir) / file["path"].get<std::string>();
        EXPECT_TRUE(fs::exists(path)) << path;
        EXPECT_EQ(file["bytes"].get<int64_t>(), static_cast<int64_t>(fs::file_size(path)));
        bytes += file["bytes"].get<int64_t>();
      }
    }
  }
  EXPECT_EQ(json["bytes"].get<int64_t>(), bytes);
  EXPECT_TRUE(fs::exists(fs::path(dir) / "a/test-00001-of-00002.parquet"));
  EXPECT_TRUE(fs::exists(fs::path(dir) / "README.md"));

  // A second run refuses the folder; --overwrite replaces the files.
  CliRun again = Run({dir, "--rows", "10"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_EQ(Lines(again.err), 1) << again.err;
  EXPECT_THAT(again.err, HasSubstr("--overwrite"));
  CliRun overwrite = Run({dir, "--rows", "10", "--overwrite"});
  EXPECT_EQ(overwrite.exit_code, 0) << overwrite.err;
  EXPECT_THAT(overwrite.out, HasSubstr("wrote 10 rows"));
}

TEST_F(GenerateCliTest, PrintSqlWritesNothing) {
  CliRun run = Run({tmp_.Join("ds"), "--rows", "5", "--schema", "x:id", "--print-sql"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "SELECT range::BIGINT AS \"x\" FROM range(0, 5)\n");
  EXPECT_FALSE(fs::exists(tmp_.Join("ds")));
}

TEST_F(GenerateCliTest, BadSchemaIsOneLine) {
  CliRun run = Run({tmp_.Join("ds"), "--rows", "5", "--schema", "x:blob"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(Lines(run.err), 1) << run.err;
  EXPECT_THAT(run.err, HasSubstr("unknown kind 'blob'"));
}

}  // namespace
}  // namespace faceberg
