#include "pipeline/purge_list.h"

#include <catch2/catch.hpp>

#include "storage/local_storage.h"
#include "test_support.h"

namespace vodctl {
namespace {

TEST_CASE("The purge list names the fixed-name objects a re-publish changed, and only those") {
  testing::TempFolder folder;
  PublishPolicy compressing;
  compressing.compress_playlists = true;
  LocalStorage output(folder.path(), compressing);
  output.Write("master.m3u8", "#EXTM3U\nold\n");
  output.Write("720p/index.m3u8", "#EXTM3U\nsame\n");
  output.Write("1080p/index.m3u8", "#EXTM3U\ngone from the ladder\n");
  output.Write("vodctl.json", "{}\n");
  output.Write("thumbnails/thumbnails.vtt", "WEBVTT\n");
  output.Write("720p/seg_0123456789_00000.m4s", "media");
  output.Write("thumbnails/sprite_0123456789_00000.jpg", "jpeg");

  const nlohmann::json before = FixedNameObjects(output);
  CHECK(before.size() == 5);  // no media, no .gz twins
  CHECK_FALSE(before.contains("master.m3u8.gz"));
  CHECK_FALSE(before.contains("720p/seg_0123456789_00000.m4s"));

  output.Write("master.m3u8", "#EXTM3U\nnew\n");
  output.Write("720p/index.m3u8", "#EXTM3U\nsame\n");
  output.Write("vodctl.json", "{\"changed\": true}\n");
  output.Write("thumbnails/thumbnails.vtt", "WEBVTT\n\nchanged\n");
  output.Write("720p/seg_abcdef0123_00000.m4s", "new media");  // a new name: nothing to purge
  output.Remove("1080p/index.m3u8");

  CHECK(PurgeList(output, before) ==
        std::vector<std::string>{"master.m3u8", "thumbnails/thumbnails.vtt", "vodctl.json"});
}

TEST_CASE("A first publish has nothing to purge") {
  testing::TempFolder folder;
  LocalStorage output(folder.path());
  const nlohmann::json before = FixedNameObjects(output);
  output.Write("master.m3u8", "#EXTM3U\n");
  CHECK(PurgeList(output, before).empty());
}

}  // namespace
}  // namespace vodctl
