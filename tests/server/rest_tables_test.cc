// RestCatalogService table endpoints without sockets: create (and stage-create), load, commit with
// every requirement, drop, rename, register, multi-table transactions, concurrent commits.
#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "iceberg/table_metadata.h"
#include "rest_test_util.h"
#include "table/update.h"

namespace faceberg::server {
namespace {

using testing::BodyOf;
using testing::CatalogKind;
using testing::CreateTableBody;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::RestFixture;

// Parses the metadata JSON of a LoadTableResult.
iceberg::TableMetadata MetadataOf(const Json& metadata) {
  auto parsed = iceberg::TableMetadataFromJson(DumpJson(metadata), "response");
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return parsed.ok() ? *parsed : iceberg::TableMetadata();
}

std::optional<int64_t> MainSnapshot(const iceberg::TableMetadata& metadata) {
  auto it = metadata.refs.find("main");
  if (it == metadata.refs.end()) return std::nullopt;
  return it->second.snapshot_id;
}

// The CommitTableRequest of an append a client builds on `base`: assert main, add the snapshot,
// move main (the manifest list is never read by these tests).
std::string AppendCommitBody(const iceberg::TableMetadata& base, int64_t snapshot_id) {
  iceberg::Snapshot s;
  s.snapshot_id = snapshot_id;
  s.parent_snapshot_id = MainSnapshot(base);
  s.sequence_number = base.last_sequence_number + 1;
  s.timestamp_ms = base.last_updated_ms + 1;
  s.manifest_list = base.location + "/metadata/snap-" + std::to_string(snapshot_id) + ".avro";
  s.summary["operation"] = "append";
  s.schema_id = base.current_schema_id;
  Json body;
  body["requirements"] = Json::array(
      {table::TableRequirementToJson(table::AssertRefSnapshotId{"main", MainSnapshot(base)})});
  body["updates"] = Json::array(
      {table::TableUpdateToJson(table::AddSnapshot{s}),
       table::TableUpdateToJson(table::SetSnapshotRef{"main", iceberg::SnapshotRef{snapshot_id}})});
  return DumpJson(body);
}

bool Exists(const std::string& location) {
  return std::filesystem::exists(io::LocalPath(location));
}

class RestTablesTest : public ::testing::TestWithParam<CatalogKind> {
 protected:
  RestFixture f_{GetParam()};
};

INSTANTIATE_TEST_SUITE_P(Catalogs, RestTablesTest,
                         ::testing::Values(CatalogKind::kFile, CatalogKind::kSql),
                         testing::CatalogKindName);

// ---- create, load, exists ----

TEST_P(RestTablesTest, CreateThenLoadListAndExists) {
  Json created = f_.CreateTable("events");
  ASSERT_TRUE(created.contains("metadata-location")) << created.dump();
  const std::string location = created["metadata-location"].get<std::string>();
  EXPECT_EQ(location.front(), '/');  // absolute, so any client can read it
  EXPECT_TRUE(Exists(location));
  iceberg::TableMetadata md = MetadataOf(created["metadata"]);
  EXPECT_EQ(md.format_version, 2);
  EXPECT_EQ(md.CurrentSchema()->fields().size(), 3u);
  EXPECT_EQ(md.DefaultSpec()->fields.size(), 1u);
  EXPECT_EQ(md.DefaultSpec()->fields[0].name, "ts_day");
  EXPECT_EQ(created["config"], Json::object());  // local files need no settings

  RestResponse loaded = f_.Get("/v1/namespaces/db/tables/events");
  ASSERT_EQ(loaded.status, 200) << loaded.body;
  EXPECT_EQ(BodyOf(loaded)["metadata-location"], location);
  EXPECT_EQ(BodyOf(loaded)["metadata"]["table-uuid"], md.table_uuid);
  EXPECT_EQ(BodyOf(f_.Get("/v1/namespaces/db/tables"))["identifiers"],
            Json::parse(R"([{"namespace": ["db"], "name": "events"}])"));
  EXPECT_EQ(f_.Send("HEAD", "/v1/namespaces/db/tables/events").status, 204);
  EXPECT_EQ(f_.Send("HEAD", "/v1/namespaces/db/tables/nope").status, 404);
  EXPECT_REST_ERROR(f_.Get("/v1/namespaces/db/tables/nope"), 404, "NoSuchTableException");
  EXPECT_REST_ERROR(f_.Get("/v1/namespaces/nons/tables/nope"), 404, "NoSuchNamespaceException");
  EXPECT_REST_ERROR(f_.Get("/v1/namespaces/nons/tables"), 404, "NoSuchNamespaceException");
}

TEST_P(RestTablesTest, CreateRefusesWhatCannotBeCreated) {
  f_.CreateTable("t");
  EXPECT_REST_ERROR(f_.Post("/v1/namespaces/db/tables", CreateTableBody("t")), 409,
                    "AlreadyExistsException");
  EXPECT_REST_ERROR(f_.Post("/v1/namespaces/nons/tables", CreateTableBody("t")), 404,
                    "NoSuchNamespaceException");
  EXPECT_FALSE(*f_.catalog().NamespaceExists("nons"));  // the REST create never makes one
  EXPECT_REST_ERROR(f_.Post("/v1/namespaces/db/tables", R"({"name": "u"})"), 400,
                    "BadRequestException");
  EXPECT_REST_ERROR(f_.Post("/v1/namespaces/db/tables", R"({"name": "u", "schema": 5})"), 400,
                    "BadRequestException");
  EXPECT_REST_ERROR(f_.Post("/v1/namespaces/db/tables",
                            R"({"name": "u", "schema": {"type": "struct", "fields": [
                                {"id": 1, "name": "a", "type": "no-such-type", "required": true}]}})"),
                    400, "BadRequestException");
  EXPECT_REST_ERROR(
      f_.Post("/v1/namespaces/db/tables", CreateTableBody("u", false, R"("format-version": "3")")),
      400, "BadRequestException");
  EXPECT_REST_ERROR(f_.Post("/v1/namespaces/db/tables", CreateTableBody("bad name")), 400,
                    "BadRequestException");
  RestResponse v1 =
      f_.Post("/v1/namespaces/db/tables", CreateTableBody("v1", false, R"("format-version": "1")"));
  ASSERT_EQ(v1.status, 200) << v1.body;
  EXPECT_EQ(BodyOf(v1)["metadata"]["format-version"], 1);
  EXPECT_FALSE(BodyOf(v1)["metadata"]["properties"].contains("format-version"));
}

