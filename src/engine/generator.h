// The data generator: synthetic HF-style dataset repos (configs, splits, sharded Parquet files and
// a README with the matching YAML `configs:` block) written through DuckDB using every core.
//
// Every value is a function of (row index, column, seed, config) computed in SQL from DuckDB's
// hash(), never from random(): the same options give the same values whatever the thread count.
//
// The schema spec language (GenerateOptions::schema): columns separated by ',', each
//   NAME:KIND[?NULL_RATE]
// with KIND one of
//   id                         BIGINT, the row index within the config (0, 1, 2, ... across splits)
//   text(MIN..MAX)             VARCHAR of MIN..MAX characters (uniform), words of a fixed
//   vocabulary label(K) | label(a|b|c)    INTEGER class label in [0, K); with names, K = their
//   count and the
//                              names go to the README's dataset_info features (class_label)
//   double | double(LO..HI)    DOUBLE, uniform in [LO, HI) (default [0, 1))
//   float | float(LO..HI)      FLOAT, likewise
//   embedding(W)               FLOAT[] of exactly W values in [-1, 1)
//   timestamp | timestamp(FROM..TO)  TIMESTAMP WITH TIME ZONE, uniform in [FROM, TO) (dates or
//                              ISO-8601 times; default 2020-01-01..2025-01-01)
//   struct(FIELD, FIELD, ...)  STRUCT of nested columns written in the same language
// and NULL_RATE in [0, 1] the fraction of rows whose value is NULL (default 0). Example:
//   id:id, text:text(10..200)?0.05, label:label(neg|pos), emb:embedding(8),
//   meta:struct(score:double, at:timestamp)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace faceberg::engine {

enum class GeneratedKind { kId, kText, kLabel, kDouble, kFloat, kEmbedding, kTimestamp, kStruct };

/// One column of a generated schema (see the spec language above).
struct GeneratedColumn {
  std::string name;
  GeneratedKind kind = GeneratedKind::kId;
  double null_rate = 0;
  /// text: length range in characters, inclusive.
  int64_t min_length = 0;
  int64_t max_length = 0;
  /// label: number of classes, and their names (empty, or exactly `classes` names).
  int64_t classes = 0;
  std::vector<std::string> label_names;
  /// double/float: value range [low, high).
  double low = 0;
  double high = 1;
  /// embedding: list width.
  int64_t width = 0;
  /// timestamp: range [from, to) in epoch microseconds.
  int64_t from_micros = 0;
  int64_t to_micros = 0;
  /// struct: the fields.
  std::vector<GeneratedColumn> fields;
};

/// The schema used when none is given: one column of every kind, some with nulls.
std::string_view DefaultGeneratorSchema();

/// Parses a schema spec. Errors: InvalidArgument naming the offending column (an unknown kind,
/// a bad range or rate, a duplicate or empty name, text longer than 65536 characters, an
/// embedding wider than 65536, more than 10000 classes).
Result<std::vector<GeneratedColumn>> ParseGeneratorSchema(std::string_view spec);

/// The SELECT list (no "SELECT" keyword) computing `columns` from a BIGINT column named `range`
/// (the row index within the config) for `seed` and config number `config_index` (configs with
/// different numbers get different values).
std::string GeneratorSelectList(const std::vector<GeneratedColumn>& columns, uint64_t seed,
                                int config_index);

struct GenerateOptions {
  /// The dataset repo folder (created when missing).
  std::string dir;
  /// Rows per config, spread over the splits by weight.
  uint64_t rows = 0;
  /// Config names; empty means the single config "default" with files under data/.
  std::vector<std::string> configs;
  /// Split names, in README order.
  std::vector<std::string> splits = {"train"};
  /// One positive weight per split; empty means equal weights.
  std::vector<double> split_weights;
  /// Parquet files per split (at most 10000 and, unless rows are 0, at most the split's rows).
  int shards = 1;
  /// Schema spec; empty means DefaultGeneratorSchema().
  std::string schema;
  uint64_t seed = 0;
  /// Rows per Parquet row group.
  int64_t row_group_size = 122880;
  /// zstd, snappy, gzip or uncompressed.
  std::string compression = "zstd";
  /// Allow a non-empty `dir`: the generated files and README.md are replaced (each atomically),
  /// and shard files of an earlier run ("{dir}/{split}-NNNNN-of-NNNNN.parquet" in the config
  /// folders written) that this run does not write are removed; other files are kept.
  bool overwrite = false;
  /// DuckDB threads; 0 means every core.
  int threads = 0;
  /// Draw a progress bar (one step per shard) on stderr when it is a terminal.
  bool progress = false;
};

struct GeneratedFile {
  /// Relative to the repo folder ("data/train-00000-of-00002.parquet").
  std::string path;
  uint64_t rows = 0;
  uint64_t bytes = 0;
};

struct GeneratedSplit {
  std::string name;
  uint64_t rows = 0;
  /// The first row index of the split within its config.
  uint64_t first_row = 0;
  std::vector<GeneratedFile> files;
};

struct GeneratedConfig {
  std::string name;
  /// The folder of its files ("data" for the single default config, else the config name).
  std::string dir;
  std::vector<GeneratedSplit> splits;
  /// SELECT ... FROM range(0, rows): every row of the config, in split then shard order.
  std::string sql;
};

struct GenerateResult {
  std::vector<GeneratedConfig> configs;
  uint64_t rows = 0;
  /// Total size of the Parquet files written.
  uint64_t bytes = 0;
  double seconds = 0;
};

/// Checks `options` and plans the configs, splits and files without writing anything (the
/// result's sizes are zero). Errors: InvalidArgument (one line) for a bad option: an empty dir,
/// invalid or duplicate config or split names, weights that do not match the splits or are not
/// positive, shards out of range, a bad schema, compression or row-group size.
Result<GenerateResult> PlanGenerate(const GenerateOptions& options);

/// The README.md text of a plan: YAML front matter with `configs:` (data_files per split,
/// "{dir}/{split}-*", default: true on the first) and `dataset_info` features, then a line
/// saying how it was generated.
std::string GeneratedReadme(const GenerateResult& plan, const GenerateOptions& options);

/// Writes the dataset: each shard is one DuckDB COPY of its row range to a temp file renamed
/// into place, then README.md. Errors: those of PlanGenerate; AlreadyExists when `dir` is not
/// empty and overwrite is off; IOError for file-system failures; DuckDB's errors.
Result<GenerateResult> Generate(const GenerateOptions& options);

}  // namespace faceberg::engine
