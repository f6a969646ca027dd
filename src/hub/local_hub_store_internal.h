// The local hub's repository store: dataset repos as immutable commits over a content-addressed
// blob store, with refs, all persisted under ROOT/.faceberg-hub so a restart keeps the history.
//
// Layout (ROOT is the --root folder):
//   ROOT/datasets/OWNER/NAME/...            a plain folder is a dataset repo; its files are the
//                                           content of `main` (hidden `.refs/` and `.git/` aside)
//   ROOT/datasets/OWNER/NAME/.refs/convert/parquet/...   content of refs/convert/parquet
//   ROOT/datasets/OWNER/NAME/.refs/pr/N/...              content of refs/pr/N
//   ROOT/datasets/OWNER/NAME/.refs/heads/BRANCH/...      content of branch BRANCH
//   ROOT/.faceberg-hub/blobs/AB/SHA256      file contents by sha256 (regular and LFS alike)
//   ROOT/.faceberg-hub/repos/OWNER/NAME/repo.json        refs, visibility, gating, counters
//   ROOT/.faceberg-hub/repos/OWNER/NAME/folder.json      what was imported from the folder
//   ROOT/.faceberg-hub/repos/OWNER/NAME/commits/SHA.json immutable commit objects
//   ROOT/.faceberg-hub/tmp/                 partial uploads (cleared at start)
//
// A folder's first import is a commit whose id is derived from the content alone, so two hubs
// (or one hub after its state folder was deleted) over the same folder agree on the sha. When a
// folder changed between two starts, the difference becomes one more commit on its ref (also
// with a content-derived id). Commits made through the API get fresh ids (time and a nonce).
//
// Thread safety: every method is safe to call concurrently. Commits on one repo are serialized.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace faceberg::hub::internal {

/// Files above this size are stored with Git LFS, as on the Hub.
inline constexpr uint64_t kLfsSizeThreshold = uint64_t{10} * 1024 * 1024;

/// One file of a commit.
struct FileEntry {
  uint64_t size = 0;
  std::string sha256;  // hex sha256 of the content: the blob store key
  std::string oid;     // git blob id; for LFS files the id of the pointer blob
  bool lfs = false;

  /// Bytes of the LFS pointer text (meaningful for LFS files).
  uint64_t pointer_size() const;
  bool operator==(const FileEntry& other) const = default;
};
using FileMap = std::map<std::string, FileEntry>;  // repo path -> entry

/// Makes the entry of `size` bytes with content hash `sha256` and git blob id `git_oid` (the id
/// of the content itself; unused for LFS files, whose oid is the pointer's).
FileEntry MakeFileEntry(uint64_t size, std::string sha256, std::string git_oid, bool lfs);

struct Commit {
  std::string id;  // 40 lower-case hex digits
  std::vector<std::string> parents;
  std::string title;
  std::string message;
  std::string author;
  int64_t date_ms = 0;
  FileMap files;
};
using CommitPtr = std::shared_ptr<const Commit>;

/// The folders of one commit and their git tree ids, derived from its file map.
struct TreeIndex {
  struct Child {
    std::string path;  // relative to the repo root
    bool is_dir = false;
  };
  /// Folder path ("" is the root) -> children: folders first, then files, each sorted by path.
  std::map<std::string, std::vector<Child>> children;
  /// Folder path -> git tree id.
  std::map<std::string, std::string> dir_oids;

  bool IsDir(const std::string& path) const { return dir_oids.count(path) > 0; }
};
using TreeIndexPtr = std::shared_ptr<const TreeIndex>;

/// A snapshot of one repo's mutable state.
struct RepoInfo {
  std::string id;                           // OWNER/NAME
  std::map<std::string, std::string> refs;  // full ref name (refs/heads/main) -> commit id
  bool is_private = false;
  std::string gated;  // "" (not gated), "auto" or "manual"
  int64_t created_ms = 0;
  int next_pr = 1;
};

/// Git LFS rules from .gitattributes ("PATTERN ... filter=lfs ..."); *.parquet always matches.
class LfsRules {
 public:
  static LfsRules Parse(std::string_view gitattributes);
  bool Matches(std::string_view path) const;

 private:
  std::vector<std::string> patterns_;
};

/// Whether `path` is a valid repo file path: relative, '/'-separated, no empty, '.' or '..'
/// segments, no control characters, at most 1024 bytes.
bool IsValidRepoPath(std::string_view path);
/// Whether `id` is OWNER/NAME with each part [A-Za-z0-9][A-Za-z0-9._-]* (at most 96 bytes each,
/// no "..", not ending in ".git").
bool IsValidRepoId(std::string_view id);

/// One change of an API commit, in request order.
struct CommitOperation {
  enum class Kind { kAdd, kDeleteFile, kDeleteFolder };
  Kind kind = Kind::kAdd;
  std::string path;
  FileEntry entry;  // kAdd only
};

struct CommitRequest {
  std::string revision;       // the branch (or refs/pr/N, refs/convert/NAME) to commit on
  std::string parent_commit;  // optional hex prefix the branch head must start with
  std::string title;
  std::string message;
  std::string author;
  bool create_pr = false;  // commit on a new refs/pr/N started from `revision`
  std::vector<CommitOperation> operations;
};

