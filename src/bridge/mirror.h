// The hf://-mirrored catalog: a file catalog kept in a local folder (the mirror, default
// .faceberg/) and shared through an HF dataset repository hf://datasets/OWNER/REPO. Its metadata
// holds hf:// URIs of that repository (catalog::FileCatalogOptions::public_root), which the
// routing FileIO maps to the mirror, and which PyIceberg or DuckDB read straight from the Hub
// after a push.
//
// Catalog files (what push and pull move): faceberg.yml when present, catalog.json, and every
// file under the folder of a table catalog.json lists at a location inside the catalog. Never:
// the lock file, the state file, or any file or folder whose name starts with '.' (temp files of
// atomic writes). A file of the last pushed or pulled state that is still in the mirror stays a
// catalog file (a table dropped without purge keeps its files on the Hub too).
//
// State: <mirror>/.hf-mirror.json (never pushed) records the repository, the branch ("main"),
// the base commit (the Hub commit of the last push or pull), and the sha256 and git blob sha1 of
// every catalog file at the base, plus the base catalog.json text for three-way merges.
// "Local changes" are the catalog files added, modified or deleted since the base. Before each
// Hub commit, push records the ids of the files it sends ("pending"); when a later push finds
// exactly those contents on the Hub (the commit landed but the process died or the answer was
// lost), they become its base, so changes made since are not taken for a conflict.
//
// Push makes one Hub commit guarded by parentCommit = base. When the branch moved, it compares
// the Hub's files with the base: a table (or faceberg.yml) changed on both sides is a conflict
// and nothing changes anywhere; otherwise the Hub's changes are downloaded into the mirror,
// catalog.json is merged three-way (by table entry and namespace), and the commit is retried on
// the new head. A file changed identically on both sides is no conflict (so a push whose commit
// landed but whose answer was lost is completed by the next push).
//
// Pull downloads the Hub's catalog into a temporary folder beside the mirror and swaps the two
// with one rename: the mirror is the old one or the new one, never a mix.
//
// Push and pull hold the catalog lock (catalog::FileCatalogLock) of the mirror while they run.
//
// Failure points (util/failpoint.h), each named after what has happened just before:
//   push-after-merge    push took the Hub's changes into the mirror, the state file is not updated
//   before-push-commit  local changes are gathered, the Hub commit is not sent
//   after-lfs-upload    (hub layer) the LFS files of the commit are uploaded, the commit is not sent
//   after-push-commit   the Hub commit is made, the state file is not updated
//   pull-mid-download   one file of several is written into the temporary folder
//   before-pull-swap    the pulled catalog is complete in the temporary folder, not swapped in
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "hub/hf_api.h"
#include "util/result.h"

namespace faceberg::bridge {

/// The state file of a mirror (inside the mirror folder).
inline constexpr char kMirrorStateFile[] = ".hf-mirror.json";
/// The branch a mirror pushes to and pulls from.
inline constexpr char kMirrorBranch[] = "main";

struct MirrorOptions {
  /// "hf://datasets/OWNER/REPO" (no revision, no path).
  std::string repo_uri;
  /// The local mirror folder.
  std::string mirror = ".faceberg";
  /// Push: commits tried before giving up on a branch that keeps moving.
  int max_push_attempts = 5;
  /// Pull: replace the mirror even when it has local changes (they are lost).
  bool discard_local_changes = false;
};

/// Catalog files changed relative to a base, by path (each list sorted).
struct MirrorChanges {
  std::vector<std::string> added;
  std::vector<std::string> modified;
  std::vector<std::string> deleted;

  bool empty() const { return added.empty() && modified.empty() && deleted.empty(); }
  size_t size() const { return added.size() + modified.size() + deleted.size(); }
};

struct PushResult {
  /// True when the mirror had no local changes (no commit was made).
  bool nothing_to_push = false;
  /// The Hub commit the mirror is now based on.
  std::string commit;
  /// What the pushed commit changed.
  MirrorChanges pushed;
  /// Paths changed on the Hub by others that were taken into the mirror before committing.
  std::vector<std::string> merged;
  /// Commits tried (1 unless the branch moved).
  int attempts = 0;
};

struct PullResult {
  /// The Hub commit the mirror is now based on.
  std::string commit;
  /// True when the mirror was already at that commit without local changes (nothing copied).
  bool up_to_date = false;
  /// Catalog files in the mirror after the pull.
  size_t files = 0;
  /// Local changes thrown away (only with discard_local_changes).
  MirrorChanges discarded;
};

struct InitMirrorResult {
  /// The mirror held a catalog already; nothing was done.
  bool existing = false;
  /// The Hub repository had a catalog; it was pulled.
  bool pulled = false;
  /// The commit pulled (empty unless pulled).
  std::string commit;
};

/// Local changes of the mirror relative to its base (everything, when it has no state file).
/// Sends no request. Errors: InvalidArgument (bad repo_uri, a state file of another repo);
/// Corrupt (unreadable state or catalog.json); NotFound (no catalog in the mirror).
Result<MirrorChanges> LocalMirrorChanges(const MirrorOptions& options);

/// Pushes the mirror's local changes in one Hub commit (creating the repository on the first
/// push), as described above. Errors: NotFound (no catalog in the mirror: run 'faceberg init');
/// Conflict naming the tables changed both locally and on the Hub (nothing is changed), or when
/// the branch kept moving through max_push_attempts; InvalidArgument for a table whose location
/// is outside the catalog; Permission and Network from the Hub.
Result<PushResult> PushMirror(const hub::HfApi& api, const MirrorOptions& options);

/// Replaces the mirror with the Hub's catalog at the head of the branch.
/// Errors: Conflict when the mirror has local changes and !discard_local_changes (the message
/// says to push them first or pass --force); NotFound when the repository holds no catalog;
/// Corrupt when a downloaded file does not match its Hub id or catalog.json does not parse.
/// On error the mirror is unchanged.
Result<PullResult> PullMirror(const hub::HfApi& api, const MirrorOptions& options);

/// What `faceberg init` does for an hf:// catalog: nothing when the mirror already holds a
/// catalog; else pulls the Hub's catalog when the repository has one; else creates an empty
/// catalog in the mirror (the first push creates the repository). A repository that is missing
/// (or hidden from an anonymous caller) counts as having no catalog.
/// Errors: those of PullMirror; IOError creating the mirror.
Result<InitMirrorResult> InitMirror(const hub::HfApi& api, const MirrorOptions& options);

}  // namespace faceberg::bridge
