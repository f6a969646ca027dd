#include "engine/writer.h"

#include <map>

#include "engine_test_util.h"
#include "iceberg/partition_spec.h"
#include "iceberg/single_value.h"
#include "util/strings.h"

namespace faceberg::engine {
namespace {

using iceberg::DataFile;
using iceberg::Value;

// "id:name:type" of every field at any depth, in schema order.
void Flatten(const std::vector<iceberg::NestedField>& fields, std::vector<std::string>* out) {
  for (const auto& f : fields) {
    out->push_back(fmt::format("{}:{}:{}", f.id, f.name,
                               f.type->is_primitive() ? f.type->ToString() : "nested"));
    if (f.type->is_nested()) Flatten(f.type->fields(), out);
  }
}

std::vector<std::string> Flatten(const iceberg::Schema& schema) {
  std::vector<std::string> out;
  Flatten(schema.fields(), &out);
  return out;
}

class WriterTest : public EngineTest {
 protected:
  // Writes `source` into `md`, checking every file carries the table's field ids.
  std::vector<DataFile> Write(const iceberg::TableMetadata& md, const InsertSource& source,
                              const WriteOptions& options = {}) {
    auto files = WriteDataFiles(*con_, io_, md, source, options);
    EXPECT_TRUE(files.ok()) << files.status().ToString();
    if (!files.ok()) return {};
    for (const auto& f : *files) {
      bool ids = false;
      auto schema = FooterSchema(f.file_path, &ids);
      EXPECT_TRUE(ids) << f.file_path;
      if (schema) {
        EXPECT_EQ(Flatten(*schema), Flatten(*md.CurrentSchema())) << f.file_path;
      }
      EXPECT_TRUE(StartsWith(f.file_path, md.location + "/data/")) << f.file_path;
      EXPECT_TRUE(EndsWith(f.file_path, ".parquet"));
      EXPECT_EQ(f.spec_id, md.default_spec_id);
      EXPECT_EQ(static_cast<uint64_t>(f.file_size_in_bytes),
                std::filesystem::file_size(f.file_path));
    }
    return *files;
  }

  // read_parquet arguments reading `files` (without DuckDB's hive partition guessing).
  std::string FileList(const std::vector<DataFile>& files) {
    std::vector<std::string> quoted;
    for (const auto& f : files) quoted.push_back("'" + f.file_path + "'");
    return "[" + Join(quoted, ", ") + "], hive_partitioning = false";
  }

  int64_t TotalRows(const std::vector<DataFile>& files) {
    int64_t n = 0;
    for (const auto& f : files) n += f.record_count();
    return n;
  }
};

TEST_F(WriterTest, UnpartitionedFromCsvMatchesColumnsIgnoringCase) {
  auto md = MakeTable("id long not null, name string, price decimal(9,2), day date, zip string");
  std::string csv = WriteText("in.csv",
                              "ID,Name,PRICE,day,zip\n"
                              "1,apple,1.50,2026-01-31,00123\n"
                              "2,,2.25,2026-02-01,\n"
                              "3,cherry,,2026-02-02,99999\n");
  auto files = Write(md, InsertSource::Files({csv}));
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].record_count(), 3);
  EXPECT_TRUE(files[0].partition.empty());
  EXPECT_EQ(files[0].metrics.null_value_counts.at(2), 1);
  EXPECT_EQ(files[0].metrics.lower_bounds.at(1), std::string("\x01\0\0\0\0\0\0\0", 8));
  EXPECT_EQ(Rows("SELECT * FROM read_parquet(" + FileList(files) + ") ORDER BY id"),
            (std::vector<Row>{{"1", "apple", "1.50", "2026-01-31", "00123"},
                              {"2", std::nullopt, "2.25", "2026-02-01", std::nullopt},
                              {"3", "cherry", std::nullopt, "2026-02-02", "99999"}}));
  // Only the data file remains: no staging folder.
  EXPECT_EQ(FilesUnder(md.location), std::vector<std::string>{files[0].file_path});
}

