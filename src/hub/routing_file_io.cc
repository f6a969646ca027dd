#include "hub/routing_file_io.h"

#include <filesystem>

#include "hub/hf_uri.h"
#include "util/strings.h"

namespace faceberg::hub {

namespace {

bool IsLocal(std::string_view location) {
  return StartsWith(location, "file://") || location.find("://") == std::string_view::npos;
}

}  // namespace

RoutingFileIO::RoutingFileIO(RoutingFileIOOptions options) : options_(std::move(options)) {}

RoutingFileIO::~RoutingFileIO() = default;

Status RoutingFileIO::AddMirror(std::string_view repo_uri, std::string local_root) {
  PRECHECK(!local_root.empty(), "the local folder of the mirror of {} is empty", repo_uri);
  ASSIGN_OR_RETURN(HfUri uri, ParseHfUri(repo_uri));
  if (!uri.revision.empty() || !uri.path.empty()) {
    return InvalidArgument(
        "'{}' cannot be mirrored: a mirrored catalog is hf://datasets/OWNER/REPO, without "
        "@REVISION or a path",
        repo_uri);
  }
  std::unique_lock lock(mirrors_mutex_);
  mirrors_[uri.repo_id()] = std::move(local_root);
  return Status::OK();
}

Result<RoutingFileIO::Route> RoutingFileIO::Resolve(std::string_view location) const {
  if (IsLocal(location)) return Route{io::LocalPath(location)};
  if (!IsHfUri(location)) {
    return NotSupported(
        "cannot reach '{}': faceberg reads local paths, file:// and hf://datasets/ locations",
        location);
  }
  ASSIGN_OR_RETURN(HfUri uri, ParseHfUri(location));
  if (!uri.revision.empty()) return Route{};
  std::string root;
  {
    std::shared_lock lock(mirrors_mutex_);
    auto it = mirrors_.find(uri.repo_id());
    if (it == mirrors_.end()) return Route{};
    root = it->second;
  }
  if (uri.path.empty()) return Route{root};
  // ParseHfUri refused "." and ".." segments; check the joined path anyway, so that a change
  // there can never let a location escape the mirror.
  std::filesystem::path base = std::filesystem::path(root).lexically_normal();
  std::filesystem::path joined = (base / uri.path).lexically_normal();
  auto rel = joined.lexically_relative(base);
  if (rel.empty() || *rel.begin() == "..") {
    return InvalidArgument("'{}' lies outside the catalog mirror {}", location, root);
  }
  return Route{io::JoinPath(root, uri.path)};
}

Result<std::optional<std::string>> RoutingFileIO::LocalPathOf(std::string_view location) const {
  if (!IsLocal(location) && !IsHfUri(location)) return std::optional<std::string>();
  ASSIGN_OR_RETURN(Route route, Resolve(location));
  return route.local_path;
}

Result<std::shared_ptr<const HfApi>> RoutingFileIO::Api() {
  std::lock_guard lock(remote_mutex_);
  if (!api_) {
    if (options_.shared_api) {
      api_ = options_.shared_api;
    } else {
      ASSIGN_OR_RETURN(std::unique_ptr<HfApi> made, HfApi::Make(options_.api));
      api_ = std::shared_ptr<const HfApi>(std::move(made));
    }
  }
  return api_;
}

Result<HfFileIO*> RoutingFileIO::Remote() {
  ASSIGN_OR_RETURN(std::shared_ptr<const HfApi> api, Api());
  std::lock_guard lock(remote_mutex_);
  if (!remote_) remote_ = std::make_unique<HfFileIO>(std::move(api));
  return remote_.get();
}

Result<std::unique_ptr<io::InputFile>> RoutingFileIO::NewInputFile(std::string_view location) {
  ASSIGN_OR_RETURN(Route route, Resolve(location));
  if (route.local_path) return local_.NewInputFile(*route.local_path);
  ASSIGN_OR_RETURN(HfFileIO * remote, Remote());
  return remote->NewInputFile(location);
}

Status RoutingFileIO::WriteFile(std::string_view location, std::string_view data,
                                io::WriteMode mode) {
  ASSIGN_OR_RETURN(Route route, Resolve(location));
  if (route.local_path) return local_.WriteFile(*route.local_path, data, mode);
  ASSIGN_OR_RETURN(HfFileIO * remote, Remote());
  return remote->WriteFile(location, data, mode);
}

Status RoutingFileIO::DeleteFile(std::string_view location) {
  ASSIGN_OR_RETURN(Route route, Resolve(location));
  if (route.local_path) return local_.DeleteFile(*route.local_path);
  ASSIGN_OR_RETURN(HfFileIO * remote, Remote());
  return remote->DeleteFile(location);
}

Result<bool> RoutingFileIO::Exists(std::string_view location) {
  ASSIGN_OR_RETURN(Route route, Resolve(location));
  if (route.local_path) return local_.Exists(*route.local_path);
  ASSIGN_OR_RETURN(HfFileIO * remote, Remote());
  return remote->Exists(location);
}

Result<std::vector<std::string>> RoutingFileIO::ListDir(std::string_view location) {
  ASSIGN_OR_RETURN(Route route, Resolve(location));
  if (route.local_path) return local_.ListDir(*route.local_path);
  ASSIGN_OR_RETURN(HfFileIO * remote, Remote());
  return remote->ListDir(location);
}

}  // namespace faceberg::hub
