#include "media/colour.h"

#include "media/av_ptr.h"
#include "media/video_filter.h"

#include <catch2/catch.hpp>

extern "C" {
#include <libavutil/mastering_display_metadata.h>
}

#include <cmath>
#include <cstdint>

namespace vodctl::media {
namespace {

ColourInfo Tagged(std::string primaries, std::string transfer, std::string matrix,
                  std::string range) {
  ColourInfo c;
  c.primaries = std::move(primaries);
  c.transfer = std::move(transfer);
  c.matrix = std::move(matrix);
  c.range = std::move(range);
  return c;
}

ColourInfo Untagged() { return Tagged("unknown", "unknown", "unknown", "unknown"); }

// The 10-bit limited-range code PQ (SMPTE ST 2084) gives a grey of `nits` cd/m².
int PqCode(double nits) {
  const double m1 = 2610.0 / 16384, m2 = 2523.0 / 4096 * 128;
  const double c1 = 3424.0 / 4096, c2 = 2413.0 / 4096 * 32, c3 = 2392.0 / 4096 * 32;
  const double y = std::pow(nits / 10000, m1);
  return static_cast<int>(std::lround(64 + 876 * std::pow((c1 + c2 * y) / (1 + c3 * y), m2)));
}

// The 8-bit luma the colour stage makes of a PQ grey of `nits` cd/m².
int ToneMappedLuma(const ColourPlan& plan, double nits) {
  FramePtr grey = MakeFrame();
  grey->format = AV_PIX_FMT_YUV420P10LE;
  grey->width = 16;
  grey->height = 16;
  REQUIRE(av_frame_get_buffer(grey.get(), 0) == 0);
  for (int plane = 0; plane < 3; ++plane) {
    const int size = plane == 0 ? 16 : 8;
    const auto value = static_cast<uint16_t>(plane == 0 ? PqCode(nits) : 512);
    for (int y = 0; y < size; ++y) {
      auto* row = reinterpret_cast<uint16_t*>(grey->data[plane] + y * grey->linesize[plane]);
      std::fill(row, row + size, value);
    }
  }
  VideoFilter filter(plan.filter, AVRational{1, 25}, "test");
  filter.Send(grey.get());
  filter.Send(nullptr);
  FramePtr out = MakeFrame();
  REQUIRE(filter.Receive(out.get()));
  REQUIRE(out->format == AV_PIX_FMT_YUV420P);
  return out->data[0][8 * out->linesize[0] + 8];
}

}  // namespace

TEST_CASE("A BT.709 limited-range source goes through no colour filter", "[colour]") {
  for (const char* transfer : {"bt709", "smpte170m", "bt2020-10"}) {
    const ColourPlan plan = PlanColour(Tagged("bt709", transfer, "bt709", "tv"), 1080);
    CHECK(plan.filter.empty());
    CHECK(plan.summary == "none");
    CHECK_FALSE(plan.hdr);
  }
}

TEST_CASE("An untagged source is read as players read it", "[colour]") {
  SECTION("720 lines and up: BT.709, nothing to do") {
    const ColourPlan plan = PlanColour(Untagged(), 720);
    CHECK(plan.as_read == Tagged("bt709", "bt709", "bt709", "tv"));
    CHECK(plan.filter.empty());
  }
  SECTION("below 720 lines: BT.601's matrix, converted") {
    const ColourPlan plan = PlanColour(Untagged(), 480);
    CHECK(plan.as_read == Tagged("bt709", "bt709", "smpte170m", "tv"));
    CHECK(plan.filter ==
          "zscale=f=spline36:pin=bt709:tin=bt709:min=smpte170m:rin=tv:"
          "p=bt709:t=bt709:m=bt709:r=tv:c=left,format=yuv420p");
    CHECK(plan.summary == "converted bt709/bt709/smpte170m tv to bt709/bt709/bt709 tv");
  }
}

TEST_CASE("BT.601, BT.2020 and full-range sources are converted, not relabelled", "[colour]") {
  CHECK(PlanColour(Tagged("smpte170m", "smpte170m", "smpte170m", "tv"), 480).filter ==
        "zscale=f=spline36:pin=smpte170m:tin=smpte170m:min=smpte170m:rin=tv:"
        "p=bt709:t=bt709:m=bt709:r=tv:c=left,format=yuv420p");
  CHECK(PlanColour(Tagged("bt2020", "bt2020-10", "bt2020nc", "tv"), 2160).summary ==
        "converted bt2020/bt2020-10/bt2020nc tv to bt709/bt709/bt709 tv");
  ColourInfo full = Tagged("bt709", "bt709", "bt709", "pc");
  full.chroma_location = "center";
  CHECK(PlanColour(full, 1080).filter ==
        "zscale=f=spline36:pin=bt709:tin=bt709:min=bt709:rin=pc:cin=center:"
        "p=bt709:t=bt709:m=bt709:r=tv:c=left,format=yuv420p");
}

TEST_CASE("HDR is tone-mapped from reference white, to the content's peak", "[colour]") {
  SECTION("HLG: its nominal 1000 cd/m² display") {
    const ColourPlan plan = PlanColour(Tagged("bt2020", "arib-std-b67", "bt2020nc", "tv"), 1080);
    CHECK(plan.hdr);
    CHECK(plan.peak == 1000);
    CHECK(plan.filter ==
          "zscale=f=spline36:pin=bt2020:tin=arib-std-b67:min=bt2020nc:rin=tv:"
          "p=bt709:t=linear:npl=203,format=gbrpf32le,"
          "tonemap=tonemap=mobius:param=0.8:desat=0:peak=4.926108374384237,"
          "zscale=f=spline36:t=bt709:m=bt709:r=tv:c=left,format=yuv420p");
  }
  SECTION("PQ: MaxCLL first, then the mastering display, then 1000 cd/m²") {
    ColourInfo pq = Tagged("bt2020", "smpte2084", "bt2020nc", "tv");
    CHECK(PlanColour(pq, 2160).peak == 1000);
    pq.mastering_max_luminance = 4000;
    CHECK(PlanColour(pq, 2160).peak == 4000);
    pq.max_cll = 100;  // all of it below SDR white: the curve's peak is reference white
    CHECK(PlanColour(pq, 2160).peak == 203);
    pq.max_cll = 1500;
    const ColourPlan plan = PlanColour(pq, 2160);
    CHECK(plan.peak == 1500);
    CHECK(plan.summary ==
          "tone-mapped bt2020/smpte2084/bt2020nc tv (peak 1500 cd/m², white 203 cd/m²) to "
          "bt709/bt709/bt709 tv");
  }
}

TEST_CASE("Tone mapping keeps SDR levels and rolls highlights off instead of clipping them",
          "[colour]") {
  const ColourPlan plan = PlanColour(Tagged("bt2020", "smpte2084", "bt2020nc", "tv"), 1080);
  // 100 cd/m² is half of reference white, under the knee, so unchanged: 0.49 of SDR white
  // through BT.1886's inverse (display light, gamma 2.4), 16 + 219 * 0.49^(1/2.4).
  CHECK(std::abs(ToneMappedLuma(plan, 100) - 179) <= 1);
  const int white = ToneMappedLuma(plan, 203);
  const int highlights[] = {ToneMappedLuma(plan, 300), ToneMappedLuma(plan, 500),
                            ToneMappedLuma(plan, 1000)};
  CHECK(std::abs(white - 226) <= 1);  // reference white: 0.90 of SDR white
  CHECK(highlights[0] > white);
  CHECK(highlights[1] > highlights[0]);
  CHECK(highlights[2] > highlights[1]);
  CHECK(highlights[2] == 235);  // the peak is SDR white
}

TEST_CASE("A stream's colour is read in FFmpeg's names; RGB has no matrix", "[colour]") {
  std::unique_ptr<AVFormatContext, void (*)(AVFormatContext*)> format(avformat_alloc_context(),
                                                                      avformat_free_context);
  REQUIRE(format);
  AVStream* stream = avformat_new_stream(format.get(), nullptr);
  REQUIRE(stream);
  AVCodecParameters& p = *stream->codecpar;
  p.codec_type = AVMEDIA_TYPE_VIDEO;
  p.format = AV_PIX_FMT_YUV420P10LE;
  p.color_primaries = AVCOL_PRI_BT2020;
  p.color_trc = AVCOL_TRC_ARIB_STD_B67;
  p.color_space = AVCOL_SPC_BT2020_NCL;
  p.chroma_location = AVCHROMA_LOC_TOPLEFT;
  ColourInfo hlg = Tagged("bt2020", "arib-std-b67", "bt2020nc", "unknown");
  hlg.chroma_location = "topleft";
  CHECK(ReadColour(*stream) == hlg);
  p.format = AV_PIX_FMT_YUVJ420P;  // full range by its format, no flag needed
  CHECK(ReadColour(*stream).range == "pc");
  // An untagged RGB screen recording: converted, not passed to swscale's BT.601.
  p.format = AV_PIX_FMT_RGB24;
  p.color_primaries = AVCOL_PRI_UNSPECIFIED;
  p.color_trc = AVCOL_TRC_UNSPECIFIED;
  p.color_space = AVCOL_SPC_UNSPECIFIED;
  const ColourInfo rgb = ReadColour(*stream);
  CHECK(rgb.matrix == "gbr");
  CHECK(rgb.range == "pc");
  CHECK(PlanColour(rgb, 1080).summary == "converted bt709/bt709/gbr pc to bt709/bt709/bt709 tv");
}

TEST_CASE("A PQ picture's SEI fills in the light levels its container lacks", "[colour]") {
  ColourInfo pq = Tagged("bt2020", "smpte2084", "bt2020nc", "tv");
  CHECK(LacksHdrLevels(pq));
  CHECK_FALSE(LacksHdrLevels(Tagged("bt2020", "arib-std-b67", "bt2020nc", "tv")));
  FramePtr picture = MakeFrame();
  AVMasteringDisplayMetadata* mastering =
      av_mastering_display_metadata_create_side_data(picture.get());
  REQUIRE(mastering);
  mastering->has_luminance = 1;
  mastering->max_luminance = AVRational{10000000, 10000};
  mastering->min_luminance = AVRational{50, 10000};
  AVContentLightMetadata* light = av_content_light_metadata_create_side_data(picture.get());
  REQUIRE(light);
  light->MaxCLL = 1200;
  light->MaxFALL = 300;
  SECTION("absent from the container: taken from the picture") {
    ReadHdrLevels(*picture, pq);
    CHECK(pq.mastering_max_luminance == 1000);
    CHECK(pq.mastering_min_luminance == Approx(0.005));
    CHECK(pq.max_cll == 1200);
    CHECK(pq.max_fall == 300);
    CHECK_FALSE(LacksHdrLevels(pq));
  }
  SECTION("stated by the container: kept") {
    pq.max_cll = 800;
    ReadHdrLevels(*picture, pq);
    CHECK(pq.max_cll == 800);
    CHECK(pq.mastering_max_luminance == 1000);
  }
}

}  // namespace vodctl::media
