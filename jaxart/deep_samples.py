"""16-bit files at full precision, as float RGB in [0, 1] of their 0..65535 samples.

Pillow has no 16-bit colour mode: a 16-bit RGB or RGBA PNG or TIFF decodes to its samples' high bytes. Its decoder,
told the other byte order, unfilters the same data and keeps the low bytes instead; the two make the samples. Grey
it keeps at 16 bits (I;16, I). Files with an ICC profile (lcms takes 8-bit colour only) or a colour key are left to
`modes`, at 8 bits.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from jaxart import png_gamma

_OTHER = {"B": "L", "L": "B", "N": "B" if sys.byteorder == "little" else "L"}  # N: the machine's order


def _swapped(raw: str | None) -> str | None:
    """The raw mode that decodes the low bytes of samples stored as `raw` ("RGB;16B" -> "RGB;16L"), or None."""
    if raw is None or raw[:-1] not in ("RGB;16", "RGBA;16") or raw[-1] not in _OTHER:
        return None
    return raw[:-1] + _OTHER[raw[-1]]


def taken(opened: Image.Image, raw: str | None) -> bool:
    """Whether `colour` reads the file Pillow opened as `opened`, of `raw` samples, at 16 bits: 16-bit RGB(A) with
    no profile, colour key or APNG default image."""
    return (_swapped(raw) is not None and opened.mode in ("RGB", "RGBA") and "transparency" not in opened.info
            and not (opened.info.get("icc_profile") or png_gamma.profile(opened) or opened.info.get("default_image")))


def colour(opened: Image.Image, high: Image.Image, path: Path, raw: str | None) -> np.ndarray | None:
    """The (H, W, 3|4) float32 samples in [0, 1] of the 16-bit RGB(A) file at `path` that Pillow opened as
    `opened` and decoded (oriented) to `high`, from `raw` samples; None where it is not `taken`."""
    if not taken(opened, raw) or high.mode != opened.mode:
        return None
    low_raw = _swapped(raw)
    with Image.open(path) as again:
        again.tile = [t._replace(args=(low_raw, *t.args[1:]) if isinstance(t.args, tuple) else low_raw)
                      for t in again.tile]
        again.load()
        ImageOps.exif_transpose(again, in_place=True)  # turned as `high` was, with no copy
        low = again
    if low.size != high.size or low.mode != high.mode:
        return None
    x = np.asarray(high, np.float32)
    x *= 256.0  # in place, as below: a 12-megapixel photo's float copy is 137 MiB
    x += np.asarray(low)
    x /= 65535.0
    return x


def grey(img: Image.Image) -> np.ndarray | None:
    """The (H, W, 3) float32 RGB in [0, 1] of 16-bit grey `img` (I;16*, or I of 16-bit samples), its 0..65535 scale
    kept; None for another mode, or a colour key."""
    if not (img.mode == "I" or img.mode.startswith("I;16")) or "transparency" in img.info:
        return None
    g = np.asarray(img, np.float32)
    np.clip(g, 0.0, 65535.0, out=g)  # a signed TIFF's negative samples black, as modes' 8-bit grey has them
    g /= 65535.0
    return np.repeat(g[..., None], 3, axis=2)


def composited(x: np.ndarray, background: tuple[int, int, int]) -> np.ndarray:
    """(H, W, 3) float32 RGB: `x` itself, or (H, W, 4) RGBA over the 8-bit `background` colour."""
    if x.shape[2] == 3:
        return x
    alpha = x[..., 3:]
    rgb = x[..., :3] * alpha
    for c in range(3):  # a channel at a time, no second (H, W, 3) copy
        rgb[..., c] += (1.0 - alpha[..., 0]) * (background[c] / 255.0)
    return rgb
