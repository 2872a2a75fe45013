// S3Storage's listings and deletes.
#include <pugixml.hpp>

#include <algorithm>
#include <iterator>

#include "storage/s3_storage.h"
#include "storage/s3_xml.h"
#include "vodctl/error.h"

namespace vodctl {
namespace {

// S3 takes at most this many keys in one multi-object delete.
constexpr size_t kMaxKeysPerDelete = 1'000;

}  // namespace

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

}  // namespace vodctl
