// Webhook signatures, as Stripe and Mux sign theirs: the header
//   Vodctl-Signature: t=1733550000,v1=<hex HMAC-SHA256(secret, "1733550000." + body)>
// The timestamp is signed with the body, so a receiver can refuse replays of old requests by
// comparing t with its clock; "v1" names the scheme, so another can be added beside it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vodctl::notify {

inline constexpr std::string_view kSignatureHeader = "Vodctl-Signature";
// The environment variable holding the secret. Never stored, logged or sent.
inline constexpr const char* kSecretVariable = "VODCTL_NOTIFY_SECRET";

// The header's value for `body` sent at `unix_time`.
std::string Signature(std::string_view secret, int64_t unix_time, std::string_view body);

}  // namespace vodctl::notify
