// HfApi against the local hub: every call, error mapping, pagination, parallel batches, LFS
// uploads, commits and conflicts, private and gated repos, retries under injected faults.
#include "hub/hf_api.h"

#include <atomic>
#include <set>
#include <thread>

#include "http_test_server.h"
#include "hub_test_util.h"

namespace faceberg::hub {
namespace {

using testing::LocalHubFixture;
using testing::ReadLocalFile;
using testing::TestDataPath;

constexpr char kTokens[] = R"({
  "tokens": {
    "hf_alice": {"user": "alice", "repos": ["alice/*", "org/*", "w/*"], "write": true},
    "hf_reader": {"repos": ["alice/public", "org/gated"]},
    "hf_outsider": {"repos": ["alice/public"]}
  },
  "private": ["alice/secret"],
  "gated": {"org/gated": "manual"}
})";

constexpr int kManyFiles = 5000;

class HfApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fixture_ = new LocalHubFixture();
    readme_ = "---\nlicense: mit\n---\n# Public\n";
    train_ = ReadLocalFile(TestDataPath("parquet/pyarrow_ids.parquet"));
    test_ = ReadLocalFile(TestDataPath("parquet/duckdb_ids.parquet"));
    ASSERT_GT(train_.size(), 1000u);
    fixture_->AddFile("alice/public", "README.md", readme_);
    fixture_->AddFile("alice/public", "data/train-00000-of-00001.parquet", train_);
    fixture_->AddFile("alice/public", "data/test-00000-of-00001.parquet", test_);
    fixture_->AddFile("alice/public", "docs/notes @ 1.txt", "spaces and at");
    fixture_->AddFile("alice/secret", "data.csv", "a,b\n1,2\n");
    fixture_->AddFile("org/gated", "x.csv", "x\n1\n");
    for (int i = 0; i < kManyFiles; ++i) {
      fixture_->AddFile("alice/many", fmt::format("data/part-{:05d}.txt", i), std::to_string(i));
    }
    fixture_->SetTokens(kTokens);
    LocalHubOptions options;
    options.lfs_chunk_size = 64 * 1024;  // multipart above 64 KiB
    ASSERT_OK(fixture_->Start(options));
  }
  static void TearDownTestSuite() {
    delete fixture_;
    fixture_ = nullptr;
  }

  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(anonymous_, fixture_->Api());
    ASSERT_OK_AND_ASSIGN(alice_, fixture_->Api("hf_alice"));
    ASSERT_OK_AND_ASSIGN(reader_, fixture_->Api("hf_reader"));
  }

  LocalHubFixture& hub() { return *fixture_; }

  static LocalHubFixture* fixture_;
  static std::string readme_, train_, test_;
  std::shared_ptr<HfApi> anonymous_, alice_, reader_;
};

LocalHubFixture* HfApiTest::fixture_ = nullptr;
std::string HfApiTest::readme_, HfApiTest::train_, HfApiTest::test_;

TEST_F(HfApiTest, DatasetInfoResolvesTheCommit) {
  ASSERT_OK_AND_ASSIGN(DatasetInfo info, anonymous_->GetDatasetInfo("alice/public"));
  EXPECT_EQ(info.id, "alice/public");
  EXPECT_EQ(info.sha.size(), 40u);
  EXPECT_FALSE(info.is_private);
  EXPECT_EQ(info.gated, "false");
  std::set<std::string> paths;
  for (const auto& s : info.siblings) paths.insert(s.path);
  EXPECT_TRUE(paths.count("README.md"));
  EXPECT_TRUE(paths.count("data/train-00000-of-00001.parquet"));
  EXPECT_EQ(info.card_data["license"], "mit");

  // The same commit by branch name and by sha; ResolveRevision agrees.
  ASSERT_OK_AND_ASSIGN(DatasetInfo at_main, anonymous_->GetDatasetInfo("alice/public", "main"));
  EXPECT_EQ(at_main.sha, info.sha);
  ASSERT_OK_AND_ASSIGN(DatasetInfo at_sha, anonymous_->GetDatasetInfo("alice/public", info.sha));
  EXPECT_EQ(at_sha.sha, info.sha);
  ASSERT_OK_AND_ASSIGN(std::string sha, anonymous_->ResolveRevision("alice/public", "main"));
  EXPECT_EQ(sha, info.sha);
}

TEST_F(HfApiTest, FilesMetadataAddsSizesAndLfs) {
  ASSERT_OK_AND_ASSIGN(DatasetInfo info, anonymous_->GetDatasetInfo("alice/public", "", true));
  bool seen = false;
  for (const auto& s : info.siblings) {
    if (s.path != "data/train-00000-of-00001.parquet") continue;
    seen = true;
    EXPECT_EQ(s.size, train_.size());
    ASSERT_TRUE(s.lfs.has_value());
    EXPECT_EQ(s.lfs->sha256, Sha256Hex(train_));
  }
  EXPECT_TRUE(seen);
}

