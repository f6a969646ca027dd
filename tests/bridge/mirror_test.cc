// The hf://-mirrored catalog against the local hub: tables whose metadata holds hf:// URIs,
// push and pull between two mirrors, racing pushes (merged when they touch different tables, a
// conflict that changes nothing when they touch the same one), pull refusing unpushed changes
// and replacing the mirror whole, init, and what is never pushed.
#include "bridge/mirror.h"

#include <filesystem>
#include <fstream>
#include <map>

#include "catalog/catalog.h"
#include "catalog/file_catalog.h"
#include "catalog/file_table_operations.h"
#include "hub/hf_file_io.h"
#include "hub/hub_test_util.h"
#include "hub/routing_file_io.h"
#include "iceberg/schema.h"
#include "table/append.h"
#include "table/update.h"

namespace faceberg::bridge {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::HasSubstr;
using testing::LocalHubFixture;
using ::testing::Not;
using testing::ReadLocalFile;
using testing::TempDir;
using testing::TestDataPath;

constexpr char kRepo[] = "hf://datasets/alice/cat";
constexpr char kRepoId[] = "alice/cat";

// Every file of a folder (relative path -> content), the lock file left out.
std::map<std::string, std::string> FolderFiles(const std::string& root) {
  std::map<std::string, std::string> out;
  if (!fs::exists(root)) return out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file() || e.path().filename() == catalog::kFileCatalogLockName) continue;
    out[e.path().lexically_relative(root).generic_string()] = ReadLocalFile(e.path().string());
  }
  return out;
}

// One mirror folder with its routing FileIO and catalog.
struct Mirror {
  std::string dir;
  std::unique_ptr<hub::RoutingFileIO> io;
  std::unique_ptr<catalog::Catalog> catalog;
  MirrorOptions options;
};

class MirrorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(hub_.Start());
    ASSERT_OK_AND_ASSIGN(api_, hub_.Api());
  }

  // The mirror in folder `name` (its catalog created when missing with `create`).
  Result<std::unique_ptr<Mirror>> Open(const std::string& name, bool create = true) {
    auto m = std::make_unique<Mirror>();
    m->dir = dir_.Join(name);
    hub::RoutingFileIOOptions io_options;
    io_options.shared_api = api_;
    m->io = std::make_unique<hub::RoutingFileIO>(io_options);
    RETURN_IF_ERROR(m->io->AddMirror(kRepo, m->dir));
    catalog::OpenCatalogOptions options;
    options.create = create;
    options.mirror = m->dir;
    ASSIGN_OR_RETURN(m->catalog, catalog::OpenCatalog(*m->io, kRepo, options));
    m->options.repo_uri = kRepo;
    m->options.mirror = m->dir;
    return m;
  }

  // Creates `name` ("ns.table") with one data file (a real Parquet file inside the table).
  Status CreateTableWithData(Mirror& m, const std::string& name) {
    ASSIGN_OR_RETURN(catalog::TableIdentifier id, catalog::ParseTableIdentifier(name));
    catalog::CreateTableOptions options;
    ASSIGN_OR_RETURN(options.schema, iceberg::ParseSchemaString("id long, name string"));
    RETURN_IF_ERROR(m.catalog->CreateTable(id, options).status());
    ASSIGN_OR_RETURN(auto ops, m.catalog->LoadTable(id));
    ASSIGN_OR_RETURN(auto md, ops->Refresh());
    const std::string data = ReadLocalFile(TestDataPath("parquet/pyarrow_ids.parquet"));
    iceberg::DataFile file;
    file.file_path = md->location + "/data/part-0.parquet";
    file.file_size_in_bytes = static_cast<int64_t>(data.size());
    file.metrics.record_count = 3;
    RETURN_IF_ERROR(m.io->WriteFile(file.file_path, data, io::WriteMode::kNoReplace));
    return table::AppendFiles(*ops, {file}).status();
  }

  Status SetProperty(Mirror& m, const std::string& name, const std::string& key,
                     const std::string& value) {
    ASSIGN_OR_RETURN(catalog::TableIdentifier id, catalog::ParseTableIdentifier(name));
    return m.catalog->CommitTable(id, {}, {table::SetProperties{{{key, value}}}}).status();
  }

  Result<std::string> Property(Mirror& m, const std::string& name, const std::string& key) {
    ASSIGN_OR_RETURN(catalog::TableIdentifier id, catalog::ParseTableIdentifier(name));
    ASSIGN_OR_RETURN(auto ops, m.catalog->LoadTable(id));
    ASSIGN_OR_RETURN(auto md, ops->Refresh());
    return md->Property(key, "");
  }

  Result<std::vector<std::string>> TableNames(Mirror& m) {
    ASSIGN_OR_RETURN(auto ids, m.catalog->ListTables(""));
    std::vector<std::string> out;
    for (const auto& id : ids) out.push_back(id.ToString());
    return out;
  }

  // Paths of the files of the repo at main.
  Result<std::vector<std::string>> RemotePaths() {
    ASSIGN_OR_RETURN(auto tree, api_->ListTree(kRepoId, "main"));
    std::vector<std::string> out;
    for (const auto& e : tree) {
      if (e.is_file()) out.push_back(e.path);
    }
    return out;
  }

  Result<std::string> RemoteFile(const std::string& path) {
    ASSIGN_OR_RETURN(hub::FileRead read, api_->ReadFile({kRepoId, "main", path, {}}));
    return read.data;
  }

  LocalHubFixture hub_;
  TempDir dir_;
  std::shared_ptr<hub::HfApi> api_;
};