// Regression (hostile inputs): a relative location or one with ".." was taken as given, so a
// client could make the server create folders wherever its working folder led ("../../x").
TEST_P(RestTablesTest, CreateAndSetLocationRefuseRelativeAndDotDotLocations) {
  f_.CreateTable("t");
  const std::string escape = f_.dir().Join("escape");
  for (const std::string& location : {std::string("../../escape"), f_.dir().Join("a/../escape")}) {
    SCOPED_TRACE(location);
    Json create = Json::parse(CreateTableBody("u"));
    create["location"] = location;
    EXPECT_REST_ERROR(f_.Post("/v1/namespaces/db/tables", create.dump()), 400,
                      "BadRequestException");
    EXPECT_REST_ERROR(f_.Post("/v1/namespaces/db/tables/t",
                              R"({"requirements": [], "updates": [{"action": "set-location", )"
                              R"("location": )" +
                                  Json(location).dump() + "}]}"),
                      400, "BadRequestException");
  }
  EXPECT_FALSE(*f_.catalog().TableExists({"db", "u"}));
  EXPECT_FALSE(std::filesystem::exists(escape));
  EXPECT_NE(f_.LoadMetadata("db", "t")["location"].get<std::string>().find("/db/t"),
            std::string::npos);
}

TEST_P(RestTablesTest, LoadHonoursETagsAndSnapshotModes) {
  f_.CreateTable("t");
  RestResponse first = f_.Get("/v1/namespaces/db/tables/t");
  const std::string etag = first.Header("ETag");
  ASSERT_FALSE(etag.empty());
  RestResponse same = f_.Send("GET", "/v1/namespaces/db/tables/t", "", {{"If-None-Match", etag}});
  EXPECT_EQ(same.status, 304);
  EXPECT_TRUE(same.body.empty());

  // An append and a tagged older snapshot, then a second append.
  iceberg::TableMetadata base = MetadataOf(BodyOf(first)["metadata"]);
  ASSERT_EQ(f_.Post("/v1/namespaces/db/tables/t", AppendCommitBody(base, 1)).status, 200);
  base = MetadataOf(f_.LoadMetadata("db", "t"));
  ASSERT_EQ(f_.Post("/v1/namespaces/db/tables/t", AppendCommitBody(base, 2)).status, 200);
  base = MetadataOf(f_.LoadMetadata("db", "t"));
  ASSERT_EQ(f_.Post("/v1/namespaces/db/tables/t", AppendCommitBody(base, 3)).status, 200);
  ASSERT_EQ(f_.Post("/v1/namespaces/db/tables/t", R"({"requirements": [], "updates": [
                {"action": "set-snapshot-ref", "ref-name": "v1", "type": "tag", "snapshot-id": 1}]})")
                .status,
            200);
  RestResponse changed =
      f_.Send("GET", "/v1/namespaces/db/tables/t", "", {{"If-None-Match", etag}});
  ASSERT_EQ(changed.status, 200);
  EXPECT_NE(changed.Header("ETag"), etag);
  EXPECT_EQ(BodyOf(changed)["metadata"]["snapshots"].size(), 3u);
  RestResponse refs = f_.Get("/v1/namespaces/db/tables/t?snapshots=refs");
  ASSERT_EQ(refs.status, 200) << refs.body;
  std::set<int64_t> ids;
  const Json refs_body = BodyOf(refs);
  for (const Json& s : refs_body["metadata"]["snapshots"]) {
    ids.insert(s["snapshot-id"].get<int64_t>());
  }
  EXPECT_EQ(ids, (std::set<int64_t>{1, 3}));  // the tag and main; 2 is referenced by neither
  EXPECT_NE(refs.Header("ETag"), changed.Header("ETag"));
  EXPECT_REST_ERROR(f_.Get("/v1/namespaces/db/tables/t?snapshots=some"), 400,
                    "BadRequestException");
}

