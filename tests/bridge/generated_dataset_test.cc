// Repos written by `faceberg generate` map back to the intended configs, splits and row counts:
// through the pure discovery rules on the local folder, and served by the local hub through
// DiscoverDataset and CreateDatasetTable.
#include <filesystem>

#include "bridge/bridge_test_util.h"
#include "bridge/dataset_table.h"
#include "bridge/discovery.h"
#include "engine/generator.h"

namespace faceberg::bridge {
namespace {

namespace fs = std::filesystem;
using engine::Row;

// The repo files under `dir`, as a tree listing gives them.
std::vector<RepoFile> LocalListing(const fs::path& dir) {
  std::vector<RepoFile> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    files.push_back({fs::relative(entry.path(), dir).generic_string(), entry.file_size(), "x"});
  }
  return files;
}

class GeneratedDatasetTest : public testing::HfDatasetTest {
 protected:
  // Generates repo `repo` inside the hub's root (before StartHub()).
  engine::GenerateResult GenerateRepo(engine::GenerateOptions options, const std::string& repo) {
    options.dir = (hub_.root().path() / "datasets" / repo).string();
    auto result = engine::Generate(options);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? *result : engine::GenerateResult{};
  }

  DatasetTableOptions TableOptions(const std::string& table) {
    DatasetTableOptions options;
    options.id = catalog::TableIdentifier{"default", table};
    options.dataset_name = "ds";
    return options;
  }
};

TEST_F(GeneratedDatasetTest, DiscoveryRulesReadTheIntendedLayout) {
  engine::GenerateOptions options;
  options.rows = 300;
  options.configs = {"en", "fr"};
  options.splits = {"train", "test", "validation"};
  options.split_weights = {8, 1, 1};
  options.shards = 3;
  GenerateRepo(options, "o/layout");
  const fs::path dir = hub_.root().path() / "datasets" / "o/layout";
  std::vector<RepoFile> files = LocalListing(dir);
  ASSERT_OK_AND_ASSIGN(std::vector<ConfigLayout> configs,
                       InferConfigs(files, testing::ReadLocalFile((dir / "README.md").string())));
  ASSERT_EQ(configs.size(), 2u);
  EXPECT_EQ(configs[0].name, "en");
  EXPECT_TRUE(configs[0].is_default);
  EXPECT_EQ(configs[1].name, "fr");
  EXPECT_FALSE(configs[1].is_default);
  for (const auto& config : configs) {
    EXPECT_EQ(config.format, "parquet");
    ASSERT_EQ(config.splits.size(), 3u);
    EXPECT_EQ(config.splits[0].split, "train");
    EXPECT_EQ(config.splits[1].split, "test");
    EXPECT_EQ(config.splits[2].split, "validation");
    for (const auto& split : config.splits) {
      ASSERT_EQ(split.files.size(), 3u);
      EXPECT_EQ(split.files[0].path, config.name + "/" + split.split + "-00000-of-00003.parquet");
    }
  }
}

TEST_F(GeneratedDatasetTest, ServedRepoBecomesTheIntendedTables) {
  engine::GenerateOptions flat;
  flat.rows = 1000;
  flat.splits = {"train", "test", "validation"};
  flat.split_weights = {8, 1, 1};
  flat.shards = 2;
  flat.seed = 5;
  GenerateRepo(flat, kRepo);
  engine::GenerateOptions multi;
  multi.rows = 120;
  multi.configs = {"en", "fr"};
  multi.schema = "id:id, text:text(1..20), emb:embedding(3), s:struct(t:timestamp)?0.5";
  GenerateRepo(multi, "o/multi");
  StartHub();

  ASSERT_OK_AND_ASSIGN(DatasetLayout layout, DiscoverDataset(*api_, kRepo, ""));
  ASSERT_EQ(layout.configs.size(), 1u);
  EXPECT_EQ(layout.configs[0].name, "default");
  ASSERT_EQ(layout.configs[0].splits.size(), 3u);
  ASSERT_OK_AND_ASSIGN(DatasetTableResult created, CreateDatasetTable(*catalog_, *hfio_, layout, 0,
                                                                      TableOptions("ds_default")));
  EXPECT_EQ(created.rows, 1000);
  EXPECT_EQ(created.files_added, 6);
  EXPECT_EQ(Scan("SELECT split, count(*), min(id), max(id) FROM {} GROUP BY 1 ORDER BY 1"),
            (std::vector<Row>{{"test", "100", "800", "899"},
                              {"train", "800", "0", "799"},
                              {"validation", "100", "900", "999"}}));

  ASSERT_OK_AND_ASSIGN(DatasetLayout multi_layout, DiscoverDataset(*api_, "o/multi", ""));
  ASSERT_EQ(multi_layout.configs.size(), 2u);
  for (size_t c = 0; c < 2; ++c) {
    const std::string name = multi_layout.configs[c].name;
    EXPECT_EQ(name, multi.configs[c]);
    ASSERT_OK_AND_ASSIGN(
        DatasetTableResult table,
        CreateDatasetTable(*catalog_, *hfio_, multi_layout, c, TableOptions("multi_" + name)));
    EXPECT_EQ(table.rows, 120) << name;
    EXPECT_EQ(table.files_added, 1) << name;
  }
}

}  // namespace
}  // namespace faceberg::bridge
