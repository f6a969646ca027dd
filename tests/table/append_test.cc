#include "table/append.h"

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <set>

#include "catalog/file_table_operations.h"
#include "iceberg/single_value.h"
#include "table/scan.h"
#include "test_util.h"

namespace faceberg::table {
namespace {

using faceberg::testing::TempDir;
using iceberg::DataFile;
using iceberg::ManifestFile;
using iceberg::TableMetadata;
using iceberg::Value;

// Runs `before_first_commit` (a concurrent writer) right before the first commit goes through.
class RacingOperations final : public TableOperations {
 public:
  RacingOperations(TableOperations& inner, std::function<void()> before_first_commit)
      : inner_(inner), before_(std::move(before_first_commit)) {}
  io::FileIO& io() override { return inner_.io(); }
  Result<iceberg::TableMetadataPtr> Refresh() override { return inner_.Refresh(); }
  std::string current_metadata_location() const override {
    return inner_.current_metadata_location();
  }
  Status Commit(const TableMetadata* base, const TableMetadata& updated) override {
    ++commits_;
    if (before_) std::exchange(before_, nullptr)();
    return inner_.Commit(base, updated);
  }
  int commits() const { return commits_; }

 private:
  TableOperations& inner_;
  std::function<void()> before_;
  int commits_ = 0;
};

class AppendTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override { Create({}); }

  void Create(std::map<std::string, std::string> properties) {
    location_ = dir_.Join(fmt::format("t{}", ++tables_));
    ops_ = std::make_unique<catalog::FileTableOperations>(io_, location_);
    auto schema = iceberg::ParseSchemaString("id long not null, split string");
    ASSERT_OK(schema);
    auto spec = iceberg::ParsePartitionSpecString("split", **schema);
    ASSERT_OK(spec);
    iceberg::NewTableOptions options;
    options.location = location_;
    options.schema = *schema;
    options.spec = std::make_shared<const iceberg::PartitionSpec>(*spec);
    options.properties = std::move(properties);
    options.format_version = GetParam();
    ASSERT_OK_AND_ASSIGN(TableMetadata md, iceberg::NewTableMetadata(options));
    ASSERT_OK(ops_->Commit(nullptr, md));
  }

  DataFile File(int i) {
    DataFile f;
    f.file_path = dir_.Join(fmt::format("data/f{}.parquet", i));
    f.file_size_in_bytes = 100 + i;
    f.partition = {Value(std::string(i % 2 ? "test" : "train"))};
    f.metrics.record_count = 10;
    f.metrics.value_counts = {{1, 10}};
    f.metrics.null_value_counts = {{1, 0}};
    f.metrics.lower_bounds = {
        {1, *iceberg::ValueToBinary(Value(int64_t{i}), *iceberg::Type::Long())}};
    f.metrics.upper_bounds = f.metrics.lower_bounds;
    return f;
  }

  TableMetadata Current() {
    auto md = ops_->Refresh();
    EXPECT_TRUE(md.ok()) << md.status().ToString();
    return **md;
  }

  std::vector<ManifestFile> Manifests(const iceberg::Snapshot& s) {
    auto m = iceberg::ReadManifestList(io_, s.manifest_list);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return m.ok() ? *m : std::vector<ManifestFile>{};
  }

  // Paths of the live data files of `s`, with how often each appears.
  std::map<std::string, int> LiveFiles(const iceberg::Snapshot& s) {
    std::map<std::string, int> out;
    auto files = LiveDataFiles(io_, Current(), s);
    EXPECT_TRUE(files.ok()) << files.status().ToString();
    if (files.ok()) {
      for (const auto& f : *files) ++out[f.file_path];
    }
    return out;
  }

  // Every .avro file under metadata/ is reachable from some snapshot: nothing leaked.
  void ExpectNoOrphanAvroFiles() {
    TableMetadata md = Current();
    std::set<std::string> reachable;
    for (const auto& s : md.snapshots) {
      reachable.insert(s.manifest_list);
      for (const auto& m : Manifests(s)) reachable.insert(m.manifest_path);
    }
    for (const auto& entry : std::filesystem::directory_iterator(location_ + "/metadata")) {
      if (entry.path().extension() != ".avro") continue;
      EXPECT_TRUE(reachable.count(entry.path().string())) << "orphan " << entry.path();
    }
  }

