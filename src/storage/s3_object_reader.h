// Reading an S3 object in place, through a window of ranged GETs fetched ahead of the reader.
#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "storage/curl_handle.h"
#include "storage/s3_client.h"
#include "vodctl/storage.h"

namespace vodctl {

// Ranged GETs of kWindowSize bytes, at most kWindows of them held at once plus one fetched
// ahead of a reader going forward; each carries the ETag of the first look (If-Match), so an
// object replaced while it is read fails the read instead of mixing two contents.
class S3ObjectReader : public RandomAccessReader {
 public:
  using Connect = std::function<std::unique_ptr<HttpTransport>()>;

  static constexpr int64_t kWindowSize = int64_t{4} << 20;
  static constexpr int kWindows = 4;

  // Reads `object_key` (named `name` in messages), of `size` bytes and ETag `etag`, over
  // `transport` and, for the fetches ahead, over one connection of its own from `connect`.
  // `client` and `transport` must outlive the reader.
  S3ObjectReader(S3Client& client, HttpTransport& transport, Connect connect,
                 std::string object_key, std::string name, int64_t size, std::string etag);

  int64_t size() const override { return size_; }
  const std::string& name() const override { return name_; }
  size_t ReadAt(int64_t offset, char* buffer, size_t capacity) override;

 private:
  struct Window {
    int64_t start = 0;
    std::string bytes;
    uint64_t last_use = 0;
  };

  // The window holding `offset`: held already, fetched ahead, or fetched now in place of the
  // least recently used one. A window first used starts the fetch of the one after it, so a
  // reader going forward (a demuxer, mostly) rarely waits for a request's round trip.
  const Window& WindowAt(int64_t offset);
  // Starts fetching the window at `start` on a connection of its own, unless it is past the
  // end, held, or another fetch ahead is still out.
  void FetchAhead(int64_t start);
  std::string Fetch(HttpTransport& transport, int64_t start);

  S3Client& client_;
  HttpTransport& transport_;
  Connect connect_;
  std::string object_key_;
  std::string name_;
  int64_t size_;
  std::string etag_;
  std::vector<Window> windows_;
  uint64_t use_counter_ = 0;
  std::unique_ptr<HttpTransport> ahead_connection_;
  int64_t ahead_start_ = -1;  // the window being fetched ahead, or -1
  // Last: destroyed first, waiting for a fetch still out before what it uses goes.
  std::future<std::string> ahead_;
};

}  // namespace vodctl
