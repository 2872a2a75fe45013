#include "pipeline/verify.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "storage/local_storage.h"
#include "test_support.h"

namespace vodctl {
namespace {

using testing::ErrorFrom;
using testing::IsError;
using testing::TempFolder;

constexpr char kMaster[] =
    "#EXTM3U\n"
    "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",NAME=\"Audio\",URI=\"audio/index.m3u8\"\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=1000,AUDIO=\"audio\"\n"
    "720p/index.m3u8\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=1000,AUDIO=\"surround\"\n"
    "../outside/index.m3u8\n";

std::vector<std::string> Problems(const VerifyReport& report) {
  std::vector<std::string> out;
  for (const Violation& v : report.violations) out.push_back(v.file + ": " + v.problem);
  return out;
}

// The walk from the master playlist down, without media: what is missing or malformed.
TEST_CASE("VerifyHls names missing files, URIs outside the output and unknown groups") {
  TempFolder folder;
  LocalStorage output(folder.path());
  output.Write("720p/index.m3u8",
               "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI=\"init.mp4\"\n"
               "#EXTINF:2.000000,\nseg_00000.m4s\n#EXTINF:2.000000,\nhttp://cdn/seg_00001.m4s\n");
  const VerifyReport report = VerifyHls(output, kMaster);
  CHECK(report.playlists == 2);  // master and 720p; audio is missing
  CHECK(report.segments == 2);
  CHECK(Problems(report) ==
        std::vector<std::string>{
            "audio/index.m3u8: missing (listed in master.m3u8)",
            "720p/index.m3u8: no EXT-X-ENDLIST: not a finished VOD playlist",
            "720p/init.mp4: missing (listed in 720p/index.m3u8)",
            "720p/seg_00000.m4s: missing (listed in 720p/index.m3u8)",
            "720p/index.m3u8: URI 'http://cdn/seg_00001.m4s' does not name a file inside the "
            "output",
            "master.m3u8: URI '../outside/index.m3u8' does not name a file inside the output",
            "master.m3u8: variant ../outside/index.m3u8 names AUDIO group 'surround', which has "
            "no EXT-X-MEDIA with a URI"});
}

TEST_CASE("VerifyHls reports a missing or malformed master playlist as a violation") {
  TempFolder folder;
  LocalStorage output(folder.path());
  REQUIRE(Problems(VerifyHls(output)).size() == 1);
  CHECK(VerifyHls(output).violations[0].file == "master.m3u8");
  output.Write(kMasterPlaylistKey, "#EXTM3U\n#EXTINF:2,\na.ts\n");
  CHECK(Problems(VerifyHls(output)) ==
        std::vector<std::string>{"master.m3u8: line 2: a media playlist, not a master playlist"});
}

TEST_CASE("RequireNoViolations makes vodctl's own failing output an internal error") {
  VerifyReport report;
  RequireNoViolations(report, "job 'a'");
  report.violations = {{"720p/seg_00001.m4s", "missing"}, {"master.m3u8", "bad"}};
  CHECK_THAT(ErrorFrom([&] { RequireNoViolations(report, "job 'a'"); }),
             IsError(ExitCode::kSoftware,
                     "job 'a': the output fails verification with 2 "
                     "violation(s), first 720p/seg_00001.m4s: missing"));
}

}  // namespace
}  // namespace vodctl
