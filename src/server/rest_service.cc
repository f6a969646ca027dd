// RestCatalogService: request dispatch, authentication, errors, /v1/config, the token endpoint and
// the namespace endpoints. Table endpoints are in rest_tables.cc.
#include "server/rest_service.h"

#include <algorithm>
#include <cctype>
#include <exception>
#include <tuple>

#include "catalog/identifier.h"
#include "hub/token.h"
#include "io/http_client.h"
#include "server/rest_internal.h"
#include "util/strings.h"

namespace faceberg::server {

using catalog::TableIdentifier;
using internal::ErrorContext;
using internal::ErrorResponse;
using internal::JsonResponse;
using internal::StatusResponse;

namespace internal {

RestResponse JsonResponse(int status, const OrderedJson& body) {
  return RawJsonResponse(status, DumpJson(body));
}

RestResponse RawJsonResponse(int status, std::string body) {
  RestResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

RestResponse NoContent() {
  RestResponse response;
  response.status = 204;
  return response;
}

RestResponse ErrorResponse(int code, std::string_view type, std::string_view message) {
  OrderedJson error;
  error["message"] = std::string(message);
  error["type"] = std::string(type);
  error["code"] = code;
  OrderedJson body;
  body["error"] = std::move(error);
  return JsonResponse(code, body);
}

RestResponse StatusResponse(const Status& status, ErrorContext context) {
  const std::string& message = status.message();
  const bool commit = context == ErrorContext::kCommit;
  switch (status.code()) {
    case ErrorCode::kInvalidArgument:
      return ErrorResponse(400, "BadRequestException", message);
    case ErrorCode::kNotFound:
      switch (context) {
        case ErrorContext::kNamespace:
          return ErrorResponse(404, "NoSuchNamespaceException", message);
        case ErrorContext::kTable:
        case ErrorContext::kCommit:
          return ErrorResponse(404, "NoSuchTableException", message);
        case ErrorContext::kView:
          return ErrorResponse(404, "NoSuchViewException", message);
        case ErrorContext::kGeneric:
          break;
      }
      return ErrorResponse(404, "NotFoundException", message);
    case ErrorCode::kAlreadyExists:
      return ErrorResponse(409, "AlreadyExistsException", message);
    case ErrorCode::kConflict:
      return ErrorResponse(409,
                           context == ErrorContext::kNamespace ? "NamespaceNotEmptyException"
                                                               : "CommitFailedException",
                           message);
    case ErrorCode::kPermission:
      return ErrorResponse(403, "ForbiddenException", message);
    case ErrorCode::kNotSupported:
      return commit ? ErrorResponse(400, "BadRequestException", message)
                    : ErrorResponse(406, "UnsupportedOperationException", message);
    default:
      return ErrorResponse(500, commit ? "CommitStateUnknownException" : "ServiceFailureException",
                           message);
  }
}

Status AsBadRequest(const Status& status) {
  if (status.code() == ErrorCode::kCorrupt || status.code() == ErrorCode::kNotSupported) {
    return Status(ErrorCode::kInvalidArgument, status.message());
  }
  return status;
}

Status CheckJsonDepth(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        return InvalidArgument("the request body nests JSON deeper than {} levels", max_depth);
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return Status::OK();
}

Result<Json> ParseJsonBody(const RestRequest& request, int max_depth) {
  if (Trim(request.body).empty()) {
    return InvalidArgument("the request body is empty: send a JSON object");
  }
  RETURN_IF_ERROR(CheckJsonDepth(request.body, max_depth));
  auto json = ParseJson(request.body, "the request body");
  if (!json.ok()) return AsBadRequest(json.status());
  if (!json->is_object()) return InvalidArgument("the request body must be a JSON object");
  return std::move(json).value();
}

namespace {

Status CheckLevel(std::string_view level, std::string_view what) {
  PRECHECK(!level.empty(), "{}: a namespace level must not be empty", what);
  PRECHECK(level.find('.') == std::string_view::npos &&
               level.find(kNamespaceSeparator) == std::string_view::npos,
           "{}: namespace level '{}' must not contain '.' (levels are separate strings)", what,
           level);
  return Status::OK();
}

}  // namespace

Result<std::string> NamespaceFromJson(const Json& levels, std::string_view what) {
  PRECHECK(levels.is_array(), "{} must be an array of namespace levels, like [\"a\", \"b\"]", what);
  PRECHECK(!levels.empty(), "{} must name at least one namespace level", what);
  std::vector<std::string> parts;
  for (const Json& level : levels) {
    PRECHECK(level.is_string(), "{}: every namespace level must be a string", what);
    RETURN_IF_ERROR(CheckLevel(level.get_ref<const std::string&>(), what));
    parts.push_back(level.get<std::string>());
  }
  return Join(parts, ".");
}

Result<std::string> NamespaceFromPath(std::string_view decoded) {
  std::vector<std::string> parts = Split(decoded, kNamespaceSeparator);
  for (const std::string& part : parts) RETURN_IF_ERROR(CheckLevel(part, "namespace"));
  return Join(parts, ".");
}

OrderedJson NamespaceToJson(const std::string& ns) {
  OrderedJson levels = OrderedJson::array();
  if (ns.empty()) return levels;
  for (const std::string& part : Split(ns, '.')) levels.push_back(part);
  return levels;
}

Result<TableIdentifier> IdentifierFromJson(const Json& json, std::string_view what) {
  PRECHECK(json.is_object(), "{} must be an object {{\"namespace\": [...], \"name\": ...}}", what);
  auto ns = json.find("namespace");
  PRECHECK(ns != json.end(), "{} has no \"namespace\"", what);
  auto name = json.find("name");
  PRECHECK(name != json.end() && name->is_string() && !name->get_ref<const std::string&>().empty(),
           "{} needs a non-empty string \"name\"", what);
  TableIdentifier id;
  ASSIGN_OR_RETURN(id.ns, NamespaceFromJson(*ns, std::string(what) + " namespace"));
  id.name = name->get<std::string>();
  return id;
}

OrderedJson IdentifierToJson(const TableIdentifier& id) {
  OrderedJson out = OrderedJson::object();
  out["namespace"] = NamespaceToJson(id.ns);
  out["name"] = id.name;
  return out;
}

Result<std::map<std::string, std::string>> StringMapFromJson(const Json* json,
                                                             std::string_view what) {
  std::map<std::string, std::string> out;
  if (json == nullptr || json->is_null()) return out;
  PRECHECK(json->is_object(), "{} must be an object of strings", what);
  for (const auto& [key, value] : json->items()) {
    PRECHECK(value.is_string(), "{}: the value of '{}' must be a string", what, key);
    out[key] = value.get<std::string>();
  }
  return out;
}

bool QueryFlag(const std::optional<std::string>& value) {
  return value.has_value() && (ToLower(*value) == "true" || *value == "1");
}

}  // namespace internal

namespace {

using internal::NamespaceFromPath;
using internal::NamespaceToJson;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ToLower(a) == ToLower(b);
}

// The endpoints /v1/config advertises (the strings PyIceberg and Java compare literally).
const std::vector<std::string>& AdvertisedEndpoints() {
  static const std::vector<std::string> endpoints = {
      "GET /v1/{prefix}/namespaces",
      "POST /v1/{prefix}/namespaces",
      "GET /v1/{prefix}/namespaces/{namespace}",
      "HEAD /v1/{prefix}/namespaces/{namespace}",
      "DELETE /v1/{prefix}/namespaces/{namespace}",
      "POST /v1/{prefix}/namespaces/{namespace}/properties",
      "GET /v1/{prefix}/namespaces/{namespace}/tables",
      "POST /v1/{prefix}/namespaces/{namespace}/tables",
      "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}",
      "HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}",
      "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}",
      "DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}",
      "POST /v1/{prefix}/namespaces/{namespace}/register",
      "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics",
      "POST /v1/{prefix}/tables/rename",
      "POST /v1/{prefix}/transactions/commit",
  };
  return endpoints;
}

RestResponse Unauthorized(std::string_view message) {
  RestResponse response = ErrorResponse(401, "NotAuthorizedException", message);
  response.headers.emplace_back("WWW-Authenticate", "Bearer");
  return response;
}

RestResponse MethodNotAllowed(const RestRequest& request, std::string_view allowed) {
  RestResponse response =
      ErrorResponse(405, "MethodNotAllowedException",
                    fmt::format("{} is not allowed on {}; this route accepts {}", request.method,
                                request.path, allowed));
  response.headers.emplace_back("Allow", std::string(allowed));
  return response;
}

RestResponse ReadOnly() {
  return ErrorResponse(403, "ForbiddenException",
                       "this catalog server is read-only (started with --read-only): changes "
                       "are refused");
}

// application/x-www-form-urlencoded pairs ('+' is a space); nullopt on a malformed escape.
std::optional<std::vector<std::pair<std::string, std::string>>> ParseForm(std::string_view body) {
  std::vector<std::pair<std::string, std::string>> out;
  for (std::string part : Split(body, '&')) {
    if (part.empty()) continue;
    std::replace(part.begin(), part.end(), '+', ' ');
    const size_t eq = part.find('=');
    auto key = io::PercentDecode(part.substr(0, eq));
    auto value = io::PercentDecode(eq == std::string::npos ? "" : part.substr(eq + 1));
    if (!key || !value) return std::nullopt;
    out.emplace_back(std::move(*key), std::move(*value));
  }
  return out;
}

// The OAuth2 error shape of the token endpoint ({"error", "error_description"}).
RestResponse OAuthError(int status, std::string_view error, std::string_view description) {
  OrderedJson body;
  body["error"] = std::string(error);
  body["error_description"] = std::string(description);
  return JsonResponse(status, body);
}

// Items after `page_token` (exclusive; "" = from the start), at most `page_size` of them, and the
// token of the next page ("" when this is the last). `key` gives an item's sort key.
template <typename T, typename KeyFn>
std::pair<std::vector<T>, std::string> Page(const std::vector<T>& items,
                                            const std::string& page_token, size_t page_size,
                                            KeyFn key) {
  std::vector<T> out;
  auto it = items.begin();
  if (!page_token.empty()) {
    it = std::find_if(items.begin(), items.end(),
                      [&](const T& item) { return key(item) > page_token; });
  }
  for (; it != items.end() && out.size() < page_size; ++it) out.push_back(*it);
  std::string next = it != items.end() && !out.empty() ? key(out.back()) : "";
  return {std::move(out), std::move(next)};
}

// The page of `items` a list request asks for with pageToken and pageSize (all of them when it
// does not ask), and the next page token. Errors: InvalidArgument for a bad pageSize.
template <typename T, typename KeyFn>
Result<std::pair<std::vector<T>, std::string>> RequestedPage(const RestRequest& request,
                                                             const std::vector<T>& items,
                                                             KeyFn key) {
  auto page_token = request.Query("pageToken");
  auto page_size = request.Query("pageSize");
  if (!page_token || !page_size) return std::make_pair(items, std::string());
  auto size = ParseInt64(*page_size);
  if (!size || *size < 1) return InvalidArgument("pageSize must be a positive integer");
  return Page(items, *page_token, static_cast<size_t>(*size), key);
}

}  // namespace

std::string RestRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

std::optional<std::string> RestRequest::Query(std::string_view key) const {
  for (const auto& [k, v] : query) {
    if (k == key) return v;
  }
  return std::nullopt;
}

std::string RestResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

Result<std::unique_ptr<RestCatalogService>> RestCatalogService::Make(catalog::Catalog& catalog,
                                                                     RestServiceOptions options) {
  for (char c : options.prefix) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
    PRECHECK(ok, "prefix '{}' may hold only letters, digits, '_', '-' and '.'", options.prefix);
  }
  PRECHECK(options.prefix != "." && options.prefix != "..", "prefix '{}' is not a valid path part",
           options.prefix);
  PRECHECK(options.max_body_bytes >= 1024, "the body size limit must be at least 1 KiB");
  PRECHECK(options.max_json_depth >= 8, "the JSON depth limit must be at least 8");
  if (options.hf_endpoint.empty()) options.hf_endpoint = hub::LookupEndpoint();
  return std::unique_ptr<RestCatalogService>(new RestCatalogService(catalog, std::move(options)));
}