// ---- stage-create ----

TEST_P(RestTablesTest, StageCreateWritesNothingUntilTheAssertCreateCommit) {
  RestResponse staged = f_.Post("/v1/namespaces/db/tables", CreateTableBody("staged", true));
  ASSERT_EQ(staged.status, 200) << staged.body;
  Json result = BodyOf(staged);
  EXPECT_FALSE(result.contains("metadata-location"));
  iceberg::TableMetadata md = MetadataOf(result["metadata"]);
  ASSERT_FALSE(md.location.empty());
  EXPECT_EQ(std::filesystem::path(md.location).filename(), "staged");
  // Empty folders for clients that write files before the commit, but no metadata.
  EXPECT_TRUE(Exists(md.location + "/metadata"));
  EXPECT_TRUE(std::filesystem::is_empty(md.location + "/metadata"));
  EXPECT_EQ(f_.Send("HEAD", "/v1/namespaces/db/tables/staged").status, 404);

  // PyIceberg's create-table transaction with an append writes the data, manifests and manifest
  // list under the staged location before the commit; they must not count as another table.
  ASSERT_OK(f_.io().WriteFile(md.location + "/metadata/snap-1-0-abc.avro", "manifest list",
                              io::WriteMode::kNoReplace));
  ASSERT_OK(
      f_.io().WriteFile(md.location + "/data/00000-0.parquet", "rows", io::WriteMode::kNoReplace));
  // Rebuild the whole table under assert-create.
  Json commit;
  commit["identifier"] = Json::parse(R"({"namespace": ["db"], "name": "staged"})");
  commit["requirements"] = Json::parse(R"([{"type": "assert-create"}])");
  Json updates = Json::array();
  updates.push_back({{"action", "assign-uuid"}, {"uuid", md.table_uuid}});
  updates.push_back({{"action", "upgrade-format-version"}, {"format-version", 2}});
  updates.push_back({{"action", "add-schema"},
                     {"schema", result["metadata"]["schemas"][0]},
                     {"last-column-id", 3}});
  updates.push_back({{"action", "set-current-schema"}, {"schema-id", -1}});
  updates.push_back({{"action", "add-spec"}, {"spec", result["metadata"]["partition-specs"][0]}});
  updates.push_back({{"action", "set-default-spec"}, {"spec-id", -1}});
  updates.push_back(
      {{"action", "add-sort-order"}, {"sort-order", result["metadata"]["sort-orders"][0]}});
  updates.push_back({{"action", "set-default-sort-order"}, {"sort-order-id", -1}});
  updates.push_back({{"action", "set-location"}, {"location", md.location}});
  updates.push_back({{"action", "set-properties"}, {"updates", {{"owner", "ana"}}}});
  commit["updates"] = updates;
  RestResponse committed = f_.Post("/v1/namespaces/db/tables/staged", DumpJson(commit));
  ASSERT_EQ(committed.status, 200) << committed.body;
  Json body = BodyOf(committed);
  EXPECT_TRUE(Exists(body["metadata-location"].get<std::string>()));
  iceberg::TableMetadata created = MetadataOf(body["metadata"]);
  EXPECT_EQ(created.table_uuid, md.table_uuid);
  EXPECT_EQ(created.location, md.location);
  EXPECT_EQ(created.Property("owner"), "ana");
  EXPECT_EQ(created.DefaultSpec()->fields.size(), 1u);
  EXPECT_EQ(f_.Send("HEAD", "/v1/namespaces/db/tables/staged").status, 204);
  if (f_.kind() == CatalogKind::kFile) {
    // The staged (default) folder is recorded relative to the catalog, as a plain create's is.
    std::ifstream in(f_.dir().Join("cat/catalog.json"));
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_THAT(text.str(), HasSubstr("\"db/staged\""));
  }

  // The same transaction again: the table exists now, so assert-create fails.
  EXPECT_REST_ERROR(f_.Post("/v1/namespaces/db/tables/staged", DumpJson(commit)), 409,
                    "CommitFailedException");
  EXPECT_REST_ERROR(f_.Post("/v1/namespaces/db/tables", CreateTableBody("staged", true)), 409,
                    "AlreadyExistsException");
  EXPECT_REST_ERROR(f_.Post("/v1/namespaces/nons/tables", CreateTableBody("s", true)), 404,
                    "NoSuchNamespaceException");
}

