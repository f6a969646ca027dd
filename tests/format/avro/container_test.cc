#include "format/avro/container.h"

#include <string>

#include "format/avro/test_schemas.h"
#include "io/file_io.h"
#include "test_util.h"

namespace faceberg::avro {
namespace {

constexpr std::string_view kSync = "0123456789abcdef";

std::string EncodeLong(int64_t v) {
  std::string out;
  Encoder(out).WriteLong(v);
  return out;
}

// A header with the given schema and codec (omitted when empty) and kSync.
std::string Header(std::string_view schema_json, std::string_view codec) {
  std::string out(kMagic);
  Encoder encoder(out);
  encoder.WriteLong(codec.empty() ? 1 : 2);
  encoder.WriteBytes(kSchemaKey);
  encoder.WriteBytes(schema_json);
  if (!codec.empty()) {
    encoder.WriteBytes(kCodecKey);
    encoder.WriteBytes(codec);
  }
  encoder.WriteLong(0);
  encoder.WriteFixed(kSync);
  return out;
}

std::string Block(int64_t count, std::string_view payload) {
  return EncodeLong(count) + EncodeLong(static_cast<int64_t>(payload.size())) +
         std::string(payload) + std::string(kSync);
}

// Opens `data` and reads every object.
Result<std::vector<Datum>> ReadBytes(std::string data) {
  ASSIGN_OR_RETURN(auto reader, ContainerReader::Open("mem://test.avro", std::move(data)));
  return reader->ReadAll();
}

Result<std::string> WriteAllTypes(Codec codec, int rows, size_t block_size) {
  ASSIGN_OR_RETURN(SchemaPtr schema, Schema::Parse(testing::kAllTypes));
  ContainerWriterOptions options{
      .codec = codec,
      .metadata = {{"iceberg.note", "hello"}, {"binary", std::string("\0\x01\xff", 3)}},
      .block_size_bytes = block_size,
      .sync_marker = std::string(kSync)};
  ASSIGN_OR_RETURN(auto writer, ContainerWriter::Make(schema, std::move(options)));
  for (int i = 0; i < rows; ++i) RETURN_IF_ERROR(writer->Append(testing::AllTypesDatum(i)));
  return writer->Finish();
}

class AvroContainerCodecTest : public ::testing::TestWithParam<Codec> {};

TEST_P(AvroContainerCodecTest, RoundTrip) {
  constexpr int kRows = 300;
  ASSERT_OK_AND_ASSIGN(std::string bytes, WriteAllTypes(GetParam(), kRows, 2048));
  ASSERT_OK_AND_ASSIGN(auto reader, ContainerReader::Open("mem://rt.avro", bytes));
  EXPECT_EQ(reader->codec(), GetParam());
  ASSERT_NE(reader->FindMetadata(kCodecKey), nullptr);
  EXPECT_EQ(*reader->FindMetadata(kCodecKey), CodecName(GetParam()));
  EXPECT_EQ(*reader->FindMetadata("iceberg.note"), "hello");
  EXPECT_EQ(*reader->FindMetadata("binary"), std::string("\0\x01\xff", 3));
  EXPECT_EQ(reader->FindMetadata("missing"), nullptr);
  ASSERT_OK_AND_ASSIGN(SchemaPtr expected_schema, Schema::Parse(testing::kAllTypes));
  EXPECT_EQ(reader->schema()->ToJsonString(), expected_schema->ToJsonString());

  int i = 0;
  Datum datum;
  while (true) {
    ASSERT_OK_AND_ASSIGN(bool more, reader->Next(&datum));
    if (!more) break;
    ASSERT_EQ(datum, testing::AllTypesDatum(i)) << "row " << i;
    ++i;
  }
  EXPECT_EQ(i, kRows);
  ASSERT_OK_AND_ASSIGN(bool more, reader->Next(&datum));
  EXPECT_FALSE(more);

  // Many blocks: the sync marker follows the header and every block.
  size_t syncs = 0;
  for (size_t pos = bytes.find(kSync); pos != std::string::npos; pos = bytes.find(kSync, pos + 1)) {
    ++syncs;
  }
  EXPECT_GT(syncs, 5u);
}

INSTANTIATE_TEST_SUITE_P(Codecs, AvroContainerCodecTest,
                         ::testing::Values(Codec::kNull, Codec::kDeflate, Codec::kSnappy,
                                           Codec::kZstd),
                         [](const auto& info) { return std::string(CodecName(info.param)); });

TEST(AvroContainerTest, CompressionLevelsAndBigBlocks) {
  // One large block of compressible data, beyond the decompressors' first output guess.
  ASSERT_OK_AND_ASSIGN(SchemaPtr schema, Schema::Parse(R"("string")"));
  for (Codec codec : {Codec::kDeflate, Codec::kSnappy, Codec::kZstd}) {
    SCOPED_TRACE(CodecName(codec));
    ContainerWriterOptions options{.codec = codec, .block_size_bytes = 1 << 22};
    if (codec != Codec::kSnappy) options.compression_level = 9;
    ASSERT_OK_AND_ASSIGN(auto writer, ContainerWriter::Make(schema, std::move(options)));
    for (int i = 0; i < 200; ++i) {
      ASSERT_OK(writer->Append(Datum::String(std::string(10000, static_cast<char>('a' + i % 3)))));
    }
    ASSERT_OK_AND_ASSIGN(std::string bytes, writer->Finish());
    EXPECT_LT(bytes.size(), 200000u);
    ASSERT_OK_AND_ASSIGN(std::vector<Datum> rows, ReadBytes(bytes));
    ASSERT_EQ(rows.size(), 200u);
    EXPECT_EQ(rows[199].bytes(), std::string(10000, 'b'));
  }
}

TEST(AvroContainerTest, EmptyFileAndDefaults) {
  ASSERT_OK_AND_ASSIGN(SchemaPtr schema, Schema::Parse(R"("long")"));
  ASSERT_OK_AND_ASSIGN(auto writer, ContainerWriter::Make(schema, {}));
  ASSERT_OK_AND_ASSIGN(std::string bytes, writer->Finish());
  EXPECT_EQ(bytes.substr(0, 4), kMagic);
  ASSERT_OK_AND_ASSIGN(auto reader, ContainerReader::Open("mem://empty.avro", bytes));
  EXPECT_EQ(reader->codec(), Codec::kDeflate);
  ASSERT_OK_AND_ASSIGN(std::vector<Datum> rows, reader->ReadAll());
  EXPECT_TRUE(rows.empty());

  // No avro.codec means null.
  ASSERT_OK_AND_ASSIGN(
      auto no_codec,
      ContainerReader::Open("mem://x", Header(R"("long")", "") + Block(1, EncodeLong(5))));
  EXPECT_EQ(no_codec->codec(), Codec::kNull);
  ASSERT_OK_AND_ASSIGN(rows, no_codec->ReadAll());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], Datum::Long(5));
}

