// Staging remote data files into the local cache, and scans and row changes of tables whose data
// files are remote (served by an in-memory FileIO under a made-up scheme).
#include "engine/staging.h"

#include <atomic>
#include <map>
#include <mutex>

#include "catalog/catalog.h"
#include "engine/row_changes.h"
#include "engine/table_service.h"
#include "engine_test_util.h"
#include "iceberg/parquet_metrics.h"
#include "table/add_files.h"
#include "table/append.h"
#include "util/strings.h"

namespace faceberg::engine {
namespace {

using iceberg::DataFile;

constexpr char kSha[] = "0123456789abcdef0123456789abcdef01234567";

// Local paths go to the local file system; "mem://" and "hf://" locations are served from memory
// (read-only), with every read counted and optional failures.
class RemoteFakeIO final : public io::FileIO {
 public:
  void Put(const std::string& location, std::string data) {
    std::lock_guard<std::mutex> lock(mutex_);
    objects_[location] = std::move(data);
  }
  // Makes reads at or after `offset` of `location` fail with a network error.
  void FailReadsFrom(const std::string& location, uint64_t offset) {
    std::lock_guard<std::mutex> lock(mutex_);
    fail_from_[location] = offset;
  }
  int64_t reads() const { return reads_; }
  int64_t opens() const { return opens_; }

  Result<std::unique_ptr<io::InputFile>> NewInputFile(std::string_view location) override {
    if (!IsRemote(location)) return local_.NewInputFile(location);
    ++opens_;
    std::lock_guard<std::mutex> lock(mutex_);
    if (!objects_.count(std::string(location))) return NotFound("{} does not exist", location);
    return std::unique_ptr<io::InputFile>(std::make_unique<File>(this, std::string(location)));
  }
  Status WriteFile(std::string_view location, std::string_view data, io::WriteMode mode) override {
    if (IsRemote(location)) return NotSupported("read-only");
    return local_.WriteFile(location, data, mode);
  }
  Status DeleteFile(std::string_view location) override {
    if (IsRemote(location)) return NotSupported("read-only");
    return local_.DeleteFile(location);
  }
  Result<bool> Exists(std::string_view location) override {
    if (!IsRemote(location)) return local_.Exists(location);
    std::lock_guard<std::mutex> lock(mutex_);
    return objects_.count(std::string(location)) > 0;
  }
  Result<std::vector<std::string>> ListDir(std::string_view location) override {
    return local_.ListDir(location);
  }

 private:
  static bool IsRemote(std::string_view location) {
    return StartsWith(location, "mem://") || StartsWith(location, "hf://");
  }

  class File final : public io::InputFile {
   public:
    File(RemoteFakeIO* owner, std::string location)
        : owner_(owner), location_(std::move(location)) {}
    const std::string& location() const override { return location_; }
    Result<uint64_t> Size() override {
      std::lock_guard<std::mutex> lock(owner_->mutex_);
      return owner_->objects_[location_].size();
    }
    Result<std::string> ReadAt(uint64_t offset, uint64_t length) override {
      ++owner_->reads_;
      std::lock_guard<std::mutex> lock(owner_->mutex_);
      auto fail = owner_->fail_from_.find(location_);
      if (fail != owner_->fail_from_.end() && offset + length > fail->second) {
        return NetworkError("connection reset reading {}", location_);
      }
      const std::string& data = owner_->objects_[location_];
      if (offset + length > data.size()) return Corrupt("read past the end of {}", location_);
      return data.substr(offset, length);
    }

   private:
    RemoteFakeIO* owner_;
    std::string location_;
  };

