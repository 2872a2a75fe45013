#include "storage/storage_url.h"

#include <catch2/catch.hpp>

#include <string>

#include "test_support.h"
#include "vodctl/error.h"

namespace vodctl {
namespace {

using testing::ErrorFrom;

TEST_CASE("LocalPathOf takes paths as given and decodes file URLs") {
  CHECK(LocalPathOf("out/x") == "out/x");
  CHECK(LocalPathOf("./a://b") == "./a://b");  // not a scheme: a path with a colon
  CHECK(LocalPathOf("/abs/out") == "/abs/out");
  CHECK(LocalPathOf("file:///srv/with%20space") == "/srv/with space");
  CHECK(LocalPathOf("FILE:///srv/%C3%A9t%c3%a9") == "/srv/\xc3\xa9t\xc3\xa9");
}

TEST_CASE("LocalPathOf refuses other schemes, hosts and bad escapes") {
  for (const std::string url : {"file://host/out", "file:///out%2", "file:///out%zz",
                                "file:///a%00b", "file:///a%", "http://example.com/x"}) {
    INFO(url);
    CHECK(ErrorFrom([&] { LocalPathOf(url); }).code() == ExitCode::kUsage);
  }
}

}  // namespace
}  // namespace vodctl
