#include "fuzz_targets.h"

#include <fmt/format.h>
#include <stdlib.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bridge/config.h"
#include "catalog/file_catalog.h"
#include "format/avro/binary.h"
#include "format/avro/container.h"
#include "format/parquet/footer.h"
#include "format/parquet/schema.h"
#include "hub/hf_uri.h"
#include "iceberg/expression.h"
#include "iceberg/manifest.h"
#include "iceberg/name_mapping.h"
#include "iceberg/parquet_metrics.h"
#include "iceberg/partition_spec.h"
#include "iceberg/single_value.h"
#include "iceberg/table_metadata.h"
#include "io/file_io.h"
#include "io/http_client.h"
#include "server/rest_service.h"
#include "util/json.h"

namespace faceberg::fuzz {
namespace {

// A broken invariant (a round trip that does not hold): report it like a crash.
void FuzzCheck(bool condition, std::string_view what) {
  if (condition) return;
  std::fprintf(stderr, "FUZZ_CHECK failed: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

std::string_view AsText(const uint8_t* data, size_t size) {
  return size == 0 ? std::string_view()
                   : std::string_view(reinterpret_cast<const char*>(data), size);
}

// A FileIO over a map held in memory: nothing a fuzz input names reaches the disk.
// kNoReplace and NotFound behave as LocalFileIO's do; LocalPathOf is nullopt for every location.
class MemoryFileIO final : public io::FileIO {
 public:
  std::map<std::string, std::string, std::less<>>& files() { return files_; }

  Result<std::unique_ptr<io::InputFile>> NewInputFile(std::string_view location) override {
    auto it = files_.find(location);
    if (it == files_.end()) return NotFound("{} does not exist", location);
    return std::unique_ptr<io::InputFile>(
        std::make_unique<io::MemoryInputFile>(it->first, it->second));
  }
  Status WriteFile(std::string_view location, std::string_view data, io::WriteMode mode) override {
    auto it = files_.find(location);
    if (it != files_.end()) {
      if (mode == io::WriteMode::kNoReplace) return AlreadyExists("{} exists", location);
      it->second = std::string(data);
      return Status::OK();
    }
    files_.emplace(std::string(location), std::string(data));
    return Status::OK();
  }
  Status DeleteFile(std::string_view location) override {
    auto it = files_.find(location);
    if (it == files_.end()) return NotFound("{} does not exist", location);
    files_.erase(it);
    return Status::OK();
  }
  Result<bool> Exists(std::string_view location) override {
    return files_.find(location) != files_.end();
  }
  Result<std::vector<std::string>> ListDir(std::string_view location) override {
    std::string prefix(location);
    while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
    prefix += '/';
    std::set<std::string> names;
    for (auto it = files_.lower_bound(prefix); it != files_.end(); ++it) {
      if (it->first.compare(0, prefix.size(), prefix) != 0) break;
      std::string rest = it->first.substr(prefix.size());
      names.insert(rest.substr(0, rest.find('/')));
    }
    return std::vector<std::string>(names.begin(), names.end());
  }
  Result<std::optional<std::string>> LocalPathOf(std::string_view) const override {
    return std::optional<std::string>();
  }

 private:
  std::map<std::string, std::string, std::less<>> files_;
};

// ---- avro_container ----

// The table the manifest fixtures (tests/data/avro) belong to: id long, name string,
// category int, partitioned by identity(category) as field 1000.
constexpr std::string_view kManifestTableJson = R"json({
  "format-version": 2, "table-uuid": "9c12d441-03fe-4693-9a96-a0705ddf69c1",
  "location": "mem://warehouse/db/events", "last-sequence-number": 1,
  "last-updated-ms": 1602638573590, "last-column-id": 3, "current-schema-id": 0,
  "schemas": [{"type": "struct", "schema-id": 0, "fields": [
    {"id": 1, "name": "id", "required": true, "type": "long"},
    {"id": 2, "name": "name", "required": false, "type": "string"},
    {"id": 3, "name": "category", "required": false, "type": "int"}]}],
  "default-spec-id": 0, "partition-specs": [{"spec-id": 0, "fields": [
    {"name": "category", "transform": "identity", "source-id": 3, "field-id": 1000}]}],
  "last-partition-id": 1000, "default-sort-order-id": 0,
  "sort-orders": [{"order-id": 0, "fields": []}], "properties": {}, "snapshots": []})json";

const iceberg::TableMetadata& ManifestTable() {
  static const iceberg::TableMetadata table = [] {
    auto parsed = iceberg::TableMetadataFromJson(kManifestTableJson, "fuzz manifest table");
    FuzzCheck(parsed.ok(), "the manifest table fixture parses");
    return std::move(*parsed);
  }();
  return table;
}

}  // namespace

int FuzzAvroContainer(const uint8_t* data, size_t size) {
  std::string bytes(AsText(data, size));
  auto reader = avro::ContainerReader::Open("fuzz.avro", bytes);
  if (reader.ok()) {
    const avro::Schema& schema = *(*reader)->schema();
    // The schema writes back to JSON that parses again.
    auto reparsed = avro::Schema::Parse(schema.ToJsonString());
    FuzzCheck(reparsed.ok(), "avro: Schema::Parse(ToJsonString()) of a parsed schema");
    avro::Datum datum;
    for (int i = 0; i < 10000; ++i) {
      auto more = (*reader)->Next(&datum);
      if (!more.ok() || !*more) break;
      (void)datum.ToString();
      // A decoded datum encodes back and decodes to itself.
      auto encoded = avro::EncodeBinary(datum, schema.root());
      FuzzCheck(encoded.ok(), "avro: a decoded datum encodes against its schema");
      auto decoded = avro::DecodeBinary(*encoded, schema.root());
      FuzzCheck(decoded.ok() && *decoded == datum, "avro: encode/decode round trip of a datum");
    }
  }
  // The same bytes as a manifest list and as a manifest of the fixture table.
  MemoryFileIO io;
  io.files().emplace("mem://fuzz.avro", std::move(bytes));
  auto list = iceberg::ReadManifestList(io, "mem://fuzz.avro");
  if (list.ok()) {
    for (const iceberg::ManifestFile& file : *list) (void)file.live_files_count();
  }
  iceberg::ManifestFile manifest;
  manifest.manifest_path = "mem://fuzz.avro";
  manifest.manifest_length = static_cast<int64_t>(size);
  manifest.sequence_number = 1;
  manifest.min_sequence_number = 1;
  manifest.added_snapshot_id = 1;
  auto entries = iceberg::ReadManifest(io, manifest, ManifestTable());
  if (entries.ok()) {
    for (const iceberg::ManifestEntry& entry : *entries) (void)entry.data_file.file_path.size();
  }
  return 0;
}

// ---- parquet_footer ----

int FuzzParquetFooter(const uint8_t* data, size_t size) {
  io::MemoryInputFile file("fuzz.parquet", std::string(AsText(data, size)));
  // A small first read also drives the second-read path for footers beyond it.
  parquet::FooterReadOptions options;
  options.initial_read_size = size > 0 && (data[0] & 1) ? 64 : parquet::kDefaultFooterReadSize;
  auto footer = parquet::ReadFooter(file, options);
  if (!footer.ok()) return 0;
  const parquet::FileMetaData& metadata = footer->metadata;
  auto tree = parquet::SchemaTree::Make(metadata.schema);
  if (tree.ok()) {
    for (int i = 0; i < tree->num_columns(); ++i) (void)tree->column(i).dotted_path();
  }
  iceberg::ParquetSchemaInfo info;
  auto schema = iceberg::SchemaFromParquet(metadata, &info);
  if (!schema.ok()) return 0;
  // Metrics by the file's own ids, and by name as for files without ids.
  (void)iceberg::MetricsFromParquet(metadata, **schema);
  std::map<std::string, int32_t> name_to_id;
  for (const iceberg::ParquetColumnId& column : info.columns) {
    name_to_id.emplace(column.dotted_path, column.field_id);
  }
  iceberg::ParquetMetricsOptions metrics_options;
  metrics_options.truncate_length = 4;
  (void)iceberg::MetricsFromParquet(metadata, **schema, &name_to_id, metrics_options);
  (void)iceberg::NameMappingToJson(iceberg::NameMappingFromSchema(**schema));
  return 0;
}

// ---- table_metadata ----

int FuzzTableMetadata(const uint8_t* data, size_t size) {
  auto metadata = iceberg::TableMetadataFromJson(AsText(data, size), "fuzz.metadata.json");
  if (!metadata.ok()) return 0;
  const iceberg::TableMetadata& md = *metadata;
  (void)md.Validate();
  if (iceberg::SchemaPtr schema = md.CurrentSchema()) {
    (void)schema->ToString();
    if (iceberg::PartitionSpecPtr spec = md.DefaultSpec()) {
      (void)iceberg::PartitionType(*spec, *schema);
    }
  }
  for (const iceberg::Snapshot& snapshot : md.snapshots) {
    (void)md.SchemaForSnapshot(snapshot);
    (void)md.Ancestry(snapshot.snapshot_id);
  }
  if (!md.snapshot_log.empty()) (void)md.SnapshotAsOf(md.snapshot_log.front().timestamp_ms);
  for (const auto& [name, ref] : md.refs) (void)md.SnapshotForRef(name);
  const std::string mapping = md.Property("schema.name-mapping.default");
  if (!mapping.empty()) (void)iceberg::ParseNameMapping(mapping);
  // What faceberg writes it reads back, and writing is stable.
  const std::string written = iceberg::TableMetadataToJson(md);
  auto reread = iceberg::TableMetadataFromJson(written, "rewritten metadata");
  FuzzCheck(reread.ok(), "table metadata: the written form of parsed metadata reads back");
  FuzzCheck(iceberg::TableMetadataToJson(*reread) == written,
            "table metadata: writing the reread metadata gives the same text");
  return 0;
}

// ---- bridge_config ----

int FuzzBridgeConfig(const uint8_t* data, size_t size) {
  auto config = bridge::ParseBridgeConfig(AsText(data, size), "faceberg.yml");
  if (!config.ok()) return 0;
  const std::string dumped = bridge::DumpBridgeConfig(*config);
  auto reread = bridge::ParseBridgeConfig(dumped, "dumped.yml");
  FuzzCheck(reread.ok(), "faceberg.yml: DumpBridgeConfig output parses");
  FuzzCheck(reread->catalog_name == config->catalog_name &&
                reread->catalog_location == config->catalog_location &&
                reread->datasets.size() == config->datasets.size(),
            "faceberg.yml: the dumped catalog reads back equal");
  for (size_t i = 0; i < config->datasets.size(); ++i) {
    const bridge::DatasetEntry& a = config->datasets[i];
    const bridge::DatasetEntry& b = reread->datasets[i];
    FuzzCheck(a.name == b.name && a.repo == b.repo && a.configs == b.configs &&
                  a.revision == b.revision && a.ns == b.ns && a.table == b.table,
              "faceberg.yml: a dumped dataset entry reads back equal");
  }
  return 0;
}

// ---- hf_uri ----

int FuzzHfUri(const uint8_t* data, size_t size) {
  const std::string_view text = AsText(data, size);
  (void)hub::IsHfUri(text);
  (void)hub::ValidateRepoId(text);
  // The wire encodings decode back to the text.
  for (const std::string& encoded :
       {hub::EncodeRevision(text), hub::EncodeResolvePath(text), hub::EncodeTreePath(text)}) {
    std::optional<std::string> decoded = io::PercentDecode(encoded);
    FuzzCheck(decoded && *decoded == text, "hf uri: percent-encoding decodes back");
  }
  auto uri = hub::ParseHfUri(text);
  if (!uri.ok()) return 0;
  (void)uri->repo_id();
  (void)uri->revision_or_default();
  const std::string canonical = uri->ToString();
  auto reparsed = hub::ParseHfUri(canonical);
  FuzzCheck(reparsed.ok() && *reparsed == *uri, "hf uri: ParseHfUri(ToString()) gives the value");
  return 0;
}

// ---- filter_expression ----

namespace {

// A table with every primitive type, a struct and a list, partitioned by every transform.
constexpr std::string_view kFilterSchemaJson = R"json({"type": "struct", "schema-id": 0, "fields": [
  {"id": 1, "name": "b", "required": false, "type": "boolean"},
  {"id": 2, "name": "i", "required": false, "type": "int"},
  {"id": 3, "name": "l", "required": true, "type": "long"},
  {"id": 4, "name": "f", "required": false, "type": "float"},
  {"id": 5, "name": "d", "required": false, "type": "double"},
  {"id": 6, "name": "dec", "required": false, "type": "decimal(9,2)"
},
  {"id": 7, "name": "date", "required": false, "type": "date"},
  {"id": 8, "name": "time", "required": false, "type": "time"},
  {"id": 9, "name": "ts", "required": false, "type": "timestamp"},
  {"id": 10, "name": "tstz", "required": false, "type": "timestamptz"},
  {"id": 11, "name": "s", "required": false, "type": "string"},
  {"id": 12, "name": "u", "required": false, "type": "uuid"},
  {"id": 13, "name": "fx", "required": false, "type": "fixed[4]"},
  {"id": 14, "name": "bin", "required": false, "type": "binary"},
  {"id": 15, "name": "st", "required": false, "type": {"type": "struct", "fields": [
    {"id": 16, "name": "x", "required": false, "type": "long"},
    {"id": 17, "name": "Odd Name", "required": false, "type": "string"}]}},
  {"id": 18, "name": "tags", "required": false, "type": {"type": "list", "element-id": 19,
    "element": "string", "element-required": false}}]
})json";

