// generate: a synthetic HF-style dataset repo (configs, splits, sharded Parquet, README) written
// through DuckDB.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "cli/context.h"
#include "engine/generator.h"

namespace faceberg::cli {

namespace {

struct GenerateArgs {
  engine::GenerateOptions options;
  bool print_sql = false;
};

OrderedJson ResultJson(const engine::GenerateResult& result, const std::string& dir) {
  OrderedJson j;
  j["dir"] = dir;
  j["rows"] = result.rows;
  j["bytes"] = result.bytes;
  j["seconds"] = result.seconds;
  j["rows-per-second"] =
      result.seconds > 0 ? static_cast<double>(result.rows) / result.seconds : 0.0;
  j["mb-per-second"] =
      result.seconds > 0 ? static_cast<double>(result.bytes) / 1e6 / result.seconds : 0.0;
  OrderedJson configs = OrderedJson::array();
  for (const auto& config : result.configs) {
    OrderedJson c;
    c["name"] = config.name;
    c["dir"] = config.dir;
    OrderedJson splits = OrderedJson::array();
    for (const auto& split : config.splits) {
      OrderedJson s;
      s["name"] = split.name;
      s["rows"] = split.rows;
      OrderedJson files = OrderedJson::array();
      for (const auto& file : split.files) {
        files.push_back({{"path", file.path}, {"rows", file.rows}, {"bytes", file.bytes}});
      }
      s["files"] = std::move(files);
      splits.push_back(std::move(s));
    }
    c["splits"] = std::move(splits);
    c["sql"] = config.sql;
    configs.push_back(std::move(c));
  }
  j["configs"] = std::move(configs);
  return j;
}

Status RunGenerate(Context& ctx, GenerateArgs args) {
  engine::GenerateOptions& options = args.options;
  if (args.print_sql) {
    // The SELECT of the first config over all its rows (benchmarks run it in DuckDB directly).
    ASSIGN_OR_RETURN(engine::GenerateResult plan, engine::PlanGenerate(options));
    std::cout << plan.configs[0].sql << "\n";
    return Status::OK();
  }
  options.progress = ctx.ShowProgress();
  ASSIGN_OR_RETURN(engine::GenerateResult result, engine::Generate(options));
  if (ctx.options().json) {
    ctx.PrintJson(ResultJson(result, options.dir));
    return Status::OK();
  }
  size_t files = 0;
  for (const auto& config : result.configs) {
    for (const auto& split : config.splits) {
      files += split.files.size();
      if (ctx.options().verbose) {
        ctx.Print(fmt::format("  {}/{}: {} rows in {} file(s) under {}/", config.name, split.name,
                              split.rows, split.files.size(), config.dir));
      }
    }
  }
  ctx.Print(fmt::format(
      "wrote {} rows ({:.1f} MB) in {} file(s) to {} in {:.2f} s ({:.0f} rows/s)", result.rows,
      static_cast<double>(result.bytes) / 1e6, files, options.dir, result.seconds,
      result.seconds > 0 ? static_cast<double>(result.rows) / result.seconds : 0.0));
  return Status::OK();
}

}  // namespace

void RegisterGenerateCommands(CLI::App& app,
                              std::vector<std::pair<CLI::App*, CommandRunner>>* out) {
  auto* cmd = app.add_subcommand(
      "generate", "write a synthetic HF-style dataset repo (configs, splits, sharded Parquet)");
  auto args = std::make_shared<GenerateArgs>();
  engine::GenerateOptions& o = args->options;
  cmd->add_option("DIR", o.dir, "the dataset folder, e.g. hub/datasets/OWNER/NAME")->required();
  cmd->add_option("--rows", o.rows, "rows per config, spread over the splits")->required();
  cmd->add_option("--configs", o.configs,
                  "config names, comma-separated (default: one config with files under data/)")
      ->delimiter(',');
  cmd->add_option("--splits", o.splits, "split names, comma-separated")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--split-weights", o.split_weights,
                  "one weight per split, e.g. 8,1,1 (default: equal)")
      ->delimiter(',');
  cmd->add_option("--shards", o.shards, "Parquet files per split")->capture_default_str();
  cmd->add_option("--schema", o.schema, "columns in the schema language below");
  cmd->add_option("--seed", o.seed, "same seed and options give the same values")
      ->capture_default_str();
  cmd->add_option("--row-group-size", o.row_group_size, "rows per Parquet row group")
      ->capture_default_str();
  cmd->add_option("--compression", o.compression, "zstd, snappy, gzip or uncompressed")
      ->capture_default_str();
  cmd->add_option("--threads", o.threads, "DuckDB threads (0: every core)")->capture_default_str();
  cmd->add_flag("--overwrite", o.overwrite,
                "write into a non-empty DIR: replace the generated files and README.md (each "
                "atomically) and remove older shards of the same splits");
  // Hidden: prints the first config's SELECT over all its rows and writes nothing (benchmarks).
  cmd->add_flag("--print-sql", args->print_sql)->group("");
  cmd->footer(fmt::format(
      "Files: DIR/data/{{split}}-{{i:05d}}-of-{{k:05d}}.parquet for the default config, "
      "DIR/{{config}}/{{split}}-... for named configs, and README.md with the YAML configs: "
      "block.\n"
      "Schema: columns NAME:KIND[?NULL_RATE] separated by ',', KIND one of\n"
      "  id                  BIGINT row index within the config (sequential across splits)\n"
      "  text(MIN..MAX)      VARCHAR of MIN..MAX chars, words of a fixed vocabulary\n"
      "  label(K)            INTEGER class in [0,K); label(a|b|c) names the classes (README)\n"
      "  double[(LO..HI)]    DOUBLE uniform in [LO,HI), default [0,1); float[(LO..HI)] FLOAT\n"
      "  embedding(W)        FLOAT[] of W values in [-1,1)\n"
      "  timestamp[(FROM..TO)]  TIMESTAMPTZ in [FROM,TO), default 2020-01-01..2025-01-01\n"
      "  struct(COLUMNS)     STRUCT of nested columns\n"
      "  NULL_RATE: fraction of NULL values, 0 to 1, e.g. text(5..50)?0.1\n"
      "Default schema: {}\n"
      "Example: faceberg generate hub/datasets/me/reviews --rows 1000000 "
      "--splits train,test,validation --split-weights 8,1,1 --shards 4 --seed 42",
      engine::DefaultGeneratorSchema()));
  out->emplace_back(cmd, [args](Context& ctx) { return RunGenerate(ctx, *args); });
}

}  // namespace faceberg::cli
