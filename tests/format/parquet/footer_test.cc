#include "format/parquet/footer.h"

#include <random>
#include <string>

#include "format/parquet/schema.h"
#include "test_util.h"
#include "util/bytes.h"

namespace faceberg::parquet {
namespace {

using faceberg::testing::TestDataPath;

// Counts the calls reaching the file, to check the one-read promise.
class CountingInputFile final : public io::InputFile {
 public:
  explicit CountingInputFile(std::unique_ptr<io::InputFile> inner) : inner_(std::move(inner)) {}
  const std::string& location() const override { return inner_->location(); }
  Result<uint64_t> Size() override {
    ++size_calls;
    return inner_->Size();
  }
  Result<std::string> ReadAt(uint64_t offset, uint64_t length) override {
    ++read_at_calls;
    return inner_->ReadAt(offset, length);
  }
  Result<std::string> ReadTail(uint64_t length) override {
    ++read_tail_calls;
    return inner_->ReadTail(length);
  }

  int size_calls = 0;
  int read_at_calls = 0;
  int read_tail_calls = 0;

 private:
  std::unique_ptr<io::InputFile> inner_;
};

std::unique_ptr<CountingInputFile> Open(const std::string& name) {
  io::LocalFileIO io;
  auto file = io.NewInputFile(TestDataPath("parquet/" + name));
  EXPECT_TRUE(file.ok()) << file.status().ToString();
  return std::make_unique<CountingInputFile>(std::move(file).value());
}

std::string ReadBytes(const std::string& name) {
  io::LocalFileIO io;
  auto file = io.NewInputFile(TestDataPath("parquet/" + name));
  EXPECT_TRUE(file.ok());
  return *(*file)->ReadAll();
}

// The footer length field of a whole Parquet file.
uint32_t LoadLength(const std::string& bytes) {
  return LoadLittleEndian<uint32_t>(std::string_view(bytes).substr(bytes.size() - 8));
}

const SchemaElement& Find(const FileMetaData& md, const std::string& name) {
  for (const auto& e : md.schema) {
    if (e.name == name) return e;
  }
  ADD_FAILURE() << "no schema element " << name;
  return md.schema[0];
}

TEST(ReadFooterTest, PyArrowFileInOneRead) {
  auto file = Open("pyarrow_ids.parquet");
  ASSERT_OK_AND_ASSIGN(ParquetFooter footer, ReadFooter(*file));
  EXPECT_EQ(file->read_tail_calls, 1);
  EXPECT_EQ(file->read_at_calls, 0);
  EXPECT_EQ(file->size_calls, 0);

  const FileMetaData& md = footer.metadata;
  EXPECT_EQ(footer.file_size, 12127u);
  EXPECT_GT(footer.metadata_length, 1000u);
  EXPECT_EQ(md.version, 2);
  EXPECT_EQ(md.num_rows, 7);
  ASSERT_TRUE(md.created_by.has_value());
  EXPECT_THAT(*md.created_by, ::testing::StartsWith("parquet-cpp-arrow version"));
  ASSERT_EQ(md.row_groups.size(), 3u);
  EXPECT_EQ(md.row_groups[0].num_rows, 3);
  EXPECT_EQ(md.row_groups[1].num_rows, 3);
  EXPECT_EQ(md.row_groups[2].num_rows, 1);
  EXPECT_EQ(md.column_orders.size(), 23u);
  EXPECT_EQ(md.column_orders[0], ColumnOrder::kTypeDefined);

  // The root, 21 top-level fields and the nested structure of point (2), tags (list, element)
  // and attrs (key_value, key, value).
  ASSERT_EQ(md.schema.size(), 29u);
  EXPECT_EQ(md.schema[0].name, "schema");
  EXPECT_EQ(md.schema[0].num_children, 21);

  const SchemaElement& id = Find(md, "id");
  EXPECT_EQ(id.type, PhysicalType::kInt64);
  EXPECT_EQ(id.repetition_type, Repetition::kRequired);
  EXPECT_EQ(id.field_id, 1);

  const SchemaElement& i8 = Find(md, "i8");
  ASSERT_TRUE(i8.logical_type.has_value());
  EXPECT_EQ(i8.logical_type->kind, LogicalType::Kind::kInteger);
  EXPECT_EQ(i8.logical_type->bit_width, 8);
  EXPECT_TRUE(i8.logical_type->is_signed);
  EXPECT_EQ(i8.converted_type, ConvertedType::kInt8);

  const SchemaElement& s = Find(md, "s");
  EXPECT_EQ(s.type, PhysicalType::kByteArray);
  EXPECT_EQ(s.logical_type->kind, LogicalType::Kind::kString);
  EXPECT_EQ(s.converted_type, ConvertedType::kUtf8);

  const SchemaElement& dec38 = Find(md, "dec38");
  EXPECT_EQ(dec38.type, PhysicalType::kFixedLenByteArray);
  EXPECT_EQ(dec38.type_length, 16);
  EXPECT_EQ(dec38.logical_type->kind, LogicalType::Kind::kDecimal);
  EXPECT_EQ(dec38.logical_type->precision, 38);
  EXPECT_EQ(dec38.logical_type->scale, 10);
  EXPECT_EQ(dec38.precision, 38);
  EXPECT_EQ(dec38.scale, 10);

  const SchemaElement& ts_ms = Find(md, "ts_ms");
  EXPECT_EQ(ts_ms.logical_type->kind, LogicalType::Kind::kTimestamp);
  EXPECT_EQ(ts_ms.logical_type->unit, TimeUnit::kMillis);
  EXPECT_FALSE(ts_ms.logical_type->is_adjusted_to_utc);
  const SchemaElement& ts_us_tz = Find(md, "ts_us_tz");
  EXPECT_EQ(ts_us_tz.logical_type->unit, TimeUnit::kMicros);
  EXPECT_TRUE(ts_us_tz.logical_type->is_adjusted_to_utc);
  EXPECT_EQ(Find(md, "ts_ns").logical_type->unit, TimeUnit::kNanos);
  EXPECT_EQ(Find(md, "t").logical_type->kind, LogicalType::Kind::kTime);
  EXPECT_EQ(Find(md, "day").logical_type->kind, LogicalType::Kind::kDate);
  EXPECT_EQ(Find(md, "u").logical_type->kind, LogicalType::Kind::kUuid);
  EXPECT_EQ(Find(md, "tags").logical_type->kind, LogicalType::Kind::kList);
  EXPECT_EQ(Find(md, "attrs").logical_type->kind, LogicalType::Kind::kMap);
  EXPECT_EQ(Find(md, "element").field_id, 23);
  EXPECT_EQ(Find(md, "key").field_id, 25);

  // Column chunks: path, counts, sizes and statistics.
  const ColumnChunk& id_chunk = md.row_groups[0].columns[0];
  ASSERT_TRUE(id_chunk.meta_data.has_value());
  const ColumnMetaData& id_md = *id_chunk.meta_data;
  EXPECT_EQ(id_md.type, PhysicalType::kInt64);
  EXPECT_EQ(id_md.path_in_schema, std::vector<std::string>{"id"});
  EXPECT_EQ(id_md.codec, CompressionCodec::kUncompressed);
  EXPECT_EQ(id_md.num_values, 3);
  EXPECT_EQ(id_md.dictionary_page_offset, 4);
  EXPECT_GT(id_md.data_page_offset, 4);
  ASSERT_TRUE(id_md.statistics.has_value());
  EXPECT_EQ(id_md.statistics->null_count, 0);
  std::string one("\x01\0\0\0\0\0\0\0", 8);
  std::string three("\x03\0\0\0\0\0\0\0", 8);
  EXPECT_EQ(id_md.statistics->min_value, one);
  EXPECT_EQ(id_md.statistics->max_value, three);
  EXPECT_EQ(id_md.statistics->min, one);  // parquet-cpp also writes the deprecated fields
  EXPECT_EQ(id_md.statistics->is_min_value_exact, true);

  const ColumnMetaData& tags_md = *md.row_groups[0].columns[20].meta_data;
  EXPECT_EQ(tags_md.path_in_schema, (std::vector<std::string>{"tags", "list", "element"}));
  EXPECT_EQ(tags_md.num_values, 4);  // "a", "b", the empty list and the null list

  const ColumnMetaData& s_md = *md.row_groups[0].columns[7].meta_data;
  EXPECT_EQ(s_md.statistics->min_value, "a string longer than sixteen chars");
  EXPECT_EQ(s_md.statistics->max_value,
            "\u00fcn\u00efc\u00f6d\u00e9-str\u00een\u0303g-th\u00e4t-is-l\u00f6ng");
}

TEST(ReadFooterTest, DuckDbFile) {
  auto file = Open("duckdb_ids.parquet");
  ASSERT_OK_AND_ASSIGN(FileMetaData md, ReadFileMetaData(*file));
  EXPECT_EQ(file->read_tail_calls, 1);
  EXPECT_THAT(md.created_by.value_or(""), ::testing::StartsWith("DuckDB"));
  EXPECT_EQ(md.num_rows, 4);
  EXPECT_EQ(md.row_groups.size(), 1u);
  EXPECT_TRUE(md.column_orders.empty());  // DuckDB writes none
  // DuckDB annotates unsigned integers with the legacy converted type only.
  EXPECT_FALSE(Find(md, "u32").logical_type.has_value());
  EXPECT_EQ(Find(md, "u32").converted_type, ConvertedType::kUint32);
  ASSERT_TRUE(Find(md, "uid").logical_type.has_value());
  EXPECT_EQ(Find(md, "uid").logical_type->kind, LogicalType::Kind::kUuid);
  ASSERT_TRUE(Find(md, "ts").logical_type.has_value());
  EXPECT_EQ(Find(md, "ts").logical_type->kind, LogicalType::Kind::kTimestamp);
  EXPECT_FALSE(Find(md, "ts").logical_type->is_adjusted_to_utc);
  EXPECT_EQ(Find(md, "st").field_id, 19);
}

TEST(ReadFooterTest, SecondReadWhenFooterExceedsFirstRead) {
  auto file = Open("pyarrow_ids.parquet");
  ASSERT_OK_AND_ASSIGN(ParquetFooter small, ReadFooter(*file, {.initial_read_size = 100}));
  EXPECT_EQ(file->read_tail_calls, 1);
  EXPECT_EQ(file->size_calls, 1);
  EXPECT_EQ(file->read_at_calls, 1);
  EXPECT_EQ(small.file_size, 12127u);

  auto again = Open("pyarrow_ids.parquet");
  ASSERT_OK_AND_ASSIGN(ParquetFooter whole, ReadFooter(*again));
  EXPECT_EQ(small.metadata_length, whole.metadata_length);
  EXPECT_EQ(small.metadata.schema.size(), whole.metadata.schema.size());
  EXPECT_EQ(small.metadata.row_groups.size(), whole.metadata.row_groups.size());
}

TEST(ReadFooterTest, FooterExactlyAtTheFirstReadBoundary) {
  std::string bytes = ReadBytes("pyarrow_int96.parquet");
  uint32_t length = LoadLength(bytes);
  for (uint64_t first :
       {uint64_t{length} + 7, uint64_t{length} + 8, uint64_t{length} + 12, uint64_t{length} + 13}) {
    io::MemoryInputFile file("mem.parquet", bytes);
    ASSERT_OK_AND_ASSIGN(ParquetFooter footer, ReadFooter(file, {.initial_read_size = first}));
    EXPECT_EQ(footer.metadata.num_rows, 2) << first;
  }
}

TEST(ReadFooterTest, CorruptFilesNameTheFileAndTheProblem) {
  struct Case {
    const char* file;
    const char* message;
  };
  for (const Case& c : {
           Case{"corrupt_bad_magic.parquet", "bad magic"},
           Case{"corrupt_footer_too_long.parquet", "footer length 1391 exceeds file size 391"},
           Case{"corrupt_truncated_footer.parquet", "truncated footer"},
           Case{"corrupt_tiny.parquet", "3 bytes is smaller than the minimum of 12"},
           Case{"corrupt_garbage_footer.parquet", ""},
       }) {
    auto file = Open(c.file);
    auto result = ReadFooter(*file);
    ASSERT_FALSE(result.ok()) << c.file;
    EXPECT_EQ(result.status().code(), ErrorCode::kCorrupt) << result.status().ToString();
    EXPECT_THAT(result.status().message(), ::testing::HasSubstr(c.file));
    EXPECT_THAT(result.status().message(), ::testing::HasSubstr(c.message));
  }
}

TEST(ReadFooterTest, InMemoryEdgeCases) {
  auto read = [](std::string bytes) {
    io::MemoryInputFile file("mem.parquet", std::move(bytes));
    return ReadFooter(file).status();
  };
  EXPECT_ERROR(read(""), ErrorCode::kCorrupt, "mem.parquet: not a Parquet file: 0 bytes");
  EXPECT_ERROR(read("PAR1PAR1"), ErrorCode::kCorrupt, "8 bytes is smaller");
  EXPECT_ERROR(read(std::string("PAR1\0\0\0\0PAR1", 12)), ErrorCode::kCorrupt, "truncated footer");
  EXPECT_ERROR(read(std::string("XXXX\0\0\0\0PAR1", 12)), ErrorCode::kCorrupt,
               "bad magic at the start");
  EXPECT_ERROR(read(std::string("PAR1\x01\0\0\0PAR1", 12)), ErrorCode::kCorrupt,
               "footer length 1 exceeds file size 12");
  EXPECT_ERROR(read(std::string("PAR1\0\0\0\0PARE", 12)), ErrorCode::kNotSupported,
               "encrypted footer");

  // A large file whose footer length points before the start: found on the second read.
  std::string big(200000, '\0');
  big.replace(0, 4, "PAR1");
  big.replace(big.size() - 8, 8, std::string("\x00\x00\x00\x20PAR1", 8));
  io::MemoryInputFile file("big.parquet", big);
  EXPECT_ERROR(ReadFooter(file).status(), ErrorCode::kNotSupported, "above the supported maximum");
  big.replace(big.size() - 8, 4, std::string("\x00\x00\x10\x00", 4));  // 1 MiB
  io::MemoryInputFile file2("big.parquet", big);
  EXPECT_ERROR(ReadFooter(file2).status(), ErrorCode::kCorrupt,
               "footer length 1048576 exceeds file size 200000");
}

TEST(ReadFooterTest, MissingFile) {
  io::LocalFileIO io;
  EXPECT_EQ(io.NewInputFile(TestDataPath("parquet/nope.parquet")).status().code(),
            ErrorCode::kNotFound);
}

// Every truncation and many random corruptions of a real footer fail cleanly or decode.
TEST(DecodeFileMetaDataTest, SurvivesTruncationAndBitFlips) {
  std::string bytes = ReadBytes("duckdb_ids.parquet");
  uint32_t length = LoadLength(bytes);
  std::string footer = bytes.substr(bytes.size() - 8 - length, length);
  ASSERT_OK(DecodeFileMetaData(footer));
  for (size_t n = 0; n < footer.size(); ++n) {
    auto result = DecodeFileMetaData(std::string_view(footer).substr(0, n));
    EXPECT_EQ(result.status().code(), ErrorCode::kCorrupt) << "prefix " << n;
  }
  std::mt19937 rng(42);
  for (int i = 0; i < 1000; ++i) {
    std::string mutated = footer;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < flips; ++k) {
      mutated[rng() % mutated.size()] = static_cast<char>(rng());
    }
    auto result = DecodeFileMetaData(mutated);
    if (result.ok()) {
      (void)SchemaTree::Make(result->schema);  // must not crash either
    } else {
      EXPECT_EQ(result.status().code(), ErrorCode::kCorrupt);
    }
  }
}

}  // namespace
}  // namespace faceberg::parquet
