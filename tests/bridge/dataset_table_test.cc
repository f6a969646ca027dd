// HF-dataset-backed tables against the in-process local hub: create (schema, partitions,
// metrics, properties, one footer request per file), sync (unchanged, added/removed/changed
// files, new columns, incompatible changes) and scans through the engine, old snapshots included.
#include "bridge/dataset_table.h"

#include <filesystem>
#include <fstream>

#include "bridge/bridge_test_util.h"
#include "bridge/properties.h"
#include "catalog/catalog.h"
#include "format/parquet/footer.h"
#include "iceberg/name_mapping.h"
#include "iceberg/single_value.h"
#include "table/add_files.h"
#include "table/append.h"
#include "util/strings.h"

namespace faceberg::bridge {
namespace {

using engine::Row;
using iceberg::DataFile;

// The single-value binary form of an int bound.
std::string Bound(int32_t value) {
  auto binary = iceberg::ValueToBinary(iceberg::Value(value), *iceberg::Type::Int());
  EXPECT_TRUE(binary.ok());
  return binary.ok() ? *binary : "";
}

class DatasetTableTest : public testing::HfDatasetTest {
 protected:
  DatasetTableOptions Options(const std::string& table = "ds_default") {
    DatasetTableOptions options;
    options.id = catalog::TableIdentifier{"default", table};
    options.dataset_name = "ds";
    return options;
  }

  Result<DatasetTableResult> Create(const std::string& repo = kRepo,
                                    DatasetTableOptions options = {}) {
    if (options.id.name.empty()) options = Options();
    ASSIGN_OR_RETURN(DatasetLayout layout, DiscoverDataset(*api_, repo, ""));
    return CreateDatasetTable(*catalog_, *hfio_, layout, 0, options);
  }

  std::string MetadataLocation() {
    auto ops = catalog_->LoadTable(Options().id);
    return ops.ok() ? (*ops)->current_metadata_location() : "";
  }

  std::vector<DataFile> LiveFiles(const iceberg::TableMetadata& md) {
    auto files = table::LiveDataFiles(*io_, md, *md.CurrentSnapshot());
    EXPECT_TRUE(files.ok()) << files.status().ToString();
    std::vector<DataFile> out = files.ok() ? *files : std::vector<DataFile>{};
    // By repo path: the commit in the location is random, so it must not decide the order.
    auto repo_path = [](const DataFile& f) {
      auto at = f.file_path.find('@');
      auto slash = at == std::string::npos ? at : f.file_path.find('/', at);
      return slash == std::string::npos ? f.file_path : f.file_path.substr(slash + 1);
    };
    std::sort(out.begin(), out.end(),
              [&](const DataFile& a, const DataFile& b) { return repo_path(a) < repo_path(b); });
    return out;
  }