RestResponse RestCatalogService::Handle(const RestRequest& request) const {
  // Nothing below should throw (JSON is read through checked accessors); this is the boundary
  // that keeps a surprise (an allocation failure on a hostile request) from ending the server.
  try {
    return Dispatch(request);
  } catch (const std::exception& e) {
    return ErrorResponse(500, "ServiceFailureException",
                         fmt::format("internal error while serving {} {}: {}", request.method,
                                     request.path, e.what()));
  }
}

RestResponse RestCatalogService::Dispatch(const RestRequest& request) const {
  constexpr std::string_view kVersion = "/v1/";
  if (!StartsWith(request.path, kVersion)) {
    return ErrorResponse(404, "NotFoundException",
                         fmt::format("no route for {}: Iceberg REST routes start with /v1/ (try "
                                     "GET /v1/config)",
                                     request.path));
  }
  Call call{request, {}};
  for (const std::string& raw : Split(request.path.substr(kVersion.size()), '/')) {
    auto decoded = io::PercentDecode(raw);
    if (!decoded) {
      return ErrorResponse(400, "BadRequestException",
                           fmt::format("malformed percent-escape in path {}", request.path));
    }
    call.segments.push_back(std::move(*decoded));
  }
  const auto& segments = call.segments;
  const bool token_request =
      segments.size() == 2 && segments[0] == "oauth" && segments[1] == "tokens";
  if (options_.tokens != nullptr && !token_request) {
    // Without tokens the header is ignored: PyIceberg sends "Bearer None" when it has none.
    const std::string authorization = request.Header("Authorization");
    std::string_view token = BearerTokenOf(authorization);
    if (token.empty()) {
      return Unauthorized(
          "this catalog needs a bearer token: send 'Authorization: Bearer TOKEN' with a token from "
          "the server's --token-file (PyIceberg: token=...)");
    }
    if (!options_.tokens->Accepts(token)) {
      return Unauthorized(
          "the bearer token is not accepted by this catalog: check it against "
          "the server's --token-file");
    }
  }
  if (request.body.size() > options_.max_body_bytes) {
    return ErrorResponse(413, "BadRequestException",
                         fmt::format("the request body is larger than the {} bytes this server "
                                     "accepts",
                                     options_.max_body_bytes));
  }
  RestResponse response = Route(call);
  if (request.method == "HEAD") response.body.clear();
  return response;
}

