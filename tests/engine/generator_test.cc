// The data generator: planning, the schema language, the files and values it writes.
// (That the README maps back through discovery is tested in tests/bridge/generated_dataset_test.)
#include "engine/generator.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <set>

#include "engine/database.h"
#include "test_util.h"

namespace faceberg::engine {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

class GeneratorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, Database::Open());
    ASSERT_OK_AND_ASSIGN(con_, Connection::Open(*db_));
  }

  GenerateOptions Options(const std::string& name) {
    GenerateOptions options;
    options.dir = tmp_.Join(name);
    options.rows = 1000;
    return options;
  }

  // One text value of the query.
  std::string Scalar(const std::string& sql) {
    auto result = con_->Query(sql);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    if (!result.ok() || result->rows.empty() || !result->rows[0][0]) return "<none>";
    return *result->rows[0][0];
  }

  std::string Glob(const GenerateOptions& options, const std::string& pattern) {
    return "'" + options.dir + "/" + pattern + "'";
  }

  TempDir tmp_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<Connection> con_;
};

TEST_F(GeneratorTest, WritesShardedSplitsOfTheDefaultConfig) {
  GenerateOptions options = Options("ds");
  options.splits = {"train", "test", "validation"};
  options.split_weights = {8, 1, 1};
  options.shards = 2;
  ASSERT_OK_AND_ASSIGN(GenerateResult result, Generate(options));
  ASSERT_EQ(result.configs.size(), 1u);
  EXPECT_EQ(result.configs[0].name, "default");
  ASSERT_EQ(result.configs[0].splits.size(), 3u);
  EXPECT_EQ(result.configs[0].splits[0].rows, 800u);
  EXPECT_EQ(result.configs[0].splits[1].rows, 100u);
  EXPECT_EQ(result.configs[0].splits[2].rows, 100u);
  EXPECT_EQ(result.rows, 1000u);
  for (const char* name :
       {"train-00000-of-00002.parquet", "train-00001-of-00002.parquet",
        "test-00000-of-00002.parquet", "test-00001-of-00002.parquet",
        "validation-00000-of-00002.parquet", "validation-00001-of-00002.parquet"}) {
    EXPECT_TRUE(fs::exists(fs::path(options.dir) / "data" / name)) << name;
  }
  EXPECT_TRUE(fs::exists(fs::path(options.dir) / "README.md"));
  // Only the shards and the README: no temp files left behind.
  int entries = 0;
  for (const auto& e : fs::recursive_directory_iterator(options.dir))
    entries += e.is_regular_file();
  EXPECT_EQ(entries, 7);
  EXPECT_EQ(Scalar("SELECT count(*) FROM read_parquet(" + Glob(options, "data/train-*") + ")"),
            "800");
  EXPECT_EQ(Scalar("SELECT count(*) FROM read_parquet(" + Glob(options, "data/test-*") + ")"),
            "100");
  // Ids are the row index within the config, in split then shard order.
  EXPECT_EQ(Scalar("SELECT min(id) || '-' || max(id) FROM read_parquet(" +
                   Glob(options, "data/test-*") + ")"),
            "800-899");
  EXPECT_EQ(Scalar("SELECT count(DISTINCT id) FROM read_parquet(" + Glob(options, "data/*") + ")"),
            "1000");
  uint64_t bytes = 0;
  for (const auto& split : result.configs[0].splits) {
    for (const auto& file : split.files) {
      EXPECT_EQ(file.bytes, fs::file_size(fs::path(options.dir) / file.path));
      bytes += file.bytes;
    }
  }
  EXPECT_EQ(result.bytes, bytes);
}

TEST_F(GeneratorTest, NamedConfigsGetTheirOwnFoldersAndValues) {
  GenerateOptions options = Options("multi");
  options.configs = {"en", "fr"};
  options.rows = 50;
  ASSERT_OK_AND_ASSIGN(GenerateResult result, Generate(options));
  ASSERT_EQ(result.configs.size(), 2u);
  EXPECT_EQ(result.rows, 100u);
  EXPECT_TRUE(fs::exists(fs::path(options.dir) / "en/train-00000-of-00001.parquet"));
  EXPECT_TRUE(fs::exists(fs::path(options.dir) / "fr/train-00000-of-00001.parquet"));
  EXPECT_FALSE(fs::exists(fs::path(options.dir) / "data"));
  EXPECT_EQ(Scalar("SELECT count(*) FROM read_parquet(" + Glob(options, "fr/*.parquet") + ")"),
            "50");
  EXPECT_NE(Scalar("SELECT list(score ORDER BY id)::VARCHAR FROM read_parquet(" +
                   Glob(options, "en/*.parquet") + ")"),
            Scalar("SELECT list(score ORDER BY id)::VARCHAR FROM read_parquet(" +
                   Glob(options, "fr/*.parquet") + ")"));
}

