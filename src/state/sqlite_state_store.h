// The StateStore on an SQLite file. Several vodctl processes (and several threads of one) may
// share the file: write transactions take the write lock up front (BEGIN IMMEDIATE), so a
// chunk is never claimed twice, and waiting for the lock is bounded by a busy timeout.
#pragma once

#include "state/sqlite_handle.h"
#include "vodctl/state_store.h"

#include <mutex>
#include <type_traits>

namespace vodctl {

class SqliteStateStore : public StateStore {
 public:
  // Opens the database, sets up the connection and brings the schema up to date.
  SqliteStateStore(const std::string& path, Env& env);

  JobRecord CreateOrCheckJob(const std::string& id, const std::string& source,
                             const std::string& output, const JobOptions& options,
                             const NotifyOptions& notify) override;
  std::optional<JobRecord> FindJob(const std::string& id) override;
  JobRecord GetJob(const std::string& id) override;
  std::vector<JobRecord> ListJobs() override;

  bool SetJobState(const std::string& id, JobState state, const std::string& error,
                   ExitCode exit_code, const std::string& lock_owner) override;
  bool SetStepState(const std::string& id, Step step, StepState state,
                    const std::string& lock_owner) override;
  void SetSourceInfo(const std::string& id, const SourceInfo& info) override;
  void SetJobResult(const std::string& id, const nlohmann::json& result) override;

  void SetChunks(const std::string& id, const std::vector<ChunkPlan>& chunks) override;
  std::vector<ChunkRecord> ListChunks(const std::string& id) override;

  std::optional<ChunkRecord> ClaimChunk(const std::string& id, std::optional<int> index,
                                        const std::string& owner, int64_t lease_ms) override;
  bool RenewLease(const std::string& id, const ChunkLease& lease, int64_t lease_ms) override;
  bool CompleteChunk(const std::string& id, const ChunkLease& lease,
                     const nlohmann::json& result) override;
  bool FailChunk(const std::string& id, const ChunkLease& lease, const std::string& error,
                 bool permanent) override;
  bool ReleaseChunk(const std::string& id, const ChunkLease& lease,
                    const std::string& why) override;
  void AdoptChunkResult(const std::string& id, int index, const nlohmann::json& result) override;
  void ResetChunk(const std::string& id, int index) override;
  std::optional<std::string> AcquireJobLock(const std::string& id, const std::string& owner,
                                            int64_t lease_ms) override;
  bool RenewJobLock(const std::string& id, const std::string& owner, int64_t lease_ms) override;
  void ReleaseJobLock(const std::string& id, const std::string& owner) override;
  bool DeleteJob(const std::string& id, const std::string& owner) override;

  void AddEvent(const std::string& id, const std::string& kind, std::optional<int> chunk,
                const std::string& message) override;
  std::vector<EventRecord> ListEvents(const std::string& id) override;

  std::vector<OutboxEvent> ListOutbox(const std::string& job_id, int64_t after_sequence,
                                      int64_t after_row) override;
  std::vector<PendingDelivery> DueDeliveries(int64_t until_ms, int limit) override;
  bool ClaimDelivery(int64_t event_row, const std::string& url, int64_t lease_ms) override;
  void RecordDelivery(int64_t event_row, const std::string& url,
                      const DeliveryAttempt& attempt) override;
  DeliverySummary SummariseDeliveries(const std::string& job_id) override;

 private:
  // Runs `body` as one transaction, serialised with the other threads using this connection
  // (SQLite has one transaction per connection).
  template <typename Body>
  auto Transact(sqlite::Transaction::Mode mode, Body&& body) {
    std::lock_guard lock(mutex_);
    sqlite::Transaction transaction(db_, mode);
    if constexpr (std::is_void_v<decltype(body())>) {
      body();
      transaction.Commit();
    } else {
      auto result = body();
      transaction.Commit();
      return result;
    }
  }

  void Migrate();
  // Whether what `owner` holds under a lease expiring at `expiry_ms` may be taken now: its
  // holder is provably gone, or the lease has expired and the holder is not provably alive.
  bool Claimable(const std::string& owner, int64_t expiry_ms);
  std::optional<JobRecord> LoadJob(const std::string& id);
  JobRecord ReadJob(const sqlite::Statement& row);
  ChunkRecord ReadChunk(const sqlite::Statement& row, const std::string& id);
  [[noreturn]] void FailNoJob(const std::string& id) const;
  [[noreturn]] void FailNoChunk(const std::string& id, int index) const;
  // Error(kUsage) when the job does not exist.
  void RequireJob(const std::string& id);
  // Whether `lock_owner` (empty: anyone) may write the job now; Error(kUsage) when the job
  // does not exist.
  bool MayWriteJob(const std::string& id, const std::string& lock_owner);
  // Marks the job as just updated; Error(kUsage) when it does not exist.
  void TouchJob(const std::string& id);
  // Runs an UPDATE of one chunk that ends in `RETURNING attempts`; Error(kUsage) when the
  // chunk does not exist.
  int UpdateChunk(sqlite::Statement& update, const std::string& id, int index);
  void InsertEvent(const std::string& id, const std::string& kind, std::optional<int> chunk,
                   const std::string& message);
  // Puts an event for the CMS in the outbox, with a delivery to each of the job's notify
  // URLs, inside the caller's transaction.
  void Enqueue(const std::string& id, const std::string& type, const nlohmann::json& data);
  // job.progress, unless the job's last one is younger than its progress interval.
  void EnqueueProgress(const JobRecord& job);
  // job.done's data: the result document, where it went, and each step's timings.
  nlohmann::json DoneData(const JobRecord& job);

  Env& env_;
  sqlite::Database db_;
  std::mutex mutex_;
};

}  // namespace vodctl
