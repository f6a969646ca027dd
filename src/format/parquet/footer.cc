#include "format/parquet/footer.h"

#include <algorithm>
#include <string>
#include <string_view>

#include "util/bytes.h"

namespace faceberg::parquet {

namespace {

constexpr uint64_t kMagicSize = 4;
// Leading magic + footer length + trailing magic.
constexpr uint64_t kMinFileSize = 3 * kMagicSize;

}  // namespace

Result<ParquetFooter> ReadFooter(io::InputFile& file, const FooterReadOptions& options) {
  const std::string& name = file.location();
  uint64_t first_read = std::max(options.initial_read_size, kMinFileSize);
  ASSIGN_OR_RETURN(std::string tail, file.ReadTail(first_read));

  // A tail shorter than requested is the whole file.
  bool whole_file = tail.size() < first_read;
  ParquetFooter footer;
  if (whole_file) footer.file_size = tail.size();
  if (tail.size() < kMinFileSize) {
    return Corrupt("{}: not a Parquet file: {} bytes is smaller than the minimum of {}", name,
                   tail.size(), kMinFileSize);
  }

  std::string_view trailer = std::string_view(tail).substr(tail.size() - 2 * kMagicSize);
  std::string_view magic = trailer.substr(kMagicSize);
  if (magic == kEncryptedFooterMagic) {
    return NotSupported("{}: Parquet files with an encrypted footer are not supported", name);
  }
  if (magic != kParquetMagic) {
    return Corrupt("{}: not a Parquet file: bad magic at the end (expected PAR1)", name);
  }
  if (whole_file && std::string_view(tail).substr(0, kMagicSize) != kParquetMagic) {
    return Corrupt("{}: not a Parquet file: bad magic at the start (expected PAR1)", name);
  }

  uint32_t length = LoadLittleEndian<uint32_t>(trailer);
  footer.metadata_length = length;
  if (whole_file && length > tail.size() - kMinFileSize) {
    return Corrupt("{}: footer length {} exceeds file size {}", name, length, tail.size());
  }
  if (length > kMaxFooterSize) {
    return NotSupported("{}: footer length {} is above the supported maximum of {}", name, length,
                        kMaxFooterSize);
  }

  std::string_view metadata_bytes;
  std::string second_read;
  if (length + kMinFileSize <= tail.size()) {
    metadata_bytes = std::string_view(tail).substr(tail.size() - 2 * kMagicSize - length, length);
  } else {
    // The footer is longer than the first read: learn the size and fetch exactly the footer.
    ASSIGN_OR_RETURN(uint64_t size, file.Size());
    footer.file_size = size;
    if (size < kMinFileSize || length > size - kMinFileSize) {
      return Corrupt("{}: footer length {} exceeds file size {}", name, length, size);
    }
    ASSIGN_OR_RETURN(second_read, file.ReadAt(size - 2 * kMagicSize - length, length));
    if (second_read.size() != length) {
      return Corrupt("{}: truncated footer: read {} of {} bytes", name, second_read.size(), length);
    }
    metadata_bytes = second_read;
  }

  auto metadata = DecodeFileMetaData(metadata_bytes);
  if (!metadata.has_value()) return metadata.error().WithContext(name);
  footer.metadata = std::move(metadata).value();
  return footer;
}

Result<FileMetaData> ReadFileMetaData(io::InputFile& file, const FooterReadOptions& options) {
  ASSIGN_OR_RETURN(ParquetFooter footer, ReadFooter(file, options));
  return std::move(footer.metadata);
}

}  // namespace faceberg::parquet
