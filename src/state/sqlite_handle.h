// Thin RAII wrappers over the SQLite C API. Every failure becomes a vodctl::Error naming the
// database file, the SQL that failed and SQLite's message, so callers never look at codes.
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace vodctl::sqlite {

class Database {
 public:
  // Opens (creating if needed) the database file. Error(kIoError) when it cannot be opened.
  explicit Database(std::string path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_; }

  // How long a statement waits for another connection's lock before giving up with
  // Error(kTempFail).
  void SetBusyTimeout(std::chrono::milliseconds timeout);
  // Runs SQL that returns no rows we need (pragmas, DDL, BEGIN/COMMIT).
  void Exec(std::string_view sql);
  // Rows changed by the last INSERT, UPDATE or DELETE.
  int Changes() const;
  bool InTransaction() const;

  // Throws the Error for result code `rc` of `operation`: kTempFail when the lock wait ran out,
  // kIoError otherwise.
  [[noreturn]] void ThrowError(int rc, std::string_view operation) const;

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
  std::chrono::milliseconds busy_timeout_{0};
};

class Statement {
 public:
  Statement(Database& db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based, as in SQLite.
  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, std::string_view value);
  Statement& BindNull(int index);

  // Advances to the next row: true when there is one, false when the statement is done.
  bool Step();
  // Makes the statement ready to run again; bindings are kept until rebound.
  void Reset();

  // Columns are 0-based, as in SQLite. NULL reads as 0 or "".
  bool ColumnIsNull(int column) const;
  int64_t ColumnInt64(int column) const;
  int ColumnInt(int column) const;
  std::string ColumnText(int column) const;

 private:
  [[noreturn]] void ThrowError(int rc, std::string_view operation) const;

  Database& db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// A transaction that rolls back unless Commit() is reached, so an exception leaves the
// database as it was.
class Transaction {
 public:
  // kWrite takes the write lock up front (BEGIN IMMEDIATE): a read-then-write transaction
  // that upgraded later could see data another writer has since changed and would fail.
  enum class Mode { kRead, kWrite };

  Transaction(Database& db, Mode mode);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void Commit();

 private:
  Database& db_;
  bool committed_ = false;
};

}  // namespace vodctl::sqlite
