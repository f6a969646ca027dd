// A file-catalog table in a temporary folder with helpers to commit fake data files (real empty
// files on disk with made-up metrics), for tests of the table layer.
#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "catalog/file_table_operations.h"
#include "iceberg/single_value.h"
#include "table/append.h"
#include "test_util.h"

namespace faceberg::table::testing {

class TableFixture {
 public:
  /// Creates a table "id long not null, split string" partitioned by identity(split).
  explicit TableFixture(std::string schema = "id long not null, split string",
                        std::string partition = "split",
                        std::map<std::string, std::string> properties = {}) {
    location_ = dir_.Join("t");
    ops_ = std::make_unique<catalog::FileTableOperations>(io_, location_);
    auto parsed = iceberg::ParseSchemaString(schema);
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    iceberg::NewTableOptions options;
    options.location = location_;
    options.schema = *parsed;
    if (!partition.empty()) {
      auto spec = iceberg::ParsePartitionSpecString(partition, **parsed);
      EXPECT_TRUE(spec.ok()) << spec.status().ToString();
      options.spec = std::make_shared<const iceberg::PartitionSpec>(*spec);
    }
    options.properties = std::move(properties);
    auto md = iceberg::NewTableMetadata(options);
    EXPECT_TRUE(md.ok()) << md.status().ToString();
    Status st = ops_->Commit(nullptr, *md);
    EXPECT_TRUE(st.ok()) << st.ToString();
  }

  /// A data file on disk (empty) with `rows` rows whose ids span [min_id, max_id] in `split`.
  iceberg::DataFile File(int64_t min_id, int64_t max_id, const std::string& split,
                         int64_t rows = 10) {
    iceberg::DataFile f;
    f.file_path = location_ + "/data/split=" + split + "/f" + std::to_string(++files_) + ".parquet";
    std::filesystem::create_directories(std::filesystem::path(f.file_path).parent_path());
    std::ofstream(f.file_path) << "x";
    f.file_size_in_bytes = 100;
    f.partition = {iceberg::Value(split)};
    f.metrics.record_count = rows;
    f.metrics.value_counts = {{1, rows}};
    f.metrics.null_value_counts = {{1, 0}};
    f.metrics.lower_bounds = {
        {1, *iceberg::ValueToBinary(iceberg::Value(min_id), *iceberg::Type::Long())}};
    f.metrics.upper_bounds = {
        {1, *iceberg::ValueToBinary(iceberg::Value(max_id), *iceberg::Type::Long())}};
    return f;
  }

  /// Appends files to `branch` and returns the snapshot id.
  int64_t Append(std::vector<iceberg::DataFile> files,
                 const std::string& branch = iceberg::kMainBranch) {
    AppendOptions options;
    options.branch = branch;
    auto s = AppendFiles(*ops_, files, options);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? s->snapshot_id : 0;
  }

  iceberg::TableMetadataPtr Current() {
    auto md = ops_->Refresh();
    EXPECT_TRUE(md.ok()) << md.status().ToString();
    return *md;
  }

  /// Paths of the live data files of a snapshot.
  std::set<std::string> Live(int64_t snapshot_id) {
    auto md = Current();
    std::set<std::string> out;
    const iceberg::Snapshot* s = md->SnapshotById(snapshot_id);
    EXPECT_NE(s, nullptr);
    if (!s) return out;
    auto files = LiveDataFiles(io_, *md, *s);
    EXPECT_TRUE(files.ok()) << files.status().ToString();
    if (files.ok()) {
      for (const auto& f : *files) out.insert(f.file_path);
    }
    return out;
  }

  /// Every regular file under the table location.
  std::set<std::string> FilesOnDisk() const {
    std::set<std::string> out;
    for (const auto& e : std::filesystem::recursive_directory_iterator(location_)) {
      if (e.is_regular_file()) out.insert(e.path().string());
    }
    return out;
  }

  TableOperations& ops() { return *ops_; }
  io::LocalFileIO& io() { return io_; }
  const std::string& location() const { return location_; }
  const faceberg::testing::TempDir& dir() const { return dir_; }

 private:
  faceberg::testing::TempDir dir_;
  io::LocalFileIO io_;
  std::string location_;
  std::unique_ptr<catalog::FileTableOperations> ops_;
  int files_ = 0;
};

}  // namespace faceberg::table::testing
