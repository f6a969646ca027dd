// The hf:// FileIO against the local hub: one request per Parquet footer, sizes seeded or
// learnt, range reads, concurrency, and the footer reader running over it.
#include "hub/hf_file_io.h"

#include <atomic>
#include <random>
#include <thread>

#include "format/parquet/footer.h"
#include "hub_test_util.h"

namespace faceberg::hub {
namespace {

using testing::LocalHubFixture;
using testing::ReadLocalFile;
using testing::TestDataPath;

class HfFileIOTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fixture_ = new LocalHubFixture();
    train_ = ReadLocalFile(TestDataPath("parquet/pyarrow_ids.parquet"));
    small_ = ReadLocalFile(TestDataPath("parquet/duckdb_ids.parquet"));
    fixture_->AddFile("o/ds", "data/train-00000-of-00001.parquet", train_);
    fixture_->AddFile("o/ds", "data/test-00000-of-00001.parquet", small_);
    fixture_->AddFile("o/ds", "notes.txt", "0123456789");
    fixture_->AddFile("o/ds", "empty.txt", "");
    fixture_->AddFile("o/ds", ".refs/convert/parquet/default/train/0000.parquet", small_);
    ASSERT_OK(fixture_->Start());
  }
  static void TearDownTestSuite() {
    delete fixture_;
    fixture_ = nullptr;
  }
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(auto api, fixture_->Api());
    io_ = std::make_unique<HfFileIO>(api);
    fixture_->hub().ResetStats();
  }

  LocalHubFixture& hub() { return *fixture_; }

  static LocalHubFixture* fixture_;
  static std::string train_, small_;
  std::unique_ptr<HfFileIO> io_;
};

LocalHubFixture* HfFileIOTest::fixture_ = nullptr;
std::string HfFileIOTest::train_, HfFileIOTest::small_;

constexpr char kTrain[] = "hf://datasets/o/ds/data/train-00000-of-00001.parquet";

TEST_F(HfFileIOTest, FooterCostsOneHubRequest) {
  io::MemoryInputFile local("local", train_);
  ASSERT_OK_AND_ASSIGN(parquet::ParquetFooter expected, parquet::ReadFooter(local));

  ASSERT_OK_AND_ASSIGN(auto file, io_->NewInputFile(kTrain));
  EXPECT_EQ(hub().hub().stats().total, 0);  // opening sends nothing
  ASSERT_OK_AND_ASSIGN(parquet::ParquetFooter footer, parquet::ReadFooter(*file));
  EXPECT_EQ(footer.metadata_length, expected.metadata_length);
  EXPECT_EQ(footer.metadata.num_rows, expected.metadata.num_rows);
  EXPECT_EQ(footer.metadata.schema.size(), expected.metadata.schema.size());
  EXPECT_EQ(hub().HubRequests(), 1);     // one resolve with Range: bytes=-65536
  EXPECT_EQ(hub().Route("resolve"), 1);  // (plus the CDN hop of the LFS redirect)
  // The size was learnt from Content-Range: Size() is free.
  EXPECT_EQ(io_->CachedSize(kTrain), train_.size());
  ASSERT_OK_AND_ASSIGN(uint64_t size, file->Size());
  EXPECT_EQ(size, train_.size());
  EXPECT_EQ(hub().HubRequests(), 1);
}

TEST_F(HfFileIOTest, ReadTailIsOneSuffixRequest) {
  ASSERT_OK_AND_ASSIGN(auto file, io_->NewInputFile(kTrain));
  ASSERT_OK_AND_ASSIGN(std::string tail, file->ReadTail(8));
  EXPECT_EQ(tail, train_.substr(train_.size() - 8));
  ASSERT_OK_AND_ASSIGN(std::string all, file->ReadTail(1 << 20));
  EXPECT_EQ(all, train_);
  EXPECT_EQ(hub().Route("resolve"), 2);
  ASSERT_OK_AND_ASSIGN(auto empty, io_->NewInputFile("hf://datasets/o/ds/empty.txt"));
  ASSERT_OK_AND_ASSIGN(std::string nothing, empty->ReadTail(8));
  EXPECT_EQ(nothing, "");
  EXPECT_EQ(io_->CachedSize("hf://datasets/o/ds/empty.txt"), 0u);
}