TEST_F(WriterTest, FromNdjsonJsonArrayParquetAndValues) {
  auto md = MakeTable(
      "id long not null, name string, ts timestamptz, tags list<string>, "
      "attrs map<string, int>, point struct<x: double, y: double>");
  std::string ndjson = WriteText(
      "in.ndjson",
      "{\"id\": 1, \"name\": \"a\", \"ts\": \"2026-01-31T10:00:00Z\", \"tags\": [\"x\", \"y\"], "
      "\"attrs\": {\"k\": 1}, \"point\": {\"x\": 1.5, \"y\": 2}}\n"
      "{\"id\": 2, \"name\": null, \"ts\": null, \"tags\": [], \"point\": null}\n");
  auto files = Write(md, InsertSource::Files({ndjson}));
  ASSERT_EQ(files.size(), 1u);
  std::vector<Row> expected = {
      {"1", "a", "2026-01-31 10:00:00+00", "[x, y]", "{k=1}", "{'x': 1.5, 'y': 2.0}"},
      {"2", std::nullopt, std::nullopt, "[]", std::nullopt, std::nullopt}};
  EXPECT_EQ(Rows("SELECT * FROM read_parquet(" + FileList(files) + ") ORDER BY id"), expected);

  std::string array = WriteText(
      "in.json",
      "[{\"id\": 1, \"name\": \"a\", \"ts\": \"2026-01-31T10:00:00Z\", \"tags\": [\"x\", \"y\"], "
      "\"attrs\": {\"k\": 1}, \"point\": {\"x\": 1.5, \"y\": 2}},\n"
      " {\"id\": 2, \"name\": null, \"ts\": null, \"tags\": [], \"point\": null}]\n");
  files = Write(md, InsertSource::Files({array}));
  EXPECT_EQ(Rows("SELECT * FROM read_parquet(" + FileList(files) + ") ORDER BY id"), expected);

  // Parquet input (from the JSON rows), with columns in another order.
  std::string parquet = dir_.Join("in.parquet");
  ASSERT_OK(con_->Execute("COPY (SELECT point, attrs, tags, ts, name, id FROM read_json('" + array +
                          "')) TO '" + parquet + "' (FORMAT parquet)"));
  files = Write(md, InsertSource::Files({parquet}));
  EXPECT_EQ(Rows("SELECT * FROM read_parquet(" + FileList(files) + ") ORDER BY id"), expected);

  files = Write(md, InsertSource::Values("(1, 'a', '2026-01-31T10:00:00Z', ['x', 'y'], "
                                         "MAP {'k': 1}, {'x': 1.5, 'y': 2}), (2, NULL, NULL, [], "
                                         "NULL, NULL)"));
  EXPECT_EQ(Rows("SELECT * FROM read_parquet(" + FileList(files) + ") ORDER BY id"), expected);

  // Trailing optional columns may be left out of --values rows.
  files = Write(md, InsertSource::Values("(7, 'g')"));
  EXPECT_EQ(Rows("SELECT * FROM read_parquet(" + FileList(files) + ")"),
            (std::vector<Row>{{"7", "g", std::nullopt, std::nullopt, std::nullopt, std::nullopt}}));
}

TEST_F(WriterTest, FormatOverrideAndDetection) {
  auto md = MakeTable("id long, name string");
  std::string data = WriteText("rows.data", "id,name\n1,a\n");
  EXPECT_ERROR(WriteDataFiles(*con_, io_, md, InsertSource::Files({data}), {}),
               ErrorCode::kInvalidArgument, "cannot tell the format");
  auto files = Write(md, InsertSource::Files({data}, InputFormat::kCsv));
  EXPECT_EQ(TotalRows(files), 1);
  ASSERT_OK_AND_ASSIGN(InputFormat f, ParseInputFormat("NDJSON"));
  EXPECT_EQ(f, InputFormat::kJson);
  EXPECT_ERROR(ParseInputFormat("xml"), ErrorCode::kInvalidArgument, "csv, json");
  EXPECT_ERROR(WriteDataFiles(*con_, io_, md, InsertSource::Files({dir_.Join("missing.csv")}), {}),
               ErrorCode::kNotFound, "missing.csv");
}