constexpr std::string_view kFilterSpecJson = R"json({"spec-id": 0, "fields": [
  {"name": "i_b", "transform": "bucket[16]", "source-id": 2, "field-id": 1000},
  {"name": "l_t", "transform": "truncate[10]", "source-id": 3, "field-id": 1001},
  {"name": "s_t", "transform": "truncate[2]", "source-id": 11, "field-id": 1002},
  {"name": "date_m", "transform": "month", "source-id": 7, "field-id": 1003},
  {"name": "ts_d", "transform": "day", "source-id": 9, "field-id": 1004},
  {"name": "tstz_h", "transform": "hour", "source-id": 10, "field-id": 1005},
  {"name": "date_y", "transform": "year", "source-id": 7, "field-id": 1006},
  {"name": "dec_t", "transform": "truncate[100]", "source-id": 6, "field-id": 1007},
  {"name": "b", "transform": "identity", "source-id": 1, "field-id": 1008},
  {"name": "d", "transform": "identity", "source-id": 5, "field-id": 1009},
  {"name": "s_b", "transform": "bucket[4]", "source-id": 11, "field-id": 1010},
  {"name": "x", "transform": "identity", "source-id": 16, "field-id": 1011},
  {"name": "f_v", "transform": "void", "source-id": 4, "field-id": 1012}]})json";

