// push and pull through the real binary, against `faceberg hub serve` run as a child process:
// an hf:// catalog created, pushed, pulled into a second mirror, refused pulls, conflicts, and
// crashes at the mirror's failure points leaving nothing half-done.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "cli_runner.h"
#include "server_process.h"
#include "test_util.h"
#include "util/json.h"

namespace faceberg {
namespace {

namespace fs = std::filesystem;
using faceberg::testing::CliRun;
using faceberg::testing::HubProcess;
using faceberg::testing::Lines;
using faceberg::testing::TempDir;
using ::testing::HasSubstr;

constexpr char kCatalog[] = "hf://datasets/alice/cat";

// Every file of a folder (relative path -> content), the lock file left out.
std::map<std::string, std::string> FolderFiles(const std::string& root) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file() || e.path().filename() == ".catalog.lock") continue;
    std::ifstream in(e.path(), std::ios::binary);
    out[e.path().lexically_relative(root).generic_string()] =
        std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return out;
}

class MirrorCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_.Join("hub"));
    hub_ = std::make_unique<HubProcess>(dir_.Join("hub"));
    ASSERT_FALSE(hub_->endpoint().empty()) << "faceberg hub serve did not start";
    testing::UseHubInChildren(*hub_);
  }

  // Runs faceberg on the hf:// catalog with mirror folder `mirror` (under the temp folder), with
  // the environment assignments `env` ("NAME=value").
  CliRun Run(const std::string& mirror, const std::vector<std::string>& args,
             const std::vector<std::string>& env = {}) {
    std::vector<std::string> all = {"--catalog", kCatalog, "--mirror", dir_.Join(mirror)};
    all.insert(all.end(), args.begin(), args.end());
    return testing::RunFaceberg(all, dir_.path().string(), env);
  }

  Json RunJson(const std::string& mirror, std::vector<std::string> args) {
    args.push_back("--json");
    return testing::ExpectJsonOutput(Run(mirror, args));
  }

  // Mirror "a" holds default.t, pushed; mirror "b" pulled it.
  void PushAndPullOneTable() {
    ASSERT_EQ(Run("a", {"init"}).exit_code, 0);
    CliRun created = Run("a", {"create", "t", "--schema", "id long, name string"});
    ASSERT_EQ(created.exit_code, 0) << created.err;
    CliRun pushed = Run("a", {"push"});
    ASSERT_EQ(pushed.exit_code, 0) << pushed.err;
    CliRun pulled = Run("b", {"pull"});
    ASSERT_EQ(pulled.exit_code, 0) << pulled.err;
  }

  TempDir dir_;
  std::unique_ptr<HubProcess> hub_;
};

TEST_F(MirrorCliTest, PushAndPullShareTheCatalog) {
  ASSERT_EQ(Run("a", {"init"}).exit_code, 0);
  ASSERT_EQ(Run("a", {"create", "t", "--schema", "id long"}).exit_code, 0);
  ASSERT_EQ(Run("a", {"properties", "t", "set", "owner=alice"}).exit_code, 0);
  Json pushed = RunJson("a", {"push"});
  EXPECT_EQ(pushed["nothing-to-push"], false);
  EXPECT_EQ(pushed["catalog"], kCatalog);
  EXPECT_FALSE(pushed["commit"].get<std::string>().empty());
  EXPECT_THAT(pushed["pushed"]["added"].dump(), HasSubstr("catalog.json"));
  EXPECT_THAT(pushed["pushed"]["added"].dump(), HasSubstr("default/t/metadata/v2.metadata.json"));
  CliRun again = Run("a", {"push"});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_THAT(again.out, HasSubstr("nothing to push"));

  Json b_pull = RunJson("b", {"pull"});
  EXPECT_FALSE(b_pull["commit"].get<std::string>().empty());
  EXPECT_EQ(b_pull["commit"], pushed["commit"]);
  Json listed = RunJson("b", {"list"});
  ASSERT_EQ(listed["tables"].size(), 1u);
  EXPECT_EQ(listed["tables"][0]["table"], "default.t");
  EXPECT_EQ(listed["tables"][0]["location"], "hf://datasets/alice/cat/default/t");
  Json props = RunJson("b", {"properties", "t"});
  EXPECT_EQ(props["properties"]["owner"], "alice");
  CliRun up_to_date = Run("b", {"pull"});
  EXPECT_THAT(up_to_date.out, HasSubstr("already up to date"));
}

