// HfFileIO: a read-only FileIO over hf://datasets/OWNER/NAME[@REVISION]/PATH locations.
//
// An HfInputFile costs no request until it is read. ReadTail is ONE suffix-range request
// (`Range: bytes=-N`) that also teaches the file's size (from Content-Range), so a Parquet
// footer costs one request; ReadAt is one range request; Size is free when the size was seeded
// (SeedSize, SeedSizes from a tree listing) or learnt by an earlier read, else one HEAD.
//
// Thread safety: HfFileIO and its input files are safe for concurrent use; the size cache is
// shared by every file of one HfFileIO.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hub/hf_api.h"
#include "hub/hf_uri.h"
#include "io/file_io.h"

namespace faceberg::hub {

namespace internal {
class HfSizeCache;
}  // namespace internal

class HfFileIO final : public io::FileIO {
 public:
  /// REQUIRES: api != nullptr.
  explicit HfFileIO(std::shared_ptr<const HfApi> api);
  ~HfFileIO() override;

  /// Parses the location; sends nothing. Errors: InvalidArgument for a bad hf:// URI or a
  /// location without a file path.
  Result<std::unique_ptr<io::InputFile>> NewInputFile(std::string_view location) override;
  /// Errors: NotSupported (hf:// locations are read-only here; commits go through HfApi).
  Status WriteFile(std::string_view location, std::string_view data, io::WriteMode mode) override;
  /// Errors: NotSupported.
  Status DeleteFile(std::string_view location) override;
  /// One paths-info request (a file or a folder). Seeds the size of a file.
  Result<bool> Exists(std::string_view location) override;
  /// One non-recursive tree listing (all pages); empty when the folder is missing. Seeds the
  /// sizes of the files listed.
  Result<std::vector<std::string>> ListDir(std::string_view location) override;

  /// Records the size of `location` so that Size() needs no request.
  /// Errors: InvalidArgument for a bad hf:// URI.
  Status SeedSize(std::string_view location, uint64_t size);
  /// Records the sizes of the file entries of a listing of `repo_id` at `revision`.
  void SeedSizes(std::string_view repo_id, std::string_view revision,
                 std::span<const RepoEntry> entries);
  /// The cached size of `location`, if known.
  std::optional<uint64_t> CachedSize(std::string_view location) const;

  /// The bytes of the last `length` bytes of each location, read with up to max_connections
  /// suffix-range requests in flight (one request per file); learns each file's size.
  std::vector<Result<std::string>> ReadTails(std::span<const std::string> locations,
                                             uint64_t length);

  const HfApi& api() const { return *api_; }

 private:
  std::shared_ptr<const HfApi> api_;
  std::shared_ptr<internal::HfSizeCache> sizes_;
};

}  // namespace faceberg::hub
