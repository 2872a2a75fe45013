// The checks a source can only fail while it is read: headers can be honest and the packets
// behind them not. Split runs every packet it reads past one of these.
#pragma once

#include "media/av_ptr.h"
#include "vodctl/source_policy.h"

#include <map>
#include <string>

namespace vodctl {

class SourceReadingGuard {
 public:
  // `format` is the open source; `name` names it in messages.
  SourceReadingGuard(const AVFormatContext* format, std::string name, const SourcePolicy& policy);

  // Error(kDataError) when the packet is marked damaged or its timestamp lies further from
  // its stream's first than the policy's longest duration (a jump decades ahead would make
  // the constant-rate output fill the gap with copies of a frame).
  void Check(const AVPacket* packet);
  // Error(kDataError) when the source ended before the packets its index lists or well before
  // the length its header states: the upload was cut short, and what is there would publish
  // as a shorter video without a word.
  void Finish() const;

 private:
  void CheckDeclaredDuration() const;

  const AVFormatContext* format_;
  std::string name_;
  const SourcePolicy& policy_;
  std::map<int, int64_t> first_pts_;  // by stream
  std::map<int, int64_t> packets_;    // by stream
  double last_seconds_ = -1e300;      // the latest timestamp read, any stream
};

}  // namespace vodctl
