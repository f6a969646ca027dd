// Avro object container files: a header (magic "Obj\x01", a metadata map holding "avro.schema"
// and "avro.codec", a 16-byte sync marker) followed by blocks of (object count, byte size,
// compressed objects, sync marker). Iceberg manifests and manifest lists are such files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "format/avro/binary.h"
#include "format/avro/compression.h"
#include "format/avro/datum.h"
#include "format/avro/schema.h"
#include "io/file_io.h"
#include "util/result.h"

namespace faceberg::avro {

inline constexpr std::string_view kMagic{"Obj\x01", 4};
inline constexpr size_t kSyncSize = 16;
inline constexpr std::string_view kSchemaKey = "avro.schema";
inline constexpr std::string_view kCodecKey = "avro.codec";
/// Limit on a block's stored and decompressed size. Decoded datums take up to ~100 times the
/// bytes they decode from, so this also bounds the memory one block can demand.
inline constexpr size_t kMaxBlockBytes = size_t{64} << 20;
/// Limit on the file size the reader loads.
inline constexpr uint64_t kMaxFileBytes = uint64_t{1} << 31;

/// Reads an object container file held in memory. Every error names the file location and
/// the check that failed ("bad magic", "sync marker mismatch in block 3", "block size N
/// exceeds remaining M bytes").
///
/// Thread safety: not safe for concurrent use; schema() may be shared freely.
class ContainerReader {
  struct Token {
    explicit Token() = default;
  };

 public:
  /// Reads the whole file and parses its header.
  /// Errors: Corrupt for a malformed header or schema; NotSupported for bzip2/xz;
  /// InvalidArgument above kMaxFileBytes; the file's IOError / Network errors.
  static Result<std::unique_ptr<ContainerReader>> Open(io::InputFile& file);
  /// As Open, over bytes already in memory; `location` names them in errors.
  static Result<std::unique_ptr<ContainerReader>> Open(std::string location, std::string data);

  /// Use Open.
  ContainerReader(Token, std::string location, std::string data)
      : location_(std::move(location)), data_(std::move(data)), input_(data_), block_(data_) {}
  ContainerReader(const ContainerReader&) = delete;
  ContainerReader& operator=(const ContainerReader&) = delete;

  /// The writer schema from "avro.schema".
  const SchemaPtr& schema() const { return schema_; }
  /// All header metadata, including avro.schema and avro.codec; values are raw bytes.
  const std::map<std::string, std::string, std::less<>>& metadata() const { return metadata_; }
  /// A metadata value, or null when absent.
  const std::string* FindMetadata(std::string_view key) const;
  Codec codec() const { return codec_; }
  const std::string& location() const { return location_; }

  /// Reads the next object into *out. Returns false at the end of the file.
  /// Errors: Corrupt naming the block and the failed check.
  Result<bool> Next(Datum* out);
  /// Reads every remaining object. Memory grows with the file; prefer Next for large or
  /// untrusted files.
  Result<std::vector<Datum>> ReadAll();

 private:
  Status ReadHeader();
  Status ReadBlock();

  std::string location_;
  std::string data_;
  Decoder input_;  // over data_, at the next block
  SchemaPtr schema_;
  std::map<std::string, std::string, std::less<>> metadata_;
  Codec codec_ = Codec::kNull;
  std::string sync_;
  std::string block_buffer_;  // the decompressed block (unused for the null codec)
  Decoder block_;             // over the current block's objects
  int64_t block_index_ = -1;
  int64_t objects_left_ = 0;
  Status error_;  // sticky: once Next fails, it keeps failing
};

struct ContainerWriterOptions {
  Codec codec = Codec::kDeflate;
  /// Codec level; nullopt for the codec's default.
  std::optional<int> compression_level;
  /// Extra header metadata (raw bytes). Keys starting with "avro." are reserved.
  std::map<std::string, std::string> metadata;
  /// A block is closed once its encoded objects reach this many bytes.
  size_t block_size_bytes = 64 * 1024;
  /// The 16-byte sync marker; random when empty. Set it for reproducible output.
  std::string sync_marker;
};

/// Builds an object container file in memory.
///
/// Thread safety: not safe for concurrent use.
class ContainerWriter {
  struct Token {
    explicit Token() = default;
  };

 public:
  /// Errors: InvalidArgument for a reserved metadata key, a sync marker that is not 16 bytes,
  /// a zero block size or an invalid compression level.
  static Result<std::unique_ptr<ContainerWriter>> Make(SchemaPtr schema,
                                                       ContainerWriterOptions options);

  /// Use Make.
  ContainerWriter(Token, SchemaPtr schema, ContainerWriterOptions options)
      : schema_(std::move(schema)), options_(std::move(options)) {}
  ContainerWriter(const ContainerWriter&) = delete;
  ContainerWriter& operator=(const ContainerWriter&) = delete;

  /// Encodes one object. Errors: InvalidArgument when it does not match the schema; nothing
  /// is appended then. Errors from compressing a finished block.
  Status Append(const Datum& datum);
  /// Objects appended so far.
  int64_t count() const { return count_; }

  /// Closes the last block and returns the file bytes. The writer must not be used afterwards.
  Result<std::string> Finish();
  /// Finish, then write the bytes to `location`. Errors: as Finish and FileIO::WriteFile.
  Status FinishTo(io::FileIO& io, std::string_view location, io::WriteMode mode);

 private:
  void WriteHeader();
  Status FlushBlock();

  SchemaPtr schema_;
  ContainerWriterOptions options_;
  std::string out_;    // header and finished blocks
  std::string block_;  // encoded objects of the open block
  int64_t block_count_ = 0;
  int64_t count_ = 0;
  bool finished_ = false;
};

}  // namespace faceberg::avro
