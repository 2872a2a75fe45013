#include "util/progress.h"

#include "vodctl/log.h"

#include <unistd.h>

#include <cstdio>

namespace vodctl {
namespace {
constexpr auto kTerminalInterval = std::chrono::milliseconds(100);
constexpr auto kLogInterval = std::chrono::seconds(5);
constexpr int kBarWidth = 30;
}  // namespace

Progress::Progress(std::string label, int64_t total)
    : label_(std::move(label)),
      total_(total),
      // A bar would break --log-format json's one object per line.
      terminal_(isatty(STDERR_FILENO) == 1 && log::GetFormat() == log::Format::kText),
      last_draw_(std::chrono::steady_clock::now()) {}

Progress::~Progress() {
  if (terminal_ && !finished_ && done_ > 0 && log::GetLevel() != log::Level::kQuiet) {
    std::fputc('\n', stderr);  // leave the bar's line intact when an error follows
  }
}

void Progress::Advance(int64_t amount) {
  done_ += amount;
  auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ >= (terminal_ ? kTerminalInterval : kLogInterval)) {
    last_draw_ = now;
    Draw(false);
  }
}

void Progress::Finish() {
  if (finished_) return;
  finished_ = true;
  Draw(true);
}

void Progress::Draw(bool final) {
  if (log::GetLevel() == log::Level::kQuiet) return;
  int percent = total_ > 0 ? static_cast<int>(100 * std::min(done_, total_) / total_) : 100;
  if (terminal_) {
    int filled = percent * kBarWidth / 100;
    std::fprintf(stderr, "\r%-24s [%s%s] %3d%% %lld/%lld%s", label_.c_str(),
                 std::string(filled, '#').c_str(), std::string(kBarWidth - filled, '.').c_str(),
                 percent, static_cast<long long>(done_), static_cast<long long>(total_),
                 final ? "\n" : "");
    std::fflush(stderr);
  } else {
    log::Info("{}: {}% ({}/{})", label_, percent, done_, total_);
  }
}

}  // namespace vodctl
