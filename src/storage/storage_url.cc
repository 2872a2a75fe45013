#include "storage/storage_url.h"

#include <algorithm>
#include <string_view>

#include "vodctl/error.h"

namespace vodctl {
namespace {

namespace fs = std::filesystem;

bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// RFC 3986 3.1 scheme syntax, so "s3://bucket" is a URL while "out/x" and "./a://b" are paths.
bool IsScheme(std::string_view text) {
  return !text.empty() && IsAsciiAlpha(text.front()) &&
         std::all_of(text.begin(), text.end(), [](char c) {
           return IsAsciiAlpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
         });
}

int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecoded(std::string_view text, const std::string& url) {
  std::string decoded;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      decoded += text[i];
      continue;
    }
    const int high = i + 1 < text.size() ? HexDigitValue(text[i + 1]) : -1;
    const int low = i + 2 < text.size() ? HexDigitValue(text[i + 2]) : -1;
    // %00 would silently cut the path short at the system call.
    if (high < 0 || low < 0 || high + low == 0) {
      Fail(ExitCode::kUsage, "invalid percent escape in storage URL '{}'", url);
    }
    decoded += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return decoded;
}

}  // namespace

fs::path LocalPathOf(const std::string& url) {
  const size_t separator = url.find("://");
  if (separator == std::string::npos || !IsScheme(std::string_view(url).substr(0, separator))) {
    return url;
  }
  std::string scheme = url.substr(0, separator);
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  if (scheme != "file") {
    Fail(ExitCode::kUsage, "unsupported storage URL '{}': only local paths and file:// for now",
         url);
  }
  const std::string_view path = std::string_view(url).substr(separator + 3);
  // A non-empty authority ("file://host/x") would name another machine.
  if (!path.starts_with('/')) {
    Fail(ExitCode::kUsage, "unsupported storage URL '{}': expected file:///absolute/path", url);
  }
  return PercentDecoded(path, url);
}

}  // namespace vodctl
