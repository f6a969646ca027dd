// End-to-end tests of the faceberg binary: exit codes, one-line errors, --json output.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "cli_runner.h"
#include "test_util.h"
#include "util/json.h"

namespace faceberg {
namespace {

using faceberg::testing::CliRun;
using faceberg::testing::Lines;
using faceberg::testing::TempDir;

// Runs the binary with `args`, its stderr kept in `dir`.
CliRun Faceberg(const std::vector<std::string>& args, const TempDir& dir) {
  return testing::RunFaceberg(args, dir.path().string());
}

TEST(CliTest, VersionAndHelp) {
  TempDir dir;
  CliRun v = Faceberg({"--version"}, dir);
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_THAT(v.out, ::testing::StartsWith("faceberg "));
  CliRun h = Faceberg({"--help"}, dir);
  EXPECT_EQ(h.exit_code, 0);
  for (const char* command : {"init", "create", "add-files", "list", "snapshots", "inspect"}) {
    EXPECT_THAT(h.out, ::testing::HasSubstr(command));
  }
  CliRun ch = Faceberg({"create", "--help"}, dir);
  EXPECT_EQ(ch.exit_code, 0);
  EXPECT_THAT(ch.out, ::testing::HasSubstr("--partition-by"));
  EXPECT_THAT(ch.out, ::testing::HasSubstr("Example"));
}

// Every command listed by --help shows its usage, options and at least one example.
TEST(CliTest, EveryCommandHasHelpWithAnExample) {
  TempDir dir;
  CliRun top = Faceberg({"--help"}, dir);
  ASSERT_EQ(top.exit_code, 0);
  const auto at = top.out.find("Subcommands:");
  ASSERT_NE(at, std::string::npos) << top.out;
  std::vector<std::vector<std::string>> commands;
  std::istringstream lines(top.out.substr(at));
  std::string line;
  std::getline(lines, line);
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string name;
    if (!(words >> name)) continue;
    commands.push_back(name == "hub" ? std::vector<std::string>{"hub", "serve"}
                                     : std::vector<std::string>{name});
  }
  EXPECT_GE(commands.size(), 30u);
  for (auto args : commands) {
    args.push_back("--help");
    CliRun help = Faceberg(args, dir);
    EXPECT_EQ(help.exit_code, 0) << args[0];
    EXPECT_THAT(help.out, ::testing::HasSubstr("Usage:")) << args[0];
    EXPECT_THAT(help.out, ::testing::HasSubstr("Example")) << args[0];
  }
}

// Regression: a broken faceberg.yml stopped every command, even with --catalog given.
TEST(CliTest, ABrokenConfigStopsOnlyTheCommandsThatReadIt) {
  TempDir dir;
  const std::string config = dir.Join("faceberg.yml");
  {
    std::ofstream out(config);
    out << "catalog:\n  location: [\n";
  }
  CliRun init = Faceberg({"--config", config, "--catalog", dir.Join("cat"), "init"}, dir);
  EXPECT_EQ(init.exit_code, 0) << init.err;
  CliRun list = Faceberg({"--config", config, "list"}, dir);
  EXPECT_EQ(list.exit_code, 1);
  EXPECT_THAT(list.err, ::testing::HasSubstr("faceberg.yml:"));
  EXPECT_EQ(Lines(list.err), 1);
  CliRun create = Faceberg({"--config", config, "--catalog", dir.Join("cat"), "create"}, dir);
  EXPECT_EQ(create.exit_code, 1);
  EXPECT_THAT(create.err, ::testing::HasSubstr("invalid YAML"));
}

TEST(CliTest, UsageErrorsExitTwoWithOneLine) {
  TempDir dir;
  CliRun none = Faceberg({}, dir);
  EXPECT_EQ(none.exit_code, 2);
  CliRun unknown = Faceberg({"frobnicate"}, dir);
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, ::testing::StartsWith("error: "));
  EXPECT_THAT(unknown.err, ::testing::HasSubstr("frobnicate"));
  EXPECT_EQ(Lines(unknown.err), 1);
  CliRun bad_option = Faceberg({"list", "--nope"}, dir);
  EXPECT_EQ(bad_option.exit_code, 2);
  EXPECT_EQ(Lines(bad_option.err), 1);
}

TEST(CliTest, CreateAndListWithGlobalOptionsAnywhere) {
  TempDir dir;
  std::string catalog = dir.Join("cat");
  EXPECT_EQ(Faceberg({"--catalog", catalog, "init"}, dir).exit_code, 0);
  // Global options after the command work too.
  CliRun created = Faceberg({"create", "ns.t", "--schema", "id long not null, ts timestamptz",
                             "--partition-by", "day(ts)", "--catalog", catalog, "--json"},
                            dir);
  ASSERT_EQ(created.exit_code, 0) << created.err;
  ASSERT_OK_AND_ASSIGN(Json j, ParseJson(created.out, "stdout"));
  EXPECT_EQ(j["table"], "ns.t");
  CliRun listed = Faceberg({"list", "--json", "--catalog", catalog}, dir);
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  ASSERT_OK_AND_ASSIGN(Json l, ParseJson(listed.out, "stdout"));
  ASSERT_EQ(l["tables"].size(), 1u);
  EXPECT_EQ(l["tables"][0]["table"], "ns.t");
  EXPECT_EQ(l["tables"][0]["snapshots"], 0);
  CliRun snaps = Faceberg({"--catalog", catalog, "snapshots", "ns.t", "--json"}, dir);
  ASSERT_EQ(snaps.exit_code, 0);
  EXPECT_TRUE((*ParseJson(snaps.out, "stdout"))["snapshots"].empty());
}

