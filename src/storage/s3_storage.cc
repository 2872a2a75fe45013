#include "storage/s3_storage.h"

#include "util/file_descriptor.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pugixml.hpp>

#include <algorithm>
#include <array>
#include <initializer_list>
#include <atomic>
#include <exception>
#include <future>
#include <iterator>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <sstream>
#include <system_error>
#include <thread>
#include <utility>

#include "storage/s3_xml.h"
#include "util/interrupt.h"
#include "util/sha256.h"
#include "vodctl/error.h"
#include "vodctl/log.h"

namespace vodctl {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kScheme = "s3://";
// S3 takes at most this many parts in one upload, and this many keys in one multi-delete.
constexpr int64_t kMaxParts = 10'000;
constexpr size_t kMaxKeysPerDelete = 1'000;

const std::string& EmptyPayloadHash() {
  static const std::string hash = Sha256::Of("");
  return hash;
}

[[noreturn]] void FailErrno(std::string_view what, const std::string& path) {
  Fail(ExitCode::kIoError, "{} '{}': {}", what, path, std::strerror(errno));
}

using LocalFile = FileDescriptor;

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
  LocalFile file_;
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
  LocalFile file_;
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

Digests DigestsOf(BodySource& body, WithMd5 with_md5) {
  struct FreeContext {
    void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
  };
  std::unique_ptr<EVP_MD_CTX, FreeContext> md5;
  if (with_md5 == WithMd5::kYes) {
    md5.reset(EVP_MD_CTX_new());
    if (!md5 || EVP_DigestInit_ex(md5.get(), EVP_md5(), nullptr) != 1) {
      Fail(ExitCode::kSoftware, "cannot initialise MD5");
    }
  }
  Sha256 sha256;
  std::vector<char> buffer(1 << 20);
  body.Rewind();
  while (const size_t got = body.Read(buffer.data(), buffer.size())) {
    sha256.Update(buffer.data(), got);
    if (md5) EVP_DigestUpdate(md5.get(), buffer.data(), got);
  }
  if (!md5) return {sha256.HexDigest(), ""};
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(md5.get(), digest, &length);
  unsigned char base64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
  EVP_EncodeBlock(base64, digest, static_cast<int>(length));
  return {sha256.HexDigest(), reinterpret_cast<const char*>(base64)};
}

// A call that carries `body`, with the checksums S3 checks it against.
S3Call PayloadCall(std::string method, std::string object_key, BodySource& body,
                   WithMd5 with_md5) {
  const Digests digests = DigestsOf(body, with_md5);
  S3Call call{.method = std::move(method),
              .object_key = std::move(object_key),
              .payload_hash = digests.sha256_hex};
  if (!digests.md5_base64.empty()) call.headers.push_back({"Content-MD5", digests.md5_base64});
  return call;
}

// Players and CDNs serving the output straight from the bucket go by the Content-Type.
std::string ContentTypeFor(std::string_view key) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {".m3u8", "application/vnd.apple.mpegurl"},
      {".m4s", "video/iso.segment"},
      {".mp4", "video/mp4"},
      {".ts", "video/mp2t"},
      {".mpd", "application/dash+xml"},
      {".vtt", "text/vtt"},
      {".jpg", "image/jpeg"},
      {".json", "application/json"},
  };
  for (const auto& [extension, type] : kTypes) {
    if (key.ends_with(extension)) return std::string(type);
  }
  return "application/octet-stream";
}

std::string XmlText(const pugi::xml_document& document) {
  std::ostringstream text;
  document.save(text, "", pugi::format_raw);
  return text.str();
}

// "HTTP 403 AccessDenied (Access Denied)", or libcurl's account of a failed transfer.
std::string FailureText(const HttpResponse& response, const S3Error& error) {
  if (response.transport != CURLE_OK) return response.transport_error;
  std::string text = fmt::format("HTTP {}", response.status);
  if (!error.code.empty()) text += " " + error.code;
  if (!error.message.empty()) text += " (" + error.message + ")";
  return text;
}

