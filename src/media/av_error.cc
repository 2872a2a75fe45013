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

FramePtr SharePicture(const AVFrame* picture) {
  FramePtr shared = MakeFrame();
  shared->format = picture->format;
  shared->width = picture->width;
  shared->height = picture->height;
  for (int i = 0; i < AV_NUM_DATA_POINTERS; ++i) {
    shared->data[i] = picture->data[i];
    shared->linesize[i] = picture->linesize[i];
    if (picture->buf[i]) {
      shared->buf[i] = av_buffer_ref(picture->buf[i]);
      if (!shared->buf[i]) throw std::bad_alloc();
    }
  }
  return shared;
}

}  // namespace vodctl::media
