#include "engine/output.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "engine/sql.h"
#include "util/json.h"
#include "util/strings.h"
#include "util/uuid.h"

namespace faceberg::engine {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // "…"

bool IsNumericType(const std::string& type) {
  for (std::string_view prefix :
       {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
        "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL"}) {
    if (type == prefix || (prefix == "DECIMAL" && StartsWith(type, "DECIMAL("))) return true;
  }
  return false;
}

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

size_t CodePoints(std::string_view s) {
  return static_cast<size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return !IsContinuationByte(c); }));
}

// Control characters would break the table's lines; show them escaped.
std::string Printable(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      out += c;
    }
  }
  return out;
}

// `s` cut to `width` code points, the last one an ellipsis when something was cut.
std::string Fit(const std::string& s, size_t width) {
  if (width == 0 || CodePoints(s) <= width) return s;
  size_t keep = width - 1, pos = 0, seen = 0;
  while (pos < s.size()) {
    if (!IsContinuationByte(s[pos])) {
      if (seen == keep) break;
      ++seen;
    }
    ++pos;
  }
  return s.substr(0, pos) + std::string(kEllipsis);
}

std::string Pad(const std::string& s, size_t width, bool right) {
  size_t n = CodePoints(s);
  if (n >= width) return s;
  std::string fill(width - n, ' ');
  return right ? fill + s : s + fill;
}

// Reads rows up to the limit; `rows` is emptied at the end of the result.
class LimitedReader {
 public:
  LimitedReader(RowStream& stream, std::optional<int64_t> limit) : stream_(stream), limit_(limit) {}

  Result<bool> Next(std::vector<Row>* rows) {
    rows->clear();
    if (limit_ && read_ >= *limit_) return false;
    ASSIGN_OR_RETURN(bool more, stream_.Next(rows));
    if (!more) return false;
    if (limit_ && read_ + static_cast<int64_t>(rows->size()) > *limit_) {
      rows->resize(static_cast<size_t>(*limit_ - read_));
    }
    read_ += static_cast<int64_t>(rows->size());
    return !rows->empty();
  }
  int64_t read() const { return read_; }

 private:
  RowStream& stream_;
  std::optional<int64_t> limit_;
  int64_t read_ = 0;
};

Status CheckStream(const std::ostream& out) {
  if (!out) return IOError("writing the query output failed");
  return Status::OK();
}

Status WriteTable(RowStream& stream, std::ostream& out, const OutputOptions& options) {
  const auto& names = stream.column_names();
  const auto& types = stream.column_types();
  size_t columns = names.size();
  size_t max_width =
      options.max_column_width > 0 ? static_cast<size_t>(options.max_column_width) : 0;
  auto cell = [&](const std::optional<std::string>& v) {
    return Fit(v ? Printable(*v) : "NULL", max_width);
  };
  LimitedReader reader(stream, options.limit);
  // Measure the columns on the first rows.
  std::vector<Row> sample, rows;
  bool exhausted = false;
  while (static_cast<int64_t>(sample.size()) < options.width_sample_rows) {
    ASSIGN_OR_RETURN(bool more, reader.Next(&rows));
    if (!more) {
      exhausted = true;
      break;
    }
    for (auto& row : rows) sample.push_back(std::move(row));
  }
  std::vector<size_t> widths(columns);
  std::vector<bool> right(columns);
  for (size_t c = 0; c < columns; ++c) {
    widths[c] = CodePoints(Fit(Printable(names[c]), max_width));
    right[c] = c < types.size() && IsNumericType(types[c]);
    size_t measured = std::min(sample.size(), static_cast<size_t>(options.width_sample_rows));
    for (size_t r = 0; r < measured; ++r) {
      widths[c] = std::max(widths[c], CodePoints(cell(sample[r][c])));
    }
  }
  auto print_row = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (size_t c = 0; c < columns; ++c) {
      if (c > 0) line += " | ";
      std::string text = Fit(cells[c], widths[c]);
      line += c + 1 == columns && !right[c] ? text : Pad(text, widths[c], right[c]);
    }
    out << line << '\n';
  };
  std::vector<std::string> header;
  for (size_t c = 0; c < columns; ++c) header.push_back(Fit(Printable(names[c]), max_width));
  print_row(header);
  std::string rule;
  for (size_t c = 0; c < columns; ++c) {
    if (c > 0) rule += "-+-";
    rule += std::string(widths[c], '-');
  }
  out << rule << '\n';
  auto print_rows = [&](const std::vector<Row>& batch) {
    std::vector<std::string> cells(columns);
    for (const auto& row : batch) {
      for (size_t c = 0; c < columns; ++c) cells[c] = cell(row[c]);
      print_row(cells);
    }
  };
  print_rows(sample);
  RETURN_IF_ERROR(CheckStream(out));
  while (!exhausted) {
    ASSIGN_OR_RETURN(bool more, reader.Next(&rows));
    if (!more) break;
    print_rows(rows);
    RETURN_IF_ERROR(CheckStream(out));
  }
  if (options.row_count_footer) {
    out << fmt::format("({} row{})\n", reader.read(), reader.read() == 1 ? "" : "s");
  }
  return CheckStream(out);
}