// Codes S3 uses for its own transient trouble, whatever the status they come with: a 400
// RequestTimeout, or a 200 that is an InternalError after all.
bool IsTransientErrorCode(std::string_view code) {
  return code == "RequestTimeout" || code == "InternalError" || code == "SlowDown" ||
         code == "ServiceUnavailable";
}

std::string Lowercase(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return lower;
}

// "127.0.0.1:9000" -> "127.0.0.1", "[::1]:9000" -> "[::1]".
std::string_view HostName(std::string_view authority) {
  if (authority.starts_with('[')) return authority.substr(0, authority.find(']') + 1);
  return authority.substr(0, authority.find(':'));
}

// Such endpoints have no DNS names to put buckets in.
bool IsAddressOrLocalhost(std::string_view host) {
  if (host.starts_with('[') || host == "localhost") return true;
  in_addr address;
  return ::inet_pton(AF_INET, std::string(host).c_str(), &address) == 1;
}

// A bucket that can be the first label of a host name, and match a wildcard certificate
// (which rules out dots).
bool IsHostLabel(std::string_view bucket) {
  const auto is_alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  return bucket.size() >= 3 && bucket.size() <= 63 && is_alnum(bucket.front()) &&
         is_alnum(bucket.back()) && std::all_of(bucket.begin(), bucket.end(), [&](char c) {
           return is_alnum(c) || c == '-';
         });
}

std::string EnvValue(const EnvLookup& env, const char* name) {
  const char* value = env(name);
  return value == nullptr ? "" : value;
}

// The whole number in variable `name`, or `fallback` when it is unset. Error(kUsage) when it
// is not a number from `min` to `max`.
int64_t EnvNumber(const EnvLookup& env, const char* name, int64_t fallback, int64_t min,
                  int64_t max) {
  const std::string text = EnvValue(env, name);
  if (text.empty()) return fallback;
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    Fail(ExitCode::kUsage, "{} must be a whole number from {} to {}, not '{}'", name, min, max,
         text);
  }
  return value;
}

// Fills the endpoint fields of `config` from a URL such as "http://127.0.0.1:9000".
void SetEndpoint(S3Config& config, const std::string& endpoint, std::string_view variable) {
  const size_t separator = endpoint.find("://");
  const std::string scheme = Lowercase(endpoint.substr(0, separator));
  if (separator == std::string::npos || (scheme != "http" && scheme != "https")) {
    Fail(ExitCode::kUsage, "{} must be an http:// or https:// URL, not '{}'", variable, endpoint);
  }
  const std::string rest = endpoint.substr(separator + 3);
  const std::string authority = rest.substr(0, rest.find('/'));
  // Credentials belong in AWS_* variables; this one is printed in messages.
  if (authority.find('@') != std::string::npos) {
    Fail(ExitCode::kUsage, "{} must not contain user information", variable);
  }
  const std::string path = rest.substr(authority.size());
  if (authority.empty() || (!path.empty() && path != "/")) {
    Fail(ExitCode::kUsage, "{} must be scheme://host[:port] without a path, not '{}'", variable,
         endpoint);
  }
  config.endpoint_scheme = scheme;
  config.endpoint_host = Lowercase(authority);
}

// The value of `name`, "" when unset; Error(kUsage) naming the choices when it is none of them.
std::string EnvChoice(const EnvLookup& env, const char* name,
                      std::initializer_list<std::string_view> choices) {
  const std::string value = EnvValue(env, name);
  if (value.empty() || std::find(choices.begin(), choices.end(), value) != choices.end()) {
    return value;
  }
  std::string listed;
  for (size_t i = 0; i < choices.size(); ++i) {
    if (i > 0) listed += i + 1 == choices.size() ? " or " : ", ";
    listed += fmt::format("'{}'", choices.begin()[i]);
  }
  Fail(ExitCode::kUsage, "{} must be {}, not '{}'", name, listed, value);
}

S3Addressing AddressingFor(const S3Config& config, const EnvLookup& env) {
  const std::string forced = EnvChoice(env, "VODCTL_S3_ADDRESSING", {"path", "virtual"});
  if (forced == "path") return S3Addressing::kPath;
  if (forced == "virtual") return S3Addressing::kVirtualHosted;
  const bool virtual_hosted = !IsAddressOrLocalhost(HostName(config.endpoint_host)) &&
                              IsHostLabel(config.location.bucket);
  return virtual_hosted ? S3Addressing::kVirtualHosted : S3Addressing::kPath;
}

