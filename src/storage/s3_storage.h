// Storage in an S3 bucket, on AWS or an S3-compatible server, for s3://bucket/prefix URLs.
//
// Every publish is a single PUT or a completed multipart upload, both of which S3 makes
// visible at once, so readers never see part of an object. Transient failures (5xx, 429,
// timeouts, resets) are retried with exponential backoff and jitter; a service still failing
// afterwards is Error(kUnavailable), any other refusal Error(kIoError) at once. Credentials
// never appear in messages.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "storage/curl_handle.h"
#include "storage/sigv4.h"
#include "util/backoff.h"
#include "vodctl/storage.h"

namespace vodctl {

// What an s3:// URL names. Keys in it are taken literally (no percent-decoding).
struct S3Location {
  std::string bucket;
  std::string prefix;  // "" or ending in '/': what the storage's keys are put under
};

// Error(kUsage) for anything but s3://bucket[/prefix].
S3Location ParseS3Url(const std::string& url);

enum class S3Addressing { kPath, kVirtualHosted };

struct S3Config {
  std::string url;  // as given, for messages
  S3Location location;
  sigv4::Credentials credentials;
  std::string region;
  std::string endpoint_scheme;  // "http" or "https"
  std::string endpoint_host;    // "s3.us-east-1.amazonaws.com", "127.0.0.1:9000"
  S3Addressing addressing = S3Addressing::kVirtualHosted;
  std::string ca_bundle;  // PEM file of the TLS authorities to trust; empty: the system's
  int64_t part_size = 0;  // of multipart uploads; 0: kDefaultPartSize
  int upload_connections = 4;  // parts of one multipart upload sent at once
  // Whether what vodctl stores (files, parts of them, bodies in memory) goes up with its SHA-256
  // signed, which costs a pass over it before sending and another in the server, or as
  // UNSIGNED-PAYLOAD, its integrity left to the transport. The small requests that steer
  // uploads and deletes are always signed.
  bool sign_payloads = true;

  std::string endpoint() const { return endpoint_scheme + "://" + endpoint_host; }
};

// Returns the value of an environment variable, or null when it is not set.
using EnvLookup = std::function<const char*(const char*)>;

// The configuration for `url` by AWS conventions: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN, AWS_REGION or AWS_DEFAULT_REGION (us-east-1), AWS_ENDPOINT_URL_S3 or
// AWS_ENDPOINT_URL (https://s3.<region>.amazonaws.com), the CA bundle (see CaBundleFor). Addressing is
// path-style for IP address and localhost endpoints and for buckets that cannot be host
// names, virtual-hosted otherwise; VODCTL_S3_ADDRESSING=path|virtual forces one. Empty
// variables count as unset. VODCTL_S3_PART_SIZE (MiB, 5 to 5120) and
// VODCTL_S3_UPLOAD_CONNECTIONS (1 to 64) tune multipart uploads. VODCTL_S3_PAYLOAD_SIGNING is
// auto (the default: uploads unsigned over https, where TLS already authenticates every byte,
// signed over plain http, as the AWS SDKs do), always or never.
S3Config S3ConfigFor(const std::string& url, const EnvLookup& env);

// Whether a regular file exists at a path (replaced in tests).
using FileExists = std::function<bool(const std::string&)>;

// Where the CA bundle of the usual Linux distributions lives, in the order they are tried.
inline constexpr const char* kDefaultCaBundles[] = {
    "/etc/ssl/certs/ca-certificates.crt",  // Debian, Ubuntu, Arch, Alpine
    "/etc/pki/tls/certs/ca-bundle.crt",    // Fedora, RHEL, CentOS
    "/etc/ssl/cert.pem",                   // Alpine, macOS, some others
};

// The PEM file of the TLS authorities to trust: AWS_CA_BUNDLE (which --ca-bundle sets), else
// SSL_CERT_FILE, else the first of kDefaultCaBundles that exists, else "" (libcurl's own
// default). A static vodctl carries no CA paths of its own build host, so the choice is here.
std::string CaBundleFor(const EnvLookup& env, const FileExists& exists);

// Values given on the command line (--s3-endpoint and friends), by the name of the
// environment variable each stands for; OpenS3Storage takes them over the environment. Set
// before any storage is opened.
void SetS3SettingOverrides(std::map<std::string, std::string> overrides);

enum class S3Verdict { kSuccess, kRetry, kFail };

// Whether a response is a success, a transient failure or a final one. `error_code` is the
// Code of the S3 error document in the body, if any.
S3Verdict ClassifyS3Response(const HttpResponse& response, std::string_view error_code);

// One S3 API call, before signing.
struct S3Call {
  std::string method;
  std::string object_key;  // full key in the bucket; empty for calls on the bucket itself
  std::vector<sigv4::QueryParam> query = {};
  std::vector<sigv4::Header> headers = {};  // beyond Host and the x-amz-* ones signing adds
  std::string payload_hash = {};  // hex SHA-256 of the body; empty when there is none
  // CompleteMultipartUpload may answer 200 and still fail, with an error document.
  bool may_fail_with_200 = false;
};

// Whether a signed body also carries Content-MD5, beside its SHA-256.
enum class WithMd5 { kNo, kYes };

// The HTTP request for `call`, signed as of `amz_date` (sigv4::AmzDate()).
HttpRequest SignedS3Request(const S3Config& config, const S3Call& call,
                            std::string_view amz_date);

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
  std::string Read(const std::string& key) override;
  // Ranged GETs of kReadWindowSize bytes, at most kReadWindows of them held at once plus one
  // fetched ahead of a reader going forward; each carries the ETag of the first look
  // (If-Match), so an object replaced while it is read fails the read instead of mixing two
  // contents.
  std::unique_ptr<RandomAccessReader> OpenForRead(const std::string& key) override;

