#include "storage/s3_storage.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>

#include "storage/s3_content_type.h"
#include "storage/s3_multipart.h"
#include "storage/s3_object_reader.h"
#include "util/gzip.h"
#include "vodctl/error.h"

namespace vodctl {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void FailErrno(std::string_view what, const std::string& path) {
  Fail(ExitCode::kIoError, "{} '{}': {}", what, path, std::strerror(errno));
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

std::string ReadLocalFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) FailErrno("cannot read", path);
  return bytes;
}

void CreateFolders(const fs::path& folder) {
  std::error_code error;
  fs::create_directories(folder, error);
  if (error) {
    Fail(ExitCode::kIoError, "cannot create folder '{}': {}", folder.string(), error.message());
  }
}

}  // namespace

S3Storage::S3Storage(S3Config config, Options options)
    : config_(std::move(config)),
      publish_(std::move(options.publish)),
      connect_(options.connect
                   ? std::move(options.connect)
                   : [ca_bundle = config_.ca_bundle]() -> std::unique_ptr<HttpTransport> {
                       return std::make_unique<CurlTransport>(ca_bundle);
                     }),
      transport_(connect_()),
      local_folder_(std::move(options.local_folder)),
      owns_local_folder_(local_folder_.empty()),
      client_(config_, options.retry, std::move(options.sleep)),
      listing_(client_, *transport_, config_) {}

S3Storage::~S3Storage() {
  if (owns_local_folder_ && !local_folder_.empty()) {
    std::error_code ignored;
    fs::remove_all(local_folder_, ignored);
  }
}

std::string S3Storage::url() const { return config_.url; }

std::string S3Storage::ObjectUrl(const std::string& object_key) const {
  return S3ObjectUrl(config_, object_key);
}

std::string S3Storage::Describe(const std::string& key) const {
  return ObjectUrl(config_.location.prefix + key);
}

std::string S3Storage::ObjectKey(const std::string& key) const {
  ValidateKey(key);
  return config_.location.prefix + key;
}

HttpResponse S3Storage::Send(const S3Call& call, BodySource* body, BodySink* sink,
                             bool missing_ok, int* attempts) {
  return SendOver(*transport_, call, body, sink, missing_ok, attempts);
}

HttpResponse S3Storage::SendOver(HttpTransport& transport, const S3Call& call,
                                 BodySource* body, BodySink* sink, bool missing_ok,
                                 int* attempts) {
  return client_.Send(transport, call, body, sink, missing_ok, attempts);
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
  HttpResponse response = Send({.method = "GET", .object_key = ObjectKey(key)});
  if (response.Header("content-encoding") == "gzip") return Gunzip(response.body, Describe(key));
  return std::move(response.body);
}

std::unique_ptr<RandomAccessReader> S3Storage::OpenForRead(const std::string& key) {
  std::string object_key = ObjectKey(key);
  std::optional<Version> version = Head(object_key);
  if (!version) Fail(ExitCode::kNoInput, "missing '{}'", Describe(key));
  std::string name = ObjectUrl(object_key);
  return std::make_unique<S3ObjectReader>(client_, *transport_, connect_, std::move(object_key),
                                          std::move(name), version->size,
                                          std::move(version->etag));
}

S3Call S3Storage::StoreCall(const std::string& object_key, BodySource& body,
                            WithMd5 with_md5) const {
  if (config_.sign_payloads) return PayloadCall("PUT", object_key, body, with_md5);
  return {.method = "PUT",
          .object_key = object_key,
          .payload_hash = std::string(sigv4::kUnsignedPayload)};
}

std::vector<sigv4::Header> S3Storage::ObjectHeaders(const std::string& object_key) const {
  std::vector<sigv4::Header> headers = {{"Content-Type", ContentTypeFor(object_key)}};
  if (!publish_) return headers;
  if (const std::string& cache_control = publish_->CacheControlFor(object_key); !cache_control.empty()) {
    headers.push_back({"Cache-Control", cache_control});
  }
  if (publish_->Compresses(object_key)) headers.push_back({"Content-Encoding", "gzip"});
  return headers;
}

void S3Storage::PutObject(S3Call call, BodySource& body) {
  for (sigv4::Header& header : ObjectHeaders(call.object_key)) call.headers.push_back(std::move(header));
  Send(call, &body);
}

void S3Storage::Write(const std::string& key, std::string_view bytes) {
  const std::string object_key = ObjectKey(key);
  std::string compressed;
  if (publish_ && publish_->Compresses(object_key)) {
    compressed = Gzip(bytes);
    bytes = compressed;
  }
  StringBody body(bytes);
  PutObject(StoreCall(object_key, body, WithMd5::kYes), body);
}

void S3Storage::PutFile(const std::string& key, const std::string& local_file) {
  const std::string object_key = ObjectKey(key);
  if (publish_ && publish_->Compresses(object_key)) {
    Write(key, ReadLocalFile(local_file));
    if (::unlink(local_file.c_str()) != 0) FailErrno("cannot remove", local_file);
    return;
  }
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
  return listing_.Objects(prefix);
}

void S3Storage::Remove(const std::string& key) { RemoveObject(ObjectKey(key)); }

void S3Storage::RemovePrefix(const std::string& prefix) {
  // Whole folders only, as in local storage: "720p" and "720p/" both mean the folder 720p.
  listing_.Delete(List(prefix.empty() || prefix.ends_with('/') ? prefix : prefix + "/"));
}

void S3Storage::RemoveObject(const std::string& object_key) {
  Send({.method = "DELETE", .object_key = object_key}, nullptr, nullptr, /*missing_ok=*/true);
}

std::unique_ptr<Storage> OpenS3Storage(const std::string& url,
                                       std::optional<PublishPolicy> publish) {
  S3Storage::Options options;
  options.publish = std::move(publish);
  return std::make_unique<S3Storage>(S3ConfigFor(url, CommandLineThenEnvironment()),
                                     std::move(options));
}

}  // namespace vodctl