bool SignPayloads(const S3Config& config, const EnvLookup& env) {
  const std::string signing =
      EnvChoice(env, "VODCTL_S3_PAYLOAD_SIGNING", {"auto", "always", "never"});
  if (signing == "always") return true;
  if (signing == "never") return false;
  return config.endpoint_scheme != "https";  // auto
}

std::string RequestHost(const S3Config& config) {
  return config.addressing == S3Addressing::kVirtualHosted
             ? config.location.bucket + "." + config.endpoint_host
             : config.endpoint_host;
}

std::string RequestPath(const S3Config& config, const std::string& object_key) {
  if (config.addressing == S3Addressing::kVirtualHosted) return "/" + object_key;
  return "/" + config.location.bucket + (object_key.empty() ? "" : "/" + object_key);
}

int64_t ContentLength(const HttpResponse& response, std::string_view what) {
  const std::string text = response.Header("content-length");
  int64_t length = -1;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), length);
  if (error != std::errc() || end != text.data() + text.size() || length < 0) {
    Fail(ExitCode::kIoError, "{}: no valid Content-Length in the answer", what);
  }
  return length;
}

int64_t LocalFileSize(const std::string& path) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) FailErrno("cannot stat", path);
  return static_cast<int64_t>(info.st_size);
}

constexpr int64_t kMiB = int64_t{1} << 20;

// The configured part size, grown in whole MiB where the file would need more parts than S3
// allows.
int64_t PartSizeFor(int64_t file_size, int64_t configured) {
  const int64_t needed = (file_size + kMaxParts - 1) / kMaxParts;
  return std::max(configured, (needed + kMiB - 1) / kMiB * kMiB);
}

std::map<std::string, std::string>& SettingOverrides() {
  static std::map<std::string, std::string> overrides;
  return overrides;
}

void CreateFolders(const fs::path& folder) {
  std::error_code error;
  fs::create_directories(folder, error);
  if (error) {
    Fail(ExitCode::kIoError, "cannot create folder '{}': {}", folder.string(), error.message());
  }
}

}  // namespace

S3Location ParseS3Url(const std::string& url) {
  if (!url.starts_with(kScheme)) Fail(ExitCode::kUsage, "'{}' is not an s3:// URL", url);
  const std::string rest = url.substr(kScheme.size());
  const size_t slash = rest.find('/');
  S3Location location{rest.substr(0, slash),
                      slash == std::string::npos ? "" : rest.substr(slash + 1)};
  const bool bucket_ok =
      !location.bucket.empty() && location.bucket.size() <= 255 &&
      std::all_of(location.bucket.begin(), location.bucket.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '-' || c == '_';
      });
  if (!bucket_ok) Fail(ExitCode::kUsage, "invalid bucket name in S3 URL '{}'", url);
  while (location.prefix.ends_with('/')) location.prefix.pop_back();
  if (!location.prefix.empty()) {
    try {
      ValidateKey(location.prefix);
    } catch (const Error&) {
      Fail(ExitCode::kUsage, "invalid S3 URL '{}': its path has empty, '.' or '..' parts", url);
    }
    location.prefix += '/';
  }
  return location;
}

std::string CaBundleFor(const EnvLookup& env, const FileExists& exists) {
  for (const char* variable : {"AWS_CA_BUNDLE", "SSL_CERT_FILE"}) {
    std::string value = EnvValue(env, variable);
    if (!value.empty()) return value;
  }
  for (const char* path : kDefaultCaBundles) {
    if (exists(path)) return path;
  }
  return "";
}

