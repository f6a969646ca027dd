#include "catalog/catalog.h"

#include <algorithm>

#include "catalog/file_catalog.h"
#include "catalog/sql_catalog.h"
#include "util/strings.h"

namespace faceberg::catalog {

Result<CommittedTable> Catalog::CommitTableImpl(const TableIdentifier& id,
                                                const std::vector<table::TableRequirement>& reqs,
                                                const std::vector<table::TableUpdate>& updates) {
  const bool create = std::any_of(reqs.begin(), reqs.end(), [](const auto& r) {
    return std::holds_alternative<table::AssertCreate>(r);
  });
  auto ops = LoadTable(id);
  if (ops.ok()) {
    ASSIGN_OR_RETURN(iceberg::TableMetadataPtr md, table::CommitTable(**ops, reqs, updates));
    return CommittedTable{(*ops)->current_metadata_location(), std::move(md)};
  }
  if (ops.status().code() != ErrorCode::kNotFound || !create) return ops.status();
  // NotFound may also mean a listed table whose metadata file is missing: never create over it.
  ASSIGN_OR_RETURN(bool listed, TableExists(id));
  if (listed) return ops.status();
  RETURN_IF_ERROR(table::CheckRequirements(nullptr, reqs));
  ASSIGN_OR_RETURN(iceberg::TableMetadata md,
                   table::ApplyUpdates(table::EmptyTableMetadata(updates), updates));
  auto created = CreateFromMetadata(id, std::move(md));
  if (!created.ok() && created.status().code() == ErrorCode::kAlreadyExists) {
    return Conflict("requirement assert-create failed: {}", created.status().message());
  }
  return created;
}

Result<std::unique_ptr<Catalog>> OpenCatalog(io::FileIO& io, const std::string& uri, bool create,
                                             const std::string& warehouse) {
  if (StartsWith(uri, "sqlite:")) {
    SqlCatalogOptions options;
    options.path = uri.substr(7);
    options.warehouse = warehouse;
    options.create = create;
    ASSIGN_OR_RETURN(auto catalog, SqlCatalog::Open(io, options));
    return std::unique_ptr<Catalog>(std::move(catalog));
  }
  if (uri.find("://") != std::string::npos && !StartsWith(uri, "file://")) {
    return NotSupported("catalog '{}' is not supported here; use a folder or sqlite:PATH", uri);
  }
  ASSIGN_OR_RETURN(auto catalog, FileCatalog::Open(io, io::LocalPath(uri), create));
  return std::unique_ptr<Catalog>(std::move(catalog));
}

}  // namespace faceberg::catalog
