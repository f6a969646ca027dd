#include "engine/database.h"

#include <filesystem>
#include <thread>
#include <utility>

#include "engine/duckdb_capi_internal.h"
#include "engine/functions_internal.h"
#include "engine/sql.h"
#include "util/strings.h"
#include "util/uuid.h"

namespace faceberg::engine {

namespace {

// The DuckDB release whose C API layout duckdb_capi_internal.h declares.
constexpr std::string_view kExpectedVersionPrefix = "v1.5.";

// DuckDB messages start with their error class: "Binder Error: ...", "IO Error: ...".
// SQL mistakes (parser, binder, catalog, conversion, constraint, invalid input, ...) are the
// user's to fix: InvalidArgument with DuckDB's text. Failures of the machine or of DuckDB itself
// get their own codes.
Status StatusFromDuckDB(std::string_view message) {
  std::string text(message.empty() ? "DuckDB failed without a message" : message);
  auto starts = [&](std::string_view prefix) { return StartsWith(text, prefix); };
  if (starts("INTERNAL Error") || starts("FATAL Error") || starts("Fatal Error")) {
    return Status(ErrorCode::kInternal, text);
  }
  if (starts("IO Error")) {
    if (text.find("No files found") != std::string::npos ||
        text.find("No such file") != std::string::npos ||
        text.find("does not exist") != std::string::npos) {
      return Status(ErrorCode::kNotFound, text);
    }
    return Status(ErrorCode::kIOError, text);
  }
  if (starts("Out of Memory Error")) {
    return Status(ErrorCode::kIOError,
                  text + " (lower the data size per query or raise DuckDB's memory_limit)");
  }
  if (starts("HTTP Error") || starts("Network Error")) return Status(ErrorCode::kNetwork, text);
  if (starts("Permission Error")) return Status(ErrorCode::kPermission, text);
  if (starts("Interrupt Error")) return Status(ErrorCode::kInternal, text);
  return Status(ErrorCode::kInvalidArgument, text);
}

// Owns a duckdb_logical_type.
class LogicalType {
 public:
  explicit LogicalType(duckdb_logical_type type) : type_(type) {}
  ~LogicalType() {
    if (type_ != nullptr) duckdb_destroy_logical_type(&type_);
  }
  LogicalType(const LogicalType&) = delete;
  LogicalType& operator=(const LogicalType&) = delete;
  duckdb_logical_type get() const { return type_; }

