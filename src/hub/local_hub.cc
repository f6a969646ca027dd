// LocalHub: cpp-httplib adapted to the transport-neutral handlers of HubApi, plus latency and
// fault injection, request statistics, and the server lifecycle. The only file that includes
// httplib.h.
#include "hub/local_hub.h"

#include <dirent.h>
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <functional>
#include <mutex>
#include <random>
#include <thread>

#include "hub/local_hub_api_internal.h"
#include "hub/local_hub_auth_internal.h"
#include "hub/local_hub_http_internal.h"
#include "hub/local_hub_store_internal.h"
#include "util/json.h"
#include "util/strings.h"

namespace faceberg::hub {

namespace {

using internal::BodySource;
using internal::HttpRequest;
using internal::HttpResponse;

constexpr size_t kFileChunk = size_t{256} << 10;
constexpr int kListenBacklog = 1024;

// Exposes the listening socket so the accept backlog can be raised above cpp-httplib's 5.
class HttpServer : public httplib::Server {
 public:
  int listen_socket() const { return static_cast<int>(svr_sock_.load()); }
};

// The body of a POST/PUT/DELETE, read through cpp-httplib's ContentReader (so large bodies
// stream and the library's 8 KiB cap on form bodies does not apply).
class ReaderBody final : public BodySource {
 public:
  ReaderBody(const httplib::ContentReader* reader, httplib::Response* res)
      : reader_(reader), res_(res) {}

  Result<std::string> ReadAll(uint64_t max_bytes) override {
    std::string out;
    Status st = Stream([&](std::string_view chunk) -> Status {
      if (out.size() + chunk.size() > max_bytes) {
        too_large_ = true;
        return InvalidArgument("request body is larger than {} bytes", max_bytes);
      }
      out.append(chunk);
      return Status::OK();
    });
    if (!st.ok()) return st;
    return out;
  }

  Status Stream(const std::function<Status(std::string_view)>& sink) override {
    if (consumed_) return Internal("the request body was already read");
    consumed_ = true;
    if (reader_ == nullptr) return Status::OK();
    Status failure;
    bool ok = (*reader_)([&](const char* data, size_t length) {
      Status st = sink(std::string_view(data, length));
      if (!st.ok()) {
        failure = st;
        return false;
      }
      return true;
    });
    if (!failure.ok()) return failure;
    if (!ok) {
      if (res_->status == 413) {
        too_large_ = true;
        return InvalidArgument("request body too large");
      }
      return IOError("cannot read the request body");
    }
    return Status::OK();
  }

  bool too_large() const override { return too_large_; }

  // Reads whatever the handler left, so the connection can serve the next request.
  void Drain() {
    if (consumed_ || reader_ == nullptr) return;
    consumed_ = true;
    (*reader_)([](const char*, size_t) { return true; });
  }

 private:
  const httplib::ContentReader* reader_;
  httplib::Response* res_;
  bool consumed_ = false;
  bool too_large_ = false;
};

int PortOf(const sockaddr_storage& addr) {
  if (addr.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in*>(&addr)->sin_port);
  }
  if (addr.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_port);
  }
  return -1;
}

// Calls `fn` with every connected socket of this process whose local port is `local_port` and,
// when `remote_port` is not -1, whose peer port is `remote_port`. cpp-httplib keeps accepted
// sockets to itself, so /proc/self/fd is where they are found.
void ForEachConnection(int local_port, int remote_port, const std::function<bool(int)>& fn) {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return;
  std::vector<int> fds;
  while (dirent* entry = ::readdir(dir)) {
    auto fd_number = ParseInt64(entry->d_name);
    if (fd_number && *fd_number != ::dirfd(dir)) fds.push_back(static_cast<int>(*fd_number));
  }
  ::closedir(dir);
  for (int fd : fds) {
    struct stat st;
    if (::fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
    sockaddr_storage local{};
    sockaddr_storage peer{};
    socklen_t local_len = sizeof(local);
    socklen_t peer_len = sizeof(peer);
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0 ||
        ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) {
      continue;
    }
    if (PortOf(local) != local_port || (remote_port != -1 && PortOf(peer) != remote_port)) {
      continue;
    }
    if (!fn(fd)) return;
  }
}

