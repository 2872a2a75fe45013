// libcurl behind RAII, and the one HTTP exchange S3 needs: a request with its headers, a body
// streamed from the caller, and the status, headers and body of the response, the body
// streamed to the caller when the request succeeded.
#pragma once

#include <curl/curl.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vodctl {

// Owns a CURL*: the only place curl_easy_cleanup is called.
class CurlEasy {
 public:
  CurlEasy();
  ~CurlEasy();
  CurlEasy(const CurlEasy&) = delete;
  CurlEasy& operator=(const CurlEasy&) = delete;

  CURL* get() const { return handle_; }

 private:
  CURL* handle_;
};

// Owns a curl_slist of header lines ("Name: value").
class CurlHeaderList {
 public:
  CurlHeaderList() = default;
  ~CurlHeaderList();
  CurlHeaderList(const CurlHeaderList&) = delete;
  CurlHeaderList& operator=(const CurlHeaderList&) = delete;

  void Append(const std::string& line);
  curl_slist* get() const { return list_; }

 private:
  curl_slist* list_ = nullptr;
};

// A request body, read from its start by every attempt. Errors are thrown (vodctl::Error)
// and come out of Perform().
class BodySource {
 public:
  virtual ~BodySource() = default;
  virtual int64_t size() const = 0;
  virtual void Rewind() = 0;
  virtual size_t Read(char* buffer, size_t capacity) = 0;  // 0 at the end
};

// A body held in memory (a small XML document, a webhook's JSON); the bytes must outlive it.
class StringBody : public BodySource {
 public:
  explicit StringBody(std::string_view bytes) : bytes_(bytes) {}
  int64_t size() const override { return static_cast<int64_t>(bytes_.size()); }
  void Rewind() override { position_ = 0; }
  size_t Read(char* buffer, size_t capacity) override;

 private:
  std::string_view bytes_;
  size_t position_ = 0;
};

// Where the body of a successful (2xx) response goes, from its start on every attempt.
class BodySink {
 public:
  virtual ~BodySink() = default;
  virtual void Reset() = 0;
  virtual void Append(std::string_view bytes) = 0;
};

struct HttpRequest {
  std::string method;  // GET, HEAD, PUT, POST or DELETE
  std::string url;     // sent exactly as given, already percent-encoded
  std::vector<std::string> headers;  // "Name: value"
  BodySource* body = nullptr;        // PUT and POST; Content-Length is its size
  BodySink* sink = nullptr;  // receives a 2xx body; without it, or for other statuses, the
                             // body is kept in HttpResponse::body
  // The whole exchange must end within this (0: no limit but the stall timeout); one that
  // does not is the transport error CURLE_OPERATION_TIMEDOUT.
  std::chrono::milliseconds timeout{0};
};

struct HttpResponse {
  CURLcode transport = CURLE_OK;  // anything else: no complete HTTP response came back
  std::string transport_error;    // libcurl's description of `transport`
  long status = 0;
  std::map<std::string, std::string> headers;  // names in lowercase
  std::string body;

  std::string Header(const std::string& lowercase_name) const;  // "" when absent
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Transport failures are reported in the response, not thrown. Throws what the body's
  // source or sink threw, and Error(kTempFail) when a stop was requested (util/interrupt.h).
  virtual HttpResponse Perform(const HttpRequest& request) = 0;
};

// Transport failures that another attempt may get past: the network, not the request.
bool IsTransientTransportError(CURLcode code);

// One libcurl handle, so consecutive requests reuse its connections. Not thread-safe. TLS
// peers are always verified, against the authorities in `ca_bundle` (a PEM file) if given,
// else the system's.
class CurlTransport : public HttpTransport {
 public:
  explicit CurlTransport(std::string ca_bundle = "") : ca_bundle_(std::move(ca_bundle)) {}

  HttpResponse Perform(const HttpRequest& request) override;

  // Callable from any thread: ends the transfer in progress now, as a transport error, by
  // shutting its socket down (libcurl polls its own callbacks only about once a second when
  // a peer sends nothing). A webhook sender that is shutting down cuts off a hung receiver.
  void Interrupt();

 private:
  static curl_socket_t OpenSocket(void* self, curlsocktype purpose, curl_sockaddr* address);
  static int CloseSocket(void* self, curl_socket_t socket);

  std::string ca_bundle_;
  std::atomic<curl_socket_t> socket_{CURL_SOCKET_BAD};  // the connection's, while open
  CurlEasy easy_;
};

}  // namespace vodctl
