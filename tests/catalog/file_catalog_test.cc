#include "catalog/file_catalog.h"

#include <atomic>
#include <thread>

#include "test_util.h"

namespace faceberg::catalog {
namespace {

using faceberg::testing::TempDir;

CreateTableOptions Options() {
  CreateTableOptions o;
  o.schema = *iceberg::ParseSchemaString("id long not null, name string");
  return o;
}

TEST(IdentifierTest, ParsesAndValidates) {
  ASSERT_OK_AND_ASSIGN(auto a, ParseTableIdentifier("events"));
  EXPECT_EQ(a.ToString(), "default.events");
  ASSERT_OK_AND_ASSIGN(auto b, ParseTableIdentifier("a.b.t"));
  EXPECT_EQ(b.ns, "a.b");
  EXPECT_EQ(b.name, "t");
  EXPECT_ERROR(ParseTableIdentifier("../etc.passwd"), ErrorCode::kInvalidArgument, "1 to 128");
  EXPECT_ERROR(ParseTableIdentifier("ns.../passwd"), ErrorCode::kInvalidArgument, "1 to 128");
  EXPECT_ERROR(ParseTableIdentifier("ns.a/b"), ErrorCode::kInvalidArgument, "may only contain");
  EXPECT_ERROR(ParseTableIdentifier("ns./x"), ErrorCode::kInvalidArgument, "may only contain");
  EXPECT_ERROR(ParseTableIdentifier("ns..t"), ErrorCode::kInvalidArgument, "1 to 128");
  EXPECT_ERROR(ParseTableIdentifier(""), ErrorCode::kInvalidArgument, "1 to 128");
}

TEST(FileCatalogTest, CreateLoadList) {
  TempDir dir;
  io::LocalFileIO io;
  EXPECT_ERROR(FileCatalog::Open(io, dir.Join("cat"), false), ErrorCode::kNotFound,
               "faceberg init");
  ASSERT_OK_AND_ASSIGN(auto catalog, FileCatalog::Open(io, dir.Join("cat"), true));
  ASSERT_OK_AND_ASSIGN(auto md, catalog->CreateTable({"default", "t"}, Options()));
  EXPECT_EQ(md->location, dir.Join("cat/default/t"));
  EXPECT_ERROR(catalog->CreateTable({"default", "t"}, Options()), ErrorCode::kAlreadyExists,
               "already exists");
  ASSERT_OK_AND_ASSIGN(auto tables, catalog->ListTables());
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(tables[0].ToString(), "default.t");
  ASSERT_OK_AND_ASSIGN(auto ops, catalog->LoadTable({"default", "t"}));
  EXPECT_EQ(ops->current_metadata_location(), dir.Join("cat/default/t/metadata/v1.metadata.json"));
  EXPECT_ERROR(catalog->LoadTable({"default", "nope"}), ErrorCode::kNotFound, "faceberg list");
  // The hint holds the integer version, as Java and DuckDB expect.
  ASSERT_OK_AND_ASSIGN(auto hint,
                       io.NewInputFile(dir.Join("cat/default/t/metadata/version-hint.text")));
  EXPECT_EQ(*hint->ReadAll(), "1");
}

TEST(FileTableOperationsTest, RacingCommitsHaveExactlyOneWinner) {
  TempDir dir;
  io::LocalFileIO io;
  ASSERT_OK_AND_ASSIGN(auto catalog, FileCatalog::Open(io, dir.Join("cat"), true));
  ASSERT_OK(catalog->CreateTable({"default", "t"}, Options()));
  const std::string location = dir.Join("cat/default/t");
  constexpr int kWriters = 6;
  std::vector<std::unique_ptr<FileTableOperations>> ops;
  std::vector<iceberg::TableMetadataPtr> bases;
  for (int i = 0; i < kWriters; ++i) {
    ops.push_back(std::make_unique<FileTableOperations>(io, location));
    auto base = ops.back()->Refresh();
    ASSERT_OK(base);
    bases.push_back(*base);
  }
  std::atomic<int> wins{0}, conflicts{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kWriters; ++i) {
    threads.emplace_back([&, i] {
      iceberg::TableMetadata updated = *bases[i];
      updated.properties["writer"] = std::to_string(i);
      Status st = ops[i]->Commit(bases[i].get(), updated);
      if (st.ok()) ++wins;
      if (st.code() == ErrorCode::kConflict) ++conflicts;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wins.load(), 1);
  EXPECT_EQ(conflicts.load(), kWriters - 1);
  FileTableOperations reader(io, location);
  ASSERT_OK_AND_ASSIGN(auto latest, reader.Refresh());
  EXPECT_EQ(reader.current_version(), 2);
  EXPECT_EQ(latest->metadata_log.size(), 1u);
  EXPECT_EQ(latest->metadata_log[0].metadata_file, location + "/metadata/v1.metadata.json");
}

TEST(FileTableOperationsTest, ReaderProbesPastAStaleHint) {
  TempDir dir;
  io::LocalFileIO io;
  ASSERT_OK_AND_ASSIGN(auto catalog, FileCatalog::Open(io, dir.Join("cat"), true));
  ASSERT_OK(catalog->CreateTable({"default", "t"}, Options()));
  const std::string location = dir.Join("cat/default/t");
  FileTableOperations ops(io, location);
  ASSERT_OK_AND_ASSIGN(auto base, ops.Refresh());
  iceberg::TableMetadata updated = *base;
  updated.properties["k"] = "v";
  ASSERT_OK(ops.Commit(base.get(), updated));
  // Simulate a crash between the metadata write and the hint update.
  ASSERT_OK(io.WriteFile(location + "/metadata/version-hint.text", "1", io::WriteMode::kOverwrite));
  FileTableOperations reader(io, location);
  ASSERT_OK_AND_ASSIGN(auto latest, reader.Refresh());
  EXPECT_EQ(reader.current_version(), 2);
  EXPECT_EQ(latest->Property("k"), "v");
  // A garbage hint falls back to listing the folder.
  ASSERT_OK(
      io.WriteFile(location + "/metadata/version-hint.text", "zz", io::WriteMode::kOverwrite));
  FileTableOperations reader2(io, location);
  ASSERT_OK(reader2.Refresh());
  EXPECT_EQ(reader2.current_version(), 2);
}

}  // namespace
}  // namespace faceberg::catalog