TEST(AvroContainerTest, WriterChecksOptionsAndValues) {
  ASSERT_OK_AND_ASSIGN(SchemaPtr schema, Schema::Parse(R"({"type":"record","name":"R",
      "fields":[{"name":"a","type":"long"}]})"));
  EXPECT_ERROR(ContainerWriter::Make(schema, {.metadata = {{"avro.schema", "x"}}}),
               ErrorCode::kInvalidArgument, "reserved");
  EXPECT_ERROR(ContainerWriter::Make(schema, {.sync_marker = "short"}), ErrorCode::kInvalidArgument,
               "sync marker must be 16 bytes");
  EXPECT_ERROR(ContainerWriter::Make(schema, {.codec = Codec::kZstd, .compression_level = 99}),
               ErrorCode::kInvalidArgument, "zstandard level 99");
  EXPECT_ERROR(ContainerWriter::Make(schema, {.codec = Codec::kDeflate, .compression_level = 10}),
               ErrorCode::kInvalidArgument, "deflate level 10");
  EXPECT_ERROR(ContainerWriter::Make(nullptr, {}), ErrorCode::kInvalidArgument, "needs a schema");

  ASSERT_OK_AND_ASSIGN(auto writer, ContainerWriter::Make(schema, {.codec = Codec::kNull}));
  EXPECT_ERROR(writer->Append(Datum::Record({Datum::String("x")})), ErrorCode::kInvalidArgument,
               "field 'a': expected a long value, got string");
  ASSERT_OK(writer->Append(Datum::Record({Datum::Long(7)})));
  EXPECT_EQ(writer->count(), 1);
  ASSERT_OK_AND_ASSIGN(std::string bytes, writer->Finish());
  EXPECT_ERROR(writer->Append(Datum::Record({Datum::Long(8)})), ErrorCode::kInvalidArgument,
               "already finished");
  ASSERT_OK_AND_ASSIGN(std::vector<Datum> rows, ReadBytes(bytes));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], Datum::Record({Datum::Long(7)}));
}

