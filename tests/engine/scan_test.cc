#include "engine/scan.h"

#include "engine/writer.h"
#include "engine_test_util.h"
#include "iceberg/name_mapping.h"
#include "util/strings.h"

namespace faceberg::engine {
namespace {

using iceberg::DataFile;
using iceberg::NestedField;
using iceberg::Schema;
using iceberg::Type;
using iceberg::Value;

class ScanTest : public EngineTest {
 protected:
  // Writes `select` to a Parquet file named `name`; `field_ids` is COPY's FIELD_IDS value, or
  // empty for a file without ids.
  DataFile WriteFile(const std::string& name, const std::string& select,
                     const std::string& field_ids, iceberg::PartitionValues partition = {}) {
    std::string path = dir_.Join(name);
    std::string options = "FORMAT parquet";
    if (!field_ids.empty()) options += ", FIELD_IDS " + field_ids;
    EXPECT_OK(con_->Execute("COPY (" + select + ") TO '" + path + "' (" + options + ")"));
    DataFile f;
    f.file_path = path;
    f.partition = std::move(partition);
    return f;
  }

  // Rows of the relation, ordered by its first column.
  std::vector<Row> Scan(const iceberg::TableMetadata& md, const Schema& read_schema,
                        const std::vector<DataFile>& files,
                        const std::vector<std::string>& columns = {},
                        std::vector<std::string>* types = nullptr) {
    auto sql = ScanRelationSql(io_, md, read_schema, files, columns);
    EXPECT_TRUE(sql.ok()) << sql.status().ToString();
    if (!sql.ok()) return {};
    auto r = con_->Query("SELECT * FROM " + *sql + " ORDER BY 1");
    EXPECT_TRUE(r.ok()) << *sql << "\n" << r.status().ToString();
    if (!r.ok()) return {};
    if (types) *types = r->column_types;
    return r->rows;
  }