TEST_F(HfApiTest, MissingRevisionRepoAndFileSayWhich) {
  EXPECT_ERROR(anonymous_->GetDatasetInfo("alice/public", "nope"), ErrorCode::kNotFound,
               "revision 'nope' does not exist in dataset alice/public");
  EXPECT_ERROR(anonymous_->GetDatasetInfo("alice/nothing"), ErrorCode::kPermission, "set HF_TOKEN");
  EXPECT_ERROR(alice_->GetDatasetInfo("alice/nothing"), ErrorCode::kNotFound,
               "dataset alice/nothing was not found");
  EXPECT_ERROR(anonymous_->ReadFile({"alice/public", "main", "nope.txt", ByteRange::All()}),
               ErrorCode::kNotFound, "'nope.txt' does not exist in dataset alice/public");
  EXPECT_ERROR(anonymous_->ListTree("alice/public", "main", "nofolder"), ErrorCode::kNotFound,
               "'nofolder' does not exist");
  // A double-encoded revision is a different (missing) name: encoded once, never twice.
  EXPECT_ERROR(anonymous_->GetDatasetInfo("alice/public", "refs%2Fpr%2F1"), ErrorCode::kNotFound,
               "revision 'refs%2Fpr%2F1' does not exist");
  EXPECT_ERROR(anonymous_->GetDatasetInfo("not a repo"), ErrorCode::kInvalidArgument, "OWNER/NAME");
}

TEST_F(HfApiTest, ListRefs) {
  ASSERT_OK_AND_ASSIGN(std::string sha, anonymous_->ResolveRevision("alice/public", "main"));
  ASSERT_OK_AND_ASSIGN(RepoRefs refs, anonymous_->ListRefs("alice/public", true));
  ASSERT_FALSE(refs.branches.empty());
  bool main_found = false;
  for (const GitRef& ref : refs.branches) {
    if (ref.name != "main") continue;
    main_found = true;
    EXPECT_EQ(ref.ref, "refs/heads/main");
    EXPECT_EQ(ref.target_commit, sha);
  }
  EXPECT_TRUE(main_found);
}

TEST_F(HfApiTest, ListTreeRecursiveAndOneFolder) {
  ASSERT_OK_AND_ASSIGN(auto all, anonymous_->ListTree("alice/public", "main"));
  std::map<std::string, RepoEntry> by_path;
  for (auto& e : all) by_path[e.path] = e;
  ASSERT_TRUE(by_path.count("data"));
  EXPECT_FALSE(by_path["data"].is_file());
  ASSERT_TRUE(by_path.count("data/train-00000-of-00001.parquet"));
  const RepoEntry& train = by_path["data/train-00000-of-00001.parquet"];
  EXPECT_EQ(train.size, train_.size());
  ASSERT_TRUE(train.lfs.has_value());
  EXPECT_EQ(train.lfs->sha256, Sha256Hex(train_));
  ASSERT_TRUE(by_path.count("README.md"));
  EXPECT_EQ(by_path["README.md"].oid, GitBlobSha1(readme_));
  EXPECT_FALSE(by_path["README.md"].lfs.has_value());
  ASSERT_TRUE(by_path.count("docs/notes @ 1.txt"));

  ASSERT_OK_AND_ASSIGN(auto data, anonymous_->ListTree("alice/public", "main", "data", false));
  std::set<std::string> names;
  for (auto& e : data) names.insert(e.path);
  EXPECT_EQ(names, (std::set<std::string>{"data/test-00000-of-00001.parquet",
                                          "data/train-00000-of-00001.parquet"}));
  // A path with a space and an '@' is encoded (slash as %2F in tree URLs).
  ASSERT_OK_AND_ASSIGN(auto docs, anonymous_->ListTree("alice/public", "main", "docs"));
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].path, "docs/notes @ 1.txt");
}

TEST_F(HfApiTest, TreePaginationOver5000Files) {
  hub().hub().ResetStats();
  ASSERT_OK_AND_ASSIGN(auto entries, anonymous_->ListTree("alice/many", "main"));
  std::set<std::string> files;
  for (const auto& e : entries) {
    if (e.is_file()) files.insert(e.path);
  }
  EXPECT_EQ(files.size(), static_cast<size_t>(kManyFiles));
  EXPECT_TRUE(files.count("data/part-00000.txt"));
  EXPECT_TRUE(files.count("data/part-04999.txt"));
  EXPECT_EQ(entries.size(), files.size() + 1);  // the folder "data"; no duplicates across pages
  // 5001 entries at 1000 per page: 6 pages, each one request.
  EXPECT_EQ(hub().Route("tree"), 6);
}

