// Names the bridge records in HF-backed tables: table properties (what the table maps and which
// commit it is at) and snapshot summary keys. Every layer above reads them from here.
#pragma once

namespace faceberg::bridge {

/// "OWNER/NAME" of the dataset repo.
inline constexpr char kRepoProperty[] = "hf.dataset.repo";
/// The HF config the table maps.
inline constexpr char kConfigProperty[] = "hf.dataset.config";
/// The revision asked for in faceberg.yml (branch, tag or sha; "main" by default).
inline constexpr char kRevisionProperty[] = "hf.dataset.revision";
/// The commit sha the asked revision resolved to at the last create/sync/insert.
inline constexpr char kCommitProperty[] = "hf.dataset.commit";
/// Where the data files come from: "main" (the files of the revision itself) or
/// "refs/convert/parquet" (the Hub's Parquet export, for datasets that are not Parquet).
inline constexpr char kSourceProperty[] = "hf.dataset.source";
/// The commit sha of the source the data files were listed at: equal to kCommitProperty for
/// "main"; the export branch's sha for "refs/convert/parquet".
inline constexpr char kSourceCommitProperty[] = "hf.dataset.source-commit";
/// Comma-separated splits whose Parquet export is partial (only the first ~5 GB were converted).
inline constexpr char kPartialSplitsProperty[] = "hf.dataset.partial-splits";
/// The dataset entry name of faceberg.yml the table came from.
inline constexpr char kDatasetNameProperty[] = "hf.dataset.name";

/// Snapshot summary key: the dataset commit sha a create/sync/insert snapshot reflects.
inline constexpr char kCommitSummary[] = "hf.commit";

/// The revision holding the Hub's Parquet export of a dataset (kSourceProperty's other value).
inline constexpr char kParquetExportRevision[] = "refs/convert/parquet";

/// The name of the partition column holding the HF split (not stored in the data files).
inline constexpr char kSplitColumn[] = "split";

}  // namespace faceberg::bridge