TEST_P(RestTablesTest, DuckDbCreateTableAndInsertThroughTransactions) {
  // What DuckDB's iceberg extension sends for CREATE TABLE then INSERT (recorded by the interop
  // tests): stage-create, then transactions/commit with explicit ids instead of -1.
  RestResponse staged = f_.Post("/v1/namespaces/db/tables", R"({"stage-create": true,
      "name": "t2", "schema": {"type": "struct", "schema-id": 0, "fields": [
        {"id": 1, "name": "a", "type": "int", "required": false},
        {"id": 2, "name": "b", "type": "string", "required": false}]},
      "partition-spec": {"spec-id": 0, "fields": []},
      "write-order": {"order-id": 0, "fields": []}, "properties": {}})");
  ASSERT_EQ(staged.status, 200) << staged.body;
  const Json metadata = BodyOf(staged)["metadata"];
  Json change;
  change["identifier"] = Json::parse(R"({"name": "t2", "namespace": ["db"]})");
  change["requirements"] = Json::parse(R"([{"type": "assert-create"}])");
  change["updates"] = Json::array({
      {{"action", "assign-uuid"}, {"uuid", metadata["table-uuid"]}},
      {{"action", "upgrade-format-version"}, {"format-version", 2}},
      {{"action", "add-schema"}, {"schema", metadata["schemas"][0]}, {"last-column-id", 2}},
      {{"action", "set-current-schema"}, {"schema-id", 0}},
      {{"action", "add-spec"}, {"spec", metadata["partition-specs"][0]}},
      {{"action", "set-default-spec"}, {"spec-id", 0}},
      {{"action", "add-sort-order"}, {"sort-order", metadata["sort-orders"][0]}},
      {{"action", "set-default-sort-order"}, {"sort-order-id", 0}},
      {{"action", "set-location"}, {"location", metadata["location"]}},
  });
  Json transaction;
  transaction["table-changes"] = Json::array({change});
  RestResponse created = f_.Post("/v1/transactions/commit", DumpJson(transaction));
  ASSERT_EQ(created.status, 204) << created.body;
  iceberg::TableMetadata base = MetadataOf(f_.LoadMetadata("db", "t2"));
  EXPECT_EQ(base.location, metadata["location"]);

  // INSERT: assert-ref-snapshot-id with no snapshot-id key (= main must not exist yet).
  Json append = *ParseJson(AppendCommitBody(base, 77), "append");
  append["requirements"] = Json::parse(R"([{"type": "assert-ref-snapshot-id", "ref": "main"}])");
  append["identifier"] = change["identifier"];
  transaction["table-changes"] = Json::array({append});
  ASSERT_EQ(f_.Post("/v1/transactions/commit", DumpJson(transaction)).status, 204);
  EXPECT_EQ(f_.LoadMetadata("db", "t2")["current-snapshot-id"], 77);
  // The same INSERT again is stale (main exists now): 409, as DuckDB expects.
  EXPECT_REST_ERROR(f_.Post("/v1/transactions/commit", DumpJson(transaction)), 409,
                    "CommitFailedException");
}