TEST_F(HfApiTest, PathsInfoInParallelBatches) {
  std::vector<std::string> paths;
  for (int i = 0; i < 1200; ++i) paths.push_back(fmt::format("data/part-{:05d}.txt", i));
  paths.push_back("data/missing.txt");
  hub().hub().ResetStats();
  ASSERT_OK_AND_ASSIGN(auto entries, anonymous_->GetPathsInfo("alice/many", "main", paths));
  EXPECT_EQ(entries.size(), 1200u);         // the missing path is skipped
  EXPECT_EQ(hub().Route("paths-info"), 3);  // 500 + 500 + 201
  std::set<std::string> seen;
  for (const auto& e : entries) {
    seen.insert(e.path);
    EXPECT_TRUE(e.is_file());
  }
  EXPECT_EQ(seen.size(), 1200u);
  EXPECT_TRUE(seen.count("data/part-01199.txt"));
}

TEST_F(HfApiTest, FileMetadataOfRegularAndLfsFiles) {
  ASSERT_OK_AND_ASSIGN(std::string sha, anonymous_->ResolveRevision("alice/public", "main"));
  hub().hub().ResetStats();
  ASSERT_OK_AND_ASSIGN(FileMetadata readme,
                       anonymous_->GetFileMetadata("alice/public", "main", "README.md"));
  EXPECT_EQ(readme.commit_sha, sha);
  EXPECT_EQ(readme.etag, GitBlobSha1(readme_));
  EXPECT_EQ(readme.size, readme_.size());
  ASSERT_OK_AND_ASSIGN(
      FileMetadata train,
      anonymous_->GetFileMetadata("alice/public", "main", "data/train-00000-of-00001.parquet"));
  EXPECT_EQ(train.commit_sha, sha);
  EXPECT_EQ(train.etag, Sha256Hex(train_));
  EXPECT_EQ(train.size, train_.size());
  // The LFS metadata comes from the 302; the CDN is not asked.
  EXPECT_EQ(hub().Route("cdn"), 0);
  EXPECT_ERROR(anonymous_->GetFileMetadata("alice/public", "main", "missing.bin"),
               ErrorCode::kNotFound, "'missing.bin' does not exist in dataset alice/public");
}

TEST_F(HfApiTest, ReadFileWholeAndRanges) {
  const std::string path = "data/train-00000-of-00001.parquet";
  ASSERT_OK_AND_ASSIGN(FileRead all, anonymous_->ReadFile({"alice/public", "", path, {}}));
  EXPECT_EQ(all.data, train_);
  EXPECT_EQ(all.file_size, train_.size());
  EXPECT_EQ(all.commit_sha.size(), 40u);
  EXPECT_EQ(all.etag, Sha256Hex(train_));

  ASSERT_OK_AND_ASSIGN(
      FileRead span, anonymous_->ReadFile({"alice/public", "main", path, ByteRange::Span(4, 100)}));
  EXPECT_EQ(span.data, train_.substr(4, 100));
  EXPECT_EQ(span.offset, 4u);
  EXPECT_EQ(span.file_size, train_.size());

  ASSERT_OK_AND_ASSIGN(FileRead tail,
                       anonymous_->ReadFile({"alice/public", "main", path, ByteRange::Suffix(8)}));
  EXPECT_EQ(tail.data, train_.substr(train_.size() - 8));
  EXPECT_EQ(tail.data.substr(4), "PAR1");
  EXPECT_EQ(tail.offset, train_.size() - 8);
  EXPECT_EQ(tail.file_size, train_.size());

  ASSERT_OK_AND_ASSIGN(FileRead longer, anonymous_->ReadFile({"alice/public", "main", path,
                                                              ByteRange::Suffix(1 << 20)}));
  EXPECT_EQ(longer.data, train_);

  // Regular (non-LFS) files too, through the 307 to the resolve cache.
  ASSERT_OK_AND_ASSIGN(FileRead readme, anonymous_->ReadFile({"alice/public", "main", "README.md",
                                                              ByteRange::Span(0, 3)}));
  EXPECT_EQ(readme.data, "---");
  ASSERT_OK_AND_ASSIGN(FileRead spaced,
                       anonymous_->ReadFile({"alice/public", "main", "docs/notes @ 1.txt", {}}));
  EXPECT_EQ(spaced.data, "spaces and at");

  EXPECT_ERROR(
      anonymous_->ReadFile({"alice/public", "main", path, ByteRange::Span(train_.size() + 10, 5)}),
      ErrorCode::kCorrupt, "passes the end of the file");
  EXPECT_ERROR(
      anonymous_->ReadFile({"alice/public", "main", path, ByteRange::Span(train_.size() - 2, 5)}),
      ErrorCode::kCorrupt, "passes the end of the file");
}

