#include "hub/local_hub_auth_internal.h"

#include <fnmatch.h>

#include "io/file_io.h"
#include "util/json.h"
#include "util/strings.h"

namespace faceberg::hub::internal {

std::string Caller::user() const {
  if (kind != Kind::kUser) return "anonymous";
  return grant != nullptr ? grant->user : "user";
}

bool PatternMatches(std::string_view pattern, std::string_view text) {
  return ::fnmatch(std::string(pattern).c_str(), std::string(text).c_str(), 0) == 0;
}

Result<AccessPolicy> AccessPolicy::Load(const std::string& path) {
  io::LocalFileIO io;
  ASSIGN_OR_RETURN(auto file, io.NewInputFile(path));
  ASSIGN_OR_RETURN(std::string text, file->ReadAll(uint64_t{64} << 20));
  return Parse(text, "tokens file " + path);
}

Result<AccessPolicy> AccessPolicy::Parse(std::string_view text, std::string_view what) {
  ASSIGN_OR_RETURN(Json j, ParseJson(text, what));
  if (!j.is_object()) return Corrupt("{} must be a JSON object", what);
  AccessPolicy policy;
  policy.enabled_ = true;
  if (auto it = j.find("tokens"); it != j.end()) {
    if (!it->is_object()) return Corrupt("{}: 'tokens' must map tokens to grants", what);
    for (const auto& [token, g] : it->items()) {
      // The token itself never goes into a message.
      if (Trim(token).empty()) return Corrupt("{}: a token is empty", what);
      if (!g.is_object()) return Corrupt("{}: each grant must be an object", what);
      TokenGrant grant;
      if (auto u = g.find("user"); u != g.end()) {
        if (!u->is_string()) return Corrupt("{}: 'user' must be a string", what);
        grant.user = u->get<std::string>();
      }
      if (auto r = g.find("repos"); r != g.end()) {
        if (!r->is_array()) return Corrupt("{}: 'repos' must be a list of patterns", what);
        grant.repos.clear();
        for (const auto& p : *r) {
          if (!p.is_string()) return Corrupt("{}: 'repos' must be a list of patterns", what);
          grant.repos.push_back(p.get<std::string>());
        }
      }
      if (auto w = g.find("write"); w != g.end()) {
        if (!w->is_boolean()) return Corrupt("{}: 'write' must be true or false", what);
        grant.write = w->get<bool>();
      }
      policy.tokens_[std::string(Trim(token))] = std::move(grant);
    }
  }
  if (auto it = j.find("private"); it != j.end()) {
    if (!it->is_array()) return Corrupt("{}: 'private' must be a list of patterns", what);
    for (const auto& p : *it) {
      if (!p.is_string()) return Corrupt("{}: 'private' must be a list of patterns", what);
      policy.private_.push_back(p.get<std::string>());
    }
  }
  if (auto it = j.find("gated"); it != j.end()) {
    if (!it->is_object()) return Corrupt("{}: 'gated' must map patterns to auto|manual", what);
    for (const auto& [pattern, mode] : it->items()) {
      if (!mode.is_string() || (mode != "auto" && mode != "manual")) {
        return Corrupt("{}: gated mode of {} must be \"auto\" or \"manual\"", what, pattern);
      }
      policy.gated_.emplace_back(pattern, mode.get<std::string>());
    }
  }
  return policy;
}

Caller AccessPolicy::Identify(std::string_view authorization) const {
  Caller caller;
  std::string_view value = Trim(authorization);
  if (value.empty()) return caller;
  if (value.size() >= 7 && ToLower(value.substr(0, 7)) == "bearer ") value.remove_prefix(7);
  value = Trim(value);
  if (value.empty()) return caller;
  if (!enabled_) {
    caller.kind = Caller::Kind::kUser;
    return caller;
  }
  auto it = tokens_.find(value);
  if (it == tokens_.end()) {
    caller.kind = Caller::Kind::kInvalidToken;
    return caller;
  }
  caller.kind = Caller::Kind::kUser;
  caller.grant = &it->second;
  return caller;
}

bool AccessPolicy::ListedPrivate(std::string_view repo_id) const {
  for (const auto& p : private_) {
    if (PatternMatches(p, repo_id)) return true;
  }
  return false;
}

std::string AccessPolicy::ListedGated(std::string_view repo_id) const {
  for (const auto& [pattern, mode] : gated_) {
    if (PatternMatches(pattern, repo_id)) return mode;
  }
  return "";
}

bool AccessPolicy::Covers(const Caller& caller, std::string_view repo_id) const {
  if (!enabled_) return true;
  if (caller.kind != Caller::Kind::kUser || caller.grant == nullptr) return false;
  for (const auto& p : caller.grant->repos) {
    if (PatternMatches(p, repo_id)) return true;
  }
  return false;
}

bool AccessPolicy::CanWrite(const Caller& caller, std::string_view repo_id) const {
  if (!enabled_) return true;
  return Covers(caller, repo_id) && caller.grant->write;
}

}  // namespace faceberg::hub::internal
