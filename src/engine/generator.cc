#include "engine/generator.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <regex>
#include <set>
#include <system_error>

#include "engine/database.h"
#include "engine/sql.h"
#include "io/file_io.h"
#include "util/progress.h"
#include "util/strings.h"
#include "util/time.h"
#include "util/uuid.h"

namespace faceberg::engine {

namespace fs = std::filesystem;

namespace {

constexpr int64_t kMaxTextLength = 65536;
constexpr int64_t kMaxWidth = 65536;
constexpr int64_t kMaxClasses = 10000;
constexpr int kMaxShards = 10000;
constexpr int kMaxNesting = 8;
// Text values start at a word of the first kTextStartWindow characters of the column's corpus.
constexpr size_t kTextStartWindow = 4096;

constexpr std::string_view kDefaultSchema =
    "id:id, text:text(20..400)?0.01, label:label(negative|neutral|positive), score:double?0.05, "
    "weight:float(0..100), embedding:embedding(16), "
    "meta:struct(source:label(4), rank:double, created:timestamp)?0.02, "
    "published:timestamp(2020-01-01..2025-01-01)";

// A fixed vocabulary for text columns.
constexpr std::string_view kVocabulary[] = {
    "the",    "of",     "and",    "data",   "set",     "model",  "table",   "river",  "stone",
    "light",  "quick",  "brown",  "fox",    "jumps",   "over",   "lazy",    "dog",    "cloud",
    "ice",    "berg",   "face",   "hub",    "train",   "test",   "split",   "value",  "vector",
    "random", "signal", "noise",  "sample", "token",   "word",   "number",  "green",  "blue",
    "red",    "north",  "south",  "east",   "west",    "paper",  "review",  "great",  "poor",
    "fine",   "movie",  "book",   "song",   "city",    "market", "energy",  "time",   "space",
    "system", "method", "result", "figure", "network", "query",  "engine",  "file",   "column",
    "row",    "group",  "page",   "stream", "batch",   "shard",  "parquet", "schema", "field"};

// SplitMix64: the per-column salts mixed from the seed.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t HashText(std::string_view text) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ULL;
  return h;
}

// A salt literal for hash(): a BIGINT in parentheses.
std::string SaltLiteral(uint64_t salt) {
  return fmt::format("({})", static_cast<int64_t>(salt >> 1));
}

std::string Number(double value) { return fmt::format("{:.17g}", value); }

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

// "A..B" -> {A, B} (trimmed); nullopt without "..".
std::optional<std::pair<std::string, std::string>> SplitRange(std::string_view text) {
  size_t at = text.find("..");
  if (at == std::string_view::npos) return std::nullopt;
  return std::make_pair(std::string(Trim(text.substr(0, at))),
                        std::string(Trim(text.substr(at + 2))));
}

std::optional<double> ParseDouble(std::string_view text) {
  std::string s(Trim(text));
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  double value = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

Result<std::vector<GeneratedColumn>> ParseColumns(std::string_view spec, int depth);

Result<GeneratedColumn> ParseColumn(std::string_view text, int depth) {
  std::string_view item = Trim(text);
  size_t colon = item.find(':');
  PRECHECK(colon != std::string_view::npos,
           "schema column '{}' has no kind: write NAME:KIND, e.g. 'title:text(5..80)'", item);
  GeneratedColumn column;
  column.name = std::string(Trim(item.substr(0, colon)));
  PRECHECK(ValidName(column.name),
           "schema column name '{}' is invalid: use letters, digits and '_'", column.name);
  std::string_view rest = Trim(item.substr(colon + 1));
  // The null rate: a '?' after the closing parenthesis (or the kind).
  size_t close = rest.rfind(')');
  size_t question = rest.find('?', close == std::string_view::npos ? 0 : close);
  if (question != std::string_view::npos) {
    std::optional<double> rate = ParseDouble(rest.substr(question + 1));
    PRECHECK(rate && *rate >= 0 && *rate <= 1,
             "schema column '{}': the null rate '{}' must be a number from 0 to 1", column.name,
             Trim(rest.substr(question + 1)));
    column.null_rate = *rate;
    rest = Trim(rest.substr(0, question));
  }
  std::string kind(rest);
  std::string args;
  bool has_args = false;
  if (size_t open = rest.find('('); open != std::string_view::npos) {
    PRECHECK(rest.back() == ')', "schema column '{}': '{}' has no closing ')'", column.name, rest);
    kind = std::string(Trim(rest.substr(0, open)));
    args = std::string(Trim(rest.substr(open + 1, rest.size() - open - 2)));
    has_args = true;
  }
  const std::string where = "schema column '" + column.name + "'";
  auto range_of = [&](std::string_view what) {
    return InvalidArgument("{}: {}({}) needs a range LOW..HIGH with LOW < HIGH", where, what, args);
  };
  if (kind == "id") {
    PRECHECK(!has_args, "{}: id takes no arguments", where);
    column.kind = GeneratedKind::kId;
  } else if (kind == "text") {
    column.kind = GeneratedKind::kText;
    auto range = SplitRange(args);
    std::optional<int64_t> min = range ? ParseInt64(range->first) : std::nullopt;
    std::optional<int64_t> max = range ? ParseInt64(range->second) : std::nullopt;
    PRECHECK(min && max && *min >= 0 && *min <= *max && *max <= kMaxTextLength,
             "{}: text needs a length range MIN..MAX with 0 <= MIN <= MAX <= {}, e.g. "
             "text(10..200)",
             where, kMaxTextLength);
    column.min_length = *min;
    column.max_length = *max;
  } else if (kind == "label") {
    column.kind = GeneratedKind::kLabel;
    std::optional<int64_t> classes = ParseInt64(args);
    if (classes) {
      PRECHECK(*classes >= 1 && *classes <= kMaxClasses,
               "{}: label needs 1 to {} classes, e.g. label(5) or label(neg|pos)", where,
               kMaxClasses);
      column.classes = *classes;
    } else {
      PRECHECK(!args.empty(), "{}: label needs a class count or names, e.g. label(neg|pos)", where);
      std::set<std::string> seen;
      for (const auto& name : Split(args, '|')) {
        std::string trimmed(Trim(name));
        PRECHECK(!trimmed.empty() && trimmed.find_first_of("'\"\\\n") == std::string::npos,
                 "{}: label names must be non-empty and free of quotes and backslashes", where);
        PRECHECK(seen.insert(trimmed).second, "{}: the label name '{}' is repeated", where,
                 trimmed);
        column.label_names.push_back(trimmed);
      }
      PRECHECK(static_cast<int64_t>(column.label_names.size()) <= kMaxClasses,
               "{}: at most {} label names", where, kMaxClasses);
      column.classes = static_cast<int64_t>(column.label_names.size());
    }
  } else if (kind == "double" || kind == "float") {
    column.kind = kind == "double" ? GeneratedKind::kDouble : GeneratedKind::kFloat;
    if (has_args) {
      auto range = SplitRange(args);
      std::optional<double> low = range ? ParseDouble(range->first) : std::nullopt;
      std::optional<double> high = range ? ParseDouble(range->second) : std::nullopt;
      if (!low || !high || !(*low < *high)) return range_of(kind);
      column.low = *low;
      column.high = *high;
    }
  } else if (kind == "embedding") {
    column.kind = GeneratedKind::kEmbedding;
    std::optional<int64_t> width = ParseInt64(args);
    PRECHECK(width && *width >= 1 && *width <= kMaxWidth,
             "{}: embedding needs a width from 1 to {}, e.g. embedding(384)", where, kMaxWidth);
    column.width = *width;
  } else if (kind == "timestamp") {
    column.kind = GeneratedKind::kTimestamp;
    std::string from = "2020-01-01", to = "2025-01-01";
    if (has_args) {
      auto range = SplitRange(args);
      if (!range) return range_of(kind);
      from = range->first;
      to = range->second;
    }
    auto from_micros = ParseTimestampMicros(from);
    auto to_micros = ParseTimestampMicros(to);
    if (!from_micros.ok() || !to_micros.ok() || !(*from_micros < *to_micros)) {
      return InvalidArgument(
          "{}: timestamp needs a range FROM..TO of dates or ISO-8601 times with FROM < TO, e.g. "
          "timestamp(2020-01-01..2025-01-01)",
          where);
    }
    column.from_micros = *from_micros;
    column.to_micros = *to_micros;
  } else if (kind == "struct") {
    column.kind = GeneratedKind::kStruct;
    PRECHECK(depth < kMaxNesting, "{}: structs nest at most {} deep", where, kMaxNesting);
    PRECHECK(!args.empty(), "{}: struct needs fields, e.g. struct(a:double, b:text(1..9))", where);
    ASSIGN_OR_RETURN(column.fields, ParseColumns(args, depth + 1));
  } else {
    return InvalidArgument(
        "{}: unknown kind '{}': use id, text, label, double, float, embedding, timestamp or "
        "struct",
        where, kind);
  }
  return column;
}

Result<std::vector<GeneratedColumn>> ParseColumns(std::string_view spec, int depth) {
  std::vector<GeneratedColumn> columns;
  std::set<std::string> names;
  for (const auto& item : SplitTopLevel(spec, ',')) {
    PRECHECK(!Trim(item).empty(), "the schema has an empty column (two commas in a row?)");
    ASSIGN_OR_RETURN(GeneratedColumn column, ParseColumn(item, depth));
    PRECHECK(names.insert(ToLower(column.name)).second, "schema column '{}' is repeated",
             column.name);
    columns.push_back(std::move(column));
  }
  PRECHECK(!columns.empty(), "the schema has no columns");
  return columns;
}

// The text corpus of a column and the 1-based word starts within its first kTextStartWindow
// characters: words of the vocabulary in a fixed order derived from `salt`.
std::pair<std::string, std::vector<size_t>> TextCorpus(uint64_t salt, int64_t max_length) {
  std::string corpus;
  std::vector<size_t> starts;
  const size_t size = kTextStartWindow + static_cast<size_t>(max_length) + 16;
  constexpr size_t kWords = sizeof(kVocabulary) / sizeof(kVocabulary[0]);
  uint64_t state = salt;
  while (corpus.size() < size) {
    if (!corpus.empty()) corpus += ' ';
    if (corpus.size() < kTextStartWindow) starts.push_back(corpus.size() + 1);
    state = Mix(state);
    corpus += kVocabulary[state % kWords];
  }
  return {std::move(corpus), std::move(starts)};
}

// The expression of `column` (salted by `salt`) without its null rate.
std::string ValueExpression(const GeneratedColumn& column, uint64_t salt);

std::string ColumnExpression(const GeneratedColumn& column, uint64_t salt) {
  std::string value = ValueExpression(column, salt);
  if (column.null_rate <= 0) return value;
  // Every row NULL; the ELSE branch keeps the column's type.
  if (column.null_rate >= 1) return fmt::format("CASE WHEN true THEN NULL ELSE {} END", value);
  // NULL when the row's null hash falls below rate * 2^64.
  const auto threshold = static_cast<uint64_t>(std::ldexp(column.null_rate, 64));
  return fmt::format("CASE WHEN hash(range, {}) < {}::UBIGINT THEN NULL ELSE {} END",
                     SaltLiteral(Mix(salt ^ 0x6e756c6cULL)), threshold, value);
}

std::string ValueExpression(const GeneratedColumn& column, uint64_t salt) {
  const std::string h = fmt::format("hash(range, {})", SaltLiteral(salt));
  // Uniform in [0, 1) with 53 bits.
  const std::string unit = fmt::format("(({} >> 11)::DOUBLE * {})", h, Number(std::ldexp(1, -53)));
  switch (column.kind) {
    case GeneratedKind::kId:
      return "range::BIGINT";
    case GeneratedKind::kText: {
      auto [corpus, starts] = TextCorpus(salt, column.max_length);
      std::vector<std::string> start_texts;
      start_texts.reserve(starts.size());
      for (size_t s : starts) start_texts.push_back(std::to_string(s));
      const int64_t spread = column.max_length - column.min_length + 1;
      return fmt::format(
          "substr({}, [{}][1 + (hash(range, {}) % {})::BIGINT], {} + (hash(range, {}) % "
          "{})::BIGINT)",
          QuoteLiteral(corpus), Join(start_texts, ","), SaltLiteral(Mix(salt ^ 1)), starts.size(),
          column.min_length, SaltLiteral(Mix(salt ^ 2)), spread);
    }
    case GeneratedKind::kLabel:
      return fmt::format("({} % {})::INTEGER", h, column.classes);
    case GeneratedKind::kDouble:
      return fmt::format("({} + {} * {})", Number(column.low), Number(column.high - column.low),
                         unit);
    case GeneratedKind::kFloat:
      return fmt::format("({} + {} * (({} >> 40)::DOUBLE * {}))::FLOAT", Number(column.low),
                         Number(column.high - column.low), h, Number(std::ldexp(1, -24)));
    case GeneratedKind::kEmbedding:
      return fmt::format(
          "list_transform(range({}), lambda __i: ((hash(range, {}, __i) >> 40)::DOUBLE * {} - "
          "1.0)::FLOAT)",
          column.width, SaltLiteral(salt), Number(std::ldexp(1, -23)));
    case GeneratedKind::kTimestamp: {
      const uint64_t span = static_cast<uint64_t>(column.to_micros - column.from_micros);
      return fmt::format("make_timestamp(({} + ({} % {}::UBIGINT))::BIGINT)::TIMESTAMPTZ",
                         column.from_micros, h, span);
    }
    case GeneratedKind::kStruct: {
      std::vector<std::string> fields;
      for (const auto& field : column.fields) {
        fields.push_back(fmt::format("{} := {}", QuoteIdentifier(field.name),
                                     ColumnExpression(field, Mix(salt ^ HashText(field.name)))));
      }
      return "struct_pack(" + Join(fields, ", ") + ")";
    }
  }
  return "NULL";
}

// The file name of shard `index` of `count`.
std::string ShardName(std::string_view split, int index, int count) {
  return fmt::format("{}-{:05d}-of-{:05d}.parquet", split, index, count);
}

Result<std::vector<std::string>> CheckNames(const std::vector<std::string>& names,
                                            std::string_view what) {
  std::set<std::string> seen;
  for (const auto& name : names) {
    PRECHECK(ValidName(name), "the {} name '{}' is invalid: use letters, digits and '_'", what,
             name);
    PRECHECK(seen.insert(name).second, "the {} '{}' is given twice", what, name);
  }
  return names;
}

// YAML features (dataset_info) of `columns`, indented by `indent`.
void AppendFeatures(const std::vector<GeneratedColumn>& columns, const std::string& indent,
                    std::string* out) {
  for (const auto& column : columns) {
    *out += indent + "- name: " + column.name + "\n";
    switch (column.kind) {
      case GeneratedKind::kId:
        *out += indent + "  dtype: int64\n";
        break;
      case GeneratedKind::kText:
        *out += indent + "  dtype: string\n";
        break;
      case GeneratedKind::kLabel:
        if (column.label_names.empty()) {
          *out += indent + "  dtype: int32\n";
        } else {
          *out += indent + "  dtype:\n" + indent + "    class_label:\n" + indent + "      names:\n";
          for (size_t i = 0; i < column.label_names.size(); ++i) {
            *out += fmt::format("{}        '{}': {}\n", indent, i, column.label_names[i]);
          }
        }
        break;
      case GeneratedKind::kDouble:
        *out += indent + "  dtype: float64\n";
        break;
      case GeneratedKind::kFloat:
        *out += indent + "  dtype: float32\n";
        break;
      case GeneratedKind::kEmbedding:
        *out += indent + "  sequence: float32\n";
        break;
      case GeneratedKind::kTimestamp:
        *out += indent + "  dtype: timestamp[us, tz=UTC]\n";
        break;
      case GeneratedKind::kStruct:
        *out += indent + "  struct:\n";
        AppendFeatures(column.fields, indent + "  ", out);
        break;
    }
  }
}

// Removes "{split}-NNNNN-of-NNNNN.parquet" files in `folder` that are not in `keep`.
Status RemoveStaleShards(const fs::path& folder, const std::vector<std::string>& splits,
                         const std::set<std::string>& keep) {
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) return Status::OK();
  static const std::regex kShard(R"((\w+)-\d{5}-of-\d{5}\.parquet)");
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    const std::string name = entry.path().filename().string();
    std::smatch match;
    if (!std::regex_match(name, match, kShard) || keep.count(name) > 0) continue;
    if (std::find(splits.begin(), splits.end(), match[1].str()) == splits.end()) continue;
    fs::remove(entry.path(), ec);
    if (ec)
      return IOError("cannot remove the old shard '{}': {}", entry.path().string(), ec.message());
  }
  if (ec) return IOError("cannot list '{}': {}", folder.string(), ec.message());
  return Status::OK();
}

}  // namespace