TEST_F(MirrorCliTest, MirrorFolderFromTheEnvironment) {
  ASSERT_EQ(Run("a", {"init"}).exit_code, 0);
  ASSERT_EQ(Run("a", {"push"}).exit_code, 0);
  CliRun pulled = testing::RunFaceberg({"--catalog", kCatalog, "pull"}, dir_.path().string(),
                                       {"FACEBERG_MIRROR=" + dir_.Join("env-mirror")});
  EXPECT_EQ(pulled.exit_code, 0) << pulled.err;
  EXPECT_TRUE(fs::exists(dir_.Join("env-mirror/catalog.json")));
}

TEST_F(MirrorCliTest, RefusedPullsAndConflictsAreOneLineErrors) {
  PushAndPullOneTable();
  ASSERT_EQ(Run("b", {"properties", "t", "set", "k=b"}).exit_code, 0);
  CliRun refused = Run("b", {"pull"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, ::testing::StartsWith("error: "));
  EXPECT_THAT(refused.err, HasSubstr("push them first, or pass --force"));
  EXPECT_EQ(Lines(refused.err), 1);

  ASSERT_EQ(Run("a", {"properties", "t", "set", "k=a"}).exit_code, 0);
  ASSERT_EQ(Run("a", {"push"}).exit_code, 0);
  CliRun conflict = Run("b", {"push"});
  EXPECT_EQ(conflict.exit_code, 1);
  EXPECT_THAT(conflict.err, HasSubstr("table 'default.t' changed both"));
  EXPECT_EQ(Lines(conflict.err), 1);

  Json forced = RunJson("b", {"pull", "--force"});
  EXPECT_FALSE(forced["discarded"]["added"].empty());
  Json props = RunJson("b", {"properties", "t"});
  EXPECT_EQ(props["properties"]["k"], "a");

  // push and pull need an hf:// catalog.
  CliRun plain =
      testing::RunFaceberg({"--catalog", dir_.Join("plain"), "push"}, dir_.path().string());
  EXPECT_EQ(plain.exit_code, 1);
  EXPECT_THAT(plain.err, HasSubstr("hf://datasets/OWNER/REPO"));
}

TEST_F(MirrorCliTest, ACrashBeforeThePullSwapLeavesTheOldMirror) {
  PushAndPullOneTable();
  ASSERT_EQ(Run("a", {"properties", "t", "set", "k=v"}).exit_code, 0);
  ASSERT_EQ(Run("a", {"push"}).exit_code, 0);
  auto before = FolderFiles(dir_.Join("b"));
  CliRun crashed = Run("b", {"pull"}, {"FACEBERG_FAILPOINT=before-pull-swap"});
  EXPECT_EQ(crashed.exit_code, 86);
  EXPECT_EQ(FolderFiles(dir_.Join("b")), before);
  Json props = RunJson("b", {"properties", "t"});
  EXPECT_EQ(props["properties"].count("k"), 0u);
  // The next pull completes, and removes what the crashed one left beside the mirror.
  ASSERT_EQ(Run("b", {"pull"}).exit_code, 0);
  Json after = RunJson("b", {"properties", "t"});
  EXPECT_EQ(after["properties"]["k"], "v");
  for (const auto& e : fs::directory_iterator(dir_.path())) {
    EXPECT_THAT(e.path().filename().string(), ::testing::Not(HasSubstr(".pull-")));
  }
}

TEST_F(MirrorCliTest, ACrashAfterThePushCommitIsCompletedByTheNextPush) {
  PushAndPullOneTable();
  ASSERT_EQ(Run("a", {"properties", "t", "set", "k=v"}).exit_code, 0);
  CliRun crashed = Run("a", {"push"}, {"FACEBERG_FAILPOINT=after-push-commit"});
  EXPECT_EQ(crashed.exit_code, 86);
  Json again = RunJson("a", {"push"});
  EXPECT_EQ(again["nothing-to-push"], true);
  ASSERT_EQ(Run("b", {"pull"}).exit_code, 0);
  Json props = RunJson("b", {"properties", "t"});
  EXPECT_EQ(props["properties"]["k"], "v");
  // A crash before the commit leaves the change to push.
  ASSERT_EQ(Run("a", {"properties", "t", "set", "k=w"}).exit_code, 0);
  EXPECT_EQ(Run("a", {"push"}, {"FACEBERG_FAILPOINT=before-push-commit"}).exit_code, 86);
  Json pushed = RunJson("a", {"push"});
  EXPECT_EQ(pushed["nothing-to-push"], false);
}

}  // namespace
}  // namespace faceberg
