// RestCatalogService: the table endpoints (list, create and stage-create, register, load, exists,
// commit, drop, metrics, rename) and multi-table transactions.
#include <algorithm>
#include <filesystem>
#include <set>

#include "bridge/properties.h"
#include "hub/hf_api.h"
#include "hub/hf_uri.h"
#include "iceberg/partition_spec.h"
#include "iceberg/schema.h"
#include "iceberg/sort_order.h"
#include "io/file_io.h"
#include "server/rest_internal.h"
#include "server/rest_service.h"
#include "table/update.h"
#include "util/failpoint.h"
#include "util/strings.h"

namespace faceberg::server {

using catalog::TableIdentifier;
using internal::AsBadRequest;
using internal::ErrorContext;
using internal::ErrorResponse;
using internal::StatusResponse;

namespace {

constexpr std::string_view kSnapshotsAll = "all";
constexpr std::string_view kSnapshotsRefs = "refs";

// The member `key` of `body`, or null when absent.
const Json* Member(const Json& body, std::string_view key) {
  auto it = body.find(key);
  return it == body.end() ? nullptr : &*it;
}

Result<std::string> RequiredStringMember(const Json& body, std::string_view key) {
  const Json* value = Member(body, key);
  PRECHECK(value != nullptr && value->is_string() && !value->get_ref<const std::string&>().empty(),
           "the request needs a non-empty string \"{}\"", key);
  return value->get<std::string>();
}

Result<bool> OptionalBoolMember(const Json& body, std::string_view key) {
  const Json* value = Member(body, key);
  if (value == nullptr || value->is_null()) return false;
  PRECHECK(value->is_boolean(), "\"{}\" must be true or false", key);
  return value->get<bool>();
}

// The metadata a CreateTableRequest describes (the REST spec's CreateTableRequest), with the
// location left as the request gives it (empty = the catalog's default).
struct CreateRequest {
  TableIdentifier id;
  catalog::CreateTableOptions options;
  bool stage = false;
};

Result<CreateRequest> ParseCreateRequest(const Json& body, const std::string& ns) {
  CreateRequest out;
  out.id.ns = ns;
  ASSIGN_OR_RETURN(out.id.name, RequiredStringMember(body, "name"));
  RETURN_IF_ERROR(catalog::ValidateTableIdentifier(out.id));
  const Json* schema = Member(body, "schema");
  PRECHECK(schema != nullptr && schema->is_object(), "the request needs a \"schema\" object");
  auto parsed_schema = iceberg::SchemaFromJson(*schema);
  if (!parsed_schema.ok()) return AsBadRequest(parsed_schema.status());
  RETURN_IF_ERROR((*parsed_schema)->Validate());
  out.options.schema = *parsed_schema;
  if (const Json* spec = Member(body, "partition-spec"); spec != nullptr && !spec->is_null()) {
    auto parsed = iceberg::PartitionSpecFromJson(*spec);
    if (!parsed.ok()) return AsBadRequest(parsed.status());
    // A new table's only spec is spec 0, whatever id the request gave.
    parsed->spec_id = 0;
    out.options.spec = std::make_shared<const iceberg::PartitionSpec>(std::move(*parsed));
  }
  if (const Json* order = Member(body, "write-order"); order != nullptr && !order->is_null()) {
    auto parsed = iceberg::SortOrderFromJson(*order);
    if (!parsed.ok()) return AsBadRequest(parsed.status());
    if (!parsed->IsUnsorted()) {
      out.options.sort_order = std::make_shared<const iceberg::SortOrder>(std::move(*parsed));
    }
  }
  if (const Json* location = Member(body, "location");
      location != nullptr && !location->is_null()) {
    PRECHECK(location->is_string(), "\"location\" must be a string");
    out.options.location = location->get<std::string>();
    RETURN_IF_ERROR(io::ValidateTableLocation(out.options.location));
  }
  ASSIGN_OR_RETURN(out.options.properties,
                   internal::StringMapFromJson(Member(body, "properties"), "\"properties\""));
  // format-version is a reserved property: it picks the table's format and is not stored.
  if (auto it = out.options.properties.find("format-version"); it != out.options.properties.end()) {
    auto version = ParseInt64(it->second);
    PRECHECK(version && *version >= 1 && *version <= iceberg::kMaxFormatVersion,
             "format-version {} is not supported: use 1 or 2", it->second);
    out.options.format_version = static_cast<int>(*version);
    out.options.properties.erase(it);
  }
  ASSIGN_OR_RETURN(out.stage, OptionalBoolMember(body, "stage-create"));
  out.options.create_namespace = false;
  return out;
}

// Only the snapshots a ref points at (snapshots=refs).
iceberg::TableMetadata WithRefSnapshotsOnly(const iceberg::TableMetadata& metadata) {
  iceberg::TableMetadata out = metadata;
  std::set<int64_t> referenced;
  for (const auto& [name, ref] : metadata.refs) referenced.insert(ref.snapshot_id);
  if (metadata.current_snapshot_id) referenced.insert(*metadata.current_snapshot_id);
  std::erase_if(out.snapshots,
                [&](const iceberg::Snapshot& s) { return !referenced.count(s.snapshot_id); });
  return out;
}

// Clients read the metadata file themselves, from another working folder: a relative local
// path (a catalog opened as "./cat") is made absolute.
std::string ClientLocation(const std::string& location) {
  if (location.empty() || location.find("://") != std::string::npos || location[0] == '/') {
    return location;
  }
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(location, ec);
  return ec ? location : absolute.lexically_normal().string();
}

std::string ETagOf(std::string_view metadata_location, std::string_view snapshots_mode) {
  return "\"" +
         hub::Sha256Hex(std::string(snapshots_mode) + "\n" + std::string(metadata_location))
             .substr(0, 32) +
         "\"";
}

// True when an If-None-Match value names `etag` (or is "*").
bool MatchesETag(std::string_view if_none_match, const std::string& etag) {
  for (const std::string& part : Split(if_none_match, ',')) {
    std::string_view candidate = Trim(part);
    if (candidate == "*") return true;
    if (StartsWith(candidate, "W/")) candidate.remove_prefix(2);
    if (candidate == etag) return true;
  }
  return false;
}

// One table's change of a CommitTransactionRequest (or of a CommitTableRequest).
struct TableChange {
  TableIdentifier id;
  std::vector<table::TableRequirement> requirements;
  std::vector<table::TableUpdate> updates;
};

Result<TableChange> ParseTableChange(const Json& json, std::string_view what) {
  PRECHECK(json.is_object(), "{} must be an object", what);
  TableChange change;
  const Json* requirements = Member(json, "requirements");
  const Json* updates = Member(json, "updates");
  PRECHECK(requirements != nullptr, "{} needs \"requirements\" (an array, maybe empty)", what);
  PRECHECK(updates != nullptr, "{} needs \"updates\" (an array, maybe empty)", what);
  auto parsed_requirements = table::TableRequirementsFromJson(*requirements);
  if (!parsed_requirements.ok()) return AsBadRequest(parsed_requirements.status());
  auto parsed_updates = table::TableUpdatesFromJson(*updates);
  if (!parsed_updates.ok()) return AsBadRequest(parsed_updates.status());
  change.requirements = std::move(*parsed_requirements);
  change.updates = std::move(*parsed_updates);
  return change;
}

bool HasAssertCreate(const std::vector<table::TableRequirement>& requirements) {
  return std::any_of(requirements.begin(), requirements.end(),
                     [](const auto& r) { return std::holds_alternative<table::AssertCreate>(r); });
}

}  // namespace

RestResponse RestCatalogService::TableError(const TableIdentifier& id, const Status& status,
                                            bool commit) const {
  if (status.code() == ErrorCode::kNotFound) {
    auto ns_exists = catalog_.NamespaceExists(id.ns);
    if (ns_exists.ok() && !*ns_exists) {
      return ErrorResponse(404, "NoSuchNamespaceException",
                           fmt::format("namespace '{}' does not exist: create it first", id.ns));
    }
  }
  return StatusResponse(status, commit ? ErrorContext::kCommit : ErrorContext::kTable);
}

std::string RestCatalogService::TableConfigJson(const iceberg::TableMetadata& metadata) const {
  bool hf_files =
      metadata.properties.count(bridge::kRepoProperty) > 0 || hub::IsHfUri(metadata.location);
  if (const iceberg::Snapshot* current = metadata.CurrentSnapshot()) {
    hf_files = hf_files || hub::IsHfUri(current->manifest_list);
  }
  OrderedJson config = OrderedJson::object();
  if (hf_files) {
    // What a client needs to read hf:// files anonymously (public datasets); a private dataset
    // needs the client's own HF token, which this server never hands out.
    config["hf.endpoint"] = options_.hf_endpoint;
    config["py-io-impl"] = "pyiceberg.io.fsspec.FsspecFileIO";
  }
  return DumpJson(config);
}

RestResponse RestCatalogService::TableResult(const catalog::CommittedTable& table, bool with_config,
                                             std::string_view snapshots_mode) const {
  const iceberg::TableMetadata& metadata = *table.metadata;
  std::string metadata_json = snapshots_mode == kSnapshotsRefs
                                  ? iceberg::TableMetadataToJson(WithRefSnapshotsOnly(metadata), -1)
                                  : iceberg::TableMetadataToJson(metadata, -1);
  std::string body = "{";
  if (!table.metadata_location.empty()) {
    body +=
        "\"metadata-location\":" + DumpJson(Json(ClientLocation(table.metadata_location))) + ",";
  }
  body += "\"metadata\":" + metadata_json;
  if (with_config) body += ",\"config\":" + TableConfigJson(metadata);
  body += "}";
  RestResponse response = internal::RawJsonResponse(200, std::move(body));
  if (!table.metadata_location.empty()) {
    response.headers.emplace_back("ETag", ETagOf(table.metadata_location, snapshots_mode));
  }
  return response;
}

RestResponse RestCatalogService::CreateTable(const Call& call, const std::string& ns) const {
  auto body = internal::ParseJsonBody(call.request, options_.max_json_depth);
  if (!body.ok()) return StatusResponse(body.status(), ErrorContext::kTable);
  auto request = ParseCreateRequest(*body, ns);
  if (!request.ok()) return StatusResponse(request.status(), ErrorContext::kTable);
  const TableIdentifier& id = request->id;
  if (request->stage) {
    // No metadata is written: the client commits the table later with assert-create and updates
    // that rebuild this metadata (location included).
    auto ns_exists = catalog_.NamespaceExists(ns);
    if (!ns_exists.ok()) return StatusResponse(ns_exists.status(), ErrorContext::kNamespace);
    if (!*ns_exists) {
      return ErrorResponse(404, "NoSuchNamespaceException",
                           fmt::format("namespace '{}' does not exist: create it first", ns));
    }
    auto exists = catalog_.TableExists(id);
    if (!exists.ok()) return TableError(id, exists.status());
    if (*exists) {
      return ErrorResponse(409, "AlreadyExistsException",
                           fmt::format("table '{}' already exists", id.ToString()));
    }
    iceberg::NewTableOptions options;
    options.location = request->options.location;
    const bool default_location = options.location.empty();
    if (default_location) {
      auto location = catalog_.LocationForNewTable(id);
      if (!location.ok()) return TableError(id, location.status());
      options.location = *location;
    }
    options.schema = request->options.schema;
    options.spec = request->options.spec;
    options.sort_order = request->options.sort_order;
    options.properties = request->options.properties;
    options.format_version = request->options.format_version;
    auto metadata = iceberg::NewTableMetadata(options);
    if (!metadata.ok()) return StatusResponse(metadata.status(), ErrorContext::kTable);
    // Clients write data files and manifests under the staged location before the commit that
    // creates the table, and DuckDB does not create missing folders: prepare the (empty) folder
    // of a local default location and its metadata folder (never one a client named). They hold
    // no metadata file, so they never count as a table.
    if (default_location && (options.location.find("://") == std::string::npos ||
                             StartsWith(options.location, "file://"))) {
      std::error_code ec;
      std::filesystem::create_directories(
          std::filesystem::path(io::LocalPath(options.location)) / "metadata", ec);
    }
    catalog::CommittedTable staged{
        "", std::make_shared<const iceberg::TableMetadata>(std::move(*metadata))};
    return TableResult(staged, /*with_config=*/true, kSnapshotsAll);
  }
  auto created = catalog_.CreateTable(id, request->options);
  if (!created.ok()) return TableError(id, created.status());
  return LoadTable(call, id);
}

RestResponse RestCatalogService::RegisterTable(const Call& call, const std::string& ns) const {
  auto body = internal::ParseJsonBody(call.request, options_.max_json_depth);
  if (!body.ok()) return StatusResponse(body.status(), ErrorContext::kTable);
  auto name = RequiredStringMember(*body, "name");
  if (!name.ok()) return StatusResponse(name.status(), ErrorContext::kTable);
  auto metadata_location = RequiredStringMember(*body, "metadata-location");
  if (!metadata_location.ok()) {
    return StatusResponse(metadata_location.status(), ErrorContext::kTable);
  }
  auto overwrite = OptionalBoolMember(*body, "overwrite");
  if (!overwrite.ok()) return StatusResponse(overwrite.status(), ErrorContext::kTable);
  const TableIdentifier id{ns, *name};
  if (Status valid = catalog::ValidateTableIdentifier(id); !valid.ok()) {
    return StatusResponse(valid, ErrorContext::kTable);
  }
  if (*overwrite) {
    auto exists = catalog_.TableExists(id);
    if (!exists.ok()) return TableError(id, exists.status());
    if (*exists) {
      return ErrorResponse(406, "UnsupportedOperationException",
                           fmt::format("register with overwrite of the existing table '{}' is not "
                                       "supported: drop it first (without purge), then register",
                                       id.ToString()));
    }
  }
  auto registered = catalog_.RegisterTable(id, *metadata_location);
  if (!registered.ok()) {
    if (registered.status().code() == ErrorCode::kNotFound) {
      auto ns_exists = catalog_.NamespaceExists(ns);
      if (ns_exists.ok() && *ns_exists) {
        // The namespace is there, so what is missing is the metadata file: a bad request.
        return ErrorResponse(400, "BadRequestException", registered.status().message());
      }
    }
    if (registered.status().code() == ErrorCode::kCorrupt) {
      return ErrorResponse(400, "BadRequestException", registered.status().message());
    }
    return TableError(id, registered.status());
  }
  return LoadTable(call, id);
}

RestResponse RestCatalogService::LoadTable(const Call& call, const TableIdentifier& id) const {
  std::string mode(kSnapshotsAll);
  if (auto requested = call.request.Query("snapshots"); requested && !requested->empty()) {
    if (*requested != kSnapshotsAll && *requested != kSnapshotsRefs) {
      return ErrorResponse(400, "BadRequestException",
                           fmt::format("snapshots={} is not valid: use all or refs", *requested));
    }
    mode = *requested;
  }
  auto ops = catalog_.LoadTable(id);
  if (!ops.ok()) return TableError(id, ops.status());
  // The location is read after this refresh, so the two always belong together.
  auto metadata = (*ops)->Refresh();
  if (!metadata.ok()) return TableError(id, metadata.status());
  catalog::CommittedTable table{(*ops)->current_metadata_location(), *metadata};
  const std::string if_none_match = call.request.Header("If-None-Match");
  if (call.request.method == "GET" && !if_none_match.empty() &&
      MatchesETag(if_none_match, ETagOf(table.metadata_location, mode))) {
    RestResponse not_modified;
    not_modified.status = 304;
    not_modified.headers.emplace_back("ETag", ETagOf(table.metadata_location, mode));
    return not_modified;
  }
  return TableResult(table, /*with_config=*/true, mode);
}

RestResponse RestCatalogService::TableExists(const TableIdentifier& id) const {
  auto exists = catalog_.TableExists(id);
  if (!exists.ok()) return TableError(id, exists.status());
  if (!*exists) {
    return ErrorResponse(404, "NoSuchTableException",
                         fmt::format("table '{}' does not exist", id.ToString()));
  }
  return internal::NoContent();
}

RestResponse RestCatalogService::CommitTable(const Call& call, const TableIdentifier& id) const {
  auto body = internal::ParseJsonBody(call.request, options_.max_json_depth);
  if (!body.ok()) return StatusResponse(body.status(), ErrorContext::kCommit);
  if (const Json* identifier = Member(*body, "identifier");
      identifier != nullptr && !identifier->is_null()) {
    auto named = internal::IdentifierFromJson(*identifier, "\"identifier\"");
    if (!named.ok()) return StatusResponse(named.status(), ErrorContext::kCommit);
    if (!(*named == id)) {
      return ErrorResponse(400, "BadRequestException",
                           fmt::format("the body's identifier '{}' is not the table of the path "
                                       "('{}')",
                                       named->ToString(), id.ToString()));
    }
  }
  auto change = ParseTableChange(*body, "the commit");
  if (!change.ok()) return StatusResponse(change.status(), ErrorContext::kCommit);
  if (Status valid = catalog::ValidateTableIdentifier(id); !valid.ok()) {
    return StatusResponse(valid, ErrorContext::kCommit);
  }
  FailPoint("server-before-commit");
  auto committed = catalog_.CommitTable(id, change->requirements, change->updates);
  if (!committed.ok()) return TableError(id, committed.status(), /*commit=*/true);
  FailPoint("server-after-commit");
  return TableResult(*committed, /*with_config=*/false, kSnapshotsAll);
}

RestResponse RestCatalogService::DropTable(const Call& call, const TableIdentifier& id) const {
  const bool purge = internal::QueryFlag(call.request.Query("purgeRequested"));
  Status dropped = catalog_.DropTable(id, purge);
  if (!dropped.ok()) return TableError(id, dropped);
  return internal::NoContent();
}

RestResponse RestCatalogService::ReportMetrics(const Call& call, const TableIdentifier& id) const {
  // Reports are parsed (a malformed one is a 400, as for any body) and then discarded.
  auto body = internal::ParseJsonBody(call.request, options_.max_json_depth);
  if (!body.ok()) return StatusResponse(body.status(), ErrorContext::kTable);
  return TableExists(id);
}

RestResponse RestCatalogService::RenameTable(const Call& call) const {
  auto body = internal::ParseJsonBody(call.request, options_.max_json_depth);
  if (!body.ok()) return StatusResponse(body.status(), ErrorContext::kTable);
  const Json* source_json = Member(*body, "source");
  const Json* destination_json = Member(*body, "destination");
  if (source_json == nullptr || destination_json == nullptr) {
    return ErrorResponse(400, "BadRequestException",
                         "the request needs \"source\" and \"destination\" identifiers");
  }
  auto from = internal::IdentifierFromJson(*source_json, "\"source\"");
  if (!from.ok()) return StatusResponse(from.status(), ErrorContext::kTable);
  auto to = internal::IdentifierFromJson(*destination_json, "\"destination\"");
  if (!to.ok()) return StatusResponse(to.status(), ErrorContext::kTable);
  Status renamed = catalog_.RenameTable(*from, *to);
  if (renamed.ok()) return internal::NoContent();
  if (renamed.code() == ErrorCode::kNotFound) {
    auto source_exists = catalog_.TableExists(*from);
    if (source_exists.ok() && *source_exists) return TableError(*to, renamed);
    return TableError(*from, renamed);
  }
  if (renamed.code() == ErrorCode::kConflict) {
    return ErrorResponse(409, "AlreadyExistsException", renamed.message());
  }
  return StatusResponse(renamed, ErrorContext::kTable);
}

RestResponse RestCatalogService::CommitTransaction(const Call& call) const {
  auto body = internal::ParseJsonBody(call.request, options_.max_json_depth);
  if (!body.ok()) return StatusResponse(body.status(), ErrorContext::kCommit);
  const Json* changes_json = Member(*body, "table-changes");
  if (changes_json == nullptr || !changes_json->is_array()) {
    return ErrorResponse(400, "BadRequestException",
                         "the request needs \"table-changes\": an array of table commits");
  }
  std::vector<TableChange> changes;
  std::set<TableIdentifier> seen;
  for (size_t i = 0; i < changes_json->size(); ++i) {
    const std::string what = fmt::format("table change {}", i);
    const Json& item = (*changes_json)[i];
    const Json* identifier = item.is_object() ? Member(item, "identifier") : nullptr;
    if (identifier == nullptr) {
      return ErrorResponse(400, "BadRequestException",
                           fmt::format("{} needs an \"identifier\"", what));
    }
    auto id = internal::IdentifierFromJson(*identifier, what + " identifier");
    if (!id.ok()) return StatusResponse(id.status(), ErrorContext::kCommit);
    if (Status valid = catalog::ValidateTableIdentifier(*id); !valid.ok()) {
      return StatusResponse(valid, ErrorContext::kCommit);
    }
    auto change = ParseTableChange(item, what);
    if (!change.ok()) return StatusResponse(change.status(), ErrorContext::kCommit);
    change->id = *id;
    if (!seen.insert(*id).second) {
      return ErrorResponse(400, "BadRequestException",
                           fmt::format("table '{}' appears twice in one transaction: merge its "
                                       "changes into one",
                                       id->ToString()));
    }
    changes.push_back(std::move(*change));
  }
  // Every requirement is checked before anything is committed, so a stale transaction changes
  // nothing; a race after this check can still fail a later table (reported below).
  for (const TableChange& change : changes) {
    auto ops = catalog_.LoadTable(change.id);
    Status checked;
    if (ops.ok()) {
      auto metadata = (*ops)->Refresh();
      checked = metadata.ok() ? table::CheckRequirements(metadata->get(), change.requirements)
                              : metadata.status();
    } else if (ops.status().code() == ErrorCode::kNotFound &&
               HasAssertCreate(change.requirements)) {
      checked = table::CheckRequirements(nullptr, change.requirements);
    } else {
      checked = ops.status();
    }
    if (!checked.ok()) return TableError(change.id, checked, /*commit=*/true);
  }
  std::vector<std::string> committed;
  for (size_t i = 0; i < changes.size(); ++i) {
    const TableChange& change = changes[i];
    FailPoint("server-before-commit");
    auto result = catalog_.CommitTable(change.id, change.requirements, change.updates);
    if (result.ok()) {
      FailPoint("server-after-commit");
      committed.push_back(change.id.ToString());
      continue;
    }
    if (committed.empty()) return TableError(change.id, result.status(), /*commit=*/true);
    std::vector<std::string> untouched;
    for (size_t j = i + 1; j < changes.size(); ++j) untouched.push_back(changes[j].id.ToString());
    return ErrorResponse(
        500, "CommitStateUnknownException",
        fmt::format("the transaction was applied in part (this server commits table by table, "
                    "not atomically): committed {}; '{}' failed: {}; not attempted: {}",
                    Join(committed, ", "), change.id.ToString(), result.status().message(),
                    untouched.empty() ? std::string("none") : Join(untouched, ", ")));
  }
  return internal::NoContent();
}

}  // namespace faceberg::server
