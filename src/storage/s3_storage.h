// Storage in an S3 bucket, on AWS or an S3-compatible server, for s3://bucket/prefix URLs.
//
// Every publish is a single PUT or a completed multipart upload, both of which S3 makes
// visible at once, so readers never see part of an object. Requests go through S3Client,
// which retries transient failures. Credentials never appear in messages.
//
// The storage's members live by concern: s3_storage.cc (objects, local copies),
// s3_multipart.cc (multipart uploads and their leftovers); listings and bulk deletes are
// S3Listing's, reading in place S3ObjectReader's.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/curl_handle.h"
#include "storage/s3_bodies.h"
#include "storage/s3_client.h"
#include "storage/s3_config.h"
#include "storage/s3_listing.h"
#include "storage/s3_object_reader.h"
#include "storage/s3_request.h"
#include "util/backoff.h"
#include "vodctl/error.h"
#include "vodctl/publish_policy.h"
#include "vodctl/storage.h"

namespace vodctl {


// Not thread-safe: each thread opens its own (as each pipeline worker opens its storages).
// A multipart upload sends its parts over several connections of its own.
class S3Storage : public Storage {
 public:
  struct Options {
    // Opens a connection; a CurlTransport when null. Called once for the storage's requests
    // and once per extra connection of each multipart upload.
    std::function<std::unique_ptr<HttpTransport>()> connect;
    // Where downloads and scratch files go. When empty, a fresh folder under the system temp
    // folder, created on first use and removed with the storage.
    std::filesystem::path local_folder;
    RetryPolicy retry;
    std::function<void(std::chrono::milliseconds)> sleep;  // std::this_thread::sleep_for
    // An output's: each object stored with the Cache-Control of its kind, playlists
    // compressed where it says so. Unset (tmp, sources): Content-Type only.
    std::optional<PublishPolicy> publish;
  };

  S3Storage(S3Config config, Options options);
  ~S3Storage() override;
  S3Storage(const S3Storage&) = delete;
  S3Storage& operator=(const S3Storage&) = delete;

  std::string url() const override;
  std::string Describe(const std::string& key) const override;

  std::optional<ObjectInfo> Stat(const std::string& key) override;
  // Downloads into the local folder; later calls reuse the copy while the object's size and
  // ETag stay the same.
  std::string LocalPathForRead(const std::string& key) override;
  // An object stored with Content-Encoding: gzip comes back decompressed.
  std::string Read(const std::string& key) override;
  // Ranged GETs of kReadWindowSize bytes, at most kReadWindows of them held at once plus one
  // fetched ahead of a reader going forward; each carries the ETag of the first look
  // (If-Match), so an object replaced while it is read fails the read instead of mixing two
  // contents.
  std::unique_ptr<RandomAccessReader> OpenForRead(const std::string& key) override;

  // Compressed first when the publish policy compresses `key`.
  void Write(const std::string& key, std::string_view bytes) override;
  // A single PUT below the part size, a multipart upload of parts sent side by side from
  // there on; memory use stays bounded by libcurl's buffers either way. A file the publish
  // policy compresses (a playlist, small) goes through Write.
  void PutFile(const std::string& key, const std::string& local_file) override;
  std::string ScratchPath(const std::string& hint) override;

  std::vector<ObjectInfo> List(const std::string& prefix) override;
  void Remove(const std::string& key) override;
  void RemovePrefix(const std::string& prefix) override;
  // Aborts the multipart uploads this storage started and never completed: a writer killed
  // during one leaves its parts stored, and billed, until then. Only uploads to the exact keys
  // of its own markers (kUploadMarkers) go, never others under the same string prefix.
  void RemoveLeftovers() override;

  static constexpr int64_t kReadWindowSize = S3ObjectReader::kWindowSize;
  static constexpr int kReadWindows = S3ObjectReader::kWindows;
  static constexpr int64_t kDefaultPartSize = kS3DefaultPartSize;
  static constexpr int64_t kMinPartSize = kS3MinPartSize;
  static constexpr int64_t kMaxPartSize = kS3MaxPartSize;

