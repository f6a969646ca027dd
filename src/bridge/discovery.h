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

/// The configs of a repo's files (main-branch rules), as the datasets library infers them:
/// the README YAML `configs:` block when `readme` has one (data_files per split, data_dir,
/// default), else the default patterns in their priority order, with the single config "default".
/// `readme` is the whole README.md text (front matter between "---" lines), or empty.
///  - Configs come in YAML order; splits in YAML order (no-YAML: train, validation, test, then
///    the others by name); files in pattern order, sorted within each pattern, not de-duplicated.
///  - The builder (`format`) is chosen per config from its files' extensions and files of other
///    formats are left out. (The datasets library picks one builder from the first config for
///    all of them; per config is what lets faceberg read a non-Parquet config from the export.)
///  - Splits without data files and configs without any are left out; a repo with no data file
///    at all gives an empty list.
/// Errors: InvalidArgument for a malformed front matter or `configs:` block (naming the README
/// line), a data_files path without wildcards that names no data file, several default configs,
/// invalid split names, or a config whose splits have different data formats.
Result<std::vector<ConfigLayout>> InferConfigs(std::span<const RepoFile> files,
                                               std::string_view readme);

/// The configs of a refs/convert/parquet tree: the config is the first path segment, the split
/// the second (a "partial-" prefix or "-partK" suffix stripped; partial recorded), files
/// "{config}/{split}/NNNN.parquet"; other files are ignored. Configs are sorted by name, splits
/// train, validation, test first then by name, files by part then shard number. `is_default` is
/// never set (the export does not say). Errors: InvalidArgument when there is no Parquet file.
Result<std::vector<ConfigLayout>> InferParquetExportConfigs(std::span<const RepoFile> files);

/// The files of `repo` at `commit` (one recursive tree listing, all pages), blob ids as
/// RepoFile::blob_id says. Errors: those of HfApi::ListTree (NotFound for a missing commit).
Result<std::vector<RepoFile>> ListRepoFiles(const hub::HfApi& api, std::string_view repo,
                                            std::string_view commit);

/// The README.md text of `repo` at `commit` when `files` (its listing) has one, else empty.
/// Errors: InvalidArgument for a README above 16 MiB (refused rather than cut: a cut could hide
/// the configs block); those of HfApi::ReadFile.
Result<std::string> ReadRepoReadme(const hub::HfApi& api, std::string_view repo,
                                   std::string_view commit, std::span<const RepoFile> files);

/// Asks the Hub for the layout of `repo` at `revision` (empty = "main"): resolves the commit,
/// lists the tree (blob ids: LFS sha256, else the git oid), reads README.md, infers configs.
/// Parquet configs are read in place (source "main"). When some config is not Parquet, or the repo
/// has no data file, the refs/convert/parquet export is listed: non-Parquet configs are replaced by
/// the export configs of the same name (is_default kept; configs the export lacks are left out),
/// or, when the export has none of those names, every export config is added. The export is the
/// Hub's conversion of the default branch (at whatever commit it last converted), whatever
/// `revision` was asked. Asking for revision "refs/convert/parquet" (or "~parquet") reads that
/// tree with the export rules only.
/// Errors: the HfApi errors unchanged (a missing repo or revision, no access: NotFound/Permission
/// with advice); InvalidArgument from InferConfigs (with the repo named) or for a README.md over
/// 16 MiB; NotFound when nothing is left to read ("... has no Parquet files and no
/// refs/convert/parquet export; ...").
Result<DatasetLayout> DiscoverDataset(const hub::HfApi& api, std::string_view repo,
                                      std::string_view revision);

/// The table name of (dataset entry name, config): "{name}_{config}" with every character
/// other than a letter, digit or '_' replaced by '_'.
std::string TableNameFor(std::string_view dataset_name, std::string_view config);

/// A path for a new Parquet file of (config, split) in a repo whose current files are `files`
/// and README `readme`, such that InferConfigs over files + the new path puts it in exactly that
/// config and split and changes nothing else; `unique` (hex) keeps names from colliding.
/// Candidates, tried in order: "{dir}/{split}-00000-of-00001-{unique}.parquet" in each folder of
/// the split's current files; a name derived from each data_files pattern of the split ("**"
/// dropped, folder wildcards become the split name, the file name's first '*' the shard name);
/// for a config without data_files, "data/{split}-00000-of-00001-{unique}.parquet" (the
/// push_to_hub layout) and "{split}-00000-of-00001-{unique}.parquet" under its data_dir. A split
/// that does not exist yet is fine when the rules create it. Each candidate is verified by
/// re-running the inference.
/// Errors: InvalidArgument for a `unique` that is not hex or an invalid split name, and the
/// InferConfigs errors; NotSupported when the config does not exist, is not read as Parquet, or
/// no candidate lands in exactly the split (the message says what each candidate would do).
Result<std::string> NewDataFilePath(std::span<const RepoFile> files, std::string_view readme,
                                    std::string_view config, std::string_view split,
                                    std::string_view unique);

}  // namespace faceberg::bridge
