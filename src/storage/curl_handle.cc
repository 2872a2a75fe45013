#include "storage/curl_handle.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <exception>
#include <mutex>
#include <new>

#include "util/interrupt.h"
#include "vodctl/error.h"

namespace vodctl {
namespace {

// A connection that cannot be made in this time is retried by the caller.
constexpr long kConnectTimeoutSeconds = 10;
// A transfer that moves nothing for this long is dead even if the socket is not.
constexpr long kStallSeconds = 60;
// libcurl's defaults (16 kB in, 64 kB out) cost a callback and a system call every few
// packets at loopback speed (the curl tool itself reads 100 kB at a time); with these, 500 MB
// went up about 15% and down about 10% faster against the Swift test server
// (scripts/bench.sh s3). A connection holds one of each.
constexpr long kReceiveBufferBytes = 256 << 10;
constexpr long kUploadBufferBytes = 1 << 20;

// What the callbacks share for one Perform(). They must not throw through libcurl's C
// frames, so they park an exception here and Perform() rethrows it.
struct Exchange {
  const HttpRequest& request;
  HttpResponse& response;
  CURL* handle;
  std::exception_ptr error;
};

std::string_view Trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' ||
                           text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return text;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto& exchange = *static_cast<Exchange*>(user);
  const std::string_view line(data, size * count);
  // A status line starts a new header block: a "100 Continue" one is not the answer.
  if (line.starts_with("HTTP/")) {
    exchange.response.headers.clear();
    return line.size();
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return line.size();
  std::string name(Trimmed(line.substr(0, colon)));
  for (char& c : name) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  exchange.response.headers[std::move(name)] = std::string(Trimmed(line.substr(colon + 1)));
  return line.size();
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto& exchange = *static_cast<Exchange*>(user);
  const std::string_view bytes(data, size * count);
  try {
    long status = 0;
    curl_easy_getinfo(exchange.handle, CURLINFO_RESPONSE_CODE, &status);
    if (exchange.request.sink != nullptr && status / 100 == 2) {
      exchange.request.sink->Append(bytes);
    } else {
      exchange.response.body.append(bytes);
    }
    return bytes.size();
  } catch (...) {
    exchange.error = std::current_exception();
    return CURL_WRITEFUNC_ERROR;
  }
}

size_t OnRead(char* buffer, size_t size, size_t count, void* user) {
  auto& exchange = *static_cast<Exchange*>(user);
  try {
    return exchange.request.body->Read(buffer, size * count);
  } catch (...) {
    exchange.error = std::current_exception();
    return CURL_READFUNC_ABORT;
  }
}

// libcurl rewinds an upload to resend it, e.g. when a kept-alive connection turned out dead.
int OnSeek(void* user, curl_off_t offset, int origin) {
  auto& exchange = *static_cast<Exchange*>(user);
  if (offset != 0 || origin != SEEK_SET) return CURL_SEEKFUNC_CANTSEEK;
  try {
    exchange.request.body->Rewind();
    return CURL_SEEKFUNC_OK;
  } catch (...) {
    exchange.error = std::current_exception();
    return CURL_SEEKFUNC_FAIL;
  }
}

// A stop request (a signal, a lost lease) ends a long transfer instead of waiting it out.
int OnProgress(void*, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return StopRequested() ? 1 : 0;
}

}  // namespace

CurlEasy::CurlEasy() {
  // curl_easy_init() would initialise libcurl implicitly, but not safely from two threads.
  static std::once_flag global_init;
  std::call_once(global_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  handle_ = curl_easy_init();
  if (handle_ == nullptr) throw std::bad_alloc();
}

CurlEasy::~CurlEasy() { curl_easy_cleanup(handle_); }

CurlHeaderList::~CurlHeaderList() { curl_slist_free_all(list_); }

void CurlHeaderList::Append(const std::string& line) {
  curl_slist* appended = curl_slist_append(list_, line.c_str());
  if (appended == nullptr) throw std::bad_alloc();
  list_ = appended;
}

bool IsTransientTransportError(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

size_t StringBody::Read(char* buffer, size_t capacity) {
  const size_t count = std::min(capacity, bytes_.size() - position_);
  std::memcpy(buffer, bytes_.data() + position_, count);
  position_ += count;
  return count;
}

std::string HttpResponse::Header(const std::string& lowercase_name) const {
  const auto it = headers.find(lowercase_name);
  return it == headers.end() ? "" : it->second;
}

curl_socket_t CurlTransport::OpenSocket(void* self, curlsocktype, curl_sockaddr* address) {
  const curl_socket_t opened = ::socket(address->family, address->socktype, address->protocol);
  if (opened != CURL_SOCKET_BAD) static_cast<CurlTransport*>(self)->socket_ = opened;
  return opened;
}

int CurlTransport::CloseSocket(void* self, curl_socket_t socket) {
  auto& transport = *static_cast<CurlTransport*>(self);
  curl_socket_t expected = socket;
  transport.socket_.compare_exchange_strong(expected, CURL_SOCKET_BAD);
  return ::close(socket);
}

void CurlTransport::Interrupt() {
  // shutdown(), not close(): the descriptor stays libcurl's to close, and cannot be reused
  // for another file meanwhile.
  const curl_socket_t socket = socket_.load();
  if (socket != CURL_SOCKET_BAD) ::shutdown(socket, SHUT_RDWR);
}

HttpResponse CurlTransport::Perform(const HttpRequest& request) {
  CURL* handle = easy_.get();
  // Clears the previous request's options but keeps its connections and DNS cache.
  curl_easy_reset(handle);
  HttpResponse response;
  Exchange exchange{request, response, handle, nullptr};

  CurlHeaderList headers;
  for (const std::string& header : request.headers) headers.Append(header);
  // The 100-continue handshake costs every upload a round trip, or a second's wait on servers
  // that ignore it; a rejected upload is cheap to repeat.
  headers.Append("Expect:");

  char error_text[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(handle, CURLOPT_URL, request.url.c_str());
  // The path must reach the server exactly as it was signed.
  curl_easy_setopt(handle, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(handle, CURLOPT_USERAGENT, "vodctl/" VODCTL_VERSION);
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_text);
  if (!ca_bundle_.empty()) curl_easy_setopt(handle, CURLOPT_CAINFO, ca_bundle_.c_str());
  // Timeouts by signal do not mix with threads.
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT, kConnectTimeoutSeconds);
  curl_easy_setopt(handle, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(handle, CURLOPT_LOW_SPEED_TIME, kStallSeconds);
  curl_easy_setopt(handle, CURLOPT_BUFFERSIZE, kReceiveBufferBytes);
  curl_easy_setopt(handle, CURLOPT_UPLOAD_BUFFERSIZE, kUploadBufferBytes);
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, &exchange);
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &exchange);
  curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, OnProgress);
  curl_easy_setopt(handle, CURLOPT_OPENSOCKETFUNCTION, OpenSocket);
  curl_easy_setopt(handle, CURLOPT_OPENSOCKETDATA, this);
  curl_easy_setopt(handle, CURLOPT_CLOSESOCKETFUNCTION, CloseSocket);
  curl_easy_setopt(handle, CURLOPT_CLOSESOCKETDATA, this);
  if (request.timeout.count() > 0) {
    curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  }

  if (request.method == "HEAD") {
    curl_easy_setopt(handle, CURLOPT_NOBODY, 1L);
  } else if (request.body != nullptr) {
    request.body->Rewind();
    curl_easy_setopt(handle, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t{request.body->size()});
    curl_easy_setopt(handle, CURLOPT_READFUNCTION, OnRead);
    curl_easy_setopt(handle, CURLOPT_READDATA, &exchange);
    curl_easy_setopt(handle, CURLOPT_SEEKFUNCTION, OnSeek);
    curl_easy_setopt(handle, CURLOPT_SEEKDATA, &exchange);
    // An upload is a PUT to libcurl; POST keeps the same body handling under its own name.
    if (request.method != "PUT") {
      curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
  } else if (request.method != "GET") {
    curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  if (request.sink != nullptr) request.sink->Reset();

  const CURLcode code = curl_easy_perform(handle);
  if (exchange.error) std::rethrow_exception(exchange.error);
  if (code == CURLE_ABORTED_BY_CALLBACK) ThrowIfStopRequested(request.method + " " + request.url);
  if (code != CURLE_OK) {
    response.transport = code;
    response.transport_error = error_text[0] != '\0' ? error_text : curl_easy_strerror(code);
    return response;
  }
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

}  // namespace vodctl