RestResponse RestCatalogService::Route(const Call& call) const {
  const RestRequest& request = call.request;
  const std::string& method = request.method;
  std::vector<std::string> s = call.segments;
  if (s.size() == 1 && s[0] == "config") {
    return method == "GET" ? GetConfig(call) : MethodNotAllowed(request, "GET");
  }
  if (s.size() == 2 && s[0] == "oauth" && s[1] == "tokens") {
    return method == "POST" ? IssueToken(call) : MethodNotAllowed(request, "POST");
  }
  if (!options_.prefix.empty()) {
    if (s.empty() || s[0] != options_.prefix) {
      return ErrorResponse(404, "NotFoundException",
                           fmt::format("no route for {}: this catalog's routes are under "
                                       "/v1/{}/ (the prefix /v1/config advertises)",
                                       request.path, options_.prefix));
    }
    s.erase(s.begin());
  }
  const bool write = method == "POST" || method == "DELETE" || method == "PUT";
  auto guard = [&](auto&& handler) -> RestResponse {
    return write && options_.read_only ? ReadOnly() : handler();
  };
  const size_t n = s.size();
  if (n >= 1 && s[0] == "namespaces") {
    if (n == 1) {
      if (method == "GET") return ListNamespaces(call);
      if (method == "POST") return guard([&] { return CreateNamespace(call); });
      return MethodNotAllowed(request, "GET, POST");
    }
    auto ns = NamespaceFromPath(s[1]);
    if (!ns.ok()) return StatusResponse(ns.status(), ErrorContext::kNamespace);
    if (n == 2) {
      if (method == "GET") return LoadNamespace(call, *ns);
      if (method == "HEAD") return NamespaceExists(*ns);
      if (method == "DELETE") return guard([&] { return DropNamespace(*ns); });
      return MethodNotAllowed(request, "GET, HEAD, DELETE");
    }
    if (n == 3 && s[2] == "properties") {
      if (method == "POST") return guard([&] { return UpdateNamespaceProperties(call, *ns); });
      return MethodNotAllowed(request, "POST");
    }
    if (n == 3 && s[2] == "tables") {
      if (method == "GET") return ListTables(call, *ns);
      if (method == "POST") return guard([&] { return CreateTable(call, *ns); });
      return MethodNotAllowed(request, "GET, POST");
    }
    if (n == 3 && s[2] == "register") {
      if (method == "POST") return guard([&] { return RegisterTable(call, *ns); });
      return MethodNotAllowed(request, "POST");
    }
    if (n == 3 && s[2] == "views" && method == "GET") return ListViews(*ns);
    if (n == 4 && s[2] == "views" && (method == "GET" || method == "HEAD")) {
      return ErrorResponse(
          404, "NoSuchViewException",
          fmt::format("view '{}.{}' does not exist: this catalog has no views", *ns, s[3]));
    }
    if (n >= 4 && s[2] == "tables") {
      const TableIdentifier id{*ns, s[3]};
      if (n == 4) {
        if (method == "GET") return LoadTable(call, id);
        if (method == "HEAD") return TableExists(id);
        if (method == "POST") return guard([&] { return CommitTable(call, id); });
        if (method == "DELETE") return guard([&] { return DropTable(call, id); });
        return MethodNotAllowed(request, "GET, HEAD, POST, DELETE");
      }
      if (n == 5 && s[4] == "metrics") {
        // A report, not a change: accepted from read-only servers too.
        if (method == "POST") return ReportMetrics(call, id);
        return MethodNotAllowed(request, "POST");
      }
    }
    if (n >= 3 && (s[2] == "views" || s[2] == "register-view" || s[2] == "functions" ||
                   (s[2] == "tables" && n >= 5))) {
      return ErrorResponse(406, "UnsupportedOperationException",
                           fmt::format("{} {} is not supported by this catalog server (see the "
                                       "endpoints of /v1/config)",
                                       method, request.path));
    }
  }
  if (n == 2 && s[0] == "tables" && s[1] == "rename") {
    if (method == "POST") return guard([&] { return RenameTable(call); });
    return MethodNotAllowed(request, "POST");
  }
  if (n == 2 && s[0] == "transactions" && s[1] == "commit") {
    if (method == "POST") return guard([&] { return CommitTransaction(call); });
    return MethodNotAllowed(request, "POST");
  }
  if (n >= 1 && (s[0] == "views" || s[0] == "functions")) {
    return ErrorResponse(
        406, "UnsupportedOperationException",
        fmt::format("{} {} is not supported by this catalog server", method, request.path));
  }
  return ErrorResponse(404, "NotFoundException",
                       fmt::format("no route for {} {} (the supported endpoints are listed by "
                                   "GET /v1/config)",
                                   method, request.path));
}

