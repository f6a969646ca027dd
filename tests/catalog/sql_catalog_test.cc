// What is specific to the SQL catalog: the JDBC layout as PyIceberg and Java share it, metadata
// file naming, locking, and a database written by PyIceberg itself.
#include "catalog/sql_catalog.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "catalog/sqlite_db.h"
#include "table/append.h"
#include "table/update.h"
#include "test_util.h"

namespace faceberg::catalog {
namespace {

using faceberg::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

CreateTableOptions Options() {
  CreateTableOptions o;
  o.schema = *iceberg::ParseSchemaString("id long not null, name string");
  return o;
}

std::unique_ptr<SqlCatalog> OpenSql(io::FileIO& io, const std::string& path,
                                    const std::string& name = kDefaultSqlCatalogName,
                                    int busy_timeout_ms = 5000) {
  SqlCatalogOptions options;
  options.path = path;
  options.name = name;
  options.busy_timeout_ms = busy_timeout_ms;
  auto catalog = SqlCatalog::Open(io, options);
  EXPECT_TRUE(catalog.ok()) << catalog.status().ToString();
  return catalog.ok() ? std::move(*catalog) : nullptr;
}

// Rows of a query returning `columns` columns, each as text ("NULL" for NULL).
std::vector<std::vector<std::string>> Query(const std::string& db_path, const std::string& sql,
                                            int columns) {
  std::vector<std::vector<std::string>> rows;
  auto db = SqliteDb::Open(db_path, false, 5000);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  if (!db.ok()) return rows;
  auto stmt = (*db)->Prepare(sql);
  EXPECT_TRUE(stmt.ok()) << stmt.status().ToString();
  if (!stmt.ok()) return rows;
  while (true) {
    auto row = stmt->Step();
    EXPECT_TRUE(row.ok()) << row.status().ToString();
    if (!row.ok() || !*row) break;
    std::vector<std::string> cols;
    for (int i = 0; i < columns; ++i) cols.push_back(stmt->ColumnText(i).value_or("NULL"));
    rows.push_back(std::move(cols));
  }
  return rows;
}

std::vector<std::string> MetadataFiles(const std::string& location) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(location + "/metadata", ec)) {
    if (e.path().filename().string().ends_with(".metadata.json")) {
      out.push_back(e.path().filename().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(SqlCatalogTest, MetadataFileNames) {
  EXPECT_EQ(MetadataFileVersion("/w/t/metadata/00000-ab-cd.metadata.json"), 0);
  EXPECT_EQ(MetadataFileVersion("file:///w/t/metadata/00042-ab.metadata.json"), 42);
  EXPECT_EQ(MetadataFileVersion("/w/t/metadata/v3.metadata.json"), -1);
  EXPECT_EQ(MetadataFileVersion("/w/t/metadata/x1-ab.metadata.json"), -1);
  iceberg::TableMetadata md;
  md.location = "/w/db/t";
  EXPECT_THAT(NewMetadataLocation(md, 7),
              MatchesRegex("/w/db/t/metadata/00007-[0-9a-f-]{36}\\.metadata\\.json"));
  md.properties["write.metadata.path"] = "/elsewhere/meta/";
  EXPECT_THAT(NewMetadataLocation(md, 12345),
              MatchesRegex("/elsewhere/meta/12345-[0-9a-f-]{36}\\.metadata\\.json"));
}

TEST(SqlCatalogTest, JdbcLayoutLocationsAndNaming) {
  TempDir dir;
  io::LocalFileIO io;
  const std::string db = dir.Join("cat.db");
  auto catalog = OpenSql(io, db);
  ASSERT_NE(catalog, nullptr);
  EXPECT_TRUE(catalog->has_type_column());
  EXPECT_EQ(catalog->warehouse(), dir.Join("warehouse"));  // beside the database by default
  EXPECT_EQ(catalog->name(), "faceberg");

  ASSERT_OK(catalog->CreateNamespace("db", {}));
  ASSERT_OK(catalog->CreateNamespace("a.b", {{"location", dir.Join("custom") + "/"}}));
  ASSERT_OK_AND_ASSIGN(auto t1, catalog->CreateTable({"db", "t1"}, Options()));
  EXPECT_EQ(t1->location, dir.Join("warehouse/db/t1"));
  ASSERT_OK_AND_ASSIGN(auto t2, catalog->CreateTable({"a.b", "t2"}, Options()));
  EXPECT_EQ(t2->location, dir.Join("custom/t2"));  // the namespace's location wins
  ASSERT_OK_AND_ASSIGN(auto t3, catalog->CreateTable({"x.y", "t3"}, Options()));
  EXPECT_EQ(t3->location, dir.Join("warehouse/x.y/t3"));  // PyIceberg keeps the dots

  // The marker row PyIceberg and Java write for a namespace without properties.
  EXPECT_EQ(Query(db,
                  "SELECT namespace, property_key, property_value FROM "
                  "iceberg_namespace_properties WHERE namespace = 'db'",
                  3),
            (std::vector<std::vector<std::string>>{{"db", "exists", "true"}}));
  EXPECT_ERROR(catalog->CreateNamespace("z", {{"exists", "x"}}), ErrorCode::kInvalidArgument,
               "reserved");

  auto files = MetadataFiles(t1->location);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_THAT(files[0], MatchesRegex("00000-[0-9a-f-]{36}\\.metadata\\.json"));
  ASSERT_OK_AND_ASSIGN(
      auto committed, catalog->CommitTable({"db", "t1"}, {}, {table::SetProperties{{{"k", "v"}}}}));
  EXPECT_EQ(MetadataFileVersion(committed.metadata_location), 1);
  auto rows = Query(db,
                    "SELECT catalog_name, table_namespace, table_name, metadata_location, "
                    "previous_metadata_location, iceberg_type FROM iceberg_tables WHERE "
                    "table_name = 't1'",
                    6);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "faceberg");
  EXPECT_EQ(rows[0][1], "db");
  EXPECT_EQ(rows[0][3], committed.metadata_location);
  EXPECT_EQ(rows[0][4], t1->location + "/metadata/" + files[0]);
  EXPECT_EQ(rows[0][5], "TABLE");
  ASSERT_EQ(committed.metadata->metadata_log.size(), 1u);
  EXPECT_EQ(committed.metadata->metadata_log[0].metadata_file, rows[0][4]);
}

TEST(SqlCatalogTest, CatalogNamesKeepCatalogsApart) {
  TempDir dir;
  io::LocalFileIO io;
  auto ours = OpenSql(io, dir.Join("cat.db"));
  auto theirs = OpenSql(io, dir.Join("cat.db"), "other");
  ASSERT_OK(ours->CreateTable({"db", "t"}, Options()));
  EXPECT_FALSE(*theirs->NamespaceExists("db"));
  EXPECT_FALSE(*theirs->TableExists({"db", "t"}));
  EXPECT_ERROR(theirs->LoadTable({"db", "t"}), ErrorCode::kNotFound, "db.t");
  ASSERT_OK(theirs->CreateTable({"db", "t"}, Options()));  // same name, other catalog
  EXPECT_EQ(ours->ListTables("")->size(), 1u);
  EXPECT_EQ(theirs->ListTables("")->size(), 1u);
}

TEST(SqlCatalogTest, NullTypeIsATableAndViewsAreNot) {
  TempDir dir;
  io::LocalFileIO io;
  const std::string db = dir.Join("cat.db");
  auto catalog = OpenSql(io, db);
  ASSERT_OK(catalog->CreateTable({"db", "t"}, Options()));
  ASSERT_OK_AND_ASSIGN(auto raw, SqliteDb::Open(db, false, 5000));
  ASSERT_OK(raw->Exec("UPDATE iceberg_tables SET iceberg_type = NULL"));
  ASSERT_OK(
      raw->Exec("INSERT INTO iceberg_tables VALUES ('faceberg', 'db', 'v', '/nowhere/v.json', "
                "NULL, 'VIEW')"));
  EXPECT_THAT(*catalog->ListTables("db"), ElementsAre(TableIdentifier{"db", "t"}));
  EXPECT_TRUE(*catalog->TableExists({"db", "t"}));
  ASSERT_OK(catalog->LoadTable({"db", "t"}));
  ASSERT_OK(catalog->CommitTable({"db", "t"}, {}, {table::SetProperties{{{"k", "v"}}}}));
  EXPECT_FALSE(*catalog->TableExists({"db", "v"}));
  EXPECT_ERROR(catalog->LoadTable({"db", "v"}), ErrorCode::kNotFound, "db.v");
  EXPECT_ERROR(catalog->DropTable({"db", "v"}, false), ErrorCode::kNotFound, "db.v");
  EXPECT_ERROR(catalog->CreateTable({"db", "v"}, Options()), ErrorCode::kAlreadyExists, "db.v");
  EXPECT_ERROR(catalog->DropNamespace("db"), ErrorCode::kConflict, "db.v");
}

TEST(SqlCatalogTest, WorksOnAV0DatabaseCreatedByJava) {
  TempDir dir;
  io::LocalFileIO io;
  const std::string db = dir.Join("java.db");
  {
    ASSERT_OK_AND_ASSIGN(auto raw, SqliteDb::Open(db, true, 5000));
    ASSERT_OK(raw->Exec(
        "CREATE TABLE iceberg_tables (catalog_name VARCHAR(255) NOT NULL, table_namespace "
        "VARCHAR(255) NOT NULL, table_name VARCHAR(255) NOT NULL, metadata_location "
        "VARCHAR(1000), previous_metadata_location VARCHAR(1000), PRIMARY KEY (catalog_name, "
        "table_namespace, table_name))"));
    ASSERT_OK(
        raw->Exec("CREATE TABLE iceberg_namespace_properties (catalog_name VARCHAR(255) NOT NULL, "
                  "namespace VARCHAR(255) NOT NULL, property_key VARCHAR(255), property_value "
                  "VARCHAR(1000), PRIMARY KEY (catalog_name, namespace, property_key))"));
  }
  auto catalog = OpenSql(io, db);
  ASSERT_NE(catalog, nullptr);
  EXPECT_FALSE(catalog->has_type_column());
  ASSERT_OK(catalog->CreateTable({"db", "t"}, Options()));
  ASSERT_OK(catalog->CommitTable({"db", "t"}, {}, {table::SetProperties{{{"k", "v"}}}}));
  ASSERT_OK(catalog->RenameTable({"db", "t"}, {"db", "u"}));
  EXPECT_THAT(*catalog->ListTables("db"), ElementsAre(TableIdentifier{"db", "u"}));
  EXPECT_EQ(Query(db, "SELECT count(*) FROM iceberg_tables", 1),
            (std::vector<std::vector<std::string>>{{"1"}}));
}

TEST(SqlCatalogTest, ALostCommitDeletesItsFileAndNeverMovesTheRow) {
  TempDir dir;
  io::LocalFileIO io;
  auto catalog = OpenSql(io, dir.Join("cat.db"));
  ASSERT_OK_AND_ASSIGN(auto md, catalog->CreateTable({"db", "t"}, Options()));
  ASSERT_OK_AND_ASSIGN(auto a, catalog->LoadTable({"db", "t"}));
  ASSERT_OK_AND_ASSIGN(auto b, catalog->LoadTable({"db", "t"}));
  ASSERT_OK_AND_ASSIGN(auto base_a, a->Refresh());
  ASSERT_OK_AND_ASSIGN(auto base_b, b->Refresh());
  iceberg::TableMetadata update_a = *base_a, update_b = *base_b;
  update_a.properties["writer"] = "a";
  update_b.properties["writer"] = "b";
  ASSERT_OK(a->Commit(base_a.get(), update_a));
  EXPECT_ERROR(b->Commit(base_b.get(), update_b), ErrorCode::kConflict, "first");
  EXPECT_EQ(MetadataFiles(md->location).size(), 2u);  // v0 and a's v1; b's file is gone
  ASSERT_OK_AND_ASSIGN(auto latest, b->Refresh());
  EXPECT_EQ(latest->Property("writer"), "a");
  EXPECT_EQ(b->current_metadata_location(), a->current_metadata_location());
}

TEST(SqlCatalogTest, WaitsForALockedDatabaseAndGivesUpCleanly) {
  TempDir dir;
  io::LocalFileIO io;
  const std::string db = dir.Join("cat.db");
  auto patient = OpenSql(io, db);
  ASSERT_OK_AND_ASSIGN(auto md, patient->CreateTable({"db", "t"}, Options()));
  ASSERT_OK_AND_ASSIGN(auto locker, SqliteDb::Open(db, false, 5000));

  // Held briefly: the commit waits for the lock and succeeds.
  ASSERT_OK(locker->Exec("BEGIN EXCLUSIVE"));
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ASSERT_OK(locker->Exec("COMMIT"));
  });
  auto committed = patient->CommitTable({"db", "t"}, {}, {table::SetProperties{{{"k", "1"}}}});
  release.join();
  ASSERT_OK(committed);
  EXPECT_EQ(committed->metadata->Property("k"), "1");

  // Held for longer than an impatient writer waits: a clean Conflict, no file left behind.
  auto impatient = OpenSql(io, db, kDefaultSqlCatalogName, /*busy_timeout_ms=*/30);
  ASSERT_OK_AND_ASSIGN(auto ops, impatient->LoadTable({"db", "t"}));
  ASSERT_OK_AND_ASSIGN(auto base, ops->Refresh());
  iceberg::TableMetadata updated = *base;
  updated.properties["k"] = "2";
  ASSERT_OK(locker->Exec("BEGIN EXCLUSIVE"));
  Status st = ops->Commit(base.get(), updated);
  ASSERT_OK(locker->Exec("COMMIT"));
  EXPECT_EQ(st.code(), ErrorCode::kConflict) << st.ToString();
  EXPECT_THAT(st.message(), HasSubstr("locked"));
  EXPECT_EQ(MetadataFiles(md->location).size(), 2u);
  ASSERT_OK_AND_ASSIGN(auto latest, ops->Refresh());
  EXPECT_EQ(latest->Property("k"), "1");
}

TEST(SqlCatalogTest, OpenWithoutCreateNeedsTheFile) {
  TempDir dir;
  io::LocalFileIO io;
  SqlCatalogOptions options;
  options.path = dir.Join("missing.db");
  options.create = false;
  EXPECT_ERROR(SqlCatalog::Open(io, options), ErrorCode::kNotFound, "faceberg init");
  ASSERT_OK_AND_ASSIGN(auto any, OpenCatalog(io, "sqlite:" + dir.Join("new.db"), true));
  EXPECT_EQ(any->name(), "faceberg");
  ASSERT_OK_AND_ASSIGN(auto folder, OpenCatalog(io, dir.Join("folder"), true));
  EXPECT_OK(folder->NamespaceExists("default"));
  EXPECT_ERROR(OpenCatalog(io, "s3://bucket/x", true), ErrorCode::kNotSupported, "s3://");
}

// ---- a database PyIceberg wrote ----

// The repository's test venv (made by scripts/setup.sh), found from tests/data.
const std::string& PythonPath() {
  static const std::string path = faceberg::testing::TestDataPath("../../.venv/bin/python");
  return path;
}

constexpr const char* kPyIcebergScript = R"PY(
import json, sys, uuid
import pyarrow as pa
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.schema import Schema
from pyiceberg.types import LongType, NestedField, StringType
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.transforms import IdentityTransform
from pyiceberg.table.update import *

root = sys.argv[1]
catalog = SqlCatalog("faceberg", uri=f"sqlite:///{root}/catalog.db", warehouse=f"file://{root}/warehouse")
catalog.create_namespace("db", {"owner": "py"})
catalog.create_namespace("empty")
schema = Schema(NestedField(1, "id", LongType(), required=True), NestedField(2, "name", StringType()))
spec = PartitionSpec(PartitionField(source_id=2, field_id=1000, transform=IdentityTransform(), name="name"))
table = catalog.create_table("db.events", schema=schema, partition_spec=spec)
arrow = pa.schema([pa.field("id", pa.int64(), nullable=False), pa.field("name", pa.string())])
table.append(pa.Table.from_pylist([{"id": i, "name": "a"} for i in range(3)], schema=arrow))
table.append(pa.Table.from_pylist([{"id": i, "name": "b"} for i in range(3, 8)], schema=arrow))
table = catalog.load_table("db.events")
snap = table.current_snapshot()
objects = [
    AssertCreate(), AssertTableUUID(uuid=table.metadata.table_uuid),
    AssertRefSnapshotId(ref="main", snapshot_id=snap.snapshot_id),
    AssertRefSnapshotId(ref="dev", snapshot_id=None),
    AssertLastAssignedFieldId(last_assigned_field_id=2), AssertCurrentSchemaId(current_schema_id=0),
    AssertLastAssignedPartitionId(last_assigned_partition_id=1000),
    AssertDefaultSpecId(default_spec_id=0), AssertDefaultSortOrderId(default_sort_order_id=0),
    AssignUUIDUpdate(uuid=table.metadata.table_uuid), UpgradeFormatVersionUpdate(format_version=2),
    AddSchemaUpdate(schema_=table.schema()), SetCurrentSchemaUpdate(schema_id=-1),
    AddPartitionSpecUpdate(spec=table.spec()), SetDefaultSpecUpdate(spec_id=-1),
    AddSortOrderUpdate(sort_order=table.sort_order()), SetDefaultSortOrderUpdate(sort_order_id=-1),
    AddSnapshotUpdate(snapshot=snap),
    SetSnapshotRefUpdate(ref_name="main", type="branch", snapshot_id=snap.snapshot_id,
                         max_ref_age_ms=10, max_snapshot_age_ms=20, min_snapshots_to_keep=3),
    SetSnapshotRefUpdate(ref_name="v1", type="tag", snapshot_id=snap.snapshot_id),
    RemoveSnapshotsUpdate(snapshot_ids=[1, 2]), RemoveSnapshotRefUpdate(ref_name="v1"),
    SetLocationUpdate(location="/x/y"), SetPropertiesUpdate(updates={"a": "b"}),
    RemovePropertiesUpdate(removals=["a"]),
]
with open(f"{root}/changes.json", "w") as f:
    json.dump([json.loads(o.model_dump_json()) for o in objects], f)
)PY";