TEST_F(MirrorTest, TablesOfAnHfCatalogHaveHfLocationsInTheMirror) {
  ASSERT_OK_AND_ASSIGN(auto a, Open("a"));
  ASSERT_OK(CreateTableWithData(*a, "default.t"));
  ASSERT_OK_AND_ASSIGN(auto ops, a->catalog->LoadTable({"default", "t"}));
  EXPECT_EQ(ops->current_metadata_location(),
            "hf://datasets/alice/cat/default/t/metadata/v2.metadata.json");
  EXPECT_TRUE(fs::exists(a->dir + "/default/t/metadata/v2.metadata.json"));
  EXPECT_TRUE(fs::exists(a->dir + "/default/t/data/part-0.parquet"));
  // catalog.json keeps the location relative, so the folder is the repo.
  EXPECT_THAT(ReadLocalFile(a->dir + "/catalog.json"), HasSubstr("\"default.t\": \"default/t\""));
  // Nothing reached the Hub.
  EXPECT_ERROR(api_->ResolveRevision(kRepoId, "main"), ErrorCode::kPermission, "alice/cat");
}

TEST_F(MirrorTest, OpenCatalogChecksHfCatalogUris) {
  hub::RoutingFileIO io;
  catalog::OpenCatalogOptions options;
  options.mirror = dir_.Join("m");
  for (const char* bad :
       {"hf://datasets/o/r@main", "hf://datasets/o", "hf://datasets/o/r/sub", "hf://models/o/r"}) {
    EXPECT_ERROR(catalog::OpenCatalog(io, bad, options), ErrorCode::kInvalidArgument,
                 "hf://datasets/OWNER/REPO");
  }
  EXPECT_ERROR(catalog::OpenCatalog(io, "hf://datasets/o/r/", options), ErrorCode::kNotFound,
               "faceberg init");
  EXPECT_FALSE(fs::exists(dir_.Join("m")));
}

