#include "storage/s3_bodies.h"

#include <openssl/evp.h>

#include <memory>
#include <utility>
#include <vector>

#include "util/sha256.h"

namespace vodctl {

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

S3Call PayloadCall(std::string method, std::string object_key, BodySource& body,
                   WithMd5 with_md5) {
  const Digests digests = DigestsOf(body, with_md5);
  S3Call call{.method = std::move(method),
              .object_key = std::move(object_key),
              .payload_hash = digests.sha256_hex};
  if (!digests.md5_base64.empty()) call.headers.push_back({"Content-MD5", digests.md5_base64});
  return call;
}

}  // namespace vodctl
