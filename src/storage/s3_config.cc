#include "storage/s3_config.h"

#include <arpa/inet.h>
#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <initializer_list>
#include <system_error>

#include "vodctl/error.h"
#include "vodctl/storage.h"

namespace vodctl {
namespace {

std::string Lowercase(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return lower;
}

// "127.0.0.1:9000" -> "127.0.0.1", "[::1]:9000" -> "[::1]".
std::string_view HostName(std::string_view authority) {
  if (authority.starts_with('[')) return authority.substr(0, authority.find(']') + 1);
  return authority.substr(0, authority.find(':'));
}

// Such endpoints have no DNS names to put buckets in.
bool IsAddressOrLocalhost(std::string_view host) {
  if (host.starts_with('[') || host == "localhost") return true;
  in_addr address;
  return ::inet_pton(AF_INET, std::string(host).c_str(), &address) == 1;
}

// A bucket that can be the first label of a host name, and match a wildcard certificate
// (which rules out dots).
bool IsHostLabel(std::string_view bucket) {
  const auto is_alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  return bucket.size() >= 3 && bucket.size() <= 63 && is_alnum(bucket.front()) &&
         is_alnum(bucket.back()) && std::all_of(bucket.begin(), bucket.end(), [&](char c) {
           return is_alnum(c) || c == '-';
         });
}

std::string EnvValue(const EnvLookup& env, const char* name) {
  const char* value = env(name);
  return value == nullptr ? "" : value;
}

// The whole number in variable `name`, or `fallback` when it is unset. Error(kUsage) when it
// is not a number from `min` to `max`.
int64_t EnvNumber(const EnvLookup& env, const char* name, int64_t fallback, int64_t min,
                  int64_t max) {
  const std::string text = EnvValue(env, name);
  if (text.empty()) return fallback;
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    Fail(ExitCode::kUsage, "{} must be a whole number from {} to {}, not '{}'", name, min, max,
         text);
  }
  return value;
}

// Fills the endpoint fields of `config` from a URL such as "http://127.0.0.1:9000".
void SetEndpoint(S3Config& config, const std::string& endpoint, std::string_view variable) {
  const size_t separator = endpoint.find("://");
  const std::string scheme = Lowercase(endpoint.substr(0, separator));
  if (separator == std::string::npos || (scheme != "http" && scheme != "https")) {
    Fail(ExitCode::kUsage, "{} must be an http:// or https:// URL, not '{}'", variable, endpoint);
  }
  const std::string rest = endpoint.substr(separator + 3);
  const std::string authority = rest.substr(0, rest.find('/'));
  // Credentials belong in AWS_* variables; this one is printed in messages.
  if (authority.find('@') != std::string::npos) {
    Fail(ExitCode::kUsage, "{} must not contain user information", variable);
  }
  const std::string path = rest.substr(authority.size());
  if (authority.empty() || (!path.empty() && path != "/")) {
    Fail(ExitCode::kUsage, "{} must be scheme://host[:port] without a path, not '{}'", variable,
         endpoint);
  }
  config.endpoint_scheme = scheme;
  config.endpoint_host = Lowercase(authority);
}

// The value of `name`, "" when unset; Error(kUsage) naming the choices when it is none of them.
std::string EnvChoice(const EnvLookup& env, const char* name,
                      std::initializer_list<std::string_view> choices) {
  const std::string value = EnvValue(env, name);
  if (value.empty() || std::find(choices.begin(), choices.end(), value) != choices.end()) {
    return value;
  }
  std::string listed;
  for (size_t i = 0; i < choices.size(); ++i) {
    if (i > 0) listed += i + 1 == choices.size() ? " or " : ", ";
    listed += fmt::format("'{}'", choices.begin()[i]);
  }
  Fail(ExitCode::kUsage, "{} must be {}, not '{}'", name, listed, value);
}

S3Addressing AddressingFor(const S3Config& config, const EnvLookup& env) {
  const std::string forced = EnvChoice(env, "VODCTL_S3_ADDRESSING", {"path", "virtual"});
  if (forced == "path") return S3Addressing::kPath;
  if (forced == "virtual") return S3Addressing::kVirtualHosted;
  const bool virtual_hosted = !IsAddressOrLocalhost(HostName(config.endpoint_host)) &&
                              IsHostLabel(config.location.bucket);
  return virtual_hosted ? S3Addressing::kVirtualHosted : S3Addressing::kPath;
}

bool SignPayloads(const S3Config& config, const EnvLookup& env) {
  const std::string signing =
      EnvChoice(env, "VODCTL_S3_PAYLOAD_SIGNING", {"auto", "always", "never"});
  if (signing == "always") return true;
  if (signing == "never") return false;
  return config.endpoint_scheme != "https";  // auto
}

std::map<std::string, std::string>& SettingOverrides() {
  static std::map<std::string, std::string> overrides;
  return overrides;
}

}  // namespace