void AppendCsvField(std::string_view value, std::string* line) {
  bool quote = value.empty() || value.front() == ' ' || value.back() == ' ' ||
               value.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) {
    line->append(value);
    return;
  }
  *line += '"';
  for (char c : value) {
    if (c == '"') *line += '"';
    *line += c;
  }
  *line += '"';
}

Status WriteCsv(RowStream& stream, std::ostream& out, const OutputOptions& options) {
  std::string line;
  const auto& names = stream.column_names();
  for (size_t c = 0; c < names.size(); ++c) {
    if (c > 0) line += ',';
    AppendCsvField(names[c], &line);
  }
  out << line << '\n';
  LimitedReader reader(stream, options.limit);
  std::vector<Row> rows;
  while (true) {
    ASSIGN_OR_RETURN(bool more, reader.Next(&rows));
    if (!more) break;
    std::string block;
    for (const auto& row : rows) {
      for (size_t c = 0; c < row.size(); ++c) {
        if (c > 0) block += ',';
        if (row[c]) AppendCsvField(*row[c], &block);  // NULL: an empty, unquoted field
      }
      block += '\n';
    }
    out << block;
    RETURN_IF_ERROR(CheckStream(out));
  }
  return CheckStream(out);
}

// Rows that are already JSON text, one per line.
Status WriteJsonLines(RowStream& stream, std::ostream& out, const OutputOptions& options) {
  LimitedReader reader(stream, options.limit);
  std::vector<Row> rows;
  while (true) {
    ASSIGN_OR_RETURN(bool more, reader.Next(&rows));
    if (!more) break;
    std::string block;
    for (const auto& row : rows) {
      block += row.empty() || !row[0] ? "null" : *row[0];
      block += '\n';
    }
    out << block;
    RETURN_IF_ERROR(CheckStream(out));
  }
  return CheckStream(out);
}

// JSON objects built from text values, for statements DuckDB cannot nest in a query (SHOW,
// DESCRIBE, PRAGMA): numbers and booleans keep their JSON form, everything else is a string.
Status WriteJsonFromText(RowStream& stream, std::ostream& out, const OutputOptions& options) {
  const auto& names = stream.column_names();
  const auto& types = stream.column_types();
  LimitedReader reader(stream, options.limit);
  std::vector<Row> rows;
  while (true) {
    ASSIGN_OR_RETURN(bool more, reader.Next(&rows));
    if (!more) break;
    for (const auto& row : rows) {
      OrderedJson object = OrderedJson::object();
      for (size_t c = 0; c < names.size() && c < row.size(); ++c) {
        const auto& v = row[c];
        if (!v) {
          object[names[c]] = nullptr;
        } else if (types[c] == "BOOLEAN") {
          object[names[c]] = *v == "true";
        } else if (IsNumericType(types[c])) {
          OrderedJson number = OrderedJson::parse(*v, nullptr, /*allow_exceptions=*/false);
          object[names[c]] = number.is_number() ? number : OrderedJson(*v);
        } else {
          object[names[c]] = *v;
        }
      }
      out << DumpJson(object) << '\n';
    }
    RETURN_IF_ERROR(CheckStream(out));
  }
  return CheckStream(out);
}