  static std::shared_ptr<Schema> MakeSchema(int32_t id, std::vector<NestedField> fields) {
    return std::make_shared<Schema>(id, std::move(fields));
  }
};

TEST_F(ScanTest, WrittenDataReadsBackEqual) {
  auto md = MakeTable(
      "id long not null, category string, ts timestamptz, price decimal(9,2), "
      "tags list<string>, attrs map<string, int>, point struct<x: double, y: double>",
      "category, day(ts), bucket(4, id)");
  auto files = WriteDataFiles(
      *con_, io_, md,
      InsertSource::Values("(1, 'a', '2026-01-31 10:00:00+00', 1.50, ['x'], MAP {'k': 1}, "
                           "{'x': 1, 'y': 2}), (2, 'b', NULL, NULL, [], NULL, NULL), "
                           "(3, 'a', '2026-02-01 00:00:00+00', 3.25, NULL, MAP {}, "
                           "{'x': NULL, 'y': 5})"));
  ASSERT_OK(files);
  ASSERT_EQ(files->size(), 3u);
  std::vector<std::string> types;
  auto rows = Scan(md, *md.CurrentSchema(), *files, {}, &types);
  EXPECT_EQ(types, (std::vector<std::string>{"BIGINT", "VARCHAR", "TIMESTAMP WITH TIME ZONE",
                                             "DECIMAL(9,2)", "VARCHAR[]", "MAP(VARCHAR, INTEGER)",
                                             "STRUCT(\"x\" DOUBLE, \"y\" DOUBLE)"}));
  EXPECT_EQ(
      rows,
      (std::vector<Row>{
          {"1", "a", "2026-01-31 10:00:00+00", "1.50", "[x]", "{k=1}", "{'x': 1.0, 'y': 2.0}"},
          {"2", "b", std::nullopt, std::nullopt, "[]", std::nullopt, std::nullopt},
          {"3", "a", "2026-02-01 00:00:00+00", "3.25", std::nullopt, "{}",
           "{'x': NULL, 'y': 5.0}"}}));
  // A projection, in the order asked (case-insensitive names).
  EXPECT_EQ(Scan(md, *md.CurrentSchema(), *files, {"PRICE", "id"}),
            (std::vector<Row>{{"1.50", "1"}, {"3.25", "3"}, {std::nullopt, "2"}}));
  EXPECT_ERROR(ScanRelationSql(io_, md, *md.CurrentSchema(), *files, {"nope"}),
               ErrorCode::kInvalidArgument, "column 'nope' is not in the table");
}

TEST_F(ScanTest, EmptyFileListGivesTypedEmptyRelation) {
  auto md = MakeTable("id long, name string, d decimal(9,2)");
  ASSERT_OK_AND_ASSIGN(std::string sql, ScanRelationSql(io_, md, *md.CurrentSchema(), {}, {}));
  ASSERT_OK_AND_ASSIGN(QueryResult r, con_->Query("SELECT * FROM " + sql));
  EXPECT_EQ(r.column_names, (std::vector<std::string>{"id", "name", "d"}));
  EXPECT_EQ(r.column_types, (std::vector<std::string>{"BIGINT", "VARCHAR", "DECIMAL(9,2)"}));
  EXPECT_TRUE(r.rows.empty());
}

TEST_F(ScanTest, RenamedDroppedAndAddedColumnsFollowFieldIds) {
  auto md = MakeTable("id long, name string, old int");
  DataFile old_file = WriteFile("old.parquet", "SELECT 1::BIGINT AS id, 'a' AS name, 7 AS old",
                                "{id: 1, name: 2, old: 3}");
  // Schema 1: 'name' renamed to 'label', 'old' dropped, 'score' (id 4) added.
  auto v1 = MakeSchema(1, {{1, "id", false, Type::Long()},
                           {2, "label", false, Type::String()},
                           {4, "score", false, Type::Double()}});
  DataFile new_file = WriteFile("new.parquet", "SELECT 2::BIGINT AS id, 'b' AS label, 0.5 AS score",
                                "{id: 1, label: 2, score: 4}");
  std::vector<std::string> types;
  EXPECT_EQ(Scan(md, *v1, {old_file, new_file}, {}, &types),
            (std::vector<Row>{{"1", "a", std::nullopt}, {"2", "b", "0.5"}}));
  EXPECT_EQ(types, (std::vector<std::string>{"BIGINT", "VARCHAR", "DOUBLE"}));
  // A column whose old name another column took later is not confused with it.
  auto v2 = MakeSchema(2, {{1, "id", false, Type::Long()}, {5, "name", false, Type::String()}});
  EXPECT_EQ(Scan(md, *v2, {old_file}), (std::vector<Row>{{"1", std::nullopt}}));
}

TEST_F(ScanTest, PromotedTypesAreCast) {
  auto md = MakeTable("i int, f float, d decimal(9,2)");
  DataFile file = WriteFile("narrow.parquet",
                            "SELECT 5::INTEGER AS i, 1.5::FLOAT AS f, 14.20::DECIMAL(9,2) AS d",
                            "{i: 1, f: 2, d: 3}");
  auto wide = MakeSchema(1, {{1, "i", false, Type::Long()},
                             {2, "f", false, Type::Double()},
                             {3, "d", false, *Type::Decimal(18, 2)}});
  std::vector<std::string> types;
  EXPECT_EQ(Scan(md, *wide, {file}, {}, &types), (std::vector<Row>{{"5", "1.5", "14.20"}}));
  EXPECT_EQ(types, (std::vector<std::string>{"BIGINT", "DOUBLE", "DECIMAL(18,2)"}));
}

TEST_F(ScanTest, FilesWithoutFieldIdsUseTheNameMapping) {
  auto md = MakeTable("id long");
  auto schema = MakeSchema(
      0, {{1, "id", false, Type::Long()},
          {2, "name", false, Type::String()},
          {3, "point", false,
           Type::Struct({{4, "x", false, Type::Double()}, {5, "y", false, Type::Double()}})},
          {6, "tags", false, Type::List(7, false, Type::String())}});
  // The mapping knows 'full_name' as another name of field 2 and 'px' for point.x.
  md.properties[iceberg::kNameMappingProperty] = R"([
    {"field-id": 1, "names": ["id"]},
    {"field-id": 2, "names": ["name", "full_name"]},
    {"field-id": 3, "names": ["point"], "fields": [
      {"field-id": 4, "names": ["x", "px"]}, {"field-id": 5, "names": ["y"]}]},
    {"field-id": 6, "names": ["tags"], "fields": [{"field-id": 7, "names": ["element"]}]}])";
  DataFile plain = WriteFile(
      "plain.parquet",
      "SELECT 1::BIGINT AS id, 'ann' AS full_name, {'px': 1.5, 'y': 2.5} AS point, ['t'] AS tags, "
      "'ignored' AS unmapped",
      "");
  bool ids = true;
  FooterSchema(plain.file_path, &ids);
  ASSERT_FALSE(ids);
  DataFile with_ids =
      WriteFile("ids.parquet",
                "SELECT 2::BIGINT AS id, 'bob' AS name, {'x': 3.5, 'y': 4.5} AS point, [] AS tags",
                "{id: 1, name: 2, point: {__duckdb_field_id: 3, x: 4, y: 5}, "
                "tags: {__duckdb_field_id: 6, element: 7}}");
  EXPECT_EQ(Scan(md, *schema, {plain, with_ids}),
            (std::vector<Row>{{"1", "ann", "{'x': 1.5, 'y': 2.5}", "[t]"},
                              {"2", "bob", "{'x': 3.5, 'y': 4.5}", "[]"}}));
}

