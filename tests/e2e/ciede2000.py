"""CIEDE2000 colour difference and the RGB -> CIELAB conversion the colour tests compare
pictures with, written from the published formulas (standard library only):

* G. Sharma, W. Wu, E. N. Dalal, "The CIEDE2000 color-difference formula: implementation
  notes, supplementary test data, and mathematical observations", Color Research and
  Application 30(1), 2005: equations 1-20, kL = kC = kH = 1.
* CIELAB (CIE 15) from XYZ with the D65 white, XYZ from linear RGB with BT.709's primaries.
"""

import math


def ciede2000(lab1, lab2):
    """ΔE00 between two CIELAB colours, kL = kC = kH = 1 (Sharma et al. 2005, eqs. 1-20)."""
    L1, a1, b1 = lab1
    L2, a2, b2 = lab2
    c_mean = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_mean ** 7 / (c_mean ** 7 + 25 ** 7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dLp = L2 - L1
    dCp = c2p - c1p
    if c1p * c2p == 0:
        dhp = 0.0
    elif abs(h2p - h1p) <= 180:
        dhp = h2p - h1p
    elif h2p - h1p > 180:
        dhp = h2p - h1p - 360
    else:
        dhp = h2p - h1p + 360
    dHp = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dhp) / 2)
    Lp_mean = (L1 + L2) / 2
    Cp_mean = (c1p + c2p) / 2
    if c1p * c2p == 0:
        hp_mean = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hp_mean = (h1p + h2p) / 2
    elif h1p + h2p < 360:
        hp_mean = (h1p + h2p + 360) / 2
    else:
        hp_mean = (h1p + h2p - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(hp_mean - 30))
         + 0.24 * math.cos(math.radians(2 * hp_mean))
         + 0.32 * math.cos(math.radians(3 * hp_mean + 6))
         - 0.20 * math.cos(math.radians(4 * hp_mean - 63)))
    d_theta = 30 * math.exp(-(((hp_mean - 275) / 25) ** 2))
    rc = 2 * math.sqrt(Cp_mean ** 7 / (Cp_mean ** 7 + 25 ** 7))
    sl = 1 + 0.015 * (Lp_mean - 50) ** 2 / math.sqrt(20 + (Lp_mean - 50) ** 2)
    sc = 1 + 0.045 * Cp_mean
    sh = 1 + 0.015 * Cp_mean * t
    rt = -math.sin(math.radians(2 * d_theta)) * rc
    return math.sqrt((dLp / sl) ** 2 + (dCp / sc) ** 2 + (dHp / sh) ** 2
                     + rt * (dCp / sc) * (dHp / sh))


def _linear(v):
    # sRGB's curve for 8-bit BT.709-primaries RGB: the same for both pictures compared, so the
    # choice between it and BT.1886 moves both alike.
    v /= 255
    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4


_D65 = (0.95047, 1.0, 1.08883)


def _f(t):
    return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29


def rgb_to_lab(rgb):
    """CIELAB (D65) of an 8-bit RGB triple with BT.709 primaries."""
    r, g, b = (_linear(c) for c in rgb)
    x = 0.4124 * r + 0.3576 * g + 0.1805 * b
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = 0.0193 * r + 0.1192 * g + 0.9505 * b
    fx, fy, fz = _f(x / _D65[0]), _f(y / _D65[1]), _f(z / _D65[2])
    return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))
