// Inserts into HF-backed tables against the in-process local hub: one Hub commit of files named
// by the dataset's layout (checked with the datasets library's rules), files without the split
// column, the table's snapshot and properties, cached copies, NULL and new splits, a dataset that
// moved (nothing changes anywhere), refused tables (Parquet export, tag, sha), a table commit that
// fails after the Hub commit (sync repairs it), and syncs after an insert.
#include "bridge/hf_insert.h"

#include <filesystem>

#include "bridge/bridge_test_util.h"
#include "bridge/dataset_table.h"
#include "bridge/discovery.h"
#include "bridge/properties.h"
#include "catalog/catalog.h"
#include "engine/table_service.h"
#include "format/parquet/footer.h"
#include "iceberg/parquet_metrics.h"
#include "table/append.h"
#include "util/strings.h"

namespace faceberg::bridge {
namespace {

using engine::Row;
using iceberg::DataFile;
using ::testing::HasSubstr;

const catalog::TableIdentifier kTable{"default", "ds_default"};

// Table operations whose commits fail, as a lost disk would make them.
class FailingCommitOperations final : public table::TableOperations {
 public:
  explicit FailingCommitOperations(table::TableOperations& inner) : inner_(inner) {}
  io::FileIO& io() override { return inner_.io(); }
  Result<iceberg::TableMetadataPtr> Refresh() override { return inner_.Refresh(); }
  std::string current_metadata_location() const override {
    return inner_.current_metadata_location();
  }
  Status Commit(const iceberg::TableMetadata*, const iceberg::TableMetadata&) override {
    return IOError("cannot write the new metadata: the disk is full");
  }

 private:
  table::TableOperations& inner_;
};

class HfInsertTest : public testing::HfDatasetTest {
 protected:
  Result<DatasetTableResult> Create(const std::string& repo = kRepo,
                                    const std::string& revision = "") {
    ASSIGN_OR_RETURN(DatasetLayout layout, DiscoverDataset(*api_, repo, revision));
    DatasetTableOptions options;
    options.id = kTable;
    options.dataset_name = "ds";
    return CreateDatasetTable(*catalog_, *hfio_, layout, 0, options);
  }

  Result<DatasetInsertResult> Insert(const std::string& values,
                                     table::TableOperations* ops = nullptr) {
    ASSIGN_OR_RETURN(auto loaded, catalog_->LoadTable(kTable));
    DatasetInsertOptions options;
    options.id = kTable;
    return InsertIntoDatasetTable(ops ? *ops : *loaded, *con_, *api_,
                                  engine::InsertSource::Values(values), options);
  }

  std::string MetadataLocation() {
    auto ops = catalog_->LoadTable(kTable);
    if (!ops.ok()) return "";
    EXPECT_OK((*ops)->Refresh().status());
    return (*ops)->current_metadata_location();
  }

