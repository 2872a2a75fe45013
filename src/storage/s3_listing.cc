#include "storage/s3_listing.h"

#include <pugixml.hpp>

#include <algorithm>
#include <iterator>
#include <utility>

#include "storage/s3_bodies.h"
#include "storage/s3_xml.h"
#include "vodctl/error.h"

namespace vodctl {
namespace {

// S3 takes at most this many keys in one multi-object delete.
constexpr size_t kMaxKeysPerDelete = 1'000;

}  // namespace

S3Listing::S3Listing(S3Client& client, HttpTransport& transport, const S3Config& config)
    : client_(client), transport_(transport), config_(config) {}

HttpResponse S3Listing::Send(const S3Call& call, BodySource* body) {
  return client_.Send(transport_, call, body, nullptr, false);
}

std::string S3Listing::ObjectUrl(const std::string& object_key) const {
  return S3ObjectUrl(config_, object_key);
}

std::vector<ObjectInfo> S3Listing::Objects(const std::string& prefix) {
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

void S3Listing::Delete(const std::vector<ObjectInfo>& objects) {
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
           ObjectUrl(failure->key), failure->error.code, failure->error.message);
    }
  }
}

std::vector<S3Upload> S3Listing::UploadsTo(const std::string& object_key) {
  std::vector<S3Upload> uploads;
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
    for (S3Upload& upload : page->uploads) {
      if (upload.key == object_key) uploads.push_back(std::move(upload));
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
  return uploads;
}

}  // namespace vodctl
