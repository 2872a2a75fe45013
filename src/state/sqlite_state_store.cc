#include "state/sqlite_state_store.h"

#include "notify/event_body.h"
#include "notify/redact_url.h"
#include "vodctl/error.h"
#include "vodctl/log.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <iterator>
#include <thread>

namespace vodctl {
namespace {

using nlohmann::json;
using sqlite::Statement;
using Mode = sqlite::Transaction::Mode;

// Long enough to outlast another process's longest transaction (a SetChunks of thousands of
// chunks on a slow disk), so a busy database means waiting, not failing.
constexpr std::chrono::seconds kBusyTimeout{30};

// Each entry takes the schema (PRAGMA user_version) up one version. Never edit a released
// entry: databases in the field have already run it.
constexpr const char* kMigrations[] = {
    // 1: the initial schema.
    R"sql(
CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  source TEXT NOT NULL,
  output TEXT NOT NULL,
  options_json TEXT NOT NULL,
  source_info_json TEXT,
  result_json TEXT NOT NULL DEFAULT 'null',
  state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'failed')),
  error TEXT NOT NULL DEFAULT '',
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL
);
CREATE TABLE steps (
  job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  step TEXT NOT NULL CHECK (step IN ('split', 'transcode', 'concat', 'segment')),
  state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'failed')),
  PRIMARY KEY (job_id, step)
);
CREATE TABLE chunks (
  job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  start_pts INTEGER NOT NULL,
  end_pts INTEGER NOT NULL,
  first_slot INTEGER NOT NULL,
  end_slot INTEGER NOT NULL,
  input_frames INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  lease_owner TEXT,
  lease_expiry_ms INTEGER,
  error TEXT NOT NULL DEFAULT '',
  result_json TEXT NOT NULL DEFAULT 'null',
  PRIMARY KEY (job_id, idx)
);
CREATE TABLE events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  time_ms INTEGER NOT NULL,
  kind TEXT NOT NULL,
  chunk INTEGER,
  message TEXT NOT NULL
);
CREATE INDEX events_by_job ON events (job_id, id);
)sql",
    // 2: the job lock.
    R"sql(
ALTER TABLE jobs ADD COLUMN lock_owner TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN lock_expiry_ms INTEGER NOT NULL DEFAULT 0;
)sql",
    // 3: what the CMS hears. The outbox holds every event (the webhook body as sent);
    // deliveries, one per event and notify URL, what became of sending it. Steps keep their
    // times for job.done's timings.
    R"sql(
ALTER TABLE jobs ADD COLUMN notify_json TEXT NOT NULL DEFAULT '{}';
ALTER TABLE steps ADD COLUMN started_at_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE steps ADD COLUMN finished_at_ms INTEGER NOT NULL DEFAULT 0;
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL UNIQUE,
  job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  sequence INTEGER NOT NULL,
  type TEXT NOT NULL,
  time_ms INTEGER NOT NULL,
  body TEXT NOT NULL,
  UNIQUE (job_id, sequence)
);
CREATE TABLE deliveries (
  event_row INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
  url TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_ms INTEGER NOT NULL,
  give_up_at_ms INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  claimed_until_ms INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (event_row, url)
);
CREATE INDEX deliveries_pending ON deliveries (state, next_attempt_ms);
)sql",
};

constexpr const char* kJobColumns =
    "id, source, output, options_json, source_info_json, result_json, state, error, "
    "created_at_ms, updated_at_ms, lock_owner, lock_expiry_ms, notify_json";
constexpr const char* kChunkColumns =
    "idx, start_pts, end_pts, first_slot, end_slot, input_frames, state, attempts, lease_owner, "
    "lease_expiry_ms, error, result_json";
constexpr const char* kOutboxColumns = "id, event_id, job_id, sequence, type, time_ms, body";
constexpr const char* kClearLease = "lease_owner = NULL, lease_expiry_ms = NULL";

template <typename T>
T Decode(const sqlite::Database& db, const std::string& text, const std::string& what) {
  try {
    return json::parse(text).get<T>();
  } catch (const std::exception& e) {
    Fail(ExitCode::kIoError, "state database {}: cannot read the {}: {}", db.path(), what,
         e.what());
  }
}

