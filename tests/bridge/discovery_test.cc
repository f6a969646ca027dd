// Discovery: the 12 real layouts of tests/data/hf-layouts.json (pure and served by the local
// hub), one test per inference rule of hf-hub-protocol.md section 2, the pitfalls of 2.3, the
// Parquet export layout, table names and new data file paths.
#include "bridge/discovery.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "hub/hf_api.h"
#include "hub/hub_test_util.h"
#include "test_util.h"
#include "util/strings.h"

namespace faceberg::bridge {
namespace {

using testing::LocalHubFixture;
using testing::TestDataPath;

// config -> split -> paths, in order.
using SplitShape = std::vector<std::pair<std::string, std::vector<std::string>>>;
using Shape = std::vector<std::pair<std::string, SplitShape>>;

Shape ShapeOf(const std::vector<ConfigLayout>& configs) {
  Shape shape;
  for (const ConfigLayout& config : configs) {
    SplitShape splits;
    for (const SplitFiles& split : config.splits) {
      std::vector<std::string> paths;
      for (const RepoFile& f : split.files) paths.push_back(f.path);
      splits.push_back({split.split, paths});
    }
    shape.push_back({config.name, splits});
  }
  return shape;
}

std::string Describe(const Shape& shape) {
  std::string out;
  for (const auto& [config, splits] : shape) {
    out += config + ":\n";
    for (const auto& [split, paths] : splits) {
      out += "  " + split + ": " + Join(paths, ", ") + "\n";
    }
  }
  return out;
}

std::vector<RepoFile> Files(std::initializer_list<std::string> paths) {
  std::vector<RepoFile> files;
  for (const std::string& p : paths) files.push_back({p, 1, ""});
  return files;
}

std::string Readme(std::string_view yaml) { return fmt::format("---\n{}---\n# Card\n", yaml); }

/// The shape InferConfigs gives, or the error text (so mismatches print well).
std::string Infer(const std::vector<RepoFile>& files, const std::string& readme = "") {
  auto configs = InferConfigs(files, readme);
  if (!configs.ok()) return "error: " + configs.status().message();
  return Describe(ShapeOf(*configs));
}

std::string Expect(const Shape& shape) { return Describe(shape); }

std::string DefaultOf(const std::vector<ConfigLayout>& configs) {
  std::string out;
  for (const ConfigLayout& c : configs) {
    if (c.is_default) out += (out.empty() ? "" : ",") + c.name;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The real layouts.

struct HfLayout {
  std::string repo;
  std::string kind;
  std::vector<RepoFile> files;
  std::optional<std::string> readme_yaml;
  Shape expected;
  std::string default_config;  // empty: none

  std::string readme() const {
    return readme_yaml ? Readme(*readme_yaml) : fmt::format("# {}\n", repo);
  }
};

std::vector<HfLayout> LoadLayouts() {
  std::ifstream in(TestDataPath("hf-layouts.json"));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto json = nlohmann::ordered_json::parse(text);
  std::vector<HfLayout> layouts;
  for (const auto& entry : json) {
    HfLayout layout;
    layout.repo = entry["repo"];
    layout.kind = entry["kind"];
    for (const auto& f : entry["files"]) {
      layout.files.push_back({f["path"].get<std::string>(), f["size"].get<uint64_t>(), ""});
    }
    if (!entry["readme_yaml"].is_null()) layout.readme_yaml = entry["readme_yaml"];
    for (const auto& [config, splits] : entry["expected"].items()) {
      SplitShape split_shape;
      for (const auto& [split, paths] : splits.items()) {
        split_shape.push_back({split, paths.get<std::vector<std::string>>()});
      }
      layout.expected.push_back({config, split_shape});
    }
    if (!entry["default_config"].is_null()) layout.default_config = entry["default_config"];
    layouts.push_back(std::move(layout));
  }
  return layouts;
}

TEST(DiscoveryLayoutsTest, EveryRealLayoutInfersExactlyAsExpected) {
  std::vector<HfLayout> layouts = LoadLayouts();
  ASSERT_EQ(layouts.size(), 12u);
  for (const HfLayout& layout : layouts) {
    SCOPED_TRACE(layout.repo);
    Result<std::vector<ConfigLayout>> configs = layout.kind == "parquet-export"
                                                    ? InferParquetExportConfigs(layout.files)
                                                    : InferConfigs(layout.files, layout.readme());
    ASSERT_OK(configs);
    EXPECT_EQ(Describe(ShapeOf(*configs)), Describe(layout.expected));
    EXPECT_EQ(DefaultOf(*configs), layout.default_config);
  }
}

TEST(DiscoveryLayoutsTest, FormatsOfTheNonParquetLayouts) {
  for (const HfLayout& layout : LoadLayouts()) {
    if (layout.kind != "main-branch") continue;
    ASSERT_OK_AND_ASSIGN(auto configs, InferConfigs(layout.files, layout.readme()));
    std::string expected = layout.repo == "lhoestq/demo1"                     ? "csv"
                           : layout.repo == "databricks/databricks-dolly-15k" ? "json"
                                                                              : "parquet";
    for (const ConfigLayout& c : configs) EXPECT_EQ(c.format, expected) << layout.repo;
  }
}

// ---------------------------------------------------------------------------------------------
// README `configs:` forms (2.2).

TEST(DiscoveryYamlTest, DataFilesForms) {
  auto files = Files({"a/1.csv", "a/0.csv", "b/2.csv", "c/x.csv", "c/y.csv"});
  // A string, a list of strings: split train.
  EXPECT_EQ(Infer(files, Readme("configs:\n- config_name: s\n  data_files: a/*.csv\n")),
            Expect({{"s", {{"train", {"a/0.csv", "a/1.csv"}}}}}));
  // Patterns in order, sorted within each, not de-duplicated.
  EXPECT_EQ(Infer(files, Readme("configs:\n- config_name: l\n  data_files: [b/*, a/*, b/2.csv]\n")),
            Expect({{"l", {{"train", {"b/2.csv", "a/0.csv", "a/1.csv", "b/2.csv"}}}}}));
  // {split, path: str | [str]} in YAML order.
  EXPECT_EQ(Infer(files, Readme("configs:\n- config_name: d\n  data_files:\n"
                                "  - split: zeta\n    path: [c/y.csv, c/x.csv]\n"
                                "  - split: alpha\n    path: a/*\n")),
            Expect({{"d", {{"zeta", {"c/y.csv", "c/x.csv"}}, {"alpha", {"a/0.csv", "a/1.csv"}}}}}));
  // data_dir with data_files: patterns are relative to it.
  EXPECT_EQ(Infer(files, Readme("configs:\n- config_name: d\n  data_dir: c\n  data_files:\n"
                                "  - split: test\n    path: '*.csv'\n")),
            Expect({{"d", {{"test", {"c/x.csv", "c/y.csv"}}}}}));
}

TEST(DiscoveryYamlTest, DataDirAloneUsesTheNoYamlRulesInside) {
  auto files = Files({"en/train.csv", "en/test.csv", "fr/train.csv", "fr/dev.csv", "train.csv"});
  EXPECT_EQ(Infer(files, Readme("configs:\n- config_name: en\n  data_dir: en\n"
                                "- config_name: fr\n  data_dir: fr/\n")),
            Expect({{"en", {{"train", {"en/train.csv"}}, {"test", {"en/test.csv"}}}},
                    {"fr", {{"train", {"fr/train.csv"}}, {"validation", {"fr/dev.csv"}}}}}));
}

TEST(DiscoveryYamlTest, DefaultConfigRules) {
  auto files = Files({"a/x.csv", "b/x.csv"});
  auto defaults = [&](const std::string& yaml) -> std::string {
    auto configs = InferConfigs(files, Readme(yaml));
    if (!configs.ok()) return "error: " + configs.status().message();
    return DefaultOf(*configs);
  };
  EXPECT_EQ(defaults("configs:\n- config_name: only\n  data_files: a/*\n"), "only");
  EXPECT_EQ(defaults("configs:\n- config_name: a\n  data_files: a/*\n"
                     "- config_name: default\n  data_files: b/*\n"),
            "default");
  EXPECT_EQ(defaults("configs:\n- config_name: a\n  data_files: a/*\n"
                     "- config_name: b\n  data_files: b/*\n  default: true\n"),
            "b");
  EXPECT_EQ(defaults("configs:\n- config_name: a\n  data_files: a/*\n  default: false\n"
                     "- config_name: b\n  data_files: b/*\n"),
            "");
  EXPECT_THAT(defaults("configs:\n- config_name: a\n  data_files: a/*\n  default: yes\n"
                       "- config_name: default\n  data_files: b/*\n"),
              ::testing::HasSubstr("several default configs, 'a' and 'default'"));
  // Configs list in YAML order (not alphabetical).
  EXPECT_EQ(Infer(files, Readme("configs:\n- config_name: z\n  data_files: b/*\n"
                                "- config_name: a\n  data_files: a/*\n")),
            Expect({{"z", {{"train", {"b/x.csv"}}}}, {"a", {{"train", {"a/x.csv"}}}}}));
}

TEST(DiscoveryYamlTest, MalformedConfigsBlocksAreErrorsWithTheReadmeLine) {
  auto files = Files({"a/x.csv"});
  struct Case {
    std::string readme;
    std::string message;
  };
  const Case cases[] = {
      {Readme("configs: 5\n"), "README.md line 2: 'configs' must be a list"},
      {Readme("license: mit\nconfigs:\n- data_files: a/*\n"),
       "README.md line 4: a config has no config_name"},
      {Readme("configs:\n- config_name: a\n  data_files:\n    train: a/*\n"),
       "README.md line 5: data_files of config 'a' must be a string, a list of strings or a list "
       "of {split, path} entries"},
      {Readme("configs:\n- config_name: a\n  data_files:\n  - split: train\n"),
       "README.md line 5: each data_files entry of config 'a' must have exactly the keys 'split' "
       "and 'path'"},
      {Readme("configs:\n- config_name: a\n  data_files:\n  - split: train\n    path: a/*\n"
              "  - split: train\n    path: b/*\n"),
       "README.md line 7: split 'train' appears twice"},
      {Readme("configs:\n- config_name: a\n  data_files:\n  - split: my-split\n    path: a/*\n"),
       "split name 'my-split' of config 'a' is not valid"},
      {Readme("configs:\n- config_name: a\n  data_files: a/x.csv\n- config_name: a\n"
              "  data_files: a/x.csv\n"),
       "README.md line 5: config 'a' is declared twice (first at line 3)"},
      {Readme("configs:\n- config_name: a\n  data_files: a/missing.csv\n"),
       "config 'a' split 'train' names 'a/missing.csv', which is not a data file"},
      {Readme("configs:\n- config_name: a\n  data_files: a/x**.csv\n"),
       "'**' must be a whole part"},
      {Readme("configs:\n- config_name: a\n  data_files: /etc/*.csv\n"),
       "points outside the repository"},
      {Readme("configs:\n- config_name: a\n  data_files: hf://datasets/o/n/*.csv\n"),
       "points outside the repository"},
      {"\n---\nlicense: mit\nconfigs: [a\n---\n",
       "README.md line 4: the front matter is not valid "
       "YAML"},
      {Readme("- a\n"), "README.md line 2: the front matter must be a mapping"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.readme);
    EXPECT_ERROR(InferConfigs(files, c.readme), ErrorCode::kInvalidArgument, c.message);
  }
}

TEST(DiscoveryYamlTest, FrontMatterIsFoundAsHuggingfaceHubFindsIt) {
  auto files = Files({"a/x.csv", "b/train.csv"});
  std::string yaml = "configs:\n- config_name: a\n  data_files: a/*\n";
  Shape with_yaml = {{"a", {{"train", {"a/x.csv"}}}}};
  Shape without = {{"default", {{"train", {"b/train.csv"}}}}};
  EXPECT_EQ(Infer(files, "---\n" + yaml + "---\n"), Expect(with_yaml));
  EXPECT_EQ(Infer(files, "\n \n---\n" + yaml + "---"), Expect(with_yaml));  // leading space
  EXPECT_EQ(Infer(files, "---\r\n" + yaml + "\r\n---\r\nbody"), Expect(with_yaml));  // CRLF
  EXPECT_EQ(Infer(files, "# Title\n---\n" + yaml + "---\n"), Expect(without));       // not at start
  EXPECT_EQ(Infer(files, "---\n" + yaml), Expect(without));                          // not closed
  EXPECT_EQ(Infer(files, "---\n" + yaml + "----\n"), Expect(without));               // not "---"
  EXPECT_EQ(Infer(files, "---\n" + yaml + "--- x\n"), Expect(without));
  EXPECT_EQ(Infer(files, "---\n\n---\n"), Expect(without));  // empty front matter
  EXPECT_EQ(Infer(files, "---\nconfigs: []\n---\n"), Expect(without));
  EXPECT_EQ(Infer(files, "---\nlicense: mit\n---\n"), Expect(without));
}

// ---------------------------------------------------------------------------------------------
// Glob semantics (fsspec >= 2023.12) and the never-data / hidden / "__" rules.

TEST(DiscoveryGlobTest, PatternsMatchAsFsspecGlob) {
  auto files =
      Files({"a.csv", "data/b.csv", "data/B.csv", "data/x1.csv", "data/x22.csv", "data/sub/c.csv",
             "data/sub/deep/d.csv", "data/.hidden.csv", ".hid/e.csv", "data/__pycache__/f.csv",
             "data/README.md", "data/config.json", "data/notes.md", "data/-.csv", "data/é.csv"});
  auto match = [&](const std::string& pattern) {
    auto configs = InferConfigs(
        files, Readme(fmt::format("configs:\n- config_name: c\n  data_files: '{}'\n", pattern)));
    if (!configs.ok()) return "error: " + configs.status().message();
    if (configs->empty()) return std::string();
    std::vector<std::string> paths;
    for (const RepoFile& f : (*configs)[0].splits[0].files) paths.push_back(f.path);
    return Join(paths, " ");
  };
  // '*' stays within a name; sorted by code point (upper case first).
  EXPECT_EQ(match("data/*"),
            "data/-.csv data/B.csv data/b.csv data/x1.csv data/x22.csv data/é.csv");
  EXPECT_EQ(match("*"), "a.csv");
  // "**" is zero or more folders; hidden files and "__" folders stay out unless named.
  EXPECT_EQ(match("data/**"),
            "data/-.csv data/B.csv data/b.csv data/sub/c.csv data/sub/deep/d.csv data/x1.csv "
            "data/x22.csv data/é.csv");
  EXPECT_EQ(match("**/c.csv"), "data/sub/c.csv");
  EXPECT_EQ(match("data/**/d.csv"), "data/sub/deep/d.csv");
  EXPECT_EQ(match("data/sub/**/*.csv"), "data/sub/c.csv data/sub/deep/d.csv");
  EXPECT_EQ(match("**/**/sub/**/**/*.csv"), "data/sub/c.csv data/sub/deep/d.csv");
  EXPECT_EQ(match("**/*.csv").substr(0, 15), "a.csv data/-.cs");
  // '?' is one character (a code point, so 'é' is one).
  EXPECT_EQ(match("data/x?.csv"), "data/x1.csv");
  EXPECT_EQ(match("data/?.csv"), "data/-.csv data/B.csv data/b.csv data/é.csv");
  // Character classes: sets, ranges, negation, a literal '-'.
  EXPECT_EQ(match("data/[bB].csv"), "data/B.csv data/b.csv");
  EXPECT_EQ(match("data/[a-c].csv"), "data/b.csv");
  EXPECT_EQ(match("data/[!b].csv"), "data/-.csv data/B.csv data/é.csv");
  EXPECT_EQ(match("data/[-x].csv"), "data/-.csv");
  EXPECT_EQ(match("data/[c-a].csv"), "");  // an empty range matches nothing
  EXPECT_EQ(match("data/x[0-9][0-9].csv"), "data/x22.csv");
  // Case-sensitive.
  EXPECT_EQ(match("DATA/*"), "");
  EXPECT_EQ(match("data/b.CSV"),
            "error: config 'c' split 'train' names 'data/b.CSV', which is "
            "not a data file of the repository; fix the data_files of the "
            "README");
  // Hidden and special files when the pattern names them.
  EXPECT_EQ(match("data/.*"), "data/.hidden.csv");
  EXPECT_EQ(match(".hid/*"), ".hid/e.csv");
  EXPECT_EQ(match("*/__pycache__/*"), "data/__pycache__/f.csv");
  EXPECT_EQ(match("data/__*/*"), "data/__pycache__/f.csv");
  // Never-data names are skipped unless the pattern names them; no allowed extension: never.
  EXPECT_EQ(match("data/config.json"), "data/config.json");
  EXPECT_EQ(match("data/*.json"), "");
  EXPECT_EQ(match("data/*.md"), "");
}

TEST(DiscoveryGlobTest, AllowedExtensionsAreAnyDottedSuffix) {
  auto files = Files({"train.json.gz", "test.jsonl.gz", "notes.gz", "x.tar.gz", "model.bin"});
  EXPECT_EQ(Infer(files),
            Expect({{"default", {{"train", {"train.json.gz"}}, {"test", {"test.jsonl.gz"}}}}}));
  ASSERT_OK_AND_ASSIGN(auto configs, InferConfigs(files, ""));
  EXPECT_EQ(configs[0].format, "json");
}

TEST(DiscoveryGlobTest, HostileReadmesAndPaths) {
  // Deep nesting in the front matter.
  EXPECT_ERROR(
      InferConfigs(Files({"a.csv"}), Readme("configs: " + std::string(100000, '[') + "\n")),
      ErrorCode::kInvalidArgument, "README.md line 2: the front matter is nested too deeply");
  // A self-referencing alias.
  EXPECT_ERROR(InferConfigs(Files({"a.csv"}), Readme("configs: &c [*c]\n")),
               ErrorCode::kInvalidArgument, "each item of 'configs' must be a mapping");
  // Many "**" parts against deep paths: memoized, not exponential.
  std::string deep;
  for (int i = 0; i < 60; ++i) deep += "d/";
  std::string stars;
  for (int i = 0; i < 60; ++i) stars += "**/";
  EXPECT_EQ(Infer(Files({deep + "x.csv"}),
                  Readme("configs:\n- config_name: c\n  data_files: '" + stars + "y.csv'\n")),
            "");
  // Paths that are not UTF-8, with spaces, brackets and '@': sorted by bytes, matched by '*'.
  auto odd = Files({"data/\xff\xfe.csv", "data/a b@[1].csv", "data/\xc3.csv"});
  EXPECT_EQ(
      Infer(odd, Readme("configs:\n- config_name: c\n  data_files: 'data/*'\n")),
      Expect({{"c", {{"train", {"data/a b@[1].csv", "data/\xc3.csv", "data/\xff\xfe.csv"}}}}}));
  EXPECT_EQ(Infer(odd, Readme("configs:\n- config_name: c\n  data_files: 'data/?.csv'\n")),
            Expect({{"c", {{"train", {"data/\xc3.csv"}}}}}));
}

// ---------------------------------------------------------------------------------------------
// No-YAML rules (2.3), first non-empty rule wins.

TEST(DiscoveryDefaultRulesTest, ShardedSplitNamesTrainValidationTestFirst) {
  auto files = Files({"data/zeta-00000-of-00001.parquet", "data/train-00001-of-00002.parquet",
                      "data/train-00000-of-00002.parquet", "data/alpha-00000-of-00001.parquet",
                      "data/test-00000-of-00001.parquet", "data/validation-00000-of-00001.parquet",
                      "other/train.parquet", "data/sub/test-00000-of-00001.parquet"});
  EXPECT_EQ(
      Infer(files),
      Expect(
          {{"default",
            {{"train", {"data/train-00000-of-00002.parquet", "data/train-00001-of-00002.parquet"}},
             {"validation", {"data/validation-00000-of-00001.parquet"}},
             {"test", {"data/test-00000-of-00001.parquet"}},
             {"alpha", {"data/alpha-00000-of-00001.parquet"}},
             {"zeta", {"data/zeta-00000-of-00001.parquet"}}}}}));
  EXPECT_EQ(Infer(Files({"data/my-split-00000-of-00001.parquet"})),
            "error: 'data/my-split-00000-of-00001.parquet' names split 'my-split', which is not a "
            "valid split name (letters, digits and '_', dot-separated); rename the file");
}

TEST(DiscoveryDefaultRulesTest, EvalLogsRule) {
  auto files = Files({"logs/2026/run.eval", "train.csv"});
  EXPECT_EQ(Infer(files), Expect({{"default", {{"logs", {"logs/2026/run.eval"}}}}}));
  ASSERT_OK_AND_ASSIGN(auto configs, InferConfigs(files, ""));
  EXPECT_EQ(configs[0].format, "eval");
}

TEST(DiscoveryDefaultRulesTest, SplitInFolderNames) {
  auto files =
      Files({"data/train/0.csv", "data/training_set/1.csv", "x/my-dev/2.csv", "data/test 2/3.csv",
             "data/other/4.csv", "data/valid.csv", "data/pretraining/5.csv"});
  // "pretraining" has no separator before the keyword; data/valid.csv is not in a split folder.
  EXPECT_EQ(Infer(files), Expect({{"default",
                                   {{"train", {"data/train/0.csv", "data/training_set/1.csv"}},
                                    {"validation", {"x/my-dev/2.csv"}},
                                    {"test", {"data/test 2/3.csv"}}}}}));
}

TEST(DiscoveryDefaultRulesTest, SplitInFileNames) {
  auto files = Files(
      {"train.csv", "x/my_test_1.csv", "valid-set.csv", "other.csv", "pretrain.csv", "eval.csv"});
  EXPECT_EQ(Infer(files), Expect({{"default",
                                   {{"train", {"train.csv"}},
                                    {"validation", {"valid-set.csv"}},
                                    {"test", {"x/my_test_1.csv", "eval.csv"}}}}}));
}

TEST(DiscoveryDefaultRulesTest, EverythingElseIsTrain) {
  auto files = Files({"b/c.csv", "a.csv", "README.md", ".gitattributes", "__x/y.csv"});
  EXPECT_EQ(Infer(files), Expect({{"default", {{"train", {"a.csv", "b/c.csv"}}}}}));
  ASSERT_OK_AND_ASSIGN(auto configs, InferConfigs(files, ""));
  EXPECT_TRUE(configs[0].is_default);
  EXPECT_EQ(configs[0].format, "csv");
}

TEST(DiscoveryDefaultRulesTest, NoDataFilesGivesNoConfigs) {
  EXPECT_EQ(Infer(Files({"README.md", ".gitattributes", "script.py"})), "");
  EXPECT_EQ(Infer({}), "");
  // The rules match names without looking at extensions, as the datasets library does, so a
  // script named like a split wins the rule and leaves no data file.
  EXPECT_EQ(Infer(Files({"scripts/train_model.py", "data.csv"})), "");
}

// ---------------------------------------------------------------------------------------------
// Builder choice.

TEST(DiscoveryFormatTest, MostCommonExtensionWinsAndOthersAreFilteredOut) {
  auto format_of = [](const std::vector<RepoFile>& files) -> std::string {
    auto configs = InferConfigs(files, "");
    if (!configs.ok()) return "error: " + configs.status().message();
    return configs->empty() ? "" : (*configs)[0].format;
  };
  EXPECT_EQ(format_of(Files({"a.csv", "b.csv", "c.json"})), "csv");
  EXPECT_EQ(Infer(Files({"a.csv", "b.csv", "c.json"})),
            Expect({{"default", {{"train", {"a.csv", "b.csv"}}}}}));
  // Ties: parquet, then jsonl (json), then csv.
  EXPECT_EQ(format_of(Files({"a.csv", "b.parquet"})), "parquet");
  EXPECT_EQ(format_of(Files({"a.csv", "b.jsonl"})), "json");
  EXPECT_EQ(format_of(Files({"a.arrow", "b.jsonl"})), "arrow");
  EXPECT_EQ(format_of(Files({"a.txt", "b.xml"})), "xml");  // then the larger extension
  EXPECT_EQ(format_of(Files({"a.tsv"})), "csv");
  // Folder builders keep their metadata files.
  EXPECT_EQ(Infer(Files({"img/a.png", "img/b.png", "img/metadata.csv"})),
            Expect({{"default", {{"train", {"img/a.png", "img/b.png", "img/metadata.csv"}}}}}));
  EXPECT_EQ(format_of(Files({"img/a.png", "img/b.png", "img/metadata.csv"})), "imagefolder");
  // A config whose splits disagree is an error, as in the datasets library.
  EXPECT_EQ(format_of(Files({"train.parquet", "test.csv"})),
            "error: config 'default' mixes data formats: split 'train' is parquet and split 'test' "
            "is csv; the datasets library cannot read it either");
  EXPECT_THAT(format_of(Files({"train.csv", "test.tsv"})),
              ::testing::HasSubstr("split 'train' is csv and split 'test' is csv (sep=\\t)"));
}

TEST(DiscoveryFormatTest, EachConfigHasItsOwnFormat) {
  auto files = Files({"p/a.parquet", "c/a.csv"});
  ASSERT_OK_AND_ASSIGN(auto configs,
                       InferConfigs(files, Readme("configs:\n- config_name: p\n  data_files: p/*\n"
                                                  "- config_name: c\n  data_files: c/*\n")));
  ASSERT_EQ(configs.size(), 2u);
  EXPECT_EQ(configs[0].format, "parquet");
  EXPECT_EQ(configs[1].format, "csv");
}

// ---------------------------------------------------------------------------------------------
// The pitfalls of 2.3.

TEST(DiscoveryPitfallsTest, MmluWithoutYamlCollapsesToTrain) {
  auto files =
      Files({"all/test-00000-of-00001.parquet", "all/validation-00000-of-00001.parquet",
             "all/dev-00000-of-00001.parquet", "auxiliary_train/train-00000-of-00001.parquet",
             "abstract_algebra/test-00000-of-00001.parquet",
             "abstract_algebra/dev-00000-of-00001.parquet"});
  EXPECT_EQ(Infer(files),
            Expect({{"default", {{"train", {"auxiliary_train/train-00000-of-00001.parquet"}}}}}));
}

TEST(DiscoveryPitfallsTest, CapitalizedTrainCsvGoesToTrainByTheLastRule) {
  EXPECT_EQ(Infer(Files({"Train.csv", "Test.csv"})),
            Expect({{"default", {{"train", {"Test.csv", "Train.csv"}}}}}));
}

TEST(DiscoveryPitfallsTest, FinewebEduWithoutYamlKeepsOnlyTrainNamedShards) {
  auto files = Files({"data/CC-MAIN-2013-20/train-00000-of-00014.parquet",
                      "data/CC-MAIN-2013-20/train-00001-of-00014.parquet",
                      "data/CC-MAIN-2024-10/000_00000.parquet", "sample/10BT/000_00000.parquet"});
  EXPECT_EQ(Infer(files), Expect({{"default",
                                   {{"train",
                                     {"data/CC-MAIN-2013-20/train-00000-of-00014.parquet",
                                      "data/CC-MAIN-2013-20/train-00001-of-00014.parquet"}}}}}));
}

TEST(DiscoveryPitfallsTest, UltrachatHashSuffixesWithoutYaml) {
  std::vector<RepoFile> files;
  for (const HfLayout& layout : LoadLayouts()) {
    if (layout.repo == "HuggingFaceH4/ultrachat_200k") files = layout.files;
  }
  ASSERT_FALSE(files.empty());
  ASSERT_OK_AND_ASSIGN(auto configs, InferConfigs(files, ""));
  std::vector<std::string> splits;
  for (const SplitFiles& s : configs.at(0).splits) splits.push_back(s.split);
  EXPECT_EQ(splits, (std::vector<std::string>{"test_gen", "test_sft", "train_gen", "train_sft"}));
  EXPECT_EQ(configs[0].splits[3].files.size(), 3u);
  EXPECT_EQ(configs[0].splits[3].files[0].path,
            "data/train_sft-00000-of-00003-a3ecf92756993583.parquet");
}

TEST(DiscoveryPitfallsTest, HhRlhfLosesRedTeamAttempts) {
  auto files = Files({"harmless-base/train.jsonl.gz", "harmless-base/test.jsonl.gz",
                      "helpful-base/train.jsonl.gz", "helpful-base/test.jsonl.gz",
                      "red_team_attempts/red_team_attempts.jsonl.gz"});
  EXPECT_EQ(Infer(files),
            Expect({{"default",
                     {{"train", {"harmless-base/train.jsonl.gz", "helpful-base/train.jsonl.gz"}},
                      {"test", {"harmless-base/test.jsonl.gz", "helpful-base/test.jsonl.gz"}}}}}));
}

// ---------------------------------------------------------------------------------------------
// refs/convert/parquet

TEST(DiscoveryExportTest, ConfigSplitAndShardLayout) {
  auto files =
      Files({".gitattributes", "README.md", "en/train/0010.parquet", "en/train/0002.parquet",
             "en/train/0000.parquet", "en/partial-test/0000.parquet",
             "en/validation-part1/0000.parquet", "en/validation-part0/0001.parquet",
             "en/validation-part0/0000.parquet", "de/train/0000.parquet", "de/extra/0000.parquet",
             "de/train/notes.txt", "loose.parquet", "a/b/c/d.parquet"});
  ASSERT_OK_AND_ASSIGN(auto configs, InferParquetExportConfigs(files));
  EXPECT_EQ(
      Describe(ShapeOf(configs)),
      Expect(
          {{"de", {{"train", {"de/train/0000.parquet"}}, {"extra", {"de/extra/0000.parquet"}}}},
           {"en",
            {{"train", {"en/train/0000.parquet", "en/train/0002.parquet", "en/train/0010.parquet"}},
             {"validation",
              {"en/validation-part0/0000.parquet", "en/validation-part0/0001.parquet",
               "en/validation-part1/0000.parquet"}},
             {"test", {"en/partial-test/0000.parquet"}}}}}));
  for (const ConfigLayout& c : configs) {
    EXPECT_EQ(c.format, "parquet");
    EXPECT_FALSE(c.is_default);  // the export does not say
    for (const SplitFiles& s : c.splits) EXPECT_EQ(s.partial, s.split == "test") << s.split;
  }
  EXPECT_ERROR(InferParquetExportConfigs(Files({"README.md", "x.parquet"})),
               ErrorCode::kInvalidArgument, "no {config}/{split}/NNNN.parquet file");
}

// ---------------------------------------------------------------------------------------------
// Table names.

TEST(DiscoveryTableNameTest, ReplacesEverythingButLettersDigitsAndUnderscore) {
  EXPECT_EQ(TableNameFor("wiki", "20231101.en"), "wiki_20231101_en");
  EXPECT_EQ(TableNameFor("fineweb", "sample-10BT"), "fineweb_sample_10BT");
  EXPECT_EQ(TableNameFor("my data", "caf\xc3\xa9"), "my_data_caf__");
  EXPECT_EQ(TableNameFor("gsm8k", "main"), "gsm8k_main");
}

// ---------------------------------------------------------------------------------------------
// NewDataFilePath

/// Checks `path` lands in exactly (config, split) of files + path and nothing else changes.
void ExpectLandsOnlyIn(const std::vector<RepoFile>& files, const std::string& readme,
                       const std::string& config, const std::string& split,
                       const std::string& path) {
  ASSERT_OK_AND_ASSIGN(auto before, InferConfigs(files, readme));
  std::vector<RepoFile> with = files;
  with.push_back({path, 1, ""});
  ASSERT_OK_AND_ASSIGN(auto after, InferConfigs(with, readme));
  Shape expected = ShapeOf(before);
  bool added = false;
  for (auto& [c, splits] : expected) {
    if (c != config) continue;
    bool found = false;
    for (auto& [s, paths] : splits) {
      if (s != split) continue;
      found = true;
      // Where the datasets library puts it among the others: sorted within its pattern.
      std::vector<std::string> actual;
      for (const auto& [ac, asplits] : ShapeOf(after)) {
        for (const auto& [as, apaths] : asplits) {
          if (ac == c && as == s) actual = apaths;
        }
      }
      auto it = std::find(actual.begin(), actual.end(), path);
      ASSERT_NE(it, actual.end());
      paths.insert(paths.begin() + (it - actual.begin()), path);
      added = true;
    }
    if (!found) {
      splits.push_back({split, {path}});
      added = true;
    }
  }
  ASSERT_TRUE(added) << config << "/" << split;
  Shape actual = ShapeOf(after);
  // A new split may come anywhere in the split order: compare as sorted sets of splits.
  for (auto* shape : {&expected, &actual}) {
    for (auto& [c, splits] : *shape) std::sort(splits.begin(), splits.end());
  }
  EXPECT_EQ(Describe(actual), Describe(expected));
}

TEST(DiscoveryNewFileTest, EveryParquetSplitOfTheRealLayouts) {
  const std::set<std::string> overlapping = {"CC-MAIN-2013-20", "CC-MAIN-2024-10"};
  int placed = 0;
  for (const HfLayout& layout : LoadLayouts()) {
    if (layout.kind != "main-branch") continue;
    SCOPED_TRACE(layout.repo);
    ASSERT_OK_AND_ASSIGN(auto configs, InferConfigs(layout.files, layout.readme()));
    for (const ConfigLayout& config : configs) {
      for (const SplitFiles& split : config.splits) {
        auto path =
            NewDataFilePath(layout.files, layout.readme(), config.name, split.split, "0123abcd");
        if (config.format != "parquet") {
          EXPECT_ERROR(path, ErrorCode::kNotSupported, "is read as " + config.format);
          continue;
        }
        if (overlapping.count(config.name)) {
          // Every file of a crawl folder is also in the config "default" (data/*/*).
          EXPECT_ERROR(path, ErrorCode::kNotSupported, "would also land in config 'default'");
          continue;
        }
        ASSERT_OK(path);
        EXPECT_TRUE(EndsWith(*path, "0123abcd.parquet")) << *path;
        ExpectLandsOnlyIn(layout.files, layout.readme(), config.name, split.split, *path);
        ++placed;
      }
    }
  }
  EXPECT_EQ(placed, 24);
}

TEST(DiscoveryNewFileTest, ChosenNames) {
  std::vector<HfLayout> layouts = LoadLayouts();
  auto path_for = [&](const std::string& repo, const std::string& config,
                      const std::string& split) -> std::string {
    for (const HfLayout& l : layouts) {
      if (l.repo != repo) continue;
      auto path = NewDataFilePath(l.files, l.readme(), config, split, "ff00");
      return path.ok() ? *path : "error: " + path.status().message();
    }
    return "no layout";
  };
  EXPECT_EQ(path_for("openai/gsm8k", "socratic", "test"),
            "socratic/test-00000-of-00001-ff00.parquet");
  EXPECT_EQ(path_for("HuggingFaceH4/ultrachat_200k", "default", "train_gen"),
            "data/train_gen-00000-of-00001-ff00.parquet");
  EXPECT_EQ(path_for("HuggingFaceFW/fineweb", "default", "train"),
            "data/train/train-00000-of-00001-ff00.parquet");
  EXPECT_EQ(path_for("HuggingFaceFW/fineweb", "sample-10BT", "train"),
            "sample/10BT/train-00000-of-00001-ff00.parquet");
}

TEST(DiscoveryNewFileTest, NewSplitsAndEmptyDeclaredSplits) {
  // No YAML, push_to_hub layout: a new split is a new data/{split}-... shard name.
  auto files = Files({"data/train-00000-of-00001.parquet"});
  ASSERT_OK_AND_ASSIGN(std::string path, NewDataFilePath(files, "", "default", "test", "ab"));
  EXPECT_EQ(path, "data/test-00000-of-00001-ab.parquet");
  ExpectLandsOnlyIn(files, "", "default", "test", path);
  // A split the YAML declares but that has no file yet.
  std::string readme = Readme(
      "configs:\n- config_name: default\n  data_files:\n  - split: train\n    path: data/train-*\n"
      "  - split: test\n    path: data/test/*.parquet\n");
  ASSERT_OK_AND_ASSIGN(path, NewDataFilePath(files, readme, "default", "test", "ab"));
  EXPECT_EQ(path, "data/test/test-00000-of-00001-ab.parquet");
  ExpectLandsOnlyIn(files, readme, "default", "test", path);
  // Names from other pattern shapes.
  for (const auto& [pattern, expected] : std::vector<std::pair<std::string, std::string>>{
           {"data/test-*.*", "data/test-00000-of-00001-ab.parquet"},
           {"**/test/*", "test/test-00000-of-00001-ab.parquet"},
           {"test/**", "test/test-00000-of-00001-ab.parquet"},
           {"*/split_[tx]?/*.parquet", "test/split_t0/test-00000-of-00001-ab.parquet"}}) {
    std::string yaml = Readme(
        "configs:\n- config_name: default\n  data_files:\n  - split: train\n    path: "
        "data/train-*\n  - split: test\n    path: '" +
        pattern + "'\n");
    ASSERT_OK_AND_ASSIGN(path, NewDataFilePath(files, yaml, "default", "test", "ab"));
    EXPECT_EQ(path, expected) << pattern;
    ExpectLandsOnlyIn(files, yaml, "default", "test", path);
  }
  // A split the YAML does not declare cannot be reached.
  EXPECT_ERROR(NewDataFilePath(files, readme, "default", "validation", "ab"),
               ErrorCode::kNotSupported, "split 'validation'");
  // A config that does not exist.
  EXPECT_ERROR(NewDataFilePath(files, readme, "other", "train", "ab"), ErrorCode::kNotSupported,
               "dataset has no config 'other'");
  EXPECT_ERROR(NewDataFilePath(files, "", "other", "train", "ab"), ErrorCode::kNotSupported,
               "no config 'other'");
  // Literal data_files entries name single files: nothing can be added.
  std::string literal =
      Readme("configs:\n- config_name: default\n  data_files: data/train-00000-of-00001.parquet\n");
  EXPECT_ERROR(NewDataFilePath(files, literal, "default", "train", "ab"), ErrorCode::kNotSupported,
               "config 'default' split 'train'");
  // Bad arguments.
  EXPECT_ERROR(NewDataFilePath(files, "", "default", "train", "xyz"), ErrorCode::kInvalidArgument,
               "hex digits");
  EXPECT_ERROR(NewDataFilePath(files, "", "default", "a/b", "ab"), ErrorCode::kInvalidArgument,
               "not valid");
}

TEST(DiscoveryNewFileTest, NoYamlRuleLayouts) {
  // Split in a folder name: the file goes next to the split's files.
  auto folders = Files({"data/train/0.parquet", "data/test/0.parquet"});
  ASSERT_OK_AND_ASSIGN(std::string path, NewDataFilePath(folders, "", "default", "test", "01"));
  EXPECT_EQ(path, "data/test/test-00000-of-00001-01.parquet");
  ExpectLandsOnlyIn(folders, "", "default", "test", path);
  // Everything in train: any split-named file would change the rules.
  auto flat = Files({"a.parquet", "b.parquet"});
  EXPECT_ERROR(NewDataFilePath(flat, "", "default", "train", "01"), ErrorCode::kNotSupported,
               "would change");
}

// ---------------------------------------------------------------------------------------------
// DiscoverDataset through the local hub.

class DiscoverServedTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fixture_ = new LocalHubFixture();
    layouts_ = new std::vector<HfLayout>(LoadLayouts());
    for (const HfLayout& layout : *layouts_) {
      std::string prefix = layout.kind == "parquet-export" ? ".refs/convert/parquet/" : "";
      for (const RepoFile& f : layout.files) {
        if (f.path == "README.md") continue;
        fixture_->AddFile(layout.repo, prefix + f.path, Content(layout.repo, f.path));
      }
      if (layout.kind == "parquet-export") {
        fixture_->AddFile(layout.repo, "data.csv", "label,text\n1,hello\n");
        fixture_->AddFile(layout.repo, "README.md", "# Banking77\n");
      } else {
        fixture_->AddFile(layout.repo, "README.md", layout.readme());
      }
    }
    // demo1 again, with a Parquet export.
    for (const char* path : {"data/train.csv", "data/test.csv"}) {
      fixture_->AddFile("x/csv-exported", path, "a,b\n1,2\n");
    }
    for (const char* path : {"default/train/0000.parquet", "default/test/0000.parquet"}) {
      fixture_->AddFile("x/csv-exported", std::string(".refs/convert/parquet/") + path,
                        Content("x/csv-exported", path));
    }
    // Mixed: one Parquet config, one CSV config that is exported, one that is not.
    fixture_->AddFile("x/mixed", "README.md",
                      Readme("configs:\n- config_name: p\n  data_files: p/*\n"
                             "- config_name: c\n  data_files: c/*\n"
                             "- config_name: gone\n  data_files: g/*\n  default: true\n"));
    fixture_->AddFile("x/mixed", "p/train.parquet", Content("x/mixed", "p"));
    fixture_->AddFile("x/mixed", "c/train.csv", "a\n1\n");
    fixture_->AddFile("x/mixed", "g/train.csv", "a\n1\n");
    fixture_->AddFile("x/mixed", ".refs/convert/parquet/c/train/0000.parquet",
                      Content("x/mixed", "c"));
    fixture_->AddFile("x/mixed", ".refs/convert/parquet/other/train/0000.parquet",
                      Content("x/mixed", "o"));
    fixture_->AddFile("x/only-csv", "data.csv", "a\n1\n");
    ASSERT_OK(fixture_->Start());
  }
  static void TearDownTestSuite() {
    delete fixture_;
    delete layouts_;
    fixture_ = nullptr;
    layouts_ = nullptr;
  }

  static std::string Content(const std::string& repo, const std::string& path) {
    return "PAR1 placeholder of " + repo + "/" + path + " PAR1";
  }

  void SetUp() override { ASSERT_OK_AND_ASSIGN(api_, fixture_->Api()); }

  static LocalHubFixture* fixture_;
  static std::vector<HfLayout>* layouts_;
  std::shared_ptr<hub::HfApi> api_;
};

LocalHubFixture* DiscoverServedTest::fixture_ = nullptr;
std::vector<HfLayout>* DiscoverServedTest::layouts_ = nullptr;

TEST_F(DiscoverServedTest, EveryRealLayout) {
  for (const HfLayout& layout : *layouts_) {
    SCOPED_TRACE(layout.repo);
    bool parquet =
        layout.repo != "lhoestq/demo1" && layout.repo != "databricks/databricks-dolly-15k";
    auto discovered = DiscoverDataset(*api_, layout.repo, "");
    if (!parquet) {
      EXPECT_ERROR(discovered, ErrorCode::kNotFound,
                   "has no Parquet files and no refs/convert/parquet export");
      continue;
    }
    ASSERT_OK(discovered);
    const DatasetLayout& d = *discovered;
    EXPECT_EQ(d.repo, layout.repo);
    EXPECT_EQ(d.revision, "main");
    ASSERT_OK_AND_ASSIGN(std::string head, api_->ResolveRevision(layout.repo, "main"));
    EXPECT_EQ(d.commit, head);
    EXPECT_EQ(Describe(ShapeOf(d.configs)), Describe(layout.expected));
    ASSERT_EQ(d.sources.size(), d.configs.size());
    for (size_t i = 0; i < d.configs.size(); ++i) {
      const DatasetLayout::Source& source = d.sources[i];
      if (layout.kind == "parquet-export") {
        EXPECT_EQ(source.revision, "refs/convert/parquet");
        ASSERT_OK_AND_ASSIGN(std::string export_sha,
                             api_->ResolveRevision(layout.repo, "refs/convert/parquet"));
        EXPECT_EQ(source.commit, export_sha);
        EXPECT_NE(source.commit, head);
        EXPECT_TRUE(d.configs[i].is_default);  // from the main inference (one config)
      } else {
        EXPECT_EQ(source.revision, "main");
        EXPECT_EQ(source.commit, head);
        EXPECT_EQ(d.configs[i].is_default, d.configs[i].name == layout.default_config);
      }
      for (const SplitFiles& split : d.configs[i].splits) {
        for (const RepoFile& f : split.files) {
          // Parquet files are LFS files: their blob id is the sha256 of the content.
          EXPECT_EQ(f.blob_id, hub::Sha256Hex(Content(layout.repo, f.path))) << f.path;
          EXPECT_EQ(f.size, Content(layout.repo, f.path).size());
        }
      }
    }
  }
}

TEST_F(DiscoverServedTest, NonParquetConfigsComeFromTheExport) {
  ASSERT_OK_AND_ASSIGN(DatasetLayout d, DiscoverDataset(*api_, "x/csv-exported", "main"));
  EXPECT_EQ(Describe(ShapeOf(d.configs)), Expect({{"default",
                                                   {{"train", {"default/train/0000.parquet"}},
                                                    {"test", {"default/test/0000.parquet"}}}}}));
  ASSERT_EQ(d.sources.size(), 1u);
  EXPECT_EQ(d.sources[0].revision, "refs/convert/parquet");
  EXPECT_TRUE(d.configs[0].is_default);

  // p from main; c from the export; gone (not exported) and other (not named) left out.
  ASSERT_OK_AND_ASSIGN(DatasetLayout mixed, DiscoverDataset(*api_, "x/mixed", ""));
  EXPECT_EQ(Describe(ShapeOf(mixed.configs)),
            Expect({{"p", {{"train", {"p/train.parquet"}}}},
                    {"c", {{"train", {"c/train/0000.parquet"}}}}}));
  ASSERT_EQ(mixed.sources.size(), 2u);
  EXPECT_EQ(mixed.sources[0].revision, "main");
  EXPECT_EQ(mixed.sources[0].commit, mixed.commit);
  EXPECT_EQ(mixed.sources[1].revision, "refs/convert/parquet");
  EXPECT_NE(mixed.sources[1].commit, mixed.commit);

  // Asking for the export branch itself reads it with the export rules.
  ASSERT_OK_AND_ASSIGN(DatasetLayout exported,
                       DiscoverDataset(*api_, "x/mixed", "refs/convert/parquet"));
  EXPECT_EQ(Describe(ShapeOf(exported.configs)),
            Expect({{"c", {{"train", {"c/train/0000.parquet"}}}},
                    {"other", {{"train", {"other/train/0000.parquet"}}}}}));
  EXPECT_EQ(exported.sources.at(0).revision, "refs/convert/parquet");
}

TEST_F(DiscoverServedTest, MissingRepoRevisionOrParquet) {
  // The HfApi errors come through as they are: anonymous callers cannot tell a missing repo
  // from a private one (as on the Hub); with a token it is NotFound.
  EXPECT_ERROR(DiscoverDataset(*api_, "nobody/nothing", ""), ErrorCode::kPermission,
               "dataset nobody/nothing was not found");
  ASSERT_OK_AND_ASSIGN(auto with_token, fixture_->Api("hf_reader"));
  EXPECT_ERROR(DiscoverDataset(*with_token, "nobody/nothing", ""), ErrorCode::kNotFound,
               "dataset nobody/nothing was not found");
  EXPECT_ERROR(DiscoverDataset(*api_, "openai/gsm8k", "no-such-branch"), ErrorCode::kNotFound,
               "no-such-branch");
  EXPECT_ERROR(DiscoverDataset(*api_, "x/only-csv", ""), ErrorCode::kNotFound,
               "dataset x/only-csv at main has no Parquet files and no refs/convert/parquet "
               "export");
}

}  // namespace
}  // namespace faceberg::bridge
