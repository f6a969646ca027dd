// One suite, run against every Catalog implementation: the behaviour the CLI and the REST server
// rely on must not depend on where the catalog is stored.
#include <algorithm>
#include <atomic>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <latch>
#include <set>
#include <thread>

#include "catalog/catalog.h"
#include "catalog/file_catalog.h"
#include "catalog/sql_catalog.h"
#include "iceberg/partition_spec.h"
#include "table/append.h"
#include "table/update.h"
#include "test_util.h"

namespace faceberg::catalog {
namespace {

using faceberg::testing::TempDir;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

enum class Kind { kFile, kSql };

std::string KindName(const ::testing::TestParamInfo<Kind>& info) {
  return info.param == Kind::kFile ? "File" : "Sql";
}

CreateTableOptions Options() {
  CreateTableOptions o;
  o.schema = *iceberg::ParseSchemaString("id long not null, name string");
  return o;
}

bool FileExists(const std::string& location) {
  return std::filesystem::exists(io::LocalPath(location));
}

// A data file of `rows` rows at `path` (the file itself need not exist for the metadata).
iceberg::DataFile MakeDataFile(const std::string& path, int64_t rows) {
  iceberg::DataFile f;
  f.file_path = path;
  f.file_size_in_bytes = 100 + rows;
  f.metrics.record_count = rows;
  return f;
}

// A snapshot for add-snapshot updates; the manifest list is never read by these tests.
iceberg::Snapshot FakeSnapshot(const iceberg::TableMetadata& base, int64_t id) {
  iceberg::Snapshot s;
  s.snapshot_id = id;
  s.parent_snapshot_id = base.current_snapshot_id;
  s.sequence_number = base.last_sequence_number + 1;
  s.timestamp_ms = base.last_updated_ms + 1;
  s.manifest_list = base.location + "/metadata/snap-" + std::to_string(id) + ".avro";
  s.summary["operation"] = "append";
  s.schema_id = base.current_schema_id;
  return s;
}

// Appends `snapshot` to main, asserting main is where `base` had it.
std::pair<std::vector<table::TableRequirement>, std::vector<table::TableUpdate>> AppendChange(
    const iceberg::TableMetadata& base, int64_t snapshot_id) {
  std::optional<int64_t> main;
  if (auto it = base.refs.find("main"); it != base.refs.end()) main = it->second.snapshot_id;
  return {{table::AssertRefSnapshotId{"main", main}},
          {table::AddSnapshot{FakeSnapshot(base, snapshot_id)},
           table::SetSnapshotRef{"main", iceberg::SnapshotRef{snapshot_id}}}};
}

class CatalogConformanceTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    auto catalog = Open();
    ASSERT_OK(catalog);
    catalog_ = std::move(*catalog);
  }

  // Another handle on the same storage, as a second process would open it.
  Result<std::unique_ptr<Catalog>> Open() {
    if (GetParam() == Kind::kFile) {
      ASSIGN_OR_RETURN(auto c, FileCatalog::Open(io_, dir_.Join("cat"), true));
      return std::unique_ptr<Catalog>(std::move(c));
    }
    SqlCatalogOptions options;
    options.path = dir_.Join("cat.db");
    options.warehouse = dir_.Join("warehouse");
    ASSIGN_OR_RETURN(auto c, SqlCatalog::Open(io_, options));
    return std::unique_ptr<Catalog>(std::move(c));
  }

  iceberg::TableMetadataPtr Load(const TableIdentifier& id) {
    auto ops = catalog_->LoadTable(id);
    EXPECT_TRUE(ops.ok()) << ops.status().ToString();
    if (!ops.ok()) return nullptr;
    return *(*ops)->Refresh();
  }

  std::string MetadataLocation(const TableIdentifier& id) {
    auto ops = catalog_->LoadTable(id);
    return ops.ok() ? (*ops)->current_metadata_location() : "";
  }

  TempDir dir_;
  io::LocalFileIO io_;
  std::unique_ptr<Catalog> catalog_;
};

INSTANTIATE_TEST_SUITE_P(Catalogs, CatalogConformanceTest,
                         ::testing::Values(Kind::kFile, Kind::kSql), KindName);

// ---- namespaces ----

