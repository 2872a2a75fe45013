#include "media/av_error.h"

#include "media/av_ptr.h"

namespace vodctl::media {

std::string AvErrorText(int errnum) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(errnum, text, sizeof(text));
  return text;
}

int CheckAv(int ret, ExitCode code, std::string_view context) {
  if (ret < 0) throw Error(code, fmt::format("{}: {}", context, AvErrorText(ret)));
  return ret;
}

PacketPtr MakePacket() {
  PacketPtr packet(av_packet_alloc());
  if (!packet) throw std::bad_alloc();
  return packet;
}

FramePtr MakeFrame() {
  FramePtr frame(av_frame_alloc());
  if (!frame) throw std::bad_alloc();
  return frame;
}

}  // namespace vodctl::media