TEST_F(ScanTest, NestedRenamesKeepTheirData) {
  auto md = MakeTable("id long");
  // Written when the struct field was 'a', the list element struct field 'q' and the map value
  // struct field 'm'.
  DataFile file =
      WriteFile("nested.parquet",
                "SELECT 1::BIGINT AS id, {'a': 10, 'b': 'x'} AS s, [{'q': 1}, {'q': 2}] AS l, "
                "MAP {'k': {'m': 3}} AS mp",
                "{id: 1, s: {__duckdb_field_id: 2, a: 3, b: 4}, l: {__duckdb_field_id: 5, element: "
                "{__duckdb_field_id: 6, q: 7}}, mp: {__duckdb_field_id: 8, key: 9, value: "
                "{__duckdb_field_id: 10, m: 11}}}");
  auto renamed = MakeSchema(
      1,
      {{1, "id", false, Type::Long()},
       {2, "s", false,
        Type::Struct({{3, "alpha", false, Type::Long()},
                      {4, "b", false, Type::String()},
                      {12, "added", false, Type::Int()}})},
       {5, "l", false, Type::List(6, false, Type::Struct({{7, "quantity", false, Type::Long()}}))},
       {8, "mp", false,
        Type::Map(9, Type::String(), 10, false,
                  Type::Struct({{11, "measure", false, Type::Long()}}))}});
  EXPECT_EQ(Scan(md, *renamed, {file}),
            (std::vector<Row>{{"1", "{'alpha': 10, 'b': x, 'added': NULL}",
                               "[{'quantity': 1}, {'quantity': 2}]", "{k={'measure': 3}}"}}));
}

TEST_F(ScanTest, IdentityPartitionColumnsMissingFromFilesComeFromTheTuple) {
  auto md = MakeTable("id long, name string, split string", "split");
  DataFile train =
      WriteFile("train.parquet", "SELECT range AS id, 'n' || range AS name FROM range(3)",
                "{id: 1, name: 2}", {Value(std::string("train"))});
  DataFile test = WriteFile("test.parquet", "SELECT 10 + range AS id, 'm' AS name FROM range(2)",
                            "", {Value(std::string("te'st"))});
  // A file that has the column keeps its own values.
  DataFile has_split =
      WriteFile("has.parquet", "SELECT 20::BIGINT AS id, 'z' AS name, 'own' AS split",
                "{id: 1, name: 2, split: 3}", {Value(std::string("other"))});
  DataFile null_split = WriteFile("null.parquet", "SELECT 30::BIGINT AS id, 'w' AS name",
                                  "{id: 1, name: 2}", {Value()});
  EXPECT_EQ(Scan(md, *md.CurrentSchema(), {train, test, has_split, null_split}),
            (std::vector<Row>{{"0", "n0", "train"},
                              {"1", "n1", "train"},
                              {"2", "n2", "train"},
                              {"10", "m", "te'st"},
                              {"11", "m", "te'st"},
                              {"20", "z", "own"},
                              {"30", "w", std::nullopt}}));
  EXPECT_EQ(Scan(md, *md.CurrentSchema(), {train, test}, {"split", "id"}),
            (std::vector<Row>{
                {"te'st", "10"}, {"te'st", "11"}, {"train", "0"}, {"train", "1"}, {"train", "2"}}));
}