TEST_F(WriterTest, PartitionedByIdentityDayAndBucket) {
  auto md = MakeTable("id long not null, category string, ts timestamptz, v double",
                      "category, day(ts), bucket(4, id)");
  std::string csv = WriteText("in.csv",
                              "id,category,ts,v\n"
                              "1,a b/c,2026-01-31T10:00:00Z,1.0\n"
                              "2,a b/c,2026-01-31T23:59:59Z,2.0\n"
                              "3,a b/c,2026-02-01T00:00:00Z,3.0\n"
                              "4,,1969-12-31T23:00:00Z,4.0\n"
                              "5,x,,5.0\n"
                              "6,x,,6.0\n");
  auto files = Write(md, InsertSource::Files({csv}));
  EXPECT_EQ(TotalRows(files), 6);
  const auto& schema = *md.CurrentSchema();
  const auto& spec = *md.DefaultSpec();
  for (const auto& f : files) {
    SCOPED_TRACE(f.file_path);
    // The tuple matches the one Transform::Apply gives for every row of the file.
    auto rows = Rows("SELECT id, category, epoch_us(ts) FROM read_parquet('" + f.file_path +
                     "', hive_partitioning = false)");
    ASSERT_EQ(static_cast<int64_t>(rows.size()), f.record_count());
    for (const auto& row : rows) {
      auto values = iceberg::ComputePartition(spec, schema, [&](int32_t id) -> Value {
        const auto& text = row[id - 1];
        if (!text) return Value();
        if (id == 2) return Value(*text);
        return Value(*ParseInt64(*text));
      });
      ASSERT_OK(values);
      EXPECT_EQ(*values, f.partition);
    }
    ASSERT_OK_AND_ASSIGN(std::string path, iceberg::PartitionPath(spec, schema, f.partition));
    EXPECT_NE(f.file_path.find("/data/" + path + "/"), std::string::npos) << path;
  }
  // Distinct tuples: (a b/c, 01-31, b1), (a b/c, 01-31, b2), (a b/c, 02-01, b3), (null, 12-31,
  // b4), (x, null, b5), (x, null, b6); some buckets coincide.
  std::set<std::string> tuples;
  for (const auto& f : files) tuples.insert(*iceberg::PartitionPath(spec, schema, f.partition));
  EXPECT_EQ(tuples.size(), files.size());
  bool saw_null_category = false;
  for (const auto& f : files) {
    if (iceberg::IsNull(f.partition[0])) {
      saw_null_category = true;
      EXPECT_EQ(f.partition[1], Value(int32_t{-1}));  // 1969-12-31
      EXPECT_NE(f.file_path.find("/data/category=null/ts_day=1969-12-31/"), std::string::npos);
    }
  }
  EXPECT_TRUE(saw_null_category);
}

// Every transform on edge values: one row per partition, so the tuple must equal what
// PartitionFromBounds derives (through Transform::Apply) from the file's own bounds.
TEST_F(WriterTest, PartitionTransformsMatchTheIcebergLibrary) {
  auto md = MakeTable(
      "i int, l long, d date, ts timestamp, tz timestamptz, s string, b binary, dec decimal(9,2), "
      "u uuid, f double, t time, flag boolean, tz2 timestamptz, d2 date",
      "year(ts), month(tz), day(d), hour(tz2), month(d2), truncate(10, i), truncate(100, l), "
      "truncate(3, s), "
      "truncate(2, b), truncate(50, dec), bucket(8, s), bucket(8, u), bucket(8, dec), "
      "bucket(8, d), identity(f), identity(t), identity(flag), identity(b), identity(u), "
      "identity(dec), identity(ts), identity(s), void(i)");
  std::string values =
      "(-1, -1, DATE '1969-12-31', TIMESTAMP '1969-12-31 23:59:59.999999', "
      "TIMESTAMPTZ '1969-12-31 23:30:00+00', 'aé😀bc', '\\x00\\xFF\\x10'::BLOB, -0.01, "
      "'f79c3e09-677c-4bbd-a479-3f349cb785e7', -1.5, TIME '23:59:59.5', true, "
      "TIMESTAMPTZ '1969-12-31 23:59:59+00', DATE '1969-01-31'), "
      "(15, 250, DATE '2026-01-31', TIMESTAMP '2026-12-31 23:00:00', "
      "TIMESTAMPTZ '2026-03-01 05:00:00+00', 'ice', '\\x01'::BLOB, 14.20, "
      "'00000000-0000-0000-0000-000000000000', 0.1, TIME '00:00:00', false, "
      "TIMESTAMPTZ '2026-01-31 12:34:56+00', DATE '2026-12-01'), "
      "(-2147483648, -9223372036854775800, DATE '1900-02-28', TIMESTAMP '1900-01-01 00:00:00', "
      "TIMESTAMPTZ '2262-01-01 00:00:00+00', '', ''::BLOB, -9999999.99, "
      "'ffffffff-ffff-ffff-ffff-ffffffffffff', 1e300, TIME '12:00:00', NULL, "
      "TIMESTAMPTZ '1900-01-01 00:00:00+00', DATE '1600-02-29')";
  auto files = Write(md, InsertSource::Values(values));
  ASSERT_EQ(files.size(), 3u);
  for (const auto& f : files) {
    SCOPED_TRACE(f.file_path);
    ASSERT_EQ(f.record_count(), 1);
    ASSERT_OK_AND_ASSIGN(auto from_bounds, iceberg::PartitionFromBounds(
                                               *md.DefaultSpec(), *md.CurrentSchema(), f.metrics));
    ASSERT_EQ(from_bounds.size(), f.partition.size());
    for (size_t i = 0; i < f.partition.size(); ++i) {
      EXPECT_EQ(f.partition[i], from_bounds[i]) << md.DefaultSpec()->fields[i].name;
    }
  }
}

