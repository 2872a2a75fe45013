#include "storage/s3_multipart.h"

#include <pugixml.hpp>

#include <algorithm>
#include <atomic>
#include <exception>
#include <iterator>
#include <mutex>
#include <thread>
#include <utility>

#include "storage/s3_content_type.h"
#include "storage/s3_storage.h"
#include "storage/s3_xml.h"
#include "vodctl/error.h"
#include "vodctl/log.h"

namespace vodctl {

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

std::vector<std::string> S3Storage::UploadsTo(const std::string& object_key) {
  std::vector<std::string> upload_ids;
  std::string key_marker;
  std::string upload_id_marker;
  bool truncated = false;
  do {
    S3Call call{.method = "GET",
                .object_key = "",  // the bucket
                .query = {{"uploads", ""}, {"prefix", object_key}}};
    if (truncated) {
      call.query.push_back({"key-marker", key_marker});
      call.query.push_back({"upload-id-marker", upload_id_marker});
    }
    const HttpResponse response = Send(call);
    std::optional<S3UploadsPage> page = ParseListMultipartUploadsResult(response.body);
    if (!page) {
      Fail(ExitCode::kIoError, "S3 listing of the multipart uploads to {}: the answer is not "
           "a ListMultipartUploadsResult", ObjectUrl(object_key));
    }
    // The prefix also matches longer keys ("a.mp4" those of "a.mp4.bak"): other writers'.
    for (auto& [key, upload_id] : page->uploads) {
      if (key == object_key) upload_ids.push_back(std::move(upload_id));
    }
    if (page->truncated && page->next_key_marker == key_marker &&
        page->next_upload_id_marker == upload_id_marker) {
      Fail(ExitCode::kIoError, "S3 listing of the multipart uploads to {}: the next page "
           "starts where this one did", ObjectUrl(object_key));
    }
    truncated = page->truncated;
    key_marker = std::move(page->next_key_marker);
    upload_id_marker = std::move(page->next_upload_id_marker);
  } while (truncated);
  return upload_ids;
}

void S3Storage::RemoveLeftovers() {
  for (const ObjectInfo& marker : List(std::string(kUploadMarkers))) {
    const std::string object_key =
        config_.location.prefix + marker.key.substr(kUploadMarkers.size());
    for (const std::string& upload_id : UploadsTo(object_key)) {
      log::Info("{}: aborting an unfinished multipart upload (upload ID {})",
                ObjectUrl(object_key), upload_id);
      AbortMultipart(object_key, upload_id);
    }
    RemoveObject(config_.location.prefix + marker.key);
  }
}

}  // namespace vodctl