// Resets the server side of the connection local_port <-> remote_port: a zero linger, then the
// descriptor is replaced with /dev/null (dup2 closes the socket atomically, so the peer gets a
// RST, and cpp-httplib's later writes and close hit the harmless replacement).
bool ResetConnection(int local_port, int remote_port) {
  int found = -1;
  ForEachConnection(local_port, remote_port, [&](int fd) {
    found = fd;
    return false;
  });
  if (found < 0) return false;
  linger no_linger{1, 0};
  ::setsockopt(found, SOL_SOCKET, SO_LINGER, &no_linger, sizeof(no_linger));
  int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull < 0) {
    ::shutdown(found, SHUT_RDWR);
    return true;
  }
  ::dup2(devnull, found);
  ::close(devnull);
  return true;
}

std::string StatusText(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 413:
      return "Payload Too Large";
    case 414:
      return "URI Too Long";
    case 416:
      return "Range Not Satisfiable";
    case 500:
      return "Internal Server Error";
    default:
      return "Error " + std::to_string(status);
  }
}

// Writes an HttpResponse into cpp-httplib's response.
void Apply(const HttpRequest& req, HttpResponse& res, httplib::Response& out) {
  out.status = res.status;
  for (const auto& [name, value] : res.headers) out.set_header(name, value);
  if (req.method == "HEAD") {
    // No body is sent; announce the length a GET would have.
    uint64_t length = res.head_length ? *res.head_length : res.body.size();
    out.set_header("Content-Length", std::to_string(length));
    if (!res.content_type.empty()) out.set_header("Content-Type", res.content_type);
    return;
  }
  std::string type = res.content_type.empty() ? "application/octet-stream" : res.content_type;
  if (res.file && res.file->length > 0) {
    int fd = ::open(res.file->path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      HttpResponse error;
      internal::SetError(&error, 500, "", "cannot open the stored content");
      out.status = error.status;
      out.set_content(error.body, error.content_type);
      return;
    }
    uint64_t base = res.file->offset;
    out.set_content_provider(
        res.file->length, type,
        [fd, base](size_t offset, size_t length, httplib::DataSink& sink) {
          std::string buf(std::min(length, kFileChunk), '\0');
          ssize_t n = ::pread(fd, buf.data(), buf.size(), static_cast<off_t>(base + offset));
          if (n <= 0) return false;
          return sink.write(buf.data(), static_cast<size_t>(n));
        },
        [fd](bool) { ::close(fd); });
    return;
  }
  out.set_content(res.file ? std::string() : std::move(res.body), type);
}

}  // namespace

std::string StatsToJson(const LocalHubStats& stats) {
  OrderedJson j;
  j["total"] = stats.total;
  j["routes"] = stats.routes;
  j["requests"] = stats.requests;
  j["statuses"] = stats.statuses;
  OrderedJson injected;
  for (const char* kind : {"500", "429", "reset"}) {
    auto it = stats.injected.find(kind);
    injected[kind] = it == stats.injected.end() ? 0 : it->second;
  }
  j["injected"] = std::move(injected);
  j["dropped_responses"] = stats.dropped_responses;
  return DumpJson(j);
}

struct LocalHub::Impl {
  enum class Fault { kNone, kServerError, kRateLimit, kReset };

  LocalHubOptions options;
  internal::AccessPolicy policy;
  std::unique_ptr<internal::HubStore> store;
  std::unique_ptr<internal::HubApi> api;
  HttpServer hub_server;
  HttpServer storage_server;
  std::thread hub_thread;
  std::thread storage_thread;
  int port = 0;
  int cdn_port = 0;

  mutable std::mutex stats_mu;
  LocalHubStats stats;  // guarded by stats_mu
  std::mutex rng_mu;
  std::mt19937_64 rng;  // guarded by rng_mu
  std::mutex drop_rng_mu;
  std::mt19937_64 drop_rng;  // guarded by drop_rng_mu
  std::mutex stop_mu;
  bool stopped = false;  // guarded by stop_mu

  void Configure(HttpServer& server, bool storage, int threads);
  void Serve(const httplib::Request& hreq, httplib::Response& hres,
             const httplib::ContentReader* reader, bool storage);
  void ServeInternal(const HttpRequest& req, HttpResponse* res);
  Fault Roll();
  // Whether the response of a handled request is to be dropped: only state-changing ones
  // (POST, PUT, DELETE other than the read-only POSTs paths-info and validate-yaml) are drawn.
  bool RollDrop(const std::string& method, const std::string& route);
};