TEST_P(CatalogConformanceTest, NamespacesCreateListLoadDrop) {
  ASSERT_OK(catalog_->CreateNamespace("ns1", {{"owner", "ana"}}));
  ASSERT_OK(catalog_->CreateNamespace("ns2", {}));
  ASSERT_OK(catalog_->CreateNamespace("ns1.child", {}));
  EXPECT_ERROR(catalog_->CreateNamespace("ns1", {}), ErrorCode::kAlreadyExists, "ns1");
  EXPECT_ERROR(catalog_->CreateNamespace("a..b", {}), ErrorCode::kInvalidArgument, "1 to 128");
  EXPECT_ERROR(catalog_->CreateNamespace("a/b", {}), ErrorCode::kInvalidArgument,
               "may only contain");

  EXPECT_TRUE(*catalog_->NamespaceExists("ns1"));
  EXPECT_TRUE(*catalog_->NamespaceExists("ns1.child"));
  EXPECT_FALSE(*catalog_->NamespaceExists("ns3"));
  EXPECT_FALSE(*catalog_->NamespaceExists("ns"));  // a prefix is not a parent

  ASSERT_OK_AND_ASSIGN(auto top, catalog_->ListNamespaces(""));
  EXPECT_THAT(top, Contains("ns1"));
  EXPECT_THAT(top, Contains("ns2"));
  EXPECT_THAT(top, Not(Contains("ns1.child")));
  EXPECT_TRUE(std::is_sorted(top.begin(), top.end()));
  ASSERT_OK_AND_ASSIGN(auto children, catalog_->ListNamespaces("ns1"));
  EXPECT_THAT(children, ElementsAre("ns1.child"));
  ASSERT_OK_AND_ASSIGN(auto none, catalog_->ListNamespaces("ns2"));
  EXPECT_TRUE(none.empty());
  EXPECT_ERROR(catalog_->ListNamespaces("nope"), ErrorCode::kNotFound, "nope");

  ASSERT_OK_AND_ASSIGN(auto props, catalog_->LoadNamespaceProperties("ns1"));
  EXPECT_EQ(props, (Properties{{"owner", "ana"}}));
  ASSERT_OK_AND_ASSIGN(auto empty, catalog_->LoadNamespaceProperties("ns2"));
  EXPECT_TRUE(empty.empty());  // no marker rows leak out
  EXPECT_ERROR(catalog_->LoadNamespaceProperties("nope"), ErrorCode::kNotFound, "nope");

  EXPECT_ERROR(catalog_->DropNamespace("ns1"), ErrorCode::kConflict, "ns1.child");
  ASSERT_OK(catalog_->DropNamespace("ns1.child"));
  ASSERT_OK(catalog_->DropNamespace("ns1"));
  EXPECT_FALSE(*catalog_->NamespaceExists("ns1"));
  EXPECT_ERROR(catalog_->DropNamespace("ns1"), ErrorCode::kNotFound, "ns1");
}

TEST_P(CatalogConformanceTest, NamespacePropertiesUpdate) {
  ASSERT_OK(catalog_->CreateNamespace("db", {{"a", "1"}, {"b", "2"}}));
  ASSERT_OK_AND_ASSIGN(auto summary,
                       catalog_->UpdateNamespaceProperties("db", {"a", "zz"}, {{"c", "3"}}));
  EXPECT_THAT(summary.updated, ElementsAre("c"));
  EXPECT_THAT(summary.removed, ElementsAre("a"));
  EXPECT_THAT(summary.missing, ElementsAre("zz"));
  EXPECT_EQ(*catalog_->LoadNamespaceProperties("db"), (Properties{{"b", "2"}, {"c", "3"}}));
  ASSERT_OK(catalog_->UpdateNamespaceProperties("db", {}, {{"b", "two"}}));
  EXPECT_EQ(catalog_->LoadNamespaceProperties("db")->at("b"), "two");
  EXPECT_ERROR(catalog_->UpdateNamespaceProperties("db", {"b"}, {{"b", "x"}}),
               ErrorCode::kInvalidArgument, "both");
  EXPECT_ERROR(catalog_->UpdateNamespaceProperties("nope", {}, {{"b", "x"}}), ErrorCode::kNotFound,
               "nope");
  // Removing every property keeps the namespace.
  ASSERT_OK(catalog_->UpdateNamespaceProperties("db", {"b", "c"}, {}));
  EXPECT_TRUE(*catalog_->NamespaceExists("db"));
  EXPECT_TRUE(catalog_->LoadNamespaceProperties("db")->empty());
}

