#include "engine/writer.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <system_error>

#include "engine/sql.h"
#include "format/parquet/footer.h"
#include "iceberg/name_mapping.h"
#include "iceberg/parquet_metrics.h"
#include "iceberg/single_value.h"
#include "util/strings.h"
#include "util/uuid.h"

namespace faceberg::engine {

namespace fs = std::filesystem;
using iceberg::DataFile;
using iceberg::NestedField;
using iceberg::PartitionField;
using iceberg::PartitionSpec;
using iceberg::Schema;
using iceberg::TransformKind;
using iceberg::Type;
using iceberg::TypeId;
using iceberg::TypePtr;
using iceberg::Value;

namespace {

// Messages raised inside DuckDB with error() start with this marker, so they can be told apart
// from DuckDB's own errors and handed to the user without DuckDB's prefix.
constexpr std::string_view kErrorMarker = "faceberg:";
// Partition key columns added to the rows for PARTITION_BY (not written into the files).
constexpr std::string_view kKeyColumnPrefix = "__faceberg_p";
constexpr std::string_view kStagingPrefix = ".faceberg-staging-";

// Turns an error raised by our error() calls into a plain InvalidArgument; other errors pass.
Status CleanError(const Status& status) {
  std::string raised = "Invalid Input Error: " + std::string(kErrorMarker);
  size_t at = status.message().find(raised);
  if (at == std::string::npos) return status;
  std::string message = status.message().substr(at + raised.size());
  if (size_t end = message.find('\n'); end != std::string::npos) message.resize(end);
  return Status(ErrorCode::kInvalidArgument, message);
}

Result<InputFormat> FormatFromExtension(const std::string& path) {
  std::string lower = ToLower(path);
  for (std::string_view compressed : {".gz", ".zst"}) {
    if (EndsWith(lower, compressed)) lower.resize(lower.size() - compressed.size());
  }
  if (EndsWith(lower, ".csv") || EndsWith(lower, ".tsv") || EndsWith(lower, ".txt")) {
    return InputFormat::kCsv;
  }
  if (EndsWith(lower, ".json") || EndsWith(lower, ".jsonl") || EndsWith(lower, ".ndjson")) {
    return InputFormat::kJson;
  }
  if (EndsWith(lower, ".parquet") || EndsWith(lower, ".pq")) return InputFormat::kParquet;
  return InvalidArgument(
      "cannot tell the format of '{}' from its extension: name the format (csv, json or parquet)",
      path);
}

// The relation (FROM clause item) that reads the source, aliased __src.
Result<std::string> SourceRelation(const InsertSource& source) {
  if (source.files.empty() && source.values.empty() && !source.query.empty()) {
    return fmt::format("({}) AS __src", source.query);
  }
  if (source.files.empty()) {
    PRECHECK(!Trim(source.values).empty(), "nothing to insert: give input files or --values rows");
    return fmt::format("(VALUES {}) AS __src", source.values);
  }
  PRECHECK(Trim(source.values).empty(), "give either input files or --values rows, not both");
  InputFormat format = source.format;
  if (format == InputFormat::kAuto) {
    for (const auto& file : source.files) {
      ASSIGN_OR_RETURN(InputFormat f, FormatFromExtension(file));
      if (format != InputFormat::kAuto && f != format) {
        return InvalidArgument(
            "the input files mix formats ('{}' differs from the first file): insert them "
            "separately",
            file);
      }
      format = f;
    }
  }
  std::vector<std::string> quoted;
  for (const auto& file : source.files) quoted.push_back(QuoteLiteral(io::LocalPath(file)));
  std::string list = "[" + Join(quoted, ", ") + "]";
  switch (format) {
    case InputFormat::kCsv:
      // Values are read as text and cast to the table's types below, so the sniffer's guesses
      // (leading zeros, dates) never lose information.
      return fmt::format(
          "read_csv({}, header = true, all_varchar = true, union_by_name = true, "
          "hive_partitioning = false) AS __src",
          list);
    case InputFormat::kJson:
      return fmt::format(
          "read_json({}, format = 'auto', union_by_name = true, hive_partitioning = false) AS "
          "__src",
          list);
    case InputFormat::kParquet:
      return fmt::format(
          "read_parquet({}, union_by_name = true, hive_partitioning = false) AS __src", list);
    case InputFormat::kAuto:
      break;
  }
  return InvalidArgument("the input format is not set");
}

// An SQL string expression (a literal) for error(): the marker and `text`.
std::string ErrorText(const std::string& text) {
  return QuoteLiteral(std::string(kErrorMarker) + text);
}

// The expression producing table column `field` from input column `input` (of DuckDB type
// `input_type`), raising one clear error for a NULL in a required column or a value that does
// not convert.
std::string CastExpression(const NestedField& field, const std::string& input,
                           const std::string& input_type) {
  std::string target = DuckDBType(*field.type);
  std::string ref = "__src." + QuoteIdentifier(input);
  std::string converted = ref;
  if (input_type != target) {
    std::string tried = fmt::format("TRY_CAST({} AS {})", ref, target);
    std::string message =
        fmt::format("CONCAT({}, left(CAST({} AS VARCHAR), 100), {})",
                    ErrorText(fmt::format("column \"{}\" ({}): the value '", field.name,
                                          field.type->ToString())),
                    ref,
                    QuoteLiteral(fmt::format("' cannot be converted to {}; fix the input value",
                                             field.type->ToString())));
    converted = fmt::format("CASE WHEN {} IS NOT NULL AND {} IS NULL THEN error({}) ELSE {} END",
                            ref, tried, message, tried);
  }
  if (!field.required) return converted;
  return fmt::format(
      "CASE WHEN {} IS NULL THEN error({}) ELSE {} END", ref,
      ErrorText(fmt::format("column \"{}\" is required, but a row has no value for it; give "
                            "every row a value",
                            field.name)),
      converted);
}

// Column names from the top level down to field `id`, through structs only.
bool FieldPath(const std::vector<NestedField>& fields, int32_t id, std::vector<std::string>* path) {
  for (const auto& f : fields) {
    path->push_back(f.name);
    if (f.id == id) return true;
    if (f.type->id() == TypeId::kStruct && FieldPath(f.type->fields(), id, path)) return true;
    path->pop_back();
  }
  return false;
}

std::string FloorDiv(const std::string& x, const std::string& d) {
  return fmt::format("(({0}) - ((({0}) % {1}) + {1}) % {1}) // {1}", x, d);
}

// The text encoding of a non-null value of type `type` held by expression `x`, as the partition
// key carries it (see DecodeKey): integers, days and micros as decimal digits, decimals and
// floats as DuckDB prints them, strings, binary and uuids as hex. Every character is safe in a
// folder name.
std::string EncodeKey(const std::string& x, const Type& type) {
  switch (type.id()) {
    case TypeId::kDate:
      return fmt::format("CAST({} - DATE '1970-01-01' AS VARCHAR)", x);
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      return fmt::format("CAST(epoch_us({}) AS VARCHAR)", x);
    case TypeId::kString:
    case TypeId::kFixed:
    case TypeId::kBinary:
      return fmt::format("hex({})", x);
    case TypeId::kUuid:
      return fmt::format("replace(CAST({} AS VARCHAR), '-', '')", x);
    default:
      return fmt::format("CAST({} AS VARCHAR)", x);
  }
}

// The partition key expression of one partition field over source expression `x`: 'n' for a
// null partition value, else 'v' and the encoded transformed value.
Result<std::string> KeyExpression(const PartitionField& field, const std::string& x,
                                  const Type& source) {
  const auto& t = field.transform;
  std::string value;
  switch (t.kind()) {
    case TransformKind::kIdentity:
      value = EncodeKey(x, source);
      break;
    case TransformKind::kVoid:
      return std::string("'n'");
    case TransformKind::kBucket:
      value = fmt::format("CAST(iceberg_bucket({}, {}) AS VARCHAR)", x, t.param());
      break;
    case TransformKind::kTruncate:
      switch (source.id()) {
        case TypeId::kInt:
        case TypeId::kLong: {
          // Computed one size wider and wrapped back, so values within the width of the type's
          // minimum wrap around as in Java (and Transform::Apply) instead of overflowing.
          bool is_int = source.id() == TypeId::kInt;
          std::string wide = fmt::format("(CAST({0} AS {2}) - ((({0} % {1}) + {1}) % {1}))", x,
                                         t.param(), is_int ? "BIGINT" : "HUGEINT");
          std::string half = is_int ? "2147483648" : "9223372036854775808";
          std::string full = is_int ? "4294967296" : "18446744073709551616";
          value = fmt::format("CAST(((({0} + {1}) % {2}) + {2}) % {2} - {1} AS VARCHAR)", wide,
                              half, full);
          break;
        }
        case TypeId::kDecimal: {
          ASSIGN_OR_RETURN(TypePtr wide, Type::Decimal(38, source.scale()));
          ASSIGN_OR_RETURN(std::string width,
                           SqlLiteral(Value(iceberg::Decimal128{t.param()}), *wide));
          value = fmt::format("CAST({0} - ((({0} % {1}) + {1}) % {1}) AS VARCHAR)", x, width);
          break;
        }
        case TypeId::kString:
          value = fmt::format("hex(left({}, {}))", x, t.param());
          break;
        default:  // binary
          value = fmt::format("left(hex({}), {})", x, int64_t{t.param()} * 2);
          break;
      }
      break;
    case TransformKind::kYear:
      value = fmt::format("CAST(year({}) - 1970 AS VARCHAR)", x);
      break;
    case TransformKind::kMonth:
      value = fmt::format("CAST((year({0}) - 1970) * 12 + month({0}) - 1 AS VARCHAR)", x);
      break;
    case TransformKind::kDay:
      value = source.id() == TypeId::kDate
                  ? fmt::format("CAST({} - DATE '1970-01-01' AS VARCHAR)", x)
                  : fmt::format("CAST(CAST({} AS DATE) - DATE '1970-01-01' AS VARCHAR)", x);
      break;
    case TransformKind::kHour:
      value = fmt::format("CAST({} AS VARCHAR)",
                          FloorDiv(fmt::format("epoch_us({})", x), "3600000000"));
      break;
    case TransformKind::kUnknown:
      return NotSupported("partition transform '{}' of field '{}' is not supported for writing",
                          t.ToString(), field.name);
  }
  return fmt::format("CASE WHEN {} IS NULL THEN 'n' ELSE CONCAT('v', {}) END", x, value);
}

std::string PercentDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      auto byte = HexDecode(text.substr(i + 1, 2));
      if (byte) {
        out += *byte;
        i += 2;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

template <typename T>
std::optional<T> ParseNumber(std::string_view text) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Reads a partition key back into the partition value of result type `type`.
Result<Value> DecodeKey(std::string_view key, const Type& type) {
  if (key == "n") return Value();
  if (key.empty() || key[0] != 'v') return Internal("malformed partition key '{}'", key);
  std::string_view text = key.substr(1);
  auto bad = [&]() { return Internal("partition key '{}' is not a {}", key, type.ToString()); };
  switch (type.id()) {
    case TypeId::kBoolean:
      if (text == "true") return Value(true);
      if (text == "false") return Value(false);
      return bad();
    case TypeId::kInt:
    case TypeId::kDate: {
      auto v = ParseNumber<int32_t>(text);
      if (!v) return bad();
      return Value(*v);
    }
    case TypeId::kLong:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: {
      auto v = ParseNumber<int64_t>(text);
      if (!v) return bad();
      return Value(*v);
    }
    case TypeId::kFloat:
    case TypeId::kDouble: {
      std::string s(text);
      char* end = nullptr;
      double d = std::strtod(s.c_str(), &end);
      if (s.empty() || end != s.c_str() + s.size()) return bad();
      if (type.id() == TypeId::kFloat) return Value(static_cast<float>(d));
      return Value(d);
    }
    case TypeId::kDecimal: {
      // DuckDB prints exactly `scale` fraction digits. The value is not range-checked against
      // the precision: truncate may step below the smallest value, as Transform::Apply does.
      bool negative = !text.empty() && text[0] == '-';
      std::string_view digits = negative ? text.substr(1) : text;
      size_t dot = digits.find('.');
      std::string whole(digits.substr(0, dot));
      std::string fraction(dot == std::string_view::npos ? "" : digits.substr(dot + 1));
      if (static_cast<int>(fraction.size()) != type.scale()) return bad();
      __int128 unscaled = 0;
      for (char c : whole + fraction) {
        if (c < '0' || c > '9') return bad();
        unscaled = unscaled * 10 + (c - '0');
      }
      return Value(iceberg::Decimal128{negative ? -unscaled : unscaled});
    }
    case TypeId::kString:
    case TypeId::kFixed:
    case TypeId::kBinary:
    case TypeId::kUuid: {
      auto bytes = HexDecode(text);
      if (!bytes) return bad();
      return Value(std::move(*bytes));
    }
    default:
      return bad();
  }
}

// Removes what a failed write left behind; a successful write only drops the staging folder.
class WriteCleanup {
 public:
  explicit WriteCleanup(io::FileIO& io) : io_(io) {}
  ~WriteCleanup() {
    std::error_code ec;
    if (!staging_.empty()) fs::remove_all(staging_, ec);
    if (committed_) return;
    for (const auto& file : written_) (void)io_.DeleteFile(file);
    // Partition folders this write created, deepest first, if nothing else arrived in them.
    for (auto it = created_dirs_.rbegin(); it != created_dirs_.rend(); ++it) fs::remove(*it, ec);
  }
  WriteCleanup(const WriteCleanup&) = delete;
  WriteCleanup& operator=(const WriteCleanup&) = delete;

  void set_staging(fs::path staging) { staging_ = std::move(staging); }
  void AddWritten(std::string location) { written_.push_back(std::move(location)); }
  // Creates `dir` and its missing parents, remembering the ones it created.
  Status CreateDirectories(const fs::path& dir) {
    std::vector<fs::path> missing;
    for (fs::path p = dir; !p.empty() && !fs::exists(p); p = p.parent_path()) {
      missing.push_back(p);
      if (p == p.parent_path()) break;
    }
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return IOError("cannot create folder {}: {}", dir.string(), ec.message());
    created_dirs_.insert(created_dirs_.end(), missing.rbegin(), missing.rend());
    return Status::OK();
  }
  void Commit() { committed_ = true; }

 private:
  io::FileIO& io_;
  fs::path staging_;
  std::vector<std::string> written_;
  std::vector<fs::path> created_dirs_;
  bool committed_ = false;
};

struct StagedFile {
  fs::path path;
  iceberg::PartitionValues partition;
};

// The staged Parquet files under `staging` with the partition tuple read from their
// "__faceberg_pN=<key>" folders.
Result<std::vector<StagedFile>> ListStaged(const fs::path& staging, const PartitionSpec& spec,
                                           const std::vector<TypePtr>& result_types) {
  std::vector<StagedFile> out;
  std::error_code ec;
  if (!fs::exists(staging, ec)) return out;
  for (fs::recursive_directory_iterator it(staging, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file() || it->path().extension() != ".parquet") continue;
    StagedFile staged;
    staged.path = it->path();
    staged.partition.resize(spec.fields.size());
    std::vector<bool> seen(spec.fields.size(), false);
    for (const auto& part : fs::relative(it->path().parent_path(), staging)) {
      std::string name = part.string();
      if (!StartsWith(name, kKeyColumnPrefix)) continue;
      size_t eq = name.find('=');
      if (eq == std::string::npos) continue;
      auto index = ParseInt64(name.substr(kKeyColumnPrefix.size(), eq - kKeyColumnPrefix.size()));
      if (!index || *index < 0 || static_cast<size_t>(*index) >= spec.fields.size()) continue;
      ASSIGN_OR_RETURN(staged.partition[*index],
                       DecodeKey(PercentDecode(name.substr(eq + 1)), *result_types[*index]));
      seen[*index] = true;
    }
    for (size_t i = 0; i < seen.size(); ++i) {
      if (!seen[i]) {
        return Internal("staged file {} lacks partition key {}", it->path().string(), i);
      }
    }
    out.push_back(std::move(staged));
  }
  if (ec) return IOError("cannot list {}: {}", staging.string(), ec.message());
  std::sort(out.begin(), out.end(),
            [](const StagedFile& a, const StagedFile& b) { return a.path < b.path; });
  return out;
}

// DuckDB writes BLOB as a variable-length BYTE_ARRAY; Iceberg's fixed[L] must be a
// FIXED_LEN_BYTE_ARRAY, which DuckDB's writer cannot produce.
Status CheckWritable(const std::vector<NestedField>& fields, const std::string& prefix) {
  for (const auto& f : fields) {
    std::string name = prefix + f.name;
    if (f.type->id() == TypeId::kFixed) {
      return NotSupported(
          "column '{}' is {}, which faceberg cannot write yet (DuckDB writes no fixed-length "
          "binary Parquet columns); use binary instead",
          name, f.type->ToString());
    }
    if (f.type->is_nested()) RETURN_IF_ERROR(CheckWritable(f.type->fields(), name + "."));
  }
  return Status::OK();
}

// The top-level columns WriteDataFiles leaves out of the files: with
// omit_identity_partition_columns, the sources of the spec's identity fields.
// Errors: NotSupported for such a source inside a struct.
Result<std::set<int32_t>> OmittedColumns(const Schema& schema, const PartitionSpec& spec,
                                         const WriteOptions& options) {
  std::set<int32_t> out;
  if (!options.omit_identity_partition_columns) return out;
  for (const PartitionField& pf : spec.fields) {
    if (!pf.transform.is_identity()) continue;
    bool top_level = false;
    for (const NestedField& f : schema.fields()) top_level = top_level || f.id == pf.source_id;
    if (!top_level) {
      return NotSupported(
          "partition field '{}' takes its values from a column inside a struct, which cannot be "
          "left out of the data files",
          pf.name);
    }
    out.insert(pf.source_id);
  }
  return out;
}

// The metrics of a file WriteDataFiles wrote for `schema`: by the field ids it carries, or, for
// files written without them, by the column names (written from `schema`, so they match it).
Result<iceberg::FileMetrics> WrittenFileMetrics(const parquet::FileMetaData& footer,
                                                const Schema& schema, bool has_field_ids) {
  if (has_field_ids) return iceberg::MetricsFromParquet(footer, schema);
  iceberg::ParquetSchemaInfo info;
  RETURN_IF_ERROR(iceberg::SchemaFromParquet(footer, &info).status());
  const iceberg::NameMapping mapping = iceberg::NameMappingFromSchema(schema);
  std::map<std::string, int32_t> name_to_id;
  for (const auto& column : info.columns) {
    std::optional<int32_t> id = mapping.Find(info.field_names[column.field_id]);
    if (!id) return Internal("written column '{}' is not in the table schema", column.dotted_path);
    name_to_id[column.dotted_path] = *id;
  }
  return iceberg::MetricsFromParquet(footer, schema, &name_to_id);
}

}  // namespace

WriteOptions WriteOptionsFromProperties(const std::map<std::string, std::string>& properties) {
  WriteOptions write;
  auto property = [&](const char* key) -> std::string {
    auto it = properties.find(key);
    return it == properties.end() ? "" : it->second;
  };
  if (auto size = ParseInt64(property("write.target-file-size-bytes"))) {
    if (*size > 0) write.target_file_size_bytes = *size;
  }
  std::string codec = ToLower(property("write.parquet.compression-codec"));
  if (!codec.empty()) write.compression = codec;
  return write;
}

Result<InputFormat> ParseInputFormat(std::string_view name) {
  std::string lower = ToLower(Trim(name));
  if (lower == "auto" || lower.empty()) return InputFormat::kAuto;
  if (lower == "csv" || lower == "tsv") return InputFormat::kCsv;
  if (lower == "json" || lower == "ndjson" || lower == "jsonl") return InputFormat::kJson;
  if (lower == "parquet") return InputFormat::kParquet;
  return InvalidArgument("unknown input format '{}': use csv, json, ndjson or parquet", name);
}

Result<std::vector<DataFile>> WriteDataFiles(Connection& connection, io::FileIO& io,
                                             const iceberg::TableMetadata& metadata,
                                             const InsertSource& source,
                                             const WriteOptions& options) {
  PRECHECK(options.target_file_size_bytes > 0, "the target file size must be positive");
  PRECHECK(options.row_group_size > 0, "the row group size must be positive");
  const std::string data_location = options.data_location.empty()
                                        ? io::JoinPath(metadata.location, "data")
                                        : options.data_location;
  ASSIGN_OR_RETURN(std::optional<std::string> local_data, io.LocalPathOf(data_location));
  if (!local_data) {
    return NotSupported(
        "cannot write data files to {}: DuckDB writes only to the local file system (or the "
        "local mirror of an hf:// catalog)",
        data_location);
  }
  iceberg::SchemaPtr schema = metadata.CurrentSchema();
  iceberg::PartitionSpecPtr spec = metadata.DefaultSpec();
  if (!schema || !spec) return Corrupt("table metadata lacks its current schema or spec");

  RETURN_IF_ERROR(CheckWritable(schema->fields(), ""));

  // 1. What the input holds.
  ASSIGN_OR_RETURN(std::string relation, SourceRelation(source));
  auto described = connection.Query("SELECT * FROM " + relation + " LIMIT 0");
  if (!described.ok()) {
    // DuckDB may append "LINE 1: <query>" with a caret: that names SQL the user never wrote.
    std::string message = described.status().message();
    if (size_t context = message.find("\nLINE "); context != std::string::npos) {
      message.resize(context);
    }
    if (source.files.empty() && !source.values.empty() && StartsWith(message, "Parser Error")) {
      return InvalidArgument(
          "--values \"{}\" is not a list of rows: write SQL tuples like (1, 'a'), (2, NULL), "
          "strings in single quotes",
          source.values);
    }
    // DuckDB does not always name the file it failed on (a corrupt Parquet footer): name one.
    std::string context = source.files.empty()       ? std::string("--values")
                          : source.files.size() == 1 ? "reading " + source.files[0]
                                                     : std::string("reading the input files");
    return Status(described.status().code(), message).WithContext(context);
  }
  const auto& input_names = described->column_names;
  const auto& input_types = described->column_types;

  // 2. Match input columns to table columns.
  const auto& fields = schema->fields();
  std::vector<std::optional<size_t>> input_of(fields.size());
  if (source.files.empty() && source.query.empty()) {
    if (input_names.size() > fields.size()) {
      return InvalidArgument("--values rows have {} values, but the table has {} columns",
                             input_names.size(), fields.size());
    }
    for (size_t i = 0; i < input_names.size(); ++i) input_of[i] = i;
  } else {
    std::map<std::string, size_t> by_lower;
    for (size_t i = 0; i < input_names.size(); ++i) {
      auto [it, inserted] = by_lower.emplace(ToLower(input_names[i]), i);
      if (!inserted) {
        return InvalidArgument("the input has columns '{}' and '{}', which differ only in case",
                               input_names[it->second], input_names[i]);
      }
    }
    std::vector<bool> used(input_names.size(), false);
    for (size_t f = 0; f < fields.size(); ++f) {
      auto it = by_lower.find(ToLower(fields[f].name));
      if (it == by_lower.end()) continue;
      input_of[f] = it->second;
      used[it->second] = true;
    }
    std::vector<std::string> table_columns;
    for (const auto& f : fields) table_columns.push_back(f.name);
    for (size_t i = 0; i < input_names.size(); ++i) {
      if (used[i]) continue;
      return InvalidArgument(
          "input column '{}' is not in the table (its columns are: {}); remove it from the "
          "input, or add it with 'faceberg alter TABLE add-column {} TYPE'",
          input_names[i], Join(table_columns, ", "), input_names[i]);
    }
  }
  for (size_t f = 0; f < fields.size(); ++f) {
    if (!input_of[f] && fields[f].required) {
      return InvalidArgument(
          "required column '{}' is missing from the input; add it (every row needs a value)",
          fields[f].name);
    }
  }

  // 3. The rows cast to the table schema, and their partition keys.
  std::vector<std::string> projections;
  for (size_t f = 0; f < fields.size(); ++f) {
    std::string expr = input_of[f] ? CastExpression(fields[f], input_names[*input_of[f]],
                                                    input_types[*input_of[f]])
                                   : fmt::format("CAST(NULL AS {})", DuckDBType(*fields[f].type));
    projections.push_back(expr + " AS " + QuoteIdentifier(fields[f].name));
  }
  std::string rows_sql = "SELECT " + Join(projections, ", ") + " FROM " + relation;

  std::vector<TypePtr> result_types;
  std::vector<std::string> key_columns;
  std::vector<std::string> keys;
  for (size_t i = 0; i < spec->fields.size(); ++i) {
    const PartitionField& pf = spec->fields[i];
    const NestedField* src = schema->FindFieldById(pf.source_id);
    if (src == nullptr) {
      return InvalidArgument("partition field '{}' uses column id {}, which is not in the schema",
                             pf.name, pf.source_id);
    }
    ASSIGN_OR_RETURN(TypePtr result_type, pf.transform.ResultType(src->type));
    result_types.push_back(result_type);
    std::vector<std::string> path;
    if (!FieldPath(fields, pf.source_id, &path)) {
      return NotSupported("partition field '{}' has a source inside a list or map", pf.name);
    }
    std::string x = "__rows";
    for (const auto& name : path) x += "." + QuoteIdentifier(name);
    ASSIGN_OR_RETURN(std::string key, KeyExpression(pf, x, *src->type));
    key_columns.push_back(QuoteIdentifier(std::string(kKeyColumnPrefix) + std::to_string(i)));
    keys.push_back(key + " AS " + key_columns.back());
  }

  // Columns left out of the files (their values are in the partition tuples only).
  ASSIGN_OR_RETURN(std::set<int32_t> omitted, OmittedColumns(*schema, *spec, options));
  std::vector<NestedField> written_fields;
  std::vector<std::string> omitted_names;
  for (const NestedField& f : fields) {
    if (omitted.count(f.id)) {
      omitted_names.push_back(QuoteIdentifier(f.name));
    } else {
      written_fields.push_back(f);
    }
  }

  // 4. Write into a private staging folder next to the final files.
  fs::path data_dir = fs::path(*local_data);
  WriteCleanup cleanup(io);
  RETURN_IF_ERROR(cleanup.CreateDirectories(data_dir));
  fs::path staging = data_dir / (std::string(kStagingPrefix) + RandomUuid());
  cleanup.set_staging(staging);
  std::string common = fmt::format("FORMAT parquet, COMPRESSION {}, ROW_GROUP_SIZE {}",
                                   QuoteLiteral(options.compression), options.row_group_size);
  if (options.write_field_ids) common += ", FIELD_IDS " + FieldIdsOption(written_fields);
  std::string copy;
  if (keys.empty()) {
    copy = fmt::format("COPY ({}) TO {} ({}, FILE_SIZE_BYTES {})", rows_sql,
                       QuoteLiteral(staging.string()), common, options.target_file_size_bytes);
  } else {
    std::string columns = "__rows.*";
    if (!omitted_names.empty()) columns += " EXCLUDE (" + Join(omitted_names, ", ") + ")";
    copy = fmt::format("COPY (SELECT {}, {} FROM ({}) AS __rows) TO {} ({}, PARTITION_BY ({}))",
                       columns, Join(keys, ", "), rows_sql, QuoteLiteral(staging.string()), common,
                       Join(key_columns, ", "));
  }
  auto copied = connection.Query(copy);
  if (!copied.ok()) return CleanError(copied.status());

  // 5. Split partition files above the target size (DuckDB cannot rotate partitioned output).
  ASSIGN_OR_RETURN(std::vector<StagedFile> staged, ListStaged(staging, *spec, result_types));
  std::vector<StagedFile> ready;
  int split_count = 0;
  for (auto& file : staged) {
    std::error_code ec;
    auto size = fs::file_size(file.path, ec);
    if (keys.empty() || ec || static_cast<int64_t>(size) <= options.target_file_size_bytes) {
      ready.push_back(std::move(file));
      continue;
    }
    fs::path split_dir = staging / ("split-" + std::to_string(split_count++));
    auto split = connection.Query(
        fmt::format("COPY (SELECT * FROM read_parquet({}, hive_partitioning = false)) TO {} ({}, "
                    "FILE_SIZE_BYTES {})",
                    QuoteLiteral(file.path.string()), QuoteLiteral(split_dir.string()), common,
                    options.target_file_size_bytes));
    if (!split.ok()) return split.status();
    for (fs::directory_iterator it(split_dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().extension() == ".parquet") ready.push_back({it->path(), file.partition});
    }
    if (ec) return IOError("cannot list {}: {}", split_dir.string(), ec.message());
    fs::remove(file.path, ec);
  }

  // 6. Move each file to its final name and describe it from its footer.
  std::vector<DataFile> out;
  for (const auto& file : ready) {
    ASSIGN_OR_RETURN(std::string partition_path,
                     iceberg::PartitionPath(*spec, *schema, file.partition));
    std::string relative =
        (partition_path.empty() ? "" : partition_path + "/") + RandomUuid() + ".parquet";
    std::string final_location = io::JoinPath(data_location, relative);
    fs::path final_path = io::JoinPath(*local_data, relative);
    RETURN_IF_ERROR(cleanup.CreateDirectories(final_path.parent_path()));
    std::error_code ec;
    fs::rename(file.path, final_path, ec);
    if (ec) {
      return IOError("cannot move {} to {}: {}", file.path.string(), final_path.string(),
                     ec.message());
    }
    cleanup.AddWritten(final_location);
    ASSIGN_OR_RETURN(auto input, io.NewInputFile(final_location));
    ASSIGN_OR_RETURN(uint64_t size, input->Size());
    ASSIGN_OR_RETURN(parquet::FileMetaData footer, parquet::ReadFileMetaData(*input));
    if (footer.num_rows == 0) {
      RETURN_IF_ERROR(io.DeleteFile(final_location));
      continue;
    }
    auto metrics = WrittenFileMetrics(footer, *schema, options.write_field_ids);
    if (!metrics.ok()) return metrics.status().WithContext(final_location);
    DataFile df;
    df.file_path = final_location;
    df.file_format = "PARQUET";
    df.spec_id = spec->spec_id;
    df.partition = file.partition;
    df.file_size_in_bytes = static_cast<int64_t>(size);
    df.metrics = std::move(*metrics);
    out.push_back(std::move(df));
  }
  cleanup.Commit();
  return out;
}

}  // namespace faceberg::engine