// ---- commits ----

TEST_P(RestTablesTest, CommitsAppendAndFailedRequirementsAre409) {
  iceberg::TableMetadata base = MetadataOf(f_.CreateTable("t")["metadata"]);
  RestResponse appended = f_.Post("/v1/namespaces/db/tables/t", AppendCommitBody(base, 11));
  ASSERT_EQ(appended.status, 200) << appended.body;
  Json result = BodyOf(appended);
  EXPECT_EQ(result["metadata"]["current-snapshot-id"], 11);
  EXPECT_TRUE(Exists(result["metadata-location"].get<std::string>()));
  EXPECT_EQ(f_.LoadMetadata("db", "t")["current-snapshot-id"], 11);

  // A client that did not see the append: main moved, so its commit fails and changes nothing.
  EXPECT_REST_ERROR(f_.Post("/v1/namespaces/db/tables/t", AppendCommitBody(base, 12)), 409,
                    "CommitFailedException");
  EXPECT_EQ(f_.LoadMetadata("db", "t")["snapshots"].size(), 1u);

  const iceberg::TableMetadata now = MetadataOf(f_.LoadMetadata("db", "t"));
  const std::vector<std::string> failing = {
      R"({"type": "assert-create"})",
      R"({"type": "assert-table-uuid", "uuid": "00000000-0000-0000-0000-000000000000"})",
      R"({"type": "assert-ref-snapshot-id", "ref": "main", "snapshot-id": null})",
      R"({"type": "assert-ref-snapshot-id", "ref": "dev", "snapshot-id": 11})",
      R"({"type": "assert-last-assigned-field-id", "last-assigned-field-id": 99})",
      R"({"type": "assert-current-schema-id", "current-schema-id": 5})",
      R"({"type": "assert-last-assigned-partition-id", "last-assigned-partition-id": 5})",
      R"({"type": "assert-default-spec-id", "default-spec-id": 5})",
      R"({"type": "assert-default-sort-order-id", "default-sort-order-id": 5})",
  };
  for (const std::string& requirement : failing) {
    SCOPED_TRACE(requirement);
    EXPECT_REST_ERROR(
        f_.Post("/v1/namespaces/db/tables/t", R"({"requirements": [)" + requirement +
                                                  R"(], "updates": [{"action": "set-properties",
                                  "updates": {"k": "v"}}]})"),
        409, "CommitFailedException");
  }
  const std::string holding = fmt::format(
      R"([{{"type": "assert-table-uuid", "uuid": "{}"}},
          {{"type": "assert-ref-snapshot-id", "ref": "main", "snapshot-id": 11}},
          {{"type": "assert-ref-snapshot-id", "ref": "dev", "snapshot-id": null}},
          {{"type": "assert-last-assigned-field-id", "last-assigned-field-id": 3}},
          {{"type": "assert-current-schema-id", "current-schema-id": 0}},
          {{"type": "assert-last-assigned-partition-id", "last-assigned-partition-id": 1000}},
          {{"type": "assert-default-spec-id", "default-spec-id": 0}},
          {{"type": "assert-default-sort-order-id", "default-sort-order-id": 0}}])",
      now.table_uuid);
  RestResponse ok =
      f_.Post("/v1/namespaces/db/tables/t", R"({"requirements": )" + holding +
                                                R"(, "updates": [{"action": "set-properties",
                                "updates": {"k": "v"}}]})");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(BodyOf(ok)["metadata"]["properties"]["k"], "v");
  RestResponse removed = f_.Post("/v1/namespaces/db/tables/t", R"({"requirements": [],
      "updates": [{"action": "remove-properties", "removals": ["k"]}]})");
  ASSERT_EQ(removed.status, 200) << removed.body;
  EXPECT_FALSE(BodyOf(removed)["metadata"]["properties"].contains("k"));
}

