// Test helpers: Result/Status assertions, temp folders, test data paths.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "util/result.h"
#include "util/uuid.h"

#define ASSERT_OK(expr)                                              \
  do {                                                               \
    auto&& _st = ::faceberg::internal::ToStatus(expr);               \
    ASSERT_TRUE(_st.ok()) << #expr << " failed: " << _st.ToString(); \
  } while (false)

#define EXPECT_OK(expr)                                              \
  do {                                                               \
    auto&& _st = ::faceberg::internal::ToStatus(expr);               \
    EXPECT_TRUE(_st.ok()) << #expr << " failed: " << _st.ToString(); \
  } while (false)

#define FB_TEST_CONCAT_(a, b) a##b
#define FB_TEST_CONCAT(a, b) FB_TEST_CONCAT_(a, b)
#define ASSERT_OK_AND_ASSIGN_IMPL(tmp, lhs, expr)                                  \
  auto tmp = (expr);                                                               \
  ASSERT_TRUE(tmp.has_value()) << #expr << " failed: " << tmp.status().ToString(); \
  lhs = std::move(tmp).value()
#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL(FB_TEST_CONCAT(_fb_res_, __LINE__), lhs, expr)

/// Asserts `expr` failed with `code` and its message contains `substring`.
#define EXPECT_ERROR(expr, error_code, substring)                                  \
  do {                                                                             \
    auto&& _st = ::faceberg::internal::ToStatus(expr);                             \
    EXPECT_EQ(_st.code(), error_code) << _st.ToString();                           \
    EXPECT_THAT(_st.message(), ::testing::HasSubstr(substring)) << _st.ToString(); \
  } while (false)

namespace faceberg::testing {

/// tests/data, from the FACEBERG_TEST_DATA environment variable that ctest sets.
inline std::string TestDataPath(const std::string& relative) {
  const char* root = std::getenv("FACEBERG_TEST_DATA");
  return std::string(root ? root : "tests/data") + "/" + relative;
}

/// A fresh temporary folder removed when the object is destroyed.
class TempDir {
 public:
  TempDir() : path_(std::filesystem::temp_directory_path() / ("faceberg-test-" + RandomUuid())) {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string Join(const std::string& child) const { return (path_ / child).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace faceberg::testing
