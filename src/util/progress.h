// Progress on stderr: a redrawn bar on a terminal, a plain line every few seconds otherwise
// (logs, cron mail), nothing with --quiet.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace vodctl {

class Progress {
 public:
  Progress(std::string label, int64_t total);
  ~Progress();
  void Advance(int64_t amount = 1);
  void Finish();

 private:
  void Draw(bool final);
  std::string label_;
  int64_t total_;
  int64_t done_ = 0;
  bool terminal_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace vodctl