  std::vector<std::string> LivePaths() {
    auto md = Metadata();
    if (!md || !md->CurrentSnapshot()) return {};
    auto files = table::LiveDataFiles(*io_, *md, *md->CurrentSnapshot());
    EXPECT_TRUE(files.ok()) << files.status().ToString();
    std::vector<std::string> out;
    if (files.ok()) {
      for (const DataFile& f : *files) out.push_back(f.file_path);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  std::vector<RepoFile> RepoFilesAt(const std::string& commit, const std::string& repo = kRepo) {
    auto entries = api_->ListTree(repo, commit, "", true);
    EXPECT_TRUE(entries.ok()) << entries.status().ToString();
    std::vector<RepoFile> files;
    if (!entries.ok()) return files;
    for (const hub::RepoEntry& e : *entries) {
      if (e.is_file()) files.push_back({e.path, e.size, e.lfs ? e.lfs->sha256 : e.oid});
    }
    return files;
  }

  // The top-level column names of a dataset file, and whether it carries field ids.
  std::vector<std::string> ColumnsOf(const std::string& commit, const std::string& path,
                                     bool* ids_from_file) {
    auto read = api_->ReadFile({kRepo, commit, path, hub::ByteRange::All()});
    EXPECT_TRUE(read.ok()) << read.status().ToString();
    if (!read.ok()) return {};
    io::MemoryInputFile file(path, read->data);
    auto footer = parquet::ReadFileMetaData(file);
    EXPECT_TRUE(footer.ok()) << footer.status().ToString();
    if (!footer.ok()) return {};
    iceberg::ParquetSchemaInfo info;
    auto schema = iceberg::SchemaFromParquet(*footer, &info);
    EXPECT_TRUE(schema.ok()) << schema.status().ToString();
    if (!schema.ok()) return {};
    *ids_from_file = info.ids_from_file;
    std::vector<std::string> names;
    for (const auto& f : (*schema)->fields()) names.push_back(f.name);
    return names;
  }
};

TEST_F(HfInsertTest, RowsBecomeOneHubCommitOfFilesInTheirSplitsAndOneTableSnapshot) {
  AddStandardDataset();
  StartHub();
  const std::string before = Head();
  ASSERT_OK(Create().status());
  // A first scan caches the dataset's own files.
  EXPECT_EQ(Scan("SELECT count(*) FROM {}"), (std::vector<Row>{{"19"}}));

  hub_.hub().ResetStats();
  ASSERT_OK_AND_ASSIGN(DatasetInsertResult result,
                       Insert("(1000, 'n1000', ['a'], 'train'), (1001, 'n1001', NULL, 'test'), "
                              "(1002, 'n1002', ['b', 'c'], 'train')"));
  EXPECT_EQ(hub_.Route("commit"), 1);
  EXPECT_EQ(result.repo, kRepo);
  EXPECT_EQ(result.rows, 3);
  EXPECT_NE(result.commit, before);
  EXPECT_EQ(Head(), result.commit);
  ASSERT_EQ(result.files.size(), 2u);
  std::map<std::string, InsertedDatasetFile> by_split;
  for (const auto& f : result.files) by_split[f.split] = f;
  ASSERT_EQ(by_split.size(), 2u);
  EXPECT_EQ(by_split["train"].rows, 2);
  EXPECT_EQ(by_split["test"].rows, 1);
  EXPECT_THAT(by_split["train"].path,
              ::testing::MatchesRegex("data/train-00000-of-00001-[0-9a-f]{16}\\.parquet"));
  EXPECT_THAT(by_split["test"].path,
              ::testing::MatchesRegex("data/test-00000-of-00001-[0-9a-f]{16}\\.parquet"));
  EXPECT_EQ(by_split["train"].location,
            fmt::format("hf://datasets/{}@{}/{}", kRepo, result.commit, by_split["train"].path));

  // The datasets library's rules put each new file in its split, the old files where they were.
  std::vector<RepoFile> tree = RepoFilesAt(result.commit);
  EXPECT_EQ(tree.size(), RepoFilesAt(before).size() + 2);
  ASSERT_OK_AND_ASSIGN(std::vector<ConfigLayout> configs, InferConfigs(tree, ""));
  ASSERT_EQ(configs.size(), 1u);
  std::map<std::string, std::vector<std::string>> split_files;
  for (const SplitFiles& s : configs[0].splits) {
    for (const RepoFile& f : s.files) split_files[s.split].push_back(f.path);
  }
  EXPECT_THAT(
      split_files["train"],
      ::testing::UnorderedElementsAre("data/train-00000-of-00002.parquet",
                                      "data/train-00001-of-00002.parquet", by_split["train"].path));
  EXPECT_THAT(split_files["test"], ::testing::UnorderedElementsAre(
                                       "data/test-00000-of-00001.parquet", by_split["test"].path));

  // The files hold the dataset's columns, by name, without the split.
  for (const auto& f : result.files) {
    bool ids = true;
    EXPECT_EQ(ColumnsOf(result.commit, f.path, &ids),
              (std::vector<std::string>{"id", "name", "tags"}));
    EXPECT_FALSE(ids) << f.path;
  }

  // The table: one append snapshot of the new files at the new commit.
  auto md = Metadata();
  ASSERT_NE(md, nullptr);
  EXPECT_EQ(md->Property(kCommitProperty), result.commit);
  EXPECT_EQ(md->Property(kSourceCommitProperty), result.commit);
  EXPECT_EQ(md->Property(kRevisionProperty), "main");
  ASSERT_NE(md->CurrentSnapshot(), nullptr);
  EXPECT_EQ(md->CurrentSnapshot()->snapshot_id, result.snapshot.snapshot_id);
  EXPECT_EQ(result.snapshot.operation(), "append");
  EXPECT_EQ(result.snapshot.summary.at(kCommitSummary), result.commit);
  EXPECT_EQ(result.snapshot.SummaryInt("added-records"), 3);
  EXPECT_EQ(result.snapshot.SummaryInt(iceberg::summary::kTotalDataFiles), 5);
  std::vector<std::string> live = LivePaths();
  EXPECT_THAT(live, ::testing::Contains(by_split["train"].location));
  EXPECT_THAT(live, ::testing::Contains(by_split["test"].location));

  // The scan reads old and new rows, the split from the partition tuples, the new files from the
  // cache: the Hub is not asked for them.
  hub_.hub().ResetStats();
  EXPECT_EQ(Scan("SELECT split, count(*) FROM {} GROUP BY 1 ORDER BY 1"),
            (std::vector<Row>{{"test", "5"}, {"train", "17"}}));
  EXPECT_EQ(Scan("SELECT id, name, tags, split FROM {} WHERE id >= 1000 ORDER BY id"),
            (std::vector<Row>{{"1000", "n1000", "[a]", "train"},
                              {"1001", "n1001", std::nullopt, "test"},
                              {"1002", "n1002", "[b, c]", "train"}}));
  hub::LocalHubStats stats = hub_.hub().stats();
  EXPECT_EQ(stats.requests["GET resolve"], 0) << hub::StatsToJson(stats);
  EXPECT_EQ(stats.requests["HEAD resolve"], 0) << hub::StatsToJson(stats);

  // Sync finds the dataset where the insert left it.
  ASSERT_OK_AND_ASSIGN(DatasetTableResult synced, Sync());
  EXPECT_TRUE(synced.unchanged);
  EXPECT_EQ(synced.commit, result.commit);
}

TEST_F(HfInsertTest, ANullSplitMeansTheOnlySplitAndIsRefusedWhenThereAreSeveral) {
  hub_.AddFile("o/one", "data/train-00000-of-00001.parquet", Rows(0, 3));
  AddStandardDataset();
  StartHub();

  // Several splits: the NULL split names them, and nothing changes anywhere.
  ASSERT_OK(Create().status());
  const std::string head = Head();
  const std::string metadata = MetadataLocation();
  EXPECT_ERROR(Insert("(1, 'a', NULL, NULL)"), ErrorCode::kInvalidArgument,
               "has the splits train, test");
  EXPECT_EQ(Head(), head);
  EXPECT_EQ(MetadataLocation(), metadata);

  // One split: NULL means it.
  ASSERT_OK(catalog_->DropTable(kTable, /*purge=*/true));
  ASSERT_OK(Create("o/one").status());
  ASSERT_OK_AND_ASSIGN(auto loaded, catalog_->LoadTable(kTable));
  DatasetInsertOptions options;
  options.id = kTable;
  ASSERT_OK_AND_ASSIGN(
      DatasetInsertResult result,
      InsertIntoDatasetTable(*loaded, *con_, *api_,
                             engine::InsertSource::Values("(7, 'seven', NULL, NULL)"), options));
  ASSERT_EQ(result.files.size(), 1u);
  EXPECT_EQ(result.files[0].split, "train");
  EXPECT_EQ(Scan("SELECT id, split FROM {} ORDER BY id"),
            (std::vector<Row>{{"0", "train"}, {"1", "train"}, {"2", "train"}, {"7", "train"}}));
}

TEST_F(HfInsertTest, ANewSplitIsAddedWhereTheRulesPutItAndRefusedWhereThereIsNoSuchPlace) {
  AddStandardDataset();
  // A README that lists its splits' files: no name can make a new split.
  hub_.AddFile("o/pinned", "README.md",
               "---\nconfigs:\n- config_name: default\n  data_files:\n  - split: train\n"
               "    path: data/train-*.parquet\n---\n");
  hub_.AddFile("o/pinned", "data/train-00000-of-00001.parquet", Rows(0, 2));
  StartHub();

  ASSERT_OK(Create().status());
  ASSERT_OK_AND_ASSIGN(DatasetInsertResult result, Insert("(500, 'v', NULL, 'validation')"));
  ASSERT_EQ(result.files.size(), 1u);
  EXPECT_THAT(result.files[0].path, ::testing::StartsWith("data/validation-00000-of-00001-"));
  ASSERT_OK_AND_ASSIGN(std::vector<ConfigLayout> configs,
                       InferConfigs(RepoFilesAt(result.commit), ""));
  ASSERT_EQ(configs.size(), 1u);
  std::vector<std::string> splits;
  for (const SplitFiles& s : configs[0].splits) splits.push_back(s.split);
  EXPECT_EQ(splits, (std::vector<std::string>{"train", "validation", "test"}));
  EXPECT_EQ(Scan("SELECT split, count(*) FROM {} GROUP BY 1 ORDER BY 1"),
            (std::vector<Row>{{"test", "4"}, {"train", "15"}, {"validation", "1"}}));

  ASSERT_OK(catalog_->DropTable(kTable, /*purge=*/true));
  ASSERT_OK(Create("o/pinned").status());
  const std::string head = Head("o/pinned");
  const std::string metadata = MetadataLocation();
  EXPECT_ERROR(Insert("(9, 'x', NULL, 'validation')"), ErrorCode::kNotSupported, "validation");
  EXPECT_EQ(Head("o/pinned"), head);
  EXPECT_EQ(MetadataLocation(), metadata);
  // Its existing split still takes rows.
  ASSERT_OK_AND_ASSIGN(result, Insert("(9, 'x', NULL, 'train')"));
  ASSERT_EQ(result.files.size(), 1u);
  EXPECT_THAT(result.files[0].path, ::testing::StartsWith("data/train-00000-of-00001-"));
}

TEST_F(HfInsertTest, ADatasetThatMovedSinceTheSyncIsAConflictAndNothingChanges) {
  AddStandardDataset();
  StartHub();
  ASSERT_OK(Create().status());
  ASSERT_OK(CommitToDataset(
      {hub::CommitOperation::Add("data/train-00002-of-00003.parquet", Rows(20, 2))}));
  const std::string head = Head();
  const std::string metadata = MetadataLocation();
  hub_.hub().ResetStats();
  auto inserted = Insert("(1, 'a', NULL, 'train')");
  EXPECT_ERROR(inserted, ErrorCode::kConflict,
               "dataset o/ds has new commits since the table's last sync; run 'faceberg sync "
               "default.ds_default' and insert again");
  EXPECT_EQ(hub_.Route("commit"), 0);
  EXPECT_EQ(Head(), head);
  EXPECT_EQ(MetadataLocation(), metadata);

  // After the sync the insert goes through.
  ASSERT_OK(Sync().status());
  ASSERT_OK_AND_ASSIGN(DatasetInsertResult result, Insert("(1, 'a', NULL, 'train')"));
  EXPECT_EQ(Metadata()->Property(kCommitProperty), result.commit);
}

TEST_F(HfInsertTest, TablesOfTheParquetExportOrOfATagOrCommitAreRefused) {
  hub_.AddFile("o/csv", "data/train.csv", "id,name\n1,a\n");
  hub_.AddFile("o/csv", ".refs/convert/parquet/default/train/0000.parquet", Rows(0, 6));
  AddStandardDataset();
  StartHub();

  ASSERT_OK(Create("o/csv").status());
  EXPECT_ERROR(Insert("(1, 'a', NULL, 'train')"), ErrorCode::kNotSupported,
               "Parquet export (refs/convert/parquet)");

  // A tag.
  ASSERT_OK(catalog_->DropTable(kTable, /*purge=*/true));
  io::HttpRequest tag;
  tag.method = io::HttpMethod::kPost;
  tag.url = hub_.endpoint() + "/api/datasets/o/ds/tag/main";
  tag.headers.Add("Content-Type", "application/json");
  tag.body = R"({"tag": "v1"})";
  ASSERT_OK_AND_ASSIGN(io::HttpResponse tagged, api_->http().Send(tag));
  ASSERT_TRUE(tagged.ok()) << tagged.status << " " << tagged.body;
  ASSERT_OK(Create(kRepo, "v1").status());
  const std::string head = Head();
  EXPECT_ERROR(Insert("(1, 'a', NULL, 'train')"), ErrorCode::kNotSupported,
               "follows revision 'v1' of dataset o/ds, a tag or a commit, not a branch");

  // A commit sha.
  ASSERT_OK(catalog_->DropTable(kTable, /*purge=*/true));
  ASSERT_OK(Create(kRepo, head).status());
  EXPECT_ERROR(Insert("(1, 'a', NULL, 'train')"), ErrorCode::kNotSupported, "not a branch");
  EXPECT_EQ(Head(), head);
}

TEST_F(HfInsertTest, ATableCommitThatFailsAfterTheHubCommitIsRepairedBySync) {
  AddStandardDataset();
  StartHub();
  ASSERT_OK(Create().status());
  const std::string metadata = MetadataLocation();
  ASSERT_OK_AND_ASSIGN(auto loaded, catalog_->LoadTable(kTable));
  FailingCommitOperations failing(*loaded);
  auto inserted = Insert("(1000, 'n', NULL, 'train'), (1001, 'm', NULL, 'test')", &failing);
  ASSERT_FALSE(inserted.ok());
  EXPECT_EQ(inserted.status().code(), ErrorCode::kIOError);
  const std::string head = Head();
  EXPECT_THAT(inserted.status().message(),
              HasSubstr(fmt::format("the rows are in dataset o/ds at commit {}", head)));
  EXPECT_THAT(inserted.status().message(), HasSubstr("the disk is full"));
  EXPECT_THAT(inserted.status().message(),
              HasSubstr("'faceberg sync default.ds_default' adds them"));
  EXPECT_EQ(MetadataLocation(), metadata);

  ASSERT_OK_AND_ASSIGN(DatasetTableResult synced, Sync());
  EXPECT_FALSE(synced.unchanged);
  EXPECT_EQ(synced.commit, head);
  EXPECT_EQ(synced.files_added, 2);
  EXPECT_EQ(synced.files_kept, 3);
  EXPECT_EQ(Scan("SELECT id, split FROM {} WHERE id >= 1000 ORDER BY id"),
            (std::vector<Row>{{"1000", "train"}, {"1001", "test"}}));
}

TEST_F(HfInsertTest, SyncAfterOtherCommitsKeepsTheInsertedFilesAndAddsTheirs) {
  AddStandardDataset();
  StartHub();
  ASSERT_OK(Create().status());
  ASSERT_OK_AND_ASSIGN(DatasetInsertResult result,
                       Insert("(1000, 'n', NULL, 'train'), (1001, 'm', NULL, 'test')"));
  ASSERT_OK(CommitToDataset(
      {hub::CommitOperation::Add("data/test-00001-of-00002.parquet", Rows(200, 3))}));

  ASSERT_OK_AND_ASSIGN(DatasetTableResult synced, Sync());
  EXPECT_FALSE(synced.unchanged);
  EXPECT_EQ(synced.files_added, 1);
  EXPECT_EQ(synced.files_removed, 0);
  EXPECT_EQ(synced.files_kept, 5);  // 3 of the dataset, 2 inserted
  std::vector<std::string> live = LivePaths();
  for (const auto& f : result.files) EXPECT_THAT(live, ::testing::Contains(f.location));
  EXPECT_EQ(Scan("SELECT split, count(*) FROM {} GROUP BY 1 ORDER BY 1"),
            (std::vector<Row>{{"test", "8"}, {"train", "16"}}));
}

TEST_F(HfInsertTest, RowsThatDoNotFitTheSchemaChangeNothing) {
  AddStandardDataset();
  StartHub();
  ASSERT_OK(Create().status());
  const std::string head = Head();
  const std::string metadata = MetadataLocation();
  EXPECT_ERROR(Insert("('not a number', 'a', NULL, 'train')"), ErrorCode::kInvalidArgument,
               "column \"id\"");
  EXPECT_ERROR(Insert("(1, 'a', NULL, 'no such split!')"), ErrorCode::kInvalidArgument,
               "split name");
  EXPECT_EQ(Head(), head);
  EXPECT_EQ(MetadataLocation(), metadata);
}

}  // namespace
}  // namespace faceberg::bridge
