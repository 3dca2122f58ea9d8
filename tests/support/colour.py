"""How far apart two screen colours look: CIEDE2000 in CIELAB (D65), for normal vision and for
colour-vision deficiencies simulated with the Machado, Oliveira & Fernandes (2009) matrices at full
severity (applied in linear sRGB). About 2 is a just-noticeable difference; lines of a chart want
far more."""
from __future__ import annotations

import math

VISIONS: dict[str, tuple[tuple[float, float, float], ...] | None] = {
    "normal": None,
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602),
                   (0.004733, 0.691367, 0.303900)),
}


def _linear(hex_colour: str) -> tuple[float, ...]:
    channels = (int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return tuple(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)


def lab(hex_colour: str, vision: str = "normal") -> tuple[float, float, float]:
    rgb = _linear(hex_colour)
    m = VISIONS[vision]
    if m is not None:
        rgb = tuple(min(1.0, max(0.0, sum(a * c for a, c in zip(row, rgb)))) for row in m)
    r, g, b = rgb
    xyz = (0.4124 * r + 0.3576 * g + 0.1805 * b, 0.2126 * r + 0.7152 * g + 0.0722 * b,
           0.0193 * r + 0.1192 * g + 0.9505 * b)
    fx, fy, fz = (t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116
                  for t in (xyz[0] / 0.95047, xyz[1], xyz[2] / 1.08883))
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def delta_e(one: str, other: str, vision: str = "normal") -> float:
    """CIEDE2000 between two #RRGGBB colours as seen with `vision`."""
    (l1, a1, b1), (l2, a2, b2) = lab(one, vision), lab(other, vision)
    c_mean = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_mean ** 7 / (c_mean ** 7 + 25 ** 7)))
    a1, a2 = a1 * (1 + g), a2 * (1 + g)
    c1, c2 = math.hypot(a1, b1), math.hypot(a2, b2)
    h1, h2 = math.degrees(math.atan2(b1, a1)) % 360, math.degrees(math.atan2(b2, a2)) % 360
    dh = 0.0 if c1 * c2 == 0 else (h2 - h1 + 180) % 360 - 180
    d_l, d_c, d_h = l2 - l1, c2 - c1, 2 * math.sqrt(c1 * c2) * math.sin(math.radians(dh / 2))
    l_m, c_m = (l1 + l2) / 2, (c1 + c2) / 2
    if c1 * c2 == 0:
        h_m = h1 + h2
    elif abs(h1 - h2) <= 180:
        h_m = (h1 + h2) / 2
    else:
        h_m = (h1 + h2 + 360) / 2 if h1 + h2 < 360 else (h1 + h2 - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(h_m - 30)) + 0.24 * math.cos(math.radians(2 * h_m))
         + 0.32 * math.cos(math.radians(3 * h_m + 6)) - 0.20 * math.cos(math.radians(4 * h_m - 63)))
    s_l = 1 + 0.015 * (l_m - 50) ** 2 / math.sqrt(20 + (l_m - 50) ** 2)
    s_c, s_h = 1 + 0.045 * c_m, 1 + 0.015 * c_m * t
    r_t = (-2 * math.sqrt(c_m ** 7 / (c_m ** 7 + 25 ** 7))
           * math.sin(math.radians(60 * math.exp(-(((h_m - 275) / 25) ** 2)))))
    return math.sqrt((d_l / s_l) ** 2 + (d_c / s_c) ** 2 + (d_h / s_h) ** 2
                     + r_t * (d_c / s_c) * (d_h / s_h))