// WAL lets `status` read while workers write. It needs shared memory, which some network file
// systems lack; SQLite then keeps its rollback journal, slower but still correct.
void EnableWal(sqlite::Database& db) {
  // Two processes switching a new database to WAL at once get SQLITE_BUSY without the busy
  // handler being consulted, so the wait is done here.
  const auto deadline = std::chrono::steady_clock::now() + kBusyTimeout;
  std::string mode;
  while (true) {
    try {
      Statement pragma(db, "PRAGMA journal_mode = WAL");
      if (pragma.Step()) mode = pragma.ColumnText(0);
      break;
    } catch (const Error& error) {
      if (error.code() != ExitCode::kTempFail || std::chrono::steady_clock::now() > deadline) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  if (mode != "wal") {
    log::Info("state database {}: WAL unavailable, using journal mode '{}'", db.path(), mode);
  }
}

OutboxEvent ReadOutboxEvent(const Statement& row) {
  OutboxEvent event;
  event.id = row.ColumnInt64(0);
  event.event_id = row.ColumnText(1);
  event.job_id = row.ColumnText(2);
  event.sequence = row.ColumnInt64(3);
  event.type = row.ColumnText(4);
  event.time_ms = row.ColumnInt64(5);
  event.body = row.ColumnText(6);
  return event;
}

// A job ID names one job for good: reusing it for other work would mix two jobs' artefacts.
void CheckSameJob(const JobRecord& job, const std::string& source, const std::string& output,
                  const JobOptions& options) {
  auto mismatch = [&](const std::string& field, const json& stored, const json& asked) {
    Fail(ExitCode::kUsage, "job '{}' exists with a different {} (stored {}, asked {})", job.id,
         field, stored.dump(), asked.dump());
  };
  if (job.source != source) mismatch("source", job.source, source);
  if (job.output != output) mismatch("output", job.output, output);
  const json stored = job.options;
  const json wanted = options;
  for (const auto& [key, asked] : wanted.items()) {
    if (stored.at(key) != asked) mismatch(key, stored.at(key), asked);
  }
}

}  // namespace

void to_json(json& j, const NotifyOptions& notify) {
  j = json{{"urls", notify.urls},
           {"progress_interval", notify.progress_interval},
           {"retry_for", notify.retry_for}};
}

void from_json(const json& j, NotifyOptions& notify) {
  const NotifyOptions defaults;
  notify.urls = j.value("urls", std::vector<std::string>());
  notify.progress_interval = j.value("progress_interval", defaults.progress_interval);
  notify.retry_for = j.value("retry_for", defaults.retry_for);
}

std::unique_ptr<StateStore> OpenSqliteStateStore(const std::string& path, Env& env) {
  return std::make_unique<SqliteStateStore>(path, env);
}

SqliteStateStore::SqliteStateStore(const std::string& path, Env& env) : env_(env), db_(path) {
  db_.SetBusyTimeout(kBusyTimeout);
  db_.Exec("PRAGMA foreign_keys = ON");
  EnableWal(db_);
  // A checkpoint lost to a power cut would make finished chunks encode again, or worse, leave
  // a published artefact the state does not know of; an fsync per commit is cheap next to that.
  db_.Exec("PRAGMA synchronous = FULL");
  Migrate();
}

void SqliteStateStore::Migrate() {
  Transact(Mode::kWrite, [&] {
    Statement query(db_, "PRAGMA user_version");
    query.Step();
    const int version = query.ColumnInt(0);
    const int latest = static_cast<int>(std::size(kMigrations));
    if (version > latest) {
      Fail(ExitCode::kIoError,
           "state database {} has schema version {}, but this vodctl knows only up to {}: "
           "it was written by a newer vodctl",
           db_.path(), version, latest);
    }
    for (int next = version + 1; next <= latest; ++next) {
      db_.Exec(kMigrations[next - 1]);
      db_.Exec(fmt::format("PRAGMA user_version = {}", next));
    }
  });
}

JobRecord SqliteStateStore::CreateOrCheckJob(const std::string& id, const std::string& source,
                                             const std::string& output,
                                             const JobOptions& options,
                                             const NotifyOptions& notify) {
  ValidateJobId(id);
  return Transact(Mode::kWrite, [&] {
    if (std::optional<JobRecord> existing = LoadJob(id)) {
      CheckSameJob(*existing, source, output, options);
      if (notify.urls.empty() || notify == existing->notify) return *existing;
      // Later events go to the receivers named last; ones already recorded keep theirs.
      Statement update(db_, "UPDATE jobs SET notify_json = ?2 WHERE id = ?1");
      update.Bind(1, id).Bind(2, json(notify).dump()).Step();
      return *LoadJob(id);
    }
    Statement insert_job(db_,
                         "INSERT INTO jobs (id, source, output, options_json, state, "
                         "created_at_ms, updated_at_ms, notify_json) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)");
    insert_job.Bind(1, id).Bind(2, source).Bind(3, output).Bind(4, json(options).dump());
    insert_job.Bind(5, ToString(JobState::kPending)).Bind(6, env_.WallMs());
    insert_job.Bind(7, json(notify).dump()).Step();
    Statement insert_step(db_, "INSERT INTO steps (job_id, step, state) VALUES (?1, ?2, ?3)");
    for (Step step : kAllSteps) {
      insert_step.Bind(1, id).Bind(2, ToString(step)).Bind(3, ToString(StepState::kPending));
      insert_step.Step();
      insert_step.Reset();
    }
    Enqueue(id, "job.created",
            {{"source", notify::RedactUrl(source)}, {"output", notify::RedactUrl(output)}});
    return *LoadJob(id);
  });
}

std::optional<JobRecord> SqliteStateStore::FindJob(const std::string& id) {
  return Transact(Mode::kRead, [&] { return LoadJob(id); });
}

JobRecord SqliteStateStore::GetJob(const std::string& id) {
  std::optional<JobRecord> job = FindJob(id);
  if (!job) FailNoJob(id);
  return *job;
}

std::vector<JobRecord> SqliteStateStore::ListJobs() {
  return Transact(Mode::kRead, [&] {
    Statement select(db_,
                     fmt::format("SELECT {} FROM jobs ORDER BY created_at_ms, rowid", kJobColumns));
    std::vector<JobRecord> jobs;
    while (select.Step()) jobs.push_back(ReadJob(select));
    return jobs;
  });
}

bool SqliteStateStore::SetJobState(const std::string& id, JobState state,
                                   const std::string& error, ExitCode exit_code,
                                   const std::string& lock_owner) {
  return Transact(Mode::kWrite, [&] {
    if (!MayWriteJob(id, lock_owner)) return false;
    TouchJob(id);
    const JobRecord before = *LoadJob(id);
    Statement update(db_, "UPDATE jobs SET state = ?2, error = ?3 WHERE id = ?1");
    update.Bind(1, id).Bind(2, ToString(state)).Bind(3, error).Step();
    if (state == before.state) return true;
    if (state == JobState::kDone) {
      Enqueue(id, "job.done", DoneData(*LoadJob(id)));
    } else if (state == JobState::kFailed) {
      const int code = static_cast<int>(exit_code);
      Enqueue(id, "job.failed",
              {{"error", error},
               {"exit_code", code},
               {"retry_may_help", notify::RetryMayHelp(code)}});
    } else if (state == JobState::kRunning && before.state == JobState::kFailed) {
      Enqueue(id, "job.retrying", {{"reason", "run again after failing"},
                                   {"previous_error", before.error}});
    }
    return true;
  });
}

void SqliteStateStore::SetSourceInfo(const std::string& id, const SourceInfo& info) {
  Transact(Mode::kWrite, [&] {
    TouchJob(id);
    Statement update(db_, "UPDATE jobs SET source_info_json = ?2 WHERE id = ?1");
    update.Bind(1, id).Bind(2, json(info).dump()).Step();
  });
}

void SqliteStateStore::SetJobResult(const std::string& id, const json& result) {
  Transact(Mode::kWrite, [&] {
    TouchJob(id);
    Statement update(db_, "UPDATE jobs SET result_json = ?2 WHERE id = ?1");
    update.Bind(1, id).Bind(2, result.dump()).Step();
  });
}

bool SqliteStateStore::SetStepState(const std::string& id, Step step, StepState state,
                                    const std::string& lock_owner) {
  return Transact(Mode::kWrite, [&] {
    if (!MayWriteJob(id, lock_owner)) return false;
    TouchJob(id);
    // A step that starts (again) is timed from now; one that finishes, up to now.
    Statement update(db_,
                     "UPDATE steps SET state = ?3, "
                     "started_at_ms = CASE WHEN ?3 = 'running' THEN ?4 ELSE started_at_ms END, "
                     "finished_at_ms = CASE WHEN ?3 = 'running' THEN 0 WHEN ?3 = 'done' THEN ?4 "
                     "ELSE finished_at_ms END WHERE job_id = ?1 AND step = ?2");
    update.Bind(1, id).Bind(2, ToString(step)).Bind(3, ToString(state)).Bind(4, env_.WallMs()).Step();
    return true;
  });
}

void SqliteStateStore::SetChunks(const std::string& id, const std::vector<ChunkPlan>& chunks) {
  Transact(Mode::kWrite, [&] {
    TouchJob(id);
    Statement remove(db_, "DELETE FROM chunks WHERE job_id = ?1");
    remove.Bind(1, id).Step();
    Statement insert(db_,
                     "INSERT INTO chunks (job_id, idx, start_pts, end_pts, first_slot, end_slot, "
                     "input_frames, state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    for (const ChunkPlan& chunk : chunks) {
      insert.Bind(1, id).Bind(2, chunk.index).Bind(3, chunk.start_pts).Bind(4, chunk.end_pts);
      insert.Bind(5, chunk.first_slot).Bind(6, chunk.end_slot).Bind(7, chunk.input_frames);
      insert.Bind(8, ToString(ChunkState::kPending)).Step();
      insert.Reset();
    }
  });
}

std::vector<ChunkRecord> SqliteStateStore::ListChunks(const std::string& id) {
  return Transact(Mode::kRead, [&] {
    RequireJob(id);
    Statement select(
        db_, fmt::format("SELECT {} FROM chunks WHERE job_id = ?1 ORDER BY idx", kChunkColumns));
    select.Bind(1, id);
    std::vector<ChunkRecord> chunks;
    while (select.Step()) chunks.push_back(ReadChunk(select, id));
    return chunks;
  });
}

bool SqliteStateStore::Claimable(const std::string& owner, int64_t expiry_ms) {
  switch (env_.LivenessOf(owner)) {
    case Liveness::kGone:
      return true;
    case Liveness::kAlive:
      return false;
    case Liveness::kUnknown:
      return expiry_ms < env_.WallMs();
  }
  return false;
}

std::optional<ChunkRecord> SqliteStateStore::ClaimChunk(const std::string& id,
                                                        std::optional<int> index,
                                                        const std::string& owner,
                                                        int64_t lease_ms) {
  return Transact(Mode::kWrite, [&]() -> std::optional<ChunkRecord> {
    TouchJob(id);
    const int64_t now = env_.WallMs();
    // Running chunks are candidates too: whether one is claimable depends on its holder's
    // liveness, which only the Env knows.
    Statement select(db_, fmt::format("SELECT {} FROM chunks WHERE job_id = ?1 "
                                      "AND (?2 IS NULL OR idx = ?2) AND state IN "
                                      "('pending', 'running') ORDER BY idx",
                                      kChunkColumns));
    select.Bind(1, id);
    index ? select.Bind(2, *index) : select.BindNull(2);
    std::optional<ChunkRecord> found;
    while (!found && select.Step()) {
      ChunkRecord candidate = ReadChunk(select, id);
      if (candidate.state == ChunkState::kPending ||
          Claimable(candidate.lease_owner, candidate.lease_expiry_ms)) {
        found = std::move(candidate);
      }
    }
    select.Reset();
    if (!found) {
      if (index) {
        Statement exists(db_, "SELECT 1 FROM chunks WHERE job_id = ?1 AND idx = ?2");
        if (!exists.Bind(1, id).Bind(2, *index).Step()) FailNoChunk(id, *index);
      }
      return std::nullopt;
    }
    ChunkRecord chunk = std::move(*found);
    // A lease taken over still names the worker that held it; the event says so, and why.
    const std::string expired_owner =
        chunk.state == ChunkState::kRunning ? chunk.lease_owner : std::string();
    const bool expired = chunk.lease_expiry_ms < now;  // else Claimable found its holder gone

    Statement update(db_,
                     "UPDATE chunks SET state = 'running', lease_owner = ?3, lease_expiry_ms = ?4, "
                     "attempts = attempts + 1 WHERE job_id = ?1 AND idx = ?2 RETURNING attempts");
    update.Bind(1, id).Bind(2, chunk.plan.index).Bind(3, owner).Bind(4, now + lease_ms);
    chunk.attempts = UpdateChunk(update, id, chunk.plan.index);
    chunk.state = ChunkState::kRunning;
    chunk.lease_owner = owner;
    chunk.lease_expiry_ms = now + lease_ms;

    std::string message = fmt::format("claimed by {}, attempt {}", owner, chunk.attempts);
    if (!expired_owner.empty()) {
      message += expired ? fmt::format(" (lease of {} expired)", expired_owner)
                         : fmt::format(" ({} is gone)", expired_owner);
    }
    InsertEvent(id, "chunk-claimed", chunk.plan.index, message);
    return chunk;
  });
}

namespace {

// The condition every lease holder's write ends in: ?1 job, ?2 index, ?3 owner, ?4 token.
constexpr const char* kHeldBy =
    "job_id = ?1 AND idx = ?2 AND state = 'running' AND lease_owner = ?3 AND attempts = ?4";

void BindLease(Statement& update, const std::string& id, const ChunkLease& lease) {
  update.Bind(1, id).Bind(2, lease.index).Bind(3, lease.owner).Bind(4, lease.token);
}

}  // namespace

bool SqliteStateStore::RenewLease(const std::string& id, const ChunkLease& lease,
                                  int64_t lease_ms) {
  return Transact(Mode::kWrite, [&] {
    TouchJob(id);
    Statement update(db_, fmt::format("UPDATE chunks SET lease_expiry_ms = ?5 WHERE {}", kHeldBy));
    BindLease(update, id, lease);
    update.Bind(5, env_.WallMs() + lease_ms).Step();
    return db_.Changes() > 0;
  });
}

bool SqliteStateStore::CompleteChunk(const std::string& id, const ChunkLease& lease,
                                     const json& result) {
  return Transact(Mode::kWrite, [&] {
    TouchJob(id);
    Statement update(db_, fmt::format("UPDATE chunks SET state = 'done', result_json = ?5, "
                                      "error = '', {} WHERE {}",
                                      kClearLease, kHeldBy));
    BindLease(update, id, lease);
    update.Bind(5, result.dump()).Step();
    if (db_.Changes() == 0) return false;
    InsertEvent(id, "chunk-done", lease.index, fmt::format("done on attempt {}", lease.token));
    EnqueueProgress(*LoadJob(id));
    return true;
  });
}

bool SqliteStateStore::FailChunk(const std::string& id, const ChunkLease& lease,
                                 const std::string& error, bool permanent) {
  return Transact(Mode::kWrite, [&] {
    TouchJob(id);
    Statement update(db_, fmt::format("UPDATE chunks SET state = ?5, error = ?6, {} WHERE {}",
                                      kClearLease, kHeldBy));
    BindLease(update, id, lease);
    update.Bind(5, ToString(permanent ? ChunkState::kFailed : ChunkState::kPending));
    update.Bind(6, error).Step();
    if (db_.Changes() == 0) return false;
    InsertEvent(id, "chunk-failed", lease.index,
                fmt::format("attempt {} failed{}: {}", lease.token,
                            permanent ? " permanently" : ", will retry", error));
    if (!permanent) {
      Enqueue(id, "job.retrying", {{"reason", "chunk failed"},
                                   {"chunk", lease.index},
                                   {"attempt", lease.token},
                                   {"error", error}});
    }
    return true;
  });
}

bool SqliteStateStore::ReleaseChunk(const std::string& id, const ChunkLease& lease,
                                    const std::string& why) {
  return Transact(Mode::kWrite, [&] {
    TouchJob(id);
    Statement update(db_,
                     fmt::format("UPDATE chunks SET state = 'pending', {} WHERE {}", kClearLease,
                                 kHeldBy));
    BindLease(update, id, lease);
    update.Step();
    if (db_.Changes() == 0) return false;
    InsertEvent(id, "chunk-released", lease.index, fmt::format("{} released: {}", lease.owner, why));
    return true;
  });
}

void SqliteStateStore::AdoptChunkResult(const std::string& id, int index, const json& result) {
  Transact(Mode::kWrite, [&] {
    TouchJob(id);
    Statement update(db_, fmt::format("UPDATE chunks SET state = 'done', result_json = ?3, "
                                      "error = '', {} WHERE job_id = ?1 AND idx = ?2 "
                                      "RETURNING attempts",
                                      kClearLease));
    update.Bind(1, id).Bind(2, index).Bind(3, result.dump());
    const int attempts = UpdateChunk(update, id, index);
    InsertEvent(id, "chunk-done", index, fmt::format("done on attempt {}", attempts));
    EnqueueProgress(*LoadJob(id));
  });
}

void SqliteStateStore::ResetChunk(const std::string& id, int index) {
  Transact(Mode::kWrite, [&] {
    TouchJob(id);
    Statement update(db_, fmt::format("UPDATE chunks SET state = 'pending', result_json = 'null', "
                                      "{} WHERE job_id = ?1 AND idx = ?2 RETURNING attempts",
                                      kClearLease));
    update.Bind(1, id).Bind(2, index);
    const int attempts = UpdateChunk(update, id, index);
    InsertEvent(id, "chunk-reset", index,
                fmt::format("back to pending after {} attempt(s)", attempts));
  });
}

std::optional<std::string> SqliteStateStore::AcquireJobLock(const std::string& id,
                                                            const std::string& owner,
                                                            int64_t lease_ms) {
  return Transact(Mode::kWrite, [&]() -> std::optional<std::string> {
    std::optional<JobRecord> job = LoadJob(id);
    if (!job) FailNoJob(id);
    const std::string& holder = job->lock_owner;
    if (!holder.empty() && holder != owner && !Claimable(holder, job->lock_expiry_ms)) {
      return holder;
    }
    if (!holder.empty() && holder != owner) {
      log::Info("job '{}': the lock of {} is expired or its holder gone; {} takes it", id,
                holder, owner);
    }
    Statement update(db_, "UPDATE jobs SET lock_owner = ?2, lock_expiry_ms = ?3 WHERE id = ?1");
    update.Bind(1, id).Bind(2, owner).Bind(3, env_.WallMs() + lease_ms).Step();
    return std::nullopt;
  });
}

bool SqliteStateStore::RenewJobLock(const std::string& id, const std::string& owner,
                                    int64_t lease_ms) {
  return Transact(Mode::kWrite, [&] {
    Statement update(db_, "UPDATE jobs SET lock_expiry_ms = ?3 WHERE id = ?1 AND lock_owner = ?2");
    update.Bind(1, id).Bind(2, owner).Bind(3, env_.WallMs() + lease_ms).Step();
    return db_.Changes() > 0;
  });
}

void SqliteStateStore::ReleaseJobLock(const std::string& id, const std::string& owner) {
  Transact(Mode::kWrite, [&] {
    Statement update(db_, "UPDATE jobs SET lock_owner = '', lock_expiry_ms = 0 "
                          "WHERE id = ?1 AND lock_owner = ?2");
    update.Bind(1, id).Bind(2, owner).Step();
  });
}

bool SqliteStateStore::DeleteJob(const std::string& id, const std::string& owner) {
  return Transact(Mode::kWrite, [&] {
    // Steps, chunks and events go with it (ON DELETE CASCADE).
    Statement remove(db_, "DELETE FROM jobs WHERE id = ?1 AND lock_owner = ?2");
    remove.Bind(1, id).Bind(2, owner).Step();
    return db_.Changes() > 0;
  });
}

void SqliteStateStore::AddEvent(const std::string& id, const std::string& kind,
                                std::optional<int> chunk, const std::string& message) {
  Transact(Mode::kWrite, [&] {
    TouchJob(id);
    InsertEvent(id, kind, chunk, message);
  });
}

std::vector<EventRecord> SqliteStateStore::ListEvents(const std::string& id) {
  return Transact(Mode::kRead, [&] {
    RequireJob(id);
    Statement select(db_,
                     "SELECT id, time_ms, kind, chunk, message FROM events WHERE job_id = ?1 "
                     "ORDER BY id");
    select.Bind(1, id);
    std::vector<EventRecord> events;
    while (select.Step()) {
      EventRecord& event = events.emplace_back();
      event.id = select.ColumnInt64(0);
      event.time_ms = select.ColumnInt64(1);
      event.kind = select.ColumnText(2);
      if (!select.ColumnIsNull(3)) event.chunk = select.ColumnInt(3);
      event.message = select.ColumnText(4);
    }
    return events;
  });
}

std::vector<OutboxEvent> SqliteStateStore::ListOutbox(const std::string& job_id,
                                                      int64_t after_sequence,
                                                      int64_t after_row) {
  return Transact(Mode::kRead, [&] {
    if (!job_id.empty()) RequireJob(job_id);
    Statement select(db_, fmt::format("SELECT {} FROM outbox WHERE (?1 = '' OR job_id = ?1) "
                                      "AND sequence > ?2 AND id > ?3 ORDER BY id",
                                      kOutboxColumns));
    select.Bind(1, job_id).Bind(2, after_sequence).Bind(3, after_row);
    std::vector<OutboxEvent> events;
    while (select.Step()) events.push_back(ReadOutboxEvent(select));
    return events;
  });
}

std::vector<PendingDelivery> SqliteStateStore::DueDeliveries(int64_t until_ms, int limit) {
  return Transact(Mode::kRead, [&] {
    // An event waits while an earlier one of its job to the same URL is still pending; one
    // given up (failed) no longer holds the rest back.
    Statement select(
        db_,
        "SELECT o.id, o.event_id, o.job_id, o.sequence, o.type, o.time_ms, o.body, d.url, "
        "d.attempts, d.next_attempt_ms, d.give_up_at_ms, d.claimed_until_ms FROM deliveries d "
        "JOIN outbox o ON o.id = d.event_row WHERE d.state = 'pending' AND NOT EXISTS ("
        "SELECT 1 FROM deliveries e JOIN outbox p ON p.id = e.event_row WHERE e.url = d.url "
        "AND e.state = 'pending' AND p.job_id = o.job_id AND p.sequence < o.sequence) "
        "AND d.next_attempt_ms <= ?1 ORDER BY d.next_attempt_ms, o.id LIMIT ?2");
    select.Bind(1, until_ms).Bind(2, limit);
    std::vector<PendingDelivery> due;
    while (select.Step()) {
      PendingDelivery& delivery = due.emplace_back();
      delivery.event = ReadOutboxEvent(select);
      delivery.url = select.ColumnText(7);
      delivery.attempts = select.ColumnInt(8);
      delivery.next_attempt_ms = select.ColumnInt64(9);
      delivery.give_up_at_ms = select.ColumnInt64(10);
      delivery.claimed_until_ms = select.ColumnInt64(11);
    }
    return due;
  });
}

bool SqliteStateStore::ClaimDelivery(int64_t event_row, const std::string& url,
                                     int64_t lease_ms) {
  return Transact(Mode::kWrite, [&] {
    const int64_t now = env_.WallMs();
    Statement claim(db_,
                    "UPDATE deliveries SET claimed_until_ms = ?3 WHERE event_row = ?1 AND "
                    "url = ?2 AND state = 'pending' AND claimed_until_ms <= ?4");
    claim.Bind(1, event_row).Bind(2, url).Bind(3, now + lease_ms).Bind(4, now).Step();
    return db_.Changes() > 0;
  });
}

void SqliteStateStore::RecordDelivery(int64_t event_row, const std::string& url,
                                      const DeliveryAttempt& attempt) {
  Transact(Mode::kWrite, [&] {
    Statement update(db_,
                     "UPDATE deliveries SET state = ?3, attempts = attempts + 1, "
                     "next_attempt_ms = ?4, last_error = ?5, claimed_until_ms = 0 "
                     "WHERE event_row = ?1 AND url = ?2");
    update.Bind(1, event_row).Bind(2, url).Bind(3, ToString(attempt.state));
    update.Bind(4, attempt.next_attempt_ms).Bind(5, attempt.error).Step();
  });
}

DeliverySummary SqliteStateStore::SummariseDeliveries(const std::string& job_id) {
  return Transact(Mode::kRead, [&] {
    DeliverySummary summary;
    Statement counts(db_,
                     "SELECT d.state, COUNT(*) FROM deliveries d JOIN outbox o ON "
                     "o.id = d.event_row WHERE o.job_id = ?1 GROUP BY d.state");
    counts.Bind(1, job_id);
    while (counts.Step()) {
      const std::string state = counts.ColumnText(0);
      const int count = counts.ColumnInt(1);
      if (state == "delivered") summary.delivered = count;
      if (state == "pending") summary.pending = count;
      if (state == "failed") summary.failed = count;
    }
    Statement last(db_,
                   "SELECT d.last_error FROM deliveries d JOIN outbox o ON o.id = d.event_row "
                   "WHERE o.job_id = ?1 AND d.state != 'delivered' AND d.last_error != '' "
                   "ORDER BY o.id DESC LIMIT 1");
    if (last.Bind(1, job_id).Step()) summary.last_error = last.ColumnText(0);
    return summary;
  });
}

std::optional<JobRecord> SqliteStateStore::LoadJob(const std::string& id) {
  Statement select(db_, fmt::format("SELECT {} FROM jobs WHERE id = ?1", kJobColumns));
  select.Bind(1, id);
  if (!select.Step()) return std::nullopt;
  return ReadJob(select);
}

JobRecord SqliteStateStore::ReadJob(const Statement& row) {
  JobRecord job;
  job.id = row.ColumnText(0);
  job.source = row.ColumnText(1);
  job.output = row.ColumnText(2);
  job.options = Decode<JobOptions>(db_, row.ColumnText(3), "options of job '" + job.id + "'");
  if (!row.ColumnIsNull(4)) {
    job.source_info =
        Decode<SourceInfo>(db_, row.ColumnText(4), "source info of job '" + job.id + "'");
  }
  job.result = Decode<json>(db_, row.ColumnText(5), "result of job '" + job.id + "'");
  job.state = JobStateFromString(row.ColumnText(6));
  job.error = row.ColumnText(7);
  job.created_at_ms = row.ColumnInt64(8);
  job.updated_at_ms = row.ColumnInt64(9);
  job.lock_owner = row.ColumnText(10);
  job.lock_expiry_ms = row.ColumnInt64(11);
  job.notify = Decode<NotifyOptions>(db_, row.ColumnText(12), "notify URLs of job '" + job.id + "'");

  Statement steps(db_,
                  "SELECT step, state, started_at_ms, finished_at_ms FROM steps WHERE job_id = ?1");
  steps.Bind(1, job.id);
  while (steps.Step()) {
    const Step step = StepFromString(steps.ColumnText(0));
    job.steps[step] = StepStateFromString(steps.ColumnText(1));
    job.step_times[step] = {steps.ColumnInt64(2), steps.ColumnInt64(3)};
  }
  return job;
}

ChunkRecord SqliteStateStore::ReadChunk(const Statement& row, const std::string& id) {
  ChunkRecord chunk;
  chunk.plan.index = row.ColumnInt(0);
  chunk.plan.start_pts = row.ColumnInt64(1);
  chunk.plan.end_pts = row.ColumnInt64(2);
  chunk.plan.first_slot = row.ColumnInt64(3);
  chunk.plan.end_slot = row.ColumnInt64(4);
  chunk.plan.input_frames = row.ColumnInt64(5);
  chunk.state = ChunkStateFromString(row.ColumnText(6));
  chunk.attempts = row.ColumnInt(7);
  chunk.lease_owner = row.ColumnText(8);
  chunk.lease_expiry_ms = row.ColumnInt64(9);
  chunk.error = row.ColumnText(10);
  chunk.result = Decode<json>(
      db_, row.ColumnText(11), fmt::format("result of chunk {} of job '{}'", chunk.plan.index, id));
  return chunk;
}

void SqliteStateStore::FailNoJob(const std::string& id) const {
  Fail(ExitCode::kUsage, "no job '{}' in {}", id, db_.path());
}

void SqliteStateStore::FailNoChunk(const std::string& id, int index) const {
  Fail(ExitCode::kUsage, "job '{}' has no chunk {} in {}", id, index, db_.path());
}

void SqliteStateStore::RequireJob(const std::string& id) {
  Statement select(db_, "SELECT 1 FROM jobs WHERE id = ?1");
  if (!select.Bind(1, id).Step()) FailNoJob(id);
}

bool SqliteStateStore::MayWriteJob(const std::string& id, const std::string& lock_owner) {
  if (lock_owner.empty()) return true;
  Statement select(db_, "SELECT lock_owner = ?2 FROM jobs WHERE id = ?1");
  if (!select.Bind(1, id).Bind(2, lock_owner).Step()) FailNoJob(id);
  return select.ColumnInt(0) != 0;
}

void SqliteStateStore::TouchJob(const std::string& id) {
  Statement update(db_, "UPDATE jobs SET updated_at_ms = ?2 WHERE id = ?1");
  update.Bind(1, id).Bind(2, env_.WallMs()).Step();
  if (db_.Changes() == 0) FailNoJob(id);
}

int SqliteStateStore::UpdateChunk(Statement& update, const std::string& id, int index) {
  if (!update.Step()) FailNoChunk(id, index);
  return update.ColumnInt(0);
}

void SqliteStateStore::InsertEvent(const std::string& id, const std::string& kind,
                                   std::optional<int> chunk, const std::string& message) {
  Statement insert(db_,
                   "INSERT INTO events (job_id, time_ms, kind, chunk, message) "
                   "VALUES (?1, ?2, ?3, ?4, ?5)");
  insert.Bind(1, id).Bind(2, env_.WallMs()).Bind(3, kind).Bind(5, message);
  chunk ? insert.Bind(4, *chunk) : insert.BindNull(4);
  insert.Step();
}

}  // namespace vodctl