TEST_P(RestTablesTest, CommitsEvolveTheSchema) {
  iceberg::TableMetadata base = MetadataOf(f_.CreateTable("t")["metadata"]);
  RestResponse r = f_.Post("/v1/namespaces/db/tables/t", R"({
    "requirements": [{"type": "assert-current-schema-id", "current-schema-id": 0},
                     {"type": "assert-last-assigned-field-id", "last-assigned-field-id": 3}],
    "updates": [{"action": "add-schema", "last-column-id": 4, "schema": {"type": "struct",
        "schema-id": 1, "identifier-field-ids": [], "fields": [
          {"id": 1, "name": "id", "type": "long", "required": true},
          {"id": 2, "name": "name", "type": "string", "required": false},
          {"id": 3, "name": "ts", "type": "timestamptz", "required": false},
          {"id": 4, "name": "score", "type": "double", "required": false}]}},
      {"action": "set-current-schema", "schema-id": -1}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  iceberg::TableMetadata md = MetadataOf(BodyOf(r)["metadata"]);
  EXPECT_EQ(md.current_schema_id, 1);
  EXPECT_EQ(md.last_column_id, 4);
  EXPECT_NE(md.CurrentSchema()->FindFieldByName("score"), nullptr);
  // The same change again is stale now.
  EXPECT_REST_ERROR(f_.Post("/v1/namespaces/db/tables/t", R"({
    "requirements": [{"type": "assert-current-schema-id", "current-schema-id": 0}],
    "updates": []})"),
                    409, "CommitFailedException");
}

TEST_P(RestTablesTest, MalformedCommitsAreBadRequests) {
  f_.CreateTable("t");
  const std::vector<std::string> bodies = {
      R"({"requirements": [], "updates": [{"action": "frobnicate"}]})",
      R"({"requirements": [{"type": "assert-nothing"}], "updates": []})",
      R"({"requirements": []})",
      R"({"updates": []})",
      R"({"requirements": {}, "updates": []})",
      R"({"requirements": [], "updates": [{"action": "set-properties", "updates": [1]}]})",
      R"({"requirements": [], "updates": [{"action": "set-current-schema", "schema-id": 42}]})",
      R"({"requirements": [], "updates": [{"action": "add-encryption-key", "encryption-key": {}}]})",
      R"({"identifier": {"namespace": ["db"], "name": "other"}, "requirements": [], "updates": []})",
      R"({"requirements": [{"type": "assert-current-schema-id", "current-schema-id": "0"}],
          "updates": []})",
  };
  for (const std::string& body : bodies) {
    SCOPED_TRACE(body);
    EXPECT_REST_ERROR(f_.Post("/v1/namespaces/db/tables/t", body), 400, "BadRequestException");
  }
  EXPECT_REST_ERROR(
      f_.Post("/v1/namespaces/db/tables/nope", R"({"requirements": [], "updates": []})"), 404,
      "NoSuchTableException");
  EXPECT_REST_ERROR(
      f_.Post("/v1/namespaces/nons/tables/nope", R"({"requirements": [], "updates": []})"), 404,
      "NoSuchNamespaceException");
  EXPECT_EQ(f_.LoadMetadata("db", "t")["properties"], Json::object());
}

// ---- drop, rename, register, metrics ----

TEST_P(RestTablesTest, DropWithAndWithoutPurge) {
  const std::string kept = MetadataOf(f_.CreateTable("kept")["metadata"]).location;
  const std::string purged = MetadataOf(f_.CreateTable("purged")["metadata"]).location;
  EXPECT_EQ(f_.Send("DELETE", "/v1/namespaces/db/tables/kept?purgeRequested=False").status, 204);
  EXPECT_EQ(f_.Send("DELETE", "/v1/namespaces/db/tables/purged?purgeRequested=True").status, 204);
  EXPECT_EQ(f_.Send("HEAD", "/v1/namespaces/db/tables/kept").status, 404);
  EXPECT_EQ(f_.Send("HEAD", "/v1/namespaces/db/tables/purged").status, 404);
  EXPECT_TRUE(Exists(kept + "/metadata"));
  EXPECT_FALSE(Exists(purged + "/metadata"));
  EXPECT_REST_ERROR(f_.Send("DELETE", "/v1/namespaces/db/tables/kept"), 404,
                    "NoSuchTableException");
}

