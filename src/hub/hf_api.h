// HfApi: a client of the Hugging Face Hub's dataset API, speaking the wire protocol of
// huggingface_hub (see docs in shared/reference/hf-hub-protocol.md): dataset info, refs, tree
// listings, paths-info, resolve (HEAD and ranged GET), repo creation, preupload, LFS batch
// uploads (basic and multipart) and the atomic NDJSON commit guarded by parentCommit.
//
// Errors from the Hub are mapped by HubError into messages that say what is wrong (a gated,
// private or missing dataset, a missing revision or file, a rejected token) and what to do.
// The token is sent only to the endpoint's origin, never printed.
//
// Thread safety: an HfApi is immutable after Make and safe for concurrent use.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hub/token.h"
#include "io/http_client.h"
#include "util/json.h"
#include "util/result.h"

namespace faceberg::hub {

/// The LFS pointer of a file stored in LFS/Xet.
struct LfsInfo {
  std::string sha256;
  uint64_t size = 0;
  uint64_t pointer_size = 0;
};

/// An entry of a tree listing or a paths-info answer.
struct RepoEntry {
  enum class Type { kFile, kDirectory };
  struct LastCommit {
    std::string id;
    std::string title;
    std::string date;
  };
  Type type = Type::kFile;
  /// Relative to the repository root.
  std::string path;
  /// Git object id: the blob sha1 (of the pointer for LFS files) or the tree sha1.
  std::string oid;
  uint64_t size = 0;
  std::optional<LfsInfo> lfs;
  std::string xet_hash;
  /// Only with expand=true.
  std::optional<LastCommit> last_commit;

  bool is_file() const { return type == Type::kFile; }
};

/// One file of DatasetInfo::siblings.
struct DatasetSibling {
  std::string path;
  /// Only with files_metadata.
  std::optional<uint64_t> size;
  std::string blob_id;
  std::optional<LfsInfo> lfs;
};

/// The answer of GET /api/datasets/{id}/revision/{rev}.
struct DatasetInfo {
  std::string id;
  /// The commit the revision resolved to.
  std::string sha;
  std::string last_modified;
  bool is_private = false;
  /// "false", "auto" or "manual".
  std::string gated = "false";
  bool disabled = false;
  std::vector<std::string> tags;
  std::vector<DatasetSibling> siblings;
  /// The README YAML as JSON; null when absent.
  Json card_data;
};

struct GitRef {
  std::string name;
  std::string ref;
  std::string target_commit;
};

/// The answer of GET /api/datasets/{id}/refs.
struct RepoRefs {
  std::vector<GitRef> branches;
  std::vector<GitRef> converts;
  std::vector<GitRef> tags;
  std::vector<GitRef> pull_requests;
};

/// Metadata of a file from a HEAD on its resolve URL.
struct FileMetadata {
  /// X-Repo-Commit.
  std::string commit_sha;
  /// X-Linked-Etag, else ETag, without quotes or W/: the blob sha1 or, for LFS, the sha256.
  std::string etag;
  /// X-Linked-Size, else Content-Length.
  std::optional<uint64_t> size;
};

/// Which bytes of a file to read.
struct ByteRange {
  enum class Kind { kAll, kSpan, kSuffix };
  Kind kind = Kind::kAll;
  uint64_t offset = 0;
  uint64_t length = 0;

  static ByteRange All() { return {}; }
  /// `length` bytes at `offset`.
  static ByteRange Span(uint64_t offset, uint64_t length) { return {Kind::kSpan, offset, length}; }
  /// The last `length` bytes (the whole file when it is shorter).
  static ByteRange Suffix(uint64_t length) { return {Kind::kSuffix, 0, length}; }
};

struct FileReadRequest {
  std::string repo_id;
  std::string revision;
  std::string path;
  ByteRange range;
};

/// Bytes read from a file, and what the response said about it.
struct FileRead {
  std::string data;
  /// Offset of data[0] in the file.
  uint64_t offset = 0;
  /// The whole file's size, when the response told it (Content-Range total, or a full body).
  std::optional<uint64_t> file_size;
  std::string commit_sha;
  std::string etag;
};

struct CreateRepoOptions {
  bool private_repo = false;
  /// Treat "already exists" (409) as success.
  bool exist_ok = true;
};

/// One file announced to the preupload endpoint.
struct PreuploadFile {
  std::string path;
  uint64_t size = 0;
  /// Up to the first 512 bytes of the content (sent base64-encoded).
  std::string sample;
};

struct PreuploadAnswer {
  std::string path;
  /// true: upload through LFS; false: send inline in the commit.
  bool lfs = false;
  bool should_ignore = false;
  /// The oid the Hub already has at this path, if any.
  std::string remote_oid;
};

struct PreuploadResult {
  std::vector<PreuploadAnswer> files;
  /// The branch head when the Hub reports it.
  std::string commit_oid;
};

/// Content to store in LFS. `content` must stay alive during the call.
struct LfsUpload {
  std::string sha256;
  std::string_view content;
};

/// One change of a commit.
struct CommitOperation {
  enum class Kind { kAdd, kDelete, kDeleteFolder };
  Kind kind = Kind::kAdd;
  std::string path;
  /// The new content (kAdd only).
  std::string content;