RestResponse RestCatalogService::GetConfig(const Call&) const {
  OrderedJson body;
  body["defaults"] = OrderedJson::object();
  body["overrides"] = OrderedJson::object();
  if (!options_.prefix.empty()) body["overrides"]["prefix"] = options_.prefix;
  body["endpoints"] = AdvertisedEndpoints();
  return JsonResponse(200, body);
}

RestResponse RestCatalogService::IssueToken(const Call& call) const {
  // The deprecated OAuth2 client-credentials flow, for clients configured with a credential
  // instead of a token: the secret must be an accepted token, and that token is handed back.
  // Nothing is minted, so this grants nothing a bearer token would not.
  auto form = ParseForm(call.request.body);
  if (!form) return OAuthError(400, "invalid_request", "malformed form body");
  auto field = [&](std::string_view key) -> std::string {
    for (const auto& [k, v] : *form) {
      if (k == key) return v;
    }
    return "";
  };
  const std::string grant = field("grant_type");
  std::string token;
  if (grant == "client_credentials") {
    token = field("client_secret");
  } else if (grant == "urn:ietf:params:oauth:grant-type:token-exchange") {
    token = field("subject_token");
  } else {
    return OAuthError(400, "unsupported_grant_type",
                      "use grant_type=client_credentials with an accepted token as the secret");
  }
  if (options_.tokens != nullptr && !options_.tokens->Accepts(token)) {
    return OAuthError(401, "invalid_client",
                      "the client secret is not a token this catalog accepts");
  }
  if (options_.tokens == nullptr && token.empty()) token = "anonymous";
  OrderedJson body;
  body["access_token"] = token;
  body["token_type"] = "bearer";
  body["issued_token_type"] = "urn:ietf:params:oauth:token-type:access_token";
  return JsonResponse(200, body);
}

