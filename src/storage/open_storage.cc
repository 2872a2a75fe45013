#include <algorithm>
#include <filesystem>
#include <memory>
#include <ranges>
#include <string>
#include <string_view>
#include <system_error>

#include "storage/local_storage.h"
#include "storage/s3_storage.h"
#include "vodctl/error.h"
#include "vodctl/storage.h"

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

// Control characters (NUL included, which would cut the message short) as \xNN.
std::string Printable(std::string_view text) {
  std::string printable;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      printable += fmt::format("\\x{:02x}", byte);
    } else {
      printable += c;
    }
  }
  return printable;
}

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

fs::path LocalRoot(const std::string& url) {
  std::error_code error;
  fs::path root = fs::absolute(LocalPathOf(url), error).lexically_normal();
  if (error) Fail(ExitCode::kIoError, "cannot resolve '{}': {}", url, error.message());
  // "out/" normalizes to "out/" with an empty file name; the root is the folder itself.
  if (root.has_relative_path() && !root.has_filename()) root = root.parent_path();
  return root;
}

}  // namespace

std::unique_ptr<Storage> OpenStorage(const std::string& url) {
  if (url.empty()) Fail(ExitCode::kUsage, "empty storage URL");
  if (url.starts_with("s3://")) return OpenS3Storage(url);
  fs::path root = LocalRoot(url);
  std::error_code error;
  fs::create_directories(root, error);
  if (error) {
    Fail(ExitCode::kIoError, "cannot create output folder '{}': {}", root.string(),
         error.message());
  }
  return std::make_unique<LocalStorage>(std::move(root));
}

std::unique_ptr<Storage> OpenExistingStorage(const std::string& url) {
  if (!url.empty() && !url.starts_with("s3://")) {
    const fs::path root = LocalRoot(url);
    std::error_code error;
    if (!fs::is_directory(root, error)) {
      Fail(ExitCode::kIoError, "no folder '{}'{}", root.string(),
           error ? ": " + error.message() : "");
    }
  }
  return OpenStorage(url);
}

void ValidateKey(const std::string& key) {
  // Control characters would garble listings and logs; '\\' is a separator elsewhere (an S3
  // key is copied to Windows disks, a URL parser may take it for '/').
  bool valid = !key.empty() && std::none_of(key.begin(), key.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '\\';
  });
  for (const auto part : std::views::split(std::string_view(key), '/')) {
    const std::string_view component(part.begin(), part.end());
    valid = valid && !component.empty() && component != "." && component != "..";
  }
  if (!valid) Fail(ExitCode::kUsage, "invalid storage key '{}'", Printable(key));
}

}  // namespace vodctl
