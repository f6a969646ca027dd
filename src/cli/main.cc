#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/version.h"

int main(int argc, char** argv) {
  CLI::App app{"faceberg: HuggingFace datasets as Apache Iceberg tables", "faceberg"};
  app.set_version_flag("--version", std::string("faceberg ") + FACEBERG_VERSION);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return 0;
}