RestResponse RestCatalogService::ListNamespaces(const Call& call) const {
  std::string parent;
  if (auto raw = call.request.Query("parent"); raw && !raw->empty()) {
    auto decoded = NamespaceFromPath(*raw);
    if (!decoded.ok()) return StatusResponse(decoded.status(), ErrorContext::kNamespace);
    parent = *decoded;
  }
  auto namespaces = catalog_.ListNamespaces(parent);
  if (!namespaces.ok()) return StatusResponse(namespaces.status(), ErrorContext::kNamespace);
  auto paged = RequestedPage(call.request, *namespaces, [](const std::string& ns) { return ns; });
  if (!paged.ok()) {
    return ErrorResponse(400, "BadRequestException", paged.status().message());
  }
  auto& [page, next] = *paged;
  OrderedJson body;
  body["namespaces"] = OrderedJson::array();
  for (const std::string& ns : page) body["namespaces"].push_back(NamespaceToJson(ns));
  if (!next.empty()) body["next-page-token"] = next;
  return JsonResponse(200, body);
}

RestResponse RestCatalogService::CreateNamespace(const Call& call) const {
  auto body = internal::ParseJsonBody(call.request, options_.max_json_depth);
  if (!body.ok()) return StatusResponse(body.status(), ErrorContext::kNamespace);
  auto levels = body->find("namespace");
  if (levels == body->end()) {
    return ErrorResponse(400, "BadRequestException",
                         "the request needs \"namespace\": an array of levels");
  }
  auto ns = internal::NamespaceFromJson(*levels, "\"namespace\"");
  if (!ns.ok()) return StatusResponse(ns.status(), ErrorContext::kNamespace);
  auto props_it = body->find("properties");
  auto properties =
      internal::StringMapFromJson(props_it == body->end() ? nullptr : &*props_it, "\"properties\"");
  if (!properties.ok()) return StatusResponse(properties.status(), ErrorContext::kNamespace);
  Status created = catalog_.CreateNamespace(*ns, *properties);
  if (!created.ok()) return StatusResponse(created, ErrorContext::kNamespace);
  OrderedJson out;
  out["namespace"] = NamespaceToJson(*ns);
  out["properties"] = *properties;
  return JsonResponse(200, out);
}

