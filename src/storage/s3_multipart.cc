#include "storage/s3_multipart.h"

#include <openssl/evp.h>
#include <pugixml.hpp>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <exception>
#include <iterator>
#include <mutex>
#include <thread>
#include <system_error>
#include <utility>

#include "storage/s3_storage.h"
#include "storage/s3_time.h"
#include "storage/s3_xml.h"
#include "vodctl/error.h"
#include "vodctl/log.h"

namespace vodctl {

namespace {

// The 16 bytes of a quoted or bare hex MD5; empty when it is none.
std::string Md5Bytes(std::string_view etag) {
  if (etag.size() == 34 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, 32);
  }
  if (etag.size() != 32) return "";
  std::string bytes;
  for (size_t i = 0; i < 32; i += 2) {
    unsigned value = 0;
    const auto [end, error] = std::from_chars(etag.data() + i, etag.data() + i + 2, value, 16);
    if (error != std::errc() || end != etag.data() + i + 2) return "";
    bytes.push_back(static_cast<char>(value));
  }
  return bytes;
}

std::string Unquoted(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return std::string(etag);
}

// The uploads S3 says started at or after `since`: the listing's times are the server's.
bool InitiatedSince(const S3Upload& upload, S3Time since) {
  const std::optional<S3Time> initiated = ParseIso8601(upload.initiated);
  return initiated && *initiated >= since;
}

}  // namespace

std::string MultipartEtag(const std::vector<std::string>& part_etags) {
  std::string md5s;
  for (const std::string& etag : part_etags) {
    const std::string bytes = Md5Bytes(etag);
    if (bytes.empty()) return "";
    md5s += bytes;
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(md5s.data(), md5s.size(), digest, &length, EVP_md5(), nullptr) != 1) {
    Fail(ExitCode::kSoftware, "cannot compute MD5");
  }
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return fmt::format("{}-{}", hex, part_etags.size());
}

int64_t PartSizeFor(int64_t file_size, int64_t configured) {
  const int64_t needed = (file_size + kMaxParts - 1) / kMaxParts;
  return std::max(configured, (needed + kMiB - 1) / kMiB * kMiB);
}

void S3Storage::PutMultipart(const std::string& object_key, const std::string& local_file,
                             int64_t size) {
  // The marker goes first: a writer killed at any point after leaves it, and RemoveLeftovers
  // finds the upload by it.
  const std::string marker = UploadMarkerKey(object_key);
  StringBody no_body("");
  Send(StoreCall(marker, no_body, WithMd5::kYes), &no_body);
  const std::string upload_id = CreateMultipartUpload(object_key);
  try {
    const std::vector<std::string> etags = UploadParts(object_key, upload_id, local_file, size);
    CompleteMultipartUpload(object_key, upload_id, etags, size);
  } catch (...) {
    try {
      AbortMultipart(object_key, upload_id);
      RemoveObject(marker);
    } catch (const std::exception& error) {
      log::Info("{}: cannot abort the failed multipart upload (upload ID {}), its parts stay "
                "stored until a later run removes its leftovers: {}",
                ObjectUrl(object_key), upload_id, error.what());
    }
    throw;
  }
  RemoveObject(marker);
}

std::string S3Storage::CreateMultipartUpload(const std::string& object_key) {
  StringBody no_body("");
  const auto started = std::chrono::steady_clock::now();
  int attempts = 0;
  const HttpResponse response =
      Send({.method = "POST",
            .object_key = object_key,
            .query = {{"uploads", ""}},
            .headers = ObjectHeaders(object_key)},
           &no_body, nullptr, false, &attempts);
  std::string upload_id = ParseUploadId(response.body);
  if (upload_id.empty()) {
    Fail(ExitCode::kIoError, "S3 multipart upload of {}: no UploadId in the answer",
         ObjectUrl(object_key));
  }
  if (attempts == 1) return upload_id;
  // The server's time when the first attempt went out: its Date now, less what the attempts
  // took by our clock, less a second as Date has no fraction.
  const std::optional<S3Time> answered = ParseHttpDate(response.Header("date"));
  if (!answered) {
    log::Info("{}: a multipart upload was created after {} attempts and the answer has no "
              "Date to tell others by; any the lost answers created stay until aborted",
              ObjectUrl(object_key), attempts);
    return upload_id;
  }
  const S3Time since = *answered - (std::chrono::steady_clock::now() - started) -
                       std::chrono::seconds(1);
  for (const S3Upload& upload : listing_.UploadsTo(object_key)) {
    if (upload.upload_id == upload_id || !InitiatedSince(upload, since)) continue;
    log::Info("{}: aborting multipart upload {}, made by a create whose answer was lost",
              ObjectUrl(object_key), upload.upload_id);
    AbortMultipart(object_key, upload.upload_id);
  }
  return upload_id;
}

void S3Storage::CompleteMultipartUpload(const std::string& object_key,
                                        const std::string& upload_id,
                                        const std::vector<std::string>& etags, int64_t size) {
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
  int attempts = 0;
  const HttpResponse response = Send(call, &body, nullptr, /*missing_ok=*/true, &attempts);
  if (response.status != 404) return;
  const S3Error error = ParseS3Error(response.body);
  const std::string what =
      fmt::format("S3 CompleteMultipartUpload of {} (upload ID {})", ObjectUrl(object_key),
                  upload_id);
  if (error.code != "NoSuchUpload" || attempts == 1) {
    Fail(S3RefusalExitCode(response.status, error.code), "{}: {}", what,
         S3FailureText(response, error));
  }
  // An earlier attempt completed the upload and its answer was lost; unless someone else
  // stored the key since, the object is the one of these parts.
  const std::string expected = MultipartEtag(etags);
  const std::optional<Version> stored = Head(object_key);
  if (stored && !expected.empty() && Unquoted(stored->etag) == expected &&
      stored->size == size) {
    log::Info("{}: retried after its answer was lost, found the object complete (ETag {})",
              what, expected);
    return;
  }
  Fail(ExitCode::kIoError,
       "{}: NoSuchUpload after {} attempts, and the object is not the one of these parts "
       "(ETag {}, {} bytes; expected {}, {} bytes)",
       what, attempts, stored ? stored->etag : "none: missing", stored ? stored->size : 0,
       expected.empty() ? "unknown" : expected, size);
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

std::string S3Storage::UploadMarkerKey(const std::string& object_key) const {
  const std::string& root = config_.location.prefix;
  return root + std::string(kUploadMarkers) + object_key.substr(root.size());
}

void S3Storage::RemoveLeftovers() {
  for (const ObjectInfo& marker : List(std::string(kUploadMarkers))) {
    const std::string object_key =
        config_.location.prefix + marker.key.substr(kUploadMarkers.size());
    for (const S3Upload& upload : listing_.UploadsTo(object_key)) {
      log::Info("{}: aborting an unfinished multipart upload (upload ID {})",
                ObjectUrl(object_key), upload.upload_id);
      AbortMultipart(object_key, upload.upload_id);
    }
    RemoveObject(config_.location.prefix + marker.key);
  }
}

}  // namespace vodctl