TEST(AvroContainerTest, WritesAndReadsThroughFileIO) {
  faceberg::testing::TempDir dir;
  io::LocalFileIO io;
  std::string path = dir.Join("sub/file.avro");
  ASSERT_OK_AND_ASSIGN(SchemaPtr schema, Schema::Parse(testing::kAllTypes));
  ASSERT_OK_AND_ASSIGN(auto writer, ContainerWriter::Make(schema, {.codec = Codec::kSnappy}));
  for (int i = 0; i < 10; ++i) ASSERT_OK(writer->Append(testing::AllTypesDatum(i)));
  ASSERT_OK(writer->FinishTo(io, path, io::WriteMode::kNoReplace));

  ASSERT_OK_AND_ASSIGN(auto file, io.NewInputFile(path));
  ASSERT_OK_AND_ASSIGN(auto reader, ContainerReader::Open(*file));
  EXPECT_EQ(reader->location(), path);
  ASSERT_OK_AND_ASSIGN(std::vector<Datum> rows, reader->ReadAll());
  ASSERT_EQ(rows.size(), 10u);
  EXPECT_EQ(rows[9], testing::AllTypesDatum(9));
}

// --- Broken inputs ---

TEST(AvroContainerTest, BadMagic) {
  io::MemoryInputFile file("mem://bad.avro", "Obj\x02 and more bytes");
  EXPECT_ERROR(ContainerReader::Open(file), ErrorCode::kCorrupt,
               "mem://bad.avro: bad magic, not an Avro object container file");
  EXPECT_ERROR(ContainerReader::Open("mem://empty", ""), ErrorCode::kCorrupt, "bad magic");
  EXPECT_ERROR(ContainerReader::Open("mem://parquet", "PAR1...."), ErrorCode::kCorrupt,
               "bad magic");
}

TEST(AvroContainerTest, TruncatedHeader) {
  std::string header = Header(R"("long")", "null");
  for (size_t cut : {size_t{4}, size_t{5}, size_t{12}, header.size() - 17, header.size() - 1}) {
    SCOPED_TRACE(cut);
    EXPECT_ERROR(ContainerReader::Open("mem://t.avro", header.substr(0, cut)), ErrorCode::kCorrupt,
                 "mem://t.avro: truncated or malformed header");
  }
  EXPECT_OK(ContainerReader::Open("mem://t.avro", header));
}

