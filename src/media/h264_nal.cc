#include "media/h264_nal.h"

namespace vodctl::media {

std::vector<int> NalUnitTypes(std::span<const uint8_t> data, int length_size) {
  std::vector<int> types;
  if (length_size > 0) {
    size_t i = 0;
    while (i + static_cast<size_t>(length_size) < data.size()) {
      size_t length = 0;
      for (int b = 0; b < length_size; ++b) length = (length << 8) | data[i + b];
      i += static_cast<size_t>(length_size);
      if (length == 0 || length > data.size() - i) break;
      types.push_back(data[i] & 0x1f);
      i += length;
    }
    return types;
  }
  // A four-byte start code ends with the three-byte one, so searching for 00 00 01 finds both.
  for (size_t i = 0; i + 3 < data.size(); ++i) {
    if (data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1) {
      types.push_back(data[i + 3] & 0x1f);
      i += 2;
    }
  }
  return types;
}

int NalLengthSize(const uint8_t* extradata, size_t size) {
  // avcC (ISO/IEC 14496-15 5.3.3.1): configurationVersion 1; byte 4 ends in
  // lengthSizeMinusOne.
  if (extradata == nullptr || size < 5 || extradata[0] != 1) return 0;
  return (extradata[4] & 0x03) + 1;
}

}  // namespace vodctl::media
