// faceberg.yml: good files, every error kind with its exact line, the round trip through
// DumpBridgeConfig, loading through FileIO, and hostile inputs.
#include "bridge/config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "test_util.h"

namespace faceberg::bridge {
namespace {

using testing::TempDir;

constexpr char kFull[] = R"(# faceberg.yml
catalog:
  name: my_catalog
  location: .faceberg/
datasets:
  - name: dataset1
    repo: owner/dataset1
    configs: [config1, config2]
    revision: v1.0
    namespace: hf
  - name: imdb
    repo: stanfordnlp/imdb
    table: movie_reviews
    configs:
      - plain_text
)";

TEST(BridgeConfigTest, ParsesEveryField) {
  ASSERT_OK_AND_ASSIGN(BridgeConfig config, ParseBridgeConfig(kFull, "faceberg.yml"));
  EXPECT_EQ(config.file, "faceberg.yml");
  EXPECT_EQ(config.catalog_name, "my_catalog");
  EXPECT_EQ(config.catalog_location, ".faceberg/");
  ASSERT_EQ(config.datasets.size(), 2u);
  const DatasetEntry& first = config.datasets[0];
  EXPECT_EQ(first.name, "dataset1");
  EXPECT_EQ(first.repo, "owner/dataset1");
  EXPECT_EQ(first.configs, (std::vector<std::string>{"config1", "config2"}));
  EXPECT_EQ(first.revision, "v1.0");
  EXPECT_EQ(first.ns, "hf");
  EXPECT_FALSE(first.table.has_value());
  EXPECT_EQ(first.line, 6);
  const DatasetEntry& second = config.datasets[1];
  EXPECT_EQ(second.name, "imdb");
  EXPECT_EQ(second.table, "movie_reviews");
  EXPECT_EQ(second.configs, (std::vector<std::string>{"plain_text"}));
  EXPECT_EQ(second.line, 11);
}

TEST(BridgeConfigTest, DefaultsWhenKeysAreAbsent) {
  ASSERT_OK_AND_ASSIGN(BridgeConfig config,
                       ParseBridgeConfig("datasets:\n  - name: a\n    repo: o/a\n", "f.yml"));
  EXPECT_EQ(config.catalog_name, "faceberg");
  EXPECT_EQ(config.catalog_location, "");
  ASSERT_EQ(config.datasets.size(), 1u);
  EXPECT_EQ(config.datasets[0].revision, "main");
  EXPECT_EQ(config.datasets[0].ns, "default");
  EXPECT_TRUE(config.datasets[0].configs.empty());
  EXPECT_FALSE(config.datasets[0].table.has_value());
  // One config and a table name; all configs and a table name (checked later against the
  // dataset, which may have one config).
  EXPECT_OK(ParseBridgeConfig("datasets:\n- {name: a, repo: o/a, configs: [x], table: t}\n", "f"));
  EXPECT_OK(ParseBridgeConfig("datasets:\n- {name: a, repo: o/a, table: t}\n", "f"));
}

TEST(BridgeConfigTest, EmptyFilesAndEmptySections) {
  for (const char* text :
       {"", "# only a comment\n", "catalog:\ndatasets:\n", "---\n", "a: 1\n---\n"}) {
    auto config = ParseBridgeConfig(text, "f.yml");
    if (std::string_view(text) == "a: 1\n---\n") {
      EXPECT_ERROR(config, ErrorCode::kInvalidArgument, "unknown key 'a'");
      continue;
    }
    ASSERT_OK(config);
    EXPECT_TRUE(config->datasets.empty()) << text;
    EXPECT_EQ(config->catalog_name, "faceberg");
  }
}

struct ErrorCase {
  const char* text;
  const char* expected;  // the whole message must contain this, which starts with "f.yml:LINE:"
};

TEST(BridgeConfigTest, ErrorsNameTheFileLineAndProblem) {
  const ErrorCase cases[] = {
      // Bad YAML, with the parser's line.
      {"catalog:\n  name: x\ndatasets: [a, b\nfoo: 1\n", "f.yml:4: invalid YAML"},
      {"datasets:\n  - name: a\n\trepo: o/a\n", "f.yml:3: invalid YAML"},
      // The top level.
      {"- a\n- b\n", "f.yml:1: the top level must be a mapping with the keys catalog, datasets"},
      {"just text\n", "f.yml:1: the top level must be a mapping"},
      // Unknown keys at every level, naming the key and the allowed ones.
      {"catalog:\n  name: x\ndatsets: []\n",
       "f.yml:3: unknown key 'datsets' in the top level; allowed keys: catalog, datasets"},
      {"catalog:\n  name: x\n  uri: y\n",
       "f.yml:3: unknown key 'uri' in 'catalog'; allowed keys: name, location"},
      {"datasets:\n  - name: a\n    repo: o/a\n    config: [x]\n",
       "f.yml:4: unknown key 'config' in the dataset entry at line 2; allowed keys: name, repo, "
       "configs, revision, namespace, table"},
      {"catalog:\n  name: x\ncatalog:\n  name: y\n",
       "f.yml:3: key 'catalog' appears twice in the top level (first at line 1)"},
      // Wrong types.
      {"datasets:\n  - name: a\n    repo: o/a\n    configs: 5\n",
       "f.yml:4: 'configs' in the dataset entry at line 2 must be a list of config names"},
      {"datasets:\n  - name: a\n    repo: o/a\n    configs: [x, [y]]\n",
       "f.yml:4: 'configs' in the dataset entry at line 2 must list config names"},
      {"datasets: imdb\n", "f.yml:1: 'datasets' must be a list of dataset entries, not a string"},
      {"datasets:\n  name: a\n",
       "f.yml:1: 'datasets' must be a list of dataset entries, not a "
       "mapping"},
      {"datasets:\n  - a\n", "f.yml:2: each item of 'datasets' must be a mapping"},
      {"catalog: [a]\n", "f.yml:1: 'catalog' must be a mapping"},
      {"catalog:\n  name: [a]\n", "f.yml:2: 'name' in 'catalog' must be a string, not a list"},
      {"datasets:\n  - name: a\n    repo: {owner: o}\n",
       "f.yml:3: 'repo' in the dataset entry at line 2 must be a string, not a mapping"},
      // Missing name or repo.
      {"datasets:\n  - repo: o/a\n", "f.yml:2: the dataset entry has no 'name'"},
      {"datasets:\n  - name: a\n  - name: b\n    revision: main\n",
       "f.yml:2: dataset 'a' has no 'repo'; add repo: OWNER/NAME"},
      // Repo not OWNER/NAME.
      {"datasets:\n  - name: a\n    repo: imdb\n", "f.yml:3: repo 'imdb' is not OWNER/NAME"},
      {"datasets:\n  - name: a\n    repo: a/b/c\n", "f.yml:3: repo 'a/b/c' is not OWNER/NAME"},
      {"datasets:\n  - name: a\n    repo: o/my data\n", "f.yml:3: repo 'o/my data' is not"},
      {"datasets:\n  - name: a\n    repo: ../x\n", "f.yml:3: repo '../x' is not"},
      {"datasets:\n  - name: a\n    repo: /x\n", "f.yml:3: repo '/x' is not"},
      // Duplicate dataset names.
      {"datasets:\n  - name: a\n    repo: o/a\n  - name: b\n    repo: o/b\n  - name: a\n    "
       "repo: o/c\n",
       "f.yml:6: dataset name 'a' is already used at line 2"},
      // Empty strings and missing values.
      {"datasets:\n  - name: \"\"\n    repo: o/a\n",
       "f.yml:2: 'name' in the dataset entry at line 2 is an empty string"},
      {"datasets:\n  - name:\n    repo: o/a\n",
       "f.yml:2: 'name' in the dataset entry at line 2 has no value"},
      {"catalog:\n  location: '  '\n", "f.yml:2: 'location' in 'catalog' is an empty string"},
      {"datasets:\n  - name: a\n    repo: o/a\n    configs: []\n",
       "f.yml:4: 'configs' in the dataset entry at line 2 is an empty list"},
      {"datasets:\n  - name: a\n    repo: o/a\n    configs: [x, '']\n",
       "f.yml:4: 'configs' in the dataset entry at line 2 must list config names (non-empty "
       "strings), found an empty string"},
      {"datasets:\n  - name: a\n    repo: o/a\n    configs:\n      - x\n      - x\n",
       "f.yml:6: config 'x' is listed twice"},
      // table with several configs.
      {"datasets:\n  - name: a\n    repo: o/a\n    configs: [x, y]\n    table: t\n",
       "f.yml:5: dataset 'a' sets 'table' but maps 2 configs"},
      // Several documents.
      {"datasets: []\n---\ncatalog:\n  name: x\n", "f.yml:3: the file holds more than one YAML"},
  };
  for (const ErrorCase& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_ERROR(ParseBridgeConfig(c.text, "f.yml"), ErrorCode::kInvalidArgument, c.expected);
  }
}

BridgeConfig Parsed(const std::string& text) {
  auto result = ParseBridgeConfig(text, "f.yml");
  EXPECT_TRUE(result.ok()) << result.status().ToString() << "\n" << text;
  return result.ok() ? *result : BridgeConfig();
}

void ExpectSameConfig(const BridgeConfig& a, const BridgeConfig& b) {
  EXPECT_EQ(a.catalog_name, b.catalog_name);
  EXPECT_EQ(a.catalog_location, b.catalog_location);
  ASSERT_EQ(a.datasets.size(), b.datasets.size());
  for (size_t i = 0; i < a.datasets.size(); ++i) {
    EXPECT_EQ(a.datasets[i].name, b.datasets[i].name);
    EXPECT_EQ(a.datasets[i].repo, b.datasets[i].repo);
    EXPECT_EQ(a.datasets[i].configs, b.datasets[i].configs);
    EXPECT_EQ(a.datasets[i].revision, b.datasets[i].revision);
    EXPECT_EQ(a.datasets[i].ns, b.datasets[i].ns);
    EXPECT_EQ(a.datasets[i].table, b.datasets[i].table);
  }
}

TEST(BridgeConfigTest, DumpRoundTrips) {
  BridgeConfig parsed = Parsed(kFull);
  std::string dumped = DumpBridgeConfig(parsed);
  ExpectSameConfig(Parsed(dumped), parsed);

  // Strings a YAML reader would turn into booleans, nulls or numbers, and YAML syntax inside
  // values, come back as the same strings.
  BridgeConfig tricky;
  tricky.catalog_name = "yes";
  tricky.catalog_location = "hf://datasets/o/catalog # not a comment";
  DatasetEntry entry;
  entry.name = "null";
  entry.repo = "o.o/n-n_1";
  entry.configs = {"0123", "true", "a: b", "[x]", "20231101.en", "-x", "~"};
  entry.revision = "refs/pr/1";
  entry.ns = "on";
  tricky.datasets.push_back(entry);
  DatasetEntry plain;
  plain.name = "plain";
  plain.repo = "o/plain";
  plain.configs = {"only"};
  plain.table = "1e3";
  tricky.datasets.push_back(plain);
  std::string text = DumpBridgeConfig(tricky);
  ExpectSameConfig(Parsed(text), tricky);
  // Defaults are left out.
  EXPECT_EQ(text.find("revision: main"), std::string::npos) << text;
  EXPECT_EQ(text.find("namespace: default"), std::string::npos) << text;

  // An empty config too.
  ExpectSameConfig(Parsed(DumpBridgeConfig(BridgeConfig())), BridgeConfig());
}

TEST(BridgeConfigTest, LoadReadsThroughFileIO) {
  TempDir dir;
  io::LocalFileIO io;
  std::string path = dir.Join("faceberg.yml");
  EXPECT_ERROR(LoadBridgeConfig(io, path), ErrorCode::kNotFound,
               "create faceberg.yml or pass --config");
  ASSERT_OK(io.WriteFile(path, kFull, io::WriteMode::kOverwrite));
  ASSERT_OK_AND_ASSIGN(BridgeConfig config, LoadBridgeConfig(io, path));
  EXPECT_EQ(config.file, path);
  EXPECT_EQ(config.datasets.size(), 2u);
  ASSERT_OK(io.WriteFile(path, "datasets:\n  - name: a\n", io::WriteMode::kOverwrite));
  EXPECT_ERROR(LoadBridgeConfig(io, path), ErrorCode::kInvalidArgument, path + ":2:");
  // Larger than 16 MiB: refused before reading.
  ASSERT_OK(io.WriteFile(path, std::string((16 << 20) + 1, '#'), io::WriteMode::kOverwrite));
  EXPECT_ERROR(LoadBridgeConfig(io, path), ErrorCode::kInvalidArgument, "at most 16 MiB");
}

TEST(BridgeConfigTest, HostileInputs) {
  // Huge.
  std::string huge = "datasets:\n" + std::string(17 << 20, ' ');
  EXPECT_ERROR(ParseBridgeConfig(huge, "f.yml"), ErrorCode::kInvalidArgument, "at most 16 MiB");
  // Deeply nested, in flow and block style.
  EXPECT_ERROR(ParseBridgeConfig("datasets: " + std::string(100000, '['), "f.yml"),
               ErrorCode::kInvalidArgument, "f.yml:1: the YAML is nested too deeply");
  std::string block = "datasets:\n";
  for (int i = 0; i < 20000; ++i) block += "- ";
  block += "x\n";
  EXPECT_ERROR(ParseBridgeConfig(block, "f.yml"), ErrorCode::kInvalidArgument, "nested too deeply");
  std::string braces = "catalog: ";
  for (int i = 0; i < 50000; ++i) braces += "{a: ";
  EXPECT_ERROR(ParseBridgeConfig(braces, "f.yml"), ErrorCode::kInvalidArgument, "f.yml:1:");
  // An alias that refers to itself, aliases multiplied ("billion laughs") and a missing anchor.
  EXPECT_ERROR(ParseBridgeConfig("datasets: &loop [*loop]\n", "f.yml"), ErrorCode::kInvalidArgument,
               "each item of 'datasets' must be a mapping");
  EXPECT_ERROR(
      ParseBridgeConfig("datasets:\n  - &e {name: a, repo: o/a, configs: &c [x, *c]}\n", "f.yml"),
      ErrorCode::kInvalidArgument, "must list config names");
  std::string laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'j'; ++c) {
    laughs += fmt::format("{}: &{} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n", c, c,
                          fmt::arg("p", std::string(1, static_cast<char>(c - 1))));
  }
  EXPECT_ERROR(ParseBridgeConfig("catalog:\n  name: x\n" + laughs, "f.yml"),
               ErrorCode::kInvalidArgument, "f.yml:3: unknown key 'a'");
  EXPECT_ERROR(ParseBridgeConfig("datasets: *nothing\n", "f.yml"), ErrorCode::kInvalidArgument,
               "f.yml:1: invalid YAML");
  // Not UTF-8: a Latin-1 byte, a truncated sequence, an overlong form, a surrogate.
  EXPECT_ERROR(ParseBridgeConfig("catalog:\n  name: caf\xe9\n", "f.yml"),
               ErrorCode::kInvalidArgument, "f.yml:2: the text is not valid UTF-8");
  EXPECT_ERROR(ParseBridgeConfig("a\n\nb: \xe2\x82", "f.yml"), ErrorCode::kInvalidArgument,
               "f.yml:3: the text is not valid UTF-8");
  EXPECT_ERROR(ParseBridgeConfig("x: \xc0\xaf\n", "f.yml"), ErrorCode::kInvalidArgument,
               "not valid UTF-8");
  EXPECT_ERROR(ParseBridgeConfig("x: \xed\xa0\x80\n", "f.yml"), ErrorCode::kInvalidArgument,
               "not valid UTF-8");
  // Valid multi-byte UTF-8 is fine.
  ASSERT_OK_AND_ASSIGN(BridgeConfig config,
                       ParseBridgeConfig("catalog:\n  name: caf\xc3\xa9 \xf0\x9f\x8d\xb5\n", "f"));
  EXPECT_EQ(config.catalog_name, "caf\xc3\xa9 \xf0\x9f\x8d\xb5");
  // Control characters (a NUL) and a key that is not a string.
  EXPECT_ERROR(ParseBridgeConfig(std::string("catalog:\n  name: a\0b\n", 21), "f.yml"),
               ErrorCode::kInvalidArgument, "f.yml:2: the text has a control character (0x00)");
  EXPECT_ERROR(ParseBridgeConfig("? [a]\n: 1\n", "f.yml"), ErrorCode::kInvalidArgument,
               "f.yml:1: a key in the top level is a list");
}

}  // namespace
}  // namespace faceberg::bridge