TEST(AvroContainerTest, BadHeaderContents) {
  std::string no_schema(kMagic);
  no_schema += EncodeLong(1) + EncodeLong(3) + "abc" + EncodeLong(1) + "d" + EncodeLong(0);
  no_schema += kSync;
  EXPECT_ERROR(ContainerReader::Open("mem://h", no_schema), ErrorCode::kCorrupt,
               "mem://h: header has no 'avro.schema'");

  std::string repeated(kMagic);
  repeated += EncodeLong(2) + EncodeLong(1) + "k" + EncodeLong(0) + EncodeLong(1) + "k" +
              EncodeLong(0) + EncodeLong(0) + std::string(kSync);
  EXPECT_ERROR(ContainerReader::Open("mem://h", repeated), ErrorCode::kCorrupt,
               "repeats metadata key 'k'");

  std::string huge_count(kMagic);
  huge_count += EncodeLong(int64_t{1} << 50) + "xx";
  EXPECT_ERROR(ContainerReader::Open("mem://h", huge_count), ErrorCode::kCorrupt,
               "malformed header: metadata count 1125899906842624 exceeds the remaining 2 bytes");

  EXPECT_ERROR(ContainerReader::Open("mem://h", Header("{bad json", "null")), ErrorCode::kCorrupt,
               "mem://h: avro schema is not valid JSON");
  EXPECT_ERROR(ContainerReader::Open("mem://h", Header(R"("nope")", "null")), ErrorCode::kCorrupt,
               "mem://h: avro schema: unknown type 'nope'");
}

TEST(AvroContainerTest, UnknownCodec) {
  EXPECT_ERROR(ContainerReader::Open("mem://c", Header(R"("long")", "lzma")), ErrorCode::kCorrupt,
               "mem://c: unknown avro codec 'lzma'");
  EXPECT_ERROR(ContainerReader::Open("mem://c", Header(R"("long")", "bzip2")),
               ErrorCode::kNotSupported, "avro codec 'bzip2' is not supported");
}

TEST(AvroContainerTest, TruncatedBlock) {
  ASSERT_OK_AND_ASSIGN(std::string bytes, WriteAllTypes(Codec::kNull, 5, 1 << 20));
  // Cut inside the final sync marker, then inside the block payload.
  EXPECT_ERROR(ReadBytes(bytes.substr(0, bytes.size() - 10)), ErrorCode::kCorrupt,
               "mem://test.avro: block 0 is truncated: 6 bytes left for the 16-byte sync marker");
  EXPECT_ERROR(ReadBytes(bytes.substr(0, bytes.size() - 30)), ErrorCode::kCorrupt,
               "mem://test.avro: block 0: block size");
  EXPECT_ERROR(ReadBytes(bytes.substr(0, bytes.size() - 30)), ErrorCode::kCorrupt,
               "exceeds remaining");
  // Cut inside the block's count varint.
  std::string header = Header(R"("long")", "null");
  EXPECT_ERROR(ReadBytes(header + "\x80"), ErrorCode::kCorrupt,
               "mem://test.avro: block 0 at offset");
}

TEST(AvroContainerTest, SyncMarkerMismatch) {
  ASSERT_OK_AND_ASSIGN(std::string bytes, WriteAllTypes(Codec::kNull, 100, 512));
  // Corrupt the sync marker that ends block 3 (the 5th occurrence, after the header's).
  size_t pos = 0;
  for (int i = 0; i < 5; ++i) pos = bytes.find(kSync, i == 0 ? 0 : pos + 1);
  ASSERT_NE(pos, std::string::npos);
  bytes[pos + 7] ^= 0x55;
  ASSERT_OK_AND_ASSIGN(auto reader, ContainerReader::Open("mem://s.avro", bytes));
  Datum datum;
  Status st;
  int read = 0;
  while (true) {
    auto more = reader->Next(&datum);
    if (!more.ok()) {
      st = more.status();
      break;
    }
    ASSERT_TRUE(*more) << "no error";
    ++read;
  }
  EXPECT_ERROR(st, ErrorCode::kCorrupt, "mem://s.avro: sync marker mismatch in block 3");
  EXPECT_GT(read, 0);
  // The error sticks.
  EXPECT_ERROR(reader->Next(&datum), ErrorCode::kCorrupt, "sync marker mismatch in block 3");
}