TEST_F(HfApiTest, ReadFilesInParallel) {
  std::vector<FileReadRequest> requests;
  for (int i = 0; i < 40; ++i) {
    requests.push_back(
        {"alice/public", "main",
         i % 2 ? "data/train-00000-of-00001.parquet" : "data/test-00000-of-00001.parquet",
         ByteRange::Span(static_cast<uint64_t>(i), 50)});
  }
  requests.push_back({"alice/public", "main", "missing", ByteRange::All()});
  auto reads = anonymous_->ReadFiles(requests);
  ASSERT_EQ(reads.size(), requests.size());
  for (int i = 0; i < 40; ++i) {
    ASSERT_OK(reads[i]);
    EXPECT_EQ(reads[i]->data, (i % 2 ? train_ : test_).substr(i, 50));
  }
  EXPECT_EQ(reads.back().status().code(), ErrorCode::kNotFound);
}

TEST_F(HfApiTest, PrivateRepoWithAndWithoutToken) {
  EXPECT_ERROR(anonymous_->GetDatasetInfo("alice/secret"), ErrorCode::kPermission,
               "if it is private, set HF_TOKEN to a token with read access");
  ASSERT_OK_AND_ASSIGN(DatasetInfo info, alice_->GetDatasetInfo("alice/secret"));
  EXPECT_TRUE(info.is_private);
  ASSERT_OK_AND_ASSIGN(FileRead read, alice_->ReadFile({"alice/secret", "main", "data.csv", {}}));
  EXPECT_EQ(read.data, "a,b\n1,2\n");
  EXPECT_ERROR(reader_->GetDatasetInfo("alice/secret"), ErrorCode::kNotFound,
               "the token (from HF_TOKEN) has no access");
  ASSERT_OK_AND_ASSIGN(auto wrong, hub().Api("hf_not_a_token"));
  EXPECT_ERROR(wrong->GetDatasetInfo("alice/public"), ErrorCode::kPermission,
               "rejected the token from HF_TOKEN as invalid");
}

TEST_F(HfApiTest, GatedRepo) {
  EXPECT_ERROR(anonymous_->ReadFile({"org/gated", "main", "x.csv", {}}), ErrorCode::kPermission,
               "gated and no token was sent");
  ASSERT_OK_AND_ASSIGN(auto outsider, hub().Api("hf_outsider"));
  EXPECT_ERROR(outsider->ReadFile({"org/gated", "main", "x.csv", {}}), ErrorCode::kPermission,
               "request access at " + hub().endpoint() + "/datasets/org/gated");
  ASSERT_OK_AND_ASSIGN(FileRead read, reader_->ReadFile({"org/gated", "main", "x.csv", {}}));
  EXPECT_EQ(read.data, "x\n1\n");
}

TEST_F(HfApiTest, OfflineFailsBeforeAnyRequest) {
  HfApiOptions options;
  options.endpoint = hub().endpoint();
  options.offline = true;
  options.token = HfToken();
  ASSERT_OK_AND_ASSIGN(auto offline, HfApi::Make(options));
  hub().hub().ResetStats();
  EXPECT_ERROR(offline->GetDatasetInfo("alice/public"), ErrorCode::kNetwork, "HF_HUB_OFFLINE");
  EXPECT_ERROR(offline->ReadFile({"alice/public", "main", "README.md", {}}), ErrorCode::kNetwork,
               "HF_HUB_OFFLINE");
  EXPECT_EQ(hub().hub().stats().total, 0);

  // From the environment too.
  HfApiOptions from_env;
  from_env.env = [this](const char* name) -> std::optional<std::string> {
    if (std::string_view(name) == "HF_HUB_OFFLINE") return "1";
    if (std::string_view(name) == "HF_ENDPOINT") return hub().endpoint() + "/";
    return std::nullopt;
  };
  ASSERT_OK_AND_ASSIGN(auto env_offline, HfApi::Make(from_env));
  EXPECT_TRUE(env_offline->offline());
  EXPECT_EQ(env_offline->endpoint(), hub().endpoint());
  EXPECT_ERROR(env_offline->ListRefs("alice/public"), ErrorCode::kNetwork, "HF_HUB_OFFLINE");
}

TEST_F(HfApiTest, CreateRepo) {
  ASSERT_OK_AND_ASSIGN(std::string url, alice_->CreateRepo("w/created"));
  EXPECT_THAT(url, ::testing::HasSubstr("datasets/w/created"));
  ASSERT_OK(alice_->CreateRepo("w/created"));  // exist_ok
  EXPECT_ERROR(alice_->CreateRepo("w/created", {.private_repo = false, .exist_ok = false}),
               ErrorCode::kAlreadyExists, "already exists");
  EXPECT_ERROR(anonymous_->CreateRepo("w/anonymous"), ErrorCode::kPermission, "HF_TOKEN");
  EXPECT_ERROR(reader_->CreateRepo("w/by-reader"), ErrorCode::kPermission, "write");

  ASSERT_OK(alice_->CreateRepo("w/private-one", {.private_repo = true}));
  ASSERT_OK_AND_ASSIGN(DatasetInfo info, alice_->GetDatasetInfo("w/private-one"));
  EXPECT_TRUE(info.is_private);
  EXPECT_ERROR(anonymous_->GetDatasetInfo("w/private-one"), ErrorCode::kPermission, "set HF_TOKEN");
}