TEST_P(CatalogConformanceTest, TablesMakeTheirNamespacesExist) {
  ASSERT_OK(catalog_->CreateTable({"a.b", "t"}, Options()));
  EXPECT_TRUE(*catalog_->NamespaceExists("a.b"));
  EXPECT_TRUE(*catalog_->NamespaceExists("a"));
  EXPECT_THAT(*catalog_->ListNamespaces(""), Contains("a"));
  EXPECT_THAT(*catalog_->ListNamespaces("a"), ElementsAre("a.b"));
  EXPECT_ERROR(catalog_->DropNamespace("a.b"), ErrorCode::kConflict, "a.b.t");
  EXPECT_ERROR(catalog_->DropNamespace("a"), ErrorCode::kConflict, "a.b.t");
  // Dropping the table leaves the namespace that was created for it.
  ASSERT_OK(catalog_->DropTable({"a.b", "t"}, false));
  EXPECT_TRUE(*catalog_->NamespaceExists("a.b"));
  ASSERT_OK(catalog_->DropNamespace("a.b"));
  EXPECT_FALSE(*catalog_->NamespaceExists("a"));
}

// ---- tables ----

TEST_P(CatalogConformanceTest, CreateLoadListExistsDrop) {
  ASSERT_OK(catalog_->CreateNamespace("db", {}));
  CreateTableOptions options = Options();
  options.properties["write.format.default"] = "parquet";
  options.spec = std::make_shared<const iceberg::PartitionSpec>(
      *iceberg::ParsePartitionSpecString("name", *options.schema));
  ASSERT_OK_AND_ASSIGN(auto created, catalog_->CreateTable({"db", "t1"}, options));
  EXPECT_EQ(created->Property("write.format.default"), "parquet");
  EXPECT_EQ(created->DefaultSpec()->fields.size(), 1u);
  ASSERT_OK(catalog_->CreateTable({"db", "t2"}, Options()));
  EXPECT_ERROR(catalog_->CreateTable({"db", "t1"}, Options()), ErrorCode::kAlreadyExists,
               "already exists");
  EXPECT_ERROR(catalog_->CreateTable({"db", "../x"}, Options()), ErrorCode::kInvalidArgument,
               "table");

  ASSERT_OK_AND_ASSIGN(auto tables, catalog_->ListTables("db"));
  EXPECT_THAT(tables, ElementsAre(TableIdentifier{"db", "t1"}, TableIdentifier{"db", "t2"}));
  ASSERT_OK_AND_ASSIGN(auto all, catalog_->ListTables(""));
  EXPECT_THAT(all, Contains(TableIdentifier{"db", "t1"}));
  EXPECT_ERROR(catalog_->ListTables("nope"), ErrorCode::kNotFound, "nope");
  EXPECT_TRUE(*catalog_->TableExists({"db", "t1"}));
  EXPECT_FALSE(*catalog_->TableExists({"db", "t9"}));

  ASSERT_OK_AND_ASSIGN(auto ops, catalog_->LoadTable({"db", "t1"}));
  EXPECT_TRUE(FileExists(ops->current_metadata_location()));
  ASSERT_OK_AND_ASSIGN(auto md, ops->Refresh());
  EXPECT_EQ(md->table_uuid, created->table_uuid);
  EXPECT_EQ(md->CurrentSchema()->fields().size(), 2u);
  EXPECT_ERROR(catalog_->LoadTable({"db", "t9"}), ErrorCode::kNotFound, "faceberg list");

  // A missing namespace: created by default, NotFound when the caller asks for REST semantics.
  CreateTableOptions strict = Options();
  strict.create_namespace = false;
  EXPECT_ERROR(catalog_->CreateTable({"other", "t"}, strict), ErrorCode::kNotFound, "other");
  EXPECT_FALSE(*catalog_->NamespaceExists("other"));
  ASSERT_OK(catalog_->CreateTable({"other", "t"}, Options()));
  EXPECT_TRUE(*catalog_->NamespaceExists("other"));

  const std::string metadata = ops->current_metadata_location();
  ASSERT_OK(catalog_->DropTable({"db", "t1"}, /*purge=*/false));
  EXPECT_FALSE(*catalog_->TableExists({"db", "t1"}));
  EXPECT_ERROR(catalog_->LoadTable({"db", "t1"}), ErrorCode::kNotFound, "t1");
  EXPECT_ERROR(catalog_->DropTable({"db", "t1"}, false), ErrorCode::kNotFound, "t1");
  EXPECT_TRUE(FileExists(metadata));  // no purge: the files stay
  EXPECT_THAT(*catalog_->ListTables("db"), ElementsAre(TableIdentifier{"db", "t2"}));
}

TEST_P(CatalogConformanceTest, CreateAtAnExplicitLocation) {
  CreateTableOptions options = Options();
  options.location = dir_.Join("elsewhere/t");
  ASSERT_OK_AND_ASSIGN(auto md, catalog_->CreateTable({"db", "t"}, options));
  EXPECT_EQ(md->location, dir_.Join("elsewhere/t"));
  EXPECT_THAT(MetadataLocation({"db", "t"}),
              ::testing::StartsWith(dir_.Join("elsewhere/t/metadata/")));
}

