// serve: the Iceberg REST catalog server over the configured catalog, until SIGINT or SIGTERM.
#include <iostream>
#include <memory>

#include "cli/context.h"
#include "cli/foreground.h"
#include "server/bearer_tokens.h"
#include "server/rest_server.h"
#include "server/rest_service.h"

namespace faceberg::cli {

namespace {

struct ServeArgs {
  server::RestServerOptions http;
  std::string token_file;
  bool read_only = false;
  std::string prefix;
  double max_body_mb = 64;
};

Status RunServe(Context& ctx, ServeArgs args) {
  PRECHECK(args.max_body_mb > 0, "--max-body-mb must be positive");
  server::RestServiceOptions service_options;
  service_options.prefix = args.prefix;
  service_options.read_only = args.read_only;
  service_options.max_body_bytes = static_cast<uint64_t>(args.max_body_mb * 1024 * 1024);
  if (!args.token_file.empty()) {
    ASSIGN_OR_RETURN(server::BearerTokens tokens, server::BearerTokens::Load(args.token_file));
    service_options.tokens = std::make_shared<const server::BearerTokens>(std::move(tokens));
  } else if (!server::IsLoopbackHost(args.http.host)) {
    return InvalidArgument(
        "refusing to serve the catalog on {} without --token-file: anyone who can reach it could "
        "change the catalog; pass --token-file FILE (one token per line) or keep --host 127.0.0.1",
        args.http.host);
  }
  ASSIGN_OR_RETURN(auto catalog, ctx.OpenCatalog());
  ASSIGN_OR_RETURN(auto service, server::RestCatalogService::Make(*catalog, service_options));
  if (ctx.options().verbose) {
    args.http.log = StderrLineLogger();
  }
  // Before any server thread exists, so that only stop.Wait() below sees the signals.
  StopSignals stop;
  auto started = server::RestServer::Start(args.http, *service);
  if (!started.ok()) {
    return started.status();
  }
  std::unique_ptr<server::RestServer> rest = std::move(started).value();
  // The first stdout line, always: scripts and tests wait for it to learn the endpoint.
  std::cout << "serving " << rest->endpoint() << std::endl;
  if (!ctx.options().quiet) {
    std::cerr << "faceberg serve: Iceberg REST catalog over " << ctx.CatalogLocation();
    if (!args.prefix.empty()) std::cerr << " (prefix " << args.prefix << ")";
    if (args.read_only) std::cerr << ", read-only";
    std::cerr << "; stop with Ctrl-C\n";
    if (service_options.tokens == nullptr) {
      std::cerr << "faceberg serve: no --token-file, so there is no authentication and only "
                   "this machine can connect ("
                << args.http.host << ")\n";
    }
  }
  stop.Wait();
  rest->Stop();
  return Status::OK();
}

}  // namespace

void RegisterServerCommands(CLI::App& app, std::vector<std::pair<CLI::App*, CommandRunner>>* out) {
  auto* serve = app.add_subcommand(
      "serve",
      "serve the catalog with the Iceberg REST protocol (PyIceberg, DuckDB, Spark, Trino)");
  auto args = std::make_shared<ServeArgs>();
  serve->add_option("--host", args->http.host, "address to listen on")->capture_default_str();
  serve->add_option("--port", args->http.port, "port (0: pick a free one)")->capture_default_str();
  serve->add_option("--token-file", args->token_file,
                    "file of accepted bearer tokens, one per line ('#' comments); required to "
                    "listen beyond this machine");
  serve->add_flag("--read-only", args->read_only, "refuse every change with 403");
  serve->add_option("--prefix", args->prefix,
                    "path part after /v1/ of every route (advertised by /v1/config)");
  serve->add_option("--threads", args->http.threads, "worker threads (one per open connection)")
      ->capture_default_str();
  serve->add_option("--max-body-mb", args->max_body_mb, "largest request body accepted (MiB)")
      ->capture_default_str();
  serve->footer(
      "Example: faceberg serve --port 8181\n"
      "  prints 'serving http://127.0.0.1:8181' first. PyIceberg: load_catalog('x', type='rest',\n"
      "  uri='http://127.0.0.1:8181'); DuckDB: ATTACH '' AS x (TYPE ICEBERG, ENDPOINT\n"
      "  'http://127.0.0.1:8181', AUTHORIZATION_TYPE 'none').");
  out->emplace_back(serve, [args](Context& ctx) { return RunServe(ctx, *args); });
}

}  // namespace faceberg::cli