TEST_F(MirrorTest, PushThenPullIntoAnotherMirror) {
  ASSERT_OK_AND_ASSIGN(auto a, Open("a"));
  ASSERT_OK(CreateTableWithData(*a, "default.t"));
  ASSERT_OK_AND_ASSIGN(MirrorChanges before, LocalMirrorChanges(a->options));
  EXPECT_THAT(before.added, Contains("catalog.json"));
  EXPECT_THAT(before.added, Contains("default/t/data/part-0.parquet"));

  ASSERT_OK_AND_ASSIGN(PushResult pushed, PushMirror(*api_, a->options));
  EXPECT_FALSE(pushed.nothing_to_push);
  EXPECT_EQ(pushed.attempts, 1);
  EXPECT_EQ(pushed.pushed.added, before.added);
  ASSERT_OK_AND_ASSIGN(std::string head, api_->ResolveRevision(kRepoId, "main"));
  EXPECT_EQ(pushed.commit, head);
  ASSERT_OK_AND_ASSIGN(auto remote, RemotePaths());
  for (const auto& path : pushed.pushed.added) EXPECT_THAT(remote, Contains(path));
  for (const char* never : {".hf-mirror.json", ".catalog.lock"}) {
    EXPECT_THAT(remote, Not(Contains(never)));
  }

  // The pushed metadata reads straight from the Hub: its locations are the repo's hf:// URIs.
  hub::HfFileIO hub_io(api_);
  catalog::FileTableOperations remote_ops(hub_io, "hf://datasets/alice/cat/default/t");
  ASSERT_OK_AND_ASSIGN(auto md, remote_ops.Refresh());
  EXPECT_EQ(md->location, "hf://datasets/alice/cat/default/t");
  ASSERT_NE(md->CurrentSnapshot(), nullptr);
  ASSERT_OK_AND_ASSIGN(bool list_exists, hub_io.Exists(md->CurrentSnapshot()->manifest_list));
  EXPECT_TRUE(list_exists);
  ASSERT_OK_AND_ASSIGN(auto files, table::LiveDataFiles(hub_io, *md, *md->CurrentSnapshot()));
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].file_path, "hf://datasets/alice/cat/default/t/data/part-0.parquet");
  ASSERT_OK_AND_ASSIGN(bool data_exists, hub_io.Exists(files[0].file_path));
  EXPECT_TRUE(data_exists);

  // Nothing more to push.
  ASSERT_OK_AND_ASSIGN(PushResult again, PushMirror(*api_, a->options));
  EXPECT_TRUE(again.nothing_to_push);
  EXPECT_EQ(again.commit, head);

  // A second mirror pulls the catalog and loads the same table from its own folder.
  MirrorOptions b_options;
  b_options.repo_uri = kRepo;
  b_options.mirror = dir_.Join("b");
  ASSERT_OK_AND_ASSIGN(PullResult pulled, PullMirror(*api_, b_options));
  EXPECT_EQ(pulled.commit, head);
  EXPECT_FALSE(pulled.up_to_date);
  EXPECT_EQ(pulled.files, before.added.size());
  ASSERT_OK_AND_ASSIGN(auto b, Open("b", /*create=*/false));
  ASSERT_OK_AND_ASSIGN(auto b_ops, b->catalog->LoadTable({"default", "t"}));
  ASSERT_OK_AND_ASSIGN(auto b_md, b_ops->Refresh());
  EXPECT_EQ(b_md->current_snapshot_id, md->current_snapshot_id);
  ASSERT_OK_AND_ASSIGN(auto b_files, table::LiveDataFiles(*b->io, *b_md, *b_md->CurrentSnapshot()));
  ASSERT_EQ(b_files.size(), 1u);
  ASSERT_OK_AND_ASSIGN(auto local_path, b->io->LocalPathOf(b_files[0].file_path));
  EXPECT_EQ(local_path, b->dir + "/default/t/data/part-0.parquet");
  EXPECT_EQ(ReadLocalFile(*local_path), ReadLocalFile(TestDataPath("parquet/pyarrow_ids.parquet")));
  ASSERT_OK_AND_ASSIGN(MirrorChanges b_changes, LocalMirrorChanges(b->options));
  EXPECT_TRUE(b_changes.empty());
  ASSERT_OK_AND_ASSIGN(PullResult again_pulled, PullMirror(*api_, b->options));
  EXPECT_TRUE(again_pulled.up_to_date);
}

