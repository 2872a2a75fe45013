// The XML an S3 server answers with: error documents, multipart upload creation, object and
// upload listings, multi-delete results.
#include "fuzz_input.h"
#include "storage/s3_xml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  vodctl::fuzz::Refusable([&] {
    vodctl::ParseS3Error(body);
    vodctl::ParseUploadId(body);
    vodctl::ParseListBucketResult(body, "");
    vodctl::ParseListBucketResult(body, "videos/");
    vodctl::ParseListMultipartUploadsResult(body);
    vodctl::ParseDeleteFailure(body);
  });
  return 0;
}
