// HMAC-SHA256 (OpenSSL's libcrypto) and lowercase hex: what S3's SigV4 and the webhook
// signatures both compute.
#pragma once

#include <string>
#include <string_view>

namespace vodctl {

// The raw 32-byte MAC of `data` under `key`.
std::string HmacSha256(std::string_view key, std::string_view data);

// Each byte as two lowercase hex digits.
std::string HexEncode(std::string_view bytes);

}  // namespace vodctl