struct FilterFixture {
  iceberg::SchemaPtr schema;
  iceberg::PartitionSpec spec;
  iceberg::TypePtr partition_type;
};

const FilterFixture& Filter() {
  static const FilterFixture fixture = [] {
    auto schema_json = ParseJson(kFilterSchemaJson, "fuzz schema");
    FuzzCheck(schema_json.ok(), "the filter schema fixture is JSON");
    auto schema = iceberg::SchemaFromJson(*schema_json);
    FuzzCheck(schema.ok(), "the filter schema fixture parses");
    auto spec_json = ParseJson(kFilterSpecJson, "fuzz spec");
    FuzzCheck(spec_json.ok(), "the filter spec fixture is JSON");
    auto spec = iceberg::PartitionSpecFromJson(*spec_json);
    FuzzCheck(spec.ok(), "the filter spec fixture parses");
    auto type = iceberg::PartitionType(*spec, **schema);
    FuzzCheck(type.ok(), "the filter spec fits its schema");
    return FilterFixture{*schema, std::move(*spec), *type};
  }();
  return fixture;
}

// Collects the values the bound predicates compare each field with.
void CollectValues(const iceberg::BoundExpression& expr,
                   std::map<int32_t, std::vector<iceberg::Value>>* out) {
  if (expr.is_predicate()) {
    auto& values = (*out)[expr.predicate().field_id];
    for (const iceberg::Value& value : expr.predicate().values) values.push_back(value);
    return;
  }
  if (expr.left()) CollectValues(*expr.left(), out);
  if (expr.right()) CollectValues(*expr.right(), out);
}

