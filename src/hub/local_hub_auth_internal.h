// Who may read and write which repo on the local hub, from the --tokens file.
//
// Tokens file (JSON):
//   {
//     "tokens": {
//       "hf_alice": {"user": "alice", "repos": ["alice/*", "org/shared"], "write": true},
//       "hf_reader": {"repos": ["*"]}
//     },
//     "private": ["alice/secret", "org/internal-*"],
//     "gated": {"org/gated": "manual"}
//   }
// "repos" are fnmatch patterns over OWNER/NAME (default ["*"]); "write" defaults to false; "user"
// defaults to "user". "private" and "gated" add to what repos say about themselves (create_repo
// with private=True, the settings endpoint).
//
// Without a tokens file the hub is open: every request may read and write, with or without a
// token. With one: anonymous requests read public repos only and never write; an unknown token is
// refused (401 "Invalid credentials in Authorization header"); a token reads private repos and
// downloads gated files that its patterns match, and writes them too when "write" is true.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace faceberg::hub::internal {

struct TokenGrant {
  std::string user = "user";
  std::vector<std::string> repos = {"*"};
  bool write = false;
};

/// The caller of one request.
struct Caller {
  enum class Kind { kAnonymous, kInvalidToken, kUser };
  Kind kind = Kind::kAnonymous;
  const TokenGrant* grant = nullptr;  // kUser only (null on an open hub)

  bool authenticated() const { return kind == Kind::kUser; }
  std::string user() const;
};

class AccessPolicy {
 public:
  /// An open hub: no tokens file.
  AccessPolicy() = default;
  /// Reads a tokens file. Errors: NotFound, Corrupt (with the offending field).
  static Result<AccessPolicy> Load(const std::string& path);
  /// Parses tokens-file JSON text; `what` names it in errors.
  static Result<AccessPolicy> Parse(std::string_view text, std::string_view what);

  bool open() const { return !enabled_; }
  /// Identifies the caller from an Authorization header value ("Bearer hf_..."; may be empty).
  Caller Identify(std::string_view authorization) const;

  /// Whether the tokens file marks the repo private / gated ("" when not).
  bool ListedPrivate(std::string_view repo_id) const;
  std::string ListedGated(std::string_view repo_id) const;

  /// Whether the caller's grant covers the repo (always true on an open hub).
  bool Covers(const Caller& caller, std::string_view repo_id) const;
  bool CanWrite(const Caller& caller, std::string_view repo_id) const;

 private:
  bool enabled_ = false;
  std::map<std::string, TokenGrant, std::less<>> tokens_;
  std::vector<std::string> private_;
  std::vector<std::pair<std::string, std::string>> gated_;
};

/// Whether `text` matches the fnmatch `pattern` ('*' also crosses '/').
bool PatternMatches(std::string_view pattern, std::string_view text);

}  // namespace faceberg::hub::internal
