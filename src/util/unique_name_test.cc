#include "util/unique_name.h"

#include <unistd.h>

#include <catch2/catch.hpp>

#include <regex>
#include <set>
#include <string>

namespace vodctl {
namespace {

TEST_CASE("UniqueName tells hosts, processes and containers apart, and names within one") {
  const std::string tag = ProcessTag();
  char host[256] = {};
  REQUIRE(::gethostname(host, sizeof host - 1) == 0);
  CHECK(tag.starts_with(HostNameForFiles(host) + "-" + std::to_string(::getpid()) + "-"));
  // Two PID-1 containers on hosts of the same name still differ by the nonce.
  CHECK(std::regex_match(tag, std::regex(R"([A-Za-z0-9._-]+-[0-9]+-[0-9a-f]{16})")));
  CHECK(ProcessTag() == tag);

  std::set<std::string> names;
  for (int i = 0; i < 1000; ++i) {
    const std::string name = UniqueName();
    CHECK(name.starts_with(tag + "-"));
    names.insert(name);
  }
  CHECK(names.size() == 1000);
}

TEST_CASE("HostNameForFiles keeps file names plain and short") {
  CHECK(HostNameForFiles("node-7.cluster") == "node-7.cluster");
  CHECK(HostNameForFiles("a/b c") == "a_b_c");
  CHECK(HostNameForFiles("") == "host");
  CHECK(HostNameForFiles(std::string(100, 'x')).size() == 64);
}

}  // namespace
}  // namespace vodctl