bool IsNan(const iceberg::Value& value) {
  if (const float* f = std::get_if<float>(&value)) return std::isnan(*f);
  if (const double* d = std::get_if<double>(&value)) return std::isnan(*d);
  return false;
}

// The metrics of a data file holding exactly `row` (bounds untruncated).
iceberg::FileMetrics SingleRowMetrics(const iceberg::Schema& schema,
                                      const std::map<int32_t, iceberg::Value>& row) {
  iceberg::FileMetrics metrics;
  metrics.record_count = 1;
  for (const iceberg::NestedField& field : schema.fields()) {
    std::vector<const iceberg::NestedField*> leaves = {&field};
    if (field.id == 15) {
      leaves.clear();
      for (const iceberg::NestedField& child : field.type->fields()) leaves.push_back(&child);
    }
    for (const iceberg::NestedField* leaf : leaves) {
      if (!leaf->type->is_primitive()) continue;
      auto it = row.find(leaf->id);
      const iceberg::Value value = it == row.end() ? iceberg::Value() : it->second;
      metrics.value_counts[leaf->id] = 1;
      metrics.null_value_counts[leaf->id] = iceberg::IsNull(value) ? 1 : 0;
      if (leaf->type->id() == iceberg::TypeId::kFloat ||
          leaf->type->id() == iceberg::TypeId::kDouble) {
        metrics.nan_value_counts[leaf->id] = IsNan(value) ? 1 : 0;
      }
      if (iceberg::IsNull(value) || IsNan(value)) continue;
      auto bound = iceberg::ValueToBinary(value, *leaf->type);
      if (!bound.ok()) continue;
      metrics.lower_bounds[leaf->id] = *bound;
      metrics.upper_bounds[leaf->id] = *bound;
    }
  }
  return metrics;
}

