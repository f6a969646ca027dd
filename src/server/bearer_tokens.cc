#include "server/bearer_tokens.h"

#include <fstream>
#include <sstream>

#include "hub/hf_api.h"
#include "util/strings.h"

namespace faceberg::server {

Result<BearerTokens> BearerTokens::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return NotFound("token file '{}' cannot be read: check the path given to --token-file", path);
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return IOError("token file '{}': read failed", path);
  return Parse(text.str(), path);
}

Result<BearerTokens> BearerTokens::Parse(std::string_view text, std::string_view what) {
  BearerTokens tokens;
  int line_number = 0;
  for (const std::string& raw : Split(text, '\n')) {
    ++line_number;
    std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#') continue;
    for (char c : line) {
      const auto byte = static_cast<unsigned char>(c);
      if (byte <= 0x20 || byte == 0x7f) {
        return InvalidArgument(
            "{}:{}: a token must not contain spaces or control characters (one token per line)",
            what, line_number);
      }
    }
    tokens.digests_.push_back(hub::Sha256Hex(line));
  }
  if (tokens.digests_.empty()) {
    return InvalidArgument("{} holds no token: write one accepted bearer token per line", what);
  }
  return tokens;
}

bool BearerTokens::Accepts(std::string_view token) const {
  // Digests have one length, so the comparison below never depends on the token's length, and
  // every accepted digest is compared in full whatever matched before.
  const std::string digest = hub::Sha256Hex(token);
  bool accepted = false;
  for (const std::string& candidate : digests_) {
    unsigned char difference = 0;
    for (size_t i = 0; i < candidate.size() && i < digest.size(); ++i) {
      difference |= static_cast<unsigned char>(candidate[i] ^ digest[i]);
    }
    accepted |= difference == 0 && candidate.size() == digest.size();
  }
  return accepted && !token.empty();
}

std::string_view BearerTokenOf(std::string_view authorization) {
  authorization = Trim(authorization);
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) return {};
  if (ToLower(authorization.substr(0, kScheme.size())) != kScheme) return {};
  return Trim(authorization.substr(kScheme.size()));
}

}  // namespace faceberg::server
