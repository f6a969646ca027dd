// HttpClient: HTTP(S) over libcurl with connection reuse, many requests in flight at once,
// manual redirects that drop credentials on a change of origin, and retries with exponential
// backoff and jitter that honour Retry-After and RateLimit. libcurl stays out of this header.
//
// Thread safety: an HttpClient is safe for concurrent use from any number of threads. Each Send /
// SendAll call runs its transfers on the calling thread, on a curl multi handle leased from a
// pool, so connections opened by one call are reused by the next.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/result.h"

namespace faceberg::io {

enum class HttpMethod { kGet, kHead, kPost, kPut, kDelete };

/// "GET", "HEAD", ...
std::string_view HttpMethodName(HttpMethod method);

/// An ordered multimap of header fields with case-insensitive names.
class HttpHeaders {
 public:
  /// Appends a field (a name may repeat).
  void Add(std::string name, std::string value);
  /// Replaces every field named `name` with one field.
  void Set(std::string name, std::string value);
  /// Removes every field named `name`.
  void Remove(std::string_view name);
  /// The value of the first field named `name`, if any.
  std::optional<std::string> Get(std::string_view name) const;
  /// The values of every field named `name`, in order.
  std::vector<std::string> GetAll(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }
  const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }
  void clear() { entries_.clear(); }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

/// Which failures a request may be retried on.
enum class HttpRetry {
  /// 408, 429, 500, 502, 503, 504 and network errors (idempotent requests).
  kAll,
  /// Only failures where the server certainly did not act: 408, 429, 503 and failed connects.
  /// For non-idempotent requests such as a commit.
  kRejectedOnly,
  kNever,
};

struct HttpRequest {
  HttpMethod method = HttpMethod::kGet;
  std::string url;
  HttpHeaders headers;
  /// Sent for POST and PUT (and kept on 307/308 redirects).
  std::string body;
  /// When not empty, sent as "Authorization: Bearer <token>" and nowhere else: never logged,
  /// never in an error message or a URL, and dropped when a redirect leaves the origin
  /// (scheme, host and port) of `url`.
  std::string bearer_token;
  HttpRetry retry = HttpRetry::kAll;
  /// Follow 301/302/303/307/308 (303, and 301/302 of a POST, become a GET without a body).
  bool follow_redirects = true;
  /// Largest body accepted; 0 means HttpClientOptions::max_body_size.
  uint64_t max_body_size = 0;
};

struct HttpResponse {
  int status = 0;
  /// The status line's reason phrase ("Not Found"); may be empty (HTTP/2).
  std::string reason;
  HttpHeaders headers;
  std::string body;
  /// The URL that produced this response, after redirects.
  std::string final_url;
  /// Headers of each redirect response that was followed, in order (the Hub puts file
  /// metadata on the redirect of an LFS file).
  std::vector<HttpHeaders> redirect_headers;
  /// Attempts made, counting retries but not redirects.
  int attempts = 0;