// Checks that pruning agrees with row evaluation on a file holding only `row`.
void CheckPruning(const iceberg::BoundExpressionPtr& bound,
                  const std::map<int32_t, iceberg::Value>& row) {
  const FilterFixture& fixture = Filter();
  auto value_of = [&row](int32_t id) {
    auto it = row.find(id);
    return it == row.end() ? iceberg::Value() : it->second;
  };
  const bool matches = iceberg::EvaluateRow(*bound, value_of);
  const iceberg::FileMetrics metrics = SingleRowMetrics(*fixture.schema, row);
  const bool might = iceberg::InclusiveMetricsEvaluator(bound).MightMatch(metrics);
  const bool all = iceberg::StrictMetricsEvaluator(bound).AllMatch(metrics);
  const std::string where = " (filter " + iceberg::ToString(*bound) + ")";
  FuzzCheck(!matches || might,
            "filter: the inclusive metrics evaluator pruned a file whose row matches" + where);
  FuzzCheck(
      !all || matches,
      "filter: the strict metrics evaluator accepted a file whose row does not match" + where);
  auto partition = iceberg::ComputePartition(fixture.spec, *fixture.schema, value_of);
  if (!partition.ok()) return;
  const iceberg::PartitionFilter filter = iceberg::PartitionFilter::Make(*bound, fixture.spec);
  FuzzCheck(!matches || filter.MightMatch(*partition),
            "filter: the partition filter pruned a partition whose row matches" + where);
  std::vector<iceberg::FieldSummary> summaries;
  const auto& partition_fields = fixture.partition_type->fields();
  for (size_t i = 0; i < partition->size(); ++i) {
    const iceberg::Value& value = (*partition)[i];
    iceberg::FieldSummary summary;
    summary.contains_null = iceberg::IsNull(value);
    summary.contains_nan = IsNan(value);
    if (!iceberg::IsNull(value) && !IsNan(value)) {
      auto encoded = iceberg::ValueToBinary(value, *partition_fields[i].type);
      if (encoded.ok()) {
        summary.lower_bound = *encoded;
        summary.upper_bound = *encoded;
      }
    }
    summaries.push_back(std::move(summary));
  }
  FuzzCheck(!matches || filter.MightMatch(summaries),
            "filter: the manifest summaries pruned a manifest whose row matches" + where);
}

}  // namespace