 private:
  duckdb_logical_type type_;
};

// Releases memory DuckDB allocated for a returned string.
struct DuckDBFree {
  void operator()(char* p) const { duckdb_free(p); }
};
using DuckDBString = std::unique_ptr<char, DuckDBFree>;

std::string TypeName(duckdb_logical_type type) {
  switch (duckdb_get_type_id(type)) {
    case DUCKDB_TYPE_BOOLEAN:
      return "BOOLEAN";
    case DUCKDB_TYPE_TINYINT:
      return "TINYINT";
    case DUCKDB_TYPE_SMALLINT:
      return "SMALLINT";
    case DUCKDB_TYPE_INTEGER:
      return "INTEGER";
    case DUCKDB_TYPE_BIGINT:
      return "BIGINT";
    case DUCKDB_TYPE_UTINYINT:
      return "UTINYINT";
    case DUCKDB_TYPE_USMALLINT:
      return "USMALLINT";
    case DUCKDB_TYPE_UINTEGER:
      return "UINTEGER";
    case DUCKDB_TYPE_UBIGINT:
      return "UBIGINT";
    case DUCKDB_TYPE_HUGEINT:
      return "HUGEINT";
    case DUCKDB_TYPE_UHUGEINT:
      return "UHUGEINT";
    case DUCKDB_TYPE_FLOAT:
      return "FLOAT";
    case DUCKDB_TYPE_DOUBLE:
      return "DOUBLE";
    case DUCKDB_TYPE_DECIMAL:
      return fmt::format("DECIMAL({},{})", duckdb_decimal_width(type), duckdb_decimal_scale(type));
    case DUCKDB_TYPE_DATE:
      return "DATE";
    case DUCKDB_TYPE_TIME:
      return "TIME";
    case DUCKDB_TYPE_TIME_TZ:
      return "TIME WITH TIME ZONE";
    case DUCKDB_TYPE_TIME_NS:
      return "TIME_NS";
    case DUCKDB_TYPE_TIMESTAMP:
      return "TIMESTAMP";
    case DUCKDB_TYPE_TIMESTAMP_S:
      return "TIMESTAMP_S";
    case DUCKDB_TYPE_TIMESTAMP_MS:
      return "TIMESTAMP_MS";
    case DUCKDB_TYPE_TIMESTAMP_NS:
      return "TIMESTAMP_NS";
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return "TIMESTAMP WITH TIME ZONE";
    case DUCKDB_TYPE_INTERVAL:
      return "INTERVAL";
    case DUCKDB_TYPE_VARCHAR:
      return "VARCHAR";
    case DUCKDB_TYPE_BLOB:
      return "BLOB";
    case DUCKDB_TYPE_UUID:
      return "UUID";
    case DUCKDB_TYPE_BIT:
      return "BIT";
    case DUCKDB_TYPE_ENUM:
      return "ENUM";
    case DUCKDB_TYPE_UNION:
      return "UNION";
    case DUCKDB_TYPE_BIGNUM:
      return "BIGNUM";
    case DUCKDB_TYPE_SQLNULL:
      return "NULL";
    case DUCKDB_TYPE_LIST: {
      LogicalType child(duckdb_list_type_child_type(type));
      return TypeName(child.get()) + "[]";
    }
    case DUCKDB_TYPE_ARRAY: {
      LogicalType child(duckdb_array_type_child_type(type));
      return fmt::format("{}[{}]", TypeName(child.get()), duckdb_array_type_array_size(type));
    }
    case DUCKDB_TYPE_MAP: {
      LogicalType key(duckdb_map_type_key_type(type));
      LogicalType value(duckdb_map_type_value_type(type));
      return fmt::format("MAP({}, {})", TypeName(key.get()), TypeName(value.get()));
    }
    case DUCKDB_TYPE_STRUCT: {
      std::string out = "STRUCT(";
      idx_t n = duckdb_struct_type_child_count(type);
      for (idx_t i = 0; i < n; ++i) {
        DuckDBString name(duckdb_struct_type_child_name(type, i));
        LogicalType child(duckdb_struct_type_child_type(type, i));
        if (i > 0) out += ", ";
        out += QuoteIdentifier(name ? name.get() : "") + " " + TypeName(child.get());
      }
      return out + ")";
    }
    default:
      return "UNKNOWN";
  }
}

// Owns a duckdb_result.
class ResultHolder {
 public:
  ResultHolder() = default;
  ~ResultHolder() {
    if (active_) duckdb_destroy_result(&result_);
  }
  ResultHolder(const ResultHolder&) = delete;
  ResultHolder& operator=(const ResultHolder&) = delete;
  // Hands out the storage for a call that fills it; the result is destroyed from then on.
  duckdb_result* Fill() {
    active_ = true;
    return &result_;
  }
  duckdb_result* get() { return &result_; }
  Status Error() {
    const char* message = duckdb_result_error(&result_);
    return StatusFromDuckDB(message ? message : "");
  }

 private:
  duckdb_result result_{};
  bool active_ = false;
};

// Owns a duckdb_prepared_statement.
class Prepared {
 public:
  Prepared() = default;
  ~Prepared() {
    if (statement_ != nullptr) duckdb_destroy_prepare(&statement_);
  }
  Prepared(const Prepared&) = delete;
  Prepared& operator=(const Prepared&) = delete;
  duckdb_prepared_statement* out() { return &statement_; }
  duckdb_prepared_statement get() const { return statement_; }

