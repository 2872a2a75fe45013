#include "notify/redact_url.h"

namespace vodctl::notify {

std::string RedactUrl(const std::string& url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  const size_t authority = scheme_end + 3;
  const size_t path = url.find_first_of("/?#", authority);
  std::string redacted = url;
  // The query first: erasing the user part would move it.
  const size_t query = url.find('?', authority);
  if (query != std::string::npos) {
    const size_t fragment = url.find('#', query);
    redacted.replace(query + 1, (fragment == std::string::npos ? url.size() : fragment) - query - 1,
                     "***");
  }
  const size_t at = url.rfind('@', path == std::string::npos ? url.size() : path);
  if (at != std::string::npos && at >= authority) {
    redacted.replace(authority, at - authority, "***");
  }
  return redacted;
}

}  // namespace vodctl::notify