TEST_F(HfApiTest, PreuploadDecidesLfsOrRegular) {
  ASSERT_OK(alice_->CreateRepo("w/pre"));
  std::vector<PreuploadFile> files = {
      {"data/a.parquet", train_.size(), train_.substr(0, 512)},
      {"notes.md", 5, "hello"},
  };
  ASSERT_OK_AND_ASSIGN(PreuploadResult result, alice_->Preupload("w/pre", "main", files));
  ASSERT_EQ(result.files.size(), 2u);
  std::map<std::string, bool> lfs;
  for (const auto& f : result.files) lfs[f.path] = f.lfs;
  EXPECT_TRUE(lfs["data/a.parquet"]);
  EXPECT_FALSE(lfs["notes.md"]);
}

TEST_F(HfApiTest, CommitFlowWithLfsMultipartAndParentCommit) {
  ASSERT_OK(alice_->CreateRepo("w/commits"));
  ASSERT_OK_AND_ASSIGN(std::string base, alice_->ResolveRevision("w/commits", "main"));
  std::string big(200 * 1024, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 7919) % 251);
  big += RandomUuid();
  const std::string fresh = "fresh LFS bytes " + RandomUuid();
  std::vector<CommitOperation> ops = {
      CommitOperation::Add("README.md", "# commits\n"),
      CommitOperation::Add("data/train.parquet", train_),  // the hub has this blob already
      CommitOperation::Add("data/fresh.parquet", fresh),
      CommitOperation::Add("data/big.bin.parquet", big),
      CommitOperation::Add("empty.txt", ""),
  };
  hub().hub().ResetStats();
  CommitOptions options;
  options.summary = "first";
  options.parent_commit = base;
  ASSERT_OK_AND_ASSIGN(CommitResult first, alice_->CreateCommit("w/commits", "main", ops, options));
  EXPECT_EQ(first.commit_oid.size(), 40u);
  EXPECT_FALSE(first.nothing_to_commit);
  EXPECT_EQ(hub().Route("lfs-batch"), 1);
  EXPECT_EQ(hub().Route("lfs-upload"), 1);  // fresh: basic; train: already stored
  EXPECT_EQ(hub().Route("lfs-part"), 4);    // big: 200 KiB in 64 KiB parts
  EXPECT_EQ(hub().Route("lfs-complete"), 1);
  EXPECT_EQ(hub().Route("lfs-verify"), 2);  // one per uploaded object
  EXPECT_EQ(hub().Route("commit"), 1);

  ASSERT_OK_AND_ASSIGN(std::string head, alice_->ResolveRevision("w/commits", "main"));
  EXPECT_EQ(head, first.commit_oid);
  for (const auto& [path, content] :
       std::vector<std::pair<std::string, std::string>>{{"README.md", "# commits\n"},
                                                        {"data/train.parquet", train_},
                                                        {"data/big.bin.parquet", big},
                                                        {"empty.txt", ""}}) {
    ASSERT_OK_AND_ASSIGN(FileRead read, alice_->ReadFile({"w/commits", head, path, {}}));
    EXPECT_EQ(read.data, content) << path;
  }

  // The same content again: nothing to commit.
  ASSERT_OK_AND_ASSIGN(CommitResult same, alice_->CreateCommit("w/commits", "main", ops));
  EXPECT_TRUE(same.nothing_to_commit);
  EXPECT_EQ(same.commit_oid, head);

  // A stale parent (the base) is a Conflict, and nothing changes.
  std::vector<CommitOperation> more = {CommitOperation::Add("more.txt", "more")};
  options.parent_commit = base;
  EXPECT_ERROR(alice_->CreateCommit("w/commits", "main", more, options), ErrorCode::kConflict,
               "moved on since the expected parent commit");
  ASSERT_OK_AND_ASSIGN(std::string unchanged, alice_->ResolveRevision("w/commits", "main"));
  EXPECT_EQ(unchanged, head);

  // With the right (short) parent: deletes of a file and a folder.
  options.parent_commit = head.substr(0, 7);
  std::vector<CommitOperation> deletes = {CommitOperation::Delete("README.md"),
                                          CommitOperation::DeleteFolder("data")};
  ASSERT_OK_AND_ASSIGN(CommitResult second,
                       alice_->CreateCommit("w/commits", "main", deletes, options));
  ASSERT_OK_AND_ASSIGN(auto tree, alice_->ListTree("w/commits", second.commit_oid));
  std::set<std::string> left;
  for (const auto& e : tree) left.insert(e.path);
  EXPECT_EQ(left, (std::set<std::string>{".gitattributes", "empty.txt"}));
  EXPECT_ERROR(alice_->ReadFile({"w/commits", second.commit_oid, "README.md", {}}),
               ErrorCode::kNotFound, "does not exist");
  // Files of the first commit are still readable at its sha.
  ASSERT_OK_AND_ASSIGN(FileRead old, alice_->ReadFile({"w/commits", head, "README.md", {}}));
  EXPECT_EQ(old.data, "# commits\n");
}