  bool ok() const { return status >= 200 && status < 300; }
};

struct HttpClientOptions {
  std::chrono::milliseconds connect_timeout{10'000};
  /// Abort an attempt that receives nothing for this long.
  std::chrono::milliseconds read_timeout{60'000};
  /// Upper bound of one attempt; 0 means none (large downloads).
  std::chrono::milliseconds request_timeout{0};
  /// Requests in flight at once within one SendAll call (so connections per origin stay within
  /// it); each connection cache keeps up to twice as many idle connections.
  int max_connections = 16;
  /// Retries after the first attempt (so at most max_retries + 1 attempts).
  int max_retries = 5;
  /// Of those, retries of an attempt that could not resolve the host or connect to it: a server
  /// that is down or a mistyped endpoint fails in about a second instead of after the whole
  /// backoff, while a brief blip still gets a second chance.
  int max_connect_retries = 1;
  /// Retry n (0-based) waits min(backoff_max, backoff_base * 2^n), jittered into [d/2, d].
  std::chrono::milliseconds backoff_base{1'000};
  std::chrono::milliseconds backoff_max{8'000};
  /// A server-requested wait (Retry-After, or RateLimit t on a 429 with r=0) replaces the
  /// backoff; this margin is added to it and the total is capped at retry_after_max.
  std::chrono::milliseconds retry_after_margin{1'000};
  std::chrono::milliseconds retry_after_max{60'000};
  int max_redirects = 10;
  uint64_t max_body_size = uint64_t{1} << 30;
  std::string user_agent = "faceberg/0.1";
};

/// The HTTP client. Any status is a value in the returned HttpResponse except a retryable one
/// (see HttpRetry) that persisted through the last retry.
class HttpClient {
 public:
  /// Errors: Internal when libcurl cannot be initialised; InvalidArgument for bad options.
  static Result<std::unique_ptr<HttpClient>> Make(HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  /// Sends one request, following redirects and retrying as the request allows.
  /// Errors: Network after the last retry (the message names the method, the URL without its
  /// query and the last status or transport error); InvalidArgument when the body exceeds the
  /// allowed size or the URL is malformed.
  Result<HttpResponse> Send(const HttpRequest& request);

  /// Sends every request with at most options().max_connections in flight at once; result i
  /// belongs to request i. Each result fails or succeeds as Send would.
  std::vector<Result<HttpResponse>> SendAll(std::span<const HttpRequest> requests);

  const HttpClientOptions& options() const;
  /// Attempts started by this client so far (retries and redirects included).
  uint64_t attempts_started() const;

 private:
  struct Impl;
  explicit HttpClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// ---- Helpers, exposed for the hub client and for tests ----

/// "bytes=OFFSET-(OFFSET+LENGTH-1)". REQUIRES: length > 0.
std::string RangeHeaderValue(uint64_t offset, uint64_t length);
/// "bytes=-LENGTH": the last LENGTH bytes. REQUIRES: length > 0.
std::string SuffixRangeHeaderValue(uint64_t length);

/// A parsed Content-Range ("bytes 0-99/1234", "bytes 0-99/*" or "bytes */1234").
struct ContentRange {
  /// Absent for the unsatisfied form "bytes */N".
  std::optional<std::pair<uint64_t, uint64_t>> first_last;
  /// Absent when the total is "*".
  std::optional<uint64_t> total;
};
std::optional<ContentRange> ParseContentRange(std::string_view value);

/// Parses Retry-After: delta seconds ("120") or an HTTP date ("Wed, 21 Oct 2015 07:28:00 GMT",
/// also the RFC 850 and asctime forms), relative to `now_epoch_seconds`. A date in the past
/// gives 0. nullopt when unparsable.
std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value,
                                                    int64_t now_epoch_seconds);

/// The Hub's RateLimit header: `"resolvers";r=2999;t=172` (remaining requests r, seconds t until
/// the window resets).
struct RateLimit {
  int64_t remaining = 0;
  int64_t reset_seconds = 0;
};
std::optional<RateLimit> ParseRateLimit(std::string_view value);

/// Parses an IMF-fixdate / RFC 850 / asctime HTTP date into epoch seconds.
std::optional<int64_t> ParseHttpDate(std::string_view value);

/// The wait before retry `retry_index` (0-based) without a server hint: d = min(backoff_max,
/// backoff_base * 2^retry_index), scaled into [d/2, d] by `jitter` in [0, 1].
std::chrono::milliseconds BackoffDelay(const HttpClientOptions& options, int retry_index,
                                       double jitter);

/// The wait before a retry of `response`'s request: the server's hint (RateLimit on a 429 with
/// r=0, else Retry-After) plus retry_after_margin, capped at retry_after_max; else nullopt.
std::optional<std::chrono::milliseconds> ServerRetryDelay(const HttpClientOptions& options,
                                                          const HttpResponse& response,
                                                          int64_t now_epoch_seconds);

/// True for 408, 429, 500, 502, 503 and 504.
bool IsRetryableStatus(int status);

/// `url` without user info, query and fragment: safe to show in messages and logs.
std::string RedactUrl(std::string_view url);

/// Resolves a Location header value against the URL it came from.
std::string ResolveUrl(std::string_view base, std::string_view reference);

/// "scheme://host[:port]" of an absolute URL (lower-cased scheme and host), empty if none.
std::string UrlOrigin(std::string_view url);

/// Percent-encodes every byte except ASCII letters, digits, "-._~" and the bytes in `safe`
/// (Python's urllib.parse.quote with the same `safe`).
std::string PercentEncode(std::string_view text, std::string_view safe = "");
/// Decodes %XX escapes; nullopt on a malformed escape. '+' is kept.
std::optional<std::string> PercentDecode(std::string_view text);

/// The target of the first link with relation `rel` in an RFC 8288 Link header
/// (`<https://...>; rel="next", <...>; rel="prev"`), if any.
std::optional<std::string> FindLink(std::string_view link_header, std::string_view rel);

}  // namespace faceberg::io