  TempDir dir_;
  io::LocalFileIO io_;
  int tables_ = 0;
  std::string location_;
  std::unique_ptr<catalog::FileTableOperations> ops_;
};

INSTANTIATE_TEST_SUITE_P(FormatVersions, AppendTest, ::testing::Values(1, 2));

TEST_P(AppendTest, SummaryCountsManifests) {
  ASSERT_OK_AND_ASSIGN(auto s1, AppendFiles(*ops_, {File(0), File(1)}));
  EXPECT_EQ(s1.summary.at("manifests-created"), "1");
  EXPECT_EQ(s1.summary.at("manifests-kept"), "0");
  EXPECT_EQ(s1.summary.at("manifests-replaced"), "0");
  EXPECT_EQ(s1.summary.at("added-data-files"), "2");
  EXPECT_EQ(s1.summary.at("changed-partition-count"), "2");
  ASSERT_OK_AND_ASSIGN(auto s2, AppendFiles(*ops_, {File(2)}));
  EXPECT_EQ(s2.summary.at("manifests-created"), "1");
  EXPECT_EQ(s2.summary.at("manifests-kept"), "1");
  EXPECT_EQ(s2.summary.at("manifests-replaced"), "0");
  EXPECT_EQ(s2.summary.at("total-data-files"), "3");
  EXPECT_EQ(Manifests(s2).size(), 2u);
  EXPECT_EQ(s2.parent_snapshot_id, s1.snapshot_id);
  EXPECT_ERROR(AppendFiles(*ops_, {}), ErrorCode::kInvalidArgument, "nothing to append");
}

TEST_P(AppendTest, MergesAtMinCountKeepingExistingEntries) {
  Create({{"commit.manifest.min-count-to-merge", "4"}});
  std::vector<iceberg::Snapshot> snaps;
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK_AND_ASSIGN(auto s, AppendFiles(*ops_, {File(i)}));
    snaps.push_back(s);
    EXPECT_EQ(Manifests(s).size(), static_cast<size_t>(i + 1));
  }
  // The fourth data manifest reaches the minimum: all four become one.
  ASSERT_OK_AND_ASSIGN(auto s4, AppendFiles(*ops_, {File(3)}));
  snaps.push_back(s4);
  std::vector<ManifestFile> manifests = Manifests(s4);
  ASSERT_EQ(manifests.size(), 1u);
  EXPECT_EQ(s4.summary.at("manifests-created"), "1");
  EXPECT_EQ(s4.summary.at("manifests-kept"), "0");
  EXPECT_EQ(s4.summary.at("manifests-replaced"), "3");
  const ManifestFile& merged = manifests[0];
  EXPECT_EQ(merged.added_snapshot_id, s4.snapshot_id);
  EXPECT_EQ(merged.added_files_count, 1);
  EXPECT_EQ(merged.existing_files_count, 3);
  EXPECT_EQ(merged.added_rows_count, 10);
  EXPECT_EQ(merged.existing_rows_count, 30);
  EXPECT_EQ(merged.partitions.size(), 1u);
  if (GetParam() >= 2) {
    EXPECT_EQ(merged.sequence_number, 4);
    EXPECT_EQ(merged.min_sequence_number, 1);
  }
  // Entries of earlier commits are EXISTING with their own snapshot id and sequence number.
  ASSERT_OK_AND_ASSIGN(auto entries, iceberg::ReadManifest(io_, merged, Current()));
  ASSERT_EQ(entries.size(), 4u);
  std::map<std::string, size_t> commit_of;
  for (size_t i = 0; i < 4; ++i) commit_of[File(static_cast<int>(i)).file_path] = i;
  for (const auto& e : entries) {
    const size_t i = commit_of.at(e.data_file.file_path);
    EXPECT_EQ(e.status, i == 3 ? iceberg::EntryStatus::kAdded : iceberg::EntryStatus::kExisting);
    EXPECT_EQ(e.snapshot_id, snaps[i].snapshot_id);
    EXPECT_EQ(e.sequence_number, GetParam() >= 2 ? static_cast<int64_t>(i + 1) : 0);
    EXPECT_EQ(e.data_file.metrics, File(static_cast<int>(i)).metrics);
    EXPECT_EQ(e.data_file.partition, File(static_cast<int>(i)).partition);
  }
  // The new manifest that was merged away is gone; nothing else leaked.
  ExpectNoOrphanAvroFiles();
  // Time travel still sees each snapshot's own files.
  EXPECT_EQ(LiveFiles(snaps[1]).size(), 2u);
  EXPECT_EQ(LiveFiles(s4).size(), 4u);