TEST(AvroContainerTest, HugeDeclaredSizes) {
  std::string header = Header(R"("string")", "null");
  EXPECT_ERROR(ReadBytes(header + EncodeLong(1) + EncodeLong(9999999) + std::string(100, 'x')),
               ErrorCode::kCorrupt, "block 0: block size 9999999 exceeds remaining 100 bytes");
  EXPECT_ERROR(ReadBytes(header + EncodeLong(1) + EncodeLong(-4) + std::string(100, 'x')),
               ErrorCode::kCorrupt, "negative object count 1 or size -4");
  EXPECT_ERROR(ReadBytes(header + Block(1000000, "abc")), ErrorCode::kCorrupt,
               "block 0 declares 1000000 objects but holds only 3 bytes");
  // A string whose length is far beyond the block.
  EXPECT_ERROR(ReadBytes(header + Block(1, EncodeLong(int64_t{1} << 50) + "abc")),
               ErrorCode::kCorrupt,
               "block 0, object at offset 0: length 1125899906842624 at offset 0 exceeds the "
               "remaining 3 bytes");
  // A zero-size schema cannot claim unbounded objects.
  EXPECT_ERROR(ReadBytes(Header(R"("null")", "null") + Block(int64_t{1} << 40, "")),
               ErrorCode::kCorrupt, "declares 1099511627776 objects");
}

TEST(AvroContainerTest, BadBlockContents) {
  std::string header = Header(R"(["null","long"])", "null");
  EXPECT_ERROR(ReadBytes(header + Block(1, EncodeLong(5))), ErrorCode::kCorrupt,
               "union branch index 5 at offset 0 is out of range (2 branches)");
  EXPECT_ERROR(ReadBytes(header + Block(1, EncodeLong(1) + EncodeLong(3) + "z")),
               ErrorCode::kCorrupt, "block 0 has 1 bytes after its last object");
  EXPECT_ERROR(ReadBytes(header + Block(0, "zz")), ErrorCode::kCorrupt,
               "block 0 holds 2 bytes but no objects");
  ASSERT_OK_AND_ASSIGN(
      std::vector<Datum> rows,
      ReadBytes(header + Block(0, "") + Block(2, EncodeLong(0) + EncodeLong(1) + EncodeLong(-3))));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_TRUE(rows[0].is_null());
  EXPECT_EQ(rows[1], Datum::Long(-3));
}

TEST(AvroContainerTest, BadCompressedBlocks) {
  EXPECT_ERROR(ReadBytes(Header(R"("long")", "deflate") + Block(1, "not deflate data")),
               ErrorCode::kCorrupt, "invalid deflate data");
  EXPECT_ERROR(ReadBytes(Header(R"("long")", "zstandard") + Block(1, "not zstd data")),
               ErrorCode::kCorrupt, "invalid zstandard data");
  EXPECT_ERROR(ReadBytes(Header(R"("long")", "snappy") + Block(1, "ab")), ErrorCode::kCorrupt,
               "snappy block of 2 bytes has no CRC32");

  // A deflate stream cut short.
  ASSERT_OK_AND_ASSIGN(std::string deflated, Compress(Codec::kDeflate, std::string(5000, 'q'), {}));
  EXPECT_ERROR(Decompress(Codec::kDeflate, deflated.substr(0, deflated.size() / 2), 1 << 20),
               ErrorCode::kCorrupt, "truncated deflate data");
  // Output above the limit (a decompression bomb) is refused.
  EXPECT_ERROR(Decompress(Codec::kDeflate, deflated, 1000), ErrorCode::kCorrupt,
               "decompresses to more than 1000 bytes");
  ASSERT_OK_AND_ASSIGN(std::string zstd, Compress(Codec::kZstd, std::string(5000, 'q'), {}));
  EXPECT_ERROR(Decompress(Codec::kZstd, zstd, 1000), ErrorCode::kCorrupt, "1000");
  EXPECT_ERROR(Decompress(Codec::kZstd, zstd.substr(0, zstd.size() - 3), 1 << 20),
               ErrorCode::kCorrupt, "zstandard");
  ASSERT_OK_AND_ASSIGN(std::string snappy, Compress(Codec::kSnappy, std::string(5000, 'q'), {}));
  EXPECT_ERROR(Decompress(Codec::kSnappy, snappy, 1000), ErrorCode::kCorrupt,
               "snappy block declares 5000 bytes");
}