TEST_F(WriterTest, ErrorsNameTheColumnAndLeaveNothingBehind) {
  auto md = MakeTable("id long not null, price decimal(9,2), day date", "day");
  std::string bad_value =
      WriteText("bad.csv", "id,price,day\n1,1.5,2026-01-01\n2,abc,2026-01-02\n");
  EXPECT_ERROR(WriteDataFiles(*con_, io_, md, InsertSource::Files({bad_value}), {}),
               ErrorCode::kInvalidArgument,
               "column \"price\" (decimal(9,2)): the value 'abc' cannot be converted to "
               "decimal(9,2); fix the input value");
  std::string bad_date = WriteText("bad_date.csv", "id,day\n1,2026-13-45\n");
  EXPECT_ERROR(WriteDataFiles(*con_, io_, md, InsertSource::Files({bad_date}), {}),
               ErrorCode::kInvalidArgument, "column \"day\" (date): the value '2026-13-45'");
  std::string null_id = WriteText("null.csv", "id,price\n1,1\n,2\n");
  EXPECT_ERROR(WriteDataFiles(*con_, io_, md, InsertSource::Files({null_id}), {}),
               ErrorCode::kInvalidArgument, "column \"id\" is required, but a row has no value");
  std::string extra = WriteText("extra.csv", "id,color\n1,red\n");
  EXPECT_ERROR(WriteDataFiles(*con_, io_, md, InsertSource::Files({extra}), {}),
               ErrorCode::kInvalidArgument, "input column 'color' is not in the table");
  std::string missing = WriteText("missing.csv", "price\n1\n");
  EXPECT_ERROR(WriteDataFiles(*con_, io_, md, InsertSource::Files({missing}), {}),
               ErrorCode::kInvalidArgument, "required column 'id' is missing");
  EXPECT_ERROR(
      WriteDataFiles(*con_, io_, md, InsertSource::Values("(1, 2, DATE '2026-01-01', 4)"), {}),
      ErrorCode::kInvalidArgument, "--values rows have 4 values");
  EXPECT_ERROR(WriteDataFiles(*con_, io_, md, InsertSource::Values("(1, 'x'"), {}),
               ErrorCode::kInvalidArgument, "is not a list of rows");
  EXPECT_ERROR(WriteDataFiles(*con_, io_, md, InsertSource::Values("(1, 'x')"), {}),
               ErrorCode::kInvalidArgument, "column \"price\"");
  EXPECT_EQ(FilesUnder(md.location), std::vector<std::string>{});
}

// Regression (hostile inputs): input errors quoted DuckDB's "LINE 1: SELECT * FROM ... LIMIT 0",
// SQL the user never wrote ("syntax error at or near LIMIT" for --values "(1,").
TEST_F(WriterTest, InputErrorsDoNotShowTheInternalQuery) {
  auto md = MakeTable("id long not null, name string", "");
  auto values = WriteDataFiles(*con_, io_, md, InsertSource::Values("(1,"), {});
  EXPECT_ERROR(values, ErrorCode::kInvalidArgument,
               "--values \"(1,\" is not a list of rows: write SQL tuples like (1, 'a')");
  EXPECT_THAT(values.status().message(), ::testing::Not(::testing::HasSubstr("LIMIT")));
  std::string not_parquet = WriteText("rows.parquet", "id,name\n1,a\n");
  auto parquet = WriteDataFiles(*con_, io_, md, InsertSource::Files({not_parquet}), {});
  EXPECT_ERROR(parquet, ErrorCode::kInvalidArgument, "reading " + not_parquet + ": ");
  EXPECT_THAT(parquet.status().message(), ::testing::Not(::testing::HasSubstr("LINE 1")));
  EXPECT_THAT(parquet.status().message(), ::testing::Not(::testing::HasSubstr("SELECT")));
  EXPECT_EQ(FilesUnder(md.location), std::vector<std::string>{});
}

