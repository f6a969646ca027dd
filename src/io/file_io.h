// FileIO: the seam between faceberg and storage. Readers (Parquet footer, Avro, metadata JSON)
// take an InputFile, never a path, so local files, hf:// objects and in-memory buffers are
// interchangeable and faults can be injected in tests.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace faceberg::io {

/// A readable object of known size. Implementations are safe for concurrent ReadAt calls.
class InputFile {
 public:
  virtual ~InputFile() = default;
  /// The location this file was opened from (for error messages).
  virtual const std::string& location() const = 0;
  /// Size in bytes. Errors: IOError / Network.
  virtual Result<uint64_t> Size() = 0;
  /// Reads exactly `length` bytes at `offset`.
  /// Errors: Corrupt when the range passes the end of the file; IOError / Network.
  virtual Result<std::string> ReadAt(uint64_t offset, uint64_t length) = 0;
  /// Reads the last `length` bytes (or the whole file when shorter). Remote implementations do it
  /// in one suffix-range request without learning the size first.
  virtual Result<std::string> ReadTail(uint64_t length);
  /// Reads the whole file. Errors: as ReadAt; InvalidArgument above `max_size`.
  Result<std::string> ReadAll(uint64_t max_size = uint64_t{1} << 31);
};

/// How WriteFile treats an existing target.
enum class WriteMode {
  kOverwrite,  // atomically replace (temp file + rename)
  kNoReplace,  // atomically create; AlreadyExists if the target exists (the commit primitive)
};

/// Storage operations on locations (paths or URIs). Local paths may be absolute or relative.
class FileIO {
 public:
  virtual ~FileIO() = default;
  /// Errors: NotFound when the file does not exist.
  virtual Result<std::unique_ptr<InputFile>> NewInputFile(std::string_view location) = 0;
  /// Writes `data` completely before the file becomes visible at `location`; a reader never sees
  /// a partial file. Parent folders are created. Errors: AlreadyExists (kNoReplace), IOError.
  virtual Status WriteFile(std::string_view location, std::string_view data, WriteMode mode) = 0;
  /// Errors: NotFound when missing.
  virtual Status DeleteFile(std::string_view location) = 0;
  virtual Result<bool> Exists(std::string_view location) = 0;
  /// Names (not paths) of the entries directly under `location`, sorted; empty when missing.
  virtual Result<std::vector<std::string>> ListDir(std::string_view location) = 0;
  /// The local file system path this FileIO stores `location` at, for code that must use the
  /// file system itself (DuckDB writing files, walking folders); nullopt when the location is
  /// not stored locally. The default: plain paths as they are, file:// URIs without the scheme,
  /// nullopt for every other scheme. Errors: those of an override (a malformed URI).
  virtual Result<std::optional<std::string>> LocalPathOf(std::string_view location) const;
};

/// FileIO over the local file system. Accepts plain paths and file:// URIs.
class LocalFileIO final : public FileIO {
 public:
  Result<std::unique_ptr<InputFile>> NewInputFile(std::string_view location) override;
  Status WriteFile(std::string_view location, std::string_view data, WriteMode mode) override;
  Status DeleteFile(std::string_view location) override;
  Result<bool> Exists(std::string_view location) override;
  Result<std::vector<std::string>> ListDir(std::string_view location) override;
};

/// An InputFile over bytes held in memory (tests, data already downloaded).
class MemoryInputFile final : public InputFile {
 public:
  MemoryInputFile(std::string location, std::string data)
      : location_(std::move(location)), data_(std::move(data)) {}
  const std::string& location() const override { return location_; }
  Result<uint64_t> Size() override { return data_.size(); }
  Result<std::string> ReadAt(uint64_t offset, uint64_t length) override;

 private:
  std::string location_;
  std::string data_;
};

/// Strips a file:// scheme; other strings are returned unchanged.
std::string LocalPath(std::string_view location);

/// Joins two location parts with exactly one '/'.
std::string JoinPath(std::string_view base, std::string_view child);

/// Checks a table location chosen by a client (a REST create-table or set-location): a URI with
/// a scheme ("s3://...", "file:///...") or an absolute local path, with no ".." segment. A relative
/// path would be resolved against the server's working folder, and ".." leaves the folder the
/// path seems to name.
/// Errors: InvalidArgument saying what to pass instead.
Status ValidateTableLocation(std::string_view location);

}  // namespace faceberg::io
