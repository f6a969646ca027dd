#include "engine/output.h"

#include <fstream>
#include <sstream>

#include "engine_test_util.h"
#include "util/strings.h"

namespace faceberg::engine {
namespace {

class OutputTest : public EngineTest {
 protected:
  std::string Print(const std::string& sql, OutputOptions options) {
    std::ostringstream out;
    options.out = &out;
    Status st = WriteQueryResult(*con_, sql, options);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out.str();
  }
  std::string Print(const std::string& sql, OutputFormat format) {
    OutputOptions options;
    options.format = format;
    return Print(sql, options);
  }
  std::string ReadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
};

constexpr char kSample[] =
    "SELECT * FROM (VALUES (1, 'apple', 1.50::DECIMAL(9,2), [1, 2]), "
    "(22, NULL, NULL, []), (3, 'a, \"quoted\"\nline', -0.25, NULL)) t(id, name, price, tags)";

TEST_F(OutputTest, TableAlignsAndCountsRows) {
  EXPECT_EQ(Print(kSample, OutputFormat::kTable),
            "id | name              | price | tags\n"
            "---+-------------------+-------+-------\n"
            " 1 | apple             |  1.50 | [1, 2]\n"
            "22 | NULL              |  NULL | []\n"
            " 3 | a, \"quoted\"\\nline | -0.25 | NULL\n"
            "(3 rows)\n");
}

TEST_F(OutputTest, TableCutsWideValues) {
  OutputOptions options;
  options.max_column_width = 8;
  EXPECT_EQ(Print("SELECT 'abcdefghijklmnop' AS s, 'héllo wörld' AS t", options),
            "s        | t\n"
            "---------+---------\n"
            "abcdefg… | héllo w…\n"
            "(1 row)\n");
  // Widths come from the first rows; later, wider values are cut to fit.
  options.max_column_width = 0;
  options.width_sample_rows = 1;
  EXPECT_EQ(Print("SELECT * FROM (VALUES ('ab'), ('abcdef')) t(x)", options),
            "x\n"
            "--\n"
            "ab\n"
            "a…\n"
            "(2 rows)\n");
}

TEST_F(OutputTest, CsvQuotesOnlyWhenNeeded) {
  EXPECT_EQ(Print(kSample, OutputFormat::kCsv),
            "id,name,price,tags\n"
            "1,apple,1.50,\"[1, 2]\"\n"
            "22,,,[]\n"
            "3,\"a, \"\"quoted\"\"\nline\",-0.25,\n");
  EXPECT_EQ(Print("SELECT '' AS e, NULL AS n, ' x' AS s", OutputFormat::kCsv),
            "e,n,s\n\"\",,\" x\"\n");
}

TEST_F(OutputTest, JsonIsOneObjectPerRow) {
  EXPECT_EQ(Print(kSample, OutputFormat::kJson),
            "{\"id\":1,\"name\":\"apple\",\"price\":1.5,\"tags\":[1,2]}\n"
            "{\"id\":22,\"name\":null,\"price\":null,\"tags\":[]}\n"
            "{\"id\":3,\"name\":\"a, \\\"quoted\\\"\\nline\",\"price\":-0.25,\"tags\":null}\n");
  // Statements that cannot be nested in a query still print.
  ASSERT_OK(con_->Execute("CREATE TABLE t (a INTEGER, b VARCHAR)"));
  std::string described = Print("DESCRIBE t", OutputFormat::kJson);
  EXPECT_NE(described.find("{\"column_name\":\"a\",\"column_type\":\"INTEGER\""), std::string::npos)
      << described;
}

TEST_F(OutputTest, LimitStopsEarly) {
  OutputOptions options;
  options.format = OutputFormat::kCsv;
  options.limit = 3;
  EXPECT_EQ(Print("SELECT range AS i FROM range(1000000000000)", options), "i\n0\n1\n2\n");
  options.limit = 0;
  EXPECT_EQ(Print("SELECT range AS i FROM range(10)", options), "i\n");
  options.format = OutputFormat::kTable;
  options.limit = 2;
  EXPECT_EQ(Print("SELECT range AS i FROM range(10)", options), "i\n-\n0\n1\n(2 rows)\n");
}

TEST_F(OutputTest, StreamsLargeResults) {
  OutputOptions options;
  options.format = OutputFormat::kCsv;
  std::string out = Print("SELECT range AS i FROM range(300000)", options);
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 300001);
  EXPECT_TRUE(EndsWith(out, "\n299999\n"));
}

TEST_F(OutputTest, WritesFilesWhole) {
  OutputOptions options;
  options.format = OutputFormat::kCsv;
  options.output_path = dir_.Join("out.csv");
  ASSERT_OK(WriteQueryResult(*con_, kSample, options));
  EXPECT_TRUE(StartsWith(ReadFile(options.output_path), "id,name,price,tags\n1,apple,"));

  options.format = OutputFormat::kJson;
  options.output_path = dir_.Join("out.json");
  options.limit = 1;
  ASSERT_OK(WriteQueryResult(*con_, kSample, options));
  EXPECT_EQ(ReadFile(options.output_path),
            "{\"id\":1,\"name\":\"apple\",\"price\":1.5,\"tags\":[1,2]}\n");

  options.format = OutputFormat::kParquet;
  options.output_path = dir_.Join("out.parquet");
  options.limit = 2;
  ASSERT_OK(WriteQueryResult(*con_, std::string(kSample) + ";", options));
  EXPECT_EQ(Rows("SELECT id, name FROM '" + options.output_path + "' ORDER BY id"),
            (std::vector<Row>{{"1", "apple"}, {"22", std::nullopt}}));

  // A failing query leaves no file behind.
  options.format = OutputFormat::kCsv;
  options.output_path = dir_.Join("failed.csv");
  options.limit.reset();
  EXPECT_ERROR(WriteQueryResult(*con_,
                                "SELECT CASE WHEN range = 250000 THEN error('bad row') ELSE range "
                                "END AS i FROM range(300000)",
                                options),
               ErrorCode::kInvalidArgument, "bad row");
  options.format = OutputFormat::kParquet;
  options.output_path = dir_.Join("failed.parquet");
  EXPECT_ERROR(WriteQueryResult(*con_, "SELECT nope", options), ErrorCode::kInvalidArgument,
               "nope");
  EXPECT_EQ(FilesUnder(dir_.path().string()),
            (std::vector<std::string>{dir_.Join("out.csv"), dir_.Join("out.json"),
                                      dir_.Join("out.parquet")}));
}

TEST_F(OutputTest, OptionErrors) {
  OutputOptions options;
  options.format = OutputFormat::kParquet;
  EXPECT_ERROR(WriteQueryResult(*con_, "SELECT 1", options), ErrorCode::kInvalidArgument,
               "parquet output needs an output file");
  EXPECT_ERROR(ParseOutputFormat("xml"), ErrorCode::kInvalidArgument, "table, csv, json");
  ASSERT_OK_AND_ASSIGN(OutputFormat f, ParseOutputFormat("NDJSON"));
  EXPECT_EQ(f, OutputFormat::kJson);
  std::ostringstream out;
  options.format = OutputFormat::kTable;
  options.out = &out;
  EXPECT_ERROR(WriteQueryResult(*con_, "SELECT * FROM nowhere", options),
               ErrorCode::kInvalidArgument, "Catalog Error");
}

}  // namespace
}  // namespace faceberg::engine