TEST_F(WriterTest, SplitsFilesAboveTheTargetSize) {
  WriteOptions small;
  small.target_file_size_bytes = 256 * 1024;
  small.row_group_size = 10000;
  std::string parquet = dir_.Join("big.parquet");
  ASSERT_OK(con_->Execute(
      "COPY (SELECT range AS id, range % 2 AS part, md5(range::VARCHAR) AS payload FROM "
      "range(200000)) TO '" +
      parquet + "' (FORMAT parquet)"));

  auto flat = MakeTable("id long, part int, payload string", "", "flat");
  auto files = Write(flat, InsertSource::Files({parquet}), small);
  EXPECT_GT(files.size(), 2u);
  EXPECT_EQ(TotalRows(files), 200000);

  auto parted = MakeTable("id long, part int, payload string", "part", "parted");
  files = Write(parted, InsertSource::Files({parquet}), small);
  EXPECT_GT(files.size(), 2u);
  EXPECT_EQ(TotalRows(files), 200000);
  std::map<int32_t, int64_t> rows_per_part;
  for (const auto& f : files) rows_per_part[std::get<int32_t>(f.partition[0])] += f.record_count();
  EXPECT_EQ(rows_per_part, (std::map<int32_t, int64_t>{{0, 100000}, {1, 100000}}));
  EXPECT_EQ(Rows("SELECT count(*), count(DISTINCT id), sum(part) FROM read_parquet(" +
                 FileList(files) + ")"),
            (std::vector<Row>{{"200000", "200000", "100000"}}));
  EXPECT_EQ(FilesUnder(parted.location).size(), files.size());
}

TEST_F(WriterTest, RefusesWhatItCannotWrite) {
  auto fixed = MakeTable("id long, f struct<h: fixed[16]>");
  EXPECT_ERROR(WriteDataFiles(*con_, io_, fixed, InsertSource::Values("(1, NULL)"), {}),
               ErrorCode::kNotSupported, "column 'f.h' is fixed[16]");
  auto remote = MakeTable("id long");
  remote.location = "hf://datasets/owner/repo/table";
  EXPECT_ERROR(WriteDataFiles(*con_, io_, remote, InsertSource::Values("(1)"), {}),
               ErrorCode::kNotSupported, "only to the local file system");
}

TEST_F(WriterTest, TablesOfMappedLocationsAreWrittenInTheirLocalFolder) {
  // As in a mirrored hf:// catalog: the table sees mapped:// locations, the files are local.
  const std::string root = dir_.Join("mirror");
  MappedFileIO mapped(root);
  auto md = MakeTable("id long, part int", "part");
  md.location = "mapped://cat/t";
  ASSERT_OK_AND_ASSIGN(
      auto files,
      WriteDataFiles(*con_, mapped, md, InsertSource::Values("(1, 1), (2, 2), (3, 1)"), {}));
  ASSERT_EQ(files.size(), 2u);
  for (const auto& f : files) {
    EXPECT_TRUE(StartsWith(f.file_path, "mapped://cat/t/data/part=")) << f.file_path;
    const std::string local = root + "/" + f.file_path.substr(MappedFileIO::kScheme.size());
    ASSERT_TRUE(std::filesystem::exists(local)) << local;
    EXPECT_EQ(static_cast<uint64_t>(f.file_size_in_bytes), std::filesystem::file_size(local));
  }
  EXPECT_EQ(FilesUnder(root + "/cat/t").size(), 2u);
  EXPECT_EQ(TotalRows(files), 3);

  // A failed write leaves nothing in the mapped folder either.
  EXPECT_ERROR(WriteDataFiles(*con_, mapped, md, InsertSource::Values("(4, 'x')"), {}),
               ErrorCode::kInvalidArgument, "column \"part\"");
  EXPECT_EQ(FilesUnder(root + "/cat/t").size(), 2u);
}

