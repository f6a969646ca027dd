#include "hub/hf_api.h"

#include <openssl/evp.h>

#include <algorithm>
#include <thread>
#include <unordered_map>

#include "hub/hf_uri.h"
#include "util/failpoint.h"
#include "util/strings.h"
#include "util/uuid.h"

namespace faceberg::hub {

namespace {

using io::HttpMethod;
using io::HttpRequest;
using io::HttpResponse;

constexpr std::string_view kLfsMediaType = "application/vnd.git-lfs+json";

std::string Digest(std::string_view data, const EVP_MD* md) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), out, &length, md, nullptr) != 1) return "";
  return HexEncode(std::string_view(reinterpret_cast<const char*>(out), length));
}

std::string StripEtag(std::string etag) {
  std::string_view v = Trim(etag);
  if (StartsWith(v, "W/")) v.remove_prefix(2);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  return std::string(v);
}

// The first value of `name` among the redirect hops (in order) and then the final response.
std::optional<std::string> FindHeader(const HttpResponse& response, std::string_view name) {
  for (const io::HttpHeaders& hop : response.redirect_headers) {
    if (auto value = hop.Get(name)) return value;
  }
  return response.headers.Get(name);
}

std::optional<uint64_t> ParseSize(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  auto value = ParseInt64(Trim(*text));
  if (!value || *value < 0) return std::nullopt;
  return static_cast<uint64_t>(*value);
}

bool ContainsIgnoreCase(std::string_view haystack, std::string_view needle) {
  return ToLower(haystack).find(ToLower(needle)) != std::string::npos;
}

bool IsInProgressConflict(const HttpResponse& response) {
  return response.status == 409 && ContainsIgnoreCase(HubErrorMessage(response), "in progress");
}

// A path inside the repository: relative, no empty, "." or ".." segments.
Status ValidateRepoPath(std::string_view path) {
  if (path.empty()) return InvalidArgument("a path in the dataset may not be empty");
  if (StartsWith(path, "/")) return InvalidArgument("the dataset path '{}' must be relative", path);
  for (const std::string& segment : Split(path, '/')) {
    if (segment.empty() || segment == "." || segment == "..") {
      return InvalidArgument("the dataset path '{}' has an empty, '.' or '..' segment", path);
    }
  }
  return Status::OK();
}

Result<std::optional<LfsInfo>> ParseLfs(const Json& obj, std::string_view oid_key,
                                        std::string_view where) {
  auto it = obj.find("lfs");
  if (it == obj.end() || it->is_null()) return std::optional<LfsInfo>();
  LfsInfo lfs;
  ASSIGN_OR_RETURN(lfs.sha256, RequiredString(*it, oid_key, where));
  ASSIGN_OR_RETURN(int64_t size, RequiredInt(*it, "size", where));
  ASSIGN_OR_RETURN(auto pointer, OptionalInt(*it, "pointerSize", where));
  lfs.size = static_cast<uint64_t>(std::max<int64_t>(0, size));
  lfs.pointer_size = static_cast<uint64_t>(std::max<int64_t>(0, pointer.value_or(0)));
  return std::optional<LfsInfo>(std::move(lfs));
}

Result<RepoEntry> ParseEntry(const Json& obj, std::string_view where) {
  RepoEntry entry;
  ASSIGN_OR_RETURN(std::string type, RequiredString(obj, "type", where));
  if (type == "file") {
    entry.type = RepoEntry::Type::kFile;
  } else if (type == "directory") {
    entry.type = RepoEntry::Type::kDirectory;
  } else {
    return Corrupt("{} has unknown type '{}'", where, type);
  }
  ASSIGN_OR_RETURN(entry.path, RequiredString(obj, "path", where));
  ASSIGN_OR_RETURN(auto oid, OptionalString(obj, "oid", where));
  entry.oid = oid.value_or("");
  ASSIGN_OR_RETURN(auto size, OptionalInt(obj, "size", where));
  entry.size = static_cast<uint64_t>(std::max<int64_t>(0, size.value_or(0)));
  ASSIGN_OR_RETURN(entry.lfs, ParseLfs(obj, "oid", where));
  ASSIGN_OR_RETURN(auto xet, OptionalString(obj, "xetHash", where));
  entry.xet_hash = xet.value_or("");
  auto commit = obj.find("lastCommit");
  if (commit != obj.end() && commit->is_object()) {
    RepoEntry::LastCommit last;
    ASSIGN_OR_RETURN(auto id, OptionalString(*commit, "id", where));
    ASSIGN_OR_RETURN(auto title, OptionalString(*commit, "title", where));
    ASSIGN_OR_RETURN(auto date, OptionalString(*commit, "date", where));
    last.id = id.value_or("");
    last.title = title.value_or("");
    last.date = date.value_or("");
    entry.last_commit = std::move(last);
  }
  return entry;
}

Result<std::vector<RepoEntry>> ParseEntries(const Json& array, std::string_view where) {
  if (!array.is_array()) return Corrupt("{} is not a JSON array", where);
  std::vector<RepoEntry> out;
  out.reserve(array.size());
  for (const Json& item : array) {
    ASSIGN_OR_RETURN(RepoEntry entry, ParseEntry(item, where));
    out.push_back(std::move(entry));
  }
  return out;
}

Result<std::vector<GitRef>> ParseRefs(const Json& obj, std::string_view key) {
  std::vector<GitRef> out;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return out;
  if (!it->is_array()) return Corrupt("refs field '{}' must be an array", key);
  for (const Json& item : *it) {
    GitRef ref;
    ASSIGN_OR_RETURN(ref.name, RequiredString(item, "name", "a ref"));
    ASSIGN_OR_RETURN(auto full, OptionalString(item, "ref", "a ref"));
    ASSIGN_OR_RETURN(ref.target_commit, RequiredString(item, "targetCommit", "a ref"));
    ref.ref = full.value_or("");
    out.push_back(std::move(ref));
  }
  return out;
}

std::string RangeDescription(const ByteRange& range) {
  switch (range.kind) {
    case ByteRange::Kind::kAll:
      return "the whole file";
    case ByteRange::Kind::kSpan:
      return fmt::format("bytes {}-{}", range.offset, range.offset + range.length - 1);
    case ByteRange::Kind::kSuffix:
      return fmt::format("the last {} bytes", range.length);
  }
  return "";
}

}  // namespace

// ---- Digests and encodings ----

std::string Sha256Hex(std::string_view data) { return Digest(data, EVP_sha256()); }

std::string GitBlobSha1(std::string_view data) {
  std::string blob = fmt::format("blob {}", data.size());
  blob.push_back('\0');
  blob.append(data);
  return Digest(blob, EVP_sha1());
}

