#include "catalog/sqlite_db.h"

#include <sqlite3.h>

#include <filesystem>

#include "util/strings.h"

namespace faceberg::catalog {

namespace {

Status FromCode(sqlite3* db, int code, std::string_view what) {
  const char* message = db ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return IOError("{} ({}): another connection holds it; retry later", kBusyMessage, what);
    case SQLITE_CONSTRAINT:
      if (code == SQLITE_CONSTRAINT_PRIMARYKEY || code == SQLITE_CONSTRAINT_UNIQUE) {
        return AlreadyExists("{}: {}", what, message);
      }
      return IOError("SQLite constraint failed ({}): {}", what, message);
    default:
      return IOError("SQLite error ({}): {}", what, message);
  }
}

}  // namespace

bool IsBusy(const Status& status) {
  return status.code() == ErrorCode::kIOError && StartsWith(status.message(), kBusyMessage);
}

void SqliteCloser::operator()(sqlite3* db) const { sqlite3_close_v2(db); }
void SqliteFinalizer::operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }

Status SqliteStatement::BindText(int index, std::string_view value) {
  int rc = sqlite3_bind_text(stmt_.get(), index, value.data(), static_cast<int>(value.size()),
                             SQLITE_TRANSIENT);
  return rc == SQLITE_OK ? Status::OK() : FromCode(db_, rc, "bind");
}

Status SqliteStatement::BindInt64(int index, int64_t value) {
  int rc = sqlite3_bind_int64(stmt_.get(), index, value);
  return rc == SQLITE_OK ? Status::OK() : FromCode(db_, rc, "bind");
}

Status SqliteStatement::BindNull(int index) {
  int rc = sqlite3_bind_null(stmt_.get(), index);
  return rc == SQLITE_OK ? Status::OK() : FromCode(db_, rc, "bind");
}

Result<bool> SqliteStatement::Step() {
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return FromCode(db_, rc, sqlite3_sql(stmt_.get()));
}

Status SqliteStatement::Run() {
  while (true) {
    ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return Status::OK();
  }
}

std::optional<std::string> SqliteStatement::ColumnText(int index) const {
  if (sqlite3_column_type(stmt_.get(), index) == SQLITE_NULL) return std::nullopt;
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_.get(), index));
  int size = sqlite3_column_bytes(stmt_.get(), index);
  return std::string(text ? text : "", static_cast<size_t>(size));
}

int64_t SqliteStatement::ColumnInt64(int index) const {
  return sqlite3_column_int64(stmt_.get(), index);
}

Result<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path, bool create,
                                                 int busy_timeout_ms) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (!create) {
      return NotFound("no SQL catalog database at {}: run 'faceberg init' or pass --catalog", path);
    }
    auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  }
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  std::unique_ptr<sqlite3, SqliteCloser> owner(raw);
  if (rc != SQLITE_OK) {
    return IOError("cannot open SQLite database {}: {}", path,
                   raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc));
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  return std::unique_ptr<SqliteDb>(new SqliteDb(path, owner.release()));
}

Status SqliteDb::Exec(std::string_view sql) {
  ASSIGN_OR_RETURN(SqliteStatement stmt, Prepare(sql));
  return stmt.Run();
}

Result<SqliteStatement> SqliteDb::Prepare(std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(raw);
    return FromCode(db_.get(), rc, sql);
  }
  return SqliteStatement(db_.get(), raw);
}

int64_t SqliteDb::Changes() const { return sqlite3_changes64(db_.get()); }

}  // namespace faceberg::catalog
