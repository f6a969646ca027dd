#include "io/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <deque>
#include <mutex>
#include <queue>
#include <random>
#include <thread>

#include "util/strings.h"
#include "util/time.h"

namespace faceberg::io {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// ---- RAII owners of the libcurl handles ----
struct EasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;
struct MultiDeleter {
  void operator()(CURLM* handle) const { curl_multi_cleanup(handle); }
};
using MultiHandle = std::unique_ptr<CURLM, MultiDeleter>;
struct ShareDeleter {
  void operator()(CURLSH* handle) const { curl_share_cleanup(handle); }
};
using ShareHandle = std::unique_ptr<CURLSH, ShareDeleter>;
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using HeaderList = std::unique_ptr<curl_slist, SlistDeleter>;

// Appends to an owned slist; returns false when curl is out of memory.
bool AppendHeader(HeaderList& list, const std::string& line) {
  curl_slist* grown = curl_slist_append(list.get(), line.c_str());
  if (grown == nullptr) return false;
  (void)list.release();  // `grown` now owns the old nodes
  list.reset(grown);
  return true;
}

CURLcode GlobalInit() {
  static std::once_flag once;
  static CURLcode code = CURLE_OK;
  std::call_once(once, [] { code = curl_global_init(CURL_GLOBAL_DEFAULT); });
  return code;
}

double RandomUnit() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

int64_t NowEpochSeconds() { return NowMillis() / 1000; }

bool IsRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

bool StatusRetryAllowed(HttpRetry mode, int status) {
  switch (mode) {
    case HttpRetry::kAll:
      return IsRetryableStatus(status);
    case HttpRetry::kRejectedOnly:
      return status == 408 || status == 429 || status == 503;
    case HttpRetry::kNever:
      return false;
  }
  return false;
}

bool TransportRetryAllowed(HttpRetry mode, CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
      return mode != HttpRetry::kNever;
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
      return mode == HttpRetry::kAll;
    default:
      return false;
  }
}

// One request moving through attempts and redirects inside a SendAll call.
struct Transfer {
  const HttpRequest* request = nullptr;
  size_t index = 0;
  std::string url;
  std::string origin;  // of the original URL; credentials go only there
  HttpMethod method = HttpMethod::kGet;
  bool with_body = false;
  bool with_auth = true;
  int attempts = 0;
  int redirects = 0;
  uint64_t max_body = 0;
  std::vector<HttpHeaders> redirect_headers;
  Clock::time_point due;
  // State of the attempt in flight.
  EasyHandle easy;
  HeaderList header_list;
  HttpResponse response;
  bool body_too_large = false;
  std::array<char, CURL_ERROR_SIZE> error_buffer{};
};

size_t OnHeaderLine(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t length = size * count;
  std::string_view line(data, length);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (StartsWith(line, "HTTP/")) {
    // A new status line (after a 100 Continue, or the first one): start over.
    t->response.headers.clear();
    t->response.reason.clear();
    size_t sp = line.find(' ');
    if (sp != std::string_view::npos) {
      std::string_view rest = line.substr(sp + 1);
      size_t sp2 = rest.find(' ');
      if (sp2 != std::string_view::npos) t->response.reason = std::string(Trim(rest.substr(sp2)));
    }
    return length;
  }
  size_t colon = line.find(':');
  if (colon != std::string_view::npos && colon > 0) {
    t->response.headers.Add(std::string(Trim(line.substr(0, colon))),
                            std::string(Trim(line.substr(colon + 1))));
  }
  return length;
}

size_t OnBodyBytes(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t length = size * count;
  std::string& body = t->response.body;
  if (body.empty()) {
    if (auto declared = t->response.headers.Get("Content-Length")) {
      auto n = ParseInt64(*declared);
      if (n && *n > 0) {
        if (static_cast<uint64_t>(*n) > t->max_body) {
          t->body_too_large = true;
          return 0;
        }
        body.reserve(static_cast<size_t>(*n));
      }
    }
  }
  if (body.size() + length > t->max_body) {
    t->body_too_large = true;
    return 0;  // makes curl fail the transfer with CURLE_WRITE_ERROR
  }
  body.append(data, length);
  return length;
}