TEST_F(MirrorTest, RacingPushesOfDifferentTablesBothLand) {
  ASSERT_OK_AND_ASSIGN(auto a, Open("a"));
  ASSERT_OK(CreateTableWithData(*a, "default.t1"));
  ASSERT_OK(PushMirror(*api_, a->options).status());
  ASSERT_OK(PullMirror(*api_, {kRepo, dir_.Join("b")}).status());
  ASSERT_OK_AND_ASSIGN(auto b, Open("b", /*create=*/false));

  ASSERT_OK(CreateTableWithData(*a, "default.t2"));
  ASSERT_OK(a->catalog->CreateNamespace("ns_a", {{"owner", "a"}}));
  ASSERT_OK(CreateTableWithData(*b, "other.t3"));
  ASSERT_OK(SetProperty(*b, "default.t1", "k", "v"));
  ASSERT_OK(PushMirror(*api_, a->options).status());
  ASSERT_OK_AND_ASSIGN(PushResult second, PushMirror(*api_, b->options));
  EXPECT_EQ(second.attempts, 2);  // the first lost the race and was re-applied
  EXPECT_THAT(second.merged, Contains("catalog.json"));
  EXPECT_THAT(second.merged, Contains("default/t2/data/part-0.parquet"));

  // Both changes are on the Hub, and in b's mirror.
  ASSERT_OK_AND_ASSIGN(std::string remote_catalog, RemoteFile("catalog.json"));
  for (const char* name : {"default.t1", "default.t2", "other.t3", "ns_a"}) {
    EXPECT_THAT(remote_catalog, HasSubstr(name));
  }
  std::vector<std::string> all = {"default.t1", "default.t2", "other.t3"};
  ASSERT_OK_AND_ASSIGN(auto b_tables, TableNames(*b));
  EXPECT_EQ(b_tables, all);
  ASSERT_OK_AND_ASSIGN(MirrorChanges b_changes, LocalMirrorChanges(b->options));
  EXPECT_TRUE(b_changes.empty());

  ASSERT_OK(PullMirror(*api_, a->options).status());
  ASSERT_OK_AND_ASSIGN(auto a_tables, TableNames(*a));
  EXPECT_EQ(a_tables, all);
  ASSERT_OK_AND_ASSIGN(std::string k, Property(*a, "default.t1", "k"));
  EXPECT_EQ(k, "v");
  ASSERT_OK_AND_ASSIGN(auto props, a->catalog->LoadNamespaceProperties("ns_a"));
  EXPECT_EQ(props["owner"], "a");
}

TEST_F(MirrorTest, RacingPushesOfTheSameTableConflictAndChangeNothing) {
  ASSERT_OK_AND_ASSIGN(auto a, Open("a"));
  ASSERT_OK(CreateTableWithData(*a, "default.t"));
  ASSERT_OK(CreateTableWithData(*a, "default.u"));
  ASSERT_OK(PushMirror(*api_, a->options).status());
  ASSERT_OK(PullMirror(*api_, {kRepo, dir_.Join("b")}).status());
  ASSERT_OK_AND_ASSIGN(auto b, Open("b", /*create=*/false));

  ASSERT_OK(SetProperty(*a, "default.t", "from", "a"));
  ASSERT_OK(PushMirror(*api_, a->options).status());
  ASSERT_OK_AND_ASSIGN(std::string head, api_->ResolveRevision(kRepoId, "main"));

  ASSERT_OK(SetProperty(*b, "default.t", "from", "b"));
  ASSERT_OK(SetProperty(*b, "default.u", "other", "change"));
  auto b_before = FolderFiles(b->dir);
  auto pushed = PushMirror(*api_, b->options);
  EXPECT_ERROR(pushed, ErrorCode::kConflict, "table 'default.t' changed both");
  EXPECT_ERROR(pushed, ErrorCode::kConflict, "pull --force");
  EXPECT_THAT(pushed.status().message(), Not(HasSubstr("default.u")));
  // Neither the Hub nor b's mirror changed.
  ASSERT_OK_AND_ASSIGN(std::string head_after, api_->ResolveRevision(kRepoId, "main"));
  EXPECT_EQ(head_after, head);
  EXPECT_EQ(FolderFiles(b->dir), b_before);
  ASSERT_OK_AND_ASSIGN(std::string from, Property(*b, "default.t", "from"));
  EXPECT_EQ(from, "b");

  // What the message says to do works.
  EXPECT_ERROR(PullMirror(*api_, b->options), ErrorCode::kConflict, "push them first");
  b->options.discard_local_changes = true;
  ASSERT_OK_AND_ASSIGN(PullResult pulled, PullMirror(*api_, b->options));
  EXPECT_FALSE(pulled.discarded.empty());
  ASSERT_OK_AND_ASSIGN(std::string now, Property(*b, "default.t", "from"));
  EXPECT_EQ(now, "a");
  ASSERT_OK(SetProperty(*b, "default.t", "from", "b"));
  ASSERT_OK(PushMirror(*api_, b->options).status());
}

