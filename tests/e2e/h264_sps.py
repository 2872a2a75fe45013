"""Rewrites the picture size a baseline H.264 Annex B stream's SPS claims, so tests can make
sources whose headers lie about their size."""


class _Bits:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def bit(self):
        b = (self.data[self.pos // 8] >> (7 - self.pos % 8)) & 1
        self.pos += 1
        return b

    def bits(self, n):
        v = 0
        for _ in range(n):
            v = (v << 1) | self.bit()
        return v

    def ue(self):
        zeros = 0
        while self.bit() == 0:
            zeros += 1
        return (1 << zeros) - 1 + self.bits(zeros)


class _Writer:
    def __init__(self):
        self.out = []

    def bits(self, v, n):
        self.out += [(v >> (n - 1 - i)) & 1 for i in range(n)]

    def ue(self, v):
        n = (v + 1).bit_length()
        self.bits(0, n - 1)
        self.bits(v + 1, n)

    def bytes(self):
        bits = self.out + [0] * (-len(self.out) % 8)
        return bytes(int("".join(map(str, bits[i:i + 8])), 2) for i in range(0, len(bits), 8))


def _unescape(ebsp):
    return ebsp.replace(b"\x00\x00\x03", b"\x00\x00")


def _escape(rbsp):
    out, zeros = bytearray(), 0
    for b in rbsp:
        if zeros >= 2 and b <= 3:
            out.append(3)
            zeros = 0
        out.append(b)
        zeros = zeros + 1 if b == 0 else 0
    return bytes(out)


def _patched_sps(nal, width, height):
    r = _Bits(_unescape(nal[1:]))
    w = _Writer()
    w.bits(r.bits(24), 24)  # profile, constraint flags, level
    if nal[1] != 66:
        raise ValueError("only baseline-profile SPS are patched")
    w.ue(r.ue())  # seq_parameter_set_id
    w.ue(r.ue())  # log2_max_frame_num_minus4
    poc_type = r.ue()
    w.ue(poc_type)
    if poc_type == 0:
        w.ue(r.ue())
    elif poc_type == 1:
        raise ValueError("pic_order_cnt_type 1 is not handled")
    w.ue(r.ue())  # max_num_ref_frames
    w.bits(r.bit(), 1)  # gaps_in_frame_num_value_allowed_flag
    r.ue(), r.ue()
    w.ue(width // 16 - 1)
    w.ue(height // 16 - 1)
    frame_mbs_only = r.bit()
    if not frame_mbs_only:
        raise ValueError("interlaced SPS are not handled")
    w.bits(1, 1)
    w.bits(r.bit(), 1)  # direct_8x8_inference_flag
    if r.bit():  # frame_cropping_flag: dropped, the new size is whole macroblocks
        for _ in range(4):
            r.ue()
    w.bits(0, 1)
    # The rest (VUI flag and parameters, then the stop bit) as it was, bit for bit.
    total = len(r.data) * 8
    while r.pos < total:
        w.bits(r.bit(), 1)
    rbsp = w.bytes().rstrip(b"\x00")
    return nal[:1] + _escape(rbsp)


def patch_annexb(stream, width, height):
    """Stream with every SPS NAL claiming width x height (multiples of 16)."""
    parts = stream.split(b"\x00\x00\x01")
    out = []
    for part in parts:
        if part and part[0] & 0x1F == 7:
            trailing = len(part) - len(part.rstrip(b"\x00"))
            part = _patched_sps(part.rstrip(b"\x00"), width, height) + b"\x00" * trailing
        out.append(part)
    return b"\x00\x00\x01".join(out)
