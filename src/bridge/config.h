// faceberg.yml: the catalog and the HF datasets it maps.
//
//   catalog:
//     name: my_catalog
//     location: .faceberg/          # a folder, sqlite:PATH, or hf://datasets/OWNER/REPO
//   datasets:
//     - name: dataset1              # table names are {name}_{config}
//       repo: owner/dataset1
//       configs: [config1, config2] # optional: all configs when absent
//       revision: main              # optional: branch, tag or sha to pin
//       namespace: default          # optional
//       table: my_table             # optional: the table name, when the entry maps one config
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "io/file_io.h"
#include "util/result.h"

namespace faceberg::bridge {

struct DatasetEntry {
  std::string name;
  /// "OWNER/NAME".
  std::string repo;
  /// Empty: every config of the dataset.
  std::vector<std::string> configs;
  std::string revision = "main";
  std::string ns = "default";
  /// The table name override (only valid when the entry maps exactly one config).
  std::optional<std::string> table;
  /// 1-based line of the entry in the file (for error messages); 0 when not from a file.
  int line = 0;
};

struct BridgeConfig {
  /// Catalog name ("faceberg" when absent).
  std::string catalog_name = "faceberg";
  /// Catalog location; empty when absent.
  std::string catalog_location;
  std::vector<DatasetEntry> datasets;
  /// The file it was read from (for error messages).
  std::string file;
};

/// Parses faceberg.yml text (at most 16 MiB of UTF-8). `file` names it in errors, which read
/// "FILE:LINE: what is wrong; what to do": bad YAML (the parser's line), text that is not UTF-8
/// or has control characters,
/// nesting deeper than the parser allows, more than one YAML document, a top level that is not a
/// mapping, unknown or repeated keys (naming the allowed ones), wrong types (`configs: 5`,
/// `datasets` not a list), empty strings, an empty or repeated `configs` list, missing name or
/// repo, a repo that is not OWNER/NAME, duplicate dataset names, `table` with several configs.
/// An empty file (or `datasets:` without a value) is a config with no datasets.
/// Errors: InvalidArgument.
Result<BridgeConfig> ParseBridgeConfig(std::string_view text, std::string_view file);

/// Reads and parses `path` (at most 16 MiB) through `io`.
/// Errors: NotFound ("create faceberg.yml or pass --config"), InvalidArgument, the IO errors.
Result<BridgeConfig> LoadBridgeConfig(io::FileIO& io, const std::string& path);

/// YAML text that ParseBridgeConfig reads back to `config` (every field but `file` and the
/// entries' `line`); default values (revision main, namespace default) are left out, and strings
/// YAML would read as booleans, nulls or numbers are quoted.
std::string DumpBridgeConfig(const BridgeConfig& config);

}  // namespace faceberg::bridge
