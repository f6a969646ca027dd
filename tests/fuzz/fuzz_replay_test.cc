// Replays the fuzz seed corpus (fuzz/corpus/<target>/) and every saved crasher
// (tests/data/fuzz-regressions/<target>/) through the fuzz target functions. Each file is the
// regression test of the bug it once triggered: the target must return 0 without a crash, a
// broken round trip or (in the asan-ubsan build) a sanitizer report.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "fuzz_targets.h"
#include "test_util.h"

namespace faceberg::fuzz {
namespace {

namespace fs = std::filesystem;

fs::path CorpusRoot() { return testing::TestDataPath("../../fuzz/corpus"); }
fs::path RegressionRoot() { return testing::TestDataPath("fuzz-regressions"); }

// The regular files of `folder`, sorted; empty when it does not exist.
std::vector<fs::path> FilesIn(const fs::path& folder) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<std::string> TargetNames() {
  std::vector<std::string> names;
  for (const FuzzTarget& target : AllFuzzTargets()) names.emplace_back(target.name);
  return names;
}

const FuzzTarget& TargetNamed(const std::string& name) {
  for (const FuzzTarget& target : AllFuzzTargets()) {
    if (target.name == name) return target;
  }
  ADD_FAILURE() << "no fuzz target " << name;
  return AllFuzzTargets().front();
}

// Runs every file of `folder` through `target`; returns how many ran.
size_t Replay(const FuzzTarget& target, const fs::path& folder) {
  const std::vector<fs::path> files = FilesIn(folder);
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.string());
    const std::string bytes = ReadBytes(file);
    EXPECT_EQ(target.function(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), 0);
  }
  return files.size();
}

class FuzzReplayTest : public ::testing::TestWithParam<std::string> {};

TEST_P(FuzzReplayTest, SeedCorpusRunsCleanly) {
  const FuzzTarget& target = TargetNamed(GetParam());
  // Every target has checked-in seeds, so this test never passes vacuously.
  EXPECT_GT(Replay(target, CorpusRoot() / GetParam()), 0u) << "no seeds in " << CorpusRoot();
}

TEST_P(FuzzReplayTest, SavedCrashersRunCleanly) {
  const FuzzTarget& target = TargetNamed(GetParam());
  Replay(target, RegressionRoot() / GetParam());
}

TEST_P(FuzzReplayTest, EmptyInputRunsCleanly) {
  const FuzzTarget& target = TargetNamed(GetParam());
  EXPECT_EQ(target.function(nullptr, 0), 0);
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzReplayTest, ::testing::ValuesIn(TargetNames()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

// A folder whose name is not a target (a typo) would be silently skipped by the replay.
TEST(FuzzReplayFolders, EveryFolderNamesATarget) {
  const std::vector<std::string> names = TargetNames();
  const std::set<std::string> known(names.begin(), names.end());
  for (const fs::path& root : {CorpusRoot(), RegressionRoot()}) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(root, ec)) {
      if (!entry.is_directory()) continue;
      EXPECT_TRUE(known.count(entry.path().filename().string())) << entry.path();
    }
  }
}

}  // namespace
}  // namespace faceberg::fuzz
