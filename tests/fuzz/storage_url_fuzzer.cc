// Storage URLs and keys: local paths and file:// URLs, s3:// URLs down to the request an S3
// call would send, and key validation. A key that passes ValidateKey must stay below the
// root it is joined to.
#include <cstdlib>
#include <filesystem>

#include "fuzz_input.h"
#include "storage/s3_storage.h"
#include "storage/storage_url.h"
#include "vodctl/storage.h"

namespace {

const char* FakeEnv(const char* name) {
  const std::string_view variable(name);
  if (variable == "AWS_ACCESS_KEY_ID") return "AKIDEXAMPLE";
  if (variable == "AWS_SECRET_ACCESS_KEY") return "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  return nullptr;
}

void CheckKey(const std::string& key) {
  vodctl::ValidateKey(key);
  const std::filesystem::path root("/root/of/storage");
  const std::filesystem::path below = (root / key).lexically_normal().lexically_relative(root);
  if (below.empty() || *below.begin() == "..") std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text = vodctl::fuzz::Text(data, size);
  vodctl::fuzz::Refusable([&] { vodctl::LocalPathOf(text); });
  vodctl::fuzz::Refusable([&] { CheckKey(text); });
  vodctl::fuzz::Refusable([&] {
    const vodctl::S3Config config = vodctl::S3ConfigFor(text, FakeEnv);
    vodctl::SignedS3Request(config, {.method = "GET", .object_key = config.location.prefix + "k"},
                            "20260101T000000Z");
  });
  return 0;
}