TEST_F(HfApiTest, ConcurrentCommitsOnOneParentGiveOneConflict) {
  ASSERT_OK(alice_->CreateRepo("w/race"));
  ASSERT_OK_AND_ASSIGN(std::string base, alice_->ResolveRevision("w/race", "main"));
  std::atomic<int> ok{0}, conflicts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<CommitOperation> ops = {
          CommitOperation::Add(fmt::format("writer-{}.txt", t), "x")};
      CommitOptions options;
      options.parent_commit = base;
      auto result = alice_->CreateCommit("w/race", "main", ops, options);
      if (result.ok()) ++ok;
      if (result.status().code() == ErrorCode::kConflict) ++conflicts;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(conflicts, 3);
}

TEST_F(HfApiTest, CommitRefusesBadInput) {
  std::vector<CommitOperation> bad = {CommitOperation::Add("../escape", "x")};
  EXPECT_ERROR(alice_->CreateCommit("w/commits", "main", bad), ErrorCode::kInvalidArgument, "'..'");
  std::vector<CommitOperation> ok = {CommitOperation::Add("x", "x")};
  CommitOptions options;
  options.parent_commit = "not-hex";
  EXPECT_ERROR(alice_->CreateCommit("w/commits", "main", ok, options), ErrorCode::kInvalidArgument,
               "not a 5 to 40 digit hex sha");
  EXPECT_ERROR(reader_->CreateCommit("alice/public", "main", ok), ErrorCode::kPermission,
               "may not write to dataset alice/public");
}

// A separate hub that fails 20% of requests (500, 429 with Retry-After, connection resets).
TEST(HfApiFaultTest, RetriesUnderFailRateReturnTheRightBytes) {
  LocalHubFixture fixture;
  std::string train = ReadLocalFile(TestDataPath("parquet/pyarrow_ids.parquet"));
  std::string test = ReadLocalFile(TestDataPath("parquet/duckdb_ids.parquet"));
  fixture.AddFile("f/flaky", "data/train.parquet", train);
  fixture.AddFile("f/flaky", "data/test.parquet", test);
  fixture.AddFile("f/flaky", "README.md", "hello");
  LocalHubOptions options;
  options.fail_rate = 0.2;
  options.seed = 7;
  options.retry_after_seconds = 1;
  ASSERT_OK(fixture.Start(options));
  io::HttpClientOptions http = LocalHubFixture::FastRetries();
  http.max_retries = 8;
  ASSERT_OK_AND_ASSIGN(auto api, fixture.Api("", http));

  ASSERT_OK_AND_ASSIGN(DatasetInfo info, api->GetDatasetInfo("f/flaky"));
  ASSERT_OK_AND_ASSIGN(auto tree, api->ListTree("f/flaky", info.sha));
  EXPECT_EQ(tree.size(), 4u);  // README.md, data, 2 files
  std::vector<FileReadRequest> requests;
  for (int i = 0; i < 120; ++i) {
    const char* path = i % 3 == 0   ? "data/train.parquet"
                       : i % 3 == 1 ? "data/test.parquet"
                                    : "README.md";
    ByteRange range = i % 2 ? ByteRange::Suffix(static_cast<uint64_t>(3 + i % 5))
                            : ByteRange::Span(static_cast<uint64_t>(i % 4), 2);
    requests.push_back({"f/flaky", info.sha, path, range});
  }
  auto reads = api->ReadFiles(requests);
  for (size_t i = 0; i < requests.size(); ++i) {
    ASSERT_OK(reads[i]);
    const std::string& whole = i % 3 == 0 ? train : i % 3 == 1 ? test : std::string("hello");
    const ByteRange& r = requests[i].range;
    std::string expected =
        r.kind == ByteRange::Kind::kSpan
            ? whole.substr(r.offset, r.length)
            : whole.substr(whole.size() - std::min<size_t>(whole.size(), r.length));
    EXPECT_EQ(reads[i]->data, expected) << i;
  }
  LocalHubStats stats = fixture.hub().stats();
  int64_t injected = 0;
  for (const auto& [kind, count] : stats.injected) injected += count;
  EXPECT_GT(injected, 10);
  EXPECT_GT(stats.injected["429"], 0);
  EXPECT_GT(stats.injected["reset"], 0);
}

