// Crash safety of push, pull, sync, HF inserts, dataset table creation and the REST server's
// commit path, through the real binary against `faceberg hub serve` / `faceberg serve` child
// processes: each failure point (util/failpoint.h) kills the process mid-operation, after which
// every table loads, the committed state is exactly the previous one (points before the commit)
// or the new one (points after it), the Hub repository agrees with the tables, and the operation
// succeeds when run again.
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>

#include "cli_runner.h"
#include "hub/hf_api.h"
#include "io/http_client.h"
#include "server_process.h"
#include "test_util.h"
#include "util/failpoint.h"
#include "util/json.h"

namespace faceberg {
namespace {

namespace fs = std::filesystem;
using faceberg::testing::CliRun;
using faceberg::testing::HubProcess;
using faceberg::testing::ServeProcess;
using faceberg::testing::TempDir;
using ::testing::HasSubstr;

constexpr int kFailPointExit = kFailPointExitCode;

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

// The sorted lines after the header of CSV output.
std::vector<std::string> SortedRows(const std::string& csv) {
  std::vector<std::string> lines;
  size_t start = csv.find('\n');
  start = start == std::string::npos ? csv.size() : start + 1;
  while (start < csv.size()) {
    size_t end = csv.find('\n', start);
    if (end == std::string::npos) end = csv.size();
    if (end > start) lines.push_back(csv.substr(start, end - start));
    start = end + 1;
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

// A temporary folder with a fresh local hub that the children talk to; one per crash case, so
// the cases share no repository state.
class HubWorld {
 public:
  HubWorld() {
    fs::create_directories(dir_.Join("hub"));
    hub_ = std::make_unique<HubProcess>(dir_.Join("hub"));
    if (hub_->endpoint().empty()) return;
    testing::UseHubInChildren(*hub_);
    ::setenv("FACEBERG_CACHE_DIR", dir_.Join("cache").c_str(), 1);
    hub::HfApiOptions options;
    options.endpoint = hub_->endpoint();
    options.token = hub::HfToken();
    auto api = hub::HfApi::Make(options);
    if (api.ok()) api_ = std::move(*api);
  }
  ~HubWorld() { ::unsetenv("FACEBERG_CACHE_DIR"); }

  bool started() const { return !hub_->endpoint().empty() && api_ != nullptr; }
  std::string Join(const std::string& p) const { return dir_.Join(p); }
  std::string path() const { return dir_.path().string(); }

  // Runs faceberg with `args`; FACEBERG_FAILPOINT=`failpoint` when it is not empty.
  CliRun Run(const std::vector<std::string>& args, const std::string& failpoint = "") const {
    std::vector<std::string> env;
    if (!failpoint.empty()) env.push_back("FACEBERG_FAILPOINT=" + failpoint);
    return testing::RunFaceberg(args, dir_.path().string(), env);
  }
  Json RunJson(std::vector<std::string> args) const {
    args.push_back("--json");
    return testing::ExpectJsonOutput(Run(args));
  }
  // The head commit of `repo` ("OWNER/NAME") on main.
  std::string Head(const std::string& repo) const {
    auto head = api_->ResolveRevision(repo, "main");
    EXPECT_TRUE(head.ok()) << head.status().ToString();
    return head.ok() ? *head : "";
  }
  const hub::HfApi& api() const { return *api_; }

 private:
  TempDir dir_;
  std::unique_ptr<HubProcess> hub_;
  std::unique_ptr<hub::HfApi> api_;
};

// ---- HF-backed tables: create, sync, insert ----

// A dataset o/ds (splits train and test, written by a faceberg insert into a scratch table of a
// plain catalog, then copied into the hub folder), and a work folder whose faceberg.yml maps it.
class DatasetCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    world_ = std::make_unique<HubWorld>();
    ASSERT_TRUE(world_->started()) << "faceberg hub serve did not start";
    ASSERT_NO_FATAL_FAILURE(MakeDataset());
    ASSERT_NO_FATAL_FAILURE(MakeWork("work"));
  }

  // Two Parquet files (ids 0-4 train, 100-101 test) in hub/datasets/o/ds/data/, written by
  // faceberg itself through a plain table (write.parquet files keep only id and name).
  void MakeDataset() {
    const std::string scratch = world_->Join("scratch");
    const std::vector<std::string> cat = {"--catalog", scratch};
    auto run = [&](std::vector<std::string> args) {
      args.insert(args.begin(), cat.begin(), cat.end());
      CliRun r = world_->Run(args);
      ASSERT_EQ(r.exit_code, 0) << r.err;
    };
    run({"init"});
    run({"create", "s.t", "--schema", "id int, name string"});
    run({"insert", "s.t", "--values", "(0,'n0'),(1,'n1'),(2,'n2'),(3,'n3'),(4,'n4')"});
    run({"create", "s.u", "--schema", "id int, name string"});
    run({"insert", "s.u", "--values", "(100,'n100'),(101,'n101')"});
    const std::string data = world_->Join("hub/datasets/o/ds/data");
    fs::create_directories(data);
    auto copy_only_file = [&](const std::string& table, const std::string& to) {
      int copied = 0;
      for (const auto& e : fs::recursive_directory_iterator(scratch + "/s/" + table + "/data")) {
        if (e.is_regular_file() && e.path().extension() == ".parquet") {
          fs::copy_file(e.path(), data + "/" + to);
          ++copied;
        }
      }
      ASSERT_EQ(copied, 1);
    };
    copy_only_file("t", "train-00000-of-00001.parquet");
    copy_only_file("u", "test-00000-of-00001.parquet");
  }

  // A work folder `name` whose faceberg.yml maps o/ds into its own catalog, with the table
  // created.
  void MakeWork(const std::string& name) {
    fs::create_directories(world_->Join(name));
    std::ofstream(world_->Join(name + "/faceberg.yml"))
        << "catalog:\n  location: " << world_->Join(name + "/cat")
        << "\ndatasets:\n  - name: ds\n    repo: o/ds\n";
    CliRun init = Fb(name, {"init"});
    ASSERT_EQ(init.exit_code, 0) << init.err;
    CliRun created = Fb(name, {"create"});
    ASSERT_EQ(created.exit_code, 0) << created.err;
  }

  CliRun Fb(const std::string& work, std::vector<std::string> args,
            const std::string& failpoint = "") {
    args.insert(args.begin(), {"--config", world_->Join(work + "/faceberg.yml")});
    return world_->Run(args, failpoint);
  }
  Json FbJson(const std::string& work, std::vector<std::string> args) {
    args.insert(args.begin(), {"--config", world_->Join(work + "/faceberg.yml")});
    return world_->RunJson(args);
  }
  // The ids of ds_default (sorted CSV lines "id,split").
  std::vector<std::string> Ids(const std::string& work = "work") {
    CliRun r = Fb(work, {"scan", "ds_default", "--format", "csv", "--select", "id,split"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return SortedRows(r.out);
  }
  std::string RecordedCommit(const std::string& work = "work") {
    Json props = FbJson(work, {"properties", "ds_default"});
    return props["properties"].value("hf.dataset.commit", std::string());
  }
  size_t Snapshots(const std::string& work = "work") {
    return FbJson(work, {"snapshots", "ds_default"})["snapshots"].size();
  }
  // Every table of the work folder's catalog loads and scans.
  void ExpectEveryTableLoads(const std::string& work = "work") {
    Json listed = FbJson(work, {"list"});
    for (const auto& t : listed["tables"]) {
      const std::string name = t["table"];
      CliRun info = Fb(work, {"info", name});
      EXPECT_EQ(info.exit_code, 0) << name << ": " << info.err;
      CliRun scan = Fb(work, {"scan", name, "--format", "csv"});
      EXPECT_EQ(scan.exit_code, 0) << name << ": " << scan.err;
    }
  }

  std::unique_ptr<HubWorld> world_;
};

TEST_F(DatasetCrashTest, TheRecordedCommitPropertyIsTheOneOfTheDataset) {
  // Guards the fixture: the property name the crash cases read.
  EXPECT_EQ(RecordedCommit(), world_->Head("o/ds"));
  EXPECT_EQ(Ids().size(), 7u);
}

// A crash between creating a dataset table and committing its snapshot leaves an empty table
// that must not look synced: the next sync fills it (regression: sync found it "unchanged").
TEST_F(DatasetCrashTest, ACrashAfterTheTableIsCreatedIsRepairedBySync) {
  ASSERT_EQ(Fb("work", {"drop", "ds_default", "--purge"}).exit_code, 0);
  CliRun crashed = Fb("work", {"create"}, "after-table-create");
  ASSERT_EQ(crashed.exit_code, kFailPointExit) << crashed.err;
  ExpectEveryTableLoads();
  EXPECT_EQ(Snapshots(), 0u);
  EXPECT_TRUE(Ids().empty());
  // An insert would record the new dataset commit over a table without the dataset's files.
  CliRun refused = Fb("work", {"insert", "ds_default", "--values", "(9, 'z', 'train')"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("run 'faceberg sync"));
  EXPECT_EQ(testing::Lines(refused.err), 1);
  Json synced = FbJson("work", {"sync"});
  ASSERT_EQ(synced["tables"].size(), 1u);
  EXPECT_EQ(synced["tables"][0]["unchanged"], false);
  EXPECT_EQ(Ids().size(), 7u);
  EXPECT_EQ(RecordedCommit(), world_->Head("o/ds"));
}

struct SyncCase {
  std::string failpoint;
  bool commits;  // the new state is visible after the crash
};

// Sync after new files in the dataset (an insert by another catalog): the row-delta points.
TEST_F(DatasetCrashTest, SyncOfNewFilesAtEveryFailurePoint) {
  const std::vector<SyncCase> cases = {
      {"after-manifest", false},
      {"after-manifest-list", false},
      {"after-metadata-file", true},  // the file catalog: the metadata file is the commit
      {"after-commit", true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE("sync at " + c.failpoint);
    world_.reset();
    world_ = std::make_unique<HubWorld>();
    ASSERT_TRUE(world_->started());
    ASSERT_NO_FATAL_FAILURE(MakeDataset());
    ASSERT_NO_FATAL_FAILURE(MakeWork("work"));
    ASSERT_NO_FATAL_FAILURE(MakeWork("other"));
    CliRun other = Fb("other", {"insert", "ds_default", "--values", "(7, 'x', 'train')"});
    ASSERT_EQ(other.exit_code, 0) << other.err;
    const std::string head = world_->Head("o/ds");
    const std::string old_commit = RecordedCommit();
    const std::vector<std::string> old_ids = Ids();
    const size_t old_snapshots = Snapshots();
    ASSERT_NE(head, old_commit);

    CliRun crashed = Fb("work", {"sync"}, c.failpoint);
    ASSERT_EQ(crashed.exit_code, kFailPointExit) << crashed.err;
    EXPECT_THAT(crashed.err, HasSubstr(c.failpoint));
    ExpectEveryTableLoads();
    if (c.commits) {
      EXPECT_EQ(RecordedCommit(), head);
      EXPECT_EQ(Ids(), Ids("other"));
      EXPECT_EQ(Snapshots(), old_snapshots + 1);
    } else {
      EXPECT_EQ(RecordedCommit(), old_commit);
      EXPECT_EQ(Ids(), old_ids);
      EXPECT_EQ(Snapshots(), old_snapshots);
    }
    Json again = FbJson("work", {"sync"});
    ASSERT_EQ(again["tables"].size(), 1u);
    EXPECT_EQ(again["tables"][0]["unchanged"], c.commits);
    EXPECT_EQ(RecordedCommit(), head);
    EXPECT_EQ(Ids(), Ids("other"));
    EXPECT_EQ(Ids().size(), 8u);
  }
}

// Sync after a dataset commit that touches no file of the config: only the recorded commit
// moves, through one property commit.
TEST_F(DatasetCrashTest, SyncOfANewCommitWithoutNewFilesAtEveryFailurePoint) {
  const std::vector<SyncCase> cases = {{"before-commit", false}, {"after-commit", true}};
  for (const auto& c : cases) {
    SCOPED_TRACE("sync at " + c.failpoint);
    const std::string old_commit = RecordedCommit();
    const std::vector<std::string> old_ids = Ids();
    const size_t old_snapshots = Snapshots();
    std::vector<hub::CommitOperation> ops = {
        hub::CommitOperation::Add("notes/" + c.failpoint + ".txt", "notes")};
    hub::CommitOptions options;
    options.summary = "notes";
    auto committed = world_->api().CreateCommit("o/ds", "main", ops, options);
    ASSERT_TRUE(committed.ok()) << committed.status().ToString();
    const std::string head = world_->Head("o/ds");

    CliRun crashed = Fb("work", {"sync"}, c.failpoint);
    ASSERT_EQ(crashed.exit_code, kFailPointExit) << crashed.err;
    ExpectEveryTableLoads();
    EXPECT_EQ(RecordedCommit(), c.commits ? head : old_commit);
    EXPECT_EQ(Ids(), old_ids);
    EXPECT_EQ(Snapshots(), old_snapshots);
    Json again = FbJson("work", {"sync"});
    EXPECT_EQ(again["tables"][0]["unchanged"], c.commits);
    EXPECT_EQ(RecordedCommit(), head);
  }
}

struct InsertCase {
  std::string failpoint;
  bool in_dataset;  // the Hub commit was made
  bool in_table;    // the table committed the rows
};

TEST_F(DatasetCrashTest, HfInsertAtEveryFailurePoint) {
  const std::vector<InsertCase> cases = {
      {"hf-insert-before-hub-commit", false, false}, {"after-lfs-upload", false, false},
      {"hf-insert-after-hub-commit", true, false},   {"after-manifest", true, false},
      {"after-manifest-list", true, false},          {"after-commit", true, true},
  };
  int next_id = 1000;
  for (const auto& c : cases) {
    SCOPED_TRACE("insert at " + c.failpoint);
    const std::string id = std::to_string(next_id++);
    const std::string head = world_->Head("o/ds");
    ASSERT_EQ(RecordedCommit(), head);
    std::vector<std::string> expected = Ids();
    const size_t snapshots = Snapshots();

    CliRun crashed =
        Fb("work", {"insert", "ds_default", "--values", "(" + id + ", 'c', 'train')"}, c.failpoint);
    ASSERT_EQ(crashed.exit_code, kFailPointExit) << crashed.err;
    ExpectEveryTableLoads();
    EXPECT_EQ(world_->Head("o/ds") != head, c.in_dataset);
    std::vector<std::string> with_row = expected;
    with_row.push_back(id + ",train");
    std::sort(with_row.begin(), with_row.end());
    EXPECT_EQ(Ids(), c.in_table ? with_row : expected);
    EXPECT_EQ(Snapshots(), snapshots + (c.in_table ? 1 : 0));

    if (c.in_dataset && !c.in_table) {
      // The rows are in the dataset only: an insert is refused until a sync adds them.
      CliRun refused = Fb("work", {"insert", "ds_default", "--values", "(1, 'z', 'train')"});
      EXPECT_EQ(refused.exit_code, 1);
      EXPECT_THAT(refused.err, HasSubstr("run 'faceberg sync"));
      EXPECT_EQ(testing::Lines(refused.err), 1);
      CliRun synced = Fb("work", {"sync"});
      ASSERT_EQ(synced.exit_code, 0) << synced.err;
      EXPECT_EQ(Ids(), with_row);
    } else if (!c.in_dataset) {
      // Nothing happened anywhere: the insert runs again.
      CliRun again = Fb("work", {"insert", "ds_default", "--values", "(" + id + ", 'c', 'train')"});
      ASSERT_EQ(again.exit_code, 0) << again.err;
      EXPECT_EQ(Ids(), with_row);
    } else {
      EXPECT_EQ(RecordedCommit(), world_->Head("o/ds"));
    }
    EXPECT_EQ(FbJson("work", {"sync"})["tables"][0]["unchanged"], true);
    EXPECT_EQ(RecordedCommit(), world_->Head("o/ds"));
  }
  // Every row once: the dataset read by a fresh catalog agrees.
  ASSERT_NO_FATAL_FAILURE(MakeWork("fresh"));
  EXPECT_EQ(Ids("fresh"), Ids());
  EXPECT_EQ(Ids().size(), 7u + cases.size());
}

// ---- push and pull of an hf:// catalog ----

constexpr char kCatalog[] = "hf://datasets/alice/cat";

class MirrorCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    world_ = std::make_unique<HubWorld>();
    ASSERT_TRUE(world_->started()) << "faceberg hub serve did not start";
  }
  CliRun Run(const std::string& mirror, std::vector<std::string> args,
             const std::string& failpoint = "") {
    args.insert(args.begin(), {"--catalog", kCatalog, "--mirror", world_->Join(mirror)});
    return world_->Run(args, failpoint);
  }
  Json RunJson(const std::string& mirror, std::vector<std::string> args) {
    args.insert(args.begin(), {"--catalog", kCatalog, "--mirror", world_->Join(mirror)});
    return world_->RunJson(args);
  }
  void Ok(const std::string& mirror, std::vector<std::string> args) {
    CliRun r = Run(mirror, std::move(args));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  // The ids of default.t in `mirror`.
  std::vector<std::string> Ids(const std::string& mirror) {
    CliRun r = Run(mirror, {"scan", "t", "--format", "csv", "--select", "id"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return SortedRows(r.out);
  }
  // The Hub's catalog as a fresh pull sees it: the ids of default.t, and of default.u when it
  // exists; every table loads.
  std::string HubState() {
    const std::string probe = "probe-" + std::to_string(probes_++);
    Ok(probe, {"pull"});
    std::string out;
    const Json listed = RunJson(probe, {"list"});
    for (const auto& t : listed["tables"]) {
      const std::string name = t["table"];
      CliRun scan = Run(probe, {"scan", name, "--format", "csv", "--select", "id"});
      EXPECT_EQ(scan.exit_code, 0) << name << ": " << scan.err;
      out += name + ":";
      for (const auto& row : SortedRows(scan.out)) out += row + " ";
      out += "\n";
    }
    return out;
  }
  // Mirror "a" holds default.t with rows 1, 2, pushed.
  void PushOneTable() {
    Ok("a", {"init"});
    Ok("a", {"create", "t", "--schema", "id long"});
    Ok("a", {"insert", "t", "--values", "(1), (2)"});
    Ok("a", {"push"});
  }

  std::unique_ptr<HubWorld> world_;
  int probes_ = 0;
};

TEST_F(MirrorCrashTest, PushAtEveryFailurePoint) {
  struct Case {
    std::string failpoint;
    bool pushed;
  };
  const std::vector<Case> cases = {
      {"before-push-commit", false},
      {"after-lfs-upload", false},  // the data file went up through LFS, no commit refers to it
      {"after-push-commit", true},
  };
  PushOneTable();
  int next_id = 10;
  for (const auto& c : cases) {
    SCOPED_TRACE("push at " + c.failpoint);
    const std::string before = HubState();
    Ok("a", {"insert", "t", "--values", "(" + std::to_string(next_id++) + ")"});
    const auto local = Ids("a");
    CliRun crashed = Run("a", {"push"}, c.failpoint);
    ASSERT_EQ(crashed.exit_code, kFailPointExit) << crashed.err;
    EXPECT_EQ(Ids("a"), local);  // the mirror's tables load, unchanged
    const std::string after_crash = HubState();
    if (c.pushed) {
      EXPECT_NE(after_crash, before);
      EXPECT_THAT(after_crash, HasSubstr(local.back()));
    } else {
      EXPECT_EQ(after_crash, before);
    }
    Json again = RunJson("a", {"push"});
    EXPECT_EQ(again["nothing-to-push"], c.pushed);
    EXPECT_EQ(RunJson("a", {"push"})["nothing-to-push"], true);
    const std::string now = HubState();
    std::string expected = "default.t:";
    for (const auto& row : local) expected += row + " ";
    EXPECT_EQ(now, expected + "\n");
  }
}

// A push that dies once its Hub commit landed, followed by more local changes to the same table:
// the next push sends them (regression: it reported a conflict on the table, as the table's
// version-hint.text differed between the landed push and the mirror).
TEST_F(MirrorCrashTest, ALandedPushFollowedByMoreChangesIsNoConflict) {
  PushOneTable();
  Ok("a", {"insert", "t", "--values", "(3)"});
  CliRun crashed = Run("a", {"push"}, "after-push-commit");
  ASSERT_EQ(crashed.exit_code, kFailPointExit) << crashed.err;
  Ok("a", {"insert", "t", "--values", "(4)"});
  CliRun pushed = Run("a", {"push"});
  ASSERT_EQ(pushed.exit_code, 0) << pushed.err;
  EXPECT_EQ(HubState(), "default.t:1 2 3 4 \n");
  EXPECT_EQ(RunJson("a", {"push"})["nothing-to-push"], true);
}

// A push that died once its commit landed, with nothing changed after it: the next pushes find
// their own commit and have nothing to send. (The kill -9 loop once left a mirror state whose
// version-hint.text entry came from the Hub listing, without its sha256; Reconcile now records
// its own id for a landed pending file. This test walks the path; it did not reproduce the
// damage, which needs a kill at a particular moment.)
TEST_F(MirrorCrashTest, ALandedPushWithNothingAfterItLeavesAWholeMirrorState) {
  PushOneTable();
  Ok("a", {"insert", "t", "--values", "(3)"});
  CliRun crashed = Run("a", {"push"}, "after-push-commit");
  ASSERT_EQ(crashed.exit_code, kFailPointExit) << crashed.err;
  // Nothing is left to send, so the next push never reaches the point before its commit.
  CliRun second = Run("a", {"push"}, "before-push-commit");
  EXPECT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(RunJson("a", {"push"})["nothing-to-push"], true);
  Ok("a", {"insert", "t", "--values", "(4)"});
  Ok("a", {"push"});
  EXPECT_EQ(HubState(), "default.t:1 2 3 4 \n");
}

// A push whose branch moved merges the Hub's changes into the mirror; a crash before the state
// file records the merge leaves a mirror the next push completes.
TEST_F(MirrorCrashTest, PushThatMergesCrashesBeforeItsStateIsSaved) {
  PushOneTable();
  Ok("b", {"pull"});
  Ok("b", {"create", "u", "--schema", "id long"});
  Ok("b", {"insert", "u", "--values", "(5)"});
  Ok("b", {"push"});
  Ok("a", {"insert", "t", "--values", "(3)"});
  const std::string hub_before = HubState();
  CliRun crashed = Run("a", {"push"}, "push-after-merge");
  ASSERT_EQ(crashed.exit_code, kFailPointExit) << crashed.err;
  EXPECT_EQ(HubState(), hub_before);
  // The mirror's tables load: its own change and the merged table.
  EXPECT_EQ(Ids("a"), (std::vector<std::string>{"1", "2", "3"}));
  CliRun u = Run("a", {"scan", "u", "--format", "csv"});
  EXPECT_EQ(u.exit_code, 0) << u.err;
  Json again = RunJson("a", {"push"});
  EXPECT_EQ(again["nothing-to-push"], false);
  EXPECT_EQ(HubState(), "default.t:1 2 3 \ndefault.u:5 \n");
  Ok("b", {"pull"});
  EXPECT_EQ(Ids("b"), (std::vector<std::string>{"1", "2", "3"}));
}

TEST_F(MirrorCrashTest, PullAtEveryFailurePoint) {
  PushOneTable();
  Ok("b", {"pull"});
  int next_id = 20;
  for (const std::string failpoint : {"pull-mid-download", "before-pull-swap"}) {
    SCOPED_TRACE("pull at " + failpoint);
    Ok("a", {"insert", "t", "--values", "(" + std::to_string(next_id++) + ")"});
    Ok("a", {"push"});
    const auto before = FolderFiles(world_->Join("b"));
    const auto old_ids = Ids("b");
    CliRun crashed = Run("b", {"pull"}, failpoint);
    ASSERT_EQ(crashed.exit_code, kFailPointExit) << crashed.err;
    EXPECT_EQ(FolderFiles(world_->Join("b")), before);  // the old mirror, untouched
    EXPECT_EQ(Ids("b"), old_ids);
    Ok("b", {"pull"});
    EXPECT_EQ(Ids("b"), Ids("a"));
    EXPECT_EQ(RunJson("b", {"push"})["nothing-to-push"], true);
    for (const auto& e : fs::directory_iterator(world_->path())) {
      EXPECT_THAT(e.path().filename().string(), ::testing::Not(HasSubstr(".pull-")));
    }
  }
}

// ---- the REST server's commit path ----

// A catalog (file or SQLite) with table db.t, served by `faceberg serve` whose failure point is
// armed; a raw REST commit setting a property kills it mid-request.
class ServerCrashTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    catalog_ = GetParam() == "file" ? dir_.Join("cat") : "sqlite:" + dir_.Join("cat.db");
    ASSERT_EQ(Fb({"init"}).exit_code, 0);
    ASSERT_EQ(Fb({"create", "db.t", "--schema", "id long"}).exit_code, 0);
    ASSERT_EQ(Fb({"insert", "db.t", "--values", "(1), (2)"}).exit_code, 0);
  }
  CliRun Fb(std::vector<std::string> args) {
    args.insert(args.begin(), {"--catalog", catalog_});
    return testing::RunFaceberg(args, dir_.path().string());
  }
  std::unique_ptr<ServeProcess> Serve(const std::string& failpoint) {
    if (failpoint.empty()) {
      ::unsetenv("FACEBERG_FAILPOINT");
    } else {
      ::setenv("FACEBERG_FAILPOINT", failpoint.c_str(), 1);
    }
    auto serve = std::make_unique<ServeProcess>(
        std::vector<std::string>{"--catalog", catalog_, "serve", "--port", "0"},
        dir_.Join("serve.err"));
    ::unsetenv("FACEBERG_FAILPOINT");
    return serve;
  }
  // POSTs a commit setting property `key` to 'v' on db.t.
  Result<io::HttpResponse> CommitProperty(const std::string& endpoint, const std::string& key) {
    auto client = io::HttpClient::Make(io::HttpClientOptions{.max_retries = 0});
    if (!client.ok()) return client.status();
    io::HttpRequest request;
    request.method = io::HttpMethod::kPost;
    request.url = endpoint + "/v1/namespaces/db/tables/t";
    request.body =
        R"({"requirements": [], "updates": [{"action": "set-properties", "updates": {")" + key +
        R"(": "v"}}]})";
    request.retry = io::HttpRetry::kNever;
    return (*client)->Send(request);
  }
  std::map<std::string, std::string> Properties() {
    CliRun r = Fb({"properties", "db.t", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto json = ParseJson(r.out, "stdout");
    std::map<std::string, std::string> out;
    if (!json.ok()) return out;
    for (const auto& [k, v] : (*json)["properties"].items()) out[k] = v.get<std::string>();
    return out;
  }

  TempDir dir_;
  std::string catalog_;
};

TEST_P(ServerCrashTest, ACommitKillsTheServerAtEveryFailurePoint) {
  struct Case {
    std::string failpoint;
    bool commits;
  };
  const std::vector<Case> cases = {
      {"server-before-commit", false},
      {"after-metadata-file", GetParam() == "file"},  // SQLite: the row still names the old file
      {"server-after-commit", true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE("serve at " + c.failpoint);
    const std::string key = "k-" + c.failpoint;
    auto serve = Serve(c.failpoint);
    ASSERT_FALSE(serve->endpoint().empty()) << serve->Stderr();
    auto answer = CommitProperty(serve->endpoint(), key);
    EXPECT_FALSE(answer.ok()) << "the server answered " << answer->status << ": " << answer->body;
    EXPECT_EQ(serve->Stop(), kFailPointExit);
    EXPECT_THAT(serve->Stderr(), HasSubstr(c.failpoint));

    // The table loads, with the property exactly when the commit happened.
    EXPECT_EQ(Properties().count(key), c.commits ? 1u : 0u);
    CliRun scan = Fb({"scan", "db.t", "--format", "csv"});
    EXPECT_EQ(scan.exit_code, 0) << scan.err;
    EXPECT_EQ(SortedRows(scan.out), (std::vector<std::string>{"1", "2"}));

    // A restarted server takes the commit again.
    auto restarted = Serve("");
    ASSERT_FALSE(restarted->endpoint().empty()) << restarted->Stderr();
    auto again = CommitProperty(restarted->endpoint(), key);
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_EQ(again->status, 200) << again->body;
    EXPECT_EQ(restarted->Stop(), 0);
    EXPECT_EQ(Properties().at(key), "v");
    CliRun inserted = Fb({"insert", "db.t", "--values", "(3)"});
    EXPECT_EQ(inserted.exit_code, 0) << inserted.err;
    ASSERT_EQ(Fb({"delete", "db.t", "--where", "id = 3"}).exit_code, 0);
  }
}

INSTANTIATE_TEST_SUITE_P(BothCatalogs, ServerCrashTest, ::testing::Values("file", "sqlite"));

}  // namespace
}  // namespace faceberg