// Every type read three ways gives the same rows: a plain read_parquet (the file matches the
// schema), DuckDB's schema parameter (a column renamed), and UNION ALL of groups (a column added
// after some files).
TEST_F(ScanTest, EveryTypeReadsTheSameInEveryMode) {
  auto md = MakeTable(
      "id long not null, b boolean, i int, f float, d double, dec decimal(38,10), day date, "
      "t time, ts timestamp, tz timestamptz, s string, u uuid, bin binary, "
      "l list<struct<a: int, b: string>>, m map<string, list<long>>, "
      "st struct<x: int, inner: struct<y: string>>");
  auto files = WriteDataFiles(
      *con_, io_, md,
      InsertSource::Values(
          "(1, true, -5, 1.5, -2.25, 12345678901234567890.0123456789, DATE '1969-07-20', "
          "TIME '23:59:59.999999', TIMESTAMP '1900-01-01 00:00:00.000001', "
          "TIMESTAMPTZ '2262-04-11 23:47:16+00', 'héllo', 'f79c3e09-677c-4bbd-a479-3f349cb785e7', "
          "'\\x00\\xFF'::BLOB, [{'a': 1, 'b': 'x'}, NULL], MAP {'k': [1, NULL]}, "
          "{'x': 7, 'inner': {'y': 'deep'}}), "
          "(2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
          "NULL)"));
  ASSERT_OK(files);
  auto plain_sql = ScanRelationSql(io_, md, *md.CurrentSchema(), *files, {});
  ASSERT_OK(plain_sql);
  EXPECT_TRUE(StartsWith(*plain_sql, "read_parquet(")) << *plain_sql;
  EXPECT_EQ(plain_sql->find("schema ="), std::string::npos) << *plain_sql;
  std::vector<std::string> types;
  auto plain = Scan(md, *md.CurrentSchema(), *files, {}, &types);
  ASSERT_EQ(plain.size(), 2u);
  EXPECT_EQ(plain[0],
            (Row{"1", "true", "-5", "1.5", "-2.25", "12345678901234567890.0123456789", "1969-07-20",
                 "23:59:59.999999", "1900-01-01 00:00:00.000001", "2262-04-11 23:47:16+00", "héllo",
                 "f79c3e09-677c-4bbd-a479-3f349cb785e7", "\\x00\\xFF", "[{'a': 1, 'b': x}, NULL]",
                 "{k=[1, NULL]}", "{'x': 7, 'inner': {'y': deep}}"}));

  std::vector<NestedField> fields = md.CurrentSchema()->fields();
  fields[1].name = "flag";
  auto renamed = MakeSchema(1, fields);
  auto schema_sql = ScanRelationSql(io_, md, *renamed, *files, {});
  ASSERT_OK(schema_sql);
  EXPECT_NE(schema_sql->find("schema = MAP"), std::string::npos) << *schema_sql;
  std::vector<std::string> renamed_types;
  EXPECT_EQ(Scan(md, *renamed, *files, {}, &renamed_types), plain);
  EXPECT_EQ(renamed_types, types);

  fields.push_back({100, "later", false, Type::String()});
  auto added = MakeSchema(2, fields);
  DataFile later =
      WriteFile("later.parquet", "SELECT 3::BIGINT AS id, 'new' AS later", "{id: 1, later: 100}");
  std::vector<DataFile> all = *files;
  all.push_back(later);
  auto rows = Scan(md, *added, all);
  ASSERT_EQ(rows.size(), 3u);
  for (size_t r = 0; r < 2; ++r) {
    Row expected = plain[r];
    expected.push_back(std::nullopt);
    EXPECT_EQ(rows[r], expected);
  }
  Row third(fields.size(), std::nullopt);
  third[0] = "3";
  third.back() = "new";
  EXPECT_EQ(rows[2], third);
}

// Partition values of every identity type fill columns missing from a file exactly.
TEST_F(ScanTest, IdentityFillsOfEveryType) {
  auto md = MakeTable(
      "id long, b boolean, i int, f float, d double, dec decimal(9,2), day date, t time, "
      "ts timestamp, tz timestamptz, s string, u uuid, bin binary",
      "b, i, f, d, dec, day, t, ts, tz, s, u, bin");
  iceberg::PartitionValues tuple = {
      Value(true),
      Value(int32_t{-7}),
      Value(0.1f),
      Value(-1e300),
      Value(iceberg::Decimal128{-1420}),
      Value(int32_t{-1}),
      Value(int64_t{45296000001}),
      Value(int64_t{-1}),
      Value(int64_t{1769860800123456}),
      Value(std::string("it's \"q\"")),
      Value(std::string("\xf7\x9c\x3e\x09\x67\x7c\x4b\xbd\xa4\x79\x3f\x34\x9c\xb7\x85\xe7", 16)),
      Value(std::string("\x00\x27\\", 3)),
  };
  DataFile file = WriteFile("only_id.parquet", "SELECT 1::BIGINT AS id", "{id: 1}", tuple);
  EXPECT_EQ(Scan(md, *md.CurrentSchema(), {file}),
            (std::vector<Row>{{"1", "true", "-7", "0.1", "-1e+300", "-14.20", "1969-12-31",
                               "12:34:56.000001", "1969-12-31 23:59:59.999999",
                               "2026-01-31 12:00:00.123456+00", "it's \"q\"",
                               "f79c3e09-677c-4bbd-a479-3f349cb785e7", "\\x00\\x27\\x5C"}}));
}

TEST_F(ScanTest, ReportsUnreadableFiles) {
  auto md = MakeTable("id long");
  DataFile missing;
  missing.file_path = dir_.Join("missing.parquet");
  EXPECT_ERROR(ScanRelationSql(io_, md, *md.CurrentSchema(), {missing}, {}), ErrorCode::kNotFound,
               "missing.parquet");
  DataFile garbage;
  garbage.file_path = WriteText("garbage.parquet", "this is not parquet at all");
  EXPECT_ERROR(ScanRelationSql(io_, md, *md.CurrentSchema(), {garbage}, {}), ErrorCode::kCorrupt,
               "garbage.parquet");
}

}  // namespace
}  // namespace faceberg::engine
