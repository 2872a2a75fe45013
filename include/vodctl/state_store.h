// The checkpoint database. The pipeline reaches SQLite only through this interface.
//
// Invariants:
// - Every method is one transaction: a crash leaves either all of it or none of it.
// - A chunk is kDone only with a result recorded (sizes, checksums, frame counts).
// - A chunk in kRunning is claimable when its holder is provably gone (Env::LivenessOf), or
//   its lease has expired and its holder is not provably alive: a holder on this host that
//   is still running keeps its chunk however the wall clock steps.
// - A worker's write about a chunk names its ChunkLease and changes nothing (returns false)
//   once the chunk is no longer running under that lease.
// - Lease expiries are wall-clock times compared across hosts: between hosts that share the
//   database, clock skew must stay well under a lease's slack (its length less the renewal
//   interval, 50 s by default), or a host whose clock runs ahead takes live leases early.
// - A state change the CMS hears of (a job created, done, failed or retrying, chunks done) is
//   put in the outbox by the transaction that makes it: a crash loses neither, or both.
#pragma once

#include "vodctl/env.h"
#include "vodctl/error.h"
#include "vodctl/job_state.h"
#include "vodctl/outbox.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace vodctl {

// What a claim of a chunk holds. The attempt number the claim set is the fencing token: every
// claim increments it, so a worker whose lease expired and was claimed again (by anyone, even
// an owner of the same name) no longer matches, and its writes change nothing.
struct ChunkLease {
  int index = 0;
  std::string owner;
  int token = 0;

  // The lease a running chunk is under, as listed.
  static ChunkLease Of(const ChunkRecord& chunk) {
    return {.index = chunk.plan.index, .owner = chunk.lease_owner, .token = chunk.attempts};
  }
};

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
  // With a `lock_owner`, a write of the job lock's holder: it changes nothing, returning false,
  // unless `lock_owner` holds the lock now (a holder paused past its lock must not undo the
  // work of the process that took the lock over). Without one the write is unconditional.
  virtual bool SetJobState(const std::string& id, JobState state, const std::string& error = "",
                           ExitCode exit_code = ExitCode::kOk,
                           const std::string& lock_owner = "") = 0;
  virtual bool SetStepState(const std::string& id, Step step, StepState state,
                            const std::string& lock_owner = "") = 0;
  virtual void SetSourceInfo(const std::string& id, const SourceInfo& info) = 0;
  virtual void SetJobResult(const std::string& id, const nlohmann::json& result) = 0;

  // Replaces the job's chunk plan with all chunks pending (split does this once).
  virtual void SetChunks(const std::string& id, const std::vector<ChunkPlan>& chunks) = 0;
  virtual std::vector<ChunkRecord> ListChunks(const std::string& id) = 0;

  // Atomically claims a chunk for `owner`: the given one, or with no index the lowest-numbered
  // claimable one (pending, or running and claimable as the invariants say). Sets kRunning, the
  // lease and attempts+1 (the lease's token). Returns nothing when no chunk is claimable (the
  // asked one is done or leased).
  virtual std::optional<ChunkRecord> ClaimChunk(const std::string& id, std::optional<int> index,
                                                const std::string& owner, int64_t lease_ms) = 0;

  // The writes of a lease's holder. Each returns false, changing nothing, when the chunk is no
  // longer running under `lease` (it expired and was claimed again, or was released).
  // Extends the lease by `lease_ms` from now.
  virtual bool RenewLease(const std::string& id, const ChunkLease& lease, int64_t lease_ms) = 0;
  // With a job.progress event when the job's last one is progress_interval old.
  virtual bool CompleteChunk(const std::string& id, const ChunkLease& lease,
                             const nlohmann::json& result) = 0;
  // kFailed when permanent; otherwise back to kPending so another attempt can claim it, with
  // a job.retrying event.
  virtual bool FailChunk(const std::string& id, const ChunkLease& lease, const std::string& error,
                         bool permanent) = 0;
  // Back to kPending without counting a failure: the worker was asked to stop, or is known to
  // be dead. `why` goes into the event.
  virtual bool ReleaseChunk(const std::string& id, const ChunkLease& lease,
                            const std::string& why) = 0;

  // The writes of the job lock's holder about a chunk, whatever its lease.
  // Marks a chunk that is not done yet done with `result` (a result another host left in tmp).
  virtual void AdoptChunkResult(const std::string& id, int index, const nlohmann::json& result) = 0;
  // Back to kPending, keeping attempts: its artefact is missing or does not verify.
  virtual void ResetChunk(const std::string& id, int index) = 0;

  // The job lock: one process drives a job (run, resume, split, concat, segment) at a time.
  // Takes it for `owner` when it is free, already `owner`'s, or held by a holder that is
  // gone or whose lease expired (judged as a chunk's lease is). Returns the holder when
  // someone else has it.
  virtual std::optional<std::string> AcquireJobLock(const std::string& id,
                                                    const std::string& owner,
                                                    int64_t lease_ms) = 0;
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
// keys on, a busy timeout so concurrent processes wait rather than fail. Time and liveness come
// from `env`, which must outlive the store. Error(kIoError) naming the path when it cannot be
// opened.
std::unique_ptr<StateStore> OpenSqliteStateStore(const std::string& path,
                                                 Env& env = Env::Default());

}  // namespace vodctl
