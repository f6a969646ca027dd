// faceberg's entry point: parses global options and dispatches to one command. Errors become one
// "error: ..." line on stderr with exit code 1 (2 for usage errors).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <iostream>

#include "cli/context.h"
#include "cli/version.h"
#include "util/strings.h"

namespace faceberg::cli {
namespace {

// Errors are one printable line: messages from libraries (DuckDB's hints, for one) may span
// several, and text echoed from hostile input (names, file names, filters) may hold control
// characters or bytes that are not UTF-8; those are shown as \xNN so they cannot drive the
// terminal or break a reader that expects UTF-8.
std::string OneLine(std::string_view message) {
  std::string out;
  bool space = false;
  size_t i = 0;
  while (i < message.size()) {
    const auto byte = static_cast<unsigned char>(message[i]);
    if (byte == '\n' || byte == '\r') {
      space = !out.empty();
      ++i;
      continue;
    }
    if (space) out += ' ';
    space = false;
    size_t length = byte < 0x80             ? 1
                    : (byte & 0xE0) == 0xC0 ? 2
                    : (byte & 0xF0) == 0xE0 ? 3
                    : (byte & 0xF8) == 0xF0 ? 4
                                            : 0;
    const bool printable = byte >= 0x20 && byte != 0x7F;
    if (length == 0 || !printable ||
        (length > 1 && FindInvalidUtf8(message.substr(i, length)) != std::string_view::npos)) {
      out += fmt::format("\\x{:02x}", byte);
      ++i;
      continue;
    }
    out.append(message.substr(i, length));
    i += length;
  }
  return out;
}

int Run(int argc, char** argv) {
  CLI::App app{
      "faceberg: HuggingFace datasets as Apache Iceberg tables, and an Iceberg table "
      "manager",
      "faceberg"};
  app.set_version_flag("--version", std::string("faceberg ") + FACEBERG_VERSION);
  app.require_subcommand(1);
  // Global options are accepted before or after the command.
  app.fallthrough();
  GlobalOptions options;
  app.add_option("--catalog", options.catalog,
                 "catalog: a folder, sqlite:PATH or hf://datasets/OWNER/REPO (default: "
                 "$FACEBERG_CATALOG, faceberg.yml, .faceberg/)");
  app.add_option("--config", options.config, "the faceberg.yml to read");
  app.add_option("--warehouse", options.warehouse,
                 "data folder of a sqlite: catalog (default: warehouse/ beside the database)");
  app.add_option("--mirror", options.mirror,
                 "local folder of an hf:// catalog (default: $FACEBERG_MIRROR, .faceberg/)");
  app.add_flag("--json", options.json, "print one JSON document on stdout");
  app.add_flag("-v,--verbose", options.verbose, "say more");
  app.add_flag("-q,--quiet", options.quiet, "print only errors");

  std::vector<std::pair<CLI::App*, CommandRunner>> commands;
  RegisterCatalogCommands(app, &commands);
  RegisterTableCommands(app, &commands);
  RegisterQueryCommands(app, &commands);
  RegisterAdminCommands(app, &commands);
  RegisterHubCommands(app, &commands);
  RegisterEvolutionCommands(app, &commands);
  RegisterMirrorCommands(app, &commands);
  RegisterBridgeCommands(app, &commands);
  RegisterServerCommands(app, &commands);
  RegisterGenerateCommands(app, &commands);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string message = e.what();
    // CLI11 reports an unknown command as a missing subcommand or an extra argument; name it.
    for (const auto& arg : app.remaining()) {
      if (!arg.empty() && arg[0] != '-') {
        message = "unknown command '" + arg + "'";
        break;
      }
    }
    std::cerr << "error: " << OneLine(message) << " (run 'faceberg --help' for usage)\n";
    return 2;
  }
  Context context(options);
  for (auto& [sub, run] : commands) {
    if (!sub->parsed()) continue;
    Status st = context.Init();
    if (st.ok()) st = run(context);
    if (!st.ok()) {
      std::cerr << "error: " << OneLine(st.message()) << "\n";
      return st.code() == ErrorCode::kInvalidArgument && st.message().rfind("usage:", 0) == 0 ? 2
                                                                                              : 1;
    }
    return 0;
  }
  std::cerr << "error: no command given (run 'faceberg --help')\n";
  return 2;
}

}  // namespace
}  // namespace faceberg::cli

int main(int argc, char** argv) {
  try {
    return faceberg::cli::Run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "error: internal error: " << e.what() << "\n";
    return 1;
  }
}