TEST_P(CatalogConformanceTest, DropWithPurgeDeletesOnlyTheTablesFiles) {
  ASSERT_OK_AND_ASSIGN(auto md, catalog_->CreateTable({"db", "t"}, Options()));
  const std::string inside = md->location + "/data/00000-a.parquet";
  const std::string outside = dir_.Join("user-files/mine.parquet");
  for (const auto& path : {inside, outside}) {
    ASSERT_OK(io_.WriteFile(path, "PAR1 not really", io::WriteMode::kOverwrite));
  }
  ASSERT_OK_AND_ASSIGN(auto ops, catalog_->LoadTable({"db", "t"}));
  ASSERT_OK(table::AppendFiles(*ops, {MakeDataFile(inside, 5), MakeDataFile(outside, 7)}));
  ASSERT_OK(catalog_->DropTable({"db", "t"}, /*purge=*/true));
  EXPECT_FALSE(*catalog_->TableExists({"db", "t"}));
  EXPECT_FALSE(FileExists(inside));
  EXPECT_FALSE(FileExists(md->location + "/metadata"));
  EXPECT_FALSE(FileExists(md->location));
  EXPECT_TRUE(FileExists(outside));  // registered from elsewhere: never deleted
}

TEST_P(CatalogConformanceTest, RenameKeepsTheTable) {
  ASSERT_OK_AND_ASSIGN(auto md, catalog_->CreateTable({"db", "t"}, Options()));
  ASSERT_OK_AND_ASSIGN(auto ops, catalog_->LoadTable({"db", "t"}));
  ASSERT_OK_AND_ASSIGN(
      auto snapshot, table::AppendFiles(*ops, {MakeDataFile(md->location + "/data/a.parquet", 3)}));
  EXPECT_ERROR(catalog_->RenameTable({"db", "t"}, {"db2", "t"}), ErrorCode::kNotFound, "db2");
  ASSERT_OK(catalog_->CreateNamespace("db2", {}));
  ASSERT_OK(catalog_->RenameTable({"db", "t"}, {"db2", "renamed"}));
  EXPECT_FALSE(*catalog_->TableExists({"db", "t"}));
  ASSERT_OK_AND_ASSIGN(auto renamed, catalog_->LoadTable({"db2", "renamed"}));
  ASSERT_OK_AND_ASSIGN(auto latest, renamed->Refresh());
  EXPECT_EQ(latest->table_uuid, md->table_uuid);
  EXPECT_EQ(latest->current_snapshot_id, snapshot.snapshot_id);
  EXPECT_EQ(latest->location, md->location);  // the files did not move
  EXPECT_TRUE(*catalog_->NamespaceExists("db"));

  ASSERT_OK(catalog_->CreateTable({"db2", "other"}, Options()));
  EXPECT_ERROR(catalog_->RenameTable({"db2", "renamed"}, {"db2", "other"}),
               ErrorCode::kAlreadyExists, "other");
  EXPECT_ERROR(catalog_->RenameTable({"db", "gone"}, {"db2", "x"}), ErrorCode::kNotFound, "gone");
  EXPECT_ERROR(catalog_->RenameTable({"db2", "other"}, {"db2", "a/b"}), ErrorCode::kInvalidArgument,
               "may only contain");

  // The old name is free again, and a new table there does not collide with the old files.
  ASSERT_OK_AND_ASSIGN(auto again, catalog_->CreateTable({"db", "t"}, Options()));
  EXPECT_NE(again->table_uuid, md->table_uuid);
  EXPECT_NE(again->location, md->location);
  EXPECT_EQ(Load({"db2", "renamed"})->current_snapshot_id, snapshot.snapshot_id);
}

