// The commit vocabulary of the Iceberg REST catalog: requirements (what a commit assumes about the
// table it changes) and updates (how it changes the metadata), with JSON exactly as the REST
// OpenAPI spec names them ("type": "assert-ref-snapshot-id", "action": "add-snapshot", ...).
// Every catalog commits through CommitTable below, so a file catalog, the SQL catalog and the REST
// server accept the same changes with the same checks.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "iceberg/table_metadata.h"
#include "table/table_operations.h"
#include "util/json.h"
#include "util/result.h"

namespace faceberg::table {

// ---- requirements ----

/// The table must not exist yet.
struct AssertCreate {};
/// The table's uuid (compared case-insensitively).
struct AssertTableUuid {
  std::string uuid;
};
/// The ref points at `snapshot_id`; nullopt = the ref must not exist.
struct AssertRefSnapshotId {
  std::string ref;
  std::optional<int64_t> snapshot_id;
};
struct AssertLastAssignedFieldId {
  int32_t last_assigned_field_id = 0;
};
struct AssertCurrentSchemaId {
  int32_t current_schema_id = 0;
};
struct AssertLastAssignedPartitionId {
  int32_t last_assigned_partition_id = 0;
};
struct AssertDefaultSpecId {
  int32_t default_spec_id = 0;
};
struct AssertDefaultSortOrderId {
  int32_t default_sort_order_id = 0;
};

using TableRequirement =
    std::variant<AssertCreate, AssertTableUuid, AssertRefSnapshotId, AssertLastAssignedFieldId,
                 AssertCurrentSchemaId, AssertLastAssignedPartitionId, AssertDefaultSpecId,
                 AssertDefaultSortOrderId>;

// ---- updates ----

struct AssignUuid {
  std::string uuid;
};
struct UpgradeFormatVersion {
  int format_version = 2;
};
/// The schema's id is kept when free; an identical existing schema is reused; a clash with a
/// different schema gets the next free id. set-current-schema -1 then names it.
struct AddSchema {
  iceberg::SchemaPtr schema;
};
/// -1 = the schema added last in the same commit.
struct SetCurrentSchema {
  int32_t schema_id = -1;
};
/// Ids are resolved like AddSchema's.
struct AddSpec {
  iceberg::PartitionSpecPtr spec;
};
/// -1 = the spec added last in the same commit.
struct SetDefaultSpec {
  int32_t spec_id = -1;
};
/// Ids are resolved like AddSchema's (the unsorted order is always id 0).
struct AddSortOrder {
  iceberg::SortOrderPtr sort_order;
};
/// -1 = the order added last in the same commit.
struct SetDefaultSortOrder {
  int32_t sort_order_id = -1;
};
struct AddSnapshot {
  iceberg::Snapshot snapshot;
};
struct SetSnapshotRef {
  std::string ref_name;
  iceberg::SnapshotRef ref;
};
struct RemoveSnapshots {
  std::vector<int64_t> snapshot_ids;
};
struct RemoveSnapshotRef {
  std::string ref_name;
};
struct SetLocation {
  std::string location;
};
struct SetProperties {
  std::map<std::string, std::string> updates;
};
struct RemoveProperties {
  std::vector<std::string> removals;
};
/// A statistics file object (kept verbatim, as TableMetadata keeps them).
struct SetStatistics {
  Json statistics;
};
struct RemoveStatistics {
  int64_t snapshot_id = 0;
};
struct SetPartitionStatistics {
  Json partition_statistics;
};
struct RemovePartitionStatistics {
  int64_t snapshot_id = 0;
};
struct RemoveSchemas {
  std::vector<int32_t> schema_ids;
};
struct RemovePartitionSpecs {
  std::vector<int32_t> spec_ids;
};

using TableUpdate =
    std::variant<AssignUuid, UpgradeFormatVersion, AddSchema, SetCurrentSchema, AddSpec,
                 SetDefaultSpec, AddSortOrder, SetDefaultSortOrder, AddSnapshot, SetSnapshotRef,
                 RemoveSnapshots, RemoveSnapshotRef, SetLocation, SetProperties, RemoveProperties,
                 SetStatistics, RemoveStatistics, SetPartitionStatistics, RemovePartitionStatistics,
                 RemoveSchemas, RemovePartitionSpecs>;

/// The spec name: "assert-create", "assert-ref-snapshot-id", ...
std::string_view RequirementName(const TableRequirement& requirement);
/// The spec name: "add-snapshot", "set-snapshot-ref", ...
std::string_view UpdateName(const TableUpdate& update);

// ---- JSON, as the REST spec's TableRequirement / TableUpdate objects ----

/// Errors: InvalidArgument for an unknown "type", a missing or mistyped field.
Result<TableRequirement> TableRequirementFromJson(const Json& json);
Json TableRequirementToJson(const TableRequirement& requirement);
/// Errors: InvalidArgument for an unknown "action", a missing or mistyped field; NotSupported for
/// actions of the spec this build does not apply (encryption keys, views, row lineage).
Result<TableUpdate> TableUpdateFromJson(const Json& json);
Json TableUpdateToJson(const TableUpdate& update);
/// Arrays of the above (the "requirements" and "updates" members of a CommitTableRequest).
Result<std::vector<TableRequirement>> TableRequirementsFromJson(const Json& json);
Result<std::vector<TableUpdate>> TableUpdatesFromJson(const Json& json);

// ---- applying ----

/// Checks every requirement against `base` (null when the table does not exist).
/// Errors: Conflict naming the first failed requirement, what it expected and what the table
/// holds (the caller may refresh and rebuild its change).
Status CheckRequirements(const iceberg::TableMetadata* base,
                         const std::vector<TableRequirement>& requirements);

/// Applies `updates` in order and returns the new metadata. Keeps the metadata consistent:
/// add-snapshot raises last-sequence-number; set-snapshot-ref on "main" sets current-snapshot-id
/// and appends to the snapshot log; remove-snapshots drops the refs, log entries and statistics
/// of removed snapshots (and, as Java does, log entries older than a removed one); removing the
/// main ref clears current-snapshot-id; last-column-id and last-partition-id follow added
/// schemas and specs. last-updated-ms is raised to now when anything changed.
/// Errors: InvalidArgument when an update does not apply (unknown snapshot, schema, spec or
/// order id; a downgrade; -1 with nothing added; a sequence number not above the table's; a
/// spec or sort order that does not fit the schema; the reserved "format-version" property).
Result<iceberg::TableMetadata> ApplyUpdates(const iceberg::TableMetadata& base,
                                            const std::vector<TableUpdate>& updates);

/// The metadata a table created by a commit starts from (format version from an
/// upgrade-format-version update, else 2; no schema yet). ApplyUpdates on it then builds the
/// new table; a fresh uuid is assigned when the updates carry none.
iceberg::TableMetadata EmptyTableMetadata(const std::vector<TableUpdate>& updates);

struct CommitOptions {
  /// Attempts in all; 0 = from the table property commit.retry.num-retries (default 4) + 1.
  int max_attempts = 0;
  /// First back-off; 0 = commit.retry.min-wait-ms (default 100). Doubles per attempt, with
  /// jitter, capped by commit.retry.max-wait-ms (default 60000).
  int min_wait_ms = 0;
};

/// Refreshes the table, checks `requirements`, applies `updates` and commits through `ops`.
/// When another writer commits first, it refreshes and tries again only if the requirements
/// still hold on the new metadata (bounded attempts with exponential back-off). An empty update
/// list commits nothing. Returns the metadata this commit wrote (ops.current(); never a later
/// version another writer committed right after, so a REST client's response describes its own
/// commit), or a fresh Refresh() when `ops` does not keep it.
/// Errors: NotFound (no such table), Conflict (a requirement failed, or attempts ran out),
/// InvalidArgument (an update does not apply), IOError / Corrupt from storage.
Result<iceberg::TableMetadataPtr> CommitTable(TableOperations& ops,
                                              const std::vector<TableRequirement>& requirements,
                                              const std::vector<TableUpdate>& updates,
                                              const CommitOptions& options = {});

}  // namespace faceberg::table
