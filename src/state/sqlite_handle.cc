#include "state/sqlite_handle.h"

#include "vodctl/error.h"

#include <cctype>
#include <utility>

namespace vodctl::sqlite {
namespace {

// SQL in messages: one line, short enough to read but long enough to tell statements apart.
std::string Abbreviate(std::string_view sql) {
  constexpr size_t kMaxChars = 80;
  std::string line;
  for (char c : sql) {
    bool space = std::isspace(static_cast<unsigned char>(c));
    if (space && (line.empty() || line.back() == ' ')) continue;
    line += space ? ' ' : c;
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  if (line.size() > kMaxChars) line = line.substr(0, kMaxChars - 3) + "...";
  return line;
}

}  // namespace

Database::Database(std::string path) : path_(std::move(path)) {
  int rc = sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                           nullptr);
  if (rc != SQLITE_OK) {
    // SQLite hands back a handle even on failure, holding the message; it must still be closed.
    std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    Fail(ExitCode::kIoError, "cannot open state database {}: {}", path_, message);
  }
  // Extended codes tell a lock timeout (SQLITE_BUSY_*) apart in ThrowError.
  sqlite3_extended_result_codes(db_, 1);
}

Database::~Database() { sqlite3_close(db_); }

void Database::SetBusyTimeout(std::chrono::milliseconds timeout) {
  busy_timeout_ = timeout;
  sqlite3_busy_timeout(db_, static_cast<int>(timeout.count()));
}

void Database::Exec(std::string_view sql) {
  const std::string text(sql);
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) ThrowError(rc, Abbreviate(sql));
}

int Database::Changes() const { return sqlite3_changes(db_); }

bool Database::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

void Database::ThrowError(int rc, std::string_view operation) const {
  if ((rc & 0xff) == SQLITE_BUSY) {
    Fail(ExitCode::kTempFail, "state database {} is locked by another process (waited {} s): {}",
         path_, std::chrono::duration<double>(busy_timeout_).count(), operation);
  }
  Fail(ExitCode::kIoError, "state database {}: {}: {}", path_, operation, sqlite3_errmsg(db_));
}

Statement::Statement(Database& db, std::string_view sql) : db_(db) {
  int rc = sqlite3_prepare_v2(db_.handle(), sql.data(), static_cast<int>(sql.size()), &stmt_,
                              nullptr);
  if (rc != SQLITE_OK) db_.ThrowError(rc, "prepare " + Abbreviate(sql));
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::Bind(int index, int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) ThrowError(rc, "bind");
  return *this;
}

Statement& Statement::Bind(int index, std::string_view value) {
  int rc = sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()),
                             SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) ThrowError(rc, "bind");
  return *this;
}

Statement& Statement::BindNull(int index) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) ThrowError(rc, "bind");
  return *this;
}

bool Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  ThrowError(rc, "run");
}

void Statement::Reset() { sqlite3_reset(stmt_); }

bool Statement::ColumnIsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

int64_t Statement::ColumnInt64(int column) const { return sqlite3_column_int64(stmt_, column); }

int Statement::ColumnInt(int column) const { return sqlite3_column_int(stmt_, column); }

std::string Statement::ColumnText(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  return text ? std::string(text, sqlite3_column_bytes(stmt_, column)) : std::string();
}

void Statement::ThrowError(int rc, std::string_view operation) const {
  db_.ThrowError(rc, std::string(operation) + " " + Abbreviate(sqlite3_sql(stmt_)));
}

Transaction::Transaction(Database& db, Mode mode) : db_(db) {
  db_.Exec(mode == Mode::kWrite ? "BEGIN IMMEDIATE" : "BEGIN");
}

Transaction::~Transaction() {
  // Some errors (a full disk, say) make SQLite roll back by itself; then there is nothing left
  // to undo. A failed rollback cannot be reported from a destructor, and SQLite still discards
  // the changes when the connection closes.
  if (!committed_ && db_.InTransaction()) {
    sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

void Transaction::Commit() {
  db_.Exec("COMMIT");
  committed_ = true;
}

}  // namespace vodctl::sqlite