TEST_P(CatalogConformanceTest, RegisterAnExistingTable) {
  ASSERT_OK_AND_ASSIGN(auto md, catalog_->CreateTable({"db", "t"}, Options()));
  ASSERT_OK_AND_ASSIGN(auto ops, catalog_->LoadTable({"db", "t"}));
  ASSERT_OK(table::AppendFiles(*ops, {MakeDataFile(md->location + "/data/a.parquet", 3)}));
  const std::string metadata = ops->current_metadata_location();
  ASSERT_OK(catalog_->DropTable({"db", "t"}, /*purge=*/false));

  EXPECT_ERROR(catalog_->RegisterTable({"nope", "t"}, metadata), ErrorCode::kNotFound, "nope");
  ASSERT_OK_AND_ASSIGN(auto registered, catalog_->RegisterTable({"db", "back"}, metadata));
  EXPECT_EQ(registered->table_uuid, md->table_uuid);
  EXPECT_EQ(registered->snapshots.size(), 1u);
  EXPECT_ERROR(catalog_->RegisterTable({"db", "back"}, metadata), ErrorCode::kAlreadyExists,
               "already");
  EXPECT_ERROR(
      catalog_->RegisterTable({"db", "ghost"}, dir_.Join("none/metadata/v1.metadata.json")),
      ErrorCode::kNotFound, "");
  // The registered table is fully usable.
  ASSERT_OK_AND_ASSIGN(auto back, catalog_->LoadTable({"db", "back"}));
  ASSERT_OK(table::AppendFiles(*back, {MakeDataFile(md->location + "/data/b.parquet", 4)}));
  EXPECT_EQ(Load({"db", "back"})->snapshots.size(), 2u);
}

// ---- commits ----

TEST_P(CatalogConformanceTest, CommitTableChecksEveryRequirement) {
  ASSERT_OK_AND_ASSIGN(auto md, catalog_->CreateTable({"db", "t"}, Options()));
  const TableIdentifier id{"db", "t"};
  struct Case {
    table::TableRequirement failing;
    table::TableRequirement passing;
  };
  std::string upper_uuid = md->table_uuid;
  std::transform(upper_uuid.begin(), upper_uuid.end(), upper_uuid.begin(), ::toupper);
  const std::vector<Case> cases = {
      {table::AssertTableUuid{"00000000-0000-4000-8000-000000000000"},
       table::AssertTableUuid{upper_uuid}},
      {table::AssertRefSnapshotId{"main", 42}, table::AssertRefSnapshotId{"main", std::nullopt}},
      {table::AssertLastAssignedFieldId{md->last_column_id + 1},
       table::AssertLastAssignedFieldId{md->last_column_id}},
      {table::AssertCurrentSchemaId{7}, table::AssertCurrentSchemaId{md->current_schema_id}},
      {table::AssertLastAssignedPartitionId{md->last_partition_id + 5},
       table::AssertLastAssignedPartitionId{md->last_partition_id}},
      {table::AssertDefaultSpecId{3}, table::AssertDefaultSpecId{md->default_spec_id}},
      {table::AssertDefaultSortOrderId{3},
       table::AssertDefaultSortOrderId{md->default_sort_order_id}},
  };
  for (const auto& c : cases) {
    const std::string name(table::RequirementName(c.failing));
    SCOPED_TRACE(name);
    const std::string before = MetadataLocation(id);
    EXPECT_ERROR(catalog_->CommitTable(id, {c.failing}, {table::SetProperties{{{name, "x"}}}}),
                 ErrorCode::kConflict, "requirement " + name + " failed");
    EXPECT_EQ(MetadataLocation(id), before);  // nothing committed
    ASSERT_OK_AND_ASSIGN(
        auto committed,
        catalog_->CommitTable(id, {c.passing}, {table::SetProperties{{{name, "ok"}}}}));
    EXPECT_EQ(committed.metadata->Property(name), "ok");
    EXPECT_NE(committed.metadata_location, before);
    EXPECT_EQ(committed.metadata_location, MetadataLocation(id));
    EXPECT_EQ(Load(id)->Property(name), "ok");
  }
  EXPECT_ERROR(catalog_->CommitTable(id, {table::AssertCreate{}}, {}), ErrorCode::kConflict,
               "assert-create");
  EXPECT_ERROR(catalog_->CommitTable({"db", "nope"}, {}, {table::SetProperties{{{"a", "b"}}}}),
               ErrorCode::kNotFound, "nope");
  // Every successful commit logged the metadata it replaced.
  EXPECT_EQ(Load(id)->metadata_log.size(), cases.size());
}

