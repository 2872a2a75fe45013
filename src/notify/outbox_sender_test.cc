#include "notify/outbox_sender.h"

#include "notify/signature.h"
#include "vodctl/state_store.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "test_support.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace vodctl::notify {
namespace {

using namespace std::chrono_literals;

// An HTTP/1.1 receiver on 127.0.0.1 that answers request N with status(N), or never when
// that is 0. Only what the sender needs: Content-Length bodies, kept-alive connections.
class TestReceiver {
 public:
  explicit TestReceiver(std::function<int(int)> status) : status_(std::move(status)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(listener_, 8) == 0);
    socklen_t length = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    url_ = "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/hook";
    thread_ = std::thread([this] { Serve(); });
  }
  ~TestReceiver() {
    stopping_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    {
      std::lock_guard lock(mutex_);
      for (int connection : connections_) ::shutdown(connection, SHUT_RDWR);
    }
    thread_.join();
    for (std::thread& worker : workers_) worker.join();
    ::close(listener_);
  }

  const std::string& url() const { return url_; }
  std::vector<std::pair<std::string, std::string>> requests() {  // (signature, body)
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  void Serve() {
    while (!stopping_) {
      const int connection = ::accept(listener_, nullptr, nullptr);
      if (connection < 0) return;
      std::lock_guard lock(mutex_);
      connections_.push_back(connection);
      workers_.emplace_back([this, connection] { Talk(connection); });
    }
  }

  void Talk(int connection) {
    std::string buffer;
    char chunk[4096];
    while (true) {
      size_t head_end;
      while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos) {
        const ssize_t got = ::read(connection, chunk, sizeof chunk);
        if (got <= 0) return Close(connection);
        buffer.append(chunk, static_cast<size_t>(got));
      }
      const std::string head = buffer.substr(0, head_end);
      const size_t length_at = head.find("Content-Length: ");
      const size_t length = std::stoul(head.substr(length_at + 16));
      while (buffer.size() < head_end + 4 + length) {
        const ssize_t got = ::read(connection, chunk, sizeof chunk);
        if (got <= 0) return Close(connection);
        buffer.append(chunk, static_cast<size_t>(got));
      }
      const size_t signature_at = head.find("Vodctl-Signature: ");
      const std::string signature =
          head.substr(signature_at + 18, head.find("\r\n", signature_at) - signature_at - 18);
      int number = 0;
      {
        std::lock_guard lock(mutex_);
        number = static_cast<int>(requests_.size());
        requests_.emplace_back(signature, buffer.substr(head_end + 4, length));
      }
      buffer.erase(0, head_end + 4 + length);
      const int status = status_(number);
      if (status == 0) {  // hangs until the sender gives up on it
        while (::read(connection, chunk, sizeof chunk) > 0) {
        }
        return Close(connection);
      }
      const std::string answer =
          "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: 0\r\n\r\n";
      if (::write(connection, answer.data(), answer.size()) < 0) return Close(connection);
    }
  }

  void Close(int connection) {
    std::lock_guard lock(mutex_);
    ::close(connection);
    std::erase(connections_, connection);
  }

  std::function<int(int)> status_;
  int listener_ = -1;
  std::string url_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::vector<int> connections_;
  std::vector<std::pair<std::string, std::string>> requests_;
  std::vector<std::thread> workers_;
  std::thread thread_;
};

struct SenderFixture {
  explicit SenderFixture(const std::string& url) {
    state = OpenSqliteStateStore(db_path);
    NotifyOptions notify;
    notify.urls = {url};
    state->CreateOrCheckJob("j1", "/in.mp4", "/out", JobOptions{}, notify);
    state->SetJobState("j1", JobState::kFailed, "broken", ExitCode::kIoError);
    options.state_path = db_path;
    options.secret = "s3cret";
    options.backoff = {0, 20ms, 100ms};
    options.finish_grace = 200ms;
  }

  std::vector<std::string> Bodies() {
    std::vector<std::string> bodies;
    for (const OutboxEvent& event : state->ListOutbox("j1", 0, 0)) bodies.push_back(event.body);
    return bodies;
  }

  testing::TempFolder folder;
  std::string db_path = (folder.path() / "state.db").string();
  std::unique_ptr<StateStore> state;
  SenderOptions options;
};

}  // namespace

TEST_CASE("OutboxSender delivers the job's events in order, signed, retrying a 503") {
  TestReceiver receiver([](int n) { return n == 0 ? 503 : 200; });
  SenderFixture f(receiver.url());
  OutboxSender(f.options).Finish();

  const auto requests = receiver.requests();
  REQUIRE(requests.size() == 3);  // job.created twice (503, then 200), then job.failed
  CHECK(requests[0].second == requests[1].second);
  std::vector<std::string> delivered{requests[1].second, requests[2].second};
  CHECK(delivered == f.Bodies());
  for (const auto& [signature, body] : requests) {
    const int64_t t = std::stoll(signature.substr(2, signature.find(',') - 2));
    CHECK(signature == Signature("s3cret", t, body));
  }
  const DeliverySummary summary = f.state->SummariseDeliveries("j1");
  CHECK(summary.delivered == 2);
  CHECK(summary.pending == 0);
}

TEST_CASE("OutboxSender gives a 4xx up and goes on with the next event") {
  TestReceiver receiver([](int n) { return n == 0 ? 410 : 200; });
  SenderFixture f(receiver.url());
  OutboxSender(f.options).Finish();
  CHECK(receiver.requests().size() == 2);
  const DeliverySummary summary = f.state->SummariseDeliveries("j1");
  CHECK(summary.failed == 1);
  CHECK(summary.delivered == 1);
  CHECK_THAT(summary.last_error, Catch::Contains("HTTP 410"));
}

TEST_CASE("OutboxSender cuts a receiver that does not answer off after the grace") {
  TestReceiver receiver([](int) { return 0; });
  SenderFixture f(receiver.url());
  OutboxSender sender(f.options);
  std::this_thread::sleep_for(100ms);  // the first request is waiting on the receiver
  const auto start = std::chrono::steady_clock::now();
  sender.Finish();
  const auto took = std::chrono::steady_clock::now() - start;
  CHECK(took < 400ms);  // what is left of the 200 ms grace, and the cut-off
  CHECK(receiver.requests().size() == 1);
  CHECK(f.state->SummariseDeliveries("j1").pending == 2);  // left for a later process
}

}  // namespace vodctl::notify

namespace vodctl::notify {

TEST_CASE("OutboxSender does not wait at exit for a receiver that refuses connections") {
  std::string url;
  {
    TestReceiver gone([](int) { return 200; });
    url = gone.url();
  }  // closed: its port now refuses
  SenderFixture f(url);
  f.options.backoff = {0, 50ms, 50ms};
  const auto start = std::chrono::steady_clock::now();
  OutboxSender(f.options).Finish();
  CHECK(std::chrono::steady_clock::now() - start < 2s);  // not the 10 s budget
  CHECK(f.state->SummariseDeliveries("j1").pending == 2);
}

}  // namespace vodctl::notify