struct ShareLocks {
  std::array<std::mutex, CURL_LOCK_DATA_LAST> mutexes;
};

void LockShare(CURL*, curl_lock_data data, curl_lock_access, void* user) {
  static_cast<ShareLocks*>(user)->mutexes[data].lock();
}
void UnlockShare(CURL*, curl_lock_data data, void* user) {
  static_cast<ShareLocks*>(user)->mutexes[data].unlock();
}

// Failure text of the last attempt, for the final error message.
std::string DescribeStatus(const HttpResponse& response) {
  std::string text = fmt::format("HTTP {}", response.status);
  if (!response.reason.empty()) text += " " + response.reason;
  if (auto message = response.headers.Get("X-Error-Message")) {
    text += ": " + message->substr(0, 200);
  }
  return text;
}

}  // namespace

// ---- HttpHeaders ----

void HttpHeaders::Add(std::string name, std::string value) {
  entries_.emplace_back(std::move(name), std::move(value));
}

void HttpHeaders::Set(std::string name, std::string value) {
  Remove(name);
  Add(std::move(name), std::move(value));
}

void HttpHeaders::Remove(std::string_view name) {
  std::erase_if(entries_, [&](const auto& e) { return EqualsIgnoreCase(e.first, name); });
}

std::optional<std::string> HttpHeaders::Get(std::string_view name) const {
  for (const auto& [key, value] : entries_) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return std::nullopt;
}

std::vector<std::string> HttpHeaders::GetAll(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [key, value] : entries_) {
    if (EqualsIgnoreCase(key, name)) out.push_back(value);
  }
  return out;
}

std::string_view HttpMethodName(HttpMethod method) {
  switch (method) {
    case HttpMethod::kGet:
      return "GET";
    case HttpMethod::kHead:
      return "HEAD";
    case HttpMethod::kPost:
      return "POST";
    case HttpMethod::kPut:
      return "PUT";
    case HttpMethod::kDelete:
      return "DELETE";
  }
  return "GET";
}

// ---- HttpClient ----

struct HttpClient::Impl {
  HttpClientOptions options;
  std::unique_ptr<ShareLocks> share_locks = std::make_unique<ShareLocks>();
  ShareHandle share;
  std::mutex pool_mutex;
  std::vector<MultiHandle> idle_multis;  // guarded by pool_mutex
  std::atomic<uint64_t> attempts_started{0};

  // Idle multi handles kept (each with its open connections); more are closed on release so
  // a burst of callers does not leave many idle connections pinned on the server.
  static constexpr size_t kMaxIdleMultis = 4;

  Result<MultiHandle> AcquireMulti() {
    {
      std::lock_guard<std::mutex> lock(pool_mutex);
      if (!idle_multis.empty()) {
        MultiHandle multi = std::move(idle_multis.back());
        idle_multis.pop_back();
        return multi;
      }
    }
    MultiHandle multi(curl_multi_init());
    if (!multi) return Internal("curl_multi_init failed");
    // In-flight transfers are bounded by Run; the cache keeps room for two origins (the Hub and
    // the CDN its LFS redirects point to).
    long cache = 2L * options.max_connections;
    curl_multi_setopt(multi.get(), CURLMOPT_MAXCONNECTS, cache);
    return multi;
  }

  void ReleaseMulti(MultiHandle multi) {
    std::lock_guard<std::mutex> lock(pool_mutex);
    if (idle_multis.size() < kMaxIdleMultis) idle_multis.push_back(std::move(multi));
  }

  Status StartAttempt(Transfer& t, CURLM* multi);
  std::vector<Result<HttpResponse>> Run(std::span<const HttpRequest> requests);
};