LocalHub::Impl::Fault LocalHub::Impl::Roll() {
  if (options.fail_rate <= 0) return Fault::kNone;
  std::lock_guard<std::mutex> lock(rng_mu);
  // mt19937_64 is fully specified, so a seed replays the same faults everywhere.
  double draw = static_cast<double>(rng() >> 11) * 0x1.0p-53;
  if (draw >= options.fail_rate) return Fault::kNone;
  switch (rng() % 3) {
    case 0:
      return Fault::kServerError;
    case 1:
      return Fault::kRateLimit;
    default:
      return Fault::kReset;
  }
}

bool LocalHub::Impl::RollDrop(const std::string& method, const std::string& route) {
  if (options.drop_response_rate <= 0) return false;
  if (method != "POST" && method != "PUT" && method != "DELETE") return false;
  if (route == "paths-info" || route == "validate-yaml") return false;
  std::lock_guard<std::mutex> lock(drop_rng_mu);
  double draw = static_cast<double>(drop_rng() >> 11) * 0x1.0p-53;
  return draw < options.drop_response_rate;
}

void LocalHub::Impl::ServeInternal(const HttpRequest& req, HttpResponse* res) {
  if (req.path == "/_faceberg/stats" && (req.method == "GET" || req.method == "HEAD")) {
    std::lock_guard<std::mutex> lock(stats_mu);
    res->status = 200;
    res->content_type = "application/json";
    res->body = StatsToJson(stats);
    return;
  }
  if ((req.path == "/_faceberg/stats/reset" && req.method == "POST") ||
      (req.path == "/_faceberg/stats" && req.method == "DELETE")) {
    std::lock_guard<std::mutex> lock(stats_mu);
    stats = LocalHubStats();
    res->status = 200;
    res->content_type = "application/json";
    res->body = StatsToJson(stats);
    return;
  }
  internal::SetError(res, 404, "", "unknown test hook " + req.method + " " + req.path);
}

void LocalHub::Impl::Serve(const httplib::Request& hreq, httplib::Response& hres,
                           const httplib::ContentReader* reader, bool storage) {
  auto started = std::chrono::steady_clock::now();
  // Range is interpreted by the handlers; left in place, cpp-httplib would slice every body
  // (error bodies included) a second time.
  const_cast<httplib::Request&>(hreq).ranges.clear();

  HttpRequest req;
  req.method = hreq.method;
  std::string_view target = hreq.target;
  size_t question = target.find('?');
  req.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos)
    req.query = internal::ParseQuery(target.substr(question + 1));
  req.header = [&hreq](std::string_view name) { return hreq.get_header_value(std::string(name)); };
  std::string host = hreq.get_header_value("Host");
  req.base_url = "http://" + (host.empty() ? options.host + ":" + std::to_string(port) : host);
  ReaderBody body(reader, &hres);
  req.body = &body;

  HttpResponse res;
  if (!storage && StartsWith(req.path, "/_faceberg/")) {
    ServeInternal(req, &res);
    body.Drain();
    Apply(req, res, hres);
    return;
  }
  if (options.latency_ms > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(options.latency_ms));
  }
  internal::RouteMatch match = storage ? api->MatchStorage(req) : api->MatchHub(req);
  std::string route = match.name.empty() ? "unknown" : match.name;
  {
    std::lock_guard<std::mutex> lock(stats_mu);
    ++stats.total;
    ++stats.routes[route];
    ++stats.requests[req.method + " " + route];
  }
  Fault fault = Roll();
  std::string injected;
  switch (fault) {
    case Fault::kNone:
      match.run(req, &res);
      break;
    case Fault::kServerError:
      injected = "500";
      internal::SetError(&res, 500, "",
                         "Internal Error - We're working hard to fix this as soon "
                         "as possible! (injected by faceberg hub --fail-rate)");
      break;
    case Fault::kRateLimit: {
      injected = "429";
      std::string after = std::to_string(options.retry_after_seconds);
      res.SetHeader("Retry-After", after);
      res.SetHeader("RateLimit", "\"api\";r=0;t=" + after);
      res.SetHeader("RateLimit-Policy", "\"fixed window\";\"api\";q=500;w=300");
      internal::SetError(&res, 429, "", "Too Many Requests (injected by faceberg hub --fail-rate)");
      break;
    }
    case Fault::kReset:
      injected = "reset";
      if (!ResetConnection(hreq.local_port, hreq.remote_port)) {
        internal::SetError(&res, 500, "", "connection reset (injected; socket not found)");
      }
      break;
  }
  if (fault != Fault::kReset) body.Drain();
  // The request is handled (its write, if any, is done): its answer may still be lost. It is
  // counted before the reset, so a client that sees the reset also sees it in the stats.
  bool dropped = fault == Fault::kNone && RollDrop(req.method, route);
  if (dropped) {
    std::lock_guard<std::mutex> lock(stats_mu);
    ++stats.dropped_responses;
    ++stats.statuses["0"];
  }
  if (dropped && !ResetConnection(hreq.local_port, hreq.remote_port)) {
    dropped = false;  // the socket was not found: answered after all
    std::lock_guard<std::mutex> lock(stats_mu);
    --stats.dropped_responses;
    --stats.statuses["0"];
  }
  bool reset = fault == Fault::kReset || dropped;
  Apply(req, res, hres);
  int status = reset ? 0 : hres.status;
  if (!dropped) {
    std::lock_guard<std::mutex> lock(stats_mu);
    ++stats.statuses[std::to_string(status)];
    if (!injected.empty()) ++stats.injected[injected];
  }
  if (options.log) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - started)
                  .count();
    options.log(req.method + " " + (storage ? "[storage] " : "") + req.path + " " +
                (reset ? std::string("reset") : std::to_string(status)) + " " + std::to_string(ms) +
                "ms" + (injected.empty() ? "" : " (injected)") +
                (dropped ? " (handled, response dropped)" : ""));
  }
}

