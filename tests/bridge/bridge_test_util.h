// A base fixture for tests of HF-dataset-backed tables: Parquet files written by DuckDB, the
// in-process local hub with HfApi / HfFileIO / RoutingFileIO clients, a file catalog, and helpers
// that read the table and commit to the dataset repo.
#pragma once

#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

#include "bridge/dataset_table.h"
#include "catalog/catalog.h"
#include "engine/database.h"
#include "engine/table_service.h"
#include "hub/hf_file_io.h"
#include "hub/hub_test_util.h"
#include "hub/routing_file_io.h"

namespace faceberg::testing {

/// Owns a DuckDB connection, a LocalHub (started by StartHub(), after the repo files are added)
/// and the clients and catalog made for it; FACEBERG_CACHE_DIR points at a temp folder for the
/// duration of each test. The table under test is default.<name>, "ds_default" unless given.
class HfDatasetTest : public ::testing::Test {
 protected:
  /// The dataset repo the helpers use unless told otherwise.
  static constexpr char kRepo[] = "o/ds";

  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, engine::Database::Open());
    ASSERT_OK_AND_ASSIGN(con_, engine::Connection::Open(*db_));
    setenv("FACEBERG_CACHE_DIR", cache_.path().c_str(), 1);
  }
  void TearDown() override { unsetenv("FACEBERG_CACHE_DIR"); }

  /// The bytes of a Parquet file DuckDB writes for `select`.
  std::string Parquet(const std::string& select) {
    const std::string path = scratch_.Join("f" + std::to_string(counter_++) + ".parquet");
    EXPECT_OK(con_->Execute("COPY (" + select + ") TO '" + path + "' (FORMAT parquet)"));
    return ReadLocalFile(path);
  }

  /// Rows [first, first + n) with an id, a name and a list of tags.
  std::string Rows(int first, int n) {
    return Parquet(fmt::format(
        "SELECT range::INTEGER AS id, 'name' || range AS name, ['t' || range, 'x'] AS tags "
        "FROM range({}, {})",
        first, first + n));
  }

  /// train (2 shards: ids 0-9, 10-14) and test (ids 100-103), push_to_hub style (before
  /// StartHub()).
  void AddStandardDataset(const std::string& repo = kRepo) {
    hub_.AddFile(repo, "data/train-00000-of-00002.parquet", Rows(0, 10));
    hub_.AddFile(repo, "data/train-00001-of-00002.parquet", Rows(10, 5));
    hub_.AddFile(repo, "data/test-00000-of-00001.parquet", Rows(100, 4));
  }

  /// Starts the hub, then makes api_, hfio_, io_ and a file catalog in a temp folder.
  void StartHub() {
    ASSERT_OK(hub_.Start());
    ASSERT_OK_AND_ASSIGN(api_, hub_.Api());
    hfio_ = std::make_unique<hub::HfFileIO>(api_);
    hub::RoutingFileIOOptions routing;
    routing.shared_api = api_;
    io_ = std::make_unique<hub::RoutingFileIO>(routing);
    ASSERT_OK_AND_ASSIGN(catalog_, catalog::OpenCatalog(*io_, warehouse_.Join("catalog"), true));
  }

  /// Syncs default.`table` with a fresh HfFileIO, as a new process would have (no sizes learnt
  /// before).
  Result<bridge::DatasetTableResult> Sync(const std::string& table = "ds_default") {
    hub::HfFileIO hfio(api_);
    return bridge::SyncDatasetTable(*catalog_, hfio, *api_, {"default", table});
  }

  /// The current metadata of default.`table`; nullptr (and a failed expectation) on error.
  iceberg::TableMetadataPtr Metadata(const std::string& table = "ds_default") {
    auto ops = catalog_->LoadTable({"default", table});
    EXPECT_TRUE(ops.ok()) << ops.status().ToString();
    if (!ops.ok()) return nullptr;
    auto md = (*ops)->Refresh();
    EXPECT_TRUE(md.ok()) << md.status().ToString();
    return md.ok() ? *md : nullptr;
  }

  /// The rows of a planned scan of default.ds_default, `select` reading the scan as "{}";
  /// `plan`, when given, receives the plan.
  std::vector<engine::Row> Scan(const std::string& select, const table::ScanOptions& options = {},
                                table::ScanPlan* plan = nullptr) {
    auto md = Metadata();
    if (!md) return {};
    auto planned = engine::PlanTableScan(*io_, *md, options);
    EXPECT_TRUE(planned.ok()) << planned.status().ToString();
    if (!planned.ok()) return {};
    if (plan) *plan = planned->plan;
    auto rows = con_->Query(fmt::format(fmt::runtime(select), "(" + planned->sql + ")"));
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? rows->rows : std::vector<engine::Row>{};
  }

  /// The commit sha at main of `repo`; empty (and a failed expectation) on error.
  std::string Head(const std::string& repo = kRepo) {
    auto head = api_->ResolveRevision(repo, "main");
    EXPECT_TRUE(head.ok()) << head.status().ToString();
    return head.ok() ? *head : "";
  }

  /// One commit of `operations` to main of kRepo.
  Status CommitToDataset(std::vector<hub::CommitOperation> operations) {
    return api_->CreateCommit(kRepo, "main", operations).status();
  }

  TempDir scratch_;
  TempDir warehouse_;
  TempDir cache_;
  LocalHubFixture hub_;
  std::shared_ptr<hub::HfApi> api_;
  std::unique_ptr<hub::HfFileIO> hfio_;
  std::unique_ptr<hub::RoutingFileIO> io_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<engine::Database> db_;
  std::unique_ptr<engine::Connection> con_;
  int counter_ = 0;
};

}  // namespace faceberg::testing