TEST(CliTest, BadInputIsOneLineExitOneAndWritesNothing) {
  TempDir dir;
  std::string catalog = dir.Join("cat");
  ASSERT_EQ(Faceberg({"--catalog", catalog, "init"}, dir).exit_code, 0);
  auto snapshot_of_catalog = [&] {
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::recursive_directory_iterator(catalog)) {
      files.push_back(e.path().string());
    }
    std::sort(files.begin(), files.end());
    return files;
  };
  auto before = snapshot_of_catalog();
  struct Case {
    std::vector<std::string> args;
    const char* message;
  };
  std::vector<Case> cases = {
      {{"create", "t", "--schema", "id lung"}, "unknown type 'lung'"},
      {{"create", "t", "--schema", ""}, "needs --schema"},
      {{"create", "t", "--schema", "id long", "--partition-by", "day(nope)"}, "nope"},
      {{"create", "../x", "--schema", "id long"}, "table '../x'"},
      {{"snapshots", "missing"}, "does not exist"},
      {{"add-files", "missing", "x.parquet"}, "does not exist"},
      {{"inspect", dir.Join("nope.metadata.json")}, "nope.metadata.json"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = {"--catalog", catalog};
    args.insert(args.end(), c.args.begin(), c.args.end());
    CliRun r = Faceberg(args, dir);
    EXPECT_EQ(r.exit_code, 1) << c.message << ": " << r.err;
    EXPECT_THAT(r.err, ::testing::StartsWith("error: "));
    EXPECT_THAT(r.err, ::testing::HasSubstr(c.message));
    EXPECT_EQ(Lines(r.err), 1) << r.err;
  }
  EXPECT_EQ(snapshot_of_catalog(), before);
  CliRun no_catalog = Faceberg({"--catalog", dir.Join("nowhere"), "list"}, dir);
  EXPECT_EQ(no_catalog.exit_code, 1);
  EXPECT_THAT(no_catalog.err, ::testing::HasSubstr("faceberg init"));
  EXPECT_FALSE(std::filesystem::exists(dir.Join("nowhere")));
}

// Regressions (hostile inputs): an error echoing a name with control characters or bytes that are
// not UTF-8 shows them as \xNN (no terminal escapes reach stderr), and a negative --limit is a
// usage error instead of "no limit".
TEST(CliTest, ErrorsEscapeControlBytesAndNegativeLimitIsAUsageError) {
  TempDir dir;
  std::string catalog = dir.Join("cat");
  ASSERT_EQ(Faceberg({"--catalog", catalog, "init"}, dir).exit_code, 0);
  CliRun escaped =
      Faceberg({"--catalog", catalog, "create", "a\x1b[2J\tb\xff", "--schema", "id long"}, dir);
  EXPECT_EQ(escaped.exit_code, 1);
  EXPECT_THAT(escaped.err, ::testing::HasSubstr("a\\x1b[2J\\x09b\\xff"));
  EXPECT_EQ(escaped.err.find('\x1b'), std::string::npos) << escaped.err;
  EXPECT_EQ(Lines(escaped.err), 1) << escaped.err;
  ASSERT_EQ(Faceberg({"--catalog", catalog, "create", "t", "--schema", "id long"}, dir).exit_code,
            0);
  CliRun limit = Faceberg({"--catalog", catalog, "scan", "t", "--limit", "-1"}, dir);
  EXPECT_EQ(limit.exit_code, 2) << limit.err;
  EXPECT_THAT(limit.err, ::testing::HasSubstr("--limit"));
  EXPECT_EQ(Lines(limit.err), 1) << limit.err;
}

// Every table command through the real binary, on the file catalog and the SQL catalog.
class CliCatalogTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    catalog_ = GetParam() == "file" ? dir_.Join("cat") : "sqlite:" + dir_.Join("cat.db");
    ASSERT_EQ(Fb({"init"}).exit_code, 0);
  }
  CliRun Fb(std::vector<std::string> args) {
    args.insert(args.begin(), {"--catalog", catalog_});
    return Faceberg(args, dir_);
  }
  Json FbJson(std::vector<std::string> args) {
    args.push_back("--json");
    return testing::ExpectJsonOutput(Fb(args));
  }
  TempDir dir_;
  std::string catalog_;
};