Status WriteText(Connection& connection, const std::string& sql, std::ostream& out,
                 const OutputOptions& options) {
  if (options.format == OutputFormat::kJson) {
    // DuckDB renders each row (nested values too) as a JSON object.
    auto json = connection.Stream(
        fmt::format("SELECT CAST(to_json(__row) AS VARCHAR) AS json FROM (\n{}\n) AS __row",
                    TrimStatement(sql)));
    if (json.ok()) return WriteJsonLines(**json, out, options);
    ASSIGN_OR_RETURN(std::unique_ptr<RowStream> stream, connection.Stream(sql));
    return WriteJsonFromText(*stream, out, options);
  }
  ASSIGN_OR_RETURN(std::unique_ptr<RowStream> stream, connection.Stream(sql));
  if (options.format == OutputFormat::kCsv) return WriteCsv(*stream, out, options);
  return WriteTable(*stream, out, options);
}

// A temporary name next to `path`, in the same folder so the final rename is atomic.
fs::path TemporaryPath(const fs::path& path) {
  return path.parent_path() / ("." + path.filename().string() + ".tmp-" + RandomUuid());
}

// Removes the temporary file unless released.
class TemporaryFile {
 public:
  explicit TemporaryFile(fs::path path) : path_(std::move(path)) {}
  ~TemporaryFile() {
    std::error_code ec;
    if (!path_.empty()) fs::remove(path_, ec);
  }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  const fs::path& path() const { return path_; }
  Status RenameTo(const fs::path& target) {
    std::error_code ec;
    fs::rename(path_, target, ec);
    if (ec) return IOError("cannot write {}: {}", target.string(), ec.message());
    path_.clear();
    return Status::OK();
  }

 private:
  fs::path path_;
};

}  // namespace

Result<OutputFormat> ParseOutputFormat(std::string_view name) {
  std::string lower = ToLower(Trim(name));
  if (lower == "table") return OutputFormat::kTable;
  if (lower == "csv") return OutputFormat::kCsv;
  if (lower == "json" || lower == "ndjson" || lower == "jsonl") return OutputFormat::kJson;
  if (lower == "parquet") return OutputFormat::kParquet;
  return InvalidArgument("unknown output format '{}': use table, csv, json or parquet", name);
}

Status WriteQueryResult(Connection& connection, const std::string& sql,
                        const OutputOptions& options) {
  PRECHECK(!options.limit || *options.limit >= 0, "the row limit must not be negative");
  if (options.format == OutputFormat::kParquet) {
    PRECHECK(!options.output_path.empty(),
             "parquet output needs an output file: pass --output FILE");
  }
  if (options.output_path.empty()) {
    std::ostream& out = options.out ? *options.out : std::cout;
    RETURN_IF_ERROR(WriteText(connection, sql, out, options));
    out.flush();
    return CheckStream(out);
  }
  fs::path target = options.output_path;
  std::error_code ec;
  if (fs::is_directory(target, ec)) {
    return InvalidArgument("the output {} is a folder: name a file", target.string());
  }
  TemporaryFile temp(TemporaryPath(target));
  if (options.format == OutputFormat::kParquet) {
    std::string query(TrimStatement(sql));
    if (options.limit)
      query = fmt::format("SELECT * FROM (\n{}\n) LIMIT {}", query, *options.limit);
    auto copied = connection.Query(fmt::format("COPY (\n{}\n) TO {} (FORMAT parquet)", query,
                                               QuoteLiteral(temp.path().string())));
    if (!copied.ok()) return copied.status();
  } else {
    std::ofstream file(temp.path(), std::ios::binary | std::ios::trunc);
    if (!file) return IOError("cannot create {}", temp.path().string());
    RETURN_IF_ERROR(WriteText(connection, sql, file, options));
    file.close();
    if (!file) return IOError("cannot write {}", temp.path().string());
  }
  return temp.RenameTo(target);
}

}  // namespace faceberg::engine