TEST_P(CatalogConformanceTest, CommitTableEvolvesSchemaAndSnapshots) {
  ASSERT_OK_AND_ASSIGN(auto md, catalog_->CreateTable({"db", "t"}, Options()));
  const TableIdentifier id{"db", "t"};
  auto wider = *iceberg::ParseSchemaString("id long not null, name string, score double");
  ASSERT_OK_AND_ASSIGN(
      auto evolved,
      catalog_->CommitTable(
          id,
          {table::AssertCurrentSchemaId{0}, table::AssertLastAssignedFieldId{md->last_column_id}},
          {table::AddSchema{std::make_shared<const iceberg::Schema>(1, wider->fields())},
           table::SetCurrentSchema{-1}}));
  EXPECT_EQ(evolved.metadata->current_schema_id, 1);
  EXPECT_EQ(evolved.metadata->last_column_id, 3);
  EXPECT_EQ(evolved.metadata->schemas.size(), 2u);

  auto [reqs, updates] = AppendChange(*evolved.metadata, 1001);
  ASSERT_OK_AND_ASSIGN(auto appended, catalog_->CommitTable(id, reqs, updates));
  EXPECT_EQ(appended.metadata->current_snapshot_id, 1001);
  EXPECT_EQ(appended.metadata->last_sequence_number, 1);
  ASSERT_EQ(appended.metadata->snapshot_log.size(), 1u);
  EXPECT_EQ(appended.metadata->snapshot_log[0].snapshot_id, 1001);
  // The same change again is stale: main moved.
  EXPECT_ERROR(catalog_->CommitTable(id, reqs, updates), ErrorCode::kConflict,
               "assert-ref-snapshot-id");
  ASSERT_OK_AND_ASSIGN(
      auto tagged,
      catalog_->CommitTable(id, {},
                            {table::SetSnapshotRef{"v1", {1001, iceberg::RefType::kTag}},
                             table::RemoveSnapshotRef{"main"}}));
  EXPECT_FALSE(tagged.metadata->current_snapshot_id.has_value());
  EXPECT_EQ(tagged.metadata->refs.count("v1"), 1u);
  ASSERT_OK_AND_ASSIGN(auto removed,
                       catalog_->CommitTable(id, {}, {table::RemoveSnapshots{{1001}}}));
  EXPECT_TRUE(removed.metadata->snapshots.empty());
  EXPECT_TRUE(removed.metadata->refs.empty());
  EXPECT_TRUE(removed.metadata->snapshot_log.empty());
  EXPECT_ERROR(catalog_->CommitTable(id, {}, {table::SetCurrentSchema{9}}),
               ErrorCode::kInvalidArgument, "schema 9");
}

TEST_P(CatalogConformanceTest, CommitTableCreatesWithAssertCreate) {
  ASSERT_OK(catalog_->CreateNamespace("db", {}));
  auto schema = *iceberg::ParseSchemaString("id long not null");
  const std::string uuid = "0a1b2c3d-0000-4000-8000-00000000abcd";
  std::vector<table::TableUpdate> updates = {
      table::AssignUuid{uuid},
      table::UpgradeFormatVersion{2},
      table::AddSchema{schema},
      table::SetCurrentSchema{-1},
      table::AddSpec{std::make_shared<const iceberg::PartitionSpec>()},
      table::SetDefaultSpec{-1},
      table::AddSortOrder{std::make_shared<const iceberg::SortOrder>()},
      table::SetDefaultSortOrder{-1},
      table::SetProperties{{{"created-by", "commit"}}},
  };
  ASSERT_OK_AND_ASSIGN(auto created,
                       catalog_->CommitTable({"db", "new"}, {table::AssertCreate{}}, updates));
  EXPECT_EQ(created.metadata->table_uuid, uuid);
  EXPECT_TRUE(FileExists(created.metadata_location));
  ASSERT_OK_AND_ASSIGN(auto ops, catalog_->LoadTable({"db", "new"}));
  ASSERT_OK_AND_ASSIGN(auto md, ops->Refresh());
  EXPECT_EQ(md->table_uuid, uuid);
  EXPECT_EQ(md->Property("created-by"), "commit");
  EXPECT_FALSE(md->location.empty());
  EXPECT_ERROR(catalog_->CommitTable({"db", "new"}, {table::AssertCreate{}}, updates),
               ErrorCode::kConflict, "assert-create");
  EXPECT_ERROR(catalog_->CommitTable({"nope", "new"}, {table::AssertCreate{}}, updates),
               ErrorCode::kNotFound, "nope");
}

TEST_P(CatalogConformanceTest, RacingCommitsHaveOneWinner) {
  ASSERT_OK(catalog_->CreateTable({"db", "t"}, Options()));
  const TableIdentifier id{"db", "t"};
  ASSERT_OK_AND_ASSIGN(auto other, Open());
  auto base = Load(id);
  std::latch start(2);
  Status results[2];
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&, i] {
      Catalog& c = i == 0 ? *catalog_ : *other;
      auto [reqs, updates] = AppendChange(*base, 500 + i);
      start.arrive_and_wait();
      results[i] = c.CommitTable(id, reqs, updates).status();
    });
  }
  for (auto& t : threads) t.join();
  const int wins = results[0].ok() + results[1].ok();
  EXPECT_EQ(wins, 1) << results[0].ToString() << " / " << results[1].ToString();
  for (const auto& st : results) {
    if (!st.ok()) {
      EXPECT_EQ(st.code(), ErrorCode::kConflict) << st.ToString();
    }
  }
  auto latest = Load(id);
  EXPECT_EQ(latest->snapshots.size(), 1u);
  EXPECT_EQ(latest->current_snapshot_id, results[0].ok() ? 500 : 501);
}