RestResponse RestCatalogService::LoadNamespace(const Call&, const std::string& ns) const {
  auto properties = catalog_.LoadNamespaceProperties(ns);
  if (!properties.ok()) return StatusResponse(properties.status(), ErrorContext::kNamespace);
  OrderedJson out;
  out["namespace"] = NamespaceToJson(ns);
  out["properties"] = *properties;
  return JsonResponse(200, out);
}

RestResponse RestCatalogService::NamespaceExists(const std::string& ns) const {
  auto exists = catalog_.NamespaceExists(ns);
  if (!exists.ok()) return StatusResponse(exists.status(), ErrorContext::kNamespace);
  if (!*exists) {
    return ErrorResponse(404, "NoSuchNamespaceException",
                         fmt::format("namespace '{}' does not exist", ns));
  }
  return internal::NoContent();
}

RestResponse RestCatalogService::DropNamespace(const std::string& ns) const {
  Status dropped = catalog_.DropNamespace(ns);
  if (!dropped.ok()) return StatusResponse(dropped, ErrorContext::kNamespace);
  return internal::NoContent();
}

RestResponse RestCatalogService::UpdateNamespaceProperties(const Call& call,
                                                           const std::string& ns) const {
  auto body = internal::ParseJsonBody(call.request, options_.max_json_depth);
  if (!body.ok()) return StatusResponse(body.status(), ErrorContext::kNamespace);
  std::vector<std::string> removals;
  if (auto it = body->find("removals"); it != body->end() && !it->is_null()) {
    if (!it->is_array()) {
      return ErrorResponse(400, "BadRequestException", "\"removals\" must be an array of keys");
    }
    for (const Json& key : *it) {
      if (!key.is_string()) {
        return ErrorResponse(400, "BadRequestException", "\"removals\" must hold only strings");
      }
      removals.push_back(key.get<std::string>());
    }
  }
  auto updates_it = body->find("updates");
  auto updates = internal::StringMapFromJson(updates_it == body->end() ? nullptr : &*updates_it,
                                             "\"updates\"");
  if (!updates.ok()) return StatusResponse(updates.status(), ErrorContext::kNamespace);
  for (const std::string& key : removals) {
    if (updates->count(key)) {
      return ErrorResponse(422, "UnprocessableEntityException",
                           fmt::format("property '{}' is both updated and removed: name each key "
                                       "in one list only",
                                       key));
    }
  }
  auto summary = catalog_.UpdateNamespaceProperties(ns, removals, *updates);
  if (!summary.ok()) return StatusResponse(summary.status(), ErrorContext::kNamespace);
  OrderedJson out;
  out["updated"] = summary->updated;
  out["removed"] = summary->removed;
  out["missing"] = summary->missing;
  return JsonResponse(200, out);
}

