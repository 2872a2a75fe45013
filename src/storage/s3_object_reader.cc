// S3Storage::ObjectReader: reading an object in place through a window of ranged GETs.
#include <algorithm>
#include <cstring>
#include <future>
#include <utility>

#include "storage/s3_storage.h"
#include "vodctl/error.h"

namespace vodctl {

class S3Storage::ObjectReader : public RandomAccessReader {
 public:
  ObjectReader(S3Storage& storage, std::string object_key, Version version)
      : storage_(storage),
        object_key_(std::move(object_key)),
        name_(storage.ObjectUrl(object_key_)),
        version_(std::move(version)) {}

  int64_t size() const override { return version_.size; }
  const std::string& name() const override { return name_; }

  size_t ReadAt(int64_t offset, char* buffer, size_t capacity) override {
    if (offset >= version_.size) return 0;
    capacity = static_cast<size_t>(std::min<int64_t>(capacity, version_.size - offset));
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

 private:
  struct Window {
    int64_t start = 0;
    std::string bytes;
    uint64_t last_use = 0;
  };

  // The window holding `offset`: held already, fetched ahead, or fetched now in place of the
  // least recently used one. A window first used starts the fetch of the one after it, so a
  // reader going forward (a demuxer, mostly) rarely waits for a request's round trip.
  const Window& WindowAt(int64_t offset) {
    const int64_t start = offset / kReadWindowSize * kReadWindowSize;
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
      bytes = Fetch(*storage_.transport_, start);
    }
    if (windows_.size() < static_cast<size_t>(kReadWindows)) {
      windows_.emplace_back();
    } else {
      std::sort(windows_.begin(), windows_.end(), [](const Window& a, const Window& b) {
        return a.last_use > b.last_use;
      });
    }
    windows_.back() = {start, std::move(bytes), use_counter_};
    FetchAhead(start + kReadWindowSize);
    return windows_.back();
  }

  // Starts fetching the window at `start` on a connection of its own, unless it is past the
  // end, held, or another fetch ahead is still out.
  void FetchAhead(int64_t start) {
    if (start >= version_.size) return;
    if (ahead_start_ >= 0) {
      if (ahead_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return;
      ahead_start_ = -1;  // fetched but never used: the reader jumped elsewhere
    }
    for (const Window& window : windows_) {
      if (window.start == start) return;
    }
    if (!ahead_connection_) ahead_connection_ = storage_.connect_();
    ahead_start_ = start;
    ahead_ = std::async(std::launch::async,
                        [this, start] { return Fetch(*ahead_connection_, start); });
  }

  std::string Fetch(HttpTransport& transport, int64_t start) {
    const int64_t end = std::min(start + kReadWindowSize, version_.size);
    std::string bytes =
        storage_
            .SendOver(transport,
                      {.method = "GET",
                       .object_key = object_key_,
                       .headers = {{"Range", fmt::format("bytes={}-{}", start, end - 1)},
                                   {"If-Match", version_.etag}}},
                      nullptr, nullptr, false)
            .body;
    if (static_cast<int64_t>(bytes.size()) != end - start) {
      Fail(ExitCode::kIoError, "S3 GET {}: asked for bytes {}-{}, got {} bytes", name_, start,
           end - 1, bytes.size());
    }
    return bytes;
  }

  S3Storage& storage_;
  std::string object_key_;
  std::string name_;
  Version version_;
  std::vector<Window> windows_;
  uint64_t use_counter_ = 0;
  std::unique_ptr<HttpTransport> ahead_connection_;
  int64_t ahead_start_ = -1;  // the window being fetched ahead, or -1
  // Last: destroyed first, waiting for a fetch still out before what it uses goes.
  std::future<std::string> ahead_;
};

std::unique_ptr<RandomAccessReader> S3Storage::OpenForRead(const std::string& key) {
  std::string object_key = ObjectKey(key);
  std::optional<Version> version = Head(object_key);
  if (!version) Fail(ExitCode::kNoInput, "missing '{}'", Describe(key));
  return std::make_unique<ObjectReader>(*this, std::move(object_key), std::move(*version));
}

}  // namespace vodctl
