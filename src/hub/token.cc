#include "hub/token.h"

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "util/strings.h"

namespace faceberg::hub {

namespace {

bool IsTrue(std::optional<std::string> value) {
  if (!value) return false;
  std::string v = ToLower(Trim(*value));
  return v == "1" || v == "true" || v == "yes" || v == "on";
}

std::optional<std::string> NonEmpty(const EnvLookup& env, const char* name) {
  auto value = env(name);
  if (value && !value->empty()) return value;
  return std::nullopt;
}

}  // namespace

EnvLookup ProcessEnvironment() {
  return [](const char* name) -> std::optional<std::string> {
    const char* value = std::getenv(name);
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

std::string ExpandUserAndVars(std::string_view path, const EnvLookup& env) {
  std::string text(path);
  if (text == "~" || StartsWith(text, "~/")) {
    if (auto home = NonEmpty(env, "HOME")) text = *home + text.substr(1);
  }
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$') {
      out += text[i];
      continue;
    }
    size_t start = i + 1;
    bool braced = start < text.size() && text[start] == '{';
    if (braced) ++start;
    size_t end = start;
    while (end < text.size() &&
           (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_')) {
      ++end;
    }
    if (end == start || (braced && (end >= text.size() || text[end] != '}'))) {
      out += text[i];
      continue;
    }
    std::string name = text.substr(start, end - start);
    size_t consumed_end = braced ? end + 1 : end;
    if (auto value = env(name.c_str())) {
      out += *value;
    } else {
      out += text.substr(i, consumed_end - i);
    }
    i = consumed_end - 1;
  }
  return out;
}

std::string TokenPath(const EnvLookup& env) {
  if (auto path = NonEmpty(env, "HF_TOKEN_PATH")) return ExpandUserAndVars(*path, env);
  std::string home;
  if (auto hf_home = NonEmpty(env, "HF_HOME")) {
    home = ExpandUserAndVars(*hf_home, env);
  } else if (auto xdg = NonEmpty(env, "XDG_CACHE_HOME")) {
    home = ExpandUserAndVars(*xdg, env) + "/huggingface";
  } else {
    home = ExpandUserAndVars("~/.cache/huggingface", env);
  }
  return home + "/token";
}

Result<HfToken> LookupToken(const EnvLookup& env) {
  if (IsTrue(env("HF_HUB_DISABLE_IMPLICIT_TOKEN"))) return HfToken();
  for (const char* name : {"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"}) {
    if (auto value = env(name)) {
      std::string token(Trim(*value));
      if (!token.empty()) return HfToken(std::move(token), name);
    }
  }
  std::string path = TokenPath(env);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return HfToken();
  std::ifstream in(path, std::ios::binary);
  if (!in) return IOError("cannot read the Hub token file {}", path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return IOError("cannot read the Hub token file {}", path);
  std::string token(Trim(text.str()));
  if (token.empty()) return HfToken();
  return HfToken(std::move(token), "file " + path);
}

std::string LookupEndpoint(const EnvLookup& env) {
  auto value = env("HF_ENDPOINT");
  if (!value) return std::string(kDefaultEndpoint);
  std::string endpoint(Trim(*value));
  while (EndsWith(endpoint, "/")) endpoint.pop_back();
  return endpoint.empty() ? std::string(kDefaultEndpoint) : endpoint;
}

bool IsOffline(const EnvLookup& env) { return IsTrue(env("HF_HUB_OFFLINE")); }

Result<HubSettings> LookupHubSettings(const EnvLookup& env) {
  HubSettings settings;
  settings.endpoint = LookupEndpoint(env);
  settings.offline = IsOffline(env);
  ASSIGN_OR_RETURN(settings.token, LookupToken(env));
  return settings;
}

Status OfflineError(std::string_view what) {
  return NetworkError(
      "HF_HUB_OFFLINE is set, so faceberg makes no request to the Hub ({}); unset HF_HUB_OFFLINE "
      "to go online",
      what);
}

}  // namespace faceberg::hub
