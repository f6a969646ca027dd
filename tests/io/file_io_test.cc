#include "io/file_io.h"

#include <atomic>
#include <filesystem>
#include <thread>

#include "test_util.h"

namespace faceberg::io {
namespace {

using faceberg::testing::TempDir;

TEST(LocalFileIOTest, WriteReadRoundTrip) {
  TempDir dir;
  LocalFileIO io;
  std::string path = dir.Join("a/b/c.bin");
  ASSERT_OK(io.WriteFile(path, "hello world", WriteMode::kOverwrite));
  ASSERT_OK_AND_ASSIGN(auto file, io.NewInputFile(path));
  EXPECT_EQ(*file->Size(), 11u);
  EXPECT_EQ(*file->ReadAt(6, 5), "world");
  EXPECT_EQ(*file->ReadTail(5), "world");
  EXPECT_EQ(*file->ReadTail(100), "hello world");
  EXPECT_EQ(*file->ReadAll(), "hello world");
  EXPECT_ERROR(file->ReadAt(8, 5), ErrorCode::kCorrupt, "passes the end");
  EXPECT_ERROR(file->ReadAll(4), ErrorCode::kInvalidArgument, "more than");
}

TEST(LocalFileIOTest, NoReplaceRefusesExistingTarget) {
  TempDir dir;
  LocalFileIO io;
  std::string path = dir.Join("v1.metadata.json");
  ASSERT_OK(io.WriteFile(path, "first", WriteMode::kNoReplace));
  EXPECT_ERROR(io.WriteFile(path, "second", WriteMode::kNoReplace), ErrorCode::kAlreadyExists,
               "already exists");
  EXPECT_EQ(*(*io.NewInputFile(path))->ReadAll(), "first");
  // No temp files are left behind by either attempt.
  EXPECT_EQ(*io.ListDir(dir.path().string()), std::vector<std::string>{"v1.metadata.json"});
}

TEST(LocalFileIOTest, ConcurrentNoReplaceHasOneWinner) {
  TempDir dir;
  std::string path = dir.Join("v2.metadata.json");
  std::atomic<int> wins{0}, conflicts{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      LocalFileIO io;
      Status st = io.WriteFile(path, std::to_string(i), WriteMode::kNoReplace);
      if (st.ok()) ++wins;
      if (st.code() == ErrorCode::kAlreadyExists) ++conflicts;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wins.load(), 1);
  EXPECT_EQ(conflicts.load(), 7);
}

TEST(LocalFileIOTest, MissingFilesAreNotFound) {
  TempDir dir;
  LocalFileIO io;
  EXPECT_ERROR(io.NewInputFile(dir.Join("nope")), ErrorCode::kNotFound, "does not exist");
  EXPECT_ERROR(io.DeleteFile(dir.Join("nope")), ErrorCode::kNotFound, "does not exist");
  EXPECT_FALSE(*io.Exists(dir.Join("nope")));
  EXPECT_TRUE(io.ListDir(dir.Join("nope"))->empty());
  EXPECT_ERROR(io.NewInputFile(dir.path().string()), ErrorCode::kInvalidArgument, "directory");
}

TEST(PathTest, ValidateTableLocation) {
  EXPECT_OK(ValidateTableLocation("/data/warehouse/db/t"));
  EXPECT_OK(ValidateTableLocation("file:///data/warehouse/db/t"));
  EXPECT_OK(ValidateTableLocation("s3://bucket/a..b/t"));
  EXPECT_ERROR(ValidateTableLocation("db/t"), ErrorCode::kInvalidArgument, "is relative");
  EXPECT_ERROR(ValidateTableLocation("../../x"), ErrorCode::kInvalidArgument, "is relative");
  EXPECT_ERROR(ValidateTableLocation("/data/../etc"), ErrorCode::kInvalidArgument, "'..'");
  EXPECT_ERROR(ValidateTableLocation("s3://bucket/../x"), ErrorCode::kInvalidArgument, "'..'");
}

TEST(PathTest, JoinAndLocal) {
  EXPECT_EQ(JoinPath("a/", "/b"), "a/b");
  EXPECT_EQ(JoinPath("", "b"), "b");
  EXPECT_EQ(JoinPath("/", "b"), "/b");
  EXPECT_EQ(LocalPath("file:///tmp/x"), "/tmp/x");
  EXPECT_EQ(LocalPath("/tmp/x"), "/tmp/x");
}

TEST(LocalFileIOTest, LocalPathOfPlainPathsAndFileUris) {
  LocalFileIO io;
  const FileIO& base = io;
  ASSERT_OK_AND_ASSIGN(auto plain, base.LocalPathOf("/data/t/a.parquet"));
  EXPECT_EQ(plain, std::optional<std::string>("/data/t/a.parquet"));
  ASSERT_OK_AND_ASSIGN(auto relative, base.LocalPathOf("warehouse/t"));
  EXPECT_EQ(relative, std::optional<std::string>("warehouse/t"));
  ASSERT_OK_AND_ASSIGN(auto uri, base.LocalPathOf("file:///data/t/a.parquet"));
  EXPECT_EQ(uri, std::optional<std::string>("/data/t/a.parquet"));
  for (const char* remote : {"hf://datasets/o/r/a.parquet", "s3://bucket/key", "https://x/y"}) {
    ASSERT_OK_AND_ASSIGN(auto none, base.LocalPathOf(remote));
    EXPECT_FALSE(none.has_value()) << remote;
  }
}

}  // namespace
}  // namespace faceberg::io