void LocalHub::Impl::Configure(HttpServer& server, bool storage, int threads) {
  // cpp-httplib takes ownership of the queue it gets from this factory.
  server.new_task_queue = [threads] {
    return new httplib::ThreadPool(static_cast<size_t>(threads));
  };
  server.set_payload_max_length(options.max_body_bytes);
  server.set_keep_alive_max_count(1000);
  server.set_keep_alive_timeout(5);
  server.set_read_timeout(60);
  server.set_write_timeout(60);
  server.set_tcp_nodelay(true);
  // GET and HEAD (no body): served before routing, so no regex runs over the path.
  server.set_pre_routing_handler(
      [this, storage](const httplib::Request& req, httplib::Response& res) {
        if (req.method == "POST" || req.method == "PUT" || req.method == "DELETE") {
          return httplib::Server::HandlerResponse::Unhandled;
        }
        Serve(req, res, nullptr, storage);
        return httplib::Server::HandlerResponse::Handled;
      });
  auto with_body = [this, storage](const httplib::Request& req, httplib::Response& res,
                                   const httplib::ContentReader& reader) {
    Serve(req, res, &reader, storage);
  };
  const std::string any = R"([\s\S]*)";
  server.Post(any, with_body);
  server.Put(any, with_body);
  server.Delete(any, with_body);
  // Errors cpp-httplib answers itself (bad request line, bad Range, 413) get the Hub's shape.
  server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty() || res.has_header("X-Error-Message")) return;
    std::string message = StatusText(res.status);
    res.set_header("X-Error-Message", message);
    OrderedJson body;
    body["error"] = message;
    res.set_content(DumpJson(body), "application/json; charset=utf-8");
  });
  server.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown error";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        HttpResponse error;
        internal::SetError(&error, 500, "", "internal error: " + what);
        res.status = 500;
        res.set_header("X-Error-Message", error.Header("X-Error-Message"));
        res.set_content(error.body, error.content_type);
      });
}

