// push and pull through the real binary, against `faceberg hub serve` run as a child process:
// an hf:// catalog created, pushed, pulled into a second mirror, refused pulls, conflicts, and
// crashes at the mirror's failure points leaving nothing half-done.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "test_util.h"
#include "util/json.h"

extern char** environ;

namespace faceberg {
namespace {

namespace fs = std::filesystem;
using faceberg::testing::TempDir;
using ::testing::HasSubstr;

constexpr char kCatalog[] = "hf://datasets/alice/cat";

struct CliRun {
  int exit_code;
  std::string out;
  std::string err;
};

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// `faceberg hub serve --root ROOT --port 0`, stopped (SIGTERM) and reaped on destruction.
class HubProcess {
 public:
  explicit HubProcess(const std::string& root) {
    int fds[2];
    if (::pipe(fds) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    std::vector<std::string> args = {FACEBERG_BIN, "hub",    "serve", "--root",
                                     root,         "--port", "0",     "-q"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, FACEBERG_BIN, &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    // The first stdout line is "serving http://127.0.0.1:PORT".
    std::string line;
    char c;
    while (::read(fds[0], &c, 1) == 1 && c != '\n') line += c;
    ::close(fds[0]);
    const std::string prefix = "serving ";
    if (line.rfind(prefix, 0) == 0) endpoint_ = line.substr(prefix.size());
  }
  ~HubProcess() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  HubProcess(const HubProcess&) = delete;
  HubProcess& operator=(const HubProcess&) = delete;

  const std::string& endpoint() const { return endpoint_; }

 private:
  pid_t pid_ = -1;
  std::string endpoint_;
};

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
    // The children talk to the local hub, anonymously, whatever this machine has configured.
    ::setenv("HF_ENDPOINT", hub_->endpoint().c_str(), 1);
    ::setenv("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1", 1);
    for (const char* name : {"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_HUB_OFFLINE",
                             "FACEBERG_CATALOG", "FACEBERG_MIRROR", "FACEBERG_FAILPOINT"}) {
      ::unsetenv(name);
    }
  }

  // Runs faceberg on the hf:// catalog with mirror folder `mirror` (under the temp folder);
  // `env` is prepended to the command ("NAME=value ...").
  CliRun Run(const std::string& mirror, const std::vector<std::string>& args,
             const std::string& env = "") {
    std::string cmd = env + " " + Quote(FACEBERG_BIN) + " --catalog " + Quote(kCatalog) +
                      " --mirror " + Quote(dir_.Join(mirror));
    for (const auto& a : args) cmd += " " + Quote(a);
    std::string err_path = dir_.Join("stderr.txt");
    cmd += " 2>" + Quote(err_path);
    CliRun r;
    FILE* pipe = ::popen(cmd.c_str(), "r");
    std::array<char, 4096> buf;
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
    int status = ::pclose(pipe);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream in(err_path);
    r.err.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return r;
  }

  Json RunJson(const std::string& mirror, std::vector<std::string> args) {
    args.push_back("--json");
    CliRun r = Run(mirror, args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto j = ParseJson(r.out, "stdout");
    EXPECT_TRUE(j.ok()) << r.out;
    return j.ok() ? *j : Json();
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
  std::string cmd = "FACEBERG_MIRROR=" + Quote(dir_.Join("env-mirror")) + " " +
                    Quote(FACEBERG_BIN) + " --catalog " + Quote(kCatalog) + " pull >/dev/null 2>&1";
  int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_TRUE(fs::exists(dir_.Join("env-mirror/catalog.json")));
}

TEST_F(MirrorCliTest, RefusedPullsAndConflictsAreOneLineErrors) {
  PushAndPullOneTable();
  ASSERT_EQ(Run("b", {"properties", "t", "set", "k=b"}).exit_code, 0);
  CliRun refused = Run("b", {"pull"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, ::testing::StartsWith("error: "));
  EXPECT_THAT(refused.err, HasSubstr("push them first, or pass --force"));
  EXPECT_EQ(std::count(refused.err.begin(), refused.err.end(), '\n'), 1);

  ASSERT_EQ(Run("a", {"properties", "t", "set", "k=a"}).exit_code, 0);
  ASSERT_EQ(Run("a", {"push"}).exit_code, 0);
  CliRun conflict = Run("b", {"push"});
  EXPECT_EQ(conflict.exit_code, 1);
  EXPECT_THAT(conflict.err, HasSubstr("table 'default.t' changed both"));
  EXPECT_EQ(std::count(conflict.err.begin(), conflict.err.end(), '\n'), 1);

  Json forced = RunJson("b", {"pull", "--force"});
  EXPECT_FALSE(forced["discarded"]["added"].empty());
  Json props = RunJson("b", {"properties", "t"});
  EXPECT_EQ(props["properties"]["k"], "a");

  // push and pull need an hf:// catalog.
  std::string cmd = Quote(FACEBERG_BIN) + " --catalog " + Quote(dir_.Join("plain")) + " push 2>" +
                    Quote(dir_.Join("plain.txt"));
  int status = std::system(cmd.c_str());
  EXPECT_EQ(WEXITSTATUS(status), 1);
  std::ifstream in(dir_.Join("plain.txt"));
  std::string err(std::istreambuf_iterator<char>(in), {});
  EXPECT_THAT(err, HasSubstr("hf://datasets/OWNER/REPO"));
}

TEST_F(MirrorCliTest, ACrashBeforeThePullSwapLeavesTheOldMirror) {
  PushAndPullOneTable();
  ASSERT_EQ(Run("a", {"properties", "t", "set", "k=v"}).exit_code, 0);
  ASSERT_EQ(Run("a", {"push"}).exit_code, 0);
  auto before = FolderFiles(dir_.Join("b"));
  CliRun crashed = Run("b", {"pull"}, "FACEBERG_FAILPOINT=before-pull-swap");
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
  CliRun crashed = Run("a", {"push"}, "FACEBERG_FAILPOINT=after-push-commit");
  EXPECT_EQ(crashed.exit_code, 86);
  Json again = RunJson("a", {"push"});
  EXPECT_EQ(again["nothing-to-push"], true);
  ASSERT_EQ(Run("b", {"pull"}).exit_code, 0);
  Json props = RunJson("b", {"properties", "t"});
  EXPECT_EQ(props["properties"]["k"], "v");
  // A crash before the commit leaves the change to push.
  ASSERT_EQ(Run("a", {"properties", "t", "set", "k=w"}).exit_code, 0);
  EXPECT_EQ(Run("a", {"push"}, "FACEBERG_FAILPOINT=before-push-commit").exit_code, 86);
  Json pushed = RunJson("a", {"push"});
  EXPECT_EQ(pushed["nothing-to-push"], false);
}

}  // namespace
}  // namespace faceberg