int FuzzFilterExpression(const uint8_t* data, size_t size) {
  auto expr = iceberg::ParseExpression(AsText(data, size));
  if (!expr.ok()) return 0;
  // The printed form parses back and prints the same.
  const std::string printed = iceberg::ToString(**expr);
  auto reparsed = iceberg::ParseExpression(printed);
  FuzzCheck(reparsed.ok(), "filter: ParseExpression(ToString()) of a parsed filter");
  FuzzCheck(iceberg::ToString(**reparsed) == printed, "filter: ToString is stable");

  const FilterFixture& fixture = Filter();
  auto bound = iceberg::Bind(**expr, *fixture.schema);
  if (!bound.ok()) return 0;
  (void)iceberg::ToString(**bound);
  auto sql = iceberg::ToSql(**bound, *fixture.schema);
  FuzzCheck(sql.ok(), "filter: a bound filter converts to SQL");

  // Rows made of the filter's own literals (first and last per column), and the all-null row.
  std::map<int32_t, std::vector<iceberg::Value>> values;
  CollectValues(**bound, &values);
  std::map<int32_t, iceberg::Value> first;
  std::map<int32_t, iceberg::Value> last;
  for (const auto& [id, list] : values) {
    if (list.empty()) continue;
    first[id] = list.front();
    last[id] = list.back();
  }
  CheckPruning(*bound, first);
  CheckPruning(*bound, last);
  CheckPruning(*bound, {});
  return 0;
}

// ---- rest_request ----