  std::string Location(const std::string& commit, const std::string& path) {
    return fmt::format("hf://datasets/{}@{}/{}", kRepo, commit, path);
  }
};

TEST_F(DatasetTableTest, CreateMapsSplitsToPartitionsWithMetricsAndOneFooterRequestPerFile) {
  AddStandardDataset();
  StartHub();
  const std::string sha = Head();
  hub_.hub().ResetStats();
  ASSERT_OK_AND_ASSIGN(DatasetTableResult result, Create());
  EXPECT_EQ(result.files_added, 3);
  EXPECT_EQ(result.rows, 19);
  EXPECT_EQ(result.footer_requests, 3);
  EXPECT_EQ(result.commit, sha);
  EXPECT_FALSE(result.unchanged);
  // Discovery (resolve, tree) plus exactly one ranged GET per footer and no HEAD.
  hub::LocalHubStats stats = hub_.hub().stats();
  EXPECT_EQ(stats.requests["GET resolve"], 3) << hub::StatsToJson(stats);
  EXPECT_EQ(stats.requests["HEAD resolve"], 0);

  auto md = Metadata();
  ASSERT_NE(md, nullptr);
  EXPECT_EQ(md->CurrentSchema()->ToString(),
            iceberg::Schema(
                0, {{1, "id", false, iceberg::Type::Int(), ""},
                    {2, "name", false, iceberg::Type::String(), ""},
                    {3, "tags", false, iceberg::Type::List(4, false, iceberg::Type::String()), ""},
                    {5, "split", false, iceberg::Type::String(), ""}})
                .ToString());
  ASSERT_EQ(md->DefaultSpec()->fields.size(), 1u);
  EXPECT_EQ(md->DefaultSpec()->fields[0].source_id, 5);
  EXPECT_TRUE(md->DefaultSpec()->fields[0].transform.is_identity());
  EXPECT_EQ(md->Property(kRepoProperty), kRepo);
  EXPECT_EQ(md->Property(kConfigProperty), "default");
  EXPECT_EQ(md->Property(kRevisionProperty), "main");
  EXPECT_EQ(md->Property(kCommitProperty), sha);
  EXPECT_EQ(md->Property(kSourceProperty), "main");
  EXPECT_EQ(md->Property(kSourceCommitProperty), sha);
  EXPECT_EQ(md->properties.count(kPartialSplitsProperty), 0u);
  EXPECT_EQ(md->Property(kDatasetNameProperty), "ds");
  ASSERT_OK_AND_ASSIGN(iceberg::NameMapping mapping,
                       iceberg::ParseNameMapping(md->Property(iceberg::kNameMappingProperty)));
  EXPECT_EQ(mapping.Find({"tags", "element"}), 4);
  EXPECT_EQ(mapping.Find({"split"}), 5);
  ASSERT_EQ(md->snapshots.size(), 1u);
  EXPECT_EQ(md->CurrentSnapshot()->summary.at(kCommitSummary), sha);
  EXPECT_EQ(md->CurrentSnapshot()->operation(), "append");

  std::vector<DataFile> files = LiveFiles(*md);
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].file_path, Location(sha, "data/test-00000-of-00001.parquet"));
  EXPECT_EQ(files[1].file_path, Location(sha, "data/train-00000-of-00002.parquet"));
  EXPECT_EQ(files[0].partition, iceberg::PartitionValues{iceberg::Value(std::string("test"))});
  EXPECT_EQ(files[1].partition, iceberg::PartitionValues{iceberg::Value(std::string("train"))});
  EXPECT_EQ(files[2].partition, iceberg::PartitionValues{iceberg::Value(std::string("train"))});
  EXPECT_EQ(files[0].record_count(), 4);
  EXPECT_EQ(files[1].record_count(), 10);
  EXPECT_EQ(files[2].record_count(), 5);
  const std::string repo_root = hub_.root().Join("datasets/o/ds/data/");
  EXPECT_EQ(
      files[1].file_size_in_bytes,
      static_cast<int64_t>(std::filesystem::file_size(repo_root + "train-00000-of-00002.parquet")));
  // Bounds of id; list element sizes and counts (no bounds inside lists); nothing for split.
  EXPECT_EQ(files[0].metrics.lower_bounds.at(1), Bound(100));
  EXPECT_EQ(files[0].metrics.upper_bounds.at(1), Bound(103));
  EXPECT_EQ(files[0].metrics.value_counts.at(4), 8);
  EXPECT_FALSE(files[0].metrics.lower_bounds.count(4));
  EXPECT_FALSE(files[0].metrics.value_counts.count(5));

  // Scans read the split from the partition tuple; a split filter plans only its files.
  EXPECT_EQ(Scan("SELECT split, count(*), min(id), max(id) FROM {} GROUP BY 1 ORDER BY 1"),
            (std::vector<Row>{{"test", "4", "100", "103"}, {"train", "15", "0", "14"}}));
  table::ScanOptions train;
  train.filter = "split = 'train'";
  table::ScanPlan plan;
  EXPECT_EQ(Scan("SELECT count(*), min(split), max(split) FROM {}", train, &plan),
            (std::vector<Row>{{"15", "train", "train"}}));
  EXPECT_EQ(plan.files.size(), 2u);
  table::ScanOptions one;
  one.filter = "id = 3";
  EXPECT_EQ(Scan("SELECT id, name, tags, split FROM {}", one, &plan),
            (std::vector<Row>{{"3", "name3", "[t3, x]", "train"}}));
  EXPECT_EQ(plan.files.size(), 1u);  // the metrics prune the other train file
}

