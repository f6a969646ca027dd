#include "cli/context.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace faceberg::cli {

std::string Context::CatalogLocation() const {
  if (!options_.catalog.empty()) return options_.catalog;
  if (const char* env = std::getenv("FACEBERG_CATALOG"); env && *env) return env;
  return ".faceberg";
}

Result<std::unique_ptr<catalog::FileCatalog>> Context::OpenCatalog(bool create) {
  std::string location = CatalogLocation();
  if (location.rfind("sqlite:", 0) == 0 || location.rfind("hf://", 0) == 0) {
    return NotSupported("catalog '{}' is not supported by this build yet; use a folder", location);
  }
  return catalog::FileCatalog::Open(io_, location, create);
}

void Context::PrintJson(const OrderedJson& json) const { std::cout << DumpJson(json, 2) << "\n"; }

void Context::Print(const std::string& line) const {
  if (!options_.quiet) std::cout << line << "\n";
}

}  // namespace faceberg::cli
