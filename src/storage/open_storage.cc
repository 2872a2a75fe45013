#include <algorithm>
#include <filesystem>
#include <memory>
#include <ranges>
#include <string>
#include <string_view>
#include <system_error>

#include "storage/local_storage.h"
#include "storage/s3_storage.h"
#include "storage/storage_url.h"
#include "vodctl/error.h"
#include "vodctl/storage.h"

namespace vodctl {
namespace {

namespace fs = std::filesystem;

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

fs::path LocalRoot(const std::string& url) {
  std::error_code error;
  fs::path root = fs::absolute(LocalPathOf(url), error).lexically_normal();
  if (error) Fail(ExitCode::kIoError, "cannot resolve '{}': {}", url, error.message());
  // "out/" normalizes to "out/" with an empty file name; the root is the folder itself.
  if (root.has_relative_path() && !root.has_filename()) root = root.parent_path();
  return root;
}

// `publish`: set for an output.
std::unique_ptr<Storage> Open(const std::string& url, const std::optional<PublishPolicy>& publish) {
  if (url.empty()) Fail(ExitCode::kUsage, "empty storage URL");
  if (url.starts_with("s3://")) return OpenS3Storage(url, publish);
  fs::path root = LocalRoot(url);
  std::error_code error;
  fs::create_directories(root, error);
  if (error) {
    Fail(ExitCode::kIoError, "cannot create output folder '{}': {}", root.string(),
         error.message());
  }
  return std::make_unique<LocalStorage>(std::move(root), publish);
}

}  // namespace

std::unique_ptr<Storage> OpenStorage(const std::string& url) { return Open(url, std::nullopt); }

std::unique_ptr<Storage> OpenOutputStorage(const std::string& url, const PublishPolicy& policy) {
  return Open(url, policy);
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
