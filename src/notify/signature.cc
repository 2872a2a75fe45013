#include "notify/signature.h"

#include "util/hmac.h"

#include <fmt/format.h>

namespace vodctl::notify {

std::string Signature(std::string_view secret, int64_t unix_time, std::string_view body) {
  const std::string timestamp = std::to_string(unix_time);
  std::string signed_text;
  signed_text.reserve(timestamp.size() + 1 + body.size());
  signed_text.append(timestamp).append(".").append(body);
  return fmt::format("t={},v1={}", timestamp, HexEncode(HmacSha256(secret, signed_text)));
}

}  // namespace vodctl::notify