namespace {

// A file catalog over a MemoryFileIO holding namespace "db" and table "db.t". Its root is a real
// temporary folder only because the catalog lock and staged-table folders live there.
class RestFixture {
 public:
  RestFixture() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "faceberg-fuzz-rest-XXXXXX").string();
    FuzzCheck(::mkdtemp(pattern.data()) != nullptr, "rest: mkdtemp");
    root_ = pattern;
    auto catalog = catalog::FileCatalog::Open(io_, root_, /*create=*/true);
    FuzzCheck(catalog.ok(), "rest: the fixture catalog opens");
    FuzzCheck((*catalog)->CreateNamespace("db", {}).ok(), "rest: the fixture namespace");
    auto service = server::RestCatalogService::Make(**catalog, {});
    FuzzCheck(service.ok(), "rest: the fixture service");
    server::RestRequest create;
    create.method = "POST";
    create.path = "/v1/namespaces/db/tables";
    create.body = R"json({"name": "t", "schema": {"type": "struct", "schema-id": 0, "fields": [
      {"id": 1, "name": "id", "type": "long", "required": true},
      {"id": 2, "name": "ts", "type": "timestamptz", "required": false}]},
      "partition-spec": {"spec-id": 0, "fields": [
        {"source-id": 2, "field-id": 1000, "transform": "day", "name": "ts_day"}]}})json";
    FuzzCheck((*service)->Handle(create).status == 200, "rest: the fixture table");
    baseline_ = io_.files();
  }

  ~RestFixture() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }

  // Runs `requests` against a fresh copy of the fixture catalog; when one of them succeeds, also
  // loads table db.t and lists the tables (to read back what a commit made).
  void Run(std::vector<server::RestRequest> requests) {
    io_.files() = baseline_;
    auto catalog = catalog::FileCatalog::Open(io_, root_, /*create=*/false);
    FuzzCheck(catalog.ok(), "rest: the fixture catalog reopens");
    auto service = server::RestCatalogService::Make(**catalog, {});
    FuzzCheck(service.ok(), "rest: the fixture service");
    bool changed = false;
    for (size_t i = 0; i < requests.size(); ++i) {
      const server::RestResponse response = (*service)->Handle(requests[i]);
      const std::string path = requests[i].path;
      FuzzCheck(response.status >= 200 && response.status <= 599, "rest: an HTTP status");
      const bool changes =
          requests[i].method == "POST" && path != "/v1/oauth/tokens" && !path.ends_with("/metrics");
      if (changes && response.status < 300 && !changed) {
        changed = true;
        for (const char* read : {"/v1/namespaces/db/tables/t", "/v1/namespaces/db/tables"}) {
          server::RestRequest load;
          load.method = "GET";
          load.path = read;
          requests.push_back(std::move(load));
        }
      }
      // Success bodies are written by DumpJson; check what the error paths build.
      if (response.status < 400 || response.body.empty()) continue;
      auto body = ParseJson(response.body, "response");
      FuzzCheck(body.ok(), "rest: an error body is JSON: " + path);
      FuzzCheck(body->is_object() && (body->contains("error") || path == "/v1/oauth/tokens"),
                "rest: an error response has the error shape: " + path);
    }
    // Staged tables prepare folders under the root: keep only the lock file.
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(root_, ec)) {
      if (entry.path().filename() != catalog::kFileCatalogLockName) {
        std::filesystem::remove_all(entry.path(), ec);
      }
    }
  }

 private:
  MemoryFileIO io_;
  std::string root_;
  std::map<std::string, std::string, std::less<>> baseline_;
};

}  // namespace

int FuzzRestRequest(const uint8_t* data, size_t size) {
  static RestFixture fixture;
  const std::string body(AsText(data, size));
  std::vector<server::RestRequest> requests;
  for (const char* path : {"/v1/namespaces", "/v1/namespaces/db/properties",
                           "/v1/namespaces/db/tables", "/v1/namespaces/db/register",
                           "/v1/namespaces/db/tables/t", "/v1/namespaces/db/tables/t/metrics",
                           "/v1/transactions/commit", "/v1/oauth/tokens", "/v1/tables/rename"}) {
    server::RestRequest request;
    request.method = "POST";
    request.path = path;
    request.body = body;
    requests.push_back(std::move(request));
  }
  fixture.Run(std::move(requests));
  return 0;
}

const std::vector<FuzzTarget>& AllFuzzTargets() {
  static const std::vector<FuzzTarget> targets = {
      {"avro_container", &FuzzAvroContainer},
      {"parquet_footer", &FuzzParquetFooter},
      {"table_metadata", &FuzzTableMetadata},
      {"bridge_config", &FuzzBridgeConfig},
      {"hf_uri", &FuzzHfUri},
      {"filter_expression", &FuzzFilterExpression},
      {"rest_request", &FuzzRestRequest},
  };
  return targets;
}

}  // namespace faceberg::fuzz
