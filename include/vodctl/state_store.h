// The checkpoint database. The pipeline reaches SQLite only through this interface.
//
// Invariants:
// - Every method is one transaction: a crash leaves either all of it or none of it.
// - A chunk is kDone only with a result recorded (sizes, checksums, frame counts).
// - A chunk in kRunning whose lease has expired is treated as claimable: its worker died.
// - A state change the CMS hears of (a job created, done, failed or retrying, chunks done) is
//   put in the outbox by the transaction that makes it: a crash loses neither, or both.
#pragma once

#include "vodctl/error.h"
#include "vodctl/job_state.h"
#include "vodctl/outbox.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace vodctl {

class StateStore {
 public:
  virtual ~StateStore() = default;

  // Creates the job (with a job.created event), or checks that an existing job with this ID
  // has the same source, output and options (a no-op then). A different one is
  // Error(kUsage) naming the field. `notify` with URLs replaces the stored one either way.
  virtual JobRecord CreateOrCheckJob(const std::string& id, const std::string& source,
                                     const std::string& output, const JobOptions& options,
                                     const NotifyOptions& notify = {}) = 0;
  virtual std::optional<JobRecord> FindJob(const std::string& id) = 0;
  // Error(kUsage) "no job 'ID' in STATE" when absent.
  virtual JobRecord GetJob(const std::string& id) = 0;
  virtual std::vector<JobRecord> ListJobs() = 0;  // oldest first

  // Into kDone: a job.done event with the result document; into kFailed: job.failed with
  // `error` and `exit_code`; from kFailed into kRunning: job.retrying.
  virtual void SetJobState(const std::string& id, JobState state, const std::string& error = "",
                           ExitCode exit_code = ExitCode::kOk) = 0;
  virtual void SetSourceInfo(const std::string& id, const SourceInfo& info) = 0;
  virtual void SetJobResult(const std::string& id, const nlohmann::json& result) = 0;
  virtual void SetStepState(const std::string& id, Step step, StepState state) = 0;

  // Replaces the job's chunk plan with all chunks pending (split does this once).
  virtual void SetChunks(const std::string& id, const std::vector<ChunkPlan>& chunks) = 0;
  virtual std::vector<ChunkRecord> ListChunks(const std::string& id) = 0;

  // Atomically claims a chunk for `owner`: the given one, or with no index the lowest-numbered
  // chunk that is pending (or running with an expired lease). Sets kRunning, the lease and
  // attempts+1. Returns nothing when no chunk is claimable (the asked one is done or leased).
  virtual std::optional<ChunkRecord> ClaimChunk(const std::string& id, std::optional<int> index,
                                                const std::string& owner, int64_t lease_ms) = 0;
  // Extends a lease the owner holds. Returns false when the owner lost it.
  virtual bool RenewLease(const std::string& id, int index, const std::string& owner,
                          int64_t lease_ms) = 0;
  // With a job.progress event when the job's last one is progress_interval old.
  virtual void CompleteChunk(const std::string& id, int index, const nlohmann::json& result) = 0;
  // kFailed when permanent; otherwise back to kPending so another attempt can claim it, with
  // a job.retrying event.
  virtual void FailChunk(const std::string& id, int index, const std::string& error,
                         bool permanent) = 0;
  // Back to kPending, keeping attempts: its artefact is missing or does not verify.
  virtual void ResetChunk(const std::string& id, int index) = 0;
  // Back to kPending if `owner` still holds it, without counting a failure: the worker was
  // asked to stop, or is known to be dead. `why` goes into the event.
  virtual void ReleaseChunk(const std::string& id, int index, const std::string& owner,
                            const std::string& why) = 0;

  // The job lock: one process drives a job (run, resume, split, concat, segment) at a time.
  // Takes it for `owner` when it is free, expired, already `owner`'s, or held by
  // `dead_owner` (a holder known to be gone; empty for none). Returns the holder when
  // someone else has it.
  virtual std::optional<std::string> AcquireJobLock(const std::string& id,
                                                    const std::string& owner, int64_t lease_ms,
                                                    const std::string& dead_owner) = 0;
  // Extends the lock. Returns false when the owner lost it.
  virtual bool RenewJobLock(const std::string& id, const std::string& owner, int64_t lease_ms) = 0;
  virtual void ReleaseJobLock(const std::string& id, const std::string& owner) = 0;
  // Deletes the job with its steps, chunks and events, if `owner` holds its lock. Returns
  // whether it did.
  virtual bool DeleteJob(const std::string& id, const std::string& owner) = 0;

  virtual void AddEvent(const std::string& id, const std::string& kind, std::optional<int> chunk,
                        const std::string& message) = 0;
  virtual std::vector<EventRecord> ListEvents(const std::string& id) = 0;

  // The outbox: events of one job (or all, empty `job_id`) with a sequence above
  // `after_sequence` and a row above `after_row`, oldest first.
  virtual std::vector<OutboxEvent> ListOutbox(const std::string& job_id, int64_t after_sequence,
                                              int64_t after_row) = 0;
  // Deliveries that may be attempted by `until_ms`: per job and URL only the earliest
  // pending one, so a receiver hears a job's events in order. Oldest first, at most `limit`.
  virtual std::vector<PendingDelivery> DueDeliveries(int64_t until_ms, int limit) = 0;
  // Claims a pending delivery for `lease_ms` unless another process holds it: several
  // processes on one state (workers, `events --follow`) do not all send each event. A claim
  // ends with RecordDelivery, or by expiring when its process died. Returns whether it did.
  virtual bool ClaimDelivery(int64_t event_row, const std::string& url, int64_t lease_ms) = 0;
  virtual void RecordDelivery(int64_t event_row, const std::string& url,
                              const DeliveryAttempt& attempt) = 0;
  virtual DeliverySummary SummariseDeliveries(const std::string& job_id) = 0;
};

// Opens (creating and migrating as needed) the SQLite database at `path`: WAL mode, foreign
// keys on, a busy timeout so concurrent processes wait rather than fail.
// Error(kIoError) naming the path when it cannot be opened.
std::unique_ptr<StateStore> OpenSqliteStateStore(const std::string& path);

}  // namespace vodctl