TEST(AvroContainerTest, SnappyChecksumMismatch) {
  ASSERT_OK_AND_ASSIGN(std::string bytes, WriteAllTypes(Codec::kSnappy, 3, 1 << 20));
  ASSERT_OK(ReadBytes(bytes));
  // The CRC32 is the 4 bytes before the block's sync marker (the second occurrence).
  size_t block_sync = bytes.find(kSync, bytes.find(kSync) + 1);
  ASSERT_NE(block_sync, std::string::npos);
  bytes[block_sync - 2] ^= 0x01;
  EXPECT_ERROR(ReadBytes(bytes), ErrorCode::kCorrupt, "mem://test.avro: block 0 at offset");
  EXPECT_ERROR(ReadBytes(bytes), ErrorCode::kCorrupt, "snappy block CRC32 mismatch");
}

TEST(AvroContainerTest, MutatedFilesFailCleanly) {
  // Deterministic pseudo-random byte flips and truncations of valid files: every outcome is a
  // successful read or a Corrupt/NotSupported error, never a crash (run under ASan/UBSan).
  uint64_t state = 0x9e3779b97f4a7c15ULL;
  auto next = [&state] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  for (Codec codec : {Codec::kNull, Codec::kDeflate, Codec::kSnappy, Codec::kZstd}) {
    ASSERT_OK_AND_ASSIGN(std::string bytes, WriteAllTypes(codec, 30, 700));
    for (int trial = 0; trial < 300; ++trial) {
      std::string mutated = bytes;
      if (trial % 3 == 0) {
        mutated.resize(next() % mutated.size());
      } else {
        for (int flips = 0; flips < 1 + trial % 4; ++flips) {
          mutated[next() % mutated.size()] = static_cast<char>(next());
        }
      }
      auto rows = ReadBytes(std::move(mutated));
      if (!rows.ok()) {
        EXPECT_TRUE(rows.status().code() == ErrorCode::kCorrupt ||
                    rows.status().code() == ErrorCode::kNotSupported)
            << rows.status().ToString();
      }
    }
  }
}

// --- Files written by PyIceberg's Avro writer (tests/data/avro/make_avro.py) ---

Result<std::unique_ptr<ContainerReader>> OpenTestFile(const std::string& name) {
  io::LocalFileIO io;
  ASSIGN_OR_RETURN(auto file, io.NewInputFile(faceberg::testing::TestDataPath("avro/" + name)));
  return ContainerReader::Open(*file);
}

constexpr int64_t kPySnapshotId = 3051729675574597004;

// Decodes Iceberg's map encoding: an optional array of {key, value} records.
std::vector<std::pair<int32_t, Datum>> IcebergMap(const Datum& value) {
  std::vector<std::pair<int32_t, Datum>> out;
  if (value.is_null()) return out;
  for (const Datum& kv : value.children()) out.emplace_back(kv[0].int_value(), kv[1]);
  return out;
}

