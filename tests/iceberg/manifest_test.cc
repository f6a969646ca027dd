#include "iceberg/manifest.h"

#include "iceberg/table_metadata.h"
#include "test_util.h"

namespace faceberg::iceberg {
namespace {

using faceberg::testing::TempDir;

class ManifestTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    auto schema = ParseSchemaString(
        "id long not null, name string, ts timestamptz, price decimal(9,2), flag boolean");
    ASSERT_OK(schema);
    auto spec = ParsePartitionSpecString("name, day(ts), bucket(4, id), price", **schema);
    ASSERT_OK(spec);
    NewTableOptions options;
    options.location = dir_.path().string();
    options.schema = *schema;
    options.spec = std::make_shared<const PartitionSpec>(*spec);
    options.format_version = GetParam();
    auto md = NewTableMetadata(options);
    ASSERT_OK(md);
    metadata_ = std::move(*md);
  }

  DataFile MakeFile(const std::string& name, int64_t rows) {
    DataFile f;
    f.file_path = dir_.Join("data/" + name);
    f.file_size_in_bytes = 1000 + rows;
    f.partition = {Value{std::string("train")}, Value{int32_t{20000}}, Value{int32_t{3}},
                   Value{Decimal128{-1420}}};
    f.metrics.record_count = rows;
    f.metrics.column_sizes = {{1, 80}, {2, 120}};
    f.metrics.value_counts = {{1, rows}, {2, rows}};
    f.metrics.null_value_counts = {{1, 0}, {2, 1}};
    f.metrics.nan_value_counts = {};
    f.metrics.lower_bounds = {{1, std::string("\x01\0\0\0\0\0\0\0", 8)}, {2, "apple"}};
    f.metrics.upper_bounds = {{1, std::string("\x09\0\0\0\0\0\0\0", 8)}, {2, "pear"}};
    f.metrics.split_offsets = {4, 1000};
    return f;
  }

  TempDir dir_;
  io::LocalFileIO io_;
  TableMetadata metadata_;
};

TEST_P(ManifestTest, ManifestRoundTripWithInheritance) {
  std::vector<ManifestEntry> entries;
  ManifestEntry added;
  added.data_file = MakeFile("a.parquet", 10);
  entries.push_back(added);
  ManifestEntry existing;
  existing.status = EntryStatus::kExisting;
  existing.snapshot_id = 11;
  existing.sequence_number = 3;
  existing.file_sequence_number = 3;
  existing.data_file = MakeFile("b.parquet", 20);
  existing.data_file.partition[0] = Value{};  // a null partition value
  entries.push_back(existing);

  ManifestWriteOptions options;
  options.format_version = GetParam();
  options.snapshot_id = 99;
  const std::string path = dir_.Join("metadata/m0.avro");
  ASSERT_OK_AND_ASSIGN(ManifestFile mf, WriteManifest(io_, path, *metadata_.CurrentSchema(),
                                                      *metadata_.DefaultSpec(), entries, options));
  EXPECT_EQ(mf.added_files_count, 1);
  EXPECT_EQ(mf.existing_files_count, 1);
  EXPECT_EQ(mf.added_rows_count, 10);
  EXPECT_EQ(mf.existing_rows_count, 20);
  ASSERT_EQ(mf.partitions.size(), 4u);
  EXPECT_TRUE(mf.partitions[0].contains_null);
  EXPECT_EQ(mf.partitions[0].lower_bound, "train");
  EXPECT_FALSE(mf.partitions[1].contains_null);

  // The list assigns the snapshot's sequence number to the new manifest.
  ManifestListWriteOptions list_options;
  list_options.format_version = GetParam();
  list_options.snapshot_id = 99;
  list_options.parent_snapshot_id = 11;
  list_options.sequence_number = 7;
  const std::string list_path = dir_.Join("metadata/snap-99.avro");
  ASSERT_OK(WriteManifestList(io_, list_path, {mf}, list_options));
  ASSERT_OK_AND_ASSIGN(auto manifests, ReadManifestList(io_, list_path));
  ASSERT_EQ(manifests.size(), 1u);
  const ManifestFile& read_mf = manifests[0];
  EXPECT_EQ(read_mf.manifest_path, path);
  EXPECT_EQ(read_mf.manifest_length, mf.manifest_length);
  EXPECT_EQ(read_mf.added_snapshot_id, 99);
  EXPECT_EQ(read_mf.sequence_number, GetParam() >= 2 ? 7 : 0);
  EXPECT_EQ(read_mf.partitions, mf.partitions);

  ASSERT_OK_AND_ASSIGN(auto read, ReadManifest(io_, read_mf, metadata_));
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(read[0].status, EntryStatus::kAdded);
  EXPECT_EQ(read[0].snapshot_id, 99);  // inherited (v2) or written (v1)
  EXPECT_EQ(read[0].sequence_number, GetParam() >= 2 ? 7 : 0);
  EXPECT_EQ(read[1].status, EntryStatus::kExisting);
  EXPECT_EQ(read[1].snapshot_id, 11);
  EXPECT_EQ(read[1].sequence_number, GetParam() >= 2 ? 3 : 0);
  DataFile expected_a = added.data_file;
  expected_a.spec_id = 0;
  EXPECT_EQ(read[0].data_file, expected_a);
  EXPECT_EQ(read[1].data_file, existing.data_file);
}

TEST_P(ManifestTest, RefusesWrongArityAndCorruptFiles) {
  ManifestEntry e;
  e.data_file = MakeFile("a.parquet", 1);
  e.data_file.partition.pop_back();
  ManifestWriteOptions options;
  options.format_version = GetParam();
  EXPECT_ERROR(WriteManifest(io_, dir_.Join("m.avro"), *metadata_.CurrentSchema(),
                             *metadata_.DefaultSpec(), {e}, options),
               ErrorCode::kInvalidArgument, "partition values");
  ASSERT_OK(io_.WriteFile(dir_.Join("bad.avro"), "Obj\x01garbage", io::WriteMode::kOverwrite));
  EXPECT_ERROR(ReadManifestList(io_, dir_.Join("bad.avro")), ErrorCode::kCorrupt, "bad.avro");
  EXPECT_ERROR(ReadManifestList(io_, dir_.Join("missing.avro")), ErrorCode::kNotFound,
               "missing.avro");
}

INSTANTIATE_TEST_SUITE_P(FormatVersions, ManifestTest, ::testing::Values(1, 2));

}  // namespace
}  // namespace faceberg::iceberg