Status HttpClient::Impl::StartAttempt(Transfer& t, CURLM* multi) {
  t.easy.reset(curl_easy_init());
  if (!t.easy) return Internal("curl_easy_init failed");
  t.header_list.reset();
  t.response = HttpResponse{};
  t.body_too_large = false;
  t.error_buffer[0] = '\0';
  CURL* h = t.easy.get();
  const HttpRequest& request = *t.request;

  curl_easy_setopt(h, CURLOPT_URL, t.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PRIVATE, static_cast<void*>(&t));
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &OnHeaderLine);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, static_cast<void*>(&t));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &OnBodyBytes);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, static_cast<void*>(&t));
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, t.error_buffer.data());
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_UNRESTRICTED_AUTH, 0L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME,
                   static_cast<long>(std::max<int64_t>(1, options.read_timeout.count() / 1000)));
  if (options.request_timeout.count() > 0) {
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options.request_timeout.count()));
  }
  if (share) curl_easy_setopt(h, CURLOPT_SHARE, share.get());
  // libcurl silently sends a request again when a reused connection dies before any byte of
  // the answer: harmless for idempotent requests, a second commit otherwise. A request that
  // may not be retried once sent gets a fresh connection, where libcurl never does that.
  if (request.retry != HttpRetry::kAll) curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);

  switch (t.method) {
    case HttpMethod::kGet:
      curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
      break;
    case HttpMethod::kHead:
      curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
      break;
    case HttpMethod::kPost:
    case HttpMethod::kPut:
    case HttpMethod::kDelete: {
      if (t.method != HttpMethod::kPost) {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, HttpMethodName(t.method).data());
      }
      if (t.method != HttpMethod::kDelete || (t.with_body && !request.body.empty())) {
        size_t body_size = t.with_body ? request.body.size() : 0;
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body_size));
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, t.with_body ? request.body.data() : "");
      }
      break;
    }
  }

  bool has_user_agent = false;
  for (const auto& [name, value] : request.headers.entries()) {
    if (EqualsIgnoreCase(name, "Authorization") && !t.with_auth) continue;
    if (EqualsIgnoreCase(name, "User-Agent")) has_user_agent = true;
    std::string line = value.empty() ? name + ";" : name + ": " + value;
    if (!AppendHeader(t.header_list, line)) return Internal("out of memory for HTTP headers");
  }
  if (!AppendHeader(t.header_list, "Expect:")) return Internal("out of memory for HTTP headers");
  if (t.with_auth && !request.bearer_token.empty()) {
    if (!AppendHeader(t.header_list, "Authorization: Bearer " + request.bearer_token)) {
      return Internal("out of memory for HTTP headers");
    }
  }
  if (!has_user_agent) curl_easy_setopt(h, CURLOPT_USERAGENT, options.user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, t.header_list.get());

  CURLMcode added = curl_multi_add_handle(multi, h);
  if (added != CURLM_OK) {
    t.easy.reset();
    return Internal("curl_multi_add_handle failed: {}", curl_multi_strerror(added));
  }
  attempts_started.fetch_add(1, std::memory_order_relaxed);
  return Status::OK();
}

