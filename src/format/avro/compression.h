// Block codecs of Avro object container files: null, deflate (raw RFC 1951), snappy (with
// Avro's 4-byte big-endian CRC32 of the uncompressed data) and zstandard.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace faceberg::avro {

enum class Codec { kNull, kDeflate, kSnappy, kZstd };

/// The "avro.codec" name: "null", "deflate", "snappy", "zstandard".
std::string_view CodecName(Codec codec);

/// Parses an "avro.codec" value. Also accepts Iceberg's spellings "gzip" (deflate),
/// "zstd" (zstandard) and "uncompressed" (null).
/// Errors: NotSupported for Avro codecs this build lacks (bzip2, xz); Corrupt for other names.
Result<Codec> ParseCodec(std::string_view name);

/// Compresses one block. `level` nullopt uses the codec default (zlib's default for deflate,
/// 3 for zstandard); snappy has no levels. Errors: InvalidArgument for a level the codec rejects;
/// Internal on library failure.
Result<std::string> Compress(Codec codec, std::string_view data, std::optional<int> level);

/// Decompresses one block, producing at most `max_size` bytes.
/// Errors: Corrupt for malformed or truncated data, a snappy checksum mismatch, or output
/// larger than `max_size`.
Result<std::string> Decompress(Codec codec, std::string_view data, size_t max_size);

}  // namespace faceberg::avro