  // The next commit keeps the merged manifest and adds one.
  ASSERT_OK_AND_ASSIGN(auto s5, AppendFiles(*ops_, {File(4)}));
  EXPECT_EQ(Manifests(s5).size(), 2u);
  EXPECT_EQ(s5.summary.at("manifests-kept"), "1");
  ASSERT_OK_AND_ASSIGN(ScanPlan plan, PlanScan(io_, Current(), {.filter = "split = 'train'"}));
  EXPECT_EQ(plan.files.size(), 3u);  // f0, f2, f4
}

TEST_P(AppendTest, MergeCanBeDisabledOrLimitedBySize) {
  Create({{"commit.manifest.min-count-to-merge", "2"}, {"commit.manifest-merge.enabled", "FALSE"}});
  iceberg::Snapshot last;
  for (int i = 0; i < 4; ++i) {
    ASSERT_OK_AND_ASSIGN(last, AppendFiles(*ops_, {File(i)}));
  }
  EXPECT_EQ(Manifests(last).size(), 4u);

  // Manifests larger than the target size each fill a bin of their own.
  Create({{"commit.manifest.min-count-to-merge", "2"}, {"commit.manifest.target-size-bytes", "1"}});
  for (int i = 0; i < 4; ++i) {
    ASSERT_OK_AND_ASSIGN(last, AppendFiles(*ops_, {File(i)}));
  }
  EXPECT_EQ(Manifests(last).size(), 4u);

  ManifestMergeOptions options =
      ManifestMergeOptions::FromProperties({{"commit.manifest.min-count-to-merge", "x"},
                                            {"commit.manifest.target-size-bytes", "-5"},
                                            {"commit.manifest-merge.enabled", "maybe"}});
  EXPECT_TRUE(options.enabled);
  EXPECT_EQ(options.min_count_to_merge, 100);
  EXPECT_EQ(options.target_size_bytes, int64_t{8} << 20);
}

TEST_P(AppendTest, OldFullBinsMergeWhileTheNewestWaits) {
  Create({{"commit.manifest.min-count-to-merge", "100"}});
  for (int i = 0; i < 6; ++i) ASSERT_OK(AppendFiles(*ops_, {File(i)}));
  TableMetadata md = Current();
  std::vector<ManifestFile> parents = Manifests(*md.CurrentSnapshot());
  ASSERT_EQ(parents.size(), 6u);
  // A target of about two and a half manifests: bins of two, packed from the oldest end, so the
  // new manifest is left alone in the newest bin (kept) while the full older bins are rewritten.
  const int64_t target = parents[0].manifest_length * 2 + parents[0].manifest_length / 2;
  ManifestMergeOptions options{
      .enabled = true, .min_count_to_merge = 100, .target_size_bytes = target};
  int n = 0;
  auto path = [&]() { return dir_.Join(fmt::format("merged-{}.avro", n++)); };
  ManifestFile fresh = parents.back();  // stands in for a new manifest of this commit
  fresh.manifest_path = "new-manifest.avro";
  fresh.added_snapshot_id = 4242;
  ASSERT_OK_AND_ASSIGN(ManifestMergeResult result,
                       MergeManifests(io_, md, 4242, {fresh}, parents, options, path));
  // Packing {new, m5, m4, m3, m2, m1, m0} from the end: {m1, m0}, {m3, m2}, {m5, m4}, {new}.
  ASSERT_EQ(result.manifests.size(), 4u);
  EXPECT_EQ(result.manifests[0].manifest_path, "new-manifest.avro");
  EXPECT_EQ(result.written.size(), 3u);
  EXPECT_EQ(result.created, 4);
  EXPECT_EQ(result.kept, 0);
  EXPECT_EQ(result.replaced, 6);
  for (size_t i = 1; i < 4; ++i) EXPECT_EQ(result.manifests[i].existing_files_count, 2);

  // Disabled: the list is the new manifests then the parents.
  options.enabled = false;
  ASSERT_OK_AND_ASSIGN(result, MergeManifests(io_, md, 4242, {fresh}, parents, options, path));
  EXPECT_EQ(result.manifests.size(), 7u);
  EXPECT_TRUE(result.written.empty());
  EXPECT_EQ(result.kept, 6);
}