std::string_view DefaultGeneratorSchema() { return kDefaultSchema; }

Result<std::vector<GeneratedColumn>> ParseGeneratorSchema(std::string_view spec) {
  return ParseColumns(spec, 0);
}

std::string GeneratorSelectList(const std::vector<GeneratedColumn>& columns, uint64_t seed,
                                int config_index) {
  const uint64_t base =
      Mix(Mix(seed) ^ Mix(0x636f6e666967ULL + static_cast<uint64_t>(config_index)));
  std::vector<std::string> items;
  for (const auto& column : columns) {
    items.push_back(ColumnExpression(column, Mix(base ^ HashText(column.name))) + " AS " +
                    QuoteIdentifier(column.name));
  }
  return Join(items, ", ");
}

Result<GenerateResult> PlanGenerate(const GenerateOptions& options) {
  PRECHECK(!Trim(options.dir).empty(), "give the dataset folder to write (DIR)");
  PRECHECK(options.rows >= 1, "--rows must be at least 1");
  PRECHECK(options.rows <= (uint64_t{1} << 62), "--rows is too large");
  PRECHECK(!options.splits.empty(), "give at least one split");
  RETURN_IF_ERROR(CheckNames(options.splits, "split").status());
  RETURN_IF_ERROR(CheckNames(options.configs, "config").status());
  std::vector<double> weights = options.split_weights;
  if (weights.empty()) weights.assign(options.splits.size(), 1.0);
  PRECHECK(weights.size() == options.splits.size(),
           "--split-weights has {} weights for {} splits: give one weight per split",
           weights.size(), options.splits.size());
  double total_weight = 0;
  for (double w : weights) {
    PRECHECK(std::isfinite(w) && w > 0, "--split-weights must be positive numbers");
    total_weight += w;
  }
  PRECHECK(options.shards >= 1 && options.shards <= kMaxShards, "--shards must be from 1 to {}",
           kMaxShards);
  PRECHECK(options.row_group_size >= 1, "--row-group-size must be at least 1");
  const std::string compression = ToLower(options.compression);
  PRECHECK(compression == "zstd" || compression == "snappy" || compression == "gzip" ||
               compression == "uncompressed",
           "--compression '{}' is not one of zstd, snappy, gzip, uncompressed",
           options.compression);
  PRECHECK(options.threads >= 0, "--threads must not be negative");
  ASSIGN_OR_RETURN(std::vector<GeneratedColumn> columns,
                   ParseGeneratorSchema(options.schema.empty() ? kDefaultSchema : options.schema));

  // Rows per split: floor of the weighted share, the remainder to the largest fractions.
  std::vector<uint64_t> split_rows(weights.size());
  std::vector<std::pair<double, size_t>> fractions;
  uint64_t assigned = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    const double share = static_cast<double>(options.rows) * weights[i] / total_weight;
    split_rows[i] = static_cast<uint64_t>(std::floor(share));
    assigned += split_rows[i];
    fractions.emplace_back(-(share - std::floor(share)), i);
  }
  std::stable_sort(fractions.begin(), fractions.end());
  for (size_t i = 0; assigned < options.rows; i = (i + 1) % fractions.size(), ++assigned) {
    ++split_rows[fractions[i].second];
  }
  for (size_t i = 0; i < split_rows.size(); ++i) {
    PRECHECK(split_rows[i] >= static_cast<uint64_t>(options.shards),
             "split '{}' gets {} rows, fewer than --shards {}: give more --rows or fewer shards",
             options.splits[i], split_rows[i], options.shards);
  }

  GenerateResult plan;
  std::vector<std::string> config_names = options.configs;
  if (config_names.empty()) config_names.push_back("default");
  for (size_t c = 0; c < config_names.size(); ++c) {
    GeneratedConfig config;
    config.name = config_names[c];
    config.dir = options.configs.empty() ? "data" : config.name;
    config.sql =
        fmt::format("SELECT {} FROM range(0, {})",
                    GeneratorSelectList(columns, options.seed, static_cast<int>(c)), options.rows);
    uint64_t first = 0;
    for (size_t s = 0; s < options.splits.size(); ++s) {
      GeneratedSplit split;
      split.name = options.splits[s];
      split.rows = split_rows[s];
      split.first_row = first;
      for (int k = 0; k < options.shards; ++k) {
        const uint64_t begin = split.rows * k / options.shards;
        const uint64_t end = split.rows * (k + 1) / options.shards;
        split.files.push_back(
            {config.dir + "/" + ShardName(split.name, k, options.shards), end - begin, 0});
      }
      first += split.rows;
      config.splits.push_back(std::move(split));
    }
    plan.rows += options.rows;
    plan.configs.push_back(std::move(config));
  }
  return plan;
}