TEST_F(DatasetTableTest, SmallFirstReadsNeedASecondRequestPerFile) {
  AddStandardDataset();
  StartHub();
  DatasetTableOptions options = Options();
  options.footer_tail_bytes = 64;  // smaller than every footer
  ASSERT_OK_AND_ASSIGN(DatasetTableResult result, Create(kRepo, options));
  EXPECT_EQ(result.footer_requests, 6);
  EXPECT_EQ(result.rows, 19);
  EXPECT_EQ(hub_.hub().stats().requests["HEAD resolve"], 0);  // sizes came from the listing
}

TEST_F(DatasetTableTest, CreateRefusesAnExistingTable) {
  AddStandardDataset();
  StartHub();
  ASSERT_OK(Create().status());
  EXPECT_ERROR(Create(), ErrorCode::kAlreadyExists, "faceberg sync default.ds_default");
}

TEST_F(DatasetTableTest, PromotionsWidenTheTableType) {
  hub_.AddFile(kRepo, "data/train-00000-of-00002.parquet",
               Parquet("SELECT 1::INTEGER AS id, 1.5::FLOAT AS x"));
  hub_.AddFile(kRepo, "data/train-00001-of-00002.parquet",
               Parquet("SELECT 5000000000::BIGINT AS id, 2.5::DOUBLE AS x"));
  StartHub();
  ASSERT_OK(Create().status());
  auto md = Metadata();
  EXPECT_EQ(md->CurrentSchema()->FindFieldByName("id")->type->ToString(), "long");
  EXPECT_EQ(md->CurrentSchema()->FindFieldByName("x")->type->ToString(), "double");
  EXPECT_EQ(Scan("SELECT id, x FROM {} ORDER BY id"),
            (std::vector<Row>{{"1", "1.5"}, {"5000000000", "2.5"}}));
}

TEST_F(DatasetTableTest, IncompatibleFilesNameFileAndColumnAndCreateNothing) {
  hub_.AddFile(kRepo, "data/train-00000-of-00002.parquet", Parquet("SELECT 1 AS id, 'a' AS name"));
  hub_.AddFile(kRepo, "data/train-00001-of-00002.parquet", Parquet("SELECT 2 AS id, 3.5 AS name"));
  hub_.AddFile("o/extra", "data/train-00000-of-00002.parquet", Parquet("SELECT 1 AS id"));
  hub_.AddFile("o/extra", "data/train-00001-of-00002.parquet",
               Parquet("SELECT 2 AS id, 'b' AS more"));
  hub_.AddFile("o/split", "data/train-00000-of-00001.parquet",
               Parquet("SELECT 1 AS id, 'x' AS split"));
  StartHub();
  EXPECT_ERROR(Create(), ErrorCode::kInvalidArgument,
               "data/train-00001-of-00002.parquet: column 'name' is decimal(2,1) there but "
               "string in data/train-00000-of-00002.parquet");
  EXPECT_ERROR(Create("o/extra"), ErrorCode::kInvalidArgument,
               "data/train-00001-of-00002.parquet: column 'more' is not in "
               "data/train-00000-of-00002.parquet");
  EXPECT_ERROR(Create("o/split"), ErrorCode::kNotSupported, "column named 'split'");
  ASSERT_OK_AND_ASSIGN(auto tables, catalog_->ListTables(""));
  EXPECT_TRUE(tables.empty());
  EXPECT_FALSE(std::filesystem::exists(warehouse_.Join("catalog/default/ds_default")));
}

