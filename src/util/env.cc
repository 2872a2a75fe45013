#include "vodctl/env.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <vector>

namespace vodctl {
namespace {

std::string HostName() {
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  return host;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Field 22 of /proc/PID/stat (starttime), or nothing when the process does not exist. The
// command name (field 2) may hold spaces and parentheses, so fields count from its last ')'.
std::optional<uint64_t> ReadStartTicks(const std::string& stat_path) {
  const std::string stat = ReadFile(stat_path);
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return std::nullopt;
  std::istringstream fields(stat.substr(paren + 1));
  std::string field;
  for (int number = 3; fields >> field; ++number) {
    if (number == 22) return std::stoull(field);
  }
  return std::nullopt;
}

std::string BootId8() {
  std::string boot = ReadFile("/proc/sys/kernel/random/boot_id");
  std::erase(boot, '-');
  return boot.substr(0, 8);
}

uint64_t PidNamespace() {
  struct stat info {};
  return ::stat("/proc/self/ns/pid", &info) == 0 ? static_cast<uint64_t>(info.st_ino) : 0;
}

class PosixEnv : public Env {
 public:
  PosixEnv() {
    self_.host = HostName();
    self_.pid = getpid();
    self_.boot_id = BootId8();
    self_.start_ticks = ReadStartTicks("/proc/self/stat").value_or(0);
    self_.pid_namespace = PidNamespace();
    self_.nonce = fmt::format("{:08x}", std::random_device{}());
  }

  int64_t WallMs() override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  std::chrono::steady_clock::time_point MonotonicNow() override {
    return std::chrono::steady_clock::now();
  }
  const ProcessIdentity& Self() override { return self_; }
  std::optional<uint64_t> StartTicksOf(int64_t pid) override {
    try {
      return ReadStartTicks(fmt::format("/proc/{}/stat", pid));
    } catch (const std::exception&) {
      return std::nullopt;  // a field that is not a number: not a process we can know
    }
  }

 private:
  ProcessIdentity self_;
};

}  // namespace

std::string ProcessIdentity::ToString() const {
  return fmt::format("{}:{}:{}:{}:{}:{}", host, pid, boot_id, start_ticks, pid_namespace, nonce);
}

std::optional<ProcessIdentity> ProcessIdentity::Parse(const std::string& text) {
  std::vector<std::string> parts;
  std::istringstream in(text);
  for (std::string part; std::getline(in, part, ':');) parts.push_back(part);
  if (parts.size() != 6 || parts[0].empty() || parts[2].empty() || parts[5].empty()) {
    return std::nullopt;
  }
  try {
    size_t used = 0;
    ProcessIdentity identity;
    identity.host = parts[0];
    identity.pid = std::stoll(parts[1], &used);
    if (used != parts[1].size()) return std::nullopt;
    identity.boot_id = parts[2];
    identity.start_ticks = std::stoull(parts[3], &used);
    if (used != parts[3].size()) return std::nullopt;
    identity.pid_namespace = std::stoull(parts[4], &used);
    if (used != parts[4].size()) return std::nullopt;
    identity.nonce = parts[5];
    return identity;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

Liveness Env::LivenessOf(const std::string& owner) {
  const ProcessIdentity& self = Self();
  if (owner == self.ToString()) return Liveness::kAlive;
  const std::optional<ProcessIdentity> other = ProcessIdentity::Parse(owner);
  if (!other || other->host != self.host) return Liveness::kUnknown;
  if (other->boot_id != self.boot_id) return Liveness::kGone;  // this host rebooted since
  if (other->pid_namespace != self.pid_namespace) return Liveness::kUnknown;  // another container
  // Same kernel, same pid namespace: the pid and start time name one process exactly. A pid
  // reused by a later process has another start time.
  return StartTicksOf(other->pid) == other->start_ticks ? Liveness::kAlive : Liveness::kGone;
}

Env& Env::Default() {
  static PosixEnv* env = new PosixEnv();  // never destroyed: worker threads may outlive main
  return *env;
}

}  // namespace vodctl
