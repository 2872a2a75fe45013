#include "notify/redact_url.h"

#include <catch2/catch.hpp>

namespace vodctl::notify {

TEST_CASE("RedactUrl hides the user part and the query, and keeps the rest") {
  CHECK(RedactUrl("https://user:pw@cms.example/hook?token=x&y=2") ==
        "https://***@cms.example/hook?***");
  CHECK(RedactUrl("http://127.0.0.1:8080/hook") == "http://127.0.0.1:8080/hook");
  CHECK(RedactUrl("http://cms.example/a@b") == "http://cms.example/a@b");
  CHECK(RedactUrl("http://cms.example/hook?k=v#top") == "http://cms.example/hook?***#top");
  CHECK(RedactUrl("/local/path") == "/local/path");
}

}  // namespace vodctl::notify