TEST_F(MirrorTest, PullRefusesUnpushedChangesUnlessForced) {
  ASSERT_OK_AND_ASSIGN(auto a, Open("a"));
  ASSERT_OK(CreateTableWithData(*a, "default.t"));
  ASSERT_OK(PushMirror(*api_, a->options).status());
  ASSERT_OK(SetProperty(*a, "default.t", "k", "local"));
  auto before = FolderFiles(a->dir);
  EXPECT_ERROR(PullMirror(*api_, a->options), ErrorCode::kConflict,
               "push them first, or pass --force to discard them");
  EXPECT_EQ(FolderFiles(a->dir), before);

  a->options.discard_local_changes = true;
  ASSERT_OK_AND_ASSIGN(PullResult pulled, PullMirror(*api_, a->options));
  EXPECT_THAT(pulled.discarded.added, Contains("default/t/metadata/v3.metadata.json"));
  ASSERT_OK_AND_ASSIGN(std::string k, Property(*a, "default.t", "k"));
  EXPECT_EQ(k, "");
  ASSERT_OK_AND_ASSIGN(MirrorChanges changes, LocalMirrorChanges(a->options));
  EXPECT_TRUE(changes.empty());
}

TEST_F(MirrorTest, PullReplacesTheMirrorWholeOrNotAtAll) {
  ASSERT_OK_AND_ASSIGN(auto a, Open("a"));
  ASSERT_OK(CreateTableWithData(*a, "default.t"));
  ASSERT_OK(PushMirror(*api_, a->options).status());
  MirrorOptions b;
  b.repo_uri = kRepo;
  b.mirror = dir_.Join("b");
  ASSERT_OK(PullMirror(*api_, b).status());
  // The mirror holds exactly the Hub's catalog files and the state; nothing is left beside it.
  auto files = FolderFiles(b.mirror);
  ASSERT_OK_AND_ASSIGN(auto remote, RemotePaths());
  for (const auto& [path, content] : files) {
    if (path != ".hf-mirror.json") {
      EXPECT_THAT(remote, Contains(path));
    }
  }
  EXPECT_EQ(files.count(".hf-mirror.json"), 1u);
  std::vector<std::string> beside;
  for (const auto& e : fs::directory_iterator(dir_.path())) {
    beside.push_back(e.path().filename().string());
  }
  std::sort(beside.begin(), beside.end());
  EXPECT_EQ(beside, (std::vector<std::string>{"a", "b"}));

  // A file that is not the catalog's is never deleted by a pull, even a forced one.
  std::ofstream(b.mirror + "/notes.txt") << "mine";
  b.discard_local_changes = true;
  EXPECT_ERROR(PullMirror(*api_, b), ErrorCode::kInvalidArgument, "'notes.txt'");
  EXPECT_EQ(ReadLocalFile(b.mirror + "/notes.txt"), "mine");
  fs::remove(b.mirror + "/notes.txt");
  b.discard_local_changes = false;

  // A pull that fails half-way (a damaged catalog.json on the Hub) leaves the mirror as it was.
  std::vector<hub::CommitOperation> damage = {hub::CommitOperation::Add("catalog.json", "{oops")};
  ASSERT_OK(api_->CreateCommit(kRepoId, "main", damage).status());
  EXPECT_ERROR(PullMirror(*api_, b), ErrorCode::kCorrupt, "catalog.json");
  EXPECT_EQ(FolderFiles(b.mirror), files);
  beside.clear();
  for (const auto& e : fs::directory_iterator(dir_.path())) {
    beside.push_back(e.path().filename().string());
  }
  std::sort(beside.begin(), beside.end());
  EXPECT_EQ(beside, (std::vector<std::string>{"a", "b"}));
}

