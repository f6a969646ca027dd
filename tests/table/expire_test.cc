#include "table/expire.h"

#include <filesystem>
#include <random>

#include "table/row_delta.h"
#include "table/snapshot_ops.h"
#include "table/update.h"
#include "table_fixture.h"
#include "util/time.h"

namespace faceberg::table {
namespace {

using iceberg::Snapshot;
using iceberg::TableMetadata;
using testing::TableFixture;

// Snapshots with chosen timestamps and parents, for the retention rules alone.
TableMetadata History(const std::vector<std::tuple<int64_t, std::optional<int64_t>, int64_t>>& s) {
  TableMetadata md;
  for (const auto& [id, parent, ts] : s) {
    Snapshot snap;
    snap.snapshot_id = id;
    snap.parent_snapshot_id = parent;
    snap.timestamp_ms = ts;
    md.snapshots.push_back(snap);
  }
  return md;
}

std::set<int64_t> Retained(const TableMetadata& md, const ExpireOptions& options, int64_t now) {
  auto plan = PlanRetention(md, options, now);
  EXPECT_TRUE(plan.ok()) << plan.status().ToString();
  return plan.ok() ? plan->retained : std::set<int64_t>{};
}

TEST(RetentionTest, BranchAgeAndMinimumCount) {
  // main: 1 <- 2 <- 3 <- 4 (timestamps 10, 20, 30, 40)
  TableMetadata md = History({{1, {}, 10}, {2, 1, 20}, {3, 2, 30}, {4, 3, 40}});
  md.refs["main"] = {4, iceberg::RefType::kBranch};
  md.current_snapshot_id = 4;
  EXPECT_EQ(Retained(md, {.older_than_ms = 25}, 100), (std::set<int64_t>{3, 4}));
  EXPECT_EQ(Retained(md, {.older_than_ms = 100}, 100), (std::set<int64_t>{4}));
  EXPECT_EQ(Retained(md, {.older_than_ms = 100, .retain_last = 3}, 100),
            (std::set<int64_t>{2, 3, 4}));
  // The walk stops at the first snapshot that may go, even if an older one is young (clock skew).
  md.snapshots[0].timestamp_ms = 99;
  EXPECT_EQ(Retained(md, {.older_than_ms = 35}, 100), (std::set<int64_t>{4}));
  // Default: the table's max snapshot age (5 days) keeps everything recent.
  EXPECT_EQ(Retained(md, {}, 100).size(), 4u);
  md.properties["history.expire.max-snapshot-age-ms"] = "65";
  EXPECT_EQ(Retained(md, {}, 100), (std::set<int64_t>{4}));
  md.properties["history.expire.min-snapshots-to-keep"] = "2";
  EXPECT_EQ(Retained(md, {}, 100), (std::set<int64_t>{3, 4}));
  // A branch's own settings win over the options.
  md.refs["main"].min_snapshots_to_keep = 4;
  EXPECT_EQ(Retained(md, {.older_than_ms = 100, .retain_last = 1}, 100).size(), 4u);
  EXPECT_FALSE(PlanRetention(md, {.retain_last = 0}, 100).ok());
}

TEST(RetentionTest, TagsBranchesAndRefAge) {
  // main: 1 <- 2 <- 5; dev: 2 <- 3; tag old -> 1; tag young -> 2; 4 has no ref.
  TableMetadata md = History({{1, {}, 10}, {2, 1, 20}, {3, 2, 30}, {4, 1, 90}, {5, 2, 50}});
  md.refs["main"] = {5, iceberg::RefType::kBranch};
  md.current_snapshot_id = 5;
  md.refs["dev"] = {3, iceberg::RefType::kBranch};
  md.refs["old"] = {1, iceberg::RefType::kTag, {}, {}, 50};  // expires: 100 - 10 > 50
  md.refs["young"] = {2, iceberg::RefType::kTag, {}, {}, 500};
  ASSERT_OK_AND_ASSIGN(RetentionPlan plan, PlanRetention(md, {.older_than_ms = 80}, 100));
  // Heads of main, dev and young; 4 is unreferenced and younger than 80.
  EXPECT_EQ(plan.retained, (std::set<int64_t>{2, 3, 4, 5}));
  EXPECT_EQ(plan.expired, (std::vector<int64_t>{1}));
  EXPECT_EQ(plan.expired_refs, (std::vector<std::string>{"old"}));
  // Main never expires however old.
  md.refs["main"].max_ref_age_ms = 1;
  ASSERT_OK_AND_ASSIGN(plan, PlanRetention(md, {.older_than_ms = 80}, 100));
  EXPECT_TRUE(plan.retained.count(5));
}

TEST(ExpireTest, DeletesExactlyWhatOnlyExpiredSnapshotsReach) {
  TableFixture t;
  auto f1 = t.File(1, 10, "a");
  auto f2 = t.File(11, 20, "b");
  int64_t s1 = t.Append({f1});
  int64_t s2 = t.Append({f2});
  // s3 removes f1 and adds f3.
  ASSERT_OK_AND_ASSIGN(auto plan, PlanRowFilter(t.io(), t.Current(), "split = 'a'"));
  ASSERT_EQ(plan.all_match.size(), 1u);
  auto f3 = t.File(1, 5, "a");
  ASSERT_OK_AND_ASSIGN(Snapshot s3, CommitRowDelta(t.ops(), plan, plan.all_match, {f3}));
  auto before = t.FilesOnDisk();

  // A dry run lists and changes nothing.
  ASSERT_OK_AND_ASSIGN(ExpireResult dry, ExpireSnapshots(t.ops(), {.older_than_ms = NowMillis() + 1,
                                                                   .dry_run = true}));
  EXPECT_EQ(dry.expired_snapshot_ids.size(), 2u);
  EXPECT_EQ(dry.deleted.data_files, (std::set<std::string>{f1.file_path}));
  EXPECT_EQ(dry.deleted.manifest_lists.size(), 2u);
  EXPECT_EQ(t.FilesOnDisk(), before);
  EXPECT_EQ(t.Current()->snapshots.size(), 3u);

  ASSERT_OK_AND_ASSIGN(ExpireResult done,
                       ExpireSnapshots(t.ops(), {.older_than_ms = NowMillis() + 1}));
  EXPECT_EQ(done.deleted.data_files, dry.deleted.data_files);
  EXPECT_EQ(done.deleted.manifests, dry.deleted.manifests);
  EXPECT_EQ(done.deleted.manifest_lists, dry.deleted.manifest_lists);
  auto md = t.Current();
  ASSERT_EQ(md->snapshots.size(), 1u);
  EXPECT_EQ(md->snapshots[0].snapshot_id, s3.snapshot_id);
  EXPECT_FALSE(md->SnapshotById(s1) || md->SnapshotById(s2));
  EXPECT_FALSE(std::filesystem::exists(f1.file_path));
  EXPECT_TRUE(std::filesystem::exists(f2.file_path));
  EXPECT_TRUE(std::filesystem::exists(f3.file_path));
  EXPECT_EQ(t.Live(s3.snapshot_id), (std::set<std::string>{f2.file_path, f3.file_path}));
  for (const auto& file : done.deleted.All()) EXPECT_FALSE(std::filesystem::exists(file)) << file;
  // Nothing left to do.
  ASSERT_OK_AND_ASSIGN(ExpireResult again,
                       ExpireSnapshots(t.ops(), {.older_than_ms = NowMillis() + 1}));
  EXPECT_TRUE(again.expired_snapshot_ids.empty());
  EXPECT_EQ(again.deleted.size(), 0u);
}

TEST(ExpireTest, TagKeepsItsFilesAndGcDisabledRefuses) {
  TableFixture t;
  auto f1 = t.File(1, 10, "a");
  int64_t s1 = t.Append({f1});
  ASSERT_OK(SetRef(t.ops(), "v1", {.type = iceberg::RefType::kTag, .snapshot_id = s1}));
  ASSERT_OK_AND_ASSIGN(auto plan, PlanRowFilter(t.io(), t.Current(), "TRUE"));
  ASSERT_OK(CommitRowDelta(t.ops(), plan, plan.all_match, {}));
  t.Append({t.File(20, 30, "b")});
  ASSERT_OK_AND_ASSIGN(ExpireResult r,
                       ExpireSnapshots(t.ops(), {.older_than_ms = NowMillis() + 1}));
  EXPECT_EQ(r.expired_snapshot_ids.size(), 1u);  // the delete; the tag's snapshot stays
  EXPECT_TRUE(t.Current()->SnapshotById(s1));
  EXPECT_TRUE(std::filesystem::exists(f1.file_path));
  EXPECT_TRUE(r.deleted.data_files.empty());

  ASSERT_OK(CommitTable(t.ops(), {}, {SetProperties{{{"gc.enabled", "false"}}}}));
  EXPECT_ERROR(ExpireSnapshots(t.ops(), {.older_than_ms = NowMillis() + 1}),
               ErrorCode::kInvalidArgument, "gc.enabled");
}

TEST(ExpireTest, OldMetadataFilesAreTrimmedWhenEnabled) {
  TableFixture t("id long not null, split string", "split",
                 {{"write.metadata.delete-after-commit.enabled", "true"},
                  {"write.metadata.previous-versions-max", "2"}});
  for (int i = 0; i < 5; ++i) t.Append({t.File(i, i, "a")});
  auto md = t.Current();
  EXPECT_EQ(md->metadata_log.size(), 2u);
  int metadata_files = 0;
  for (const auto& e : std::filesystem::directory_iterator(t.location() + "/metadata")) {
    if (e.path().string().ends_with(".metadata.json")) ++metadata_files;
  }
  EXPECT_EQ(metadata_files, 3);  // the current one and the two logged
  for (const auto& e : md->metadata_log) EXPECT_TRUE(std::filesystem::exists(e.metadata_file));
}

// ---- property: expire never deletes a file a retained snapshot, tag or branch can read ----

// Files reachable from every snapshot of the table, computed independently of expire.
std::set<std::string> ReadableFiles(TableFixture& t, const TableMetadata& md) {
  std::set<std::string> out;
  for (const auto& s : md.snapshots) {
    out.insert(s.manifest_list);
    auto manifests = iceberg::ReadManifestList(t.io(), s.manifest_list);
    EXPECT_TRUE(manifests.ok()) << manifests.status().ToString();
    if (!manifests.ok()) continue;
    for (const auto& m : *manifests) out.insert(m.manifest_path);
    auto files = LiveDataFiles(t.io(), md, s);
    EXPECT_TRUE(files.ok()) << files.status().ToString();
    if (!files.ok()) continue;
    for (const auto& f : *files) out.insert(f.file_path);
  }
  return out;
}

class ExpirePropertyTest : public ::testing::TestWithParam<int> {};

TEST_P(ExpirePropertyTest, NeverDeletesWhatRemainingSnapshotsRead) {
  std::mt19937 rng(static_cast<uint32_t>(GetParam()));
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
  TableFixture t;
  const std::vector<std::string> splits = {"a", "b", "c"};
  int64_t next_id = 0;
  auto new_file = [&]() {
    int64_t lo = next_id;
    next_id += 10;
    return t.File(lo, lo + 9, splits[pick(3)]);
  };
  int expires = 0;
  for (int step = 0; step < 40; ++step) {
    auto md = t.Current();
    std::vector<int64_t> ids;
    for (const auto& s : md->snapshots) ids.push_back(s.snapshot_id);
    std::vector<std::string> branches;
    for (const auto& [name, ref] : md->refs) {
      if (ref.type == iceberg::RefType::kBranch && name != "main") branches.push_back(name);
    }
    const int op = ids.empty() ? 0 : pick(10);
    SCOPED_TRACE(fmt::format("seed {} step {} op {}", GetParam(), step, op));
    if (op <= 2) {  // append to main
      std::vector<iceberg::DataFile> files = {new_file()};
      if (pick(2)) files.push_back(new_file());
      t.Append(files);
    } else if (op == 3 && !branches.empty()) {  // append to a branch
      t.Append({new_file()}, branches[pick(static_cast<int>(branches.size()))]);
    } else if (op == 4) {  // copy-on-write delete, sometimes with a rewritten file
      int64_t lo = pick(static_cast<int>(next_id + 1));
      auto plan = PlanRowFilter(t.io(), md, fmt::format("id >= {} AND id <= {}", lo, lo + 15));
      ASSERT_OK(plan);
      std::vector<iceberg::DataFile> removed = plan->all_match;
      removed.insert(removed.end(), plan->partial.begin(), plan->partial.end());
      std::vector<iceberg::DataFile> added;
      if (!plan->partial.empty()) added.push_back(new_file());
      if (!removed.empty() || !added.empty()) {
        ASSERT_OK(CommitRowDelta(t.ops(), *plan, removed, added));
      }
    } else if (op == 5) {  // tag or branch some snapshot, maybe with retention
      SetRefOptions options;
      options.type = pick(2) ? iceberg::RefType::kTag : iceberg::RefType::kBranch;
      options.snapshot_id = ids[pick(static_cast<int>(ids.size()))];
      options.replace = true;
      if (pick(3) == 0) options.retention.max_ref_age_ms = 1 + pick(50);
      if (options.type == iceberg::RefType::kBranch && pick(2)) {
        options.retention.min_snapshots_to_keep = 1 + pick(3);
      }
      const std::string name = fmt::format("r{}", pick(4));
      auto existing = md->refs.find(name);
      if (existing != md->refs.end() && existing->second.type != options.type) {
        ASSERT_OK(DropRef(t.ops(), name));
      }
      ASSERT_OK(SetRef(t.ops(), name, options));
    } else if (op == 6) {  // roll main back (or force it anywhere)
      const bool force = pick(3) == 0;
      std::vector<int64_t> ancestors =
          md->current_snapshot_id ? md->Ancestry(*md->current_snapshot_id) : std::vector<int64_t>{};
      int64_t target = force || ancestors.empty()
                           ? ids[pick(static_cast<int>(ids.size()))]
                           : ancestors[pick(static_cast<int>(ancestors.size()))];
      ASSERT_OK(Rollback(t.ops(), {.snapshot_id = target, .force = true}));
    } else {  // expire with random options
      ++expires;
      const iceberg::TableMetadataPtr before = md;
      const auto readable_before = ReadableFiles(t, *before);
      const auto disk_before = t.FilesOnDisk();
      ExpireOptions options;
      int64_t latest = 0;
      for (const auto& s : before->snapshots) latest = std::max(latest, s.timestamp_ms);
      options.now_ms = latest + pick(40);
      options.older_than_ms =
          pick(4) == 0 ? *options.now_ms + 1
                       : before->snapshots[pick(static_cast<int>(ids.size()))].timestamp_ms;
      if (pick(2)) options.retain_last = 1 + pick(3);
      ASSERT_OK_AND_ASSIGN(ExpireResult result, ExpireSnapshots(t.ops(), options));
      const auto after = t.Current();
      const auto readable_after = ReadableFiles(t, *after);
      // Every file a remaining snapshot (and so every tag and branch) reads is still there.
      for (const auto& file : readable_after) {
        ASSERT_TRUE(std::filesystem::exists(io::LocalPath(file)))
            << "deleted but readable: " << file;
      }
      for (const auto& [name, ref] : after->refs) {
        ASSERT_NE(after->SnapshotById(ref.snapshot_id), nullptr) << name;
      }
      EXPECT_EQ(after->current_snapshot_id, before->current_snapshot_id);
      // And exactly the files reachable before and not after are gone.
      std::set<std::string> expected_gone;
      for (const auto& file : readable_before) {
        if (!readable_after.count(file)) expected_gone.insert(io::LocalPath(file));
      }
      std::set<std::string> gone;
      for (const auto& file : disk_before) {
        if (!std::filesystem::exists(file) && !file.ends_with(".metadata.json") &&
            !file.ends_with("version-hint.text")) {
          gone.insert(file);
        }
      }
      EXPECT_EQ(gone, expected_gone);
      EXPECT_EQ(result.deleted.All(), expected_gone);
    }
  }
  EXPECT_GT(expires, 0);
}

INSTANTIATE_TEST_SUITE_P(RandomHistories, ExpirePropertyTest, ::testing::Range(1, 31));

}  // namespace
}  // namespace faceberg::table
