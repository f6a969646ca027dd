// Reading the footer of a Parquet file:
//   "PAR1" <column chunks> <FileMetaData, thrift compact> <4-byte LE footer length> "PAR1"
// The tail of the file is fetched in a single ReadTail call in the common case, so a remote file
// costs one range request; a second read happens only when the footer is larger than that tail.
#pragma once

#include <cstdint>

#include "format/parquet/metadata.h"
#include "io/file_io.h"
#include "util/result.h"

namespace faceberg::parquet {

inline constexpr char kParquetMagic[] = "PAR1";
inline constexpr char kEncryptedFooterMagic[] = "PARE";
inline constexpr uint64_t kDefaultFooterReadSize = 64 * 1024;
/// Footers larger than this are refused rather than allocated.
inline constexpr uint64_t kMaxFooterSize = 256 * 1024 * 1024;

struct FooterReadOptions {
  /// Bytes fetched from the end of the file by the first read. At least 12 is used.
  uint64_t initial_read_size = kDefaultFooterReadSize;
};

/// The decoded footer and where it was found.
struct ParquetFooter {
  FileMetaData metadata;
  /// Length of the thrift-encoded FileMetaData in bytes.
  uint32_t metadata_length = 0;
  /// The file size when it became known while reading (always for files smaller than the first
  /// read); 0 otherwise.
  uint64_t file_size = 0;
};

/// Reads and decodes the footer of `file`.
/// Errors (each message names the file): Corrupt for a file smaller than 12 bytes, "bad magic",
/// "footer length N exceeds file size M", "truncated footer ..." and other undecodable footers;
/// NotSupported for encrypted footers ("PARE") and footers larger than kMaxFooterSize; the
/// IOError / Network errors of `file`.
Result<ParquetFooter> ReadFooter(io::InputFile& file, const FooterReadOptions& options = {});

/// ReadFooter, keeping only the metadata.
Result<FileMetaData> ReadFileMetaData(io::InputFile& file, const FooterReadOptions& options = {});

}  // namespace faceberg::parquet
