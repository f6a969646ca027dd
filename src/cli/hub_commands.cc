// hub serve: the local HF-compatible hub over a folder, until SIGINT or SIGTERM.
#include <iostream>
#include <memory>

#include "cli/context.h"
#include "cli/foreground.h"
#include "hub/local_hub.h"

namespace faceberg::cli {

namespace {

struct ServeArgs {
  hub::LocalHubOptions options;
  double max_body_mb = 1024;
  double lfs_chunk_mb = 16;
  bool no_resolve_redirect = false;
};

Status RunServe(Context& ctx, ServeArgs args) {
  hub::LocalHubOptions options = args.options;
  PRECHECK(args.max_body_mb > 0, "--max-body-mb must be positive");
  PRECHECK(args.lfs_chunk_mb > 0, "--lfs-chunk-mb must be positive");
  options.max_body_bytes = static_cast<uint64_t>(args.max_body_mb * 1024 * 1024);
  options.lfs_chunk_size = static_cast<uint64_t>(args.lfs_chunk_mb * 1024 * 1024);
  options.redirect_regular_files = !args.no_resolve_redirect;
  if (ctx.options().verbose) {
    options.log = StderrLineLogger();
  }
  // Before any server thread exists, so that only stop.Wait() below sees the signals.
  StopSignals stop;

  auto started = hub::LocalHub::Start(options);
  if (!started.ok()) {
    return started.status();
  }
  std::unique_ptr<hub::LocalHub> server = std::move(started).value();
  // The first stdout line, always: scripts wait for it to learn the endpoint.
  std::cout << "serving " << server->endpoint() << std::endl;
  if (!ctx.options().quiet) {
    std::cerr << "faceberg hub: repos under " << options.root << "/datasets/OWNER/NAME, storage "
              << "origin on port " << server->cdn_port() << "; stop with Ctrl-C\n";
  }
  stop.Wait();
  server->Stop();
  return Status::OK();
}

}  // namespace

void RegisterHubCommands(CLI::App& app, std::vector<std::pair<CLI::App*, CommandRunner>>* out) {
  auto* group = app.add_subcommand("hub", "a local HF-compatible hub (offline tests, benchmarks)");
  group->require_subcommand(1);
  auto* serve = group->add_subcommand(
      "serve", "serve dataset repos from ROOT/datasets/OWNER/NAME with the Hugging Face Hub API");
  auto args = std::make_shared<ServeArgs>();
  hub::LocalHubOptions& o = args->options;
  serve->add_option("--root", o.root, "folder holding datasets/OWNER/NAME/ repos")->required();
  serve->add_option("--host", o.host, "address to listen on")->capture_default_str();
  serve->add_option("--port", o.port, "hub port (0: pick a free one)")->capture_default_str();
  serve
      ->add_option("--cdn-port", o.cdn_port,
                   "port of the storage origin LFS downloads redirect to (0: pick a free one)")
      ->capture_default_str();
  serve->add_option("--latency-ms", o.latency_ms, "delay added to every request")
      ->capture_default_str();
  serve
      ->add_option("--fail-rate", o.fail_rate,
                   "fraction of requests answered with a 500, a 429 or a connection reset")
      ->capture_default_str();
  serve
      ->add_option("--drop-response-rate", o.drop_response_rate,
                   "fraction of POST/PUT/DELETE requests handled, then answered with a connection "
                   "reset (the write happened, the answer is lost)")
      ->capture_default_str();
  serve->add_option("--seed", o.seed, "seed of the injected faults")->capture_default_str();
  serve->add_option("--retry-after", o.retry_after_seconds, "Retry-After seconds of injected 429s")
      ->capture_default_str();
  serve->add_option("--tokens", o.tokens_file,
                    "JSON file of tokens, private and gated repos (default: an open hub)");
  serve->add_option("--threads", o.threads, "worker threads")->capture_default_str();
  serve->add_option("--max-body-mb", args->max_body_mb, "largest request body accepted (MiB)")
      ->capture_default_str();
  serve->add_option("--tree-page-size", o.tree_page_size, "tree entries per page")
      ->capture_default_str();
  serve
      ->add_option("--lfs-chunk-mb", args->lfs_chunk_mb, "part size of multipart LFS uploads (MiB)")
      ->capture_default_str();
  serve->add_flag("--no-resolve-redirect", args->no_resolve_redirect,
                  "serve regular files from resolve directly instead of a 307 to resolve-cache");
  serve->footer(
      "Example: faceberg hub serve --root ./hub --port 0\n"
      "  prints 'serving http://127.0.0.1:PORT' first; use it as HF_ENDPOINT.\n"
      "  ROOT/datasets/OWNER/NAME/.refs/convert/parquet/ holds the refs/convert/parquet branch.");
  out->emplace_back(serve, [args](Context& ctx) { return RunServe(ctx, *args); });
}

}  // namespace faceberg::cli
