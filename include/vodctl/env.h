// The outside world that lease logic depends on: the clocks, this process's identity and
// whether another process is alive (LevelDB's Env). The state store and the lease code take
// one, so tests drive them with a fake clock and fake processes instead of sleeps.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace vodctl {

// Who holds a lease or lock, unique across hosts, containers and reboots. The host name alone
// is not (the containers of a pod share it), nor is the pid (each container has its own pid 1),
// so the owner also names the kernel's boot (/proc/sys/kernel/random/boot_id), the pid
// namespace, the process's start time in clock ticks since boot (/proc/self/stat field 22)
// and a random nonce. Its text form, recorded in the state, is
// "host:pid:BOOT8:START:PIDNS:NONCE"; "host:pid" is the form of older vodctls.
struct ProcessIdentity {
  std::string host;
  int64_t pid = 0;
  std::string boot_id;     // the first 8 hex digits of the boot ID
  uint64_t start_ticks = 0;
  uint64_t pid_namespace = 0;  // the inode of /proc/self/ns/pid
  std::string nonce;       // 8 hex digits, new in every process

  std::string ToString() const;
  // Nothing for a text of another form (an older vodctl's "host:pid", a damaged value).
  static std::optional<ProcessIdentity> Parse(const std::string& text);
  bool operator==(const ProcessIdentity&) const = default;
};

enum class Liveness {
  kAlive,    // provably running: a lease it holds is its own, however late the clock says
  kGone,     // provably not running: what it holds may be taken at once
  kUnknown,  // on another host, in another pid namespace, or of an older form: expiry rules
};

class Env {
 public:
  virtual ~Env() = default;

  // Unix time in ms: what lease expiries are written in, since they are compared across
  // hosts. Its steps (NTP, a VM resumed) are why liveness is asked before expiry.
  virtual int64_t WallMs() = 0;
  // Never steps back: for intervals measured on this host.
  virtual std::chrono::steady_clock::time_point MonotonicNow() = 0;
  virtual const ProcessIdentity& Self() = 0;
  // The start time (ticks since boot) of the process `pid` in this process's pid namespace, or
  // nothing when there is none.
  virtual std::optional<uint64_t> StartTicksOf(int64_t pid) = 0;

  // Decides from `owner`'s identity alone, never from a clock:
  // - this process itself, or a process of this boot and pid namespace with the same pid and
  //   start time, is kAlive;
  // - on this host with another boot ID, or of this boot and pid namespace with no process of
  //   that pid and start time, it is kGone;
  // - anything else (another host, another pid namespace, an old-form owner) is kUnknown.
  Liveness LivenessOf(const std::string& owner);

  // The process's real Env; lives for the whole process.
  static Env& Default();
};

}  // namespace vodctl
