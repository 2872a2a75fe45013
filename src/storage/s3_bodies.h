// What S3 requests carry and what answers go into: bodies from parts of local files (from
// memory: curl_handle.h's StringBody), answers into local files, and the checksums a signed
// body goes with.
#pragma once

#include <fcntl.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "storage/curl_handle.h"
#include "storage/s3_request.h"
#include "util/file_descriptor.h"
#include "vodctl/error.h"

namespace vodctl {

// Whether a signed body also carries Content-MD5, beside its SHA-256.
enum class WithMd5 { kNo, kYes };

// `length` bytes of a local file from `offset`, read as they are sent.
class FileBody : public BodySource {
 public:
  FileBody(const std::string& path, int64_t offset, int64_t length)
      : file_(path, O_RDONLY), offset_(offset), length_(length) {}
  int64_t size() const override { return length_; }
  void Rewind() override { position_ = 0; }
  size_t Read(char* buffer, size_t capacity) override {
    const size_t wanted = static_cast<size_t>(std::min<int64_t>(capacity, length_ - position_));
    if (wanted == 0) return 0;
    const size_t got = file_.ReadAt(offset_ + position_, buffer, wanted);
    // A file that shrank under us would otherwise end the body short of Content-Length.
    if (got == 0) Fail(ExitCode::kIoError, "'{}' shrank while being uploaded", file_.path());
    position_ += static_cast<int64_t>(got);
    return got;
  }

 private:
  FileDescriptor file_;
  int64_t offset_;
  int64_t length_;
  int64_t position_ = 0;
};

class FileSink : public BodySink {
 public:
  explicit FileSink(const std::string& path) : file_(path, O_WRONLY | O_CREAT | O_TRUNC) {}
  void Reset() override {
    file_.Truncate();
    size_ = 0;
  }
  void Append(std::string_view bytes) override {
    file_.WriteAll(bytes);
    size_ += static_cast<int64_t>(bytes.size());
  }
  void Close() { file_.Close(); }
  int64_t size() const { return size_; }

 private:
  FileDescriptor file_;
  int64_t size_ = 0;
};

// The checksums S3 verifies a signed body with: the SHA-256 always, Content-MD5 where asked.
struct Digests {
  std::string sha256_hex;
  std::string md5_base64;  // empty unless asked for
};

// Content-MD5 goes with bodies held in memory, where it costs nothing, and with the requests S3
// demands it for (multi-object delete). Files (whole or in parts) carry the SHA-256 alone,
// which the signature covers and the server checks: one pass over the file before sending
// instead of two, MD5 being the slower of the two here. With S3Config::sign_payloads off, the
// objects vodctl stores carry neither (S3Storage::StoreCall).
Digests DigestsOf(BodySource& body, WithMd5 with_md5);

// A call that carries `body`, with the checksums S3 checks it against.
S3Call PayloadCall(std::string method, std::string object_key, BodySource& body,
                   WithMd5 with_md5);

}  // namespace vodctl