// A hub that makes every write, then drops its answer (--drop-response-rate 1): CreateCommit reads
// the branch to learn the outcome instead of reporting a failure for a commit that landed, and
// never makes it twice.
TEST(HfApiLostAnswerTest, ACommitWhoseAnswerIsLostIsFoundInTheHistoryNotMadeTwice) {
  LocalHubFixture fixture;
  for (const char* name : {"a.txt", "b.txt", "c.txt"}) fixture.AddFile("l/ds", name, name);
  LocalHubOptions options;
  options.drop_response_rate = 1;
  ASSERT_OK(fixture.Start(options));
  ASSERT_OK_AND_ASSIGN(auto api, fixture.Api());
  ASSERT_OK_AND_ASSIGN(std::string base, api->ResolveRevision("l/ds", "main"));

  // Guarded by its parent (deletes only: no preupload, whose answer would be dropped too).
  std::vector<CommitOperation> ops = {CommitOperation::Delete("a.txt")};
  CommitOptions commit;
  commit.summary = "delete a";
  commit.parent_commit = base;
  ASSERT_OK_AND_ASSIGN(CommitResult first, api->CreateCommit("l/ds", "main", ops, commit));
  ASSERT_OK_AND_ASSIGN(std::string head, api->ResolveRevision("l/ds", "main"));
  EXPECT_EQ(first.commit_oid, head);
  EXPECT_FALSE(first.nothing_to_commit);
  ASSERT_OK_AND_ASSIGN(auto history, api->ListCommitIds("l/ds", "main", 10));
  EXPECT_EQ(history, (std::vector<std::string>{head, base}));
  EXPECT_EQ(fixture.Route("commit"), 1);  // found, not sent again
  EXPECT_EQ(fixture.hub().stats().dropped_responses, 1);

  // Unguarded: found at the head.
  ops = {CommitOperation::Delete("b.txt")};
  commit.parent_commit.clear();
  ASSERT_OK_AND_ASSIGN(CommitResult second, api->CreateCommit("l/ds", "main", ops, commit));
  ASSERT_OK_AND_ASSIGN(history, api->ListCommitIds("l/ds", "main", 10));
  EXPECT_EQ(history, (std::vector<std::string>{second.commit_oid, head, base}));
  EXPECT_EQ(fixture.Route("commit"), 2);

  // A stale parent: the 412 is lost too, and the branch moved on without this commit.
  ops = {CommitOperation::Delete("c.txt")};
  commit.parent_commit = base;
  EXPECT_ERROR(api->CreateCommit("l/ds", "main", ops, commit), ErrorCode::kConflict,
               "moved on since the expected parent commit without it");
  ASSERT_OK_AND_ASSIGN(std::string unchanged, api->ResolveRevision("l/ds", "main"));
  EXPECT_EQ(unchanged, second.commit_oid);
}

// libcurl resends a request by itself when a reused connection dies before the answer; a POST
// that may not be retried (a commit) goes on a fresh connection, so it reaches the hub once.
TEST(HfApiLostAnswerTest, ANonIdempotentPostIsSentOnceEvenOnAWarmConnection) {
  LocalHubFixture fixture;
  fixture.AddFile("l/ds", "a.txt", "a");
  LocalHubOptions options;
  options.drop_response_rate = 1;
  ASSERT_OK(fixture.Start(options));
  ASSERT_OK_AND_ASSIGN(auto api, fixture.Api());
  ASSERT_OK_AND_ASSIGN(std::string base, api->ResolveRevision("l/ds", "main"));  // warm
  io::HttpRequest post;
  post.method = io::HttpMethod::kPost;
  post.url = fixture.endpoint() + "/api/datasets/l/ds/commit/main";
  post.headers.Add("Content-Type", "application/x-ndjson");
  post.body = R"({"key": "header", "value": {"summary": "once", "parentCommit": ")" + base +
              "\"}}\n" + R"({"key": "deletedFile", "value": {"path": "a.txt"}})" + "\n";
  post.retry = io::HttpRetry::kRejectedOnly;
  EXPECT_ERROR(api->http().Send(post), ErrorCode::kNetwork, "");
  EXPECT_EQ(fixture.Route("commit"), 1);
  ASSERT_OK_AND_ASSIGN(auto history, api->ListCommitIds("l/ds", "main", 10));
  EXPECT_EQ(history.size(), 2u);  // the commit landed, once
}