LocalHub::LocalHub(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

LocalHub::~LocalHub() { Stop(); }

Result<std::unique_ptr<LocalHub>> LocalHub::Start(const LocalHubOptions& options) {
  PRECHECK(!options.root.empty(), "the hub needs a root folder (--root DIR)");
  PRECHECK(options.port >= 0 && options.port <= 65535, "port {} is out of range", options.port);
  PRECHECK(options.cdn_port >= 0 && options.cdn_port <= 65535, "CDN port {} is out of range",
           options.cdn_port);
  PRECHECK(options.fail_rate >= 0.0 && options.fail_rate <= 1.0,
           "fail rate must be between 0 and 1, got {}", options.fail_rate);
  PRECHECK(options.drop_response_rate >= 0.0 && options.drop_response_rate <= 1.0,
           "drop response rate must be between 0 and 1, got {}", options.drop_response_rate);
  PRECHECK(options.latency_ms >= 0, "latency must not be negative, got {} ms", options.latency_ms);
  PRECHECK(options.retry_after_seconds >= 0, "Retry-After must not be negative");
  PRECHECK(options.threads >= 1 && options.threads <= 4096, "threads must be 1..4096, got {}",
           options.threads);
  PRECHECK(options.tree_page_size >= 1, "tree page size must be positive");
  PRECHECK(options.lfs_chunk_size >= 1, "LFS chunk size must be positive");
  PRECHECK(options.max_body_bytes >= 1024, "max body size must be at least 1 KiB");

  // A client that hangs up mid-response must not kill the server.
  std::signal(SIGPIPE, SIG_IGN);

  auto impl = std::make_unique<Impl>();
  impl->options = options;
  if (!options.tokens_file.empty()) {
    ASSIGN_OR_RETURN(impl->policy, internal::AccessPolicy::Load(options.tokens_file));
  }
  ASSIGN_OR_RETURN(impl->store, internal::HubStore::Open(options.root));
  internal::ApiOptions api_options;
  api_options.tree_page_size = options.tree_page_size;
  api_options.lfs_chunk_size = options.lfs_chunk_size;
  api_options.max_body_bytes = options.max_body_bytes;
  api_options.redirect_regular_files = options.redirect_regular_files;
  impl->api = std::make_unique<internal::HubApi>(impl->store.get(), &impl->policy, api_options);
  impl->rng.seed(options.seed);
  // A stream of its own, so adding dropped responses leaves the fail-rate faults where they were.
  impl->drop_rng.seed(options.seed ^ 0x9e3779b97f4a7c15ULL);

  impl->Configure(impl->hub_server, /*storage=*/false, options.threads);
  impl->Configure(impl->storage_server, /*storage=*/true, options.threads);

  auto bind = [&](HttpServer& server, int wanted) -> Result<int> {
    int bound = wanted;
    if (wanted == 0) {
      bound = server.bind_to_any_port(options.host);
      if (bound <= 0) return IOError("cannot listen on {} (no free port?)", options.host);
    } else if (!server.bind_to_port(options.host, wanted)) {
      return IOError("cannot listen on {}:{}: the port is in use (pick another with --port)",
                     options.host, wanted);
    }
    ::listen(server.listen_socket(), kListenBacklog);
    return bound;
  };
  ASSIGN_OR_RETURN(impl->port, bind(impl->hub_server, options.port));
  ASSIGN_OR_RETURN(impl->cdn_port, bind(impl->storage_server, options.cdn_port));
  impl->api->set_storage_port(impl->cdn_port);

  impl->hub_thread = std::thread([server = &impl->hub_server] { server->listen_after_bind(); });
  impl->storage_thread =
      std::thread([server = &impl->storage_server] { server->listen_after_bind(); });
  // Stop() is only safe once both accept loops run (cpp-httplib ignores stop() before that).
  for (int i = 0; i < 5000 && !(impl->hub_server.is_running() && impl->storage_server.is_running());
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return std::unique_ptr<LocalHub>(new LocalHub(std::move(impl)));
}

int LocalHub::port() const { return impl_->port; }
int LocalHub::cdn_port() const { return impl_->cdn_port; }

std::string LocalHub::endpoint() const {
  std::string host = impl_->options.host;
  if (host == "0.0.0.0" || host.empty()) host = "127.0.0.1";
  return "http://" + host + ":" + std::to_string(impl_->port);
}

LocalHubStats LocalHub::stats() const {
  std::lock_guard<std::mutex> lock(impl_->stats_mu);
  return impl_->stats;
}

void LocalHub::ResetStats() {
  std::lock_guard<std::mutex> lock(impl_->stats_mu);
  impl_->stats = LocalHubStats();
}

void LocalHub::Stop() {
  std::lock_guard<std::mutex> lock(impl_->stop_mu);
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->hub_server.stop();
  impl_->storage_server.stop();
  // Workers wait up to the keep-alive timeout on idle connections; end those waits now.
  for (int port : {impl_->port, impl_->cdn_port}) {
    ForEachConnection(port, -1, [](int fd) {
      ::shutdown(fd, SHUT_RDWR);
      return true;
    });
  }
  if (impl_->hub_thread.joinable()) impl_->hub_thread.join();
  if (impl_->storage_thread.joinable()) impl_->storage_thread.join();
}

}  // namespace faceberg::hub