S3Config S3ConfigFor(const std::string& url, const EnvLookup& env) {
  S3Config config;
  config.url = url;
  config.location = ParseS3Url(url);
  config.credentials = {EnvValue(env, "AWS_ACCESS_KEY_ID"), EnvValue(env, "AWS_SECRET_ACCESS_KEY"),
                        EnvValue(env, "AWS_SESSION_TOKEN")};
  if (config.credentials.access_key_id.empty() || config.credentials.secret_access_key.empty()) {
    Fail(ExitCode::kUsage, "{} needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", url);
  }
  config.region = EnvValue(env, "AWS_REGION");
  if (config.region.empty()) config.region = EnvValue(env, "AWS_DEFAULT_REGION");
  if (config.region.empty()) config.region = "us-east-1";
  // The service-specific variable wins, as in the AWS SDKs.
  const char* variable =
      EnvValue(env, "AWS_ENDPOINT_URL_S3").empty() ? "AWS_ENDPOINT_URL" : "AWS_ENDPOINT_URL_S3";
  const std::string endpoint = EnvValue(env, variable);
  if (endpoint.empty()) {
    config.endpoint_scheme = "https";
    config.endpoint_host = fmt::format("s3.{}.amazonaws.com", config.region);
  } else {
    SetEndpoint(config, endpoint, variable);
  }
  config.addressing = AddressingFor(config, env);
  config.ca_bundle = CaBundleFor(env, [](const std::string& path) {
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
  });
  config.part_size =
      EnvNumber(env, "VODCTL_S3_PART_SIZE", S3Storage::kDefaultPartSize / kMiB,
                S3Storage::kMinPartSize / kMiB, S3Storage::kMaxPartSize / kMiB) * kMiB;
  config.upload_connections =
      static_cast<int>(EnvNumber(env, "VODCTL_S3_UPLOAD_CONNECTIONS", 4, 1, 64));
  config.sign_payloads = SignPayloads(config, env);
  return config;
}

S3Verdict ClassifyS3Response(const HttpResponse& response, std::string_view error_code) {
  if (response.transport != CURLE_OK) {
    return IsTransientTransportError(response.transport) ? S3Verdict::kRetry : S3Verdict::kFail;
  }
  if (response.status / 100 == 5 || response.status == 429 || IsTransientErrorCode(error_code)) {
    return S3Verdict::kRetry;
  }
  return response.status / 100 == 2 && error_code.empty() ? S3Verdict::kSuccess
                                                          : S3Verdict::kFail;
}

ExitCode S3RefusalExitCode(int status, std::string_view error_code) {
  constexpr std::array<std::string_view, 6> kRefusedCodes = {
      "AccessDenied", "SignatureDoesNotMatch", "InvalidAccessKeyId",
      "InvalidToken", "ExpiredToken",          "AllAccessDisabled"};
  constexpr std::array<std::string_view, 3> kMissingCodes = {"NoSuchBucket", "NoSuchKey",
                                                             "NoSuchUpload"};
  const auto listed = [&](const auto& codes) {
    return std::find(codes.begin(), codes.end(), error_code) != codes.end();
  };
  if (listed(kRefusedCodes) || (error_code.empty() && status == 403)) {
    return ExitCode::kNoPermission;
  }
  if (listed(kMissingCodes) || (error_code.empty() && status == 404)) {
    return ExitCode::kNoInput;
  }
  return ExitCode::kIoError;
}

HttpRequest SignedS3Request(const S3Config& config, const S3Call& call,
                            std::string_view amz_date) {
  sigv4::Request signing{call.method, RequestPath(config, call.object_key), call.query,
                         call.headers,
                         call.payload_hash.empty() ? EmptyPayloadHash() : call.payload_hash};
  const std::string host = RequestHost(config);
  signing.headers.push_back({"Host", host});
  const std::string authorization =
      sigv4::Sign(signing, config.credentials, config.region, "s3", amz_date);

  HttpRequest request;
  request.method = call.method;
  request.url = fmt::format("{}://{}{}", config.endpoint_scheme, host,
                            sigv4::UriEncode(signing.path, true));
  if (!call.query.empty()) request.url += "?" + sigv4::CanonicalQueryString(call.query);
  for (const sigv4::Header& header : signing.headers) {
    request.headers.push_back(header.name + ": " + header.value);
  }
  request.headers.push_back("Authorization: " + authorization);
  return request;
}

