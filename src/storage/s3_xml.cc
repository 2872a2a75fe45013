#include "storage/s3_xml.h"

#include <pugixml.hpp>

#include <sstream>

namespace vodctl {
namespace {

// The root element of `body` when it is named `name`, else a null node.
pugi::xml_node XmlRoot(pugi::xml_document& document, std::string_view body, const char* name) {
  if (!document.load_buffer(body.data(), body.size())) return {};
  const pugi::xml_node root = document.document_element();
  return std::string_view(root.name()) == name ? root : pugi::xml_node();
}

S3Error ErrorIn(const pugi::xml_node& node) {
  return {node.child_value("Code"), node.child_value("Message")};
}

bool IsTrue(const pugi::xml_node& node, const char* child) {
  return std::string_view(node.child_value(child)) == "true";
}

}  // namespace

S3Error ParseS3Error(std::string_view body) {
  pugi::xml_document document;
  return ErrorIn(XmlRoot(document, body, "Error"));
}

std::string ParseUploadId(std::string_view body) {
  pugi::xml_document document;
  return XmlRoot(document, body, "InitiateMultipartUploadResult").child_value("UploadId");
}

std::optional<S3ListPage> ParseListBucketResult(std::string_view body, std::string_view root) {
  pugi::xml_document document;
  const pugi::xml_node result = XmlRoot(document, body, "ListBucketResult");
  if (!result) return std::nullopt;
  S3ListPage page;
  for (const pugi::xml_node entry : result.children("Contents")) {
    const std::string key = entry.child_value("Key");
    // Keys ending in '/' are the folder markers some tools create, not objects of ours.
    if (!key.starts_with(root) || key.ends_with('/')) continue;
    page.objects.push_back({key.substr(root.size()), entry.child("Size").text().as_llong()});
  }
  if (IsTrue(result, "IsTruncated")) page.continuation = result.child_value("NextContinuationToken");
  return page;
}

std::optional<S3UploadsPage> ParseListMultipartUploadsResult(std::string_view body) {
  pugi::xml_document document;
  const pugi::xml_node result = XmlRoot(document, body, "ListMultipartUploadsResult");
  if (!result) return std::nullopt;
  S3UploadsPage page;
  for (const pugi::xml_node upload : result.children("Upload")) {
    page.uploads.push_back({upload.child_value("Key"), upload.child_value("UploadId"),
                            upload.child_value("Initiated")});
  }
  page.truncated = IsTrue(result, "IsTruncated");
  page.next_key_marker = result.child_value("NextKeyMarker");
  page.next_upload_id_marker = result.child_value("NextUploadIdMarker");
  return page;
}

std::optional<S3DeleteFailure> ParseDeleteFailure(std::string_view body) {
  pugi::xml_document document;
  const pugi::xml_node failure = XmlRoot(document, body, "DeleteResult").child("Error");
  if (!failure) return std::nullopt;
  return S3DeleteFailure{failure.child_value("Key"), ErrorIn(failure)};
}

std::string XmlText(const pugi::xml_document& document) {
  std::ostringstream text;
  document.save(text, "", pugi::format_raw);
  return text.str();
}

}  // namespace vodctl
