"""A PNG's gAMA and cHRM chunks as the ICC profile they stand for, so that `modes.to_srgb` converts such a PNG as
browsers show it: a linear (gAMA 1.0) render or a wide-gamut cHRM was read as if it were sRGB, dark or dull.

The PNG specification's precedence: an iCCP profile or an sRGB chunk overrides both; a gAMA within 5% of sRGB's
1/2.2 (libpng's threshold) with sRGB's primaries, or none, is read as sRGB, so ordinary PNGs keep their pixels.
"""

from __future__ import annotations

import struct

import numpy as np
from PIL import Image

D50 = np.array([0.9642, 1.0, 0.8249])
SRGB_XY = (0.3127, 0.3290, 0.64, 0.33, 0.30, 0.60, 0.15, 0.06)  # white, red, green, blue chromaticities
_BRADFORD = np.array([[0.8951, 0.2664, -0.1614], [-0.7502, 1.7135, 0.0367], [0.0389, -0.0685, 1.0296]])


def profile(img: Image.Image) -> bytes | None:
    """The ICC profile a PNG's gAMA (with its cHRM, if any) stands for; None where it has an iCCP or sRGB chunk, no
    gAMA, or one that reads as sRGB."""
    info = img.info
    gamma, xy = info.get("gamma"), info.get("chromaticity")
    if "icc_profile" in info or "srgb" in info or not isinstance(gamma, (int, float)) or not 0.01 < gamma < 10:
        return None
    colorants = _colorants(xy) if isinstance(xy, tuple) and len(xy) == 8 else None
    srgb_like = colorants is None or np.allclose(xy, SRGB_XY, atol=0.01)
    if abs(gamma * 2.2 - 1) <= 0.05 and srgb_like:
        return None
    curve = b"curv" + bytes(4) + struct.pack(">IH", 1, min(round(256 / gamma), 65535))
    if img.mode in ("L", "LA", "La", "I", "F") or img.mode.startswith("I;"):
        return _icc(b"GRAY", {b"wtpt": _xyz(D50), b"kTRC": curve})
    r, g, b = (_colorants(SRGB_XY) if colorants is None else colorants).T
    return _icc(b"RGB ", {b"wtpt": _xyz(D50), b"rXYZ": _xyz(r), b"gXYZ": _xyz(g), b"bXYZ": _xyz(b),
                          b"rTRC": curve, b"gTRC": curve, b"bTRC": curve})


def _colorants(xy: tuple) -> np.ndarray | None:
    """The (3, 3) XYZ columns of full red, green and blue for the chromaticities `xy` (white, red, green, blue),
    adapted to D50 (Bradford) as an ICC profile holds them; None where they are not a triangle around a white."""
    x, y = np.array(xy[0::2], float), np.array(xy[1::2], float)
    if (y <= 0).any() or (x < 0).any() or (x + y > 1).any():
        return None
    xyz = np.stack([x / y, np.ones(4), (1 - x - y) / y])  # columns: white, red, green, blue
    try:
        scale = np.linalg.solve(xyz[:, 1:], xyz[:, 0])
    except np.linalg.LinAlgError:
        return None
    cone = _BRADFORD @ D50 / (_BRADFORD @ xyz[:, 0])
    adapt = np.linalg.inv(_BRADFORD) @ np.diag(cone) @ _BRADFORD
    return None if (scale <= 0).any() else adapt @ (xyz[:, 1:] * scale)


def _xyz(v) -> bytes:
    return b"XYZ " + bytes(4) + b"".join(struct.pack(">i", round(c * 65536)) for c in v)


def _icc(space: bytes, tags: dict[bytes, bytes]) -> bytes:
    """An ICC v2 display profile ('mntr', PCS XYZ) of colour space `space` holding `tags`."""
    offset = 128 + 4 + 12 * len(tags)
    table, data = [], b""
    for sig, body in tags.items():
        table.append(struct.pack(">4sII", sig, offset + len(data), len(body)))
        data += body + bytes(-len(body) % 4)
    header = struct.pack(">I4sI4s4s4s12s4s", offset + len(data), bytes(4), 0x02100000, b"mntr", space, b"XYZ ",
                         bytes(12), b"acsp")
    header += bytes(68 - len(header)) + _xyz(D50)[8:]
    return header + bytes(128 - len(header)) + struct.pack(">I", len(tags)) + b"".join(table) + data
