// The routing FileIO: local paths, hf:// locations of a mirrored catalog mapped to its folder
// (reads, writes, the no-replace publish, no escape from the root), remote hf:// reads through
// the Hub, and a Hub client made only when a remote location is used.
#include "hub/routing_file_io.h"

#include <filesystem>

#include "catalog/catalog.h"
#include "hub_test_util.h"
#include "table/append.h"
#include "table/orphans.h"
#include "util/time.h"

namespace faceberg::hub {
namespace {

using testing::LocalHubFixture;
using testing::ReadLocalFile;
using testing::TempDir;

TEST(RoutingFileIOTest, LocalPathsAndFileUrisGoToTheLocalFileSystem) {
  TempDir dir;
  RoutingFileIO io;
  std::string path = dir.Join("a/b.txt");
  ASSERT_OK(io.WriteFile(path, "hello", io::WriteMode::kNoReplace));
  ASSERT_OK_AND_ASSIGN(auto file, io.NewInputFile("file://" + path));
  ASSERT_OK_AND_ASSIGN(std::string text, file->ReadAll());
  EXPECT_EQ(text, "hello");
  ASSERT_OK_AND_ASSIGN(bool exists, io.Exists(path));
  EXPECT_TRUE(exists);
  ASSERT_OK_AND_ASSIGN(auto names, io.ListDir(dir.Join("a")));
  EXPECT_EQ(names, std::vector<std::string>{"b.txt"});
  ASSERT_OK(io.DeleteFile(path));
  EXPECT_ERROR(io.NewInputFile(path), ErrorCode::kNotFound, "b.txt");
}

TEST(RoutingFileIOTest, MirroredLocationsMapToTheMirrorFolder) {
  TempDir dir;
  RoutingFileIO io;
  std::string root = dir.Join("mirror");
  ASSERT_OK(io.AddMirror("hf://datasets/alice/cat", root));
  const std::string hint = "hf://datasets/alice/cat/default/t/metadata/version-hint.text";
  ASSERT_OK(io.WriteFile(hint, "1", io::WriteMode::kOverwrite));
  EXPECT_EQ(ReadLocalFile(root + "/default/t/metadata/version-hint.text"), "1");
  ASSERT_OK_AND_ASSIGN(auto local, io.LocalPathOf(hint));
  EXPECT_EQ(local, root + "/default/t/metadata/version-hint.text");
  ASSERT_OK_AND_ASSIGN(auto file, io.NewInputFile(hint));
  ASSERT_OK_AND_ASSIGN(std::string text, file->ReadAll());
  EXPECT_EQ(text, "1");
  ASSERT_OK_AND_ASSIGN(bool exists, io.Exists("hf://datasets/alice/cat/default/t/metadata"));
  EXPECT_TRUE(exists);
  ASSERT_OK_AND_ASSIGN(auto names, io.ListDir("hf://datasets/alice/cat/default/t/metadata/"));
  EXPECT_EQ(names, std::vector<std::string>{"version-hint.text"});
  ASSERT_OK_AND_ASSIGN(auto root_path, io.LocalPathOf("hf://datasets/alice/cat"));
  EXPECT_EQ(root_path, root);

  // kNoReplace stays the atomic create-if-absent publish.
  const std::string v1 = "hf://datasets/alice/cat/default/t/metadata/v1.metadata.json";
  ASSERT_OK(io.WriteFile(v1, "first", io::WriteMode::kNoReplace));
  EXPECT_ERROR(io.WriteFile(v1, "second", io::WriteMode::kNoReplace), ErrorCode::kAlreadyExists,
               "v1.metadata.json");
  EXPECT_EQ(ReadLocalFile(root + "/default/t/metadata/v1.metadata.json"), "first");
  ASSERT_OK(io.DeleteFile(v1));
  EXPECT_FALSE(std::filesystem::exists(root + "/default/t/metadata/v1.metadata.json"));

  // A later mapping of the same repo replaces the first.
  std::string other = dir.Join("other");
  ASSERT_OK(io.AddMirror("hf://datasets/alice/cat/", other));
  ASSERT_OK_AND_ASSIGN(auto moved, io.LocalPathOf(hint));
  EXPECT_EQ(moved, other + "/default/t/metadata/version-hint.text");
}

TEST(RoutingFileIOTest, NoLocationEscapesTheMirror) {
  TempDir dir;
  RoutingFileIO io;
  std::string root = dir.Join("mirror");
  ASSERT_OK(io.AddMirror("hf://datasets/o/r", root));
  for (const char* location :
       {"hf://datasets/o/r/../x", "hf://datasets/o/r/a/../../x", "hf://datasets/o/r/./x",
        "hf://datasets/o/r//x", "hf://datasets/o/../x", "hf://datasets/o/r/a/.."}) {
    SCOPED_TRACE(location);
    EXPECT_ERROR(io.WriteFile(location, "x", io::WriteMode::kOverwrite),
                 ErrorCode::kInvalidArgument, "");
    EXPECT_ERROR(io.NewInputFile(location), ErrorCode::kInvalidArgument, "");
    EXPECT_ERROR(io.LocalPathOf(location), ErrorCode::kInvalidArgument, "");
  }
  EXPECT_FALSE(std::filesystem::exists(dir.Join("x")));
  EXPECT_FALSE(std::filesystem::exists(root));
}

TEST(RoutingFileIOTest, BadMirrorsAndSchemesAreRefused) {
  RoutingFileIO io;
  EXPECT_ERROR(io.AddMirror("hf://datasets/o/r@main", "/tmp/x"), ErrorCode::kInvalidArgument,
               "without @REVISION");
  EXPECT_ERROR(io.AddMirror("hf://datasets/o/r/sub", "/tmp/x"), ErrorCode::kInvalidArgument,
               "hf://datasets/OWNER/REPO");
  EXPECT_ERROR(io.AddMirror("hf://datasets/o/r", ""), ErrorCode::kInvalidArgument, "empty");
  EXPECT_ERROR(io.AddMirror("/tmp/x", "/tmp/y"), ErrorCode::kInvalidArgument, "hf://");
  EXPECT_ERROR(io.NewInputFile("s3://bucket/key"), ErrorCode::kNotSupported, "s3://bucket/key");
  ASSERT_OK_AND_ASSIGN(auto s3, io.LocalPathOf("s3://bucket/key"));
  EXPECT_FALSE(s3.has_value());
}

TEST(RoutingFileIOTest, TablesOfAMirroredCatalogAreCleanedInTheMirrorFolder) {
  TempDir dir;
  RoutingFileIO io;
  const std::string mirror = dir.Join("mirror");
  ASSERT_OK(io.AddMirror("hf://datasets/alice/cat", mirror));
  catalog::OpenCatalogOptions options;
  options.create = true;
  options.mirror = mirror;
  ASSERT_OK_AND_ASSIGN(auto cat, catalog::OpenCatalog(io, "hf://datasets/alice/cat", options));
  const catalog::TableIdentifier id{"default", "t"};
  catalog::CreateTableOptions create;
  ASSERT_OK_AND_ASSIGN(create.schema, iceberg::ParseSchemaString("id long"));
  ASSERT_OK_AND_ASSIGN(auto md, cat->CreateTable(id, create));
  ASSERT_EQ(md->location, "hf://datasets/alice/cat/default/t");
  ASSERT_OK_AND_ASSIGN(auto ops, cat->LoadTable(id));
  iceberg::DataFile data;
  data.file_path = "hf://datasets/alice/cat/default/t/data/a.parquet";
  data.file_size_in_bytes = 1;
  data.metrics.record_count = 1;
  ASSERT_OK(io.WriteFile(data.file_path, "x", io::WriteMode::kNoReplace));
  ASSERT_OK(table::AppendFiles(*ops, {data}).status());
  const std::string stray = mirror + "/default/t/data/stray.parquet";
  ASSERT_OK(io.WriteFile(stray, "x", io::WriteMode::kNoReplace));

  // orphans lists the mirror folder and keeps what the hf:// metadata references.
  table::OrphanOptions orphan_options;
  orphan_options.older_than_ms = NowMillis() + 1000;
  ASSERT_OK_AND_ASSIGN(table::OrphanResult orphans, table::DeleteOrphanFiles(*ops, orphan_options));
  EXPECT_EQ(orphans.orphans, std::vector<std::string>{stray});
  EXPECT_GE(orphans.referenced, 4);  // data file, manifest, manifest list, metadata
  EXPECT_FALSE(std::filesystem::exists(stray));
  EXPECT_TRUE(std::filesystem::exists(mirror + "/default/t/data/a.parquet"));

  // A purge removes the table's folder from the mirror, metadata folder included.
  ASSERT_OK(cat->DropTable(id, /*purge=*/true));
  EXPECT_FALSE(std::filesystem::exists(mirror + "/default/t"));
  EXPECT_TRUE(std::filesystem::exists(mirror + "/catalog.json"));
}

TEST(RoutingFileIOTest, OtherHfLocationsAreReadFromTheHubOnly) {
  LocalHubFixture hub;
  hub.AddFile("o/ds", "notes.txt", "0123456789");
  hub.AddFile("o/cat", "catalog.json", "{}");
  ASSERT_OK(hub.Start());
  ASSERT_OK_AND_ASSIGN(auto api, hub.Api());
  TempDir dir;
  RoutingFileIOOptions options;
  options.shared_api = api;
  RoutingFileIO io(options);
  ASSERT_OK(io.AddMirror("hf://datasets/o/cat", dir.Join("mirror")));
  hub.hub().ResetStats();

  // Local and mirrored locations never reach the Hub.
  ASSERT_OK(
      io.WriteFile("hf://datasets/o/cat/catalog.json", "{\"local\":1}", io::WriteMode::kOverwrite));
  ASSERT_OK_AND_ASSIGN(bool local_exists, io.Exists("hf://datasets/o/cat/catalog.json"));
  EXPECT_TRUE(local_exists);
  EXPECT_EQ(hub.hub().stats().total, 0);

  ASSERT_OK_AND_ASSIGN(auto file, io.NewInputFile("hf://datasets/o/ds/notes.txt"));
  ASSERT_OK_AND_ASSIGN(std::string text, file->ReadAll());
  EXPECT_EQ(text, "0123456789");
  // A revision pins the Hub's copy, even of a mirrored repo.
  ASSERT_OK_AND_ASSIGN(auto pinned, io.NewInputFile("hf://datasets/o/cat@main/catalog.json"));
  ASSERT_OK_AND_ASSIGN(std::string remote, pinned->ReadAll());
  EXPECT_EQ(remote, "{}");
  ASSERT_OK_AND_ASSIGN(auto where, io.LocalPathOf("hf://datasets/o/ds/notes.txt"));
  EXPECT_FALSE(where.has_value());
  EXPECT_ERROR(io.WriteFile("hf://datasets/o/ds/new.txt", "x", io::WriteMode::kOverwrite),
               ErrorCode::kNotSupported, "read-only");
  EXPECT_ERROR(io.DeleteFile("hf://datasets/o/ds/notes.txt"), ErrorCode::kNotSupported,
               "read-only");
  ASSERT_OK_AND_ASSIGN(auto names, io.ListDir("hf://datasets/o/ds"));
  EXPECT_THAT(names, ::testing::Contains("notes.txt"));
}

TEST(RoutingFileIOTest, TheHubClientIsMadeOnFirstRemoteUse) {
  // An offline client fails every request: local work must not notice it exists.
  RoutingFileIOOptions options;
  options.api.offline = true;
  options.api.token = HfToken();
  RoutingFileIO io(options);
  TempDir dir;
  ASSERT_OK(io.AddMirror("hf://datasets/o/r", dir.Join("m")));
  ASSERT_OK(io.WriteFile("hf://datasets/o/r/x.txt", "x", io::WriteMode::kOverwrite));
  ASSERT_OK(io.WriteFile(dir.Join("y.txt"), "y", io::WriteMode::kOverwrite));
  auto remote = io.Exists("hf://datasets/o/other/x.txt");
  EXPECT_FALSE(remote.ok());
  ASSERT_OK_AND_ASSIGN(auto api, io.Api());
  EXPECT_TRUE(api->offline());
}

}  // namespace
}  // namespace faceberg::hub
