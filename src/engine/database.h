// DuckDB inside faceberg: an in-process database and connections to it, with every DuckDB error
// turned into a Status. DuckDB is reached only through its C API, and no DuckDB type appears in
// this header.
//
// Ownership and threads: a Database owns the DuckDB instance and must outlive its Connections. A
// Connection is used by one thread at a time; DuckDB parallelizes each query internally. A
// RowStream borrows its Connection: run nothing else on that connection until the stream is
// destroyed.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace faceberg::engine {

/// One row of text values; nullopt is SQL NULL.
using Row = std::vector<std::optional<std::string>>;

/// A whole result held in memory: for small results (lookups, tests, metadata queries).
struct QueryResult {
  std::vector<std::string> column_names;
  /// DuckDB type names: "BIGINT", "DECIMAL(9,2)", "VARCHAR[]", "STRUCT(a INTEGER)".
  std::vector<std::string> column_types;
  /// Values as DuckDB casts them to VARCHAR ("2026-01-31", "[1, 2]", "{'a': 1}").
  std::vector<Row> rows;
};

struct DatabaseOptions {
  /// Worker threads; 0 means the machine's hardware concurrency.
  int threads = 0;
  /// DuckDB memory limit such as "4GB"; empty keeps DuckDB's default (80% of RAM).
  std::string memory_limit;
  /// Where DuckDB spills when a query exceeds memory; empty means a fresh folder under the
  /// system temp directory, removed by DuckDB when the database closes.
  std::string temp_directory;
};

class Connection;

/// An in-memory DuckDB database.
class Database {
 public:
  /// Opens a new in-memory database after checking the loaded libduckdb is DuckDB 1.5.
  /// Errors: NotSupported for another DuckDB version; Internal when DuckDB cannot start
  /// (with DuckDB's message).
  static Result<std::unique_ptr<Database>> Open(const DatabaseOptions& options = {});

  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  /// The version string of the loaded DuckDB library ("v1.5.6").
  static std::string LibraryVersion();

 private:
  friend class Connection;
  struct Handle;
  explicit Database(std::unique_ptr<Handle> handle);
  std::unique_ptr<Handle> handle_;
};

class RowStream;

/// A connection with faceberg's SQL functions registered and the session time zone set to UTC
/// (so timestamptz values and time transforms are in UTC). The functions:
///   iceberg_bucket(value, n) -> INTEGER: Iceberg's bucket[n] transform of an integer, DATE,
///   TIME, TIMESTAMP, TIMESTAMPTZ, VARCHAR, BLOB, UUID or DECIMAL value; NULL gives NULL.
class Connection {
 public:
  /// Errors: Internal when DuckDB refuses the connection or a function registration.
  static Result<std::unique_ptr<Connection>> Open(Database& database);

  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Runs one or more statements separated by ';', discarding any result.
  /// Errors (each with DuckDB's message): InvalidArgument for SQL errors (parser, binder,
  /// catalog, conversion, invalid input, ...); NotFound when an input file is missing; IOError
  /// for other I/O failures and out-of-memory; Network for HTTP failures; Internal for DuckDB's
  /// internal and fatal errors.
  Status Execute(std::string_view sql);

  /// Runs one statement and returns its whole result. For large results use Stream.
  /// Errors: as Execute; InvalidArgument for more than one statement.
  Result<QueryResult> Query(std::string_view sql);

  /// Runs one statement and returns its rows chunk by chunk. A SELECT (or anything DuckDB
  /// plans as one) streams: only the chunk being read is held in memory, and destroying the
  /// stream early stops the query. Other statements are run to completion first.
  /// Errors: as Query, at start or from RowStream::Next.
  Result<std::unique_ptr<RowStream>> Stream(std::string_view sql);

 private:
  friend class RowStream;
  struct Handle;
  explicit Connection(std::unique_ptr<Handle> handle);
  std::unique_ptr<Handle> handle_;
};

/// The rows of one query, fetched a chunk (up to 2048 rows) at a time, values as text.
class RowStream {
 public:
  ~RowStream();
  RowStream(const RowStream&) = delete;
  RowStream& operator=(const RowStream&) = delete;

  const std::vector<std::string>& column_names() const;
  const std::vector<std::string>& column_types() const;

  /// Replaces `rows` with the next rows; returns false (and leaves `rows` empty) at the end.
  /// Errors: the query's error, when execution fails part-way.
  Result<bool> Next(std::vector<Row>* rows);

 private:
  friend class Connection;
  struct State;
  explicit RowStream(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace faceberg::engine
