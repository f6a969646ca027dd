// A LocalHub over a temp folder of dataset repos, and HfApi clients pointed at it.
#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "hub/hf_api.h"
#include "hub/local_hub.h"
#include "test_util.h"

namespace faceberg::testing {

/// Reads a whole local file (test data).
inline std::string ReadLocalFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// Builds ROOT/datasets/OWNER/NAME/... folders, then starts a LocalHub over them.
class LocalHubFixture {
 public:
  /// Writes `content` at `path` inside repo `repo_id` (before Start()).
  void AddFile(const std::string& repo_id, const std::string& path, const std::string& content) {
    std::filesystem::path target = root_.path() / "datasets" / repo_id / path;
    std::filesystem::create_directories(target.parent_path());
    std::ofstream(target, std::ios::binary) << content;
  }

  /// Writes the tokens file and makes the hub use it.
  void SetTokens(const std::string& json) {
    tokens_path_ = root_.Join("tokens.json");
    std::ofstream(tokens_path_) << json;
  }

  /// Starts the hub on ephemeral ports with `options` (root, ports and tokens are filled in).
  Status Start(hub::LocalHubOptions options = {}) {
    std::filesystem::create_directories(root_.path() / "datasets");
    options.root = root_.path().string();
    options.port = 0;
    options.cdn_port = 0;
    if (!tokens_path_.empty()) options.tokens_file = tokens_path_;
    ASSIGN_OR_RETURN(hub_, hub::LocalHub::Start(options));
    return Status::OK();
  }

  hub::LocalHub& hub() { return *hub_; }
  std::string endpoint() const { return hub_->endpoint(); }

  /// An HfApi for this hub with fast retries; `token` empty means anonymous.
  Result<std::shared_ptr<hub::HfApi>> Api(const std::string& token = "",
                                          io::HttpClientOptions http = FastRetries()) const {
    hub::HfApiOptions options;
    options.endpoint = hub_->endpoint();
    options.token = hub::HfToken(token, token.empty() ? "" : "HF_TOKEN");
    options.offline = false;
    options.http = http;
    options.in_progress_backoff = std::chrono::milliseconds(10);
    ASSIGN_OR_RETURN(auto api, hub::HfApi::Make(options));
    return std::shared_ptr<hub::HfApi>(std::move(api));
  }

  /// Hub-origin requests (the storage/CDN origin's routes excluded) since the last reset.
  int64_t HubRequests() const {
    hub::LocalHubStats stats = hub_->stats();
    int64_t storage = 0;
    for (const char* route : {"cdn", "lfs-upload", "lfs-part"}) {
      auto it = stats.routes.find(route);
      if (it != stats.routes.end()) storage += it->second;
    }
    return stats.total - storage;
  }
  int64_t Route(const std::string& name) const {
    hub::LocalHubStats stats = hub_->stats();
    auto it = stats.routes.find(name);
    return it == stats.routes.end() ? 0 : it->second;
  }

  static io::HttpClientOptions FastRetries() {
    io::HttpClientOptions http;
    http.backoff_base = std::chrono::milliseconds(5);
    http.backoff_max = std::chrono::milliseconds(50);
    http.retry_after_margin = std::chrono::milliseconds(0);
    http.max_retries = 6;
    return http;
  }

  const TempDir& root() const { return root_; }

 private:
  TempDir root_;
  std::string tokens_path_;
  std::unique_ptr<hub::LocalHub> hub_;
};

}  // namespace faceberg::testing
