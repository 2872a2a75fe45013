#include "storage/s3_storage.h"


#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <mutex>
#include <thread>
#include <atomic>
#include <stdexcept>
#include <string>
#include <vector>

#include "storage/s3_test_support.h"
#include "test_support.h"
#include "util/gzip.h"
#include "util/sha256.h"
#include "vodctl/error.h"
#include "vodctl/log.h"

namespace vodctl {
namespace {

using testing::ErrorFrom;

using testing::IsError;
using testing::TempFolder;
using std::chrono::milliseconds;

namespace fs = std::filesystem;
using namespace s3_testing;

// ---------------------------------------------------------------------------------------------
// S3Storage against an in-process fake of the HTTP exchange

TEST_CASE("An output's objects carry the Cache-Control of their kind, playlists compressed") {
  PublishPolicy policy;
  policy.compress_playlists = true;
  policy.cache_control_playlists = "";  // none sent
  FakeS3 s3({}, {}, "s3://bucket/pre/", policy);
  s3.server.answer = [](const Exchange& exchange) {
    if (exchange.method == "GET") return Answer(200, Gzip("#EXTM3U\n"), {{"content-encoding", "gzip"}});
    return Answer(200);
  };
  s3.storage->Write("720p/seg_0123456789_00000.m4s", "media");
  s3.storage->Write("720p/index.m3u8", "#EXTM3U\n");
  s3.storage->Write("vodctl.json", "{}");
  const Exchange& segment = s3.server.exchanges.at(0);
  CHECK(segment.Header("Content-Type") == "video/iso.segment");
  CHECK(segment.Header("Cache-Control") == PublishPolicy::kDefaultMediaCacheControl);
  CHECK(segment.Header("Content-Encoding").empty());
  CHECK(segment.body == "media");
  const Exchange& playlist = s3.server.exchanges.at(1);
  CHECK(playlist.Header("Content-Type") == "application/vnd.apple.mpegurl");
  CHECK(playlist.Header("Content-Encoding") == "gzip");
  CHECK(playlist.Header("Cache-Control").empty());
  CHECK(Gunzip(playlist.body, "sent") == "#EXTM3U\n");
  // Content-MD5 and the signed payload hash are of the bytes stored: the compressed ones.
  CHECK(playlist.Header("x-amz-content-sha256") == Sha256::Of(playlist.body));
  const Exchange& document = s3.server.exchanges.at(2);
  CHECK(document.Header("Content-Type") == "application/json");
  CHECK(document.Header("Content-Encoding").empty());
  CHECK(document.body == "{}");
  CHECK(s3.storage->Read("720p/index.m3u8") == "#EXTM3U\n");
}

TEST_CASE("Storage that is not an output sends no Cache-Control") {
  FakeS3 s3;
  s3.server.answer = [](const Exchange&) { return Answer(200); };
  s3.storage->Write("chunks/00000.nut", "x");
  CHECK(s3.server.exchanges.at(0).Header("Cache-Control").empty());
}

TEST_CASE("S3Storage writes with both checksums and reads, stats and removes objects") {
  FakeS3 s3;
  s3.server.answer = [](const Exchange& exchange) {
    if (exchange.method == "HEAD") {
      return exchange.url.ends_with("/absent") ? Answer(404)
                                               : Answer(200, "", {{"content-length", "5"}});
    }
    if (exchange.method == "GET") return Answer(200, "hello");
    if (exchange.method == "DELETE") return Answer(204);
    return Answer(200);
  };
  s3.storage->Write("720p/index.m3u8", "hello");
  const Exchange& put = s3.server.exchanges.at(0);
  CHECK(put.method == "PUT");
  CHECK(put.url == std::string(kRoot) + "720p/index.m3u8");
  CHECK(put.body == "hello");
  CHECK(put.Header("Content-MD5") == "XUFAKrxLKna5cZ2REBfFkg==");
  CHECK(put.Header("x-amz-content-sha256") == Sha256::Of("hello"));
  CHECK(put.Header("Content-Type") == "application/vnd.apple.mpegurl");

  CHECK(s3.storage->Read("720p/index.m3u8") == "hello");
  REQUIRE(s3.storage->Stat("a b.m4s").has_value());
  CHECK(s3.storage->Stat("a b.m4s")->size == 5);
  CHECK(s3.server.exchanges.back().url == std::string(kRoot) + "a%20b.m4s");
  CHECK_FALSE(s3.storage->Stat("absent").has_value());
  s3.storage->Remove("absent");
  CHECK(s3.server.exchanges.back().method == "DELETE");
  CHECK(s3.storage->Describe("x/y z") == "s3://bucket/pre/x/y z");
  CHECK(s3.storage->url() == "s3://bucket/pre/");
  CHECK_THROWS_MATCHES(s3.storage->Write("../x", ""), Error,
                       IsError(ExitCode::kUsage, "invalid storage key"));
}

TEST_CASE("S3Storage downloads for local reading once per version of an object") {
  FakeS3 s3;
  std::string etag = "\"v1\"";
  std::string content = "first";
  s3.server.answer = [&](const Exchange& exchange) {
    const std::map<std::string, std::string> headers{
        {"content-length", std::to_string(content.size())}, {"etag", etag}};
    if (exchange.method == "HEAD") return Answer(200, "", headers);
    return Answer(200, content, headers);
  };
  const std::string first = s3.storage->LocalPathForRead("chunks/00001.nut");
  CHECK(first.ends_with(".nut"));
  CHECK(FileContents(first) == "first");
  CHECK(s3.storage->LocalPathForRead("chunks/00001.nut") == first);
  CHECK(s3.server.exchanges.size() == 3);  // HEAD, GET, HEAD

  content = "second";
  etag = "\"v2\"";
  const std::string second = s3.storage->LocalPathForRead("chunks/00001.nut");
  CHECK(FileContents(second) == "second");
  CHECK_FALSE(fs::exists(first));

  // Same size, new content: the ETag tells.
  content = "SECOND";
  etag = "\"v3\"";
  CHECK(FileContents(s3.storage->LocalPathForRead("chunks/00001.nut")) == "SECOND");

  s3.server.answer = [](const Exchange&) { return Answer(404); };
  CHECK_THROWS_MATCHES(s3.storage->LocalPathForRead("gone"), Error,
                       IsError(ExitCode::kNoInput, "missing 's3://bucket/pre/gone'"));
}

TEST_CASE("S3Storage PutFile sends small files in one PUT and removes them") {
  FakeS3 s3;
  s3.server.answer = [](const Exchange&) { return Answer(200); };
  const std::string path = MakeLocalFile(*s3.storage, 3 << 20);
  CHECK(path.ends_with("full.nut"));
  CHECK(fs::path(path).parent_path().parent_path() == s3.local.path());
  s3.storage->PutFile("renditions/720p/full.nut", path);
  REQUIRE(s3.server.exchanges.size() == 1);
  CHECK(s3.server.exchanges[0].method == "PUT");
  CHECK(s3.server.exchanges[0].body.size() == 3u << 20);
  CHECK(s3.server.exchanges[0].Header("x-amz-content-sha256") ==
        Sha256::Of(s3.server.exchanges[0].body));
  CHECK_FALSE(fs::exists(path));
}

TEST_CASE("S3Storage scratch paths are fresh, local, and end like their hint") {
  FakeS3 s3;
  const std::string first = s3.storage->ScratchPath("chunks/00001.nut");
  const std::string second = s3.storage->ScratchPath("chunks/00001.nut");
  CHECK(first != second);
  CHECK(first.ends_with("-00001.nut"));
  CHECK(fs::is_directory(fs::path(first).parent_path()));
  CHECK(s3.storage->ScratchPath(std::string(300, 'x') + ".nut").size() <
        s3.local.path().string().size() + 130);
}

TEST_CASE("S3Storage removes the local folder it made itself") {
  FakeServer server;
  fs::path folder;
  {
    S3Storage::Options options;
    options.connect = [&server] { return std::make_unique<FakeTransport>(server); };
    S3Storage storage(ConfigWith({}), std::move(options));
    folder = fs::path(storage.ScratchPath("x")).parent_path().parent_path();
    CHECK(fs::is_directory(folder));
    CHECK(folder.filename().string().starts_with("vodctl-s3-cache-"));
  }
  CHECK_FALSE(fs::exists(folder));
}

}  // namespace
}  // namespace vodctl
