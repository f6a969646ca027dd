// The bearer tokens a REST server accepts (`faceberg serve --token-file F`), kept as SHA-256
// digests so the tokens themselves are not held in memory after loading, and compared in constant
// time so a client cannot learn a token byte by byte from response times.
//
// Token file: one token per line; surrounding spaces are trimmed; blank lines and lines starting
// with '#' are ignored. Tokens never appear in errors or logs (errors name the file and the line).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace faceberg::server {

class BearerTokens {
 public:
  /// Reads a token file. Errors: NotFound / IOError when it cannot be read; InvalidArgument when
  /// it holds no token, or a token with a space or control character inside (FILE:LINE).
  static Result<BearerTokens> Load(const std::string& path);
  /// Parses token-file text; `what` names it in errors. Errors: as Load.
  static Result<BearerTokens> Parse(std::string_view text, std::string_view what);

  /// True when `token` is one of the accepted tokens. Takes the same time whichever token (if
  /// any) matches and however much of it does.
  bool Accepts(std::string_view token) const;
  size_t size() const { return digests_.size(); }

 private:
  std::vector<std::string> digests_;  // hex SHA-256 of each accepted token
};

/// The token of an "Authorization: Bearer TOKEN" header value (the scheme is case-insensitive);
/// empty when the header has another form.
std::string_view BearerTokenOf(std::string_view authorization);

}  // namespace faceberg::server
