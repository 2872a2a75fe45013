// Where an s3:// URL points and how to talk to it: bucket and prefix, credentials, endpoint,
// addressing and upload tuning, by AWS conventions and vodctl's own variables.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "storage/sigv4.h"

namespace vodctl {

inline constexpr std::string_view kS3Scheme = "s3://";
inline constexpr int64_t kMiB = int64_t{1} << 20;

// Media files are big: against the Swift test server a 500 MB upload in 16 MiB parts
// took 1.3 times as long as in 64 MiB parts, each part a request and a segment for the
// server to assemble. A failed part costs at most 64 MiB again; memory use does not grow,
// as parts stream from the file.
inline constexpr int64_t kS3DefaultPartSize = int64_t{64} << 20;
inline constexpr int64_t kS3MinPartSize = int64_t{5} << 20;  // S3's own limits
inline constexpr int64_t kS3MaxPartSize = int64_t{5} << 30;

// What an s3:// URL names. Keys in it are taken literally (no percent-decoding).
struct S3Location {
  std::string bucket;
  std::string prefix;  // "" or ending in '/': what the storage's keys are put under
};

// Error(kUsage) for anything but s3://bucket[/prefix].
S3Location ParseS3Url(const std::string& url);

enum class S3Addressing { kPath, kVirtualHosted };

struct S3Config {
  std::string url;  // as given, for messages
  S3Location location;
  sigv4::Credentials credentials;
  std::string region;
  std::string endpoint_scheme;  // "http" or "https"
  std::string endpoint_host;    // "s3.us-east-1.amazonaws.com", "127.0.0.1:9000"
  S3Addressing addressing = S3Addressing::kVirtualHosted;
  std::string ca_bundle;  // PEM file of the TLS authorities to trust; empty: the system's
  int64_t part_size = 0;  // of multipart uploads; 0: kDefaultPartSize
  int upload_connections = 4;  // parts of one multipart upload sent at once
  // Whether what vodctl stores (files, parts of them, bodies in memory) goes up with its SHA-256
  // signed, which costs a pass over it before sending and another in the server, or as
  // UNSIGNED-PAYLOAD, its integrity left to the transport. The small requests that steer
  // uploads and deletes are always signed.
  bool sign_payloads = true;

  std::string endpoint() const { return endpoint_scheme + "://" + endpoint_host; }
};

// Returns the value of an environment variable, or null when it is not set.
using EnvLookup = std::function<const char*(const char*)>;

// The configuration for `url` by AWS conventions: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN, AWS_REGION or AWS_DEFAULT_REGION (us-east-1), AWS_ENDPOINT_URL_S3 or
// AWS_ENDPOINT_URL (https://s3.<region>.amazonaws.com), the CA bundle (see CaBundleFor). Addressing is
// path-style for IP address and localhost endpoints and for buckets that cannot be host
// names, virtual-hosted otherwise; VODCTL_S3_ADDRESSING=path|virtual forces one. Empty
// variables count as unset. VODCTL_S3_PART_SIZE (MiB, 5 to 5120) and
// VODCTL_S3_UPLOAD_CONNECTIONS (1 to 64) tune multipart uploads. VODCTL_S3_PAYLOAD_SIGNING is
// auto (the default: uploads unsigned over https, where TLS already authenticates every byte,
// signed over plain http, as the AWS SDKs do), always or never.
S3Config S3ConfigFor(const std::string& url, const EnvLookup& env);

// Whether a regular file exists at a path (replaced in tests).
using FileExists = std::function<bool(const std::string&)>;

// Where the CA bundle of the usual Linux distributions lives, in the order they are tried.
inline constexpr const char* kDefaultCaBundles[] = {
    "/etc/ssl/certs/ca-certificates.crt",  // Debian, Ubuntu, Arch, Alpine
    "/etc/pki/tls/certs/ca-bundle.crt",    // Fedora, RHEL, CentOS
    "/etc/ssl/cert.pem",                   // Alpine, macOS, some others
};

// The PEM file of the TLS authorities to trust: AWS_CA_BUNDLE (which --ca-bundle sets), else
// SSL_CERT_FILE, else the first of kDefaultCaBundles that exists, else "" (libcurl's own
// default). A static vodctl carries no CA paths of its own build host, so the choice is here.
std::string CaBundleFor(const EnvLookup& env, const FileExists& exists);

// Values given on the command line (--s3-endpoint and friends), by the name of the
// environment variable each stands for; OpenS3Storage takes them over the environment. Set
// before any storage is opened.
void SetS3SettingOverrides(std::map<std::string, std::string> overrides);

// "s3://bucket/<object_key>", how messages name an object (or, with "", the bucket).
std::string S3ObjectUrl(const S3Config& config, std::string_view object_key);

// Looks a setting up among the overrides first, then in the environment.
EnvLookup CommandLineThenEnvironment();

}  // namespace vodctl