TEST_P(CliCatalogTest, EveryTableCommand) {
  ASSERT_EQ(
      Fb({"create", "db.t", "--schema", "id long not null, name string", "--property", "owner=me"})
          .exit_code,
      0);
  Json first = FbJson({"insert", "db.t", "--values", "(1, 'a'), (2, 'b')"});
  EXPECT_EQ(first["added-records"], 2);
  Json second = FbJson({"insert", "db.t", "--values", "(3, NULL)"});
  int64_t s1 = first["snapshot-id"], s2 = second["snapshot-id"];

  Json info = FbJson({"info", "db.t"});
  EXPECT_EQ(info["rows"], 3);
  EXPECT_EQ(info["snapshots"], 2);
  EXPECT_EQ(info["current-snapshot-id"], s2);
  EXPECT_EQ(info["properties"]["owner"], "me");

  Json history = FbJson({"history", "db.t"});
  ASSERT_EQ(history["history"].size(), 2u);
  EXPECT_EQ(history["history"][0]["snapshot-id"], s1);
  EXPECT_EQ(history["history"][1]["is-current-ancestor"], true);

  EXPECT_EQ(Fb({"tag", "db.t", "v1", "--snapshot", std::to_string(s1)}).exit_code, 0);
  CliRun again = Fb({"tag", "db.t", "v1"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, ::testing::HasSubstr("--replace"));
  EXPECT_EQ(Fb({"branch", "db.t", "dev", "--snapshot", std::to_string(s1)}).exit_code, 0);
  EXPECT_EQ(Fb({"insert", "db.t", "--values", "(10, 'dev')", "--branch", "dev"}).exit_code, 0);
  Json refs = FbJson({"refs", "db.t"});
  std::map<std::string, std::string> kinds;
  for (const auto& r : refs["refs"]) kinds[r["name"]] = r["type"];
  EXPECT_EQ(kinds, (std::map<std::string, std::string>{
                       {"dev", "branch"}, {"main", "branch"}, {"v1", "tag"}}));

  auto count_rows = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"scan", "db.t", "--format", "csv"};
    args.insert(args.end(), extra.begin(), extra.end());
    CliRun r = Fb(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Lines(r.out) - 1;  // minus the header
  };
  EXPECT_EQ(count_rows({}), 3);  // the branch insert did not touch main
  EXPECT_EQ(count_rows({"--ref", "v1"}), 2);
  EXPECT_EQ(count_rows({"--ref", "dev"}), 3);
  EXPECT_EQ(count_rows({"--snapshot", std::to_string(s1)}), 2);
  EXPECT_EQ(count_rows({"--where", "name IS NULL"}), 1);
  EXPECT_EQ(count_rows({"--limit", "1"}), 1);
  EXPECT_EQ(Fb({"tag", "db.t", "v1", "--drop"}).exit_code, 0);
  EXPECT_EQ(FbJson({"refs", "db.t"})["refs"].size(), 2u);

  Json props = FbJson({"properties", "db.t", "set", "a=1", "b=2", "unset", "owner"});
  EXPECT_EQ(props["properties"]["a"], "1");
  EXPECT_FALSE(props["properties"].contains("owner"));

  CliRun sql = Fb({"sql", "SELECT count(*) AS n FROM db.t", "--format", "json"});
  ASSERT_EQ(sql.exit_code, 0) << sql.err;
  EXPECT_EQ((*ParseJson(sql.out, "stdout"))["n"], 3);
  // Regression: DuckDB's "Did you mean" hints span lines; the error must stay one line.
  CliRun typo = Fb({"sql", "SELECT coun(*) FROM db.t"});
  EXPECT_EQ(typo.exit_code, 1);
  EXPECT_EQ(Lines(typo.err), 1) << typo.err;

  std::string out = dir_.Join("out.parquet");
  EXPECT_EQ(Fb({"scan", "db.t", "--format", "parquet", "--output", out}).exit_code, 0);
  EXPECT_TRUE(std::filesystem::exists(out));
  EXPECT_EQ(Fb({"scan", "db.t", "--format", "parquet"}).exit_code, 1);  // needs --output

  EXPECT_EQ(Fb({"rename", "db.t", "db.u"}).exit_code, 0);
  EXPECT_EQ(Fb({"scan", "db.t"}).exit_code, 1);
  EXPECT_EQ(FbJson({"info", "db.u"})["rows"], 3);
  Json listed = FbJson({"list"});
  ASSERT_EQ(listed["tables"].size(), 1u);
  EXPECT_EQ(listed["tables"][0]["table"], "db.u");
  EXPECT_EQ(Fb({"drop", "db.u", "--purge"}).exit_code, 0);
  EXPECT_TRUE(FbJson({"list"})["tables"].empty());
  CliRun missing = Fb({"drop", "db.u"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(Lines(missing.err), 1);
}

INSTANTIATE_TEST_SUITE_P(BothCatalogs, CliCatalogTest, ::testing::Values("file", "sqlite"));

}  // namespace
}  // namespace faceberg