// A catalog whose LoadTable fails: a create that fails after CreateTable must drop the table.
class LoadFailingCatalog final : public catalog::Catalog {
 public:
  explicit LoadFailingCatalog(catalog::Catalog& inner) : inner_(inner) {}
  const std::string& name() const override { return inner_.name(); }
  Result<std::vector<std::string>> ListNamespaces(const std::string& parent) override {
    return inner_.ListNamespaces(parent);
  }
  Status CreateNamespace(const std::string& ns, const catalog::Properties& p) override {
    return inner_.CreateNamespace(ns, p);
  }
  Result<catalog::Properties> LoadNamespaceProperties(const std::string& ns) override {
    return inner_.LoadNamespaceProperties(ns);
  }
  Result<bool> NamespaceExists(const std::string& ns) override {
    return inner_.NamespaceExists(ns);
  }
  Status DropNamespace(const std::string& ns) override { return inner_.DropNamespace(ns); }
  Result<catalog::PropertiesUpdateSummary> UpdateNamespaceProperties(
      const std::string& ns, const std::vector<std::string>& removals,
      const catalog::Properties& updates) override {
    return inner_.UpdateNamespaceProperties(ns, removals, updates);
  }
  Result<std::vector<catalog::TableIdentifier>> ListTables(const std::string& ns) override {
    return inner_.ListTables(ns);
  }
  Result<iceberg::TableMetadataPtr> CreateTable(
      const catalog::TableIdentifier& id, const catalog::CreateTableOptions& options) override {
    return inner_.CreateTable(id, options);
  }
  Result<std::unique_ptr<table::TableOperations>> LoadTable(
      const catalog::TableIdentifier& id) override {
    return IOError("injected: cannot load {}", id.ToString());
  }
  Result<bool> TableExists(const catalog::TableIdentifier& id) override {
    return inner_.TableExists(id);
  }
  Status DropTable(const catalog::TableIdentifier& id, bool purge) override {
    return inner_.DropTable(id, purge);
  }
  Status RenameTable(const catalog::TableIdentifier& from,
                     const catalog::TableIdentifier& to) override {
    return inner_.RenameTable(from, to);
  }
  Result<iceberg::TableMetadataPtr> RegisterTable(const catalog::TableIdentifier& id,
                                                  const std::string& location) override {
    return inner_.RegisterTable(id, location);
  }
  Result<catalog::CommittedTable> CommitTable(
      const catalog::TableIdentifier& id, const std::vector<table::TableRequirement>& reqs,
      const std::vector<table::TableUpdate>& updates) override {
    return inner_.CommitTable(id, reqs, updates);
  }

 protected:
  Result<catalog::CommittedTable> CreateFromMetadata(const catalog::TableIdentifier&,
                                                     iceberg::TableMetadata) override {
    return NotSupported("not used");
  }

 private:
  catalog::Catalog& inner_;
};

TEST_F(DatasetTableTest, CreateDropsTheNewTableWhenTheSnapshotFails) {
  AddStandardDataset();
  StartHub();
  LoadFailingCatalog failing(*catalog_);
  ASSERT_OK_AND_ASSIGN(DatasetLayout layout, DiscoverDataset(*api_, kRepo, ""));
  EXPECT_ERROR(CreateDatasetTable(failing, *hfio_, layout, 0, Options()), ErrorCode::kIOError,
               "injected");
  ASSERT_OK_AND_ASSIGN(bool exists, catalog_->TableExists(Options().id));
  EXPECT_FALSE(exists);
  EXPECT_FALSE(std::filesystem::exists(warehouse_.Join("catalog/default/ds_default/metadata")));
  // Nothing stands in the way of creating it for real.
  ASSERT_OK(Create().status());
}

TEST_F(DatasetTableTest, ListElementsMapWhetherArrowCallsThemElementOrItem) {
  AddStandardDataset();
  StartHub();
  ASSERT_OK(Create().status());
  auto md = Metadata();
  io::MemoryInputFile file("f.parquet", Rows(0, 3));
  ASSERT_OK_AND_ASSIGN(parquet::FileMetaData footer, parquet::ReadFileMetaData(file));
  table::FooterDescription description;
  description.location = "f.parquet";
  description.partition = iceberg::PartitionValues{iceberg::Value(std::string("train"))};
  ASSERT_OK_AND_ASSIGN(DataFile with_element,
                       table::DescribeParquetFooter(*md, footer, description));
  // Rename the list's element level to "item", as older Arrow writers do.
  for (auto& element : footer.schema) {
    if (element.name == "element") element.name = "item";
  }
  for (auto& group : footer.row_groups) {
    for (auto& chunk : group.columns) {
      for (auto& part : chunk.meta_data->path_in_schema) {
        if (part == "element") part = "item";
      }
    }
  }
  ASSERT_OK_AND_ASSIGN(DataFile with_item, table::DescribeParquetFooter(*md, footer, description));
  EXPECT_EQ(with_item.metrics, with_element.metrics);
  EXPECT_EQ(with_item.metrics.value_counts.at(4), 6);
}

