"""Pillow's pixel modes as 8-bit sRGB: 16-bit, 32-bit and float grey with their full range, transparency
(an alpha band, a palette's, a tRNS colour key) composited over a background, ICC profiles converted.

decode.py opens and decodes the files; these take the decoded Pillow image.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms

from jaxart import png_gamma


def _deep(img: Image.Image) -> bool:
    """Whether `img` holds 32-bit int, 16-bit or float grey samples, which 8-bit conversions clip."""
    return img.mode in ("I", "F") or img.mode.startswith("I;")


def _grey(img: Image.Image, dtype: type = np.uint8) -> tuple[Image.Image, Image.Image | None]:
    """32-bit int, 16-bit and float grey pixels as `dtype` grey (uint8: L, uint16: I;16) with
    their full range kept, and the L alpha their tRNS colour key gives (None without one)."""
    raw = np.asarray(img)
    a = raw.astype(np.float64)
    if img.mode == "F":
        # Float files are conventionally [0, 1]; Pillow's own F images are [0, 255].
        finite = a[np.isfinite(a)]
        top = 1.0 if finite.size == 0 or finite.max() <= 1.0 else 255.0
    else:
        # Pillow puts 16-bit samples (PNG, TIFF, PGM) in I;16* and I, always scaled to 0..65535 (a file's 32-bit
        # ones are F by now: in_type_range); its own I -> L conversion clips at 255 instead, which turns them white.
        top = 65535.0
    a = np.nan_to_num(a / top, nan=0.0, posinf=1.0, neginf=0.0)
    grey = Image.fromarray((np.clip(a, 0.0, 1.0) * np.iinfo(dtype).max + 0.5).astype(dtype))
    # A PNG's key names one raw 16-bit sample, so it is matched before any rounding.
    key = img.info.get("transparency")
    if not isinstance(key, (int, np.integer)):
        return grey, None
    return grey, Image.fromarray(np.where(raw == key, 0, 255).astype(np.uint8))


def rawmode(opened: Image.Image) -> str | None:
    """How the file Pillow opened as `opened` stores its samples (its decoder's raw mode: "I;32S", "I;16B", ...),
    None where it does not say. Read before the image is decoded, which empties its tile list."""
    if not opened.tile:
        return None
    args = opened.tile[0].args
    raw = args[0] if isinstance(args, tuple) and args else args
    return raw if isinstance(raw, str) else None


def in_type_range(img: Image.Image, raw: str | None) -> Image.Image:
    """`img`, decoded from samples stored as `raw`, as float grey in [0, 1] of their type's range where they are
    32-bit integers (a 32-bit TIFF's, signed or not); else as it is. Pillow's mode "I" holds 16-bit samples (a PGM's,
    a signed 16-bit TIFF's, read 0..65535) and 32-bit ones alike: 32-bit ones were read as 16-bit, every value from
    65535 up white, a picture over their range all white or clipped."""
    if img.mode != "I" or raw is None or not (raw == "I" or raw.startswith("I;32")) or "F" in raw:
        return img
    a = np.asarray(img)
    signed = raw == "I" or raw.endswith("S")  # Pillow keeps an unsigned sample's 32 bits in mode I's int32
    scaled = a / (2**31 - 1) if signed else a.view(np.uint32) / (2**32 - 1)
    out = Image.fromarray(np.clip(scaled, 0.0, 1.0).astype(np.float32), "F")
    out.info = {k: v for k, v in img.info.items() if k != "transparency"}  # its ICC profile; a key names raw samples
    return out


def _to_l(img: Image.Image) -> Image.Image:
    """32-bit int, 16-bit and float grey pixels as 8-bit L, or LA where a tRNS key marks some transparent."""
    grey, alpha = _grey(img)
    return grey if alpha is None else Image.merge("LA", (grey, alpha))


def to_rgb(img: Image.Image, background: tuple[int, int, int]) -> Image.Image:
    """Any Pillow mode as 8-bit RGB, transparency composited over `background`."""
    if _deep(img):
        img = _to_l(img)
    elif img.mode == "La":  # premultiplied; Pillow converts it to nothing but LA
        img = img.convert("LA")
    if img.has_transparency_data:  # alpha band, palette alpha, or a tRNS colour key
        rgba = img.convert("RGBA")
        base = Image.new("RGBA", rgba.size, (*background, 255))
        return Image.alpha_composite(base, rgba).convert("RGB")
    return img.convert("RGB")  # also inverts CMYK and converts YCbCr, 1, L, P


def to_srgb(img: Image.Image) -> Image.Image:
    """Pixels tagged with an ICC profile (Display P3 from phones, Adobe RGB, a CMYK or grey
    profile) converted to sRGB, the space VGG was trained in and PNG viewers assume.

    A PNG's gAMA and cHRM chunks stand for a profile (`png_gamma`). Untagged pixels are sRGB
    already; a profile that lcms cannot read or apply is ignored, as browsers do. Palette images
    are converted through their RGB colours; grey with alpha through its grey; 16-bit, 32-bit and
    float grey as 16-bit grey, so that a linear profile's shadows keep their levels. Every mode is
    converted but LAB and HSV, which have no RGB profile.
    """
    icc = img.info.get("icc_profile") or png_gamma.profile(img)
    if not icc:
        return img
    pixels, alpha = img, None
    if img.mode in ("P", "PA"):  # the palette holds the profile's RGB colours
        pixels = img.convert("RGBA" if img.mode == "PA" or "transparency" in img.info else "RGB")
    elif img.mode in ("LA", "La"):  # lcms has no grey-with-alpha mode
        la = img.convert("LA")
        pixels, alpha = la.getchannel("L"), la.getchannel("A")
    elif _deep(img):
        pixels, alpha = _grey(img, np.uint16)
    elif img.mode in ("1", "RGBX", "RGBa", "YCbCr"):
        pixels = img.convert({"1": "L", "RGBa": "RGBA"}.get(img.mode, "RGB"))
    elif img.mode in ("RGB", "L") and "transparency" in img.info:  # a tRNS colour key, which lcms's output lacked
        alpha = img.convert("RGBA" if img.mode == "RGB" else "LA").getchannel("A")
    if pixels.mode not in ("RGB", "RGBA", "CMYK", "L", "I;16"):
        return img
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        srgb = ImageCms.createProfile("sRGB")
        # lcms's optimized transform tabulates grey input coarsely: a linear profile's deep shadows
        # came out at half to two thirds of their level (19 for 29 of 255 from 16 bits, 6 for 13 from
        # 8). The exact one costs 8x, 0.13 s/Mpx (BENCHMARKS.md); RGB's optimized one is within 1/255.
        flags = ImageCms.Flags.NOOPTIMIZE if pixels.mode in ("I;16", "L") else ImageCms.Flags.NONE
        out = ImageCms.profileToProfile(pixels, source, srgb, outputMode="RGBA" if pixels.mode == "RGBA" else "RGB",
                                        flags=flags)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return img
    if alpha is not None:
        out.putalpha(alpha)
    return out


def png_key_in_8_bits(img: Image.Image, depth: int) -> Image.Image:
    """`img`, read from an RGB PNG of `depth` bits, with its tRNS colour key as the 8-bit samples Pillow
    decodes it to. Pillow keeps a 16-bit RGB PNG's high bytes (within 1/257 of each sample) but its key
    as 16-bit samples, so no pixel matched it (the transparent ones were drawn opaque) or, for a key under
    256, the darkest ones did; the key's high bytes mark the pixels within 1/257 of it."""
    key = img.info.get("transparency")
    if depth != 16 or img.mode != "RGB" or not isinstance(key, tuple):
        return img
    img.info["transparency"] = tuple(v >> 8 for v in key)
    return img


def png_depth(path: Path) -> int:
    """The bit depth in the IHDR chunk a PNG file starts with; 8 for another file."""
    with open(path, "rb") as f:
        head = f.read(26)
    return head[24] if head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR" else 8