S3Storage::S3Storage(S3Config config, Options options)
    : config_(std::move(config)),
      connect_(options.connect
                   ? std::move(options.connect)
                   : [ca_bundle = config_.ca_bundle]() -> std::unique_ptr<HttpTransport> {
                       return std::make_unique<CurlTransport>(ca_bundle);
                     }),
      transport_(connect_()),
      local_folder_(std::move(options.local_folder)),
      owns_local_folder_(local_folder_.empty()),
      retry_(options.retry),
      sleep_(options.sleep ? std::move(options.sleep)
                           : [](std::chrono::milliseconds delay) {
                               std::this_thread::sleep_for(delay);
                             }),
      random_(std::random_device()()) {}

S3Storage::~S3Storage() {
  if (owns_local_folder_ && !local_folder_.empty()) {
    std::error_code ignored;
    fs::remove_all(local_folder_, ignored);
  }
}

std::string S3Storage::url() const { return config_.url; }

std::string S3Storage::ObjectUrl(const std::string& object_key) const {
  return fmt::format("{}{}/{}", kScheme, config_.location.bucket, object_key);
}

std::string S3Storage::Describe(const std::string& key) const {
  return ObjectUrl(config_.location.prefix + key);
}

std::string S3Storage::ObjectKey(const std::string& key) const {
  ValidateKey(key);
  return config_.location.prefix + key;
}

HttpResponse S3Storage::Send(const S3Call& call, BodySource* body, BodySink* sink,
                             bool missing_ok) {
  return SendOver(*transport_, call, body, sink, missing_ok);
}

HttpResponse S3Storage::SendOver(HttpTransport& transport, const S3Call& call,
                                 BodySource* body, BodySink* sink, bool missing_ok) {
  for (int attempt = 1;; ++attempt) {
    HttpRequest request =
        SignedS3Request(config_, call, sigv4::AmzDate(std::chrono::system_clock::now()));
    request.body = body;
    request.sink = sink;
    HttpResponse response = transport.Perform(request);
    if (missing_ok && response.status == 404) return response;
    const bool has_error_document = response.transport == CURLE_OK &&
                                    (response.status / 100 != 2 || call.may_fail_with_200);
    const S3Error error = has_error_document ? ParseS3Error(response.body) : S3Error();
    const std::string what = fmt::format("S3 {} {}", call.method, request.url);
    switch (ClassifyS3Response(response, error.code)) {
      case S3Verdict::kSuccess:
        return response;
      case S3Verdict::kFail:
        if (response.transport != CURLE_OK) {
          Fail(ExitCode::kUnavailable, "{}: cannot use endpoint {}: {}", what,
               config_.endpoint(), response.transport_error);
        }
        Fail(S3RefusalExitCode(response.status, error.code), "{}: {}", what, FailureText(response, error));
      case S3Verdict::kRetry:
        break;
    }
    if (attempt >= retry_.attempts) {
      Fail(ExitCode::kUnavailable, "{}: endpoint {} still failing after {} attempts: {}", what,
           config_.endpoint(), attempt, FailureText(response, error));
    }
    ThrowIfStopRequested(what);
    double jitter = 0;
    {
      std::lock_guard lock(random_mutex_);
      jitter = std::uniform_real_distribution<double>(0, 1)(random_);
    }
    const std::chrono::milliseconds delay = BackoffDelay(retry_, attempt, jitter);
    log::Info("{}: {}; retrying in {:.1f} s", what, FailureText(response, error),
              delay.count() / 1000.0);
    sleep_(delay);
  }
}

std::optional<S3Storage::Version> S3Storage::Head(const std::string& object_key) {
  const HttpResponse response = Send({.method = "HEAD", .object_key = object_key}, nullptr,
                                     nullptr, /*missing_ok=*/true);
  if (response.status == 404) return std::nullopt;
  return Version{ContentLength(response, "S3 HEAD " + ObjectUrl(object_key)),
                 response.Header("etag")};
}

std::optional<ObjectInfo> S3Storage::Stat(const std::string& key) {
  const std::optional<Version> version = Head(ObjectKey(key));
  if (!version) return std::nullopt;
  return ObjectInfo{key, version->size};
}

