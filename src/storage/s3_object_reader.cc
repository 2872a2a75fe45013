#include "storage/s3_object_reader.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <utility>

#include "vodctl/error.h"

namespace vodctl {

S3ObjectReader::S3ObjectReader(S3Client& client, HttpTransport& transport, Connect connect,
                               std::string object_key, std::string name, int64_t size,
                               std::string etag)
    : client_(client),
      transport_(transport),
      connect_(std::move(connect)),
      object_key_(std::move(object_key)),
      name_(std::move(name)),
      size_(size),
      etag_(std::move(etag)) {}

size_t S3ObjectReader::ReadAt(int64_t offset, char* buffer, size_t capacity) {
  if (offset >= size_) return 0;
  capacity = static_cast<size_t>(std::min<int64_t>(capacity, size_ - offset));
  for (size_t done = 0; done < capacity;) {
    const int64_t position = offset + static_cast<int64_t>(done);
    const Window& window = WindowAt(position);
    const size_t from = static_cast<size_t>(position - window.start);
    const size_t count = std::min(capacity - done, window.bytes.size() - from);
    std::memcpy(buffer + done, window.bytes.data() + from, count);
    done += count;
  }
  return capacity;
}

const S3ObjectReader::Window& S3ObjectReader::WindowAt(int64_t offset) {
  const int64_t start = offset / kWindowSize * kWindowSize;
  ++use_counter_;
  for (Window& window : windows_) {
    if (window.start == start) {
      window.last_use = use_counter_;
      return window;
    }
  }
  std::string bytes;
  if (ahead_start_ == start) {
    ahead_start_ = -1;
    bytes = ahead_.get();
  } else {
    bytes = Fetch(transport_, start);
  }
  if (windows_.size() < static_cast<size_t>(kWindows)) {
    windows_.emplace_back();
  } else {
    std::sort(windows_.begin(), windows_.end(), [](const Window& a, const Window& b) {
      return a.last_use > b.last_use;
    });
  }
  windows_.back() = {start, std::move(bytes), use_counter_};
  FetchAhead(start + kWindowSize);
  return windows_.back();
}

void S3ObjectReader::FetchAhead(int64_t start) {
  if (start >= size_) return;
  if (ahead_start_ >= 0) {
    if (ahead_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return;
    ahead_start_ = -1;  // fetched but never used: the reader jumped elsewhere
  }
  for (const Window& window : windows_) {
    if (window.start == start) return;
  }
  if (!ahead_connection_) ahead_connection_ = connect_();
  ahead_start_ = start;
  ahead_ = std::async(std::launch::async,
                      [this, start] { return Fetch(*ahead_connection_, start); });
}

std::string S3ObjectReader::Fetch(HttpTransport& transport, int64_t start) {
  const int64_t end = std::min(start + kWindowSize, size_);
  std::string bytes =
      client_
          .Send(transport,
                {.method = "GET",
                 .object_key = object_key_,
                 .headers = {{"Range", fmt::format("bytes={}-{}", start, end - 1)},
                             {"If-Match", etag_}}},
                nullptr, nullptr, false)
          .body;
  if (static_cast<int64_t>(bytes.size()) != end - start) {
    Fail(ExitCode::kIoError, "S3 GET {}: asked for bytes {}-{}, got {} bytes", name_, start,
         end - 1, bytes.size());
  }
  return bytes;
}

}  // namespace vodctl
