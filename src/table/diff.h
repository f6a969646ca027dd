// Comparing two snapshots of a table: data files added and removed, record counts, schema and
// partition-spec changes, and the snapshots committed between them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "iceberg/manifest.h"
#include "iceberg/snapshot.h"
#include "iceberg/table_metadata.h"
#include "io/file_io.h"
#include "util/result.h"

namespace faceberg::table {

/// One field whose definition differs between two schemas (matched by field id).
struct FieldChange {
  enum class Kind { kAdded, kDropped, kRenamed, kTypeChanged, kMadeOptional, kMadeRequired };
  Kind kind = Kind::kAdded;
  int32_t field_id = 0;
  /// Full dotted names in the FROM and TO schemas (empty where the field is absent).
  std::string from_name;
  std::string to_name;
  /// Types as strings (empty where absent).
  std::string from_type;
  std::string to_type;
};

/// "added", "dropped", "renamed", "type-changed", "made-optional", "made-required".
std::string_view FieldChangeName(FieldChange::Kind kind);

/// Field-by-field differences of two schemas, in TO's order then dropped fields.
std::vector<FieldChange> DiffSchemas(const iceberg::Schema& from, const iceberg::Schema& to);

struct SnapshotDiff {
  iceberg::Snapshot from;
  iceberg::Snapshot to;
  /// How the two relate: FROM is an ancestor of TO ("forward"), TO of FROM ("backward"), the
  /// same snapshot ("same"), or neither ("diverged").
  std::string relation;
  /// The snapshots after the older one up to the newer one (oldest first) when one is an
  /// ancestor of the other; empty otherwise.
  std::vector<iceberg::Snapshot> between;

  /// Live data files of TO that FROM does not have, and the other way round (by path).
  std::vector<iceberg::DataFile> added_files;
  std::vector<iceberg::DataFile> removed_files;
  int64_t added_records = 0;
  int64_t removed_records = 0;
  /// Live records of each snapshot.
  int64_t from_records = 0;
  int64_t to_records = 0;
  /// True when the file changes are the row changes: every snapshot between the two only
  /// appended files or removed whole files (operations append and delete), so the records of
  /// the added files are exactly the rows added and those of the removed files the rows removed.
  /// Otherwise (overwrites rewrite files, diverged histories) only the net change is exact.
  bool rows_exact = false;

  int32_t from_schema_id = 0;
  int32_t to_schema_id = 0;
  std::vector<FieldChange> schema_changes;
  /// Partition specs of each snapshot's live data manifests (spec id -> spec text).
  std::map<int32_t, std::string> from_specs;
  std::map<int32_t, std::string> to_specs;
};

/// Compares snapshots `from_id` and `to_id` of `metadata`.
/// Errors: NotFound for an unknown snapshot; Corrupt / NotFound / IOError reading manifests.
Result<SnapshotDiff> DiffSnapshots(io::FileIO& io, const iceberg::TableMetadata& metadata,
                                   int64_t from_id, int64_t to_id);

}  // namespace faceberg::table