/// Why a mutation failed, for the HTTP layer's status codes.
enum class StoreError {
  kNone,
  kRepoNotFound,
  kRevisionNotFound,
  kEntryNotFound,
  kParentMismatch,  // 412
  kConflict,        // 409: exists already
  kBadRequest,      // 400
  kInternal,        // 500 (disk)
};

struct CommitOutcome {
  std::string commit_id;
  int pr_number = 0;  // with create_pr
};

/// Streams bytes into the blob store. Destroying an unfinished writer removes its temp file.
class BlobWriter {
 public:
  ~BlobWriter();
  BlobWriter(const BlobWriter&) = delete;
  BlobWriter& operator=(const BlobWriter&) = delete;

  Status Append(std::string_view bytes);
  uint64_t size() const { return size_; }
  /// Publishes the blob. When `expected_sha256` is non-empty the content must hash to it.
  /// Returns the content's sha256. Errors: InvalidArgument on a hash mismatch; IOError.
  Result<std::string> Finish(std::string_view expected_sha256 = {});

 private:
  friend class HubStore;
  struct Impl;
  explicit BlobWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  uint64_t size_ = 0;
};

class HubStore {
 public:
  /// Opens (creating when needed) the state under `root`/.faceberg-hub and imports every folder
  /// under `root`/datasets. Errors: IOError; Corrupt when a state file does not parse.
  static Result<std::unique_ptr<HubStore>> Open(const std::string& root);
  ~HubStore();
  HubStore(const HubStore&) = delete;
  HubStore& operator=(const HubStore&) = delete;

  const std::string& root() const { return root_; }

  /// The repo's current state; nullopt when it does not exist. A folder created under
  /// ROOT/datasets after the start is imported on first use.
  std::optional<RepoInfo> GetRepo(const std::string& repo_id);
  std::vector<std::string> ListRepos();

  /// Resolves a branch, tag, full ref (refs/convert/parquet, refs/pr/1), "~parquet", or a full or
  /// unique short (>= 4 hex digits) commit id. Errors: NotFound.
  Result<std::string> ResolveRevision(const RepoInfo& repo, std::string_view revision);
  /// Errors: NotFound; Corrupt when the commit file does not parse.
  Result<CommitPtr> GetCommit(const std::string& repo_id, const std::string& commit_id);
  Result<TreeIndexPtr> GetTreeIndex(const std::string& repo_id, const CommitPtr& commit);
  /// The most recent commit on the first-parent chain from `commit` that changed `path` (a file
  /// or a folder); `commit` itself when the walk ends. Walks at most 1000 commits.
  Result<CommitPtr> LastCommitTouching(const std::string& repo_id, CommitPtr commit,
                                       const std::string& path);

  /// The file holding the blob, or nullopt when it is not stored.
  std::optional<std::string> BlobPath(std::string_view sha256) const;
  /// Size of a stored blob, or nullopt.
  std::optional<uint64_t> BlobSize(std::string_view sha256) const;
  /// Stores `content`; returns its sha256.
  Result<std::string> PutBlob(std::string_view content);
  Result<std::unique_ptr<BlobWriter>> NewBlobWriter();
  /// A scratch folder for multipart uploads of one object (created on demand).
  std::string UploadDir(std::string_view sha256) const;

  /// Creates a repo whose `main` holds one commit with a default .gitattributes.
  Result<RepoInfo> CreateRepo(const std::string& repo_id, bool is_private,
                              const std::string& author, StoreError* why);
  /// Errors mirror `why`.
  Status DeleteRepo(const std::string& repo_id, StoreError* why);
  Result<CommitOutcome> ApplyCommit(const std::string& repo_id, const CommitRequest& request,
                                    StoreError* why);
  /// Creates `ref` (a full ref name) at `commit_id`. Errors: kConflict when it exists.
  Status CreateRef(const std::string& repo_id, const std::string& ref, const std::string& commit_id,
                   StoreError* why);
  Status DeleteRef(const std::string& repo_id, const std::string& ref, StoreError* why);
  /// Changes visibility and/or gating.
  Status UpdateSettings(const std::string& repo_id, std::optional<bool> is_private,
                        std::optional<std::string> gated, StoreError* why);

 private:
  struct Repo;
  explicit HubStore(std::string root);

  Status LoadState();
  Status SyncAllFolders();
  Status SyncFolder(const std::string& repo_id);
  std::shared_ptr<Repo> FindRepo(const std::string& repo_id);
  std::string StateDir() const;
  std::string RepoDir(const std::string& repo_id) const;
  Status SaveRepo(const Repo& repo);
  Status WriteCommit(const std::string& repo_id, const Commit& commit);
  CommitPtr CacheCommit(const std::string& repo_id, Commit commit);

  std::string root_;
  std::mutex mu_;  // guards repos_
  std::map<std::string, std::shared_ptr<Repo>> repos_;
  std::mutex import_mu_;                       // serializes folder imports
  std::mutex cache_mu_;                        // guards commits_ and trees_
  std::map<std::string, CommitPtr> commits_;   // "repo@sha" -> commit
  std::map<std::string, TreeIndexPtr> trees_;  // "repo@sha" -> index
};

}  // namespace faceberg::hub::internal
