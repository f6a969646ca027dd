// Schema evolution: adding, renaming, dropping, promoting, re-ordering and relaxing columns, as
// one new schema committed with the REST vocabulary (add-schema + set-current-schema, guarded by
// assert-current-schema-id and assert-last-assigned-field-id). Field ids are never reused: new
// fields get ids above the table's last-column-id. The table's name mapping
// (schema.name-mapping.default), when it has one, is kept in step: a rename adds the new name
// and keeps the old one, an added column is appended.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "iceberg/name_mapping.h"
#include "iceberg/schema.h"
#include "iceberg/table_metadata.h"
#include "table/table_operations.h"
#include "table/update.h"
#include "util/result.h"

namespace faceberg::table {

/// Where a column goes among its siblings.
struct ColumnPosition {
  enum class Kind { kLast, kFirst, kAfter };
  Kind kind = Kind::kLast;
  /// For kAfter: the sibling (a plain name, or its full dotted name).
  std::string after;

  static ColumnPosition Last() { return {}; }
  static ColumnPosition First() { return {Kind::kFirst, ""}; }
  static ColumnPosition After(std::string sibling) { return {Kind::kAfter, std::move(sibling)}; }
};

struct AddColumnOptions {
  bool required = false;
  /// A default value for existing rows (JSON single-value text). Needs format v3 default values,
  /// which this version does not write: giving one is NotSupported.
  std::optional<std::string> default_value;
  std::string doc;
  ColumnPosition position;
};

/// Builds one new schema from a table's current schema. Columns are named by their dotted path
/// through structs ("point.x"); names match exactly. Every method checks its change against the
/// schema as changed so far and leaves it untouched on error.
///
/// Not thread-safe; use one per commit.
class SchemaUpdate {
 public:
  /// Starts from the current schema of `metadata`, which must outlive this object.
  explicit SchemaUpdate(const iceberg::TableMetadata& metadata);

  /// Adds an optional (or, on a table without snapshots, required) column. `name` is a dotted
  /// path whose parent is an existing struct. `type`'s own nested field ids are ignored: every
  /// id in it is assigned anew above last-column-id.
  /// Errors: InvalidArgument (a name that exists, a missing or non-struct parent, a required
  /// column on a table with data, an unknown --after sibling); NotSupported (a default value).
  Status AddColumn(std::string_view name, const iceberg::TypePtr& type,
                   const AddColumnOptions& options = {});
  /// Renames a column (its id, and so its data, stays). `new_name` is the new last segment (a
  /// full dotted name with the same parent is accepted too).
  /// Errors: InvalidArgument (unknown column, a sibling with the new name, an empty name).
  Status RenameColumn(std::string_view name, std::string_view new_name);
  /// Drops a column (and, for a struct, its fields).
  /// Errors: InvalidArgument for an unknown column, the last top-level column, an identifier
  /// field, or a column that a partition spec of the table uses as a source.
  Status DropColumn(std::string_view name);
  /// Widens a primitive column's type: int to long, float to double, decimal(P,S) to
  /// decimal(P',S) with P' > P.
  /// Errors: InvalidArgument for any other change (naming the allowed ones), a nested column, or
  /// a partition source column whose partition values would change type (any transform other
  /// than bucket and void).
  Status UpdateColumnType(std::string_view name, const iceberg::TypePtr& type);
  /// Makes a required column optional. Errors: InvalidArgument for an identifier field or an
  /// unknown column; a column that is optional already is fine.
  Status MakeOptional(std::string_view name);
  /// Moves a column among its siblings. Errors: InvalidArgument for unknown names or a move
  /// after itself.
  Status MoveColumn(std::string_view name, const ColumnPosition& position);

  /// True when no change was made.
  bool empty() const { return changes_ == 0; }
  /// The schema as changed so far, with the id the new schema gets (highest existing + 1).
  iceberg::SchemaPtr Apply() const;
  /// The highest field id assigned (the table's last-column-id when nothing was added).
  int32_t last_column_id() const { return last_column_id_; }

  /// What a commit of this change asserts about the table.
  std::vector<TableRequirement> Requirements() const;
  /// The commit's updates: add-schema, set-current-schema -1, and set-properties with the
  /// updated name mapping when the table has one.
  /// Errors: Corrupt when the table's name mapping does not parse.
  Result<std::vector<TableUpdate>> Updates() const;

 private:
  // Field ids from a dotted name, through structs: the path of ids from the top level.
  Result<std::vector<int32_t>> ResolvePath(std::string_view name) const;
  // The field list of the struct reached through `parent_ids` (empty: top level).
  std::vector<iceberg::NestedField>* MutableStruct(const std::vector<int32_t>& parent_ids);
  // Rebuilds struct types from `fields_` so that the edits are visible in Apply().
  Status Edit(const std::vector<int32_t>& parent_ids,
              const std::function<Status(std::vector<iceberg::NestedField>*)>& edit);
  // Checks that no partition spec and no identifier field uses `id` or a field below it.
  Status CheckNotUsed(const iceberg::NestedField& field, std::string_view name,
                      std::string_view action) const;

  const iceberg::TableMetadata& metadata_;
  std::vector<iceberg::NestedField> fields_;
  std::vector<int32_t> identifier_field_ids_;
  int32_t last_column_id_ = 0;
  int changes_ = 0;
  // For the name mapping: new names by id, and added fields (parent id, 0 = top level).
  std::map<int32_t, std::vector<std::string>> renames_;
  std::vector<std::pair<int32_t, iceberg::NestedField>> adds_;
};

/// Parses a column type as the CLI writes it: a primitive ("long", "decimal(12,2)",
/// "timestamptz"), or "list<T>", "map<K, V>", "struct<a: T, b: T>" (nested ids are placeholders
/// that SchemaUpdate::AddColumn replaces).
/// Errors: InvalidArgument naming the unknown type.
Result<iceberg::TypePtr> ParseColumnType(std::string_view text);

/// Commits one schema change: refreshes the table, lets `build` make its changes on a
/// SchemaUpdate of the current schema, and commits the new schema (with the name mapping kept in
/// step). When another schema change lands first, the change is rebuilt on the new schema (up to
/// a few times). Returns the committed metadata.
/// Errors: those of `build`; InvalidArgument when `build` changed nothing; Conflict when other
/// writers kept changing the schema; NotFound / IOError from the catalog.
Result<iceberg::TableMetadataPtr> CommitSchemaUpdate(
    TableOperations& ops, const std::function<Status(SchemaUpdate&)>& build);

/// The schema a snapshot was written with. With neither selector, the current schema.
/// Errors: InvalidArgument for both selectors; NotFound for an unknown snapshot or a time
/// before the first snapshot.
Result<iceberg::SchemaPtr> SchemaAt(const iceberg::TableMetadata& metadata,
                                    std::optional<int64_t> snapshot_id,
                                    std::optional<int64_t> as_of_ms);

}  // namespace faceberg::table
