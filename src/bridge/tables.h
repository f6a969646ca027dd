// The tables a faceberg.yml maps: one per (dataset entry, config). The CLI's create and sync
// call these; so would the REST server.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bridge/config.h"
#include "bridge/dataset_table.h"
#include "bridge/discovery.h"
#include "catalog/catalog.h"
#include "catalog/identifier.h"
#include "hub/hf_file_io.h"
#include "util/result.h"

namespace faceberg::bridge {

/// One table of the config, with the dataset layout it maps.
struct PlannedTable {
  catalog::TableIdentifier id;
  /// The faceberg.yml entry.
  DatasetEntry entry;
  /// Shared by the tables of one entry.
  std::shared_ptr<const DatasetLayout> layout;
  /// Index into layout->configs.
  size_t config_index = 0;

  const ConfigLayout& config() const { return layout->configs[config_index]; }
};

/// Discovers every dataset of `config` (one Hub round of requests per entry) and lists the
/// tables it maps: the entry's configs (all discovered ones when it names none, default config
/// first), named {name}_{config} (or the entry's `table`) in the entry's namespace. With
/// `names` ("ns.table" or "table"), only those, in that order.
/// Errors: those of DiscoverDataset (a missing repo or revision, no access, no Parquet);
/// InvalidArgument when an entry names a config the dataset does not have (listing the ones it
/// has), when `table` is set but the entry maps several configs, when two entries map the same
/// table name, or when a name in `names` is not in the config (listing the ones that are).
Result<std::vector<PlannedTable>> PlanTables(const hub::HfApi& api, const BridgeConfig& config,
                                             const std::vector<std::string>& names);

/// The table identifiers an entry maps for a layout (pure; used by PlanTables).
/// Errors: as PlanTables for unknown configs and a misplaced `table`.
Result<std::vector<PlannedTable>> TablesOfEntry(const DatasetEntry& entry,
                                                std::shared_ptr<const DatasetLayout> layout);

struct CreateTablesOptions {
  /// Tables that exist already are reported (TableOutcome::existed) instead of failing; the
  /// CLI sets it when no table was named.
  bool skip_existing = false;
  bool show_progress = false;
};

struct TableOutcome {
  catalog::TableIdentifier id;
  std::string repo;
  std::string config;
  /// Create only: the table existed and was left alone.
  bool existed = false;
  /// Absent when existed.
  std::optional<DatasetTableResult> result;
  /// Splits and their file counts (create only; in split order).
  std::vector<std::pair<std::string, size_t>> splits;
};

/// Creates the planned tables one after another (each atomically: a failure leaves no trace of
/// that table; tables created before it stay). Errors: those of CreateDatasetTable, prefixed
/// with the table name.
Result<std::vector<TableOutcome>> CreateTables(catalog::Catalog& catalog, hub::HfFileIO& hfio,
                                               const std::vector<PlannedTable>& plan,
                                               const CreateTablesOptions& options);

struct SyncTablesOptions {
  /// When given, a table that an entry of it maps follows that entry's revision (so editing
  /// `revision:` in faceberg.yml moves the table on the next sync).
  const BridgeConfig* config = nullptr;
  bool show_progress = false;
};

/// Syncs the named tables ("ns.table" or "table"), or every HF-backed table of the catalog when
/// `names` is empty. Errors: NotFound for a named table; InvalidArgument for a named table that
/// is not HF-backed; those of SyncDatasetTable, prefixed with the table name.
Result<std::vector<TableOutcome>> SyncTables(catalog::Catalog& catalog, hub::HfFileIO& hfio,
                                             const hub::HfApi& api,
                                             const std::vector<std::string>& names,
                                             const SyncTablesOptions& options);

}  // namespace faceberg::bridge
