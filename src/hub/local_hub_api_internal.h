// The route handlers of the local hub: the HF Hub API over a HubStore. Two origins are served:
// the hub itself (the /api routes, resolve, LFS batch) and a storage origin on a second port that
// plays the CDN and the presigned upload target, so clients follow a cross-origin redirect for LFS
// downloads (and drop Authorization on the way) as they do against the real Hub.
//
// Thread safety: all methods may be called concurrently once constructed.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hub/local_hub_auth_internal.h"
#include "hub/local_hub_http_internal.h"
#include "hub/local_hub_store_internal.h"

namespace faceberg::hub::internal {

struct ApiOptions {
  int tree_page_size = 1000;                     // tree entries per page (50 with expand)
  uint64_t lfs_chunk_size = uint64_t{16} << 20;  // multipart part size
  uint64_t max_body_bytes = uint64_t{1} << 30;   // buffered request bodies
  bool redirect_regular_files = true;            // 307 to /api/resolve-cache like the Hub
};

/// One matched route: its name (for stats; empty when nothing matched) and its handler.
struct RouteMatch {
  std::string name;
  std::function<void(const HttpRequest&, HttpResponse*)> run;
};

class HubApi {
 public:
  /// `store` and `policy` must outlive the api.
  HubApi(HubStore* store, const AccessPolicy* policy, ApiOptions options);

  /// The storage origin's port, known once it is bound.
  void set_storage_port(int port) { storage_port_ = port; }

  RouteMatch MatchHub(const HttpRequest& req);
  RouteMatch MatchStorage(const HttpRequest& req);

 private:
  enum class Need { kRead, kDownload, kWrite };
  struct Access {
    RepoInfo info;
    Caller caller;
    bool is_private = false;
    std::string gated;
  };

  // Checks who may do what; on refusal fills `res` (401/403/404 as the Hub) and returns nullopt.
  std::optional<Access> Authorize(const HttpRequest& req, const std::string& repo_id, Need need,
                                  HttpResponse* res);
  // Resolves a revision to a commit; fills 404 RevisionNotFound / 500 and returns null on error.
  CommitPtr ResolveCommit(const Access& access, const std::string& revision, HttpResponse* res);
  std::string StorageBase(const HttpRequest& req) const;
  std::string Sign(std::string_view purpose, std::string_view oid, uint64_t size) const;
  // The repo's content at `commit` of a small regular file (README.md, .gitattributes).
  std::optional<std::string> ReadSmallFile(const CommitPtr& commit, const std::string& path);

  // Read routes (local_hub_api.cc).
  void ListDatasets(const HttpRequest& req, HttpResponse* res);
  void Info(const HttpRequest& req, HttpResponse* res, const std::string& repo_id,
            const std::string& revision);
  void Tree(const HttpRequest& req, HttpResponse* res, const std::string& repo_id,
            const std::string& revision, const std::string& path);
  void PathsInfo(const HttpRequest& req, HttpResponse* res, const std::string& repo_id,
                 const std::string& revision);
  void Refs(const HttpRequest& req, HttpResponse* res, const std::string& repo_id);
  void Commits(const HttpRequest& req, HttpResponse* res, const std::string& repo_id,
               const std::string& revision);
  void Parquet(const HttpRequest& req, HttpResponse* res, const std::string& repo_id,
               const std::vector<std::string>& parts);
  void Resolve(const HttpRequest& req, HttpResponse* res, const std::string& repo_id,
               const std::string& revision, const std::string& path, bool from_cache_route);
  void StorageDownload(const HttpRequest& req, HttpResponse* res, const std::string& oid);
  void WhoAmI(const HttpRequest& req, HttpResponse* res);

  // Write routes (local_hub_api_write.cc).
  void CreateRepo(const HttpRequest& req, HttpResponse* res);
  void DeleteRepo(const HttpRequest& req, HttpResponse* res);
  void ValidateYaml(const HttpRequest& req, HttpResponse* res);
  void Preupload(const HttpRequest& req, HttpResponse* res, const std::string& repo_id,
                 const std::string& revision);
  void LfsBatch(const HttpRequest& req, HttpResponse* res, const std::string& repo_id);
  void LfsVerify(const HttpRequest& req, HttpResponse* res, const std::string& repo_id);
  void LfsComplete(const HttpRequest& req, HttpResponse* res);
  void StorageUpload(const HttpRequest& req, HttpResponse* res, const std::string& oid, int part);
  void Commit(const HttpRequest& req, HttpResponse* res, const std::string& repo_id,
              const std::string& revision);
  void Branch(const HttpRequest& req, HttpResponse* res, const std::string& repo_id,
              const std::string& branch);
  void Tag(const HttpRequest& req, HttpResponse* res, const std::string& repo_id,
           const std::string& name);
  void Settings(const HttpRequest& req, HttpResponse* res, const std::string& repo_id);

  // Reads a JSON request body; fills 400/413 and returns nullopt on failure.
  std::optional<Json> ReadJsonBody(const HttpRequest& req, HttpResponse* res);

  HubStore* store_;
  const AccessPolicy* policy_;
  ApiOptions options_;
  std::atomic<int> storage_port_{0};
  std::string secret_;  // signs storage URLs; new at every start
};

/// Maps a store failure to the Hub's status and X-Error-Code.
void SetStoreError(HttpResponse* res, StoreError why, const Status& status);

}  // namespace faceberg::hub::internal
