// Shared fixture for the engine tests: a DuckDB connection, a temp folder and table metadata.
#pragma once

#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engine/database.h"
#include "format/parquet/footer.h"
#include "iceberg/parquet_metrics.h"
#include "iceberg/table_metadata.h"
#include "io/file_io.h"
#include "test_util.h"

namespace faceberg::engine {

/// A FileIO storing "mapped://PATH" locations in the local folder ROOT/PATH (as a mirrored hf://
/// catalog stores its locations), and local paths as they are.
class MappedFileIO final : public io::FileIO {
 public:
  static constexpr std::string_view kScheme = "mapped://";
  explicit MappedFileIO(std::string root) : root_(std::move(root)) {}

  Result<std::optional<std::string>> LocalPathOf(std::string_view location) const override {
    return std::optional<std::string>(Map(location));
  }
  Result<std::unique_ptr<io::InputFile>> NewInputFile(std::string_view location) override {
    return local_.NewInputFile(Map(location));
  }
  Status WriteFile(std::string_view location, std::string_view data, io::WriteMode mode) override {
    return local_.WriteFile(Map(location), data, mode);
  }
  Status DeleteFile(std::string_view location) override { return local_.DeleteFile(Map(location)); }
  Result<bool> Exists(std::string_view location) override { return local_.Exists(Map(location)); }
  Result<std::vector<std::string>> ListDir(std::string_view location) override {
    return local_.ListDir(Map(location));
  }

 private:
  std::string Map(std::string_view location) const {
    if (location.substr(0, kScheme.size()) != kScheme) return std::string(location);
    return io::JoinPath(root_, location.substr(kScheme.size()));
  }

  std::string root_;
  io::LocalFileIO local_;
};

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::Open();
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    auto con = Connection::Open(*db_);
    ASSERT_TRUE(con.ok()) << con.status().ToString();
    con_ = std::move(*con);
  }

  // Metadata of a new table at <tmp>/<name> with `schema` ("id long not null, ...") and
  // `partition` ("day(ts), bucket(4, id)", or empty).
  iceberg::TableMetadata MakeTable(const std::string& schema, const std::string& partition = "",
                                   const std::string& name = "table") {
    auto parsed = iceberg::ParseSchemaString(schema);
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    auto spec = iceberg::ParsePartitionSpecString(partition, **parsed);
    EXPECT_TRUE(spec.ok()) << spec.status().ToString();
    iceberg::NewTableOptions options;
    options.location = dir_.Join(name);
    options.schema = *parsed;
    options.spec = std::make_shared<const iceberg::PartitionSpec>(*spec);
    auto md = iceberg::NewTableMetadata(options);
    EXPECT_TRUE(md.ok()) << md.status().ToString();
    return md.ok() ? *md : iceberg::TableMetadata{};
  }

  std::string WriteText(const std::string& name, const std::string& text) {
    std::string path = dir_.Join(name);
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  // Rows of `sql` as text, in the order given.
  std::vector<Row> Rows(const std::string& sql) {
    auto r = con_->Query(sql);
    EXPECT_TRUE(r.ok()) << sql << "\n" << r.status().ToString();
    return r.ok() ? r->rows : std::vector<Row>{};
  }

  // Every regular file under `dir`, recursively.
  std::vector<std::string> FilesUnder(const std::string& dir) {
    std::vector<std::string> out;
    std::error_code ec;
    for (std::filesystem::recursive_directory_iterator it(dir, ec), end; !ec && it != end;
         it.increment(ec)) {
      if (it->is_regular_file()) out.push_back(it->path().string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  // The Iceberg schema of a written file read from its footer, with `ids_from_file`.
  iceberg::SchemaPtr FooterSchema(const std::string& path, bool* ids_from_file) {
    auto file = io_.NewInputFile(path);
    EXPECT_TRUE(file.ok()) << file.status().ToString();
    if (!file.ok()) return nullptr;
    auto footer = parquet::ReadFileMetaData(**file);
    EXPECT_TRUE(footer.ok()) << footer.status().ToString();
    if (!footer.ok()) return nullptr;
    iceberg::ParquetSchemaInfo info;
    auto schema = iceberg::SchemaFromParquet(*footer, &info);
    EXPECT_TRUE(schema.ok()) << schema.status().ToString();
    *ids_from_file = info.ids_from_file;
    return schema.ok() ? *schema : nullptr;
  }

  testing::TempDir dir_;
  io::LocalFileIO io_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<Connection> con_;
};

}  // namespace faceberg::engine