std::string GeneratedReadme(const GenerateResult& plan, const GenerateOptions& options) {
  auto columns = ParseGeneratorSchema(options.schema.empty() ? kDefaultSchema : options.schema);
  std::string out = "---\nconfigs:\n";
  for (size_t c = 0; c < plan.configs.size(); ++c) {
    const auto& config = plan.configs[c];
    out += "- config_name: " + config.name + "\n  data_files:\n";
    for (const auto& split : config.splits) {
      out += "  - split: " + split.name + "\n    path: " + config.dir + "/" + split.name + "-*\n";
    }
    if (c == 0) out += "  default: true\n";
  }
  if (columns.ok()) {
    out += "dataset_info:\n";
    for (const auto& config : plan.configs) {
      out += "- config_name: " + config.name + "\n  features:\n";
      AppendFeatures(*columns, "  ", &out);
      out += "  splits:\n";
      for (const auto& split : config.splits) {
        out += fmt::format("  - name: {}\n    num_examples: {}\n", split.name, split.rows);
      }
    }
  }
  out += "---\n\n";
  out += fmt::format(
      "# Generated dataset\n\nSynthetic data written by `faceberg generate` (seed {}, {} rows per "
      "config, {} shard(s) per split).\n\nSchema: `{}`\n",
      options.seed, options.rows, options.shards,
      options.schema.empty() ? kDefaultSchema : std::string_view(options.schema));
  return out;
}

