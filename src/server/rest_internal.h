// Helpers shared by the REST service's endpoint files (rest_service.cc, rest_tables.cc): error
// and JSON responses, request-body parsing that treats every body as hostile, and the JSON forms
// of namespaces and identifiers. Not part of the server's API.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/identifier.h"
#include "server/rest_service.h"
#include "util/json.h"
#include "util/result.h"

namespace faceberg::server {

/// One request being served: the request and its route segments (decoded, after /v1/ and the
/// prefix).
struct RestCatalogService::Call {
  const RestRequest& request;
  std::vector<std::string> segments;
};

namespace internal {

/// The JSON level separator of namespaces in paths and `parent` (0x1F, sent as %1F).
inline constexpr char kNamespaceSeparator = '\x1f';

/// What a failed operation was about: picks the spec's error type for a Status code.
enum class ErrorContext { kGeneric, kNamespace, kTable, kView, kCommit };

RestResponse JsonResponse(int status, const OrderedJson& body);
/// `body` is already JSON text.
RestResponse RawJsonResponse(int status, std::string body);
RestResponse NoContent();
/// {"error": {"message", "type", "code"}}.
RestResponse ErrorResponse(int code, std::string_view type, std::string_view message);
/// The error response of `status` (not OK) in `context`: InvalidArgument 400
/// BadRequestException, NotFound 404 (NoSuchNamespace/Table/ViewException by context),
/// AlreadyExists 409 AlreadyExistsException, Conflict 409 (CommitFailedException, or
/// NamespaceNotEmptyException for namespaces), Permission 403 ForbiddenException, NotSupported 406
/// UnsupportedOperationException (400 for commits), anything else 500 ServiceFailureException
/// (CommitStateUnknownException for commits).
RestResponse StatusResponse(const Status& status, ErrorContext context);

/// `status` as a client error: Corrupt (what the JSON readers report for a malformed document)
/// and NotSupported become InvalidArgument with the same message; others are kept.
Status AsBadRequest(const Status& status);

/// Checks that `text` nests arrays and objects at most `max_depth` deep (strings are skipped), so
/// recursive readers never see a hostile depth. Errors: InvalidArgument.
Status CheckJsonDepth(std::string_view text, int max_depth);
/// The request body as a JSON object. Errors: InvalidArgument for an empty body, malformed JSON
/// (with the parser's position), a depth over `max_depth`, or anything but an object.
Result<Json> ParseJsonBody(const RestRequest& request, int max_depth);

/// A namespace from its JSON levels (["a", "b"] -> "a.b"). Errors: InvalidArgument for a
/// non-array, an empty list, a non-string or empty level, or a level holding '.' or 0x1F.
Result<std::string> NamespaceFromJson(const Json& levels, std::string_view what);
/// A namespace from a decoded path segment or `parent` value ("a\x1fb" -> "a.b"). Errors: as
/// NamespaceFromJson.
Result<std::string> NamespaceFromPath(std::string_view decoded);
/// ["a", "b"] for "a.b"; [] for "".
OrderedJson NamespaceToJson(const std::string& ns);
/// {"namespace": [...], "name": ...} -> TableIdentifier. Errors: InvalidArgument.
Result<catalog::TableIdentifier> IdentifierFromJson(const Json& json, std::string_view what);
OrderedJson IdentifierToJson(const catalog::TableIdentifier& id);
/// An object of string values (absent or null = empty). Errors: InvalidArgument.
Result<std::map<std::string, std::string>> StringMapFromJson(const Json* json,
                                                             std::string_view what);
/// A boolean query flag: "true" in any case or "1" (Python clients send "True"/"False").
bool QueryFlag(const std::optional<std::string>& value);

}  // namespace internal
}  // namespace faceberg::server