std::vector<Result<HttpResponse>> HttpClient::Impl::Run(std::span<const HttpRequest> requests) {
  std::vector<Result<HttpResponse>> results(requests.size(), Internal("request was not sent"));
  std::vector<std::unique_ptr<Transfer>> transfers;
  transfers.reserve(requests.size());
  std::deque<Transfer*> ready;
  auto later = [](const Transfer* a, const Transfer* b) { return a->due > b->due; };
  std::priority_queue<Transfer*, std::vector<Transfer*>, decltype(later)> waiting(later);
  size_t remaining = 0;

  for (size_t i = 0; i < requests.size(); ++i) {
    const HttpRequest& request = requests[i];
    if (!StartsWith(request.url, "http://") && !StartsWith(request.url, "https://")) {
      results[i] = InvalidArgument("not an http(s) URL: '{}'", RedactUrl(request.url));
      continue;
    }
    auto t = std::make_unique<Transfer>();
    t->request = &request;
    t->index = i;
    t->url = request.url;
    t->origin = UrlOrigin(request.url);
    t->method = request.method;
    t->with_body = request.method == HttpMethod::kPost || request.method == HttpMethod::kPut ||
                   request.method == HttpMethod::kDelete;
    t->max_body = request.max_body_size > 0 ? request.max_body_size : options.max_body_size;
    ready.push_back(t.get());
    transfers.push_back(std::move(t));
    ++remaining;
  }
  if (remaining == 0) return results;

  auto multi_or = AcquireMulti();
  if (!multi_or.ok()) {
    for (auto& t : transfers) results[t->index] = multi_or.status();
    return results;
  }
  MultiHandle multi = std::move(multi_or).value();
  bool multi_healthy = true;
  size_t active = 0;
  const size_t limit = static_cast<size_t>(std::max(1, options.max_connections));

  auto finish = [&](Transfer& t, Result<HttpResponse> result) {
    results[t.index] = std::move(result);
    --remaining;
  };
  auto name_of = [](const Transfer& t) {
    return fmt::format("{} {}", HttpMethodName(t.request->method), RedactUrl(t.request->url));
  };
  auto schedule_retry = [&](Transfer& t, milliseconds delay) {
    t.due = Clock::now() + delay;
    waiting.push(&t);
  };

  // Decides what follows a completed attempt: a redirect, a retry or a final result.
  auto on_done = [&](Transfer& t, CURLcode code) {
    long status = 0;
    curl_easy_getinfo(t.easy.get(), CURLINFO_RESPONSE_CODE, &status);
    curl_multi_remove_handle(multi.get(), t.easy.get());
    t.easy.reset();
    t.header_list.reset();
    const int retries_used = t.attempts - 1;

    if (code != CURLE_OK) {
      if (t.body_too_large) {
        finish(t, InvalidArgument("the response to {} is larger than the {} bytes allowed",
                                  name_of(t), t.max_body));
        return;
      }
      if (code == CURLE_URL_MALFORMAT) {
        finish(t, InvalidArgument("malformed URL in {}", name_of(t)));
        return;
      }
      std::string what = t.error_buffer[0] != '\0' ? std::string(t.error_buffer.data())
                                                   : std::string(curl_easy_strerror(code));
      const bool connect_failed = code == CURLE_COULDNT_RESOLVE_HOST ||
                                  code == CURLE_COULDNT_RESOLVE_PROXY ||
                                  code == CURLE_COULDNT_CONNECT;
      const int retry_limit = connect_failed
                                  ? std::min(options.max_retries, options.max_connect_retries)
                                  : options.max_retries;
      if (TransportRetryAllowed(t.request->retry, code) && retries_used < retry_limit) {
        ++t.attempts;
        schedule_retry(t, BackoffDelay(options, retries_used, RandomUnit()));
        return;
      }
      finish(t, NetworkError("{} failed after {} attempt{}: {}", name_of(t), t.attempts,
                             t.attempts == 1 ? "" : "s", what));
      return;
    }

    t.response.status = static_cast<int>(status);
    if (t.request->follow_redirects && IsRedirect(t.response.status)) {
      if (auto location = t.response.headers.Get("Location")) {
        if (t.redirects >= options.max_redirects) {
          finish(t, NetworkError("{} was redirected more than {} times", name_of(t),
                                 options.max_redirects));
          return;
        }
        std::string next = ResolveUrl(t.url, *location);
        if (!StartsWith(next, "http://") && !StartsWith(next, "https://")) {
          finish(t, NetworkError("{} was redirected to a non-http URL", name_of(t)));
          return;
        }
        if (UrlOrigin(next) != t.origin) t.with_auth = false;  // never restored
        int s = t.response.status;
        if (s == 303 || ((s == 301 || s == 302) && t.method == HttpMethod::kPost)) {
          if (t.method != HttpMethod::kHead) t.method = HttpMethod::kGet;
          t.with_body = false;
        }
        t.redirect_headers.push_back(std::move(t.response.headers));
        t.url = std::move(next);
        ++t.redirects;
        ready.push_front(&t);
        return;
      }
    }
    if (StatusRetryAllowed(t.request->retry, t.response.status)) {
      if (retries_used < options.max_retries) {
        auto hint = ServerRetryDelay(options, t.response, NowEpochSeconds());
        ++t.attempts;
        schedule_retry(t, hint ? *hint : BackoffDelay(options, retries_used, RandomUnit()));
        return;
      }
      finish(t, NetworkError("{} failed after {} attempt{}: {}", name_of(t), t.attempts,
                             t.attempts == 1 ? "" : "s", DescribeStatus(t.response)));
      return;
    }
    HttpResponse response = std::move(t.response);
    response.final_url = t.url;
    response.redirect_headers = std::move(t.redirect_headers);
    response.attempts = t.attempts;
    finish(t, std::move(response));
  };

  while (remaining > 0) {
    Clock::time_point now = Clock::now();
    while (!waiting.empty() && waiting.top()->due <= now) {
      ready.push_back(waiting.top());
      waiting.pop();
    }
    while (active < limit && !ready.empty()) {
      Transfer* t = ready.front();
      ready.pop_front();
      if (t->attempts == 0) t->attempts = 1;
      Status started = StartAttempt(*t, multi.get());
      if (!started.ok()) {
        finish(*t, started);
        continue;
      }
      ++active;
    }
    if (active == 0) {
      if (!waiting.empty()) std::this_thread::sleep_until(waiting.top()->due);
      continue;
    }
    int running = 0;
    CURLMcode performed = curl_multi_perform(multi.get(), &running);
    if (performed != CURLM_OK) {
      multi_healthy = false;
      Status failure = Internal("curl_multi_perform failed: {}", curl_multi_strerror(performed));
      for (auto& t : transfers) {
        if (t->easy) {
          curl_multi_remove_handle(multi.get(), t->easy.get());
          t->easy.reset();
        }
      }
      for (auto& t : transfers) {
        if (!results[t->index].ok() &&
            results[t->index].status().message() == "request was not sent") {
          results[t->index] = failure;
        }
      }
      break;
    }
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi.get(), &queued)) {
      if (message->msg != CURLMSG_DONE) continue;
      char* user = nullptr;
      curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &user);
      CURLcode code = message->data.result;
      --active;
      on_done(*reinterpret_cast<Transfer*>(user), code);
    }
    if (active > 0 && (ready.empty() || active >= limit)) {
      int timeout_ms = 1000;
      if (!waiting.empty()) {
        auto until = std::chrono::duration_cast<milliseconds>(waiting.top()->due - Clock::now());
        timeout_ms = static_cast<int>(std::clamp<int64_t>(until.count(), 0, timeout_ms));
      }
      curl_multi_poll(multi.get(), nullptr, 0, timeout_ms, nullptr);
    }
  }
  if (multi_healthy) ReleaseMulti(std::move(multi));
  return results;
}

