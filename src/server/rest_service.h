// RestCatalogService: the Iceberg REST catalog protocol over any catalog::Catalog, without a
// transport. Handle() maps one request (method, path, query, headers, body) to a response (status,
// headers, JSON body), so every endpoint and every error is testable without sockets;
// server/rest_server.h puts it behind cpp-httplib.
//
// Endpoints (with a prefix P, every route but /v1/config is /v1/P/...):
//   GET    /v1/config                          defaults, overrides (prefix), endpoints
//   GET    /v1/namespaces                      list (?parent=a%1Fb, pageToken + pageSize)
//   POST   /v1/namespaces                      create
//   GET    /v1/namespaces/{ns}                 load (HEAD: exists; DELETE: drop if empty)
//   POST   /v1/namespaces/{ns}/properties      update properties
//   GET    /v1/namespaces/{ns}/tables          list
//   POST   /v1/namespaces/{ns}/tables          create; stage-create writes no metadata (it
//                                              prepares the empty folders of a local location:
//                                              clients write files there before the commit)
//   POST   /v1/namespaces/{ns}/register        register a metadata file
//   GET    /v1/namespaces/{ns}/tables/{t}      load (ETag / If-None-Match, snapshots=all|refs)
//   HEAD   /v1/namespaces/{ns}/tables/{t}      exists
//   POST   /v1/namespaces/{ns}/tables/{t}      commit
//   DELETE /v1/namespaces/{ns}/tables/{t}      drop (?purgeRequested=true deletes the files)
//   POST   /v1/namespaces/{ns}/tables/{t}/metrics   accepted and discarded (204)
//   POST   /v1/tables/rename                   rename (also across namespaces)
//   POST   /v1/transactions/commit             several tables, NOT atomic (see below)
//   POST   /v1/oauth/tokens                    client_credentials whose secret is an accepted
//                                              token, handed back (for clients that insist)
// Views are not supported: listing them gives an empty list and loading one a 404, so engines
// that look for views see none; neither is advertised in `endpoints`.
//
// Namespaces in paths are levels joined by 0x1F (%1F); the catalog joins them with '.', so a level
// holding '.' is refused (400).
//
// Errors are {"error": {"message", "type", "code"}} with the spec's types: 400
// BadRequestException (malformed JSON, wrong types, unknown update action or requirement), 401
// NotAuthorizedException, 403 ForbiddenException (read-only server), 404 NoSuchNamespaceException /
// NoSuchTableException / NoSuchViewException, 406 UnsupportedOperationException, 409
// AlreadyExistsException / CommitFailedException / NamespaceNotEmptyException, 413 (body over
// the limit), 422 UnprocessableEntityException (a key both set and removed), 500
// ServiceFailureException, and CommitStateUnknownException for a 500 of a commit.
//
// Commits call Catalog::CommitTable, the code the CLI commits through: requirements are checked
// against the current metadata, a lost race is retried there while they still hold, and a failed
// requirement is 409 CommitFailedException (the client refreshes and retries). Failure points
// (util/failpoint.h) around each table's Catalog::CommitTable: server-before-commit (the request
// is parsed, nothing is written) and server-after-commit (committed, the answer is not sent).
//
// Multi-table transactions are applied table by table after checking every table's requirements
// up front; they are not atomic. When a later table fails after earlier ones were committed, the
// answer is 500 CommitStateUnknownException naming what was committed and what failed (so
// clients keep the files of the committed part); when the first table fails, nothing was
// changed and the error is that table's own.
//
// Loaded tables carry a `config` telling a client how to read their files without secrets: for
// tables backed by an HF dataset (bridge::kRepoProperty) or whose files are hf:// URIs,
// {"hf.endpoint": <Hub endpoint>, "py-io-impl": "pyiceberg.io.fsspec.FsspecFileIO"}. Never a token.
//
// Thread safety: Handle() may be called from many threads at once (the catalog must allow it, as
// catalog::Catalog promises).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catalog/catalog.h"
#include "server/bearer_tokens.h"
#include "util/result.h"

