// Hub settings from the environment, looked up as huggingface_hub does:
//   token:    HF_TOKEN, then HUGGING_FACE_HUB_TOKEN, then the file at HF_TOKEN_PATH, whose default
//             is $HF_HOME/token with HF_HOME defaulting to $XDG_CACHE_HOME/huggingface, else
//             ~/.cache/huggingface ('~' and $VARS are expanded in all three). Tokens are trimmed;
//             an empty token counts as none. HF_HUB_DISABLE_IMPLICIT_TOKEN=1 disables the lookup.
//   endpoint: HF_ENDPOINT with trailing '/' stripped, default https://huggingface.co.
//   offline:  HF_HUB_OFFLINE=1 (also "true", "yes", "on") forbids every request.
#pragma once

#include <fmt/format.h>

#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "util/result.h"

namespace faceberg::hub {

inline constexpr std::string_view kDefaultEndpoint = "https://huggingface.co";

/// A Hub access token. It never prints itself: streaming or formatting it gives "<hf token>"
/// (or "<no hf token>"); only value() reveals it, for the Authorization header.
class HfToken {
 public:
  HfToken() = default;
  /// `source` says where the token came from ("HF_TOKEN", "file /home/u/.cache/...").
  explicit HfToken(std::string value, std::string source = "explicit")
      : value_(std::move(value)), source_(std::move(source)) {}

  bool empty() const { return value_.empty(); }
  /// The secret. Pass it only to HttpRequest::bearer_token.
  const std::string& value() const { return value_; }
  /// Where the token came from; safe to print.
  const std::string& source() const { return source_; }

  friend std::ostream& operator<<(std::ostream& out, const HfToken& token) {
    return out << (token.empty() ? "<no hf token>" : "<hf token>");
  }

 private:
  std::string value_;
  std::string source_;
};

/// Reads one environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;

/// The process environment (std::getenv).
EnvLookup ProcessEnvironment();

/// The settings a Hub client needs.
struct HubSettings {
  std::string endpoint = std::string(kDefaultEndpoint);
  HfToken token;
  bool offline = false;
};

/// Looks up the token in the official order. Empty when none is found.
/// Errors: IOError when the token file exists but cannot be read.
Result<HfToken> LookupToken(const EnvLookup& env = ProcessEnvironment());

/// The path of the token file (HF_TOKEN_PATH, else $HF_HOME/token, ...), expanded.
std::string TokenPath(const EnvLookup& env = ProcessEnvironment());

/// HF_ENDPOINT without trailing '/', or https://huggingface.co.
std::string LookupEndpoint(const EnvLookup& env = ProcessEnvironment());

/// True when HF_HUB_OFFLINE is set to a true value (1, true, yes, on; any case).
bool IsOffline(const EnvLookup& env = ProcessEnvironment());

/// Endpoint, token and offline flag together. Errors: as LookupToken.
Result<HubSettings> LookupHubSettings(const EnvLookup& env = ProcessEnvironment());

/// Expands a leading '~' (from HOME) and $VAR / ${VAR} (unset variables stay as written).
std::string ExpandUserAndVars(std::string_view path, const EnvLookup& env);

/// The error returned instead of a request when offline mode is on.
Status OfflineError(std::string_view what);

}  // namespace faceberg::hub

template <>
struct fmt::formatter<faceberg::hub::HfToken> : fmt::formatter<std::string_view> {
  template <typename Context>
  auto format(const faceberg::hub::HfToken& token, Context& ctx) const {
    return fmt::formatter<std::string_view>::format(token.empty() ? "<no hf token>" : "<hf token>",
                                                    ctx);
  }
};