Result<GenerateResult> Generate(const GenerateOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(GenerateResult plan, PlanGenerate(options));
  const fs::path root(options.dir);
  std::error_code ec;
  if (fs::exists(root, ec)) {
    PRECHECK(fs::is_directory(root, ec), "'{}' is not a folder: give a dataset folder",
             options.dir);
    if (!options.overwrite && !fs::is_empty(root, ec)) {
      return AlreadyExists(
          "'{}' is not empty: give a new or empty folder, or --overwrite to replace the "
          "generated files",
          options.dir);
    }
  }

  DatabaseOptions db_options;
  db_options.threads = options.threads;
  ASSIGN_OR_RETURN(auto db, Database::Open(db_options));
  ASSIGN_OR_RETURN(auto con, Connection::Open(*db));
  // Row order inside a file is the range order (the default, stated for clarity).
  RETURN_IF_ERROR(con->Execute("SET preserve_insertion_order = true"));

  uint64_t shard_count = 0;
  for (const auto& config : plan.configs) {
    for (const auto& split : config.splits) shard_count += split.files.size();
  }
  ProgressOptions progress_options;
  progress_options.enabled = options.progress;
  ProgressBar bar("generating", shard_count, progress_options);

  const std::string compression = ToLower(options.compression);
  const std::string token = RandomUuid().substr(0, 8);
  for (size_t c = 0; c < plan.configs.size(); ++c) {
    auto& config = plan.configs[c];
    const fs::path folder = root / config.dir;
    fs::create_directories(folder, ec);
    if (ec) return IOError("cannot create '{}': {}", folder.string(), ec.message());
    // The select list is the one in config.sql: everything before its FROM.
    const std::string select_list = config.sql.substr(7, config.sql.rfind(" FROM range(") - 7);
    std::set<std::string> written;
    for (auto& split : config.splits) {
      uint64_t begin = split.first_row;
      for (auto& file : split.files) {
        const fs::path target = root / file.path;
        const fs::path temp = folder / ("." + target.filename().string() + ".tmp-" + token);
        Status copied = con->Execute(fmt::format(
            "COPY (SELECT {} FROM range({}, {})) TO {} (FORMAT parquet, COMPRESSION {}, "
            "ROW_GROUP_SIZE {})",
            select_list, begin, begin + file.rows, QuoteLiteral(temp.string()), compression,
            options.row_group_size));
        if (!copied.ok()) {
          fs::remove(temp, ec);
          return copied;
        }
        fs::rename(temp, target, ec);
        if (ec) {
          fs::remove(temp, ec);
          return IOError("cannot move the new shard into '{}': {}", target.string(), ec.message());
        }
        file.bytes = fs::file_size(target, ec);
        plan.bytes += file.bytes;
        written.insert(target.filename().string());
        begin += file.rows;
        bar.Advance();
      }
    }
    if (options.overwrite) {
      std::vector<std::string> split_names;
      for (const auto& split : config.splits) split_names.push_back(split.name);
      RETURN_IF_ERROR(RemoveStaleShards(folder, split_names, written));
    }
  }
  bar.Finish();

  io::LocalFileIO local;
  RETURN_IF_ERROR(local.WriteFile((root / "README.md").string(), GeneratedReadme(plan, options),
                                  io::WriteMode::kOverwrite));
  plan.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return plan;
}

}  // namespace faceberg::engine
