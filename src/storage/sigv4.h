// AWS Signature Version 4 for request headers, as S3 checks it. The project signs requests
// itself rather than through CURLOPT_AWS_SIGV4, whose rules for paths, queries and headers
// changed between libcurl versions and break S3 requests on Debian 12's 7.88.
//
// Pure functions of their inputs (the clock is the caller's), so they can be checked against
// AWS's published examples.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace vodctl::sigv4 {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
};

struct Header {
  std::string name;
  std::string value;
};

struct QueryParam {
  std::string name;
  std::string value;  // empty for a parameter without value ("?uploads")
};

// What a signature covers.
struct Request {
  std::string method;
  std::string path;               // not encoded yet: "/bucket/my key.mp4"
  std::vector<QueryParam> query;  // not encoded yet
  std::vector<Header> headers;    // every header to sign, Host included
  std::string payload_hash;       // hex SHA-256 of the body, or kUnsignedPayload
};

inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

// Percent-encodes every byte but A-Za-z0-9-_.~ with uppercase hex, keeping '/' when asked:
// S3's canonical form for object key paths (keep_slash) and for query names and values.
std::string UriEncode(std::string_view text, bool keep_slash);

// "a=1&b=&c=%2F": parameters encoded, sorted by name then value. The request's URL must use
// this same string, so what is sent is what was signed.
std::string CanonicalQueryString(const std::vector<QueryParam>& query);

std::string CanonicalRequest(const Request& request);

// "20130524T000000Z".
std::string AmzDate(std::chrono::system_clock::time_point time);

std::string StringToSign(std::string_view amz_date, std::string_view region,
                         std::string_view service, std::string_view canonical_request);

// Adds x-amz-date, x-amz-content-sha256 (service "s3" requires it on every request) and,
// with a session token, x-amz-security-token to request.headers, and returns the value of the
// Authorization header for the result.
std::string Sign(Request& request, const Credentials& credentials, std::string_view region,
                 std::string_view service, std::string_view amz_date);

}  // namespace vodctl::sigv4
