// RestServer: cpp-httplib adapted to RestCatalogService, plus the server lifecycle. The only file
// of the server layer that includes httplib.h.
#include "server/rest_server.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <sys/socket.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>

#include "server/rest_internal.h"
#include "util/strings.h"

namespace faceberg::server {

namespace {

constexpr int kListenBacklog = 1024;

// Exposes the listening socket so the accept backlog can be raised above cpp-httplib's 5.
class HttpServer : public httplib::Server {
 public:
  int listen_socket() const { return static_cast<int>(svr_sock_.load()); }
};

// Writes a service response into cpp-httplib's response.
void Apply(const RestResponse& response, httplib::Response& out) {
  out.status = response.status;
  for (const auto& [name, value] : response.headers) out.set_header(name, value);
  if (!response.body.empty()) out.set_content(response.body, "application/json");
}

}  // namespace

bool IsLoopbackHost(std::string_view host) {
  std::string name(host);
  if (name.size() > 2 && name.front() == '[' && name.back() == ']') {
    name = name.substr(1, name.size() - 2);
  }
  if (ToLower(name) == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, name.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, name.c_str(), &v6) == 1) {
    static const in6_addr kLoopback = IN6ADDR_LOOPBACK_INIT;
    return std::memcmp(&v6, &kLoopback, sizeof(v6)) == 0;
  }
  return false;
}

struct RestServer::Impl {
  RestServerOptions options;
  const RestCatalogService* service = nullptr;
  HttpServer http;
  std::thread accept_thread;
  int port = 0;
  std::mutex stop_mu;
  bool stopped = false;  // guarded by stop_mu

  void Serve(const httplib::Request& hreq, httplib::Response& hres);
  void Configure();
};

void RestServer::Impl::Serve(const httplib::Request& hreq, httplib::Response& hres) {
  const auto started = std::chrono::steady_clock::now();
  RestRequest request;
  request.method = hreq.method;
  std::string_view target = hreq.target;
  request.path = std::string(target.substr(0, target.find('?')));
  for (const auto& [key, value] : hreq.params) request.query.emplace_back(key, value);
  for (const auto& [name, value] : hreq.headers) request.headers.emplace_back(name, value);
  request.body = hreq.body;
  const RestResponse response = service->Handle(request);
  Apply(response, hres);
  if (options.log) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count();
    options.log(fmt::format("{} {} {} {}ms", request.method, request.path, response.status, ms));
  }
}

void RestServer::Impl::Configure() {
  const int threads = options.threads;
  // cpp-httplib takes ownership of the queue it gets from this factory.
  http.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  http.set_payload_max_length(service->options().max_body_bytes);
  http.set_keep_alive_max_count(1000);
  http.set_keep_alive_timeout(options.keep_alive_seconds);
  http.set_read_timeout(60);
  http.set_write_timeout(60);
  http.set_tcp_nodelay(true);
  // Requests without a body are served before routing; the others once cpp-httplib has read the
  // body (refusing one over the limit with a 413 that the error handler below shapes).
  http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    // A body announced larger than the limit is refused before it is read (and the connection
    // closed, since its bytes were not consumed), so a client cannot hold a thread with it.
    if (req.has_header("Content-Length")) {
      const auto length = ParseInt64(req.get_header_value("Content-Length"));
      const uint64_t max = service->options().max_body_bytes;
      if (!length || *length < 0 || static_cast<uint64_t>(*length) > max) {
        RestResponse error = internal::ErrorResponse(
            413, "BadRequestException",
            fmt::format("the request body is larger than the {} bytes this server accepts", max));
        res.status = 413;
        res.set_header("Connection", "close");
        res.set_content(error.body, "application/json");
        return httplib::Server::HandlerResponse::Handled;
      }
    }
    if (req.method == "POST" || req.method == "PUT" || req.method == "DELETE" ||
        req.method == "PATCH") {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    Serve(req, res);
    return httplib::Server::HandlerResponse::Handled;
  });
  auto with_body = [this](const httplib::Request& req, httplib::Response& res) { Serve(req, res); };
  const std::string any = R"([\s\S]*)";
  http.Post(any, with_body);
  http.Put(any, with_body);
  http.Delete(any, with_body);
  http.Patch(any, with_body);
  // Errors cpp-httplib answers itself (a malformed request line, 413) get the REST shape.
  http.set_error_handler([max = service->options().max_body_bytes](const httplib::Request& req,
                                                                   httplib::Response& res) {
    if (!res.body.empty() || req.method == "HEAD") return;
    std::string message = fmt::format("the request was refused with HTTP status {}", res.status);
    if (res.status == 400) message = "malformed HTTP request";
    if (res.status == 413) {
      message =
          fmt::format("the request body is larger than the {} bytes this server accepts", max);
    }
    if (res.status == 414) message = "the request URI is too long";
    RestResponse error = internal::ErrorResponse(
        res.status,
        res.status == 413 || res.status == 400 ? "BadRequestException" : "ServiceFailureException",
        message);
    res.set_content(error.body, "application/json");
  });
  http.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown error";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        RestResponse error =
            internal::ErrorResponse(500, "ServiceFailureException", "internal error: " + what);
        res.status = 500;
        res.set_content(error.body, "application/json");
      });
}

RestServer::RestServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

RestServer::~RestServer() { Stop(); }

Result<std::unique_ptr<RestServer>> RestServer::Start(const RestServerOptions& options,
                                                      const RestCatalogService& service) {
  PRECHECK(!options.host.empty(), "the server needs a host to listen on");
  PRECHECK(options.port >= 0 && options.port <= 65535, "port {} is out of range", options.port);
  PRECHECK(options.threads >= 1 && options.threads <= 4096, "threads must be 1..4096, got {}",
           options.threads);
  PRECHECK(options.keep_alive_seconds >= 1, "the keep-alive timeout must be at least 1 second");
  // A client that hangs up mid-response must not kill the server.
  std::signal(SIGPIPE, SIG_IGN);
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->service = &service;
  impl->Configure();
  std::string host = options.host;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (options.port == 0) {
    impl->port = impl->http.bind_to_any_port(host);
    if (impl->port <= 0) return IOError("cannot listen on {} (no free port?)", options.host);
  } else {
    if (!impl->http.bind_to_port(host, options.port)) {
      return IOError(
          "cannot listen on {}:{}: the port is in use or the address is not this "
          "machine's (pick another with --port / --host)",
          options.host, options.port);
    }
    impl->port = options.port;
  }
  ::listen(impl->http.listen_socket(), kListenBacklog);
  impl->accept_thread = std::thread([http = &impl->http] { http->listen_after_bind(); });
  // Stop() is only safe once the accept loop runs (cpp-httplib ignores stop() before that).
  for (int i = 0; i < 5000 && !impl->http.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return std::unique_ptr<RestServer>(new RestServer(std::move(impl)));
}

int RestServer::port() const { return impl_->port; }

std::string RestServer::endpoint() const {
  std::string host = impl_->options.host;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host == "0.0.0.0" || host == "::") host = "127.0.0.1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(impl_->port);
}

void RestServer::Stop() {
  std::lock_guard<std::mutex> lock(impl_->stop_mu);
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->http.stop();
  if (impl_->accept_thread.joinable()) impl_->accept_thread.join();
}

}  // namespace faceberg::server
