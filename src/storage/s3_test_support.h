// What the S3 unit tests share: a fake environment, canned answers, and an S3Storage talking
// to an in-process fake of the HTTP exchange.
#pragma once

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "storage/s3_storage.h"
#include "test_support.h"
#include "vodctl/error.h"
#include "vodctl/log.h"

namespace vodctl::s3_testing {

using std::chrono::milliseconds;
using testing::TempFolder;

constexpr const char* kAccessKey = "AKIDEXAMPLE";
constexpr const char* kSecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

// ---------------------------------------------------------------------------------------------
// Configuration

inline EnvLookup FakeEnv(std::map<std::string, std::string> variables) {
  return [variables = std::move(variables)](const char* name) -> const char* {
    const auto it = variables.find(name);
    return it == variables.end() ? nullptr : it->second.c_str();
  };
}

inline std::map<std::string, std::string> WithKeys(std::map<std::string, std::string> variables) {
  variables.emplace("AWS_ACCESS_KEY_ID", kAccessKey);
  variables.emplace("AWS_SECRET_ACCESS_KEY", kSecretKey);
  return variables;
}

inline S3Config ConfigWith(std::map<std::string, std::string> variables,
                    const std::string& url = "s3://bucket/out") {
  return S3ConfigFor(url, FakeEnv(WithKeys(std::move(variables))));
}

inline HttpResponse Answer(long status, std::string body = "",
                    std::map<std::string, std::string> headers = {}) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  response.headers = std::move(headers);
  return response;
}

inline HttpResponse TransportFailure(CURLcode code) {
  HttpResponse response;
  response.transport = code;
  response.transport_error = curl_easy_strerror(code);
  return response;
}

inline std::string ErrorDocument(const std::string& code, const std::string& message) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" +
         message + "</Message></Error>";
}

struct Exchange {
  std::string method;
  std::string url;
  std::vector<std::string> headers;
  std::string body;

  std::string Header(const std::string& name) const {
    for (const std::string& header : headers) {
      if (header.starts_with(name + ": ")) return header.substr(name.size() + 2);
    }
    return "";
  }
};

// Answers requests with `answer` and remembers them. Multipart uploads send from several
// threads: `answer` runs on each, unlocked.
struct FakeServer {
  std::function<HttpResponse(const Exchange&)> answer;
  std::mutex mutex;  // guards exchanges
  std::vector<Exchange> exchanges;
  std::vector<milliseconds> sleeps;
};

class FakeTransport : public HttpTransport {
 public:
  explicit FakeTransport(FakeServer& server) : server_(server) {}

  HttpResponse Perform(const HttpRequest& request) override {
    Exchange exchange{request.method, request.url, request.headers, ""};
    if (request.body != nullptr) {
      request.body->Rewind();
      std::vector<char> buffer(1 << 16);
      while (const size_t got = request.body->Read(buffer.data(), buffer.size())) {
        exchange.body.append(buffer.data(), got);
      }
      REQUIRE(static_cast<int64_t>(exchange.body.size()) == request.body->size());
    }
    {
      std::lock_guard lock(server_.mutex);
      server_.exchanges.push_back(exchange);
    }
    HttpResponse response = server_.answer(exchange);
    if (request.sink != nullptr && response.status / 100 == 2) {
      request.sink->Reset();
      request.sink->Append(std::exchange(response.body, ""));
    }
    return response;
  }

 private:
  FakeServer& server_;
};

constexpr std::string_view kEndpoint = "http://127.0.0.1:9000";
constexpr std::string_view kRoot = "http://127.0.0.1:9000/bucket/pre/";

// Keeps the retry messages of the tests that provoke them off the test output.
class QuietLog {
 public:
  QuietLog() : saved_(log::GetLevel()) { log::SetLevel(log::Level::kQuiet); }
  ~QuietLog() { log::SetLevel(saved_); }
  QuietLog(const QuietLog&) = delete;
  QuietLog& operator=(const QuietLog&) = delete;

 private:
  log::Level saved_;
};

struct FakeS3 {
  explicit FakeS3(RetryPolicy retry = {}, std::map<std::string, std::string> variables = {},
                  const std::string& url = "s3://bucket/pre/",
                  std::optional<PublishPolicy> publish = std::nullopt) {
    S3Storage::Options options;
    options.publish = std::move(publish);
    options.connect = [this] { return std::make_unique<FakeTransport>(server); };
    options.local_folder = local.path();
    options.retry = retry;
    options.sleep = [this](milliseconds delay) { server.sleeps.push_back(delay); };
    variables["AWS_ENDPOINT_URL"] = kEndpoint;
    storage = std::make_unique<S3Storage>(ConfigWith(variables, url),
                                          std::move(options));
  }

  QuietLog quiet;
  FakeServer server;
  TempFolder local;
  std::unique_ptr<S3Storage> storage;
};

// Whether `exchange` stores or removes the marker of a multipart upload (kUploadMarkers).
inline bool IsUploadMarker(const Exchange& exchange) {
  return exchange.url.find("/.vodctl-uploads/") != std::string::npos;
}

inline void CheckNoSecrets(const Error& error) {
  const std::string message = error.what();
  CHECK(message.find(kSecretKey) == std::string::npos);
  CHECK(message.find(kAccessKey) == std::string::npos);
}

inline std::string FileContents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A local file of `size` bytes with a recognisable byte at each MiB.
inline std::string MakeLocalFile(S3Storage& storage, int64_t size) {
  const std::string path = storage.ScratchPath("renditions/720p/full.nut");
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
  REQUIRE(fd >= 0);
  REQUIRE(::ftruncate(fd, size) == 0);
  for (int64_t offset = 0; offset < size; offset += 1 << 20) {
    const char marker = static_cast<char>('a' + offset / (1 << 20) % 26);
    REQUIRE(::pwrite(fd, &marker, 1, offset) == 1);
  }
  ::close(fd);
  return path;
}

}  // namespace vodctl::s3_testing