std::string S3Storage::LocalPathForRead(const std::string& key) {
  const std::string object_key = ObjectKey(key);
  const std::optional<Version> remote = Head(object_key);
  if (!remote) Fail(ExitCode::kNoInput, "missing '{}'", Describe(key));
  const auto cached = downloads_.find(key);
  if (cached != downloads_.end() && cached->second.version == *remote) return cached->second.path;

  Download download{LocalPath("downloads", key), {}};
  try {
    FileSink sink(download.path);
    // The GET's own size and ETag, in case the object changed since the HEAD.
    const HttpResponse response = Send({.method = "GET", .object_key = object_key}, nullptr, &sink);
    sink.Close();
    download.version = {sink.size(), response.Header("etag")};
  } catch (...) {
    ::unlink(download.path.c_str());
    throw;
  }
  if (cached != downloads_.end()) {
    // A reader of the old copy keeps its open file; the name is not needed any more.
    ::unlink(cached->second.path.c_str());
    cached->second = std::move(download);
    return cached->second.path;
  }
  return downloads_.emplace(key, std::move(download)).first->second.path;
}

std::string S3Storage::Read(const std::string& key) {
  return Send({.method = "GET", .object_key = ObjectKey(key)}).body;
}

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

S3Call S3Storage::StoreCall(const std::string& object_key, BodySource& body,
                            WithMd5 with_md5) const {
  if (config_.sign_payloads) return PayloadCall("PUT", object_key, body, with_md5);
  return {.method = "PUT",
          .object_key = object_key,
          .payload_hash = std::string(sigv4::kUnsignedPayload)};
}

void S3Storage::PutObject(S3Call call, BodySource& body) {
  call.headers.push_back({"Content-Type", ContentTypeFor(call.object_key)});
  Send(call, &body);
}

void S3Storage::Write(const std::string& key, std::string_view bytes) {
  StringBody body(bytes);
  PutObject(StoreCall(ObjectKey(key), body, WithMd5::kYes), body);
}

void S3Storage::PutMultipart(const std::string& object_key, const std::string& local_file,
                             int64_t size) {
  StringBody no_body("");
  const HttpResponse created_response =
      Send({.method = "POST",
            .object_key = object_key,
            .query = {{"uploads", ""}},
            .headers = {{"Content-Type", ContentTypeFor(object_key)}}},
           &no_body);
  const std::string upload_id = ParseUploadId(created_response.body);
  if (upload_id.empty()) {
    Fail(ExitCode::kIoError, "S3 multipart upload of {}: no UploadId in the answer",
         ObjectUrl(object_key));
  }
  try {
    const std::vector<std::string> etags = UploadParts(object_key, upload_id, local_file, size);
    pugi::xml_document completion;
    pugi::xml_node parts = completion.append_child("CompleteMultipartUpload");
    for (size_t i = 0; i < etags.size(); ++i) {
      pugi::xml_node entry = parts.append_child("Part");
      entry.append_child("PartNumber").text().set(static_cast<unsigned long long>(i + 1));
      entry.append_child("ETag").text().set(etags[i].c_str());
    }
    const std::string completion_text = XmlText(completion);
    StringBody body(completion_text);
    S3Call call = PayloadCall("POST", object_key, body, WithMd5::kYes);
    call.query = {{"uploadId", upload_id}};
    call.may_fail_with_200 = true;
    Send(call, &body);
  } catch (...) {
    try {
      AbortMultipart(object_key, upload_id);
    } catch (const std::exception& error) {
      log::Info("{}: cannot abort the failed multipart upload, its parts stay stored: {}",
                ObjectUrl(object_key), error.what());
    }
    throw;
  }
}