TEST(AvroPyIcebergTest, ReadsManifest) {
  ASSERT_OK_AND_ASSIGN(auto reader, OpenTestFile("pyiceberg-manifest-v2.avro"));
  EXPECT_EQ(reader->codec(), Codec::kNull);
  EXPECT_EQ(*reader->FindMetadata("format-version"), "2");
  EXPECT_EQ(*reader->FindMetadata("content"), "data");
  EXPECT_EQ(*reader->FindMetadata("partition-spec-id"), "0");
  EXPECT_THAT(*reader->FindMetadata("partition-spec"), ::testing::HasSubstr("\"field-id\":1000"));

  const Node& entry = reader->schema()->root();
  EXPECT_EQ(entry.full_name(), "manifest_entry");
  const Node& data_file = entry.FindFieldById(2)->type();
  ASSERT_EQ(data_file.type(), Type::kRecord);
  const Node& partition = data_file.FindFieldById(102)->type();
  const Node& sizes = data_file.FindFieldById(108)->type();
  ASSERT_TRUE(sizes.NonNullBranch().has_value());
  const Node& sizes_array = *sizes.branches()[*sizes.NonNullBranch()];
  EXPECT_EQ(sizes_array.logical_type(), "map");
  EXPECT_EQ(sizes_array.items().FindFieldById(117)->name(), "key");
  EXPECT_EQ(sizes_array.items().FindFieldById(118)->name(), "value");

  ASSERT_OK_AND_ASSIGN(std::vector<Datum> entries, reader->ReadAll());
  ASSERT_EQ(entries.size(), 2u);
  struct Expected {
    std::string path;
    int32_t category;
    int64_t rows, size;
  };
  std::vector<Expected> expected = {
      {"s3://bucket/warehouse/db/events/data/category=7/00000-0.parquet", 7, 42, 1234},
      {"s3://bucket/warehouse/db/events/data/category=9/00001-0.parquet", 9, 8, 777}};
  for (size_t i = 0; i < entries.size(); ++i) {
    SCOPED_TRACE(i);
    const Datum& e = entries[i];
    EXPECT_EQ(FieldById(e, entry, 0)->int_value(), 1);  // ADDED
    const Datum* snapshot_id = FieldById(e, entry, 1);
    EXPECT_EQ(snapshot_id->branch(), 1);
    EXPECT_EQ(*snapshot_id->AsLong(), kPySnapshotId);
    EXPECT_TRUE(FieldById(e, entry, 3)->is_null());  // sequence_number: inherited

    const Datum& df = *FieldById(e, entry, 2);
    EXPECT_EQ(FieldById(df, data_file, 134)->int_value(), 0);  // content: data
    EXPECT_EQ(FieldById(df, data_file, 100)->bytes(), expected[i].path);
    EXPECT_EQ(FieldById(df, data_file, 101)->bytes(), "PARQUET");
    EXPECT_EQ(*FieldById(*FieldById(df, data_file, 102), partition, 1000)->AsInt(),
              expected[i].category);
    EXPECT_EQ(FieldById(df, data_file, 103)->long_value(), expected[i].rows);
    EXPECT_EQ(FieldById(df, data_file, 104)->long_value(), expected[i].size);

    auto column_sizes = IcebergMap(*FieldById(df, data_file, 108));
    ASSERT_EQ(column_sizes.size(), 2u);
    EXPECT_EQ(column_sizes[0].first, 1);
    EXPECT_EQ(column_sizes[0].second, Datum::Long(100));
    EXPECT_EQ(column_sizes[1].first, 2);
    EXPECT_EQ(column_sizes[1].second, Datum::Long(250));
    EXPECT_TRUE(IcebergMap(*FieldById(df, data_file, 137)).empty());  // nan_value_counts

    auto lower = IcebergMap(*FieldById(df, data_file, 125));
    ASSERT_EQ(lower.size(), 2u);
    EXPECT_EQ(lower[0].second.bytes(), std::string("\x01\0\0\0\0\0\0\0", 8));
    EXPECT_EQ(lower[1].second.bytes(), "apple");
    auto upper = IcebergMap(*FieldById(df, data_file, 128));
    ASSERT_EQ(upper.size(), 2u);
    EXPECT_EQ(upper[1].second.bytes(), "pear");

    EXPECT_EQ(FieldById(df, data_file, 132)->ToString(), "[4]");  // split_offsets
    EXPECT_TRUE(FieldById(df, data_file, 131)->is_null());        // key_metadata
  }
}