TEST_F(WriterTest, IdentityPartitionColumnsAndFieldIdsCanBeLeftOut) {
  // As for an HF-backed table: the split lives only in the partition tuple, and the files carry
  // column names without field ids.
  auto md = MakeTable("id long, tags list<string>, split string", "split");
  WriteOptions options;
  options.data_location = dir_.Join("scratch");
  options.omit_identity_partition_columns = true;
  options.write_field_ids = false;
  ASSERT_OK_AND_ASSIGN(
      auto files, WriteDataFiles(*con_, io_, md,
                                 InsertSource::Values("(1, ['a'], 'train'), (2, NULL, 'test'), "
                                                      "(3, ['b', 'c'], 'train')"),
                                 options));
  ASSERT_EQ(files.size(), 2u);
  const iceberg::Schema& table_schema = *md.CurrentSchema();
  const int32_t element_id = table_schema.FindFieldByName("tags")->type->element().id;
  const int32_t split_id = table_schema.FindFieldByName("split")->id;
  std::map<std::string, int64_t> rows_per_split;
  for (const auto& f : files) {
    EXPECT_TRUE(StartsWith(f.file_path, dir_.Join("scratch") + "/split=")) << f.file_path;
    rows_per_split[std::get<std::string>(f.partition.at(0))] += f.record_count();
    bool ids = true;
    auto schema = FooterSchema(f.file_path, &ids);
    EXPECT_FALSE(ids);
    ASSERT_NE(schema, nullptr);
    std::vector<std::string> names;
    for (const auto& field : schema->fields()) names.push_back(field.name);
    EXPECT_EQ(names, (std::vector<std::string>{"id", "tags"}));
    // Metrics map the named columns to the table's ids; there are none for split.
    EXPECT_EQ(f.metrics.value_counts.count(1), 1u);
    EXPECT_EQ(f.metrics.lower_bounds.count(1), 1u);
    EXPECT_EQ(f.metrics.value_counts.count(element_id), 1u);
    EXPECT_EQ(f.metrics.value_counts.count(split_id), 0u);
  }
  EXPECT_EQ(rows_per_split, (std::map<std::string, int64_t>{{"test", 1}, {"train", 2}}));
  EXPECT_EQ(Rows("SELECT * FROM read_parquet(" + FileList(files) + ") ORDER BY id"),
            (std::vector<Row>{{"1", "[a]"}, {"2", std::nullopt}, {"3", "[b, c]"}}));
  EXPECT_EQ(FilesUnder(md.location), std::vector<std::string>{});

  // With field ids the written columns keep theirs.
  options.write_field_ids = true;
  ASSERT_OK_AND_ASSIGN(
      files, WriteDataFiles(*con_, io_, md, InsertSource::Values("(4, ['d'], 'train')"), options));
  ASSERT_EQ(files.size(), 1u);
  bool ids = false;
  auto schema = FooterSchema(files[0].file_path, &ids);
  EXPECT_TRUE(ids);
  ASSERT_NE(schema, nullptr);
  EXPECT_EQ(schema->fields().size(), 2u);
  EXPECT_EQ(files[0].metrics.lower_bounds.count(1), 1u);

  // A partition source inside a struct cannot be left out.
  auto nested = MakeTable("id long, s struct<p: string>", "s.p", "nested");
  EXPECT_ERROR(WriteDataFiles(*con_, io_, nested, InsertSource::Values("(1, {'p': 'x'})"), options),
               ErrorCode::kNotSupported, "inside a struct");
}

TEST(WriteOptionsTest, FromTableProperties) {
  WriteOptions defaults = WriteOptionsFromProperties({});
  EXPECT_EQ(defaults.target_file_size_bytes, WriteOptions{}.target_file_size_bytes);
  EXPECT_EQ(defaults.compression, "zstd");
  WriteOptions set = WriteOptionsFromProperties(
      {{"write.target-file-size-bytes", "1048576"}, {"write.parquet.compression-codec", "SNAPPY"}});
  EXPECT_EQ(set.target_file_size_bytes, 1048576);
  EXPECT_EQ(set.compression, "snappy");
  WriteOptions bad = WriteOptionsFromProperties({{"write.target-file-size-bytes", "-5"}});
  EXPECT_EQ(bad.target_file_size_bytes, WriteOptions{}.target_file_size_bytes);
}

TEST_F(WriterTest, EmptyInputWritesNothing) {
  auto md = MakeTable("id long, name string");
  std::string csv = WriteText("empty.csv", "id,name\n");
  ASSERT_OK_AND_ASSIGN(auto files, WriteDataFiles(*con_, io_, md, InsertSource::Files({csv}), {}));
  EXPECT_TRUE(files.empty());
  EXPECT_EQ(FilesUnder(md.location), std::vector<std::string>{});
}

}  // namespace
}  // namespace faceberg::engine
