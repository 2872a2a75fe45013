#include "util/bounded_queue.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace vodctl {
namespace {

TEST_CASE("BoundedQueue hands items over in order and drains after Close") {
  BoundedQueue<int> queue(2);
  std::vector<int> taken;
  std::thread consumer([&] {
    while (std::optional<int> item = queue.Pop()) taken.push_back(*item);
  });
  for (int i = 0; i < 100; ++i) REQUIRE(queue.Push(i));
  queue.Close();
  consumer.join();
  REQUIRE(taken.size() == 100);
  for (int i = 0; i < 100; ++i) CHECK(taken[i] == i);
}

TEST_CASE("BoundedQueue makes the producer wait while it is full") {
  BoundedQueue<int> queue(2);
  REQUIRE(queue.Push(1));
  REQUIRE(queue.Push(2));
  std::atomic<bool> pushed{false};
  std::thread producer([&] {
    CHECK(queue.Push(3));
    pushed = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK_FALSE(pushed);
  CHECK(queue.Pop() == 1);
  producer.join();
  CHECK(pushed);
}

TEST_CASE("BoundedQueue Cancel releases a blocked producer and consumer") {
  BoundedQueue<int> full(1);
  REQUIRE(full.Push(1));
  std::thread producer([&] { CHECK_FALSE(full.Push(2)); });
  BoundedQueue<int> empty(1);
  std::thread consumer([&] { CHECK_FALSE(empty.Pop().has_value()); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  full.Cancel();
  empty.Cancel();
  producer.join();
  consumer.join();
  CHECK_FALSE(full.Pop().has_value());  // queued items are dropped too
}

}  // namespace
}  // namespace vodctl
