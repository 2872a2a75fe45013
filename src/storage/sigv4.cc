#include "storage/sigv4.h"

#include <algorithm>
#include <ctime>
#include <tuple>

#include "util/hmac.h"
#include "util/sha256.h"
#include "vodctl/error.h"

namespace vodctl::sigv4 {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

bool IsUnreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

std::string Lowercase(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return lower;
}

// Leading and trailing blanks removed and inner runs of spaces collapsed to one, as the
// canonical form asks.
std::string TrimmedValue(std::string_view value) {
  std::string trimmed;
  bool pending_space = false;
  for (const char c : value) {
    if (c == ' ' || c == '\t') {
      pending_space = !trimmed.empty();
      continue;
    }
    if (pending_space) trimmed += ' ';
    pending_space = false;
    trimmed += c;
  }
  return trimmed;
}

std::string CredentialScope(std::string_view amz_date, std::string_view region,
                            std::string_view service) {
  return fmt::format("{}/{}/{}/aws4_request", amz_date.substr(0, 8), region, service);
}

// The headers as signed: lowercase names in order, trimmed values.
std::vector<Header> CanonicalHeaders(const std::vector<Header>& headers) {
  std::vector<Header> canonical;
  for (const Header& header : headers) {
    canonical.push_back({Lowercase(header.name), TrimmedValue(header.value)});
  }
  std::sort(canonical.begin(), canonical.end(),
            [](const Header& a, const Header& b) { return a.name < b.name; });
  return canonical;
}

std::string SignedHeaderNames(const std::vector<Header>& canonical_headers) {
  std::string names;
  for (const Header& header : canonical_headers) {
    if (!names.empty()) names += ';';
    names += header.name;
  }
  return names;
}

}  // namespace

std::string UriEncode(std::string_view text, bool keep_slash) {
  std::string encoded;
  for (const char c : text) {
    if (IsUnreserved(c) || (keep_slash && c == '/')) {
      encoded += c;
    } else {
      encoded += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    }
  }
  return encoded;
}

std::string CanonicalQueryString(const std::vector<QueryParam>& query) {
  std::vector<QueryParam> encoded;
  for (const QueryParam& param : query) {
    encoded.push_back({UriEncode(param.name, false), UriEncode(param.value, false)});
  }
  std::sort(encoded.begin(), encoded.end(), [](const QueryParam& a, const QueryParam& b) {
    return std::tie(a.name, a.value) < std::tie(b.name, b.value);
  });
  std::string joined;
  for (const QueryParam& param : encoded) {
    if (!joined.empty()) joined += '&';
    joined += param.name + '=' + param.value;
  }
  return joined;
}

std::string CanonicalRequest(const Request& request) {
  const std::vector<Header> headers = CanonicalHeaders(request.headers);
  std::string header_lines;
  for (const Header& header : headers) header_lines += header.name + ':' + header.value + '\n';
  const std::string path = request.path.empty() ? "/" : UriEncode(request.path, true);
  return fmt::format("{}\n{}\n{}\n{}\n{}\n{}", request.method, path,
                     CanonicalQueryString(request.query), header_lines, SignedHeaderNames(headers),
                     request.payload_hash);
}

std::string AmzDate(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc;
  gmtime_r(&seconds, &utc);
  char text[sizeof("20130524T000000Z")];
  std::strftime(text, sizeof(text), "%Y%m%dT%H%M%SZ", &utc);
  return text;
}

std::string StringToSign(std::string_view amz_date, std::string_view region,
                         std::string_view service, std::string_view canonical_request) {
  return fmt::format("{}\n{}\n{}\n{}", kAlgorithm, amz_date,
                     CredentialScope(amz_date, region, service), Sha256::Of(canonical_request));
}

std::string Sign(Request& request, const Credentials& credentials, std::string_view region,
                 std::string_view service, std::string_view amz_date) {
  request.headers.push_back({"x-amz-date", std::string(amz_date)});
  if (service == "s3") request.headers.push_back({"x-amz-content-sha256", request.payload_hash});
  if (!credentials.session_token.empty()) {
    request.headers.push_back({"x-amz-security-token", credentials.session_token});
  }
  const std::string date(amz_date.substr(0, 8));
  const std::string signing_key =
      HmacSha256(HmacSha256(HmacSha256(HmacSha256("AWS4" + credentials.secret_access_key, date),
                                       region),
                            service),
                 "aws4_request");
  const std::string signature = HexEncode(HmacSha256(
      signing_key, StringToSign(amz_date, region, service, CanonicalRequest(request))));
  return fmt::format("{} Credential={}/{},SignedHeaders={},Signature={}", kAlgorithm,
                     credentials.access_key_id, CredentialScope(amz_date, region, service),
                     SignedHeaderNames(CanonicalHeaders(request.headers)), signature);
}

}  // namespace vodctl::sigv4