S3Location ParseS3Url(const std::string& url) {
  if (!url.starts_with(kS3Scheme)) Fail(ExitCode::kUsage, "'{}' is not an s3:// URL", url);
  const std::string rest = url.substr(kS3Scheme.size());
  const size_t slash = rest.find('/');
  S3Location location{rest.substr(0, slash),
                      slash == std::string::npos ? "" : rest.substr(slash + 1)};
  const bool bucket_ok =
      !location.bucket.empty() && location.bucket.size() <= 255 &&
      std::all_of(location.bucket.begin(), location.bucket.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '-' || c == '_';
      });
  if (!bucket_ok) Fail(ExitCode::kUsage, "invalid bucket name in S3 URL '{}'", url);
  while (location.prefix.ends_with('/')) location.prefix.pop_back();
  if (!location.prefix.empty()) {
    try {
      ValidateKey(location.prefix);
    } catch (const Error&) {
      Fail(ExitCode::kUsage, "invalid S3 URL '{}': its path has empty, '.' or '..' parts", url);
    }
    location.prefix += '/';
  }
  return location;
}

std::string CaBundleFor(const EnvLookup& env, const FileExists& exists) {
  for (const char* variable : {"AWS_CA_BUNDLE", "SSL_CERT_FILE"}) {
    std::string value = EnvValue(env, variable);
    if (!value.empty()) return value;
  }
  for (const char* path : kDefaultCaBundles) {
    if (exists(path)) return path;
  }
  return "";
}

S3Config S3ConfigFor(const std::string& url, const EnvLookup& env) {
  S3Config config;
  config.url = url;
  config.location = ParseS3Url(url);
  config.credentials = {EnvValue(env, "AWS_ACCESS_KEY_ID"), EnvValue(env, "AWS_SECRET_ACCESS_KEY"),
                        EnvValue(env, "AWS_SESSION_TOKEN")};
  if (config.credentials.access_key_id.empty() || config.credentials.secret_access_key.empty()) {
    Fail(ExitCode::kUsage, "{} needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", url);
  }
  config.region = EnvValue(env, "AWS_REGION");
  if (config.region.empty()) config.region = EnvValue(env, "AWS_DEFAULT_REGION");
  if (config.region.empty()) config.region = "us-east-1";
  // The service-specific variable wins, as in the AWS SDKs.
  const char* variable =
      EnvValue(env, "AWS_ENDPOINT_URL_S3").empty() ? "AWS_ENDPOINT_URL" : "AWS_ENDPOINT_URL_S3";
  const std::string endpoint = EnvValue(env, variable);
  if (endpoint.empty()) {
    config.endpoint_scheme = "https";
    config.endpoint_host = fmt::format("s3.{}.amazonaws.com", config.region);
  } else {
    SetEndpoint(config, endpoint, variable);
  }
  config.addressing = AddressingFor(config, env);
  config.ca_bundle = CaBundleFor(env, [](const std::string& path) {
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
  });
  config.part_size =
      EnvNumber(env, "VODCTL_S3_PART_SIZE", kS3DefaultPartSize / kMiB,
                kS3MinPartSize / kMiB, kS3MaxPartSize / kMiB) * kMiB;
  config.upload_connections =
      static_cast<int>(EnvNumber(env, "VODCTL_S3_UPLOAD_CONNECTIONS", 4, 1, 64));
  config.sign_payloads = SignPayloads(config, env);
  return config;
}

void SetS3SettingOverrides(std::map<std::string, std::string> overrides) {
  SettingOverrides() = std::move(overrides);
}

std::string S3ObjectUrl(const S3Config& config, std::string_view object_key) {
  return fmt::format("{}{}/{}", kS3Scheme, config.location.bucket, object_key);
}

EnvLookup CommandLineThenEnvironment() {
  return [](const char* name) -> const char* {
    const auto& overrides = SettingOverrides();
    const auto found = overrides.find(name);
    return found != overrides.end() ? found->second.c_str() : std::getenv(name);
  };
}

}  // namespace vodctl