TEST_F(DatasetTableTest, SyncWithoutANewCommitIsUnchangedAndWritesNothing) {
  AddStandardDataset();
  StartHub();
  ASSERT_OK_AND_ASSIGN(DatasetTableResult created, Create());
  const std::string before = MetadataLocation();
  hub_.hub().ResetStats();
  ASSERT_OK_AND_ASSIGN(DatasetTableResult result, Sync());
  EXPECT_TRUE(result.unchanged);
  EXPECT_EQ(result.snapshot_id, created.snapshot_id);
  EXPECT_EQ(result.files_kept, 3);
  EXPECT_EQ(result.commit, Head());
  EXPECT_EQ(MetadataLocation(), before);
  EXPECT_EQ(hub_.HubRequests(), 2);  // our revision check, and Head() above
}

TEST_F(DatasetTableTest, SyncAddsNewFilesRemovesDeletedOnesAndKeepsTheRest) {
  AddStandardDataset();
  StartHub();
  const std::string sha1 = Head();
  ASSERT_OK_AND_ASSIGN(DatasetTableResult created, Create());
  auto md1 = Metadata();
  const int64_t first_snapshot = *created.snapshot_id;

  // A commit that changes no file of the config records the commit only (no snapshot).
  ASSERT_OK(CommitToDataset({hub::CommitOperation::Add("notes.txt", "hello")}));
  const std::string sha2 = Head();
  hub_.hub().ResetStats();
  ASSERT_OK_AND_ASSIGN(DatasetTableResult noop, Sync());
  const int64_t discovery_resolves = hub_.hub().stats().requests["GET resolve"];
  EXPECT_FALSE(noop.unchanged);
  EXPECT_EQ(noop.files_kept, 3);
  EXPECT_EQ(noop.footer_requests, 0);
  EXPECT_EQ(noop.snapshot_id, first_snapshot);
  EXPECT_EQ(Metadata()->Property(kCommitProperty), sha2);
  EXPECT_EQ(Metadata()->Property(kSourceCommitProperty), sha2);
  EXPECT_EQ(Metadata()->snapshots.size(), 1u);

  // Add a train shard, delete the test split, rewrite a train shard in place.
  ASSERT_OK(
      CommitToDataset({hub::CommitOperation::Add("data/train-00002-of-00003.parquet", Rows(20, 3)),
                       hub::CommitOperation::Add("data/train-00001-of-00002.parquet", Rows(30, 2)),
                       hub::CommitOperation::Delete("data/test-00000-of-00001.parquet")}));
  const std::string sha3 = Head();
  hub_.hub().ResetStats();
  ASSERT_OK_AND_ASSIGN(DatasetTableResult result, Sync());
  EXPECT_EQ(result.files_added, 2);
  EXPECT_EQ(result.files_removed, 2);
  EXPECT_EQ(result.files_kept, 1);
  EXPECT_EQ(result.footer_requests, 2);
  EXPECT_EQ(result.rows, 10 + 2 + 3);
  EXPECT_EQ(result.commit, sha3);
  // Only the two new footers were read beyond what discovery reads.
  EXPECT_EQ(hub_.hub().stats().requests["GET resolve"], discovery_resolves + 2);

  auto md = Metadata();
  EXPECT_EQ(md->Property(kCommitProperty), sha3);
  ASSERT_EQ(md->snapshots.size(), 2u);
  EXPECT_EQ(md->CurrentSnapshot()->summary.at(kCommitSummary), sha3);
  EXPECT_EQ(md->CurrentSnapshot()->operation(), "overwrite");
  EXPECT_EQ(md->CurrentSnapshot()->parent_snapshot_id, first_snapshot);
  // Create (table, then its snapshot) and the property commit precede the sync's version.
  EXPECT_EQ(md->metadata_log.size(), 3u);
  std::vector<DataFile> files = LiveFiles(*md);
  ASSERT_EQ(files.size(), 3u);
  // The unchanged shard keeps its entry with the commit it was added at.
  EXPECT_EQ(files[0].file_path, Location(sha1, "data/train-00000-of-00002.parquet"));
  EXPECT_EQ(files[1].file_path, Location(sha3, "data/train-00001-of-00002.parquet"));
  EXPECT_EQ(files[2].file_path, Location(sha3, "data/train-00002-of-00003.parquet"));
  EXPECT_EQ(files[0], LiveFiles(*md1)[1]);

  EXPECT_EQ(Scan("SELECT split, count(*), min(id), max(id) FROM {} GROUP BY 1"),
            (std::vector<Row>{{"train", "15", "0", "31"}}));
  // The first snapshot reads as it was, by id and by time.
  table::ScanOptions old;
  old.snapshot_id = first_snapshot;
  EXPECT_EQ(Scan("SELECT split, count(*) FROM {} GROUP BY 1 ORDER BY 1", old),
            (std::vector<Row>{{"test", "4"}, {"train", "15"}}));
  table::ScanOptions as_of;
  as_of.as_of_ms = md->CurrentSnapshot()->timestamp_ms - 1;
  EXPECT_EQ(Scan("SELECT max(id) FROM {}", as_of), (std::vector<Row>{{"103"}}));
}