TEST_P(AppendTest, RetryRedoesTheMergeOnTheNewBase) {
  Create({{"commit.manifest.min-count-to-merge", "3"}});
  ASSERT_OK(AppendFiles(*ops_, {File(0)}));
  ASSERT_OK(AppendFiles(*ops_, {File(1)}));
  // The third commit merges; a concurrent writer commits first, so the merge is redone.
  catalog::FileTableOperations other(io_, location_);
  RacingOperations racing(*ops_, [&] { ASSERT_OK(AppendFiles(other, {File(100)})); });
  ASSERT_OK_AND_ASSIGN(auto s, AppendFiles(racing, {File(2)}));
  EXPECT_EQ(racing.commits(), 2);
  // The concurrent commit merged its 3 manifests into one; ours adds one on top.
  std::map<std::string, int> live = LiveFiles(s);
  EXPECT_EQ(live.size(), 4u);
  for (const auto& [path, count] : live) EXPECT_EQ(count, 1) << path;
  EXPECT_TRUE(live.count(File(100).file_path));
  EXPECT_LE(Manifests(s).size(), 2u);
  ExpectNoOrphanAvroFiles();
}

// Many single-file commits keep the manifest count bounded, and each file stays exactly once.
// Runs on format v2 only: v1 merging is covered above and this test is the slow one.
class AppendV2Test : public AppendTest {};
INSTANTIATE_TEST_SUITE_P(FormatV2, AppendV2Test, ::testing::Values(2));

TEST_P(AppendV2Test, ManySmallCommitsStayBounded) {
  constexpr int kCommits = 250;
  size_t max_manifests = 0;
  iceberg::Snapshot last;
  for (int i = 0; i < kCommits; ++i) {
    ASSERT_OK_AND_ASSIGN(last, AppendFiles(*ops_, {File(i)}));
    max_manifests = std::max(max_manifests, Manifests(last).size());
  }
  EXPECT_LE(max_manifests, 100u);  // commit.manifest.min-count-to-merge, by default 100
  EXPECT_EQ(last.summary.at("total-data-files"), std::to_string(kCommits));
  std::map<std::string, int> live = LiveFiles(last);
  ASSERT_EQ(live.size(), static_cast<size_t>(kCommits));
  for (const auto& [path, count] : live) EXPECT_EQ(count, 1) << path;

  // Planning reads a bounded number of manifests however long the history.
  // (Its time is measured by bench/commit_bench.py, not asserted here.)
  ASSERT_OK_AND_ASSIGN(ScanPlan plan, PlanScan(io_, Current()));
  EXPECT_EQ(plan.files.size(), static_cast<size_t>(kCommits));
  EXPECT_LE(plan.counters.manifests_read, 100);
  ASSERT_OK_AND_ASSIGN(plan, PlanScan(io_, Current(), {.filter = "id = 77"}));
  ASSERT_EQ(plan.files.size(), 1u);
  EXPECT_EQ(plan.files[0].file_path, File(77).file_path);
  ExpectNoOrphanAvroFiles();
}

}  // namespace
}  // namespace faceberg::table
