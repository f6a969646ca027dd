// Scan planning: which data files of which snapshot a read has to open, after pruning manifests
// by their partition summaries and files by their partition tuple and column metrics.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "iceberg/expression.h"
#include "iceberg/manifest.h"
#include "iceberg/schema.h"
#include "iceberg/snapshot.h"
#include "iceberg/table_metadata.h"
#include "io/file_io.h"
#include "util/result.h"

namespace faceberg::table {

struct ScanOptions {
  /// The snapshot to read: at most one of snapshot_id, as_of_ms (the snapshot current at that
  /// time, per the snapshot log) and ref (a branch or tag). None reads the current snapshot.
  std::optional<int64_t> snapshot_id;
  std::optional<int64_t> as_of_ms;
  std::optional<std::string> ref;
  /// A row filter in the filter language (iceberg/expression.h); empty reads every row.
  std::string filter;
  /// Columns to read, as names or dotted struct paths; empty reads every column.
  std::vector<std::string> columns;
};

/// What planning did, for `--verbose` output and tests.
struct ScanCounters {
  /// Data manifests in the snapshot's manifest list.
  int64_t manifests_total = 0;
  /// Manifests opened.
  int64_t manifests_read = 0;
  /// Manifests skipped without opening: their partition summaries rule the filter out, or they
  /// hold only deleted entries.
  int64_t manifests_skipped = 0;
  /// Live data files of the snapshot: those in the manifests read plus the live-file counts the
  /// manifest list records for the skipped ones.
  int64_t files_total = 0;
  /// files_total minus the planned files.
  int64_t files_skipped = 0;
  /// Files in the manifests read that were dropped by their partition tuple / column metrics.
  int64_t files_skipped_by_partition = 0;
  int64_t files_skipped_by_metrics = 0;
};

struct ScanPlan {
  /// The planned snapshot; nullopt for a table without snapshots (then `files` is empty).
  std::optional<iceberg::Snapshot> snapshot;
  /// The read schema: the current schema when reading the table's state (no selector, or a
  /// branch); the snapshot's schema for time travel (a snapshot id, a time or a tag).
  iceberg::SchemaPtr schema;
  /// The requested columns resolved in `schema` (full dotted names and field ids), in request
  /// order; both empty when every column is read.
  std::vector<std::string> columns;
  std::vector<int32_t> column_ids;
  /// The filter bound to `schema` (True without a filter). Pruning is inclusive, so every row of
  /// `files` still has to be checked against it (iceberg::ToSql gives the DuckDB condition).
  iceberg::BoundExpressionPtr filter;
  /// The live data files that may hold matching rows, in manifest-list then manifest order. Each
  /// carries its spec id and partition tuple.
  std::vector<iceberg::DataFile> files;
  ScanCounters counters;
};

/// Plans a read of the table described by `metadata`.
///
/// Picks the snapshot (see ScanOptions), binds the filter and the columns to that snapshot's
/// schema, reads its manifest list, skips data manifests whose partition summaries cannot match
/// the filter's projection onto their spec, reads the others (several at a time, so `io` must
/// allow concurrent reads; LocalFileIO does), drops DELETED entries and files whose partition
/// tuple or column metrics cannot match. Only manifests reachable from the snapshot are read, so
/// files committed after it never appear.
///
/// Errors: InvalidArgument for more than one snapshot selector, a malformed filter, an unknown
/// column; the errors of TableMetadata::FindSnapshot / SnapshotAsOf / SnapshotForRef as they are
/// (NotFound); NotSupported when the snapshot has live delete files (merge-on-read deletes this
/// version cannot apply); Corrupt / NotFound / IOError reading manifests.
Result<ScanPlan> PlanScan(io::FileIO& io, const iceberg::TableMetadata& metadata,
                          const ScanOptions& options = {});

}  // namespace faceberg::table
