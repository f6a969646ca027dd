// RestServer: a RestCatalogService served over HTTP/1.1 by cpp-httplib (a pool of worker threads,
// keep-alive connections). The only file of this layer that includes httplib.h is
// rest_server.cc.
//
// Each worker serves one connection at a time and an idle keep-alive connection holds its worker
// until keep_alive_seconds pass, so give at least as many threads as clients keep connections
// open. Bodies above the service's max_body_bytes are refused with a 413 before they are read
// whole; whatever goes wrong with one request, the server keeps serving.
//
// Thread safety: Stop() and the accessors may be called from any thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "server/rest_service.h"
#include "util/result.h"

namespace faceberg::server {

struct RestServerOptions {
  /// Address to listen on ("127.0.0.1", "::1", "0.0.0.0", a host name).
  std::string host = "127.0.0.1";
  /// 0 picks a free port (see RestServer::port()).
  int port = 8181;
  /// Worker threads (each serves one connection at a time).
  int threads = 64;
  /// How long an idle keep-alive connection is kept open.
  int keep_alive_seconds = 2;
  /// Receives one line per request: "GET /v1/namespaces 200 3ms". Never headers, never a
  /// query, never a token. Called from worker threads.
  std::function<void(std::string_view)> log;
};

class RestServer {
 public:
  /// Binds and starts serving `service`, which must outlive the server.
  /// Errors: InvalidArgument for bad options; IOError when the address cannot be bound.
  static Result<std::unique_ptr<RestServer>> Start(const RestServerOptions& options,
                                                   const RestCatalogService& service);
  /// Stops serving (see Stop()).
  ~RestServer();
  RestServer(const RestServer&) = delete;
  RestServer& operator=(const RestServer&) = delete;

  int port() const;
  /// "http://HOST:PORT" clients use: a wildcard host is given as 127.0.0.1, an IPv6 address in
  /// brackets.
  std::string endpoint() const;
  /// Stops accepting connections and waits for the workers (a worker holding an idle
  /// keep-alive connection ends within keep_alive_seconds). Idempotent.
  void Stop();

 private:
  struct Impl;
  explicit RestServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// True for addresses that only this machine can reach: 127.0.0.0/8, ::1 and "localhost".
bool IsLoopbackHost(std::string_view host);

}  // namespace faceberg::server