HttpClient::HttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpClient::~HttpClient() = default;

Result<std::unique_ptr<HttpClient>> HttpClient::Make(HttpClientOptions options) {
  PRECHECK(options.max_connections > 0, "max_connections must be positive");
  PRECHECK(options.max_retries >= 0, "max_retries must not be negative");
  PRECHECK(options.max_connect_retries >= 0, "max_connect_retries must not be negative");
  PRECHECK(options.max_body_size > 0, "max_body_size must be positive");
  if (GlobalInit() != CURLE_OK) return Internal("curl_global_init failed");
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  impl->share.reset(curl_share_init());
  if (impl->share) {
    CURLSH* sh = impl->share.get();
    curl_share_setopt(sh, CURLSHOPT_LOCKFUNC, &LockShare);
    curl_share_setopt(sh, CURLSHOPT_UNLOCKFUNC, &UnlockShare);
    curl_share_setopt(sh, CURLSHOPT_USERDATA, static_cast<void*>(impl->share_locks.get()));
    curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  }
  return std::unique_ptr<HttpClient>(new HttpClient(std::move(impl)));
}

Result<HttpResponse> HttpClient::Send(const HttpRequest& request) {
  auto results = impl_->Run(std::span<const HttpRequest>(&request, 1));
  return std::move(results.front());
}

