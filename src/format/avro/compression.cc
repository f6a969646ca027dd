#include "format/avro/compression.h"

#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <memory>

#include "util/bytes.h"

namespace faceberg::avro {

namespace {

constexpr size_t kMinOutputChunk = 4096;

// Initial output size for codecs that do not declare their uncompressed size.
size_t InitialOutputSize(size_t input_size, size_t max_size) {
  size_t guess = input_size > (SIZE_MAX / 4) ? SIZE_MAX : input_size * 4;
  return std::min(max_size, std::max(guess, kMinOutputChunk));
}

// Grows `out` for more output; Corrupt once it already holds `max_size` bytes.
Status GrowOutput(std::string& out, size_t max_size, std::string_view codec) {
  if (out.size() >= max_size) {
    return Corrupt("{} block decompresses to more than {} bytes", codec, max_size);
  }
  size_t next = out.size() > max_size / 2 ? max_size : out.size() * 2;
  out.resize(std::min(max_size, std::max(next, kMinOutputChunk)));
  return Status::OK();
}

uint32_t Crc32(std::string_view data) {
  uLong crc = crc32(0L, Z_NULL, 0);
  while (!data.empty()) {
    auto chunk = static_cast<uInt>(std::min<size_t>(data.size(), 1u << 30));
    crc = crc32(crc, reinterpret_cast<const Bytef*>(data.data()), chunk);
    data.remove_prefix(chunk);
  }
  return static_cast<uint32_t>(crc);
}

Result<std::string> DeflateCompress(std::string_view data, std::optional<int> level) {
  int lvl = level.value_or(Z_DEFAULT_COMPRESSION);
  if (lvl < Z_DEFAULT_COMPRESSION || lvl > Z_BEST_COMPRESSION) {
    return InvalidArgument("deflate level {} is outside -1..9", lvl);
  }
  if (data.size() > (1u << 30)) return InvalidArgument("deflate block of {} bytes", data.size());
  z_stream zs{};
  if (deflateInit2(&zs, lvl, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return Internal("deflateInit2 failed");
  }
  auto end = [](z_stream* s) { deflateEnd(s); };
  std::unique_ptr<z_stream, decltype(end)> guard(&zs, end);
  std::string out(deflateBound(&zs, static_cast<uLong>(data.size())), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  if (int rc = deflate(&zs, Z_FINISH); rc != Z_STREAM_END) {
    return Internal("deflate failed ({})", rc);
  }
  out.resize(zs.total_out);
  return out;
}

Result<std::string> DeflateDecompress(std::string_view data, size_t max_size) {
  if (data.size() > (1u << 30)) return Corrupt("deflate block of {} bytes", data.size());
  z_stream zs{};
  if (inflateInit2(&zs, -15) != Z_OK) return Internal("inflateInit2 failed");
  auto end = [](z_stream* s) { inflateEnd(s); };
  std::unique_ptr<z_stream, decltype(end)> guard(&zs, end);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  std::string out(InitialOutputSize(data.size(), max_size), '\0');
  size_t produced = 0;
  while (true) {
    if (produced == out.size()) RETURN_IF_ERROR(GrowOutput(out, max_size, "deflate"));
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    zs.avail_out = static_cast<uInt>(std::min<size_t>(out.size() - produced, 1u << 30));
    uInt avail_before = zs.avail_out;
    int rc = inflate(&zs, Z_NO_FLUSH);
    produced += avail_before - zs.avail_out;
    if (rc == Z_STREAM_END) break;
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return Corrupt("invalid deflate data: {}", zs.msg ? zs.msg : "unknown error");
    }
    if (zs.avail_out > 0 && zs.avail_in == 0) {
      return Corrupt("truncated deflate data after {} output bytes", produced);
    }
  }
  out.resize(produced);
  return out;
}

Result<std::string> SnappyCompress(std::string_view data) {
  std::string out;
  snappy::Compress(data.data(), data.size(), &out);
  AppendBigEndian32(out, Crc32(data));
  return out;
}

Result<std::string> SnappyDecompress(std::string_view data, size_t max_size) {
  if (data.size() < 4) return Corrupt("snappy block of {} bytes has no CRC32", data.size());
  std::string_view compressed = data.substr(0, data.size() - 4);
  uint32_t stored_crc = LoadBigEndian32(data.substr(data.size() - 4));
  size_t length = 0;
  if (!snappy::GetUncompressedLength(compressed.data(), compressed.size(), &length)) {
    return Corrupt("invalid snappy block header");
  }
  if (length > max_size) {
    return Corrupt("snappy block declares {} bytes, more than the limit of {}", length, max_size);
  }
  std::string out(length, '\0');
  if (!snappy::RawUncompress(compressed.data(), compressed.size(), out.data())) {
    return Corrupt("invalid snappy data");
  }
  uint32_t actual_crc = Crc32(out);
  if (actual_crc != stored_crc) {
    return Corrupt("snappy block CRC32 mismatch: stored {:08x}, computed {:08x}", stored_crc,
                   actual_crc);
  }
  return out;
}

Result<std::string> ZstdCompress(std::string_view data, std::optional<int> level) {
  int lvl = level.value_or(3);
  if (lvl < ZSTD_minCLevel() || lvl > ZSTD_maxCLevel()) {
    return InvalidArgument("zstandard level {} is outside {}..{}", lvl, ZSTD_minCLevel(),
                           ZSTD_maxCLevel());
  }
  std::string out(ZSTD_compressBound(data.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), lvl);
  if (ZSTD_isError(n)) return Internal("zstandard compression failed: {}", ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

Result<std::string> ZstdDecompress(std::string_view data, size_t max_size) {
  std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> ctx(ZSTD_createDCtx(), &ZSTD_freeDCtx);
  if (!ctx) return Internal("ZSTD_createDCtx failed");
  size_t initial = InitialOutputSize(data.size(), max_size);
  unsigned long long declared = ZSTD_getFrameContentSize(data.data(), data.size());
  if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared != ZSTD_CONTENTSIZE_ERROR) {
    if (declared > max_size) {
      return Corrupt("zstandard block declares {} bytes, more than the limit of {}", declared,
                     max_size);
    }
    initial = std::max<size_t>(static_cast<size_t>(declared), 1);
  }
  std::string out(initial, '\0');
  size_t produced = 0;
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  while (true) {
    if (produced == out.size()) RETURN_IF_ERROR(GrowOutput(out, max_size, "zstandard"));
    ZSTD_outBuffer buffer{out.data() + produced, out.size() - produced, 0};
    size_t rc = ZSTD_decompressStream(ctx.get(), &buffer, &in);
    produced += buffer.pos;
    if (ZSTD_isError(rc)) return Corrupt("invalid zstandard data: {}", ZSTD_getErrorName(rc));
    if (rc == 0 && in.pos == in.size) break;  // the last frame is complete
    if (in.pos == in.size && buffer.pos < buffer.size) {
      return Corrupt("truncated zstandard data after {} output bytes", produced);
    }
  }
  out.resize(produced);
  return out;
}

}  // namespace

std::string_view CodecName(Codec codec) {
  switch (codec) {
    case Codec::kNull:
      return "null";
    case Codec::kDeflate:
      return "deflate";
    case Codec::kSnappy:
      return "snappy";
    case Codec::kZstd:
      return "zstandard";
  }
  return "unknown";
}

Result<Codec> ParseCodec(std::string_view name) {
  if (name == "null" || name == "uncompressed") return Codec::kNull;
  if (name == "deflate" || name == "gzip") return Codec::kDeflate;
  if (name == "snappy") return Codec::kSnappy;
  if (name == "zstandard" || name == "zstd") return Codec::kZstd;
  if (name == "bzip2" || name == "xz")
    return NotSupported("avro codec '{}' is not supported", name);
  return Corrupt("unknown avro codec '{}'", name);
}

Result<std::string> Compress(Codec codec, std::string_view data, std::optional<int> level) {
  switch (codec) {
    case Codec::kNull:
      return std::string(data);
    case Codec::kDeflate:
      return DeflateCompress(data, level);
    case Codec::kSnappy:
      return SnappyCompress(data);
    case Codec::kZstd:
      return ZstdCompress(data, level);
  }
  return Internal("unknown codec");
}

Result<std::string> Decompress(Codec codec, std::string_view data, size_t max_size) {
  switch (codec) {
    case Codec::kNull:
      if (data.size() > max_size) {
        return Corrupt("block of {} bytes is larger than the limit of {}", data.size(), max_size);
      }
      return std::string(data);
    case Codec::kDeflate:
      return DeflateDecompress(data, max_size);
    case Codec::kSnappy:
      return SnappyDecompress(data, max_size);
    case Codec::kZstd:
      return ZstdDecompress(data, max_size);
  }
  return Internal("unknown codec");
}

}  // namespace faceberg::avro