// Wraps a table's operations; before the first commit, `before_first_commit` runs (another writer
// sneaking in).
class InterceptingOperations final : public table::TableOperations {
 public:
  InterceptingOperations(table::TableOperations& inner, std::function<void()> before_first_commit)
      : inner_(inner), before_first_commit_(std::move(before_first_commit)) {}
  io::FileIO& io() override { return inner_.io(); }
  Result<iceberg::TableMetadataPtr> Refresh() override { return inner_.Refresh(); }
  std::string current_metadata_location() const override {
    return inner_.current_metadata_location();
  }
  Status Commit(const iceberg::TableMetadata* base,
                const iceberg::TableMetadata& updated) override {
    if (commits_++ == 0) before_first_commit_();
    return inner_.Commit(base, updated);
  }
  int commits() const { return commits_; }

 private:
  table::TableOperations& inner_;
  std::function<void()> before_first_commit_;
  int commits_ = 0;
};

TEST_P(CatalogConformanceTest, CommitRetriesAfterAnUnrelatedConcurrentAppend) {
  ASSERT_OK_AND_ASSIGN(auto md, catalog_->CreateTable({"db", "t"}, Options()));
  const TableIdentifier id{"db", "t"};
  ASSERT_OK_AND_ASSIGN(auto ops, catalog_->LoadTable(id));
  ASSERT_OK_AND_ASSIGN(auto writer, catalog_->LoadTable(id));
  std::optional<iceberg::Snapshot> appended;
  InterceptingOperations intercepting(*ops, [&] {
    auto s = table::AppendFiles(*writer, {MakeDataFile(md->location + "/data/x.parquet", 9)});
    ASSERT_OK(s);
    appended = *s;
  });
  table::CommitOptions fast;
  fast.min_wait_ms = 1;
  ASSERT_OK_AND_ASSIGN(auto latest,
                       table::CommitTable(intercepting, {table::AssertCurrentSchemaId{0}},
                                          {table::SetProperties{{{"owner", "retry"}}}}, fast));
  EXPECT_EQ(intercepting.commits(), 2);  // lost once, then re-applied on the new base
  ASSERT_TRUE(appended.has_value());
  EXPECT_EQ(latest->Property("owner"), "retry");
  EXPECT_EQ(latest->current_snapshot_id, appended->snapshot_id);  // the append was not lost
  auto reloaded = Load(id);
  EXPECT_EQ(reloaded->Property("owner"), "retry");
  EXPECT_EQ(reloaded->current_snapshot_id, appended->snapshot_id);
}

TEST_P(CatalogConformanceTest, CommitDoesNotRetryWhenTheRequirementNoLongerHolds) {
  ASSERT_OK_AND_ASSIGN(auto md, catalog_->CreateTable({"db", "t"}, Options()));
  const TableIdentifier id{"db", "t"};
  ASSERT_OK_AND_ASSIGN(auto ops, catalog_->LoadTable(id));
  ASSERT_OK_AND_ASSIGN(auto writer, catalog_->LoadTable(id));
  InterceptingOperations intercepting(*ops, [&] {
    ASSERT_OK(table::AppendFiles(*writer, {MakeDataFile(md->location + "/data/x.parquet", 9)}));
  });
  auto [reqs, updates] = AppendChange(*md, 777);
  table::CommitOptions fast;
  fast.min_wait_ms = 1;
  EXPECT_ERROR(table::CommitTable(intercepting, reqs, updates, fast), ErrorCode::kConflict,
               "assert-ref-snapshot-id");
  EXPECT_EQ(intercepting.commits(), 1);
  EXPECT_EQ(Load(id)->snapshots.size(), 1u);
}

// Wraps a table's operations; right after its first commit lands, `after_first_commit` runs
// (another writer committing before the caller has taken its result).
class RacedAfterCommitOperations final : public table::TableOperations {
 public:
  RacedAfterCommitOperations(table::TableOperations& inner,
                             std::function<void()> after_first_commit)
      : inner_(inner), after_first_commit_(std::move(after_first_commit)) {}
  io::FileIO& io() override { return inner_.io(); }
  Result<iceberg::TableMetadataPtr> Refresh() override { return inner_.Refresh(); }
  std::string current_metadata_location() const override {
    return inner_.current_metadata_location();
  }
  iceberg::TableMetadataPtr current() const override { return inner_.current(); }
  Status Commit(const iceberg::TableMetadata* base,
                const iceberg::TableMetadata& updated) override {
    Status st = inner_.Commit(base, updated);
    if (st.ok() && commits_++ == 0) after_first_commit_();
    return st;
  }

