#include "cli/context.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "catalog/file_table_operations.h"

namespace faceberg::cli {

std::string Context::CatalogLocation() const {
  if (!options_.catalog.empty()) return options_.catalog;
  if (const char* env = std::getenv("FACEBERG_CATALOG"); env && *env) return env;
  return ".faceberg";
}

Result<std::unique_ptr<catalog::Catalog>> Context::OpenCatalog(bool create) {
  return catalog::OpenCatalog(io_, CatalogLocation(), create, options_.warehouse);
}

Result<LoadedTable> LoadTableOrFile(Context& ctx, const std::string& name) {
  LoadedTable t;
  if (name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0) {
    ASSIGN_OR_RETURN(t.metadata, catalog::ReadMetadataFile(ctx.io(), name));
    return t;
  }
  ASSIGN_OR_RETURN(t.id, catalog::ParseTableIdentifier(name));
  ASSIGN_OR_RETURN(t.catalog, ctx.OpenCatalog());
  ASSIGN_OR_RETURN(t.ops, t.catalog->LoadTable(t.id));
  ASSIGN_OR_RETURN(t.metadata, t.ops->Refresh());
  return t;
}

void Context::PrintJson(const OrderedJson& json) const { std::cout << DumpJson(json, 2) << "\n"; }

void Context::Print(const std::string& line) const {
  if (!options_.quiet) std::cout << line << "\n";
}

}  // namespace faceberg::cli
