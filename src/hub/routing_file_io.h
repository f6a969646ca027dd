// RoutingFileIO: the FileIO the CLI uses for every command. It sends each location to the
// storage that holds it:
//   - local paths and file:// URIs          -> io::LocalFileIO
//   - hf://datasets/OWNER/REPO/PATH of a     -> the file ROOT/PATH of that mirror, read and
//     registered mirror (no @REVISION)          written through io::LocalFileIO (so kNoReplace
//                                               stays an atomic create-if-absent publish)
//   - any other hf:// location               -> HfFileIO (read-only)
//   - other schemes                          -> NotSupported
// A mirrored catalog (catalog location hf://datasets/OWNER/REPO) writes those hf:// URIs into its
// metadata; they become valid on the Hub after a push, and resolve to the mirror before.
//
// The HfApi is made on the first remote hf:// access (or Api() call), so commands that never
// touch the Hub never look up a token. hf:// locations are parsed with ParseHfUri, which refuses
// empty, "." and ".." segments: no location can reach outside a mirror's root.
//
// Thread safety: safe for concurrent use, AddMirror included.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "hub/hf_api.h"
#include "hub/hf_file_io.h"
#include "io/file_io.h"

namespace faceberg::hub {

struct RoutingFileIOOptions {
  /// Settings of the HfApi made on first use (endpoint, token, offline from the environment).
  HfApiOptions api;
  /// An HfApi to use instead of making one (tests, sharing); optional.
  std::shared_ptr<const HfApi> shared_api;
};

class RoutingFileIO final : public io::FileIO {
 public:
  explicit RoutingFileIO(RoutingFileIOOptions options = {});
  ~RoutingFileIO() override;

  /// Maps hf://datasets/OWNER/REPO/PATH (without a revision) to `local_root`/PATH; replaces an
  /// earlier mapping of the same repository.
  /// Errors: InvalidArgument when `repo_uri` is not hf://datasets/OWNER/REPO (a revision or a
  /// path in it), or `local_root` is empty.
  Status AddMirror(std::string_view repo_uri, std::string local_root);

  /// The local file or folder `location` is stored in: local paths (file:// stripped), and
  /// locations under a mirror mapped to its root; nullopt for remote hf:// locations and other
  /// schemes. Errors: InvalidArgument for a malformed hf:// URI or one that leaves its mirror.
  Result<std::optional<std::string>> LocalPathOf(std::string_view location) const override;

  /// The Hub client, made on first call with RoutingFileIOOptions::api.
  /// Errors: those of HfApi::Make (a token file that cannot be read).
  Result<std::shared_ptr<const HfApi>> Api();
  /// The read-only FileIO of remote hf:// locations (made with the Hub client on first call).
  /// Errors: as Api.
  Result<HfFileIO*> Remote();

  Result<std::unique_ptr<io::InputFile>> NewInputFile(std::string_view location) override;
  /// Errors: as io::FileIO; NotSupported for remote hf:// locations (they are read-only).
  Status WriteFile(std::string_view location, std::string_view data, io::WriteMode mode) override;
  /// Errors: as io::FileIO; NotSupported for remote hf:// locations.
  Status DeleteFile(std::string_view location) override;
  Result<bool> Exists(std::string_view location) override;
  Result<std::vector<std::string>> ListDir(std::string_view location) override;

 private:
  // Where a location goes: a local path, or the remote hf:// FileIO.
  struct Route {
    std::optional<std::string> local_path;  // nullopt: remote
  };
  Result<Route> Resolve(std::string_view location) const;

  RoutingFileIOOptions options_;
  io::LocalFileIO local_;
  mutable std::shared_mutex mirrors_mutex_;
  std::map<std::string, std::string> mirrors_;  // "OWNER/REPO" -> local root; guarded
  std::mutex remote_mutex_;
  std::shared_ptr<const HfApi> api_;  // guarded by remote_mutex_
  std::unique_ptr<HfFileIO> remote_;  // guarded by remote_mutex_
};

}  // namespace faceberg::hub