constexpr const char* kPyIcebergReadBack = R"PY(
import json, sys
from pyiceberg.catalog.sql import SqlCatalog
root = sys.argv[1]
catalog = SqlCatalog("faceberg", uri=f"sqlite:///{root}/catalog.db", warehouse=f"file://{root}/warehouse")
events = catalog.load_table("db.events")
ours = catalog.load_table("db.ours")
out = {
    "tables": sorted(".".join(t) for t in catalog.list_tables("db")),
    "events_owner": events.properties.get("committed-by"),
    "events_rows": events.scan().to_arrow().num_rows,
    "events_metadata": events.metadata_location,
    "ours_columns": [f.name for f in ours.schema().fields],
    "ours_location": ours.location(),
    "namespaces": sorted(".".join(n) for n in catalog.list_namespaces()),
}
print(json.dumps(out))
)PY";

bool RunPython(const std::string& script_path, const std::string& arg, const std::string& out) {
  std::string cmd =
      std::string(PythonPath()) + " " + script_path + " " + arg + " > " + out + " 2>&1";
  return std::system(cmd.c_str()) == 0;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(SqlCatalogInteropTest, ReadsAndCommitsToAPyIcebergDatabase) {
  // The venv is part of the test setup (scripts/setup.sh); its absence is a failure, not a skip.
  ASSERT_TRUE(std::filesystem::exists(PythonPath()))
      << "no Python venv at " << PythonPath() << ": run scripts/setup.sh";
  TempDir dir;
  io::LocalFileIO io;
  const std::string root = dir.path().string();
  {
    std::ofstream(dir.Join("make.py")) << kPyIcebergScript;
    std::ofstream(dir.Join("read.py")) << kPyIcebergReadBack;
  }
  ASSERT_TRUE(RunPython(dir.Join("make.py"), root, dir.Join("make.log")))
      << ReadText(dir.Join("make.log"));

  SqlCatalogOptions options;
  options.path = dir.Join("catalog.db");
  options.warehouse = "file://" + dir.Join("warehouse");
  options.create = false;
  ASSERT_OK_AND_ASSIGN(auto catalog, SqlCatalog::Open(io, options));
  EXPECT_TRUE(catalog->has_type_column());
  EXPECT_THAT(*catalog->ListNamespaces(""), ElementsAre("db", "empty"));
  EXPECT_EQ(*catalog->LoadNamespaceProperties("db"), (Properties{{"owner", "py"}}));
  EXPECT_TRUE(catalog->LoadNamespaceProperties("empty")->empty());  // the marker is hidden
  EXPECT_THAT(*catalog->ListTables("db"), ElementsAre(TableIdentifier{"db", "events"}));

  const TableIdentifier events{"db", "events"};
  ASSERT_OK_AND_ASSIGN(auto ops, catalog->LoadTable(events));
  EXPECT_EQ(MetadataFileVersion(ops->current_metadata_location()), 2);
  ASSERT_OK_AND_ASSIGN(auto md, ops->Refresh());
  EXPECT_EQ(md->snapshots.size(), 2u);
  EXPECT_EQ(md->CurrentSnapshot()->SummaryInt("total-records"), 8);
  ASSERT_OK_AND_ASSIGN(auto files, table::LiveDataFiles(io, *md, *md->CurrentSnapshot()));
  EXPECT_EQ(files.size(), 2u);  // one file per partition value

  // Every requirement and update PyIceberg serializes parses, and writes back the same JSON.
  ASSERT_OK_AND_ASSIGN(Json changes, ParseJson(ReadText(dir.Join("changes.json")), "changes"));
  ASSERT_EQ(changes.size(), 25u);
  for (const auto& change : changes) {
    SCOPED_TRACE(change.dump());
    if (!change.contains("action")) {
      ASSERT_OK_AND_ASSIGN(auto req, table::TableRequirementFromJson(change));
      EXPECT_EQ(table::TableRequirementToJson(req), change);
    } else {
      ASSERT_OK_AND_ASSIGN(auto update, table::TableUpdateFromJson(change));
      Json theirs = change;
      // An empty identifier-field-ids list is optional; our schema writer leaves it out.
      if (theirs.contains("schema") && theirs["schema"]["identifier-field-ids"].empty()) {
        theirs["schema"].erase("identifier-field-ids");
      }
      EXPECT_EQ(table::TableUpdateToJson(update), theirs);
    }
  }
  // A PyIceberg-style append change applies to the table we read.
  {
    ASSERT_OK_AND_ASSIGN(auto req, table::TableRequirementFromJson(changes[2]));
    EXPECT_OK(table::CheckRequirements(md.get(), {req}));
  }

  // Our commits land in PyIceberg's naming, and PyIceberg reads them back.
  ASSERT_OK_AND_ASSIGN(
      auto committed, catalog->CommitTable(events, {table::AssertTableUuid{md->table_uuid}},
                                           {table::SetProperties{{{"committed-by", "faceberg"}}}}));
  EXPECT_EQ(MetadataFileVersion(committed.metadata_location), 3);
  ASSERT_OK(catalog->CreateTable({"db", "ours"}, Options()));

  ASSERT_TRUE(RunPython(dir.Join("read.py"), root, dir.Join("read.json")))
      << ReadText(dir.Join("read.json"));
  ASSERT_OK_AND_ASSIGN(Json back, ParseJson(ReadText(dir.Join("read.json")), "read-back"));
  EXPECT_EQ(back["tables"], Json::array({"db.events", "db.ours"}));
  EXPECT_EQ(back["events_owner"], "faceberg");
  EXPECT_EQ(back["events_rows"], 8);
  EXPECT_EQ(back["events_metadata"], committed.metadata_location);
  EXPECT_EQ(back["ours_columns"], Json::array({"id", "name"}));
  EXPECT_EQ(back["ours_location"], "file://" + dir.Join("warehouse/db/ours"));
  EXPECT_EQ(back["namespaces"], Json::array({"db", "empty"}));
}

}  // namespace
}  // namespace faceberg::catalog
