// Staging remote data files for DuckDB. The DuckDB build faceberg links has no httpfs, so it
// reads only local files: before a scan, every planned data file whose location has a scheme
// other than file:// (hf://, ...) is downloaded through the table's io::FileIO into a local
// cache, and the scan reads the copies. The engine stays independent of the Hub: it sees only
// io::FileIO.
//
// Cache: FACEBERG_CACHE_DIR, else $XDG_CACHE_HOME/faceberg, else ~/.cache/faceberg.
//   data/XX/SHA256/NAME      copies of immutable locations (hf://datasets/O/N@<40-hex sha>/...),
//                            keyed by the sha256 of the full URI and reused by every process
//   volatile/XX/SHA256/NAME  copies of locations that may change (no commit sha): fetched again
//                            by every staging call, never trusted across processes
// A copy is written to a temporary file beside its entry, synced and renamed into place, so a
// crash never leaves a partial entry; concurrent processes may stage the same file.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "iceberg/manifest.h"
#include "io/file_io.h"
#include "util/result.h"

namespace faceberg::engine {

/// Reads one environment variable (nullopt when unset).
using EnvironmentLookup = std::function<std::optional<std::string>(std::string_view name)>;

/// The process environment.
std::optional<std::string> ProcessEnvironmentVariable(std::string_view name);

/// The cache folder: FACEBERG_CACHE_DIR, else $XDG_CACHE_HOME/faceberg (an absolute
/// XDG_CACHE_HOME only, as the XDG spec says), else $HOME/.cache/faceberg. Empty values count as
/// unset. Errors: InvalidArgument when none is set ("set FACEBERG_CACHE_DIR").
Result<std::string> DefaultCacheDirectory(
    const EnvironmentLookup& env = ProcessEnvironmentVariable);

/// True when DuckDB cannot read `location` itself: it has a scheme ("xx://") other than file://.
bool NeedsStaging(std::string_view location);

/// True when the bytes at `location` can never change: an hf:// location pinned to a full commit
/// sha (hf://datasets/OWNER/NAME@<40 hex digits>/PATH).
bool IsImmutableLocation(std::string_view location);

struct StagingOptions {
  /// The cache folder; empty: DefaultCacheDirectory().
  std::string cache_dir;
  /// Bytes per ReadAt request.
  uint64_t chunk_size = uint64_t{8} << 20;
  /// Requests in flight at once (files and chunks of one file alike).
  int max_parallel = 8;
};

struct StagedFiles {
  /// The input files in order; those that needed staging have file_path set to the local copy.
  std::vector<iceberg::DataFile> files;
  /// Files with a scheme that `io` stores on the local file system (FileIO::LocalPathOf: the
  /// files of a mirrored hf:// catalog): read where they are, never copied.
  int64_t local = 0;
  /// Files that needed staging, and how many of them were downloaded (the rest were cached).
  int64_t staged = 0;
  int64_t downloaded = 0;
  uint64_t bytes_downloaded = 0;
};

/// Makes every file of `files` that NeedsStaging readable locally: a file `io` stores locally
/// (io.LocalPathOf) is read in place; the others are downloaded through `io` (ReadAt in chunks
/// of options.chunk_size, up to options.max_parallel at once) unless an immutable cache entry
/// of the right size exists. A downloaded file's size must match its file_size_in_bytes (when
/// positive). Files without a scheme (and file://) are left as they are.
/// Errors: Corrupt when a remote file's size differs from the manifest's (the message names the
/// location); the errors of `io` (NotFound, Network, Permission) naming the location; IOError
/// writing the cache; InvalidArgument when no cache folder can be chosen. No partial entry or
/// temporary file is left behind.
Result<StagedFiles> StageDataFiles(io::FileIO& io, const std::vector<iceberg::DataFile>& files,
                                   const StagingOptions& options = {});

/// Stores a copy of the local file `local_path` as the cache entry of the immutable `location`
/// (a file just uploaded there), so that staging it later reads the copy instead of
/// downloading it. An entry of the same size is kept as it is. The entry is published like a
/// download (temporary file, sync, rename); `local_path` is left alone.
/// Errors: InvalidArgument for a location that is not immutable (IsImmutableLocation) or when
/// no cache folder can be chosen; NotFound / IOError reading `local_path` or writing the cache.
Status CacheLocalCopy(std::string_view location, const std::string& local_path,
                      const StagingOptions& options = {});

}  // namespace faceberg::engine