  static CommitOperation Add(std::string path, std::string content) {
    return {Kind::kAdd, std::move(path), std::move(content)};
  }
  static CommitOperation Delete(std::string path) { return {Kind::kDelete, std::move(path), {}}; }
  static CommitOperation DeleteFolder(std::string path) {
    return {Kind::kDeleteFolder, std::move(path), {}};
  }
};

struct CommitOptions {
  std::string summary = "Upload with faceberg";
  std::string description;
  /// When set, the commit succeeds only if the branch head is this commit (a 5 to 40 hex
  /// digit sha); otherwise the result is Conflict and nothing changes.
  std::string parent_commit;
  bool create_pr = false;
};

struct CommitResult {
  std::string commit_oid;
  std::string commit_url;
  std::string pull_request_url;
  /// True when every operation was a no-op and no commit was made; commit_oid is the head.
  bool nothing_to_commit = false;
};

struct HfApiOptions {
  /// nullopt: HF_ENDPOINT, else https://huggingface.co. A trailing '/' is stripped.
  std::optional<std::string> endpoint;
  /// nullopt: the token lookup (HF_TOKEN, ...). An empty HfToken means anonymous.
  std::optional<HfToken> token;
  /// nullopt: HF_HUB_OFFLINE.
  std::optional<bool> offline;
  /// Where the nullopt settings above come from.
  EnvLookup env = ProcessEnvironment();
  /// Used when `http_client` is null.
  io::HttpClientOptions http;
  /// A client to share (connection reuse across APIs); optional.
  std::shared_ptr<io::HttpClient> http_client;
  /// Paths per paths-info request (the Hub refuses about 1000).
  size_t paths_info_batch = 500;
  /// Files per preupload and per LFS batch request.
  size_t upload_batch = 256;
  /// Retries of a 409 "operation in progress" on create and commit, and their pause.
  int in_progress_retries = 5;
  std::chrono::milliseconds in_progress_backoff{1'000};
  /// Sends of a commit (or a create with exist_ok) after its answer was lost (a reset, a
  /// 500/502/504) and the Hub was found not to have acted on it; see CreateCommit.
  int lost_answer_retries = 3;
};

/// What a request was about, for HubError.
struct HubRequestContext {
  /// What was being done, as a verb phrase: "read", "list the files of", "commit to".
  std::string_view action;
  std::string_view repo_id;
  std::string_view revision;
  std::string_view path;
  std::string_view endpoint;
  /// Where the token came from (HfToken::source), empty when no token was sent.
  std::string_view token_source;
  bool write = false;
};

/// Maps a failed Hub response to a Status whose message names the case (gated, private or
/// missing dataset, missing revision, missing file, rejected token, no write access, conflict)
/// and says what to do. REQUIRES: !response.ok().
Status HubError(const io::HttpResponse& response, const HubRequestContext& context);

/// The Hub's explanation of a failed response: X-Error-Message, else the body's "error" /
/// "error_description" / errors[].message, else a short text body.
std::string HubErrorMessage(const io::HttpResponse& response);

class HfApi {
 public:
  /// Errors: those of LookupHubSettings and HttpClient::Make.
  static Result<std::unique_ptr<HfApi>> Make(HfApiOptions options = {});
  ~HfApi();
  HfApi(const HfApi&) = delete;
  HfApi& operator=(const HfApi&) = delete;

  const std::string& endpoint() const;
  bool has_token() const;
  bool offline() const;
  io::HttpClient& http() const;

  // Every call below returns the offline error before any request when offline mode is on,
  // and the HubError mapping of a failed response.