std::vector<std::string> S3Storage::UploadParts(const std::string& object_key,
                                                const std::string& upload_id,
                                                const std::string& local_file, int64_t size) {
  const int64_t part_size = PartSizeFor(size, config_.part_size);
  const int64_t part_count = (size + part_size - 1) / part_size;
  std::vector<std::string> etags(static_cast<size_t>(part_count));
  // Each connection takes the next part nobody has taken until none is left or one failed.
  std::atomic<int64_t> next_part{0};
  std::atomic<bool> failed{false};
  std::mutex failure_mutex;
  std::exception_ptr failure;
  auto upload = [&](HttpTransport& transport) {
    try {
      for (int64_t index; !failed && (index = next_part++) < part_count;) {
        const int64_t offset = index * part_size;
        FileBody part(local_file, offset, std::min(part_size, size - offset));
        S3Call call = StoreCall(object_key, part, WithMd5::kNo);
        call.query = {{"partNumber", std::to_string(index + 1)}, {"uploadId", upload_id}};
        std::string etag = SendOver(transport, call, &part, nullptr, false).Header("etag");
        if (etag.empty()) {
          Fail(ExitCode::kIoError, "S3 multipart upload of {}: no ETag for part {}",
               ObjectUrl(object_key), index + 1);
        }
        etags[static_cast<size_t>(index)] = std::move(etag);
      }
    } catch (...) {
      std::lock_guard lock(failure_mutex);
      if (!failure) failure = std::current_exception();
      failed = true;
    }
  };
  {
    const int64_t connections = std::min<int64_t>(config_.upload_connections, part_count);
    std::vector<std::unique_ptr<HttpTransport>> extra_connections;
    for (int64_t i = 1; i < connections; ++i) extra_connections.push_back(connect_());
    std::vector<std::jthread> threads;
    for (auto& connection : extra_connections) {
      threads.emplace_back(upload, std::ref(*connection));
    }
    upload(*transport_);
  }
  if (failure) std::rethrow_exception(failure);
  return etags;
}

void S3Storage::AbortMultipart(const std::string& object_key, const std::string& upload_id) {
  Send({.method = "DELETE", .object_key = object_key, .query = {{"uploadId", upload_id}}},
       nullptr, nullptr, /*missing_ok=*/true);
}

void S3Storage::PutFile(const std::string& key, const std::string& local_file) {
  const std::string object_key = ObjectKey(key);
  const int64_t size = LocalFileSize(local_file);
  if (size < PartSizeFor(size, config_.part_size)) {
    FileBody body(local_file, 0, size);
    PutObject(StoreCall(object_key, body, WithMd5::kNo), body);
  } else {
    PutMultipart(object_key, local_file, size);
  }
  if (::unlink(local_file.c_str()) != 0) FailErrno("cannot remove", local_file);
}

std::string S3Storage::LocalPath(const std::string& subfolder, std::string_view hint) {
  if (local_folder_.empty()) {
    std::string pattern =
        (fs::temp_directory_path() / fmt::format("vodctl-s3-cache-{}-XXXXXX", ::getpid()))
            .string();
    if (::mkdtemp(pattern.data()) == nullptr) FailErrno("cannot create folder", pattern);
    local_folder_ = pattern;
  }
  const fs::path folder = local_folder_ / subfolder;
  CreateFolders(folder);
  // The tail of the hint keeps the extension, by which libavformat picks a format.
  hint = hint.substr(hint.rfind('/') + 1);
  constexpr size_t kMaxTail = 100;
  if (hint.size() > kMaxTail) hint.remove_prefix(hint.size() - kMaxTail);
  return (folder / fmt::format("{}-{}", name_counter_++, hint.empty() ? "file" : hint)).string();
}

std::string S3Storage::ScratchPath(const std::string& hint) { return LocalPath("scratch", hint); }