 private:
  // What tells one content of an object from another.
  struct Version {
    int64_t size = 0;
    std::string etag;
    bool operator==(const Version&) const = default;
  };
  struct Download {
    std::string path;
    Version version;
  };

  // Validates `key` and puts it under the URL's prefix.
  std::string ObjectKey(const std::string& key) const;
  // Sends `call` until it succeeds or fails for good; returns the 2xx response, or the 404
  // one when `missing_ok`.
  HttpResponse Send(const S3Call& call, BodySource* body = nullptr, BodySink* sink = nullptr,
                    bool missing_ok = false, int* attempts = nullptr);
  // The same over `transport`, which must be used by this thread alone (S3Client::Send).
  HttpResponse SendOver(HttpTransport& transport, const S3Call& call, BodySource* body,
                        BodySink* sink, bool missing_ok, int* attempts = nullptr);
  // Uploads the parts numbered from 1 over upload_connections connections; returns their
  // ETags in order.
  std::vector<std::string> UploadParts(const std::string& object_key,
                                       const std::string& upload_id,
                                       const std::string& local_file, int64_t size);
  std::optional<Version> Head(const std::string& object_key);
  // The call that stores `body` (an object or a part of one) at `object_key`, signed or not as
  // config_.sign_payloads says; `with_md5` adds Content-MD5 to a signed one.
  S3Call StoreCall(const std::string& object_key, BodySource& body, WithMd5 with_md5) const;
  // The headers an object at `object_key` is stored with: its Content-Type, and the
  // Cache-Control and Content-Encoding the publish policy gives it.
  std::vector<sigv4::Header> ObjectHeaders(const std::string& object_key) const;
  // A PUT of `body` by `call`, with ObjectHeaders.
  void PutObject(S3Call call, BodySource& body);
  void PutMultipart(const std::string& object_key, const std::string& local_file,
                    int64_t size);
  void AbortMultipart(const std::string& object_key, const std::string& upload_id);
  // The marker of the multipart uploads to `object_key` (kUploadMarkers).
  std::string UploadMarkerKey(const std::string& object_key) const;
  // Creates a multipart upload to `object_key`; returns its ID. A create retried after an
  // answer lost may have made other uploads: those to the key that started since the first
  // attempt went out are aborted (found by the server's own clock, not ours).
  std::string CreateMultipartUpload(const std::string& object_key);
  // Completes the upload of the parts with `etags` (of a file of `size` bytes). A retried
  // completion whose first answer was lost finds the upload gone (NoSuchUpload): it is taken
  // as done when the object's ETag is that of these parts and its size the file's.
  void CompleteMultipartUpload(const std::string& object_key, const std::string& upload_id,
                               const std::vector<std::string>& etags, int64_t size);
  // Deletes `object_key` (a full key), gone already or not.
  void RemoveObject(const std::string& object_key);
  // A new file name in the local folder's `subfolder`, ending like `hint`.
  std::string LocalPath(const std::string& subfolder, std::string_view hint);
  std::string ObjectUrl(const std::string& object_key) const;

  S3Config config_;
  std::optional<PublishPolicy> publish_;
  std::function<std::unique_ptr<HttpTransport>()> connect_;
  std::unique_ptr<HttpTransport> transport_;
  std::filesystem::path local_folder_;
  bool owns_local_folder_;
  S3Client client_;  // after config_, which it refers to
  S3Listing listing_;  // after client_ and transport_
  std::map<std::string, Download> downloads_;  // by key
  uint64_t name_counter_ = 0;
};

// An S3Storage configured from the environment (S3ConfigFor), with its own connections;
// `publish` for an output (Options::publish).
std::unique_ptr<Storage> OpenS3Storage(const std::string& url,
                                       std::optional<PublishPolicy> publish = std::nullopt);

}  // namespace vodctl
