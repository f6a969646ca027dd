// hf:// URIs of dataset files, and the encodings the Hub expects on the wire.
//
//   hf://datasets/OWNER/NAME[@REVISION][/PATH]
//
// REVISION runs to the next '/' and is percent-decoded, except that the special refs
// `refs/convert/<name>` and `refs/pr/<N>` are recognised unencoded (so
// `@refs/convert/parquet/default/train/0000.parquet` works as well as
// `@refs%2Fconvert%2Fparquet/...`). Any other revision with a '/' must be written with %2F. PATH is
// literal (an '@' in it is a character of a file name); empty, "." and ".." segments are refused.
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"

namespace faceberg::hub {

inline constexpr std::string_view kDefaultRevision = "main";

/// A parsed hf:// dataset location. Fields hold decoded text.
struct HfUri {
  std::string owner;
  std::string name;
  /// The revision as the user wrote it (decoded); empty means the default branch.
  std::string revision;
  /// The path inside the repository, without a leading '/'; empty for the repository root.
  std::string path;

  /// "OWNER/NAME".
  std::string repo_id() const { return owner + "/" + name; }
  /// `revision`, or "main" when it is empty.
  std::string revision_or_default() const {
    return revision.empty() ? std::string(kDefaultRevision) : revision;
  }
  /// The canonical URI: special refs verbatim, other revisions with '/', '%' and unsafe
  /// characters percent-encoded, so ParseHfUri(ToString()) gives back this value.
  std::string ToString() const;

  bool operator==(const HfUri&) const = default;
};

/// Parses an hf:// dataset URI.
/// Errors: InvalidArgument naming the problem (not hf://, not a dataset, a singular
/// "dataset/" prefix, a missing or malformed owner/name, an empty or badly escaped revision, an
/// empty, "." or ".." path segment).
Result<HfUri> ParseHfUri(std::string_view uri);

/// True when `location` starts with "hf://".
bool IsHfUri(std::string_view location);

/// Checks an "OWNER/NAME" repository id (letters, digits, '-', '_', '.'; no "..").
/// Errors: InvalidArgument.
Status ValidateRepoId(std::string_view repo_id);

/// A revision as it goes into a URL path: percent-encoded with no safe characters
/// ("refs/convert/parquet" -> "refs%2Fconvert%2Fparquet"). Encode exactly once.
std::string EncodeRevision(std::string_view revision);

/// A repository path as it goes into a resolve URL: percent-encoded, '/' kept.
std::string EncodeResolvePath(std::string_view path);

/// A repository path as it goes into a tree URL: percent-encoded, '/' as %2F.
std::string EncodeTreePath(std::string_view path);

}  // namespace faceberg::hub