std::vector<Result<HttpResponse>> HttpClient::SendAll(std::span<const HttpRequest> requests) {
  return impl_->Run(requests);
}

const HttpClientOptions& HttpClient::options() const { return impl_->options; }

uint64_t HttpClient::attempts_started() const {
  return impl_->attempts_started.load(std::memory_order_relaxed);
}

// ---- Helpers ----

std::string RangeHeaderValue(uint64_t offset, uint64_t length) {
  return fmt::format("bytes={}-{}", offset, offset + length - 1);
}

std::string SuffixRangeHeaderValue(uint64_t length) { return fmt::format("bytes=-{}", length); }

namespace {
std::optional<uint64_t> ParseUnsigned(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value;
}
}  // namespace

std::optional<ContentRange> ParseContentRange(std::string_view value) {
  value = Trim(value);
  if (!StartsWith(value, "bytes ")) return std::nullopt;
  value = Trim(value.substr(6));
  size_t slash = value.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::string_view span = Trim(value.substr(0, slash));
  std::string_view total = Trim(value.substr(slash + 1));
  ContentRange out;
  if (total != "*") {
    auto t = ParseUnsigned(total);
    if (!t) return std::nullopt;
    out.total = *t;
  }
  if (span == "*") {
    if (!out.total) return std::nullopt;
    return out;
  }
  size_t dash = span.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto first = ParseUnsigned(span.substr(0, dash));
  auto last = ParseUnsigned(span.substr(dash + 1));
  if (!first || !last || *last < *first) return std::nullopt;
  if (out.total && *last >= *out.total) return std::nullopt;
  out.first_last = std::make_pair(*first, *last);
  return out;
}

std::optional<int64_t> ParseHttpDate(std::string_view value) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::vector<std::string_view> tokens;
  value = Trim(value);
  size_t i = 0;
  while (i < value.size()) {
    while (i < value.size() && value[i] == ' ') ++i;
    size_t start = i;
    while (i < value.size() && value[i] != ' ') ++i;
    if (i > start) tokens.push_back(value.substr(start, i - start));
  }
  auto month_of = [&](std::string_view name) -> std::optional<unsigned> {
    for (size_t m = 0; m < kMonths.size(); ++m) {
      if (kMonths[m] == name) return static_cast<unsigned>(m + 1);
    }
    return std::nullopt;
  };
  auto parse_int = [](std::string_view text) -> std::optional<int64_t> {
    auto v = ParseUnsigned(text);
    if (!v) return std::nullopt;
    return static_cast<int64_t>(*v);
  };
  std::optional<int64_t> day, year;
  std::optional<unsigned> month;
  std::string_view clock;
  if (tokens.size() == 6 && EndsWith(tokens[0], ",") && tokens[5] == "GMT") {
    // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
    day = parse_int(tokens[1]);
    month = month_of(tokens[2]);
    year = parse_int(tokens[3]);
    clock = tokens[4];
  } else if (tokens.size() == 4 && EndsWith(tokens[0], ",") && tokens[3] == "GMT") {
    // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
    auto parts = Split(tokens[1], '-');
    if (parts.size() != 3) return std::nullopt;
    day = parse_int(parts[0]);
    month = month_of(parts[1]);
    year = parse_int(parts[2]);
    if (year && parts[2].size() == 2) *year += *year < 70 ? 2000 : 1900;
    clock = tokens[2];
  } else if (tokens.size() == 5) {
    // asctime: Sun Nov  6 08:49:37 1994
    month = month_of(tokens[1]);
    day = parse_int(tokens[2]);
    clock = tokens[3];
    year = parse_int(tokens[4]);
  } else {
    return std::nullopt;
  }
  if (!day || !month || !year || *day < 1 || *day > 31 || *year < 1970) return std::nullopt;
  auto hms = Split(clock, ':');
  if (hms.size() != 3) return std::nullopt;
  auto hh = parse_int(hms[0]), mm = parse_int(hms[1]), ss = parse_int(hms[2]);
  if (!hh || !mm || !ss || *hh > 23 || *mm > 59 || *ss > 60) return std::nullopt;
  int64_t days = DaysFromCivil(*year, *month, static_cast<unsigned>(*day));
  return days * 86400 + *hh * 3600 + *mm * 60 + *ss;
}