TEST_F(MirrorTest, APushWhoseAnswerWasLostIsCompletedByTheNextOne) {
  ASSERT_OK_AND_ASSIGN(auto a, Open("a"));
  ASSERT_OK(CreateTableWithData(*a, "default.t"));
  ASSERT_OK(PushMirror(*api_, a->options).status());
  const std::string state_file = a->dir + "/.hf-mirror.json";
  const std::string old_state = ReadLocalFile(state_file);
  ASSERT_OK(SetProperty(*a, "default.t", "k", "v"));
  ASSERT_OK_AND_ASSIGN(PushResult pushed, PushMirror(*api_, a->options));
  // As if the process died after the Hub commit, before the state was saved.
  std::ofstream(state_file, std::ios::trunc) << old_state;
  ASSERT_OK_AND_ASSIGN(MirrorChanges pending, LocalMirrorChanges(a->options));
  EXPECT_FALSE(pending.empty());
  ASSERT_OK_AND_ASSIGN(PushResult again, PushMirror(*api_, a->options));
  EXPECT_TRUE(again.nothing_to_push);
  EXPECT_EQ(again.commit, pushed.commit);
  ASSERT_OK_AND_ASSIGN(std::string head, api_->ResolveRevision(kRepoId, "main"));
  EXPECT_EQ(head, pushed.commit);
  ASSERT_OK_AND_ASSIGN(MirrorChanges after, LocalMirrorChanges(a->options));
  EXPECT_TRUE(after.empty());
}

TEST_F(MirrorTest, InitCreatesAnEmptyMirrorOrPullsTheHubCatalog) {
  MirrorOptions first;
  first.repo_uri = kRepo;
  first.mirror = dir_.Join("first");
  ASSERT_OK_AND_ASSIGN(InitMirrorResult created, InitMirror(*api_, first));
  EXPECT_FALSE(created.pulled);
  EXPECT_FALSE(created.existing);
  EXPECT_TRUE(fs::exists(first.mirror + "/catalog.json"));
  EXPECT_TRUE(fs::exists(first.mirror + "/.hf-mirror.json"));
  EXPECT_FALSE(api_->ResolveRevision(kRepoId, "main").ok());  // the repo is made by push
  ASSERT_OK_AND_ASSIGN(InitMirrorResult again, InitMirror(*api_, first));
  EXPECT_TRUE(again.existing);

  ASSERT_OK_AND_ASSIGN(auto m, Open("first", /*create=*/false));
  ASSERT_OK(CreateTableWithData(*m, "default.t"));
  ASSERT_OK_AND_ASSIGN(PushResult pushed, PushMirror(*api_, first));

  MirrorOptions second = first;
  second.mirror = dir_.Join("second");
  ASSERT_OK_AND_ASSIGN(InitMirrorResult pulled, InitMirror(*api_, second));
  EXPECT_TRUE(pulled.pulled);
  EXPECT_EQ(pulled.commit, pushed.commit);
  ASSERT_OK_AND_ASSIGN(auto s, Open("second", /*create=*/false));
  ASSERT_OK(s->catalog->LoadTable({"default", "t"}).status());
}

TEST_F(MirrorTest, FirstPushesOfTwoNewMirrorsMerge) {
  MirrorOptions options;
  options.repo_uri = kRepo;
  options.mirror = dir_.Join("a");
  ASSERT_OK(InitMirror(*api_, options).status());
  options.mirror = dir_.Join("b");
  ASSERT_OK(InitMirror(*api_, options).status());
  ASSERT_OK_AND_ASSIGN(auto a, Open("a", false));
  ASSERT_OK_AND_ASSIGN(auto b, Open("b", false));
  ASSERT_OK(CreateTableWithData(*a, "default.x"));
  ASSERT_OK(CreateTableWithData(*b, "default.y"));
  ASSERT_OK(PushMirror(*api_, a->options).status());
  ASSERT_OK_AND_ASSIGN(PushResult second, PushMirror(*api_, b->options));
  EXPECT_THAT(second.merged, Contains("default/x/data/part-0.parquet"));
  ASSERT_OK_AND_ASSIGN(auto tables, TableNames(*b));
  EXPECT_EQ(tables, (std::vector<std::string>{"default.x", "default.y"}));
  ASSERT_OK(PullMirror(*api_, a->options).status());
  ASSERT_OK_AND_ASSIGN(auto a_tables, TableNames(*a));
  EXPECT_EQ(a_tables, tables);
}