TEST_F(GeneratorTest, SameSeedSameValuesWhateverTheThreads) {
  GenerateOptions a = Options("a");
  a.seed = 7;
  a.threads = 1;
  a.shards = 3;
  GenerateOptions b = Options("b");
  b.seed = 7;
  b.threads = 2;
  b.shards = 1;
  GenerateOptions c = Options("c");
  c.seed = 8;
  ASSERT_OK(Generate(a).status());
  ASSERT_OK(Generate(b).status());
  ASSERT_OK(Generate(c).status());
  auto digest = [&](const GenerateOptions& o) {
    return Scalar("SELECT sum(hash(t::VARCHAR)) FROM read_parquet(" + Glob(o, "data/*") + ") AS t");
  };
  EXPECT_EQ(digest(a), digest(b));
  EXPECT_NE(digest(a), digest(c));
  // The README's SQL is the data: selecting it gives the same rows as the files.
  ASSERT_OK_AND_ASSIGN(GenerateResult plan, PlanGenerate(a));
  EXPECT_EQ(Scalar("SELECT sum(hash(t::VARCHAR)) FROM (" + plan.configs[0].sql + ") AS t"),
            digest(a));
}

TEST_F(GeneratorTest, EveryColumnKindHasItsTypeAndRange) {
  GenerateOptions options = Options("kinds");
  options.rows = 2000;
  options.schema =
      "id:id, t:text(5..12), l:label(3), n:label(a|b), d:double(-2..2), f:float, "
      "e:embedding(4), ts:timestamp(2021-01-01..2021-02-01), "
      "s:struct(x:double, inner:struct(y:label(9)))";
  ASSERT_OK(Generate(options).status());
  const std::string from = " FROM read_parquet(" + Glob(options, "data/*") + ")";
  auto types = con_->Query("DESCRIBE SELECT *" + from);
  ASSERT_OK(types.status());
  std::vector<std::string> got;
  for (const auto& row : types->rows) got.push_back(*row[0] + " " + *row[1]);
  EXPECT_EQ(
      got, (std::vector<std::string>{"id BIGINT", "t VARCHAR", "l INTEGER", "n INTEGER", "d DOUBLE",
                                     "f FLOAT", "e FLOAT[]", "ts TIMESTAMP WITH TIME ZONE",
                                     "s STRUCT(x DOUBLE, \"inner\" STRUCT(y INTEGER))"}));
  EXPECT_EQ(Scalar("SELECT min(length(t)) || '-' || max(length(t))" + from), "5-12");
  EXPECT_EQ(Scalar("SELECT count(DISTINCT l) || ' ' || min(l) || '-' || max(l)" + from), "3 0-2");
  EXPECT_EQ(Scalar("SELECT count(DISTINCT n)" + from), "2");
  EXPECT_EQ(Scalar("SELECT min(d) >= -2 AND max(d) < 2 AND min(d) < -1.9" + from), "true");
  EXPECT_EQ(Scalar("SELECT min(f) >= 0 AND max(f) <= 1" + from), "true");
  EXPECT_EQ(Scalar("SELECT min(len(e)) || '-' || max(len(e))" + from), "4-4");
  EXPECT_EQ(Scalar("SELECT min(list_min(e)) >= -1 AND max(list_max(e)) < 1" + from), "true");
  EXPECT_EQ(Scalar("SELECT min(ts) >= '2021-01-01'::TIMESTAMPTZ AND max(ts) < "
                   "'2021-02-01'::TIMESTAMPTZ" +
                   from),
            "true");
  EXPECT_EQ(Scalar("SELECT max(s.inner.y) = 8 AND min(s.x) >= 0" + from), "true");
  // Text is words of the vocabulary (the ends may be cut).
  EXPECT_EQ(Scalar("SELECT count(*) FILTER (WHERE t NOT SIMILAR TO '[a-z ]+')" + from), "0");
}

TEST_F(GeneratorTest, NullRatesAreRoughlyRight) {
  GenerateOptions options = Options("nulls");
  options.rows = 20000;
  options.schema = "id:id, a:double?0.1, b:text(1..3)?0.5, c:label(2)?1, d:float?0";
  ASSERT_OK(Generate(options).status());
  const std::string from = " FROM read_parquet(" + Glob(options, "data/*") + ")";
  auto rates = con_->Query(
      "SELECT avg((a IS NULL)::INT), avg((b IS NULL)::INT), "
      "avg((c IS NULL)::INT), avg((d IS NULL)::INT)" +
      from);
  ASSERT_OK(rates.status());
  EXPECT_NEAR(std::stod(*rates->rows[0][0]), 0.1, 0.01);
  EXPECT_NEAR(std::stod(*rates->rows[0][1]), 0.5, 0.02);
  EXPECT_EQ(std::stod(*rates->rows[0][2]), 1.0);
  EXPECT_EQ(std::stod(*rates->rows[0][3]), 0.0);
}

