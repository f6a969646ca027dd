// Transport-neutral HTTP request/response types of the local hub, so the route handlers never see
// the HTTP library (local_hub.cc adapts cpp-httplib to these), plus the response helpers that
// give every error the Hub's shape: status, X-Error-Code, X-Error-Message and {"error": ...}.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/json.h"
#include "util/result.h"

namespace faceberg::hub::internal {

/// The request body, read at most once (either way).
class BodySource {
 public:
  virtual ~BodySource() = default;
  /// Reads the whole body. Errors: InvalidArgument when it exceeds `max_bytes` (too_large() is
  /// then true); IOError when the connection fails.
  virtual Result<std::string> ReadAll(uint64_t max_bytes) = 0;
  /// Passes the body to `sink` chunk by chunk; stops at the first error `sink` returns.
  virtual Status Stream(const std::function<Status(std::string_view)>& sink) = 0;
  virtual bool too_large() const = 0;
};

struct HttpRequest {
  std::string method;    // GET, HEAD, POST, PUT, DELETE
  std::string path;      // as received: percent-encoded, without the query
  std::string base_url;  // scheme://host[:port] the client addressed
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  std::function<std::string(std::string_view)> header;     // "" when absent; case-insensitive
  BodySource* body = nullptr;                              // never null while serving

  bool HasQuery(std::string_view key) const;
  /// The first value of `key`, or "".
  std::string Query(std::string_view key) const;
  std::vector<std::string> QueryAll(std::string_view key) const;
  /// A boolean query flag: true, True, 1 (anything else is false; absent gives `fallback`).
  bool QueryFlag(std::string_view key, bool fallback = false) const;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string content_type;
  std::string body;
  /// Streams bytes [offset, offset + length) of a file instead of `body`.
  struct FileRange {
    std::string path;
    uint64_t offset = 0;
    uint64_t length = 0;
  };
  std::optional<FileRange> file;
  /// For HEAD: the Content-Length to announce (the body is never sent).
  std::optional<uint64_t> head_length;

  void SetHeader(std::string name, std::string value);
  std::string Header(std::string_view name) const;
};

/// Sets a compact JSON body.
void SetJson(HttpResponse* res, int status, const OrderedJson& body);
void SetJson(HttpResponse* res, int status, const Json& body);
/// An error the Hub's way. `error_code` (X-Error-Code) may be empty.
void SetError(HttpResponse* res, int status, std::string_view error_code, std::string message);

/// Splits a raw query string into decoded pairs ('+' is a space).
std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view raw_query);
/// Encodes pairs back into a query string.
std::string EncodeQuery(const std::vector<std::pair<std::string, std::string>>& query);
/// Decodes an application/x-www-form-urlencoded body.
std::vector<std::pair<std::string, std::string>> ParseForm(std::string_view body);

/// A byte range of a resource of `size` bytes.
struct ByteRange {
  uint64_t offset = 0;
  uint64_t length = 0;
};
/// The outcome of a Range header against a resource of `size` bytes.
struct RangeDecision {
  enum class Kind { kWhole, kPartial, kUnsatisfiable };
  Kind kind = Kind::kWhole;
  ByteRange range;
};
/// Interprets "bytes=a-b", "bytes=a-", "bytes=-n". Missing, malformed or multi-range headers
/// give kWhole (the range is ignored, as RFC 9110 allows); a start past the end or an empty
/// suffix gives kUnsatisfiable.
RangeDecision DecideRange(std::string_view header, uint64_t size);

/// Serves a file (or the part a Range header asks for): 200 or 206 with Content-Range, or 416.
/// Adds Accept-Ranges and Content-Length (for HEAD).
void ServeFile(const HttpRequest& req, const std::string& path, uint64_t size, HttpResponse* res);

/// The host part of a Host header ("127.0.0.1:8090" -> "127.0.0.1", "[::1]:80" -> "[::1]").
std::string HostWithoutPort(std::string_view host_header);

}  // namespace faceberg::hub::internal