std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value,
                                                    int64_t now_epoch_seconds) {
  value = Trim(value);
  if (auto seconds = ParseUnsigned(value)) {
    return std::chrono::seconds(static_cast<int64_t>(std::min<uint64_t>(*seconds, 1u << 30)));
  }
  auto date = ParseHttpDate(value);
  if (!date) return std::nullopt;
  return std::chrono::seconds(std::max<int64_t>(0, *date - now_epoch_seconds));
}

std::optional<RateLimit> ParseRateLimit(std::string_view value) {
  // Only the first list member counts: "resolvers";r=2999;t=172
  size_t comma = value.find(',');
  if (comma != std::string_view::npos) value = value.substr(0, comma);
  std::optional<int64_t> remaining, reset;
  auto params = Split(value, ';');
  for (size_t i = 1; i < params.size(); ++i) {
    std::string_view param = Trim(params[i]);
    size_t eq = param.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = Trim(param.substr(0, eq));
    auto number = ParseUnsigned(Trim(param.substr(eq + 1)));
    if (!number) continue;
    if (key == "r") remaining = static_cast<int64_t>(*number);
    if (key == "t") reset = static_cast<int64_t>(*number);
  }
  if (!remaining || !reset) return std::nullopt;
  return RateLimit{*remaining, *reset};
}

std::chrono::milliseconds BackoffDelay(const HttpClientOptions& options, int retry_index,
                                       double jitter) {
  int64_t base = std::max<int64_t>(0, options.backoff_base.count());
  int64_t cap = std::max<int64_t>(0, options.backoff_max.count());
  int64_t delay = base;
  for (int i = 0; i < retry_index && delay < cap; ++i) delay *= 2;
  delay = std::min(delay, cap);
  jitter = std::clamp(jitter, 0.0, 1.0);
  return milliseconds(delay / 2 + static_cast<int64_t>(static_cast<double>(delay / 2) * jitter));
}

std::optional<std::chrono::milliseconds> ServerRetryDelay(const HttpClientOptions& options,
                                                          const HttpResponse& response,
                                                          int64_t now_epoch_seconds) {
  std::optional<std::chrono::seconds> hint;
  if (response.status == 429) {
    if (auto header = response.headers.Get("RateLimit")) {
      auto limit = ParseRateLimit(*header);
      if (limit && limit->remaining == 0) hint = std::chrono::seconds(limit->reset_seconds);
    }
  }
  if (!hint) {
    if (auto header = response.headers.Get("Retry-After")) {
      hint = ParseRetryAfter(*header, now_epoch_seconds);
    }
  }
  if (!hint) return std::nullopt;
  auto wait = std::chrono::duration_cast<milliseconds>(*hint) + options.retry_after_margin;
  return std::min(wait, options.retry_after_max);
}

bool IsRetryableStatus(int status) {
  return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 ||
         status == 504;
}

