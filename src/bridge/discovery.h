// Discovery: which configs, splits and files an HF dataset has, exactly as the HF `datasets`
// library infers them (reference: hf-hub-protocol.md section 2), and which of them faceberg maps
// to Iceberg tables.
//
// The pure functions (InferConfigs, InferParquetExportConfigs) take a file listing and the README
// text, so they are tested without a network; DiscoverDataset asks the Hub for both.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace faceberg::hub {
class HfApi;
}  // namespace faceberg::hub

namespace faceberg::bridge {

/// A file of a dataset repo at one commit.
struct RepoFile {
  /// Relative to the repo root ("data/train-00000-of-00001.parquet").
  std::string path;
  uint64_t size = 0;
  /// What identifies the content: the LFS sha256 for LFS files, else the git blob sha1.
  std::string blob_id;
};

struct SplitFiles {
  std::string split;
  /// In the order the datasets library lists them (patterns in order, sorted within each).
  std::vector<RepoFile> files;
  /// Parquet export only: the export of this split is partial ("partial-{split}" folder).
  bool partial = false;
};

struct ConfigLayout {
  std::string name;
  /// In the datasets library's split order.
  std::vector<SplitFiles> splits;
  /// The builder the datasets library would pick: "parquet", "csv", "json", "text", ...
  std::string format;
  /// The dataset's default config (see hf-hub-protocol.md 2.2).
  bool is_default = false;
};

struct DatasetLayout {
  std::string repo;
  /// The revision asked for ("main" when empty was asked).
  std::string revision;
  /// The commit sha `revision` resolved to.
  std::string commit;
  /// Per config, where its files are read: "main" (at `commit`) or "refs/convert/parquet".
  struct Source {
    std::string revision;  // "main" (meaning: `commit`) or "refs/convert/parquet"
    std::string commit;    // the sha the files were listed at
  };
  std::vector<ConfigLayout> configs;
  /// configs[i] is read from sources[i].
  std::vector<Source> sources;
};

/// The configs of a repo's files (main-branch rules): the README YAML `configs:` block when
/// `readme` has one (data_files per split, data_dir, default), else the default patterns in
/// their priority order, with the single config "default". `readme` is the whole README.md text
/// (front matter between "---" lines), or empty.
/// Errors: InvalidArgument for a malformed `configs:` block (naming the problem), or when a
/// config mixes data formats.
Result<std::vector<ConfigLayout>> InferConfigs(std::span<const RepoFile> files,
                                               std::string_view readme);

/// The configs of a refs/convert/parquet tree: the config is the first path segment, the split
/// the second (a "partial-" prefix or "-partK" suffix stripped; partial recorded), files
/// "{config}/{split}/NNNN.parquet". Errors: InvalidArgument when there is no Parquet file.
Result<std::vector<ConfigLayout>> InferParquetExportConfigs(std::span<const RepoFile> files);

/// Asks the Hub for the layout of `repo` at `revision` (empty = "main"): resolves the commit,
/// lists the tree, reads README.md, infers configs; a config whose format is not Parquet is read
/// from the refs/convert/parquet export instead.
/// Errors: the HfApi errors (a missing repo or revision, no access: NotFound/Permission with
/// advice); NotFound when a non-Parquet dataset has no Parquet export ("... has no Parquet files
/// and no refs/convert/parquet export").
Result<DatasetLayout> DiscoverDataset(const hub::HfApi& api, std::string_view repo,
                                      std::string_view revision);

/// The table name of (dataset entry name, config): "{name}_{config}" with every character
/// other than a letter, digit or '_' replaced by '_'.
std::string TableNameFor(std::string_view dataset_name, std::string_view config);

/// A path for a new Parquet file of (config, split) in a repo whose current files are `files`
/// and README `readme`, such that InferConfigs over files + the new path puts it in exactly that
/// config and split and changes nothing else; `unique` (hex) keeps names from colliding.
/// Errors: NotSupported when no candidate name lands in the split (the message says why).
Result<std::string> NewDataFilePath(std::span<const RepoFile> files, std::string_view readme,
                                    std::string_view config, std::string_view split,
                                    std::string_view unique);

}  // namespace faceberg::bridge
