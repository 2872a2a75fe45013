#include "pipeline/result_document.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

namespace vodctl {

TEST_CASE("ResultDocument describes the source, every rendition and where things are") {
  ResultOutputs outputs;
  outputs.source.format = "mov,mp4,m4a,3gp,3g2,mj2";
  outputs.source.duration = 4;
  outputs.source.size = 1000;
  VideoInfo& video = outputs.source.video;
  video.stream_index = 0;
  video.codec = "h264";
  video.width = 320;
  video.height = 180;
  video.frame_rate = {25, 1};
  video.frame_count = 100;
  AudioInfo audio;
  audio.stream_index = 1;
  audio.codec = "aac";
  audio.sample_rate = 48000;
  audio.channels = 2;
  audio.language = "eng";
  outputs.source.audio = audio;
  outputs.segment_format = "fmp4";
  outputs.renditions.push_back(
      {{"180p", "180p/index.m3u8", "avc1.42c00c", 2, 5000, 4.0, 20000, 10000},
       "avc1.42c00c,mp4a.40.2", 320, 180, 25, 28000, 16000, "180p/iframes.m3u8"});
  outputs.audio.push_back(
      {{"Audio", "audio/index.m3u8", "mp4a.40.2", 2, 3000, 4.0, 8000, 6000}, "eng", 2, 48000,
       {{"gain_db", -3.5}}});
  outputs.master_playlist = "master.m3u8";
  const nlohmann::json document = ResultDocument(outputs, "1.2.3");

  CHECK(document["schema_version"] == kResultSchemaVersion);
  CHECK(document["vodctl_version"] == "1.2.3");
  CHECK(document["source"]["size"] == 1000);
  CHECK(document["source"]["streams"].size() == 2);
  CHECK(document["source"]["streams"][0]["frame_rate"]["value"] == 25.0);
  CHECK(document["source"]["streams"][1]["layout"] == "stereo");
  CHECK(document["renditions"][0]["codecs"] == "avc1.42c00c,mp4a.40.2");
  CHECK(document["renditions"][0]["segments"] == 2);
  CHECK(document["audio"][0]["language"] == "eng");
  CHECK(document["audio"][0]["loudness"]["gain_db"] == -3.5);
  CHECK(document["dash_manifest"].is_null());
  CHECK_FALSE(document.contains("job_id"));  // the output must not depend on the job's ID
}

TEST_CASE("ChannelLayoutName names the usual layouts") {
  CHECK(ChannelLayoutName(1) == "mono");
  CHECK(ChannelLayoutName(6) == "5.1");
  CHECK(ChannelLayoutName(3) == "3 channels");
}

}  // namespace vodctl