namespace {
// Splits an absolute URL into scheme, authority and the rest (path, query, fragment).
struct UrlParts {
  std::string_view scheme;
  std::string_view authority;
  std::string_view rest;
};
std::optional<UrlParts> SplitUrl(std::string_view url) {
  size_t sep = url.find("://");
  if (sep == std::string_view::npos || sep == 0) return std::nullopt;
  for (char c : url.substr(0, sep)) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') {
      return std::nullopt;
    }
  }
  std::string_view after = url.substr(sep + 3);
  size_t end = after.find_first_of("/?#");
  if (end == std::string_view::npos) end = after.size();
  return UrlParts{url.substr(0, sep), after.substr(0, end), after.substr(end)};
}
}  // namespace

std::string RedactUrl(std::string_view url) {
  auto parts = SplitUrl(url);
  if (!parts) {
    size_t cut = url.find_first_of("?#");
    return std::string(url.substr(0, cut));
  }
  std::string_view authority = parts->authority;
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) authority = authority.substr(at + 1);
  std::string_view path = parts->rest.substr(0, parts->rest.find_first_of("?#"));
  return fmt::format("{}://{}{}", parts->scheme, authority, path);
}

std::string UrlOrigin(std::string_view url) {
  auto parts = SplitUrl(url);
  if (!parts) return "";
  std::string scheme = ToLower(parts->scheme);
  std::string_view authority = parts->authority;
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) authority = authority.substr(at + 1);
  std::string host = ToLower(authority);
  // Drop a default port so "http://h" and "http://h:80" are one origin.
  size_t colon = host.rfind(':');
  if (colon != std::string::npos && host.find(']', colon) == std::string::npos) {
    std::string_view port = std::string_view(host).substr(colon + 1);
    if ((scheme == "http" && port == "80") || (scheme == "https" && port == "443") ||
        port.empty()) {
      host.resize(colon);
    }
  }
  return scheme + "://" + host;
}

std::string ResolveUrl(std::string_view base, std::string_view reference) {
  if (SplitUrl(reference)) return std::string(reference);
  auto parts = SplitUrl(base);
  if (!parts) return std::string(reference);
  if (StartsWith(reference, "//")) return fmt::format("{}:{}", parts->scheme, reference);
  std::string origin = fmt::format("{}://{}", parts->scheme, parts->authority);
  if (StartsWith(reference, "/")) return origin + std::string(reference);
  std::string_view path = parts->rest.substr(0, parts->rest.find_first_of("?#"));
  if (reference.empty()) return std::string(base);
  if (reference[0] == '?') return origin + std::string(path) + std::string(reference);
  if (reference[0] == '#') return origin + std::string(parts->rest) + std::string(reference);
  size_t slash = path.rfind('/');
  std::string_view dir = slash == std::string_view::npos ? "/" : path.substr(0, slash + 1);
  return origin + std::string(dir) + std::string(reference);
}

std::string PercentEncode(std::string_view text, std::string_view safe) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~' ||
        safe.find(c) != std::string_view::npos) {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

std::optional<std::string> PercentDecode(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    int hi = hex(text[i + 1]);
    int lo = hex(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::optional<std::string> FindLink(std::string_view header, std::string_view rel) {
  size_t i = 0;
  while (i < header.size()) {
    size_t open = header.find('<', i);
    if (open == std::string_view::npos) return std::nullopt;
    size_t close = header.find('>', open);
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view target = header.substr(open + 1, close - open - 1);
    // Parameters run to the next ',' outside quotes.
    size_t j = close + 1;
    bool quoted = false;
    size_t params_start = j;
    while (j < header.size() && (quoted || header[j] != ',')) {
      if (header[j] == '"') quoted = !quoted;
      ++j;
    }
    for (const std::string& param : Split(header.substr(params_start, j - params_start), ';')) {
      std::string_view p = Trim(param);
      size_t eq = p.find('=');
      if (eq == std::string_view::npos) continue;
      if (ToLower(Trim(p.substr(0, eq))) != "rel") continue;
      std::string_view value = Trim(p.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      for (const std::string& r : Split(value, ' ')) {
        if (EqualsIgnoreCase(r, rel)) return std::string(target);
      }
    }
    i = j + 1;
  }
  return std::nullopt;
}

}  // namespace faceberg::io