  void Write(const std::string& key, std::string_view bytes) override;
  // A single PUT below the part size, a multipart upload of parts sent side by side from
  // there on; memory use stays bounded by libcurl's buffers either way.
  void PutFile(const std::string& key, const std::string& local_file) override;
  std::string ScratchPath(const std::string& hint) override;

  std::vector<ObjectInfo> List(const std::string& prefix) override;
  void Remove(const std::string& key) override;
  void RemovePrefix(const std::string& prefix) override;
  // Aborts the multipart uploads under the prefix that were never completed: a writer killed
  // during one leaves its parts stored, and billed, until then.
  void RemoveLeftovers() override;

  static constexpr int64_t kReadWindowSize = int64_t{4} << 20;
  static constexpr int kReadWindows = 4;
  // Media files are big: against the Swift test server a 500 MB upload in 16 MiB parts
  // took 1.3 times as long as in 64 MiB parts, each part a request and a segment for the
  // server to assemble. A failed part costs at most 64 MiB again; memory use does not grow,
  // as parts stream from the file.
  static constexpr int64_t kDefaultPartSize = int64_t{64} << 20;
  static constexpr int64_t kMinPartSize = int64_t{5} << 20;  // S3's own limits
  static constexpr int64_t kMaxPartSize = int64_t{5} << 30;

 private:
  class ObjectReader;

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
                    bool missing_ok = false);
  // The same over `transport`, which must be used by this thread alone.
  HttpResponse SendOver(HttpTransport& transport, const S3Call& call, BodySource* body,
                        BodySink* sink, bool missing_ok);
  // Uploads the parts numbered from 1 over upload_connections connections; returns their
  // ETags in order.
  std::vector<std::string> UploadParts(const std::string& object_key,
                                       const std::string& upload_id,
                                       const std::string& local_file, int64_t size);
  std::optional<Version> Head(const std::string& object_key);
  // The call that stores `body` (an object or a part of one) at `object_key`, signed or not as
  // config_.sign_payloads says; `with_md5` adds Content-MD5 to a signed one.
  S3Call StoreCall(const std::string& object_key, BodySource& body, WithMd5 with_md5) const;
  // A PUT of `body` by `call`, with the Content-Type its key calls for.
  void PutObject(S3Call call, BodySource& body);
  void PutMultipart(const std::string& object_key, const std::string& local_file,
                    int64_t size);
  void AbortMultipart(const std::string& object_key, const std::string& upload_id);
  void DeleteObjects(const std::vector<ObjectInfo>& objects);
  // A new file name in the local folder's `subfolder`, ending like `hint`.
  std::string LocalPath(const std::string& subfolder, std::string_view hint);
  std::string ObjectUrl(const std::string& object_key) const;

  S3Config config_;
  std::function<std::unique_ptr<HttpTransport>()> connect_;
  std::unique_ptr<HttpTransport> transport_;
  std::filesystem::path local_folder_;
  bool owns_local_folder_;
  RetryPolicy retry_;
  std::function<void(std::chrono::milliseconds)> sleep_;
  std::mutex random_mutex_;  // upload threads draw jitter too
  std::minstd_rand random_;
  std::map<std::string, Download> downloads_;  // by key
  uint64_t name_counter_ = 0;
};

// An S3Storage configured from the environment (S3ConfigFor), with its own connections.
std::unique_ptr<Storage> OpenS3Storage(const std::string& url);

}  // namespace vodctl