namespace faceberg::server {

struct RestRequest {
  std::string method;  // GET, HEAD, POST, DELETE, ...
  /// The request target's path as received: percent-encoded, without the query.
  std::string path;
  /// Query parameters, decoded, in order.
  std::vector<std::pair<std::string, std::string>> query;
  /// Header fields (names in any case).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  /// The first value of header `name` (case-insensitive), or "".
  std::string Header(std::string_view name) const;
  /// The first value of query parameter `key`, if present.
  std::optional<std::string> Query(std::string_view key) const;
};

struct RestResponse {
  int status = 200;
  /// Extra headers (Content-Type is application/json whenever the body is not empty).
  std::vector<std::pair<std::string, std::string>> headers;
  /// A JSON document, or empty (204, 304, HEAD).
  std::string body;

  /// The first value of header `name` (case-insensitive), or "".
  std::string Header(std::string_view name) const;
};

struct RestServiceOptions {
  /// The path segment after /v1/ of every catalog route ("" = none). Advertised in /v1/config
  /// overrides. Letters, digits, '_', '-' and '.' only.
  std::string prefix;
  /// Every change (POST, DELETE, except metrics reports and token requests) is 403.
  bool read_only = false;
  /// Accepted bearer tokens; null = no authentication (the Authorization header is ignored).
  std::shared_ptr<const BearerTokens> tokens;
  /// Largest request body accepted; larger ones get 413.
  uint64_t max_body_bytes = uint64_t{64} << 20;
  /// Deepest JSON nesting accepted in a body (deeper ones get 400 before parsing).
  int max_json_depth = 128;
  /// The Hub endpoint loaded HF-backed tables name in their config; empty = HF_ENDPOINT, else
  /// https://huggingface.co.
  std::string hf_endpoint;
};

class RestCatalogService {
 public:
  /// A service over `catalog`, which must outlive it. Errors: InvalidArgument for a bad prefix.
  static Result<std::unique_ptr<RestCatalogService>> Make(catalog::Catalog& catalog,
                                                          RestServiceOptions options);

  /// Serves one request. Never fails: every problem is an error response.
  RestResponse Handle(const RestRequest& request) const;

  const RestServiceOptions& options() const { return options_; }

 private:
  RestCatalogService(catalog::Catalog& catalog, RestServiceOptions options)
      : catalog_(catalog), options_(std::move(options)) {}

  struct Call;
  /// Handle() without its exception guard: decodes the path, authenticates, checks the size.
  RestResponse Dispatch(const RestRequest& request) const;
  /// Picks the endpoint of a decoded, authenticated request.
  RestResponse Route(const Call& call) const;

  // Endpoints, one per route and method (rest_service.cc: config, namespaces, tokens;
  // rest_tables.cc: tables, commits, transactions).
  RestResponse GetConfig(const Call& call) const;
  RestResponse IssueToken(const Call& call) const;
  RestResponse ListNamespaces(const Call& call) const;
  RestResponse CreateNamespace(const Call& call) const;
  RestResponse LoadNamespace(const Call& call, const std::string& ns) const;
  RestResponse NamespaceExists(const std::string& ns) const;
  RestResponse DropNamespace(const std::string& ns) const;
  RestResponse UpdateNamespaceProperties(const Call& call, const std::string& ns) const;
  RestResponse ListViews(const std::string& ns) const;
  RestResponse ListTables(const Call& call, const std::string& ns) const;
  RestResponse CreateTable(const Call& call, const std::string& ns) const;
  RestResponse RegisterTable(const Call& call, const std::string& ns) const;
  RestResponse LoadTable(const Call& call, const catalog::TableIdentifier& id) const;
  RestResponse TableExists(const catalog::TableIdentifier& id) const;
  RestResponse CommitTable(const Call& call, const catalog::TableIdentifier& id) const;
  RestResponse DropTable(const Call& call, const catalog::TableIdentifier& id) const;
  RestResponse ReportMetrics(const Call& call, const catalog::TableIdentifier& id) const;
  RestResponse RenameTable(const Call& call) const;
  RestResponse CommitTransaction(const Call& call) const;

  /// The error response of a failed table operation: a NotFound becomes NoSuchNamespaceException
  /// when the namespace is missing, else NoSuchTableException.
  RestResponse TableError(const catalog::TableIdentifier& id, const Status& status,
                          bool commit = false) const;
  /// {"metadata-location", "metadata", "config"} of a committed table.
  RestResponse TableResult(const catalog::CommittedTable& table, bool with_config,
                           std::string_view snapshots_mode) const;
  /// The `config` a loaded table carries (see the file comment).
  std::string TableConfigJson(const iceberg::TableMetadata& metadata) const;

  catalog::Catalog& catalog_;
  RestServiceOptions options_;
};

}  // namespace faceberg::server
