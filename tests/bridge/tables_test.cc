#include "bridge/tables.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace faceberg::bridge {
namespace {

std::shared_ptr<const DatasetLayout> Layout(std::vector<std::pair<std::string, bool>> configs) {
  auto layout = std::make_shared<DatasetLayout>();
  layout->repo = "kszucs/dataset1";
  for (const auto& [name, is_default] : configs) {
    ConfigLayout c;
    c.name = name;
    c.is_default = is_default;
    c.format = "parquet";
    layout->configs.push_back(c);
    layout->sources.push_back({"main", "abc"});
  }
  return layout;
}

DatasetEntry Entry(std::string name) {
  DatasetEntry e;
  e.name = std::move(name);
  e.repo = "kszucs/dataset1";
  return e;
}

std::vector<std::string> Names(const std::vector<PlannedTable>& tables) {
  std::vector<std::string> out;
  for (const auto& t : tables) out.push_back(t.id.ToString() + ":" + t.config().name);
  return out;
}

TEST(TablesOfEntry, AllConfigsDefaultFirstNamedNameUnderscoreConfig) {
  ASSERT_OK_AND_ASSIGN(auto tables, TablesOfEntry(Entry("dataset1"),
                                                  Layout({{"config1", false}, {"config2", true}})));
  EXPECT_EQ(Names(tables), (std::vector<std::string>{"default.dataset1_config2:config2",
                                                     "default.dataset1_config1:config1"}));
}

TEST(TablesOfEntry, NamesAreSanitizedAndNamespaceKept) {
  DatasetEntry e = Entry("my-data");
  e.ns = "hf";
  ASSERT_OK_AND_ASSIGN(auto tables, TablesOfEntry(e, Layout({{"20231101.en", true}})));
  EXPECT_EQ(Names(tables), (std::vector<std::string>{"hf.my_data_20231101_en:20231101.en"}));
}

TEST(TablesOfEntry, ChosenConfigsInEntryOrder) {
  DatasetEntry e = Entry("d");
  e.configs = {"b", "a"};
  ASSERT_OK_AND_ASSIGN(auto tables, TablesOfEntry(e, Layout({{"a", false}, {"b", false}})));
  EXPECT_EQ(Names(tables), (std::vector<std::string>{"default.d_b:b", "default.d_a:a"}));
}

TEST(TablesOfEntry, UnknownConfigListsTheKnownOnes) {
  DatasetEntry e = Entry("d");
  e.configs = {"nope"};
  EXPECT_ERROR(TablesOfEntry(e, Layout({{"a", false}, {"b", false}})), ErrorCode::kInvalidArgument,
               "its configs are: a, b");
}

TEST(TablesOfEntry, TableOverrideNeedsExactlyOneConfig) {
  DatasetEntry e = Entry("d");
  e.table = "mine";
  EXPECT_ERROR(TablesOfEntry(e, Layout({{"a", false}, {"b", false}})), ErrorCode::kInvalidArgument,
               "maps 2 configs");
  e.configs = {"b"};
  ASSERT_OK_AND_ASSIGN(auto tables, TablesOfEntry(e, Layout({{"a", false}, {"b", false}})));
  EXPECT_EQ(Names(tables), (std::vector<std::string>{"default.mine:b"}));
}

}  // namespace
}  // namespace faceberg::bridge