TEST_F(DatasetTableTest, SyncTurnsNewColumnsIntoASchemaChange) {
  AddStandardDataset();
  StartHub();
  ASSERT_OK(Create().status());
  const int32_t last_column_id = Metadata()->last_column_id;
  ASSERT_OK(CommitToDataset({hub::CommitOperation::Add(
      "data/train-00002-of-00003.parquet",
      Parquet("SELECT 50 AS id, 'n50' AS name, ['a'] AS tags, 0.5::DOUBLE AS score"))}));
  ASSERT_OK_AND_ASSIGN(DatasetTableResult result, Sync());
  EXPECT_EQ(result.columns_added, std::vector<std::string>{"score"});
  EXPECT_EQ(result.files_added, 1);
  EXPECT_EQ(result.files_removed, 0);
  EXPECT_EQ(result.files_kept, 3);
  auto md = Metadata();
  EXPECT_EQ(md->CurrentSnapshot()->operation(), "append");
  const iceberg::NestedField* score = md->CurrentSchema()->FindFieldByName("score");
  ASSERT_NE(score, nullptr);
  EXPECT_GT(score->id, last_column_id);
  EXPECT_FALSE(score->required);
  EXPECT_EQ(md->CurrentSnapshot()->schema_id, md->current_schema_id);
  EXPECT_EQ(md->schemas.size(), 2u);
  ASSERT_OK_AND_ASSIGN(iceberg::NameMapping mapping,
                       iceberg::ParseNameMapping(md->Property(iceberg::kNameMappingProperty)));
  EXPECT_EQ(mapping.Find({"score"}), score->id);
  EXPECT_EQ(Scan("SELECT count(*), count(score), max(score) FROM {}"),
            (std::vector<Row>{{"20", "1", "0.5"}}));
  // The new file's metrics use the new column's id.
  bool found = false;
  for (const DataFile& f : LiveFiles(*md)) {
    if (f.metrics.lower_bounds.count(score->id)) found = true;
  }
  EXPECT_TRUE(found);
}

TEST_F(DatasetTableTest, SyncWidensAColumnWhoseNewFilesUseAWiderType) {
  AddStandardDataset();
  StartHub();
  ASSERT_OK(Create().status());
  ASSERT_OK(CommitToDataset({hub::CommitOperation::Add(
      "data/train-00002-of-00003.parquet",
      Parquet("SELECT 6000000000::BIGINT AS id, 'big' AS name, ['b'] AS tags"))}));
  ASSERT_OK_AND_ASSIGN(DatasetTableResult result, Sync());
  EXPECT_EQ(result.columns_widened, std::vector<std::string>{"id"});
  EXPECT_TRUE(result.columns_added.empty());
  auto md = Metadata();
  EXPECT_EQ(md->CurrentSchema()->FindFieldByName("id")->id, 1);
  EXPECT_EQ(md->CurrentSchema()->FindFieldByName("id")->type->ToString(), "long");
  EXPECT_EQ(Scan("SELECT count(*), max(id) FROM {}"), (std::vector<Row>{{"20", "6000000000"}}));
}

