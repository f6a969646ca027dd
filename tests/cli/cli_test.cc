// End-to-end tests of the faceberg binary: exit codes, one-line errors, --json output.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>

#include "test_util.h"
#include "util/json.h"

namespace faceberg {
namespace {

using faceberg::testing::TempDir;

struct CliRun {
  int exit_code;
  std::string out;  // stdout
  std::string err;  // stderr
};

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

CliRun Faceberg(const std::vector<std::string>& args, const TempDir& dir) {
  std::string cmd = Quote(FACEBERG_BIN);
  for (const auto& a : args) cmd += " " + Quote(a);
  std::string err_path = dir.Join("stderr.txt");
  cmd += " 2>" + Quote(err_path);
  CliRun r;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  FILE* err = std::fopen(err_path.c_str(), "r");
  while ((n = std::fread(buf.data(), 1, buf.size(), err)) > 0) r.err.append(buf.data(), n);
  std::fclose(err);
  return r;
}

int Lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

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
  EXPECT_THAT(ch.out, ::testing::HasSubstr("Example:"));
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

}  // namespace
}  // namespace faceberg