 private:
  duckdb_prepared_statement statement_ = nullptr;
};

// Owns a duckdb_pending_result.
class Pending {
 public:
  Pending() = default;
  ~Pending() {
    if (pending_ != nullptr) duckdb_destroy_pending(&pending_);
  }
  Pending(const Pending&) = delete;
  Pending& operator=(const Pending&) = delete;
  duckdb_pending_result* out() { return &pending_; }
  duckdb_pending_result get() const { return pending_; }

 private:
  duckdb_pending_result pending_ = nullptr;
};

// Owns a duckdb_data_chunk.
class Chunk {
 public:
  explicit Chunk(duckdb_data_chunk chunk) : chunk_(chunk) {}
  ~Chunk() {
    if (chunk_ != nullptr) duckdb_destroy_data_chunk(&chunk_);
  }
  Chunk(const Chunk&) = delete;
  Chunk& operator=(const Chunk&) = delete;
  duckdb_data_chunk get() const { return chunk_; }

 private:
  duckdb_data_chunk chunk_;
};

Result<std::unique_ptr<Prepared>> Prepare(duckdb_connection connection, std::string_view sql) {
  auto prepared = std::make_unique<Prepared>();
  std::string text(sql);
  if (duckdb_prepare(connection, text.c_str(), prepared->out()) != DuckDBSuccess) {
    const char* message = prepared->get() ? duckdb_prepare_error(prepared->get()) : nullptr;
    return StatusFromDuckDB(message ? message : "");
  }
  return prepared;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Database

struct Database::Handle {
  duckdb_database db = nullptr;
  ~Handle() {
    if (db != nullptr) duckdb_close(&db);
  }
};

Database::Database(std::unique_ptr<Handle> handle) : handle_(std::move(handle)) {}
Database::~Database() = default;

std::string Database::LibraryVersion() {
  const char* version = duckdb_library_version();
  return version ? version : "";
}

Result<std::unique_ptr<Database>> Database::Open(const DatabaseOptions& options) {
  std::string version = LibraryVersion();
  if (!StartsWith(version, kExpectedVersionPrefix)) {
    return NotSupported(
        "the loaded libduckdb is DuckDB {}, but faceberg is built against DuckDB {}x: install "
        "the pinned library with scripts/setup.sh",
        version.empty() ? "(unknown)" : version, kExpectedVersionPrefix);
  }
  struct Config {
    duckdb_config config = nullptr;
    ~Config() {
      if (config != nullptr) duckdb_destroy_config(&config);
    }
  } config;
  if (duckdb_create_config(&config.config) != DuckDBSuccess) {
    return Internal("DuckDB could not create a configuration");
  }
  int threads =
      options.threads > 0 ? options.threads : static_cast<int>(std::thread::hardware_concurrency());
  if (threads <= 0) threads = 1;
  std::string temp_directory = options.temp_directory;
  if (temp_directory.empty()) {
    temp_directory =
        (std::filesystem::temp_directory_path() / ("faceberg-duckdb-" + RandomUuid())).string();
  }
  std::vector<std::pair<std::string, std::string>> settings = {
      {"threads", std::to_string(threads)},
      {"temp_directory", temp_directory},
  };
  if (!options.memory_limit.empty()) settings.emplace_back("memory_limit", options.memory_limit);
  for (const auto& [name, value] : settings) {
    if (duckdb_set_config(config.config, name.c_str(), value.c_str()) != DuckDBSuccess) {
      return InvalidArgument("DuckDB refused the setting {}='{}'", name, value);
    }
  }
  auto handle = std::make_unique<Handle>();
  char* error = nullptr;
  if (duckdb_open_ext(nullptr, &handle->db, config.config, &error) != DuckDBSuccess) {
    DuckDBString owned(error);
    handle->db = nullptr;
    return Internal("DuckDB could not open an in-memory database: {}",
                    owned ? owned.get() : "no message");
  }
  return std::unique_ptr<Database>(new Database(std::move(handle)));
}

// ---------------------------------------------------------------------------------------------
// Connection

struct Connection::Handle {
  duckdb_connection connection = nullptr;
  ~Handle() {
    if (connection != nullptr) duckdb_disconnect(&connection);
  }
};

Connection::Connection(std::unique_ptr<Handle> handle) : handle_(std::move(handle)) {}
Connection::~Connection() = default;

Result<std::unique_ptr<Connection>> Connection::Open(Database& database) {
  auto handle = std::make_unique<Handle>();
  if (duckdb_connect(database.handle_->db, &handle->connection) != DuckDBSuccess) {
    handle->connection = nullptr;
    return Internal("DuckDB refused a new connection");
  }
  RETURN_IF_ERROR(RegisterIcebergFunctions(handle->connection));
  std::unique_ptr<Connection> connection(new Connection(std::move(handle)));
  RETURN_IF_ERROR(connection->Execute("SET TimeZone = 'UTC'"));
  return connection;
}

Status Connection::Execute(std::string_view sql) {
  ResultHolder result;
  std::string text(sql);
  if (duckdb_query(handle_->connection, text.c_str(), result.Fill()) != DuckDBSuccess) {
    return result.Error();
  }
  return Status::OK();
}

Result<QueryResult> Connection::Query(std::string_view sql) {
  ASSIGN_OR_RETURN(std::unique_ptr<RowStream> stream, Stream(sql));
  QueryResult out;
  out.column_names = stream->column_names();
  out.column_types = stream->column_types();
  std::vector<Row> rows;
  while (true) {
    ASSIGN_OR_RETURN(bool more, stream->Next(&rows));
    if (!more) break;
    for (auto& row : rows) out.rows.push_back(std::move(row));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// RowStream

struct RowStream::State {
  std::vector<std::string> names;
  std::vector<std::string> types;
  // Streaming mode: the result of the VARCHAR-projected query.
  std::unique_ptr<Prepared> prepared;
  std::unique_ptr<Pending> pending;
  ResultHolder result;
  bool streaming = false;
  bool done = false;
  // For recovering the real error of a failed stream (see Next).
  duckdb_connection connection = nullptr;
  std::string sql;
  // Materialized mode: rows read up front.
  std::vector<Row> rows;
};

RowStream::RowStream(std::unique_ptr<State> state) : state_(std::move(state)) {}
RowStream::~RowStream() = default;

const std::vector<std::string>& RowStream::column_names() const { return state_->names; }
const std::vector<std::string>& RowStream::column_types() const { return state_->types; }

Result<std::unique_ptr<RowStream>> Connection::Stream(std::string_view sql) {
  duckdb_connection connection = handle_->connection;
  auto state = std::make_unique<RowStream::State>();
  ASSIGN_OR_RETURN(std::unique_ptr<Prepared> original, Prepare(connection, sql));
  idx_t columns = duckdb_prepared_statement_column_count(original->get());
  for (idx_t i = 0; i < columns; ++i) {
    DuckDBString name(duckdb_prepared_statement_column_name(original->get(), i));
    state->names.push_back(name ? name.get() : "");
    LogicalType type(duckdb_prepared_statement_column_logical_type(original->get(), i));
    state->types.push_back(type.get() ? TypeName(type.get()) : "UNKNOWN");
  }
  if (duckdb_prepared_statement_type(original->get()) == DUCKDB_STATEMENT_TYPE_SELECT &&
      columns > 0) {
    // Let DuckDB render every value (nested ones too) as VARCHAR, then stream the chunks.
    std::string wrapped =
        fmt::format("SELECT CAST(COLUMNS(*) AS VARCHAR) FROM (\n{}\n) AS __q", TrimStatement(sql));
    auto prepared = Prepare(connection, wrapped);
    if (prepared.ok()) {
      state->prepared = std::move(*prepared);
      state->pending = std::make_unique<Pending>();
      if (duckdb_pending_prepared_streaming(state->prepared->get(), state->pending->out()) !=
          DuckDBSuccess) {
        const char* message =
            state->pending->get() ? duckdb_pending_error(state->pending->get()) : nullptr;
        return StatusFromDuckDB(message ? message : "");
      }
      if (duckdb_execute_pending(state->pending->get(), state->result.Fill()) != DuckDBSuccess) {
        return state->result.Error();
      }
      state->streaming = true;
      state->connection = connection;
      state->sql = std::string(TrimStatement(sql));
      return std::unique_ptr<RowStream>(new RowStream(std::move(state)));
    }
  }
  // Not a plain query (PRAGMA, SHOW, EXPLAIN, COPY, DDL, ...): run it to completion and read
  // the values through DuckDB's own text conversion.
  ResultHolder result;
  if (duckdb_execute_prepared(original->get(), result.Fill()) != DuckDBSuccess) {
    return result.Error();
  }
  idx_t column_count = duckdb_column_count(result.get());
  if (column_count != state->names.size()) {
    state->names.clear();
    state->types.clear();
    for (idx_t c = 0; c < column_count; ++c) {
      const char* name = duckdb_column_name(result.get(), c);
      state->names.push_back(name ? name : "");
      LogicalType type(duckdb_column_logical_type(result.get(), c));
      state->types.push_back(type.get() ? TypeName(type.get()) : "UNKNOWN");
    }
  }
  idx_t row_count = duckdb_row_count(result.get());
  for (idx_t r = 0; r < row_count; ++r) {
    Row row(column_count);
    for (idx_t c = 0; c < column_count; ++c) {
      if (duckdb_value_is_null(result.get(), c, r)) continue;
      DuckDBString value(duckdb_value_varchar(result.get(), c, r));
      if (value) row[c] = std::string(value.get());
    }
    state->rows.push_back(std::move(row));
  }
  return std::unique_ptr<RowStream>(new RowStream(std::move(state)));
}

Result<bool> RowStream::Next(std::vector<Row>* rows) {
  rows->clear();
  State& s = *state_;
  if (s.done) return false;
  if (!s.streaming) {
    s.done = true;
    *rows = std::move(s.rows);
    return !rows->empty();
  }
  while (true) {
    Chunk chunk(duckdb_fetch_chunk(*s.result.get()));
    if (chunk.get() == nullptr) {
      s.done = true;
      if (duckdb_result_error(s.result.get()) == nullptr) return false;
      Status error = s.result.Error();
      if (!StartsWith(error.message(), "INTERRUPT Error")) return error;
      // DuckDB 1.5 can report a failure on a worker thread to a streaming reader as
      // "Interrupted!" instead of the failure itself. Nothing here interrupts queries, so run
      // the query again without streaming or keeping its rows, to surface the real error.
      ResultHolder retry;
      std::string again = fmt::format("SELECT count(hash(__q)) FROM (\n{}\n) AS __q", s.sql);
      if (duckdb_query(s.connection, again.c_str(), retry.Fill()) != DuckDBSuccess) {
        return retry.Error();
      }
      return error;
    }
    idx_t size = duckdb_data_chunk_get_size(chunk.get());
    if (size == 0) continue;
    idx_t columns = duckdb_data_chunk_get_column_count(chunk.get());
    rows->assign(size, Row(columns));
    for (idx_t c = 0; c < columns; ++c) {
      duckdb_vector vector = duckdb_data_chunk_get_vector(chunk.get(), c);
      auto* data = static_cast<duckdb_string_t*>(duckdb_vector_get_data(vector));
      uint64_t* validity = duckdb_vector_get_validity(vector);
      for (idx_t r = 0; r < size; ++r) {
        if (validity != nullptr && !duckdb_validity_row_is_valid(validity, r)) continue;
        (*rows)[r][c] =
            std::string(duckdb_string_t_data(&data[r]), duckdb_string_t_length(data[r]));
      }
    }
    return true;
  }
}

}  // namespace faceberg::engine
