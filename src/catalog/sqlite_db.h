// A small RAII layer over the SQLite C API: a connection and prepared statements, each owned by a
// unique_ptr with the matching close/finalize, every result code turned into a Status. Only
// sqlite_db.cc includes sqlite3.h.
//
// Error mapping: SQLITE_BUSY / SQLITE_LOCKED (after the busy timeout) give IOError whose message
// starts with kBusyMessage (see IsBusy); primary-key and unique violations give AlreadyExists;
// everything else IOError with SQLite's message.
//
// Thread safety: none; the owner serializes access.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace faceberg::catalog {

inline constexpr std::string_view kBusyMessage = "the SQLite database is locked";

/// True for the error of a statement that could not get its lock in time (worth retrying).
bool IsBusy(const Status& status);

struct SqliteCloser {
  void operator()(sqlite3* db) const;
};
struct SqliteFinalizer {
  void operator()(sqlite3_stmt* stmt) const;
};

/// One prepared statement. Bind indexes start at 1, column indexes at 0.
class SqliteStatement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}

  Status BindText(int index, std::string_view value);
  Status BindInt64(int index, int64_t value);
  Status BindNull(int index);

  /// Runs one step: true when a row is available, false when done.
  Result<bool> Step();
  /// Steps to completion, ignoring rows.
  Status Run();

  /// The text of a column of the current row; nullopt for NULL.
  std::optional<std::string> ColumnText(int index) const;
  int64_t ColumnInt64(int index) const;

 private:
  sqlite3* db_;
  std::unique_ptr<sqlite3_stmt, SqliteFinalizer> stmt_;
};

class SqliteDb {
 public:
  /// Opens (with `create`, creates) the database file at `path`, with extended result codes and
  /// a busy timeout. Errors: NotFound when the file is missing and !create; IOError.
  static Result<std::unique_ptr<SqliteDb>> Open(const std::string& path, bool create,
                                                int busy_timeout_ms);

  const std::string& path() const { return path_; }

  /// Runs statements without parameters or results (DDL, BEGIN, COMMIT).
  Status Exec(std::string_view sql);
  Result<SqliteStatement> Prepare(std::string_view sql);
  /// Rows changed by the last INSERT / UPDATE / DELETE.
  int64_t Changes() const;

 private:
  SqliteDb(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}

  std::string path_;
  std::unique_ptr<sqlite3, SqliteCloser> db_;
};

}  // namespace faceberg::catalog