TEST_F(HfFileIOTest, SizeByHeadSeededOrFromAListing) {
  ASSERT_OK_AND_ASSIGN(auto file, io_->NewInputFile(kTrain));
  ASSERT_OK_AND_ASSIGN(uint64_t size, file->Size());
  EXPECT_EQ(size, train_.size());
  EXPECT_EQ(hub().Route("resolve"), 1);
  EXPECT_EQ(hub().Route("cdn"), 0);  // the HEAD stops at the LFS redirect
  ASSERT_OK_AND_ASSIGN(size, file->Size());
  EXPECT_EQ(hub().Route("resolve"), 1);  // cached

  // Seeded sizes cost nothing (the cache is shared by every file of this FileIO).
  ASSERT_OK(io_->SeedSize("hf://datasets/o/ds@main/notes.txt", 10));
  ASSERT_OK_AND_ASSIGN(auto notes, io_->NewInputFile("hf://datasets/o/ds/notes.txt"));
  ASSERT_OK_AND_ASSIGN(size, notes->Size());
  EXPECT_EQ(size, 10u);
  EXPECT_EQ(hub().Route("resolve"), 1);

  // From a tree listing, for a pinned revision.
  ASSERT_OK_AND_ASSIGN(std::string sha, io_->api().ResolveRevision("o/ds", "main"));
  ASSERT_OK_AND_ASSIGN(auto entries, io_->api().ListTree("o/ds", sha));
  io_->SeedSizes("o/ds", sha, entries);
  std::string pinned = "hf://datasets/o/ds@" + sha + "/data/test-00000-of-00001.parquet";
  EXPECT_EQ(io_->CachedSize(pinned), small_.size());
  ASSERT_OK_AND_ASSIGN(auto small, io_->NewInputFile(pinned));
  hub().hub().ResetStats();
  ASSERT_OK_AND_ASSIGN(std::string all, small->ReadAll());
  EXPECT_EQ(all, small_);
  EXPECT_EQ(hub().HubRequests(), 1);  // no HEAD before the read
}

TEST_F(HfFileIOTest, ReadAtRanges) {
  ASSERT_OK_AND_ASSIGN(auto file, io_->NewInputFile(kTrain));
  ASSERT_OK_AND_ASSIGN(std::string head, file->ReadAt(0, 4));
  EXPECT_EQ(head, "PAR1");
  ASSERT_OK_AND_ASSIGN(std::string middle, file->ReadAt(1000, 333));
  EXPECT_EQ(middle, train_.substr(1000, 333));
  ASSERT_OK_AND_ASSIGN(std::string none, file->ReadAt(5, 0));
  EXPECT_EQ(none, "");
  EXPECT_ERROR(file->ReadAt(train_.size() - 1, 2), ErrorCode::kCorrupt, "passes the end");
  EXPECT_ERROR(file->ReadAt(train_.size() + 5, 1), ErrorCode::kCorrupt, "passes the end");
  ASSERT_OK_AND_ASSIGN(auto notes, io_->NewInputFile("hf://datasets/o/ds/notes.txt"));
  ASSERT_OK_AND_ASSIGN(std::string digits, notes->ReadAt(3, 4));
  EXPECT_EQ(digits, "3456");
}

TEST_F(HfFileIOTest, RevisionsInUris) {
  ASSERT_OK_AND_ASSIGN(std::string sha, io_->api().ResolveRevision("o/ds", "main"));
  ASSERT_OK_AND_ASSIGN(auto pinned, io_->NewInputFile("hf://datasets/o/ds@" + sha + "/notes.txt"));
  ASSERT_OK_AND_ASSIGN(std::string text, pinned->ReadAt(0, 10));
  EXPECT_EQ(text, "0123456789");
  for (const char* uri :
       {"hf://datasets/o/ds@refs/convert/parquet/default/train/0000.parquet",
        "hf://datasets/o/ds@refs%2Fconvert%2Fparquet/default/train/0000.parquet"}) {
    ASSERT_OK_AND_ASSIGN(auto converted, io_->NewInputFile(uri));
    ASSERT_OK_AND_ASSIGN(parquet::ParquetFooter footer, parquet::ReadFooter(*converted));
    EXPECT_GT(footer.metadata.num_rows, 0) << uri;
  }
  ASSERT_OK_AND_ASSIGN(auto missing_rev, io_->NewInputFile("hf://datasets/o/ds@nope/notes.txt"));
  EXPECT_ERROR(missing_rev->ReadTail(4), ErrorCode::kNotFound, "revision 'nope' does not exist");
  ASSERT_OK_AND_ASSIGN(auto missing_file, io_->NewInputFile("hf://datasets/o/ds/nope.parquet"));
  EXPECT_ERROR(parquet::ReadFooter(*missing_file), ErrorCode::kNotFound,
               "'nope.parquet' does not exist in dataset o/ds");
}