std::string Base64Encode(std::string_view data) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    uint32_t n = (static_cast<uint8_t>(data[i]) << 16) | (static_cast<uint8_t>(data[i + 1]) << 8) |
                 static_cast<uint8_t>(data[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  size_t rest = data.size() - i;
  if (rest > 0) {
    uint32_t n = static_cast<uint8_t>(data[i]) << 16;
    if (rest == 2) n |= static_cast<uint8_t>(data[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += rest == 2 ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// ---- Error mapping ----

std::string HubErrorMessage(const HttpResponse& response) {
  if (auto header = response.headers.Get("X-Error-Message")) {
    if (!Trim(*header).empty()) return std::string(Trim(*header));
  }
  auto json = ParseJson(response.body, "error body");
  if (json.ok() && json->is_object()) {
    for (const char* key : {"error", "error_description", "message"}) {
      auto it = json->find(key);
      if (it != json->end() && it->is_string()) return it->get<std::string>();
    }
    auto errors = json->find("errors");
    if (errors != json->end() && errors->is_array()) {
      std::vector<std::string> messages;
      for (const Json& e : *errors) {
        if (e.is_object() && e.contains("message") && e["message"].is_string()) {
          messages.push_back(e["message"].get<std::string>());
        }
      }
      if (!messages.empty()) return Join(messages, "; ");
    }
  }
  std::string_view body = Trim(response.body);
  if (!body.empty() && body.size() <= 300 && body.front() != '<' &&
      std::all_of(body.begin(), body.end(), [](char c) {
        return c == '\t' || (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
      })) {
    return std::string(body);
  }
  return "";
}

Status HubError(const HttpResponse& response, const HubRequestContext& c) {
  const int status = response.status;
  const std::string code = response.headers.Get("X-Error-Code").value_or("");
  const std::string message = HubErrorMessage(response);
  const bool has_token = !c.token_source.empty();
  const std::string repo_page = fmt::format("{}/datasets/{}", c.endpoint, c.repo_id);
  const std::string revision =
      c.revision.empty() ? std::string(kDefaultRevision) : std::string(c.revision);
  const std::string detail = message.empty() ? "" : fmt::format(" (the Hub said: {})", message);

  if (code == "GatedRepo") {
    if (status == 401 || !has_token) {
      return PermissionDenied(
          "dataset {} is gated and no token was sent: accept its conditions at {} and set "
          "HF_TOKEN to a token of that account",
          c.repo_id, repo_page);
    }
    return PermissionDenied(
        "dataset {} is gated and the account of the token (from {}) has no access yet: request "
        "access at {}",
        c.repo_id, c.token_source, repo_page);
  }
  if (status == 401 && ContainsIgnoreCase(message, "invalid credentials")) {
    return PermissionDenied(
        "the Hub rejected the token from {} as invalid: set HF_TOKEN to a valid token (create "
        "one at {}/settings/tokens)",
        c.token_source.empty() ? "the request" : c.token_source, c.endpoint);
  }
  if (code == "RevisionNotFound") {
    return NotFound(
        "revision '{}' does not exist in dataset {}: check the branch, tag or commit sha (list "
        "them with the refs endpoint, e.g. {}/api/datasets/{}/refs)",
        revision, c.repo_id, c.endpoint, c.repo_id);
  }
  if (code == "EntryNotFound") {
    return NotFound("'{}' does not exist in dataset {} at revision '{}'{}",
                    c.path.empty() ? "the path" : c.path, c.repo_id, revision, detail);
  }
  if (code == "RepoNotFound" || status == 401) {
    if (!has_token) {
      return PermissionDenied(
          "dataset {} was not found: it does not exist, or it is private and no token was sent; "
          "if it is private, set HF_TOKEN to a token with {} access to it",
          c.repo_id, c.write ? "write" : "read");
    }
    return NotFound(
        "dataset {} was not found: it does not exist, or the token (from {}) has no access to "
        "it; check the name, or use a token with {} access",
        c.repo_id, c.token_source, c.write ? "write" : "read");
  }
  switch (status) {
    case 400:
      return InvalidArgument("the Hub refused to {} dataset {}{}", c.action, c.repo_id, detail);
    case 403:
      if (ContainsIgnoreCase(message, "disabled")) {
        return PermissionDenied("dataset {} is disabled on the Hub{}", c.repo_id, detail);
      }
      if (c.write) {
        if (!has_token) {
          return PermissionDenied(
              "writing to dataset {} needs a token: set HF_TOKEN to a token with write access",
              c.repo_id);
        }
        return PermissionDenied(
            "the token (from {}) may not write to dataset {}: use a token with write access to "
            "it{}",
            c.token_source, c.repo_id, detail);
      }
      return PermissionDenied("the Hub refused to {} dataset {}{}: check the token (HF_TOKEN)",
                              c.action, c.repo_id, detail);
    case 404:
      if (!c.path.empty()) {
        return NotFound("'{}' does not exist in dataset {} at revision '{}'{}", c.path, c.repo_id,
                        revision, detail);
      }
      return NotFound("the Hub found nothing to {} in dataset {} at revision '{}'{}", c.action,
                      c.repo_id, revision, detail);
    case 409:
      return Conflict("could not {} dataset {}: a conflicting operation{}; retry later", c.action,
                      c.repo_id, detail);
    case 412:
      return Conflict(
          "could not {} dataset {}: branch '{}' moved on since the expected parent commit "
          "(another writer committed first); refresh and retry",
          c.action, c.repo_id, revision);
    case 413:
      return InvalidArgument("the request to {} dataset {} is too large for the Hub{}", c.action,
                             c.repo_id, detail);
    case 416:
      return Corrupt("the requested range of '{}' in dataset {} passes the end of the file", c.path,
                     c.repo_id);
    default:
      return NetworkError("could not {} dataset {}: the Hub answered HTTP {}{}", c.action,
                          c.repo_id, status, detail);
  }
}

namespace {

// Whether a write request's outcome is unknown: no answer arrived (a reset, a timeout, a
// connection lost mid-answer) or a 500/502/504, which a server may send after acting.
bool IsLostAnswer(const Result<HttpResponse>& sent) {
  if (!sent.ok()) return sent.status().code() == ErrorCode::kNetwork;
  return sent->status == 500 || sent->status == 502 || sent->status == 504;
}

// The Status describing a lost answer (IsLostAnswer(sent) is true).
Status LostAnswerStatus(const Result<HttpResponse>& sent) {
  if (!sent.ok()) return sent.status();
  return NetworkError("HTTP {}", sent->status);
}

// Commits of the branch history searched for the commit after a lost commit's parent.
constexpr size_t kLostCommitHistory = 100;

}  // namespace

// ---- HfApi ----

struct HfApi::Impl {
  HfApiOptions options;
  std::string endpoint;
  std::string endpoint_origin;
  HfToken token;
  bool offline = false;
  std::shared_ptr<io::HttpClient> http;

  HttpRequest NewRequest(HttpMethod method, std::string url, bool with_token = true) const {
    HttpRequest request;
    request.method = method;
    request.url = std::move(url);
    if (with_token && !token.empty() && io::UrlOrigin(request.url) == endpoint_origin) {
      request.bearer_token = token.value();
    }
    request.headers.Add("X-Amzn-Trace-Id", RandomUuid());
    return request;
  }

  HttpRequest JsonRequest(HttpMethod method, std::string url, const Json& body) const {
    HttpRequest request = NewRequest(method, std::move(url));
    request.headers.Add("Content-Type", "application/json");
    request.body = DumpJson(body);
    return request;
  }

  HubRequestContext Context(std::string_view action, std::string_view repo_id,
                            std::string_view revision = "", std::string_view path = "",
                            bool write = false) const {
    HubRequestContext c;
    c.action = action;
    c.repo_id = repo_id;
    c.revision = revision;
    c.path = path;
    c.endpoint = endpoint;
    c.token_source = token.empty() ? std::string_view() : std::string_view(token.source());
    c.write = write;
    return c;
  }

  Status CheckOnline(std::string_view what) const {
    if (offline) return OfflineError(what);
    return Status::OK();
  }

  std::string DatasetApi(std::string_view repo_id) const {
    return fmt::format("{}/api/datasets/{}", endpoint, repo_id);
  }

  // LFS action URLs may name https://huggingface.co; point them at a custom endpoint.
  std::string FixEndpoint(std::string url) const {
    if (endpoint != kDefaultEndpoint && StartsWith(url, kDefaultEndpoint)) {
      return endpoint + url.substr(kDefaultEndpoint.size());
    }
    return url;
  }

  // Sends, returning the response when it is 2xx and the mapped Hub error otherwise.
  Result<HttpResponse> Call(const HttpRequest& request, const HubRequestContext& context) const {
    ASSIGN_OR_RETURN(HttpResponse response, http->Send(request));
    if (!response.ok()) return HubError(response, context);
    return response;
  }

  // Sends with retries of a 409 "operation in progress".
  Result<HttpResponse> CallRetryingInProgress(const HttpRequest& request) const {
    for (int attempt = 0;; ++attempt) {
      ASSIGN_OR_RETURN(HttpResponse response, http->Send(request));
      if (IsInProgressConflict(response) && attempt < options.in_progress_retries) {
        std::this_thread::sleep_for(options.in_progress_backoff * (1 << std::min(attempt, 4)));
        continue;
      }
      return response;
    }
  }

  static Result<Json> ParseBody(const HttpResponse& response, std::string_view what) {
    return ParseJson(response.body, what);
  }

  Result<FileRead> FinishRead(const FileReadRequest& request, Result<HttpResponse> sent) const;
  HttpRequest ReadRequest(const FileReadRequest& request) const;
  Result<PreuploadResult> ParsePreupload(const HttpResponse& response) const;
};

HfApi::HfApi(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HfApi::~HfApi() = default;

Result<std::unique_ptr<HfApi>> HfApi::Make(HfApiOptions options) {
  auto impl = std::make_unique<Impl>();
  const EnvLookup& env = options.env ? options.env : ProcessEnvironment();
  if (options.endpoint) {
    std::string endpoint(Trim(*options.endpoint));
    while (EndsWith(endpoint, "/")) endpoint.pop_back();
    impl->endpoint = endpoint.empty() ? std::string(kDefaultEndpoint) : endpoint;
  } else {
    impl->endpoint = LookupEndpoint(env);
  }
  if (!StartsWith(impl->endpoint, "http://") && !StartsWith(impl->endpoint, "https://")) {
    return InvalidArgument("the Hub endpoint '{}' is not an http(s) URL (check HF_ENDPOINT)",
                           impl->endpoint);
  }
  impl->endpoint_origin = io::UrlOrigin(impl->endpoint);
  impl->offline = options.offline ? *options.offline : IsOffline(env);
  if (options.token) {
    impl->token = *options.token;
  } else {
    ASSIGN_OR_RETURN(impl->token, LookupToken(env));
  }
  if (options.http_client) {
    impl->http = options.http_client;
  } else {
    ASSIGN_OR_RETURN(auto client, io::HttpClient::Make(options.http));
    impl->http = std::move(client);
  }
  PRECHECK(options.paths_info_batch > 0 && options.upload_batch > 0, "batch sizes must be > 0");
  impl->options = std::move(options);
  return std::unique_ptr<HfApi>(new HfApi(std::move(impl)));
}

const std::string& HfApi::endpoint() const { return impl_->endpoint; }
bool HfApi::has_token() const { return !impl_->token.empty(); }
bool HfApi::offline() const { return impl_->offline; }
io::HttpClient& HfApi::http() const { return *impl_->http; }

std::string HfApi::ResolveUrl(std::string_view repo_id, std::string_view revision,
                              std::string_view path) const {
  std::string rev = revision.empty() ? std::string(kDefaultRevision) : std::string(revision);
  return fmt::format("{}/datasets/{}/resolve/{}/{}", impl_->endpoint, repo_id, EncodeRevision(rev),
                     EncodeResolvePath(path));
}

Result<DatasetInfo> HfApi::GetDatasetInfo(std::string_view repo_id, std::string_view revision,
                                          bool files_metadata) const {
  RETURN_IF_ERROR(ValidateRepoId(repo_id));
  RETURN_IF_ERROR(impl_->CheckOnline("dataset info"));
  std::string url = impl_->DatasetApi(repo_id);
  if (!revision.empty()) url += "/revision/" + EncodeRevision(revision);
  if (files_metadata) url += "?blobs=true";
  HttpRequest request = impl_->NewRequest(HttpMethod::kGet, std::move(url));
  ASSIGN_OR_RETURN(HttpResponse response,
                   impl_->Call(request, impl_->Context("read", repo_id, revision)));
  std::string where = fmt::format("the info of dataset {}", repo_id);
  ASSIGN_OR_RETURN(Json json, Impl::ParseBody(response, where));
  DatasetInfo info;
  ASSIGN_OR_RETURN(info.id, RequiredString(json, "id", where));
  ASSIGN_OR_RETURN(info.sha, RequiredString(json, "sha", where));
  ASSIGN_OR_RETURN(auto modified, OptionalString(json, "lastModified", where));
  info.last_modified = modified.value_or("");
  if (auto it = json.find("private"); it != json.end() && it->is_boolean()) {
    info.is_private = it->get<bool>();
  }
  if (auto it = json.find("disabled"); it != json.end() && it->is_boolean()) {
    info.disabled = it->get<bool>();
  }
  if (auto it = json.find("gated"); it != json.end()) {
    if (it->is_string()) info.gated = it->get<std::string>();
    if (it->is_boolean()) info.gated = it->get<bool>() ? "true" : "false";
  }
  if (auto it = json.find("tags"); it != json.end() && it->is_array()) {
    for (const Json& tag : *it) {
      if (tag.is_string()) info.tags.push_back(tag.get<std::string>());
    }
  }
  if (auto it = json.find("siblings"); it != json.end() && it->is_array()) {
    for (const Json& item : *it) {
      DatasetSibling sibling;
      ASSIGN_OR_RETURN(sibling.path, RequiredString(item, "rfilename", where));
      ASSIGN_OR_RETURN(auto size, OptionalInt(item, "size", where));
      if (size && *size >= 0) sibling.size = static_cast<uint64_t>(*size);
      ASSIGN_OR_RETURN(auto blob, OptionalString(item, "blobId", where));
      sibling.blob_id = blob.value_or("");
      ASSIGN_OR_RETURN(sibling.lfs, ParseLfs(item, "sha256", where));
      info.siblings.push_back(std::move(sibling));
    }
  }
  if (auto it = json.find("cardData"); it != json.end()) info.card_data = *it;
  return info;
}

Result<std::string> HfApi::ResolveRevision(std::string_view repo_id,
                                           std::string_view revision) const {
  ASSIGN_OR_RETURN(DatasetInfo info, GetDatasetInfo(repo_id, revision));
  return info.sha;
}

Result<RepoRefs> HfApi::ListRefs(std::string_view repo_id, bool include_pull_requests) const {
  RETURN_IF_ERROR(ValidateRepoId(repo_id));
  RETURN_IF_ERROR(impl_->CheckOnline("list refs"));
  std::string url = impl_->DatasetApi(repo_id) + "/refs";
  if (include_pull_requests) url += "?include_prs=1";
  HttpRequest request = impl_->NewRequest(HttpMethod::kGet, std::move(url));
  ASSIGN_OR_RETURN(HttpResponse response,
                   impl_->Call(request, impl_->Context("list the refs of", repo_id)));
  ASSIGN_OR_RETURN(Json json, Impl::ParseBody(response, "the refs listing"));
  if (!json.is_object()) return Corrupt("the refs listing of {} is not a JSON object", repo_id);
  RepoRefs refs;
  ASSIGN_OR_RETURN(refs.branches, ParseRefs(json, "branches"));
  ASSIGN_OR_RETURN(refs.converts, ParseRefs(json, "converts"));
  ASSIGN_OR_RETURN(refs.tags, ParseRefs(json, "tags"));
  ASSIGN_OR_RETURN(refs.pull_requests, ParseRefs(json, "pullRequests"));
  return refs;
}

Result<std::vector<std::string>> HfApi::ListCommitIds(std::string_view repo_id,
                                                      std::string_view revision,
                                                      size_t limit) const {
  RETURN_IF_ERROR(ValidateRepoId(repo_id));
  RETURN_IF_ERROR(impl_->CheckOnline("list commits"));
  std::string rev = revision.empty() ? std::string(kDefaultRevision) : std::string(revision);
  std::string url = fmt::format("{}/commits/{}?limit={}", impl_->DatasetApi(repo_id),
                                EncodeRevision(rev), std::clamp<size_t>(limit, 1, 100));
  const HubRequestContext context = impl_->Context("list the commits of", repo_id, rev);
  const std::string where = fmt::format("the commit history of dataset {}", repo_id);
  std::vector<std::string> ids;
  while (!url.empty() && ids.size() < limit) {
    HttpRequest request = impl_->NewRequest(HttpMethod::kGet, url);
    ASSIGN_OR_RETURN(HttpResponse response, impl_->Call(request, context));
    ASSIGN_OR_RETURN(Json json, Impl::ParseBody(response, where));
    if (!json.is_array()) return Corrupt("{} is not a JSON array", where);
    if (json.empty()) break;
    for (const Json& item : json) {
      ASSIGN_OR_RETURN(std::string id, RequiredString(item, "id", where));
      if (ids.size() < limit) ids.push_back(std::move(id));
    }
    url.clear();
    if (auto link = response.headers.Get("Link")) {
      if (auto next = io::FindLink(*link, "next")) url = io::ResolveUrl(response.final_url, *next);
    }
  }
  return ids;
}

Result<std::vector<RepoEntry>> HfApi::ListTree(std::string_view repo_id, std::string_view revision,
                                               std::string_view path, bool recursive,
                                               bool expand) const {
  RETURN_IF_ERROR(ValidateRepoId(repo_id));
  if (!path.empty()) RETURN_IF_ERROR(ValidateRepoPath(path));
  RETURN_IF_ERROR(impl_->CheckOnline("list files"));
  std::string rev = revision.empty() ? std::string(kDefaultRevision) : std::string(revision);
  std::string url = fmt::format("{}/tree/{}", impl_->DatasetApi(repo_id), EncodeRevision(rev));
  if (!path.empty()) url += "/" + EncodeTreePath(path);
  url += fmt::format("?recursive={}&expand={}", recursive ? "true" : "false",
                     expand ? "true" : "false");
  const HubRequestContext context = impl_->Context("list the files of", repo_id, rev, path);
  std::vector<RepoEntry> entries;
  std::string where = fmt::format("the tree listing of dataset {}", repo_id);
  for (int page = 0; !url.empty(); ++page) {
    if (page > 1'000'000) return Corrupt("{} does not end", where);
    HttpRequest request = impl_->NewRequest(HttpMethod::kGet, url);
    ASSIGN_OR_RETURN(HttpResponse response, impl_->Call(request, context));
    ASSIGN_OR_RETURN(Json json, Impl::ParseBody(response, where));
    ASSIGN_OR_RETURN(std::vector<RepoEntry> page_entries, ParseEntries(json, where));
    std::move(page_entries.begin(), page_entries.end(), std::back_inserter(entries));
    url.clear();
    if (auto link = response.headers.Get("Link")) {
      if (auto next = io::FindLink(*link, "next")) url = io::ResolveUrl(response.final_url, *next);
    }
  }
  return entries;
}

Result<std::vector<RepoEntry>> HfApi::GetPathsInfo(std::string_view repo_id,
                                                   std::string_view revision,
                                                   std::span<const std::string> paths) const {
  RETURN_IF_ERROR(ValidateRepoId(repo_id));
  for (const std::string& path : paths) RETURN_IF_ERROR(ValidateRepoPath(path));
  RETURN_IF_ERROR(impl_->CheckOnline("paths info"));
  if (paths.empty()) return std::vector<RepoEntry>();
  std::string rev = revision.empty() ? std::string(kDefaultRevision) : std::string(revision);
  std::string url =
      fmt::format("{}/paths-info/{}", impl_->DatasetApi(repo_id), EncodeRevision(rev));
  std::vector<HttpRequest> requests;
  const size_t batch = impl_->options.paths_info_batch;
  for (size_t start = 0; start < paths.size(); start += batch) {
    Json body = Json::object();
    body["paths"] = Json::array();
    for (size_t i = start; i < std::min(paths.size(), start + batch); ++i) {
      body["paths"].push_back(paths[i]);
    }
    body["expand"] = false;
    requests.push_back(impl_->JsonRequest(HttpMethod::kPost, url, body));
  }
  auto responses = impl_->http->SendAll(requests);
  const HubRequestContext context = impl_->Context("get paths info of", repo_id, rev);
  std::vector<RepoEntry> entries;
  for (auto& sent : responses) {
    ASSIGN_OR_RETURN(HttpResponse response, std::move(sent));
    if (!response.ok()) return HubError(response, context);
    ASSIGN_OR_RETURN(Json json, Impl::ParseBody(response, "a paths-info answer"));
    ASSIGN_OR_RETURN(auto part, ParseEntries(json, "a paths-info answer"));
    std::move(part.begin(), part.end(), std::back_inserter(entries));
  }
  return entries;
}

Result<FileMetadata> HfApi::GetFileMetadata(std::string_view repo_id, std::string_view revision,
                                            std::string_view path) const {
  RETURN_IF_ERROR(ValidateRepoId(repo_id));
  RETURN_IF_ERROR(ValidateRepoPath(path));
  RETURN_IF_ERROR(impl_->CheckOnline("file metadata"));
  // As huggingface_hub does, follow only relative redirects: the Hub puts the metadata of an
  // LFS file on its redirect to the CDN, so the CDN is never asked.
  HttpRequest request = impl_->NewRequest(HttpMethod::kHead, ResolveUrl(repo_id, revision, path));
  request.headers.Add("Accept-Encoding", "identity");
  request.follow_redirects = false;
  const HubRequestContext context = impl_->Context("read", repo_id, revision, path);
  ASSIGN_OR_RETURN(HttpResponse response, impl_->http->Send(request));
  std::vector<io::HttpHeaders> hops;
  for (int redirects = 0; response.status >= 300 && response.status < 400; ++redirects) {
    auto location = response.headers.Get("Location");
    if (!location || !StartsWith(*location, "/") || StartsWith(*location, "//")) break;
    if (redirects >= http().options().max_redirects) {
      return NetworkError("HEAD {} was redirected more than {} times", io::RedactUrl(request.url),
                          http().options().max_redirects);
    }
    request.url = io::ResolveUrl(response.final_url, *location);
    hops.push_back(std::move(response.headers));
    ASSIGN_OR_RETURN(response, impl_->http->Send(request));
  }
  const bool redirected_away = response.status >= 300 && response.status < 400;
  if (!response.ok() && !redirected_away) return HubError(response, context);
  response.redirect_headers = std::move(hops);
  FileMetadata metadata;
  metadata.commit_sha = FindHeader(response, "X-Repo-Commit").value_or("");
  if (auto etag = FindHeader(response, "X-Linked-Etag")) {
    metadata.etag = StripEtag(*etag);
  } else if (auto plain = FindHeader(response, "ETag")) {
    metadata.etag = StripEtag(*plain);
  }
  metadata.size = ParseSize(FindHeader(response, "X-Linked-Size"));
  if (!metadata.size && !redirected_away) {
    metadata.size = ParseSize(response.headers.Get("Content-Length"));
  }
  return metadata;
}

HttpRequest HfApi::Impl::ReadRequest(const FileReadRequest& request) const {
  std::string rev =
      request.revision.empty() ? std::string(kDefaultRevision) : std::string(request.revision);
  HttpRequest http_request = NewRequest(
      HttpMethod::kGet, fmt::format("{}/datasets/{}/resolve/{}/{}", endpoint, request.repo_id,
                                    EncodeRevision(rev), EncodeResolvePath(request.path)));
  http_request.headers.Add("Accept-Encoding", "identity");
  if (request.range.kind == ByteRange::Kind::kSpan) {
    http_request.headers.Add("Range",
                             io::RangeHeaderValue(request.range.offset, request.range.length));
  } else if (request.range.kind == ByteRange::Kind::kSuffix) {
    http_request.headers.Add("Range", io::SuffixRangeHeaderValue(request.range.length));
  }
  return http_request;
}

Result<FileRead> HfApi::Impl::FinishRead(const FileReadRequest& request,
                                         Result<HttpResponse> sent) const {
  ASSIGN_OR_RETURN(HttpResponse response, std::move(sent));
  const ByteRange& range = request.range;
  std::string where =
      fmt::format("hf://datasets/{}@{}/{}", request.repo_id,
                  request.revision.empty() ? kDefaultRevision : request.revision, request.path);
  FileRead read;
  read.commit_sha = FindHeader(response, "X-Repo-Commit").value_or("");
  if (auto etag = FindHeader(response, "X-Linked-Etag")) {
    read.etag = StripEtag(*etag);
  } else if (auto plain = response.headers.Get("ETag")) {
    read.etag = StripEtag(*plain);
  }
  if (response.status == 416) {
    // Unsatisfiable: "bytes */N" tells the size. A suffix of an empty file is empty.
    std::optional<uint64_t> total;
    if (auto header = response.headers.Get("Content-Range")) {
      if (auto parsed = io::ParseContentRange(*header)) total = parsed->total;
    }
    if (range.kind == ByteRange::Kind::kSuffix && total && *total == 0) {
      read.file_size = 0;
      return read;
    }
    return Corrupt("cannot read {} of {}: the range passes the end of the file{}",
                   RangeDescription(range), where,
                   total ? fmt::format(" ({} bytes)", *total) : std::string());
  }
  if (!response.ok()) {
    return HubError(response, Context("read", request.repo_id, request.revision, request.path));
  }
  if (response.status == 206) {
    auto header = response.headers.Get("Content-Range");
    auto parsed = header ? io::ParseContentRange(*header) : std::nullopt;
    if (!parsed || !parsed->first_last) {
      return Corrupt("reading {}: a 206 answer without a valid Content-Range", where);
    }
    auto [first, last] = *parsed->first_last;
    if (response.body.size() != last - first + 1) {
      return Corrupt("reading {}: Content-Range says {} bytes but {} arrived", where,
                     last - first + 1, response.body.size());
    }
    read.offset = first;
    read.file_size = parsed->total;
    read.data = std::move(response.body);
    if (range.kind == ByteRange::Kind::kSpan &&
        (first != range.offset || read.data.size() > range.length)) {
      return Corrupt("reading {}: asked for {} but got bytes {}-{}", where, RangeDescription(range),
                     first, last);
    }
    if (range.kind == ByteRange::Kind::kSuffix && read.file_size &&
        (last + 1 != *read.file_size || read.data.size() > range.length)) {
      return Corrupt("reading {}: asked for {} but got bytes {}-{}", where, RangeDescription(range),
                     first, last);
    }
  } else {
    // 200: the whole file (a server may ignore Range); cut out what was asked.
    uint64_t size = response.body.size();
    read.file_size = size;
    switch (range.kind) {
      case ByteRange::Kind::kAll:
        read.data = std::move(response.body);
        break;
      case ByteRange::Kind::kSpan:
        if (range.offset > size) {
          return Corrupt("cannot read {} of {}: the file has {} bytes", RangeDescription(range),
                         where, size);
        }
        read.offset = range.offset;
        read.data = response.body.substr(range.offset, range.length);
        break;
      case ByteRange::Kind::kSuffix: {
        uint64_t n = std::min(size, range.length);
        read.offset = size - n;
        read.data = response.body.substr(size - n);
        break;
      }
    }
  }
  if (range.kind == ByteRange::Kind::kSpan && read.data.size() != range.length) {
    return Corrupt("cannot read {} of {}: the range passes the end of the file{}",
                   RangeDescription(range), where,
                   read.file_size ? fmt::format(" ({} bytes)", *read.file_size) : std::string());
  }
  return read;
}

Result<FileRead> HfApi::ReadFile(const FileReadRequest& request) const {
  auto all = ReadFiles(std::span<const FileReadRequest>(&request, 1));
  return std::move(all.front());
}

std::vector<Result<FileRead>> HfApi::ReadFiles(std::span<const FileReadRequest> requests) const {
  std::vector<Result<FileRead>> out(requests.size(), Internal("not read"));
  std::vector<HttpRequest> http_requests;
  std::vector<size_t> slots;
  for (size_t i = 0; i < requests.size(); ++i) {
    const FileReadRequest& r = requests[i];
    Status valid = ValidateRepoId(r.repo_id);
    if (valid.ok()) valid = ValidateRepoPath(r.path);
    if (valid.ok()) valid = impl_->CheckOnline("read a file");
    if (!valid.ok()) {
      out[i] = valid;
      continue;
    }
    if (r.range.kind != ByteRange::Kind::kAll && r.range.length == 0) {
      FileRead empty;
      empty.offset = r.range.offset;
      out[i] = std::move(empty);
      continue;
    }
    http_requests.push_back(impl_->ReadRequest(r));
    slots.push_back(i);
  }
  auto responses = impl_->http->SendAll(http_requests);
  for (size_t k = 0; k < slots.size(); ++k) {
    out[slots[k]] = impl_->FinishRead(requests[slots[k]], std::move(responses[k]));
  }
  return out;
}

Result<std::string> HfApi::CreateRepo(std::string_view repo_id,
                                      const CreateRepoOptions& options) const {
  RETURN_IF_ERROR(ValidateRepoId(repo_id));
  RETURN_IF_ERROR(impl_->CheckOnline("create a repository"));
  size_t slash = repo_id.find('/');
  Json body = Json::object();
  body["name"] = std::string(repo_id.substr(slash + 1));
  body["organization"] = std::string(repo_id.substr(0, slash));
  body["type"] = "dataset";
  body["visibility"] = options.private_repo ? "private" : "public";
  HttpRequest request =
      impl_->JsonRequest(HttpMethod::kPost, impl_->endpoint + "/api/repos/create", body);
  request.retry = io::HttpRetry::kRejectedOnly;
  const HubRequestContext context = impl_->Context("create", repo_id, "", "", /*write=*/true);
  Result<HttpResponse> sent = impl_->CallRetryingInProgress(request);
  // With exist_ok, creating is idempotent: a create whose answer was lost is sent again (an
  // "already exists" then means it landed).
  for (int resent = 0;
       options.exist_ok && IsLostAnswer(sent) && resent < impl_->options.lost_answer_retries;
       ++resent) {
    sent = impl_->CallRetryingInProgress(request);
  }
  ASSIGN_OR_RETURN(HttpResponse response, std::move(sent));
  std::string fallback_url = fmt::format("{}/datasets/{}", impl_->endpoint, repo_id);
  if (response.status == 409 && !IsInProgressConflict(response)) {
    if (options.exist_ok) return fallback_url;
    return AlreadyExists("dataset {} already exists", repo_id);
  }
  if (!response.ok()) return HubError(response, context);
  auto json = ParseJson(response.body, "the create answer");
  if (json.ok() && json->is_object() && json->contains("url") && (*json)["url"].is_string()) {
    return (*json)["url"].get<std::string>();
  }
  return fallback_url;
}

Result<PreuploadResult> HfApi::Impl::ParsePreupload(const HttpResponse& response) const {
  ASSIGN_OR_RETURN(Json json, ParseBody(response, "a preupload answer"));
  PreuploadResult result;
  ASSIGN_OR_RETURN(auto head, OptionalString(json, "commitOid", "a preupload answer"));
  result.commit_oid = head.value_or("");
  auto files = json.find("files");
  if (files == json.end() || !files->is_array()) {
    return Corrupt("a preupload answer has no 'files' array");
  }
  for (const Json& item : *files) {
    PreuploadAnswer answer;
    ASSIGN_OR_RETURN(answer.path, RequiredString(item, "path", "a preupload file"));
    ASSIGN_OR_RETURN(std::string mode, RequiredString(item, "uploadMode", "a preupload file"));
    answer.lfs = mode == "lfs";
    if (auto it = item.find("shouldIgnore"); it != item.end() && it->is_boolean()) {
      answer.should_ignore = it->get<bool>();
    }
    ASSIGN_OR_RETURN(auto oid, OptionalString(item, "oid", "a preupload file"));
    answer.remote_oid = oid.value_or("");
    result.files.push_back(std::move(answer));
  }
  return result;
}

Result<PreuploadResult> HfApi::Preupload(std::string_view repo_id, std::string_view revision,
                                         std::span<const PreuploadFile> files,
                                         bool create_pr) const {
  RETURN_IF_ERROR(ValidateRepoId(repo_id));
  for (const PreuploadFile& file : files) RETURN_IF_ERROR(ValidateRepoPath(file.path));
  RETURN_IF_ERROR(impl_->CheckOnline("preupload"));
  std::string rev = revision.empty() ? std::string(kDefaultRevision) : std::string(revision);
  std::string url = fmt::format("{}/preupload/{}", impl_->DatasetApi(repo_id), EncodeRevision(rev));
  if (create_pr) url += "?create_pr=1";
  std::vector<HttpRequest> requests;
  const size_t batch = impl_->options.upload_batch;
  for (size_t start = 0; start < files.size(); start += batch) {
    Json body = Json::object();
    body["files"] = Json::array();
    for (size_t i = start; i < std::min(files.size(), start + batch); ++i) {
      Json file = Json::object();
      file["path"] = files[i].path;
      file["size"] = files[i].size;
      file["sample"] = Base64Encode(std::string_view(files[i].sample).substr(0, 512));
      body["files"].push_back(std::move(file));
    }
    requests.push_back(impl_->JsonRequest(HttpMethod::kPost, url, body));
  }
  auto responses = impl_->http->SendAll(requests);
  const HubRequestContext context = impl_->Context("upload to", repo_id, rev, "", true);
  PreuploadResult merged;
  for (auto& sent : responses) {
    ASSIGN_OR_RETURN(HttpResponse response, std::move(sent));
    if (!response.ok()) return HubError(response, context);
    ASSIGN_OR_RETURN(PreuploadResult part, impl_->ParsePreupload(response));
    if (merged.commit_oid.empty()) merged.commit_oid = part.commit_oid;
    std::move(part.files.begin(), part.files.end(), std::back_inserter(merged.files));
  }
  return merged;
}

Status HfApi::UploadLfs(std::string_view repo_id, std::string_view revision,
                        std::span<const LfsUpload> uploads, bool create_pr) const {
  RETURN_IF_ERROR(ValidateRepoId(repo_id));
  RETURN_IF_ERROR(impl_->CheckOnline("LFS upload"));
  if (uploads.empty()) return Status::OK();
  std::string rev = revision.empty() ? std::string(kDefaultRevision) : std::string(revision);
  const HubRequestContext context = impl_->Context("upload to", repo_id, rev, "", true);
  std::unordered_map<std::string, const LfsUpload*> by_oid;
  for (const LfsUpload& upload : uploads) by_oid[upload.sha256] = &upload;

  // 1. The LFS batch calls (chunks in parallel).
  const std::string batch_url =
      fmt::format("{}/datasets/{}.git/info/lfs/objects/batch", impl_->endpoint, repo_id);
  std::vector<HttpRequest> batch_requests;
  const size_t batch = impl_->options.upload_batch;
  for (size_t start = 0; start < uploads.size(); start += batch) {
    OrderedJson body = OrderedJson::object();
    body["operation"] = "upload";
    body["transfers"] = OrderedJson::array({"basic", "multipart"});
    body["objects"] = OrderedJson::array();
    for (size_t i = start; i < std::min(uploads.size(), start + batch); ++i) {
      OrderedJson object = OrderedJson::object();
      object["oid"] = uploads[i].sha256;
      object["size"] = uploads[i].content.size();
      body["objects"].push_back(std::move(object));
    }
    body["hash_algo"] = "sha256";
    if (!create_pr) body["ref"] = OrderedJson{{"name", rev}};
    HttpRequest request = impl_->NewRequest(HttpMethod::kPost, batch_url);
    request.headers.Add("Accept", std::string(kLfsMediaType));
    request.headers.Add("Content-Type", std::string(kLfsMediaType));
    request.body = DumpJson(body);
    batch_requests.push_back(std::move(request));
  }

  // 2. Collect the upload actions.
  struct Action {
    const LfsUpload* upload;
    Json upload_action;
    std::optional<Json> verify_action;
  };
  std::vector<Action> actions;
  for (auto& sent : impl_->http->SendAll(batch_requests)) {
    ASSIGN_OR_RETURN(HttpResponse response, std::move(sent));
    if (!response.ok()) return HubError(response, context);
    ASSIGN_OR_RETURN(Json json, Impl::ParseBody(response, "an LFS batch answer"));
    auto objects = json.find("objects");
    if (objects == json.end() || !objects->is_array()) {
      return Corrupt("an LFS batch answer has no 'objects' array");
    }
    for (const Json& object : *objects) {
      ASSIGN_OR_RETURN(std::string oid, RequiredString(object, "oid", "an LFS batch object"));
      auto it = by_oid.find(oid);
      if (it == by_oid.end()) return Corrupt("the LFS batch answered for unknown object {}", oid);
      if (auto error = object.find("error"); error != object.end() && error->is_object()) {
        std::string message = "unknown error";
        if (auto m = error->find("message"); m != error->end() && m->is_string()) {
          message = m->get<std::string>();
        }
        return NetworkError("the Hub refused the LFS upload of object {} to dataset {}: {}", oid,
                            repo_id, message);
      }
      auto acts = object.find("actions");
      if (acts == object.end() || !acts->is_object() || !acts->contains("upload")) {
        continue;  // already stored
      }
      Action action{it->second, (*acts)["upload"], std::nullopt};
      if (acts->contains("verify")) action.verify_action = (*acts)["verify"];
      actions.push_back(std::move(action));
    }
  }

  // 3. PUT the bytes: one request per basic object, one per part of a multipart object.
  auto headers_of = [](const Json& action) {
    std::vector<std::pair<std::string, std::string>> out;
    auto header = action.find("header");
    if (header == action.end() || !header->is_object()) return out;
    for (auto it = header->begin(); it != header->end(); ++it) {
      if (it.value().is_string()) out.emplace_back(it.key(), it.value().get<std::string>());
    }
    return out;
  };
  struct Multipart {
    size_t action;
    size_t first_request;
    size_t parts;
  };
  std::vector<HttpRequest> puts;
  std::vector<Multipart> multiparts;
  for (size_t a = 0; a < actions.size(); ++a) {
    const Action& action = actions[a];
    ASSIGN_OR_RETURN(std::string href, RequiredString(action.upload_action, "href", "LFS action"));
    href = impl_->FixEndpoint(std::move(href));
    auto headers = headers_of(action.upload_action);
    auto chunk_header = std::find_if(headers.begin(), headers.end(),
                                     [](const auto& h) { return h.first == "chunk_size"; });
    if (chunk_header == headers.end()) {
      HttpRequest put = impl_->NewRequest(HttpMethod::kPut, href, /*with_token=*/false);
      for (const auto& [name, value] : headers) put.headers.Add(name, value);
      put.body = std::string(action.upload->content);
      puts.push_back(std::move(put));
      continue;
    }
    auto chunk = ParseInt64(chunk_header->second);
    if (!chunk || *chunk <= 0) return Corrupt("an LFS multipart action has a bad chunk_size");
    uint64_t chunk_size = static_cast<uint64_t>(*chunk);
    uint64_t size = action.upload->content.size();
    size_t parts = static_cast<size_t>((size + chunk_size - 1) / chunk_size);
    std::vector<std::pair<int64_t, std::string>> part_urls;
    for (const auto& [name, value] : headers) {
      if (name == "chunk_size") continue;
      auto number = ParseInt64(name);
      if (number && *number >= 1) part_urls.emplace_back(*number, value);
    }
    std::sort(part_urls.begin(), part_urls.end());
    if (part_urls.size() != parts) {
      return Corrupt("an LFS multipart action offers {} part URLs for {} parts", part_urls.size(),
                     parts);
    }
    multiparts.push_back({a, puts.size(), parts});
    for (size_t p = 0; p < parts; ++p) {
      if (part_urls[p].first != static_cast<int64_t>(p + 1)) {
        return Corrupt("an LFS multipart action skips part {}", p + 1);
      }
      HttpRequest put =
          impl_->NewRequest(HttpMethod::kPut, impl_->FixEndpoint(part_urls[p].second), false);
      put.body = std::string(action.upload->content.substr(p * chunk_size, chunk_size));
      puts.push_back(std::move(put));
    }
  }
  auto put_results = impl_->http->SendAll(puts);
  std::vector<std::string> part_etags(puts.size());
  for (size_t i = 0; i < put_results.size(); ++i) {
    ASSIGN_OR_RETURN(HttpResponse response, std::move(put_results[i]));
    if (!response.ok()) {
      return NetworkError(
          "uploading an LFS object of dataset {} failed: {} answered HTTP {}{}", repo_id,
          io::RedactUrl(puts[i].url), response.status,
          HubErrorMessage(response).empty() ? std::string() : ": " + HubErrorMessage(response));
    }
    part_etags[i] = response.headers.Get("ETag").value_or("");
  }

  // 4. Complete the multipart uploads, then verify.
  auto lfs_post = [&](const std::string& href, const Json& body) {
    HttpRequest request = impl_->NewRequest(HttpMethod::kPost, impl_->FixEndpoint(href));
    request.headers.Add("Accept", std::string(kLfsMediaType));
    request.headers.Add("Content-Type", std::string(kLfsMediaType));
    request.body = DumpJson(body);
    return request;
  };
  std::vector<HttpRequest> finals;
  for (const Multipart& m : multiparts) {
    const Action& action = actions[m.action];
    ASSIGN_OR_RETURN(std::string href, RequiredString(action.upload_action, "href", "LFS action"));
    Json body = Json::object();
    body["oid"] = action.upload->sha256;
    body["parts"] = Json::array();
    for (size_t p = 0; p < m.parts; ++p) {
      body["parts"].push_back(
          Json{{"partNumber", p + 1}, {"etag", part_etags[m.first_request + p]}});
    }
    finals.push_back(lfs_post(href, body));
  }
  for (auto& sent : impl_->http->SendAll(finals)) {
    ASSIGN_OR_RETURN(HttpResponse response, std::move(sent));
    if (!response.ok()) return HubError(response, context);
  }
  std::vector<HttpRequest> verifies;
  for (const Action& action : actions) {
    if (!action.verify_action) continue;
    ASSIGN_OR_RETURN(std::string href, RequiredString(*action.verify_action, "href", "LFS verify"));
    HttpRequest request = lfs_post(
        href, Json{{"oid", action.upload->sha256}, {"size", action.upload->content.size()}});
    for (const auto& [name, value] : headers_of(*action.verify_action)) {
      request.headers.Add(name, value);
    }
    verifies.push_back(std::move(request));
  }
  for (auto& sent : impl_->http->SendAll(verifies)) {
    ASSIGN_OR_RETURN(HttpResponse response, std::move(sent));
    if (!response.ok()) return HubError(response, context);
  }
  return Status::OK();
}

Result<CommitResult> HfApi::CreateCommit(std::string_view repo_id, std::string_view branch,
                                         std::span<const CommitOperation> operations,
                                         const CommitOptions& options) const {
  RETURN_IF_ERROR(ValidateRepoId(repo_id));
  for (const CommitOperation& op : operations) {
    std::string_view path = op.path;
    if (op.kind == CommitOperation::Kind::kDeleteFolder && EndsWith(path, "/")) {
      path.remove_suffix(1);
    }
    RETURN_IF_ERROR(ValidateRepoPath(path));
  }
  if (!options.parent_commit.empty()) {
    bool hex = options.parent_commit.size() >= 5 && options.parent_commit.size() <= 40 &&
               std::all_of(options.parent_commit.begin(), options.parent_commit.end(),
                           [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
    PRECHECK(hex, "parent commit '{}' is not a 5 to 40 digit hex sha", options.parent_commit);
  }
  RETURN_IF_ERROR(impl_->CheckOnline("commit"));
  std::string rev = branch.empty() ? std::string(kDefaultRevision) : std::string(branch);
  const HubRequestContext context = impl_->Context("commit to", repo_id, rev, "", true);

  // 1. Preupload: which adds go through LFS, and which are unchanged.
  std::vector<const CommitOperation*> adds;
  for (const CommitOperation& op : operations) {
    if (op.kind == CommitOperation::Kind::kAdd) adds.push_back(&op);
  }
  std::vector<PreuploadFile> announced;
  for (const CommitOperation* op : adds) {
    announced.push_back({op->path, op->content.size(), op->content.substr(0, 512)});
  }
  std::string head;
  std::unordered_map<std::string, PreuploadAnswer> answers;
  if (!adds.empty()) {
    ASSIGN_OR_RETURN(PreuploadResult pre, Preupload(repo_id, rev, announced, options.create_pr));
    head = pre.commit_oid;
    for (PreuploadAnswer& answer : pre.files) answers[answer.path] = std::move(answer);
  }

  // 2. Decide each add: LFS or inline, and drop unchanged or ignored files.
  struct Planned {
    const CommitOperation* op;
    bool lfs;
    std::string oid;
  };
  std::vector<Planned> planned_adds;
  for (const CommitOperation* op : adds) {
    auto it = answers.find(op->path);
    bool lfs = it != answers.end() && it->second.lfs && !op->content.empty();
    if (it != answers.end() && it->second.should_ignore) continue;
    std::string oid = lfs ? Sha256Hex(op->content) : GitBlobSha1(op->content);
    if (it != answers.end() && !it->second.remote_oid.empty() && it->second.remote_oid == oid) {
      continue;  // unchanged
    }
    planned_adds.push_back({op, lfs, std::move(oid)});
  }
  size_t deletes = operations.size() - adds.size();
  if (planned_adds.empty() && deletes == 0) {
    CommitResult nothing;
    nothing.nothing_to_commit = true;
    if (head.empty()) {
      ASSIGN_OR_RETURN(head, ResolveRevision(repo_id, rev));
    }
    if (!options.parent_commit.empty() && !StartsWith(head, ToLower(options.parent_commit))) {
      return Conflict(
          "could not commit to dataset {}: branch '{}' moved on since the expected parent commit "
          "(another writer committed first); refresh and retry",
          repo_id, rev);
    }
    nothing.commit_oid = head;
    return nothing;
  }

  // 3. LFS uploads.
  std::vector<LfsUpload> uploads;
  for (const Planned& p : planned_adds) {
    if (p.lfs) uploads.push_back({p.oid, p.op->content});
  }
  RETURN_IF_ERROR(UploadLfs(repo_id, rev, uploads, options.create_pr));
  FailPoint("after-lfs-upload");

  // 4. The NDJSON commit, guarded by `parent` when it is not empty.
  auto commit_body = [&](std::string_view parent) {
    std::string body;
    auto append_line = [&body](const OrderedJson& line) {
      body += DumpJson(line);
      body += '\n';
    };
    OrderedJson header_value = OrderedJson::object();
    header_value["summary"] = options.summary;
    header_value["description"] = options.description;
    if (!parent.empty()) header_value["parentCommit"] = std::string(parent);
    append_line(OrderedJson{{"key", "header"}, {"value", header_value}});
    for (const Planned& p : planned_adds) {
      if (p.lfs) {
        append_line(OrderedJson{{"key", "lfsFile"},
                                {"value", OrderedJson{{"path", p.op->path},
                                                      {"algo", "sha256"},
                                                      {"oid", p.oid},
                                                      {"size", p.op->content.size()}}}});
      } else {
        append_line(OrderedJson{{"key", "file"},
                                {"value", OrderedJson{{"content", Base64Encode(p.op->content)},
                                                      {"path", p.op->path},
                                                      {"encoding", "base64"}}}});
      }
    }
    for (const CommitOperation& op : operations) {
      if (op.kind == CommitOperation::Kind::kDelete) {
        append_line(OrderedJson{{"key", "deletedFile"}, {"value", OrderedJson{{"path", op.path}}}});
      } else if (op.kind == CommitOperation::Kind::kDeleteFolder) {
        std::string folder = EndsWith(op.path, "/") ? op.path : op.path + "/";
        append_line(
            OrderedJson{{"key", "deletedFolder"}, {"value", OrderedJson{{"path", folder}}}});
      }
    }
    return body;
  };
  std::string url = fmt::format("{}/commit/{}", impl_->DatasetApi(repo_id), EncodeRevision(rev));
  if (options.create_pr) url += "?create_pr=1";
  auto send = [&](std::string_view parent) {
    HttpRequest request = impl_->NewRequest(HttpMethod::kPost, url);
    request.headers.Add("Content-Type", "application/x-ndjson");
    request.body = commit_body(parent);
    request.retry = io::HttpRetry::kRejectedOnly;
    return impl_->CallRetryingInProgress(request);
  };
  auto finish = [&](const HttpResponse& response) -> Result<CommitResult> {
    if (response.status == 409 && IsInProgressConflict(response)) {
      return Conflict(
          "could not commit to dataset {}: another commit stayed in progress through {} "
          "retries; retry later",
          repo_id, impl_->options.in_progress_retries);
    }
    if (!response.ok()) return HubError(response, context);
    ASSIGN_OR_RETURN(Json json, Impl::ParseBody(response, "the commit answer"));
    CommitResult result;
    ASSIGN_OR_RETURN(result.commit_oid, RequiredString(json, "commitOid", "the commit answer"));
    ASSIGN_OR_RETURN(auto commit_url, OptionalString(json, "commitUrl", "the commit answer"));
    ASSIGN_OR_RETURN(auto pr_url, OptionalString(json, "pullRequestUrl", "the commit answer"));
    result.commit_url = commit_url.value_or("");
    result.pull_request_url = pr_url.value_or("");
    return result;
  };

  Result<HttpResponse> sent = send(options.parent_commit);
  if (!IsLostAnswer(sent)) {
    ASSIGN_OR_RETURN(HttpResponse response, std::move(sent));
    return finish(response);
  }
  Status lost = LostAnswerStatus(sent);
  if (options.create_pr) {
    return NetworkError(
        "the answer to the pull request commit to dataset {} was lost ({}); look at its pull "
        "requests before retrying",
        repo_id, lost.message());
  }

  // The answer was lost: the Hub may have made the commit. Find out before sending it again.
  std::vector<std::string> changed_paths;
  for (const Planned& p : planned_adds) changed_paths.push_back(p.op->path);
  for (const CommitOperation& op : operations) {
    if (op.kind == CommitOperation::Kind::kAdd) continue;
    std::string path = op.path;
    if (EndsWith(path, "/")) path.pop_back();
    changed_paths.push_back(std::move(path));
  }
  // Whether `commit` holds every change of this commit.
  auto shows_changes = [&](const std::string& commit) -> Result<bool> {
    ASSIGN_OR_RETURN(std::vector<RepoEntry> entries, GetPathsInfo(repo_id, commit, changed_paths));
    std::unordered_map<std::string, const RepoEntry*> by_path;
    for (const RepoEntry& entry : entries) by_path[entry.path] = &entry;
    for (const Planned& p : planned_adds) {
      auto it = by_path.find(p.op->path);
      if (it == by_path.end() || it->second->type != RepoEntry::Type::kFile) return false;
      const RepoEntry& entry = *it->second;
      bool same = p.lfs ? entry.lfs && entry.lfs->sha256 == p.oid : entry.oid == p.oid;
      if (!same) return false;
    }
    for (size_t i = planned_adds.size(); i < changed_paths.size(); ++i) {
      if (by_path.count(changed_paths[i])) return false;  // a deleted path is still there
    }
    return true;
  };
  const std::string parent = ToLower(options.parent_commit);
  // The commit that landed, or "" when it did not; `head` receives the branch head.
  auto find_landed = [&](std::string* head) -> Result<std::string> {
    ASSIGN_OR_RETURN(*head, ResolveRevision(repo_id, rev));
    if (parent.empty()) {
      ASSIGN_OR_RETURN(bool shown, shows_changes(*head));
      return shown ? *head : std::string();
    }
    if (StartsWith(*head, parent)) return std::string();
    // The branch moved: the commit right after the parent is ours, or another writer's.
    ASSIGN_OR_RETURN(std::vector<std::string> history,
                     ListCommitIds(repo_id, rev, kLostCommitHistory));
    auto it = std::find_if(history.begin(), history.end(),
                           [&](const std::string& id) { return StartsWith(id, parent); });
    if (it != history.end() && it != history.begin()) {
      const std::string& after = *std::prev(it);
      ASSIGN_OR_RETURN(bool shown, shows_changes(after));
      if (shown) return after;
    }
    return Conflict(
        "could not commit to dataset {}: the answer to the commit was lost and branch '{}' "
        "moved on since the expected parent commit without it (another writer committed "
        "first); refresh and retry",
        repo_id, rev);
  };
  for (int resent = 0;; ++resent) {
    std::string head;
    Result<std::string> landed = find_landed(&head);
    if (!landed.ok()) {
      if (landed.status().code() == ErrorCode::kConflict) return landed.status();
      return NetworkError(
          "could not commit to dataset {}: the answer was lost ({}) and whether the commit landed "
          "could not be read ({}); look at the dataset's history before retrying",
          repo_id, lost.message(), landed.status().message());
    }
    if (!landed->empty()) {
      CommitResult result;
      result.commit_oid = *landed;
      result.commit_url =
          fmt::format("{}/datasets/{}/commit/{}", impl_->endpoint, repo_id, result.commit_oid);
      return result;
    }
    if (resent >= impl_->options.lost_answer_retries) {
      return NetworkError(
          "could not commit to dataset {}: the Hub's answer was lost {} times (last: {}); the "
          "commit did not land, retry",
          repo_id, resent + 1, lost.message());
    }
    // It did not land: send it again, guarded by the head just read, so it lands at most once.
    sent = send(parent.empty() ? head : options.parent_commit);
    if (IsLostAnswer(sent)) {
      lost = LostAnswerStatus(sent);
      continue;
    }
    ASSIGN_OR_RETURN(HttpResponse response, std::move(sent));
    // 412: the branch moved since the check (an earlier send landed late, or another writer):
    // the next round tells which.
    if (response.status == 412) continue;
    return finish(response);
  }
}

}  // namespace faceberg::hub