TEST_F(DatasetTableTest, SyncRefusesATypeChangeAndChangesNothing) {
  AddStandardDataset();
  StartHub();
  ASSERT_OK(Create().status());
  const std::string before = MetadataLocation();
  ASSERT_OK(CommitToDataset(
      {hub::CommitOperation::Add("data/train-00001-of-00002.parquet",
                                 Parquet("SELECT 10 AS id, 42::BIGINT AS name, ['a'] AS tags"))}));
  EXPECT_ERROR(Sync(), ErrorCode::kInvalidArgument,
               "data/train-00001-of-00002.parquet: column 'name' is long there but string in the "
               "table");
  EXPECT_ERROR(Sync(), ErrorCode::kInvalidArgument,
               "create a new table: faceberg drop default.ds_default && faceberg create "
               "default.ds_default");
  EXPECT_EQ(MetadataLocation(), before);

  // A removed column is refused the same way.
  ASSERT_OK(CommitToDataset({hub::CommitOperation::Add(
      "data/train-00001-of-00002.parquet", Parquet("SELECT 10 AS id, ['a'] AS tags"))}));
  EXPECT_ERROR(Sync(), ErrorCode::kInvalidArgument, "has no column 'name'");
  EXPECT_EQ(MetadataLocation(), before);
}

TEST_F(DatasetTableTest, NonParquetDatasetsMapTheirParquetExport) {
  hub_.AddFile("o/csv", "data/train.csv", "id,name\n1,a\n");
  hub_.AddFile("o/csv", ".refs/convert/parquet/default/train/0000.parquet", Rows(0, 6));
  hub_.AddFile("o/csv", ".refs/convert/parquet/default/partial-test/0000.parquet", Rows(50, 2));
  StartHub();
  ASSERT_OK_AND_ASSIGN(DatasetTableResult result, Create("o/csv"));
  EXPECT_EQ(result.rows, 8);
  ASSERT_OK_AND_ASSIGN(std::string main_sha, api_->ResolveRevision("o/csv", "main"));
  ASSERT_OK_AND_ASSIGN(std::string export_sha,
                       api_->ResolveRevision("o/csv", "refs/convert/parquet"));
  auto md = Metadata();
  EXPECT_EQ(md->Property(kCommitProperty), main_sha);
  EXPECT_EQ(md->Property(kSourceProperty), "refs/convert/parquet");
  EXPECT_EQ(md->Property(kSourceCommitProperty), export_sha);
  EXPECT_EQ(md->Property(kPartialSplitsProperty), "test");
  std::vector<DataFile> files = LiveFiles(*md);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].file_path,
            fmt::format("hf://datasets/o/csv@{}/default/partial-test/0000.parquet", export_sha));
  EXPECT_EQ(Scan("SELECT split, count(*) FROM {} GROUP BY 1 ORDER BY 1"),
            (std::vector<Row>{{"test", "2"}, {"train", "6"}}));
  // Unchanged: the revision and the export are both where the table left them.
  hub::HfFileIO hfio(api_);
  hub_.hub().ResetStats();
  ASSERT_OK_AND_ASSIGN(DatasetTableResult sync,
                       SyncDatasetTable(*catalog_, hfio, *api_, Options().id));
  EXPECT_TRUE(sync.unchanged);
  EXPECT_EQ(hub_.HubRequests(), 2);
}

TEST_F(DatasetTableTest, SyncRefusesTablesThatAreNotHfBacked) {
  StartHub();
  catalog::CreateTableOptions create;
  ASSERT_OK_AND_ASSIGN(create.schema, iceberg::ParseSchemaString("id long"));
  ASSERT_OK(catalog_->CreateTable(Options().id, create).status());
  EXPECT_ERROR(Sync(), ErrorCode::kInvalidArgument, "is not backed by an HF dataset");
  EXPECT_ERROR(SyncDatasetTable(*catalog_, *hfio_, *api_, {"default", "missing"}),
               ErrorCode::kNotFound, "missing");
}

TEST(DatasetFileLocation, PinsTheCommitAndChecksThePath) {
  ASSERT_OK_AND_ASSIGN(std::string location,
                       DatasetFileLocation("o/n", "abc123", "data/a b.parquet"));
  EXPECT_EQ(location, "hf://datasets/o/n@abc123/data/a b.parquet");
  EXPECT_ERROR(DatasetFileLocation("o/n", "abc", "data/../x.parquet"), ErrorCode::kInvalidArgument,
               "..");
  EXPECT_ERROR(DatasetFileLocation("bad", "abc", "x.parquet"), ErrorCode::kInvalidArgument, "bad");
}

}  // namespace
}  // namespace faceberg::bridge
