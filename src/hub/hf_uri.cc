#include "hub/hf_uri.h"

#include <cctype>

#include "io/http_client.h"
#include "util/strings.h"

namespace faceberg::hub {

namespace {

constexpr std::string_view kScheme = "hf://";

bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
}

Status ValidateRepoPart(std::string_view part, std::string_view what, std::string_view uri) {
  if (part.empty()) return InvalidArgument("'{}': the dataset {} is empty", uri, what);
  if (part.size() > 96) return InvalidArgument("'{}': the dataset {} is too long", uri, what);
  for (char c : part) {
    if (!IsWordChar(c)) {
      return InvalidArgument(
          "'{}': the dataset {} '{}' may only hold letters, digits, '-', '_' "
          "and '.'",
          uri, what, part);
    }
  }
  if (part == "." || part.find("..") != std::string_view::npos) {
    return InvalidArgument("'{}': the dataset {} '{}' may not contain '..'", uri, what, part);
  }
  return Status::OK();
}

// The length of a special ref at the start of `text` ("refs/convert/<[\w.-]+>" or
// "refs/pr/<digits>"), or 0. Matched greedily, up to the next '/' or the end.
size_t SpecialRefLength(std::string_view text) {
  for (std::string_view prefix :
       {std::string_view("refs/convert/"), std::string_view("refs/pr/")}) {
    if (!StartsWith(text, prefix)) continue;
    size_t i = prefix.size();
    bool digits_only = prefix == "refs/pr/";
    while (i < text.size() && text[i] != '/') {
      char c = text[i];
      bool ok = digits_only ? std::isdigit(static_cast<unsigned char>(c)) != 0 : IsWordChar(c);
      if (!ok) return 0;
      ++i;
    }
    return i > prefix.size() ? i : 0;
  }
  return 0;
}

bool IsSpecialRef(std::string_view revision) {
  return SpecialRefLength(revision) == revision.size() && !revision.empty();
}

}  // namespace

bool IsHfUri(std::string_view location) { return StartsWith(location, kScheme); }

Status ValidateRepoId(std::string_view repo_id) {
  size_t slash = repo_id.find('/');
  if (slash == std::string_view::npos || repo_id.find('/', slash + 1) != std::string_view::npos) {
    return InvalidArgument("'{}' is not a dataset id of the form OWNER/NAME", repo_id);
  }
  RETURN_IF_ERROR(ValidateRepoPart(repo_id.substr(0, slash), "owner", repo_id));
  return ValidateRepoPart(repo_id.substr(slash + 1), "name", repo_id);
}

Result<HfUri> ParseHfUri(std::string_view uri) {
  if (!IsHfUri(uri)) return InvalidArgument("'{}' is not an hf:// URI", uri);
  std::string_view rest = uri.substr(kScheme.size());
  if (StartsWith(rest, "dataset/")) {
    return InvalidArgument("'{}': write hf://datasets/OWNER/NAME (plural 'datasets')", uri);
  }
  if (!StartsWith(rest, "datasets/")) {
    return InvalidArgument(
        "'{}': only dataset repositories are supported "
        "(hf://datasets/OWNER/NAME[@REVISION][/PATH])",
        uri);
  }
  rest.remove_prefix(std::string_view("datasets/").size());

  HfUri out;
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) {
    return InvalidArgument("'{}': expected hf://datasets/OWNER/NAME, the NAME is missing", uri);
  }
  out.owner = std::string(rest.substr(0, slash));
  rest.remove_prefix(slash + 1);
  size_t name_end = rest.find_first_of("@/");
  if (name_end == std::string_view::npos) name_end = rest.size();
  out.name = std::string(rest.substr(0, name_end));
  rest.remove_prefix(name_end);
  RETURN_IF_ERROR(ValidateRepoPart(out.owner, "owner", uri));
  RETURN_IF_ERROR(ValidateRepoPart(out.name, "name", uri));

  if (StartsWith(rest, "@")) {
    rest.remove_prefix(1);
    size_t length = SpecialRefLength(rest);
    if (length > 0) {
      out.revision = std::string(rest.substr(0, length));
    } else {
      length = rest.find('/');
      if (length == std::string_view::npos) length = rest.size();
      auto decoded = io::PercentDecode(rest.substr(0, length));
      if (!decoded) return InvalidArgument("'{}': the revision has a malformed %-escape", uri);
      out.revision = std::move(*decoded);
    }
    if (out.revision.empty()) return InvalidArgument("'{}': the revision after '@' is empty", uri);
    rest.remove_prefix(length);
  }

  if (!rest.empty()) {
    // rest starts with '/'.
    rest.remove_prefix(1);
    if (EndsWith(rest, "/")) rest.remove_suffix(1);  // a folder written with a trailing slash
    if (!rest.empty()) {
      for (const std::string& segment : Split(rest, '/')) {
        if (segment.empty()) return InvalidArgument("'{}': the path has an empty segment", uri);
        if (segment == "." || segment == "..") {
          return InvalidArgument("'{}': the path may not contain '{}' segments", uri, segment);
        }
      }
      out.path = std::string(rest);
    }
  }
  return out;
}

std::string HfUri::ToString() const {
  std::string out = fmt::format("hf://datasets/{}/{}", owner, name);
  if (!revision.empty()) {
    out += '@';
    if (IsSpecialRef(revision)) {
      out += revision;
    } else {
      // Keep the common characters readable; encode what would change the parse.
      for (char c : revision) {
        auto u = static_cast<unsigned char>(c);
        if (c == '/' || c == '%' || c == '?' || c == '#' || u <= 0x20 || u >= 0x7f) {
          out += io::PercentEncode(std::string_view(&c, 1));
        } else {
          out += c;
        }
      }
    }
  }
  if (!path.empty()) {
    out += '/';
    out += path;
  }
  return out;
}

std::string EncodeRevision(std::string_view revision) { return io::PercentEncode(revision); }

std::string EncodeResolvePath(std::string_view path) { return io::PercentEncode(path, "/"); }

std::string EncodeTreePath(std::string_view path) { return io::PercentEncode(path); }

}  // namespace faceberg::hub