TEST_P(RestTablesTest, RenameMovesBetweenNamespaces) {
  f_.CreateTable("a");
  f_.CreateTable("b");
  ASSERT_EQ(f_.Post("/v1/namespaces", R"({"namespace": ["other"]})").status, 200);
  auto rename = [&](const std::string& from_ns, const std::string& from, const std::string& to_ns,
                    const std::string& to) {
    return f_.Post("/v1/tables/rename",
                   fmt::format(R"({{"source": {{"namespace": ["{}"], "name": "{}"}},
                                   "destination": {{"namespace": ["{}"], "name": "{}"}}}})",
                               from_ns, from, to_ns, to));
  };
  EXPECT_EQ(rename("db", "a", "other", "a2").status, 204);
  EXPECT_EQ(f_.Send("HEAD", "/v1/namespaces/other/tables/a2").status, 204);
  EXPECT_EQ(f_.Send("HEAD", "/v1/namespaces/db/tables/a").status, 404);
  EXPECT_REST_ERROR(rename("db", "a", "db", "c"), 404, "NoSuchTableException");
  EXPECT_REST_ERROR(rename("db", "b", "nons", "c"), 404, "NoSuchNamespaceException");
  EXPECT_REST_ERROR(rename("db", "b", "other", "a2"), 409, "AlreadyExistsException");
  EXPECT_REST_ERROR(f_.Post("/v1/tables/rename", R"({"source": {"namespace": ["db"]}})"), 400,
                    "BadRequestException");
}

TEST_P(RestTablesTest, RegisterAMetadataFile) {
  Json created = f_.CreateTable("orig");
  iceberg::TableMetadata base = MetadataOf(created["metadata"]);
  RestResponse appended = f_.Post("/v1/namespaces/db/tables/orig", AppendCommitBody(base, 5));
  ASSERT_EQ(appended.status, 200);
  const std::string metadata_location = BodyOf(appended)["metadata-location"];
  ASSERT_EQ(f_.Send("DELETE", "/v1/namespaces/db/tables/orig").status, 204);

  auto request = [&](const std::string& ns, const std::string& name, const std::string& location,
                     bool overwrite = false) {
    return f_.Post("/v1/namespaces/" + ns + "/register",
                   fmt::format(R"({{"name": "{}", "metadata-location": "{}", "overwrite": {}}})",
                               name, location, overwrite));
  };
  RestResponse registered = request("db", "again", metadata_location);
  ASSERT_EQ(registered.status, 200) << registered.body;
  EXPECT_EQ(BodyOf(registered)["metadata"]["table-uuid"], base.table_uuid);
  EXPECT_EQ(BodyOf(registered)["metadata"]["current-snapshot-id"], 5);
  EXPECT_EQ(BodyOf(registered)["metadata-location"], metadata_location);

  f_.CreateTable("taken");
  EXPECT_REST_ERROR(request("db", "taken", metadata_location), 409, "AlreadyExistsException");
  EXPECT_REST_ERROR(request("db", "taken", metadata_location, true), 406,
                    "UnsupportedOperationException");
  EXPECT_REST_ERROR(request("nons", "x", metadata_location), 404, "NoSuchNamespaceException");
  EXPECT_REST_ERROR(request("db", "x", f_.dir().Join("nowhere/metadata/v1.metadata.json")), 400,
                    "BadRequestException");
  EXPECT_REST_ERROR(f_.Post("/v1/namespaces/db/register", R"({"name": "x"})"), 400,
                    "BadRequestException");
}

TEST_P(RestTablesTest, MetricsReportsAreAcceptedForExistingTables) {
  f_.CreateTable("t");
  EXPECT_EQ(
      f_.Post("/v1/namespaces/db/tables/t/metrics", R"({"report-type": "scan-report"})").status,
      204);
  EXPECT_REST_ERROR(f_.Post("/v1/namespaces/db/tables/nope/metrics", R"({"x": 1})"), 404,
                    "NoSuchTableException");
  EXPECT_REST_ERROR(f_.Post("/v1/namespaces/db/tables/t/metrics", "{"), 400, "BadRequestException");
}

// ---- config of HF-backed tables ----

TEST_P(RestTablesTest, HfBackedTablesCarryReadSettingsAndNoSecret) {
  RestResponse created = f_.Post(
      "/v1/namespaces/db/tables",
      CreateTableBody("hf", false, R"("hf.dataset.repo": "owner/name", "hf.dataset.config": "x")"));
  ASSERT_EQ(created.status, 200) << created.body;
  Json config = BodyOf(f_.Get("/v1/namespaces/db/tables/hf"))["config"];
  EXPECT_EQ(config["hf.endpoint"], "http://hub.test");
  EXPECT_EQ(config["py-io-impl"], "pyiceberg.io.fsspec.FsspecFileIO");
  for (const auto& [key, value] : config.items()) {
    EXPECT_THAT(key, Not(HasSubstr("token")));
    EXPECT_THAT(key, Not(HasSubstr("secret")));
  }
}

// ---- transactions ----

