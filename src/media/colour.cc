#include "media/colour.h"

#include <fmt/format.h>

#include <algorithm>

extern "C" {
#include <libavutil/mastering_display_metadata.h>
#include <libavutil/pixdesc.h>
}

namespace vodctl::media {
namespace {

constexpr std::string_view kUnknown = "unknown";

// FFmpeg's name for a value, or `fallback` for one it has no name for.
std::string NameOr(const char* name, std::string_view fallback) {
  return name ? std::string(name) : std::string(fallback);
}

bool IsFullRangeFormat(int format) {
  switch (format) {
    case AV_PIX_FMT_YUVJ420P:
    case AV_PIX_FMT_YUVJ422P:
    case AV_PIX_FMT_YUVJ444P:
    case AV_PIX_FMT_YUVJ440P:
    case AV_PIX_FMT_YUVJ411P:
      return true;
    default:
      return false;
  }
}

// BT.709, BT.601 (smpte170m) and BT.2020's SDR transfers are the same curve.
bool IsBt709Transfer(std::string_view transfer) {
  return transfer == "bt709" || transfer == "smpte170m" || transfer == "bt2020-10" ||
         transfer == "bt2020-12";
}

bool IsHdrTransfer(std::string_view transfer) {
  return transfer == "smpte2084" || transfer == "arib-std-b67";
}

std::string Describe(const ColourInfo& c) {
  return fmt::format("{}/{}/{} {}", c.primaries, c.transfer, c.matrix, c.range);
}

// The input half of a zscale: what the pictures are, stated rather than left to the frames'
// tags, so an untagged source is read the way the plan says and every chunk alike.
// spline36 resamples the chroma planes, up to 4:4:4 and back: zscale's default, bilinear,
// blurs them (a BT.601 test picture converted comes back at 36.7 dB RGB PSNR with it, 42.4
// with spline36); the luma plane is not resized.
std::string ZscaleInput(const ColourInfo& c) {
  std::string input = fmt::format("f=spline36:pin={}:tin={}:min={}:rin={}", c.primaries,
                                  c.transfer, c.matrix, c.range);
  if (c.chroma_location != "unspecified") input += fmt::format(":cin={}", c.chroma_location);
  return input;
}

// Which level tone mapping keeps as the brightest: what the content reaches (MaxCLL), else
// what it was mastered on, else the nominal 1000 cd/m². HLG is relative to a display whose
// peak is nominally 1000 cd/m², whatever its metadata says. Never below reference white:
// content that stays under SDR white passes the tone curve unchanged.
double HdrPeak(const ColourInfo& c) {
  if (c.transfer == "arib-std-b67") return kDefaultHdrPeak;
  if (c.max_cll > 0) return std::max<double>(c.max_cll, kHdrReferenceWhite);
  if (c.mastering_max_luminance > 0) return std::max(c.mastering_max_luminance, kHdrReferenceWhite);
  return kDefaultHdrPeak;
}

// Mobius keeps linear levels up to a knee unchanged and rolls the rest off towards the peak
// (the shape of BT.2390's EETF, which this FFmpeg's tonemap lacks): SDR-range content of an
// HDR master comes out as it was graded, highlights compressed instead of clipped. The knee
// trades white for highlights. At 0.8 of reference white, reference white comes out at luma
// 226 (0.90 linear) and 300/500/1000 cd/m² at 231/234/235 (a 1000 cd/m² peak); at 0.9 white
// would be 230 but everything from 500 cd/m² up 235, clipped in all but name; at 0.7 white
// 221. hable would darken everything, white to 0.39 linear. desat=0: no desaturation of
// highlights, which would shift colours near white.
constexpr double kToneMapKnee = 0.8;

void ReadMastering(const AVMasteringDisplayMetadata& mastering, ColourInfo& c) {
  if (!mastering.has_luminance) return;
  c.mastering_max_luminance = av_q2d(mastering.max_luminance);
  c.mastering_min_luminance = av_q2d(mastering.min_luminance);
}

void ReadLightLevels(const AVContentLightMetadata& light, ColourInfo& c) {
  c.max_cll = static_cast<int>(light.MaxCLL);
  c.max_fall = static_cast<int>(light.MaxFALL);
}

}  // namespace

ColourInfo ReadColour(const AVStream& stream) {
  const AVCodecParameters& p = *stream.codecpar;
  ColourInfo c;
  c.primaries = NameOr(av_color_primaries_name(p.color_primaries), kUnknown);
  c.transfer = NameOr(av_color_transfer_name(p.color_trc), kUnknown);
  c.matrix = NameOr(av_color_space_name(p.color_space), kUnknown);
  const AVColorRange range = IsFullRangeFormat(p.format) ? AVCOL_RANGE_JPEG : p.color_range;
  c.range = NameOr(av_color_range_name(range), kUnknown);
  // RGB (and palette) pictures have no matrix and full range, whatever the stream says: read
  // as an untagged YUV picture, swscale would give them BT.601's matrix under a BT.709 tag.
  if (const AVPixFmtDescriptor* format = av_pix_fmt_desc_get(static_cast<AVPixelFormat>(p.format));
      format && (format->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL))) {
    c.matrix = "gbr";
    c.range = "pc";
  }
  c.chroma_location = NameOr(av_chroma_location_name(p.chroma_location), "unspecified");
  size_t size = 0;
  if (const uint8_t* data =
          av_stream_get_side_data(&stream, AV_PKT_DATA_MASTERING_DISPLAY_METADATA, &size);
      data && size >= sizeof(AVMasteringDisplayMetadata)) {
    ReadMastering(*reinterpret_cast<const AVMasteringDisplayMetadata*>(data), c);
  }
  if (const uint8_t* data =
          av_stream_get_side_data(&stream, AV_PKT_DATA_CONTENT_LIGHT_LEVEL, &size);
      data && size >= sizeof(AVContentLightMetadata)) {
    ReadLightLevels(*reinterpret_cast<const AVContentLightMetadata*>(data), c);
  }
  return c;
}