std::vector<ObjectInfo> S3Storage::List(const std::string& prefix) {
  const std::string& root = config_.location.prefix;
  std::vector<ObjectInfo> objects;
  std::string continuation;
  do {
    S3Call call{.method = "GET",
                .object_key = "",  // the bucket
                .query = {{"list-type", "2"}, {"prefix", root + prefix}}};
    if (!continuation.empty()) call.query.push_back({"continuation-token", continuation});
    const HttpResponse response = Send(call);
    std::optional<S3ListPage> page = ParseListBucketResult(response.body, root);
    if (!page) {
      Fail(ExitCode::kIoError, "S3 listing of {}: the answer is not a ListBucketResult",
           ObjectUrl(root + prefix));
    }
    std::move(page->objects.begin(), page->objects.end(), std::back_inserter(objects));
    // A server that hands back the token it was given would have us list forever.
    if (!page->continuation.empty() && page->continuation == continuation) {
      Fail(ExitCode::kIoError, "S3 listing of {}: the server sent the same page token twice",
           ObjectUrl(root + prefix));
    }
    continuation = std::move(page->continuation);
  } while (!continuation.empty());
  std::sort(objects.begin(), objects.end(),
            [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
  return objects;
}

void S3Storage::Remove(const std::string& key) {
  Send({.method = "DELETE", .object_key = ObjectKey(key)}, nullptr, nullptr,
       /*missing_ok=*/true);
}

void S3Storage::DeleteObjects(const std::vector<ObjectInfo>& objects) {
  for (size_t first = 0; first < objects.size(); first += kMaxKeysPerDelete) {
    pugi::xml_document request;
    pugi::xml_node root = request.append_child("Delete");
    // Only failures are reported back.
    root.append_child("Quiet").text().set("true");
    const size_t end = std::min(objects.size(), first + kMaxKeysPerDelete);
    for (size_t i = first; i < end; ++i) {
      const std::string object_key = config_.location.prefix + objects[i].key;
      root.append_child("Object").append_child("Key").text().set(object_key.c_str());
    }
    const std::string request_text = XmlText(request);
    StringBody body(request_text);
    S3Call call = PayloadCall("POST", "", body, WithMd5::kYes);
    call.query = {{"delete", ""}};
    const HttpResponse response = Send(call, &body);
    if (const std::optional<S3DeleteFailure> failure = ParseDeleteFailure(response.body)) {
      Fail(S3RefusalExitCode(0, failure->error.code), "S3 cannot delete {}: {} ({})",
           ObjectUrl(failure->key),
           failure->error.code, failure->error.message);
    }
  }
}

void S3Storage::RemovePrefix(const std::string& prefix) {
  // Whole folders only, as in local storage: "720p" and "720p/" both mean the folder 720p.
  DeleteObjects(List(prefix.empty() || prefix.ends_with('/') ? prefix : prefix + "/"));
}

void S3Storage::RemoveLeftovers() {
  const std::string& root = config_.location.prefix;
  std::vector<std::pair<std::string, std::string>> uploads;  // key, upload ID
  std::string key_marker;
  std::string upload_id_marker;
  bool truncated = false;
  do {
    S3Call call{.method = "GET",
                .object_key = "",  // the bucket
                .query = {{"uploads", ""}, {"prefix", root}}};
    if (truncated) {
      call.query.push_back({"key-marker", key_marker});
      call.query.push_back({"upload-id-marker", upload_id_marker});
    }
    const HttpResponse response = Send(call);
    std::optional<S3UploadsPage> page = ParseListMultipartUploadsResult(response.body);
    if (!page) {
      Fail(ExitCode::kIoError, "S3 listing of the multipart uploads under {}: the answer is not "
           "a ListMultipartUploadsResult", ObjectUrl(root));
    }
    std::move(page->uploads.begin(), page->uploads.end(), std::back_inserter(uploads));
    if (page->truncated && page->next_key_marker == key_marker &&
        page->next_upload_id_marker == upload_id_marker) {
      Fail(ExitCode::kIoError, "S3 listing of the multipart uploads under {}: the next page "
           "starts where this one did", ObjectUrl(root));
    }
    truncated = page->truncated;
    key_marker = std::move(page->next_key_marker);
    upload_id_marker = std::move(page->next_upload_id_marker);
  } while (truncated);
  for (const auto& [object_key, upload_id] : uploads) {
    log::Info("{}: aborting an unfinished multipart upload", ObjectUrl(object_key));
    AbortMultipart(object_key, upload_id);
  }
}

void SetS3SettingOverrides(std::map<std::string, std::string> overrides) {
  SettingOverrides() = std::move(overrides);
}

std::unique_ptr<Storage> OpenS3Storage(const std::string& url) {
  const EnvLookup command_line_then_environment = [](const char* name) -> const char* {
    const auto& overrides = SettingOverrides();
    const auto found = overrides.find(name);
    return found != overrides.end() ? found->second.c_str() : std::getenv(name);
  };
  return std::make_unique<S3Storage>(S3ConfigFor(url, command_line_then_environment),
                                     S3Storage::Options{});
}

}  // namespace vodctl