  /// Dataset info at `revision` (the default branch when empty), with `sha` resolved.
  /// `files_metadata` adds sizes, blob ids and LFS info to the siblings.
  Result<DatasetInfo> GetDatasetInfo(std::string_view repo_id, std::string_view revision = "",
                                     bool files_metadata = false) const;
  /// The commit sha `revision` points to.
  Result<std::string> ResolveRevision(std::string_view repo_id, std::string_view revision) const;
  Result<RepoRefs> ListRefs(std::string_view repo_id, bool include_pull_requests = false) const;
  /// Ids of the first-parent history of `revision`, newest first, at most `limit` of them
  /// (following pages).
  Result<std::vector<std::string>> ListCommitIds(std::string_view repo_id,
                                                 std::string_view revision, size_t limit) const;
  /// Every entry under `path` (the root when empty), following Link pages.
  /// Errors: NotFound for a missing path or revision.
  Result<std::vector<RepoEntry>> ListTree(std::string_view repo_id, std::string_view revision,
                                          std::string_view path = "", bool recursive = true,
                                          bool expand = false) const;
  /// Entries for `paths` (missing ones are skipped), in batches of paths_info_batch sent in
  /// parallel.
  Result<std::vector<RepoEntry>> GetPathsInfo(std::string_view repo_id, std::string_view revision,
                                              std::span<const std::string> paths) const;
  /// HEAD on the resolve URL, following only relative redirects (as huggingface_hub does: the
  /// metadata of an LFS file is on its redirect to the CDN, so the CDN is not asked).
  Result<FileMetadata> GetFileMetadata(std::string_view repo_id, std::string_view revision,
                                       std::string_view path) const;
  /// GET on the resolve URL, with a Range header unless range is All.
  /// Errors: Corrupt when the range passes the end of the file or the answer is inconsistent.
  Result<FileRead> ReadFile(const FileReadRequest& request) const;
  /// ReadFile for every request, with up to max_connections in flight; result i is request i.
  std::vector<Result<FileRead>> ReadFiles(std::span<const FileReadRequest> requests) const;

  /// Creates a dataset repository; returns its URL. Errors: AlreadyExists (unless exist_ok),
  /// Permission. With exist_ok, a create whose answer was lost is sent again.
  Result<std::string> CreateRepo(std::string_view repo_id,
                                 const CreateRepoOptions& options = {}) const;
  /// Asks which files go through LFS, in batches of upload_batch sent in parallel.
  Result<PreuploadResult> Preupload(std::string_view repo_id, std::string_view revision,
                                    std::span<const PreuploadFile> files,
                                    bool create_pr = false) const;
  /// Uploads LFS objects the Hub does not have yet: LFS batch, then basic or multipart PUTs in
  /// parallel, then verify. `revision` is the target branch (ignored with create_pr).
  Status UploadLfs(std::string_view repo_id, std::string_view revision,
                   std::span<const LfsUpload> uploads, bool create_pr = false) const;
  /// The whole commit flow: preupload, drop unchanged files, LFS uploads, one NDJSON commit.
  /// The commit is made at most once: when its answer is lost (a connection reset, a 500, 502
  /// or 504: the Hub may have acted), the branch is read to see whether it landed: with a
  /// parent_commit, the commit right after the parent must show every change (each added file
  /// with its oid, each deleted path gone), else the head must; then that commit is the result.
  /// Otherwise the same commit is sent again guarded by parentCommit (the parent, or the head
  /// just read), up to lost_answer_retries times, so it cannot land twice.
  /// Errors: Conflict when options.parent_commit is not the head of `branch` (412) or another
  /// commit stayed in progress through the retries (409), or when the branch moved on without
  /// the commit after its answer was lost; Network when the answers stayed lost (the commit
  /// did not land) or whether it landed could not be read (the message says so);
  /// InvalidArgument for a bad path.
  Result<CommitResult> CreateCommit(std::string_view repo_id, std::string_view branch,
                                    std::span<const CommitOperation> operations,
                                    const CommitOptions& options = {}) const;

  /// The resolve URL of a file (revision and path encoded as the Hub expects).
  std::string ResolveUrl(std::string_view repo_id, std::string_view revision,
                         std::string_view path) const;

 private:
  struct Impl;
  explicit HfApi(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Lower-case hex sha256 of `data`.
std::string Sha256Hex(std::string_view data);
/// The git blob id of `data`: sha1 of "blob <size>\0" + data.
std::string GitBlobSha1(std::string_view data);
/// Standard base64 with padding.
std::string Base64Encode(std::string_view data);

}  // namespace faceberg::hub