TEST_F(GeneratorTest, DefaultSchemaHasEveryKind) {
  ASSERT_OK_AND_ASSIGN(auto columns, ParseGeneratorSchema(DefaultGeneratorSchema()));
  std::set<GeneratedKind> kinds;
  bool nulls = false;
  std::function<void(const std::vector<GeneratedColumn>&)> visit = [&](const auto& cols) {
    for (const auto& c : cols) {
      kinds.insert(c.kind);
      nulls = nulls || c.null_rate > 0;
      visit(c.fields);
    }
  };
  visit(columns);
  EXPECT_EQ(kinds.size(), 8u);
  EXPECT_TRUE(nulls);
}

TEST_F(GeneratorTest, RefusesANonEmptyFolderUnlessOverwrite) {
  GenerateOptions options = Options("again");
  options.shards = 4;
  ASSERT_OK(Generate(options).status());
  std::ofstream(fs::path(options.dir) / "notes.txt") << "keep me";
  EXPECT_ERROR(Generate(options).status(), ErrorCode::kAlreadyExists, "--overwrite");
  options.overwrite = true;
  options.shards = 2;
  ASSERT_OK(Generate(options).status());
  // The old 4-shard files are gone, other files are kept.
  EXPECT_FALSE(fs::exists(fs::path(options.dir) / "data/train-00003-of-00004.parquet"));
  EXPECT_TRUE(fs::exists(fs::path(options.dir) / "data/train-00001-of-00002.parquet"));
  EXPECT_TRUE(fs::exists(fs::path(options.dir) / "notes.txt"));
  EXPECT_EQ(Scalar("SELECT count(*) FROM read_parquet(" + Glob(options, "data/*.parquet") + ")"),
            "1000");
}

TEST_F(GeneratorTest, CompressionAndRowGroupSizeReachTheFiles) {
  GenerateOptions options = Options("opts");
  options.compression = "snappy";
  // DuckDB rounds row groups up to whole vectors of 2048 rows.
  options.rows = 5000;
  options.row_group_size = 2048;
  options.schema = "id:id";
  ASSERT_OK(Generate(options).status());
  const std::string meta =
      " FROM parquet_metadata(" + Glob(options, "data/train-00000-of-00001.parquet") + ")";
  EXPECT_EQ(Scalar("SELECT count(DISTINCT row_group_id)" + meta), "3");
  EXPECT_EQ(Scalar("SELECT any_value(compression)" + meta), "SNAPPY");
}

TEST_F(GeneratorTest, BadOptionsAreOneLineInvalidArguments) {
  auto expect_bad = [&](GenerateOptions options, const std::string& fragment) {
    Status status = PlanGenerate(options).status();
    EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument) << fragment;
    EXPECT_NE(status.message().find(fragment), std::string::npos) << status.message();
    EXPECT_EQ(status.message().find('\n'), std::string::npos) << status.message();
  };
  GenerateOptions base = Options("bad");
  GenerateOptions o = base;
  o.rows = 0;
  expect_bad(o, "--rows");
  o = base;
  o.split_weights = {1, 2};
  expect_bad(o, "one weight per split");
  o = base;
  o.splits = {"train", "train"};
  expect_bad(o, "given twice");
  o = base;
  o.splits = {"tr-ain"};
  expect_bad(o, "split name 'tr-ain'");
  o = base;
  o.configs = {"a/b"};
  expect_bad(o, "config name");
  o = base;
  o.shards = 0;
  expect_bad(o, "--shards");
  o = base;
  o.rows = 3;
  o.shards = 4;
  expect_bad(o, "fewer than --shards");
  o = base;
  o.compression = "lz5";
  expect_bad(o, "--compression");
  o = base;
  o.row_group_size = 0;
  expect_bad(o, "--row-group-size");
  for (auto [schema, fragment] : std::vector<std::pair<std::string, std::string>>{
           {"x", "has no kind"},
           {"x:blob", "unknown kind 'blob'"},
           {"x:text(9..3)", "MIN..MAX"},
           {"x:text(1..999999)", "MIN..MAX"},
           {"x:label(0)", "label needs"},
           {"x:label(a|a)", "repeated"},
           {"x:embedding(0)", "width"},
           {"x:double(3..1)", "LOW..HIGH"},
           {"x:timestamp(2025..2020-01-01)", "FROM..TO"},
           {"x:double?2", "null rate"},
           {"x:id, X:id", "repeated"},
           {"x:struct()", "struct needs fields"},
           {"x:id,,y:id", "empty column"},
           {"bad name:id", "name 'bad name'"}}) {
    o = base;
    o.schema = schema;
    expect_bad(o, fragment);
  }
}

}  // namespace
}  // namespace faceberg::engine