bool LacksHdrLevels(const ColourInfo& c) {
  return c.transfer == "smpte2084" && c.max_cll == 0 && c.mastering_max_luminance == 0;
}

void ReadHdrLevels(const AVFrame& picture, ColourInfo& c) {
  const AVFrameSideData* mastering =
      av_frame_get_side_data(&picture, AV_FRAME_DATA_MASTERING_DISPLAY_METADATA);
  if (mastering && c.mastering_max_luminance == 0 &&
      mastering->size >= sizeof(AVMasteringDisplayMetadata)) {
    ReadMastering(*reinterpret_cast<const AVMasteringDisplayMetadata*>(mastering->data), c);
  }
  const AVFrameSideData* light =
      av_frame_get_side_data(&picture, AV_FRAME_DATA_CONTENT_LIGHT_LEVEL);
  if (light && c.max_cll == 0 && light->size >= sizeof(AVContentLightMetadata)) {
    ReadLightLevels(*reinterpret_cast<const AVContentLightMetadata*>(light->data), c);
  }
}

ColourPlan PlanColour(const ColourInfo& source, int height) {
  ColourPlan plan;
  ColourInfo& c = plan.as_read;
  c = source;
  // As players read an untagged picture: BT.601's matrix below 720 lines, BT.709 from 720
  // up; BT.709 primaries and transfer; limited range.
  const bool sd = height < 720;
  if (c.matrix == kUnknown) c.matrix = sd ? "smpte170m" : "bt709";
  if (c.primaries == kUnknown) c.primaries = "bt709";
  if (c.transfer == kUnknown) c.transfer = "bt709";
  if (c.range == kUnknown) c.range = "tv";

  const std::string from = Describe(c);
  plan.hdr = IsHdrTransfer(c.transfer);
  if (plan.hdr) {
    plan.peak = HdrPeak(c);
    // Linear light in BT.709's primaries, float RGB, with 1.0 at HDR reference white, which
    // is where SDR white goes; the tone curve; then BT.709's curve and matrix. (zimg changes
    // the primaries in linear light, so one zscale does both.)
    plan.filter = fmt::format(
        "zscale={}:p=bt709:t=linear:npl={},format=gbrpf32le,"
        "tonemap=tonemap=mobius:param={}:desat=0:peak={},"
        "zscale=f=spline36:t=bt709:m=bt709:r=tv:c=left,format=yuv420p",
        ZscaleInput(c), kHdrReferenceWhite, kToneMapKnee, plan.peak / kHdrReferenceWhite);
    plan.summary =
        fmt::format("tone-mapped {} (peak {} cd/m², white {} cd/m²) to bt709/bt709/bt709 tv",
                    from, plan.peak, kHdrReferenceWhite);
    return plan;
  }
  if (c.primaries == "bt709" && c.matrix == "bt709" && c.range == "tv" &&
      IsBt709Transfer(c.transfer)) {
    plan.summary = "none";  // already what the renditions are: no filter, no cost
    return plan;
  }
  plan.filter = fmt::format("zscale={}:p=bt709:t=bt709:m=bt709:r=tv:c=left,format=yuv420p",
                            ZscaleInput(c));
  plan.summary = fmt::format("converted {} to bt709/bt709/bt709 tv", from);
  return plan;
}

}  // namespace vodctl::media