  io::LocalFileIO local_;
  std::mutex mutex_;
  std::map<std::string, std::string> objects_;  // guarded by mutex_
  std::map<std::string, uint64_t> fail_from_;   // guarded by mutex_
  std::atomic<int64_t> reads_{0};
  std::atomic<int64_t> opens_{0};
};

std::string Bytes(size_t n) {
  std::string out(n, '\0');
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<char>((i * 7 + i / 251) & 0xFF);
  return out;
}

DataFile Remote(const std::string& location, size_t size) {
  DataFile f;
  f.file_path = location;
  f.file_size_in_bytes = static_cast<int64_t>(size);
  return f;
}

class StagingTest : public EngineTest {
 protected:
  StagingOptions Options(uint64_t chunk = 1000) {
    StagingOptions options;
    options.cache_dir = cache_.path().string();
    options.chunk_size = chunk;
    options.max_parallel = 4;
    return options;
  }
  std::string ReadLocal(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  testing::TempDir cache_;
  RemoteFakeIO remote_;
};

TEST(StagingLocations, WhichLocationsNeedStagingAndWhichAreImmutable) {
  EXPECT_FALSE(NeedsStaging("/data/a.parquet"));
  EXPECT_FALSE(NeedsStaging("relative/a.parquet"));
  EXPECT_FALSE(NeedsStaging("file:///data/a.parquet"));
  EXPECT_FALSE(NeedsStaging("FILE:///data/a.parquet"));
  EXPECT_FALSE(NeedsStaging("/odd/dir://x.parquet"));
  EXPECT_TRUE(NeedsStaging("hf://datasets/o/n/a.parquet"));
  EXPECT_TRUE(NeedsStaging("s3://bucket/a.parquet"));

  EXPECT_TRUE(IsImmutableLocation(std::string("hf://datasets/o/n@") + kSha + "/data/a.parquet"));
  EXPECT_FALSE(IsImmutableLocation("hf://datasets/o/n/data/a.parquet"));
  EXPECT_FALSE(IsImmutableLocation("hf://datasets/o/n@main/data/a.parquet"));
  EXPECT_FALSE(IsImmutableLocation("hf://datasets/o/n@refs%2Fconvert%2Fparquet/d/t/0.parquet"));
  EXPECT_FALSE(IsImmutableLocation(std::string("hf://datasets/o/n@") + kSha));  // no path
  EXPECT_FALSE(IsImmutableLocation(std::string("s3://datasets/o/n@") + kSha + "/a.parquet"));
  EXPECT_FALSE(IsImmutableLocation(std::string("hf://datasets/o/n@") + kSha + "0/a.parquet"));
}

TEST(StagingLocations, CacheDirectoryFromTheEnvironment) {
  auto env = [](std::map<std::string, std::string> vars) {
    return [vars](std::string_view name) -> std::optional<std::string> {
      auto it = vars.find(std::string(name));
      if (it == vars.end()) return std::nullopt;
      return it->second;
    };
  };
  ASSERT_OK_AND_ASSIGN(
      std::string dir,
      DefaultCacheDirectory(
          env({{"FACEBERG_CACHE_DIR", "/c"}, {"XDG_CACHE_HOME", "/x"}, {"HOME", "/h"}})));
  EXPECT_EQ(dir, "/c");
  ASSERT_OK_AND_ASSIGN(
      dir, DefaultCacheDirectory(
               env({{"FACEBERG_CACHE_DIR", ""}, {"XDG_CACHE_HOME", "/x"}, {"HOME", "/h"}})));
  EXPECT_EQ(dir, "/x/faceberg");
  ASSERT_OK_AND_ASSIGN(dir,
                       DefaultCacheDirectory(env({{"XDG_CACHE_HOME", "rel"}, {"HOME", "/h"}})));
  EXPECT_EQ(dir, "/h/.cache/faceberg");
  EXPECT_ERROR(DefaultCacheDirectory(env({})), ErrorCode::kInvalidArgument, "FACEBERG_CACHE_DIR");
}

TEST_F(StagingTest, ImmutableFilesAreDownloadedInChunksOnceAndReused) {
  const std::string a = std::string("hf://datasets/o/n@") + kSha + "/data/train-0.parquet";
  const std::string b = std::string("hf://datasets/o/n@") + kSha + "/data/odd name?.parquet";
  remote_.Put(a, Bytes(10'500));
  remote_.Put(b, Bytes(999));
  DataFile local = Remote(dir_.Join("local.parquet"), 3);
  std::vector<DataFile> files = {Remote(a, 10'500), local, Remote(b, 999), Remote(a, 10'500)};

  ASSERT_OK_AND_ASSIGN(StagedFiles staged, StageDataFiles(remote_, files, Options()));
  EXPECT_EQ(staged.staged, 3);
  EXPECT_EQ(staged.downloaded, 2);  // `a` twice is one download
  EXPECT_EQ(staged.bytes_downloaded, 10'500u + 999u);
  EXPECT_EQ(remote_.reads(), 11 + 1);  // 1000-byte chunks
  ASSERT_EQ(staged.files.size(), 4u);
  EXPECT_EQ(staged.files[1], local);
  EXPECT_EQ(staged.files[0].file_path, staged.files[3].file_path);
  EXPECT_TRUE(StartsWith(staged.files[0].file_path, cache_.Join("data/")));
  EXPECT_TRUE(EndsWith(staged.files[0].file_path, "/train-0.parquet"));
  EXPECT_TRUE(EndsWith(staged.files[2].file_path, "/odd_name_.parquet"));
  EXPECT_EQ(ReadLocal(staged.files[0].file_path), Bytes(10'500));
  EXPECT_EQ(ReadLocal(staged.files[2].file_path), Bytes(999));
  EXPECT_EQ(staged.files[0].file_size_in_bytes, 10'500);

  // Another staging (another process alike) finds the entries: nothing is read.
  ASSERT_OK_AND_ASSIGN(StagedFiles again, StageDataFiles(remote_, files, Options()));
  EXPECT_EQ(again.downloaded, 0);
  EXPECT_EQ(remote_.reads(), 12);
  EXPECT_EQ(again.files, staged.files);
}

TEST_F(StagingTest, MutableLocationsAreFetchedAgainEveryTime) {
  const std::string loc = "hf://datasets/o/n/data/train.parquet";  // no commit sha
  remote_.Put(loc, "first");
  ASSERT_OK_AND_ASSIGN(StagedFiles staged, StageDataFiles(remote_, {Remote(loc, 5)}, Options()));
  EXPECT_TRUE(StartsWith(staged.files[0].file_path, cache_.Join("volatile/")));
  EXPECT_EQ(ReadLocal(staged.files[0].file_path), "first");
  remote_.Put(loc, "other");
  ASSERT_OK_AND_ASSIGN(staged, StageDataFiles(remote_, {Remote(loc, 5)}, Options()));
  EXPECT_EQ(staged.downloaded, 1);
  EXPECT_EQ(ReadLocal(staged.files[0].file_path), "other");
  // A size of 0 in the manifest means unknown: the file's own size is used.
  ASSERT_OK_AND_ASSIGN(staged, StageDataFiles(remote_, {Remote(loc, 0)}, Options()));
  EXPECT_EQ(ReadLocal(staged.files[0].file_path), "other");
}

TEST_F(StagingTest, SizeMismatchAndReadFailuresLeaveNothingBehind) {
  const std::string changed = std::string("hf://datasets/o/n@") + kSha + "/changed.parquet";
  remote_.Put(changed, Bytes(2000));
  EXPECT_ERROR(StageDataFiles(remote_, {Remote(changed, 1500)}, Options()), ErrorCode::kCorrupt,
               "has 2000 bytes but the table's metadata says 1500");

  const std::string broken = std::string("hf://datasets/o/n@") + kSha + "/broken.parquet";
  remote_.Put(broken, Bytes(5000));
  remote_.FailReadsFrom(broken, 3500);
  EXPECT_ERROR(StageDataFiles(remote_, {Remote(changed, 2000), Remote(broken, 5000)}, Options()),
               ErrorCode::kNetwork, "staging " + broken);
  // The good file may have been published; the broken one left no entry and no temp file.
  for (const auto& path : FilesUnder(cache_.path().string())) {
    EXPECT_TRUE(EndsWith(path, "/changed.parquet")) << path;
  }
  EXPECT_ERROR(StageDataFiles(remote_, {Remote("mem://missing.parquet", 10)}, Options()),
               ErrorCode::kNotFound, "mem://missing.parquet");
}

TEST_F(StagingTest, FilesTheFileIOStoresLocallyAreReadInPlace) {
  // The files of a mirrored catalog: a scheme, but a local file behind it. No copy is made.
  MappedFileIO mapped(dir_.Join("mirror"));
  ASSERT_OK(
      mapped.WriteFile("mapped://cat/t/data/a.parquet", Bytes(100), io::WriteMode::kNoReplace));
  std::vector<DataFile> files = {Remote("mapped://cat/t/data/a.parquet", 100)};
  ASSERT_OK_AND_ASSIGN(StagedFiles staged, StageDataFiles(mapped, files, Options()));
  EXPECT_EQ(staged.local, 1);
  EXPECT_EQ(staged.staged, 0);
  EXPECT_EQ(staged.downloaded, 0);
  ASSERT_EQ(staged.files.size(), 1u);
  EXPECT_EQ(staged.files[0].file_path, dir_.Join("mirror/cat/t/data/a.parquet"));
  EXPECT_EQ(FilesUnder(cache_.path().string()), std::vector<std::string>{});
}

TEST_F(StagingTest, LocalCopiesOfUploadedFilesServeLaterStagings) {
  const std::string location = std::string("hf://datasets/o/n@") + kSha + "/data/new.parquet";
  const std::string local = WriteText("new.parquet", Bytes(2500));
  ASSERT_OK(CacheLocalCopy(location, local, Options()));
  EXPECT_TRUE(std::filesystem::exists(local));  // left alone
  ASSERT_OK_AND_ASSIGN(StagedFiles staged,
                       StageDataFiles(remote_, {Remote(location, 2500)}, Options()));
  EXPECT_EQ(staged.staged, 1);
  EXPECT_EQ(staged.downloaded, 0);
  EXPECT_EQ(remote_.opens(), 0);  // the Hub is not asked
  EXPECT_EQ(ReadLocal(staged.files[0].file_path), Bytes(2500));
  // Caching again keeps the entry; no temporary file is left.
  ASSERT_OK(CacheLocalCopy(location, local, Options()));
  EXPECT_EQ(FilesUnder(cache_.path().string()),
            std::vector<std::string>{staged.files[0].file_path});

  EXPECT_ERROR(CacheLocalCopy("hf://datasets/o/n/data/new.parquet", local, Options()),
               ErrorCode::kInvalidArgument, "not pinned to a commit");
  EXPECT_ERROR(CacheLocalCopy(std::string("hf://datasets/o/n@") + kSha + "/other.parquet",
                              dir_.Join("missing.parquet"), Options()),
               ErrorCode::kNotFound, "missing.parquet");
}

// A table whose data file is remote: planned scans and row changes read a staged copy.
TEST_F(StagingTest, ScansAndRowChangesOfRemoteDataFiles) {
  testing::TempDir warehouse;
  ASSERT_OK_AND_ASSIGN(auto catalog, catalog::OpenCatalog(remote_, warehouse.Join("cat"), true));
  catalog::CreateTableOptions create;
  ASSERT_OK_AND_ASSIGN(create.schema, iceberg::ParseSchemaString("id long, name string"));
  ASSERT_OK_AND_ASSIGN(auto id, catalog::ParseTableIdentifier("default.t"));
  ASSERT_OK(catalog->CreateTable(id, create).status());
  ASSERT_OK_AND_ASSIGN(auto ops, catalog->LoadTable(id));

  const std::string written = dir_.Join("rows.parquet");
  ASSERT_OK(
      con_->Execute("COPY (SELECT range::BIGINT AS id, 'n' || range AS name FROM range(10)) TO '" +
                    written + "' (FORMAT parquet)"));
  const std::string location = std::string("hf://datasets/o/n@") + kSha + "/data/rows.parquet";
  remote_.Put(location, ReadLocal(written));
  std::filesystem::remove(written);
  ASSERT_OK(table::AddParquetFiles(*ops, {location}).status());

  setenv("FACEBERG_CACHE_DIR", cache_.path().c_str(), 1);
  table::ScanOptions options;
  options.filter = "id >= 7";
  ASSERT_OK_AND_ASSIGN(PlannedScan planned,
                       PlanTableScan(remote_, *ops->Refresh().value(), options));
  ASSERT_EQ(planned.plan.files.size(), 1u);
  EXPECT_EQ(planned.plan.files[0].file_path, location);  // the plan keeps the table's locations
  EXPECT_EQ(Rows(planned.sql + " ORDER BY id"),
            (std::vector<Row>{{"7", "n7"}, {"8", "n8"}, {"9", "n9"}}));

  RowChangeRequest change;
  change.filter = "id < 5";
  ASSERT_OK_AND_ASSIGN(RowChangeResult result, ChangeRows(*ops, *con_, change));
  EXPECT_EQ(result.files_rewritten, 1);
  EXPECT_EQ(result.rows_deleted, 5);
  ASSERT_OK_AND_ASSIGN(planned, PlanTableScan(remote_, *ops->Refresh().value(), {}));
  EXPECT_EQ(Rows("SELECT count(*), min(id) FROM (" + planned.sql + ")"),
            (std::vector<Row>{{"5", "5"}}));
  unsetenv("FACEBERG_CACHE_DIR");
}

}  // namespace
}  // namespace faceberg::engine