RestResponse RestCatalogService::ListViews(const std::string& ns) const {
  auto exists = catalog_.NamespaceExists(ns);
  if (!exists.ok()) return StatusResponse(exists.status(), ErrorContext::kNamespace);
  if (!*exists) {
    return ErrorResponse(404, "NoSuchNamespaceException",
                         fmt::format("namespace '{}' does not exist", ns));
  }
  OrderedJson out;
  out["identifiers"] = OrderedJson::array();
  return JsonResponse(200, out);
}

RestResponse RestCatalogService::ListTables(const Call& call, const std::string& ns) const {
  auto tables = catalog_.ListTables(ns);
  if (!tables.ok()) return StatusResponse(tables.status(), ErrorContext::kNamespace);
  auto paged =
      RequestedPage(call.request, *tables, [](const TableIdentifier& id) { return id.ToString(); });
  if (!paged.ok()) {
    return ErrorResponse(400, "BadRequestException", paged.status().message());
  }
  auto& [page, next] = *paged;
  OrderedJson out;
  out["identifiers"] = OrderedJson::array();
  for (const TableIdentifier& id : page)
    out["identifiers"].push_back(internal::IdentifierToJson(id));
  if (!next.empty()) out["next-page-token"] = next;
  return JsonResponse(200, out);
}

}  // namespace faceberg::server