TEST_F(HfFileIOTest, ReadOnly) {
  EXPECT_ERROR(io_->WriteFile("hf://datasets/o/ds/x", "x", io::WriteMode::kOverwrite),
               ErrorCode::kNotSupported, "read-only");
  EXPECT_ERROR(io_->DeleteFile("hf://datasets/o/ds/notes.txt"), ErrorCode::kNotSupported,
               "read-only");
  EXPECT_ERROR(io_->NewInputFile("hf://datasets/o/ds"), ErrorCode::kInvalidArgument, "not a file");
  EXPECT_ERROR(io_->NewInputFile("/local/path"), ErrorCode::kInvalidArgument, "not an hf://");
  EXPECT_EQ(hub().hub().stats().total, 0);
}

TEST_F(HfFileIOTest, ExistsAndListDir) {
  ASSERT_OK_AND_ASSIGN(bool file_exists, io_->Exists("hf://datasets/o/ds/notes.txt"));
  EXPECT_TRUE(file_exists);
  EXPECT_EQ(io_->CachedSize("hf://datasets/o/ds/notes.txt"), 10u);
  ASSERT_OK_AND_ASSIGN(bool dir_exists, io_->Exists("hf://datasets/o/ds/data"));
  EXPECT_TRUE(dir_exists);
  ASSERT_OK_AND_ASSIGN(bool missing, io_->Exists("hf://datasets/o/ds/none.txt"));
  EXPECT_FALSE(missing);
  ASSERT_OK_AND_ASSIGN(bool repo, io_->Exists("hf://datasets/o/ds"));
  EXPECT_TRUE(repo);

  ASSERT_OK_AND_ASSIGN(auto names, io_->ListDir("hf://datasets/o/ds/data"));
  EXPECT_EQ(names, (std::vector<std::string>{"test-00000-of-00001.parquet",
                                             "train-00000-of-00001.parquet"}));
  EXPECT_EQ(io_->CachedSize(kTrain), train_.size());
  ASSERT_OK_AND_ASSIGN(auto root, io_->ListDir("hf://datasets/o/ds"));
  EXPECT_EQ(root, (std::vector<std::string>{"data", "empty.txt", "notes.txt"}));
  ASSERT_OK_AND_ASSIGN(auto none, io_->ListDir("hf://datasets/o/ds/nowhere"));
  EXPECT_TRUE(none.empty());
  EXPECT_ERROR(io_->ListDir("hf://datasets/o/ds@nope/data"), ErrorCode::kNotFound, "revision");
}

TEST_F(HfFileIOTest, ConcurrentReadsShareOneFile) {
  ASSERT_OK_AND_ASSIGN(auto file, io_->NewInputFile(kTrain));
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      for (int i = 0; i < 15; ++i) {
        uint64_t offset = rng() % (train_.size() - 200);
        uint64_t length = 1 + rng() % 200;
        auto bytes = i % 5 == 0 ? file->ReadTail(length) : file->ReadAt(offset, length);
        std::string expected =
            i % 5 == 0 ? train_.substr(train_.size() - length) : train_.substr(offset, length);
        if (bytes.ok() && *bytes == expected) ++good;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(good, 8 * 15);
}

TEST_F(HfFileIOTest, ReadTailsInOneBatch) {
  std::vector<std::string> locations = {kTrain,
                                        "hf://datasets/o/ds/data/test-00000-of-00001.parquet",
                                        "hf://datasets/o/ds/nope", "bad://x"};
  auto tails = io_->ReadTails(locations, 8);
  ASSERT_EQ(tails.size(), 4u);
  ASSERT_OK(tails[0]);
  EXPECT_EQ(*tails[0], train_.substr(train_.size() - 8));
  ASSERT_OK(tails[1]);
  EXPECT_EQ(*tails[1], small_.substr(small_.size() - 8));
  EXPECT_EQ(tails[2].status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(tails[3].status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(io_->CachedSize(locations[1]), small_.size());
  EXPECT_EQ(hub().Route("resolve"), 3);
}

}  // namespace
}  // namespace faceberg::hub