TEST_P(RestTablesTest, TransactionsCheckEveryTableBeforeCommittingAny) {
  iceberg::TableMetadata a = MetadataOf(f_.CreateTable("a")["metadata"]);
  iceberg::TableMetadata b = MetadataOf(f_.CreateTable("b")["metadata"]);
  auto change = [](const std::string& name, const std::string& commit_body) {
    Json c = *ParseJson(commit_body, "change");
    c["identifier"] = {{"namespace", {"db"}}, {"name", name}};
    return c;
  };
  Json both;
  both["table-changes"] = {change("a", AppendCommitBody(a, 1)),
                           change("b", AppendCommitBody(b, 2))};
  EXPECT_EQ(f_.Post("/v1/transactions/commit", DumpJson(both)).status, 204);
  EXPECT_EQ(f_.LoadMetadata("db", "a")["current-snapshot-id"], 1);
  EXPECT_EQ(f_.LoadMetadata("db", "b")["current-snapshot-id"], 2);

  // a is current, b is stale: nothing is committed.
  a = MetadataOf(f_.LoadMetadata("db", "a"));
  Json stale;
  stale["table-changes"] = {change("a", AppendCommitBody(a, 3)),
                            change("b", AppendCommitBody(b, 4))};
  EXPECT_REST_ERROR(f_.Post("/v1/transactions/commit", DumpJson(stale)), 409,
                    "CommitFailedException");
  EXPECT_EQ(f_.LoadMetadata("db", "a")["current-snapshot-id"], 1);

  Json missing;
  // Json::array: a one-element brace list is the element itself under clang (a copy), an array
  // under gcc.
  missing["table-changes"] =
      Json::array({change("nope", R"({"requirements": [], "updates": []})")});
  EXPECT_REST_ERROR(f_.Post("/v1/transactions/commit", DumpJson(missing)), 404,
                    "NoSuchTableException");
  Json twice;
  twice["table-changes"] = {change("a", R"({"requirements": [], "updates": []})"),
                            change("a", R"({"requirements": [], "updates": []})")};
  EXPECT_REST_ERROR(f_.Post("/v1/transactions/commit", DumpJson(twice)), 400,
                    "BadRequestException");
  EXPECT_REST_ERROR(f_.Post("/v1/transactions/commit",
                            R"({"table-changes": [{"requirements": [], "updates": []}]})"),
                    400, "BadRequestException");
  EXPECT_REST_ERROR(f_.Post("/v1/transactions/commit", R"({"changes": []})"), 400,
                    "BadRequestException");
}

// ---- concurrency ----

TEST_P(RestTablesTest, ConcurrentAppendsThroughTheServiceLoseNothing) {
  f_.CreateTable("t");
  constexpr int kWriters = 6;
  constexpr int kAppendsEach = 5;
  std::atomic<int> unexpected{0};
  std::vector<std::vector<int64_t>> acknowledged(kWriters);
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kAppendsEach; ++i) {
        const int64_t id = (w + 1) * 1000 + i;
        for (int attempt = 0; attempt < 500; ++attempt) {
          RestResponse loaded = f_.Get("/v1/namespaces/db/tables/t");
          if (loaded.status != 200) {
            ++unexpected;
            return;
          }
          iceberg::TableMetadata base = MetadataOf(BodyOf(loaded)["metadata"]);
          RestResponse r = f_.Post("/v1/namespaces/db/tables/t", AppendCommitBody(base, id));
          if (r.status == 200) {
            acknowledged[w].push_back(id);
            break;
          }
          if (r.status != 409) {
            ++unexpected;
            return;
          }
        }
      }
    });
  }
  for (auto& t : writers) t.join();
  EXPECT_EQ(unexpected.load(), 0);
  iceberg::TableMetadata md = MetadataOf(f_.LoadMetadata("db", "t"));
  ASSERT_TRUE(md.current_snapshot_id.has_value());
  const std::vector<int64_t> ancestry = md.Ancestry(*md.current_snapshot_id);
  const std::set<int64_t> unique(ancestry.begin(), ancestry.end());
  EXPECT_EQ(ancestry.size(), unique.size());
  size_t acked = 0;
  for (const auto& ids : acknowledged) {
    acked += ids.size();
    for (int64_t id : ids) EXPECT_TRUE(unique.count(id)) << "lost append " << id;
  }
  EXPECT_EQ(acked, size_t{kWriters * kAppendsEach});
  EXPECT_EQ(ancestry.size(), acked);
  EXPECT_EQ(md.snapshots.size(), acked);
}

}  // namespace
}  // namespace faceberg::server