void CheckManifestList(ContainerReader& reader) {
  EXPECT_EQ(*reader.FindMetadata("format-version"), "2");
  EXPECT_EQ(*reader.FindMetadata("snapshot-id"), std::to_string(kPySnapshotId));
  const Node& root = reader.schema()->root();
  EXPECT_EQ(root.full_name(), "manifest_file");
  ASSERT_OK_AND_ASSIGN(std::vector<Datum> manifests, reader.ReadAll());
  ASSERT_EQ(manifests.size(), 1u);
  const Datum& m = manifests[0];
  EXPECT_EQ(FieldById(m, root, 500)->bytes(),
            "s3://bucket/warehouse/db/events/metadata/pyiceberg-manifest-v2.avro");
  EXPECT_EQ(FieldById(m, root, 501)->long_value(), 4661);
  EXPECT_EQ(FieldById(m, root, 502)->int_value(), 0);
  EXPECT_EQ(FieldById(m, root, 517)->int_value(), 0);
  EXPECT_EQ(FieldById(m, root, 515)->long_value(), 1);
  EXPECT_EQ(FieldById(m, root, 516)->long_value(), 1);
  EXPECT_EQ(FieldById(m, root, 503)->long_value(), kPySnapshotId);
  EXPECT_EQ(*FieldById(m, root, 504)->AsInt(), 2);
  EXPECT_EQ(*FieldById(m, root, 512)->AsLong(), 50);

  const Node& partitions_type = root.FindFieldById(507)->type();
  const Node& summary = partitions_type.branches()[*partitions_type.NonNullBranch()]->items();
  const Datum& partitions = *FieldById(m, root, 507);
  ASSERT_EQ(partitions.size(), 1u);
  EXPECT_EQ(FieldById(partitions[0], summary, 509)->bool_value(), false);
  EXPECT_EQ(FieldById(partitions[0], summary, 510)->bytes(), std::string("\x07\0\0\0", 4));
  EXPECT_EQ(FieldById(partitions[0], summary, 511)->bytes(), std::string("\x09\0\0\0", 4));
}

TEST(AvroPyIcebergTest, ReadsDeflateManifestList) {
  ASSERT_OK_AND_ASSIGN(auto reader, OpenTestFile("pyiceberg-manifest-list-v2.avro"));
  EXPECT_EQ(reader->codec(), Codec::kDeflate);
  CheckManifestList(*reader);
}

TEST(AvroPyIcebergTest, ReadsZstdManifestList) {
  ASSERT_OK_AND_ASSIGN(auto reader, OpenTestFile("pyiceberg-manifest-list-v2-zstd.avro"));
  EXPECT_EQ(reader->codec(), Codec::kZstd);
  CheckManifestList(*reader);
}

TEST(AvroPyIcebergTest, RewritesWithTheSameSchemaAndValues) {
  ASSERT_OK_AND_ASSIGN(auto reader, OpenTestFile("pyiceberg-manifest-v2.avro"));
  ASSERT_OK_AND_ASSIGN(std::vector<Datum> entries, reader->ReadAll());
  ContainerWriterOptions options{.codec = Codec::kDeflate};
  for (const auto& [key, value] : reader->metadata()) {
    if (!key.starts_with("avro.")) options.metadata[key] = value;
  }
  ASSERT_OK_AND_ASSIGN(auto writer, ContainerWriter::Make(reader->schema(), options));
  for (const Datum& e : entries) ASSERT_OK(writer->Append(e));
  ASSERT_OK_AND_ASSIGN(std::string bytes, writer->Finish());

  ASSERT_OK_AND_ASSIGN(auto again, ContainerReader::Open("mem://rewritten.avro", bytes));
  EXPECT_EQ(again->schema()->ToJsonString(), reader->schema()->ToJsonString());
  EXPECT_EQ(*again->FindMetadata("partition-spec"), *reader->FindMetadata("partition-spec"));
  ASSERT_OK_AND_ASSIGN(std::vector<Datum> back, again->ReadAll());
  EXPECT_EQ(back, entries);
}

}  // namespace
}  // namespace faceberg::avro
