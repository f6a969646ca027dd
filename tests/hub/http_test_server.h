// A tiny httplib server on 127.0.0.1 and an ephemeral port, run on a background thread, for
// tests of the HTTP client's own behaviour (retries, redirects, limits, concurrency).
#pragma once

#include <httplib.h>

#include <chrono>
#include <string>
#include <thread>

namespace faceberg::testing {

class HttpTestServer {
 public:
  HttpTestServer() = default;
  ~HttpTestServer() { Stop(); }
  HttpTestServer(const HttpTestServer&) = delete;
  HttpTestServer& operator=(const HttpTestServer&) = delete;

  /// Register handlers on this before Start().
  httplib::Server& server() { return server_; }

  /// Binds 127.0.0.1 on a free port and serves on a thread. Returns false on failure.
  bool Start() {
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) return false;
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 500 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return server_.is_running();
  }

  void Stop() {
    if (thread_.joinable()) {
      server_.stop();
      thread_.join();
    }
  }

  int port() const { return port_; }
  /// "http://127.0.0.1:PORT".
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }
  /// The same server under another origin ("http://localhost:PORT").
  std::string other_origin_base() const { return "http://localhost:" + std::to_string(port_); }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace faceberg::testing