namespace vodctl {

void SqliteStateStore::Enqueue(const std::string& id, const std::string& type,
                               const json& data) {
  const int64_t now = env_.WallMs();
  Statement last(db_, "SELECT COALESCE(MAX(sequence), 0) FROM outbox WHERE job_id = ?1");
  last.Bind(1, id).Step();
  const int64_t sequence = last.ColumnInt64(0) + 1;
  const std::string event_id = notify::NewEventId();
  Statement insert(db_,
                   "INSERT INTO outbox (event_id, job_id, sequence, type, time_ms, body) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id");
  insert.Bind(1, event_id).Bind(2, id).Bind(3, sequence).Bind(4, type).Bind(5, now);
  insert.Bind(6, notify::EventBody(event_id, type, sequence, now, id, data));
  insert.Step();
  const int64_t row = insert.ColumnInt64(0);
  insert.Reset();  // finishes the INSERT before the next statement

  Statement options(db_, "SELECT notify_json FROM jobs WHERE id = ?1");
  options.Bind(1, id).Step();
  const auto notify = Decode<NotifyOptions>(db_, options.ColumnText(0),
                                            "notify URLs of job '" + id + "'");
  Statement deliver(db_,
                    "INSERT INTO deliveries (event_row, url, state, next_attempt_ms, "
                    "give_up_at_ms) VALUES (?1, ?2, 'pending', ?3, ?4) ON CONFLICT DO NOTHING");
  for (const std::string& url : notify.urls) {
    deliver.Bind(1, row).Bind(2, url).Bind(3, now);
    deliver.Bind(4, now + static_cast<int64_t>(notify.retry_for * 1000)).Step();
    deliver.Reset();
  }
}

void SqliteStateStore::EnqueueProgress(const JobRecord& job) {
  Statement last(db_,
                 "SELECT MAX(time_ms) FROM outbox WHERE job_id = ?1 AND type = 'job.progress'");
  last.Bind(1, job.id).Step();
  if (!last.ColumnIsNull(0) &&
      env_.WallMs() - last.ColumnInt64(0) < static_cast<int64_t>(job.notify.progress_interval * 1000)) {
    return;
  }
  Statement counts(db_,
                   "SELECT COUNT(*), COALESCE(SUM(state = 'done'), 0) FROM chunks "
                   "WHERE job_id = ?1");
  counts.Bind(1, job.id).Step();
  const int64_t total = counts.ColumnInt64(0);
  const int64_t done = counts.ColumnInt64(1);
  // Transcoding is nearly all of a job's time, so its chunks stand for the whole.
  const double percent = total > 0 ? std::floor(1000.0 * done / total) / 10 : 0;
  Enqueue(job.id, "job.progress",
          {{"percent", percent}, {"chunks_done", done}, {"chunks_total", total}});
}

json SqliteStateStore::DoneData(const JobRecord& job) {
  json timings = json::object();
  for (const auto& [step, times] : job.step_times) {
    const auto [started, finished] = times;
    if (started == 0 || finished < started) continue;  // done by another host's database
    timings[ToString(step)] = {{"started", started / 1000.0},
                               {"finished", finished / 1000.0},
                               {"seconds", (finished - started) / 1000.0}};
  }
  return {{"source", notify::RedactUrl(job.source)},
          {"output", notify::RedactUrl(job.output)},
          {"result", job.result.is_object() ? job.result.value("document", json()) : json()},
          {"timings", timings}};
}

}  // namespace vodctl
