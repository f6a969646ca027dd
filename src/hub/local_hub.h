// The local HF-compatible hub: serves dataset repos from a folder with the HuggingFace Hub's HTTP
// API (dataset info, tree, paths-info, refs, commits, resolve with Range, create repo, preupload,
// Git LFS upload, NDJSON commits), so faceberg and the official huggingface_hub client work and
// are tested offline. Latency and fault injection make it a test and benchmark fixture.
//
// Storage: ROOT/datasets/OWNER/NAME/ folders are dataset repos (their files are `main`);
// ROOT/datasets/OWNER/NAME/.refs/convert/parquet/ holds refs/convert/parquet (likewise
// .refs/pr/N/ and .refs/heads/BRANCH/). History, blobs and refs are kept under
// ROOT/.faceberg-hub/ (see local_hub_store_internal.h), so a restart keeps every commit.
//
// Two origins are served: the hub (endpoint()) and a storage origin on cdn_port() playing the CDN
// that LFS downloads redirect to (302, like the Hub) and the presigned LFS upload target.
//
// Test hooks on the hub origin (never subject to injected faults):
//   GET  /_faceberg/stats        {"total", "routes": {"tree": 3, ...}, "requests": {"GET tree": 3},
//                                 "statuses": {"200": 3}, "injected": {"500": 0, "429": 0,
//                                 "reset": 0}, "dropped_responses": 0}
//   POST /_faceberg/stats/reset  zeroes the counters (also DELETE /_faceberg/stats)
//
// Thread safety: a LocalHub serves many clients at once (a thread pool); its methods may be called
// from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "util/result.h"

namespace faceberg::hub {

struct LocalHubOptions {
  /// The folder holding datasets/OWNER/NAME/ (required; must exist).
  std::string root;
  /// Address to listen on. Only loopback is sensible: the hub has no TLS.
  std::string host = "127.0.0.1";
  /// Hub port; 0 picks a free one (see LocalHub::port()).
  int port = 8090;
  /// Storage ("CDN") origin port; 0 picks a free one.
  int cdn_port = 0;
  /// Added to every request before it is answered.
  int latency_ms = 0;
  /// Fraction of requests (0..1) answered with an injected fault: a 500, a 429 with Retry-After,
  /// or a connection reset, in equal shares. Deterministic for a given seed and request order.
  double fail_rate = 0.0;
  /// Fraction of state-changing requests (POST, PUT, DELETE on either origin: commit,
  /// preupload, LFS batch/upload/verify, create repo, ...; not the read-only POSTs paths-info and
  /// validate-yaml) that are fully handled, then answered
  /// with a connection reset instead of their response: the write happened, the client never
  /// learns it. Drawn from its own generator (seeded by `seed`), so it does not move the faults
  /// of fail_rate. Requests that got an injected fault are not dropped.
  double drop_response_rate = 0.0;
  /// Seed of both fault generators.
  uint64_t seed = 0;
  /// Retry-After seconds of injected 429s.
  int retry_after_seconds = 1;
  /// The --tokens file (see local_hub_auth_internal.h); empty means an open hub.
  std::string tokens_file;
  /// Worker threads of the hub and, as many again, of the storage origin. Each serves one
  /// connection at a time and an idle keep-alive connection holds its thread for 5 s, so give
  /// at least as many as clients keep connections open (faceberg keeps up to 96).
  int threads = 128;
  /// Largest request body accepted; larger ones get a clean 413.
  uint64_t max_body_bytes = uint64_t{1} << 30;
  /// Tree entries per page (the Hub uses 1000; 50 when expand=true). Small values test paging.
  int tree_page_size = 1000;
  /// Part size of multipart LFS uploads; objects above it are uploaded in parts.
  uint64_t lfs_chunk_size = uint64_t{16} << 20;
  /// Answer resolve of regular files with a 307 to /api/resolve-cache/... as the Hub does.
  bool redirect_regular_files = true;
  /// Receives one line per request ("GET /api/datasets/o/n 200 3ms"); never headers or tokens.
  std::function<void(std::string_view)> log;
};

struct LocalHubStats {
  int64_t total = 0;
  std::map<std::string, int64_t> routes;    // route name -> count ("resolve", "tree", ...)
  std::map<std::string, int64_t> requests;  // "METHOD route" -> count ("HEAD resolve")
  std::map<std::string, int64_t> statuses;  // "200" -> count
  std::map<std::string, int64_t> injected;  // "500", "429", "reset" -> count
  int64_t dropped_responses = 0;            // handled, then reset (drop_response_rate)
};

class LocalHub {
 public:
  /// Opens the store (importing folders), binds both ports and starts serving.
  /// Errors: InvalidArgument for bad options; NotFound when root is missing; Corrupt for a bad
  /// tokens file or state; IOError when a port cannot be bound.
  static Result<std::unique_ptr<LocalHub>> Start(const LocalHubOptions& options);
  /// Stops serving.
  ~LocalHub();
  LocalHub(const LocalHub&) = delete;
  LocalHub& operator=(const LocalHub&) = delete;

  int port() const;
  int cdn_port() const;
  /// "http://127.0.0.1:PORT": the value for HF_ENDPOINT.
  std::string endpoint() const;
  LocalHubStats stats() const;
  void ResetStats();
  /// Stops accepting and waits for the workers. Idempotent.
  void Stop();

 private:
  struct Impl;
  explicit LocalHub(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// The JSON form of stats (as served at /_faceberg/stats).
std::string StatsToJson(const LocalHubStats& stats);

}  // namespace faceberg::hub