 private:
  table::TableOperations& inner_;
  std::function<void()> after_first_commit_;
  int commits_ = 0;
};

// Regression: CommitTable returned a Refresh() after its commit, so when another writer committed
// in between, a REST client's commit response described that writer's snapshot as its own.
TEST_P(CatalogConformanceTest, CommitReturnsItsOwnVersionEvenWhenAnotherWriterFollows) {
  ASSERT_OK_AND_ASSIGN(auto md, catalog_->CreateTable({"db", "t"}, Options()));
  const TableIdentifier id{"db", "t"};
  ASSERT_OK_AND_ASSIGN(auto ops, catalog_->LoadTable(id));
  ASSERT_OK_AND_ASSIGN(auto writer, catalog_->LoadTable(id));
  bool followed = false;
  RacedAfterCommitOperations raced(*ops, [&] {
    ASSERT_OK(table::CommitTable(*writer, {}, {table::SetProperties{{{"follower", "yes"}}}}));
    followed = true;
  });
  auto [reqs, updates] = AppendChange(*md, 777);
  ASSERT_OK_AND_ASSIGN(auto committed, table::CommitTable(raced, reqs, updates));
  ASSERT_TRUE(followed);
  EXPECT_EQ(committed->current_snapshot_id, 777);
  EXPECT_EQ(committed->Property("follower"), "");  // not the follower's later version
  // The location names the version this commit wrote, not the follower's.
  EXPECT_NE(ops->current_metadata_location(), MetadataLocation(id));
  auto latest = Load(id);
  EXPECT_EQ(latest->current_snapshot_id, 777);
  EXPECT_EQ(latest->Property("follower"), "yes");
}

TEST_P(CatalogConformanceTest, ConcurrentAppendsAllLand) {
  ASSERT_OK_AND_ASSIGN(auto md, catalog_->CreateTable({"db", "t"}, Options()));
  const TableIdentifier id{"db", "t"};
  constexpr int kThreads = 4;
  constexpr int kAppends = 10;
  std::latch start(kThreads);
  std::vector<Status> failures(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Each writer has its own catalog handle, as separate processes would.
      auto catalog = Open();
      if (!catalog.ok()) {
        failures[t] = catalog.status();
        start.count_down();
        return;
      }
      auto ops = (*catalog)->LoadTable(id);
      start.arrive_and_wait();
      if (!ops.ok()) {
        failures[t] = ops.status();
        return;
      }
      table::AppendOptions options;
      options.max_attempts = 500;
      for (int i = 0; i < kAppends; ++i) {
        auto path = fmt::format("{}/data/w{}-{}.parquet", md->location, t, i);
        auto s = table::AppendFiles(**ops, {MakeDataFile(path, t * 100 + i + 1)}, options);
        if (!s.ok()) {
          failures[t] = s.status();
          return;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& st : failures) ASSERT_OK(st);

  auto latest = Load(id);
  ASSERT_EQ(latest->snapshots.size(), size_t{kThreads * kAppends});
  EXPECT_EQ(latest->last_sequence_number, kThreads * kAppends);
  EXPECT_EQ(latest->Ancestry(*latest->current_snapshot_id).size(), size_t{kThreads * kAppends});
  ASSERT_OK_AND_ASSIGN(auto files, table::LiveDataFiles(io_, *latest, *latest->CurrentSnapshot()));
  std::set<std::string> paths;
  int64_t rows = 0;
  for (const auto& f : files) {
    paths.insert(f.file_path);
    rows += f.record_count();
  }
  std::set<std::string> expected;
  int64_t expected_rows = 0;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kAppends; ++i) {
      expected.insert(fmt::format("{}/data/w{}-{}.parquet", md->location, t, i));
      expected_rows += t * 100 + i + 1;
    }
  }
  EXPECT_EQ(files.size(), expected.size());  // no duplicates
  EXPECT_EQ(paths, expected);                // none lost
  EXPECT_EQ(rows, expected_rows);
  EXPECT_EQ(latest->CurrentSnapshot()->SummaryInt("total-records"), expected_rows);
  EXPECT_EQ(latest->CurrentSnapshot()->SummaryInt("total-data-files"), kThreads * kAppends);
}

}  // namespace
}  // namespace faceberg::catalog
