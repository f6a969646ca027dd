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

Result<std::string> Catalog::LocationForNewTable(const TableIdentifier& id) {
  return NotSupported("catalog '{}' cannot tell where table '{}' would be created", name(),
                      id.ToString());
}

namespace {

// "hf://datasets/OWNER/REPO" without a trailing '/', when `uri` names a repository in that form
// (no revision, no path). Only the shape is checked here; the hub layer validates the names.
Result<std::string> HfCatalogRoot(const std::string& uri) {
  constexpr std::string_view kPrefix = "hf://datasets/";
  std::string root = uri;
  while (EndsWith(root, "/")) root.pop_back();
  std::vector<std::string> parts = StartsWith(root, kPrefix)
                                       ? Split(root.substr(kPrefix.size()), '/')
                                       : std::vector<std::string>{};
  bool ok = parts.size() == 2 && root.find('@') == std::string::npos;
  for (const auto& part : parts) ok = ok && !part.empty() && part != "." && part != "..";
  if (!ok) {
    return InvalidArgument(
        "catalog '{}': an hf:// catalog is hf://datasets/OWNER/REPO (no @REVISION, no path)", uri);
  }
  return root;
}

}  // namespace

Result<std::unique_ptr<Catalog>> OpenCatalog(io::FileIO& io, const std::string& uri,
                                             const OpenCatalogOptions& options) {
  if (StartsWith(uri, "sqlite:")) {
    SqlCatalogOptions sql;
    sql.path = uri.substr(7);
    sql.warehouse = options.warehouse;
    sql.create = options.create;
    ASSIGN_OR_RETURN(auto catalog, SqlCatalog::Open(io, sql));
    return std::unique_ptr<Catalog>(std::move(catalog));
  }
  FileCatalogOptions file;
  file.create = options.create;
  if (StartsWith(uri, "hf://")) {
    ASSIGN_OR_RETURN(file.public_root, HfCatalogRoot(uri));
    file.root = options.mirror.empty() ? kDefaultCatalogFolder : options.mirror;
  } else if (uri.find("://") != std::string::npos && !StartsWith(uri, "file://")) {
    return NotSupported(
        "catalog '{}' is not supported here; use a folder, sqlite:PATH or hf://datasets/OWNER/REPO",
        uri);
  } else {
    file.root = io::LocalPath(uri);
  }
  ASSIGN_OR_RETURN(auto catalog, FileCatalog::Open(io, std::move(file)));
  return std::unique_ptr<Catalog>(std::move(catalog));
}

Result<std::unique_ptr<Catalog>> OpenCatalog(io::FileIO& io, const std::string& uri, bool create,
                                             const std::string& warehouse) {
  OpenCatalogOptions options;
  options.create = create;
  options.warehouse = warehouse;
  return OpenCatalog(io, uri, options);
}

}  // namespace faceberg::catalog