TEST_F(MirrorTest, FacebergYmlIsSharedAndItsConcurrentEditsConflict) {
  ASSERT_OK_AND_ASSIGN(auto a, Open("a"));
  std::ofstream(a->dir + "/faceberg.yml") << "catalog:\n  location: " << kRepo << "\n";
  ASSERT_OK(PushMirror(*api_, a->options).status());
  ASSERT_OK_AND_ASSIGN(std::string remote, RemoteFile("faceberg.yml"));
  EXPECT_THAT(remote, HasSubstr(kRepo));
  ASSERT_OK_AND_ASSIGN(auto b, Open("b"));
  b->options.discard_local_changes = true;  // b's own empty catalog.json goes
  ASSERT_OK(PullMirror(*api_, b->options).status());
  EXPECT_EQ(ReadLocalFile(b->dir + "/faceberg.yml"), remote);

  std::ofstream(a->dir + "/faceberg.yml", std::ios::app) << "# a\n";
  std::ofstream(b->dir + "/faceberg.yml", std::ios::app) << "# b\n";
  ASSERT_OK(PushMirror(*api_, a->options).status());
  EXPECT_ERROR(PushMirror(*api_, b->options), ErrorCode::kConflict, "'faceberg.yml'");
}

TEST_F(MirrorTest, WhatIsNeverPushed) {
  ASSERT_OK_AND_ASSIGN(auto a, Open("a"));
  ASSERT_OK(CreateTableWithData(*a, "default.t"));
  // A temp file of an interrupted atomic write, and a folder no table owns.
  std::ofstream(a->dir + "/default/t/metadata/.v9.metadata.json.1234.tmp") << "partial";
  fs::create_directories(a->dir + "/stray");
  std::ofstream(a->dir + "/stray/file.txt") << "x";
  ASSERT_OK(PushMirror(*api_, a->options).status());
  ASSERT_OK_AND_ASSIGN(auto remote, RemotePaths());
  for (const auto& path : remote) {
    EXPECT_THAT(path, Not(HasSubstr(".tmp")));
    EXPECT_THAT(path, Not(HasSubstr("stray")));
    EXPECT_THAT(path, Not(HasSubstr(".hf-mirror")));
    EXPECT_THAT(path, Not(HasSubstr(".catalog.lock")));
  }
}

TEST_F(MirrorTest, TablesOutsideTheCatalogAreNotPushed) {
  ASSERT_OK_AND_ASSIGN(auto a, Open("a"));
  catalog::CreateTableOptions options;
  ASSERT_OK_AND_ASSIGN(options.schema, iceberg::ParseSchemaString("id long"));
  options.location = dir_.Join("elsewhere/t");
  ASSERT_OK(a->catalog->CreateTable({"default", "t"}, options).status());
  EXPECT_ERROR(PushMirror(*api_, a->options), ErrorCode::kInvalidArgument, "cannot be pushed");
}

TEST_F(MirrorTest, AMirrorBelongsToOneRepository) {
  ASSERT_OK_AND_ASSIGN(auto a, Open("a"));
  ASSERT_OK(PushMirror(*api_, a->options).status());
  MirrorOptions other = a->options;
  other.repo_uri = "hf://datasets/bob/cat";
  EXPECT_ERROR(PushMirror(*api_, other), ErrorCode::kInvalidArgument, "belongs to");
  EXPECT_ERROR(PullMirror(*api_, other), ErrorCode::kInvalidArgument, "belongs to");
  other.repo_uri = "hf://datasets/alice/cat@main";
  EXPECT_ERROR(PushMirror(*api_, other), ErrorCode::kInvalidArgument, "without @REVISION");
  MirrorOptions missing;
  missing.repo_uri = kRepo;
  missing.mirror = dir_.Join("none");
  EXPECT_ERROR(PushMirror(*api_, missing), ErrorCode::kNotFound, "faceberg init");
}

}  // namespace
}  // namespace faceberg::bridge