// Dropped answers (and injected faults, which come before the hub acts) on a run of guarded
// commits: each commit lands at most once, and one reported as made is the commit holding it.
TEST(HfApiLostAnswerTest, CommitsUnderDroppedAnswersLandAtMostOnce) {
  LocalHubFixture fixture;
  fixture.AddFile("l/many", "README.md", "many");
  LocalHubOptions options;
  options.drop_response_rate = 0.4;
  options.fail_rate = 0.1;
  options.seed = 3;
  options.retry_after_seconds = 0;
  ASSERT_OK(fixture.Start(options));
  io::HttpClientOptions http = LocalHubFixture::FastRetries();
  http.max_retries = 8;
  ASSERT_OK_AND_ASSIGN(auto api, fixture.Api("", http));
  ASSERT_OK(api->CreateRepo("l/created"));  // exist_ok: a lost answer is sent again
  ASSERT_OK(api->GetDatasetInfo("l/created").status());

  ASSERT_OK_AND_ASSIGN(std::string head, api->ResolveRevision("l/many", "main"));
  int reported = 0;
  std::set<std::string> landed_files;
  constexpr int kCommits = 12;
  for (int i = 0; i < kCommits; ++i) {
    std::string path = "rows/part-" + std::to_string(i) + ".txt";
    std::vector<CommitOperation> ops = {CommitOperation::Add(path, "part " + std::to_string(i))};
    CommitOptions commit;
    commit.parent_commit = head;
    auto result = api->CreateCommit("l/many", "main", ops, commit);
    ASSERT_OK_AND_ASSIGN(std::string now, api->ResolveRevision("l/many", "main"));
    ASSERT_OK_AND_ASSIGN(auto entries,
                         api->GetPathsInfo("l/many", now, std::vector<std::string>{path}));
    if (result.ok()) {
      ++reported;
      EXPECT_EQ(result->commit_oid, now) << i;
      EXPECT_EQ(entries.size(), 1u) << i;
    } else {
      EXPECT_EQ(result.status().code(), ErrorCode::kNetwork) << result.status().ToString();
      EXPECT_EQ(result.status().message().find('\n'), std::string::npos);
    }
    if (!entries.empty()) landed_files.insert(path);
    head = now;
  }
  // One commit per landed file: none was made twice.
  ASSERT_OK_AND_ASSIGN(auto history, api->ListCommitIds("l/many", "main", 100));
  EXPECT_EQ(history.size(), 1 + landed_files.size());
  EXPECT_GE(reported, kCommits - 2);
  EXPECT_GT(fixture.hub().stats().dropped_responses, 3);
}

// The 409 "operation in progress" answer of the Hub is retried; a 412 is a Conflict at once.
TEST(HfApiInProgressTest, RetriesInProgressCommitsAndCreates) {
  testing::HttpTestServer server;
  std::atomic<int> commits{0}, creates{0};
  std::string ndjson;
  server.server().Post("/api/datasets/o/n/commit/main", [&](const httplib::Request& req,
                                                            httplib::Response& res) {
    if (commits++ < 2) {
      res.status = 409;
      res.set_content(R"({"error":"A commit is already in progress, please retry"})",
                      "application/json");
      return;
    }
    ndjson = req.body;
    res.set_content(R"({"success":true,"commitOid":"abcdef0123456789abcdef0123456789abcdef01"})",
                    "application/json");
  });
  server.server().Post("/api/datasets/o/stale/commit/main",
                       [&](const httplib::Request&, httplib::Response& res) {
                         res.status = 412;
                         res.set_content(R"({"error":"parent mismatch"})", "application/json");
                       });
  server.server().Post("/api/repos/create", [&](const httplib::Request&, httplib::Response& res) {
    if (creates++ == 0) {
      res.status = 409;
      res.set_content(
          R"({"error":"Cannot create repo: another conflicting operation is in progress"})",
          "application/json");
      return;
    }
    res.set_content(R"({"url":"http://x/datasets/o/n"})", "application/json");
  });
  ASSERT_TRUE(server.Start());
  HfApiOptions options;
  options.endpoint = server.base();
  options.token = HfToken("hf_t", "HF_TOKEN");
  options.offline = false;
  options.in_progress_backoff = std::chrono::milliseconds(5);
  ASSERT_OK_AND_ASSIGN(auto api, HfApi::Make(options));

  std::vector<CommitOperation> deletes = {CommitOperation::Delete("old.txt"),
                                          CommitOperation::DeleteFolder("dir")};
  CommitOptions commit;
  commit.summary = "clean up";
  commit.parent_commit = "abcdef0";
  ASSERT_OK_AND_ASSIGN(CommitResult result, api->CreateCommit("o/n", "main", deletes, commit));
  EXPECT_EQ(result.commit_oid, "abcdef0123456789abcdef0123456789abcdef01");
  EXPECT_EQ(commits, 3);
  EXPECT_EQ(ndjson,
            "{\"key\":\"header\",\"value\":{\"summary\":\"clean up\",\"description\":\"\","
            "\"parentCommit\":\"abcdef0\"}}\n"
            "{\"key\":\"deletedFile\",\"value\":{\"path\":\"old.txt\"}}\n"
            "{\"key\":\"deletedFolder\",\"value\":{\"path\":\"dir/\"}}\n");
  EXPECT_ERROR(api->CreateCommit("o/stale", "main", deletes, commit), ErrorCode::kConflict,
               "moved on since the expected parent commit");

  ASSERT_OK_AND_ASSIGN(std::string url, api->CreateRepo("o/n"));
  EXPECT_EQ(url, "http://x/datasets/o/n");
  EXPECT_EQ(creates, 2);
}

}  // namespace
}  // namespace faceberg::hub
